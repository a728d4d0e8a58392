/* trap_bounce.c - the virtual CPU's traps: the guest's virtual IDT, bouncing exceptions and
 * events to the guest kernel, and the hypercalls that set it up (ring 0, on the monitor stack,
 * with the guest's frame at its top).
 *
 * Tour step 1 (bounced trap): an exception in ring 1 or 3 enters the monitor (hv/entry.asm), and
 * trap_dispatch sends it to guest_exception below. Unless the monitor handles it itself (the
 * forced-emulation CPUID, a privileged instruction it emulates, a lazy-FPU #NM), the exception is
 * *bounced*: the monitor writes the frame the CPU would have written onto the guest kernel's
 * stack and resumes the guest at its handler, as if the hardware had delivered it there.
 */
#include "domain.h"
#include "hv.h"
#include "hypercalls.h"
#include "mmu.h"
#include "segments.h"
#include "x86.h"

#define EFLAGS_TF 0x00000100
#define EFLAGS_NT 0x00004000
#define EFLAGS_RF 0x00010000
#define EFLAGS_VM 0x00020000
#define INT_INSTRUCTION_LENGTH 2      /* `int $n` is cd ib */

static int ring_of(uint32_t cs) { return cs & 3; }

/* Xen's rule for a selector a gate or callback will use (xen/include/asm-x86/x86_32/...):
 * the guest's own GDT or LDT entries, or the flat ring-1 code segment; never another of the
 * monitor's. RPL 0 is raised to the guest kernel's ring, 1. We also refuse the null selector. */
static int fix_code_selector(uint32_t *sel)
{
    uint32_t s = *sel & 0xFFFF;
    if ((s & 3) == 0)
        s |= 1;
    if ((s & ~3u) == 0)
        return -1;
    if ((s >> 3) >= FIRST_RESERVED_GDT_ENTRY && s != FLAT_RING1_CS && !(s & 4))
        return -1;
    *sel = s;
    return 0;
}

/* ---- building a bounce frame ---------------------------------------------------------------- */

struct bounce {
    uint32_t cs, eip;
    int mask_events;           /* set evtchn_upcall_mask on entry (an interrupt gate) */
    int has_error;
    uint32_t error_code;
    int failsafe;              /* also push the data segment selectors */
};

/* Tour step 2 (bounced trap): write the frame on the guest kernel's stack. From ring 3 the stack
 * is first switched to kernel_ss:kernel_sp and the old SS:ESP pushed; then EFLAGS (IF showing the
 * saved upcall mask, the guest's virtual IF), CS with that mask in bits 16-23, EIP, and the error
 * code; a failsafe frame ends with DS, ES, FS, GS. */
static int bounce_to(struct vcpu *v, struct trap_frame *f, const struct bounce *b)
{
    uint32_t frame[10], *top = &frame[10], *p = top;     /* filled downwards, as a stack is */
    uint32_t ss = f->ss, esp = f->esp;
    uint8_t saved_mask = v->info->evtchn_upcall_mask;
    if (ring_of(f->cs) != 1) {
        ss = v->kernel_ss;
        esp = v->kernel_sp;
        *--p = f->ss;
        *--p = f->esp;
    }
    *--p = (f->eflags & ~EFLAGS_IF) | (saved_mask ? 0 : EFLAGS_IF);
    *--p = (f->cs & 0xFFFF) | (uint32_t)saved_mask << 16;
    *--p = f->eip;
    if (b->has_error)
        *--p = b->error_code;
    if (b->failsafe) {
        *--p = f->gs;
        *--p = f->fs;
        *--p = f->es;
        *--p = f->ds;
    }
    uint32_t size = (uint32_t)(top - p) * 4;
    if (copy_to_guest(esp - size, p, size) < 0) {
        domain_crash(v->domain, "bad kernel stack %04x:%08x while delivering a trap from eip %08x",
                     ss, esp, f->eip);
        return -1;
    }
    f->ss = ss;
    f->esp = esp - size;
    f->cs = b->cs;
    f->eip = b->eip;
    f->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_RF | EFLAGS_VM);
    if (b->mask_events)
        v->info->evtchn_upcall_mask = 1;
    return 0;
}

