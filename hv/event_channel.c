/* event_channel.c - event channels: Xen's virtual interrupts (ring 0, on the hypercall path and
 * from the timer and console interrupts).
 *
 * An event is one bit in shared_info.evtchn_pending. Setting it, unless the
 * port is masked, sets the word's bit in vcpu_info.evtchn_pending_sel and evtchn_upcall_pending;
 * the vCPU is woken if it was blocked, and on its next return from the monitor the upcall is
 * delivered (trap_bounce.c) if the guest has not masked events. The guest finds the port by
 * scanning pending_sel, then the pending and mask words: a two-level bitmap, cheap to scan.
 */
#include "domain.h"
#include "hv.h"

static long evtchn_close(struct domain *d, evtchn_port_t port);

static int test_and_set(uint32_t *word, unsigned bit)
{
    uint32_t old = *word;
    *word = old | 1u << bit;
    return (old >> bit) & 1;
}

static struct evtchn *port_of(struct domain *d, evtchn_port_t port)
{
    return port > 0 && port < EVTCHN_PORTS ? &d->evtchn[port] : NULL;
}

/* Tour step 2 (event): mark a port pending and tell the vCPU (Xen's evtchn_set_pending): the
 * port's bit, then its word's bit in pending_sel and upcall_pending, unless the port is masked;
 * and a blocked vCPU wakes. */
void evtchn_set_pending(struct domain *d, evtchn_port_t port)
{
    struct shared_info *s = d->shared_info;
    if (d->state != DOMAIN_RUNNABLE || !s)
        return;
    if (d->fifo) {
        fifo_set_pending(d, port);            /* the FIFO ABI (hv/event_fifo.c) */
        return;
    }
    struct vcpu *v = d->vcpus[d->evtchn[port].notify_vcpu];
    if (test_and_set(&s->evtchn_pending[port / 32], port % 32))
        return;
    int upcall = !((s->evtchn_mask[port / 32] >> (port % 32)) & 1) &&
                 !test_and_set(&v->info->evtchn_pending_sel, port / 32);
    if (upcall)
        v->info->evtchn_upcall_pending = 1;
    evtchn_wake(d, port, upcall);
}

/* A per-vCPU VIRQ (the timer's) for vCPU v. */
void send_virq_vcpu(struct vcpu *v, unsigned virq)
{
    evtchn_port_t port = v->virq_port[virq];
    if (port && v->domain->state == DOMAIN_RUNNABLE)
        evtchn_set_pending(v->domain, port);
}

/* A global VIRQ: bound through vCPU 0's table, delivered to the vCPU its port names (none to a
 * domain that is not running: domain 0 may have ended before the others). */
void send_virq(struct domain *d, unsigned virq)
{
    if (d->state == DOMAIN_RUNNABLE)
        send_virq_vcpu(d->vcpus[0], virq);
}

/* Xen's per-vCPU VIRQs; every other is global, bound on vCPU 0 only. */
static int virq_is_per_vcpu(uint32_t virq)
{
    return virq == VIRQ_TIMER || virq == VIRQ_DEBUG || virq == VIRQ_XENOPROF;
}

/* The domain's vCPU `id`, or NULL. */
static struct vcpu *vcpu_of(struct domain *d, uint32_t id)
{
    return id < d->max_vcpus ? d->vcpus[id] : NULL;
}

/* A fresh binding of a port: it notifies vCPU 0 at the default priority until told otherwise
 * (Xen resets both when it allocates a port). */
static void port_bind(struct evtchn *c, struct evtchn binding)
{
    binding.priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
    *c = binding;
}

/* The other end of a channel changes: its state and ends only (its vCPU and priority stay). */
static void port_rebind(struct evtchn *c, uint8_t state, uint16_t remote_dom, uint32_t remote_port)
{
    c->state = state;
    c->remote_dom = remote_dom;
    c->remote_port = remote_port;
}

static long alloc_port(struct domain *d)
{
    for (evtchn_port_t p = 1; p < EVTCHN_PORTS; p++)
        if (d->evtchn[p].state == ECS_FREE)
            return p;
    return -XEN_ENOSPC;
}

/* After a domain has ended, no port of another domain may keep naming its id: ids here are slots
 * of the domain table and a new domain gets the same one, which could then bind a port meant for
 * the old (a store's, or a backend's, whose owner still trusts it). Xen never gives an id again
 * (it counts up), so there such a port stays unbound for a domain that never comes; here it
 * becomes an orphan: it still reads as unbound for that id (EVTCHNOP_status, Xen's answer),
 * sending on it is dropped, no one can bind it, and its owner can only close it. */
