/* domain.h - domains (guests) and their virtual CPUs, as the monitor keeps them (ring 0).
 * A domain owns machine frames, a pseudo-physical address space (its p2m), an address space of
 * PAE page tables, a shared_info page, and one vCPU.
 */
#ifndef HV_DOMAIN_H
#define HV_DOMAIN_H
#include <stdint.h>
#include "elf.h"
#include "traps.h"
#include "xen.h"
#include "domctl.h"

#define MAX_DOMAINS      64
#define HV_MAX_VCPUS     8      /* vCPUs a domain may have (vcpus=) */
#define DOMAIN_NAME_MAX  HV_DOMAIN_NAME_MAX
#define CONSOLE_LINE_MAX 256
#define CONSOLE_EVTCHN   1     /* the port a domU's console ring is signalled on */
#define STORE_EVTCHN     2     /* a domU's port to the store in domain 0, unbound until it binds */

enum domain_state {
    DOMAIN_FREE,               /* slot unused */
    DOMAIN_RUNNABLE,
    DOMAIN_SHUTDOWN,           /* the guest asked to stop (sched_op shutdown) */
    DOMAIN_CRASHED,            /* the monitor stopped it */
};

#define NR_VECTORS 256
#define EVTCHN_PORTS 128       /* ports 1..127 per domain (port 0 is never used) */

/* ECS_ORPHANED: unbound, waiting for a domain that has ended (hv/event_channel.c). */
/* ECS_PIRQ: one of the machine's interrupt lines, domain 0's (hv/pirq.c). */
enum evtchn_state { ECS_FREE, ECS_UNBOUND, ECS_INTERDOMAIN, ECS_VIRQ, ECS_IPI, ECS_MONITOR, ECS_ORPHANED, ECS_PIRQ };

/* One event-channel port of a domain (hv/event_channel.c). */
struct evtchn {
    uint8_t state;             /* enum evtchn_state */
    uint8_t virq;              /* ECS_VIRQ; ECS_PIRQ: the pirq */
    uint8_t notify_vcpu;       /* the vCPU its events go to (bind_vcpu; a VIRQ's or IPI's own) */
    uint8_t priority;          /* FIFO ABI: its queue (set_priority; EVTCHN_FIFO_PRIORITY_DEFAULT) */
    uint8_t linked_vcpu, linked_priority;   /* FIFO ABI: the queue it was last linked into */
    uint16_t remote_dom;       /* ECS_UNBOUND: who may bind; ECS_INTERDOMAIN: the other end;
                                * ECS_ORPHANED: the ended domain it named */
    uint32_t remote_port;
};

enum vcpu_run_state { VCPU_RUNNABLE, VCPU_BLOCKED };

#define GRANT_MAX_FRAMES 32    /* 16384 version-1 entries: Xen 4.2's default max_nr_grant_frames */
#define GRANT_MAX_STATUS_FRAMES (GRANT_MAX_FRAMES / 8)   /* version 2: 2 bytes for each 16 */
#define GRANT_MAPTRACK   (MAX_DOMAINS + 32)   /* grant mappings a domain may hold at once: domain
                                               * 0's store maps every other domain's ring */

/* A grant mapping this domain holds (hv/grant_table.c); its index is the handle. */
struct grant_mapping {
    uint8_t in_use, readonly;
    uint16_t granter;          /* the granting domain, or OWNER_ENDED once it has ended */
    uint32_t ref, mfn;
    uint32_t host_addr;
    uint32_t l1_mfn, slot;     /* the L1 entry the monitor wrote */
};

struct vcpu {
    struct domain *domain;
    uint32_t vcpu_id;          /* its index in the domain: 0 to max_vcpus - 1 */
    uint8_t online;            /* up: vCPU 0 from the start, another after VCPUOP_up */
    uint8_t initialised;       /* it has a context (vCPU 0's from the builder, or VCPUOP_initialise) */
    uint32_t l3_mfn;           /* its page-table base (CR3) now: the builder's, or NEW_BASEPTR's */
    struct trap_frame regs;    /* the guest's registers while it is not running */
    struct vcpu_info *info;    /* its slot in the domain's shared_info */

    /* The virtual CPU's trap state (hv/trap_bounce.c). */
    struct trap_info trap_table[NR_VECTORS];   /* the virtual IDT; address 0 = no handler */
    uint32_t kernel_ss, kernel_sp;             /* the ring-1 stack for traps from ring 3 */
    struct xen_callback event_callback, failsafe_callback;
    struct xen_callback sysenter_callback, syscall32_callback;
    int failsafe_masks_events, sysenter_masks_events;
    uint64_t int80_gate;       /* a real DPL-3 trap gate for `int $0x80`, or 0 */
    uint32_t debugreg[8];      /* its DR0-3, DR6, DR7 as it sees them, I/O breakpoints aside (hv/debugreg.c) */
    uint32_t dr7_io_enables;   /* the DR7 enable bits of its I/O breakpoints, never in the CPU's DR7 */
    uint32_t cr4;              /* the CR4 bits it controls (CR4_DE) */
    uint32_t iopl;             /* its virtual IOPL, in EFLAGS's bits 12-13 (hv/ioemul.c) */
    uint32_t iobitmap, iobitmap_ports;   /* its I/O bitmap (set_iobitmap): address, ports */

