/* vcpu.c - a domain's virtual CPUs: making them (vcpus=), vcpu_op (bringing one up from a context
 * the guest gives, down, its timers, its runstate, where its vcpu_info lives) (ring 0, the
 * domain builder and the hypercall path).
 *
 * vCPU 0 starts running; the others start down and without a context, as in Xen: the guest
 * gives one a whole starting state with VCPUOP_initialise, each part of it checked as the
 * hypercall that sets it alone would check it, then VCPUOP_up makes it runnable. The scheduler
 * (sched_policy.c) shares the domain's weight among the vCPUs that are up. Each vCPU has its own
 * registers, virtual IDT, callbacks, kernel stack, descriptor tables, page-table base, debug
 * registers, FPU, timers and vcpu_info; the memory, event channels and grants are the domain's.
 * Making and freeing them, and their runstate accounts, are vcpu_table.c's.
 */
#include "descriptor.h"
#include "domain.h"
#include "hv.h"
#include "mmu.h"
#include "page_types.h"
#include "x86/control_regs.h"
#include "x86/eflags.h"

#define PERIODIC_MIN_NS 1000000ull    /* Xen refuses periods under 1 ms */
#define STIME_DELTA_MAX (~0ull >> 1)  /* and longer ones than Xen's time can add */

/* VCPUOP_up: it runs again as it was when it went down (a vCPU that was blocked stays so: down
 * and blocked are two things, as Xen's _VPF_down and _VPF_blocked). */
static long up(struct vcpu *v)
{
    if (!v->initialised)
        return -XEN_EINVAL;
    if (!v->online) {
        v->online = 1;
        runstate_change(v, v->run_state == VCPU_BLOCKED ? RUNSTATE_blocked : RUNSTATE_runnable);
    }
    return 0;
}

/* ---- VCPUOP_initialise ----------------------------------------------------------------------- */

/* The page-table base of a PAE guest's CR3 value (Xen's xen_cr3_to_pfn: with extended CR3 the
 * frame's high bits sit in the low ones). */
static uint32_t cr3_to_mfn(uint32_t cr3)
{
    return (cr3 >> 12) | (cr3 << 20);
}

/* The parts of a context that are all fields, once its base and tables have been accepted. */
static void set_registers(struct vcpu *v, const struct vcpu_guest_context *c)
{
    const struct cpu_user_regs *u = &c->user_regs;
    struct trap_frame *r = &v->regs;
    memset(r, 0, sizeof(*r));
    r->eax = u->eax, r->ebx = u->ebx, r->ecx = u->ecx, r->edx = u->edx;
    r->esi = u->esi, r->edi = u->edi, r->ebp = u->ebp, r->esp = u->esp, r->eip = u->eip;
    r->cs = fixup_guest_selector(u->cs);
    r->ss = fixup_guest_selector(u->ss);        /* a bad one: the failsafe callback, on the way in */
    r->ds = u->ds, r->es = u->es, r->fs = u->fs, r->gs = u->gs;
    r->eflags = (u->eflags & ~(EFLAGS_IOPL | EFLAGS_VM | EFLAGS_NT)) | EFLAGS_IF | EFLAGS_RESERVED;
    v->iopl = u->eflags & EFLAGS_IOPL;
    for (unsigned i = 0; i < 256; i++) {
        struct trap_info ti = c->trap_ctxt[i];
        ti.vector = (uint8_t)i;                    /* Xen takes the array as the IDT, by index */
        trap_table_set(v, &ti);
    }
    struct callback_register event = { .type = CALLBACKTYPE_event,
                                       .address = { c->event_callback_cs, c->event_callback_eip } };
    struct callback_register failsafe = { .type = CALLBACKTYPE_failsafe,
                                          .address = { c->failsafe_callback_cs, c->failsafe_callback_eip },
                                          .flags = (c->flags & VGCF_failsafe_disables_events) ? CALLBACKF_mask_events : 0 };
    register_callback(v, &event);
    register_callback(v, &failsafe);
    v->cr4 = c->ctrlreg[4] & CR4_DE;
    for (uint32_t reg = 0; reg < 8; reg++)
        if (reg != 4 && reg != 5)
            set_debugreg(v, reg, c->debugreg[reg]);    /* a refused value stays out, as Xen's */
    if (c->flags & VGCF_I387_VALID)
        fpu_set_image(v, (const uint8_t *)c->fpu_ctxt.x);
}

