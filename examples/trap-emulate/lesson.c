/* lesson.c - lessons 2 and 3 (docs/LESSONS.md): runs kernel.c's code, the same on both of the
 * minikernel's platforms (on hv rewritten first by rewrite.c when the command line says
 * rewrite=recursive or rewrite=linear), and after each of its steps prints what the kernel
 * believes, what the machine is, whether the step trapped (or called the layer from rewritten
 * code), and whether the belief holds:
 *     step | the kernel's code | what it believes | the machine now | trapped | ok or WRONG
 * Natively "the machine" is the CPU itself, in ring 0, and nothing traps. On hv the kernel runs in
 * ring 1 under layer.c, and "the machine" is the layer's virtual CPU: what a trap-and-emulate
 * monitor keeps in place of the registers it took away, and all the kernel's world should be.
 * The run ends with the first wrong belief and why (tests/boot/test_trap_emulate.py and
 * test_binary_rewriting.py read it all). On hv, `trace` on the command line frames the first
 * critical section (steps 4 to 6: pushf, cli, popf) with magic breakpoints, for `make lesson
 * trap-emulate` and `make lesson rewrite`.
 */
#include "lesson.h"

#ifdef PLATFORM_NATIVE
#define PLATFORM "native: the kernel's code in ring 0, on bare hardware"
#else
#define PLATFORM "hv: the kernel's code in ring 1, under the guest's trap-and-emulate layer"
#endif
#define TICK_NS 10000000ull               /* the timer's period: 10 ms */

/* While a trace records (make lesson), lines are held back and written after it: the console's
 * hypercalls and the monitor's wait on the serial line would fill the trace. */
static char held[2048];
static uint32_t held_len;
static int holding;

void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = format_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    uint32_t len = n < 0 ? 0 : (uint32_t)n < sizeof(line) ? (uint32_t)n : sizeof(line) - 1;
    if (holding && held_len + len <= sizeof(held)) {
        memcpy(held + held_len, line, len);
        held_len += len;
    } else {
        platform_console_write(line, len);
    }
}

#ifndef PLATFORM_NATIVE
static void hold_lines(int on)
{
    holding = on;
    if (!on && held_len) {
        platform_console_write(held, held_len);
        held_len = 0;
    }
}
#endif

/* ---- the machine, as ring 0 would find it ---------------------------------------------------- */

#ifdef PLATFORM_NATIVE
/* In ring 0 these instructions tell the truth: the CPU is the machine. */
static uint32_t machine_interrupts(void)
{
    uint32_t flags;
    __asm__ volatile("pushf; pop %0" : "=r"(flags));
    return (flags & EFLAGS_IF) != 0;
}

static uint32_t machine_gdt_base(uint32_t *limit)
{
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) t;
    __asm__ volatile("sgdt %0" : "=m"(t));
    *limit = t.limit;
    return t.base;
}

static uint32_t traps(void) { return 0; }
static uint32_t calls(void) { return 0; }
#else
/* In ring 1 the same instructions would read the real CPU, the monitor's: the machine the kernel
 * should see is the layer's virtual CPU. */
static uint32_t machine_interrupts(void) { return virtual_cpu.interrupts; }

static uint32_t machine_gdt_base(uint32_t *limit)
{
    *limit = virtual_cpu.gdt_limit;
    return virtual_cpu.gdt_base;
}

static uint32_t traps(void) { return layer_traps(); }
static uint32_t calls(void) { return layer_calls(); }
#endif

/* ---- the probes ------------------------------------------------------------------------------ */

static struct {
    unsigned n, wrong;                  /* steps checked, and how many beliefs were wrong */
    const char *code, *belief;          /* the step under way */
    uint32_t traps_before, calls_before;
    unsigned first_wrong;               /* the first wrong step: what it ran, what was, and why */
    const char *first_code, *first_belief;
    char first_machine[64], why[200];
} run;

#ifndef PLATFORM_NATIVE
#define TRACE_FIRST 4                   /* the critical section: pushf; cli ... popf */
#define TRACE_LAST  6
static int tracing;                     /* `trace` on the command line */
#endif

