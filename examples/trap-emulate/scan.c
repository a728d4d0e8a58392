/* scan.c - lesson 3's two readings of a kernel's code (scan.h): recursive descent and linear
 * sweep. Pure code, in the guest (ring 1) and the host tests (tests/host/test_x86_decode.c).
 */
#include "scan.h"
#include <stddef.h>

static int inside(const struct scan *s, uint32_t address)
{
    return address - s->base < s->size;
}

static int note(uint32_t *list, unsigned *n, uint32_t address)
{
    if (*n == SCAN_MAX_PLACES)
        return -1;
    list[(*n)++] = address;
    return 0;
}

/* One instruction read at address: marked, counted, and kept if sensitive or privileged (the
 * sites in address order). Returns its length, 0 if undecodable, -1 on overflow. */
static int read_one(struct scan *s, uint32_t address, struct insn *i)
{
    uint32_t offset = address - s->base;
    if (!x86_decode(s->code + offset, s->size - offset, i))
        return note(s->undecoded, &s->n_undecoded, address) < 0 ? -1 : 0;
    s->marks[offset] |= MARK_START;
    s->decoded++;
    if (i->flow == FLOW_BRANCH || i->flow == FLOW_JUMP || i->flow == FLOW_CALL) {
        uint32_t target = address + i->length + (uint32_t)i->displacement;
        if (inside(s, target))
            s->marks[target - s->base] |= MARK_TARGET;
    }
    if ((i->flow == FLOW_INDIRECT_JUMP || i->flow == FLOW_INDIRECT_CALL) &&
        note(s->indirect, &s->n_indirect, address) < 0)
        return -1;
    if (i->sensitivity != NOT_SENSITIVE) {
        if (s->n_sites == SCAN_MAX_SITES)
            return -1;
        unsigned k = s->n_sites++;
        for (; k > 0 && s->sites[k - 1].address > address; k--)
            s->sites[k] = s->sites[k - 1];
        s->sites[k] = (struct site){ address, *i };
    }
    return i->length;
}

int scan_recursive(struct scan *s, const uint32_t *entries, unsigned n_entries)
{
    uint32_t work[SCAN_MAX_BYTES / 8];
    unsigned n = 0;
    if (s->size > SCAN_MAX_BYTES)
        return -1;
    for (unsigned e = 0; e < n_entries && n < sizeof(work) / sizeof(work[0]); e++)
        if (inside(s, entries[e]))
            work[n++] = entries[e], s->marks[entries[e] - s->base] |= MARK_TARGET;
    while (n) {
        uint32_t address = work[--n];
        for (;;) {                              /* along one path until it ends or joins one read */
            struct insn i;
            if (!inside(s, address) || (s->marks[address - s->base] & MARK_START))
                break;
            int length = read_one(s, address, &i);
            if (length <= 0) {
                if (length < 0)
                    return -1;
                break;
            }
            uint32_t next = address + (uint32_t)length, target = next + (uint32_t)i.displacement;
            if ((i.flow == FLOW_BRANCH || i.flow == FLOW_JUMP || i.flow == FLOW_CALL) && inside(s, target)) {
                if (n == sizeof(work) / sizeof(work[0]))
                    return -1;
                work[n++] = target;
            }
            if (i.flow == FLOW_JUMP || i.flow == FLOW_INDIRECT_JUMP || i.flow == FLOW_END)
                break;
            address = next;
        }
    }
    return 0;
}

int scan_linear(struct scan *s)
{
    if (s->size > SCAN_MAX_BYTES)
        return -1;
    for (uint32_t address = s->base; inside(s, address); ) {
        struct insn i;
        int length = read_one(s, address, &i);
        if (length < 0)
            return -1;
        address += length ? (uint32_t)length : 1;   /* past what it could not read, a byte at a time */
    }
    return 0;
}

const struct site *scan_site(const struct scan *s, uint32_t address)
{
    for (unsigned k = 0; k < s->n_sites; k++)
        if (s->sites[k].address == address)
            return &s->sites[k];
    return NULL;
}
