/* schedule.c - which vCPU runs, switching to it, blocking and idling (ring 0).
 *
 * There is one monitor stack. Its top always holds the running guest's frame: every trap from
 * ring 1 or 3 pushes its registers there (the TSS's ESP0 points at the top), and every return to
 * a guest pops them from there. Switching vCPUs is therefore copying frames: the running one's
 * registers out to its struct vcpu, the next one's in; then its page tables, its trap state
 * (syscall gate, ring-1 stack) and time record come along, and the monitor leaves through the
 * ordinary trap exit.
 *
 * The policy is stride scheduling (docs/SCHEDULING.md): every vCPU has a "pass", which grows by
 * STRIDE_ONE / weight for every tick it runs; the runnable vCPU with the smallest pass runs next,
 * for a slice of SLICE_TICKS. Over time each gets ticks in proportion to its weight. A vCPU with a
 * cap runs at most cap percent of each CAP_WINDOW. A blocked vCPU takes no time and banks no
 * credit: when it wakes, its pass is brought up to the smallest one running. With nothing to run
 * the CPU halts until an interrupt wakes someone.
 */
#include "domain.h"
#include "hv.h"
#include "hypercalls.h"
#include "mm.h"
#include "segments.h"
#include "x86.h"

#define SLICE_TICKS 3                 /* 30 ms at TIMER_HZ = 100 */
#define STRIDE_ONE  (1u << 20)
#define CAP_WINDOW  TIMER_HZ              /* caps are percent of each second */
#define DEFAULT_WEIGHT 256

static uint8_t cpu_stack[16384] __attribute__((aligned(16)));
#define GUEST_FRAME ((struct trap_frame *)(cpu_stack + sizeof(cpu_stack)) - 1)

struct hv_stats stats;

struct trap_frame *guest_regs(void)
{
    return GUEST_FRAME;
}

/* Every way into ring 0 from a guest starts at the top of cpu_stack: traps through the TSS, and
 * sysenter through its MSR. */
void cpu_stack_init(void)
{
    uint32_t top = (uint32_t)(uintptr_t)(cpu_stack + sizeof(cpu_stack));
    tss_set_kernel_stack(top);
    sysenter_init(top);
}

static int capped(const struct vcpu *v)
{
    return v->cap && v->window_ticks * 100 >= v->cap * CAP_WINDOW;
}

static int runnable(const struct domain *d)
{
    return d->state == DOMAIN_RUNNABLE && d->vcpu.run_state == VCPU_RUNNABLE && !d->vcpu.paused &&
           !capped(&d->vcpu);
}

void sched_init_vcpu(struct vcpu *v, uint32_t weight, uint32_t cap)
{
    v->weight = weight ? weight : DEFAULT_WEIGHT;
    v->cap = cap;
}

static int any_alive(void)
{
    for (unsigned i = 0; i < domain_slots; i++)
        if (domains[i].state == DOMAIN_RUNNABLE)
            return 1;
    return 0;
}

/* A vCPU that yielded: the next pick passes over it if anyone else can run. */
static struct vcpu *yielder;

/* The runnable vCPU with the smallest pass; among equals, the first after the last one picked
 * (so equal weights take turns, and domain 0 starts). */
static struct vcpu *pick_next(void)
{
    static unsigned last = (unsigned)-1;          /* so that domain 0 is looked at first */
    struct vcpu *best = NULL;
    for (unsigned n = 1; n <= domain_slots; n++) {
        unsigned i = (last + n) % domain_slots;
        if (runnable(&domains[i]) && &domains[i].vcpu != yielder && (!best || domains[i].vcpu.pass < best->pass))
            best = &domains[i].vcpu;
    }
    if (!best && yielder && runnable(yielder->domain))
        best = yielder;
    yielder = NULL;
    if (best)
        last = best->domain->id;
    return best;
}

