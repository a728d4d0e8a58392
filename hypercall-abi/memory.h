/* memory.h - memory_op (hypercall 12): growing, shrinking and describing a domain's memory
 * (xen/include/public/memory.h).
 */
#ifndef HV_ABI_MEMORY_H
#define HV_ABI_MEMORY_H
#include "types.h"

#define XENMEM_increase_reservation  0
#define XENMEM_decrease_reservation  1
#define XENMEM_maximum_ram_page      2
#define XENMEM_current_reservation   3
#define XENMEM_maximum_reservation   4
#define XENMEM_machphys_mfn_list     5
#define XENMEM_populate_physmap      6
#define XENMEM_add_to_physmap        7
#define XENMEM_memory_map            9
#define XENMEM_machine_memory_map   10
#define XENMEM_exchange             11
#define XENMEM_machphys_mapping     12
#define XENMEM_set_memory_map       13
#define XENMEM_maximum_gpfn         14

#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_grant_table 1
#define XENMAPSPACE_gmfn        2

#ifndef __ASSEMBLER__
struct xen_memory_reservation {
    XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
    xen_ulong_t nr_extents;
    uint32_t extent_order;
    uint32_t mem_flags;
    domid_t domid;
};
ABI_SIZE(struct xen_memory_reservation, 20);
ABI_OFFSET(struct xen_memory_reservation, domid, 16);

struct xen_memory_exchange {
    struct xen_memory_reservation in, out;
    xen_ulong_t nr_exchanged;
};
ABI_SIZE(struct xen_memory_exchange, 44);

struct xen_add_to_physmap {
    domid_t domid;
    uint16_t size;
    uint32_t space;                /* XENMAPSPACE_* */
    xen_ulong_t idx;
    xen_pfn_t gpfn;
};
ABI_SIZE(struct xen_add_to_physmap, 16);

struct xen_memory_map {
    uint32_t nr_entries;           /* IN: room in buffer; OUT: entries written */
    XEN_GUEST_HANDLE(void) buffer; /* e820 entries: u64 addr, u64 size, u32 type (20 bytes) */
};
ABI_SIZE(struct xen_memory_map, 8);

struct xen_machphys_mapping {
    xen_ulong_t v_start, v_end;
    xen_ulong_t max_mfn;
};
ABI_SIZE(struct xen_machphys_mapping, 12);
#endif

#endif
