/* sensitive.c - the x86 instructions that are sensitive but not privileged, run by a kernel on both
 * of the minikernel's platforms: natively in ring 0, where they mean what the kernel expects, and
 * on hv in ring 1, where most of them silently answer differently, without trapping, so that a
 * trap-and-emulate monitor never sees them (Popek and Goldberg's condition, broken; Robin and
 * Irvine, USENIX Security 2000, name these mnemonics and count them seventeen).
 *
 * Each row runs the same code on both platforms and prints one line:
 *     row|MNEMONIC|what ran|what the kernel got|trapped|what a PV kernel does instead
 * "trapped" is whether the monitor was entered while the instruction ran (hv's own count of its
 * entries, platform_monitor_entries): "-" natively, where nothing lies below the kernel.
 * tools/sensitive-table sets a native run and an hv run side by side (make demo-sensitive);
 * docs/LESSONS.md, lesson 1, reads the table.
 *
 * On hv, `trace=MNEMONIC` on the command line runs that row between two magic breakpoints, for
 * `make lesson sensitive` (Bochs records what the row ran, and whether the monitor saw it).
 *
 * The selectors are each platform's own (the code is the same, the numbers are the platform's):
 * the kernel's code and data segments with RPL 0, as a ring-0 kernel writes them, and the ring-0
 * data segment of the machine (natively the kernel's; on hv the monitor's, __HYPERVISOR_DS).
 */
#include "platform.h"

#ifdef PLATFORM_NATIVE
#define PLATFORM      "native"
#define KERNEL_CS0    0x08              /* platform_native.c's GDT: ring-0 code */
#define KERNEL_DS0    0x10              /* ring-0 data */
#define MACHINE_DS0   0x10              /* the ring-0 data segment: the kernel's own */
#else
#define PLATFORM      "hv"
#define KERNEL_CS0    (FLAT_KERNEL_CS & ~3)   /* 0xe018: the kernel's code, RPL 0 */
#define KERNEL_DS0    (FLAT_KERNEL_DS & ~3)   /* 0xe020 */
#define MACHINE_DS0   __HYPERVISOR_DS         /* 0xe010: the monitor's */
#endif

/* ---- output ------------------------------------------------------------------------------------ */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = format_vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    platform_console_write(line, n < 0 ? 0 : (uint32_t)n < sizeof(line) ? (uint32_t)n : sizeof(line) - 1);
}

/* ---- catching a fault: the handler records it and resumes at the label `resume` names --------- */

#define NO_FAULT 0xFFFFu
static volatile uint32_t fault_vector = NO_FAULT, fault_error;
static volatile uint32_t resume;

static void on_fault(struct regs *r)
{
    fault_vector = r->vector;
    fault_error = r->error_code;
    if (resume)
        r->eip = resume;
}

static void on_syscall(struct regs *r) { (void)r; }
static void on_tick(void) {}
static void on_input(const char *bytes, uint32_t n) { (void)bytes, (void)n; }
static void on_interrupted(struct regs *r) { (void)r; }

/* What one row's code left: its result, in words, and whether the monitor was entered. */
struct outcome {
    char got[96];
    uint32_t entries;               /* entries into the monitor while it ran */
};

/* The fault the row's instruction raised, if any, in words (appended to got). */
static void note_fault(struct outcome *o)
{
    if (fault_vector == NO_FAULT || (fault_vector == 5 && *o->got))
        return;                     /* none, or int $5's handler, said by its row */
    uint32_t n = (uint32_t)strlen(o->got);
    format_snprintf(o->got + n, sizeof(o->got) - n, "%s#%s error 0x%x", n ? "; " : "",
                    fault_vector == 13 ? "GP" : "??", fault_error);
}

/* ---- the rows: sensitive register instructions ------------------------------------------------- */

struct table_register { uint16_t limit; uint32_t base; } __attribute__((packed));

static void run_sgdt(struct outcome *o)
{
    struct table_register t;
    __asm__ volatile("sgdt %0" : "=m"(t));
    format_snprintf(o->got, sizeof(o->got), "base 0x%08x limit 0x%x", t.base, t.limit);
}

static void run_sidt(struct outcome *o)
{
    struct table_register t;
    __asm__ volatile("sidt %0" : "=m"(t));
    format_snprintf(o->got, sizeof(o->got), "base 0x%08x limit 0x%x", t.base, t.limit);
}

