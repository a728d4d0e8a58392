/* ioemul.c - the virtual IOPL and port I/O for guests: physdev_op's set_iopl and set_iobitmap,
 * and the `in`, `out`, `ins`, `outs`, `cli` and `sti` a guest may run by them (ring 0, on the
 * #GP path from hv/emulate.c and on the hypercall path).
 *
 * The CPU's IOPL stays 0 while a guest runs: with a real IOPL of 1 the guest kernel could clear
 * the real interrupt flag behind the monitor's back. Its wish is kept as the vCPU's virtual IOPL,
 * and each I/O instruction that faults is checked against it here (Xen's iopl_ok): the kernel
 * counts as ring 1 (or ring 0 with VMASST_TYPE_architectural_iopl), its applications as ring 3.
 * What the check allows is done as Xen does: domain 0, the hardware domain, reaches the machine's
 * ports, all but the monitor's own (monitor_ports); for any other port, and for every other
 * domain, a read gives all ones and a write goes nowhere. `cli` and `sti` change nothing (the
 * virtual interrupt flag is evtchn_upcall_mask).
 */
#include "hv.h"
#include "x86/eflags.h"

/* The ring an instruction counts as run from, for the IOPL check. */
static unsigned virtual_cpl(const struct vcpu *v, const struct trap_frame *f)
{
    if ((f->cs & 3) != 1)
        return 3;                       /* only ring 1 is the kernel's (ring 2 counts as ring 3) */
    return (v->domain->vm_assist & (1u << VMASST_TYPE_architectural_iopl)) ? 0 : 1;
}

/* Xen's iopl_ok: does the virtual IOPL let the faulting context run `cli`, `sti`, `in`, `out`? */
int iopl_allows(const struct vcpu *v, const struct trap_frame *f)
{
    return virtual_cpl(v, f) <= (v->iopl >> EFLAGS_IOPL_SHIFT);
}

/* Xen's guest_io_okay: the IOPL, or else the guest's own I/O bitmap (set_iobitmap; a clear bit
 * allows the port, and bytes that cannot be read allow nothing). */
static int io_allowed(const struct vcpu *v, const struct trap_frame *f, uint32_t port, uint32_t size)
{
    if (iopl_allows(v, f))
        return 1;
    if (port + size > v->iobitmap_ports)
        return 0;
    uint8_t bits[2] = { 0xFF, 0xFF };
    if (copy_from_guest(bits, v->iobitmap + port / 8, (port % 8) + size > 8 ? 2 : 1) < 0)
        return 0;
    uint32_t mask = ((1u << size) - 1) << (port % 8);
    return ((bits[0] | (uint32_t)bits[1] << 8) & mask) == 0;
}

/* The ports the monitor keeps for itself, as Xen keeps its own (ioports_deny_access): the PICs,
 * the PIT and its gate, the CMOS clock it reads at boot, its serial port, its debug port, the
 * emulators' power-off ports, and PCI configuration (0xCF8-0xCFF, whose address latch Xen never
 * lets a guest write). */
static const struct { uint16_t first, last; } monitor_ports[] = {
    { 0x20, 0x21 }, { 0xA0, 0xA1 }, { 0x40, 0x43 }, { 0x61, 0x61 }, { 0x70, 0x71 },
    { 0x3F8, 0x3FF }, { 0xE9, 0xE9 }, { 0xF4, 0xF4 }, { 0x8900, 0x8900 }, { 0xCF8, 0xCFF },
};

/* Xen's admin_io_okay: may domain d touch ports [port, port + size) of the machine itself? */
static int machine_ports_allowed(const struct domain *d, uint32_t port, uint32_t size)
{
    if (d->id != 0)
        return 0;                           /* only the hardware domain, domain 0 */
    for (unsigned i = 0; i < sizeof(monitor_ports) / sizeof(monitor_ports[0]); i++)
        if (port <= monitor_ports[i].last && port + size > monitor_ports[i].first)
            return 0;
    return 1;
}

