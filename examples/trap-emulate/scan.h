/* scan.h - lesson 3's scanner (docs/LESSONS.md): finding a kernel's sensitive instructions in its
 * code, the two ways a binary rewriter can read it. Pure code over bytes, in the guest (ring 1)
 * and the host tests.
 *   recursive descent: from the entry points, follow the code where it goes (both ways of a
 *       branch, into direct calls); data is never read as code, but what only an indirect jump
 *       or call reaches is never read at all;
 *   linear sweep: every byte from the start to the end, one instruction after another; all the
 *       code is read, and so is any data among it, as if it were code.
 */
#ifndef TRAP_EMULATE_SCAN_H
#define TRAP_EMULATE_SCAN_H
#include "decode.h"

#define SCAN_MAX_BYTES   4096       /* the most code one scan covers */
#define SCAN_MAX_SITES   32
#define SCAN_MAX_PLACES  16

enum { MARK_START = 1, MARK_TARGET = 2 };   /* per byte: an instruction starts, a branch lands */

struct site {
    uint32_t address;
    struct insn insn;
};

struct scan {
    const uint8_t *code;            /* the bytes, as they are at base */
    uint32_t base, size;
    uint8_t marks[SCAN_MAX_BYTES];
    unsigned decoded;               /* instructions read */
    struct site sites[SCAN_MAX_SITES];          /* the sensitive and privileged ones, by address */
    unsigned n_sites;
    uint32_t indirect[SCAN_MAX_PLACES];         /* indirect jumps and calls: where they go is unknown */
    unsigned n_indirect;
    uint32_t undecoded[SCAN_MAX_PLACES];        /* where the bytes were no instruction it knows */
    unsigned n_undecoded;
};

/* Both fill s (code, base and size set, the rest zero) and return 0, or -1 if the code is larger
 * than a scan covers or a table overflows. */
int scan_recursive(struct scan *s, const uint32_t *entries, unsigned n_entries);
int scan_linear(struct scan *s);

/* The site at address, or NULL. */
const struct site *scan_site(const struct scan *s, uint32_t address);

#endif
