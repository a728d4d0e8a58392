/* events.c - event channels and time for a guest kernel (guest ring 1).
 *
 * The upcall: the monitor enters sdk_stub_256 with events masked when a port is pending. The
 * handler scans the two-level bitmap (vcpu_info.evtchn_pending_sel, then shared_info's pending
 * and mask words), clears what it takes and calls each port's handler. events_mask/unmask are a
 * PV kernel's cli/sti: one byte in vcpu_info, no monitor entry, except that unmasking with an
 * event already pending asks the monitor (any hypercall) to deliver it at once.
 */
#include "sdk.h"

static event_handler port_handlers[EVTCHN_SDK_PORTS];

static struct vcpu_info *vcpu(void) { return &shared_info->vcpu_info[0]; }

static void barrier(void) { __asm__ volatile("" ::: "memory"); }

static uint32_t take_word(uint32_t *word)
{
    uint32_t old = 0;
    __asm__ volatile("xchg %0, %1" : "+r"(old), "+m"(*word) :: "memory");
    return old;
}

static void clear_bit(uint32_t *word, unsigned bit)
{
    __asm__ volatile("lock btrl %1, %0" : "+m"(*word) : "Ir"(bit) : "memory");
}

void events_dispatch(void)
{
    struct vcpu_info *vi = vcpu();
    while (vi->evtchn_upcall_pending) {
        vi->evtchn_upcall_pending = 0;
        uint32_t sel = take_word(&vi->evtchn_pending_sel);
        while (sel) {
            unsigned w = (unsigned)__builtin_ctz(sel);
            sel &= sel - 1;
            uint32_t ready;
            while ((ready = shared_info->evtchn_pending[w] & ~shared_info->evtchn_mask[w])) {
                unsigned port = w * 32 + (unsigned)__builtin_ctz(ready);
                clear_bit(&shared_info->evtchn_pending[w], port % 32);
                if (port < EVTCHN_SDK_PORTS && port_handlers[port])
                    port_handlers[port](port);
            }
        }
    }
}

/* The monitor masked events to enter here; the interrupted code had them on (the frame's IF
 * says so). Turning them back on before the exit lets it return by a plain iret when nothing
 * came meanwhile; if something did, the exit sees it pending and takes the iret hypercall. */
static void event_upcall(struct regs *r)
{
    events_dispatch();
    if (r->eflags & EFLAGS_IF) {
        barrier();
        vcpu()->evtchn_upcall_mask = 0;
    }
}

void events_init(void)
{
    trap_set_handler(SDK_EVENT_VECTOR, event_upcall);
}

void event_set_handler(evtchn_port_t port, event_handler handler)
{
    if (port < EVTCHN_SDK_PORTS)
        port_handlers[port] = handler;
}

long bind_virq(unsigned virq, event_handler handler)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);
    if (rc < 0)
        return rc;
    event_set_handler(b.port, handler);
    return b.port;
}

long event_send(evtchn_port_t port)
{
    struct evtchn_send s = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

void events_mask(void)
{
    vcpu()->evtchn_upcall_mask = 1;
    barrier();
}

void events_unmask(void)
{
    barrier();
    vcpu()->evtchn_upcall_mask = 0;
    barrier();
    if (vcpu()->evtchn_upcall_pending)
        HYPERVISOR_xen_version(XENVER_version, NULL);   /* the monitor delivers on its way out */
}

int events_pending(void)
{
    return vcpu()->evtchn_upcall_pending;
}

void block(void)
{
    HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

/* ---- time -------------------------------------------------------------------------------- */

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* Xen's scale: ((delta << shift) * mul) >> 32, a negative shift going right. */
static uint64_t scale(uint64_t delta, uint32_t mul, int8_t shift)
{
    delta = shift >= 0 ? delta << shift : delta >> -shift;
    return ((uint64_t)(uint32_t)delta * mul >> 32) + (uint64_t)(uint32_t)(delta >> 32) * mul;
}

uint64_t clock_ns(void)
{
    const volatile struct vcpu_time_info *t = &vcpu()->time;
    uint32_t version;
    uint64_t ns;
    do {
        version = t->version;
        barrier();
        ns = t->system_time + scale(rdtsc() - t->tsc_timestamp, t->tsc_to_system_mul, t->tsc_shift);
        barrier();
    } while ((version & 1) || version != t->version);
    return ns;
}

uint64_t wallclock_ns(void)
{
    return (uint64_t)shared_info->wc_sec * 1000000000ull + shared_info->wc_nsec + clock_ns();
}

long timer_set(uint64_t deadline_ns)
{
    return hypercall2(__HYPERVISOR_set_timer_op, (uint32_t)deadline_ns, (uint32_t)(deadline_ns >> 32));
}

void sleep_until(uint64_t deadline_ns)
{
    timer_set(deadline_ns);
    BLOCK_UNTIL(clock_ns() >= deadline_ns);
}
