/* fuzz.c - a hypercall fuzzer (guest ring 1, SDK): `calls=` hypercalls with numbers and arguments
 * drawn from a seed (`seed=`, or the digits of its name, so that domain 0's shell can start
 * `create fz7`): small numbers, random words, pointers into a page of random bytes of its own,
 * and the addresses of the M2P, the monitor and the top of memory. Structures the monitor reads
 * come from that random page, so every hypercall's checks see garbage.
 *
 * The guest may well wreck itself (unmap its own pages, install a garbage trap table) and be crashed by the monitor: that is allowed. What is not is the monitor faulting
 * or hanging, another domain harmed, or a frame lost: tests/boot/test_hostile.py has domain 0
 * run many seeds, destroy each, and checks.
 */
#include "sdk.h"

#define NR_HYPERCALLS 64

static uint32_t state;
static uint8_t scratch[4096] __attribute__((aligned(4096)));
static uint32_t scratch_mfn;

/* xorshift32: a small generator whose sequence the seed fixes, so a failing seed can be rerun. */
static uint32_t next_random(void)
{
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
}

static uint32_t argument(void)
{
    static const uint32_t places[] = {
        0, 1, 2, 3, 0x7FF0 /* DOMID_SELF */, 0xF5800000, 0xF7100000, 0xFFFFF000, 0xFFFFFFFF,
    };
    switch (next_random() % 5) {
    case 0:
        return next_random() % 16;
    case 1:
        return next_random();
    case 2:
    case 3:
        return (uint32_t)(uintptr_t)scratch + next_random() % sizeof(scratch);
    default:
        return places[next_random() % (sizeof(places) / sizeof(places[0]))];
    }
}

/* Any hypercall by number: what the hypercall page's slot does, with the number in a register. */
static long hypercall_n(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    long ret;
    __asm__ volatile("int $0x82" : "=a"(ret), "+b"(a1), "+c"(a2), "+d"(a3), "+S"(a4), "+D"(a5)
                     : "a"(nr) : "memory");
    return ret;
}

static uint32_t digits(const char *s)
{
    uint32_t n = 0;
    for (; *s; s++)
        if (*s >= '0' && *s <= '9')
            n = n * 10 + (uint32_t)(*s - '0');
    return n;
}

/* Left out: what would make the guest wait forever, and the iret hypercall, which returns through
 * whatever the stack holds and so ends almost every run at once (one in 64 calls). */
static int left_out(uint32_t nr, uint32_t a1)
{
    if (nr == __HYPERVISOR_sched_op || nr == __HYPERVISOR_sched_op_compat)
        return a1 == SCHEDOP_block || a1 == SCHEDOP_poll;
    return nr == __HYPERVISOR_iret;
}

/* A hypercall remapped or unmapped the random page: map it back and go on fuzzing. Any other
 * fault is the end of this run (the SDK's report, and the monitor crashes the domain). */
static void on_page_fault(struct regs *r)
{
    uint32_t addr = shared_info->vcpu_info[0].arch.cr2;
    if (addr - (uint32_t)(uintptr_t)scratch >= sizeof(scratch) || map_page(scratch, scratch_mfn, PTE_P | PTE_RW | PTE_A | PTE_D) < 0)
        panic("page fault at %08x, eip %08x", addr, r->eip);
}

int main(void)
{
    char arg[32] = "1";
    uint32_t done = 0;
    if (!cmdline_option("seed", arg, sizeof(arg)))
        cmdline_option("name", arg, sizeof(arg));
    uint32_t seed = digits(arg);
    strlcpy(arg, "300", sizeof(arg));
    cmdline_option("calls", arg, sizeof(arg));
    uint32_t calls = digits(arg);
    state = seed * 2654435761u + 1;
    scratch_mfn = virt_to_mfn(scratch);
    traps_init();
    trap_set_handler(14, on_page_fault);
    printf("fuzzing with seed %u: %u hypercalls\n", seed, calls);
    while (done < calls) {
        uint32_t nr = next_random() % NR_HYPERCALLS;
        uint32_t a[5] = { argument(), argument(), argument(), argument(), argument() };
        if (left_out(nr, a[0]))
            continue;
        for (unsigned i = 0; i < sizeof(scratch); i++)
            scratch[i] = (uint8_t)next_random();
        hypercall_n(nr, a[0], a[1], a[2], a[3], a[4]);
        done++;
    }
    printf("survived %u hypercalls\n", done);
    return 0;
}
