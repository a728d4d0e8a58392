/* bootstack.c - a guest that takes a trap from ring 3 before it has ever called stack_switch
 * (guest ring 1, SDK): the monitor must deliver it on the boot stack, the SS:ESP the domain
 * started with, as Xen's builder sets kernel_ss:kernel_sp, not on a stack of 0:0.
 */
#include "sdk.h"

USER_DATA static uint8_t user_stack[4096] __attribute__((aligned(16)));
static struct context kernel_context;
static uint32_t frame_at;

USER_TEXT static void user_breakpoint(void)
{
    __asm__ volatile("int3");
    for (;;)
        ;
}

static void on_breakpoint(struct regs *r)
{
    frame_at = (uint32_t)(uintptr_t)r;
    context_restore(&kernel_context, 1);
}

int main(void)
{
    /* Only a #BP gate open to ring 3: no traps_init, so no stack_switch. */
    struct trap_info table[2] = { { .vector = 3, .flags = 3, .cs = FLAT_KERNEL_CS, .address = trap_entry(3) } };
    trap_set_handler(3, on_breakpoint);
    if (HYPERVISOR_set_trap_table(table) < 0 || map_user(__user_start, __user_end) < 0)
        panic("no trap table or user pages");
    if (context_save(&kernel_context) == 0)
        enter_user((uint32_t)(uintptr_t)user_breakpoint, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
    uint32_t boot_stack = start_info->pt_base + start_info->nr_pt_frames * 4096;
    int ok = frame_at >= boot_stack && frame_at < boot_stack + 4096;
    printf("%s a trap from ring 3 before any stack_switch lands on the boot stack (frame at %08x)\n",
           ok ? "ok" : "FAIL", frame_at);
    return !ok;
}
