/* platform_native.c - the minikernel's platform on bare hardware: ring 0 of a PC (QEMU, Bochs),
 * booted by Multiboot (platform.h says what each function promises; docs/PORTING.md sets each
 * beside its hv twin in platform_xen.c). Here the kernel owns the machine: its own GDT, IDT and
 * TSS, the PIC and the PIT, the serial port, and page tables it writes with plain stores.
 * platform_native.S holds the first instructions (paging on, the jump to 0xC0000000) and the trap
 * entries.
 */
#include "cmdline.h"
#include "platform.h"

#define KERNEL_BASE 0xC0000000u
#define KERNEL_CS   0x08
#define KERNEL_DS   0x10
#define TSS_SEL     0x28
#define COM1        0x3F8
#define PIC1        0x20
#define PIC2        0xA0
#define IRQ_BASE    0x20                 /* the PIC's lines 0-15 as vectors 0x20-0x2F */
#define IRQ_TIMER   0
#define IRQ_SERIAL  4
#define PIT_HZ      1193182u
#define SYSCALL_VECTOR 0x80

static const struct platform_handlers *handlers;

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint64_t rdtsc(void) { uint64_t t; __asm__ volatile("rdtsc" : "=A"(t)); return t; }

/* ---- descriptors: the GDT, the TSS, the IDT -----------------------------------------------------
 * Flat 4 GiB segments for ring 0 and ring 3, and one TSS, whose only use is the stack the CPU
 * switches to on a trap from ring 3 (esp0): the top of trap_stack, where every trap from ring 3
 * leaves its struct regs. */
struct tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi, es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
} __attribute__((packed));

static struct tss tss;
static uint64_t gdt[6];
static uint64_t idt[256];
uint8_t trap_stack[16384] __attribute__((aligned(16)));
extern const uint32_t native_trap_stubs[256];        /* platform_native.S */

static uint64_t segment(uint32_t base, uint32_t limit, unsigned access, unsigned flags)
{
    return (limit & 0xFFFFull) | (uint64_t)(base & 0xFFFFFF) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xF) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

/* A gate to the stub of vector v: an interrupt gate (IF cleared on entry, as the kernel wants for
 * everything it handles), reachable by `int` from ring 3 when dpl is 3. */
static uint64_t gate(unsigned v, unsigned dpl)
{
    uint32_t stub = native_trap_stubs[v];
    return (stub & 0xFFFF) | (uint64_t)KERNEL_CS << 16 | (uint64_t)(0x8E | dpl << 5) << 40 |
           (uint64_t)(stub >> 16) << 48;
}

static void descriptors_init(void)
{
    gdt[1] = segment(0, 0xFFFFF, 0x9A, 0xC);              /* 0x08 ring-0 code */
    gdt[2] = segment(0, 0xFFFFF, 0x92, 0xC);              /* 0x10 ring-0 data */
    gdt[3] = segment(0, 0xFFFFF, 0xFA, 0xC);              /* 0x1b ring-3 code */
    gdt[4] = segment(0, 0xFFFFF, 0xF2, 0xC);              /* 0x23 ring-3 data */
    gdt[5] = segment((uint32_t)&tss, sizeof(tss) - 1, 0x89, 0);   /* 0x28 the TSS */
    tss.ss0 = KERNEL_DS;
    tss.esp0 = (uint32_t)(trap_stack + sizeof(trap_stack));
    tss.iomap = sizeof(tss);                               /* no I/O bitmap: ring 3 has no port */
    struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint32_t)gdt },
        idtr = { sizeof(idt) - 1, (uint32_t)idt };
    __asm__ volatile("lgdt %0" :: "m"(gdtr));
    __asm__ volatile("ljmp %0, $1f; 1:" :: "i"(KERNEL_CS));
    __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%fs; mov %0, %%gs; mov %0, %%ss" :: "r"(KERNEL_DS));
    __asm__ volatile("ltr %w0" :: "r"(TSS_SEL));
    for (unsigned v = 0; v < 256; v++)
        idt[v] = native_trap_stubs[v] ? gate(v, v == SYSCALL_VECTOR ? 3 : 0) : 0;
    __asm__ volatile("lidt %0" :: "m"(idtr));
}

