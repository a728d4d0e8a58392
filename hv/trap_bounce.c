/* trap_bounce.c - the virtual CPU's traps: the guest's virtual IDT, bouncing exceptions and
 * events to the guest kernel, and the hypercalls that set it up (ring 0, on the monitor stack,
 * with the guest's frame at its top).
 *
 * An exception in ring 1 or 3 enters the monitor (hv/entry.asm), and trap_dispatch sends it to
 * guest_exception below (tour step 1, bounced trap). Unless the monitor handles it itself (the
 * forced-emulation CPUID, a privileged instruction it emulates, a lazy-FPU #NM), the exception is
 * *bounced*: the monitor writes the frame the CPU would have written onto the guest kernel's
 * stack and resumes the guest at its handler, as if the hardware had delivered it there.
 */
#include "descriptor.h"
#include "domain.h"
#include "hv.h"
#include "mmu.h"
#include "segments.h"
#include "x86.h"

#define INT_INSTRUCTION_LENGTH 2      /* `int $n` is cd ib */

static int ring_of(uint32_t cs) { return cs & 3; }

/* ---- building a bounce frame ---------------------------------------------------------------- */

struct bounce {
    uint32_t cs, eip;
    int mask_events;           /* set evtchn_upcall_mask on entry (an interrupt gate) */
    int has_error;
    uint32_t error_code;
    int failsafe;              /* also push the data segment selectors */
};

/* The IOPL a guest frame shows: the virtual one under VMASST_TYPE_architectural_iopl (the kernel
 * reads and restores it as a native kernel does), else 0. */
static uint32_t frame_iopl(const struct vcpu *v)
{
    return (v->domain->vm_assist & (1u << VMASST_TYPE_architectural_iopl)) ? v->iopl : 0;
}

/* The frame's words, filled downwards from `top` as a stack is; returns the lowest. EFLAGS has IF
 * showing the saved upcall mask (the guest's virtual IF) and IOPL the virtual IOPL (frame_iopl),
 * CS that mask in bits 16-23. */
static uint32_t *frame_words(const struct vcpu *v, const struct trap_frame *f, const struct bounce *b,
                             uint32_t *top)
{
    uint32_t *p = top;
    uint8_t saved_mask = v->info->evtchn_upcall_mask;
    if (ring_of(f->cs) != 1) {
        *--p = f->ss;
        *--p = f->esp;
    }
    *--p = (f->eflags & ~(EFLAGS_IF | EFLAGS_IOPL)) | (saved_mask ? 0 : EFLAGS_IF) | frame_iopl(v);
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
    return p;
}

/* Whether ss can carry the guest kernel, with its descriptor: one of the guest's own entries or
 * FLAT_RING1_SS (guest_stack_selector_ok), and a segment the CPU takes as SS for ring 1 when the
 * monitor's iret loads it (descriptor_is_ring1_stack), read from the tables the CPU reads. */
static int kernel_stack_segment(uint32_t ss, uint64_t *d)
{
    return guest_stack_selector_ok(ss) && segment_descriptor(ss, d) == 0 && descriptor_is_ring1_stack(*d);
}

/* The linear address for `size` bytes below ss:esp, or why the frame cannot go there. Xen writes
 * its frame through %gs loaded with that SS, so its CPU checks the segment and the limit and adds
 * the base; a fault there crashes the domain (entry.S, create_bounce_frame). */
static const char *stack_refusal(uint32_t ss, uint32_t esp, uint32_t size, uint32_t *linear)
{
    uint64_t d;
    uint32_t base = 0, limit = GUEST_SEGMENT_MAX_ADDR - 1;
    if (ss != FLAT_RING1_SS) {          /* that one is the monitor's, flat, and never changes */
        if (!kernel_stack_segment(ss, &d))
            return "not a ring-1 writable data segment";
        base = descriptor_base(d);
        limit = descriptor_limit(d);
    }
    if (esp < size || esp - 1 > limit)
        return "the frame would cross the segment's limit";
    *linear = base + esp - size;
    return NULL;
}

/* Tour step 2 (bounced trap): write the frame on the guest kernel's stack. From ring 2 or 3 the
 * stack is first switched to kernel_ss:kernel_sp and the old SS:ESP pushed; then EFLAGS, CS, EIP
 * and the error code; a failsafe frame ends with DS, ES, FS, GS. The stack segment is checked
 * first, every time: a frame the final iret could not return through would only fault again. */
