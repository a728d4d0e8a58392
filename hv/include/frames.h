/* frames.h - the machine-frame allocator: one bit per 4 KiB frame of the RAM the monitor reaches.
 * Pure code, host-tested (tests/host/test_frames.c); set up at boot from the Multiboot memory map.
 *
 * Invariant: a frame is free only if it lies wholly inside a range the firmware called available
 * and overlaps no reserved range, the monitor's image, a module or the first megabyte. Reserving
 * always wins over adding, whatever the order of the calls.
 */
#ifndef HV_FRAMES_H
#define HV_FRAMES_H
#include <stdint.h>
#include "memlayout.h"
#include "x86/paging.h"

#define MAX_FRAMES  (DIRECTMAP_SIZE >> PAGE_SHIFT)
#define FRAME_NONE  0xFFFFFFFFu

struct frame_pool {
    uint32_t limit;                     /* frames at or above it are never used */
    uint32_t nr_free;
    uint32_t next;                      /* where the next search starts */
    uint32_t free_map[MAX_FRAMES / 32]; /* bit set = free */
    uint32_t reserved_map[MAX_FRAMES / 32];
};

/* Start with no free frame; frames at or above `limit` (clipped to MAX_FRAMES) are out of reach. */
void frames_init(struct frame_pool *p, uint32_t limit);
/* Make the whole frames inside [base, base+len) free, unless reserved. */
void frames_add_range(struct frame_pool *p, uint64_t base, uint64_t len);
/* Make every frame touching [base, base+len) permanently unavailable. */
void frames_reserve(struct frame_pool *p, uint64_t base, uint64_t len);
/* One frame (its number), or FRAME_NONE when memory is exhausted. */
uint32_t frames_alloc(struct frame_pool *p);
/* n contiguous frames; returns the first, or FRAME_NONE. */
uint32_t frames_alloc_contig(struct frame_pool *p, uint32_t n);
/* Give a frame back. Returns -1 (and changes nothing) if it was free or reserved already. */
int frames_free(struct frame_pool *p, uint32_t frame);
int frames_is_free(const struct frame_pool *p, uint32_t frame);

#endif