/* ---- the PIC, the PIT and the TSC: interrupts and time ------------------------------------------ */

static uint64_t tsc_per_ms, tsc_at_boot, deadline;
static uint64_t wallclock_at_boot_ns;

static void pic_init(void)
{
    outb(PIC1, 0x11), outb(PIC2, 0x11);                   /* ICW1: edge, cascade, ICW4 follows */
    outb(PIC1 + 1, IRQ_BASE), outb(PIC2 + 1, IRQ_BASE + 8);
    outb(PIC1 + 1, 4), outb(PIC2 + 1, 2);                 /* the slave on line 2 */
    outb(PIC1 + 1, 1), outb(PIC2 + 1, 1);                 /* 8086 mode */
    outb(PIC1 + 1, (uint8_t)~(1 << IRQ_TIMER | 1 << IRQ_SERIAL)), outb(PIC2 + 1, 0xFF);
}

/* Count the TSC over 10 ms of the PIT's channel 2 (its gate in port 0x61, its output polled). */
static void tsc_calibrate(void)
{
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);               /* gate on, speaker off */
    outb(0x43, 0xB0);                                     /* channel 2, lobyte/hibyte, mode 0 */
    uint16_t count = PIT_HZ / 100;
    outb(0x42, count & 0xFF), outb(0x42, count >> 8);
    uint64_t start = rdtsc();
    while (!(inb(0x61) & 0x20))
        ;
    tsc_per_ms = (rdtsc() - start) / 10;
    if (!tsc_per_ms)
        tsc_per_ms = 1;
}

uint64_t platform_clock_ns(void)
{
    return (rdtsc() - tsc_at_boot) * 1000000ull / tsc_per_ms;
}

/* The PIT's channel 0 in mode 0 (one interrupt when it counts down): at most 65535 counts, 55 ms;
 * a later deadline is reached in several such steps. */
static void pit_arm(void)
{
    uint64_t now = platform_clock_ns();
    uint64_t ns = deadline > now ? deadline - now : 0;
    uint64_t counts = ns * PIT_HZ / 1000000000ull;
    counts = counts < 1 ? 1 : counts > 0xFFFF ? 0xFFFF : counts;
    outb(0x43, 0x30);                                     /* channel 0, lobyte/hibyte, mode 0 */
    outb(0x40, counts & 0xFF), outb(0x40, (uint8_t)(counts >> 8));
}

void platform_timer_set(uint64_t deadline_ns)
{
    deadline = deadline_ns;
    if (deadline)
        pit_arm();
}

static unsigned cmos(unsigned reg)
{
    outb(0x70, (uint8_t)reg);
    unsigned v = inb(0x71);
    return (v & 0x0F) + (v >> 4) * 10;                    /* BCD, as the RTC keeps it by default */
}

/* The CMOS clock at boot, in seconds since 1970 (UTC, as QEMU and Bochs keep it). */
static void wallclock_init(void)
{
    while (inb(0x70), outb(0x70, 0x0A), inb(0x71) & 0x80)
        ;                                                 /* not during an update */
    unsigned s = cmos(0), m = cmos(2), h = cmos(4), d = cmos(7), mon = cmos(8), y = 2000 + cmos(9);
    static const unsigned before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
    uint64_t days = (y - 1970) * 365ull + (y - 1969) / 4 + before[mon - 1] + d - 1;
    if (mon > 2 && y % 4 == 0)
        days++;
    wallclock_at_boot_ns = ((days * 24 + h) * 60 + m) * 60ull + s;
    wallclock_at_boot_ns *= 1000000000ull;
}

uint64_t platform_wallclock_ns(void)
{
    return wallclock_at_boot_ns + platform_clock_ns();
}

void irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}

/* Nothing to do: the iret back to ring 3 takes EFLAGS from the frame, where IF is set. */
void irq_enable_on_return(void)
{
}

/* `sti; hlt`: the interrupt that ends the halt cannot come between them (sti takes effect after
 * the next instruction), so none is missed; its handler runs nested, here. */
