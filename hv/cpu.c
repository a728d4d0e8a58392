/* cpu.c - the one physical CPU's monitor stack, whose top always holds the running guest's
 * registers, and the monitor's entry counters (ring 0).
 */
#include "hv.h"

uint8_t cpu_stack[CPU_STACK_SIZE] __attribute__((aligned(16)));

struct hv_stats stats;

/* Every way into ring 0 from a guest starts here: traps through the TSS, sysenter through its MSR. */
uint32_t cpu_stack_top(void)
{
    return (uint32_t)(uintptr_t)(cpu_stack + sizeof(cpu_stack));
}
