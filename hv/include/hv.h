/* hv.h - every function and variable one part of the monitor offers the others (ring 0).
 *
 * One header, in sections by the file that defines them (as xv6's defs.h), from the bottom of
 * the monitor up: the console and power-off, the clock, the CPU and its entry paths, domains,
 * memory, the other mechanisms, scheduling, and the hypercall table. A file's own section is
 * the whole of what it shares: anything not here is static to its file.
 *
 * Types live apart, so that host tests can use them alone: domain.h (domains and vCPUs),
 * traps.h (the trap frame, vector numbers), segments.h (the monitor's selectors), memlayout.h
 * (the address map), mmu.h (page-table entries), x86.h (the instructions), and the hardware facts
 * in lib/x86/. The pure parts (the ones host tests link: descriptor, elf, frames, layout,
 * multiboot, page_types, and lib/'s cmdline, format, kstring) keep a header each.
 */
#ifndef HV_HV_H
#define HV_HV_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "domain.h"
#include "frames.h"
#include "kstring.h"
#include "memlayout.h"
#include "mmu.h"
#include "page_types.h"
#include "segments.h"
#include "traps.h"
#include "x86.h"
#include "xen.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Every hypercall handler takes the guest's EBX, ECX, EDX, ESI, EDI and returns its EAX. */
#define HC_ARGS uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5
typedef long (*hypercall_fn)(HC_ARGS);

/* ---- console.c: COM1 and the debug port; the monitor's log ------------------------------------ */
/* Log levels, chosen on the command line with loglvl=error|warning|info|debug|all.
 * LOG_ALWAYS is for the few lines a runner depends on (the power-off line). */
enum log_level { LOG_ALWAYS, LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };
void console_init(void);
void console_write(const char *s, size_t n);
/* Wait until the UART has sent everything. */
void console_drain(void);
/* Before `owner` (a domain id, or -1 for the monitor) prints: whether its own unfinished line is
 * on the screen (another's is ended first). */
