/* hypercall.c - the hypercall table and the hypercalls of the first guest ABI slice (ring 0, on
 * the `int $0x82` path, with the calling guest's frame at the top of the monitor stack).
 *
 * hv/entry.asm looks the number up in hypercall_table below (tour step 2, hypercall); what is
 * not in it answers -ENOSYS, as Xen does for a hypercall it does not have. Each handler takes the
 * guest's EBX, ECX, EDX, ESI, EDI as its arguments and returns the value for EAX.
 * hypercall-abi/ABI.md describes every entry.
 */
#include "domain.h"
#include "hv.h"
#include "hypercalls.h"
#include "mmu.h"
#include "page_types.h"
#include <stddef.h>

#define HV_XEN_MAJOR 4              /* the Xen interface we follow: 4.2's, the last 32-bit one */
#define HV_XEN_MINOR 2
#define HV_EXTRAVERSION "-hv0.1"
#define CONSOLE_CHUNK 128
#define CONSOLE_BATCH 1024          /* bytes per entry before a continuation: the UART is slow */

/* --- console_io: CONSOLEIO_write prints, CONSOLEIO_read reads the serial input (domain 0) ------- */
static long do_console_io(uint32_t cmd, uint32_t count, uint32_t buffer, uint32_t a4, uint32_t a5)
{
    (void)a4, (void)a5;
    char chunk[CONSOLE_CHUNK];
    switch (cmd) {
    case CONSOLEIO_write:
        if (!guest_range_ok(buffer, count))
            return -XEN_EFAULT;       /* before printing anything: no half-written garbage */
        for (uint32_t done = 0; done < count; ) {
            if (done >= CONSOLE_BATCH)
                return hypercall_continuation(__HYPERVISOR_console_io, CONSOLEIO_write, count - done,
                                              buffer + done);
            uint32_t n = count - done < CONSOLE_CHUNK ? count - done : CONSOLE_CHUNK;
            if (copy_from_guest(chunk, buffer + done, n) < 0)
                return -XEN_EFAULT;
            domain_console_write(current_domain(), chunk, n);
            done += n;
        }
        return 0;
    case CONSOLEIO_read: {
        /* Serial input goes to domain 0, the console's guest (VIRQ_CONSOLE says when). */
        if (current_domain()->id != 0 || !count)
            return 0;
        domain_console_show_prompt(current_domain());
        uint32_t n = count < CONSOLE_CHUNK ? count : CONSOLE_CHUNK;
        long got = console_read_input(chunk, n);
        if (got > 0 && copy_to_guest(buffer, chunk, (uint32_t)got) < 0)
            return -XEN_EFAULT;
        return got;
    }
    default:
        return -XEN_ENOSYS;
    }
}

/* --- xen_version -------------------------------------------------------------------------------- */
static long copy_string_out(uint32_t arg, const char *s, uint32_t size)
{
    char buf[XEN_CAPABILITIES_INFO_LEN];
    memset(buf, 0, size);
    strlcpy(buf, s, size);
    return copy_to_guest(arg, buf, size);
}

extern const char *hv_command_line;

/* The answers that are strings or structures, copied out to the guest's buffer (kept apart from
 * the numbers, which need no buffer on the monitor stack). */
static long __attribute__((noinline)) xen_version_copy_out(uint32_t cmd, uint32_t arg)
{
    switch (cmd) {
    case XENVER_extraversion:
        return copy_string_out(arg, HV_EXTRAVERSION, sizeof(xen_extraversion_t));
    case XENVER_compile_info: {
        struct xen_compile_info info;
        memset(&info, 0, sizeof(info));
        strlcpy(info.compiler, "gcc " __VERSION__, sizeof(info.compiler));
        strlcpy(info.compile_by, "hv", sizeof(info.compile_by));
        strlcpy(info.compile_domain, "hv", sizeof(info.compile_domain));
        strlcpy(info.compile_date, __DATE__, sizeof(info.compile_date));
        return copy_to_guest(arg, &info, sizeof(info));
    }
    case XENVER_capabilities:
        return copy_string_out(arg, "xen-3.0-x86_32p", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string_out(arg, "hv " HV_EXTRAVERSION, sizeof(xen_changeset_info_t));
    case XENVER_platform_parameters: {
        struct xen_platform_parameters p = { .virt_start = HYPERVISOR_VIRT_START };
        return copy_to_guest(arg, &p, sizeof(p));
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(&fi, arg, sizeof(fi)) < 0)
            return -XEN_EFAULT;
        if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
            return -XEN_EINVAL;
        fi.submap = 0;              /* none of the optional features (see ABI.md) */
        return copy_to_guest(arg, &fi, sizeof(fi));
    }
    case XENVER_guest_handle: {
        xen_domain_handle_t handle;
        memset(handle, 0, sizeof(handle));
        handle[15] = (uint8_t)current_domain()->id;
        return copy_to_guest(arg, handle, sizeof(handle));
    }
    case XENVER_commandline:
        return copy_string_out(arg, hv_command_line, sizeof(xen_commandline_t));
    default:
        return -XEN_ENOSYS;
    }
}

