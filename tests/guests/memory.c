/* memory.c - a guest that tries every page-table change the monitor must refuse, and the ones it
 * must allow: direct paging, pinning, memory_op, multicall (guest ring 1, SDK). Boot it with
 * maxmem= above mem= and a second domain running, so "another domain's frame" exists.
 */
#include "sdk.h"

#define INVALID_M2P 0xFFFFFFFFu
static int failures;
static uint8_t canary[4096] __attribute__((aligned(4096)));
static uint8_t window[4096] __attribute__((aligned(4096)));   /* a page we remap freely */
static struct mmu_update batch[300];

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static const uint32_t *m2p(void) { return (const uint32_t *)MACH2PHYS_VIRT_START; }

static long memop(unsigned cmd, void *arg) { return hypercall2(__HYPERVISOR_memory_op, cmd, arg); }

static uint32_t new_frame(void)
{
    xen_pfn_t mfn = 0;
    struct xen_memory_reservation r = { .extent_start = &mfn, .nr_extents = 1, .domid = DOMID_SELF };
    return memop(XENMEM_increase_reservation, &r) == 1 ? mfn : 0;
}

/* The L2 entry covering va, as a machine address (for mmu_update). */
static uint64_t l2_slot(uint32_t va)
{
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    uint32_t l2_mfn = (uint32_t)(l3[va >> 30] >> 12);
    return (uint64_t)l2_mfn << 12 | ((va >> 21) & 511) * 8;
}

/* A frame of another domain: any frame with an M2P entry that is not in our p2m. */
static uint32_t foreign_frame(void)
{
    const uint32_t *mine = (const uint32_t *)start_info->mfn_list;
    for (uint32_t mfn = 256; mfn < 32768; mfn++) {
        if (m2p()[mfn] == INVALID_M2P || m2p()[mfn] >= start_info->nr_pages)
            continue;
        if (mine[m2p()[mfn]] != mfn)
            return mfn;
    }
    return 0;
}

/* A read-only linear entry, as Xen allows it, to an L2 of our own in use: through it, that L2's
 * entries are the L1 entries of a 2 MiB window, and its L1s readable as pages. */
static void linear_tables(void)
{
    uint32_t va = (uint32_t)(uintptr_t)canary, l2 = table_alloc();
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    const uint64_t *slot3 = (const uint64_t *)mfn_to_virt((uint32_t)(l3[3] >> 12));
    uint32_t canary_l1 = (uint32_t)(slot3[(va >> 21) & 511] >> 12);
    check(l2 && table_pin(l2, 2) == 0 && mmu_update1((uint64_t)l2 << 12, (uint64_t)canary_l1 << 12 | PTE_P | PTE_A) == 0,
          "an L2 of our own, pinned, whose first entry is the canary's L1");
    check(mmu_update1(l2_slot(0xE0000000), (uint64_t)l2 << 12 | PTE_P | PTE_A) == 0, "a read-only linear entry to it: allowed, as in Xen");
    const volatile uint64_t *linear = (const volatile uint64_t *)0xE0000000;
    check((uint32_t)(linear[(va >> 12) & 511] >> 12) == virt_to_mfn(canary), "through it, our L1 entry for the canary page reads back");
    check(mmu_update1(l2_slot(0xE0000000), 0) == 0 && mmuext1(MMUEXT_UNPIN_TABLE, l2) == 0, "and the linear entry comes out again");
}

