/* sched_policy.c - which vCPU runs next: stride scheduling with weights and caps (ring 0).
 * It only chooses and keeps accounts; schedule.c does the switching.
 *
 * Every vCPU has a "pass", which grows by STRIDE_ONE / weight for every tick it runs; the
 * runnable vCPU with the smallest pass runs next, for a slice of SLICE_TICKS (docs/SCHEDULING.md).
 * Over time each gets ticks in proportion to its weight. A vCPU with a cap runs at most cap
 * percent of each CAP_WINDOW. A blocked vCPU takes no time and banks no credit: when it wakes,
 * its pass is brought up to the smallest one running.
 */
#include "domain.h"
#include "hv.h"

#define SLICE_TICKS 3                 /* 30 ms at TIMER_HZ = 100 */
#define STRIDE_ONE  (1u << 20)
#define CAP_WINDOW  TIMER_HZ              /* caps are percent of each second */
#define DEFAULT_WEIGHT 256

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

int sched_any_alive(void)
{
    for (unsigned i = 0; i < domain_slots; i++)
        if (domains[i].state == DOMAIN_RUNNABLE)
            return 1;
    return 0;
}

/* A vCPU that yielded: the next pick passes over it if anyone else can run. */
static struct vcpu *yielder;

void sched_yielded(struct vcpu *v)
{
    yielder = v;
}

/* The runnable vCPU with the smallest pass; among equals, the first after the last one picked
 * (so equal weights take turns, and domain 0 starts). */
struct vcpu *sched_pick_next(void)
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

/* Every tick: open a new cap window each CAP_WINDOW ticks. */
void sched_account_tick(void)
{
    if (timer_ticks() % CAP_WINDOW == 0)
        for (unsigned i = 0; i < domain_slots; i++)
            domains[i].vcpu.window_ticks = 0;
}

/* A timer tick interrupted v: charge it; whether to preempt it (its slice is over, or its cap
 * reached, and someone else may run). */
int sched_charge_tick(struct vcpu *v)
{
    v->cpu_ticks++;
    v->window_ticks++;
    v->pass += STRIDE_ONE / v->weight;
    if (++v->slice_ticks < SLICE_TICKS && !capped(v))
        return 0;
    v->slice_ticks = 0;
    return capped(v) || min_pass(v) != ~0ull;
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

