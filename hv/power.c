/* power.c - ending the machine with a status the runner can read (ring 0).
 *
 * QEMU: the isa-debug-exit device at port 0xF4 ends QEMU with exit code (status << 1) | 1.
 * Bochs: writing "Shutdown" to port 0x8900 ends the simulation; its exit code carries no status,
 * so tools/hvrun reads the "power-off status=" line instead. On real hardware neither exists and
 * the CPU just halts.
 */
#include "hv.h"
#include "format.h"
#include "x86.h"

#define QEMU_DEBUG_EXIT_PORT 0xF4
#define BOCHS_SHUTDOWN_PORT  0x8900

void power_off(enum hv_status status, const char *why)
{
    irq_disable();
    printk(LOG_ALWAYS, "power-off status=%d (%s)\n", status, why);
    console_drain();
    outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
    for (const char *p = "Shutdown"; *p; p++)
        outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*p);
    for (;;)
        halt();
}

void panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    format_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    irq_disable();
    hv_err("PANIC: %s\n", buf);
    uint32_t ebp = (uint32_t)(uintptr_t)__builtin_frame_address(0);
    backtrace_print((uint32_t)(uintptr_t)__builtin_return_address(0), *(uint32_t *)(uintptr_t)ebp);
    power_off(HV_STATUS_MONITOR_FAULT, "monitor panic");
}
