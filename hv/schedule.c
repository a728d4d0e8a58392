/* schedule.c - which vCPU runs, and switching to it (ring 0).
 *
 * There is one monitor stack. Its top always holds the running guest's frame: every trap from
 * ring 1 or 3 pushes its registers there (the TSS's ESP0 points at the top), and every return to
 * a guest pops them from there. Switching vCPUs is therefore copying frames: the running one's
 * registers out to its struct vcpu, the next one's in, then the page tables, the per-vCPU trap
 * state (syscall gate, ring-1 stack) and the FPU are brought along, and the monitor leaves through
 * the ordinary trap exit. Domains run one after another for now.
 */
#include "domain.h"
#include "hv.h"
#include "hypercalls.h"
#include "mm.h"
#include "segments.h"

static uint8_t cpu_stack[16384] __attribute__((aligned(16)));
#define GUEST_FRAME ((struct trap_frame *)(cpu_stack + sizeof(cpu_stack)) - 1)

struct hv_stats stats;

struct trap_frame *guest_regs(void)
{
    return GUEST_FRAME;
}

/* Tour step 6 (boot): run a domain. Its saved registers go to the top of the monitor stack, the
 * CPU switches to its page tables, and the monitor leaves through the ordinary trap exit. */
void schedule(void)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = &domains[i];
        if (d->state != DOMAIN_RUNNABLE)
            continue;
        current = &d->vcpu;
        *GUEST_FRAME = d->vcpu.regs;
        tss_set_kernel_stack((uint32_t)(uintptr_t)(cpu_stack + sizeof(cpu_stack)));
        trap_state_load(current);
        mm_switch(d->l3_mfn);
        deliver_pending_upcall(GUEST_FRAME);
        return_to_guest(GUEST_FRAME);
    }
    current = NULL;
    all_done();
}