static int bounce_to(struct vcpu *v, struct trap_frame *f, const struct bounce *b)
{
    uint32_t frame[10], *top = &frame[10];
    uint32_t ss = f->ss & 0xFFFF, esp = f->esp, linear;
    if ((b->cs & ~3u) == 0) {            /* Xen's create_bounce_frame: null selectors are not allowed */
        domain_crash(v->domain, "bounce from eip %08x to the null selector %04x:%08x", f->eip, b->cs, b->eip);
        return -1;
    }
    if (ring_of(f->cs) != 1) {
        ss = v->kernel_ss;
        esp = v->kernel_sp;
    }
    uint32_t *p = frame_words(v, f, b, top), size = (uint32_t)(top - p) * 4;
    const char *why = stack_refusal(ss, esp, size, &linear);
    if (!why && copy_to_guest(linear, p, size) < 0)
        why = "not mapped writable";
    if (why) {
        domain_crash(v->domain, "bad kernel stack %04x:%08x while delivering a trap from eip %08x: %s",
                     ss, esp, f->eip, why);
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
    f->eflags &= ~EFLAGS_RF;
    stats.soft_int_bounced++;
    bounce_exception(v, f, n, 0, 0);
    return 1;
}

/* A #GP the monitor may emulate away: done (and a #DB raised on the way, as the instruction
 * would), or turned into the #UD the instruction raises on a real CPU; 0 to bounce the #GP. */
static int emulated(struct vcpu *v, struct trap_frame *f)
{
    uint32_t debug_status;
    switch (emulate_privileged(v, f, &debug_status)) {
    case EMULATED:
        if (debug_status) {
            debug_status_merge(v, debug_status);
            bounce_exception(v, f, VEC_DB, 0, 0);
        }
        return 1;
    case EMULATED_AS_UD:
        bounce_exception(v, f, VEC_UD, 0, 0);
        return 1;
    case EMULATED_AS_PF:                            /* a string I/O instruction's buffer */
        bounce_exception(v, f, VEC_PF, 1, debug_status);
        return 1;
    default:
        return 0;
    }
}

/* Tour step 1 (bounced trap): an exception from the guest. The monitor's own chances come first
 * (the forced-emulation CPUID, an instruction it emulates, the lazy FPU); anything else is the
 * guest kernel's, bounced to its handler, or the end of the domain when it has none. */
void guest_exception(struct trap_frame *f)
{
    struct vcpu *v = current;
    switch (f->vector) {
    case VEC_UD:
        if (emulate_forced_cpuid(f))
            return;
        break;
    case VEC_GP:
        if (software_interrupt(v, f) || (f->error_code == 0 && emulated(v, f)))
            return;
        break;
    case VEC_NM:
        if (fpu_device_not_available(v))
            return;
        break;
    case VEC_PF:
        v->info->arch.cr2 = read_cr2();
        break;
    case VEC_DB:
        debug_trap_from_guest(v);
        break;
    }
    bounce_exception(v, f, f->vector, vector_has_error_code(f->vector), f->error_code);
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
    if (f->eip != (uint32_t)(uintptr_t)sysenter_entry || !(f->eflags & EFLAGS_TF))
        return 0;
    f->eflags &= ~EFLAGS_TF;
    sysenter_stepped = 1;
    return 1;
}

/* `sysenter` from the guest: to its sysenter callback, with the frame hv/entry.asm built (EIP and
 * ESP 0); with no callback registered, the #GP the instruction would raise without SYSENTER. */
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
 * guest gave a bad selector or frame. Xen sends it to the failsafe callback with the selectors.
 * One case cannot be sent there: an iret that faulted on its way into the failsafe callback
 * itself. What that iret checks (the callback's CS and EIP, and for an RPL other than 1 the
 * ring-1 SS of the frame) would be the same on every new delivery, so delivering again would
 * fault again, with interrupts off, for ever (or 28 bytes lower each time, down the guest's
 * stack). Xen's entry.S warns that a domain must keep its failsafe callback "in good order
 * (absolutely no faults allowed!)" and may be killed otherwise: this monitor crashes it. */
void bounce_failsafe(struct trap_frame *f, int at_iret)
{
    struct vcpu *v = current;
    const struct xen_callback *cb = &v->failsafe_callback;
    if (!cb->eip) {
        domain_crash(v->domain, "bad segment or iret frame on return to the guest (cs %04x eip %08x "
                     "ss %04x ds %04x es %04x fs %04x gs %04x), and no failsafe callback",
                     f->cs & 0xFFFF, f->eip, f->ss & 0xFFFF, f->ds & 0xFFFF, f->es & 0xFFFF,
                     f->fs & 0xFFFF, f->gs & 0xFFFF);
        return;
    }
    if (at_iret && (f->cs & 0xFFFF) == cb->cs && f->eip == cb->eip) {
        domain_crash(v->domain, "fault while delivering the failsafe callback %04x:%08x (frame at "
                     "ss %04x esp %08x): it would fault again on every delivery",
                     cb->cs, cb->eip, f->ss & 0xFFFF, f->esp);
        return;
    }
    struct bounce b = { cb->cs, cb->eip, v->failsafe_masks_events, 0, 0, 1 };
    stats.failsafe++;
    if (bounce_to(v, f, &b) == 0)
        f->ds = f->es = f->fs = f->gs = 0;   /* the null selector always loads */
}

/* ---- hypercalls ---------------------------------------------------------------------------- */

/* Tour step 1 (direct system call): install or remove the real gate for `int $0x80` (Xen's
 * direct trap, init_int80_direct_trap):
 * only a trap gate (no event masking: the CPU cannot set the upcall mask), and only for a
 * selector Xen's guest_gate_selector_okay lets into a gate, where the CPU ignores its RPL. */
static void update_int80_gate(struct vcpu *v)
{
    struct trap_info *ti = &v->trap_table[SYSCALL_VECTOR];
    if (!ti->address || TI_GET_IF(ti) || !guest_gate_selector_ok(ti->cs)) {
        v->int80_gate = 0;
    } else {
        v->int80_gate = (uint64_t)(ti->address & 0xFFFF) | (uint64_t)ti->cs << 16
                      | (uint64_t)((ti->address & 0xFFFF0000) | SEG_P << 8 | SEG_DPL(TI_GET_DPL(ti)) << 8
                                   | GATE_TRAP32 << 8) << 32;
    }
    if (v == current)
        idt_set_syscall_gate(v->int80_gate);
}

/* set_trap_table(table): the virtual IDT. As in Xen, a handler's selector only has an RPL of 0
 * raised to 1 and is never refused here: an iret checks it when a trap is delivered through it
 * (a bad one goes to the failsafe callback), and the one gate the CPU uses without the monitor,
 * `int $0x80`'s, is installed only for a selector Xen's gate rule accepts. */
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
        trap_table_set(v, &ti);
    }
    return 0;
}