static void orphan_ports_naming(domid_t id)
{
    for (unsigned i = 0; i < domain_slots; i++) {
        for (evtchn_port_t p = 1; p < EVTCHN_PORTS; p++) {
            struct evtchn *c = &domains[i].evtchn[p];
            if ((c->state == ECS_UNBOUND || c->state == ECS_INTERDOMAIN) && c->remote_dom == id)
                port_rebind(c, ECS_ORPHANED, id, 0);
        }
    }
}

/* A domain ends: close every port, so that no channel points at it any more (the other ends
 * become unbound for it, then orphans). */
void evtchn_close_all(struct domain *d)
{
    for (evtchn_port_t p = 1; p < EVTCHN_PORTS; p++)
        if (d->evtchn[p].state != ECS_FREE && d->evtchn[p].state != ECS_MONITOR)
            evtchn_close(d, p);
    orphan_ports_naming(d->id);
}

/* Ports the builder sets up: a domU's console ring is signalled to the monitor on port 1, and
 * port 2 waits, unbound, for domain 0's store to bind to it (start_info.store_evtchn). */
void evtchn_init(struct domain *d)
{
    memset(d->evtchn, 0, sizeof(d->evtchn));
    if (d->console_mfn)
        port_bind(&d->evtchn[CONSOLE_EVTCHN], (struct evtchn){ .state = ECS_MONITOR, .remote_dom = DOMID_XEN });
    if (d->store_mfn)
        port_bind(&d->evtchn[STORE_EVTCHN], (struct evtchn){ .state = ECS_UNBOUND, .remote_dom = 0 });
}

static long op_alloc_unbound(struct domain *d, struct evtchn_alloc_unbound *a)
{
    domid_t remote = a->remote_dom == DOMID_SELF ? d->id : a->remote_dom;
    if (a->dom != DOMID_SELF && a->dom != d->id)
        return -XEN_EPERM;
    if (remote != d->id && !running_domain(remote))
        return -XEN_ESRCH;
    long port = alloc_port(d);
    if (port < 0)
        return port;
    port_bind(&d->evtchn[port], (struct evtchn){ .state = ECS_UNBOUND, .remote_dom = remote });
    a->port = (evtchn_port_t)port;
    return 0;
}

static long op_bind_interdomain(struct domain *d, struct evtchn_bind_interdomain *b)
{
    domid_t remote_id = b->remote_dom == DOMID_SELF ? d->id : b->remote_dom;
    struct domain *r = remote_id == d->id ? d : running_domain(remote_id);
    if (!r)
        return -XEN_ESRCH;
    struct evtchn *rc = port_of(r, b->remote_port);
    if (!rc || rc->state != ECS_UNBOUND || rc->remote_dom != d->id)
        return -XEN_EINVAL;
    long port = alloc_port(d);
    if (port < 0)
        return port;
    port_bind(&d->evtchn[port], (struct evtchn){ .state = ECS_INTERDOMAIN, .remote_dom = r->id, .remote_port = b->remote_port });
    port_rebind(rc, ECS_INTERDOMAIN, d->id, (uint32_t)port);
    b->local_port = (evtchn_port_t)port;
    evtchn_set_pending(d, (evtchn_port_t)port);   /* as Xen: what was sent to the unbound end may be lost */
    return 0;
}

static long op_bind_virq(struct domain *d, struct evtchn_bind_virq *b)
{
    if (b->virq >= NR_VIRQS)
        return -XEN_EINVAL;
    struct vcpu *v = vcpu_of(d, b->vcpu);
    if (!v)
        return -XEN_ENOENT;
    if (b->vcpu != 0 && !virq_is_per_vcpu(b->virq))
        return -XEN_EINVAL;                    /* a global VIRQ binds on vCPU 0 */
    if (v->virq_port[b->virq])
        return -XEN_EEXIST;
    long port = alloc_port(d);
    if (port < 0)
        return port;
    port_bind(&d->evtchn[port], (struct evtchn){ .state = ECS_VIRQ, .virq = (uint8_t)b->virq, .notify_vcpu = (uint8_t)b->vcpu });
    v->virq_port[b->virq] = (uint16_t)port;
    b->port = (evtchn_port_t)port;
    return 0;
}

/* bind_pirq: one of the machine's interrupt lines, mapped by domain 0 (hv/pirq.c). */
static long op_bind_pirq(struct domain *d, struct evtchn_bind_pirq *b)
{
    long port = alloc_port(d);
    if (port < 0)
        return port;
    long rc = pirq_bind(d, b->pirq, (evtchn_port_t)port);
    if (rc < 0)
        return rc;
    port_bind(&d->evtchn[port], (struct evtchn){ .state = ECS_PIRQ, .virq = (uint8_t)b->pirq });
    b->port = (evtchn_port_t)port;
    return 0;
}