static void refusals(void)
{
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    uint32_t slot3_l2 = (uint32_t)(l3[3] >> 12);
    uint32_t a_table = virt_to_mfn((void *)(start_info->pt_base + 4096 * (start_info->nr_pt_frames - 1)));
    uint32_t foreign = foreign_frame();

    check(map_page(window, 0x100, PTE_P | PTE_A) == -XEN_EINVAL, "mapping a monitor frame (its image at 1 MiB): -EINVAL");
    check(foreign && map_page(window, foreign, PTE_P | PTE_A) == -XEN_EINVAL, "mapping another domain's frame: -EINVAL");
    check(map_page(window, a_table, PTE_P | PTE_RW | PTE_A) == -XEN_EINVAL, "mapping a page-table frame writable: -EINVAL");
    check(map_page(window, a_table, PTE_P | PTE_A) == 0, "mapping it read-only is fine");
    check(map_page(window, virt_to_mfn(canary), PTE_P | PTE_RW | PTE_A | 0x100) == -XEN_EINVAL, "a global (G) L1 entry: -EINVAL");
    check(mmu_update1(l2_slot(0xE0000000), (uint64_t)slot3_l2 << 12 | PTE_P | PTE_RW) == -XEN_EINVAL, "a linear (L2 to L2) entry: -EINVAL");
    check(mmu_update1(l2_slot(0xE0000000), (uint64_t)virt_to_mfn(canary) << 12 | PTE_P | PTE_RW | 0x80) == -XEN_EINVAL, "a superpage: -EINVAL");
    check(mmu_update1(l2_slot(0xE0000000), (uint64_t)slot3_l2 << 12 | PTE_P | PTE_A) == -XEN_EINVAL,
          "a read-only linear entry to the L2 that carries the monitor's entries: -EINVAL");
    linear_tables();
    check(mmu_update1((uint64_t)slot3_l2 << 12 | 428 * 8, 0) == -XEN_EPERM, "an L2 slot in the monitor area: -EPERM");
    check(mmu_update1((uint64_t)slot3_l2 << 12 | 4, 0) == -XEN_EINVAL, "a misaligned mmu_update pointer: -EINVAL");
    check(HYPERVISOR_update_va_mapping(0xF5800000, 0, 0) == -XEN_EINVAL, "update_va_mapping in the monitor area: -EINVAL");
    check(HYPERVISOR_mmu_update((void *)0xF7000000, 1, NULL, DOMID_SELF) == -XEN_EFAULT, "an mmu_update list in the monitor: -EFAULT");
    check(mmuext1(MMUEXT_PIN_L1_TABLE, virt_to_mfn(canary)) == -XEN_EINVAL, "pinning a page we map writable as an L1: -EINVAL");
    check(mmuext1(MMUEXT_PIN_L1_TABLE, slot3_l2) == -XEN_EINVAL, "pinning an L2 as an L1 (wrong type): -EINVAL");
    check(mmuext1(MMUEXT_UNPIN_TABLE, virt_to_mfn(canary)) == -XEN_EINVAL, "unpinning a frame never pinned: -EINVAL");
    check(mmuext1(MMUEXT_PIN_L1_TABLE, foreign) == -XEN_EINVAL, "pinning another domain's frame: -EINVAL");
}

static void long_batches(void)
{
    uint32_t mfn = virt_to_mfn(window);
    for (unsigned i = 0; i < 300; i++)
        batch[i] = (struct mmu_update){ (uint64_t)mfn << 12 | MMU_MACHPHYS_UPDATE, m2p()[mfn] };
    uint32_t done = 0;
    check(HYPERVISOR_mmu_update(batch, 300, &done, DOMID_SELF) == 0 && done == 300,
          "300 updates in one call: continued past 256 transparently");
    done = 0;
    long rc = HYPERVISOR_mmu_update(batch, 1000000, &done, DOMID_SELF);
    printf("count 1000000: rc %ld after %u done\n", rc, done);
    check(rc < 0 && done >= 300 && done < 1000000, "a count of 1,000,000: stops at the first bad entry, monitor unharmed");
}

