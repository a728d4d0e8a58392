/* segments.c - the monitor's GDT and TSS, set up at boot, and the running vCPU's GDT and LDT
 * pages mapped in the per-domain area at every switch (ring 0).
 *
 * Ring compression in one table: the guest kernel gets flat segments of DPL 1, its applications
 * flat segments of DPL 3, and both stop short of the monitor. Their limit ends at the top of the
 * read-only M2P table (MACH2PHYS_VIRT_END - 1), so no guest segment reaches the monitor's own
 * memory even before paging is consulted (Xen's "segment truncation").
 */
#include "descriptor.h"
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

/* The GDT the CPU uses lives at GDT_VIRT, 16 pages in the per-domain area: pages 0-13 are the
 * running guest's own GDT frames (or an empty page), page 14 holds the monitor's reserved
 * entries, from FIRST_RESERVED_GDT_ENTRY. A guest's LDT pages are mapped at LDT_VIRT. */
#define GDT_PAGES       16
#define GDT_VIRT        PERDOMAIN_START
#define LDT_VIRT        (PERDOMAIN_START + GDT_PAGES * PAGE_SIZE)
#define RESERVED_PAGE   FIRST_RESERVED_GDT_PAGE

static uint64_t reserved_gdt[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE)));
static const uint8_t empty_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static pte_t perdomain_l1[L1_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static struct tss32 tss;

static void set_entry(uint16_t selector, uint64_t descriptor)
{
    reserved_gdt[(selector >> 3) - FIRST_RESERVED_GDT_ENTRY] = descriptor;
}

static void map_perdomain(unsigned page, uint32_t pa, int writable)
{
    perdomain_l1[page] = pa ? ((pte_t)pa | PTE_P | PTE_A | PTE_D | (writable ? PTE_RW : 0)) : 0;
    __asm__ volatile("invlpg (%0)" :: "r"(PERDOMAIN_START + page * PAGE_SIZE) : "memory");
}

/* GDT pages from gdt_shown up show the empty page, LDT pages from ldt_shown up show nothing: a
 * switch rewrites only the pages the last vCPU or the next one uses (none at all between two
 * domains without descriptor tables of their own). */
static unsigned gdt_shown = RESERVED_PAGE, ldt_shown = LDT_MAX_PAGES;
static uint32_t ldt_entries;        /* the running vCPU's LDT size, in descriptors */

/* Show a vCPU's GDT frames (machine frame numbers, or 0 for none) in pages 0-13. They are
 * writable here because the CPU sets accessed bits in descriptors; the guest itself holds no
 * writable mapping of them (they are typed as descriptor pages). */
void gdt_load_frames(const uint32_t *frames, unsigned nr)
{
    unsigned upto = nr > gdt_shown ? nr : gdt_shown;
    for (unsigned i = 0; i < upto; i++)
        map_perdomain(i, i < nr ? frames[i] << PAGE_SHIFT : virt_to_phys(empty_page), i < nr);
    gdt_shown = nr;
}

/* A vCPU's LDT: its pages at LDT_VIRT, and an LDT descriptor in the reserved entries. */
void ldt_load(const uint32_t *frames, unsigned nr_pages, uint32_t nr_entries)
{
    unsigned upto = nr_pages > ldt_shown ? nr_pages : ldt_shown;
    for (unsigned i = 0; i < upto; i++)
        map_perdomain(GDT_PAGES + i, i < nr_pages ? frames[i] << PAGE_SHIFT : 0, 1);
    ldt_shown = nr_pages;
    ldt_entries = nr_entries;
    if (!nr_entries) {
        __asm__ volatile("lldt %w0" :: "r"(0));
        return;
    }
    set_entry(HV_LDT, seg_descriptor(LDT_VIRT, nr_entries * 8 - 1, SEG_P | SEG_LDT, 0));
    __asm__ volatile("lldt %w0" :: "r"(HV_LDT));
}

/* The descriptor the CPU would find for a selector of the running vCPU, read where the CPU reads
 * it: its GDT pages (or the empty page), the monitor's reserved entries, or its LDT. -1 for the
 * null selector and an index past the table, which the CPU refuses as well. */
int segment_descriptor(uint32_t sel, uint64_t *d)
{
    uint32_t index = SELECTOR_INDEX(sel);
    if (sel & SELECTOR_TI) {
        if (index >= ldt_entries)
            return -1;
        *d = ((const volatile uint64_t *)LDT_VIRT)[index];
    } else {
        if (index == 0 || index >= GDT_ENTRIES)
            return -1;
        *d = ((const volatile uint64_t *)GDT_VIRT)[index];
    }
    return 0;
}

/* Load the new GDT and reload every segment register from it. */
static void load_gdt(void)
{
    monitor_l2[L2_INDEX(PERDOMAIN_START)] = (pte_t)virt_to_phys(perdomain_l1) | PTE_P | PTE_RW | PTE_A;
    gdt_load_frames(NULL, 0);
    map_perdomain(RESERVED_PAGE, virt_to_phys(reserved_gdt), 1);
    map_perdomain(RESERVED_PAGE + 1, virt_to_phys(empty_page), 0);
    struct pseudo_desc d = { GDT_PAGES * PAGE_SIZE - 1, GDT_VIRT };
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

    set_entry(HV_CS, seg_descriptor(0, 0xFFFFF, code | SEG_DPL(0), flat));
    set_entry(HV_DS, seg_descriptor(0, 0xFFFFF, data | SEG_DPL(0), flat));
    set_entry(FLAT_RING1_CS, seg_descriptor(0, guest_limit, code | SEG_DPL(1), flat));
    set_entry(FLAT_RING1_DS, seg_descriptor(0, guest_limit, data | SEG_DPL(1), flat));
    set_entry(FLAT_RING3_CS, seg_descriptor(0, guest_limit, code | SEG_DPL(3), flat));
    set_entry(FLAT_RING3_DS, seg_descriptor(0, guest_limit, data | SEG_DPL(3), flat));

    tss.ss0 = HV_DS;
    tss.iomap_base = sizeof(tss);     /* no I/O bitmap: every port access from ring 1 or 3 faults */
    set_entry(HV_TSS, seg_descriptor((uint32_t)(uintptr_t)&tss, sizeof(tss) - 1, SEG_P | SEG_TSS32, 0));

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