/* One entry of v's virtual IDT, as set_trap_table (and VCPUOP_initialise) takes it. */
void trap_table_set(struct vcpu *v, const struct trap_info *entry)
{
    struct trap_info ti = *entry;
    ti.cs = (uint16_t)fixup_guest_selector(ti.cs);
    v->trap_table[ti.vector] = ti;
    if (ti.vector == SYSCALL_VECTOR)
        update_int80_gate(v);
}

/* stack_switch(ss, esp): the ring-1 stack the CPU (through the TSS, for the direct `int $0x80`
 * gate and call gates) and the monitor (for bounced traps) switch to on a trap from ring 3.
 * Xen 4.2 (x86_32/mm.c) only raises an RPL of 0 to 1 and takes any SS; a bad one then fails
 * when create_bounce_frame loads it, and the domain is crashed. We are stricter and refuse it
 * here with -EINVAL unless it names a ring-1 writable data segment now (kernel_stack_segment):
 * the CPU loads it from the TSS with no monitor in the way, a guest told at once can still fix
 * its mistake, and a correct guest cannot tell (Linux and Mini-OS pass FLAT_KERNEL_SS). The
 * descriptor may change later, so every bounce frame checks it again (bounce_to). */
long do_stack_switch(uint32_t ss, uint32_t esp, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    return kernel_stack_set(current, ss, esp);
}

/* v's ring-1 stack for traps from ring 3, with stack_switch's check (the selector is read in the
 * descriptor tables the CPU has now: the running vCPU's, of the same domain). */
long kernel_stack_set(struct vcpu *v, uint32_t ss, uint32_t esp)
{
    uint64_t d;
    ss = fixup_guest_selector(ss & 0xFFFF);
    if (!kernel_stack_segment(ss, &d)) {
        hv_warn("domain %u: stack_switch: refusing ss %04x (esp %08x): not a ring-1 writable data segment\n",
                v->domain->id, ss, esp);
        return -XEN_EINVAL;
    }
    v->kernel_ss = ss;
    v->kernel_sp = esp;
    if (v == current)
        tss_set_guest_stack(v->kernel_ss, v->kernel_sp);
    return 0;
}

