/* version.h - xen_version (hypercall 17): what the monitor tells a guest about itself
 * (xen/include/public/version.h).
 */
#ifndef HV_ABI_VERSION_H
#define HV_ABI_VERSION_H
#include "types.h"

#define XENVER_version             0   /* returns (major << 16) | minor */
#define XENVER_extraversion        1   /* arg: xen_extraversion_t */
#define XENVER_compile_info        2   /* arg: struct xen_compile_info */
#define XENVER_capabilities        3   /* arg: xen_capabilities_info_t */
#define XENVER_changeset           4   /* arg: xen_changeset_info_t */
#define XENVER_platform_parameters 5   /* arg: struct xen_platform_parameters */
#define XENVER_get_features        6   /* arg: struct xen_feature_info */
#define XENVER_pagesize            7   /* returns the page size */
#define XENVER_guest_handle        8   /* arg: xen_domain_handle_t */
#define XENVER_commandline         9   /* arg: xen_commandline_t */
#define XENVER_build_id           10

#define XEN_EXTRAVERSION_LEN       16
#define XEN_CAPABILITIES_INFO_LEN  1024
#define XEN_CHANGESET_INFO_LEN     64
#define XEN_COMMANDLINE_LEN        1024

/* Feature bits of submap 0 (XENVER_get_features). */
#define XENFEAT_writable_page_tables       0
#define XENFEAT_writable_descriptor_tables 1
#define XENFEAT_auto_translated_physmap    2
#define XENFEAT_supervisor_mode_kernel     3
#define XENFEAT_pae_pgdir_above_4gb        4
#define XENFEAT_mmu_pt_update_preserve_ad  5
#define XENFEAT_highmem_assist             6
#define XENFEAT_gnttab_map_avail_bits      7
#define XENFEAT_hvm_callback_vector        8
#define XENFEAT_hvm_safe_pvclock           9
#define XENFEAT_hvm_pirqs                 10
#define XENFEAT_dom0                      11
#define XENFEAT_NR_SUBMAPS                 1

#ifndef __ASSEMBLER__
typedef char xen_extraversion_t[XEN_EXTRAVERSION_LEN];
typedef char xen_capabilities_info_t[XEN_CAPABILITIES_INFO_LEN];
typedef char xen_changeset_info_t[XEN_CHANGESET_INFO_LEN];
typedef char xen_commandline_t[XEN_COMMANDLINE_LEN];

struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
ABI_SIZE(struct xen_compile_info, 144);

struct xen_platform_parameters {
    xen_ulong_t virt_start;        /* HYPERVISOR_VIRT_START */
};
ABI_SIZE(struct xen_platform_parameters, 4);

struct xen_feature_info {
    uint32_t submap_idx;           /* IN: which 32 features */
    uint32_t submap;               /* OUT: their bits */
};
ABI_SIZE(struct xen_feature_info, 8);
#endif

#endif
