/* kernel.c - a piece of a kernel written for ring 0 of a bare x86, and for nothing else: it loads
 * its GDT, turns interrupts on, waits for its timer, and guards its work with the critical section
 * every kernel has (save the flags and cli; put them back with popf, as Linux's local_irq_save and
 * local_irq_restore do), once inline and once through a pointer; and it keeps a table in its code. Not a line of it knows about hv. Lesson 2 (docs/LESSONS.md) builds this
 * same file into two kernels: natively it runs in ring 0, as written; on hv it runs unmodified in
 * ring 1, under a trap-and-emulate layer (layer.c) that emulates what traps, as a classic virtual
 * machine monitor would.
 *
 * The step() and check() calls between its instructions are the lesson's probes (lesson.c), not
 * the kernel's: each names what the kernel's author believes once the code above it has run, and
 * checks it against the machine.
 */
#include "lesson.h"

/* Its GDT: the null descriptor, then flat ring-0 code (selector 0x08) and data (0x10): the same
 * descriptors at the same selectors as the native platform's, so loading it changes nothing the
 * platform relies on (docs/LESSONS.md says why that matters natively). */
static uint64_t gdt[3] __attribute__((aligned(8))) = { 0, 0x00CF9A000000FFFFull, 0x00CF92000000FFFFull };
static struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr;

volatile uint32_t kernel_ticks;

/* How it puts interrupts back after its second critical section: through a pointer, as kernels
 * that run on several kinds of machine keep such operations in a table. */
static uint32_t restores;

static void restore_and_count(uint32_t flags)
{
    __asm__ volatile("push %0; popf" :: "r"(flags) : "memory", "cc");
    restores++;
}

static void (*volatile irq_restore_op)(uint32_t flags) = restore_and_count;

/* Eight bytes of data kept among its instructions, as hand-written kernels keep jump tables, fonts
 * and boot headers in their code; and a copy elsewhere, to check them by. The lesson chose the
 * bytes: read as code, 0x9d is popf and 'A' to 'G' are one-byte instructions. */
__asm__(".pushsection .text\n"
        "code_table: .byte 0x9d, 'A', 'B', 'C', 'D', 'E', 'F', 'G'\n"
        ".popsection\n");
extern const uint8_t code_table[8];     /* the label above */
static const uint8_t table_as_built[8] = { 0x9d, 'A', 'B', 'C', 'D', 'E', 'F', 'G' };

void kernel_tick(void)
{
    kernel_ticks++;
}

void kernel_main(void)
{
    uint32_t flags, seen;

    gdtr.limit = sizeof(gdt) - 1, gdtr.base = (uint32_t)(uintptr_t)gdt;
    step("lgdt gdtr", "its GDT is loaded");
    __asm__ volatile("lgdt %0" :: "m"(gdtr) : "memory");
    check(FACT_GDTR, gdtr.base);

    step("sti", "interrupts are on");
    __asm__ volatile("sti" ::: "memory");
    check(FACT_IF, 1);

    step("hlt", "a tick of its timer ended the halt");
    seen = kernel_ticks;
    __asm__ volatile("hlt" ::: "memory");
    check(FACT_TICKED, seen);

    /* The critical section: the flags saved, interrupts off, the work, the flags put back. */
    step("pushf; pop %eax (irq_save)", "the saved flags hold IF as it is");
    __asm__ volatile("pushf; pop %0" : "=r"(flags) :: "memory");
    check(FACT_SAVED_IF, flags);

    step("cli", "interrupts are off");
    __asm__ volatile("cli" ::: "memory");
    check(FACT_IF, 0);

    step("push %eax; popf (irq_restore)", "interrupts are on again");
    __asm__ volatile("push %0; popf" :: "r"(flags) : "memory", "cc");
    check(FACT_IF, (flags & EFLAGS_IF) != 0);

    step("hlt", "the next tick ended the halt");
    seen = kernel_ticks;
    __asm__ volatile("hlt" ::: "memory");
    check(FACT_TICKED, seen);

    unsigned changed = 0;
    step("(reads the table in its code)", "its table is as it was built");
    for (unsigned k = 0; k < sizeof(table_as_built); k++)
        changed += code_table[k] != table_as_built[k];
    check(FACT_CHANGED, changed);

    /* A second critical section, its flags put back through the pointer. */
    step("cli", "interrupts are off");
    __asm__ volatile("cli" ::: "memory");
    check(FACT_IF, 0);

    step("call *irq_restore_op (popf)", "interrupts are on again");
    irq_restore_op(flags);
    check(FACT_IF, (flags & EFLAGS_IF) != 0);

    step("hlt", "the next tick ended the halt");
    seen = kernel_ticks;
    __asm__ volatile("hlt" ::: "memory");
    check(FACT_TICKED, seen);
}