static void run_sldt(struct outcome *o)
{
    uint32_t sel = 0xFFFF;
    __asm__ volatile("sldt %0" : "=r"(sel));
    format_snprintf(o->got, sizeof(o->got), "0x%04x", sel & 0xFFFF);
}

static void run_smsw(struct outcome *o)
{
    uint32_t msw = 0;
    __asm__ volatile("smsw %0" : "=r"(msw));
    format_snprintf(o->got, sizeof(o->got), "0x%04x (PE %u, TS %u)", msw & 0xFFFF, msw & 1, (msw >> 3) & 1);
}

/* With the kernel's interrupts off (the platform's irq_disable: cli natively, the event mask on
 * hv), what EFLAGS says. */
static void run_pushf(struct outcome *o)
{
    uint32_t flags;
    irq_disable();
    __asm__ volatile("pushf; pop %0" : "=r"(flags));
    format_snprintf(o->got, sizeof(o->got), "IF %u, IOPL %u", (flags & EFLAGS_IF) != 0, (flags >> 12) & 3);
}

/* Interrupts on by popf (allowed in ring 0), then popf of the same flags with IF clear: are they
 * off? Natively the timer may tick in between; on_tick ignores it. */
static void run_popf(struct outcome *o)
{
    uint32_t flags;
    __asm__ volatile("pushf; orl %1, (%%esp); popf; pushf; andl %2, (%%esp); popf; pushf; pop %0"
                     : "=r"(flags) : "i"(EFLAGS_IF), "i"(~EFLAGS_IF) : "cc");
    format_snprintf(o->got, sizeof(o->got), "IF %u after popf with IF 0", (flags & EFLAGS_IF) != 0);
}

/* ---- the rows: protection-system references ----------------------------------------------------- */

static void run_lar(struct outcome *o)
{
    uint32_t rights = 0, ok = 0, cs;
    __asm__ volatile("mov %%cs, %2; lar %2, %0; setz %b1" : "=r"(rights), "+q"(ok), "=r"(cs) :: "cc");
    format_snprintf(o->got, sizeof(o->got), "0x%08x: DPL %u", rights, (rights >> 13) & 3);
    if (!ok)
        format_snprintf(o->got, sizeof(o->got), "refused (ZF 0)");
}

static void run_lsl(struct outcome *o)
{
    uint32_t limit = 0, ok = 0, cs;
    __asm__ volatile("mov %%cs, %2; lsl %2, %0; setz %b1" : "=r"(limit), "+q"(ok), "=r"(cs) :: "cc");
    format_snprintf(o->got, sizeof(o->got), ok ? "0x%08x" : "refused (ZF 0)", limit);
}

static void run_verr(struct outcome *o)
{
    uint32_t ok = 0;
    __asm__ volatile("verr %w1; setz %b0" : "+q"(ok) : "r"(MACHINE_DS0) : "cc");
    format_snprintf(o->got, sizeof(o->got), ok ? "readable (ZF 1)" : "not readable (ZF 0)");
}

static void run_verw(struct outcome *o)
{
    uint32_t ok = 0;
    __asm__ volatile("verw %w1; setz %b0" : "+q"(ok) : "r"(MACHINE_DS0) : "cc");
    format_snprintf(o->got, sizeof(o->got), ok ? "writable (ZF 1)" : "not writable (ZF 0)");
}

/* pop %ss of the kernel's data selector with RPL 0 (the stack as it was, whatever happened). */
static void run_pop(struct outcome *o)
{
    uint32_t ss;
    __asm__ volatile("mov %%esp, %%edx; movl $1f, %1; push %2; pop %%ss; 1: mov %%edx, %%esp; mov %%ss, %0"
                     : "=r"(ss), "=m"(resume) : "i"(KERNEL_DS0) : "edx", "memory");
    format_snprintf(o->got, sizeof(o->got), "SS 0x%04x", ss & 0xFFFF);
}

static void run_push(struct outcome *o)
{
    uint32_t cs;
    __asm__ volatile("push %%cs; pop %0" : "=r"(cs));
    format_snprintf(o->got, sizeof(o->got), "0x%04x: ring %u", cs & 0xFFFF, cs & 3);
}

/* A far call to the kernel's code selector with RPL 0: the CS the callee runs with. */
static void run_call(struct outcome *o)
{
    uint32_t cs;
    __asm__ volatile("movl $1f, %1; lcall %2, $2f; jmp 1f; 2: mov %%cs, %0; lret; 1:"
                     : "=&r"(cs), "=m"(resume) : "i"(KERNEL_CS0) : "memory");
    format_snprintf(o->got, sizeof(o->got), "callee's CS 0x%04x: ring %u", cs & 0xFFFF, cs & 3);
}

