/* crash.c - a guest that does one forbidden thing, chosen by its command line `crash=KIND`
 * (guest ring 1, SDK). The monitor must crash this domain alone and say why and where.
 */
#include "sdk.h"

static void do_crash(const char *kind)
{
    if (strcmp(kind, "ud") == 0)
        __asm__ volatile("ud2");
    else if (strcmp(kind, "hlt") == 0)
        __asm__ volatile("hlt");                       /* privileged: #GP in ring 1 */
    else if (strcmp(kind, "cli") == 0)
        __asm__ volatile("cli");                       /* IOPL 0: #GP in ring 1 */
    else if (strcmp(kind, "io") == 0)
        __asm__ volatile("outb %%al, $0x80" ::: "memory");
    else if (strcmp(kind, "pf") == 0)
        *(volatile int *)0x1000 = 1;                   /* nothing is mapped there */
    else if (strcmp(kind, "monitor") == 0)
        (void)*(volatile int *)0xF7100000;             /* beyond the segment limit: #GP */
    else if (strcmp(kind, "de") == 0)
        __asm__ volatile("xor %%edx, %%edx; mov $1, %%eax; xor %%ecx, %%ecx; div %%ecx" ::: "eax", "ecx", "edx");
    else if (strcmp(kind, "int3") == 0)
        __asm__ volatile("int3");
    else if (strcmp(kind, "reason99") == 0) {               /* not forbidden: Xen takes any byte */
        struct sched_shutdown s = { .reason = 99 };
        HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    } else if (strcmp(kind, "compat") == 0) {               /* GNU Mach's panic: a pointer as the reason */
        static struct sched_shutdown s __attribute__((aligned(256))) = { .reason = SHUTDOWN_crash };
        hypercall2(__HYPERVISOR_sched_op_compat, SCHEDOP_shutdown, &s);
    }
}

int main(void)
{
    char kind[16] = "ud";
    cmdline_option("crash", kind, sizeof(kind));
    printf("about to crash: %s\n", kind);
    do_crash(kind);
    printf("still alive after crash=%s: the monitor let it through\n", kind);
    return 0;
}
