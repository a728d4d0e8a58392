/* grant_table.c - grant tables, version 1: how a domain lets another map or copy one of its pages
 * (ring 0, on the hypercall path).
 *
 * The granter writes an entry in its grant table (frames the monitor lends it, which it maps
 * itself): "domain D may access frame F, read-only or not". The grantee names the entry by
 * (granter, reference) and asks the monitor to map it at an address of its own, or to copy to or
 * from it. The monitor checks the entry, writes the grantee's L1 entry itself, and remembers the
 * mapping under a handle for unmap_grant_ref. As in Xen, that entry holds the frame's references
 * as any entry does (a writable one keeps the frame from becoming a table), so a guest that
 * overwrites it unmaps the grant implicitly; the mapping itself holds one more, so the frame is
 * never freed while the grant is in use. When either domain ends, its grant mappings go.
 */
#include "domain.h"
#include "hv.h"
#include "mmu.h"
#include "x86.h"

#define ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(struct grant_entry_v1))

static struct grant_entry_v1 *grant_entry(struct domain *g, grant_ref_t ref)
{
    if (ref >= g->gnt_nr_frames * ENTRIES_PER_FRAME)
        return NULL;
    struct grant_entry_v1 *frame = phys_to_virt(g->gnt_frames[ref / ENTRIES_PER_FRAME] << PAGE_SHIFT);
    return &frame[ref % ENTRIES_PER_FRAME];
}

/* The frame behind (granter, ref) for domain d, if the entry grants it: GNTST_* otherwise. */
static int granted_frame(struct domain *d, struct domain *g, grant_ref_t ref, int write, uint32_t *mfn)
{
    struct grant_entry_v1 *e = grant_entry(g, ref);
    if (!e)
        return GNTST_bad_gntref;
    struct grant_entry_v1 entry = *e;              /* read once: the granter may change it */
    if ((entry.flags & GTF_type_mask) != GTF_permit_access || entry.domid != d->id ||
        (write && (entry.flags & GTF_readonly)))
        return GNTST_permission_denied;
    if (entry.frame >= MAX_FRAMES || frame_table[entry.frame].owner != g->id || frame_table[entry.frame].xenheap)
        return GNTST_bad_page;
    *mfn = entry.frame;
    return GNTST_okay;
}

static int frame_still_mapped(uint32_t mfn)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        for (unsigned h = 0; h < GRANT_MAPTRACK; h++)
            if (domains[i].maptrack[h].in_use && domains[i].maptrack[h].mfn == mfn)
                return 1;
    return 0;
}

/* Drop the references a mapping holds, and the granter's "in use" flags if nobody else maps it.
 * A frame whose granter has ended (the mapping's granter is OWNER_ENDED) goes back to the pool
 * with its last mapping. */
static void release_mapping(struct domain *d, struct grant_mapping *m)
{
    put_frame_ref(m->mfn);
    m->in_use = 0;
    if (m->granter == OWNER_ENDED) {
        if (!frame_still_mapped(m->mfn))
            frame_give_back(m->mfn);       /* its M2P entry went when the granter ended */
        return;
    }
    struct domain *g = &domains[m->granter];
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        for (unsigned h = 0; h < GRANT_MAPTRACK; h++)
            if (domains[i].maptrack[h].in_use && domains[i].maptrack[h].granter == m->granter &&
                domains[i].maptrack[h].ref == m->ref)
                return;
    struct grant_entry_v1 *e = g->state == DOMAIN_RUNNABLE ? grant_entry(g, m->ref) : NULL;
    if (e)
        e->flags &= ~(GTF_reading | GTF_writing);
    (void)d;
}

