/* rewrite.c - lesson 3 (docs/LESSONS.md), binary rewriting: before kernel.c runs in ring 1, read
 * its code as a load-time rewriter would (scan.c, both ways), and rewrite each pushf and popf it
 * finds into a call to the layer (rewrite_stubs.S), which does what the instruction does in ring 0
 * with the virtual IF. The privileged instructions are left: they trap, and the layer emulates
 * them (lesson 2). Runs in the guest, in ring 1, once, with the kernel's code as data.
 *
 * A call is 5 bytes and pushf or popf 1, so the rewriter puts a jmp over the instruction and the
 * whole instructions after it (at least 5 bytes), to a trampoline of its own: the call, the
 * instructions it moved, and a jmp back. That is safe only if none of the moved ones is a branch
 * or sensitive, and no branch lands among them: what the rewriter cannot see (an indirect jump's
 * target) it can get wrong, and where there is no room it leaves the instruction as it was.
 */
#include "lesson.h"
#include "scan.h"

#define JMP_LENGTH   5                  /* e9 and a 32-bit displacement; a call (e8) the same */
#define NOP          0x90

static struct scan recursive, linear;
static struct trampoline {
    uint8_t code[32];
    uint32_t site;
} trampolines[SCAN_MAX_SITES] __attribute__((aligned(16)));
static unsigned n_trampolines;

static void put_branch(uint8_t *at, uint8_t opcode, uint32_t target)
{
    uint32_t displacement = target - ((uint32_t)(uintptr_t)at + JMP_LENGTH);
    at[0] = opcode;
    memcpy(at + 1, &displacement, sizeof(displacement));
}

/* Whether the site can be rewritten: NULL and the bytes the jmp will cover in *room, or why not. */
static const char *plan(const struct scan *s, const struct site *site, uint32_t *room)
{
    const char *m = site->insn.mnemonic;
    if (site->insn.sensitivity == PRIVILEGED)
        return "left: it traps, and the layer emulates it";
    if (strcmp(m, "pushf") != 0 && strcmp(m, "popf") != 0)
        return "left: the layer has no emulation for it";
    for (*room = site->insn.length; *room < JMP_LENGTH; ) {
        uint32_t at = site->address + *room;
        struct insn i;
        if (at - s->base >= s->size)
            return "left, no room: the code ends";
        if (s->marks[at - s->base] & MARK_TARGET)
            return "left, no room: a branch lands after it";
        if (!x86_decode(s->code + (at - s->base), s->size - (at - s->base), &i) || i.flow != FLOW_NEXT)
            return "left, no room: a branch or an unknown instruction follows";
        if (i.sensitivity != NOT_SENSITIVE)
            return "left, no room: another sensitive instruction follows";
        *room += i.length;
    }
    return NULL;
}

/* The jmp over the site, and its trampoline: call the stub, the instructions moved, jmp back. */
static void patch(const struct site *site, uint32_t room)
{
    struct trampoline *t = &trampolines[n_trampolines++];
    uint8_t *code = (uint8_t *)(uintptr_t)site->address;
    uint32_t moved = room - site->insn.length;
    void (*stub)(void) = strcmp(site->insn.mnemonic, "pushf") == 0 ? rewrite_pushf : rewrite_popf;
    t->site = site->address;
    put_branch(t->code, 0xE8, (uint32_t)(uintptr_t)stub);
    memcpy(t->code + JMP_LENGTH, code + site->insn.length, moved);
    put_branch(t->code + JMP_LENGTH + moved, 0xE9, site->address + room);
    put_branch(code, 0xE9, (uint32_t)(uintptr_t)t->code);
    memset(code + JMP_LENGTH, NOP, room - JMP_LENGTH);
}

uint32_t rewrite_site_of(uint32_t whence)
{
    for (unsigned k = 0; k < n_trampolines; k++)
        if (whence == (uint32_t)(uintptr_t)trampolines[k].code + JMP_LENGTH)
            return trampolines[k].site;
    return 0;
}

/* ---- the report -------------------------------------------------------------------------------- */

static void say_places(const char *what, const uint32_t *list, unsigned n)
{
    for (unsigned k = 0; k < n; k++)
        say("rewriter: %s at 0x%08x\n", what, list[k]);
}

/* Every site either reading found, in address order: who found it, and what was done with it. */
static void report(const struct scan *used, unsigned *rewritten, unsigned *left, unsigned *unseen)
{
    say("   %-10s | %-12s | %-9s | %-6s | %s\n", "address", "instruction", "recursive", "linear", "what the rewriter did");
    unsigned r = 0, l = 0;
    while (r < recursive.n_sites || l < linear.n_sites) {
        uint32_t a = r == recursive.n_sites ? linear.sites[l].address : l == linear.n_sites ? recursive.sites[r].address
                   : recursive.sites[r].address < linear.sites[l].address ? recursive.sites[r].address : linear.sites[l].address;
        const struct site *in_r = scan_site(&recursive, a), *in_l = scan_site(&linear, a), *site = scan_site(used, a);
        const char *did = "not found: not rewritten", *why;
        uint32_t room;
        char text[80];
        if (site && !(why = plan(used, site, &room))) {
            patch(site, room);
            format_snprintf(text, sizeof(text), "rewritten: jmp to a trampoline that calls the layer (%u bytes moved)",
                            room - site->insn.length);
            did = text, ++*rewritten;
        } else if (site) {
            did = why, ++*left;
        } else {
            ++*unseen;
        }
        say("   0x%08x | %-12s | %-9s | %-6s | %s\n", a, (in_r ? in_r : in_l)->insn.mnemonic, in_r ? "found" : "-",
            in_l ? "found" : "-", did);
        r += in_r != NULL, l += in_l != NULL;
    }
}

void rewrite_kernel(int use_linear)
{
    static const uint32_t entries[] = { (uint32_t)(uintptr_t)kernel_main, (uint32_t)(uintptr_t)kernel_tick };
    uint32_t base = (uint32_t)(uintptr_t)kernel_text_start, size = (uint32_t)(kernel_text_end - kernel_text_start);
    recursive = (struct scan){ .code = (const uint8_t *)kernel_text_start, .base = base, .size = size };
    linear = recursive;
    if (scan_recursive(&recursive, entries, 2) < 0 || scan_linear(&linear) < 0) {
        say("rewriter: kernel.c's code is larger than a scan covers (%u bytes)\n", size);
        platform_power_off(0);
    }
    say("rewriter: kernel.c's code at 0x%08x-0x%08x (%u bytes); entry points kernel_main 0x%08x, kernel_tick 0x%08x\n",
        base, base + size, size, entries[0], entries[1]);
    say("rewriter: recursive descent read %u instructions, the linear sweep %u\n", recursive.decoded, linear.decoded);
    say_places("recursive descent: an indirect jump or call, where it goes unknown,", recursive.indirect, recursive.n_indirect);
    say_places("linear sweep: bytes it could not read as an instruction", linear.undecoded, linear.n_undecoded);
    unsigned rewritten = 0, left = 0, unseen = 0;
    say("rewriter: rewriting what the %s found\n", use_linear ? "linear sweep" : "recursive descent");
    report(use_linear ? &linear : &recursive, &rewritten, &left, &unseen);
    say("rewriter: %u rewritten, %u left as they were, %u found only by the other reading\n", rewritten, left, unseen);
}
