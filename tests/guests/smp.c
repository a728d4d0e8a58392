/* smp.c - a guest with four vCPUs (boot it with vcpus=4): vCPU 0 gives the others a context of
 * their own with VCPUOP_initialise, brings them up, plays ping-pong with vCPU 1 over IPI event
 * channels, lets vCPU 2 use a one-shot timer and vCPU 3 a periodic one (each bound to its own
 * VIRQ_TIMER), reads their runstate, and checks Xen's answers to what vcpu_op and the event
 * channels refuse (guest ring 1, SDK). The secondaries run with events masked and wait in
 * SCHEDOP_poll, so they need no upcall of their own; each takes itself down when done, and the
 * last vCPU down, vCPU 0, ends the domain (a poweroff, as on Xen).
 * `mode=bad-cs` instead brings vCPU 1 up with a null code selector and no failsafe callback:
 * its first entry fails, and the domain (only) is crashed with the monitor's message.
 * `mode=spin ms=N` brings every vCPU up to compute for N ms of wall-clock time, then prints how
 * long each ran (its runstate): the scheduler shares the domain's weight among them.
 */
#include "sdk.h"

#define NR_VCPUS 4
#define ROUNDS   20
static int failures;

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static uint8_t stacks[NR_VCPUS][4096] __attribute__((aligned(16)));
static volatile uint32_t arrived, on_own_stack, pongs, timer_late_ok, timer_other_refused, periodic_ticks;
static volatile evtchn_port_t ipi_port[NR_VCPUS];
static volatile int spinning;
static volatile evtchn_port_t cross_port;
static volatile int cross_done, cross_woke_early, parked, parked_returned, zero_fired;
static volatile uint64_t spin_end;
static struct vcpu_guest_context context;

/* A secondary's line: it formats its own (printf's buffer is vCPU 0's). */
static void say(const char *fmt, ...)
{
    char line[96];
    va_list ap;
    va_start(ap, fmt);
    int n = format_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    HYPERVISOR_console_io(CONSOLEIO_write, (uint32_t)n, line);
}

/* Sleep until `port` is pending (or the absolute timeout passes), then clear it. */
static void wait_port(evtchn_port_t port, uint64_t timeout)
{
    evtchn_port_t ports[1] = { port };
    struct sched_poll p = { .ports = ports, .nr_ports = 1, .timeout = timeout };
    HYPERVISOR_sched_op(SCHEDOP_poll, &p);
    __atomic_and_fetch(&shared_info->evtchn_pending[port / 32], ~(1u << (port % 32)), __ATOMIC_SEQ_CST);
}

static long bind_ipi(uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &b);
    *port = b.port;
    return rc;
}

static evtchn_port_t bind_timer(uint32_t vcpu)
{
    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = vcpu };
    HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &b);
    return b.port;
}

static void ping_pong(void)
{
    for (uint32_t i = 0; i < ROUNDS; i++) {
        wait_port(ipi_port[1], 0);
        pongs++;
        event_send(ipi_port[0]);
    }
    while (!cross_port)                        /* a port that notifies vCPU 0, to poll from here */
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    uint64_t t0 = clock_ns();
    wait_port(cross_port, t0 + 2000000000ull);
    cross_woke_early = clock_ns() < t0 + 1000000000ull;
    cross_done = 1;
    parked = 1;
    wait_port(ipi_port[1], 0);                 /* vCPU 0 takes us down and up meanwhile */
    parked_returned = 1;
}

static void one_shot(void)
{
    evtchn_port_t port = bind_timer(2);
    uint64_t deadline = clock_ns() + 2000000ull;
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline };
    HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 2, &t);
    wait_port(port, 0);
    timer_late_ok = clock_ns() >= deadline;
    timer_other_refused = HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 3, &t) == -XEN_EINVAL;
    t.timeout_abs_ns = 0;
    HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 2, &t);
    zero_fired = (shared_info->evtchn_pending[port / 32] >> (port % 32)) & 1;
}

static void periodic(void)
{
    evtchn_port_t port = bind_timer(3);
    struct vcpu_set_periodic_timer t = { .period_ns = 1000000ull };
    HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 3, &t);
    for (int i = 0; i < 5; i++) {
        wait_port(port, 0);
        periodic_ticks++;
    }
    HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 3, NULL);
}

