/* sched.h - sched_op (hypercall 29): yield, block, shutdown, poll (xen/include/public/sched.h). */
#ifndef HV_ABI_SCHED_H
#define HV_ABI_SCHED_H
#include "types.h"

#define SCHEDOP_yield           0   /* let another vCPU run */
#define SCHEDOP_block           1   /* sleep until an event is pending (unmasks events) */
#define SCHEDOP_shutdown        2   /* arg: struct sched_shutdown */
#define SCHEDOP_poll            3   /* arg: struct sched_poll */
#define SCHEDOP_remote_shutdown 4   /* privileged: shut another domain down */
#define SCHEDOP_shutdown_code   5
#define SCHEDOP_watchdog        6
#define SCHEDOP_pin_override    7

#define SHUTDOWN_poweroff   0   /* the clean end */
#define SHUTDOWN_reboot     1
#define SHUTDOWN_suspend    2
#define SHUTDOWN_crash      3
#define SHUTDOWN_watchdog   4
#define SHUTDOWN_soft_reset 5

#ifndef __ASSEMBLER__
struct sched_shutdown {
    uint32_t reason;                       /* SHUTDOWN_* */
};
ABI_SIZE(struct sched_shutdown, 4);

struct sched_poll {
    XEN_GUEST_HANDLE(evtchn_port_t) ports;
    uint32_t nr_ports;
    uint64_t timeout;                      /* absolute system time in ns; 0 waits forever */
};
ABI_SIZE(struct sched_poll, 16);
ABI_OFFSET(struct sched_poll, timeout, 8);

struct sched_remote_shutdown {
    domid_t domain_id;
    uint32_t reason;
};
ABI_SIZE(struct sched_remote_shutdown, 8);
#endif

#endif