int console_claim(int owner);
void console_leave_partial(int owner);
int log_set_level(const char *name);     /* -1 for an unknown name */
void printk(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define hv_err(...)   printk(LOG_ERR, __VA_ARGS__)
#define hv_warn(...)  printk(LOG_WARN, __VA_ARGS__)
#define hv_info(...)  printk(LOG_INFO, __VA_ARGS__)
#define hv_debug(...) printk(LOG_DEBUG, __VA_ARGS__)
/* The serial line's interrupt: take what was typed into the input buffer. */
void console_input_irq(void);
/* Up to max typed characters; how many. */
long console_read_input(char *buf, uint32_t max);

/* ---- power.c: the end of the machine ----------------------------------------------------------- */
/* Exit statuses: what tools/hvrun turns into its own exit code. */
enum hv_status {
    HV_STATUS_OK = 0,            /* every domain ended cleanly (or there was none) */
    HV_STATUS_DOMAIN_FAILED = 1, /* a domain crashed, or shut down with a reason other than poweroff */
    HV_STATUS_BAD_BOOT = 4,      /* the boot information was unusable (2 is hvrun's own "no power-off") */
    HV_STATUS_MONITOR_FAULT = 3, /* the monitor itself faulted or panicked */
};
void __attribute__((noreturn)) power_off(enum hv_status status, const char *why);
void __attribute__((noreturn, format(printf, 1, 2))) panic(const char *fmt, ...);
/* A breakpoint for Bochs's debugger (`xchg %bx,%bx`, magic_break: enabled=1); a no-op elsewhere. */
#define HV_BREAK() magic_break()

/* ---- hv.ld.S: where the image lies ------------------------------------------------------------ */
extern const char _text[], _etext[], _end[];

/* ---- symbols.c: the monitor's own symbols -------------------------------------------------------- */
/* The table tools/mksyms builds from the linked image, in .ksyms: sorted by address. */
struct ksym {
    uint32_t addr;
    uint32_t name;      /* offset into ksym_names */
};
extern const uint32_t ksym_count;
extern const struct ksym ksym_table[];
extern const char ksym_names[];
const char *symbol_lookup(uint32_t addr, uint32_t *offset);
void backtrace_print(uint32_t eip, uint32_t ebp);

/* ---- timer.c: the PIT and the PIC ------------------------------------------------------------- */
#define TIMER_HZ 100
void timer_init(void);
void timer_one_shot(void);
uint64_t timer_ticks(void);
unsigned timer_irq(void);
void timer_program(uint64_t deadline);
void timer_deadline_added(uint64_t deadline);
void pic_eoi(void);
void pic_eoi_line(unsigned irq);
void pic_set_masked(unsigned irq, int masked);

/* ---- clock.c: system time, guests' time records ---------------------------------------------- */
void clock_start(uint64_t tsc_hz);
const char *clock_scale_text(void);

/* ---- time.c: system time, guests' time records, their timers ---------------------------------- */
extern uint64_t boot_tsc;                 /* the TSC at the monitor's first C line */
extern uint64_t halted_tsc;               /* TSC ticks spent halted */
void halt_until_interrupt(void);
void time_init(void);
void time_init_domain(struct domain *d);
void time_update_vcpu(struct vcpu *v);
uint64_t time_fire_timers(void);
uint64_t time_now_ns(void);
long do_set_timer_op(HC_ARGS);
long timer_set_singleshot(struct vcpu *v, uint64_t deadline);

/* ---- vcpu_table.c: a domain's vCPUs, made and freed, and their runstate --------------------------- */
int vcpus_create(struct domain *d, uint32_t n);
void vcpus_free(struct domain *d);
void runstate_change(struct vcpu *v, int state);
void runstate_change_at(struct vcpu *v, int state, uint64_t now);
void runstate_publish(struct vcpu *v);

/* ---- vcpu.c: vcpu_op ----------------------------------------------------------------------------- */
long do_vcpu_op(HC_ARGS);

/* ---- cpu.c: the monitor stack and the entry counters ------------------------------------------ */
/* Why the monitor was entered, counted since boot (the hv_stats extension hypercall reads them). */
extern struct hv_stats stats;
#define CPU_STACK_SIZE 16384
extern uint8_t cpu_stack[CPU_STACK_SIZE];
uint32_t cpu_stack_top(void);
/* The running guest's registers, at the top of the monitor stack (inline: on every bounce). */
static inline struct trap_frame *guest_regs(void)
{
    return (struct trap_frame *)(cpu_stack + CPU_STACK_SIZE) - 1;
}


/* ---- entry.asm: every way into ring 0 from a guest, and out ------------------------------------ */
extern const uint32_t trap_stubs[NR_EXCEPTIONS + NR_IRQS];
extern const char hypercall_entry[], sysenter_entry[];
/* The exit's segment loads and its iret: a fault there is the guest's (its failsafe callback). */
extern const char exit_load_segments[], exit_load_segments_end[], exit_iret[];
/* Leave the monitor into the guest whose registers are f. */
void __attribute__((noreturn)) return_to_guest(struct trap_frame *f);

/* ---- guest_copy.asm and guest_access.c: guest memory, only through these ------------------------ */
/* The copy itself: 0, or -1 when a page fault stopped it (traps.c resumes at guest_copy_fault). */
int guest_copy(void *dst, const void *src, uint32_t n);
extern const char guest_copy_insn[], guest_copy_bytes[], guest_copy_fault[];
/* They check the range and survive any fault; both return 0 or -XEN_EFAULT, and run in the
 * current domain's address space. */
int copy_from_guest(void *dst, uint32_t guest_va, uint32_t len);
int copy_to_guest(uint32_t guest_va, const void *src, uint32_t len);
/* Whether [guest_va, guest_va+len) lies wholly below the hypervisor area (no access made). */
int guest_range_ok(uint32_t guest_va, uint32_t len);
/* A NUL-terminated string of at most size-1 characters (truncated beyond); -XEN_EINVAL and
 * nothing written for size 0. */
int copy_string_from_guest(char *dst, uint32_t guest_va, uint32_t size);

/* ---- segments.c: the GDT, the TSS, the running vCPU's LDT ------------------------------------- */
void segments_init(void);
/* The ring-0 stack the CPU switches to on a trap from ring 1 or 3. */
void tss_set_kernel_stack(uint32_t esp0);
void tss_set_guest_stack(uint32_t ss1, uint32_t esp1);
void gdt_load_frames(const uint32_t *frames, unsigned nr);
void ldt_load(const uint32_t *frames, unsigned nr_pages, uint32_t nr_entries);
/* The running vCPU's descriptor for a selector, as the CPU would find it: 0, or -1 for none. */
int segment_descriptor(uint32_t sel, uint64_t *d);

/* ---- traps.c: the IDT, and every trap and interrupt ------------------------------------------- */
void traps_init(void);
void sysenter_init(uint32_t stack_top);
void trap_dispatch(struct trap_frame *f);
void guest_unhandled(struct trap_frame *f, uint32_t vector, uint32_t error_code);
void idt_set_syscall_gate(uint64_t gate);
/* Print a monitor fault (registers, control registers, backtrace) and power off. */
void __attribute__((noreturn)) monitor_fault(const struct trap_frame *f);
/* The test-only faults behind the `selftest-fault=` option. */
void __attribute__((noreturn)) selftest_fault(const char *kind);

/* ---- trap_bounce.c: traps and events bounced to the guest's own handlers ----------------------- */
void guest_exception(struct trap_frame *f);
void deliver_pending_upcall(struct trap_frame *f);
/* A fault on the way out to the guest (at_iret: in the final iret, else loading a segment). */
void bounce_failsafe(struct trap_frame *f, int at_iret);
int sysenter_single_step(struct trap_frame *f);
void sysenter_dispatch(struct trap_frame *f);
void trap_state_load(struct vcpu *v);
long do_set_trap_table(HC_ARGS);
long do_stack_switch(HC_ARGS);
long kernel_stack_set(struct vcpu *v, uint32_t ss, uint32_t esp);
void trap_table_set(struct vcpu *v, const struct trap_info *entry);
long register_callback(struct vcpu *v, const struct callback_register *reg);
long do_set_callbacks(HC_ARGS);
long do_callback_op(HC_ARGS);
long do_iret(HC_ARGS);
#define SYSCALL_VECTOR 0x80

/* ---- emulate.c: the privileged instructions a ring-1 kernel may still use ---------------------- */
int emulate_forced_cpuid(struct trap_frame *f);
enum emulation { NOT_EMULATED, EMULATED, EMULATED_AS_UD, EMULATED_AS_PF };
/* EMULATED_AS_PF: a string instruction's access faulted; the #PF's address is in the vCPU's
 * arch.cr2 and its error code in *debug_status. */
enum emulation emulate_privileged(struct vcpu *v, struct trap_frame *f, uint32_t *debug_status);

/* ---- ioemul.c: the virtual IOPL and port I/O ---------------------------------------------------- */
struct port_access {
    uint32_t port, size;       /* ports [port, port + size) */
    int is_in;
    uint32_t length;           /* of the instruction */
};
int iopl_allows(const struct vcpu *v, const struct trap_frame *f);
enum port_reach { PORT_REFUSED, PORT_MACHINE, PORT_NOWHERE };
enum port_reach port_check(struct vcpu *v, const struct trap_frame *f, const struct port_access *a,
                           uint32_t *debug_status);
void port_io(enum port_reach reach, const struct port_access *a, uint32_t *value);
int emulate_port_io(struct vcpu *v, struct trap_frame *f, const struct port_access *a, uint32_t *debug_status);
long do_physdev_op(HC_ARGS);

/* ---- pirq.c: the machine's interrupt lines for domain 0 ---------------------------------------- */
long pirq_op(struct domain *d, uint32_t cmd, uint32_t arg);
long pirq_bind(struct domain *d, uint32_t pirq, evtchn_port_t port);
void pirq_unbind(uint32_t pirq);
int pirq_wanted(unsigned irq);
evtchn_port_t pirq_interrupt(unsigned irq);
void pirq_release(struct domain *d);

/* ---- debugreg.c: the guest's debug registers ------------------------------------------------------ */
void debugregs_init(struct vcpu *v);
void debugregs_load(const struct vcpu *v);
void debug_trap_from_guest(struct vcpu *v);
void debug_status_merge(struct vcpu *v, uint32_t status);
uint32_t take_dr6(void);
void debug_trap_in_monitor(struct trap_frame *f, uint32_t status);
uint32_t io_breakpoints_hit(const struct vcpu *v, uint32_t port, uint32_t size);
long do_set_debugreg(HC_ARGS);
long set_debugreg(struct vcpu *v, uint32_t reg, uint32_t value);
long do_get_debugreg(HC_ARGS);

/* ---- fpu.c: the FPU, switched lazily --------------------------------------------------------- */
void fpu_init(void);
int fpu_device_not_available(struct vcpu *v);
void fpu_switch_out(struct vcpu *v);
void fpu_set_image(struct vcpu *v, const uint8_t image[512]);
long do_fpu_taskswitch(HC_ARGS);

/* ---- domain.c: the domain table ---------------------------------------------------------------- */
extern struct domain domains[MAX_DOMAINS];
/* Slots 0 .. domain_slots-1 have held a domain; none has ever lived above (a high-water mark,
 * never lowered): the scheduler's scans stop there. */
extern unsigned domain_slots;
extern struct vcpu *current;         /* the vCPU whose frame is at the top of the monitor stack */
extern unsigned refused_modules;     /* images the builder refused: the run cannot end cleanly */
static inline struct domain *current_domain(void) { return current->domain; }
/* A free slot in the domain table (not yet runnable), or NULL. */
struct domain *domain_alloc(void);
/* The domain with this id, in whatever state, or NULL for a free slot or no such id. */
struct domain *domain_lookup(domid_t id);
/* The running domain with this id (DOMID_SELF: the caller's), or NULL. */
struct domain *running_domain(domid_t id);
int domain_all_blocked(const struct domain *d);
uint64_t domain_cpu_ticks(const struct domain *d);
/* " <name+0x12>" for a guest address, from the domain's own symbols, or "" (into buf). */
const char *guest_symbol(struct domain *d, uint32_t addr, char *buf, uint32_t size);

/* ---- domain_build.c: a domain from an image ---------------------------------------------------- */
/* Build a domain from an image (a Multiboot module, or a copy from domain 0), with the modules
 * given to it (start_info.mod_start: one plain, or several, or with modules=multiboot, as a
 * multiboot package); on refusal print why and return NULL. */
struct domain_module;
struct domain *domain_build(unsigned module_index, uint32_t image_pa, uint32_t image_len,
                            const char *cmdline, const struct domain_module *mods, unsigned nmods);

/* ---- domain_end.c: how a domain ends ----------------------------------------------------------- */
/* It asked to (shutdown), or the monitor stops it (crash). Neither returns when d is the current
 * domain: the next one runs instead. */
void domain_shutdown(struct domain *d, unsigned reason);
void __attribute__((format(printf, 2, 3))) domain_crash(struct domain *d, const char *fmt, ...);
/* Domain 0 destroys a domain (not the running one): its frames go back and its slot is free. */
void domain_destroy(struct domain *d);

/* ---- guest_console.c: the guests' console output, and console_io ------------------------------ */
/* Print guest console output, a line at a time, prefixed with the domain's name. */
void domain_console_write(struct domain *d, const char *s, uint32_t len);
void domain_console_flush_line(struct domain *d);
void domain_console_show_prompt(struct domain *d);
/* Copy the domU's console ring to the monitor console. */
void domain_console_drain(struct domain *d);
/* Typed input into a domU's console ring: bytes taken, or -1 (no ring, or a corrupt one). */
long domain_console_input(struct domain *d, const char *s, uint32_t len);
long do_console_io(HC_ARGS);

/* ---- mm.c: machine memory, and the page-table hypercalls --------------------------------------- */
#define INVALID_M2P_ENTRY 0xFFFFFFFFu    /* M2P value of a frame no domain owns (Xen's ~0) */
extern struct frame_pool machine_frames;
extern pte_t monitor_l2[L2_ENTRIES];      /* the monitor's slot-3 L2 (boot.asm fills it first) */
extern pte_t monitor_l3[L3_ENTRIES];      /* the monitor's own address space */
/* Map the M2P table read-only for guests at MACH2PHYS_VIRT_START (once, at boot). */
void mm_init(void);
void m2p_set(uint32_t mfn, uint32_t pfn);
/* A zeroed frame owned by `owner`, or FRAME_NONE; and back to the pool once nothing refers to it. */
uint32_t frame_take(uint16_t owner);
void frame_give_back(uint32_t mfn);
/* Every frame the domain owns goes back, and the monitor's copy of its first p2m. */
void domain_free(struct domain *d);
/* Switch to an address space (CR3 holds the L3's machine address). */
void mm_switch(uint32_t l3_mfn);
/* Back to the monitor's own tables, e.g. before a domain's tables are freed. */
void mm_switch_idle(void);
void flush_tlb_if_needed(void);
long do_mmu_update(HC_ARGS);
long do_update_va_mapping(HC_ARGS);
long do_mmuext_op(HC_ARGS);

/* ---- pagewalk.c: from a guest address to the L1 entry that maps it ----------------------------- */
/* The L1 in use that maps va, and the slot: 0, -XEN_ENOENT when no table maps va, -XEN_EINVAL
 * when the one that does is not an L1 (a linear mapping). */
int find_l1_entry(struct domain *d, uint32_t va, uint32_t *l1_mfn, unsigned *slot);
/* The machine frame mapped at va, if present: 0, else -1. */
int guest_frame_of(struct domain *d, uint32_t va, uint32_t *mfn);
/* Whether ring 3 may read (write) va by d's tables: 0, else the #PF error code the CPU would give. */
uint32_t user_access_fault(struct domain *d, uint32_t va, int write);

/* ---- memory_op.c: growing, shrinking and describing a domain's memory --------------------------- */
long do_memory_op(HC_ARGS);

/* ---- descriptors.c: the guests' GDT and LDT pages ----------------------------------------------- */
long set_ldt(struct vcpu *v, uint32_t va, uint32_t nr_ents);
void descriptors_load(struct vcpu *v);
long do_set_gdt(HC_ARGS);
long gdt_set(struct vcpu *v, const uint32_t *frames, uint32_t entries);
long do_update_descriptor(HC_ARGS);

/* ---- event_fifo.c: the FIFO event channel ABI ------------------------------------------------- */
void fifo_set_pending(struct domain *d, evtchn_port_t port);
int fifo_port_pending(struct domain *d, evtchn_port_t port);
void fifo_unmask(struct domain *d, evtchn_port_t port);
long fifo_init_control(struct domain *d, struct evtchn_init_control *op);
long fifo_expand_array(struct domain *d, struct evtchn_expand_array *op);
long fifo_set_priority(struct domain *d, struct evtchn_set_priority *op);

/* ---- event_channel.c: event channels ----------------------------------------------------------- */
void evtchn_init(struct domain *d);
void evtchn_close_all(struct domain *d);
void evtchn_set_pending(struct domain *d, evtchn_port_t port);
int evtchn_port_pending(struct domain *d, evtchn_port_t port);
void send_virq(struct domain *d, unsigned virq);
void send_virq_vcpu(struct vcpu *v, unsigned virq);
long do_event_channel_op(HC_ARGS);
long do_event_channel_op_compat(HC_ARGS);

/* ---- grant_table.c: grant tables, version 1 ---------------------------------------------------- */
void grant_release_domain(struct domain *d);
int grant_seed_store(struct domain *d);
long do_grant_table_op(HC_ARGS);

/* ---- domctl.c: domain 0's toolstack hypercall -------------------------------------------------- */
long do_domctl(HC_ARGS);

/* ---- sched_policy.c: which vCPU runs next ------------------------------------------------------- */
void sched_init_domain(struct domain *d, uint32_t weight, uint32_t cap);
/* The runnable vCPU to run next, or NULL; whether any domain is still running at all. */
struct vcpu *sched_pick_next(void);
int sched_any_alive(void);
/* v yielded: the next pick passes over it if anyone else can run. */
void sched_yielded(struct vcpu *v);
/* Every tick: open a new cap window when one is due. */
void sched_account_tick(void);
/* A tick charged to the running v: whether to preempt it now. */
int sched_charge_tick(struct vcpu *v);
void vcpu_wake(struct vcpu *v);
/* An event arrived on `port`: wake a blocked vCPU, or a polling one waiting for that port. */
int vcpu_polls_for(const struct vcpu *v, evtchn_port_t port);
void evtchn_wake(struct domain *d, evtchn_port_t port, int upcall);

/* ---- schedule.c: switching vCPUs --------------------------------------------------------------- */
/* Run the next runnable vCPU; power off when no domain is left. */
void __attribute__((noreturn)) schedule(void);
/* Power off, with a status that says whether every domain ended cleanly. */
void __attribute__((noreturn)) all_done(void);
/* A timer tick interrupted a guest: it may be preempted (and this not return). */
void sched_tick(void);
void __attribute__((noreturn)) vcpu_block(void);
void __attribute__((noreturn)) vcpu_yield(void);
void __attribute__((noreturn)) vcpu_go_offline(void);
long do_sched_op(HC_ARGS);
long do_sched_op_compat(HC_ARGS);

/* ---- continuation.c: long hypercalls in steps, and the crossing's work budget ------------------ */
/* Stop a long hypercall here and continue it later with these first three arguments; the
 * handler returns what this returns. */
long hypercall_continuation(uint32_t nr, uint32_t a1, uint32_t a2, uint32_t a3);
/* A hypercall starts its work with a fresh budget (page_types.h), unless it is an entry of a
 * multicall, whose budget covers all its entries: either way, one budget per crossing. */
void work_budget_start(void);
/* The multicall entry under way (do_multicall, in hypercall.c, sets `inside` around each): one
 * that continues itself leaves here the arguments that describe what is left. */
struct multicall_state {
    int inside;                 /* a multicall entry is running */
    int continued;              /* ... and asked to continue with these arguments */
    uint32_t args[3];
};
extern struct multicall_state multicall;
/* schedule() runs another vCPU: a multicall entry that gave the CPU away never comes back. */
void multicall_abandon(void);

/* ---- hypercall.c: the hypercall table, multicall, vm_assist --------------------------------------- */
/* Indexed by hypercall number; an empty slot is a hypercall the monitor does not have. entry.asm
 * calls through it on `int $0x82`, do_multicall for each entry of a batch. */
#define NR_HYPERCALLS 64
extern const hypercall_fn hypercall_table[NR_HYPERCALLS];
/* entry.asm's answer to a number with no handler: -ENOSYS, logged once per domain and number. */
long hypercall_missing(uint32_t nr);

/* ---- main.c: the boot sequence --------------------------------------------------------------------- */
void hv_main(uint32_t magic, uint32_t mbi_pa);   /* where boot.asm's code goes, paging on */

/* ---- version.c: what the monitor says it is ----------------------------------------------------- */
#define HV_VERSION "0.1"
#define HV_XEN_MAJOR 4              /* the Xen interface it follows: 4.2's, the last 32-bit one */
#define HV_XEN_MINOR 2
#define HV_XEN_VERSION (HV_XEN_MAJOR << 16 | HV_XEN_MINOR)   /* as xen_version(XENVER_version) */
#define HV_EXTRAVERSION "-hv" HV_VERSION
extern const char *hv_command_line;
long do_xen_version(HC_ARGS);

#endif