/* The real access, of 1, 2 or 4 bytes. */
static void machine_port_io(const struct port_access *a, uint32_t *value)
{
    uint16_t port = (uint16_t)a->port;
    if (a->is_in)
        *value = a->size == 1 ? inb(port) : a->size == 2 ? inw(port) : inl(port);
    else if (a->size == 1)
        outb(port, (uint8_t)*value);
    else if (a->size == 2)
        outw(port, (uint16_t)*value);
    else
        outl(port, *value);
}

/* Whether the guest may make an access of a->size bytes to a->port, of an `in`, `out`, `ins` or
 * `outs`, and where it goes: domain 0's to its ports to the machine; otherwise nowhere (a read
 * gives all ones of its size, a write is dropped). An I/O breakpoint on the port is added to
 * *debug_status. A string instruction asks once for all its elements, as Xen does: the port and
 * the size are the same for each. */
enum port_reach port_check(struct vcpu *v, const struct trap_frame *f, const struct port_access *a,
                           uint32_t *debug_status)
{
    if (!io_allowed(v, f, a->port, a->size))
        return PORT_REFUSED;
    *debug_status |= io_breakpoints_hit(v, a->port, a->size);
    return machine_ports_allowed(v->domain, a->port, a->size) ? PORT_MACHINE : PORT_NOWHERE;
}

/* One access port_check allowed: *value is what is written, or what was read (in its low
 * a->size bytes). */
void port_io(enum port_reach reach, const struct port_access *a, uint32_t *value)
{
    if (reach == PORT_MACHINE)
        machine_port_io(a, value);
    else if (a->is_in)
        *value = 0xFFFFFFFFu;
}

/* `in` and `out`: with the guest's EAX, of which an `in` replaces the low a->size bytes. */
int emulate_port_io(struct vcpu *v, struct trap_frame *f, const struct port_access *a, uint32_t *debug_status)
{
    uint32_t value = f->eax, mask = a->size == 4 ? 0xFFFFFFFFu : (1u << (8 * a->size)) - 1;
    enum port_reach reach = port_check(v, f, a, debug_status);
    if (reach == PORT_REFUSED)
        return 0;
    port_io(reach, a, &value);
    if (a->is_in)
        f->eax = (f->eax & ~mask) | (value & mask);
    return 1;
}

/* PHYSDEVOP_set_iopl: the virtual IOPL, 0-3 (Xen: -EINVAL above). */
static long set_iopl(struct vcpu *v, uint32_t arg)
{
    struct physdev_set_iopl op;
    if (copy_from_guest(&op, arg, sizeof(op)) < 0)
        return -XEN_EFAULT;
    if (op.iopl > 3)
        return -XEN_EINVAL;
    v->iopl = op.iopl << EFLAGS_IOPL_SHIFT;
    return 0;
}

/* PHYSDEVOP_set_iobitmap: the guest's I/O bitmap, read where it lies whenever a port is checked
 * (Xen reads it the same way): its 8 KiB must lie below the monitor, nr_ports be at most 65536. */
#define IOBITMAP_BYTES (65536 / 8)
static long set_iobitmap(struct vcpu *v, uint32_t arg)
{
    struct physdev_set_iobitmap op;
    if (copy_from_guest(&op, arg, sizeof(op)) < 0)
        return -XEN_EFAULT;
    if (!guest_range_ok((uint32_t)(uintptr_t)op.bitmap, IOBITMAP_BYTES) || op.nr_ports > 65536)
        return -XEN_EINVAL;
    v->iobitmap = (uint32_t)(uintptr_t)op.bitmap;
    v->iobitmap_ports = op.nr_ports;
    return 0;
}

/* physdev_op(cmd, arg): the I/O privilege operations, and the interrupt ones of hv/pirq.c. */
long do_physdev_op(uint32_t cmd, uint32_t arg, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    switch (cmd) {
    case PHYSDEVOP_set_iopl: return set_iopl(current, arg);
    case PHYSDEVOP_set_iobitmap: return set_iobitmap(current, arg);
    case PHYSDEVOP_map_pirq: case PHYSDEVOP_unmap_pirq: case PHYSDEVOP_eoi: case PHYSDEVOP_irq_status_query:
        return pirq_op(current_domain(), cmd, arg);     /* the machine's interrupts (hv/pirq.c) */
    default: return -XEN_ENOSYS;
    }
}
