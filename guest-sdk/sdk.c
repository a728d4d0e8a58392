/* sdk.c - the guest SDK's C start of day, console output and shutdown (guest ring 1). */
#include "cmdline.h"
#include "format.h"
#include "sdk.h"

struct start_info *start_info;
static struct xencons_interface *console_ring;   /* a domU's console, or NULL */

/* Every domain but domain 0 gets a console ring: start_info gives its machine frame, the M2P
 * (read-only at MACH2PHYS_VIRT_START) turns that into a pfn, and the start-of-day mapping puts
 * pfn n at GUEST_VIRT_BASE + n pages. */
static void console_init(void)
{
    if ((start_info->flags & SIF_INITDOMAIN) || !start_info->console.domU.mfn)
        return;
    const uint32_t *m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
    uint32_t pfn = m2p[start_info->console.domU.mfn];
    console_ring = (struct xencons_interface *)(GUEST_VIRT_BASE + pfn * 4096);
}

void sdk_start(struct start_info *si);
void sdk_start(struct start_info *si)
{
    start_info = si;
    console_init();
    memory_init();
    int status = main();
    shutdown(status == 0 ? SHUTDOWN_poweroff : SHUTDOWN_crash);
}

static void console_notify(void)
{
    struct evtchn_send send = { .port = start_info->console.domU.evtchn };
    HYPERVISOR_event_channel_op(EVTCHNOP_send, &send);
}

/* Produce into the ring's out[] and tell the other end; when the ring is full, the notification
 * lets the monitor drain it before we go on. */
static void ring_write(const char *s, size_t len)
{
    XENCONS_RING_IDX prod = console_ring->out_prod;
    for (size_t i = 0; i < len; i++) {
        while (prod - console_ring->out_cons >= sizeof(console_ring->out))
            console_notify();
        console_ring->out[prod % sizeof(console_ring->out)] = s[i];
        prod++;
        __asm__ volatile("" ::: "memory");   /* the data before the index (x86 keeps store order) */
        console_ring->out_prod = prod;
    }
    console_notify();
}

void console_write(const char *s, size_t len)
{
    if (console_ring)
        ring_write(s, len);
    else
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
