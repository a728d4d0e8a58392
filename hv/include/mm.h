/* mm.h - machine memory as the monitor manages it (ring 0): the frame pool, the machine-to-physical
 * table every guest can read, and the monitor's part of every address space.
 */
#ifndef HV_MM_H
#define HV_MM_H
#include <stdint.h>
#include "frames.h"

#include "page_types.h"

#define INVALID_M2P_ENTRY 0xFFFFFFFFu    /* M2P value of a frame no domain owns (Xen's ~0) */

extern struct frame_pool machine_frames;

/* Map the M2P table read-only for guests at MACH2PHYS_VIRT_START (once, at boot). */
void mm_init(void);
void m2p_set(uint32_t mfn, uint32_t pfn);
/* Switch to an address space (CR3 holds the L3's machine address). */
void mm_switch(uint32_t l3_mfn);
/* Back to the monitor's own tables, e.g. before a domain's tables are freed. */
void mm_switch_idle(void);

#endif