void platform_idle(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* ---- the serial port: the console ----------------------------------------------------------------- */

static void serial_init(void)
{
    outb(COM1 + 1, 0x00);                                 /* no interrupts while we set it up */
    outb(COM1 + 3, 0x80), outb(COM1 + 0, 1), outb(COM1 + 1, 0);   /* 115200 baud */
    outb(COM1 + 3, 0x03);                                 /* 8 bits, no parity, one stop bit */
    outb(COM1 + 2, 0xC7);                                 /* FIFOs on */
    outb(COM1 + 4, 0x0B);                                 /* DTR, RTS, OUT2 (the IRQ line) */
    outb(COM1 + 1, 0x01);                                 /* an interrupt when a byte comes */
}

void platform_console_write(const char *s, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            while (!(inb(COM1 + 5) & 0x20))
                ;
            outb(COM1, '\r');
        }
        while (!(inb(COM1 + 5) & 0x20))                   /* until the transmitter is empty */
            ;
        outb(COM1, (uint8_t)s[i]);
    }
}

int platform_has_input(void)
{
    return 1;
}

static void serial_interrupt(void)
{
    char bytes[16];
    uint32_t n = 0;
    while (n < sizeof(bytes) && (inb(COM1 + 5) & 0x01))
        bytes[n++] = (char)inb(COM1);
    if (n)
        handlers->input(bytes, n);
}

/* ---- traps: every vector's stub (platform_native.S) calls here with its struct regs ------------- */

void native_trap(struct regs *r)
{
    if (r->vector == SYSCALL_VECTOR) {
        handlers->syscall(r);
    } else if (r->vector < PLATFORM_NR_FAULTS) {
        handlers->fault(r);
    } else if (r->vector == IRQ_BASE + IRQ_TIMER) {
        outb(PIC1, 0x20);                                 /* end of interrupt */
        if (deadline && platform_clock_ns() >= deadline) {
            deadline = 0;
            handlers->tick();
        } else if (deadline) {
            pit_arm();                                    /* a step of a longer wait */
        }
        handlers->interrupted(r);
    } else if (r->vector == IRQ_BASE + IRQ_SERIAL) {
        serial_interrupt();
        outb(PIC1, 0x20);
        handlers->interrupted(r);
    } else if (r->vector >= IRQ_BASE && r->vector < IRQ_BASE + 16) {
        if (r->vector >= IRQ_BASE + 8)
            outb(PIC2, 0x20);                             /* a spurious or masked line: acknowledged */
        outb(PIC1, 0x20);
    }
}

/* ---- memory and page tables ---------------------------------------------------------------------
 * platform_native.S maps the first gigabyte of physical memory at 0xC0000000 with 2 MiB pages
 * (and, for the kernel's own space, at 0 as well). A frame's kernel address is KERNEL_BASE plus
 * its physical address; pages are handed out from the end of the kernel and its module up. */

extern char _end[];
static uint32_t next_free, memory_end;                   /* physical */
static uint32_t boot_l3_frame;

uint32_t virt_to_frame(const void *va) { return ((uint32_t)va - KERNEL_BASE) >> PAGE_SHIFT; }
void *frame_to_virt(uint32_t frame) { return (void *)(KERNEL_BASE + (frame << PAGE_SHIFT)); }
uint32_t platform_kernel_l3(void) { return boot_l3_frame; }

void *platform_page_alloc(void)
{
    if (next_free + PAGE_SIZE > memory_end)
        return NULL;
    void *page = frame_to_virt(next_free >> PAGE_SHIFT);
    next_free += PAGE_SIZE;
    memset(page, 0, PAGE_SIZE);
    return page;
}

uint32_t platform_pages_left(void)
{
    return next_free < memory_end ? (memory_end - next_free) >> PAGE_SHIFT : 0;
}

/* A page is a table as soon as an entry points to it: nothing to do on bare hardware. */
int table_make(uint32_t frame, unsigned level) { (void)frame, (void)level; return 0; }
void table_unmake(uint32_t frame, unsigned level) { (void)frame, (void)level; }

/* An 8-byte entry written as two 4-byte stores: the half with the present bit last when it is
 * set, first when it is cleared, so that the CPU never walks through half an entry. */
int pte_write(uint32_t table, unsigned index, uint64_t entry)
{
    volatile uint32_t *e = (volatile uint32_t *)frame_to_virt(table) + 2 * index;
    if (entry & PTE_P) {
        e[1] = (uint32_t)(entry >> 32);
        e[0] = (uint32_t)entry;
    } else {
        e[0] = (uint32_t)entry;
        e[1] = (uint32_t)(entry >> 32);
    }
    return 0;
}

