/* segments.c - the monitor's GDT and TSS (ring 0, once at boot).
 *
 * Ring compression in one table: the guest kernel gets flat segments of DPL 1, its applications
 * flat segments of DPL 3, and both stop short of the monitor. Their limit ends at the top of the
 * read-only M2P table (MACH2PHYS_VIRT_END - 1), so no guest segment reaches the monitor's own
 * memory even before paging is consulted (Xen's "segment truncation").
 */
#include "hv.h"
#include "memlayout.h"
#include "mmu.h"
#include "segments.h"
#include "x86.h"
#include "xen.h"

struct __attribute__((packed)) tss32 {
    uint16_t link, _r0;
    uint32_t esp0;
    uint16_t ss0, _r1;
    uint32_t esp1;
    uint16_t ss1, _r2;
    uint32_t esp2;
    uint16_t ss2, _r3;
    uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint16_t es, _r4, cs, _r5, ss, _r6, ds, _r7, fs, _r8, gs, _r9, ldt, _r10;
    uint16_t trap, iomap_base;
};
_Static_assert(sizeof(struct tss32) == 104, "the 32-bit TSS is 104 bytes (SDM 7.2.1)");

static uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static struct tss32 tss;

/* A segment descriptor (SDM 3.4.5): limit in bytes, or in 4 KiB units when flags has SEG_G. */
static uint64_t make_descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF)
         | (uint64_t)(base & 0xFFFFFF) << 16
         | (uint64_t)access << 40
         | (uint64_t)((limit >> 16) & 0xF) << 48
         | (uint64_t)(flags & 0xF) << 52
         | (uint64_t)(base >> 24) << 56;
}

static void set_entry(uint16_t selector, uint64_t descriptor)
{
    gdt[selector >> 3] = descriptor;
}

/* Load the new GDT and reload every segment register from it. */
static void load_gdt(void)
{
    struct pseudo_desc d = { sizeof(gdt) - 1, (uint32_t)(uintptr_t)gdt };
    lgdt(&d);
    __asm__ volatile(
        "ljmp %[cs], $1f\n"
        "1: mov %[ds], %%ax\n"
        "mov %%ax, %%ds\n mov %%ax, %%es\n mov %%ax, %%ss\n"
        "xor %%eax, %%eax\n mov %%ax, %%fs\n mov %%ax, %%gs\n"
        :: [cs] "i"(HV_CS), [ds] "i"(HV_DS) : "eax", "memory");
}

void segments_init(void)
{
    /* Limit of the guests' flat segments, in 4 KiB units: up to MACH2PHYS_VIRT_END - 1. */
    const uint32_t guest_limit = (MACH2PHYS_VIRT_END >> PAGE_SHIFT) - 1;
    const uint8_t code = SEG_P | SEG_S | SEG_CODE_RX, data = SEG_P | SEG_S | SEG_DATA_RW;
    const uint8_t flat = SEG_G | SEG_DB;

    set_entry(HV_CS, make_descriptor(0, 0xFFFFF, code | SEG_DPL(0), flat));
    set_entry(HV_DS, make_descriptor(0, 0xFFFFF, data | SEG_DPL(0), flat));
    set_entry(FLAT_RING1_CS, make_descriptor(0, guest_limit, code | SEG_DPL(1), flat));
    set_entry(FLAT_RING1_DS, make_descriptor(0, guest_limit, data | SEG_DPL(1), flat));
    set_entry(FLAT_RING3_CS, make_descriptor(0, guest_limit, code | SEG_DPL(3), flat));
    set_entry(FLAT_RING3_DS, make_descriptor(0, guest_limit, data | SEG_DPL(3), flat));

    tss.ss0 = HV_DS;
    tss.iomap_base = sizeof(tss);     /* no I/O bitmap: every port access from ring 1 or 3 faults */
    set_entry(HV_TSS, make_descriptor((uint32_t)(uintptr_t)&tss, sizeof(tss) - 1, SEG_P | SEG_TSS32, 0));

    load_gdt();
    ltr(HV_TSS);
}

void tss_set_kernel_stack(uint32_t esp0)
{
    tss.esp0 = esp0;
}

/* The guest kernel's stack, for the CPU to switch to when `int $0x80` goes straight from ring 3
 * to ring 1 through the direct syscall gate. */
void tss_set_guest_stack(uint32_t ss1, uint32_t esp1)
{
    tss.ss1 = (uint16_t)ss1;
    tss.esp1 = esp1;
}