static void map_one(struct domain *d, struct gnttab_map_grant_ref *op)
{
    uint32_t mfn, l1_mfn, va = (uint32_t)op->host_addr;
    unsigned slot, h;
    int found = 0;
    int write = !(op->flags & GNTMAP_readonly);
    struct domain *g = running_domain(op->dom);
    op->handle = ~0u;
    op->dev_bus_addr = 0;
    if (!(op->flags & GNTMAP_host_map) || (op->flags & GNTMAP_contains_pte)) {
        op->status = GNTST_general_error;          /* only host mappings by address */
        return;
    }
    if (!g) {
        op->status = GNTST_bad_domain;
        return;
    }
    if ((op->status = (int16_t)granted_frame(d, g, op->ref, write, &mfn)) != GNTST_okay)
        return;
    if (op->host_addr >= HYPERVISOR_VIRT_START || (va & (PAGE_SIZE - 1)) ||
        (found = find_l1_entry(d, va, &l1_mfn, &slot)) == -XEN_ENOENT || (found == 0 && (frame_contents(l1_mfn)[slot] & PTE_P))) {
        op->status = GNTST_bad_virt_addr;          /* needs an empty entry of a present L1 */
        return;
    }
    if (found < 0) {
        hv_warn("domain %u: map_grant_ref at %08x refused: %s\n", d->id, va, refusal);
        op->status = GNTST_general_error;          /* Xen's answer: the table is not an L1 */
        return;
    }
    for (h = 0; h < GRANT_MAPTRACK && d->maptrack[h].in_use; h++)
        ;
    if (h == GRANT_MAPTRACK) {
        op->status = GNTST_no_device_space;
        return;
    }
    pte_t e = (pte_t)mfn << PAGE_SHIFT | PTE_P | PTE_A | PTE_D | (write ? PTE_RW : 0) |
              ((op->flags & GNTMAP_application_map) ? PTE_US : 0);
    if (grant_entry_write(g->id, l1_mfn, slot, e) < 0) {
        op->status = GNTST_general_error;          /* the granter uses it as a table */
        return;
    }
    frame_table[mfn].ref_count++;                  /* the mapping's own: the frame stays */
    d->maptrack[h] = (struct grant_mapping){ 1, (uint8_t)!write, g->id, op->ref, mfn, va, l1_mfn, slot };
    grant_entry(g, op->ref)->flags |= GTF_reading | (write ? GTF_writing : 0);
    op->handle = h;
    op->status = GNTST_okay;
}

/* Clear entry `slot` of `l1_mfn` if it is an entry of the mapper's that still holds a mapping
 * of the granted frame (an L1 of its in use, or whose release has not reached the slot): its
 * references go back as any entry's do. Whether it did. */
static int clear_grant_entry(struct domain *d, uint32_t l1_mfn, unsigned slot, uint32_t mfn)
{
    if (l1_mfn >= MAX_FRAMES || frame_table[l1_mfn].owner != d->id || frame_table[l1_mfn].type != PGT_l1 ||
        !table_entry_live(l1_mfn, slot))
        return 0;
    pte_t e = frame_contents(l1_mfn)[slot];
    if (!(e & PTE_P) || entry_frame(e) != mfn)
        return 0;
    table_entry_clear(l1_mfn, slot);
    flush_tlb_if_needed();
    return 1;
}

/* As Xen's: the entry that maps host_addr now, in the mapper's current tables, must still map the
 * granted frame; if it does not (the guest overwrote it, or moved or released its L1) the unmap
 * fails with GNTST_general_error and the mapping stays, its frame held, until the domain ends. */
static void unmap_one(struct domain *d, struct gnttab_unmap_grant_ref *op)
{
    uint32_t l1_mfn;
    unsigned slot;
    if (op->handle >= GRANT_MAPTRACK || !d->maptrack[op->handle].in_use) {
        op->status = GNTST_bad_handle;
        return;
    }
    struct grant_mapping *m = &d->maptrack[op->handle];
    if (op->host_addr >= HYPERVISOR_VIRT_START || find_l1_entry(d, (uint32_t)op->host_addr, &l1_mfn, &slot) < 0 ||
        !clear_grant_entry(d, l1_mfn, slot, m->mfn)) {
        hv_warn("domain %u: unmap_grant_ref of handle %u at %08llx: no entry there maps frame %x\n", d->id,
                op->handle, (unsigned long long)op->host_addr, m->mfn);
        op->status = GNTST_general_error;
        return;
    }
    release_mapping(d, m);
    op->status = GNTST_okay;
}

/* One side of a copy: a granted frame (by reference) or one of our own (by machine frame), and
 * who owns it. */
static int copy_side(struct domain *d, const struct gnttab_copy_ptr *p, int by_ref, int write,
                     uint32_t *mfn, domid_t *owner)
{
    if (by_ref) {
        struct domain *g = running_domain(p->domid);
        if (!g)
            return GNTST_bad_domain;
        *owner = g->id;
        return granted_frame(d, g, p->u.ref, write, mfn);
    }
    if (p->domid != DOMID_SELF && p->domid != d->id)
        return GNTST_permission_denied;
    if (p->u.gmfn >= MAX_FRAMES || frame_table[p->u.gmfn].owner != d->id)
        return GNTST_bad_page;
    *owner = d->id;
    *mfn = p->u.gmfn;
    return GNTST_okay;
}

