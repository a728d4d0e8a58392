/* canary.c - a guest that keeps checking its own memory while others misbehave around it (guest
 * ring 1, SDK). It fills its free pages with a pattern, then for `ms=` milliseconds re-reads them
 * every 20 ms, and says whether anything changed (`log`: and when each check ran). With `flood`,
 * it instead makes hypercalls as fast as it can for that long: a domain that floods the monitor.
 * With `latency`, it instead spins reading the clock for that long and reports the longest time
 * it went without the CPU: how long a neighbour kept it waiting.
 */
#include "sdk.h"

#define PAGES 64

int main(void)
{
    char arg[16] = "1000";
    uint32_t ms = 0, checks = 0, bad = 0;
    cmdline_option("ms", arg, sizeof(arg));
    for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
        ms = ms * 10 + (uint32_t)(*p - '0');
    traps_init();
    events_init();
    uint64_t end = clock_ns() + (uint64_t)ms * 1000000ull;
    if (cmdline_option("flood", arg, sizeof(arg))) {
        uint64_t calls = 0;
        while (clock_ns() < end) {
            HYPERVISOR_xen_version(XENVER_version, NULL);
            hypercall1(99, 0);
            calls += 2;
        }
        printf("flooded the monitor with %llu hypercalls\n", (unsigned long long)calls);
        return 0;
    }
    if (cmdline_option("latency", NULL, 0)) {
        uint64_t last = clock_ns(), longest = 0;
        for (uint64_t now = last; now < end; last = now) {
            now = clock_ns();
            if (now - last > longest)
                longest = now - last;
        }
        printf("longest wait for the CPU: %llu us\n", (unsigned long long)(longest / 1000));
        return 0;
    }
    uint32_t *pages[PAGES];
    for (unsigned i = 0; i < PAGES; i++) {
        pages[i] = page_alloc();
        for (unsigned w = 0; w < 1024; w++)
            pages[i][w] = i * 0x10001u ^ w * 0x9E3779B9u;
    }
    int log = cmdline_option("log", NULL, 0);
    struct evtchn_bind_virq v = { .virq = VIRQ_TIMER };
    HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &v);
    while (clock_ns() < end) {
        for (unsigned i = 0; i < PAGES; i++)
            for (unsigned w = 0; w < 1024; w++)
                bad += pages[i][w] != (i * 0x10001u ^ w * 0x9E3779B9u);
        checks++;
        if (log)
            printf("check at %llu us\n", (unsigned long long)(clock_ns() / 1000));
        sleep_until(clock_ns() + 20000000ull);
    }
    printf("%u checks of %u pages: %s\n", checks, PAGES, bad ? "MEMORY CHANGED" : "memory intact");
    return bad != 0;
}
