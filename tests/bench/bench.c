/* bench.c - what each crossing costs, measured from inside a guest kernel (guest ring 1 and 3).
 * Each line "bench: NAME PER-OP" is the rdtsc delta of N operations divided by N, less the cost of
 * the same loop with nothing in it. Under QEMU's -icount shift=0 the TSC counts instructions, so
 * the figures are exact and repeatable; under plain QEMU they are host cycles. `n=` sets N.
 */
#include "sdk.h"

static uint32_t n = 1000;
static uint64_t loop_cost;              /* per iteration, of an empty loop */
static uint64_t stats_cost;             /* monitor ticks of reading the monitor's ticks twice */

/* The monitor's own TSC ticks so far: only the benchmark build of the monitor counts them
 * (hv_stats.monitor_tsc, hypercall-abi/hv-ext.h); elsewhere it stays 0. */
static uint64_t monitor_ticks(void)
{
    static struct hv_stats s;
    HYPERVISOR_hv_stats(&s);
    return s.monitor_tsc;
}

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return (uint64_t)hi << 32 | lo;
}

static void report(const char *name, uint64_t total, uint32_t ops, uint64_t in_monitor)
{
    uint64_t per = total / ops;
    per = per > loop_cost ? per - loop_cost : 0;
    in_monitor = in_monitor > stats_cost ? (in_monitor - stats_cost) / ops : 0;
    printf("bench: %s %llu %llu\n", name, (unsigned long long)per, (unsigned long long)in_monitor);
}

/* Each body runs a few times first: under QEMU's TCG the first run also pays for translating it. */
#define WARMUP 3
#define MEASURE(name, ops_per_iteration, body) do {                 \
        for (uint32_t w_ = 0; w_ < WARMUP; w_++) { body; }             \
        uint64_t m0_ = monitor_ticks(), t0_ = tsc();                   \
        for (uint32_t i_ = 0; i_ < n; i_++) { body; }                  \
        uint64_t t1_ = tsc();                                          \
        report(name, t1_ - t0_, n * (ops_per_iteration),               \
               monitor_ticks() - m0_);                                 \
    } while (0)

/* ---- ring 3 ------------------------------------------------------------------------------ */
USER_DATA static uint8_t user_stack[4096] __attribute__((aligned(16)));
USER_DATA static volatile uint64_t user_t0, user_t1;
USER_DATA static volatile uint32_t user_n;
static struct context kernel;

#define USER_TSC(out) do {                                              \
        uint32_t lo_, hi_;                                              \
        __asm__ volatile("rdtsc" : "=a"(lo_), "=d"(hi_) :: "memory");   \
        (out) = (uint64_t)hi_ << 32 | lo_;                              \
    } while (0)

USER_TEXT static void user_syscalls(void)
{
    USER_TSC(user_t0);
    for (uint32_t i = 0; i < user_n; i++)
        __asm__ volatile("int $0x80" :: "a"(1) : "memory");
    USER_TSC(user_t1);
    __asm__ volatile("int $0x80" :: "a"(0) : "memory");
    for (;;)
        ;
}

USER_TEXT static void user_back(void)
{
    __asm__ volatile("int $0x80" :: "a"(0) : "memory");     /* straight back to the kernel */
    for (;;)
        ;
}

static void syscall_exit(struct regs *r)
{
    if (r->eax == 0)
        context_restore(&kernel, 1);
}

/* To ring 3 through the iret hypercall: EAX, EIP, CS, EFLAGS, ESP, SS on the stack, then a jump
 * to the hypercall page's slot 23 (the data segments become null: user_back touches no memory). */
static void __attribute__((noreturn)) iret_to_user(uint32_t eip, uint32_t esp)
{
    uint32_t frame[6] = { 0, eip, FLAT_USER_CS, 0x202, esp, FLAT_USER_SS };
    __asm__ volatile("lea 4(%0), %%esp; mov (%0), %%eax; jmp hypercall_page + 23 * 32" :: "r"(frame) : "memory");
    __builtin_unreachable();
}

