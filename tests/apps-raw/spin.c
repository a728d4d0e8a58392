/* spin.c - `spin NAME COUNT MS`: prints COUNT lines, computing for MS milliseconds between them
 * without a system call that would give the CPU away (ring 3): only the timer can switch it. */
#include "raw.h"

static uint32_t number(const char *s)
{
    uint32_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint32_t)(*s++ - '0');
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    uint32_t count = number(argv[2]);
    uint64_t ms = number(argv[3]);
    for (uint32_t i = 1; i <= count; i++) {
        say("spin %s %u\n", argv[1], i);
        uint64_t until = now_ns() + ms * 1000000;
        while (now_ns() < until)
            ;
    }
    return 0;
}
