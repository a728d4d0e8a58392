/* vcpu.h - vcpu_op (hypercall 24): per-vCPU timers, runstate and registration
 * (xen/include/public/vcpu.h).
 */
#ifndef HV_ABI_VCPU_H
#define HV_ABI_VCPU_H
#include "types.h"
#include "xen.h"

#define VCPUOP_initialise              0
#define VCPUOP_up                      1
#define VCPUOP_down                    2
#define VCPUOP_is_up                   3
#define VCPUOP_get_runstate_info       4
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer      6
#define VCPUOP_stop_periodic_timer     7
#define VCPUOP_set_singleshot_timer    8
#define VCPUOP_stop_singleshot_timer   9
#define VCPUOP_register_vcpu_info     10
#define VCPUOP_send_nmi               11
#define VCPUOP_get_physid             12
#define VCPUOP_register_vcpu_time_memory_area 13

#define VCPU_SSHOTTMR_future (1 << 0)

#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3

#ifndef __ASSEMBLER__
struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;
    uint32_t flags;
};
ABI_SIZE(struct vcpu_set_singleshot_timer, 12);

struct vcpu_set_periodic_timer {
    uint64_t period_ns;
};
ABI_SIZE(struct vcpu_set_periodic_timer, 8);

struct vcpu_register_vcpu_info {
    uint64_t mfn;
    uint32_t offset;
    uint32_t rsvd;
};
ABI_SIZE(struct vcpu_register_vcpu_info, 16);

/* vcpu_guest_context.flags (xen/include/public/arch-x86/xen.h) */
#define VGCF_I387_VALID                (1 << 0)   /* fpu_ctxt holds an FXSAVE image */
#define VGCF_IN_KERNEL                 (1 << 2)
#define VGCF_failsafe_disables_events  (1 << 3)
#define VGCF_syscall_disables_events   (1 << 4)
#define VGCF_online                    (1 << 5)

/* VCPUOP_initialise's argument: a vCPU's whole starting state (x86_32 layout). */
struct vcpu_guest_context {
    struct { char x[512]; } fpu_ctxt;
    uint32_t flags;                          /* VGCF_* */
    struct cpu_user_regs user_regs;
    struct trap_info trap_ctxt[256];         /* its virtual IDT, as set_trap_table takes it */
    uint32_t ldt_base, ldt_ents;             /* LDT: linear address, entries */
    uint32_t gdt_frames[16], gdt_ents;       /* GDT: machine frames, entries */
    uint32_t kernel_ss, kernel_sp;           /* as stack_switch */
    uint32_t ctrlreg[8];                     /* CR3: the page-table base; CR4: its own bits */
    uint32_t debugreg[8];
    uint32_t event_callback_cs, event_callback_eip;
    uint32_t failsafe_callback_cs, failsafe_callback_eip;
    uint32_t vm_assist;
};
ABI_SIZE(struct vcpu_guest_context, 2800);
ABI_OFFSET(struct vcpu_guest_context, user_regs, 516);
ABI_OFFSET(struct vcpu_guest_context, trap_ctxt, 584);
ABI_OFFSET(struct vcpu_guest_context, ctrlreg, 2716);

struct vcpu_runstate_info {
    int32_t state;
    uint64_t state_entry_time;
    uint64_t time[4];
};
ABI_SIZE(struct vcpu_runstate_info, 44);
#endif

#endif