static void pinning_and_tables(void)
{
    uint32_t l1 = new_frame(), page = new_frame();
    check(l1 && page, "increase_reservation gives frames (maxmem above mem)");
    check(mmuext1(MMUEXT_PIN_L1_TABLE, l1) == 0, "pinning a fresh zeroed frame as an L1");
    check(mmuext1(MMUEXT_PIN_L1_TABLE, l1) == -XEN_EINVAL, "pinning it twice: -EINVAL");
    check(mmu_update1((uint64_t)l1 << 12, (uint64_t)page << 12 | PTE_P | PTE_RW | PTE_A) == 0, "an entry in our new L1");
    check(mmu_update1(l2_slot(0xE0000000), (uint64_t)l1 << 12 | PTE_P | PTE_RW | PTE_A) == 0, "hooking the L1 into our L2 at 0xE0000000");
    volatile uint32_t *p = (volatile uint32_t *)0xE0000000;
    *p = 0x1234abcd;
    check(*p == 0x1234abcd, "the new mapping works");
    xen_pfn_t victim = l1;
    struct xen_memory_reservation r = { .extent_start = &victim, .nr_extents = 1, .domid = DOMID_SELF };
    domid_t self = DOMID_SELF;
    long pages = memop(XENMEM_current_reservation, &self);
    /* Xen's guest_remove_page: the L1 is unpinned and leaves the physical map now, and goes back
     * to the pool with its last use (GNU Mach frees the L1s it pinned at boot this way). */
    check(memop(XENMEM_decrease_reservation, &r) == 1, "decrease_reservation of a pinned L1 in use: done, as in Xen");
    check(*p == 0x1234abcd && m2p()[l1] == INVALID_M2P, "the mapping through it works until its last use; its M2P entry is gone");
    check(memop(XENMEM_current_reservation, &self) == pages, "and it still counts against the domain");
    check(mmu_update1(l2_slot(0xE0000000), 0) == 0, "unhooking it: its last use");
    check(memop(XENMEM_current_reservation, &self) == pages - 1 && mmuext1(MMUEXT_PIN_L1_TABLE, l1) == -XEN_EINVAL,
          "it has gone back: one page less, and no longer ours to pin");
    struct mmuext_op ops[2] = { { .cmd = MMUEXT_CLEAR_PAGE, .arg1.mfn = page },
                                { .cmd = MMUEXT_TLB_FLUSH_LOCAL } };
    check(HYPERVISOR_mmuext_op(ops, 2, NULL, DOMID_SELF) == 0, "CLEAR_PAGE and TLB_FLUSH_LOCAL");
}

static void memory_ops(void)
{
    domid_t self = DOMID_SELF;
    long cur = memop(XENMEM_current_reservation, &self), max = memop(XENMEM_maximum_reservation, &self);
    printf("reservation: %ld pages now, %ld at most\n", cur, max);
    check(cur > 0 && max >= cur, "current and maximum reservation");
    check(memop(XENMEM_maximum_ram_page, NULL) > 0, "maximum_ram_page");
    struct { uint64_t addr, size; uint32_t type; } __attribute__((packed)) e820[4];
    struct xen_memory_map map = { .nr_entries = 4, .buffer = e820 };
    check(memop(XENMEM_memory_map, &map) == 0 && map.nr_entries == 1 && e820[0].size == (uint64_t)max * 4096,
          "memory_map: one RAM region as large as maxmem");
    xen_pfn_t pfn = 0x3FF;
    struct xen_memory_reservation r = { .extent_start = &pfn, .nr_extents = 1, .domid = DOMID_SELF };
    check(memop(XENMEM_populate_physmap, &r) == 1 && m2p()[pfn] == 0x3FF, "populate_physmap: the M2P says the pfn we asked for");
    check(memop(99, NULL) == -XEN_ENOSYS, "memory_op 99: -ENOSYS");

    static xen_pfn_t many[300];
    struct xen_memory_reservation lots = { .extent_start = many, .nr_extents = 300, .domid = DOMID_SELF };
    long before = memop(XENMEM_current_reservation, &self), grown = 0;
    static struct hv_stats s0, s1;
    for (int tries = 0; tries < 8; tries++) {     /* again if another domain may have run meanwhile */
        HYPERVISOR_hv_stats(&s0);
        grown = memop(XENMEM_increase_reservation, &lots);
        HYPERVISOR_hv_stats(&s1);
        if (hv_stats_interrupts(&s1) == hv_stats_interrupts(&s0) || tries == 7)
            break;
        memop(XENMEM_decrease_reservation, &lots);
    }
    check(grown == 300 && memop(XENMEM_current_reservation, &self) == before + 300 &&
          s1.hypercalls[__HYPERVISOR_memory_op] - s0.hypercalls[__HYPERVISOR_memory_op] == 2,
          "300 extents in one increase_reservation: continued past 256 (the monitor entered twice)");
    check(memop(XENMEM_decrease_reservation, &lots) == 300 && memop(XENMEM_current_reservation, &self) == before,
          "and all given back in one decrease_reservation");
}