static void run_user(void (*fn)(void))
{
    if (context_save(&kernel) == 0)
        enter_user((uint32_t)(uintptr_t)fn, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
}

static void syscalls(void)
{
    map_user(__user_start, __user_end);
    user_n = n;
    trap_set_handler(SYSCALL_VECTOR, syscall_exit);
    syscall_gate(3, 0);
    run_user(user_syscalls);                       /* once to warm up, once to measure */
    uint64_t m0 = monitor_ticks();
    run_user(user_syscalls);
    report("int80_direct", user_t1 - user_t0, n, monitor_ticks() - m0);
    syscall_gate(3, 1);
    run_user(user_syscalls);
    m0 = monitor_ticks();
    run_user(user_syscalls);
    report("int80_via_monitor", user_t1 - user_t0, n, monitor_ticks() - m0);
    syscall_gate(3, 0);
    uint64_t t0 = tsc();
    m0 = monitor_ticks();
    for (uint32_t i = 0; i < n; i++)
        if (context_save(&kernel) == 0)
            iret_to_user((uint32_t)(uintptr_t)user_back, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
    uint64_t t1 = tsc();
    report("iret_to_ring3_and_back", t1 - t0, n, monitor_ticks() - m0);
}

/* ---- bounced exceptions ------------------------------------------------------------------ */
static uint32_t skip;
static void skip_it(struct regs *r) { r->eip += skip; }

static void exceptions(void)
{
    trap_set_handler(14, skip_it);
    trap_set_handler(6, skip_it);
    skip = 5;
    MEASURE("bounced_pf", 1, __asm__ volatile("mov 0x10000000, %%eax" ::: "eax", "memory"));
    skip = 2;
    MEASURE("bounced_ud", 1, __asm__ volatile("ud2" ::: "memory"));
}

/* ---- events ------------------------------------------------------------------------------ */
static volatile uint32_t upcalls;
static void on_ipi(evtchn_port_t p) { (void)p; upcalls++; }

static void events(void)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi);
    event_set_handler(ipi.port, on_ipi);
    events_unmask();
    struct evtchn_send s = { .port = ipi.port };
    MEASURE("event_send_upcall", 1, HYPERVISOR_event_channel_op(EVTCHNOP_send, &s));
    MEASURE("set_timer_op", 1, HYPERVISOR_set_timer_op(0xFFFFFFFFFFFFull));
    HYPERVISOR_set_timer_op(0);
}

/* The machine address of the L1 entry that maps va (its table is one of the start-of-day ones). */
static uint64_t l1_entry_of(const void *va)
{
    uint32_t v = (uint32_t)(uintptr_t)va;
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    const uint64_t *l2 = mfn_to_virt((uint32_t)(l3[v >> 30] >> 12));
    uint32_t l1 = (uint32_t)(l2[(v >> 21) & 511] >> 12);
    return (uint64_t)l1 << 12 | ((v >> 12) & 511) * 8;
}

/* ---- page tables ------------------------------------------------------------------------- */
static uint8_t window[512][4096] __attribute__((aligned(4096)));
static struct mmu_update batch[512];

static void page_tables(void)
{
    static const unsigned sizes[] = { 1, 8, 64, 512 };
    for (unsigned s = 0; s < 4; s++) {
        unsigned size = sizes[s];
        char name[32];
        format_snprintf(name, sizeof(name), "mmu_update_batch_%u", size);
        /* Remap each window page read-only and back: two updates per page and iteration. */
        uint32_t iterations = n / size > 0 ? n / size : 1;
        uint64_t m0 = monitor_ticks(), t0 = tsc();
        for (uint32_t it = 0; it < iterations; it++) {
            for (unsigned i = 0; i < size; i++)
                batch[i].val = (uint64_t)virt_to_mfn(window[i]) << 12 | PTE_P | PTE_A | ((it & 1) ? PTE_RW | PTE_D : 0);
            HYPERVISOR_mmu_update(batch, size, NULL, DOMID_SELF);
        }
        uint64_t t1 = tsc();
        report(name, t1 - t0, iterations * size, monitor_ticks() - m0);
    }
    MEASURE("update_va_mapping", 1, map_page(window[0], virt_to_mfn(window[0]), PTE_P | PTE_RW | PTE_A | PTE_D));
}

/* Booted twice side by side with `switch`: each yields n times, and each yield runs the other
 * domain until it yields back, so n iterations here hold 2n switches between domains. */
