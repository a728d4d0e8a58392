/* vm.c - the minikernel's memory: a pool of pages, one address space per process, and the only
 * code that touches memory a ring-3 pointer names.
 *
 * A process's space is an L3 of its own whose slot 0 (the low gigabyte) is its private L2, and
 * whose slot 3 is the kernel's L2, shared by every space. Tables are made and changed through the
 * platform (table_make, pte_write: on hv, pinned read-only tables and mmu_update; on bare
 * hardware, plain writes), and read directly. Every user page is also a page of the kernel's own
 * mapping, so the kernel reads and writes ring 3's memory through its own addresses, after
 * finding the page in the process's tables: a bad pointer is a refusal, never a fault in the
 * kernel.
 */
#include "minikernel.h"

#define USER_PTE (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)

static void *free_pages;            /* freed pages, linked through their first word */
static uint32_t nr_in_use, nr_free, nr_reserved;
static uint32_t kernel_l3, current_l3;

void vm_init(void)
{
    kernel_l3 = current_l3 = platform_kernel_l3();
}

/* ---- the page pool: freed pages first, then the SDK's untouched ones --------------------------- */

void *kpage_alloc(void)
{
    void *page = free_pages ? free_pages : platform_page_alloc();
    if (!page)
        return NULL;
    nr_in_use++;
    if (page != free_pages)
        return page;                    /* the platform's pages come zeroed */
    nr_free--;
    free_pages = *(void **)page;
    memset(page, 0, PAGE_SIZE);
    return page;
}

void kpage_free(void *page)
{
    *(void **)page = free_pages;
    free_pages = page;
    nr_in_use--;
    nr_free++;
}

/* Pages promised to heaps (brk) and not yet mapped: the faults that map them may not find the
 * pool empty. 0, or -HVOS_ENOMEM when what is left would not cover them. */
int vm_reserve(uint32_t pages)
{
    uint32_t left = nr_free + platform_pages_left();
    if (pages > left || nr_reserved > left - pages)
        return -HVOS_ENOMEM;
    nr_reserved += pages;
    return 0;
}

void vm_unreserve(uint32_t pages)
{
    nr_reserved -= pages;
}

uint32_t vm_pages_in_use(void)
{
    return nr_in_use;
}

/* A zeroed page made a table of the given level (the L3's entries written first): its frame, or 0. */
static uint32_t table_new(unsigned level, const uint64_t *entries, unsigned n)
{
    uint64_t *page = kpage_alloc();
    if (!page)
        return 0;
    for (unsigned i = 0; i < n; i++)
        page[i] = entries[i];
    uint32_t frame = virt_to_frame(page);
    if (table_make(frame, level) == 0)
        return frame;
    kpage_free(page);
    return 0;
}

/* A table no longer in use becomes an ordinary page again, and goes back to the pool. */
static void table_free(uint32_t frame, unsigned level)
{
    table_unmake(frame, level);
    kpage_free(frame_to_virt(frame));
}

static const uint64_t *table(uint32_t frame)
{
    return (const uint64_t *)frame_to_virt(frame);
}

/* ---- address spaces ---------------------------------------------------------------------------- */

int space_new(struct space *s)
{
    s->l2 = table_new(2, NULL, 0);
    uint64_t l3[4] = { (uint64_t)s->l2 << PAGE_SHIFT | PTE_P, 0, 0, table(kernel_l3)[3] };
    s->l3 = s->l2 ? table_new(3, l3, 4) : 0;
    if (!s->l3) {
        if (s->l2)
            table_free(s->l2, 2);
        return -HVOS_ENOMEM;
    }
    return 0;
}

void space_destroy(struct space *s)
{
    if (s->l3 == current_l3)
        kernel_panic("destroying the address space in use");
    table_unmake(s->l3, 3);
    table_unmake(s->l2, 2);
    for (unsigned i = 0; i < 512; i++) {
        uint64_t l2e = table(s->l2)[i];
        if (!(l2e & PTE_P))
            continue;
        uint32_t l1 = (uint32_t)(l2e >> PAGE_SHIFT);
        table_unmake(l1, 1);
        for (unsigned j = 0; j < 512; j++)
            if (table(l1)[j] & PTE_P)
                kpage_free(frame_to_virt((uint32_t)(table(l1)[j] >> PAGE_SHIFT)));
        kpage_free(frame_to_virt(l1));
    }
    kpage_free(frame_to_virt(s->l2));
    kpage_free(frame_to_virt(s->l3));
    s->l3 = s->l2 = 0;
}

void space_switch(const struct space *s)
{
    uint32_t l3 = s ? s->l3 : kernel_l3;
    if (l3 == current_l3)
        return;
    space_load(l3);
    current_l3 = l3;
}

/* The L1 entry of va, or NULL when no L1 covers it. */
static const uint64_t *l1_entry(const struct space *s, uint32_t va)
{
    uint64_t l2e = table(s->l2)[L2_INDEX(va)];
    return l2e & PTE_P ? &table((uint32_t)(l2e >> PAGE_SHIFT))[L1_INDEX(va)] : NULL;
}

