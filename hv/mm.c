/* mm.c - the machine frame pool and how frames are taken from it and given back, the M2P table,
 * the monitor's part of every address space, and the hypercalls through which a guest changes its
 * page tables: mmu_update, update_va_mapping, mmuext_op (ring 0).
 *
 * The machine-to-physical table (M2P) says, for every machine frame, which pseudo-physical frame
 * of its domain it is. Guests read it at MACH2PHYS_VIRT_START (Xen's ABI); only the monitor
 * writes it, through the direct map.
 */
#include "domain.h"
#include "hv.h"
#include "memlayout.h"
#include "page_types.h"
#include "mmu.h"
#include "x86.h"
#include "xen.h"

struct frame_pool machine_frames;

/* The monitor's own address space, which hv/boot.asm fills in before paging is on: its L3, and
 * the L2 of slot 3, whose entries from HYPERVISOR_VIRT_START up every guest's slot-3 L2 shares. */
pte_t monitor_l2[L2_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
pte_t monitor_l3[L3_ENTRIES] __attribute__((aligned(32)));

static uint32_t m2p[MAX_FRAMES] __attribute__((aligned(PAGE_SIZE)));
static pte_t m2p_l1[L1_ENTRIES] __attribute__((aligned(PAGE_SIZE)));

#define MMU_BATCH 256                         /* updates per entry before a continuation */
#define MMU_UPDATE_PREEMPTED 0x80000000u      /* Xen's flag in `count` for a continued batch */

_Static_assert(L2_INDEX(HYPERVISOR_VIRT_START) == FIRST_MONITOR_L2_SLOT, "the monitor's L2 slots");

_Static_assert(sizeof(m2p) <= L1_ENTRIES * PAGE_SIZE, "the M2P fits one L1 table's 2 MiB");
_Static_assert(HYPERVISOR_VIRT_START == HV_AREA_START, "memlayout.h agrees with Xen's ABI");

static pte_t *direct_map_frame(uint32_t mfn)
{
    return phys_to_virt(mfn << PAGE_SHIFT);
}

static void flush_tlb(void)
{
    write_cr3(read_cr3());
}

/* A frame its domain gave back has lost its last reference (page_types.c). */
static void given_back_frame_unused(uint32_t mfn)
{
    struct domain *d = domain_lookup(frame_table[mfn].owner);
    if (d)
        d->nr_pages--;
    frame_give_back(mfn);
}

void mm_init(void)
{
    frame_table_init();
    frame_contents = direct_map_frame;
    tlb_flush_now = flush_tlb;
    frame_unused = given_back_frame_unused;
    for (uint32_t i = 0; i < MAX_FRAMES; i++)
        m2p[i] = INVALID_M2P_ENTRY;
    /* Read-only and user: the L2 entry has no RW bit, so no L1 entry below it can grant writing,
     * and CR0.WP makes that bind ring 1 too. */
    for (uint32_t i = 0; i < sizeof(m2p) / PAGE_SIZE; i++)
        m2p_l1[i] = (pte_t)virt_to_phys((uint8_t *)m2p + i * PAGE_SIZE) | PTE_P | PTE_US | PTE_A;
    monitor_l2[L2_INDEX(MACH2PHYS_VIRT_START)] = (pte_t)virt_to_phys(m2p_l1) | PTE_P | PTE_US | PTE_A;
    write_cr3(read_cr3());
    /* Every slot-3 L2 of every guest gets these, when it is validated (page_types.c). */
    memcpy(monitor_l2_entries, monitor_l2, sizeof(monitor_l2_entries));
}

void m2p_set(uint32_t mfn, uint32_t pfn)
{
    m2p[mfn] = pfn;
}

/* A zeroed frame from the pool, owned by `owner` (its M2P entry is the caller's to set), or
 * FRAME_NONE when the pool is empty. */
uint32_t frame_take(uint16_t owner)
{
    uint32_t mfn = frames_alloc(&machine_frames);
    if (mfn != FRAME_NONE) {
        memset(direct_map_frame(mfn), 0, PAGE_SIZE);
        frame_set_owner(mfn, owner);
    }
    return mfn;
}

/* A frame nothing refers to any more goes back to the pool: no owner, no M2P entry. */
void frame_give_back(uint32_t mfn)
{
    m2p_set(mfn, INVALID_M2P_ENTRY);
    frame_set_owner(mfn, DOMID_XEN);
    frames_free(&machine_frames, mfn);
}

/* Give every frame back: whatever the domain owns now (its pages, grown or shrunk by memory_op,
 * its shared_info and grant-table frames), and the monitor's copy of its first p2m. */
_Static_assert(MAX_DOMAINS <= PT_OWNERS, "every domain has a queue of tables being released");

void domain_free(struct domain *d)
{
    release_forget(d->id);                  /* its tables go with the rest of its frames */
    for (uint32_t mfn = 0; mfn < MAX_FRAMES; mfn++) {
        if (frame_table[mfn].owner != d->id)
            continue;
        frame_give_back(mfn);
    }
    for (uint32_t i = 0; d->p2m && i < d->p2m_frames; i++)
        frames_free(&machine_frames, d->p2m_mfn + i);
    d->nr_pages = 0;
    d->p2m = NULL;
    d->shared_info = NULL;
}

void mm_switch_idle(void)
{
    write_cr3(virt_to_phys(monitor_l3));
}

void mm_switch(uint32_t l3_mfn)
{
    write_cr3(l3_mfn << PAGE_SHIFT);
}

void flush_tlb_if_needed(void)
{
    if (tlb_flush_needed) {
        flush_tlb();
        tlb_flush_needed = 0;
    }
}

static void invlpg(uint32_t va)
{
    __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

/* One mmu_update request. A frame in use as a page table is changed entry by entry through the
 * rules of page_types.c; any other frame of the domain is written plainly, as Xen does. */
static int mmu_update_one(struct domain *d, const struct mmu_update *req)
{
    uint32_t cmd = req->ptr & 3;
    uint64_t ptr = req->ptr & ~3ull, mfn = ptr >> PAGE_SHIFT;
    refusal = "not the domain's frame, or not an 8-byte entry";
    if (mfn >= MAX_FRAMES || frame_table[mfn].owner != d->id)
        return -XEN_EINVAL;
    switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD: {
        if (ptr & 7)
            return -XEN_EINVAL;               /* not an entry: PAE entries are 8 bytes */
        unsigned slot = (ptr & (PAGE_SIZE - 1)) >> 3;
        if (table_in_use((uint32_t)mfn))
            return mod_table_entry(d->id, (uint32_t)mfn, slot, req->val, cmd == MMU_PT_UPDATE_PRESERVE_AD);
        int rc = get_page_type(d->id, (uint32_t)mfn, PGT_writable);
        if (rc == 0) {
            direct_map_frame((uint32_t)mfn)[slot] = req->val;
            put_page_type((uint32_t)mfn);
        }
        return rc;
    }
    case MMU_MACHPHYS_UPDATE:
        m2p_set((uint32_t)mfn, (uint32_t)req->val);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

/* Copy one mmu_update request in and carry it out; say why when it is refused. */
static long mmu_update_at(struct domain *d, uint32_t at)
{
    struct mmu_update req;
    if (copy_from_guest(&req, at, sizeof(req)) < 0)
        return -XEN_EFAULT;
    long rc = mmu_update_one(d, &req);
    if (rc < 0 && rc != -XEN_ERESTART)
        hv_warn("domain %u: mmu_update %llx <- %llx refused (%ld): %s\n", d->id,
                (unsigned long long)req.ptr, (unsigned long long)req.val, rc, refusal);
    return rc;
}

/* The rest of a batch later, from `list`: a continued batch carries MMU_UPDATE_PREEMPTED in its
 * count, and the number done so far in `done_out`, as Xen's do. */
static long continue_batch(uint32_t nr, uint32_t list, uint32_t left, uint32_t done_out, uint32_t done)
{
    flush_tlb_if_needed();
    if (done_out && copy_to_guest(done_out, &done, sizeof(done)) < 0)
        return -XEN_EFAULT;
    return hypercall_continuation(nr, list, left | MMU_UPDATE_PREEMPTED, done_out);
}

/* A batch of `count` elements of `size` bytes at `list` (mmu_update, mmuext_op): stops at the
 * first error and writes the number done to `done_out`. Every element costs a unit of the
 * crossing's budget. It continues later after MMU_BATCH elements, when the budget is spent (a
 * table's validation that ran out: that element again), and while tables an element began to
 * release still hold references: no element starts, and a batch that succeeds does not return,
 * before those releases are done (after an error they wait for the next page-table hypercall).
 * No return leaves a TLB flush pending, and none writes through the guest's addresses before it. */
static long run_batch(uint32_t nr, uint32_t list, uint32_t size, uint32_t count, uint32_t done_out,
                      uint32_t foreigndom, long (*one)(struct domain *, uint32_t))
{
    struct domain *d = current_domain();
    uint32_t done = 0;
    long rc = 0;
    if (foreigndom != DOMID_SELF && foreigndom != d->id)
        return -XEN_EPERM;
    if ((count & MMU_UPDATE_PREEMPTED) && done_out && copy_from_guest(&done, done_out, sizeof(done)) < 0)
        return -XEN_EFAULT;
    count &= ~MMU_UPDATE_PREEMPTED;
    work_budget_start();
    for (uint32_t i = 0;; i++) {
        int releases_left = release_pending(d->id);
        if (rc < 0 || (i == count && !releases_left))
            break;
        if (releases_left || i == MMU_BATCH || work_budget <= 0)
            return continue_batch(nr, list + i * size, count - i, done_out, done);
        work_budget--;                       /* every element costs, so a multicall of batches does */
        rc = one(d, list + i * size);
        if (rc == -XEN_ERESTART)
            return continue_batch(nr, list + i * size, count - i, done_out, done);
        done += rc == 0;
    }
    flush_tlb_if_needed();
    if (done_out && copy_to_guest(done_out, &done, sizeof(done)) < 0)
        return -XEN_EFAULT;
    return rc;
}

/* Tour step 1 (page-table update): mmu_update(reqs, count, done_out, foreigndom). */
long do_mmu_update(uint32_t reqs, uint32_t count, uint32_t done_out, uint32_t foreigndom, uint32_t a5)
{
    (void)a5;
    return run_batch(__HYPERVISOR_mmu_update, reqs, sizeof(struct mmu_update), count, done_out,
                     foreigndom, mmu_update_at);
}

/* update_va_mapping(va, new entry low, high, flags): change the L1 entry that maps va. */
long do_update_va_mapping(uint32_t va, uint32_t lo, uint32_t hi, uint32_t flags, uint32_t a5)
{
    (void)a5;
    struct domain *d = current_domain();
    uint32_t l1_mfn;
    unsigned slot;
    work_budget_start();
    if (release_pending(d->id))        /* tables still being released may hold the frame */
        return hypercall_continuation(__HYPERVISOR_update_va_mapping, va, lo, hi);
    int found = find_l1_entry(d, va, &l1_mfn, &slot);
    long rc = found < 0 ? -XEN_EINVAL : mod_table_entry(d->id, l1_mfn, slot, (pte_t)hi << 32 | lo, 0);
    if (rc < 0) {
        hv_warn("domain %u: update_va_mapping %08x <- %llx refused (%ld): %s\n", d->id, va,
                (unsigned long long)((pte_t)hi << 32 | lo), rc,
                found == -XEN_ENOENT ? "no L1 maps the address" : refusal);
        return rc;
    }
    if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_TLB_FLUSH)
        tlb_flush_needed = 1;
    else if ((flags & UVMF_FLUSHTYPE_MASK) == UVMF_INVLPG)
        invlpg(va);
    flush_tlb_if_needed();
    return 0;
}

static long mmuext_one(struct domain *d, const struct mmuext_op *op)
{
    static const uint8_t pin_types[] = { [MMUEXT_PIN_L1_TABLE] = PGT_l1, [MMUEXT_PIN_L2_TABLE] = PGT_l2,
                                         [MMUEXT_PIN_L3_TABLE] = PGT_l3 };
    uint32_t mfn = op->arg1.mfn;
    int owned = mfn < MAX_FRAMES && frame_table[mfn].owner == d->id;
    long rc;
    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE: case MMUEXT_PIN_L2_TABLE: case MMUEXT_PIN_L3_TABLE:
        if (!owned || frame_table[mfn].pinned) {
            refusal = owned ? "already pinned" : "not the domain's frame";
            return -XEN_EINVAL;
        }
        rc = get_page_type(d->id, mfn, pin_types[op->cmd]);
        if (rc == 0)
            frame_table[mfn].pinned = 1;
        return rc;
    case MMUEXT_UNPIN_TABLE:
        if (!owned || !frame_table[mfn].pinned) {
            refusal = owned ? "not pinned" : "not the domain's frame";
            return -XEN_EINVAL;
        }
        frame_table[mfn].pinned = 0;
        put_page_type(mfn);
        return 0;
    case MMUEXT_NEW_BASEPTR:
        if (!owned)
            return -XEN_EINVAL;
        rc = get_page_type(d->id, mfn, PGT_l3);
        if (rc == 0) {
            uint32_t old = current->l3_mfn;
            current->l3_mfn = mfn;
            mm_switch(mfn);
            put_page_type(old);
        }
        return rc;
    case MMUEXT_TLB_FLUSH_LOCAL: case MMUEXT_TLB_FLUSH_MULTI: case MMUEXT_TLB_FLUSH_ALL:
        tlb_flush_needed = 1;
        return 0;
    case MMUEXT_INVLPG_LOCAL: case MMUEXT_INVLPG_MULTI: case MMUEXT_INVLPG_ALL:
        if (op->arg1.linear_addr < HYPERVISOR_VIRT_START)
            invlpg(op->arg1.linear_addr);
        return 0;
    case MMUEXT_SET_LDT:
        return set_ldt(current, op->arg1.linear_addr, op->arg2.nr_ents);
    case MMUEXT_CLEAR_PAGE: case MMUEXT_COPY_PAGE:
        if (!owned || (op->cmd == MMUEXT_COPY_PAGE && (op->arg2.src_mfn >= MAX_FRAMES ||
                                                       frame_table[op->arg2.src_mfn].owner != d->id)))
            return -XEN_EINVAL;
        work_budget -= WORK_PAGE;          /* a page of work */
        rc = get_page_type(d->id, mfn, PGT_writable);
        if (rc == 0) {
            if (op->cmd == MMUEXT_CLEAR_PAGE)
                memset(direct_map_frame(mfn), 0, PAGE_SIZE);
            else
                memcpy(direct_map_frame(mfn), direct_map_frame(op->arg2.src_mfn), PAGE_SIZE);
            put_page_type(mfn);
        }
        return rc;
    default:
        return -XEN_ENOSYS;
    }
}

/* Whether an mmuext_op's arg1 is a linear address (else a machine frame), for the messages. */
static int takes_address(uint32_t cmd)
{
    return cmd == MMUEXT_INVLPG_LOCAL || cmd == MMUEXT_INVLPG_MULTI || cmd == MMUEXT_INVLPG_ALL ||
           cmd == MMUEXT_SET_LDT;
}

static long mmuext_at(struct domain *d, uint32_t at)
{
    struct mmuext_op op;
    if (copy_from_guest(&op, at, sizeof(op)) < 0)
        return -XEN_EFAULT;
    refusal = "not allowed for this command";
    long rc = mmuext_one(d, &op);
    if (rc < 0 && rc != -XEN_ERESTART)
        hv_warn("domain %u: mmuext_op %u on %s %x refused (%ld): %s\n", d->id, op.cmd,
                takes_address(op.cmd) ? "address" : "mfn", op.arg1.mfn, rc, refusal);
    return rc;
}

/* mmuext_op(ops, count, done_out, foreigndom): pinning, base pointers, TLB and page operations. */
long do_mmuext_op(uint32_t ops, uint32_t count, uint32_t done_out, uint32_t foreigndom, uint32_t a5)
{
    (void)a5;
    return run_batch(__HYPERVISOR_mmuext_op, ops, sizeof(struct mmuext_op), count, done_out,
                     foreigndom, mmuext_at);
}