/* Where a secondary starts: its id in %eax, its stack its own. */
void secondary_main(uint32_t id);
__asm__(".text\n"
        "secondary_entry:\n"
        "    push %eax\n"
        "    call secondary_main\n"
        "    ud2\n");
extern char secondary_entry[];

void secondary_main(uint32_t id)
{
    uint32_t here = (uint32_t)(uintptr_t)&id;
    say("vCPU %u up, on its own stack\n", id);
    __atomic_fetch_add(&on_own_stack, here >= (uint32_t)(uintptr_t)stacks[id] &&
                       here < (uint32_t)(uintptr_t)stacks[id] + sizeof(stacks[id]), __ATOMIC_SEQ_CST);
    evtchn_port_t port;
    bind_ipi(id, &port);
    ipi_port[id] = port;
    __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
    if (spinning)
        while (clock_ns() < spin_end)
            ;
    else if (id == 1)
        ping_pong();
    else if (id == 2)
        one_shot();
    else
        periodic();
    HYPERVISOR_vcpu_op(VCPUOP_down, id, NULL);
    for (;;)
        ;
}

/* A context for vCPU id: ring 1 at secondary_entry on its own stack, our page tables. */
static struct vcpu_guest_context *context_for(uint32_t id)
{
    uint32_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    memset(&context, 0, sizeof(context));
    context.flags = VGCF_IN_KERNEL;
    struct cpu_user_regs *u = &context.user_regs;
    u->eip = (uint32_t)(uintptr_t)secondary_entry;
    u->esp = (uint32_t)(uintptr_t)(stacks[id] + sizeof(stacks[id]));
    u->eax = id;
    u->cs = FLAT_KERNEL_CS;
    u->ss = u->ds = u->es = u->fs = u->gs = FLAT_KERNEL_DS;
    u->eflags = EFLAGS_IF;
    context.kernel_ss = FLAT_KERNEL_SS;
    context.kernel_sp = u->esp;
    context.ctrlreg[3] = cr3;
    return &context;
}

static void bring_up(void)
{
    check(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL) == 1 && HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL) == 0,
          "VCPUOP_is_up: vCPU 0 up, vCPU 1 down at start");
    check(HYPERVISOR_vcpu_op(VCPUOP_is_up, NR_VCPUS, NULL) == -XEN_ENOENT, "vCPU 4 of four: -ENOENT");
    check(HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL) == -XEN_EINVAL, "VCPUOP_up before VCPUOP_initialise: -EINVAL");
    struct vcpu_guest_context *c = context_for(1);
    c->ctrlreg[3] = 0;
    check(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, c) == -XEN_EINVAL, "initialise with a page-table base not ours: -EINVAL");
    c = context_for(1);
    c->gdt_ents = 9000;
    check(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, c) == -XEN_EINVAL, "initialise with a GDT past the monitor's entries: -EINVAL");
    for (uint32_t id = 1; id < NR_VCPUS - 1; id++)
        if (HYPERVISOR_vcpu_op(VCPUOP_initialise, id, context_for(id)) != 0)
            failures++;
    check(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, context_for(1)) == -XEN_EEXIST, "vCPUs 1 and 2 initialised; again: -EEXIST");
    check(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL) == 0, "initialised is not up");
    evtchn_port_t port;
    check(bind_ipi(0, &port) == 0 && port, "bind_ipi for vCPU 0");
    ipi_port[0] = port;
    for (uint32_t id = 1; id < NR_VCPUS - 1; id++)
        HYPERVISOR_vcpu_op(VCPUOP_up, id, NULL);
    struct vcpu_register_vcpu_info r = { .mfn = virt_to_mfn(page_alloc()), .offset = 0 };
    check(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 1, &r) == -XEN_EINVAL,
          "register_vcpu_info for another vCPU that is up: -EINVAL");
    c = context_for(NR_VCPUS - 1);
    c->flags |= VGCF_online;
    check(HYPERVISOR_vcpu_op(VCPUOP_initialise, NR_VCPUS - 1, c) == 0 && HYPERVISOR_vcpu_op(VCPUOP_is_up, NR_VCPUS - 1, NULL) == 1,
          "vCPU 3 initialised with VGCF_online: up at once");
    for (int i = 0; i < 1000 && arrived < NR_VCPUS - 1; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(arrived == NR_VCPUS - 1 && on_own_stack == NR_VCPUS - 1, "VCPUOP_up: three vCPUs ran, each on its own stack");
}

