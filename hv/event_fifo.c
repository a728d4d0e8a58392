/* event_fifo.c - the FIFO event channel ABI beside the 2-level one (ring 0, on the hypercall path
 * and wherever an event is sent).
 *
 * After EVTCHNOP_init_control a domain's events are not bits in shared_info any more. Each port
 * has an event word in a page of the guest's (the event array, given by EVTCHNOP_expand_array):
 * PENDING, MASKED, LINKED and a LINK field. A pending, unmasked port is linked at the tail of one
 * of 16 queues, by its priority, of the vCPU it notifies; the queue's head is in that vCPU's
 * control block (a page of the guest's, given by init_control), beside a READY bit per queue.
 * The guest takes events from the heads in priority order, in the order they came, clearing
 * LINKED as it goes; the monitor appends to a queue through the LINK of the port it linked last,
 * as long as the guest has not taken that one yet, else it starts the queue afresh at the head.
 * The monitor never follows a link: whatever the guest writes there only misleads the guest.
 * With one physical CPU the guest never runs while the monitor updates a word, so BUSY (Xen's
 * "being linked" flag) is never seen set.
 *
 * This domain's ports are 1..EVTCHN_PORTS-1, so one page of event words (1024) holds them all.
 */
#include "domain.h"
#include "hv.h"
#include "page_types.h"

#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(event_word_t))
#define BIT(n) (1u << (n))

/* A page of the domain's that the monitor will write for as long as the domain lives: typed
 * writable for good (never a page table), as Xen's map_guest_page takes it. NULL if it cannot be. */
static void *guest_page_for_good(struct domain *d, uint64_t gfn)
{
    if (gfn >= MAX_FRAMES || frame_table[gfn].owner != d->id || frame_table[gfn].xenheap ||
        get_page_type(d->id, (uint32_t)gfn, PGT_writable) < 0)
        return NULL;
    return phys_to_virt((uint32_t)gfn << PAGE_SHIFT);
}

static event_word_t *word_of(struct domain *d, evtchn_port_t port)
{
    return d->fifo_array && port < EVTCHN_PORTS ? &d->fifo_array[port] : NULL;
}

/* Append `port` after `tail` in its queue, if the guest has not taken `tail` yet (still LINKED). */
static int link_after(struct domain *d, evtchn_port_t tail, evtchn_port_t port)
{
    event_word_t *w = word_of(d, tail);
    if (!w || !(*w & BIT(EVTCHN_FIFO_LINKED)))
        return 0;
    *w = (*w & ~EVTCHN_FIFO_LINK_MASK) | port;
    return 1;
}

/* Link a pending, unmasked port into the queue of its vCPU and priority; a queue that was not
 * ready becomes so and the vCPU gets an upcall. Returns whether it did. */
static int link_port(struct domain *d, evtchn_port_t port, event_word_t *w)
{
    struct evtchn *c = &d->evtchn[port];
    struct vcpu *v = d->vcpus[c->notify_vcpu];
    unsigned q = c->priority;
    if (!v->fifo_control)
        return 0;                               /* that vCPU has no queues yet: it stays pending */
    evtchn_port_t tail = v->fifo_tail[q];
    int same_queue = tail && tail != port && d->evtchn[tail].linked_vcpu == v->vcpu_id &&
                     d->evtchn[tail].linked_priority == q;
    if (!(same_queue && link_after(d, tail, port)))
        v->fifo_control->head[q] = port;       /* the queue was empty, or its tail taken */
    *w = (*w & ~EVTCHN_FIFO_LINK_MASK) | BIT(EVTCHN_FIFO_LINKED);
    v->fifo_tail[q] = (uint16_t)port;
    c->linked_vcpu = (uint8_t)v->vcpu_id;
    c->linked_priority = (uint8_t)q;
    if (v->fifo_control->ready & BIT(q))
        return 0;
    v->fifo_control->ready |= BIT(q);
    v->info->evtchn_upcall_pending = 1;
    return 1;
}

