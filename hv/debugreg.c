/* debugreg.c - the guest kernel's debug registers: set_debugreg and get_debugreg with Xen's checks,
 * the CPU's own registers loaded for the vCPU that runs, and #DB as the guest and the monitor see
 * it (ring 0: the hypercall path, the scheduler, the #DB entry).
 *
 * A guest may set breakpoints only on its own addresses (DR0-3 below HYPERVISOR_VIRT_START), never
 * general detect (DR7.GD, which would trap the monitor's own use of the registers), an I/O
 * breakpoint only with CR4.DE set, and never an 8-byte one (not on a 32-bit CPU without long
 * mode, as Xen's x86_32 rule has it). I/O breakpoints never reach the CPU: the guest's I/O is
 * emulated, and the emulation checks them (io_breakpoints_hit). The CPU's DR6 stays at its
 * default; what the guest reads as DR6 is kept here and gathers each #DB's status bits, sticky as
 * on real hardware, until the guest clears them.
 */
#include "hv.h"
#include "x86/debugregs.h"
#include "x86/control_regs.h"
#include "x86/eflags.h"

/* What the CPU's DR7 holds: the running vCPU's when it enables a breakpoint, else 0. */
static uint32_t loaded_dr7;

void debugregs_init(struct vcpu *v)
{
    v->debugreg[6] = DR6_DEFAULT;
    v->debugreg[7] = DR7_DEFAULT;
}

/* DR7 as the CPU gets it: without the fields of I/O breakpoints, which mean nothing to a CPU whose
 * CR4.DE is clear (the monitor's), and 0 if no breakpoint is enabled. */
static uint32_t hardware_dr7(const struct vcpu *v)
{
    uint32_t dr7 = v->debugreg[7];
    if (!(dr7 & DR7_ENABLE_MASK))
        return 0;
    for (unsigned n = 0; n < 4; n++) {
        uint32_t shift = DR7_CONTROL_SHIFT + n * DR7_CONTROL_SIZE;
        if (((dr7 >> shift) & 3) == DR7_RW_IO)
            dr7 &= ~(0xFu << shift);
    }
    return dr7;
}

/* The CPU's breakpoints become the vCPU's that runs next (Xen's
 * activate_debugregs); a vCPU with none leaves DR7 clear, and DR0-3 untouched. */
void debugregs_load(const struct vcpu *v)
{
    uint32_t dr7 = hardware_dr7(v);
    if (dr7) {
        write_dr0(v->debugreg[0]);
        write_dr1(v->debugreg[1]);
        write_dr2(v->debugreg[2]);
        write_dr3(v->debugreg[3]);
    }
    if (dr7 != loaded_dr7) {
        write_dr7(dr7);
        loaded_dr7 = dr7;
    }
}

/* Xen's checks of a DR7 value: 0 and the value to keep (with its I/O breakpoints' enable bits in
 * *io_enables), or -XEN_EPERM. */
static long check_dr7(const struct vcpu *v, uint32_t *value, uint32_t *io_enables)
{
    *value = (*value & ~DR7_RESERVED_ZERO) | DR7_RESERVED_ONE;
    *io_enables = 0;
    if (*value & DR7_GENERAL_DETECT)
        return -XEN_EPERM;
    if (!(*value & DR7_ENABLE_MASK))
        return 0;                              /* nothing enabled: the fields do not matter */
    for (unsigned n = 0; n < 4; n++) {
        uint32_t field = *value >> (DR7_CONTROL_SHIFT + n * DR7_CONTROL_SIZE);
        if ((field & 3) == DR7_RW_IO) {
            if (!(v->cr4 & CR4_DE))
                return -XEN_EPERM;
            *io_enables |= *value & (3u << (n * DR7_ENABLE_SIZE));
        }
        if ((field & DR7_LEN_MASK) == DR7_LEN_8)
            return -XEN_EPERM;
    }
    return 0;
}

/* set_debugreg(reg, value). */
long do_set_debugreg(uint32_t reg, uint32_t value, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    return set_debugreg(current, reg, value);
}

/* v's debug register reg: a running vCPU's change reaches the CPU at once. */
long set_debugreg(struct vcpu *v, uint32_t reg, uint32_t value)
{
    uint32_t io_enables = v->dr7_io_enables;
    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!guest_range_ok(value, sizeof(uint32_t)))
            return -XEN_EPERM;                 /* a breakpoint on the monitor */
        break;
    case 4: case 5:
        if (v->cr4 & CR4_DE)
            return -XEN_ENODEV;                /* with CR4.DE they are not registers */
        return set_debugreg(v, reg + 2, value);            /* without, they alias DR6 and DR7 */
    case 6:
        value = (value & ~DR6_RESERVED_ZERO) | DR6_RESERVED_ONE;
        break;
    case 7: {
        long rc = check_dr7(v, &value, &io_enables);
        if (rc)
            return rc;
        value &= ~io_enables;
        break;
    }
    default:
        return -XEN_ENODEV;                    /* as Xen: the emulation makes it a #UD */
    }
    v->debugreg[reg] = value;
    v->dr7_io_enables = io_enables;
    if (v == current)
        debugregs_load(v);
    return 0;
}

