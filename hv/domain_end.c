/* domain_end.c - how a domain ends: it asks to (shutdown), the monitor stops it (crash), or domain
 * 0 destroys it; what it held goes back, and the next vCPU runs (ring 0).
 */
#include "domain.h"
#include "format.h"
#include "hv.h"

static const char *const shutdown_reasons[] = {
    [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot", [SHUTDOWN_suspend] = "suspend",
    [SHUTDOWN_crash] = "crash", [SHUTDOWN_watchdog] = "watchdog",
};

/* Let go of everything a domain holds; the domain table keeps its entry. */
static void domain_release(struct domain *d)
{
    evtchn_close_all(d);
    pirq_release(d);
    grant_release_domain(d);
    domain_console_drain(d);
    if (d->line_len)
        domain_console_flush_line(d);
    domain_free(d);
    vcpus_free(d);
}

void domain_destroy(struct domain *d)
{
    if (d->p2m)
        domain_release(d);
    if (d != &domains[0])
        send_virq(&domains[0], VIRQ_DOM_EXC);
    hv_debug("domain %u (%s) destroyed\n", d->id, d->name);
    memset(d, 0, sizeof(*d));                   /* DOMAIN_FREE: the slot can be used again */
}

/* A domain has ended: flush its output, free its memory, tell domain 0 (VIRQ_DOM_EXC, as Xen
 * tells the domain that handles it: its toolstack waits for domains to end without polling),
 * and run the next one. */
static void domain_end(struct domain *d)
{
    if (d != &domains[0])
        send_virq(&domains[0], VIRQ_DOM_EXC);
    int running = current && current->domain == d;  /* current may live in a frame about to go */
    mm_switch_idle();
    if (running)
        fpu_switch_out(current);
    domain_release(d);
    if (running)
        schedule();
}

void domain_shutdown(struct domain *d, unsigned reason)
{
    d->state = DOMAIN_SHUTDOWN;
    d->shutdown_reason = reason;
    if (reason < ARRAY_SIZE(shutdown_reasons) && shutdown_reasons[reason])
        hv_info("domain %u (%s) shut down: %s (cpu %llu ticks)\n", d->id, d->name, shutdown_reasons[reason],
                (unsigned long long)domain_cpu_ticks(d));
    else
        hv_info("domain %u (%s) shut down: reason %u, which Xen does not define (cpu %llu ticks)\n", d->id,
                d->name, reason, (unsigned long long)domain_cpu_ticks(d));
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

