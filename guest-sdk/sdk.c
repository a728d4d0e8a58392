/* sdk.c - the guest SDK's C start of day, console output and shutdown (guest ring 1). */
#include "cmdline.h"
#include "format.h"
#include "sdk.h"

struct start_info *start_info;

void sdk_start(struct start_info *si);
void sdk_start(struct start_info *si)
{
    start_info = si;
    int status = main();
    shutdown(status == 0 ? SHUTDOWN_poweroff : SHUTDOWN_crash);
}

void console_write(const char *s, size_t len)
{
    HYPERVISOR_console_io(CONSOLEIO_write, len, (char *)s);
}

int vprintf(const char *fmt, va_list ap)
{
    char buf[512];
    int n = format_vsnprintf(buf, sizeof(buf), fmt, ap);
    console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

void shutdown(unsigned reason)
{
    struct sched_shutdown s = { .reason = reason };
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
}

void poweroff(void)
{
    shutdown(SHUTDOWN_poweroff);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("panic: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    shutdown(SHUTDOWN_crash);
}

int cmdline_option(const char *key, char *value, size_t size)
{
    return cmdline_get((const char *)start_info->cmd_line, key, value, size);
}
