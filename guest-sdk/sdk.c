/* sdk.c - the guest SDK's C start of day, console output and shutdown (guest ring 1). */
#include "cmdline.h"
#include "format.h"
#include "sdk.h"

struct start_info *start_info;
static struct xencons_interface *console_ring;   /* a domU's console, or NULL */
static struct byte_ring console_out;               /* its out[]: ours to produce, the monitor's to drain */
static struct byte_ring console_in;                /* its in[]: what is typed to us (domain 0's console ID) */

/* Every domain but domain 0 gets a console ring: start_info gives its machine frame, the M2P
 * (read-only at MACH2PHYS_VIRT_START) turns that into a pfn, and the start-of-day mapping puts
 * pfn n at GUEST_VIRT_BASE + n pages. */
static void console_init(void)
{
    if ((start_info->flags & SIF_INITDOMAIN) || !start_info->console.domU.mfn)
        return;
    const uint32_t *m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
    uint32_t pfn = m2p[start_info->console.domU.mfn];
    struct xencons_interface *ring = (struct xencons_interface *)(GUEST_VIRT_BASE + pfn * PAGE_SIZE);
    console_out = (struct byte_ring){ .buf = ring->out, .size = sizeof(ring->out), .cons = &ring->out_cons,
                                      .prod = &ring->out_prod };
    console_in = (struct byte_ring){ .buf = ring->in, .size = sizeof(ring->in), .cons = &ring->in_cons,
                                     .prod = &ring->in_prod };
    console_ring = ring;
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
 * lets the monitor drain it before we go on. Returns -XEN_EIO, having written nothing more, if
 * the ring's indexes are corrupt. */
static long ring_write(const char *s, size_t len)
{
    for (size_t done = 0; done < len; ) {
        long n = byte_ring_put(&console_out, s + done, (uint32_t)(len - done));
        if (n < 0)
            return n;
        done += (size_t)n;
        console_notify();
    }
    return 0;
}

/* A console ring whose indexes are corrupt can print nothing reliably: say so, once, through
 * console_io, and write there from now on (Linux's hvc_xen refuses such a ring with -EINVAL). */
static void console_ring_corrupt(void)
{
    char why[96];
    int n = format_snprintf(why, sizeof(why), "console ring is corrupt (out_cons %#x, out_prod %#x): "
                            "writing through console_io\n", console_out.seen_cons, console_out.seen_prod);
    console_ring = NULL;
    HYPERVISOR_console_io(CONSOLEIO_write, n < (int)sizeof(why) ? (uint32_t)n : sizeof(why) - 1, why);
}

long console_input(char *buf, size_t len)
{
    if (!console_ring)
        return HYPERVISOR_console_io(CONSOLEIO_read, (uint32_t)len, buf);
    long n = byte_ring_get(&console_in, buf, (uint32_t)len);
    if (n > 0)
        HYPERVISOR_event_channel_op(EVTCHNOP_send, &(struct evtchn_send){ .port = start_info->console.domU.evtchn });
    return n;
}

void console_write(const char *s, size_t len)
{
    if (console_ring && ring_write(s, len) < 0)
        console_ring_corrupt();
    if (!console_ring)
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

long domctl_create_from_module(const char *cmdline, domid_t *id)
{
    return domctl_create((const void *)start_info->mod_start, start_info->mod_len, cmdline, id);
}
