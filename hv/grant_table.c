/* grant_table.c - grant tables, versions 1 and 2: how a domain lets another map or copy one of
 * its pages (ring 0, on the hypercall path).
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

/* Entries in a frame of the table: 512 of version 1's 8 bytes, or 256 of version 2's 16. */
static uint32_t entries_per_frame(const struct domain *g)
{
    return PAGE_SIZE / (g->gnt_version == 2 ? sizeof(union grant_entry_v2) : sizeof(struct grant_entry_v1));
}

/* Entry ref's header (flags and domid, the same four bytes in both versions), or NULL. */
static struct grant_entry_header *grant_header(struct domain *g, grant_ref_t ref)
{
    uint32_t per_frame = entries_per_frame(g);
    if (ref >= g->gnt_nr_frames * per_frame)
        return NULL;
    uint8_t *frame = phys_to_virt(g->gnt_frames[ref / per_frame] << PAGE_SHIFT);
    return (struct grant_entry_header *)(frame + (ref % per_frame) * (PAGE_SIZE / per_frame));
}

/* Where entry ref's GTF_reading and GTF_writing live: its flags in version 1, its word of the
 * status frames in version 2. ref must be a valid entry. */
static uint16_t *grant_status(struct domain *g, grant_ref_t ref)
{
    if (g->gnt_version != 2)
        return &grant_header(g, ref)->flags;
    const uint32_t per_frame = PAGE_SIZE / sizeof(grant_status_t);
    grant_status_t *frame = phys_to_virt(g->gnt_status_frames[ref / per_frame] << PAGE_SHIFT);
    return &frame[ref % per_frame];
}

/* An entry as the granter wrote it, read once (it may change it meanwhile), in either version:
 * the frame, and the bytes of it granted (a version 2 sub-page grant: fewer than all). */
struct grant {
    uint16_t flags;
    domid_t domid;
    uint64_t frame;
    uint32_t offset, length;
};

static int read_grant(struct domain *g, grant_ref_t ref, struct grant *out)
{
    struct grant_entry_header *h = grant_header(g, ref);
    if (!h)
        return GNTST_bad_gntref;
    if (g->gnt_version != 2) {
        struct grant_entry_v1 e = *(struct grant_entry_v1 *)h;
        *out = (struct grant){ e.flags, e.domid, e.frame, 0, PAGE_SIZE };
        return GNTST_okay;
    }
    union grant_entry_v2 e = *(union grant_entry_v2 *)h;
    *out = (struct grant){ e.hdr.flags, e.hdr.domid, e.full_page.frame, 0, PAGE_SIZE };
    if (e.hdr.flags & GTF_sub_page)
        out->offset = e.sub_page.page_off, out->length = e.sub_page.length;
    return GNTST_okay;
}

/* The frame behind (granter, ref) for domain d, if the entry grants it, and the part of it
 * granted: GNTST_* otherwise. Transitive grants are not followed here (GNTST_general_error). */
