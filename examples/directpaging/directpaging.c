/* directpaging.c - direct paging, shown: a PV guest's page tables are the machine's own, and the
 * monitor validates every write to them (guest ring 1, SDK; docs/LESSONS.md, lesson 7).
 *
 * A monitor can give a guest kernel page tables two ways. With shadow paging the guest keeps
 * tables of its own, in its own page numbers, which the CPU never sees; the monitor traps each
 * change and keeps a second set, the shadow, in machine frames, for the CPU. With direct paging
 * (Xen's PV way) there is one set: the guest's tables hold machine frame numbers and the CPU walks
 * them, so the guest must not write them at will. It may read them; every write goes through the
 * monitor (mmu_update, update_va_mapping), which checks it against one invariant: each frame has
 * one type at a time (a writable page, or a page table of one level, or a descriptor table), and
 * a page table is never mapped writable. Each row below does one thing and prints what the
 * monitor answered. With `trace=write` on the command line, row 3's plain write to a page table
 * is framed by magic breakpoints, with `trace=update` row 4's mmu_update (make lesson paging).
 */
#include "sdk.h"

#define MONITOR_FRAME 0x100u                       /* the machine frame at 1 MiB: the monitor's */
#define MARKER        0x5ca1ab1eu
#define UNUSED_VA     0xD0000000u                  /* in the kernel's gigabyte, beyond its mapping */

static char trace[8];                              /* trace=write or trace=update */

/* ---- the table -------------------------------------------------------------------------------- */

static unsigned row_number;

static void row(const char *did, const char *got, const char *rule)
{
    printf("%2u | %-61s | %-32s | %s\n", ++row_number, did, got, rule);
}

static unsigned refused;                            /* how many writes the monitor refused */

static void answered(const char *did, long rc, const char *rule)
{
    char got[32];
    refused += rc != 0;
    format_snprintf(got, sizeof(got), rc ? "refused: %ld" : "done: 0", rc);
    row(did, got, rule);
}

/* ---- walking the tables, as the CPU does, with machine frames ------------------------------------ */

static const uint64_t *table(uint32_t mfn)
{
    return (const uint64_t *)mfn_to_virt(mfn);         /* our frame's page number: the M2P */
}

static uint32_t frame_of(uint64_t entry)
{
    return (uint32_t)((entry & PTE_ADDR_MASK) >> PAGE_SHIFT);
}

/* The machine address of the L1 entry that maps va (in the current address space). */
static uint64_t l1_entry_address(uint32_t va)
{
    uint32_t l2 = frame_of(table(address_space_current())[L3_INDEX(va)]);
    uint32_t l1 = frame_of(table(l2)[L2_INDEX(va)]);
    return (uint64_t)l1 << PAGE_SHIFT | L1_INDEX(va) * PTE_SIZE;
}

static void walk(void)
{
    uint32_t va = GUEST_VIRT_BASE, l3 = address_space_current();
    uint32_t l2 = frame_of(table(l3)[L3_INDEX(va)]);
    uint32_t l1 = frame_of(table(l2)[L2_INDEX(va)]);
    uint32_t page = frame_of(table(l1)[L1_INDEX(va)]);
    char got[64];
    format_snprintf(got, sizeof(got), "L3 %#x, L2 %#x, L1 %#x, page %#x", l3, l2, l1, page);
    printf("   | (cr3 -> L3 -> L2 -> L1 -> page, for 0xc0000000: machine frames %s)\n", got);
    row("read its own page tables, cr3 down to 0xc0000000's page", "read: machine frames",
        "its tables hold machine frames, and it may read them");
    const uint32_t *p2m = (const uint32_t *)start_info->mfn_list;
    const uint32_t *m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
    format_snprintf(got, sizeof(got), "p2m[0] %#x, M2P[%#x] %u", p2m[0], p2m[0], m2p[p2m[0]]);
    row("its page 0 to a frame (p2m) and back (M2P)", got, "the guest's list, and the monitor's read-only table");
}

/* ---- writes ----------------------------------------------------------------------------------- */

static volatile uint32_t fault_vector, fault_error;
static volatile uint32_t resume;

static void on_fault(struct regs *r)
{
    fault_vector = r->vector;
    fault_error = r->error_code;
    r->eip = resume;
}

/* Write its own L1 entry for va with a plain store: the page table is read-only to it. */
static void write_directly(uint32_t va)
{
    uint64_t *entry = (uint64_t *)mfn_to_virt((uint32_t)(l1_entry_address(va) >> PAGE_SHIFT)) +
                      L1_INDEX(va);
    uint32_t low = (uint32_t)*entry;
    fault_vector = 0xFFFF;
    int traced = strcmp(trace, "write") == 0;
    if (traced)
        GUEST_BREAK();                                 /* the trace starts here */
    __asm__ volatile("movl $1f, %0\n\tmovl %2, (%1)\n1:" : "=m"(resume) : "r"(entry), "r"(low) : "memory");
    if (traced)
        GUEST_BREAK();                                 /* and stops here */
    char got[32];
    format_snprintf(got, sizeof(got), fault_vector == 14 ? "#PF, error code %#x" : "written (!)", fault_error);
    row("write one of its L1 entries with a plain mov", got, "page tables are mapped read-only to their guest");
}