/* The destination takes a writable type for the copy, as Xen's does: a frame in use as a page
 * table or a descriptor page is written by no one but the rules (GNTST_general_error). */
static void copy_one(struct domain *d, struct gnttab_copy *op)
{
    uint32_t src, dst;
    domid_t src_owner, dst_owner;
    if (op->source.offset + op->len > PAGE_SIZE || op->dest.offset + op->len > PAGE_SIZE) {
        op->status = GNTST_bad_copy_arg;
        return;
    }
    if ((op->status = (int16_t)copy_side(d, &op->source, op->flags & GNTCOPY_source_gref, 0, &src, &src_owner)) != GNTST_okay ||
        (op->status = (int16_t)copy_side(d, &op->dest, op->flags & GNTCOPY_dest_gref, 1, &dst, &dst_owner)) != GNTST_okay)
        return;
    if (get_page_type(dst_owner, dst, PGT_writable) < 0) {
        hv_warn("domain %u: grant copy into frame %x refused: %s\n", d->id, dst, refusal);
        op->status = GNTST_general_error;
        return;
    }
    work_budget -= op->len * WORK_PAGE / PAGE_SIZE;
    memmove((uint8_t *)phys_to_virt(dst << PAGE_SHIFT) + op->dest.offset,
            (uint8_t *)phys_to_virt(src << PAGE_SHIFT) + op->source.offset, op->len);
    put_page_type(dst);
}

/* Lend the domain grant-table frames until it has n. */
static int grow_table(struct domain *d, uint32_t n)
{
    while (d->gnt_nr_frames < n) {
        uint32_t mfn = frame_take(d->id);
        if (mfn == FRAME_NONE)
            return -1;
        frame_table[mfn].xenheap = 1;              /* lent by the monitor: never given back */
        get_page_type(d->id, mfn, PGT_writable);   /* and the monitor writes it: writable for good */
        d->gnt_frames[d->gnt_nr_frames++] = mfn;
    }
    return 0;
}

static void setup_table(struct domain *d, struct gnttab_setup_table *op)
{
    if ((op->dom != DOMID_SELF && op->dom != d->id) || op->nr_frames > GRANT_MAX_FRAMES) {
        op->status = op->nr_frames > GRANT_MAX_FRAMES ? GNTST_general_error : GNTST_permission_denied;
        return;
    }
    if (grow_table(d, op->nr_frames) < 0) {
        op->status = GNTST_general_error;
        return;
    }
    for (uint32_t i = 0; i < op->nr_frames; i++)
        if (copy_to_guest((uint32_t)(uintptr_t)op->frame_list + i * sizeof(xen_pfn_t), &d->gnt_frames[i], sizeof(xen_pfn_t)) < 0) {
            op->status = GNTST_bad_virt_addr;
            return;
        }
    op->status = GNTST_okay;
}

/* Tour step 1 (the store): the builder grants domain 0 the domain's store ring in the reserved
 * entry, as Xen's toolstack seeds it, so that the store in domain 0 (examples/dom0/xenstored.c)
 * can map it with an ordinary map_grant_ref. */
int grant_seed_store(struct domain *d)
{
    if (grow_table(d, 1) < 0)
        return -1;
    struct grant_entry_v1 *e = grant_entry(d, GNTTAB_RESERVED_XENSTORE);
    *e = (struct grant_entry_v1){ .flags = GTF_permit_access, .domid = 0, .frame = d->store_mfn };
    return 0;
}

#define GNTTAB_BATCH 64           /* operations per entry before a continuation: 256 KiB of copy */

/* `count` operations of kind `cmd` at `uop`. Each costs a unit of the crossing's work budget,
 * and a copy a unit per 8 bytes more (page_types.h), so a multicall of many grant calls is
 * bounded as one call is: the rest continues after GNTTAB_BATCH operations or when the budget
 * is spent, as Xen's do. */
