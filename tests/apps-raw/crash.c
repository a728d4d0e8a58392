/* crash.c - `crash HOW`: a process that faults (ring 3); the kernel ends it and goes on. */
#include "raw.h"

static volatile uint32_t zero;
static int *volatile unmapped = (int *)0x10, *volatile kernel = (int *)0xC0000000,
                     *volatile m2p = (int *)0xF5800000, *volatile monitor = (int *)0xF7100000;

/* A frame bigger than the whole stack: its first write lands below the stack's bottom. */
static int __attribute__((noinline)) deep(void)
{
    volatile char big[HVOS_USER_STACK_SIZE + 4096];
    big[0] = 1;
    return big[0];
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "pf";
    if (!strcmp(how, "pf"))
        return *unmapped;                   /* below the program: not mapped */
    if (!strcmp(how, "kernel"))
        *kernel = 1;                        /* the kernel's pages: supervisor */
    if (!strcmp(how, "m2p"))
        *m2p = 1;                           /* the monitor's read-only machine-to-phys table */
    if (!strcmp(how, "monitor"))
        return *monitor;                    /* the monitor's own image: ring 0 only */
    if (!strcmp(how, "ud"))
        __asm__ volatile("ud2");
    if (!strcmp(how, "de"))
        return (int)(10 / zero);
    if (!strcmp(how, "gp"))
        __asm__ volatile("cli");                           /* privileged in ring 3 */
    if (!strcmp(how, "hypercall")) {
        static uint32_t poweroff_reason = 0;              /* sched_op(SCHEDOP_shutdown, poweroff) */
        __asm__ volatile("int $0x82" :: "a"(29), "b"(2), "c"(&poweroff_reason) : "memory");
    }
    if (!strcmp(how, "stack"))
        return deep();
    if (!strcmp(how, "text"))
        *(volatile uint8_t *)(uintptr_t)main = 0xCC;      /* text is mapped read-only */
    return 0;
}
