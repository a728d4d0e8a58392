/* ticker.c - a guest kernel that sleeps on its one-shot timer and prints the time (guest ring 1).
 * It shows a PV kernel's idle loop: set a timer (set_timer_op), block (SCHEDOP_block, which
 * unmasks events), wake on VIRQ_TIMER, and read the clock from vcpu_time_info without entering
 * the monitor. With `trace` on its command line, the first sleep is framed by magic breakpoints
 * for `make lesson events`: the timer hypercall, the block, the timer's interrupt in the monitor,
 * and the event's upcall into the guest.
 */
#include "sdk.h"

#define TICKS     5
#define PERIOD_NS 100000000ull          /* 100 ms */

static volatile unsigned timer_events;

static void on_timer(evtchn_port_t port)
{
    (void)port;
    timer_events++;
}

/* Seconds since 1970 to a calendar date (the civil-from-days algorithm). */
static void print_date(uint64_t seconds)
{
    uint32_t days = (uint32_t)(seconds / 86400), rest = (uint32_t)(seconds % 86400);
    uint32_t z = days + 719468, era = z / 146097, doe = z - era * 146097;
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    uint32_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    uint32_t year = yoe + era * 400 + (month <= 2);
    printf("wallclock: %04u-%02u-%02u %02u:%02u:%02u UTC\n", year, month, day, rest / 3600, rest / 60 % 60, rest % 60);
}

int main(void)
{
    traps_init();
    events_init();
    bind_virq(VIRQ_TIMER, on_timer);
    print_date(wallclock_ns() / 1000000000ull);
    char value[8];
    int trace = cmdline_option("trace", value, sizeof(value));
    uint64_t start = clock_ns();
    for (unsigned i = 1; i <= TICKS; i++) {
        if (trace && i == 1)
            GUEST_BREAK();                              /* the trace starts here */
        sleep_until(start + i * PERIOD_NS);
        if (trace && i == 1)
            GUEST_BREAK();                              /* and stops here */
        uint64_t now = clock_ns() - start;
        printf("tick %u at %llu.%03llu s (%u timer events)\n", i, (unsigned long long)(now / 1000000000ull),
               (unsigned long long)(now / 1000000ull % 1000), timer_events);
    }
    return 0;
}
