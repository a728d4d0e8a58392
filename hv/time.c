/* time.c - guests' time: the TSC measured against the PIT at boot (the clock itself, clock.c, then
 * counts in ns), the wallclock, and the timers that raise VIRQ_TIMER, one-shot and periodic, and
 * end a poll (ring 0).
 */
#include "domain.h"
#include "hv.h"
#include "x86.h"

#define CALIBRATION_TICKS 5

static uint32_t wallclock_at_boot;

/* CMOS real-time clock (MC146818): BCD unless status B says binary. */
static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static uint32_t bcd(uint8_t v, int binary) { return binary ? v : (v >> 4) * 10 + (v & 15); }

/* Days since 1970-01-01 of a civil date (the proleptic Gregorian calendar). */
static uint32_t days_from_civil(uint32_t y, uint32_t m, uint32_t d)
{
    y -= m <= 2;
    uint32_t era = y / 400, yoe = y - era * 400;
    uint32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static uint32_t read_wallclock(void)
{
    while (cmos(0x0A) & 0x80)          /* an update is in progress */
        ;
    int binary = cmos(0x0B) & 0x04;
    uint32_t sec = bcd(cmos(0x00), binary), min = bcd(cmos(0x02), binary), hour = bcd(cmos(0x04) & 0x7F, binary);
    uint32_t day = bcd(cmos(0x07), binary), month = bcd(cmos(0x08), binary), year = bcd(cmos(0x09), binary) + 2000;
    return days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
}

/* Measure the TSC against the PIT for a few ticks (interrupts on, at boot). */
void time_init(void)
{
    uint64_t t = timer_ticks();
    while (timer_ticks() == t)
        halt_until_interrupt();
    uint64_t tsc0 = rdtsc(), start = timer_ticks();
    while (timer_ticks() < start + CALIBRATION_TICKS)
        halt_until_interrupt();
    uint64_t tsc_hz = (rdtsc() - tsc0) * TIMER_HZ / CALIBRATION_TICKS;
    clock_start(tsc_hz);
    wallclock_at_boot = read_wallclock();
    hv_info("time: TSC at %u kHz, %s, wallclock %u\n", (uint32_t)(tsc_hz / 1000), clock_scale_text(),
            wallclock_at_boot);
}

void time_init_domain(struct domain *d)
{
    d->shared_info->wc_version = 2;
    d->shared_info->wc_sec = wallclock_at_boot;
    d->shared_info->wc_nsec = 0;
}

/* v's timers (the one-shot, the periodic, a poll's timeout) that are due at `now`; the earlier of
 * `next` and its next deadline (0: none). */
static uint64_t fire_vcpu_timers(struct vcpu *v, uint64_t now, uint64_t next)
{
    if (v->timer_deadline && now >= v->timer_deadline) {
        v->timer_deadline = 0;
        send_virq_vcpu(v, VIRQ_TIMER);
    }
    if (v->periodic_period && now >= v->periodic_next) {
        while (v->periodic_next <= now)
            v->periodic_next += v->periodic_period;    /* missed periods fire once, as in Xen */
        send_virq_vcpu(v, VIRQ_TIMER);
    }
    if (v->polling && v->poll_deadline && now >= v->poll_deadline)
        vcpu_wake(v);
    uint64_t deadlines[3] = { v->timer_deadline, v->periodic_period ? v->periodic_next : 0,
                              v->polling ? v->poll_deadline : 0 };
    for (unsigned i = 0; i < 3; i++)
        if (deadlines[i] && (!next || deadlines[i] < next))
            next = deadlines[i];
    return next;
}

/* On every timer interrupt: fire the timers that are due. Returns the earliest deadline still
 * waiting, or 0, for the PIT's next event. */
uint64_t time_fire_timers(void)
{
    uint64_t now = time_now_ns(), next = 0;
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        for (uint32_t n = 0; domains[i].state == DOMAIN_RUNNABLE && n < domains[i].max_vcpus; n++)
            next = fire_vcpu_timers(domains[i].vcpus[n], now, next);
    return next;
}

/* v's one-shot timer at `deadline` (system time; 0 cancels): set_timer_op and VCPUOP_set_singleshot_timer. */
long timer_set_singleshot(struct vcpu *v, uint64_t deadline)
{
    v->timer_deadline = deadline;
    if (deadline && deadline <= time_now_ns()) {
        v->timer_deadline = 0;
        send_virq_vcpu(v, VIRQ_TIMER);         /* already due: now, as Xen does */
    }
    timer_deadline_added(v->timer_deadline);
    return 0;
}

/* set_timer_op(deadline low, high): a one-shot timer at an absolute system time; 0 cancels. */
long do_set_timer_op(uint32_t lo, uint32_t hi, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    return timer_set_singleshot(current, (uint64_t)hi << 32 | lo);
}
