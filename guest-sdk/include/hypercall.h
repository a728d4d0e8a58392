/* hypercall.h - calling the monitor from a guest kernel (guest ring 1).
 * Each call goes through the hypercall page the monitor filled in: `call hypercall_page + 32*N`
 * runs `mov $N, %eax; int $0x82; ret`. Arguments go in EBX, ECX, EDX, ESI, EDI; the result comes
 * back in EAX, a negative Xen errno on failure (hypercall-abi/errno.h).
 */
#ifndef SDK_HYPERCALL_H
#define SDK_HYPERCALL_H
#include <stdint.h>
#include "x86/paging.h"
#include "xen.h"

extern char hypercall_page[PAGE_SIZE];

/* The one way in: a direct call to slot `nr` of the hypercall page. The argument registers are
 * listed as read-write because a hypercall may change them (multicall and iret do); the ones a
 * call does not use are left unset and listed as clobbered, as Linux's wrappers do (a debug build
 * of Xen scribbles on them). */
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

#define hypercall3(nr, a1, a2, a3) ({                                                  \
        long ret_;                                                                       \
        uint32_t b_ = (uint32_t)(a1), c_ = (uint32_t)(a2), d_ = (uint32_t)(a3);          \
        __asm__ volatile("call hypercall_page + %c[offset]"                              \
                         : "=a"(ret_), "+b"(b_), "+c"(c_), "+d"(d_)                      \
                         : [offset] "i"((nr) * 32)                                       \
                         : "esi", "edi", "memory");                                      \
        ret_;                                                                            \
    })

#define hypercall2(nr, a1, a2) ({                                                      \
        long ret_;                                                                       \
        uint32_t b_ = (uint32_t)(a1), c_ = (uint32_t)(a2);                               \
        __asm__ volatile("call hypercall_page + %c[offset]"                              \
                         : "=a"(ret_), "+b"(b_), "+c"(c_)                                \
                         : [offset] "i"((nr) * 32)                                       \
                         : "edx", "esi", "edi", "memory");                               \
        ret_;                                                                            \
    })

#define hypercall1(nr, a1) ({                                                          \
        long ret_;                                                                       \
        uint32_t b_ = (uint32_t)(a1);                                                    \
        __asm__ volatile("call hypercall_page + %c[offset]"                              \
                         : "=a"(ret_), "+b"(b_)                                          \
                         : [offset] "i"((nr) * 32)                                       \
                         : "ecx", "edx", "esi", "edi", "memory");                        \
        ret_;                                                                            \
    })

static inline long HYPERVISOR_set_trap_table(const struct trap_info *table)
{
    return hypercall1(__HYPERVISOR_set_trap_table, table);
}

static inline long HYPERVISOR_stack_switch(uint32_t ss, uint32_t esp)
{
    return hypercall2(__HYPERVISOR_stack_switch, ss, esp);
}

static inline long HYPERVISOR_set_callbacks(uint32_t event_cs, uint32_t event_eip, uint32_t failsafe_cs,
                                            uint32_t failsafe_eip)
{
    return hypercall5(__HYPERVISOR_set_callbacks, event_cs, event_eip, failsafe_cs, failsafe_eip, 0);
}

static inline long HYPERVISOR_fpu_taskswitch(int set)
{
    return hypercall1(__HYPERVISOR_fpu_taskswitch, set);
}

static inline long HYPERVISOR_callback_op(int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_callback_op, cmd, arg);
}

static inline long HYPERVISOR_hv_stats(struct hv_stats *out)
{
    return hypercall1(__HYPERVISOR_hv_stats, out);
}

/* The interrupts the monitor has taken (vectors 0x20-0x2F). Its counters are the whole machine's,
 * and only an interrupt (a timer tick) lets another domain run: a test that compares two readings
 * trusts them when this did not change in between. */
static inline uint32_t hv_stats_interrupts(const struct hv_stats *s)
{
    uint32_t n = 0;
    for (unsigned v = 0x20; v < 0x30; v++)
        n += s->entries[v];
    return n;
}