static void events_between_vcpus(void)
{
    for (uint32_t i = 0; i < ROUNDS; i++) {
        event_send(ipi_port[1]);
        wait_port(ipi_port[0], 0);
    }
    check(pongs == ROUNDS, "20 IPIs to vCPU 1 and 20 back, each woke its poll");
    struct evtchn_alloc_unbound loop = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &loop);
    struct evtchn_bind_interdomain other = { .remote_dom = DOMID_SELF, .remote_port = loop.port };
    HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &other);
    cross_port = loop.port;                    /* it notifies vCPU 0; vCPU 1 polls it */
    for (int i = 0; i < 50; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    event_send(other.local_port);
    for (int i = 0; i < 1000 && !cross_done; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(cross_done && cross_woke_early, "vCPU 1 polling a port that notifies vCPU 0 wakes on its event");
    for (int i = 0; i < 1000 && !parked; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    for (int i = 0; i < 20; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(HYPERVISOR_vcpu_op(VCPUOP_down, 1, NULL) == 0 && HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL) == 0 &&
          HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL) == 0, "VCPUOP_down and up of vCPU 1 while it polls");
    for (int i = 0; i < 20; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(!parked_returned, "it goes on waiting: down and blocked are two things");
    event_send(ipi_port[1]);
    for (int i = 0; i < 1000 && !parked_returned; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(parked_returned, "and wakes on its event");
    evtchn_port_t port;
    check(bind_ipi(9, &port) == -XEN_ENOENT, "bind_ipi for vCPU 9: -ENOENT");
    struct evtchn_bind_virq global = { .virq = VIRQ_DOM_EXC, .vcpu = 1 };
    check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &global) == -XEN_EINVAL, "a global VIRQ on vCPU 1: -EINVAL");
    struct evtchn_alloc_unbound u = { .dom = DOMID_SELF, .remote_dom = 0 };
    HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &u);
    struct evtchn_bind_vcpu bv = { .port = u.port, .vcpu = 2 };
    struct evtchn_status st = { .dom = DOMID_SELF, .port = u.port };
    check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv) == 0 &&
          HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) == 0 && st.vcpu == 2,
          "bind_vcpu moves an unbound port to vCPU 2; status says so");
    struct evtchn_bind_interdomain peer = { .remote_dom = DOMID_SELF, .remote_port = u.port };
    HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &peer);
    st = (struct evtchn_status){ .dom = DOMID_SELF, .port = u.port };
    check(HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_interdomain && st.vcpu == 2,
          "the other end binding it leaves it on vCPU 2");
    bv = (struct evtchn_bind_vcpu){ .port = ipi_port[0], .vcpu = 2 };
    check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv) == -XEN_EINVAL, "bind_vcpu of an IPI port: -EINVAL");
    bv = (struct evtchn_bind_vcpu){ .port = u.port, .vcpu = 7 };
    check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_vcpu, &bv) == -XEN_ENOENT, "bind_vcpu to vCPU 7: -ENOENT");
}

static void timers_and_runstate(void)
{
    for (int i = 0; i < 2000 && (!timer_late_ok || periodic_ticks < 5); i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(timer_late_ok, "vCPU 2's one-shot timer woke it on its own VIRQ_TIMER, not before the deadline");
    check(timer_other_refused, "a one-shot timer for another vCPU: -EINVAL");
    check(zero_fired, "a one-shot timer at 0 (the past) fires at once");
    check(periodic_ticks == 5, "vCPU 3's periodic timer (1 ms) woke it five times");
    struct vcpu_set_periodic_timer fast = { .period_ns = 999999 }, endless = { .period_ns = ~0ull };
    check(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &fast) == -XEN_EINVAL, "a period under 1 ms: -EINVAL");
    check(HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &endless) == -XEN_EINVAL, "a period of 2^64-1 ns: -EINVAL");
    static struct vcpu_runstate_info area;
    uint64_t area_va = (uint32_t)(uintptr_t)&area;
    check(HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &area_va) == 0 && area.state == RUNSTATE_running,
          "register_runstate_memory_area: our runstate, kept there");
    for (int i = 0; i < 1000 && HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL); i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    struct vcpu_runstate_info r0, r1;
    HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &r0);
    HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 1, &r1);
    check(r0.state == RUNSTATE_running, "runstate of vCPU 0: running");
    check(r1.state == RUNSTATE_offline && r1.time[RUNSTATE_running] > 0 && r1.time[RUNSTATE_blocked] > 0,
          "runstate of vCPU 1, which took itself down: offline, after time running and blocked");
}

