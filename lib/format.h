/* format.h - printf-style formatting into a buffer, shared by the monitor's printk and the guest SDK.
 * Pure code: no I/O, unit-tested on the host (tests/host/test_format.c).
 */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H
#include <stdarg.h>
#include <stddef.h>

/* Supports %d %i %u %x %X %o %c %s %p %%, the flags '-', '0', '#', ' ', '+', a width and precision
 * (numbers or '*'), and the length modifiers hh, h, l, ll, z. Returns the length the full output
 * would have had (like C99 vsnprintf); the buffer always ends with a NUL when size > 0. */
int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int format_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