/* Xen's NMI callback is vector 2 of the virtual IDT, FLAT_RING1_CS with events masked
 * (register_guest_nmi_callback). This monitor forwards no NMI to a guest, so it is only kept. */
static void set_nmi_callback(struct vcpu *v, uint32_t eip)
{
    struct trap_info *ti = &v->trap_table[VEC_NMI];
    *ti = (struct trap_info){ .vector = VEC_NMI, .cs = FLAT_RING1_CS, .address = eip };
    TI_SET_IF(ti, 1);
}

/* Xen's register_guest_callback for a 32-bit guest (the 64-bit Xen's, which also takes the
 * sysenter and syscall32 callbacks XTF registers at boot): the selector's RPL raised from 0 to 1,
 * nothing refused; what it names is checked when the callback is delivered. */
long register_callback(struct vcpu *v, const struct callback_register *reg)
{
    struct xen_callback cb = { fixup_guest_selector(reg->address.cs & 0xFFFF), reg->address.eip };
    int masks_events = (reg->flags & CALLBACKF_mask_events) != 0;
    switch (reg->type) {
    case CALLBACKTYPE_event:
        v->event_callback = cb;
        return 0;
    case CALLBACKTYPE_failsafe:
        v->failsafe_callback = cb;
        v->failsafe_masks_events = masks_events;
        return 0;
    case CALLBACKTYPE_sysenter:
        v->sysenter_callback = cb;
        v->sysenter_masks_events = masks_events;
        return 0;
    case CALLBACKTYPE_syscall32:
        v->syscall32_callback = cb;
        return 0;
    case CALLBACKTYPE_nmi:
        set_nmi_callback(v, reg->address.eip);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

/* Xen's unregister_guest_callback: only the NMI callback can be taken back. */
static long unregister_callback(struct vcpu *v, uint32_t type)
{
    switch (type) {
    case CALLBACKTYPE_event:
    case CALLBACKTYPE_failsafe:
    case CALLBACKTYPE_sysenter:
    case CALLBACKTYPE_syscall32:
        return -XEN_EINVAL;
    case CALLBACKTYPE_nmi:
        memset(&v->trap_table[VEC_NMI], 0, sizeof(v->trap_table[VEC_NMI]));
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

/* set_callbacks(event_cs, event_eip, failsafe_cs, failsafe_eip): both callbacks, as callback_op
 * would register them (the failsafe one without event masking); Xen always returns 0. */
long do_set_callbacks(uint32_t event_cs, uint32_t event_eip, uint32_t failsafe_cs, uint32_t failsafe_eip,
                      uint32_t a5)
{
    (void)a5;
    struct callback_register event = { .type = CALLBACKTYPE_event, .address = { event_cs, event_eip } };
    struct callback_register failsafe = { .type = CALLBACKTYPE_failsafe, .address = { failsafe_cs, failsafe_eip } };
    register_callback(current, &event);
    register_callback(current, &failsafe);
    return 0;
}

long do_callback_op(uint32_t cmd, uint32_t arg, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    if (cmd == CALLBACKOP_register) {
        struct callback_register reg;
        if (copy_from_guest(&reg, arg, sizeof(reg)) < 0)
            return -XEN_EFAULT;
        return register_callback(current, &reg);
    }
    if (cmd == CALLBACKOP_unregister) {
        struct callback_unregister unreg;
        if (copy_from_guest(&unreg, arg, sizeof(unreg)) < 0)
            return -XEN_EFAULT;
        return unregister_callback(current, unreg.type);
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
    if (v->domain->vm_assist & (1u << VMASST_TYPE_architectural_iopl))
        v->iopl = eflags & EFLAGS_IOPL;        /* the frame's IOPL is the new virtual one */
    stats.irets++;
    return frame[0];            /* the guest's EAX, restored through the hypercall's result */
}

/* Bring the per-vCPU trap state into the CPU when a vCPU starts running. */
void trap_state_load(struct vcpu *v)
{
    idt_set_syscall_gate(v->int80_gate);
    tss_set_guest_stack(v->kernel_ss, v->kernel_sp);
}