static long do_xen_version(uint32_t cmd, uint32_t arg, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    switch (cmd) {
    case XENVER_version:
        return HV_XEN_MAJOR << 16 | HV_XEN_MINOR;
    case XENVER_pagesize:
        return PAGE_SIZE;
    default:
        return xen_version_copy_out(cmd, arg);
    }
}

/* --- sched_op: yield, block, poll, shutdown -------------------------------------------------- */
static long shutdown_current(uint32_t reason)
{
    if (reason > SHUTDOWN_watchdog)
        return -XEN_EINVAL;
    domain_shutdown(current_domain(), reason);   /* does not return */
    return 0;
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
    const uint32_t *pending = v->domain->shared_info->evtchn_pending;
    for (uint32_t i = 0; i < p.nr_ports; i++) {
        if (v->poll_ports[i] >= EVTCHN_PORTS)
            return -XEN_EINVAL;
        if ((pending[v->poll_ports[i] / 32] >> (v->poll_ports[i] % 32)) & 1)
            return 0;
    }
    if (p.timeout && p.timeout <= time_now_ns())
        return 0;
    v->nr_poll_ports = p.nr_ports;
    v->poll_deadline = p.timeout;
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

/* --- vm_assist: the types a 32-bit Xen accepts; see ABI.md for what each changes here ------------ */
#define VM_ASSIST_VALID (1u << VMASST_TYPE_4gb_segments | 1u << VMASST_TYPE_4gb_segments_notify | \
                         1u << VMASST_TYPE_writable_pagetables | 1u << VMASST_TYPE_pae_extended_cr3)