static void vcpu_info_registration(void)
{
    uint8_t *page = page_alloc();
    struct vcpu_register_vcpu_info r = { .mfn = virt_to_mfn(page), .offset = 64 };
    for (int i = 0; i < 1000 && HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL); i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 1, &r) == 0, "register_vcpu_info for vCPU 1 in a page of ours");
    check(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 1, &r) == -XEN_EINVAL, "a second time: -EINVAL");
    r.offset = 4090;
    check(HYPERVISOR_vcpu_op(VCPUOP_register_vcpu_info, 2, &r) == -XEN_EINVAL, "across a page's end: -EINVAL");
    check(((struct vcpu_info *)(page + 64))->evtchn_upcall_mask == 1, "vCPU 1's vcpu_info moved there, its mask carried over");
}

/* Every vCPU computes until the end; then each one's time running. */
static void spin(uint32_t ms)
{
    uint32_t n = 0;
    while (n < NR_VCPUS && HYPERVISOR_vcpu_op(VCPUOP_is_up, n, NULL) >= 0)
        n++;
    spinning = 1;
    spin_end = clock_ns() + (uint64_t)ms * 1000000ull;
    for (uint32_t id = 1; id < n; id++)
        if (HYPERVISOR_vcpu_op(VCPUOP_initialise, id, context_for(id)) == 0)
            HYPERVISOR_vcpu_op(VCPUOP_up, id, NULL);
    while (clock_ns() < spin_end)
        ;
    for (uint32_t id = 1; id < n; id++)
        while (HYPERVISOR_vcpu_op(VCPUOP_is_up, id, NULL) == 1)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    for (uint32_t id = 0; id < n; id++) {
        struct vcpu_runstate_info r;
        HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, id, &r);
        printf("vCPU %u ran %llu ms\n", id, (unsigned long long)(r.time[RUNSTATE_running] / 1000000ull));
    }
    HYPERVISOR_vcpu_op(VCPUOP_down, 0, NULL);
}

static void bad_cs(void)
{
    struct vcpu_guest_context *c = context_for(1);
    c->user_regs.cs = 0;
    check(HYPERVISOR_vcpu_op(VCPUOP_initialise, 1, c) == 0 && HYPERVISOR_vcpu_op(VCPUOP_up, 1, NULL) == 0,
          "vCPU 1 initialised with a null CS, and up");
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}

int main(void)
{
    char mode[16] = "";
    traps_init();
    if (cmdline_option("mode", mode, sizeof(mode)) && strcmp(mode, "bad-cs") == 0)
        bad_cs();
    if (strcmp(mode, "spin") == 0) {
        char arg[16] = "1000";
        uint32_t ms = 0;
        cmdline_option("ms", arg, sizeof(arg));
        for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
            ms = ms * 10 + (uint32_t)(*p - '0');
        spin(ms);
    }
    bring_up();
    events_between_vcpus();
    timers_and_runstate();
    vcpu_info_registration();
    for (int i = 0; i < 1000 && (HYPERVISOR_vcpu_op(VCPUOP_is_up, 2, NULL) || HYPERVISOR_vcpu_op(VCPUOP_is_up, 3, NULL)); i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(HYPERVISOR_vcpu_op(VCPUOP_is_up, 2, NULL) == 0 && HYPERVISOR_vcpu_op(VCPUOP_is_up, 3, NULL) == 0,
          "every secondary took itself down");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    if (failures)
        return failures;
    HYPERVISOR_vcpu_op(VCPUOP_down, 0, NULL);     /* the last one: the domain powers off */
    return 1;
}
