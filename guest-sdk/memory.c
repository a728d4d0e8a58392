/* memory.c - the guest kernel's view of its memory (guest ring 1): pfn and mfn, its own page
 * table entries, and the two mappings every SDK guest needs from the monitor: shared_info, and
 * user access to the pages ring-3 code runs in. Every change goes through update_va_mapping,
 * which the monitor checks (direct paging: the page tables are real, but read-only to us).
 */
#include "sdk.h"

struct shared_info *shared_info;
/* The page-aligned hole shared_info is mapped into (its own frame becomes unused). */
static uint8_t shared_info_window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

long map_page(void *va, uint32_t mfn, uint32_t flags)
{
    uint64_t pte = (uint64_t)mfn << PAGE_SHIFT | flags;
    return HYPERVISOR_update_va_mapping((uint32_t)(uintptr_t)va, pte, UVMF_INVLPG);
}

void memory_init(void)
{
    long rc = map_page(shared_info_window, start_info->shared_info >> PAGE_SHIFT, PTE_P | PTE_RW | PTE_A | PTE_D);
    if (rc)
        panic("mapping shared_info: %ld", rc);
    shared_info = (struct shared_info *)shared_info_window;
}

long map_user(void *start, void *end)
{
    for (uint8_t *p = start; p < (uint8_t *)end; p += PAGE_SIZE) {
        long rc = map_page(p, virt_to_mfn(p), PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- pages, queues of updates, address spaces --------------------------------------------------
 * The SDK hands out the free pages of the start-of-day mapping: from the end of the boot stack
 * to the end of the mapping (at least 512 KiB, Xen's promise). A page becomes a page table by
 * losing its writable mapping (remap read-only) and being pinned.
 */

static uint8_t *next_free;
static uint8_t *free_end;
static void *given_back;                      /* pages page_free took, each holding the next's address */

static void pages_init(void)
{
    uint32_t boot_stack_end = start_info->pt_base + start_info->nr_pt_frames * PAGE_SIZE + PAGE_SIZE;
    uint32_t mapped_end = GUEST_VIRT_BASE + start_info->nr_pages * PAGE_SIZE;
    uint32_t l2_span_end = (boot_stack_end + 512 * 1024 + 0x3FFFFF) & ~0x3FFFFFu;   /* 4 MiB rounding */
    next_free = (uint8_t *)(uintptr_t)boot_stack_end;
    free_end = (uint8_t *)(uintptr_t)(mapped_end < l2_span_end ? mapped_end : l2_span_end);
}

void *page_alloc(void)
{
    void *p;
    if (!next_free)
        pages_init();
    if (given_back) {
        p = given_back;
        given_back = *(void **)p;
    } else if (next_free < free_end) {
        p = next_free;
        next_free += PAGE_SIZE;
    } else {
        return NULL;
    }
    memset(p, 0, PAGE_SIZE);
    return p;
}

/* How many more pages page_alloc can hand out before it gives NULL. */
uint32_t page_alloc_left(void)
{
    if (!next_free)
        pages_init();
    uint32_t n = (uint32_t)(free_end - next_free) / PAGE_SIZE;
    for (void *p = given_back; p; p = *(void **)p)
        n++;
    return n;
}

void page_free(void *page)
{
    *(void **)page = given_back;
    given_back = page;
}

uint32_t table_alloc(void)
{
    void *p = page_alloc();
    if (!p || map_page(p, virt_to_mfn(p), PTE_P | PTE_A) < 0)   /* read-only from now on */
        return 0;
    return virt_to_mfn(p);
}

void mmu_queue_add(struct mmu_queue *q, uint64_t ptr, uint64_t val)
{
    if (q->count == MMU_QUEUE_SIZE)
        mmu_queue_flush(q);
    q->req[q->count++] = (struct mmu_update){ ptr, val };
}

long mmu_queue_flush(struct mmu_queue *q)
{
    uint32_t done = 0;
    long rc = q->count ? HYPERVISOR_mmu_update(q->req, q->count, &done, DOMID_SELF) : 0;
    q->count = 0;
    return rc;
}

long mmu_update1(uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { ptr, val };
    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
}

long mmuext1(unsigned cmd, uint32_t mfn)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long table_pin(uint32_t mfn, unsigned level)
{
    static const unsigned cmd[] = { 0, MMUEXT_PIN_L1_TABLE, MMUEXT_PIN_L2_TABLE, MMUEXT_PIN_L3_TABLE };
    struct mmuext_op op = { .cmd = cmd[level], .arg1.mfn = mfn };
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long address_space_switch(uint32_t l3_mfn)
{
    struct mmuext_op op = { .cmd = MMUEXT_NEW_BASEPTR, .arg1.mfn = l3_mfn };
    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

uint32_t address_space_current(void)
{
    uint32_t cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));     /* emulated by the monitor */
    return cr3 >> PAGE_SHIFT;
}

/* A new address space: the kernel's half (L3 slot 3 and its L2) shared with the current one, the
 * low gigabyte (slot 0) empty for a process. Built with queued updates, then pinned: the monitor
 * validates it all at once. */
uint32_t address_space_new(void)
{
    const uint64_t *current_l3 = (const uint64_t *)start_info->pt_base;
    uint32_t l3 = table_alloc(), l2 = table_alloc();
    if (!l3 || !l2 || table_pin(l2, 2) < 0)
        return 0;
    struct mmu_queue q = { 0 };
    mmu_queue_add(&q, (uint64_t)l3 << PAGE_SHIFT | 0 * PTE_SIZE | MMU_NORMAL_PT_UPDATE,
                  (uint64_t)l2 << PAGE_SHIFT | PTE_P);
    mmu_queue_add(&q, (uint64_t)l3 << PAGE_SHIFT | 3 * PTE_SIZE | MMU_NORMAL_PT_UPDATE, current_l3[3]);   /* shared */
    if (mmu_queue_flush(&q) < 0 || table_pin(l3, 3) < 0)
        return 0;
    return l3;
}

/* Map a page for ring 3 at va (in L3 slot 0) in address space l3, adding an L1 if needed. */
long address_space_map_user(uint32_t l3, uint32_t va, uint32_t mfn)
{
    const uint64_t *l3_entries = (const uint64_t *)(uintptr_t)mfn_to_virt(l3);
    uint32_t l2 = (uint32_t)(l3_entries[L3_INDEX(va)] >> PAGE_SHIFT);
    const uint64_t *l2_entries = (const uint64_t *)(uintptr_t)mfn_to_virt(l2);
    uint64_t l2e = l2_entries[L2_INDEX(va)];
    struct mmu_queue q = { 0 };
    if (!(l2e & PTE_P)) {
        uint32_t l1 = table_alloc();
        if (!l1 || table_pin(l1, 1) < 0)
            return -1;
        l2e = (uint64_t)l1 << PAGE_SHIFT | PTE_P | PTE_RW | PTE_US | PTE_A;
        mmu_queue_add(&q, (uint64_t)l2 << PAGE_SHIFT | L2_INDEX(va) * PTE_SIZE, l2e);
    }
    uint32_t l1 = (uint32_t)(l2e >> PAGE_SHIFT);
    mmu_queue_add(&q, (uint64_t)l1 << PAGE_SHIFT | L1_INDEX(va) * PTE_SIZE,
                  (uint64_t)mfn << PAGE_SHIFT | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
    return mmu_queue_flush(&q);
}
