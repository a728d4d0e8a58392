/* sdk.h - what a guest kernel built with the guest SDK gets (guest ring 1).
 * Write `int main(void)`; the SDK's start-of-day code calls it with `start_info` set, and powers
 * the domain off with main's return value deciding the reason (0: poweroff, else crash).
 */
#ifndef SDK_SDK_H
#define SDK_SDK_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "hypercall.h"
#include "kstring.h"
#include "xen.h"

extern struct start_info *start_info;

int main(void);

/* Console output: console_io (CONSOLEIO_write) in domain 0, the console ring in the others. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t len);

/* Ending the domain (sched_op SCHEDOP_shutdown). */
void __attribute__((noreturn)) poweroff(void);
void __attribute__((noreturn)) shutdown(unsigned reason);
void __attribute__((noreturn, format(printf, 1, 2))) panic(const char *fmt, ...);

/* Find `key=value` on the domain's command line; returns 1 and copies the value if present. */
int cmdline_option(const char *key, char *value, size_t size);

/* The ring this code runs in, from the low bits of CS (1 for a guest kernel). */
static inline unsigned current_ring(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

#endif
