/* native.c - the native benchmark: the operations of tests/bench/bench.c on bare hardware, in
 * ring 0 with its own GDT, IDT, TSS and PAE page tables, and ring-3 code for system calls. No
 * monitor: this is the baseline. Prints "bench: NAME PER-OP" lines like the guest's and powers
 * off through QEMU's isa-debug-exit.
 */
#include <stdint.h>
#include "format.h"
#include "kstring.h"
#include "x86/paging.h"

struct regs {
    uint32_t gs, fs, es, ds, edi, esi, ebp, esp0, ebx, edx, ecx, eax, vector, error_code, eip, cs, eflags;
};

static uint64_t gdt[6] __attribute__((aligned(8)));
static uint64_t idt[256] __attribute__((aligned(8)));
static uint32_t tss[26];
static uint64_t pdpt[4] __attribute__((aligned(32)));
static uint64_t l2[512] __attribute__((aligned(4096)));
static uint64_t l1[2][512] __attribute__((aligned(4096)));       /* 0 .. 4 MiB */
static uint8_t trap_stack[8192] __attribute__((aligned(16)));
static uint8_t window[512][4096] __attribute__((aligned(4096)));
extern const uint32_t trap_stubs[4];
void enter_user_native(uint32_t eip, uint32_t esp);

static uint32_t n = 2000;
static uint64_t loop_cost;
static uint32_t skip;
static void *kernel_context[5];

static void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static void print(const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int len = format_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    for (int i = 0; i < len; i++) {
        while (!(inb(0x3F8 + 5) & 0x20))
            ;
        outb(0x3F8, (uint8_t)buf[i]);
    }
}

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return (uint64_t)hi << 32 | lo;
}

static void report(const char *name, uint64_t total, uint32_t ops)
{
    uint64_t per = total / ops;
    print("bench: %s %llu\n", name, (unsigned long long)(per > loop_cost ? per - loop_cost : 0));
}

#define WARMUP 3
#define MEASURE(name, ops, body) do {                                   \
        for (uint32_t w_ = 0; w_ < WARMUP; w_++) { body; }               \
        uint64_t t0_ = tsc();                                            \
        for (uint32_t i_ = 0; i_ < n; i_++) { body; }                    \
        report(name, tsc() - t0_, n * (ops));                            \
    } while (0)

static uint64_t segment(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xF) << 48 | (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

static void gate(unsigned v, uint32_t handler, unsigned dpl, int trap)
{
    idt[v] = (handler & 0xFFFF) | (uint64_t)0x08 << 16 |
             (uint64_t)(0x80 | dpl << 5 | (trap ? 0xF : 0xE)) << 40 | (uint64_t)(handler >> 16) << 48;
}

static void setup_cpu(void)
{
    gdt[1] = segment(0, 0xFFFFF, 0x9A, 0xC);
    gdt[2] = segment(0, 0xFFFFF, 0x92, 0xC);
    gdt[3] = segment(0, 0xFFFFF, 0xFA, 0xC);
    gdt[4] = segment(0, 0xFFFFF, 0xF2, 0xC);
    tss[1] = (uint32_t)(uintptr_t)(trap_stack + sizeof(trap_stack));
    tss[2] = 0x10;
    tss[25] = sizeof(tss) << 16;
    gdt[5] = segment((uint32_t)(uintptr_t)tss, sizeof(tss) - 1, 0x89, 0);
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } g = { sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt },
        i = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
    __asm__ volatile("lgdt %0; ljmp $0x08, $1f; 1: mov $0x10, %%eax; mov %%eax, %%ds; mov %%eax, %%es;"
                     "mov %%eax, %%ss; mov $0x28, %%eax; ltr %%ax; lidt %1" :: "m"(g), "m"(i) : "eax", "memory");
    gate(6, trap_stubs[0], 0, 0);
    gate(14, trap_stubs[1], 0, 0);
    gate(0x80, trap_stubs[2], 3, 1);
    gate(0x82, trap_stubs[3], 0, 0);
    /* PAE: the first 4 MiB mapped with 4 KiB pages, user-accessible, as a guest's would be. */
    for (unsigned t = 0; t < 2; t++)
        for (unsigned e = 0; e < 512; e++)
            l1[t][e] = ((uint64_t)(t * 512 + e) << 12) | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;
    l2[0] = (uint64_t)(uintptr_t)l1[0] | PTE_P | PTE_RW | PTE_US;
    l2[1] = (uint64_t)(uintptr_t)l1[1] | PTE_P | PTE_RW | PTE_US;
    pdpt[0] = (uint64_t)(uintptr_t)l2 | PTE_P;
    __asm__ volatile("mov %%cr4, %%eax; or $0x20, %%eax; mov %%eax, %%cr4; mov %0, %%cr3;"
                     "mov %%cr0, %%eax; or $0x80010000, %%eax; mov %%eax, %%cr0" :: "r"(pdpt) : "eax", "memory");
}

