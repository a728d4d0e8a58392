/* grant_table.h - grant_table_op (hypercall 20) and version-1 grant entries: how a domain lets
 * another map or copy one of its pages (xen/include/public/grant_table.h).
 */
#ifndef HV_ABI_GRANT_TABLE_H
#define HV_ABI_GRANT_TABLE_H
#include "types.h"

#define GNTTABOP_map_grant_ref     0
#define GNTTABOP_unmap_grant_ref   1
#define GNTTABOP_setup_table       2
#define GNTTABOP_dump_table        3
#define GNTTABOP_transfer          4
#define GNTTABOP_copy              5
#define GNTTABOP_query_size        6
#define GNTTABOP_unmap_and_replace 7
#define GNTTABOP_set_version       8
#define GNTTABOP_get_status_frames 9
#define GNTTABOP_get_version      10

/* Entries the domain builder fills in before the guest starts (Xen's GNTTAB_RESERVED_*): the
 * store ring is granted to domain 0 in entry 1, so the store can map it. A guest leaves the
 * first GNTTAB_NR_RESERVED_ENTRIES alone. */
#define GNTTAB_RESERVED_CONSOLE  0
#define GNTTAB_RESERVED_XENSTORE 1
#define GNTTAB_NR_RESERVED_ENTRIES 8

/* grant_entry_v1.flags */
#define GTF_invalid          0
#define GTF_permit_access    1
#define GTF_accept_transfer  2
#define GTF_transfer_committed 2
#define GTF_transfer_completed 3
#define GTF_type_mask        3
#define GTF_readonly    (1 << 2)
#define GTF_reading     (1 << 3)
#define GTF_writing     (1 << 4)
#define GTF_transitive  3               /* version 2: use another domain's grant */
#define GTF_sub_page    (1 << 8)        /* version 2: only [page_off, page_off + length) */

/* gnttab_map_grant_ref.flags */
#define GNTMAP_device_map      (1 << 0)
#define GNTMAP_host_map        (1 << 1)
#define GNTMAP_readonly        (1 << 2)
#define GNTMAP_application_map (1 << 3)
#define GNTMAP_contains_pte    (1 << 4)

#define GNTCOPY_source_gref (1 << 0)
#define GNTCOPY_dest_gref   (1 << 1)

/* Per-operation status codes (the hypercall itself returns 0 or -errno). */
#define GNTST_okay              0
#define GNTST_general_error   (-1)
#define GNTST_bad_domain      (-2)
#define GNTST_bad_gntref      (-3)
#define GNTST_bad_handle      (-4)
#define GNTST_bad_virt_addr   (-5)
#define GNTST_bad_dev_addr    (-6)
#define GNTST_no_device_space (-7)
#define GNTST_permission_denied (-8)
#define GNTST_bad_page        (-9)
#define GNTST_bad_copy_arg    (-10)
#define GNTST_address_too_big (-11)
#define GNTST_eagain          (-12)

#ifndef __ASSEMBLER__
typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;

struct grant_entry_v1 {
    uint16_t flags;                /* GTF_* */
    domid_t domid;                 /* the domain allowed in */
    uint32_t frame;                /* the frame granted */
};
ABI_SIZE(struct grant_entry_v1, 8);

struct gnttab_map_grant_ref {
    uint64_t host_addr;
    uint32_t flags;
    grant_ref_t ref;
    domid_t dom;
    int16_t status;                /* OUT: GNTST_* */
    grant_handle_t handle;         /* OUT */
    uint64_t dev_bus_addr;         /* OUT */
};
ABI_SIZE(struct gnttab_map_grant_ref, 32);
ABI_OFFSET(struct gnttab_map_grant_ref, ref, 12);
ABI_OFFSET(struct gnttab_map_grant_ref, status, 18);
ABI_OFFSET(struct gnttab_map_grant_ref, handle, 20);
ABI_OFFSET(struct gnttab_map_grant_ref, dev_bus_addr, 24);

struct gnttab_unmap_grant_ref {
    uint64_t host_addr;
    uint64_t dev_bus_addr;
    grant_handle_t handle;
    int16_t status;
};
ABI_SIZE(struct gnttab_unmap_grant_ref, 24);
ABI_OFFSET(struct gnttab_unmap_grant_ref, handle, 16);

struct gnttab_setup_table {
    domid_t dom;
    uint32_t nr_frames;
    int16_t status;
    XEN_GUEST_HANDLE(xen_pfn_t) frame_list;
};
ABI_SIZE(struct gnttab_setup_table, 16);
ABI_OFFSET(struct gnttab_setup_table, frame_list, 12);

struct gnttab_query_size {
    domid_t dom;
    uint32_t nr_frames;
    uint32_t max_nr_frames;
    int16_t status;
};
ABI_SIZE(struct gnttab_query_size, 16);

struct gnttab_copy_ptr {
    union {
        grant_ref_t ref;
        xen_pfn_t gmfn;
    } u;
    domid_t domid;
    uint16_t offset;
};

struct gnttab_copy {
    struct gnttab_copy_ptr source, dest;
    uint16_t len;
    uint16_t flags;                /* GNTCOPY_* */
    int16_t status;
};
ABI_SIZE(struct gnttab_copy, 24);
ABI_OFFSET(struct gnttab_copy, len, 16);

/* Version 2 (GNTTABOP_set_version 2): 16-byte entries, whose header is v1's first four bytes;
 * GTF_reading and GTF_writing move to a uint16_t per entry in the status frames. */
struct grant_entry_header {
    uint16_t flags;
    domid_t domid;
};

union grant_entry_v2 {
    struct grant_entry_header hdr;
    struct {
        struct grant_entry_header hdr;
        uint32_t pad0;
        uint64_t frame;
    } full_page;
    struct {
        struct grant_entry_header hdr;
        uint16_t page_off, length;
        uint64_t frame;
    } sub_page;
    struct {
        struct grant_entry_header hdr;
        domid_t trans_domid;
        uint16_t pad0;
        grant_ref_t gref;
    } transitive;
    uint32_t __spacer[4];
};
ABI_SIZE(union grant_entry_v2, 16);
typedef uint16_t grant_status_t;

struct gnttab_set_version {
    uint32_t version;              /* IN: the version wanted; OUT: the table's version */
};

struct gnttab_get_status_frames {
    uint32_t nr_frames;            /* IN */
    domid_t dom;                   /* IN */
    int16_t status;                /* OUT: GNTST_* */
    XEN_GUEST_HANDLE(uint64_t) frame_list;   /* OUT: nr_frames machine frames */
};
ABI_SIZE(struct gnttab_get_status_frames, 12);

struct gnttab_get_version {
    domid_t dom;
    uint16_t pad;
    uint32_t version;
};
ABI_SIZE(struct gnttab_get_version, 8);
#endif

#endif