static void run_jmp(struct outcome *o)
{
    uint32_t cs;
    __asm__ volatile("movl $1f, %1; ljmp %2, $2f; 2: mov %%cs, %0; 1:" : "=r"(cs), "=m"(resume) : "i"(KERNEL_CS0) : "memory");
    format_snprintf(o->got, sizeof(o->got), "CS 0x%04x: ring %u", cs & 0xFFFF, cs & 3);
}

/* int $5 (BOUND's vector, whose gate the kernel keeps at DPL 0: no error code, so a software int
 * to it is harmless to the handler): does the kernel's own handler run? */
static void run_int(struct outcome *o)
{
    __asm__ volatile("movl $1f, %0; int $5; 1:" : "=m"(resume) :: "memory");
    if (fault_vector == 5)
        format_snprintf(o->got, sizeof(o->got), "the kernel's handler ran");
}

/* A far return to the kernel's code selector with RPL 0 (where a ring-0 kernel returns to). */
static void run_ret(struct outcome *o)
{
    uint32_t cs;
    __asm__ volatile("mov %%esp, %%edx; movl $1f, %1; push %2; push $2f; lret; 2: 1: mov %%edx, %%esp; mov %%cs, %0"
                     : "=r"(cs), "=m"(resume) : "i"(KERNEL_CS0) : "edx", "memory");
    format_snprintf(o->got, sizeof(o->got), "CS 0x%04x", cs & 0xFFFF);
}

static void run_str(struct outcome *o)
{
    uint32_t sel = 0xFFFF;
    __asm__ volatile("str %0" : "=r"(sel));
    format_snprintf(o->got, sizeof(o->got), "0x%04x", sel & 0xFFFF);
}

static void run_mov(struct outcome *o)
{
    uint32_t ss;
    __asm__ volatile("mov %%ss, %0" : "=r"(ss));
    format_snprintf(o->got, sizeof(o->got), "SS 0x%04x: ring %u", ss & 0xFFFF, ss & 3);
}

/* ---- what hv answers instead (the PV way), where there is something to ask ------------------- */

#ifdef PLATFORM_NATIVE
#define ANSWER(f) NULL
#else
#define ANSWER(f) f
/* mov from %cr0 is privileged: it traps, and the monitor answers with the virtual TS. */
static void answer_cr0(char *buf, size_t n)
{
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    format_snprintf(buf, n, "mov %%cr0: 0x%08x (TS %u)", cr0, (cr0 >> 3) & 1);
}

static void answer_mask(char *buf, size_t n)
{
    format_snprintf(buf, n, "evtchn_upcall_mask %u", shared_info->vcpu_info[0].evtchn_upcall_mask);
}

/* An LDT given to the monitor (one empty page, mapped read-only as descriptor pages must be):
 * the monitor loads it with a selector of its own, which sldt then shows. Taken back after. */
static uint64_t ldt_page[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE)));

static void answer_ldt(char *buf, size_t n)
{
    uint32_t sel = 0xFFFF, mfn = virt_to_mfn(ldt_page);
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = (uint32_t)(uintptr_t)ldt_page, .arg2.nr_ents = 1 };
    long rc = map_page(ldt_page, mfn, PTE_P | PTE_A);
    if (rc == 0)
        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    __asm__ volatile("sldt %0" : "=r"(sel));
    op.arg1.linear_addr = 0, op.arg2.nr_ents = 0;
    HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    map_page(ldt_page, mfn, PTE_P | PTE_RW | PTE_A | PTE_D);
    format_snprintf(buf, n, "MMUEXT_SET_LDT %ld, then sldt 0x%04x", rc, sel & 0xFFFF);
}

/* The segment's limit comes from the monitor's descriptor: the end of the read-only M2P. */
static void answer_limit(char *buf, size_t n)
{
    format_snprintf(buf, n, "MACH2PHYS_VIRT_END 0x%08x", MACH2PHYS_VIRT_END);
}
#endif

/* ---- the table ----------------------------------------------------------------------------------- */

struct row {
    const char *mnemonic;
    const char *ran;                /* what the row's code does */
    void (*run)(struct outcome *o);
    const char *instead;            /* what a PV kernel does instead, on hv */
    void (*answer)(char *buf, size_t n);    /* and hv's answer to it, where it has one */
};

