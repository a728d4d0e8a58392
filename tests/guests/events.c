/* events.c - a guest that checks event channels, time, timers and blocking (guest ring 1, SDK).
 * `test=console` instead echoes a line typed on the serial console (domain 0 only).
 */
#include "sdk.h"

static int failures;
static volatile uint32_t hits[EVTCHN_SDK_PORTS];

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static void count(evtchn_port_t port)
{
    hits[port]++;
}

static long evtchn(int cmd, void *arg) { return HYPERVISOR_event_channel_op(cmd, arg); }

static void errors(void)
{
    struct evtchn_bind_virq v = { .virq = 99 };
    check(evtchn(EVTCHNOP_bind_virq, &v) == -XEN_EINVAL, "bind_virq of VIRQ 99: -EINVAL");
    v = (struct evtchn_bind_virq){ .virq = VIRQ_DEBUG, .vcpu = 1 };
    check(evtchn(EVTCHNOP_bind_virq, &v) == -XEN_ENOENT, "bind_virq on vCPU 1: -ENOENT");
    check(bind_virq(VIRQ_DEBUG, count) > 0, "bind_virq VIRQ_DEBUG");
    check(bind_virq(VIRQ_DEBUG, count) == -XEN_EEXIST, "bind_virq VIRQ_DEBUG twice: -EEXIST");
    struct evtchn_send s = { .port = 500 };
    check(evtchn(EVTCHNOP_send, &s) == -XEN_EINVAL, "send on port 500 (out of range): -EINVAL");
    struct evtchn_close c = { .port = 100 };
    check(evtchn(EVTCHNOP_close, &c) == -XEN_EINVAL, "close a closed port: -EINVAL");
    struct evtchn_unmask u = { .port = 9999 };
    check(evtchn(EVTCHNOP_unmask, &u) == -XEN_EINVAL, "unmask port 9999: -EINVAL");
    struct evtchn_status st = { .dom = DOMID_SELF, .port = 100 };
    check(evtchn(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_closed, "status of a free port: closed");
    check(evtchn(99, &st) == -XEN_ENOSYS, "event_channel_op 99: -ENOSYS");

    long first = -1, n = 0, rc;
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    while ((rc = evtchn(EVTCHNOP_alloc_unbound, &a)) == 0) {
        if (first < 0)
            first = a.port;
        n++;
    }
    printf("allocated %ld ports\n", n);
    check(rc == -XEN_ENOSPC && n > 100, "alloc_unbound until the ports run out: -ENOSPC");
    for (long p = first; p < first + n; p++) {
        c.port = (evtchn_port_t)p;
        evtchn(EVTCHNOP_close, &c);
    }
}

static void channels(void)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    evtchn(EVTCHNOP_alloc_unbound, &a);
    struct evtchn_bind_interdomain b = { .remote_dom = DOMID_SELF, .remote_port = a.port };
    check(evtchn(EVTCHNOP_bind_interdomain, &b) == 0, "bind_interdomain to our own unbound port (loopback)");
    uint32_t *pending = (uint32_t *)&shared_info->evtchn_pending[b.local_port / 32];
    check((*pending >> (b.local_port % 32)) & 1, "the new end starts pending, as on Xen (what the unbound end got may be lost)");
    __atomic_and_fetch(pending, ~(1u << (b.local_port % 32)), __ATOMIC_SEQ_CST);
    event_set_handler(a.port, count);
    event_set_handler(b.local_port, count);
    events_unmask();
    event_send(b.local_port);
    check(hits[a.port] == 1 && hits[b.local_port] == 0, "send on one end: the other end's handler runs");
    struct evtchn_status st = { .dom = DOMID_SELF, .port = a.port };
    evtchn(EVTCHNOP_status, &st);
    check(st.status == EVTCHNSTAT_interdomain && st.u.interdomain.port == b.local_port, "status: interdomain, the other port");
    struct evtchn_bind_interdomain again = { .remote_dom = DOMID_SELF, .remote_port = a.port };
    check(evtchn(EVTCHNOP_bind_interdomain, &again) == -XEN_EINVAL, "binding a bound port again: -EINVAL");

    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    evtchn(EVTCHNOP_bind_ipi, &ipi);
    event_set_handler(ipi.port, count);

    events_mask();
    event_send(ipi.port);
    check(hits[ipi.port] == 0 && events_pending(), "events masked: the event waits, upcall pending");
    events_unmask();
    check(hits[ipi.port] == 1, "unmask: the upcall is delivered at once");

    shared_info->evtchn_mask[ipi.port / 32] |= 1u << (ipi.port % 32);
    event_send(ipi.port);
    check(hits[ipi.port] == 1, "a masked port: no upcall");
    struct evtchn_unmask u = { .port = ipi.port };
    evtchn(EVTCHNOP_unmask, &u);
    check(hits[ipi.port] == 2, "EVTCHNOP_unmask delivers the event that waited");
}

