/* spin.c - a guest that only computes, for `ms=` milliseconds of wall-clock time, then powers off
 * (guest ring 1, SDK). Several of them side by side show how the scheduler shares the CPU: the
 * monitor reports each domain's CPU ticks when it ends. With `yield=N` it then prints a turn and
 * yields, N times: two such domains take strict turns, whatever their weights.
 */
#include "sdk.h"

int main(void)
{
    char arg[16] = "1000";
    uint32_t ms = 0;
    cmdline_option("ms", arg, sizeof(arg));
    for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
        ms = ms * 10 + (uint32_t)(*p - '0');
    uint64_t end = clock_ns() + (uint64_t)ms * 1000000ull;
    uint64_t rounds = 0;
    while (clock_ns() < end)
        rounds++;
    if (cmdline_option("yield", arg, sizeof(arg))) {
        for (unsigned i = 1, turns = (unsigned)(arg[0] - '0'); i <= turns; i++) {
            printf("turn %u\n", i);
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        }
        return 0;
    }
    printf("spun %llu rounds\n", (unsigned long long)rounds);
    return 0;
}