static volatile uint32_t faults;
static void count_fault(struct regs *r)
{
    faults++;
    r->eip += 6;                                   /* the faulting movl $0, (reg) is 6 bytes */
}

/* Weakening a mapping without asking for a flush must still leave no stale TLB entry. */
static void no_stale_tlb(void)
{
    volatile uint32_t *p = (volatile uint32_t *)window;
    trap_set_handler(14, count_fault);
    map_page(window, virt_to_mfn(canary + 0), PTE_P | PTE_RW | PTE_A | PTE_D);
    *p = *p;                                       /* the writable translation is now cached */
    check(HYPERVISOR_update_va_mapping((uint32_t)(uintptr_t)window, (uint64_t)virt_to_mfn(canary) << 12 | PTE_P | PTE_A,
                                       UVMF_NONE) == 0, "remapping read-only, asking for no flush");
    faults = 0;
    __asm__ volatile("movl $0, (%0)" :: "a"(p) : "memory");    /* c7 00 imm32 */
    check(faults == 1, "a write then faults: the monitor flushed the stale writable entry");
    trap_set_handler(14, NULL);
}

static void multicalls(void)
{
    struct multicall_entry calls[17];
    for (unsigned i = 0; i < 16; i++)
        calls[i] = (struct multicall_entry){ .op = __HYPERVISOR_xen_version, .args = { XENVER_pagesize } };
    calls[16] = (struct multicall_entry){ .op = __HYPERVISOR_multicall };
    check(hypercall2(__HYPERVISOR_multicall, calls, 17) == 0, "multicall of 17 entries");
    int all = 1;
    for (unsigned i = 0; i < 16; i++)
        all &= calls[i].result == 4096;
    check(all, "each of 16 xen_version calls got its result");
    check((long)calls[16].result == -XEN_EINVAL, "a nested multicall: -EINVAL");

    /* A long batch as an entry: continued inside the multicall, which goes on from that entry. */
    uint32_t mfn = virt_to_mfn(window), done = 0;
    for (unsigned i = 0; i < 300; i++)
        batch[i] = (struct mmu_update){ (uint64_t)mfn << 12 | MMU_MACHPHYS_UPDATE, m2p()[mfn] };
    calls[0] = (struct multicall_entry){ .op = __HYPERVISOR_mmu_update,
                                         .args = { (uint32_t)(uintptr_t)batch, 300, (uint32_t)(uintptr_t)&done,
                                                   DOMID_SELF } };
    calls[1] = (struct multicall_entry){ .op = __HYPERVISOR_xen_version, .args = { XENVER_pagesize } };
    check(hypercall2(__HYPERVISOR_multicall, calls, 2) == 0 && calls[0].result == 0 && done == 300 &&
          calls[1].result == 4096, "300 updates as a multicall entry: continued past 256, then the next entry");
}

int main(void)
{
    traps_init();
    for (unsigned i = 0; i < sizeof(canary); i++)
        canary[i] = (uint8_t)(i * 7);
    refusals();
    long_batches();
    pinning_and_tables();
    memory_ops();
    multicalls();
    no_stale_tlb();
    int intact = 1;
    for (unsigned i = 0; i < sizeof(canary); i++)
        intact &= canary[i] == (uint8_t)(i * 7);
    check(intact && ((volatile uint8_t *)canary)[1] == 7, "after all that, our own memory is unchanged");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
