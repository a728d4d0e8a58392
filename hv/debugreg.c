/* debugreg.c - the guest kernel's debug registers: set_debugreg and get_debugreg, with Xen's
 * checks (ring 0, on the hypercall path).
 *
 * A guest may set breakpoints only on its own addresses (DR0-3 below HYPERVISOR_VIRT_START), never
 * general detect (DR7.GD, which would trap the monitor's own use of the registers), never an I/O
 * breakpoint (it needs CR4.DE, which a PV guest cannot set) and never an 8-byte one (not on a
 * 32-bit CPU without long mode, as Xen's x86_32 rule has it). The values are kept per vCPU and
 * read back as Xen returns them. They are not yet loaded into the CPU's own debug registers:
 * hypercall-abi/ABI.md says so, and the XTF debug-regs tests wait for that.
 */
#include "hv.h"
#include "x86/debugregs.h"

void debugregs_init(struct vcpu *v)
{
    v->debugreg[6] = DR6_DEFAULT;
    v->debugreg[7] = DR7_DEFAULT;
}

/* Xen's checks of a DR7 value: 0 and the value to keep, or -XEN_EPERM. */
static long check_dr7(uint32_t *value)
{
    *value = (*value & ~DR7_RESERVED_ZERO) | DR7_RESERVED_ONE;
    if (*value & DR7_GENERAL_DETECT)
        return -XEN_EPERM;
    if (!(*value & DR7_ENABLE_MASK))
        return 0;                              /* nothing enabled: the fields do not matter */
    for (unsigned shift = DR7_CONTROL_SHIFT; shift < 32; shift += DR7_CONTROL_SIZE) {
        uint32_t field = *value >> shift;
        if ((field & 3) == DR7_RW_IO || (field & 0xC) == DR7_LEN_8)
            return -XEN_EPERM;
    }
    return 0;
}

/* set_debugreg(reg, value). */
long do_set_debugreg(uint32_t reg, uint32_t value, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    struct vcpu *v = current;
    long rc = 0;
    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!guest_range_ok(value, sizeof(uint32_t)))
            return -XEN_EPERM;                 /* a breakpoint on the monitor */
        break;
    case 6:
        value = (value & ~DR6_RESERVED_ZERO) | DR6_RESERVED_ONE;
        break;
    case 7:
        rc = check_dr7(&value);
        break;
    default:
        return -XEN_EINVAL;
    }
    if (rc == 0)
        v->debugreg[reg] = value;
    return rc;
}

/* get_debugreg(reg): the value, or -EINVAL for a register that is not one. DR4 and DR5 read as 0
 * (they alias DR6 and DR7 only with CR4.DE, which a PV guest never has). */
long do_get_debugreg(uint32_t reg, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    switch (reg) {
    case 0: case 1: case 2: case 3: case 6: case 7:
        return (long)current->debugreg[reg];
    case 4: case 5:
        return 0;
    default:
        return -XEN_EINVAL;
    }
}