static int domain_switches(void)
{
    for (uint32_t w = 0; w < WARMUP; w++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    uint64_t m0 = monitor_ticks(), t0 = tsc();
    for (uint32_t i = 0; i < n; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    uint64_t t1 = tsc();
    report("domain_switch", t1 - t0, 2 * n, monitor_ticks() - m0);
    return 0;
}

/* Booted with `timers`: how late a one-shot timer fires. Each of TIMER_RUNS timers is set a
 * different distance ahead (not a multiple of the 10 ms tick); the handler reads the clock the
 * moment its VIRQ_TIMER arrives. "bench: timer_late_ns WORST MEAN". */
#define TIMER_RUNS 16
static volatile uint64_t timer_woke;
static void on_timer(evtchn_port_t port)
{
    (void)port;
    timer_woke = clock_ns();
}

static int timer_precision(void)
{
    bind_virq(VIRQ_TIMER, on_timer);
    uint64_t worst = 0, sum = 0;
    for (uint32_t i = 0; i < TIMER_RUNS; i++) {
        uint64_t deadline = clock_ns() + 300000ull + i * 3137000ull;     /* 0.3 ms to 47 ms ahead */
        timer_woke = 0;
        timer_set(deadline);
        BLOCK_UNTIL(timer_woke);
        uint64_t late = timer_woke - deadline;
        if (timer_woke < deadline) {
            printf("bench: a timer fired %llu ns early\n", (unsigned long long)(deadline - timer_woke));
            return 1;
        }
        worst = late > worst ? late : worst;
        sum += late;
    }
    printf("bench: timer_late_ns %llu %llu\n", (unsigned long long)worst, (unsigned long long)(sum / TIMER_RUNS));
    return 0;
}

static long blkfront_bench_io(void *disk, int write, uint32_t sector, void *buf)
{
    uint32_t count = DISK_BENCH_BLOCK / BLKIF_SECTOR_SIZE;
    return write ? blkfront_write(disk, sector, count, buf) : blkfront_read(disk, sector, count, buf);
}

/* disk=REQUESTS: make bench's disk workload through blkfront, on the xvda domain 0 attached;
 * tools/bench compares it with domain 0's own run on the same disk (disk-bench). */
static int disk_through_blkfront(uint32_t requests)
{
    static struct blkfront disk;
    long rc = store_init();
    if (rc < 0 || (rc = blkfront_open(&disk, XVD_MAJOR << 8)) < 0) {
        printf("bench: no disk: %ld\n", rc);
        return 1;
    }
    return disk_bench("domu", blkfront_bench_io, &disk, disk.sectors, requests) < 0;
}

int main(void)
{
    char arg[16];
    if (cmdline_option("n", arg, sizeof(arg))) {
        n = 0;
        for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
            n = n * 10 + (uint32_t)(*p - '0');
    }
    traps_init();
    events_init();
    events_unmask();                   /* as a kernel runs: events on (a trap then returns by iret) */
    if (cmdline_option("switch", arg, sizeof(arg)))
        return domain_switches();
    if (cmdline_option("timers", arg, sizeof(arg)))
        return timer_precision();
    if (cmdline_option("disk", arg, sizeof(arg)))
        return disk_through_blkfront(n);
    loop_cost = ~0ull;
    for (int round = 0; round < WARMUP; round++) {       /* the cheapest of a few: the loop alone */
        uint64_t t0 = tsc();
        for (uint32_t i = 0; i < n; i++)
            __asm__ volatile("" ::: "memory");
        uint64_t per = (tsc() - t0) / n;
        loop_cost = per < loop_cost ? per : loop_cost;
    }
    uint64_t m0 = monitor_ticks();
    stats_cost = monitor_ticks() - m0;
    printf("bench: loop %llu %llu\n", (unsigned long long)loop_cost, (unsigned long long)stats_cost);

    MEASURE("null_hypercall_page", 1, HYPERVISOR_xen_version(XENVER_version, NULL));
    /* EAX in and out: the result replaces the number, which must be loaded again each time. */
    MEASURE("raw_int82", 1, ({ long r_ = __HYPERVISOR_xen_version;
                               __asm__ volatile("int $0x82" : "+a"(r_) : "b"(0) : "memory"); }));
    struct multicall_entry calls[16];
    for (unsigned i = 0; i < 16; i++)
        calls[i] = (struct multicall_entry){ .op = __HYPERVISOR_xen_version };
    MEASURE("multicall_16", 1, hypercall2(__HYPERVISOR_multicall, calls, 16));
    exceptions();
    events();
    for (unsigned i = 0; i < 512; i++)
        batch[i].ptr = l1_entry_of(window[i]) | MMU_NORMAL_PT_UPDATE;
    page_tables();
    syscalls();
    printf("bench: done\n");
    return 0;
}
