/* tracedemo.c - two crossings to watch instruction by instruction under Bochs (guest ring 1 and 3):
 * one hypercall (ring 1 -> ring 0 -> ring 1) and one direct system call (ring 3 -> ring 1 -> ring
 * 3, never ring 0). GUEST_BREAK() marks where the trace starts and stops; `make trace-demo` records
 * it and tools/trace-annotate turns it into a listing. With `syscall=bounced` on its command line,
 * the system call gate masks events, which the monitor cannot put in the real IDT: the system call
 * then goes through the monitor, bounced to ring 1 like a trap (make lesson syscalls).
 */
#include "sdk.h"

USER_DATA static uint8_t user_stack[4096] __attribute__((aligned(16)));
static struct context kernel;

USER_TEXT static void process(void)
{
    __asm__ volatile("int $0x80" :: "a"(1) : "memory");     /* a null system call */
    GUEST_BREAK();                                          /* the trace stops here */
    __asm__ volatile("int $0x80" :: "a"(0) : "memory");     /* and back to the kernel for good */
    for (;;)
        ;
}

static void syscall(struct regs *r)
{
    if (r->eax == 0)
        context_restore(&kernel, 1);
}

int main(void)
{
    traps_init();
    map_user(__user_start, __user_end);
    trap_set_handler(SYSCALL_VECTOR, syscall);
    char how[16] = "direct";
    cmdline_option("syscall", how, sizeof(how));
    int bounced = strcmp(how, "bounced") == 0;
    syscall_gate(3, bounced);
    printf("tracing one hypercall and one %s system call\n", bounced ? "bounced" : "direct");
    GUEST_BREAK();                                          /* the trace starts here */
    HYPERVISOR_xen_version(XENVER_version, NULL);
    if (context_save(&kernel) == 0)
        enter_user((uint32_t)(uintptr_t)process, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
    printf("done\n");
    return 0;
}