static long do_vm_assist(uint32_t cmd, uint32_t type, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    if (type >= 32 || !(VM_ASSIST_VALID & (1u << type)))
        return -XEN_EINVAL;
    switch (cmd) {
    case VMASST_CMD_enable:
        current_domain()->vm_assist |= 1u << type;
        return 0;
    case VMASST_CMD_disable:
        current_domain()->vm_assist &= ~(1u << type);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

/* The monitor's own extension (hypercall-abi/hv-ext.h): a copy of its entry counters. */
static long do_hv_stats(uint32_t out, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    return copy_to_guest(out, &stats, sizeof(stats));
}

static long do_multicall(uint32_t calls, uint32_t nr, uint32_t a3, uint32_t a4, uint32_t a5);

_Static_assert(NR_HYPERCALLS == ARRAY_SIZE(stats.hypercalls), "one counter per hypercall number");

const hypercall_fn hypercall_table[NR_HYPERCALLS] = {
    [__HYPERVISOR_set_trap_table]   = do_set_trap_table,
    [__HYPERVISOR_mmu_update]       = do_mmu_update,
    [__HYPERVISOR_set_gdt]          = do_set_gdt,
    [__HYPERVISOR_stack_switch]     = do_stack_switch,
    [__HYPERVISOR_set_callbacks]    = do_set_callbacks,
    [__HYPERVISOR_fpu_taskswitch]   = do_fpu_taskswitch,
    [__HYPERVISOR_update_descriptor] = do_update_descriptor,
    [__HYPERVISOR_memory_op]        = do_memory_op,
    [__HYPERVISOR_multicall]        = do_multicall,
    [__HYPERVISOR_grant_table_op]   = do_grant_table_op,
    [__HYPERVISOR_sched_op_compat]  = do_sched_op_compat,
    [__HYPERVISOR_update_va_mapping] = do_update_va_mapping,
    [__HYPERVISOR_set_timer_op]     = do_set_timer_op,
    [__HYPERVISOR_xen_version]      = do_xen_version,
    [__HYPERVISOR_console_io]       = do_console_io,
    [__HYPERVISOR_vm_assist]        = do_vm_assist,
    [__HYPERVISOR_sched_op]         = do_sched_op,
    [__HYPERVISOR_iret]             = do_iret,
    [__HYPERVISOR_vcpu_op]          = do_vcpu_op,
    [__HYPERVISOR_mmuext_op]        = do_mmuext_op,
    [__HYPERVISOR_callback_op]      = do_callback_op,
    [__HYPERVISOR_event_channel_op] = do_event_channel_op,
    [__HYPERVISOR_domctl]           = do_domctl,
    [__HYPERVISOR_hv_stats]         = do_hv_stats,
};

/* multicall(calls, nr): a batch of hypercalls in one crossing. Each entry's result goes back into
 * it. A nested multicall gets -EINVAL; an iret ends the batch (it replaced the guest's registers,
 * and its result is the guest's EAX). Long batches continue like mmu_update's. */
#define MULTICALL_BATCH 64

/* ---- continuations: a long hypercall gives the CPU back and goes on later -------------------- */

/* A hypercall with much to do (a long batch, a long console write) stops after a bounded amount
 * and continues later, as Xen's do: the guest's registers are rewritten to describe what is left
 * and its EIP moved back onto the `int $0x82`, so pending interrupts are served first (a timer
 * tick may run another domain) and the call then starts again where it stopped. No guest can
 * keep the monitor, and so every other domain, waiting. Inside a multicall the entry's own
 * arguments are rewritten instead, and the multicall is continued from that entry. */
static struct {
    int inside;                 /* a multicall entry is running */
    int continued;              /* ... and asked to continue with these arguments */
    uint32_t args[3];
} multicall;

long hypercall_continuation(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
    if (multicall.inside) {
        multicall.continued = 1;
        multicall.args[0] = a1, multicall.args[1] = a2, multicall.args[2] = a3;
        return 0;               /* do_multicall writes the arguments back and continues */
    }
    struct trap_frame *f = guest_regs();
    f->ebx = a1;
    f->ecx = a2;
    f->edx = a3;
    f->eip -= 2;                /* cd 82 */
    return nr;                  /* EAX must hold the hypercall's number again */
}

/* schedule() runs another vCPU: a multicall entry that gave the CPU away (a yield, a block, its
 * domain's end) never comes back to do_multicall. */
void multicall_abandon(void)
{
    multicall.inside = multicall.continued = 0;
}

void work_budget_start(void)
{
    if (!multicall.inside)
        work_budget = WORK_BUDGET_CROSSING;
}

static long multicall_one(const struct multicall_entry *call)
{
    if (call->op == __HYPERVISOR_multicall)
        return -XEN_EINVAL;                    /* no nesting */
    if (call->op >= NR_HYPERCALLS || !hypercall_table[call->op])
        return -XEN_ENOSYS;
    stats.hypercalls[call->op]++;
    multicall.inside = 1;
    long result = hypercall_table[call->op](call->args[0], call->args[1], call->args[2], call->args[3], call->args[4]);
    multicall.inside = 0;
    return result;
}

static long do_multicall(uint32_t calls, uint32_t nr, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    work_budget = WORK_BUDGET_CROSSING;          /* one budget for all the entries */
    for (uint32_t i = 0; i < nr; i++) {
        uint32_t at = calls + i * sizeof(struct multicall_entry);
        if (i == MULTICALL_BATCH)
            return hypercall_continuation(__HYPERVISOR_multicall, at, nr - i, 0);
        struct multicall_entry call;
        if (copy_from_guest(&call, at, sizeof(call)) < 0)
            return -XEN_EFAULT;
        long result = multicall_one(&call);
        if (multicall.continued) {             /* this entry again, with what is left */
            multicall.continued = 0;
            if (copy_to_guest(at + offsetof(struct multicall_entry, args), multicall.args,
                              sizeof(multicall.args)) < 0)
                return -XEN_EFAULT;
            return hypercall_continuation(__HYPERVISOR_multicall, at, nr - i, 0);
        }
        if (call.op == __HYPERVISOR_iret)
            return result;
        call.result = (uint32_t)result;
        if (copy_to_guest(at + offsetof(struct multicall_entry, result), &call.result, sizeof(call.result)) < 0)
            return -XEN_EFAULT;
    }
    return 0;
}
