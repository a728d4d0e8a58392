/* raw.c - what every raw test program links with (ring 3): its start, printing, checks. */
#include <stdarg.h>
#include "raw.h"

int failures;

void raw_start(uint32_t *sp);
void raw_start(uint32_t *sp)
{
    sys_exit(main((int)sp[0], (char **)(sp + 1)));
}

uint64_t now_ns(void)
{
    uint64_t ns = 0;
    sys(SYS_clock_gettime, HVOS_CLOCK_MONOTONIC, ADDR(&ns), 0);
    return ns;
}

void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = format_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    sys_write(1, line, n < (int)sizeof(line) ? (uint32_t)n : sizeof(line) - 1);
}

void check(int ok, const char *what)
{
    say("%s %s\n", ok ? "ok" : "FAIL", what);
    failures += !ok;
}

int run(const char *path, char *const argv[])
{
    int status = -1;
    long pid = sys_spawn(path, argv);
    if (pid < 0) {
        say("FAIL spawn %s: error %ld\n", path, -pid);
        failures++;
        return -1;
    }
    if (sys_waitpid((int)pid, &status) != pid) {
        say("FAIL waitpid %ld\n", pid);
        failures++;
    }
    return status;
}