/* The CPU time the monitor has charged to us, in ms (domctl is domain 0's alone: 0 elsewhere). A
 * vCPU that really blocks is charged nothing while it sleeps; one that only seemed to block, and
 * spun until the scheduler took the CPU away, is charged its sleep. */
static uint64_t cpu_ms(void)
{
    struct hv_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = 0 };
    return HYPERVISOR_domctl(&op) == 0 ? op.u.getdomaininfo.cpu_time / 1000000 : 0;
}

static volatile uint32_t timer_fired;
static void on_timer(evtchn_port_t port) { (void)port; timer_fired++; }

static void time_and_timers(void)
{
    uint64_t t0 = clock_ns();
    uint64_t t1 = clock_ns();
    check(t1 >= t0 && t0 > 0, "clock_ns runs forward");
    uint64_t wall = wallclock_ns() / 1000000000ull;
    printf("wallclock: %llu s since 1970\n", (unsigned long long)wall);
    check(wall > 1577836800ull, "wallclock is after 2020");

    check(bind_virq(VIRQ_TIMER, on_timer) > 0, "bind_virq VIRQ_TIMER");
    timer_fired = 0;
    uint64_t cpu_before = cpu_ms(), deadline = clock_ns() + 30000000ull;
    timer_set(deadline);
    char word[4];
    if (cmdline_option("unpause", word, sizeof(word)))
        domctl_simple(XEN_DOMCTL_unpausedomain, 1);     /* domain 1 runs now, while we sleep */
    printf("timer: blocking until +30 ms\n");
    BLOCK_UNTIL(timer_fired);
    uint64_t woke = clock_ns();
    printf("timer: asked for +30 ms, woke after %llu us\n", (unsigned long long)(woke - (deadline - 30000000ull)) / 1000);
    if (start_info->flags & SIF_INITDOMAIN)
        printf("timer: charged %llu ms of CPU while blocked\n", (unsigned long long)(cpu_ms() - cpu_before));
    check(woke >= deadline, "set_timer_op: VIRQ_TIMER not before the deadline, block woke on it");

    timer_fired = 0;
    timer_set(clock_ns() - 1000);
    check(timer_fired == 1, "a deadline already past fires at once");

    timer_fired = 0;
    timer_set(clock_ns() + 20000000ull);
    timer_set(0);
    uint64_t until = clock_ns() + 50000000ull;
    evtchn_port_t none = 0;
    struct sched_poll p = { .ports = &none, .nr_ports = 1, .timeout = until };
    check(HYPERVISOR_sched_op(SCHEDOP_poll, &p) == 0 && clock_ns() >= until, "SCHEDOP_poll with a timeout returns after it");
    check(timer_fired == 0, "set_timer_op(0) cancels the timer");
    struct sched_poll bad = { .ports = &none, .nr_ports = 1000 };
    check(HYPERVISOR_sched_op(SCHEDOP_poll, &bad) == -XEN_EINVAL, "SCHEDOP_poll of 1000 ports: -EINVAL");
    check(HYPERVISOR_sched_op(SCHEDOP_yield, NULL) == 0, "SCHEDOP_yield returns 0");

    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = 1, .flags = VCPU_SSHOTTMR_future };
    check(HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t) == -XEN_ETIME, "VCPUOP single-shot in the past with 'future': -ETIME");
    check(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL) == -XEN_ENOENT, "VCPUOP on vCPU 1: -ENOENT");
}

static char line[128];
static volatile uint32_t line_len, line_done;

static void on_console(evtchn_port_t port)
{
    (void)port;
    char buf[64];
    long n;
    while ((n = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(buf), buf)) > 0)
        for (long i = 0; i < n && !line_done; i++) {
            if (buf[i] == '\n' || buf[i] == '\r')
                line_done = 1;
            else if (line_len < sizeof(line) - 1)
                line[line_len++] = buf[i];
        }
}

static void console_echo(void)
{
    bind_virq(VIRQ_CONSOLE, on_console);
    printf("type a line\n");
    events_unmask();
    on_console(0);                 /* what arrived before the port was bound */
    BLOCK_UNTIL(line_done);
    line[line_len] = 0;
    printf("got: %s\n", line);
}

int main(void)
{
    char test[16] = "all";
    cmdline_option("test", test, sizeof(test));
    traps_init();
    events_init();
    if (strcmp(test, "console") == 0) {
        console_echo();
        return 0;
    }
    errors();
    channels();
    time_and_timers();
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
