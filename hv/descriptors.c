/* descriptors.c - a guest's own GDT and LDT (ring 0, on the hypercall path and when a vCPU is
 * scheduled in). The frames become "descriptor pages" (page_types.c): every descriptor in them
 * is checked (descriptor.c), and the guest may keep no writable mapping of them, so what the CPU
 * loads is always what the monitor checked.
 */
#include "descriptor.h"
#include "domain.h"
#include "hv.h"
#include "mmu.h"
#include "segments.h"

static void release_frames(uint32_t *frames, uint32_t nr)
{
    for (uint32_t i = 0; i < nr; i++)
        put_page_type(frames[i]);
}

/* Type `nr` guest frames as descriptor pages; all or none. */
static long take_frames(struct domain *d, const uint32_t *frames, uint32_t nr)
{
    for (uint32_t i = 0; i < nr; i++) {
        long rc = get_page_type(d->id, frames[i], PGT_seg_desc);
        if (rc < 0) {
            release_frames((uint32_t *)frames, i);
            return rc;
        }
    }
    return 0;
}

/* set_gdt(frame_list, entries): the guest's GDT, up to FIRST_RESERVED_GDT_ENTRY entries. */
long do_set_gdt(uint32_t frame_list, uint32_t entries, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    uint32_t frames[FIRST_RESERVED_GDT_PAGE];
    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    if (copy_from_guest(frames, frame_list, (entries + 511) / 512 * sizeof(uint32_t)) < 0)
        return -XEN_EFAULT;
    return gdt_set(current, frames, entries);
}

/* v's GDT: `entries` descriptors in `frames` (machine frames of the domain's), all checked. */
long gdt_set(struct vcpu *v, const uint32_t *frames, uint32_t entries)
{
    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    uint32_t nr = (entries + 511) / 512;
    long rc = take_frames(v->domain, frames, nr);
    if (rc < 0)
        return rc;
    release_frames(v->gdt_frames, v->gdt_nr_frames);
    memcpy(v->gdt_frames, frames, nr * sizeof(uint32_t));
    v->gdt_nr_frames = nr;
    if (v == current)
        gdt_load_frames(v->gdt_frames, nr);
    return 0;
}

/* update_descriptor(machine address low, high, descriptor low, high): one entry of a GDT or LDT
 * page in use, or of an ordinary page of the domain. The new descriptor is checked either way. */
long do_update_descriptor(uint32_t ma_lo, uint32_t ma_hi, uint32_t d_lo, uint32_t d_hi, uint32_t a5)
{
    (void)a5;
    struct domain *d = current_domain();
    uint64_t desc = (uint64_t)d_hi << 32 | d_lo;
    uint32_t mfn = ma_lo >> PAGE_SHIFT;
    if (ma_hi || (ma_lo & 7) || mfn >= MAX_FRAMES || frame_table[mfn].owner != d->id)
        return -XEN_EINVAL;
    if (check_descriptor(&desc) < 0)
        return -XEN_EINVAL;
    int in_use = frame_table[mfn].type == PGT_seg_desc && frame_table[mfn].type_count;
    if (!in_use && get_page_type(d->id, mfn, PGT_writable) < 0)
        return -XEN_EINVAL;                   /* a page table, say */
    ((uint64_t *)phys_to_virt(mfn << PAGE_SHIFT))[(ma_lo & (PAGE_SIZE - 1)) / 8] = desc;
    if (!in_use)
        put_page_type(mfn);
    return 0;
}

/* MMUEXT_SET_LDT: the LDT at a guest virtual address, nr_ents descriptors (0: none). */
long set_ldt(struct vcpu *v, uint32_t va, uint32_t nr_ents)
{
    uint32_t frames[LDT_MAX_PAGES], nr = (nr_ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
    if ((va & (PAGE_SIZE - 1)) || nr_ents > LDT_MAX_PAGES * 512 ||
        !guest_range_ok(va, nr_ents * 8))
        return -XEN_EINVAL;
    for (uint32_t i = 0; i < nr; i++)
        if (guest_frame_of(v->domain, va + i * PAGE_SIZE, &frames[i]) < 0)
            return -XEN_EINVAL;
    long rc = take_frames(v->domain, frames, nr);
    if (rc < 0)
        return rc;
    release_frames(v->ldt_frames, v->ldt_nr_frames);
    memcpy(v->ldt_frames, frames, nr * sizeof(uint32_t));
    v->ldt_nr_frames = nr;
    v->ldt_entries = nr_ents;
    if (v == current)
        ldt_load(v->ldt_frames, nr, nr_ents);
    return 0;
}

/* A vCPU is scheduled in: its descriptor tables come with it. */
void descriptors_load(struct vcpu *v)
{
    gdt_load_frames(v->gdt_frames, v->gdt_nr_frames);
    ldt_load(v->ldt_frames, v->ldt_nr_frames, v->ldt_entries);
}
