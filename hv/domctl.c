/* domctl.c - domain 0's control of the other domains (ring 0, on the hypercall path): create one
 * from an image domain 0 holds, set its memory ceiling, pause, unpause, inspect, read its console,
 * destroy. Mechanism only: which domains to run, and when, is domain 0's policy (examples/dom0).
 */
#include "domain.h"
#include "frames.h"
#include "hv.h"
#include "mmu.h"
#include "multiboot.h"

#define MAX_IMAGE (1024 * 1024)

/* Copy the image out of domain 0 into frames of the monitor's, build from there, give them back.
 * The new domain starts paused. */
static long create(struct hv_domctl *op)
{
    char cmdline[BOOT_CMDLINE_MAX];
    uint32_t len = op->u.createdomain.image_len, pages = (len + PAGE_SIZE - 1) / PAGE_SIZE;
    if (!len || len > MAX_IMAGE)
        return -XEN_EINVAL;
    strlcpy(cmdline, "image ", sizeof(cmdline));        /* the first word is the image's name */
    if (copy_string_from_guest(cmdline + 6, (uint32_t)(uintptr_t)op->u.createdomain.cmdline, sizeof(cmdline) - 6) < 0)
        return -XEN_EFAULT;
    uint32_t first = frames_alloc_contig(&machine_frames, pages);
    if (first == FRAME_NONE)
        return -XEN_ENOMEM;
    long rc = 0;
    if (copy_from_guest(phys_to_virt(first << PAGE_SHIFT), (uint32_t)(uintptr_t)op->u.createdomain.image, len) < 0)
        rc = -XEN_EFAULT;
    struct domain *d = rc ? NULL : domain_build(0, first << PAGE_SHIFT, len, cmdline, NULL, 0);
    for (uint32_t i = 0; i < pages; i++)
        frames_free(&machine_frames, first + i);
    if (rc)
        return rc;
    if (!d) {
        refused_modules--;                              /* domain 0 hears of it; the run goes on */
        return -XEN_EINVAL;
    }
    memset(&d->symbols, 0, sizeof(d->symbols));         /* they pointed into the copy */
    d->paused = 1;
    op->domain = d->id;
    return 0;
}

static void info(struct domain *d, struct hv_domaininfo *out)
{
    memset(out, 0, sizeof(*out));
    out->domain = d->id;
    if (d->state == DOMAIN_SHUTDOWN)
        out->flags = XEN_DOMINF_shutdown | d->shutdown_reason << XEN_DOMINF_shutdownshift;
    else if (d->state == DOMAIN_CRASHED)
        out->flags = XEN_DOMINF_shutdown | SHUTDOWN_crash << XEN_DOMINF_shutdownshift;
    else if (d->paused)
        out->flags = XEN_DOMINF_paused;
    else
        out->flags = domain_all_blocked(d) ? XEN_DOMINF_blocked : XEN_DOMINF_running;
    out->tot_pages = d->nr_pages;
    out->max_pages = d->max_pages;
    out->cpu_time = domain_cpu_ticks(d) * (1000000000ull / TIMER_HZ);
    strlcpy(out->name, d->name, sizeof(out->name));
    out->store_evtchn = d->store_mfn ? STORE_EVTCHN : 0;
}

/* Typed input for a running domU's console ring, a chunk at a time (-EINVAL: no ring, or a
 * corrupt one). */
static long console_input(struct domain *d, struct hv_domctl *op)
{
    char chunk[128];
    uint32_t n = op->u.console_input.size < sizeof(chunk) ? op->u.console_input.size : sizeof(chunk);
    if (d->state != DOMAIN_RUNNABLE)
        return -XEN_ESRCH;
    if (copy_from_guest(chunk, (uint32_t)(uintptr_t)op->u.console_input.buffer, n) < 0)
        return -XEN_EFAULT;
    long taken = domain_console_input(d, chunk, n);
    if (taken < 0)
        return -XEN_EINVAL;
    op->u.console_input.size = (uint32_t)taken;
    return 0;
}

/* The oldest `size` bytes of the domain's history (a ring: hv/guest_console.c), in order: up to
 * the ring's end, then from its start. */
static long read_console(struct domain *d, struct hv_domctl *op)
{
    uint32_t n = op->u.readconsole.size < d->history_len ? op->u.readconsole.size : d->history_len;
    uint32_t to_end = (uint32_t)sizeof(d->history) - d->history_start;
    uint32_t first = n < to_end ? n : to_end;
    uint32_t buffer = (uint32_t)(uintptr_t)op->u.readconsole.buffer;
    if (copy_to_guest(buffer, d->history + d->history_start, first) < 0 ||
        copy_to_guest(buffer + first, d->history, n - first) < 0)
        return -XEN_EFAULT;
    op->u.readconsole.size = n;
    return 0;
}

long do_domctl(uint32_t arg, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct hv_domctl op;
    struct domain *self = current_domain(), *d;
    if (self->id != 0)
        return -XEN_EPERM;                              /* domain 0's alone */
    if (copy_from_guest(&op, arg, sizeof(op)) < 0)
        return -XEN_EFAULT;
    if (op.interface_version != HV_DOMCTL_INTERFACE_VERSION)
        return -XEN_EINVAL;
    long rc;
    switch (op.cmd) {
    case XEN_DOMCTL_createdomain:
        rc = create(&op);
        break;
    case XEN_DOMCTL_getdomaininfo:
        for (d = NULL; op.domain < MAX_DOMAINS && !(d = domain_lookup(op.domain)); op.domain++)
            ;
        if (!d)
            return -XEN_ESRCH;
        info(d, &op.u.getdomaininfo);
        rc = 0;
        break;
    case XEN_DOMCTL_max_mem:
        /* The ceiling memory_op lets the domain grow to; what it has already stays (as in Xen). */
        if (!(d = domain_lookup(op.domain)) || d->state != DOMAIN_RUNNABLE)
            return -XEN_ESRCH;
        if (op.u.max_mem.max_memkb / 4 > MAX_FRAMES)
            return -XEN_EINVAL;
        d->max_pages = (uint32_t)(op.u.max_mem.max_memkb / 4);
        return 0;
    case HV_DOMCTL_console_input:
        if (!(d = domain_lookup(op.domain)))
            return -XEN_ESRCH;
        rc = console_input(d, &op);
        break;
    case XEN_DOMCTL_pausedomain:
    case XEN_DOMCTL_unpausedomain:
    case XEN_DOMCTL_destroydomain:
    case HV_DOMCTL_readconsole:
        if (!(d = domain_lookup(op.domain)))
            return -XEN_ESRCH;
        if (d == self && op.cmd != HV_DOMCTL_readconsole)
            return -XEN_EINVAL;                         /* not on itself */
        if (op.cmd == HV_DOMCTL_readconsole)
            return read_console(d, &op) < 0 ? -XEN_EFAULT : copy_to_guest(arg, &op, sizeof(op));
        if (op.cmd == XEN_DOMCTL_destroydomain)
            domain_destroy(d);
        else
            d->paused = op.cmd == XEN_DOMCTL_pausedomain;
        return 0;
    default:
        return -XEN_ENOSYS;
    }
    if (rc == 0 && copy_to_guest(arg, &op, sizeof(op)) < 0)
        return -XEN_EFAULT;
    return rc;
}