/* evtchn_set_pending's twin for the FIFO ABI: the port's PENDING bit and, if it is unmasked and
 * not already queued, its place at the tail of its queue; whom to wake as with the 2-level ABI.
 * A port the event array does not cover yet loses the event, as on Xen. */
void fifo_set_pending(struct domain *d, evtchn_port_t port)
{
    event_word_t *w = word_of(d, port);
    if (!w)
        return;
    *w |= BIT(EVTCHN_FIFO_PENDING);
    int upcall = !(*w & (BIT(EVTCHN_FIFO_MASKED) | BIT(EVTCHN_FIFO_LINKED))) && link_port(d, port, w);
    evtchn_wake(d, port, upcall);
}

int fifo_port_pending(struct domain *d, evtchn_port_t port)
{
    event_word_t *w = word_of(d, port);
    return w && (*w & BIT(EVTCHN_FIFO_PENDING));
}

/* EVTCHNOP_unmask: clear MASKED; an event that waited is queued now. */
void fifo_unmask(struct domain *d, evtchn_port_t port)
{
    event_word_t *w = word_of(d, port);
    if (!w)
        return;
    *w &= ~BIT(EVTCHN_FIFO_MASKED);
    if ((*w & BIT(EVTCHN_FIFO_PENDING)) && !(*w & BIT(EVTCHN_FIFO_LINKED)) && link_port(d, port, w))
        evtchn_wake(d, port, 1);
}

/* EVTCHNOP_init_control: vCPU `vcpu`'s control block at `offset` of page `control_gfn` (8-byte
 * aligned, inside the page; once per vCPU). The first one switches the domain to the FIFO ABI;
 * events pending in the 2-level bitmap then are sent again once the array covers them. */
long fifo_init_control(struct domain *d, struct evtchn_init_control *op)
{
    if (op->vcpu >= d->max_vcpus)
        return -XEN_ENOENT;
    struct vcpu *v = d->vcpus[op->vcpu];
    if (op->offset > PAGE_SIZE - sizeof(struct evtchn_fifo_control_block) || (op->offset & 7) || v->fifo_control)
        return -XEN_EINVAL;
    uint8_t *page = guest_page_for_good(d, op->control_gfn);
    if (!page)
        return -XEN_EINVAL;
    v->fifo_control = (struct evtchn_fifo_control_block *)(page + op->offset);
    memset(v->fifo_tail, 0, sizeof(v->fifo_tail));
    op->link_bits = EVTCHN_FIFO_LINK_BITS;
    d->fifo = 1;
    return 0;
}

/* EVTCHNOP_expand_array: the page of event words (one covers every port here: -ENOSPC for a
 * second). Ports pending in the 2-level bitmap when the domain switched are pending here now. */
long fifo_expand_array(struct domain *d, struct evtchn_expand_array *op)
{
    if (!d->fifo)
        return -XEN_EOPNOTSUPP;
    if (d->fifo_array)
        return -XEN_ENOSPC;
    event_word_t *words = guest_page_for_good(d, op->array_gfn);
    if (!words)
        return -XEN_EINVAL;
    d->fifo_array = words;
    for (evtchn_port_t port = 1; port < EVTCHN_PORTS; port++)
        if (d->evtchn[port].state != ECS_FREE &&
            (d->shared_info->evtchn_pending[port / 32] >> (port % 32)) & 1)
            fifo_set_pending(d, port);
    return 0;
}

/* EVTCHNOP_set_priority: the queue a port is linked into from its next event on. */
long fifo_set_priority(struct domain *d, struct evtchn_set_priority *op)
{
    if (op->port == 0 || op->port >= EVTCHN_PORTS || d->evtchn[op->port].state == ECS_FREE)
        return -XEN_EINVAL;
    if (!d->fifo)
        return -XEN_ENOSYS;                    /* the 2-level ABI has no priorities */
    if (op->priority > EVTCHN_FIFO_PRIORITY_MIN)
        return -XEN_EINVAL;
    d->evtchn[op->port].priority = (uint8_t)op->priority;
    return 0;
}
