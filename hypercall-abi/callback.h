/* callback.h - callback_op (hypercall 30): where the monitor enters a guest kernel for events,
 * failsafe returns, and fast system calls (xen/include/public/callback.h).
 */
#ifndef HV_ABI_CALLBACK_H
#define HV_ABI_CALLBACK_H
#include "types.h"

#define CALLBACKOP_register   0
#define CALLBACKOP_unregister 1

#define CALLBACKTYPE_event              0   /* event-channel upcalls */
#define CALLBACKTYPE_failsafe           1   /* a bad segment or frame on return to the guest */
#define CALLBACKTYPE_syscall            2   /* x86-64 only */
#define CALLBACKTYPE_sysenter_deprecated 3
#define CALLBACKTYPE_nmi                4
#define CALLBACKTYPE_sysenter           5   /* `sysenter` from ring 3 */
#define CALLBACKTYPE_syscall32          7   /* `syscall` from 32-bit ring 3 */

#define CALLBACKF_mask_events (1 << 0)      /* enter with events masked */

#ifndef __ASSEMBLER__
struct xen_callback {
    uint32_t cs;
    uint32_t eip;
};
ABI_SIZE(struct xen_callback, 8);

struct callback_register {
    uint16_t type;
    uint16_t flags;
    struct xen_callback address;
};
ABI_SIZE(struct callback_register, 12);
ABI_OFFSET(struct callback_register, address, 4);

struct callback_unregister {
    uint16_t type;
    uint16_t _unused;
};
ABI_SIZE(struct callback_unregister, 4);
#endif

#endif
