/* segments.h - the monitor's GDT: Xen's reserved entries at the top of the guest-visible GDT.
 * Guests may own GDT entries 0..FIRST_RESERVED_GDT_ENTRY-1 (14 pages); the entries from there
 * on belong to the monitor, and guests find their flat ring-1 and ring-3 segments in them at the
 * selectors Xen's ABI fixes (FLAT_RING1_CS and friends in hypercall-abi/xen.h).
 */
#ifndef HV_SEGMENTS_H
#define HV_SEGMENTS_H

/* The monitor's own selectors, as in Xen: entries 7169 and 7170 (RPL 0). */
#define HV_CS       0xe008
#define HV_DS       0xe010
/* Entry 7176: the task-state segment (ring-0 stack for traps from rings 1 and 3). */
#define HV_TSS      0xe040
/* Entry 7177: the running guest's LDT, when it has one. */
#define HV_LDT      0xe048
#define LDT_MAX_PAGES 16     /* 8192 descriptors */
#define GDT_ENTRIES 8192     /* 16 pages: the whole GDT a segment selector can index */

#ifndef __ASSEMBLER__
#include <stdint.h>

void segments_init(void);
/* The ring-0 stack the CPU switches to on a trap from ring 1 or 3. */
void tss_set_kernel_stack(uint32_t esp0);
void tss_set_guest_stack(uint32_t ss1, uint32_t esp1);
void gdt_load_frames(const uint32_t *frames, unsigned nr);
void ldt_load(const uint32_t *frames, unsigned nr_pages, uint32_t nr_entries);
/* The running vCPU's descriptor for a selector, as the CPU would find it: 0, or -1 for none. */
int segment_descriptor(uint32_t sel, uint64_t *d);
#endif

#endif
