/* abi_errors.c - a guest that feeds the monitor bad hypercalls and checks Xen's error codes
 * (guest ring 1, SDK). Each line says what was tried; the monitor must answer and go on.
 */
#include "sdk.h"

static int failures;

static void expect(const char *what, long got, long want)
{
    if (got != want)
        failures++;
    printf("%s %s: got %ld, want %ld\n", got == want ? "ok" : "FAIL", what, got, want);
}

#define MONITOR_ADDRESS ((char *)0xF7100000)   /* inside the hypervisor area */
#define UNMAPPED        ((char *)0x10000000)   /* below the guest: nothing mapped there */

/* event_channel_op_compat (hypercall 16): the command and its operation in one structure, the
 * port written back in place. 0 when a port came back. */
static long compat_alloc_unbound(void)
{
    struct evtchn_op op = { .cmd = EVTCHNOP_alloc_unbound, .u.alloc_unbound = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF } };
    long rc = hypercall1(__HYPERVISOR_event_channel_op_compat, &op);
    return rc ? rc : op.u.alloc_unbound.port > 0 ? 0 : -1;
}

/* mov to and from a debug register in ring 1: privileged, so a #GP the monitor emulates. */
static long mov_dr1_round_trip(uint32_t value)
{
    uint32_t back;
    __asm__ volatile("mov %1, %%dr1; mov %%dr1, %0" : "=r"(back) : "r"(value));
    return (long)back;
}

static long compat_cmd(uint32_t cmd)
{
    struct evtchn_op op = { .cmd = cmd };
    return hypercall1(__HYPERVISOR_event_channel_op_compat, &op);
}

int main(void)
{
    struct xen_feature_info fi = { .submap_idx = 1 };
    char buf[16];

    expect("hypercall 11 (none)", hypercall1(11, 0), -XEN_ENOSYS);
    expect("hypercall 127 (none)", hypercall1(127, 0), -XEN_ENOSYS);
    expect("platform_op (not for guests)", hypercall1(__HYPERVISOR_platform_op, 0), -XEN_ENOSYS);
    expect("console_io cmd 99", HYPERVISOR_console_io(99, 0, NULL), -XEN_ENOSYS);
    expect("console_io write from the monitor's memory", HYPERVISOR_console_io(CONSOLEIO_write, 16, MONITOR_ADDRESS), -XEN_EFAULT);
    expect("console_io write from unmapped memory", HYPERVISOR_console_io(CONSOLEIO_write, 16, UNMAPPED), -XEN_EFAULT);
    expect("console_io write of 4 GiB", HYPERVISOR_console_io(CONSOLEIO_write, 0xFFFFFFFF, buf), -XEN_EFAULT);
    expect("console_io write of nothing", HYPERVISOR_console_io(CONSOLEIO_write, 0, UNMAPPED), 0);
    expect("xen_version cmd 99", HYPERVISOR_xen_version(99, buf), -XEN_ENOSYS);
    expect("xen_version extraversion into the monitor", HYPERVISOR_xen_version(XENVER_extraversion, MONITOR_ADDRESS), -XEN_EFAULT);
    /* The last initial page table is mapped read-only (the end of it is unused): CR0.WP makes
     * the monitor's write fail too, as the guest's own would. */
    char *last_table_end = (char *)start_info->pt_base + start_info->nr_pt_frames * 4096 - 16;
    expect("xen_version extraversion into a read-only page table", HYPERVISOR_xen_version(XENVER_extraversion, last_table_end), -XEN_EFAULT);
    expect("xen_version get_features submap 1", HYPERVISOR_xen_version(XENVER_get_features, &fi), -XEN_EINVAL);
    expect("xen_version pagesize", HYPERVISOR_xen_version(XENVER_pagesize, NULL), 4096);
    expect("sched_op cmd 99", HYPERVISOR_sched_op(99, NULL), -XEN_ENOSYS);
    expect("sched_op yield", HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0);
    expect("sched_op shutdown from unmapped memory", HYPERVISOR_sched_op(SCHEDOP_shutdown, UNMAPPED), -XEN_EFAULT);
    expect("vm_assist type 17", HYPERVISOR_vm_assist(VMASST_CMD_enable, 17), -XEN_EINVAL);
    expect("vm_assist cmd 5", HYPERVISOR_vm_assist(5, VMASST_TYPE_4gb_segments), -XEN_ENOSYS);
    expect("vm_assist enable writable_pagetables", HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0);
    expect("get_debugreg 6 at start (DR6's default)", hypercall1(__HYPERVISOR_get_debugreg, 6), (long)0xFFFF0FF0);
    expect("get_debugreg 7 at start (DR7's default)", hypercall1(__HYPERVISOR_get_debugreg, 7), 0x400);
    expect("set_debugreg 0 to a guest address", hypercall2(__HYPERVISOR_set_debugreg, 0, 0x10000), 0);
    expect("and get_debugreg 0 reads it back", hypercall1(__HYPERVISOR_get_debugreg, 0), 0x10000);
    expect("set_debugreg 1 to the monitor's area", hypercall2(__HYPERVISOR_set_debugreg, 1, 0xF5800000), -XEN_EPERM);
    expect("set_debugreg 7 to 0 (GNU Mach's)", hypercall2(__HYPERVISOR_set_debugreg, 7, 0), 0);
    expect("and DR7 keeps its reserved bit 10", hypercall1(__HYPERVISOR_get_debugreg, 7), 0x400);
    expect("set_debugreg 7 with general detect", hypercall2(__HYPERVISOR_set_debugreg, 7, 0x2001), -XEN_EPERM);
    expect("set_debugreg 7 with an I/O breakpoint", hypercall2(__HYPERVISOR_set_debugreg, 7, 0x20001), -XEN_EPERM);
    expect("set_debugreg 7 with a 4-byte write breakpoint", hypercall2(__HYPERVISOR_set_debugreg, 7, 0xD0001), 0);
    expect("set_debugreg 4 (DR6's alias without CR4.DE)", hypercall2(__HYPERVISOR_set_debugreg, 4, 0), 0);
    expect("set_debugreg 8", hypercall2(__HYPERVISOR_set_debugreg, 8, 0), -XEN_ENODEV);
    expect("get_debugreg 8", hypercall1(__HYPERVISOR_get_debugreg, 8), -XEN_ENODEV);
    expect("mov to and from %dr1 (emulated)", mov_dr1_round_trip(0x20000), 0x20000);
    expect("and get_debugreg 1 agrees", hypercall1(__HYPERVISOR_get_debugreg, 1), 0x20000);
    expect("event_channel_op_compat alloc_unbound", compat_alloc_unbound(), 0);
    expect("event_channel_op_compat cmd 99", compat_cmd(99), -XEN_ENOSYS);
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
