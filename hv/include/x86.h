/* x86.h - the privileged instructions the monitor uses, wrapped in C (ring 0 only). */
#ifndef HV_X86_H
#define HV_X86_H
#include <stdint.h>
#include "x86/control_regs.h"   /* the bits of what read_cr0 and read_cr4 return */
#include "x86/eflags.h"         /* the bits of what irq_save returns */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline uint32_t read_cr0(void) { uint32_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr2(void) { uint32_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void) { uint32_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr4(void) { uint32_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr3(uint32_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }

static inline void irq_enable(void)  { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void halt(void)        { __asm__ volatile("hlt" ::: "memory"); }
/* Disable interrupts and return the previous EFLAGS, for irq_restore. */
static inline uint32_t irq_save(void)
{
    uint32_t flags;
    __asm__ volatile("pushf; pop %0; cli" : "=r"(flags) :: "memory");
    return flags;
}
static inline void irq_restore(uint32_t flags) { __asm__ volatile("push %0; popf" :: "r"(flags) : "memory", "cc"); }
/* Wait for the next interrupt with no window between enabling and halting (sti shadow). */
static inline void wait_for_interrupt(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }

/* The debug registers (SDM vol. 3B, 17.2); the register's number is part of the instruction. */
static inline void write_dr0(uint32_t v) { __asm__ volatile("mov %0, %%dr0" :: "r"(v)); }
static inline void write_dr1(uint32_t v) { __asm__ volatile("mov %0, %%dr1" :: "r"(v)); }
static inline void write_dr2(uint32_t v) { __asm__ volatile("mov %0, %%dr2" :: "r"(v)); }
static inline void write_dr3(uint32_t v) { __asm__ volatile("mov %0, %%dr3" :: "r"(v)); }
static inline void write_dr6(uint32_t v) { __asm__ volatile("mov %0, %%dr6" :: "r"(v)); }
static inline void write_dr7(uint32_t v) { __asm__ volatile("mov %0, %%dr7" :: "r"(v)); }
static inline uint32_t read_dr6(void) { uint32_t v; __asm__ volatile("mov %%dr6, %0" : "=r"(v)); return v; }
static inline uint32_t read_dr7(void) { uint32_t v; __asm__ volatile("mov %%dr7, %0" : "=r"(v)); return v; }

static inline void wrmsr(uint32_t msr, uint32_t value)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"(value), "d"(0));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

struct __attribute__((packed)) pseudo_desc {
    uint16_t limit;
    uint32_t base;
};

static inline void lgdt(const struct pseudo_desc *d) { __asm__ volatile("lgdt %0" :: "m"(*d)); }
static inline void lidt(const struct pseudo_desc *d) { __asm__ volatile("lidt %0" :: "m"(*d)); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" :: "r"(sel)); }

/* Bochs's magic breakpoint: stops Bochs's debugger, a no-op elsewhere. */
static inline void magic_break(void) { __asm__ volatile("xchg %%bx, %%bx" ::: "memory"); }

#endif
