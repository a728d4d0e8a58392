/* lesson.h - lesson 2 (docs/LESSONS.md), trap-and-emulate fails: what its three files ask of each
 * other. kernel.c is a kernel's code written for ring 0, built into both of the lesson's kernels;
 * lesson.c runs it and probes it (both platforms); layer.c is the trap-and-emulate layer it runs
 * under on hv, in ring 1.
 */
#ifndef TRAP_EMULATE_LESSON_H
#define TRAP_EMULATE_LESSON_H
#include "platform.h"

/* ---- kernel.c: the kernel's code, as written for bare hardware ------------------------------- */
void kernel_main(void);
void kernel_tick(void);                 /* its timer interrupt's handler */
extern volatile uint32_t kernel_ticks;

/* ---- lesson.c: the probes between the kernel's steps, and the console ---------------------------
 * step() names the code that follows and what the kernel's author believes once it has run;
 * check() compares that belief with the machine: the CPU itself in ring 0, the layer's virtual CPU
 * on hv (what a trap-and-emulate monitor keeps in place of the registers it took away). */
enum fact {
    FACT_GDTR,          /* the GDT register holds this base */
    FACT_IF,            /* the interrupt flag is this (0 or 1) */
    FACT_SAVED_IF,      /* these saved flags hold the machine's interrupt flag */
    FACT_TICKED,        /* a timer interrupt came since the kernel saw this count */
};
void step(const char *code, const char *belief);
void check(enum fact fact, uint32_t value);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The layer found the kernel halted for ever (hlt with its virtual IF 0), and held `held` ticks
 * since: the step never ends; the lesson reports and ends the run. */
void __attribute__((noreturn)) lesson_halted(uint32_t held);

/* ---- layer.c (hv only): the trap-and-emulate layer ------------------------------------------- */
struct virtual_cpu {
    uint32_t interrupts;                /* the virtual IF */
    uint32_t gdt_base, gdt_limit;       /* the virtual GDTR */
};
extern struct virtual_cpu virtual_cpu;
void layer_start(void);                 /* the virtual CPU as a boot loader leaves it; real events on */
int layer_trap(struct regs *r);         /* a #GP of the kernel's: 1 if emulated (EIP moved past it) */
void layer_interrupt(void);             /* the timer's real interrupt came: deliver it, or hold it */
uint32_t layer_traps(void);             /* how many it has emulated */
const char *layer_log(void);            /* their mnemonics, in order */

#endif
