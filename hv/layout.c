/* layout.c - the start-of-day layout of a new domain's address space.
 * Pure code: used by the domain builder (ring 0) and tested on the host.
 */
#include "layout.h"
#include "x86/paging.h"

#define PAGE      ((uint32_t)PAGE_SIZE)
#define L2_SPAN   (1u << L2_SHIFT)  /* one L1 table maps 2 MiB */
#define L3_SPAN   (1u << L3_SHIFT)  /* one L2 table maps 1 GiB */
#define MONITOR_SLOT 3              /* the L3 slot of the monitor's area: always present */

static uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

/* L2 tables: one per L3 slot the mapping touches, plus slot 3's, which carries the monitor. */
static uint32_t count_l2(uint32_t start, uint64_t end)
{
    uint32_t first = start / L3_SPAN, last = (uint32_t)((end - 1) / L3_SPAN);
    return last - first + 1 + (last < MONITOR_SLOT ? 1 : 0);
}

static uint32_t count_l1(uint32_t start, uint64_t end)
{
    return (uint32_t)((round_up(end, L2_SPAN) - start / L2_SPAN * L2_SPAN) / L2_SPAN);
}

int layout_l2_index(const struct layout *l, unsigned slot)
{
    unsigned first = l->virt_base / L3_SPAN, last = (unsigned)((l->virt_end - 1ull) / L3_SPAN);
    if (slot >= first && slot <= last)
        return (int)(slot - first);
    if (slot == MONITOR_SLOT)
        return (int)(l->nr_l2 - 1);   /* the extra one, after the guest's own */
    return -1;
}

/* Tour step 2 (building a domain): Xen's start-of-day order from the image up: the module, the
 * p2m list, start_info, the store and console rings (not for domain 0), the page tables, the boot
 * stack, each page-aligned, all of it mapped by the initial tables (hypercall-abi/ABI.md). */
int layout_compute(uint32_t virt_base, uint32_t virt_kstart, uint32_t virt_kend, uint32_t mod_len,
                   uint32_t nr_pages, int with_console, uint32_t limit, struct layout *l, const char **why)
{
    *l = (struct layout){ .virt_base = virt_base, .virt_kstart = virt_kstart, .virt_kend = virt_kend,
                          .nr_pages = nr_pages, .mod_len = mod_len };
    uint64_t next = round_up(virt_kend, PAGE);
    if (mod_len) {                      /* the module (Xen's "ramdisk") comes right after the image */
        l->mod_va = (uint32_t)next;
        next += round_up(mod_len, PAGE);
    }
    l->p2m_va = (uint32_t)next;
    l->p2m_pages = (uint32_t)(round_up((uint64_t)nr_pages * 4, PAGE) / PAGE);
    next += (uint64_t)l->p2m_pages * PAGE;
    l->start_info_va = (uint32_t)next;
    next += PAGE;
    if (with_console) {                 /* a domU's rings: the store's, then the console's */
        l->store_va = (uint32_t)next;
        next += PAGE;
        l->console_va = (uint32_t)next;
        next += PAGE;
    }
    l->pt_va = (uint32_t)next;

    /* The tables must map themselves, so their number depends on where the mapping ends: grow
     * the guess until it covers what it needs (Xen's builder does the same). */
    uint64_t end = 0;
    for (uint32_t guess = 1;; ) {
        end = round_up(next + (uint64_t)(guess + 1) * PAGE + BOOTSTRAP_SLACK, BOOTSTRAP_ALIGN);
        if (end > limit) {
            *why = "no room: the start-of-day mapping would reach the hypervisor area";
            return -1;
        }
        uint32_t need = 1 + count_l2(virt_base, end) + count_l1(virt_base, end);
        if (need <= guess) {
            l->nr_l2 = count_l2(virt_base, end);
            l->nr_l1 = count_l1(virt_base, end);
            l->nr_pt_frames = 1 + l->nr_l2 + l->nr_l1;
            break;
        }
        guess = need;
    }
    l->stack_va = l->pt_va + l->nr_pt_frames * PAGE;
    l->virt_end = (uint32_t)end;
    uint64_t needed_pages = (l->stack_va + (uint64_t)PAGE + BOOTSTRAP_SLACK - virt_base) / PAGE;
    if (needed_pages > nr_pages) {
        *why = "no room: the image and start-of-day pages need more memory than mem= gives";
        return -1;
    }
    return 0;
}