/* Give the vCPU a GDT of `entries` descriptors in the machine frames listed (each mapped
 * read-only by the guest, entries below FIRST_RESERVED_GDT_ENTRY). */
static inline long HYPERVISOR_set_gdt(const uint32_t *frames, uint32_t entries)
{
    return hypercall2(__HYPERVISOR_set_gdt, frames, entries);
}

/* Write descriptor d at machine address ma (in a GDT or LDT frame, or a frame the guest owns), as
 * the monitor checks it: 32-bit PAE passes each 64-bit value as two words, low word first. */
static inline long HYPERVISOR_update_descriptor(uint64_t ma, uint64_t d)
{
    return hypercall5(__HYPERVISOR_update_descriptor, (uint32_t)ma, (uint32_t)(ma >> 32), (uint32_t)d, (uint32_t)(d >> 32), 0);
}

static inline long HYPERVISOR_update_va_mapping(uint32_t va, uint64_t pte, uint32_t flags)
{
    return hypercall5(__HYPERVISOR_update_va_mapping, va, (uint32_t)pte, (uint32_t)(pte >> 32), flags, 0);
}

static inline long HYPERVISOR_mmu_update(const struct mmu_update *reqs, uint32_t count, uint32_t *done, domid_t dom)
{
    return hypercall5(__HYPERVISOR_mmu_update, reqs, count, done, dom, 0);
}

/* domctl (domain 0 only): the interface version is filled in here. */
static inline long HYPERVISOR_domctl(struct hv_domctl *op)
{
    op->interface_version = HV_DOMCTL_INTERFACE_VERSION;
    return hypercall1(__HYPERVISOR_domctl, op);
}

/* Domain 0's everyday domctls. createdomain builds a domain, paused, from an image in this
 * domain's memory (domain 0 is usually given it as its module); the new id goes to *id. */
static inline long domctl_create(const void *image, uint32_t len, const char *cmdline, domid_t *id)
{
    struct hv_domctl op = { .cmd = XEN_DOMCTL_createdomain };
    op.u.createdomain.image = image;
    op.u.createdomain.image_len = len;
    op.u.createdomain.cmdline = cmdline;
    long rc = HYPERVISOR_domctl(&op);
    *id = op.domain;
    return rc;
}

/* pause, unpause, destroy: a command on a domain and nothing more. */
static inline long domctl_simple(unsigned cmd, domid_t id)
{
    struct hv_domctl op = { .cmd = cmd, .domain = id };
    return HYPERVISOR_domctl(&op);
}

/* getdomaininfo: the first domain with an id >= id, into *out. */
static inline long domctl_info(domid_t id, struct hv_domaininfo *out)
{
    struct hv_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = id };
    long rc = HYPERVISOR_domctl(&op);
    *out = op.u.getdomaininfo;
    return rc;
}

static inline long HYPERVISOR_grant_table_op(unsigned cmd, void *ops, unsigned count)
{
    return hypercall3(__HYPERVISOR_grant_table_op, cmd, ops, count);
}

static inline long HYPERVISOR_mmuext_op(const struct mmuext_op *ops, uint32_t count, uint32_t *done, domid_t dom)
{
    return hypercall5(__HYPERVISOR_mmuext_op, ops, count, done, dom, 0);
}

static inline long HYPERVISOR_set_timer_op(uint64_t deadline)
{
    return hypercall2(__HYPERVISOR_set_timer_op, (uint32_t)deadline, (uint32_t)(deadline >> 32));
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned vcpu, void *arg)
{
    return hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

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

static inline long HYPERVISOR_set_debugreg(unsigned reg, uint32_t value)
{
    return hypercall2(__HYPERVISOR_set_debugreg, reg, value);
}

static inline long HYPERVISOR_get_debugreg(unsigned reg)
{
    return hypercall1(__HYPERVISOR_get_debugreg, reg);
}

static inline long HYPERVISOR_physdev_op(unsigned cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_physdev_op, cmd, arg);
}

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
    return hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

#endif