uint8_t *space_page(const struct space *s, uint32_t va)
{
    if (va >= HVOS_USER_LIMIT)
        return NULL;
    const uint64_t *pte = l1_entry(s, va);
    if (!pte || (*pte & (PTE_P | PTE_US)) != (PTE_P | PTE_US))
        return NULL;
    return frame_to_virt((uint32_t)(*pte >> PAGE_SHIFT));
}

static int l1_add(struct space *s, uint32_t va)
{
    uint32_t l1 = table_new(1, NULL, 0);
    if (!l1)
        return -HVOS_ENOMEM;
    if (pte_write(s->l2, L2_INDEX(va), (uint64_t)l1 << PAGE_SHIFT | PTE_P | PTE_RW | PTE_US | PTE_A) < 0)
        kernel_panic("adding L1 %#x for %#x failed", l1, va);
    return 0;
}

int space_map(struct space *s, uint32_t va)
{
    if (!l1_entry(s, va) && l1_add(s, va) < 0)
        return -HVOS_ENOMEM;
    const uint64_t *pte = l1_entry(s, va);
    if (*pte & PTE_P)
        return 0;
    void *page = kpage_alloc();
    if (!page)
        return -HVOS_ENOMEM;
    uint64_t l2e = table(s->l2)[L2_INDEX(va)];
    if (pte_write((uint32_t)(l2e >> PAGE_SHIFT), L1_INDEX(va), (uint64_t)virt_to_frame(page) << PAGE_SHIFT | USER_PTE) < 0)
        kernel_panic("mapping user page %#x failed", va);
    return 0;
}

/* A new L1 at L2 slot i of s, whose entries were written while it was an ordinary page: it
 * becomes a table now, as table_new does for an L3. On hv the monitor checks its entries all at
 * once, at the pin, where an entry written into a table in use is an mmu_update. */
static void l1_install(struct space *s, uint32_t i, uint64_t *entries)
{
    uint32_t l1 = virt_to_frame(entries);
    if (table_make(l1, 1) < 0 || pte_write(s->l2, i, (uint64_t)l1 << PAGE_SHIFT | PTE_P | PTE_RW | PTE_US | PTE_A) < 0)
        kernel_panic("adding the filled L1 %#x failed", l1);
}

/* A new L1 for the empty space `to` at L2 slot i, holding a copy of each page from_l1 maps, with
 * the same rights. 0, or -HVOS_ENOMEM with the pages copied so far in it (the caller destroys
 * the space). */
static int l1_copy(struct space *to, uint32_t i, const uint64_t *from_l1)
{
    uint64_t *entries = kpage_alloc();
    if (!entries)
        return -HVOS_ENOMEM;
    int rc = 0;
    for (uint32_t j = 0; j < L1_ENTRIES; j++) {
        if (!(from_l1[j] & PTE_P))
            continue;
        void *page = kpage_alloc();
        if (!page) {
            rc = -HVOS_ENOMEM;
            break;
        }
        memcpy(page, frame_to_virt((uint32_t)(from_l1[j] >> PAGE_SHIFT)), PAGE_SIZE);
        uint64_t rights = from_l1[j] & PTE_RW ? USER_PTE : USER_PTE & ~(uint64_t)PTE_RW;
        entries[j] = (uint64_t)virt_to_frame(page) << PAGE_SHIFT | rights;
    }
    l1_install(to, i, entries);
    return rc;
}

/* Fresh pages for ring 3 over [start, end) of s, an L1's worth at a time: into a new L1 written
 * before it becomes a table (l1_install), or, where s has the L1 already, in one pte_write_batch
 * (on hv one mmu_update, where one a page would be a crossing each). 0 or -HVOS_ENOMEM (the pages
 * mapped so far stay mapped). */
