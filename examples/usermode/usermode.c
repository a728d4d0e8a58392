/* usermode.c - a guest kernel in ring 1 with a process in ring 3 that makes system calls
 * (guest ring 1 and ring 3).
 *
 * The kernel opens `int $0x80` to ring 3 as a trap gate: the monitor puts a real DPL-3 gate for
 * it in the IDT while this domain runs, so a system call goes from ring 3 straight to the ring-1
 * kernel, and back with a plain iret, without entering the monitor at all (Xen's fast trap).
 * The kernel checks every pointer the process hands it, as any kernel must.
 */
#include "sdk.h"

#define SYS_EXIT  0
#define SYS_WRITE 1

/* ---- the process (ring 3) ------------------------------------------------------------------- */

USER_DATA static uint8_t user_stack[4096] __attribute__((aligned(16)));
USER_DATA static char greeting[] = "Hello from ring 3, through int $0x80 straight to ring 1\n";

USER_TEXT static long sys(long nr, long a, long b)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b) : "memory");
    return ret;
}

USER_TEXT static void process(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    sys(SYS_WRITE, (long)greeting, sizeof(greeting) - 1);
    long bad = sys(SYS_WRITE, 0xC0000000, 16);      /* the kernel's memory: refused */
    sys(SYS_EXIT, (cs & 3) * 100 + (bad < 0 ? 1 : 0), 0);
}

/* ---- the kernel (ring 1) -------------------------------------------------------------------- */

static struct context kernel;
static long exit_status;

static int user_range(uint32_t p, uint32_t len)
{
    uint32_t lo = (uint32_t)(uintptr_t)__user_start, hi = (uint32_t)(uintptr_t)__user_end;
    return p >= lo && len <= hi - p;
}

static void syscall(struct regs *r)
{
    switch (r->eax) {
    case SYS_WRITE:
        if (!user_range(r->ebx, r->ecx)) {
            r->eax = (uint32_t)-14;                   /* EFAULT */
            return;
        }
        console_write((const char *)r->ebx, r->ecx);
        r->eax = r->ecx;
        return;
    case SYS_EXIT:
        exit_status = r->ebx;
        context_restore(&kernel, 1);
    default:
        r->eax = (uint32_t)-38;                       /* ENOSYS */
    }
}

int main(void)
{
    traps_init();
    map_user(__user_start, __user_end);
    trap_set_handler(SYSCALL_VECTOR, syscall);
    syscall_gate(3, 0);
    printf("kernel in ring %u: starting a process in ring 3\n", current_ring());
    if (context_save(&kernel) == 0)
        enter_user((uint32_t)(uintptr_t)process, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
    printf("process exited with %ld (ring %ld, bad pointer %s)\n", exit_status, exit_status / 100,
           exit_status % 100 ? "refused" : "accepted");
    return exit_status == 301 ? 0 : 1;
}
