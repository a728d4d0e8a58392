/* asm-offsets.c - constants for the NASM sources, taken from the C headers at build time.
 * Compiled to assembly only; the Makefile turns each "->NAME value" line into a %define.
 */
#include "domain.h"
#include "hv.h"
#include "memlayout.h"
#include "mmu.h"
#include "multiboot.h"
#include "segments.h"
#include "traps.h"
#include "xen.h"
#include <stddef.h>

#define DEFINE(name, value) __asm__ volatile("\n->" #name " %0" :: "i"(value))

void asm_offsets(void);
void asm_offsets(void)
{
    DEFINE(DIRECTMAP_START, DIRECTMAP_START);
    DEFINE(DIRECTMAP_SIZE, DIRECTMAP_SIZE);
    DEFINE(DIRECTMAP_L2_INDEX, (DIRECTMAP_START - 0xC0000000u) / LARGE_PAGE_SIZE);
    DEFINE(LARGE_PAGE_SIZE, LARGE_PAGE_SIZE);
    DEFINE(BOOT_STACK_SIZE, BOOT_STACK_SIZE);
    DEFINE(PTE_P, PTE_P);
    DEFINE(PTE_RW, PTE_RW);
    DEFINE(PTE_A, PTE_A);
    DEFINE(PTE_D, PTE_D);
    DEFINE(PTE_PS, PTE_PS);
    DEFINE(CR0_PG, CR0_PG);
    DEFINE(CR0_WP, CR0_WP);
    DEFINE(CR4_PAE, CR4_PAE);
    DEFINE(MULTIBOOT_HEADER_MAGIC, MULTIBOOT_HEADER_MAGIC);
    DEFINE(MULTIBOOT_HEADER_FLAGS, MULTIBOOT_HEADER_FLAGS);
    DEFINE(HV_DS, HV_DS);
    DEFINE(NR_EXCEPTIONS, NR_EXCEPTIONS);
    DEFINE(X86_ERROR_CODE_VECTORS, X86_ERROR_CODE_VECTORS);
    DEFINE(EFLAGS_IF, EFLAGS_IF);
    DEFINE(EFLAGS_RESERVED, EFLAGS_RESERVED);
    DEFINE(NR_IRQS, NR_IRQS);
    DEFINE(HYPERCALL_VECTOR, HYPERCALL_VECTOR);
    DEFINE(SYSENTER_VECTOR, SYSENTER_VECTOR);
    DEFINE(FLAT_RING3_CS, FLAT_RING3_CS);
    DEFINE(FLAT_RING3_SS, FLAT_RING3_SS);
    DEFINE(STATS_MONITOR_TSC, offsetof(struct hv_stats, monitor_tsc));
    DEFINE(STATS_ENTRIES, offsetof(struct hv_stats, entries));
    DEFINE(STATS_HYPERCALLS, offsetof(struct hv_stats, hypercalls));
    DEFINE(NR_HYPERCALLS, NR_HYPERCALLS);
    DEFINE(XEN_ENOSYS, XEN_ENOSYS);
    DEFINE(FRAME_EAX, offsetof(struct trap_frame, eax));
    DEFINE(FRAME_EBX, offsetof(struct trap_frame, ebx));
    DEFINE(FRAME_ECX, offsetof(struct trap_frame, ecx));
    DEFINE(FRAME_EDX, offsetof(struct trap_frame, edx));
    DEFINE(FRAME_ESI, offsetof(struct trap_frame, esi));
    DEFINE(FRAME_EDI, offsetof(struct trap_frame, edi));
    DEFINE(VCPU_INFO, offsetof(struct vcpu, info));
    DEFINE(VCPU_INFO_UPCALL_PENDING, offsetof(struct vcpu_info, evtchn_upcall_pending));
    DEFINE(VCPU_INFO_UPCALL_MASK, offsetof(struct vcpu_info, evtchn_upcall_mask));
}