static const struct row rows[] = {
    /* Robin and Irvine's sensitive register instructions */
    { "SGDT", "sgdt", run_sgdt, "HYPERVISOR_set_gdt; the kernel remembers its own GDT", NULL },
    { "SIDT", "sidt", run_sidt, "HYPERVISOR_set_trap_table; the kernel remembers its table", NULL },
    { "SLDT", "sldt", run_sldt, "MMUEXT_SET_LDT; the kernel remembers its LDT", ANSWER(answer_ldt) },
    { "SMSW", "smsw", run_smsw, "mov %cr0 traps, and the monitor answers the virtual TS", ANSWER(answer_cr0) },
    { "PUSHF", "cli (irq_disable); pushf", run_pushf, "vcpu_info.evtchn_upcall_mask is the interrupt flag", ANSWER(answer_mask) },
    { "POPF", "popf with IF set, then clear; pushf", run_popf, "set or clear evtchn_upcall_mask, never IF", NULL },
    /* and protection-system references */
    { "LAR", "lar %cs", run_lar, "expect DPL 1: FLAT_KERNEL_CS is ring 1's", NULL },
    { "LSL", "lsl %cs", run_lsl, "segment truncation: the monitor above the limit is out of reach", ANSWER(answer_limit) },
    { "VERR", "verr the ring-0 data segment", run_verr, "use FLAT_KERNEL_DS (0xe021), never a ring-0 one", NULL },
    { "VERW", "verw the ring-0 data segment", run_verw, "use FLAT_KERNEL_DS (0xe021), never a ring-0 one", NULL },
    { "POP", "pop %ss of the kernel's DS, RPL 0", run_pop, "load FLAT_KERNEL_SS (RPL 1); stack_switch for traps", NULL },
    { "PUSH", "push %cs", run_push, "expect RPL 1 in a saved CS (ring 1 is the kernel's)", NULL },
    { "CALL", "lcall the kernel's CS, RPL 0", run_call, "far calls to FLAT_KERNEL_CS; a hypercall to enter ring 0", NULL },
    { "JMP", "ljmp the kernel's CS, RPL 0", run_jmp, "far jumps to FLAT_KERNEL_CS", NULL },
    { "INT", "int $5 (a DPL-0 gate)", run_int, "set_trap_table gives each gate its DPL; int $0x82 to the monitor", NULL },
    { "RET", "lret to the kernel's CS, RPL 0", run_ret, "return to RPL 1; HYPERVISOR_iret to leave a trap", NULL },
    { "STR", "str", run_str, "HYPERVISOR_stack_switch instead of a TSS of its own", NULL },
    { "MOV", "mov %ss, reg", run_mov, "expect FLAT_KERNEL_SS (0xe021)", NULL },
};

int main(void)
{
    static const struct platform_handlers handlers = {
        .fault = on_fault, .syscall = on_syscall, .tick = on_tick, .input = on_input, .interrupted = on_interrupted,
    };
    platform_init(&handlers);
    uint32_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    say("%s, the kernel in ring %u; %u rows\n", PLATFORM, cs & 3, (unsigned)(sizeof(rows) / sizeof(rows[0])));
#ifndef PLATFORM_NATIVE
    char traced[8] = "";
    cmdline_option("trace", traced, sizeof(traced));
#endif
    for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        struct outcome o = { .got = "" };
        fault_vector = NO_FAULT;
        resume = 0;
        __asm__ volatile("" ::: "memory");
        uint32_t before = platform_monitor_entries();
#ifndef PLATFORM_NATIVE
        int trace = strcmp(traced, r->mnemonic) == 0;
        if (trace)
            GUEST_BREAK();                          /* the trace starts here */
        r->run(&o);
        if (trace)
            GUEST_BREAK();                          /* and stops here */
#else
        r->run(&o);
#endif
        o.entries = platform_monitor_entries() - before;
        resume = 0;
        note_fault(&o);
#ifdef PLATFORM_NATIVE
        const char *trapped = "-";
#else
        const char *trapped = !o.entries ? "no" : fault_vector != NO_FAULT ? "yes, bounced" : "yes, emulated";
#endif
        char answer[64] = "";
        if (r->answer)
            r->answer(answer, sizeof(answer));
        say("row|%s|%s|%s|%s|%s%s%s\n", r->mnemonic, r->ran, o.got, trapped, r->instead, *answer ? "; hv: " : "", answer);
    }
    say("done\n");
    return 0;
}
