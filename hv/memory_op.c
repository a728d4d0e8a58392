/* memory_op.c - the memory_op hypercall: a domain's memory grown and shrunk a frame at a time
 * (increase and decrease_reservation, populate_physmap), and described (its reservation, its
 * pseudo-physical map) (ring 0).
 */
#include "domain.h"
#include "hv.h"
#include "mmu.h"

#define E820_RAM 1

struct e820_entry {
    uint64_t addr, size;
    uint32_t type;
} __attribute__((packed));

/* Give the domain a fresh, zeroed frame; the guest decides its pfn (M2P, its own p2m). */
static uint32_t grow(struct domain *d)
{
    if (d->nr_pages >= d->max_pages)
        return FRAME_NONE;
    uint32_t mfn = frame_take(d->id);
    if (mfn != FRAME_NONE)
        d->nr_pages++;
    return mfn;
}

/* A frame the domain gives back, as Xen's guest_remove_page does: it is unpinned and leaves the
 * domain's physical map (its M2P entry) at once, and goes back to the pool with its last reference,
 * now if it has none (a page still mapped, or a table still in use, lingers until then, and counts
 * against the domain until it goes). Frames the monitor keeps using (shared_info, the grant
 * frames, the rings: xenheap) are not the domain's to give. */
static int shrink(struct domain *d, uint32_t mfn)
{
    if (mfn >= MAX_FRAMES || frame_table[mfn].owner != d->id || frame_table[mfn].xenheap)
        return -1;
    struct frame_info *fi = &frame_table[mfn];
    if (fi->given_back)
        return 0;                             /* already given: as in Xen, nothing more to do */
    fi->given_back = 1;
    fi->ref_count++;                          /* ours, while we drop the pin */
    if (fi->pinned) {
        fi->pinned = 0;
        put_page_type(mfn);                   /* may start the table's release (budgeted) */
    }
    m2p_set(mfn, INVALID_M2P_ENTRY);
    put_frame_ref(mfn);                       /* the last reference frees it (frame_unused) */
    return 0;
}

/* A long memory_op continues after RESERVATION_BATCH extents (hv/continuation.c); the extent to go
 * on from rides in cmd's bits from MEMOP_EXTENT_SHIFT up, as in Xen (its xen/hypercall.h: not in
 * the public headers, but fixed, since a guest saved in mid-call depends on it). */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_CMD_MASK ((1u << MEMOP_EXTENT_SHIFT) - 1)
#define RESERVATION_BATCH 256

/* increase_reservation, decrease_reservation, populate_physmap: one frame per extent (order 0),
 * from extent `start`. Returns how many extents were done in all; the guest learns of a partial
 * failure from that count. */
static long reservation(struct domain *d, uint32_t cmd, uint32_t start, uint32_t arg)
{
    struct xen_memory_reservation r;
    if (copy_from_guest(&r, arg, sizeof(r)) < 0)
        return -XEN_EFAULT;
    if (r.domid != DOMID_SELF && r.domid != d->id)
        return -XEN_EPERM;
    if (r.extent_order != 0)
        return 0;                                  /* no contiguous extents: none done */
    uint32_t list = (uint32_t)(uintptr_t)r.extent_start;
    for (uint32_t i = start; i < r.nr_extents; i++) {
        if (i - start == RESERVATION_BATCH)
            return hypercall_continuation(__HYPERVISOR_memory_op, cmd | i << MEMOP_EXTENT_SHIFT, arg, 0);
        uint32_t slot = list + i * sizeof(xen_pfn_t), value = 0, mfn;
        if (cmd != XENMEM_increase_reservation && copy_from_guest(&value, slot, sizeof(value)) < 0)
            return i ? (long)i : -XEN_EFAULT;
        if (cmd == XENMEM_decrease_reservation) {
            if (shrink(d, value) < 0)
                return i;
            continue;
        }
        if ((mfn = grow(d)) == FRAME_NONE)
            return i;
        if (cmd == XENMEM_populate_physmap)
            m2p_set(mfn, value);                   /* value was the pfn the guest wants */
        if (list && copy_to_guest(slot, &mfn, sizeof(mfn)) < 0) {
            shrink(d, mfn);
            return i ? (long)i : -XEN_EFAULT;
        }
    }
    return start > r.nr_extents ? start : r.nr_extents;
}

long do_memory_op(uint32_t cmd, uint32_t arg, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    struct domain *d = current_domain();
    uint32_t start = cmd >> MEMOP_EXTENT_SHIFT;
    cmd &= MEMOP_CMD_MASK;
    switch (cmd) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        work_budget_start();                       /* unpinning a table given back may release it */
        return reservation(d, cmd, start, arg);
    case XENMEM_maximum_ram_page:
        return machine_frames.limit - 1;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation: {
        domid_t dom;
        if (copy_from_guest(&dom, arg, sizeof(dom)) < 0)
            return -XEN_EFAULT;
        if (dom != DOMID_SELF && dom != d->id)
            return -XEN_EPERM;
        return cmd == XENMEM_current_reservation ? d->nr_pages : d->max_pages;
    }
    case XENMEM_memory_map: {
        /* The pseudo-physical map: one RAM region as large as the domain may grow. */
        struct xen_memory_map map;
        struct e820_entry ram = { 0, (uint64_t)d->max_pages * PAGE_SIZE, E820_RAM };
        if (copy_from_guest(&map, arg, sizeof(map)) < 0)
            return -XEN_EFAULT;
        if (map.nr_entries < 1)
            return -XEN_EINVAL;
        map.nr_entries = 1;
        if (copy_to_guest((uint32_t)(uintptr_t)map.buffer, &ram, sizeof(ram)) < 0 ||
            copy_to_guest(arg, &map, sizeof(map)) < 0)
            return -XEN_EFAULT;
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
