/* continuation.c - how a long hypercall gives the CPU back and goes on later, and the work budget
 * of one crossing (ring 0, on the hypercall path).
 *
 * A hypercall with much to do (a long batch, a long console write) stops after a bounded amount
 * and continues later, as Xen's do: the guest's registers are rewritten to describe what is left
 * and its EIP moved back onto the `int $0x82`, so pending interrupts are served first (a timer
 * tick may run another domain) and the call then starts again where it stopped. No guest can
 * keep the monitor, and so every other domain, waiting. Inside a multicall the entry's own
 * arguments are rewritten instead, and the multicall is continued from that entry.
 */
#include "hv.h"

struct multicall_state multicall;

long hypercall_continuation(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
    if (multicall.inside) {
        multicall.continued = 1;
        multicall.args[0] = a1, multicall.args[1] = a2, multicall.args[2] = a3;
        return 0;               /* do_multicall writes the arguments back and continues */
    }
    struct trap_frame *f = guest_regs();
    f->ebx = a1;
    f->ecx = a2;
    f->edx = a3;
    f->eip -= 2;                /* cd 82 */
    return nr;                  /* EAX must hold the hypercall's number again */
}

/* schedule() runs another vCPU: a multicall entry that gave the CPU away (a yield, a block, its
 * domain's end) never comes back to do_multicall. */
void multicall_abandon(void)
{
    multicall.inside = multicall.continued = 0;
}

void work_budget_start(void)
{
    if (!multicall.inside)
        work_budget = WORK_BUDGET_CROSSING;
}