static long op_bind_ipi(struct domain *d, struct evtchn_bind_ipi *b)
{
    if (!vcpu_of(d, b->vcpu))
        return -XEN_ENOENT;
    long port = alloc_port(d);
    if (port < 0)
        return port;
    port_bind(&d->evtchn[port], (struct evtchn){ .state = ECS_IPI, .notify_vcpu = (uint8_t)b->vcpu });
    b->port = (evtchn_port_t)port;
    return 0;
}

/* bind_vcpu: the vCPU a port's events go to, for the ports Xen lets move: unbound and
 * inter-domain ones, and global VIRQs; a per-vCPU VIRQ or an IPI stays where it was bound. */
static long op_bind_vcpu(struct domain *d, struct evtchn_bind_vcpu *b)
{
    struct evtchn *c = port_of(d, b->port);
    if (!c || c->state == ECS_FREE)
        return -XEN_EINVAL;
    if (!vcpu_of(d, b->vcpu))
        return -XEN_ENOENT;
    if (c->state == ECS_IPI || c->state == ECS_MONITOR || (c->state == ECS_VIRQ && virq_is_per_vcpu(c->virq)))
        return -XEN_EINVAL;
    c->notify_vcpu = (uint8_t)b->vcpu;
    return 0;
}

/* Close a port; the other end of an inter-domain channel goes back to waiting for us. */
static long evtchn_close(struct domain *d, evtchn_port_t port)
{
    struct evtchn *c = port_of(d, port);
    if (!c || c->state == ECS_FREE || c->state == ECS_MONITOR)
        return -XEN_EINVAL;
    if (c->state == ECS_VIRQ)
        d->vcpus[virq_is_per_vcpu(c->virq) ? c->notify_vcpu : 0]->virq_port[c->virq] = 0;
    if (c->state == ECS_PIRQ)
        pirq_unbind(c->virq);
    if (c->state == ECS_INTERDOMAIN) {
        struct domain *r = &domains[c->remote_dom];
        struct evtchn *rc = port_of(r, c->remote_port);
        if (rc && rc->state == ECS_INTERDOMAIN && rc->remote_dom == d->id)
            port_rebind(rc, ECS_UNBOUND, d->id, 0);
    }
    *c = (struct evtchn){ 0 };
    return 0;
}

static long op_send(struct domain *d, evtchn_port_t port)
{
    struct evtchn *c = port_of(d, port);
    if (!c)
        return -XEN_EINVAL;
    switch (c->state) {
    case ECS_INTERDOMAIN:
        evtchn_set_pending(&domains[c->remote_dom], c->remote_port);
        return 0;
    case ECS_IPI:
        evtchn_set_pending(d, port);
        return 0;
    case ECS_MONITOR:
        domain_console_drain(d);      /* the monitor is this channel's other end */
        return 0;
    case ECS_UNBOUND:
    case ECS_ORPHANED:
        return 0;                     /* nobody listens (yet, or any more): dropped, as Xen does */
    default:
        return -XEN_EINVAL;
    }
}

static long op_status(struct domain *d, struct evtchn_status *st)
{
    if (st->dom != DOMID_SELF && st->dom != d->id)
        return -XEN_EPERM;
    struct evtchn *c = port_of(d, st->port);
    if (!c)
        return -XEN_EINVAL;
    static const uint32_t status_of[] = {
        [ECS_FREE] = EVTCHNSTAT_closed, [ECS_UNBOUND] = EVTCHNSTAT_unbound,
        [ECS_INTERDOMAIN] = EVTCHNSTAT_interdomain, [ECS_VIRQ] = EVTCHNSTAT_virq,
        [ECS_IPI] = EVTCHNSTAT_ipi, [ECS_MONITOR] = EVTCHNSTAT_interdomain,
        [ECS_ORPHANED] = EVTCHNSTAT_unbound, [ECS_PIRQ] = EVTCHNSTAT_pirq,
    };
    st->status = status_of[c->state];
    st->vcpu = c->notify_vcpu;
    memset(&st->u, 0, sizeof(st->u));
    if (c->state == ECS_UNBOUND || c->state == ECS_ORPHANED)
        st->u.unbound.dom = c->remote_dom;
    else if (c->state == ECS_INTERDOMAIN || c->state == ECS_MONITOR)
        st->u.interdomain.dom = c->remote_dom, st->u.interdomain.port = c->remote_port;
    else if (c->state == ECS_VIRQ)
        st->u.virq = c->virq;
    else if (c->state == ECS_PIRQ)
        st->u.pirq = c->virq;
    return 0;
}

/* Unmask a port; an event that arrived while it was masked is signalled now. */
static long op_unmask(struct domain *d, evtchn_port_t port)
{
    struct shared_info *s = d->shared_info;
    if (port >= EVTCHN_PORTS)
        return -XEN_EINVAL;
    if (d->fifo) {
        fifo_unmask(d, port);
        return 0;
    }
    struct vcpu_info *vi = d->vcpus[d->evtchn[port].notify_vcpu]->info;
    s->evtchn_mask[port / 32] &= ~(1u << (port % 32));
    if (((s->evtchn_pending[port / 32] >> (port % 32)) & 1) &&
        !test_and_set(&vi->evtchn_pending_sel, port / 32)) {
        vi->evtchn_upcall_pending = 1;
        evtchn_wake(d, port, 1);
    }
    return 0;
}

