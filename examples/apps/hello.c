/* hello.c - the smallest guest application: printf from ring 3 through newlib (runs in ring 3
 * under examples/minikernel; built with tools/guest-cc). printf's bytes reach the console through
 * write(1, ...), an `int $0x80` that goes straight to the ring-1 kernel. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    printf("Hello from ring 3, pid %d, via newlib's printf\n", getpid());
    for (int i = 1; i < argc; i++)
        printf("  argv[%d] = \"%s\"\n", i, argv[i]);
    return 0;
}
