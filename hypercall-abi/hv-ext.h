/* hv-ext.h - this monitor's own extension to the ABI, not part of Xen's: a hypercall that reads
 * the monitor's counters of why it was entered, so a test or a benchmark can prove that a path
 * (a direct system call, for instance) never entered it. A guest written for Xen never calls it;
 * Xen itself would answer -ENOSYS. Its number lies beyond every hypercall Xen defines.
 */
#ifndef HV_ABI_HV_EXT_H
#define HV_ABI_HV_EXT_H
#include "types.h"

#define __HYPERVISOR_hv_stats 60   /* hv_stats(struct hv_stats *out): 0 or -EFAULT */

#ifndef __ASSEMBLER__
struct hv_stats {
    uint32_t entries[256];         /* monitor entries by vector: exceptions, IRQs, 0x82 hypercalls */
    uint32_t hypercalls[64];       /* by hypercall number */
    uint32_t bounced[256];         /* exceptions and software interrupts bounced, by vector */
    uint32_t soft_int_bounced;     /* `int $n` that took the #GP path to the guest */
    uint32_t emulated;             /* privileged instructions emulated */
    uint32_t upcalls;              /* event upcalls delivered */
    uint32_t failsafe;             /* failsafe callbacks */
    uint32_t irets;                /* iret hypercalls */
    uint32_t sysenter;             /* sysenter from ring 3 routed to the guest */
    uint32_t debug_absorbed;       /* a guest's #DB that met the monitor, absorbed (hv/debugreg.c) */
    uint64_t monitor_tsc;          /* TSC ticks spent in the monitor: only in the benchmark build
                                      (make bench), where every entry and exit reads the TSC */
};
ABI_SIZE(struct hv_stats, 2340);
#endif

#endif