/* Whether a port has an event pending, in whichever ABI the domain uses (SCHEDOP_poll). */
int evtchn_port_pending(struct domain *d, evtchn_port_t port)
{
    if (d->fifo)
        return fifo_port_pending(d, port);
    return (d->shared_info->evtchn_pending[port / 32] >> (port % 32)) & 1;
}

/* Each sub-op's argument size, so one copy in and one copy out serve them all. */
static const uint8_t arg_size[] = {
    [EVTCHNOP_bind_interdomain] = sizeof(struct evtchn_bind_interdomain),
    [EVTCHNOP_bind_virq] = sizeof(struct evtchn_bind_virq),
    [EVTCHNOP_close] = sizeof(struct evtchn_close),
    [EVTCHNOP_send] = sizeof(struct evtchn_send),
    [EVTCHNOP_status] = sizeof(struct evtchn_status),
    [EVTCHNOP_alloc_unbound] = sizeof(struct evtchn_alloc_unbound),
    [EVTCHNOP_bind_ipi] = sizeof(struct evtchn_bind_ipi),
    [EVTCHNOP_bind_vcpu] = sizeof(struct evtchn_bind_vcpu),
    [EVTCHNOP_unmask] = sizeof(struct evtchn_unmask),
    [EVTCHNOP_bind_pirq] = sizeof(struct evtchn_bind_pirq),
    [EVTCHNOP_init_control] = sizeof(struct evtchn_init_control),
    [EVTCHNOP_expand_array] = sizeof(struct evtchn_expand_array),
    [EVTCHNOP_set_priority] = sizeof(struct evtchn_set_priority),
};

long do_event_channel_op(uint32_t cmd, uint32_t arg, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    union {
        struct evtchn_bind_interdomain bind_interdomain;
        struct evtchn_bind_virq bind_virq;
        struct evtchn_bind_ipi bind_ipi;
        struct evtchn_bind_pirq bind_pirq;
        struct evtchn_bind_vcpu bind_vcpu;
        struct evtchn_alloc_unbound alloc_unbound;
        struct evtchn_status status;
        struct evtchn_init_control init_control;
        struct evtchn_expand_array expand_array;
        struct evtchn_set_priority set_priority;
        evtchn_port_t port;
    } u;
    if (cmd >= ARRAY_SIZE(arg_size) || !arg_size[cmd])
        return -XEN_ENOSYS;
    if (copy_from_guest(&u, arg, arg_size[cmd]) < 0)
        return -XEN_EFAULT;
    struct domain *d = current_domain();
    long rc;
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:    rc = op_alloc_unbound(d, &u.alloc_unbound); break;
    case EVTCHNOP_bind_interdomain: rc = op_bind_interdomain(d, &u.bind_interdomain); break;
    case EVTCHNOP_bind_virq:        rc = op_bind_virq(d, &u.bind_virq); break;
    case EVTCHNOP_bind_ipi:         rc = op_bind_ipi(d, &u.bind_ipi); break;
    case EVTCHNOP_bind_pirq:        rc = op_bind_pirq(d, &u.bind_pirq); break;
    case EVTCHNOP_status:           rc = op_status(d, &u.status); break;
    case EVTCHNOP_close:            return evtchn_close(d, u.port);
    case EVTCHNOP_send:             return op_send(d, u.port);
    case EVTCHNOP_unmask:           return op_unmask(d, u.port);
    case EVTCHNOP_bind_vcpu:        return op_bind_vcpu(d, &u.bind_vcpu);
    case EVTCHNOP_init_control:     rc = fifo_init_control(d, &u.init_control); break;
    case EVTCHNOP_expand_array:     return fifo_expand_array(d, &u.expand_array);
    case EVTCHNOP_set_priority:     return fifo_set_priority(d, &u.set_priority);
    default:                        return -XEN_ENOSYS;
    }
    if (rc == 0 && copy_to_guest(arg, &u, arg_size[cmd]) < 0)
        return -XEN_EFAULT;
    return rc;
}

/* The form before Xen 3.0.2, hypercall 16 (GNU Mach uses it): one `struct evtchn_op`, the command
 * then the operation's structure, which is read and written in place as Xen's compat call does. */
long do_event_channel_op_compat(uint32_t uop, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    uint32_t cmd;
    if (copy_from_guest(&cmd, uop, sizeof(cmd)) < 0)
        return -XEN_EFAULT;
    return do_event_channel_op(cmd, uop + offsetof(struct evtchn_op, u), 0, 0, 0);
}
