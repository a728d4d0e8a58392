/* lesson.h - lessons 2 and 3 (docs/LESSONS.md), trap-and-emulate fails and binary rewriting: what
 * their files ask of each other. kernel.c is a kernel's code written for ring 0, built into both
 * kernels; lesson.c runs it and probes it (both platforms); layer.c is the trap-and-emulate layer
 * it runs under on hv, in ring 1; rewrite.c (with decode.c, scan.c and rewrite_stubs.S) rewrites
 * its code first when the command line asks (lesson 3).
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
    FACT_CHANGED,       /* this many bytes of its table changed (it believes none) */
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
uint32_t layer_calls(void);             /* how many calls rewritten code made to it (lesson 3) */
const char *layer_log(void);            /* their mnemonics, in order */
void layer_quiet(int on);               /* while lesson.c measures: no lines, no counts */
/* What a rewritten pushf and popf call (rewrite_stubs.S), `whence` the trampoline's return address:
 * the flags with the virtual IF; the virtual IF from the flags. */
uint32_t layer_pushf(uint32_t real_flags, uint32_t whence);
void layer_popf(uint32_t flags, uint32_t whence);

/* ---- rewrite.c (hv only): lesson 3's load-time binary rewriter --------------------------------- */
extern const char kernel_text_start[], kernel_text_end[];   /* text_begin.S, text_end.S: kernel.c's code */
void rewrite_kernel(int use_linear);    /* scan kernel.c's code both ways, rewrite by one */
uint32_t rewrite_site_of(uint32_t whence);      /* the rewritten instruction a trampoline stands for */
void rewrite_pushf(void);               /* rewrite_stubs.S: never called from C */
void rewrite_popf(void);

#endif