/* The smallest pass among the others that can run: where a waking vCPU starts from. */
static uint64_t min_pass(const struct vcpu *except)
{
    uint64_t m = ~0ull;
    for (unsigned i = 0; i < domain_slots; i++)
        if (&domains[i].vcpu != except && runnable(&domains[i]) && domains[i].vcpu.pass < m)
            m = domains[i].vcpu.pass;
    return m;
}

/* For the benchmark: how long from the monitor's first instruction to a guest's first one, in TSC
 * ticks, and how many of those it spent halted (waiting for the timer at boot). Under QEMU's
 * -icount the difference is the instructions the monitor ran. */
static void report_first_entry(void)
{
    static int reported;
    if (!reported) {
        reported = 1;
        uint64_t ticks = rdtsc() - boot_tsc;
        hv_info("boot: %llu TSC ticks from the monitor's entry to the first guest instruction, "
                "%llu of them halted, %llu not\n", (unsigned long long)ticks,
                (unsigned long long)halted_tsc, (unsigned long long)(ticks - halted_tsc));
    }
}

/* Tour step 6 (boot): run a vCPU. Its saved registers go to the top of the monitor stack, the
 * CPU switches to its page tables, and the monitor leaves through the ordinary trap exit. */
void schedule(void)
{
    struct vcpu *next;
    multicall_abandon();
    current = NULL;
    while (!(next = pick_next())) {
        if (!any_alive())
            all_done();
        mm_switch_idle();
        halt_until_interrupt();      /* the timer or the console will wake someone */
    }
    current = next;
    next->slice_ticks = 0;
    report_first_entry();
    *GUEST_FRAME = next->regs;
    trap_state_load(next);
    mm_switch(next->domain->l3_mfn);
    descriptors_load(next);
    time_update_vcpu(next);
    deliver_pending_upcall(GUEST_FRAME);
    return_to_guest(GUEST_FRAME);
}

/* Put the running vCPU aside (its registers are at the top of the stack) and run another. */
static void __attribute__((noreturn)) switch_away(void)
{
    current->regs = *GUEST_FRAME;
    fpu_switch_out(current);
    schedule();
}

/* Every tick: open a new cap window each CAP_WINDOW ticks. */
void sched_account_tick(void)
{
    if (timer_ticks() % CAP_WINDOW == 0)
        for (unsigned i = 0; i < domain_slots; i++)
            domains[i].vcpu.window_ticks = 0;
}

/* A timer tick interrupted a guest: charge it, and preempt it when its slice is over (or its cap
 * reached) and someone else may run. */
void sched_tick(void)
{
    if (!current)
        return;
    current->cpu_ticks++;
    current->window_ticks++;
    current->pass += STRIDE_ONE / current->weight;
    if (++current->slice_ticks < SLICE_TICKS && !capped(current))
        return;
    current->slice_ticks = 0;
    if (capped(current) || min_pass(current) != ~0ull)
        switch_away();
}

void vcpu_wake(struct vcpu *v)
{
    if (v->run_state == VCPU_BLOCKED) {
        uint64_t floor = min_pass(v);
        if (floor != ~0ull && v->pass < floor)
            v->pass = floor;          /* no credit banked while asleep */
    }
    v->run_state = VCPU_RUNNABLE;
    v->polling = 0;
}

/* An event arrived on `port`: wake a blocked vCPU, or a polling one waiting for that port. */
void vcpu_wake_for_port(struct vcpu *v, evtchn_port_t port)
{
    if (v->run_state != VCPU_BLOCKED)
        return;
    if (!v->polling) {
        vcpu_wake(v);
        return;
    }
    for (uint32_t i = 0; i < v->nr_poll_ports; i++)
        if (v->poll_ports[i] == port)
            vcpu_wake(v);
}

/* Block the running vCPU until an event (or its poll timeout). The hypercall returns 0. */
void vcpu_block(void)
{
    GUEST_FRAME->eax = 0;
    current->run_state = VCPU_BLOCKED;
    switch_away();
}

/* SCHEDOP_yield: anyone else who can run goes first. */
void vcpu_yield(void)
{
    GUEST_FRAME->eax = 0;
    yielder = current;
    switch_away();
}
