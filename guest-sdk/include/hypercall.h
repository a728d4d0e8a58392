/* hypercall.h - calling the monitor from a guest kernel (guest ring 1).
 * Each call goes through the hypercall page the monitor filled in: `call hypercall_page + 32*N`
 * runs `mov $N, %eax; int $0x82; ret`. Arguments go in EBX, ECX, EDX, ESI, EDI; the result comes
 * back in EAX, a negative Xen errno on failure (hypercall-abi/errno.h).
 */
#ifndef SDK_HYPERCALL_H
#define SDK_HYPERCALL_H
#include <stdint.h>
#include "xen.h"

extern char hypercall_page[4096];

/* The one way in: a direct call to slot `nr` of the hypercall page. EBX..EDI are listed as
 * read-write because a hypercall may change them (multicall and iret do). */
#define hypercall5(nr, a1, a2, a3, a4, a5) ({                                          \
        long ret_;                                                                       \
        uint32_t b_ = (uint32_t)(a1), c_ = (uint32_t)(a2), d_ = (uint32_t)(a3);          \
        uint32_t S_ = (uint32_t)(a4), D_ = (uint32_t)(a5);                               \
        __asm__ volatile("call hypercall_page + %c[offset]"                              \
                         : "=a"(ret_), "+b"(b_), "+c"(c_), "+d"(d_), "+S"(S_), "+D"(D_)  \
                         : [offset] "i"((nr) * 32)                                       \
                         : "memory");                                                    \
        ret_;                                                                            \
    })

#define hypercall1(nr, a1)         hypercall5(nr, a1, 0, 0, 0, 0)
#define hypercall2(nr, a1, a2)     hypercall5(nr, a1, a2, 0, 0, 0)
#define hypercall3(nr, a1, a2, a3) hypercall5(nr, a1, a2, a3, 0, 0)

static inline long HYPERVISOR_console_io(int cmd, uint32_t count, char *buffer)
{
    return hypercall3(__HYPERVISOR_console_io, cmd, count, buffer);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long HYPERVISOR_vm_assist(unsigned cmd, unsigned type)
{
    return hypercall2(__HYPERVISOR_vm_assist, cmd, type);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

#endif