void step(const char *code, const char *belief)
{
    run.n++, run.code = code, run.belief = belief;
#ifndef PLATFORM_NATIVE
    if (tracing && run.n == TRACE_FIRST) {
        hold_lines(1);
        GUEST_BREAK();                  /* the trace starts here */
    }
#endif
    run.traps_before = traps(), run.calls_before = calls();
}

static const char *trapped(void)
{
#ifdef PLATFORM_NATIVE
    return "-";
#else
    return traps() != run.traps_before ? "yes, emulated" : calls() != run.calls_before ? "no, a call" : "no";
#endif
}

/* Why a belief is wrong: the step ran on the real CPU unseen, or trapped on a wrong virtual state. */
static void explain(enum fact fact)
{
    if (fact == FACT_IF && traps() == run.traps_before && calls() == run.calls_before)
        format_snprintf(run.why, sizeof(run.why), "it did not trap. Ring 1 ran it on the real EFLAGS, whose IF "
                        "changes only when CPL <= IOPL and is otherwise left alone, without a fault: the layer never "
                        "saw it, and its virtual IF is still %u", machine_interrupts());
    else if (fact == FACT_TICKED)
        format_snprintf(run.why, sizeof(run.why), "hlt trapped, but with the virtual IF 0 no interrupt can end the "
                        "halt: the virtual CPU stops for ever");
    else if (fact == FACT_CHANGED)
        format_snprintf(run.why, sizeof(run.why), "data among its instructions was read as code, and a byte of it "
                        "that looked like popf was rewritten");
    else
        format_snprintf(run.why, sizeof(run.why), "the machine is not what the kernel made it");
}

static void verdict(enum fact fact, const char *machine, int ok)
{
    say("%2u | %-29s | %-34s | %-28s | %-13s | %s\n", run.n, run.code, run.belief, machine, trapped(),
        ok ? "ok" : "WRONG");
    if (!ok && !run.wrong++) {
        run.first_wrong = run.n, run.first_code = run.code, run.first_belief = run.belief;
        format_snprintf(run.first_machine, sizeof(run.first_machine), "%s", machine);
        explain(fact);
    }
}

void check(enum fact fact, uint32_t value)
{
#ifndef PLATFORM_NATIVE
    if (tracing && run.n == TRACE_LAST) {
        GUEST_BREAK();                  /* and stops here */
        hold_lines(0);
    }
#endif
    char machine[64];
    uint32_t limit, base, on = machine_interrupts();
    int ok = 0;
    switch (fact) {
    case FACT_GDTR:
        base = machine_gdt_base(&limit);
        format_snprintf(machine, sizeof(machine), "GDTR 0x%08x limit 0x%x", base, limit);
        ok = base == value;
        break;
    case FACT_IF:
        format_snprintf(machine, sizeof(machine), "IF %u", on);
        ok = on == value;
        break;
    case FACT_SAVED_IF:
        format_snprintf(machine, sizeof(machine), "saved IF %u, IF %u", (value & EFLAGS_IF) != 0, on);
        ok = ((value & EFLAGS_IF) != 0) == on;
        break;
    case FACT_TICKED:
        format_snprintf(machine, sizeof(machine), "IF %u, ticks %u", on, kernel_ticks);
        ok = kernel_ticks > value;
        break;
    case FACT_CHANGED:
        format_snprintf(machine, sizeof(machine), "%u of its 8 bytes changed", value);
        ok = value == 0;
        break;
    }
    verdict(fact, machine, ok);
}

/* ---- lesson 3's trade-off, measured (hv only) -------------------------------------------------- */

#ifndef PLATFORM_NATIVE
#define ROUNDS 64
static int rewriting;                   /* rewrite= was on the command line */

static inline uint64_t rdtsc(void)
{
    uint64_t t;
    __asm__ volatile("rdtsc" : "=A"(t));
    return t;
}

/* What one emulated trap costs against one call from rewritten code: the mean of ROUNDS `cli`
 * (each a #GP, the monitor's bounce, the layer, and the way back) and ROUNDS calls to the stub a
 * rewritten popf calls, less the loop's own cost, in TSC ticks: under QEMU's -icount, instructions
 * (the monitor's and the guest's alike). Natively each is one instruction. */
static uint32_t per_round(uint64_t start, uint32_t loop)
{
    uint32_t ticks = (uint32_t)((rdtsc() - start) / ROUNDS);
    return ticks > loop ? ticks - loop : 1;     /* outside -icount the host's clock may say less */
}

