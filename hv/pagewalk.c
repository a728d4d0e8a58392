/* pagewalk.c - the walk from a guest virtual address to the L1 entry that maps it, in the
 * domain's current page tables (ring 0): the one way the monitor resolves a guest address to an
 * entry (grant mappings, update_va_mapping) or to a frame (descriptor tables).
 */
#include "domain.h"
#include "hv.h"
#include "mmu.h"
#include "page_types.h"

/* The L1 entry that maps va in the domain's current page tables: its table frame and slot. The
 * table the walk ends in must be an L1 in use: through a linear entry it would be an L2 (even
 * the one carrying the monitor's entries), whose slots the monitor must never write on the
 * guest's behalf (Xen's callers of guest_map_l1e check for PGT_l1_page_table). Returns 0,
 * -XEN_ENOENT when no table maps va, or -XEN_EINVAL when the one that does is not an L1. */
/* The tables a walk of d's addresses starts from: the running vCPU's, if it is d's (each vCPU has
 * a base of its own), else vCPU 0's. */
static uint32_t walk_base(const struct domain *d)
{
    return current && current->domain == d ? current->l3_mfn : d->vcpu0.l3_mfn;
}

/* The walk itself, leaving the L2 entry it went through in *l2e too. */
static int walk_to_l1(struct domain *d, uint32_t va, pte_t *l2e, uint32_t *l1_mfn, unsigned *slot)
{
    if (va >= HYPERVISOR_VIRT_START)
        return -XEN_ENOENT;
    pte_t l3e = frame_contents(walk_base(d))[L3_INDEX(va)];
    uint32_t l2 = entry_frame(l3e);
    if (!(l3e & PTE_P) || !table_in_use(l2))
        return -XEN_ENOENT;
    *l2e = frame_contents(l2)[L2_INDEX(va)];
    if (!(*l2e & PTE_P))
        return -XEN_ENOENT;
    *l1_mfn = entry_frame(*l2e);
    *slot = (va >> PAGE_SHIFT) & (L1_ENTRIES - 1);
    if (!table_in_use(*l1_mfn) || frame_table[*l1_mfn].type != PGT_l1) {
        refusal = "the table that maps the address is not an L1 (a linear mapping?)";
        return -XEN_EINVAL;
    }
    return 0;
}

int find_l1_entry(struct domain *d, uint32_t va, uint32_t *l1_mfn, unsigned *slot)
{
    pte_t l2e;
    return walk_to_l1(d, va, &l2e, l1_mfn, slot);
}

/* The machine frame mapped at va in the domain's page tables, if present. */
int guest_frame_of(struct domain *d, uint32_t va, uint32_t *mfn)
{
    uint32_t l1_mfn;
    unsigned slot;
    if (find_l1_entry(d, va, &l1_mfn, &slot) < 0)
        return -1;
    pte_t e = frame_contents(l1_mfn)[slot];
    if (!(e & PTE_P) || entry_frame(e) == FRAME_NONE)
        return -1;
    *mfn = entry_frame(e);
    return 0;
}

/* Whether an access by ring 3 to the byte at va would pass the CPU's own page walk in d's current
 * tables: the L2 and L1 entries present and user, and writable too for a write (PAE's L3 entries
 * have no such bits). The monitor copies in ring 0, where paging treats every ring alike, so it
 * asks this for what it does on ring 3's behalf (a string instruction's buffer). Returns 0 when
 * allowed, else the #PF error code the CPU would give: user, write, and present when the page is
 * there but protected. An address mapped through a linear entry (an L2 used as an L1) is refused
 * as not present: the monitor does not walk a guest's tables through themselves. */
uint32_t user_access_fault(struct domain *d, uint32_t va, int write)
{
    uint32_t code = PF_ERROR_USER | (write ? PF_ERROR_WRITE : 0), l1_mfn;
    uint32_t need = PTE_P | PTE_US | (write ? PTE_RW : 0);
    unsigned slot;
    pte_t l2e;
    if (walk_to_l1(d, va, &l2e, &l1_mfn, &slot) < 0)
        return code;
    pte_t l1e = frame_contents(l1_mfn)[slot];
    if (!(l1e & PTE_P))
        return code;
    return (l2e & need) == need && (l1e & need) == need ? 0 : code | PF_ERROR_PRESENT;
}
