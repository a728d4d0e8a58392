/* hv.h - what every part of the monitor uses: logging, panics, power-off, the boot information.
 * Runs in ring 0 only.
 */
#ifndef HV_HV_H
#define HV_HV_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "kstring.h"
#include "x86.h"

/* Log levels, chosen on the command line with loglvl=error|warning|info|debug|all.
 * LOG_ALWAYS is for the few lines a runner depends on (the power-off line). */
enum log_level { LOG_ALWAYS, LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void console_init(void);
void console_write(const char *s, size_t n);
void console_drain(void);
int console_claim(int owner);
void console_leave_partial(int owner);
int log_set_level(const char *name);     /* -1 for an unknown name */
void printk(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define hv_err(...)   printk(LOG_ERR, __VA_ARGS__)
#define hv_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define hv_info(...)  printk(LOG_INFO, __VA_ARGS__)
#define hv_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

/* Exit statuses: what tools/hvrun turns into its own exit code. */
enum hv_status {
    HV_STATUS_OK = 0,            /* every domain ended cleanly (or there was none) */
    HV_STATUS_DOMAIN_FAILED = 1, /* a domain crashed, or shut down with a reason other than poweroff */
    HV_STATUS_BAD_BOOT = 4,      /* the boot information was unusable (2 is hvrun's own "no power-off") */
    HV_STATUS_MONITOR_FAULT = 3, /* the monitor itself faulted or panicked */
};

void __attribute__((noreturn)) power_off(enum hv_status status, const char *why);
void __attribute__((noreturn, format(printf, 1, 2))) panic(const char *fmt, ...);

/* A breakpoint for Bochs's debugger (`xchg %bx,%bx`, magic_break: enabled=1); a no-op elsewhere. */
#define HV_BREAK() magic_break()

/* Symbols of the monitor (tools/mksyms builds the table at link time). */
const char *symbol_lookup(uint32_t addr, uint32_t *offset);
void backtrace_print(uint32_t eip, uint32_t ebp);

extern uint64_t boot_tsc;
extern uint64_t halted_tsc;               /* TSC ticks spent halted (hv/time.c) */
void halt_until_interrupt(void);

/* Timer. */
#define TIMER_HZ 100
void timer_init(void);
uint64_t timer_ticks(void);
void timer_irq(void);
void pic_eoi(void);
void console_input_irq(void);
/* New console input: tell domain 0 (VIRQ_CONSOLE). */
void console_input_arrived(void);

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