    /* Descriptor tables (hv/descriptors.c): machine frames typed as descriptor pages. */
    uint32_t gdt_frames[FIRST_RESERVED_GDT_PAGE];
    uint32_t gdt_nr_frames;
    uint32_t ldt_frames[16];
    uint32_t ldt_nr_frames, ldt_entries;

    /* Scheduling and time (hv/schedule.c, hv/time.c). */
    uint8_t run_state;         /* enum vcpu_run_state */
    uint8_t polling;           /* blocked in SCHEDOP_poll: woken by its ports or its timeout */
    uint16_t virq_port[NR_VIRQS];   /* the port each VIRQ is bound to, or 0 */
    uint64_t timer_deadline;   /* set_timer_op: system time (ns) to raise VIRQ_TIMER, or 0 */
    uint64_t periodic_period, periodic_next;   /* VCPUOP_set_periodic_timer: ns, 0 for none */
    uint64_t poll_deadline;
    evtchn_port_t poll_ports[8];
    uint32_t nr_poll_ports;
    uint32_t slice_ticks;      /* ticks run since it was last picked */
    uint64_t cpu_ticks;        /* ticks it ran in all */
    struct vcpu_runstate_info runstate;   /* VCPUOP_get_runstate_info (hv/vcpu.c) */
    uint8_t info_registered;   /* its vcpu_info moved with VCPUOP_register_vcpu_info */
    uint32_t runstate_area;    /* VCPUOP_register_runstate_memory_area: a guest address, or 0 */
    struct evtchn_fifo_control_block *fifo_control;   /* FIFO ABI: in a page of the guest's, or NULL */
    uint16_t fifo_tail[EVTCHN_FIFO_MAX_QUEUES];       /* the last port linked into each queue, 0: none */

    /* Lazy FPU state (hv/fpu.c). */
    uint8_t fpu_state[512] __attribute__((aligned(16)));
    int fpu_initialised;       /* fpu_state holds the guest's registers */
    int guest_cr0_ts;          /* the TS bit the guest asked for with fpu_taskswitch */
};

struct domain {
    domid_t id;
    char name[DOMAIN_NAME_MAX];
    enum domain_state state;
    unsigned shutdown_reason;  /* SHUTDOWN_* when state is DOMAIN_SHUTDOWN */
    uint32_t nr_pages;         /* frames the domain has now */
    uint32_t max_pages;        /* the most it may have (memory_op increase_reservation) */
    uint32_t *p2m;             /* the monitor's own pfn -> mfn table (the guest's copy is untrusted) */
    uint32_t p2m_mfn, p2m_frames;   /* where that table lives */
    uint32_t shared_info_mfn;
    struct shared_info *shared_info;
    uint32_t console_mfn;      /* domU console ring (a page of the guest's own), or 0 */
    uint8_t console_broken;    /* its indexes went corrupt: no longer read (domain.c) */
    uint32_t store_mfn;        /* domU xenstore ring (a page of the guest's own), or 0 */
    uint32_t vm_assist;        /* VMASST_TYPE_* bits the guest enabled */
    uint64_t missing_hypercalls;   /* numbers it asked for that the monitor lacks (logged once) */
    struct evtchn evtchn[EVTCHN_PORTS];
    uint8_t fifo;              /* the FIFO ABI, after EVTCHNOP_init_control (hv/event_fifo.c) */
    event_word_t *fifo_array;  /* its event words for ports 0..1023 (one page of the guest's), or NULL */
    uint32_t gnt_frames[GRANT_MAX_FRAMES], gnt_nr_frames;
    uint32_t gnt_status_frames[GRANT_MAX_STATUS_FRAMES], gnt_nr_status_frames;
    uint32_t gnt_version;      /* 1, or 2 after set_version (hv/grant_table.c) */
    struct grant_mapping maptrack[GRANT_MAPTRACK];
    struct vcpu vcpu0;         /* vCPU 0 lives here; the others in frames of their own */
    struct vcpu *vcpus[HV_MAX_VCPUS];
    uint32_t max_vcpus;        /* vcpus= (1 unless said) */

    /* Scheduling (hv/sched_policy.c): its vCPUs share the domain's weight. */
    uint8_t paused;            /* domain 0 paused it (domctl); new domains start paused */
    uint32_t weight;           /* its share of the CPU against the others' (weight=, default 256) */
    uint32_t cap;              /* at most this percent of the CPU (cap=), 0 for no cap */
    uint64_t pass;             /* stride scheduling: the virtual time it has used, scaled by weight */
    uint32_t window_ticks;     /* ticks used in the current cap window */
    uint32_t last_vcpu;        /* the vCPU of it picked last: its others take turns after it */

    struct guest_symbols symbols;   /* from its image, for crash reports (if it kept them) */
    char history[1024];        /* its recent console output, for domain 0 (HV_DOMCTL_readconsole): */
    uint32_t history_start;    /* a ring, the oldest byte at history_start */
    uint32_t history_len;
    char line[CONSOLE_LINE_MAX];    /* console output not yet printed, up to a newline */
    unsigned line_len;
};

#endif
