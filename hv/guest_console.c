/* guest_console.c - the guests' console output, a line at a time with the domain's name before
 * it (from console_io, or a domU's console ring), and console_io itself: domain 0 reads what is
 * typed (ring 0).
 */
#include "domain.h"
#include "format.h"
#include "hv.h"
#include "memlayout.h"
#include "mmu.h"

#define CONSOLE_CHUNK 128
#define CONSOLE_BATCH 1024          /* bytes per entry before a continuation: the UART is slow */

/* Print what the domain has of its line, after its name unless the line is already on screen. */
static void console_show_line(struct domain *d)
{
    if (!console_claim(d->id)) {
        char prefix[DOMAIN_NAME_MAX + 3];
        int n = format_snprintf(prefix, sizeof(prefix), "%s: ", d->name);
        console_write(prefix, (size_t)n);
    }
    console_write(d->line, d->line_len);
    d->line_len = 0;
}

void domain_console_flush_line(struct domain *d)
{
    console_show_line(d);
    console_write("\n", 1);
}

/* Domain 0 is about to read what is typed: show its unfinished line (a prompt, or the echo of
 * what it has read so far) now, not when the line ends. */
void domain_console_show_prompt(struct domain *d)
{
    if (!d->line_len)
        return;
    console_show_line(d);
    console_leave_partial(d->id);
}

/* Keep c in the domain's history, a ring of its last sizeof(history) bytes: once full, each new
 * byte takes the oldest one's place (moving the whole history along a byte for each byte cost
 * the monitor a thousand instructions a character). */
static void remember(struct domain *d, char c)
{
    d->history[(d->history_start + d->history_len) % sizeof(d->history)] = c;
    if (d->history_len < sizeof(d->history))
        d->history_len++;
    else
        d->history_start = (d->history_start + 1) % sizeof(d->history);
}

void domain_console_write(struct domain *d, const char *s, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        char c = s[i];
        remember(d, c);
        if (c == '\n') {
            domain_console_flush_line(d);
            continue;
        }
        if (c == '\r')
            continue;
        /* Show control characters as '.', so a guest cannot drive the terminal (a backspace, to
         * erase a typed character, is let through). */
        d->line[d->line_len++] = (c < 0x20 && c != '\t' && c != '\b') || c == 0x7F ? '.' : c;
        if (d->line_len == CONSOLE_LINE_MAX)
            domain_console_flush_line(d);
    }
}

/* The domU console ring lives in guest memory: read the indexes once, and use them only if they
 * describe at most one ring's worth. A ring whose indexes say more is broken and no longer read,
 * as xenconsoled treats one (every ring reader's rule, guest-sdk/byte_ring.h): a guest that
 * scribbled on its ring page prints nothing more through it, and costs the monitor nothing. */
void domain_console_drain(struct domain *d)
{
    if (!d->console_mfn || d->console_broken || d->state == DOMAIN_FREE || !d->p2m)
        return;
    struct xencons_interface *ring = phys_to_virt(d->console_mfn << PAGE_SHIFT);
    uint32_t cons = ring->out_cons, prod = ring->out_prod;
    __asm__ volatile("" ::: "memory");
    if (prod - cons > sizeof(ring->out)) {
        d->console_broken = 1;
        hv_warn("domain %u (%s): console ring corrupt (out_cons %#x, out_prod %#x): no longer read\n",
                d->id, d->name, cons, prod);
        return;
    }
    for (; cons != prod; cons++) {
        char c = ring->out[cons % sizeof(ring->out)];
        domain_console_write(d, &c, 1);
    }
    ring->out_cons = cons;
}

/* Typed input for a domU (domain 0's `console ID`): into its console ring's in[], as much as there
 * is room for, and its console port told, as xenconsoled does. The indexes are the guest's: read
 * once, used only if they describe at most one ring's worth. How many bytes went in, or -1 for a
 * ring that is not there or is corrupt. */
long domain_console_input(struct domain *d, const char *s, uint32_t len)
{
    if (!d->console_mfn || d->console_broken || !d->p2m)
        return -1;
    struct xencons_interface *ring = phys_to_virt(d->console_mfn << PAGE_SHIFT);
    uint32_t cons = ring->in_cons, prod = ring->in_prod;
    __asm__ volatile("" ::: "memory");
    if (prod - cons > sizeof(ring->in))
        return -1;
    uint32_t n = 0;
    for (; n < len && prod - cons < sizeof(ring->in); n++, prod++)
        ring->in[prod % sizeof(ring->in)] = s[n];
    __asm__ volatile("" ::: "memory");
    ring->in_prod = prod;
    evtchn_set_pending(d, CONSOLE_EVTCHN);
    return n;
}

/* --- console_io: CONSOLEIO_write prints, CONSOLEIO_read reads the serial input (domain 0) ------- */
long do_console_io(uint32_t cmd, uint32_t count, uint32_t buffer, uint32_t a4, uint32_t a5)
{
    (void)a4, (void)a5;
    char chunk[CONSOLE_CHUNK];
    switch (cmd) {
    case CONSOLEIO_write:
        if (!guest_range_ok(buffer, count))
            return -XEN_EFAULT;       /* before printing anything: no half-written garbage */
        for (uint32_t done = 0; done < count; ) {
            if (done >= CONSOLE_BATCH)
                return hypercall_continuation(__HYPERVISOR_console_io, CONSOLEIO_write, count - done,
                                              buffer + done);
            uint32_t n = count - done < CONSOLE_CHUNK ? count - done : CONSOLE_CHUNK;
            if (copy_from_guest(chunk, buffer + done, n) < 0)
                return -XEN_EFAULT;
            domain_console_write(current_domain(), chunk, n);
            done += n;
        }
        return 0;
    case CONSOLEIO_read: {
        /* Serial input goes to domain 0, the console's guest (VIRQ_CONSOLE says when). */
        if (current_domain()->id != 0 || !count)
            return 0;
        domain_console_show_prompt(current_domain());
        uint32_t n = count < CONSOLE_CHUNK ? count : CONSOLE_CHUNK;
        long got = console_read_input(chunk, n);
        if (got > 0 && copy_to_guest(buffer, chunk, (uint32_t)got) < 0)
            return -XEN_EFAULT;
        return got;
    }
    default:
        return -XEN_ENOSYS;
    }
}

