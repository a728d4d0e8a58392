/* traps.c - the IDT and what happens on every exception and interrupt (ring 0, entered from
 * hv/entry.asm with a struct trap_frame on the monitor's stack).
 *
 * An exception a guest raised goes to trap_bounce.c, which bounces it to the guest's own handler
 * (or crashes the domain when it has none); an interrupt to its driver here. An exception in the
 * monitor itself is a bug: it prints everything a person needs to find it (registers, control
 * registers, a symbolized backtrace) and powers off with a failure status.
 */
#include "domain.h"
#include "format.h"
#include "hv.h"
#include "mmu.h"
#include "segments.h"
#include "traps.h"
#include "x86.h"
#include "x86/msr.h"
#include <stddef.h>

struct __attribute__((packed)) gate {
    uint16_t offset_lo, selector;
    uint8_t zero, type_attr;
    uint16_t offset_hi;
};

static struct gate idt[256] __attribute__((aligned(8)));
/* hv/entry.asm */

static const char *const exception_names[NR_EXCEPTIONS] = {
    [VEC_DE] = "#DE divide error",      [VEC_DB] = "#DB debug",
    [VEC_NMI] = "NMI",                  [VEC_BP] = "#BP breakpoint",
    [VEC_OF] = "#OF overflow",          [VEC_BR] = "#BR bound range",
    [VEC_UD] = "#UD invalid opcode",    [VEC_NM] = "#NM device not available",
    [VEC_DF] = "#DF double fault",      [VEC_TS] = "#TS invalid TSS",
    [VEC_NP] = "#NP segment not present", [VEC_SS] = "#SS stack fault",
    [VEC_GP] = "#GP general protection", [VEC_PF] = "#PF page fault",
    [VEC_MF] = "#MF x87 error",         [VEC_AC] = "#AC alignment check",
    [VEC_MC] = "#MC machine check",     [VEC_XM] = "#XM SIMD error",
};

static void set_gate(unsigned vector, uint32_t handler, unsigned dpl)
{
    idt[vector] = (struct gate){
        .offset_lo = handler & 0xFFFF,
        .selector = HV_CS,
        .type_attr = SEG_P | SEG_DPL(dpl) | GATE_INT32,
        .offset_hi = handler >> 16,
    };
}

void traps_init(void)
{
    for (unsigned v = 0; v < NR_EXCEPTIONS; v++) {
        /* #BP and #OF come from `int3` and `into`, which ring 3 may execute (Xen makes them DPL 3). */
        unsigned dpl = (v == VEC_BP || v == VEC_OF) ? 3 : 0;
        set_gate(v, trap_stubs[v], dpl);
    }
    for (unsigned irq = 0; irq < NR_IRQS; irq++)
        set_gate(VEC_IRQ0 + irq, trap_stubs[NR_EXCEPTIONS + irq], 0);
    /* The hypercall gate: the only one a guest kernel (ring 1) may use and ring 3 may not. */
    set_gate(HYPERCALL_VECTOR, (uint32_t)(uintptr_t)hypercall_entry, 1);
    struct pseudo_desc d = { sizeof(idt) - 1, (uint32_t)(uintptr_t)idt };
    lidt(&d);
}


/* `sysenter` enters ring 0 at SYSENTER_EIP with CS = SYSENTER_CS, SS = CS + 8 (HV_DS) and the
 * stack at SYSENTER_ESP: the top of the monitor stack, where every guest frame goes. */
void sysenter_init(uint32_t stack_top)
{
    wrmsr(MSR_SYSENTER_CS, HV_CS);
    wrmsr(MSR_SYSENTER_ESP, stack_top);
    wrmsr(MSR_SYSENTER_EIP, (uint32_t)(uintptr_t)sysenter_entry);
}

static void irq_dispatch(unsigned irq, int from_guest)
{
    if (irq == 0) {
        unsigned ticks = timer_irq();
        timer_program(time_fire_timers());
        for (unsigned i = 0; i < ticks; i++)
            sched_account_tick();
        if (current && ticks) {
            time_update_vcpu(current);
            domain_console_drain(current_domain());
        }
        if (from_guest && ticks)
            sched_tick();             /* may switch to another vCPU and not return */
    } else if (irq == 4) {
        console_input_irq();
        pic_eoi();
        send_virq(&domains[0], VIRQ_CONSOLE);   /* typed input is domain 0's to read */
    } else if (pirq_wanted(irq)) {
        evtchn_set_pending(&domains[0], pirq_interrupt(irq));   /* a device of domain 0's (hv/pirq.c) */
    }
    /* Lines nobody bound are masked; a spurious IRQ 7 or 15 needs no EOI (8259A datasheet). */
}

static const char *exception_name(uint32_t vector)
{
    return vector < NR_EXCEPTIONS && exception_names[vector] ? exception_names[vector] : "unexpected vector";
}

/* An exception the guest has no handler for: the domain is crashed, with what a person porting a
 * kernel needs: the fault, where, and the bytes there. */
void guest_unhandled(struct trap_frame *f, uint32_t vector, uint32_t error_code)
{
    char address[24] = "";
    if (vector == VEC_PF)               /* the address was saved in vcpu_info before anything */
        format_snprintf(address, sizeof(address), " for address %08x", current->info->arch.cr2);
    uint8_t code[8];
    char bytes[3 * sizeof(code)] = "unreadable";
    if (copy_from_guest(code, f->eip, sizeof(code)) == 0)
        for (unsigned i = 0; i < sizeof(code); i++)
            format_snprintf(bytes + 3 * i, 4, i + 1 < sizeof(code) ? "%02x " : "%02x", code[i]);
    char where[64];
    domain_crash(current_domain(), "%s%s in ring %u at eip %08x%s (error code 0x%04x), and it has no "
                 "trap handler; code at eip: %s", exception_name(vector), address, f->cs & 3,
                 f->eip, guest_symbol(current_domain(), f->eip, where, sizeof(where)), error_code, bytes);
}