/* get_debugreg(reg): the value, or an errno for a register that is not one. */
long do_get_debugreg(uint32_t reg, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    const struct vcpu *v = current;
    switch (reg) {
    case 0: case 1: case 2: case 3: case 6:
        return (long)v->debugreg[reg];
    case 7:
        return (long)(v->debugreg[7] | v->dr7_io_enables);
    case 4: case 5:
        if (v->cr4 & CR4_DE)
            return -XEN_ENODEV;
        return do_get_debugreg(reg + 2, 0, 0, 0, 0);
    default:
        return -XEN_ENODEV;
    }
}

/* New #DB status into the DR6 the guest reads, as the CPU does (Xen's x86_merge_dr6): the
 * breakpoint bits B0-B3 say only which breakpoints this #DB met; BD, BS and BT stay set until the
 * guest clears them. */
void debug_status_merge(struct vcpu *v, uint32_t status)
{
    v->debugreg[6] = (v->debugreg[6] & ~DR6_BREAKPOINTS) | (status & DR6_STATUS);
}

/* The CPU's DR6 of the #DB being handled; the CPU's is reset for the next one. */
uint32_t take_dr6(void)
{
    uint32_t status = read_dr6();
    write_dr6(DR6_DEFAULT);
    return status;
}

/* A #DB from the guest: its DR6 gets the status the CPU reported. The trap itself is bounced
 * like any other. */
void debug_trap_from_guest(struct vcpu *v)
{
    debug_status_merge(v, take_dr6());
}

/* A #DB in the monitor, whose DR6 is `status` (and not the trap flag carried through sysenter, which
 * trap_bounce.c takes first): never the monitor's own (it sets no breakpoint and never TF), so a
 * guest's: a data breakpoint on guest memory the
 * monitor touched for it, or a breakpoint that `mov %ss`/`pop %ss` held back past the instruction
 * after it, a gate into ring 0 (XSA-260). Each is absorbed and the monitor goes on. An instruction
 * breakpoint in the monitor cannot happen (a guest's lie below HYPERVISOR_VIRT_START, where the
 * monitor never runs), but would fault again on resuming: DR7 is cleared if one is seen. */
void debug_trap_in_monitor(struct trap_frame *f, uint32_t status)
{
    uint32_t dr7 = read_dr7();
    for (unsigned n = 0; n < 4; n++) {
        uint32_t field = dr7 >> (DR7_CONTROL_SHIFT + n * DR7_CONTROL_SIZE);
        if ((status & (1u << n)) && (dr7 & (3u << (n * DR7_ENABLE_SIZE))) && (field & 3) == DR7_RW_EXECUTE) {
            hv_err("instruction breakpoint %u hit in the monitor at eip %08x: breakpoints off\n", n, f->eip);
            write_dr7(0);
            loaded_dr7 = 0;
        }
    }
    f->eflags &= ~EFLAGS_TF;
    stats.debug_absorbed++;
}

/* The guest's I/O breakpoints (with CR4.DE) that an access to ports [port, port+size) meets: a
 * DR6 B0-B3 mask, for the emulation of `in` and `out` to report as a #DB. */
uint32_t io_breakpoints_hit(const struct vcpu *v, uint32_t port, uint32_t size)
{
    static const uint8_t width[4] = { [DR7_LEN_1 >> 2] = 1, [DR7_LEN_2 >> 2] = 2,
                                      [DR7_LEN_4 >> 2] = 4, [DR7_LEN_8 >> 2] = 8 };
    uint32_t hit = 0;
    if (!(v->cr4 & CR4_DE))
        return 0;
    for (unsigned n = 0; n < 4; n++) {
        if (!(v->dr7_io_enables & (3u << (n * DR7_ENABLE_SIZE))))
            continue;
        uint32_t field = v->debugreg[7] >> (DR7_CONTROL_SHIFT + n * DR7_CONTROL_SIZE);
        uint32_t length = width[(field & DR7_LEN_MASK) >> 2];
        uint32_t start = v->debugreg[n] & ~(length - 1), end = start + length;   /* aligned, as the CPU's */
        if (start < port + size && end > port)
            hit |= 1u << n;
    }
    return hit;
}
