/* segments.h - the monitor's GDT: Xen's reserved entries at the top of the guest-visible GDT.
 * Guests may own GDT entries 0..FIRST_RESERVED_GDT_ENTRY-1 (14 pages); the entries from there
 * on belong to the monitor, and guests find their flat ring-1 and ring-3 segments in them at the
 * selectors Xen's ABI fixes (FLAT_RING1_CS and friends in hypercall-abi/xen.h).
 */
#ifndef HV_SEGMENTS_H
#define HV_SEGMENTS_H
#include "xen.h"

/* The monitor's own selectors, as in Xen: entries 7169 and 7170 (RPL 0), which the ABI names. */
#define HV_CS       __HYPERVISOR_CS
#define HV_DS       __HYPERVISOR_DS
/* Entry 7176: the task-state segment (ring-0 stack for traps from rings 1 and 3). */
#define HV_TSS      0xe040
/* Entry 7177: the running guest's LDT, when it has one. */
#define HV_LDT      0xe048
#define LDT_MAX_PAGES 16     /* 8192 descriptors */
#define GDT_ENTRIES 8192     /* 16 pages: the whole GDT a segment selector can index */

#endif
