/* layer.c - a trap-and-emulate monitor in miniature (lesson 2, docs/LESSONS.md): what a classic
 * virtual machine monitor does with a kernel it runs deprivileged. It runs in the guest, in ring 1
 * beside the kernel's code it watches (kernel.c): each privileged instruction of that code raises
 * #GP in ring 1, hv bounces it here (as the CPU would trap to a monitor below), and the layer
 * carries it out on a virtual CPU of its own (the interrupt flag, the GDT register) and steps past
 * it. The timer's real interrupts come to the layer too; it hands them to the kernel only while the
 * virtual IF is set, holding them otherwise, as a virtual interrupt controller would.
 *
 * It emulates what the kernel's code traps on (cli, sti, hlt, and lgdt of a variable at a fixed
 * address) and nothing more. What does not trap it cannot emulate, and never learns of: that is
 * lesson 2. Lesson 3's rewriter turns pushf and popf into calls to it (the end of this file).
 */
#include "lesson.h"

struct virtual_cpu virtual_cpu;
static uint32_t pending;                /* a tick held by the virtual IF, delivered when it is set */
static volatile uint32_t delivered, held;
static uint32_t emulated, calls;
static char trap_log[128];

void layer_start(void)
{
    virtual_cpu.interrupts = 0;         /* off, as a boot loader leaves a kernel */
    events_unmask();                    /* the real interrupts come to the layer whatever it holds */
}

static void deliver(void)
{
    pending = 0;
    delivered++;
    kernel_tick();                      /* as the CPU would call the kernel's interrupt gate */
}

void layer_interrupt(void)
{
    if (virtual_cpu.interrupts)
        deliver();
    else
        pending = 1, held++;
}

uint32_t layer_traps(void) { return emulated; }
uint32_t layer_calls(void) { return calls; }
const char *layer_log(void) { return trap_log; }

/* ---- the one memory operand the layer decodes ------------------------------------------------ */

/* lgdt of a variable at a fixed address, as `lgdt gdtr` assembles: ModRM 00 010 101 (mod 00,
 * r/m 101: a 32-bit displacement alone, Intel SDM vol. 2, table 2-2), then the address. Other
 * forms (a register, a SIB byte) are not decoded: the layer leaves them unemulated, and the
 * lesson reports an unexpected #GP. */
#define MODRM_LGDT_DISP32 0x15

static int lgdt_operand(const uint8_t *insn, uint32_t *address)
{
    if (insn[1] != 0x01 || insn[2] != MODRM_LGDT_DISP32)
        return 0;
    memcpy(address, insn + 3, sizeof(*address));
    return 1;
}

/* ---- the instructions ------------------------------------------------------------------------ */

/* One trap emulated: its mnemonic in the log, and a line saying what it did. */
static int quiet;                       /* lesson.c is measuring: no lines, no counts */

void layer_quiet(int on)
{
    quiet = on;
}

static void note(const char *mnemonic, const struct regs *r, const char *what)
{
    if (quiet)
        return;
    size_t n = strlen(trap_log);
    format_snprintf(trap_log + n, sizeof(trap_log) - n, "%s%s", n ? ", " : "", mnemonic);
    emulated++;
    say("   layer: #GP at 0x%08x, %s: %s\n", r->eip, mnemonic, what);
}

/* hlt: wait for the next interrupt the virtual CPU takes. With the virtual IF 0 none ever comes:
 * the layer watches a few ticks arrive and be held, then says so. */
static void emulate_hlt(const struct regs *r)
{
    if (virtual_cpu.interrupts) {
        note("hlt", r, "waits for a tick, with the virtual IF 1");
        for (uint32_t seen = delivered; delivered == seen; )
            platform_idle();
        return;
    }
    note("hlt", r, "the virtual IF is 0: no interrupt can end this halt");
    uint32_t start = held;
    while (held - start < 3)
        platform_idle();
    say("   layer: 3 ticks came since, each held by the virtual IF 0: the virtual CPU halts here for ever\n");
    lesson_halted(held - start);
}

static int emulate_lgdt(struct regs *r, const uint8_t *insn)
{
    uint32_t address;
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) table;
    if (!lgdt_operand(insn, &address))
        return 0;
    memcpy(&table, (const void *)(uintptr_t)address, sizeof(table));
    virtual_cpu.gdt_base = table.base, virtual_cpu.gdt_limit = table.limit;
    char what[80];
    format_snprintf(what, sizeof(what), "the virtual GDTR is now 0x%08x limit 0x%x", table.base, table.limit);
    note("lgdt", r, what);
    r->eip += 3 + sizeof(address);                      /* 0f 01, ModRM, the address */
    return 1;
}

int layer_trap(struct regs *r)
{
    const uint8_t *insn = (const uint8_t *)(uintptr_t)r->eip;
    if (r->vector != VEC_GP || r->error_code != 0)
        return 0;                       /* not a privileged instruction */
    irq_disable();                      /* no tick while the virtual CPU changes; the return restores */
    switch (insn[0]) {
    case 0xFA:                                          /* cli */
        virtual_cpu.interrupts = 0;
        note("cli", r, "the virtual IF is now 0");
        r->eip += 1;
        break;
    case 0xFB:                                          /* sti */
        virtual_cpu.interrupts = 1;
        note("sti", r, pending ? "the virtual IF is now 1: the tick it held goes in" : "the virtual IF is now 1");
        r->eip += 1;
        if (pending)
            deliver();
        break;
    case 0xF4:                                          /* hlt */
        emulate_hlt(r);
        r->eip += 1;
        break;
    case 0x0F:                                          /* lgdt: 0f 01 /2 */
        if (!emulate_lgdt(r, insn))
            return 0;
        break;
    default:
        return 0;
    }
    return 1;
}

/* ---- calls from rewritten code (lesson 3) ---------------------------------------------------- */

uint32_t layer_pushf(uint32_t real_flags, uint32_t whence)
{
    calls += !quiet;
    if (!quiet)
        say("   layer: call from the rewritten pushf at 0x%08x: the flags with the virtual IF %u\n",
            rewrite_site_of(whence), virtual_cpu.interrupts);
    return (real_flags & ~EFLAGS_IF) | (virtual_cpu.interrupts ? EFLAGS_IF : 0);
}

void layer_popf(uint32_t flags, uint32_t whence)
{
    calls += !quiet;
    virtual_cpu.interrupts = (flags & EFLAGS_IF) != 0;
    if (!quiet)
        say("   layer: call from the rewritten popf at 0x%08x: the virtual IF is now %u%s\n", rewrite_site_of(whence),
            virtual_cpu.interrupts, virtual_cpu.interrupts && pending ? ": the tick it held goes in" : "");
    if (virtual_cpu.interrupts && pending)
        deliver();
}
