/* hypercall.c - the hypercall table, and the hypercalls that belong to no mechanism of their own:
 * multicall, vm_assist and the hv_stats extension (ring 0, on the `int $0x82` path, with the
 * calling guest's frame at the top of the monitor stack).
 *
 * hv/entry.asm looks the number up in hypercall_table below (tour step 2, hypercall); what is
 * not in it answers -ENOSYS, as Xen does for a hypercall it does not have. Each handler takes the
 * guest's EBX, ECX, EDX, ESI, EDI as its arguments and returns the value for EAX.
 * hypercall-abi/ABI.md describes every entry.
 */
#include "domain.h"
#include "hv.h"
#include "mmu.h"
#include "page_types.h"
#include <stddef.h>


/* --- vm_assist: the types a 32-bit Xen accepts; see ABI.md for what each changes here ------------ */
#define VM_ASSIST_VALID (1u << VMASST_TYPE_4gb_segments | 1u << VMASST_TYPE_4gb_segments_notify | \
                         1u << VMASST_TYPE_writable_pagetables | 1u << VMASST_TYPE_pae_extended_cr3 | \
                         1u << VMASST_TYPE_architectural_iopl)

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
    [__HYPERVISOR_set_debugreg]     = do_set_debugreg,
    [__HYPERVISOR_get_debugreg]     = do_get_debugreg,
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
    [__HYPERVISOR_physdev_op]       = do_physdev_op,
    [__HYPERVISOR_event_channel_op_compat] = do_event_channel_op_compat,
    [__HYPERVISOR_domctl]           = do_domctl,
    [__HYPERVISOR_hv_stats]         = do_hv_stats,
};

/* A hypercall the monitor does not have answers -ENOSYS, as in Xen; the first time a domain makes
 * each one, the log says which, since a guest ported from Xen may depend on it. */
long hypercall_missing(uint32_t nr)
{
    struct domain *d = current_domain();
    if (nr < NR_HYPERCALLS && !(d->missing_hypercalls & (1ull << nr))) {
        d->missing_hypercalls |= 1ull << nr;
        hv_info("domain %u (%s): hypercall %u is not implemented here: -ENOSYS\n", d->id, d->name, nr);
    }
    return -XEN_ENOSYS;
}

/* multicall(calls, nr): a batch of hypercalls in one crossing. Each entry's result goes back into
 * it. A nested multicall gets -EINVAL; an iret ends the batch (it replaced the guest's registers,
 * and its result is the guest's EAX). Long batches continue like mmu_update's. */
#define MULTICALL_BATCH 64

static long multicall_one(const struct multicall_entry *call)
{
    if (call->op == __HYPERVISOR_multicall)
        return -XEN_EINVAL;                    /* no nesting */
    if (call->op >= NR_HYPERCALLS || !hypercall_table[call->op])
        return hypercall_missing(call->op);
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