/* The tables of a context: GDT, LDT and kernel stack, each refused as its own hypercall would
 * (a null kernel SS is taken as "none yet", as a context XTF or a kernel fills in later has it). */
static long set_tables(struct vcpu *v, const struct vcpu_guest_context *c)
{
    if (c->gdt_ents > FIRST_RESERVED_GDT_ENTRY || c->ldt_ents > 8192 || (c->ldt_base & (PAGE_SIZE - 1)))
        return -XEN_EINVAL;
    long rc = gdt_set(v, c->gdt_frames, c->gdt_ents);
    if (rc < 0)
        return -XEN_EINVAL;
    rc = c->ldt_ents ? set_ldt(v, c->ldt_base, c->ldt_ents) : 0;
    if (rc == 0 && (c->kernel_ss & ~3u))
        rc = kernel_stack_set(v, c->kernel_ss, c->kernel_sp);
    else if (rc == 0)
        v->kernel_ss = 0, v->kernel_sp = c->kernel_sp;   /* none yet: a trap from ring 3 would crash it */
    if (rc < 0) {
        static const uint32_t none[1];
        set_ldt(v, 0, 0);                          /* nothing of a refused context stays */
        gdt_set(v, none, 0);
        return -XEN_EINVAL;
    }
    return 0;
}

/* VCPUOP_initialise: vCPU v's whole state, which it has none of yet (-EEXIST otherwise). Its
 * page-table base is validated first, in budgeted steps: a tree too big for one crossing makes
 * the call continue, as Xen's does, and since nothing else was taken yet, each round starts from
 * the context in guest memory again (XSA-296's lesson: no half-applied state across a
 * continuation). */
static struct vcpu_guest_context context;        /* one crossing at a time: no need for the stack */

static long initialise(struct vcpu *v, uint32_t arg)
{
    struct domain *d = v->domain;
    if (v->initialised)
        return -XEN_EEXIST;
    if (copy_from_guest(&context, arg, sizeof(context)) < 0)
        return -XEN_EFAULT;
    uint32_t mfn = cr3_to_mfn(context.ctrlreg[3]);
    if (mfn >= MAX_FRAMES || frame_table[mfn].owner != d->id)
        return -XEN_EINVAL;
    work_budget_start();
    long rc = get_page_type(d->id, mfn, PGT_l3);
    if (rc == -XEN_ERESTART)
        return hypercall_continuation(__HYPERVISOR_vcpu_op, VCPUOP_initialise, v->vcpu_id, arg);
    if (rc < 0)
        return -XEN_EINVAL;
    if ((rc = set_tables(v, &context)) < 0) {
        put_page_type(mfn);
        return rc;
    }
    v->l3_mfn = mfn;
    set_registers(v, &context);
    v->initialised = 1;
    if (context.flags & VGCF_online)
        up(v);                                     /* as Xen: the context says it runs */
    return 0;
}

/* ---- down, the rest of vcpu_op ------------------------------------------------------------- */

/* VCPUOP_down: the last vCPU of a domain to go down ends it, as on Xen (a poweroff). */
static long down(struct vcpu *v)
{
    struct domain *d = v->domain;
    int others = 0;
    for (uint32_t n = 0; n < d->max_vcpus; n++)
        others += d->vcpus[n] != v && d->vcpus[n]->online;
    if (!others)
        domain_shutdown(d, SHUTDOWN_poweroff);       /* does not return when d is running */
    if (!v->online)
        return 0;
    v->online = 0;
    if (v == current)
        vcpu_go_offline();                           /* the hypercall returns 0 when it is up again */
    runstate_change(v, RUNSTATE_offline);
    return 0;
}

/* VCPUOP_register_vcpu_info: v's vcpu_info moves to a page of the domain's (once; not across a
 * page end). The monitor writes it for as long as the domain lives, so the page is typed
 * writable for good, as Xen takes it. What was there is carried over, and every event is
 * looked at again (pending bits all set, as Xen sets them). */
