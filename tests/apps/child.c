/* child.c - the child processes of libc_test (ring 3 under examples/minikernel): each way a
 * process can end, chosen by argv[1], for the parent to see through waitpid:
 *   exit3   exit(3) after an atexit handler and an unflushed line (both must reach the console)
 *   args    exit with argc, printing the arguments it was given
 *   segv    a NULL dereference: the kernel ends it with SIGSEGV
 *   wild    a write into the kernel's memory (0xC0000000): SIGSEGV too
 *   abort   abort(): newlib raises SIGABRT, whose default action is kill(getpid(), SIGABRT) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void goodbye(void)
{
    printf("child: atexit handler ran\n");
}

static int crash(volatile int *where)
{
    *where = 1;                 /* volatile: the compiler must not drop or trap it itself */
    return *where;
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "";
    if (!strcmp(how, "exit3")) {
        atexit(goodbye);
        printf("child: this line is still in stdio's buffer at exit:");
        exit(3);
    }
    if (!strcmp(how, "args")) {
        for (int i = 0; i < argc; i++)
            printf("child: argv[%d] = \"%s\"\n", i, argv[i]);
        return argc;
    }
    if (!strcmp(how, "segv"))
        return crash((volatile int *)0);
    if (!strcmp(how, "wild"))
        return crash((volatile int *)0xC0000000u);
    if (!strcmp(how, "abort"))
        abort();
    printf("child: unknown mode \"%s\"\n", how);
    return 100;
}
