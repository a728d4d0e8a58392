/* hypercalls.h - the hypercall handlers, each in the file of the mechanism it drives, and the
 * monitor's per-cause entry counters (ring 0). hv/hypercall.c puts the handlers in one table.
 * Every handler takes the guest's EBX, ECX, EDX, ESI, EDI and returns the value for its EAX.
 */
#ifndef HV_HYPERCALLS_H
#define HV_HYPERCALLS_H
#include <stdint.h>
#include "traps.h"
#include "xen.h"

struct vcpu;
struct domain;

#define HC_ARGS uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5
typedef long (*hypercall_fn)(HC_ARGS);

/* Indexed by hypercall number; an empty slot is a hypercall the monitor does not have. hv/entry.asm
 * calls through it on `int $0x82`, do_multicall for each entry of a batch. */
#define NR_HYPERCALLS 64
extern const hypercall_fn hypercall_table[NR_HYPERCALLS];

long do_set_trap_table(HC_ARGS);
long do_stack_switch(HC_ARGS);
long do_set_callbacks(HC_ARGS);
long do_fpu_taskswitch(HC_ARGS);
long do_iret(HC_ARGS);
long do_callback_op(HC_ARGS);
long do_event_channel_op(HC_ARGS);
long do_set_timer_op(HC_ARGS);
long do_sched_op(HC_ARGS);
long do_sched_op_compat(HC_ARGS);
long do_vcpu_op(HC_ARGS);
long do_mmu_update(HC_ARGS);
long do_update_va_mapping(HC_ARGS);
long do_mmuext_op(HC_ARGS);
long do_set_gdt(HC_ARGS);
long do_memory_op(HC_ARGS);
long do_grant_table_op(HC_ARGS);
long do_domctl(HC_ARGS);
long do_update_descriptor(HC_ARGS);
#undef HC_ARGS

/* Why the monitor was entered, counted since boot (the hv_stats extension hypercall reads them). */
extern struct hv_stats stats;

/* Stop a long hypercall here and continue it later with these first three arguments
 * (hv/hypercall.c); the handler returns what this returns. */
long hypercall_continuation(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3);
void multicall_abandon(void);
/* A hypercall starts its work with a fresh budget (page_types.h), unless it is an entry of a
 * multicall, whose budget covers all its entries: either way, one budget per crossing. */
void work_budget_start(void);

/* The running guest's registers, at the top of the monitor stack. */
struct trap_frame *guest_regs(void);

/* trap_bounce.c */
void guest_exception(struct trap_frame *f);
void deliver_pending_upcall(struct trap_frame *f);
/* A fault on the way out to the guest (at_iret: in the final iret, else loading a segment). */
void bounce_failsafe(struct trap_frame *f, int at_iret);
int sysenter_single_step(struct trap_frame *f);
void trap_state_load(struct vcpu *v);
/* traps.c */
void guest_unhandled(struct trap_frame *f, uint32_t vector, uint32_t error_code);
void idt_set_syscall_gate(uint64_t gate);
void sysenter_init(uint32_t stack_top);
/* emulate.c */
int emulate_forced_cpuid(struct trap_frame *f);
int emulate_privileged(struct vcpu *v, struct trap_frame *f);
/* schedule.c */
void sched_tick(void);
void sched_account_tick(void);
void sched_init_vcpu(struct vcpu *v, uint32_t weight, uint32_t cap);
void cpu_stack_init(void);
void vcpu_wake(struct vcpu *v);
void vcpu_wake_for_port(struct vcpu *v, evtchn_port_t port);
void __attribute__((noreturn)) vcpu_block(void);
void __attribute__((noreturn)) vcpu_yield(void);
/* event_channel.c */
void evtchn_init(struct domain *d);
void evtchn_close_all(struct domain *d);
void evtchn_set_pending(struct domain *d, evtchn_port_t port);
void send_virq(struct domain *d, unsigned virq);
/* time.c */
void time_init(void);
void time_init_domain(struct domain *d);
void time_update_vcpu(struct vcpu *v);
void time_tick(void);
uint64_t time_now_ns(void);
/* console.c */
long console_read_input(char *buf, uint32_t max);
/* descriptors.c */
long set_ldt(struct vcpu *v, uint32_t va, uint32_t nr_ents);
void descriptors_load(struct vcpu *v);
/* mm.c */
int guest_frame_of(struct domain *d, uint32_t va, uint32_t *mfn);
int find_l1_entry(struct domain *d, uint32_t va, uint32_t *l1_mfn, unsigned *slot);
/* grant_table.c */
void grant_release_domain(struct domain *d);
int grant_seed_store(struct domain *d);
/* fpu.c */
void fpu_init(void);
int fpu_device_not_available(struct vcpu *v);
void fpu_switch_out(struct vcpu *v);

#define SYSCALL_VECTOR 0x80

#endif
