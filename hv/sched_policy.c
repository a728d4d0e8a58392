/* sched_policy.c - which vCPU runs next: stride scheduling with weights and caps (ring 0).
 * It only chooses and keeps accounts; schedule.c does the switching.
 *
 * Every domain has a "pass", which grows by STRIDE_ONE / weight for every tick one of its vCPUs
 * runs; the domain with the smallest pass that has a runnable vCPU runs next, for a slice of
 * SLICE_TICKS (docs/SCHEDULING.md), and its runnable vCPUs take turns. Over time each domain gets
 * ticks in proportion to its weight, however many vCPUs it has. A domain with a cap runs at most
 * cap percent of each CAP_WINDOW. A blocked domain takes no time and banks no credit: when a
 * vCPU of it wakes, its pass is brought up to the smallest one running.
 */
#include "domain.h"
#include "hv.h"

#define SLICE_TICKS 3                 /* 30 ms at TIMER_HZ = 100 */
#define STRIDE_ONE  (1u << 20)
#define CAP_WINDOW  TIMER_HZ              /* caps are percent of each second */
#define DEFAULT_WEIGHT 256

static int capped(const struct domain *d)
{
    return d->cap && d->window_ticks * 100 >= d->cap * CAP_WINDOW;
}

static int vcpu_runnable(const struct vcpu *v)
{
    const struct domain *d = v->domain;
    return d->state == DOMAIN_RUNNABLE && v->online && v->run_state == VCPU_RUNNABLE && !d->paused && !capped(d);
}

/* A vCPU that yielded: the next pick passes over it if anyone else can run. */
static struct vcpu *yielder;

/* d's runnable vCPU to run next: the first after the one picked last, other than `except`. */
static struct vcpu *next_vcpu_of(struct domain *d, const struct vcpu *except)
{
    if (d->max_vcpus == 1)                      /* the common case, without the turns */
        return d->vcpus[0] != except && vcpu_runnable(d->vcpus[0]) ? d->vcpus[0] : NULL;
    for (uint32_t n = 1; n <= d->max_vcpus; n++) {
        struct vcpu *v = d->vcpus[(d->last_vcpu + n) % d->max_vcpus];
        if (v != except && vcpu_runnable(v))
            return v;
    }
    return NULL;
}

void sched_init_domain(struct domain *d, uint32_t weight, uint32_t cap)
{
    d->weight = weight ? weight : DEFAULT_WEIGHT;
    d->cap = cap;
}

int sched_any_alive(void)
{
    for (unsigned i = 0; i < domain_slots; i++)
        if (domains[i].state == DOMAIN_RUNNABLE)
            return 1;
    return 0;
}

void sched_yielded(struct vcpu *v)
{
    yielder = v;
}

/* The runnable vCPU of the domain with the smallest pass; among equal passes, the first domain
 * after the last one picked (so equal weights take turns, and domain 0 starts). */
struct vcpu *sched_pick_next(void)
{
    static unsigned last = (unsigned)-1;          /* so that domain 0 is looked at first */
    struct vcpu *best = NULL;
    for (unsigned n = 1; n <= domain_slots; n++) {
        struct domain *d = &domains[(last + n) % domain_slots];
        struct vcpu *v = d->state == DOMAIN_RUNNABLE ? next_vcpu_of(d, yielder) : NULL;
        if (v && (!best || d->pass < best->domain->pass))
            best = v;
    }
    if (!best && yielder && vcpu_runnable(yielder))
        best = yielder;
    yielder = NULL;
    if (best) {
        last = best->domain->id;
        best->domain->last_vcpu = best->vcpu_id;
    }
    return best;
}

/* The smallest pass among the domains with a vCPU that can run, other than v: where a domain
 * waking up starts from. */
static uint64_t min_pass(const struct vcpu *except)
{
    uint64_t m = ~0ull;
    for (unsigned i = 0; i < domain_slots; i++) {
        struct domain *d = &domains[i];
        if (d->state == DOMAIN_RUNNABLE && next_vcpu_of(d, except) && d->pass < m)
            m = d->pass;
    }
    return m;
}

/* Every tick: open a new cap window each CAP_WINDOW ticks. */
void sched_account_tick(void)
{
    if (timer_ticks() % CAP_WINDOW == 0)
        for (unsigned i = 0; i < domain_slots; i++)
            domains[i].window_ticks = 0;
}

/* A timer tick interrupted v: charge it and its domain; whether to preempt it (its slice is
 * over, or its domain's cap reached, and someone else may run). */
int sched_charge_tick(struct vcpu *v)
{
    struct domain *d = v->domain;
    v->cpu_ticks++;
    d->window_ticks++;
    d->pass += STRIDE_ONE / d->weight;
    if (++v->slice_ticks < SLICE_TICKS && !capped(d))
        return 0;
    v->slice_ticks = 0;
    return capped(d) || min_pass(v) != ~0ull;
}

/* Whether another vCPU of v's domain can run. */
static int domain_has_other_runnable(const struct vcpu *v)
{
    return next_vcpu_of(v->domain, v) != NULL;
}

void vcpu_wake(struct vcpu *v)
{
    if (v->run_state == VCPU_BLOCKED && !domain_has_other_runnable(v)) {
        uint64_t floor = min_pass(v);
        if (floor != ~0ull && v->domain->pass < floor)
            v->domain->pass = floor;  /* no credit banked while asleep */
    }
    if (v->runstate.state == RUNSTATE_blocked)
        runstate_change(v, RUNSTATE_runnable);
    v->run_state = VCPU_RUNNABLE;
    v->polling = 0;
}

/* Whether v sleeps in SCHEDOP_poll for `port`. */
int vcpu_polls_for(const struct vcpu *v, evtchn_port_t port)
{
    if (v->run_state != VCPU_BLOCKED || !v->polling)
        return 0;
    for (uint32_t i = 0; i < v->nr_poll_ports; i++)
        if (v->poll_ports[i] == port)
            return 1;
    return 0;
}

/* Wake whom an event on `port` concerns: the vCPU it notifies, blocked, when the event gave it an
 * upcall (Xen's vcpu_mark_events_pending; a masked port wakes no one), and every vCPU of the
 * domain that polls for that very port, whichever vCPU the port notifies (evtchn_check_pollers). */
void evtchn_wake(struct domain *d, evtchn_port_t port, int upcall)
{
    for (uint32_t n = 0; n < d->max_vcpus; n++) {
        struct vcpu *v = d->vcpus[n];
        if (vcpu_polls_for(v, port) ||
            (upcall && n == d->evtchn[port].notify_vcpu && v->run_state == VCPU_BLOCKED && !v->polling))
            vcpu_wake(v);
    }
}
