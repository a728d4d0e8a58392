/* domain.c - the domain table, guest console output, and how domains end (ring 0).
 * Domains run one after another for now: the first runnable one runs until it shuts down or
 * crashes, then the next; a later scheduler will interleave them.
 */
#include "domain.h"
#include "format.h"
#include "hypercalls.h"
#include "hv.h"
#include "memlayout.h"
#include "mm.h"
#include "mmu.h"
#include "segments.h"
#include "x86.h"

struct domain domains[MAX_DOMAINS];
unsigned domain_slots;
struct vcpu *current;
unsigned refused_modules;

struct domain *domain_alloc(void)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        if (domains[i].state == DOMAIN_FREE) {
            memset(&domains[i], 0, sizeof(domains[i]));
            domains[i].id = (domid_t)i;
            domains[i].state = DOMAIN_SHUTDOWN;     /* not runnable until built */
            if (i >= domain_slots)
                domain_slots = i + 1;
            return &domains[i];
        }
    }
    return NULL;
}

/* Give every frame back: whatever the domain owns now (its pages, grown or shrunk by memory_op,
 * its shared_info and grant-table frames), and the monitor's copy of its first p2m. */
_Static_assert(MAX_DOMAINS <= PT_OWNERS, "every domain has a queue of tables being released");

void domain_free(struct domain *d)
{
    release_forget(d->id);                  /* its tables go with the rest of its frames */
    for (uint32_t mfn = 0; mfn < MAX_FRAMES; mfn++) {
        if (frame_table[mfn].owner != d->id)
            continue;
        m2p_set(mfn, INVALID_M2P_ENTRY);
        frame_set_owner(mfn, DOMID_XEN);
        frames_free(&machine_frames, mfn);
    }
    for (uint32_t i = 0; d->p2m && i < d->p2m_frames; i++)
        frames_free(&machine_frames, d->p2m_mfn + i);
    d->nr_pages = 0;
    d->p2m = NULL;
    d->shared_info = NULL;
}

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

static void console_flush_line(struct domain *d)
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

static void remember(struct domain *d, char c)
{
    if (d->history_len == sizeof(d->history)) {
        memmove(d->history, d->history + 1, sizeof(d->history) - 1);
        d->history_len--;
    }
    d->history[d->history_len++] = c;
}

void domain_console_write(struct domain *d, const char *s, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        char c = s[i];
        remember(d, c);
        if (c == '\n') {
            console_flush_line(d);
            continue;
        }
        if (c == '\r')
            continue;
        /* Show control characters as '.', so a guest cannot drive the terminal (a backspace, to
         * erase a typed character, is let through). */
        d->line[d->line_len++] = (c < 0x20 && c != '\t' && c != '\b') || c == 0x7F ? '.' : c;
        if (d->line_len == CONSOLE_LINE_MAX)
            console_flush_line(d);
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

static const char *const shutdown_reasons[] = {
    [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot", [SHUTDOWN_suspend] = "suspend",
    [SHUTDOWN_crash] = "crash", [SHUTDOWN_watchdog] = "watchdog",
};

/* Let go of everything a domain holds; the domain table keeps its entry. */
static void domain_release(struct domain *d)
{
    evtchn_close_all(d);
    grant_release_domain(d);
    domain_console_drain(d);
    if (d->line_len)
        console_flush_line(d);
    domain_free(d);
}

void domain_destroy(struct domain *d)
{
    if (d->p2m)
        domain_release(d);
    hv_debug("domain %u (%s) destroyed\n", d->id, d->name);
    memset(d, 0, sizeof(*d));                   /* DOMAIN_FREE: the slot can be used again */
}

/* A domain has ended: flush its output, free its memory, and run the next one. */
static void domain_end(struct domain *d)
{
    mm_switch_idle();
    if (current && current->domain == d)
        fpu_switch_out(current);
    domain_release(d);
    if (current && current->domain == d)
        schedule();
}

void domain_shutdown(struct domain *d, unsigned reason)
{
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    hv_info("domain %u (%s) shut down: %s (cpu %llu ticks)\n", d->id, d->name,
            reason < ARRAY_SIZE(shutdown_reasons) && shutdown_reasons[reason] ? shutdown_reasons[reason] : "unknown reason",
            (unsigned long long)d->vcpu.cpu_ticks);
    domain_end(d);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
    char why[192];
    va_list ap;
    va_start(ap, fmt);
    format_vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    d->state = DOMAIN_CRASHED;
    hv_err("domain %u (%s) crashed: %s\n", d->id, d->name, why);
    domain_end(d);
}

/* Power off when nothing is left; the status says whether every domain ended cleanly. */
void all_done(void)
{
    unsigned ran = 0, clean = 0;
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        if (domains[i].state == DOMAIN_FREE)
            continue;
        ran++;
        clean += domains[i].state == DOMAIN_SHUTDOWN && domains[i].shutdown_reason == SHUTDOWN_poweroff;
    }
    hv_info("%u domain(s) ran, %u ended cleanly; %u frames free\n", ran, clean, machine_frames.nr_free);
    if (clean != ran || refused_modules)
        power_off(HV_STATUS_DOMAIN_FAILED, refused_modules ? "a module was refused" : "a domain failed");
    power_off(HV_STATUS_OK, ran ? "all domains ended cleanly" : "nothing left to run");
}

void console_input_arrived(void)
{
    send_virq(&domains[0], VIRQ_CONSOLE);
}

const char *guest_symbol(struct domain *d, uint32_t addr, char *buf, uint32_t size)
{
    uint32_t offset;
    const char *name = elf_symbolize(&d->symbols, addr, &offset);
    if (!name)
        return "";
    format_snprintf(buf, size, " <%s+0x%x>", name, offset);
    return buf;
}
