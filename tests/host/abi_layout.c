/* abi_layout.c - host test of hypercall-abi/ against the numbers Xen publishes for 32-bit PAE
 * guests, checked at run time from an independent table (the headers also check themselves at
 * compile time). Built with -m32, since guests and the monitor are 32-bit; prints TAP.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "xen.h"

struct fact {
    const char *what;
    unsigned long got, want;
};

#define SIZE(type, n)        { "sizeof(" #type ") == " #n, sizeof(type), n }
#define OFFSET(type, f, n)   { "offsetof(" #type ", " #f ") == " #n, offsetof(type, f), n }
#define VALUE(name, n)       { #name " == " #n, (unsigned long)(name), n }

static const struct fact facts[] = {
    SIZE(struct start_info, 1112),
    OFFSET(struct start_info, nr_pages, 32),
    OFFSET(struct start_info, shared_info, 36),
    OFFSET(struct start_info, flags, 40),
    OFFSET(struct start_info, store_mfn, 44),
    OFFSET(struct start_info, store_evtchn, 48),
    OFFSET(struct start_info, console.domU.mfn, 52),
    OFFSET(struct start_info, console.domU.evtchn, 56),
    OFFSET(struct start_info, pt_base, 60),
    OFFSET(struct start_info, nr_pt_frames, 64),
    OFFSET(struct start_info, mfn_list, 68),
    OFFSET(struct start_info, mod_start, 72),
    OFFSET(struct start_info, mod_len, 76),
    OFFSET(struct start_info, cmd_line, 80),
    SIZE(struct vcpu_info, 64),
    OFFSET(struct vcpu_info, evtchn_upcall_pending, 0),
    OFFSET(struct vcpu_info, evtchn_upcall_mask, 1),
    OFFSET(struct vcpu_info, evtchn_pending_sel, 4),
    OFFSET(struct vcpu_info, arch.cr2, 8),
    OFFSET(struct vcpu_info, time, 32),
    SIZE(struct vcpu_time_info, 32),
    OFFSET(struct vcpu_time_info, version, 0),
    OFFSET(struct vcpu_time_info, tsc_timestamp, 8),
    OFFSET(struct vcpu_time_info, system_time, 16),
    OFFSET(struct vcpu_time_info, tsc_to_system_mul, 24),
    OFFSET(struct vcpu_time_info, tsc_shift, 28),
    OFFSET(struct shared_info, evtchn_pending, 2048),
    OFFSET(struct shared_info, evtchn_mask, 2176),
    OFFSET(struct shared_info, wc_version, 2304),
    OFFSET(struct shared_info, wc_sec, 2308),
    OFFSET(struct shared_info, wc_nsec, 2312),
    OFFSET(struct shared_info, arch.max_pfn, 2316),
    OFFSET(struct shared_info, arch.pfn_to_mfn_frame_list_list, 2320),
    SIZE(struct trap_info, 8),
    SIZE(struct mmu_update, 16),
    SIZE(struct mmuext_op, 12),
    SIZE(struct multicall_entry, 32),
    SIZE(struct cpu_user_regs, 68),
    SIZE(struct xencons_interface, 3088),
    OFFSET(struct xencons_interface, out, 1024),
    OFFSET(struct xencons_interface, in_cons, 3072),
    OFFSET(struct xencons_interface, out_prod, 3084),
    SIZE(struct grant_entry_v1, 8),
    SIZE(struct gnttab_map_grant_ref, 32),
    SIZE(struct evtchn_status, 24),
    SIZE(struct evtchn_op, 28),
    SIZE(struct callback_register, 12),
    SIZE(struct xen_memory_reservation, 20),
    VALUE(__HYPERVISOR_set_trap_table, 0),
    VALUE(__HYPERVISOR_mmu_update, 1),
    VALUE(__HYPERVISOR_set_gdt, 2),
    VALUE(__HYPERVISOR_stack_switch, 3),
    VALUE(__HYPERVISOR_set_callbacks, 4),
    VALUE(__HYPERVISOR_fpu_taskswitch, 5),
    VALUE(__HYPERVISOR_set_debugreg, 8),
    VALUE(__HYPERVISOR_get_debugreg, 9),
    VALUE(__HYPERVISOR_update_descriptor, 10),
    VALUE(__HYPERVISOR_memory_op, 12),
    VALUE(__HYPERVISOR_multicall, 13),
    VALUE(__HYPERVISOR_update_va_mapping, 14),
    VALUE(__HYPERVISOR_set_timer_op, 15),
    VALUE(__HYPERVISOR_xen_version, 17),
    VALUE(__HYPERVISOR_console_io, 18),
    VALUE(__HYPERVISOR_grant_table_op, 20),
    VALUE(__HYPERVISOR_vm_assist, 21),
    VALUE(__HYPERVISOR_iret, 23),
    VALUE(__HYPERVISOR_vcpu_op, 24),
    VALUE(__HYPERVISOR_mmuext_op, 26),
    VALUE(__HYPERVISOR_sched_op, 29),
    VALUE(__HYPERVISOR_callback_op, 30),
    VALUE(__HYPERVISOR_event_channel_op, 32),
    VALUE(__HYPERVISOR_physdev_op, 33),
    VALUE(__HYPERVISOR_sysctl, 35),
    VALUE(__HYPERVISOR_domctl, 36),
    VALUE(HYPERVISOR_VIRT_START, 0xF5800000),
    VALUE(MACH2PHYS_VIRT_START, 0xF5800000),
    VALUE(MACH2PHYS_VIRT_END, 0xF6800000),
    VALUE(FIRST_RESERVED_GDT_ENTRY, 7168),
    VALUE(__HYPERVISOR_CS, 0xe008),
    VALUE(__HYPERVISOR_DS, 0xe010),
    VALUE(FLAT_RING1_CS, 0xe019),
    VALUE(FLAT_RING1_DS, 0xe021),
    VALUE(FLAT_RING3_CS, 0xe02b),
    VALUE(FLAT_RING3_DS, 0xe033),
    VALUE(SCHEDOP_yield, 0), VALUE(SCHEDOP_block, 1), VALUE(SCHEDOP_shutdown, 2), VALUE(SCHEDOP_poll, 3),
    VALUE(SHUTDOWN_poweroff, 0), VALUE(SHUTDOWN_reboot, 1), VALUE(SHUTDOWN_crash, 3),
    VALUE(EVTCHNOP_bind_interdomain, 0), VALUE(EVTCHNOP_bind_virq, 1), VALUE(EVTCHNOP_close, 3),
    VALUE(EVTCHNOP_send, 4), VALUE(EVTCHNOP_status, 5), VALUE(EVTCHNOP_alloc_unbound, 6),
    VALUE(EVTCHNOP_unmask, 9),
    VALUE(VIRQ_TIMER, 0), VALUE(VIRQ_DEBUG, 1), VALUE(VIRQ_CONSOLE, 2),
    VALUE(CONSOLEIO_write, 0), VALUE(CONSOLEIO_read, 1),
    VALUE(XENVER_version, 0), VALUE(XENVER_extraversion, 1), VALUE(XENVER_capabilities, 3),
    VALUE(XENVER_get_features, 6),
    VALUE(CALLBACKOP_register, 0), VALUE(CALLBACKOP_unregister, 1),
    VALUE(CALLBACKTYPE_event, 0), VALUE(CALLBACKTYPE_failsafe, 1), VALUE(CALLBACKTYPE_sysenter, 5),
    VALUE(CALLBACKTYPE_syscall32, 7),
    VALUE(GNTTABOP_setup_table, 2), VALUE(GNTTABOP_set_version, 8),
    VALUE(MMUEXT_PIN_L1_TABLE, 0), VALUE(MMUEXT_UNPIN_TABLE, 4), VALUE(MMUEXT_NEW_BASEPTR, 5),
    VALUE(MMUEXT_TLB_FLUSH_LOCAL, 6), VALUE(MMUEXT_INVLPG_LOCAL, 7), VALUE(MMUEXT_TLB_FLUSH_MULTI, 8),
    VALUE(MMUEXT_INVLPG_MULTI, 9), VALUE(MMUEXT_TLB_FLUSH_ALL, 10), VALUE(MMUEXT_INVLPG_ALL, 11),
    VALUE(MMUEXT_SET_LDT, 13), VALUE(MMUEXT_CLEAR_PAGE, 16), VALUE(MMUEXT_COPY_PAGE, 17),
    VALUE(MMU_NORMAL_PT_UPDATE, 0), VALUE(MMU_MACHPHYS_UPDATE, 1), VALUE(MMU_PT_UPDATE_PRESERVE_AD, 2),
    VALUE(UVMF_TLB_FLUSH, 1), VALUE(UVMF_INVLPG, 2), VALUE(UVMF_ALL, 4),
    VALUE(DOMID_SELF, 0x7FF0),
    VALUE(XEN_ELFNOTE_ENTRY, 1), VALUE(XEN_ELFNOTE_HYPERCALL_PAGE, 2), VALUE(XEN_ELFNOTE_VIRT_BASE, 3),
    VALUE(XEN_ELFNOTE_PADDR_OFFSET, 4), VALUE(XEN_ELFNOTE_XEN_VERSION, 5), VALUE(XEN_ELFNOTE_GUEST_OS, 6),
    VALUE(XEN_ELFNOTE_GUEST_VERSION, 7), VALUE(XEN_ELFNOTE_LOADER, 8), VALUE(XEN_ELFNOTE_PAE_MODE, 9),
    VALUE(XEN_ELFNOTE_FEATURES, 10), VALUE(XEN_ELFNOTE_BSD_SYMTAB, 11),
    VALUE(XEN_EPERM, 1), VALUE(XEN_EFAULT, 14), VALUE(XEN_EBUSY, 16), VALUE(XEN_EEXIST, 17),
    VALUE(XEN_EINVAL, 22), VALUE(XEN_ENOSPC, 28), VALUE(XEN_ENOSYS, 38),
    VALUE(SIF_PRIVILEGED, 1), VALUE(SIF_INITDOMAIN, 2),
};

int main(void)
{
    unsigned n = sizeof(facts) / sizeof(facts[0]), failed = 0, i;
    printf("1..%u\n", n + 1);
    for (i = 0; i < n; i++) {
        int ok = facts[i].got == facts[i].want;
        failed += !ok;
        printf("%sok %u - %s", ok ? "" : "not ", i + 1, facts[i].what);
        if (!ok)
            printf(" (got %#lx)", facts[i].got);
        printf("\n");
    }
    int magic_ok = strcmp(XEN_START_INFO_MAGIC_X86_32P, "xen-3.0-x86_32p") == 0;
    failed += !magic_ok;
    printf("%sok %u - start_info magic is \"xen-3.0-x86_32p\"\n", magic_ok ? "" : "not ", n + 1);
    return failed != 0;
}