/* Bounce exception `vector` to the guest's own handler; crash the domain if it has none. */
static void bounce_exception(struct vcpu *v, struct trap_frame *f, uint32_t vector, int has_error,
                             uint32_t error_code)
{
    const struct trap_info *ti = &v->trap_table[vector];
    if (!ti->address) {
        guest_unhandled(f, vector, error_code);
        return;
    }
    struct bounce b = { ti->cs, ti->address, TI_GET_IF(ti) != 0, has_error, error_code, 0 };
    stats.bounced[vector]++;
    bounce_to(v, f, &b);
}

static int has_error_code(uint32_t vector)
{
    return vector == VEC_DF || (vector >= VEC_TS && vector <= VEC_PF) || vector == VEC_AC;
}

/* A #GP raised by `int $n` whose real gate forbids ring 1 or 3 (every vector but the few the
 * monitor opens): the error code is (n << 3) | 2. If the guest's virtual gate for n allows the
 * caller's ring, it is a software interrupt for the guest: skip the instruction and deliver n. */
static int software_interrupt(struct vcpu *v, struct trap_frame *f)
{
    if ((f->error_code & 7) != 2)
        return 0;
    uint32_t n = f->error_code >> 3;
    const struct trap_info *ti = &v->trap_table[n];
    if (!ti->address || (uint32_t)TI_GET_DPL(ti) < (uint32_t)ring_of(f->cs))
        return 0;
    f->eip += INT_INSTRUCTION_LENGTH;
    stats.soft_int_bounced++;
    bounce_exception(v, f, n, 0, 0);
    return 1;
}

void guest_exception(struct trap_frame *f)
{
    struct vcpu *v = current;
    switch (f->vector) {
    case VEC_UD:
        if (emulate_forced_cpuid(f))
            return;
        break;
    case VEC_GP:
        if (software_interrupt(v, f) || (f->error_code == 0 && emulate_privileged(v, f)))
            return;
        break;
    case VEC_NM:
        if (fpu_device_not_available(v))
            return;
        break;
    case VEC_PF:
        v->info->arch.cr2 = read_cr2();
        break;
    }
    bounce_exception(v, f, f->vector, has_error_code(f->vector), f->error_code);
}

/* `sysenter` does not clear the trap flag (SDM vol. 2, SYSENTER), unlike every gate: a guest that
 * single-steps over it takes a #DB in ring 0, on the first instruction of sysenter_entry, with
 * the monitor's frame for it half built. That trap is the guest's, not a monitor fault: the entry
 * resumes without TF, and sysenter_dispatch gives TF back to the guest's flags, so the guest's
 * callback finds it in its frame and the single step goes on when it returns (Xen does the
 * same). Returns 1 when f is such a trap. */
static int sysenter_stepped;

int sysenter_single_step(struct trap_frame *f)
{
    if (f->vector != VEC_DB || f->eip != (uint32_t)(uintptr_t)sysenter_entry)
        return 0;
    f->eflags &= ~EFLAGS_TF;
    sysenter_stepped = 1;
    return 1;
}

/* `sysenter` from the guest: to its sysenter callback, with the frame hv/entry.asm built (EIP and
 * ESP 0); with no callback registered, the #GP the instruction would raise without SYSENTER. */
void sysenter_dispatch(struct trap_frame *f);
void sysenter_dispatch(struct trap_frame *f)
{
    struct vcpu *v = current;
    stats.entries[SYSENTER_VECTOR]++;
    if (sysenter_stepped) {
        f->eflags |= EFLAGS_TF;
        sysenter_stepped = 0;
    }
    if (!v->sysenter_callback.eip) {
        bounce_exception(v, f, VEC_GP, 1, 0);
    } else {
        struct bounce b = { v->sysenter_callback.cs, v->sysenter_callback.eip, v->sysenter_masks_events, 0, 0, 0 };
        stats.sysenter++;
        bounce_to(v, f, &b);
    }
    deliver_pending_upcall(f);
}

/* ---- events: the upcall ------------------------------------------------------------------------- */

/* Tour step 1 (event): before every return to a guest, an event that is pending and not masked
 * is delivered through the event callback, with events masked, as an interrupt would be. */
