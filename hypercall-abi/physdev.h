/* physdev.h - physdev_op (hypercall 33): I/O privilege for a guest kernel, and the machine's
 * interrupts for the hardware domain (xen/include/public/physdev.h).
 */
#ifndef HV_ABI_PHYSDEV_H
#define HV_ABI_PHYSDEV_H
#include "types.h"

#define PHYSDEVOP_irq_status_query  5
#define PHYSDEVOP_set_iopl          6
#define PHYSDEVOP_set_iobitmap      7
#define PHYSDEVOP_apic_read         8
#define PHYSDEVOP_apic_write        9
#define PHYSDEVOP_alloc_irq_vector 10
#define PHYSDEVOP_free_irq_vector  11
#define PHYSDEVOP_eoi              12
#define PHYSDEVOP_map_pirq         13
#define PHYSDEVOP_unmap_pirq       14

#ifndef __ASSEMBLER__
struct physdev_set_iopl {
    uint32_t iopl;                 /* the ring that may use I/O instructions: 0-3 */
};

struct physdev_set_iobitmap {
    XEN_GUEST_HANDLE(uint8_t) bitmap;
    uint32_t nr_ports;
};
ABI_SIZE(struct physdev_set_iobitmap, 8);

struct physdev_eoi {
    uint32_t irq;                  /* the pirq whose interrupt was handled */
};

#define XENIRQSTAT_needs_eoi (1u << 0)
#define XENIRQSTAT_shared    (1u << 1)
struct physdev_irq_status_query {
    uint32_t irq;                  /* IN: a pirq */
    uint32_t flags;                /* OUT: XENIRQSTAT_* */
};
ABI_SIZE(struct physdev_irq_status_query, 8);

#define MAP_PIRQ_TYPE_MSI     0x0
#define MAP_PIRQ_TYPE_GSI     0x1
struct physdev_map_pirq {
    domid_t domid;
    int32_t type;                  /* MAP_PIRQ_TYPE_* */
    int32_t index;                 /* the GSI (an ISA IRQ line here) */
    int32_t pirq;                  /* IN: the pirq wanted, or -1 for any; OUT: the one given */
    int32_t bus, devfn, entry_nr;  /* MSI only */
    uint64_t table_base;
};
ABI_SIZE(struct physdev_map_pirq, 36);

struct physdev_unmap_pirq {
    domid_t domid;
    int32_t pirq;
};
ABI_SIZE(struct physdev_unmap_pirq, 8);
#endif

#endif