void native_trap(struct regs *r);
void native_trap(struct regs *r)
{
    if (r->vector == 0x80 && r->eax == 0)
        __builtin_longjmp(kernel_context, 1);
    if (r->vector == 0x80 && r->eax == 2)
        __builtin_longjmp(kernel_context, 1);
    r->eip += (r->vector == 6 || r->vector == 14) ? skip : 0;
}

/* ---- ring 3 ------------------------------------------------------------------------------ */
#define USER_TEXT __attribute__((section(".user.text"), noinline))
#define USER_DATA __attribute__((section(".user.data")))
USER_DATA static uint8_t user_stack[4096] __attribute__((aligned(16)));
USER_DATA static volatile uint64_t user_t0, user_t1;
USER_DATA static volatile uint32_t user_n;

#define USER_TSC(out) do { uint32_t lo_, hi_; __asm__ volatile("rdtsc" : "=a"(lo_), "=d"(hi_) :: "memory"); \
                           (out) = (uint64_t)hi_ << 32 | lo_; } while (0)

USER_TEXT static void user_back(void)
{
    __asm__ volatile("int $0x80" :: "a"(2) : "memory");
    for (;;)
        ;
}

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

static void run_user(void)
{
    if (__builtin_setjmp(kernel_context) == 0)
        enter_user_native((uint32_t)(uintptr_t)user_syscalls, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
    __asm__ volatile("mov $0x10, %%eax; mov %%eax, %%ds; mov %%eax, %%es" ::: "eax");
}

static uint64_t *pte_of(const void *va) { uint32_t v = (uint32_t)(uintptr_t)va; return &l1[v >> L2_SHIFT][L1_INDEX(v)]; }

static void page_tables(void)
{
    static const unsigned sizes[] = { 1, 8, 64, 512 };
    for (unsigned s = 0; s < 4; s++) {
        unsigned size = sizes[s];
        uint32_t iterations = n / size > 0 ? n / size : 1;
        char name[32];
        format_snprintf(name, sizeof(name), "mmu_update_batch_%u", size);
        uint64_t t0 = tsc();
        for (uint32_t it = 0; it < iterations; it++) {
            for (unsigned i = 0; i < size; i++)
                *pte_of(window[i]) = ((uint64_t)(uintptr_t)window[i]) | PTE_P | PTE_US | PTE_A | ((it & 1) ? PTE_RW | PTE_D : 0);
            __asm__ volatile("mov %%cr3, %%eax; mov %%eax, %%cr3" ::: "eax", "memory");   /* weakened: flush */
        }
        report(name, tsc() - t0, iterations * size);
    }
    MEASURE("update_va_mapping", 1, { *pte_of(window[0]) = (uint64_t)(uintptr_t)window[0] | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;
                                      __asm__ volatile("invlpg (%0)" :: "r"(window[0]) : "memory"); });
}

void native_main(void);
void native_main(void)
{
    outb(0x3F8 + 3, 0x03);
    setup_cpu();
    loop_cost = ~0ull;
    for (int round = 0; round < WARMUP; round++) {
        uint64_t t0 = tsc();
        for (uint32_t i = 0; i < n; i++)
            __asm__ volatile("" ::: "memory");
        uint64_t per = (tsc() - t0) / n;
        loop_cost = per < loop_cost ? per : loop_cost;
    }
    print("bench: loop %llu\n", (unsigned long long)loop_cost);
    MEASURE("raw_int82", 1, __asm__ volatile("int $0x82" ::: "memory"));
    skip = 5;
    MEASURE("bounced_pf", 1, __asm__ volatile("mov 0x10000000, %%eax" ::: "eax", "memory"));
    skip = 2;
    MEASURE("bounced_ud", 1, __asm__ volatile("ud2" ::: "memory"));
    page_tables();
    user_n = n;
    run_user();
    run_user();
    report("int80_direct", user_t1 - user_t0, n);
    uint64_t t0 = tsc();
    for (uint32_t i = 0; i < n; i++) {
        if (__builtin_setjmp(kernel_context) == 0)
            enter_user_native((uint32_t)(uintptr_t)user_back, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
        __asm__ volatile("mov $0x10, %%eax; mov %%eax, %%ds; mov %%eax, %%es" ::: "eax");
    }
    report("iret_to_ring3_and_back", tsc() - t0, n);
    print("bench: done\n");
    outb(0xF4, 0);
}
