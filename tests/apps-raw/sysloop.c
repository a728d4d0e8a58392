/* sysloop.c - many system calls and nothing else (ring 3): the kernel's exit line then says how
 * many times the monitor was entered while it ran, which should be never. */
#include "raw.h"

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    long pid = sys_getpid();
    for (int i = 0; i < 10000; i++)
        if (sys_getpid() != pid)
            return 1;
    return 0;
}