/* The gate for `int $0x80`: the guest's own, pointing into its ring-1 kernel (a direct system
 * call that never enters the monitor), or none, so that the instruction raises #GP. */
void idt_set_syscall_gate(uint64_t gate)
{
    memcpy(&idt[SYSCALL_VECTOR], &gate, sizeof(gate));
}

/* A fault on the way out to a guest: loading its segment registers, or its final iret. The
 * guest's frame is at the top of the monitor stack. A segment load does not move ESP, so the frame
 * is intact; the iret's fault frame overlaps the general registers, but it holds them too (they
 * were restored by then), so they are copied back first. */
static int exit_fault(struct trap_frame *f)
{
    struct trap_frame *g = guest_regs();
    int at_iret = f->eip == (uint32_t)(uintptr_t)exit_iret;
    if (at_iret)
        memmove(g, f, offsetof(struct trap_frame, vector));
    else if (f->eip < (uint32_t)(uintptr_t)exit_load_segments ||
             f->eip >= (uint32_t)(uintptr_t)exit_load_segments_end)
        return 0;
    bounce_failsafe(g, at_iret);
    deliver_pending_upcall(g);
    return_to_guest(g);
}

void trap_dispatch(struct trap_frame *f)
{
    stats.entries[f->vector & 0xFF]++;
    if (f->vector >= VEC_IRQ0 && f->vector < VEC_IRQ0 + NR_IRQS) {
        irq_dispatch(f->vector - VEC_IRQ0, (f->cs & 3) != 0);
    } else if (f->cs & 3) {
        guest_exception(f);
    } else if (f->vector == VEC_PF && (f->eip == (uint32_t)(uintptr_t)guest_copy_insn ||
                                        f->eip == (uint32_t)(uintptr_t)guest_copy_bytes)) {
        /* A fault inside guest_copy is a bad guest pointer, not a monitor bug: resume at its exit. */
        f->eip = (uint32_t)(uintptr_t)guest_copy_fault;
        return;
    } else if (f->vector == VEC_DB) {
        uint32_t status = take_dr6();
        if (!sysenter_single_step(f))
            debug_trap_in_monitor(f, status);   /* a guest's breakpoint, absorbed */
        return;
    } else if (!current || !exit_fault(f)) {
        monitor_fault(f);
    }
    if (f->cs & 3)
        deliver_pending_upcall(f);
}

void monitor_fault(const struct trap_frame *f)
{
    const char *name = exception_name(f->vector);
    uint32_t off;
    const char *sym = symbol_lookup(f->eip, &off);
    /* A trap from ring 0 has no esp/ss in its frame: the stack was where they would be. */
    uint32_t esp = (f->cs & 3) ? f->esp : (uint32_t)(uintptr_t)&f->esp;

    hv_err("*** MONITOR FAULT: %s (vector %u), error code 0x%04x\n", name, f->vector, f->error_code);
    hv_err("eip %08x <%s+0x%x>  cs %04x  eflags %08x\n", f->eip, sym ? sym : "?", sym ? off : 0,
           f->cs, f->eflags);
    hv_err("eax %08x  ebx %08x  ecx %08x  edx %08x\n", f->eax, f->ebx, f->ecx, f->edx);
    hv_err("esi %08x  edi %08x  ebp %08x  esp %08x\n", f->esi, f->edi, f->ebp, esp);
    hv_err("ds %04x  es %04x  fs %04x  gs %04x\n", f->ds & 0xFFFF, f->es & 0xFFFF, f->fs & 0xFFFF,
           f->gs & 0xFFFF);
    hv_err("cr0 %08x  cr2 %08x  cr3 %08x  cr4 %08x\n", read_cr0(), read_cr2(), read_cr3(), read_cr4());
    backtrace_print(f->eip, f->ebp);
    power_off(HV_STATUS_MONITOR_FAULT, "monitor fault");
}

/* Deliberate faults for the boot tests (selftest-fault=pf|ud|de|gp|panic). Not inlined, so the
 * backtrace shows a real call chain. */
static void __attribute__((noinline)) fault_page(void)
{
    *(volatile uint32_t *)0xDEAD0000 = 1;    /* below the monitor, and nothing is mapped there */
}

static void __attribute__((noinline)) fault_invalid_opcode(void)
{
    __asm__ volatile("ud2");
}

static void __attribute__((noinline)) fault_divide(void)
{
    /* In assembly: the compiler may assume a C division never divides by zero. */
    __asm__ volatile("xor %%edx, %%edx; mov $1, %%eax; xor %%ecx, %%ecx; div %%ecx" ::: "eax", "ecx", "edx");
}

static void __attribute__((noinline)) fault_protection(void)
{
    __asm__ volatile("mov %0, %%ds" :: "r"(0x1230) : "memory");   /* an empty GDT entry */
}

void selftest_fault(const char *kind)
{
    hv_info("selftest: raising a deliberate monitor fault (%s)\n", kind);
    if (strcmp(kind, "pf") == 0)
        fault_page();
    else if (strcmp(kind, "ud") == 0)
        fault_invalid_opcode();
    else if (strcmp(kind, "de") == 0)
        fault_divide();
    else if (strcmp(kind, "gp") == 0)
        fault_protection();
    panic("selftest-fault=%s: deliberate panic", kind);
}