void deliver_pending_upcall(struct trap_frame *f)
{
    struct vcpu *v = current;
    if (!v || !v->info->evtchn_upcall_pending || v->info->evtchn_upcall_mask || !v->event_callback.eip)
        return;
    struct bounce b = { v->event_callback.cs, v->event_callback.eip, 1, 0, 0, 0 };
    stats.upcalls++;
    bounce_to(v, f, &b);
}

/* A fault while the monitor reloaded a guest's segment registers or executed its final iret: the
 * guest gave a bad selector or frame. Xen sends it to the failsafe callback with the selectors. */
void bounce_failsafe(struct trap_frame *f)
{
    struct vcpu *v = current;
    if (!v->failsafe_callback.eip) {
        domain_crash(v->domain, "bad segment or iret frame on return to the guest (cs %04x eip %08x "
                     "ss %04x ds %04x es %04x fs %04x gs %04x), and no failsafe callback",
                     f->cs & 0xFFFF, f->eip, f->ss & 0xFFFF, f->ds & 0xFFFF, f->es & 0xFFFF,
                     f->fs & 0xFFFF, f->gs & 0xFFFF);
        return;
    }
    struct bounce b = { v->failsafe_callback.cs, v->failsafe_callback.eip, v->failsafe_masks_events, 0, 0, 1 };
    stats.failsafe++;
    if (ring_of(f->cs) == 0 || ring_of(f->cs) == 2)
        f->cs = FLAT_RING1_CS;           /* the frame itself was the problem: report from ring 1 */
    if (bounce_to(v, f, &b) == 0)
        f->ds = f->es = f->fs = f->gs = 0;   /* the null selector always loads */
}

/* ---- hypercalls ---------------------------------------------------------------------------- */

/* Install or remove the real gate for `int $0x80` (Xen's direct trap): only a trap gate (no
 * event masking) whose selector is safe to put into the IDT. */
static void update_int80_gate(struct vcpu *v)
{
    struct trap_info *ti = &v->trap_table[SYSCALL_VECTOR];
    uint32_t cs = ti->cs;
    if (!ti->address || TI_GET_IF(ti) || fix_code_selector(&cs) < 0) {
        v->int80_gate = 0;
    } else {
        v->int80_gate = (uint64_t)(ti->address & 0xFFFF) | (uint64_t)cs << 16
                      | (uint64_t)((ti->address & 0xFFFF0000) | SEG_P << 8 | SEG_DPL(TI_GET_DPL(ti)) << 8
                                   | GATE_TRAP32 << 8) << 32;
    }
    if (v == current)
        idt_set_syscall_gate(v->int80_gate);
}

long do_set_trap_table(uint32_t table, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    struct vcpu *v = current;
    if (!table) {                       /* no table: clear the whole virtual IDT */
        memset(v->trap_table, 0, sizeof(v->trap_table));
        update_int80_gate(v);
        return 0;
    }
    for (uint32_t i = 0; i < NR_VECTORS; i++) {
        struct trap_info ti;
        if (copy_from_guest(&ti, table + i * sizeof(ti), sizeof(ti)) < 0)
            return -XEN_EFAULT;
        if (!ti.address)
            break;
        uint32_t cs = ti.cs;
        if (fix_code_selector(&cs) < 0) {
            hv_warn("domain %u: set_trap_table: vector %u has a bad selector %04x\n",
                    v->domain->id, ti.vector, ti.cs);
            return -XEN_EINVAL;
        }
        ti.cs = (uint16_t)cs;
        v->trap_table[ti.vector] = ti;
        if (ti.vector == SYSCALL_VECTOR)
            update_int80_gate(v);
    }
    return 0;
}

/* The ring-1 stack the CPU (through the TSS) and the monitor switch to on a trap from ring 3. */
long do_stack_switch(uint32_t ss, uint32_t esp, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    if ((ss & 3) == 0)
        ss |= 1;                        /* Xen raises the RPL to the guest kernel's ring */
    current->kernel_ss = ss & 0xFFFF;
    current->kernel_sp = esp;
    tss_set_guest_stack(current->kernel_ss, current->kernel_sp);
    return 0;
}

static long set_callback(struct xen_callback *cb, uint32_t cs, uint32_t eip)
{
    if (eip && fix_code_selector(&cs) < 0)
        return -XEN_EINVAL;
    cb->cs = cs;
    cb->eip = eip;
    return 0;
}