int pte_write_batch(const struct pte_write *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        pte_write(w[i].table, w[i].index, w[i].entry);
    return 0;
}

void tlb_flush_page(uint32_t va)
{
    __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

void space_load(uint32_t l3)
{
    __asm__ volatile("mov %0, %%cr3" :: "r"(l3 << PAGE_SHIFT) : "memory");
}

/* ---- ring 3, the FPU, faults and the end ------------------------------------------------------- */

void platform_enter_user(uint32_t eip, uint32_t esp)
{
    __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%fs; mov %0, %%gs\n\t"
                     "push %0; push %1; push %2; push %3; push %4; iret"
                     :: "r"((uint32_t)USER_DS), "r"(esp), "i"(EFLAGS_IF | EFLAGS_RESERVED), "i"(USER_CS), "r"(eip)
                     : "memory");
    __builtin_unreachable();
}

void fpu_trap_on_use(int on)
{
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    cr0 = on ? cr0 | 0x8 : cr0 & ~0x8u;                   /* CR0.TS */
    __asm__ volatile("mov %0, %%cr0" :: "r"(cr0));
}

uint32_t fault_address(void)
{
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    return cr2;
}

/* The last line, as the monitor ends its own ("power-off status=N": tools/hvrun --native waits
 * for it), then QEMU's isa-debug-exit (its exit status is 2 * N + 1) and Bochs's shutdown port;
 * should neither exist, halt. */
void platform_power_off(int clean)
{
    char line[32];
    int n = format_snprintf(line, sizeof(line), "power-off status=%d\n", clean ? 0 : 1);
    platform_console_write(line, (uint32_t)n);
    outb(0xF4, clean ? 0 : 1);
    for (const char *c = "Shutdown"; *c; c++)
        __asm__ volatile("outb %0, %w1" :: "a"(*c), "d"((uint16_t)0x8900));
    for (;;)
        __asm__ volatile("cli; hlt");
}

uint32_t platform_monitor_entries(void)
{
    return 0;                                             /* no monitor below us */
}

/* ---- start of day ---------------------------------------------------------------------------------
 * The Multiboot information (its fields as the specification numbers them): the memory size, the
 * command line and the first module, the archive. */
struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
};
struct multiboot_module { uint32_t start, end, string, reserved; };

static const char *cmdline = "";
static const uint8_t *module;
static uint32_t module_len;

static void multiboot_read(uint32_t info_phys)
{
    const struct multiboot_info *mb = (const void *)(KERNEL_BASE + info_phys);
    uint32_t end = (uint32_t)_end - KERNEL_BASE;
    memory_end = 0x100000 + mb->mem_upper * 1024;
    if (memory_end > 0x40000000)
        memory_end = 0x40000000;                          /* what the kernel's mapping covers */
    if (mb->flags & (1 << 2))
        cmdline = (const char *)(KERNEL_BASE + mb->cmdline);
    if ((mb->flags & (1 << 3)) && mb->mods_count) {
        const struct multiboot_module *m = (const void *)(KERNEL_BASE + mb->mods_addr);
        module = (const uint8_t *)(KERNEL_BASE + m->start);
        module_len = m->end - m->start;
        if (m->end > end)
            end = m->end;
    }
    next_free = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* The loader's command line starts with the kernel's file name (as QEMU and GRUB write it). */
const char *platform_cmdline(void)
{
    return cmdline_args(cmdline);
}

const uint8_t *platform_module(uint32_t *len)
{
    *len = module_len;
    return module;
}

void platform_init(const struct platform_handlers *h)
{
    handlers = h;
    descriptors_init();
    pic_init();
    serial_init();
    tsc_calibrate();
    tsc_at_boot = rdtsc();
    wallclock_init();
}

int main(void);

/* From platform_native.S, paging on, on the boot stack. */
void native_main(uint32_t multiboot_info_phys, uint32_t l3_phys)
{
    boot_l3_frame = l3_phys >> PAGE_SHIFT;
    multiboot_read(multiboot_info_phys);
    platform_power_off(main() == 0);
}