/* Drop the TLB's translation of va: an mmu_update leaves that to its caller. */
static void invlpg(const void *va)
{
    struct mmuext_op op = { .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = (uint32_t)(uintptr_t)va };
    HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* Remap page a onto page b's frame through mmu_update: a's address then shows b's contents. */
static void remap(uint32_t *a, uint32_t *b)
{
    uint32_t a_mfn = virt_to_mfn(a), b_mfn = virt_to_mfn(b);
    uint64_t ptr = l1_entry_address((uint32_t)(uintptr_t)a) | MMU_NORMAL_PT_UPDATE;
    *a = 0;
    *b = MARKER;
    int traced = strcmp(trace, "update") == 0;
    if (traced)
        GUEST_BREAK();                                 /* the trace starts here */
    long rc = mmu_update1(ptr, (uint64_t)b_mfn << PAGE_SHIFT | PTE_P | PTE_RW | PTE_A | PTE_D);
    if (traced)
        GUEST_BREAK();                                 /* and stops here */
    invlpg(a);
    char got[40];
    if (rc)
        format_snprintf(got, sizeof(got), "refused: %ld", rc);
    else
        format_snprintf(got, sizeof(got), "done: 0, and it reads %#x", *a);
    row("mmu_update: point one of its pages at another of its frames", got,
        "validated: the frame is its own, a plain writable page");
    mmu_update1(ptr, (uint64_t)a_mfn << PAGE_SHIFT | PTE_P | PTE_RW | PTE_A | PTE_D);
    invlpg(a);
}

static void refusals(uint32_t *spare)
{
    uint64_t ptr = l1_entry_address((uint32_t)(uintptr_t)spare) | MMU_NORMAL_PT_UPDATE;
    uint32_t own_l1 = (uint32_t)(ptr >> PAGE_SHIFT);
    answered("mmu_update: map its own L1 table writable", mmu_update1(ptr, (uint64_t)own_l1 << PAGE_SHIFT | PTE_P | PTE_RW),
             "a page table is never mapped writable");
    answered("mmu_update: map the monitor's frame 0x100", mmu_update1(ptr, (uint64_t)MONITOR_FRAME << PAGE_SHIFT | PTE_P),
             "only frames the domain owns");
}

/* A fresh page made a page table: refused while writable, validated once read-only, and a plain
 * page again once unpinned. */
static void a_new_table(void)
{
    void *page = page_alloc();
    uint32_t mfn = virt_to_mfn(page);
    answered("pin a fresh page as an L1 while it is mapped writable", table_pin(mfn, 1),
             "a table must have no writable mapping");
    long rc = map_page(page, mfn, PTE_P | PTE_A);
    answered("map it read-only, then pin it as an L1", rc ? rc : table_pin(mfn, 1),
             "validated: its 512 entries checked, its type now L1");
    answered("map the pinned L1 writable again", map_page(page, mfn, PTE_P | PTE_RW | PTE_A),
             "a frame has one type at a time");
    rc = mmuext1(MMUEXT_UNPIN_TABLE, mfn);
    answered("unpin it, then map it writable", rc ? rc : map_page(page, mfn, PTE_P | PTE_RW | PTE_A),
             "unused as a table, it is a writable page again");
    uint32_t l2 = frame_of(table(address_space_current())[L3_INDEX(GUEST_VIRT_BASE)]);
    uint32_t slot = L2_INDEX(UNUSED_VA);
    answered("mmu_update: an unused L2 entry pointing at that writable page",
             mmu_update1((uint64_t)l2 << PAGE_SHIFT | slot * PTE_SIZE, (uint64_t)mfn << PAGE_SHIFT | PTE_P | PTE_RW),
             "it would become an L1 with a writable mapping");
}

/* The M2P is the monitor's, but the numbering is the guest's: it may renumber its own frames. */
static void renumber(void *page)
{
    uint32_t mfn = virt_to_mfn(page);
    const uint32_t *m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
    uint32_t pfn = m2p[mfn];
    long rc = mmu_update1((uint64_t)mfn << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, 0x12345);
    char got[40];
    if (rc)
        format_snprintf(got, sizeof(got), "refused: %ld", rc);
    else
        format_snprintf(got, sizeof(got), "done: 0, M2P[%#x] now %#x", mfn, m2p[mfn]);
    row("MMU_MACHPHYS_UPDATE: give one of its frames a new number", got,
        "the M2P is read-only to it, written only by the monitor");
    mmu_update1((uint64_t)mfn << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, pfn);
    answered("MMU_MACHPHYS_UPDATE on the monitor's frame 0x100",
             mmu_update1((uint64_t)MONITOR_FRAME << PAGE_SHIFT | MMU_MACHPHYS_UPDATE, 0), "only frames the domain owns");
}

int main(void)
{
    cmdline_option("trace", trace, sizeof(trace));
    traps_init();
    trap_set_handler(14, on_fault);
    printf("direct paging: one set of page tables, the guest's, in machine frames; every write validated\n");
    printf(" # | %-61s | %-32s | %s\n", "what the guest kernel does", "what it got", "the rule");
    walk();
    uint32_t *a = page_alloc(), *b = page_alloc();
    write_directly((uint32_t)(uintptr_t)a);
    remap(a, b);
    refusals(a);
    a_new_table();
    renumber(b);
    printf("every write to a page table went through the monitor, which refused %u of them\n", refused);
    return 0;
}