static void measure_trade_off(void)
{
    layer_quiet(1);
    uint64_t t = rdtsc();
    for (unsigned i = 0; i < ROUNDS; i++)
        __asm__ volatile("" ::: "memory");
    uint32_t loop = per_round(t, 0);
    t = rdtsc();
    for (unsigned i = 0; i < ROUNDS; i++)
        __asm__ volatile("cli" ::: "memory");
    uint32_t trap = per_round(t, loop);
    t = rdtsc();
    for (unsigned i = 0; i < ROUNDS; i++)       /* flags 0x2: IF 0, as the kernel's critical sections leave it */
        __asm__ volatile("pushl $2; call rewrite_popf" ::: "memory", "cc");
    uint32_t call = per_round(t, loop);
    layer_quiet(0);
    say("the trade-off, measured (TSC ticks each, instructions under -icount): a trapped and emulated cli %u, "
        "a rewritten popf's call %u: the trap costs %u times the call\n", trap, call, trap / call);
}
#endif

/* ---- the end --------------------------------------------------------------------------------- */

static void __attribute__((noreturn)) finish(void)
{
    if (!run.wrong) {
        say("every belief held: %u steps, %u trapped\n", run.n, traps());
    } else {
        say("first wrong result: step %u, %s: the kernel believes %s; the machine: %s\n", run.first_wrong,
            run.first_code, run.first_belief, run.first_machine);
        say("why: %s\n", run.why);
        say("%u of %u beliefs wrong: after the first, the kernel runs on a machine it does not know\n", run.wrong, run.n);
    }
#ifndef PLATFORM_NATIVE
    say("the layer emulated %u traps: %s; rewritten code called it %u times; everything else ran on the real "
        "CPU, unseen\n", layer_traps(), layer_log(), layer_calls());
    if (rewriting)
        measure_trade_off();
#endif
    platform_power_off(1);
}

void lesson_halted(uint32_t held)
{
    char machine[64];
    format_snprintf(machine, sizeof(machine), "halted: IF %u, %u ticks held", machine_interrupts(), held);
    verdict(FACT_TICKED, machine, 0);
    finish();
}

/* ---- the platform's calls -------------------------------------------------------------------- */

static void on_fault(struct regs *r)
{
#ifndef PLATFORM_NATIVE
    if (layer_trap(r))
        return;
#endif
    say("unexpected: vector %u, error code 0x%x at 0x%08x in step %u (%s)\n", r->vector, r->error_code, r->eip,
        run.n, run.code ? run.code : "none");
    platform_power_off(0);
}

/* The timer is the platform's, re-armed every tick: the kernel's interrupt source. Natively the
 * CPU's IF decides when the kernel takes it; on hv the layer's virtual IF does. */
static void on_tick(void)
{
    platform_timer_set(platform_clock_ns() + TICK_NS);
#ifdef PLATFORM_NATIVE
    kernel_tick();
#else
    layer_interrupt();
#endif
}

static void on_syscall(struct regs *r) { on_fault(r); }
static void on_input(const char *bytes, uint32_t n) { (void)bytes, (void)n; }
static void on_interrupted(struct regs *r) { (void)r; }

int main(void)
{
    static const struct platform_handlers handlers = {
        .fault = on_fault, .syscall = on_syscall, .tick = on_tick, .input = on_input, .interrupted = on_interrupted,
    };
    platform_init(&handlers);
    irq_disable();                      /* as a boot loader leaves a kernel: interrupts off */
    platform_timer_set(platform_clock_ns() + TICK_NS);
    say("%s\n", PLATFORM);
#ifndef PLATFORM_NATIVE
    char how[16] = "";
    tracing = cmdline_option("trace", how, sizeof(how)) > 0;
    rewriting = cmdline_option("rewrite", how, sizeof(how)) > 0;
    if (rewriting)
        rewrite_kernel(strcmp(how, "linear") == 0);
    layer_start();
#endif
    say("%2s | %-29s | %-34s | %-28s | %-13s | %s\n", "", "the kernel's code", "what it believes", "the machine now",
        "trapped", "belief");
    kernel_main();
    finish();
}
