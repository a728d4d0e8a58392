/* domctl.h - domctl (hypercall 36): domain 0 creating, pausing, inspecting and destroying the
 * other domains. The command numbers are Xen's (xen/include/public/domctl.h) where the operation
 * exists there; the structure is this monitor's own and simpler (one call builds a domain from an
 * image domain 0 holds), with its own interface version, so a Xen toolstack's calls are refused
 * (-EINVAL) rather than misread. ABI.md describes each command.
 */
#ifndef HV_ABI_DOMCTL_H
#define HV_ABI_DOMCTL_H
#include "types.h"

#define HV_DOMCTL_INTERFACE_VERSION 0x48560002      /* "HV", 2: names of 64 bytes */

#define XEN_DOMCTL_createdomain   1
#define XEN_DOMCTL_destroydomain  2
#define XEN_DOMCTL_pausedomain    3
#define XEN_DOMCTL_unpausedomain  4
#define XEN_DOMCTL_getdomaininfo  5
#define XEN_DOMCTL_max_mem       11
#define HV_DOMCTL_readconsole     0x1000            /* ours: read a domain's recent console output */
#define HV_DOMCTL_console_input   0x1001            /* ours: type into a domU's console ring */

/* getdomaininfo flags, Xen's XEN_DOMINF_* bits; the shutdown reason sits in bits 16-23. */
#define XEN_DOMINF_dying     (1 << 0)
#define XEN_DOMINF_shutdown  (1 << 2)
#define XEN_DOMINF_paused    (1 << 3)
#define XEN_DOMINF_blocked   (1 << 4)
#define XEN_DOMINF_running   (1 << 5)
#define XEN_DOMINF_shutdownshift 16

/* A domain's name, NUL included (xl keeps names in the store; XTF's are up to 40 characters). */
#define HV_DOMAIN_NAME_MAX 64

#ifndef __ASSEMBLER__
struct hv_domaininfo {
    domid_t domain;
    uint16_t _pad;
    uint32_t flags;                /* XEN_DOMINF_* */
    uint32_t tot_pages, max_pages;
    uint64_t cpu_time;             /* ns of CPU it has had */
    char name[HV_DOMAIN_NAME_MAX];
    uint32_t store_evtchn;         /* its port for the store (start_info.store_evtchn), 0: none */
};
ABI_SIZE(struct hv_domaininfo, 92);

struct hv_domctl {
    uint32_t cmd;
    uint32_t interface_version;    /* HV_DOMCTL_INTERFACE_VERSION */
    domid_t domain;                /* the domain acted on; createdomain: OUT, the new one */
    uint16_t _pad;
    union {
        struct {
            XEN_GUEST_HANDLE(const void) image;   /* an ELF image in the caller's memory */
            uint32_t image_len;
            XEN_GUEST_HANDLE(const char) cmdline; /* its command line (as for a module), NUL-ended */
        } createdomain;
        struct hv_domaininfo getdomaininfo;       /* OUT: the first domain with an id >= domain */
        struct { uint64_t max_memkb; } max_mem;   /* Xen's struct xen_domctl_max_mem */
        struct {
            XEN_GUEST_HANDLE(char) buffer;
            uint32_t size;                        /* IN: room; OUT: bytes written */
        } readconsole;
        struct {
            XEN_GUEST_HANDLE(const char) buffer;
            uint32_t size;                        /* IN: bytes; OUT: bytes the ring took */
        } console_input;
        uint8_t _size[64];
    } u;
};
ABI_SIZE(struct hv_domctl, 104);
#endif

#endif
