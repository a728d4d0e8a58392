/* pirq.c - the machine's interrupt lines for domain 0, as event channels (ring 0, on the hypercall
 * path and from the interrupt entry).
 *
 * Xen gives the hardware domain the interrupts of the devices it drives as "physical IRQs": the
 * domain maps a line (PHYSDEVOP_map_pirq, an ISA line here, pirq = line), binds the pirq to an
 * event channel (EVTCHNOP_bind_pirq), and each interrupt becomes an event. The monitor masks the
 * line at the PIC when it delivers one, so that a device still asserting it cannot storm the CPU,
 * and unmasks it when the domain says it has handled the device (PHYSDEVOP_eoi). The lines the
 * monitor uses itself (the PIT's, the cascade, its serial port's) are never given; no domain but
 * domain 0 gets any (-EPERM, as Xen answers a domain without the privilege).
 */
#include "domain.h"
#include "hv.h"

#define NR_ISA_IRQS 16
#define MONITOR_LINES (1u << 0 | 1u << 2 | 1u << 4)   /* PIT, the slave PIC's cascade, COM1 */

static uint16_t mapped;                  /* the lines domain 0 has mapped */
static evtchn_port_t bound[NR_ISA_IRQS]; /* domain 0's event port for each line, or 0 */
static uint16_t awaiting_eoi;            /* lines masked since their last interrupt */

static int hardware_domain(const struct domain *d)
{
    return d->id == 0;
}

/* PHYSDEVOP_map_pirq: an ISA line (MAP_PIRQ_TYPE_GSI, index 0-15) as the pirq of the same
 * number, for domain 0 itself. */
static long map_pirq(struct domain *d, struct physdev_map_pirq *op)
{
    if (!hardware_domain(d) || (op->domid != DOMID_SELF && op->domid != d->id))
        return -XEN_EPERM;
    if (op->type != MAP_PIRQ_TYPE_GSI || op->index < 0 || op->index >= NR_ISA_IRQS ||
        (op->pirq != -1 && op->pirq != op->index))
        return -XEN_EINVAL;
    if (MONITOR_LINES & (1u << op->index))
        return -XEN_EBUSY;                /* the monitor's own line */
    mapped |= (uint16_t)(1u << op->index);
    op->pirq = op->index;
    return 0;
}

/* EVTCHNOP_bind_pirq (hv/event_channel.c calls it with the port it allocated): the line opens
 * at the PIC. 0 or an errno. */
long pirq_bind(struct domain *d, uint32_t pirq, evtchn_port_t port)
{
    if (!hardware_domain(d))
        return -XEN_EPERM;
    if (pirq >= NR_ISA_IRQS || !(mapped & (1u << pirq)))
        return -XEN_EINVAL;
    if (bound[pirq])
        return -XEN_EEXIST;
    bound[pirq] = (evtchn_port_t)port;
    awaiting_eoi &= (uint16_t)~(1u << pirq);
    pic_set_masked(pirq, 0);
    return 0;
}

/* The pirq's port closes (or domain 0 ends): the line is masked again. */
void pirq_unbind(uint32_t pirq)
{
    if (pirq >= NR_ISA_IRQS)
        return;
    bound[pirq] = 0;
    pic_set_masked(pirq, 1);
}

/* Whether an interrupt on line irq is domain 0's to have (a line bound to one of its ports). */
int pirq_wanted(unsigned irq)
{
    return irq < NR_ISA_IRQS && bound[irq];
}

/* An interrupt on a line domain 0 bound: the line masked until its EOI; the port to send domain 0
 * the event on (the interrupt entry sends it: this file calls nothing above it). */
evtchn_port_t pirq_interrupt(unsigned irq)
{
    pic_set_masked(irq, 1);
    pic_eoi_line(irq);
    awaiting_eoi |= (uint16_t)(1u << irq);
    return bound[irq];
}

static long eoi(struct domain *d, uint32_t arg)
{
    struct physdev_eoi op;
    if (copy_from_guest(&op, arg, sizeof(op)) < 0)
        return -XEN_EFAULT;
    if (!hardware_domain(d))
        return -XEN_EPERM;
    if (op.irq >= NR_ISA_IRQS || !(mapped & (1u << op.irq)))
        return -XEN_EINVAL;
    if (bound[op.irq] && (awaiting_eoi & (1u << op.irq))) {
        awaiting_eoi &= (uint16_t)~(1u << op.irq);
        pic_set_masked(op.irq, 0);
    }
    return 0;
}

static long status_query(struct domain *d, uint32_t arg)
{
    struct physdev_irq_status_query op;
    if (copy_from_guest(&op, arg, sizeof(op)) < 0)
        return -XEN_EFAULT;
    if (!hardware_domain(d))
        return -XEN_EPERM;
    if (op.irq >= NR_ISA_IRQS || !(mapped & (1u << op.irq)))
        return -XEN_EINVAL;
    op.flags = XENIRQSTAT_needs_eoi;      /* every line stays masked until its EOI */
    return copy_to_guest(arg, &op, sizeof(op));
}

static long unmap_pirq(struct domain *d, uint32_t arg)
{
    struct physdev_unmap_pirq op;
    if (copy_from_guest(&op, arg, sizeof(op)) < 0)
        return -XEN_EFAULT;
    if (!hardware_domain(d) || (op.domid != DOMID_SELF && op.domid != d->id))
        return -XEN_EPERM;
    if (op.pirq < 0 || op.pirq >= NR_ISA_IRQS || !(mapped & (1u << op.pirq)) || bound[op.pirq])
        return -XEN_EINVAL;               /* close its port first, as Xen wants */
    mapped &= (uint16_t)~(1u << op.pirq);
    return 0;
}

/* physdev_op's interrupt commands. */
long pirq_op(struct domain *d, uint32_t cmd, uint32_t arg)
{
    struct physdev_map_pirq map;
    long rc;
    switch (cmd) {
    case PHYSDEVOP_map_pirq:
        if (copy_from_guest(&map, arg, sizeof(map)) < 0)
            return -XEN_EFAULT;
        rc = map_pirq(d, &map);
        return rc == 0 ? copy_to_guest(arg, &map, sizeof(map)) : rc;
    case PHYSDEVOP_unmap_pirq:        return unmap_pirq(d, arg);
    case PHYSDEVOP_eoi:               return eoi(d, arg);
    case PHYSDEVOP_irq_status_query:  return status_query(d, arg);
    default:                          return -XEN_ENOSYS;
    }
}

/* Domain 0 ends (its ports are closed already): its mappings go too. */
void pirq_release(struct domain *d)
{
    if (hardware_domain(d))
        mapped = awaiting_eoi = 0;
}