static long run_ops(struct domain *d, uint32_t cmd, uint32_t uop, uint32_t count)
{
    static const uint8_t size[] = {
        [GNTTABOP_map_grant_ref] = sizeof(struct gnttab_map_grant_ref),
        [GNTTABOP_unmap_grant_ref] = sizeof(struct gnttab_unmap_grant_ref),
        [GNTTABOP_setup_table] = sizeof(struct gnttab_setup_table),
        [GNTTABOP_copy] = sizeof(struct gnttab_copy),
        [GNTTABOP_query_size] = sizeof(struct gnttab_query_size),
    };
    union {
        struct gnttab_map_grant_ref map;
        struct gnttab_unmap_grant_ref unmap;
        struct gnttab_setup_table setup;
        struct gnttab_copy copy;
        struct gnttab_query_size query;
    } u;
    work_budget_start();
    for (uint32_t i = 0; i < count; i++) {
        uint32_t at = uop + i * size[cmd];
        if (i == GNTTAB_BATCH || work_budget <= 0)    /* the rest later (hv/continuation.c) */
            return hypercall_continuation(__HYPERVISOR_grant_table_op, cmd, at, count - i);
        work_budget--;
        if (copy_from_guest(&u, at, size[cmd]) < 0)
            return -XEN_EFAULT;
        switch (cmd) {
        case GNTTABOP_map_grant_ref:   map_one(d, &u.map); break;
        case GNTTABOP_unmap_grant_ref: unmap_one(d, &u.unmap); break;
        case GNTTABOP_setup_table:     setup_table(d, &u.setup); break;
        case GNTTABOP_copy:            copy_one(d, &u.copy); break;
        case GNTTABOP_query_size:
            u.query.nr_frames = d->gnt_nr_frames;
            u.query.max_nr_frames = GRANT_MAX_FRAMES;
            u.query.status = (u.query.dom == DOMID_SELF || u.query.dom == d->id) ? GNTST_okay : GNTST_bad_domain;
            break;
        }
        if (copy_to_guest(at, &u, size[cmd]) < 0)
            return -XEN_EFAULT;
    }
    return 0;
}

/* grant_table_op(cmd, ops, count). */
long do_grant_table_op(uint32_t cmd, uint32_t uop, uint32_t count, uint32_t a4, uint32_t a5)
{
    (void)a4, (void)a5;
    struct domain *d = current_domain();
    switch (cmd) {
    case GNTTABOP_map_grant_ref: case GNTTABOP_unmap_grant_ref: case GNTTABOP_setup_table:
    case GNTTABOP_copy: case GNTTABOP_query_size:
        return run_ops(d, cmd, uop, count);
    case GNTTABOP_set_version: {
        struct gnttab_set_version v;
        if (copy_from_guest(&v, uop, sizeof(v)) < 0)
            return -XEN_EFAULT;
        if (v.version != 1)
            return -XEN_EINVAL;                    /* version 1 only */
        return 0;
    }
    case GNTTABOP_get_version: {
        struct gnttab_get_version v;
        if (copy_from_guest(&v, uop, sizeof(v)) < 0)
            return -XEN_EFAULT;
        v.version = 1;
        return copy_to_guest(uop, &v, sizeof(v));
    }
    default:
        return -XEN_ENOSYS;
    }
}

/* A domain ends: its own mappings let go of their frames. Frames of its that other domains still
 * map stay where they are, owned by OWNER_ENDED (and the mappings' granter too), so that
 * domain_free leaves them and no mapper ever faults on a page it was granted; the last unmap
 * returns them (release_mapping). */
void grant_release_domain(struct domain *d)
{
    for (unsigned h = 0; h < GRANT_MAPTRACK; h++) {
        struct grant_mapping *m = &d->maptrack[h];
        if (!m->in_use)
            continue;
        /* Its tables are never released one by one: the entry the mapping wrote gives back what
         * it holds here, if it still holds it (Xen releases them with its tables). */
        clear_grant_entry(d, m->l1_mfn, m->slot, m->mfn);
        release_mapping(d, m);
    }
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        struct domain *o = &domains[i];
        for (unsigned h = 0; o != d && h < GRANT_MAPTRACK; h++) {
            struct grant_mapping *m = &o->maptrack[h];
            if (m->in_use && m->granter == d->id) {
                /* Its id may be given to a new domain: this mapping no longer names it. */
                m->granter = OWNER_ENDED;
                m2p_set(m->mfn, INVALID_M2P_ENTRY);
                frame_table[m->mfn].owner = OWNER_ENDED;
            }
        }
    }
}
