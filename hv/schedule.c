/* schedule.c - switching vCPUs: running the one the policy picks (sched_policy.c), putting the
 * running one aside when it blocks, yields or is preempted, idling when none can run, powering
 * off when no domain is left, and the sched_op hypercall (ring 0).
 *
 * There is one monitor stack (hv/cpu.c). Its top always holds the running guest's frame: every
 * trap from ring 1 or 3 pushes its registers there (the TSS's ESP0 points at the top), and every
 * return to a guest pops them from there. Switching vCPUs is therefore copying frames: the
 * running one's registers out to its struct vcpu, the next one's in; then its page tables, its
 * trap state (syscall gate, ring-1 stack) and time record come along, and the monitor leaves
 * through the ordinary trap exit.
 */
#include "domain.h"
#include "hv.h"
#include "segments.h"
#include "x86.h"

/* Power off when nothing is left; the status says whether every domain ended cleanly. */
void all_done(void)
{
    unsigned ran = 0, clean = 0;
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        if (domains[i].state == DOMAIN_FREE)
            continue;
        ran++;
        clean += domains[i].state == DOMAIN_SHUTDOWN && domains[i].shutdown_reason == SHUTDOWN_poweroff;
    }
    hv_info("%u domain(s) ran, %u ended cleanly; %u frames free\n", ran, clean, machine_frames.nr_free);
    if (clean != ran || refused_modules)
        power_off(HV_STATUS_DOMAIN_FAILED, refused_modules ? "a module was refused" : "a domain failed");
    power_off(HV_STATUS_OK, ran ? "all domains ended cleanly" : "nothing left to run");
}

/* For the benchmark: how long from the monitor's first instruction to a guest's first one, in TSC
 * ticks, and how many of those it spent halted (waiting for the timer at boot). Under QEMU's
 * -icount the difference is the instructions the monitor ran. */
static void report_first_entry(void)
{
    static int reported;
    if (!reported) {
        reported = 1;
        uint64_t ticks = rdtsc() - boot_tsc;
        hv_info("boot: %llu TSC ticks from the monitor's entry to the first guest instruction, "
                "%llu of them halted, %llu not\n", (unsigned long long)ticks,
                (unsigned long long)halted_tsc, (unsigned long long)(ticks - halted_tsc));
    }
}

/* When the vCPU that switched away did (the next one's runstate starts then too), or 0. */
static uint64_t switch_time;

/* Tour step 6 (boot): run a vCPU. Its saved registers go to the top of the monitor stack, the
 * CPU switches to its page tables, and the monitor leaves through the ordinary trap exit. */
void schedule(void)
{
    struct vcpu *next;
    multicall_abandon();
    current = NULL;
    while (!(next = sched_pick_next())) {
        if (!sched_any_alive())
            all_done();
        mm_switch_idle();
        halt_until_interrupt();      /* the timer or the console will wake someone */
    }
    current = next;
    next->slice_ticks = 0;
    runstate_change_at(next, RUNSTATE_running, switch_time ? switch_time : time_now_ns());
    switch_time = 0;
    report_first_entry();
    struct trap_frame *frame = guest_regs();
    *frame = next->regs;
    trap_state_load(next);
    mm_switch(next->l3_mfn);
    descriptors_load(next);
    debugregs_load(next);
    runstate_publish(next);
    time_update_vcpu(next);
    deliver_pending_upcall(frame);
    return_to_guest(frame);
}

/* Put the running vCPU aside (its registers are at the top of the stack) and run another. */
static void __attribute__((noreturn)) switch_away(void)
{
    current->regs = *guest_regs();
    fpu_switch_out(current);
    switch_time = time_now_ns();
    runstate_change_at(current, !current->online ? RUNSTATE_offline :
                                current->run_state == VCPU_BLOCKED ? RUNSTATE_blocked : RUNSTATE_runnable, switch_time);
    schedule();
}

/* A timer tick interrupted a guest: charge it, and preempt it when the policy says so. */
void sched_tick(void)
{
    if (current && sched_charge_tick(current))
        switch_away();
}

/* Block the running vCPU until an event (or its poll timeout). The hypercall returns 0. */
void vcpu_block(void)
{
    guest_regs()->eax = 0;
    current->run_state = VCPU_BLOCKED;
    switch_away();
}

/* VCPUOP_down of the running vCPU (already marked down): it stops here, and the hypercall returns
 * 0 when VCPUOP_up brings it back. */
void vcpu_go_offline(void)
{
    guest_regs()->eax = 0;
    switch_away();
}

/* SCHEDOP_yield: anyone else who can run goes first. */
void vcpu_yield(void)
{
    guest_regs()->eax = 0;
    sched_yielded(current);
    switch_away();
}

/* ---- sched_op: yield, block, poll, shutdown ------------------------------------------------- */

/* As in Xen, the reason is a byte and any byte is taken: a reason the monitor does not know still
 * ends the domain (GNU Mach's panic passes a pointer to sched_op_compat, whose low byte it gets). */
static long __attribute__((noreturn)) shutdown_current(uint32_t reason)
{
    domain_shutdown(current_domain(), (uint8_t)reason);   /* does not return */
    __builtin_unreachable();
}

/* Block: events are unmasked (the `sti; hlt` of a PV kernel) and the vCPU sleeps until one is
 * pending; if one already is, there is nothing to wait for. */
static long block(void)
{
    current->info->evtchn_upcall_mask = 0;
    if (!current->info->evtchn_upcall_pending)
        vcpu_block();
    return 0;
}

/* Poll: sleep until one of a few ports is pending or the timeout (absolute ns) passes; events
 * stay masked. */
static long poll(uint32_t arg)
{
    struct sched_poll p;
    struct vcpu *v = current;
    if (copy_from_guest(&p, arg, sizeof(p)) < 0)
        return -XEN_EFAULT;
    if (p.nr_ports > ARRAY_SIZE(v->poll_ports))
        return -XEN_EINVAL;
    if (copy_from_guest(v->poll_ports, (uint32_t)(uintptr_t)p.ports, p.nr_ports * sizeof(evtchn_port_t)) < 0)
        return -XEN_EFAULT;
    for (uint32_t i = 0; i < p.nr_ports; i++) {
        if (v->poll_ports[i] >= EVTCHN_PORTS)
            return -XEN_EINVAL;
        if (evtchn_port_pending(v->domain, v->poll_ports[i]))
            return 0;
    }
    if (p.timeout && p.timeout <= time_now_ns())
        return 0;
    v->nr_poll_ports = p.nr_ports;
    v->poll_deadline = p.timeout;
    timer_deadline_added(p.timeout);
    v->polling = 1;
    vcpu_block();
}

long do_sched_op(uint32_t cmd, uint32_t arg, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    switch (cmd) {
    case SCHEDOP_yield:
        vcpu_yield();
    case SCHEDOP_block:
        return block();
    case SCHEDOP_poll:
        return poll(arg);
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;
        if (copy_from_guest(&s, arg, sizeof(s)) < 0)
            return -XEN_EFAULT;
        return shutdown_current(s.reason);
    }
    default:
        return -XEN_ENOSYS;
    }
}

/* The old form, hypercall 6: the argument is the reason itself. */
long do_sched_op_compat(uint32_t cmd, uint32_t arg, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    if (cmd == SCHEDOP_yield)
        vcpu_yield();
    if (cmd == SCHEDOP_block)
        return block();
    if (cmd == SCHEDOP_shutdown)
        return shutdown_current(arg);
    return -XEN_ENOSYS;
}
