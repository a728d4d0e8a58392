/* physdev.h - physdev_op (hypercall 33): I/O privilege for a guest kernel
 * (xen/include/public/physdev.h). Only the numbers and the two I/O structures for now.
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
#endif

#endif
