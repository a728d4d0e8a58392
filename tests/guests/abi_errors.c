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
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