long do_set_callbacks(uint32_t event_cs, uint32_t event_eip, uint32_t failsafe_cs, uint32_t failsafe_eip,
                      uint32_t a5)
{
    (void)a5;
    long rc = set_callback(&current->event_callback, event_cs, event_eip);
    return rc ? rc : set_callback(&current->failsafe_callback, failsafe_cs, failsafe_eip);
}

static struct xen_callback *callback_slot(struct vcpu *v, uint32_t type)
{
    switch (type) {
    case CALLBACKTYPE_event:     return &v->event_callback;
    case CALLBACKTYPE_failsafe:  return &v->failsafe_callback;
    case CALLBACKTYPE_sysenter:  return &v->sysenter_callback;
    case CALLBACKTYPE_syscall32: return &v->syscall32_callback;
    default:                     return NULL;
    }
}

long do_callback_op(uint32_t cmd, uint32_t arg, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    struct vcpu *v = current;
    if (cmd == CALLBACKOP_register) {
        struct callback_register reg;
        if (copy_from_guest(&reg, arg, sizeof(reg)) < 0)
            return -XEN_EFAULT;
        struct xen_callback *cb = callback_slot(v, reg.type);
        if (!cb)
            return -XEN_EINVAL;
        if (reg.type == CALLBACKTYPE_failsafe)
            v->failsafe_masks_events = (reg.flags & CALLBACKF_mask_events) != 0;
        if (reg.type == CALLBACKTYPE_sysenter)
            v->sysenter_masks_events = (reg.flags & CALLBACKF_mask_events) != 0;
        return set_callback(cb, reg.address.cs, reg.address.eip);
    }
    if (cmd == CALLBACKOP_unregister) {
        struct callback_unregister unreg;
        if (copy_from_guest(&unreg, arg, sizeof(unreg)) < 0)
            return -XEN_EFAULT;
        struct xen_callback *cb = callback_slot(v, unreg.type);
        if (!cb)
            return -XEN_EINVAL;
        cb->cs = cb->eip = 0;
        return 0;
    }
    return -XEN_ENOSYS;
}

/* Tour step 3 (bounced trap): the guest returns from its handler with the iret hypercall when its
 * virtual IF must change on the way (a real `iret` in ring 1 cannot restore it) or an event is
 * waiting; otherwise a plain `iret` does, as the SDK's exit and Linux's xen_iret choose. Its
 * stack holds EAX (pushed by the hypercall page's slot 23), EIP, CS, EFLAGS and, returning to
 * ring 2 or 3, ESP and SS. */
long do_iret(uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
    struct vcpu *v = current;
    struct trap_frame *f = guest_regs();
    uint32_t frame[6];          /* eax, eip, cs, eflags, esp, ss */
    if (copy_from_guest(frame, f->esp, 4 * 4) < 0) {
        domain_crash(v->domain, "iret: frame at %08x unreadable", f->esp);
        return 0;
    }
    uint32_t cs = frame[2] & 0xFFFF, eflags = frame[3];
    if (ring_of(cs) == 0) {
        domain_crash(v->domain, "iret: refusing to return to ring 0 (cs %04x eip %08x)", cs, frame[1]);
        return 0;
    }
    if (ring_of(cs) != 1) {
        if (copy_from_guest(&frame[4], f->esp + 16, 2 * 4) < 0) {
            domain_crash(v->domain, "iret: frame at %08x unreadable", f->esp);
            return 0;
        }
        f->esp = frame[4];
        f->ss = frame[5] & 0xFFFF;
    } else {
        f->esp += 4 * 4;
    }
    f->eip = frame[1];
    f->cs = cs;
    f->eflags = (eflags & ~(EFLAGS_IOPL | EFLAGS_VM | EFLAGS_NT)) | EFLAGS_IF | EFLAGS_RESERVED;
    v->info->evtchn_upcall_mask = !(eflags & EFLAGS_IF);
    stats.irets++;
    return frame[0];            /* the guest's EAX, restored through the hypercall's result */
}

/* Bring the per-vCPU trap state into the CPU when a vCPU starts running. */
void trap_state_load(struct vcpu *v)
{
    idt_set_syscall_gate(v->int80_gate);
    tss_set_guest_stack(v->kernel_ss, v->kernel_sp);
}
