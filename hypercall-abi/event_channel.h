/* event_channel.h - event_channel_op (hypercall 32): ports, VIRQs and inter-domain channels
 * (xen/include/public/event_channel.h, the VIRQ numbers from xen.h).
 */
#ifndef HV_ABI_EVENT_CHANNEL_H
#define HV_ABI_EVENT_CHANNEL_H
#include "types.h"

#define EVTCHNOP_bind_interdomain  0
#define EVTCHNOP_bind_virq         1
#define EVTCHNOP_bind_pirq         2
#define EVTCHNOP_close             3
#define EVTCHNOP_send              4
#define EVTCHNOP_status            5
#define EVTCHNOP_alloc_unbound     6
#define EVTCHNOP_bind_ipi          7
#define EVTCHNOP_bind_vcpu         8
#define EVTCHNOP_unmask            9
#define EVTCHNOP_reset            10
#define EVTCHNOP_init_control     11
#define EVTCHNOP_expand_array     12
#define EVTCHNOP_set_priority     13

/* Virtual interrupts the monitor raises. */
#define VIRQ_TIMER      0   /* the one-shot timer (set_timer_op) fired */
#define VIRQ_DEBUG      1
#define VIRQ_CONSOLE    2   /* console input (domain 0) */
#define VIRQ_DOM_EXC    3
#define VIRQ_TBUF       4
#define VIRQ_DEBUGGER   6
#define VIRQ_XENOPROF   7
#define VIRQ_CON_RING   8
#define VIRQ_PCPU_STATE 9
#define VIRQ_MEM_EVENT 10
#define VIRQ_ENOMEM    12
#define NR_VIRQS       24

#define EVTCHNSTAT_closed       0
#define EVTCHNSTAT_unbound      1
#define EVTCHNSTAT_interdomain  2
#define EVTCHNSTAT_pirq         3
#define EVTCHNSTAT_virq         4
#define EVTCHNSTAT_ipi          5

#ifndef __ASSEMBLER__
struct evtchn_alloc_unbound {
    domid_t dom, remote_dom;
    evtchn_port_t port;            /* OUT */
};
ABI_SIZE(struct evtchn_alloc_unbound, 8);

struct evtchn_bind_interdomain {
    domid_t remote_dom;
    evtchn_port_t remote_port;
    evtchn_port_t local_port;      /* OUT */
};
ABI_SIZE(struct evtchn_bind_interdomain, 12);

struct evtchn_bind_virq {
    uint32_t virq, vcpu;
    evtchn_port_t port;            /* OUT */
};
ABI_SIZE(struct evtchn_bind_virq, 12);

struct evtchn_bind_pirq {
    uint32_t pirq, flags;
    evtchn_port_t port;
};
ABI_SIZE(struct evtchn_bind_pirq, 12);

struct evtchn_bind_ipi {
    uint32_t vcpu;
    evtchn_port_t port;
};
ABI_SIZE(struct evtchn_bind_ipi, 8);

struct evtchn_close { evtchn_port_t port; };
struct evtchn_send { evtchn_port_t port; };
struct evtchn_unmask { evtchn_port_t port; };
ABI_SIZE(struct evtchn_send, 4);

struct evtchn_status {
    domid_t dom;
    evtchn_port_t port;
    uint32_t status;               /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;
    union {
        struct { domid_t dom; } unbound;
        struct { domid_t dom; evtchn_port_t port; } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;
};
ABI_SIZE(struct evtchn_status, 24);
ABI_OFFSET(struct evtchn_status, u, 16);

struct evtchn_bind_vcpu {
    evtchn_port_t port;
    uint32_t vcpu;
};
ABI_SIZE(struct evtchn_bind_vcpu, 8);

struct evtchn_reset { domid_t dom; };

/* The FIFO ABI (Xen 4.4): each port has a 32-bit event word in the guest's event array pages;
 * pending ports are linked, in order, into one of 16 queues (by priority, 0 the highest) of the
 * vCPU they notify, whose heads are in that vCPU's control block. */
struct evtchn_init_control {
    uint64_t control_gfn;          /* IN: the page of the control block */
    uint32_t offset;               /* IN: where in it (8-byte aligned) */
    uint32_t vcpu;                 /* IN */
    uint8_t link_bits;             /* OUT: EVTCHN_FIFO_LINK_BITS */
    uint8_t _pad[7];
};
ABI_SIZE(struct evtchn_init_control, 24);

struct evtchn_expand_array {
    uint64_t array_gfn;            /* IN: one more page of event words */
};
ABI_SIZE(struct evtchn_expand_array, 8);

struct evtchn_set_priority {
    evtchn_port_t port;
    uint32_t priority;             /* EVTCHN_FIFO_PRIORITY_MAX (0) .. _MIN (15) */
};
ABI_SIZE(struct evtchn_set_priority, 8);

#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES       (EVTCHN_FIFO_PRIORITY_MIN + 1)

typedef uint32_t event_word_t;
#define EVTCHN_FIFO_PENDING 31           /* bits of an event word */
#define EVTCHN_FIFO_MASKED  30
#define EVTCHN_FIFO_LINKED  29
#define EVTCHN_FIFO_BUSY    28
#define EVTCHN_FIFO_LINK_BITS 17          /* the low bits: the next port in its queue, 0 at the end */
#define EVTCHN_FIFO_LINK_MASK ((1u << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1u << EVTCHN_FIFO_LINK_BITS)

struct evtchn_fifo_control_block {
    uint32_t ready;                /* bit q: queue q has events */
    uint32_t _rsvd;
    event_word_t head[EVTCHN_FIFO_MAX_QUEUES];
};
ABI_SIZE(struct evtchn_fifo_control_block, 72);

/* event_channel_op_compat (hypercall 16, before Xen 3.0.2): the command and its operation in one. */
struct evtchn_op {
    uint32_t cmd;                  /* EVTCHNOP_* */
    union {
        struct evtchn_alloc_unbound alloc_unbound;
        struct evtchn_bind_interdomain bind_interdomain;
        struct evtchn_bind_virq bind_virq;
        struct evtchn_bind_pirq bind_pirq;
        struct evtchn_bind_ipi bind_ipi;
        struct evtchn_close close;
        struct evtchn_send send;
        struct evtchn_status status;
        struct evtchn_bind_vcpu bind_vcpu;
        struct evtchn_unmask unmask;
    } u;
};
ABI_OFFSET(struct evtchn_op, u, 4);
ABI_SIZE(struct evtchn_op, 28);
#endif

#endif