static int granted_frame(struct domain *d, struct domain *g, grant_ref_t ref, int write, uint32_t *mfn,
                         uint32_t *offset, uint32_t *length)
{
    struct grant entry;
    int rc = read_grant(g, ref, &entry);
    if (rc != GNTST_okay)
        return rc;
    if ((entry.flags & GTF_type_mask) == GTF_transitive && g->gnt_version == 2)
        return GNTST_general_error;
    if ((entry.flags & GTF_type_mask) != GTF_permit_access || entry.domid != d->id ||
        (write && (entry.flags & GTF_readonly)))
        return GNTST_permission_denied;
    if (entry.offset > PAGE_SIZE || entry.length > PAGE_SIZE - entry.offset)
        return GNTST_general_error;                /* a sub-page past its page */
    if (entry.frame >= MAX_FRAMES || frame_table[entry.frame].owner != g->id || frame_table[entry.frame].xenheap)
        return GNTST_bad_page;
    *mfn = (uint32_t)entry.frame;
    *offset = entry.offset, *length = entry.length;
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
    if (g->state == DOMAIN_RUNNABLE && grant_header(g, m->ref))
        *grant_status(g, m->ref) &= ~(GTF_reading | GTF_writing);
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
    uint32_t offset, length;
    if ((op->status = (int16_t)granted_frame(d, g, op->ref, write, &mfn, &offset, &length)) != GNTST_okay)
        return;
    if (length != PAGE_SIZE) {
        op->status = GNTST_general_error;          /* a sub-page grant is only for copies, as in Xen */
        return;
    }
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
    *grant_status(g, op->ref) |= GTF_reading | (write ? GTF_writing : 0);
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
static int copy_side(struct domain *d, const struct gnttab_copy_ptr *p, uint32_t len, int by_ref, int write,
                     uint32_t *mfn, domid_t *owner)
{
    if (by_ref) {
        struct domain *g = running_domain(p->domid);
        uint32_t offset, length;
        if (!g)
            return GNTST_bad_domain;
        *owner = g->id;
        int rc = granted_frame(d, g, p->u.ref, write, mfn, &offset, &length);
        if (rc == GNTST_okay && (p->offset < offset || p->offset + len > offset + length))
            rc = GNTST_general_error;              /* outside a sub-page grant's bytes */
        return rc;
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
    if ((op->status = (int16_t)copy_side(d, &op->source, op->len, op->flags & GNTCOPY_source_gref, 0, &src, &src_owner)) != GNTST_okay ||
        (op->status = (int16_t)copy_side(d, &op->dest, op->len, op->flags & GNTCOPY_dest_gref, 1, &dst, &dst_owner)) != GNTST_okay)
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

/* Lend the domain frames for its table (or its status) until it has n: zeroed, as every frame
 * the monitor hands out, lent by the monitor and never given back, writable for good. */
static int lend_frames(struct domain *d, uint32_t *frames, uint32_t *nr, uint32_t n)
{
    while (*nr < n) {
        uint32_t mfn = frame_take(d->id);
        if (mfn == FRAME_NONE)
            return -1;
        frame_table[mfn].xenheap = 1;
        get_page_type(d->id, mfn, PGT_writable);
        frames[(*nr)++] = mfn;
    }
    return 0;
}

/* The status frames version 2 needs for the table's entries: 2 bytes for each of them. */
static uint32_t status_frames_needed(const struct domain *d)
{
    return (d->gnt_nr_frames + 7) / 8;
}

/* Grow the table to n frames, and its status frames with it in version 2. */
static int grow_table(struct domain *d, uint32_t n)
{
    if (lend_frames(d, d->gnt_frames, &d->gnt_nr_frames, n) < 0)
        return -1;
    if (d->gnt_version == 2)
        return lend_frames(d, d->gnt_status_frames, &d->gnt_nr_status_frames, status_frames_needed(d));
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
    struct grant_entry_v1 *e = (struct grant_entry_v1 *)grant_header(d, GNTTAB_RESERVED_XENSTORE);
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

/* Rewrite the reserved entries in version `to`'s form and switch the table to it (its status
 * frames lent first, for version 2). 0, or -ENOMEM when no frame is left for the status. */
static long change_version(struct domain *d, uint32_t to)
{
    struct grant kept[GNTTAB_NR_RESERVED_ENTRIES];
    uint32_t n = d->gnt_nr_frames ? GNTTAB_NR_RESERVED_ENTRIES : 0;
    if (to == 2 && lend_frames(d, d->gnt_status_frames, &d->gnt_nr_status_frames, status_frames_needed(d)) < 0)
        return -XEN_ENOMEM;
    for (grant_ref_t ref = 0; ref < n; ref++) {
        read_grant(d, ref, &kept[ref]);
        kept[ref].flags |= *grant_status(d, ref) & (GTF_reading | GTF_writing);
    }
    d->gnt_version = to;
    for (grant_ref_t ref = 0; ref < n; ref++) {
        struct grant_entry_header *h = grant_header(d, ref);
        if (to == 2) {
            union grant_entry_v2 *e = (union grant_entry_v2 *)h;
            *e = (union grant_entry_v2){ .full_page = { { (uint16_t)(kept[ref].flags & ~(GTF_reading | GTF_writing)),
                                                          kept[ref].domid }, 0, kept[ref].frame } };
            *grant_status(d, ref) = kept[ref].flags & (GTF_reading | GTF_writing);
        } else {
            *(struct grant_entry_v1 *)h = (struct grant_entry_v1){ kept[ref].flags, kept[ref].domid,
                                                                   (uint32_t)kept[ref].frame };
        }
    }
    return 0;
}

/* Whether any entry of d's past the reserved ones is mapped by anyone. */
static int grants_in_use(const struct domain *d)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        for (unsigned h = 0; h < GRANT_MAPTRACK; h++) {
            const struct grant_mapping *m = &domains[i].maptrack[h];
            if (m->in_use && m->granter == d->id && m->ref >= GNTTAB_NR_RESERVED_ENTRIES)
                return 1;
        }
    return 0;
}

/* GNTTABOP_set_version: 1 or 2 (-EINVAL otherwise), refused with -EBUSY while a grant past the
 * reserved ones is mapped, as Xen does. The reserved entries (the store's, the console's) keep
 * their meaning in the new form, status bits and all; the rest of the table is the guest's to
 * write again. The table's version is written back. */
static long set_version(struct domain *d, uint32_t uop)
{
    struct gnttab_set_version v;
    if (copy_from_guest(&v, uop, sizeof(v)) < 0)
        return -XEN_EFAULT;
    uint32_t now = d->gnt_version == 2 ? 2 : 1;
    long rc = 0;
    if (v.version != 1 && v.version != 2)
        rc = -XEN_EINVAL;
    else if (v.version != now && grants_in_use(d))
        rc = -XEN_EBUSY;
    else if (v.version != now)
        rc = change_version(d, v.version);
    v.version = d->gnt_version == 2 ? 2 : 1;
    if (copy_to_guest(uop, &v, sizeof(v)) < 0)
        return -XEN_EFAULT;
    return rc;
}

/* GNTTABOP_get_status_frames: the machine frames of the version-2 status, for the guest to map. */
static long get_status_frames(struct domain *d, uint32_t uop)
{
    struct gnttab_get_status_frames op;
    if (copy_from_guest(&op, uop, sizeof(op)) < 0)
        return -XEN_EFAULT;
    if (op.dom != DOMID_SELF && op.dom != d->id)
        op.status = GNTST_permission_denied;
    else if (d->gnt_version != 2 || op.nr_frames > d->gnt_nr_status_frames)
        op.status = GNTST_general_error;
    else
        op.status = GNTST_okay;
    for (uint32_t i = 0; op.status == GNTST_okay && i < op.nr_frames; i++) {
        uint64_t mfn = d->gnt_status_frames[i];
        if (copy_to_guest((uint32_t)(uintptr_t)op.frame_list + i * sizeof(mfn), &mfn, sizeof(mfn)) < 0)
            return -XEN_EFAULT;
    }
    return copy_to_guest(uop, &op, sizeof(op));
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
    case GNTTABOP_set_version:
        return set_version(d, uop);
    case GNTTABOP_get_status_frames:
        return get_status_frames(d, uop);
    case GNTTABOP_get_version: {
        struct gnttab_get_version v;
        if (copy_from_guest(&v, uop, sizeof(v)) < 0)
            return -XEN_EFAULT;
        if (v.dom != DOMID_SELF && v.dom != d->id)
            return -XEN_EPERM;
        v.version = d->gnt_version == 2 ? 2 : 1;
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
