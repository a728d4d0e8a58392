/* kernel.c - the start of a guest kernel of your own (guest ring 1, against the installed SDK:
 * see the Makefile). What every kernel does first on hv, in the order it has to: its trap table
 * (a fault now reaches its handler, not the monitor's crash report), its event channels and a
 * timer (what replaces the PIC and the PIT), then its own work; here, a few ticks and a page
 * fault it survives. The SDK's functions are in sdk.h and README.md, the hypercalls in ABI.md,
 * both beside guest.mk; docs/PORTING.md of the repository is the guide.
 */
#include "sdk.h"

static volatile unsigned ticks;

static void on_timer(evtchn_port_t port)
{
    (void)port;
    ticks++;
}

/* A page fault in ring 1 arrives here with Xen's frame; CR2 is in vcpu_info. */
static void on_page_fault(struct regs *r)
{
    printf("page fault at %#x (eip %#x, error code %#x): skipping the instruction\n",
           shared_info->vcpu_info[0].arch.cr2, r->eip, r->error_code);
    r->eip += 5;                               /* past the `mov %eax, 0x10000000` below (a3 + 4 bytes) */
}

int main(void)
{
    traps_init();
    trap_set_handler(VEC_PF, on_page_fault);
    events_init();
    bind_virq(VIRQ_TIMER, on_timer);
    events_unmask();
    printf("a kernel of my own, in ring %u of domain %s\n", current_ring(),
           start_info->flags & SIF_INITDOMAIN ? "0" : "U");
    for (unsigned i = 0; i < 3; i++) {
        sleep_until(clock_ns() + 10000000ull);   /* 10 ms: set_timer_op, then SCHEDOP_block */
        printf("tick %u at %llu us\n", ticks, (unsigned long long)(clock_ns() / 1000));
    }
    __asm__ volatile("mov %%eax, 0x10000000" :: "a"(1) : "memory");   /* nothing is mapped there */
    printf("still here: powering off\n");
    return 0;
}