int space_map_range(struct space *s, uint32_t start, uint32_t end)
{
    static struct pte_write batch[L1_ENTRIES];
    for (uint32_t va = start & ~(PAGE_SIZE - 1); va < end;) {
        uint32_t i = L2_INDEX(va), stop = (i + 1) << L2_SHIFT;      /* the end of this L1's span */
        uint64_t l2e = table(s->l2)[i];
        uint32_t l1 = l2e & PTE_P ? (uint32_t)(l2e >> PAGE_SHIFT) : 0;
        uint64_t *entries = l1 ? NULL : kpage_alloc();
        if (!l1 && !entries)
            return -HVOS_ENOMEM;
        unsigned n = 0;
        int rc = 0;
        for (; va < end && va < stop; va += PAGE_SIZE) {
            if (l1 && (table(l1)[L1_INDEX(va)] & PTE_P))
                continue;
            void *page = kpage_alloc();
            if (!page) {
                rc = -HVOS_ENOMEM;
                break;
            }
            uint64_t e = (uint64_t)virt_to_frame(page) << PAGE_SHIFT | USER_PTE;
            if (l1)
                batch[n++] = (struct pte_write){ l1, L1_INDEX(va), e };
            else
                entries[L1_INDEX(va)] = e;
        }
        if (!l1)
            l1_install(s, i, entries);
        else if (n && pte_write_batch(batch, n) < 0)
            kernel_panic("mapping user pages into L1 %#x failed", l1);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* A copy of from's user pages, each a new page with the same contents and rights, into the empty
 * space to (fork), a new L1 at a time. 0 or -HVOS_ENOMEM (to is then partly filled, every page it
 * got in its tables: the caller destroys it). */
int space_copy(struct space *to, const struct space *from)
{
    for (uint32_t i = 0; i < L2_ENTRIES; i++) {            /* slot 0: all of 0 to HVOS_USER_LIMIT */
        uint64_t l2e = table(from->l2)[i];
        if (!(l2e & PTE_P))
            continue;
        if (l1_entry(to, i << L2_SHIFT))
            kernel_panic("fork's copy into a space that is not empty");
        if (l1_copy(to, i, table((uint32_t)(l2e >> PAGE_SHIFT))) < 0)
            return -HVOS_ENOMEM;
    }
    return 0;
}

/* Take away ring 3's right to write the page at va (a program's text and read-only data). */
void space_protect(struct space *s, uint32_t va)
{
    const uint64_t *pte = l1_entry(s, va);
    if (!pte || !(*pte & PTE_P))
        return;
    uint64_t l2e = table(s->l2)[L2_INDEX(va)];
    pte_write((uint32_t)(l2e >> PAGE_SHIFT), L1_INDEX(va), *pte & ~(uint64_t)PTE_RW);
    if (s->l3 == current_l3)
        tlb_flush_page(va);
}

static int page_writable(const struct space *s, uint32_t va)
{
    const uint64_t *pte = l1_entry(s, va);
    return pte && (*pte & PTE_RW);
}

void space_unmap(struct space *s, uint32_t va)
{
    uint8_t *page = space_page(s, va);
    if (!page)
        return;
    uint64_t l2e = table(s->l2)[L2_INDEX(va)];
    pte_write((uint32_t)(l2e >> PAGE_SHIFT), L1_INDEX(va), 0);
    if (s->l3 == current_l3)
        tlb_flush_page(va);                    /* no stale translation to a page we reuse */
    kpage_free(page);
}

/* ---- ring-3 pointers ----------------------------------------------------------------------------
 * Each checks the whole range first (below HVOS_USER_LIMIT, without wrapping, every page mapped
 * for ring 3 in the current process's tables), then copies page by page through the kernel's
 * own mapping of each page. */

static int range_ok(uint32_t va, uint32_t len, int write)
{
    if (len > HVOS_USER_LIMIT || va > HVOS_USER_LIMIT - len)
        return 0;
    for (uint32_t page = va & ~(PAGE_SIZE - 1); page < va + len; page += PAGE_SIZE)
        if (!space_page(&current->space, page) || (write && !page_writable(&current->space, page)))
            return 0;
    return 1;
}

int user_range_ok(uint32_t va, uint32_t len)
{
    return range_ok(va, len, 0);
}

/* The kernel writes through its own mapping of the page, where the CPU would not stop it: a
 * buffer ring 3 may not write (its program's text) must be refused here. */
int user_range_writable(uint32_t va, uint32_t len)
{
    return range_ok(va, len, 1);
}

/* Copy len bytes between the kernel buffer and ring 3, in either direction. */
static int copy_user(uint32_t uva, uint8_t *kbuf, uint32_t len, int to_user)
{
    if (!range_ok(uva, len, to_user))
        return -HVOS_EFAULT;
    while (len) {
        uint32_t in_page = PAGE_SIZE - (uva & (PAGE_SIZE - 1));
        uint32_t n = len < in_page ? len : in_page;
        uint8_t *p = space_page(&current->space, uva) + (uva & (PAGE_SIZE - 1));
        if (to_user)
            memcpy(p, kbuf, n);
        else
            memcpy(kbuf, p, n);
        uva += n, kbuf += n, len -= n;
    }
    return 0;
}

int copy_from_user(void *dst, uint32_t src, uint32_t len)
{
    return copy_user(src, dst, len, 0);
}

int copy_to_user(uint32_t dst, const void *src, uint32_t len)
{
    return copy_user(dst, (uint8_t *)(uintptr_t)src, len, 1);
}

int copy_string_from_user(char *dst, uint32_t src, uint32_t size)
{
    const uint8_t *page = NULL;                 /* the page under src + i, looked up once a page */
    for (uint32_t i = 0; i < size; i++) {
        uint32_t va = src + i;
        if (!page || !(va & (PAGE_SIZE - 1)))
            page = va < src ? NULL : space_page(&current->space, va);
        if (!page)
            return -HVOS_EFAULT;
        dst[i] = (char)page[va & (PAGE_SIZE - 1)];
        if (!dst[i])
            return (int)i;
    }
    return -HVOS_ENAMETOOLONG;
}
