/* platform.h - what the minikernel asks of the machine it runs on: the only interface between
 * the kernel (archive, processes, system calls, console discipline, memory) and the platform.
 * platform_xen.c implements it on hv, as a paravirtualized guest in ring 1 (the guest SDK), and
 * platform_native.c on bare hardware, in ring 0 (PLATFORM_NATIVE); docs/PORTING.md sets the two
 * side by side, function by function.
 */
#ifndef MINIKERNEL_PLATFORM_H
#define MINIKERNEL_PLATFORM_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "format.h"
#include "kstring.h"
#include "x86/eflags.h"
#include "x86/exceptions.h"
#include "x86/paging.h"

#define PLATFORM_NR_FAULTS 20            /* vectors 0-19 reach the fault handler */

#ifdef PLATFORM_NATIVE
/* What a trap leaves on the stack, as platform_native.S's entry builds it: the same layout as the
 * guest SDK's (sdk.h), so that the kernel above reads both alike. ESP and SS are there only when
 * the trap came from ring 3. */
struct regs {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_kernel, ebx, edx, ecx, eax;
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;
};
#define USER_CS 0x1b                     /* ring 3's selectors: our own GDT's entries 3 and 4 */
#define USER_DS 0x23
#else
#include "sdk.h"
#define USER_CS FLAT_USER_CS             /* ring 3's selectors: Xen's flat ones */
#define USER_DS FLAT_USER_DS
#endif

/* ---- start of day ------------------------------------------------------------------------------
 * The trap handlers get every trap with the interrupted registers (struct regs): a fault
 * (vectors 0-19), `int $0x80`, and the platform's interrupts, which it handles itself before
 * calling `tick` (the timer's deadline passed) or `input` (bytes were typed). */
struct platform_handlers {
    void (*fault)(struct regs *r);
    void (*syscall)(struct regs *r);
    void (*tick)(void);
    void (*input)(const char *bytes, uint32_t n);
    void (*interrupted)(struct regs *r);    /* after any interrupt: ring 3 may be switched away */
};
void platform_init(const struct platform_handlers *h);
const char *platform_cmdline(void);
const uint8_t *platform_module(uint32_t *len);   /* the archive, or NULL */
int platform_has_input(void);                    /* can anything be typed to us? */

/* ---- interrupts, idling and time --------------------------------------------------------------- */
void irq_disable(void);                          /* the kernel at work: no interrupt handler runs */
void irq_enable_on_return(void);                 /* and on again on the way back to ring 3 */
void platform_idle(void);                        /* wait for an interrupt (it has run); still disabled */
uint64_t platform_clock_ns(void);                /* since boot */
uint64_t platform_wallclock_ns(void);            /* since 1970 */
void platform_timer_set(uint64_t deadline_ns);   /* one shot, absolute; 0 cancels */

/* ---- the console ------------------------------------------------------------------------------- */
void platform_console_write(const char *s, uint32_t len);

/* ---- memory and page tables ---------------------------------------------------------------------
 * PAE: a space is an L3 of 4 entries, each an L2 of 512, each an L1 of 512. Tables are named by
 * frame; the kernel reads any frame through frame_to_virt. */
void *platform_page_alloc(void);                 /* a zeroed page of the kernel's, or NULL */
uint32_t platform_pages_left(void);              /* how many more it can give */
uint32_t virt_to_frame(const void *va);
void *frame_to_virt(uint32_t frame);
uint32_t platform_kernel_l3(void);               /* the start-of-day address space */
int table_make(uint32_t frame, unsigned level);  /* a zeroed page becomes a table of that level */
void table_unmake(uint32_t frame, unsigned level);   /* and an ordinary page again */
int pte_write(uint32_t table, unsigned index, uint64_t entry);   /* 0, or <0 when refused */
struct pte_write { uint32_t table, index; uint64_t entry; };
int pte_write_batch(const struct pte_write *w, unsigned n);      /* many at once: one crossing on hv */
void tlb_flush_page(uint32_t va);
void space_load(uint32_t l3);                    /* switch address spaces */

/* ---- ring 3, the FPU, faults and the end ------------------------------------------------------- */
void __attribute__((noreturn)) platform_enter_user(uint32_t eip, uint32_t esp);
void fpu_trap_on_use(int on);                    /* the next FPU instruction traps (#NM), or not */
uint32_t fault_address(void);                    /* of the last page fault */
void __attribute__((noreturn)) platform_power_off(int clean);
/* Entries into the layer below (the monitor) since boot, device interrupts aside: what a system
 * call never adds to on hv. 0 where there is no layer below. */
uint32_t platform_monitor_entries(void);

#endif