static long register_vcpu_info(struct vcpu *v, uint32_t arg)
{
    struct vcpu_register_vcpu_info r;
    if (copy_from_guest(&r, arg, sizeof(r)) < 0)
        return -XEN_EFAULT;
    struct domain *d = v->domain;
    if (v != current && v->online)
        return -XEN_EINVAL;                          /* Xen's rule: one's own, or a vCPU that is down */
    if (v->info_registered || r.offset > PAGE_SIZE - sizeof(struct vcpu_info) || r.mfn >= MAX_FRAMES ||
        frame_table[r.mfn].owner != d->id || get_page_type(d->id, (uint32_t)r.mfn, PGT_writable) < 0)
        return -XEN_EINVAL;
    struct vcpu_info *new = (struct vcpu_info *)((uint8_t *)phys_to_virt((uint32_t)r.mfn << PAGE_SHIFT) + r.offset);
    memcpy(new, v->info, sizeof(*new));
    new->evtchn_upcall_pending = 1;
    new->evtchn_pending_sel = ~0u;
    v->info = new;
    v->info_registered = 1;
    return 0;
}

static long set_periodic(struct vcpu *v, uint32_t arg)
{
    struct vcpu_set_periodic_timer t;
    if (copy_from_guest(&t, arg, sizeof(t)) < 0)
        return -XEN_EFAULT;
    if (t.period_ns < PERIODIC_MIN_NS || t.period_ns > STIME_DELTA_MAX)
        return -XEN_EINVAL;
    v->periodic_period = t.period_ns;
    v->periodic_next = time_now_ns() + t.period_ns;
    timer_deadline_added(v->periodic_next);
    return 0;
}

static long set_singleshot(struct vcpu *v, uint32_t arg)
{
    struct vcpu_set_singleshot_timer t;
    if (v != current)
        return -XEN_EINVAL;                          /* as Xen: only one's own */
    if (copy_from_guest(&t, arg, sizeof(t)) < 0)
        return -XEN_EFAULT;
    if ((t.flags & VCPU_SSHOTTMR_future) && t.timeout_abs_ns < time_now_ns())
        return -XEN_ETIME;
    return timer_set_singleshot(v, t.timeout_abs_ns ? t.timeout_abs_ns : 1);   /* 0 is past: it fires */
}

/* VCPUOP_get_runstate_info: the times so far, the present state's included (Xen's
 * vcpu_runstate_get). */
static long get_runstate(struct vcpu *v, uint32_t arg)
{
    struct vcpu_runstate_info r = v->runstate;
    r.time[r.state] += time_now_ns() - r.state_entry_time;
    return copy_to_guest(arg, &r, sizeof(r));
}

/* VCPUOP_register_runstate_memory_area: where in guest memory the monitor keeps a copy of v's
 * runstate, written each time v is switched in (Linux needs it: xen_setup_runstate_info). */
static long register_runstate_area(struct vcpu *v, uint32_t arg)
{
    uint64_t va;
    if (copy_from_guest(&va, arg, sizeof(va)) < 0)
        return -XEN_EFAULT;
    if (va >= HYPERVISOR_VIRT_START)
        return -XEN_EINVAL;
    v->runstate_area = (uint32_t)va;
    if (v == current)
        runstate_publish(v);
    return 0;
}


/* vcpu_op(cmd, vcpu, arg). */
long do_vcpu_op(uint32_t cmd, uint32_t id, uint32_t arg, uint32_t a4, uint32_t a5)
{
    (void)a4, (void)a5;
    struct domain *d = current_domain();
    if (id >= d->max_vcpus)
        return -XEN_ENOENT;
    struct vcpu *v = d->vcpus[id];
    switch (cmd) {
    case VCPUOP_initialise:          return initialise(v, arg);
    case VCPUOP_up:                  return up(v);
    case VCPUOP_down:                return down(v);
    case VCPUOP_is_up:               return v->online;
    case VCPUOP_get_runstate_info:   return get_runstate(v, arg);
    case VCPUOP_register_runstate_memory_area: return register_runstate_area(v, arg);
    case VCPUOP_register_vcpu_info:  return register_vcpu_info(v, arg);
    case VCPUOP_set_periodic_timer:  return set_periodic(v, arg);
    case VCPUOP_stop_periodic_timer: v->periodic_period = 0; return 0;
    case VCPUOP_set_singleshot_timer: return set_singleshot(v, arg);
    case VCPUOP_stop_singleshot_timer:
        if (v != current)
            return -XEN_EINVAL;
        v->timer_deadline = 0;
        return 0;
    default:                         return -XEN_ENOSYS;
    }
}
