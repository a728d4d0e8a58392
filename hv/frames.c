/* frames.c - a bitmap allocator of machine frames.
 * Pure code: used by the monitor (ring 0) and tested on the host.
 */
#include "frames.h"
#include "kstring.h"

#define FRAME_BYTES ((uint64_t)PAGE_SIZE)

static int test_bit(const uint32_t *map, uint32_t i) { return (map[i / 32] >> (i % 32)) & 1; }
static void set_bit(uint32_t *map, uint32_t i)       { map[i / 32] |= 1u << (i % 32); }
static void clear_bit(uint32_t *map, uint32_t i)     { map[i / 32] &= ~(1u << (i % 32)); }

void frames_init(struct frame_pool *p, uint32_t limit)
{
    memset(p, 0, sizeof(*p));
    p->limit = limit < MAX_FRAMES ? limit : MAX_FRAMES;
}

static void mark_free(struct frame_pool *p, uint32_t f)
{
    if (!test_bit(p->free_map, f) && !test_bit(p->reserved_map, f)) {
        set_bit(p->free_map, f);
        p->nr_free++;
    }
}

static void mark_used(struct frame_pool *p, uint32_t f)
{
    if (test_bit(p->free_map, f)) {
        clear_bit(p->free_map, f);
        p->nr_free--;
    }
}

void frames_add_range(struct frame_pool *p, uint64_t base, uint64_t len)
{
    uint64_t first = (base + FRAME_BYTES - 1) / FRAME_BYTES;   /* whole frames only */
    uint64_t end = (base + len) / FRAME_BYTES;
    for (uint64_t f = first; f < end && f < p->limit; f++)
        mark_free(p, (uint32_t)f);
}

void frames_reserve(struct frame_pool *p, uint64_t base, uint64_t len)
{
    if (len == 0)
        return;
    uint64_t first = base / FRAME_BYTES;                       /* every frame touched */
    uint64_t end = (base + len + FRAME_BYTES - 1) / FRAME_BYTES;
    for (uint64_t f = first; f < end && f < p->limit; f++) {
        mark_used(p, (uint32_t)f);
        set_bit(p->reserved_map, (uint32_t)f);
    }
}

uint32_t frames_alloc(struct frame_pool *p)
{
    for (uint32_t i = 0; i < p->limit; i++) {
        uint32_t f = (p->next + i) % p->limit;
        if (test_bit(p->free_map, f)) {
            mark_used(p, f);
            p->next = f + 1;
            return f;
        }
    }
    return FRAME_NONE;
}

uint32_t frames_alloc_contig(struct frame_pool *p, uint32_t n)
{
    uint32_t run = 0;
    for (uint32_t f = 0; n && f < p->limit; f++) {
        run = test_bit(p->free_map, f) ? run + 1 : 0;
        if (run == n) {
            uint32_t first = f + 1 - n;
            for (uint32_t g = first; g <= f; g++)
                mark_used(p, g);
            return first;
        }
    }
    return FRAME_NONE;
}

int frames_free(struct frame_pool *p, uint32_t frame)
{
    if (frame >= p->limit || test_bit(p->free_map, frame) || test_bit(p->reserved_map, frame))
        return -1;
    mark_free(p, frame);
    return 0;
}

int frames_is_free(const struct frame_pool *p, uint32_t frame)
{
    return frame < p->limit && test_bit(p->free_map, frame);
}
