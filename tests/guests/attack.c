/* attack.c - a domU that attacks the frame type system the way issue 14 found it open, and checks
 * that each attack gets Xen's answer (guest ring 1, SDK). `attack=NAME` picks one:
 *   grant-alias      map a grant, or update_va_mapping, through a linear alias of an L2
 *   copy-into-table  grant copy into every kind of typed frame, by frame and by reference
 *   typed-shared     every frame the monitor writes, offered as every table or descriptor type
 *   give-back        every frame the monitor keeps using, handed back with decrease_reservation
 *   monitor-l2       a linear entry to the L2 that carries the monitor's entries
 *   unmap-after-free an L1 holding a grant mapping, released and handed back before the unmap
 *   costly-tables    pins and unpins of an L2 of `l1s=` full L1s, `pairs=` times in one call
 *                    (`multicall`: as the entries of a multicall)
 *   grant-flood      a multicall of 64 grant_table_op entries of 64 ops each, `rounds=` times:
 *                    maps and unmaps of one grant (`copy`: grant copies of a page)
 *   stale-tlb        a page mapped writable, unmapped and made an L1 in one continued batch:
 *                    the old TLB entry must be gone before it is an L1 (`erestart`: continued
 *                    because a validation ran out of budget, not after 256 elements)
 * Run it as a domU beside a canary (tests/boot/test_hostile_memory.py); it prints "ok WHAT" or
 * "FAIL WHAT" per check and powers off cleanly when every answer was the expected one.
 */
#include "sdk.h"

static int failures;
static uint8_t window[4096] __attribute__((aligned(4096)));   /* a page we remap freely */
static uint8_t source[4096] __attribute__((aligned(4096)));   /* what copies copy */
static struct mmuext_op ops[512];
static struct multicall_entry calls[64];

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static domid_t my_id(void)
{
    xen_domain_handle_t handle;
    HYPERVISOR_xen_version(XENVER_guest_handle, handle);
    return handle[15];
}

/* Give one frame back; returns the extents done (1 or 0). */
static long give_back(uint32_t mfn)
{
    xen_pfn_t frame = mfn;
    struct xen_memory_reservation r = { .extent_start = &frame, .nr_extents = 1, .domid = DOMID_SELF };
    return hypercall2(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, &r);
}

static const uint64_t *entries_of(uint32_t mfn) { return (const uint64_t *)mfn_to_virt(mfn); }
static uint32_t slot3_l2(void) { return (uint32_t)(((const uint64_t *)start_info->pt_base)[3] >> 12); }
static uint64_t entry_ma(uint32_t table, unsigned slot) { return (uint64_t)table << 12 | slot * 8; }

/* Our own grant table's first frame, mapped at `window`. */
static struct grant_entry_v1 *grant_table(uint32_t *frame_out)
{
    xen_pfn_t frame;
    struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 1, .frame_list = &frame };
    if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1) < 0 || setup.status != GNTST_okay ||
        map_page(window, frame, PTE_P | PTE_RW | PTE_A | PTE_D) < 0)
        panic("no grant table");
    if (frame_out)
        *frame_out = frame;
    return (struct grant_entry_v1 *)window;
}

static void grant_self(struct grant_entry_v1 *table, unsigned ref, uint32_t mfn)
{
    table[ref] = (struct grant_entry_v1){ .domid = my_id(), .frame = mfn };
    __asm__ volatile("" ::: "memory");
    table[ref].flags = GTF_permit_access;
}

static int16_t map_grant(unsigned ref, uint32_t va)
{
    struct gnttab_map_grant_ref op = { .host_addr = va, .flags = GNTMAP_host_map, .ref = ref, .dom = my_id() };
    return HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1) < 0 ? -1 : op.status;
}

/* ---- 1: a grant mapping through every kind of alias ---------------------------------------- */

/* An empty L2 of ours, pinned; its first entry an empty L1, pinned too. */
static uint32_t new_l2_with_l1(uint32_t *l1_out)
{
    uint32_t l2 = table_alloc(), l1 = table_alloc();
    if (!l2 || !l1 || table_pin(l1, 1) < 0 || table_pin(l2, 2) < 0 ||
        mmu_update1(entry_ma(l2, 0), (uint64_t)l1 << 12 | PTE_P | PTE_RW | PTE_A) < 0)
        panic("no tables");
    if (l1_out)
        *l1_out = l1;
    return l2;
}

static void grant_alias(void)
{
    struct grant_entry_v1 *table = grant_table(NULL);
    uint8_t *page = page_alloc();
    grant_self(table, 10, virt_to_mfn(page));
    uint32_t l1, x = new_l2_with_l1(&l1);
    /* Another L2 seen through a linear entry of the slot-3 L2, at 0xE0000000: the walk for an
     * address there ends in x, which is an L2. */
    check(mmu_update1(entry_ma(slot3_l2(), 0x100), (uint64_t)x << 12 | PTE_P | PTE_A) == 0, "a read-only linear entry to another L2 (allowed)");
    check(map_grant(10, 0xE0000000 + 5 * 4096) == GNTST_general_error,
          "map_grant_ref through the alias of another L2: GNTST_general_error");
    check(entries_of(x)[5] == 0, "and the L2 was not written");
    check(HYPERVISOR_update_va_mapping(0xE0000000 + 6 * 4096, (uint64_t)virt_to_mfn(page) << 12 | PTE_P | PTE_RW, 0) == -XEN_EINVAL,
          "update_va_mapping through the alias: -EINVAL");
    check(entries_of(x)[6] == 0, "and the L2 was not written");
    struct mmuext_op ldt = { .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = 0xE0000000, .arg2.nr_ents = 1 };
    check(HYPERVISOR_mmuext_op(&ldt, 1, NULL, DOMID_SELF) == -XEN_EINVAL, "SET_LDT at an address the alias maps: -EINVAL");
    /* An L2 in L3 slot 0 that maps itself: the walk for 0x00000000 + n pages ends in it. */
    uint32_t y = table_alloc(), l3 = virt_to_mfn((void *)start_info->pt_base);
    check(y && table_pin(y, 2) == 0 && mmu_update1(entry_ma(y, 0), (uint64_t)y << 12 | PTE_P | PTE_A) == 0 &&
          mmu_update1(entry_ma(l3, 0), (uint64_t)y << 12 | PTE_P) == 0, "an L2 in L3 slot 0 mapping itself read-only (allowed)");
    check(map_grant(10, 7 * 4096) == GNTST_general_error, "map_grant_ref through the self alias: GNTST_general_error");
    check(entries_of(y)[7] == 0, "and the L2 was not written");
    check(HYPERVISOR_update_va_mapping(8 * 4096, (uint64_t)virt_to_mfn(page) << 12 | PTE_P | PTE_RW, 0) == -XEN_EINVAL,
          "update_va_mapping through the self alias: -EINVAL");
    /* Through the real L1 it still works. */
    check(mmu_update1(entry_ma(x, 0), 0) == 0 && mmu_update1(entry_ma(slot3_l2(), 0x100), (uint64_t)l1 << 12 | PTE_P | PTE_RW | PTE_A) == 0,
          "the L1 itself at 0xE0000000");
    check(map_grant(10, 0xE0000000 + 5 * 4096) == GNTST_okay, "map_grant_ref into a real L1: GNTST_okay");
    check(*(volatile uint8_t *)(0xE0000000 + 5 * 4096) == 0, "and the granted page reads through it");
}

/* ---- 2: a grant copy into every kind of typed frame ----------------------------------------- */

static int16_t copy_to(int by_ref, uint32_t ref_or_mfn)
{
    struct gnttab_copy c = { .source.u.gmfn = virt_to_mfn(source), .source.domid = DOMID_SELF,
                             .len = 8, .flags = by_ref ? GNTCOPY_dest_gref : 0 };
    c.dest.domid = by_ref ? my_id() : DOMID_SELF;
    if (by_ref)
        c.dest.u.ref = ref_or_mfn;
    else
        c.dest.u.gmfn = ref_or_mfn;
    return HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1) < 0 ? -1 : c.status;
}

static void copy_into_table(void)
{
    memset(source, 0xFF, sizeof(source));                 /* a "PTE" of every bit */
    struct grant_entry_v1 *table = grant_table(NULL);
    uint32_t l1, l2 = new_l2_with_l1(&l1);
    uint32_t l3 = virt_to_mfn((void *)start_info->pt_base);
    uint32_t gdt = table_alloc();
    check(gdt && hypercall2(__HYPERVISOR_set_gdt, &gdt, 1) == 0, "a GDT page of our own (set_gdt)");
    const struct { const char *name; uint32_t mfn; } typed[] = {
        { "a live L1", l1 }, { "a live L2", l2 }, { "the live L3", l3 }, { "the slot-3 L2", slot3_l2() },
        { "a GDT page", gdt },
    };
    char what[96];
    for (unsigned i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
        grant_self(table, 20 + i, typed[i].mfn);
        format_snprintf(what, sizeof(what), "grant copy into %s, by frame: GNTST_general_error", typed[i].name);
        check(copy_to(0, typed[i].mfn) == GNTST_general_error, what);
        format_snprintf(what, sizeof(what), "grant copy into %s, by reference: GNTST_general_error", typed[i].name);
        check(copy_to(1, 20 + i) == GNTST_general_error, what);
        check(entries_of(typed[i].mfn)[0] != ~0ull, "and it was not written");
    }
    uint8_t *plain = page_alloc();
    grant_self(table, 30, virt_to_mfn(plain));
    check(copy_to(0, virt_to_mfn(plain)) == GNTST_okay && copy_to(1, 30) == GNTST_okay && plain[0] == 0xFF,
          "grant copy into a plain page, by frame and by reference: GNTST_okay");
}

/* ---- 3 and 4: frames the monitor writes, offered as other types, and handed back ------------ */

struct shared_frame { const char *name; uint32_t mfn; };

static unsigned monitor_frames(struct shared_frame *f)
{
    uint32_t gnt;
    grant_table(&gnt);
    f[0] = (struct shared_frame){ "shared_info", start_info->shared_info >> 12 };
    f[1] = (struct shared_frame){ "a grant-table frame", gnt };
    f[2] = (struct shared_frame){ "the console ring", start_info->console.domU.mfn };
    f[3] = (struct shared_frame){ "the store ring", start_info->store_mfn };
    return 4;
}

static void typed_shared(void)
{
    static const struct { const char *name; unsigned cmd; } pins[] = {
        { "pinned as an L1", MMUEXT_PIN_L1_TABLE }, { "pinned as an L2", MMUEXT_PIN_L2_TABLE },
        { "pinned as an L3", MMUEXT_PIN_L3_TABLE }, { "made the base table", MMUEXT_NEW_BASEPTR },
    };
    struct shared_frame f[4];
    unsigned n = monitor_frames(f);
    char what[96];
    for (unsigned i = 0; i < n; i++) {
        for (unsigned p = 0; p < sizeof(pins) / sizeof(pins[0]); p++) {
            format_snprintf(what, sizeof(what), "%s %s: -EINVAL", f[i].name, pins[p].name);
            check(mmuext1(pins[p].cmd, f[i].mfn) == -XEN_EINVAL, what);
        }
        format_snprintf(what, sizeof(what), "%s as a GDT page (set_gdt): -EINVAL", f[i].name);
        check(hypercall2(__HYPERVISOR_set_gdt, &f[i].mfn, 1) == -XEN_EINVAL, what);
        check(map_page(window, f[i].mfn, PTE_P | PTE_A) == 0, "mapped read-only at a page of ours");
        struct mmuext_op ldt = { .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = (uint32_t)(uintptr_t)window, .arg2.nr_ents = 1 };
        format_snprintf(what, sizeof(what), "%s as an LDT page (SET_LDT): -EINVAL", f[i].name);
        check(HYPERVISOR_mmuext_op(&ldt, 1, NULL, DOMID_SELF) == -XEN_EINVAL, what);
        format_snprintf(what, sizeof(what), "%s mapped writable: allowed", f[i].name);
        check(map_page(window, f[i].mfn, PTE_P | PTE_RW | PTE_A | PTE_D) == 0, what);
    }
}

/* Frames the monitor lends (shared_info, the grant frames) are not the domain's to give back. The
 * rings are the guest's own pages, which Xen takes back as any other: accepted, but the monitor's
 * reference keeps them until the domain ends, so it never reads or writes a frame gone to another
 * domain. That reference does not depend on the guest's mappings: the grant frame and the store
 * ring are mapped nowhere when they are offered back (the SDK keeps using shared_info and the
 * console ring, so they stay mapped; this guest's last words go through that ring). */
static void give_back_used(void)
{
    struct shared_frame f[4];
    unsigned n = monitor_frames(f);
    char what[96];
    map_page(window, virt_to_mfn(window), PTE_P | PTE_RW | PTE_A | PTE_D);
    map_page(mfn_to_virt(start_info->store_mfn), 0, 0);
    for (unsigned i = 0; i < n; i++) {
        int lent = i < 2;
        format_snprintf(what, sizeof(what), lent ? "%s handed back: refused (0 extents)"
                                                 : "%s handed back: done (1 extent), and it stays in use", f[i].name);
        check(give_back(f[i].mfn) == (lent ? 0 : 1), what);
    }
}

/* ---- 5: a linear entry to the L2 that carries the monitor's entries ------------------------ */

static void monitor_l2(void)
{
    check(mmu_update1(entry_ma(slot3_l2(), 0x100), (uint64_t)slot3_l2() << 12 | PTE_P | PTE_A) == -XEN_EINVAL,
          "a read-only linear entry in the slot-3 L2 to itself: -EINVAL");
    uint32_t x = table_alloc();
    check(x && table_pin(x, 2) == 0, "an L2 of ours, pinned");
    check(mmu_update1(entry_ma(x, 0), (uint64_t)slot3_l2() << 12 | PTE_P | PTE_A) == -XEN_EINVAL,
          "a read-only linear entry in another L2 to the slot-3 L2: -EINVAL");
    uint32_t y = table_alloc();
    check(y && mmu_update1(entry_ma(y, 0), (uint64_t)slot3_l2() << 12 | PTE_P | PTE_A) == 0, "the same entry in a plain page");
    check(table_pin(y, 2) == -XEN_EINVAL, "pinning that page as an L2: -EINVAL");
}

/* ---- the L1 of a grant mapping, released and handed back before the unmap ------------------- */

static void unmap_after_free(void)
{
    struct grant_entry_v1 *table = grant_table(NULL);
    uint8_t *page = page_alloc();
    grant_self(table, 40, virt_to_mfn(page));
    uint32_t l1, x = new_l2_with_l1(&l1);
    (void)x;
    check(mmu_update1(entry_ma(slot3_l2(), 0x100), (uint64_t)l1 << 12 | PTE_P | PTE_RW | PTE_A) == 0, "an L1 of ours at 0xE0000000");
    struct gnttab_map_grant_ref m = { .host_addr = 0xE0000000, .flags = GNTMAP_host_map, .ref = 40, .dom = my_id() };
    check(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1) == 0 && m.status == GNTST_okay, "a grant mapped through it");
    check(mmu_update1(entry_ma(slot3_l2(), 0x100), 0) == 0 && mmu_update1(entry_ma(x, 0), 0) == 0 && mmuext1(MMUEXT_UNPIN_TABLE, l1) == 0,
          "the L1 unhooked and unpinned: no longer a table (its grant entry gave back what it held)");
    check(map_page(mfn_to_virt(l1), 0, 0) == 0, "and mapped nowhere (its start-of-day page unmapped)");
    check(give_back(l1) == 1, "the L1 handed back: accepted, as in Xen (the mapping holds no reference on it)");
    struct gnttab_unmap_grant_ref u = { .host_addr = 0xE0000000, .handle = m.handle };
    check(HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1) == 0 && u.status == GNTST_general_error,
          "unmap_grant_ref: GNTST_general_error (no L1 maps the address now), and nothing written");
    check(give_back(virt_to_mfn(page)) == 1 && page[0] == 0, "the granted page handed back: done, and it stays while the grant holds it");
}

/* ---- 10: the costliest tables to validate, in one call -------------------------------------- */

static unsigned number_option(const char *key, unsigned dflt)
{
    char value[16];
    unsigned n = 0;
    if (!cmdline_option(key, value, sizeof(value)))
        return dflt;
    for (const char *p = value; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (unsigned)(*p - '0');
    return n;
}

/* An L2 whose first n entries are L1s full of read-only mappings of one page: validating it
 * checks 512 * (n + 1) entries. */
static uint32_t costly_l2(unsigned n)
{
    uint32_t l2 = table_alloc(), data = virt_to_mfn(source);
    struct mmu_queue q = { 0 };
    for (unsigned i = 0; i < n; i++) {
        uint64_t *l1 = page_alloc();
        if (!l1 || !l2)
            panic("out of pages at L1 %u", i);
        for (unsigned j = 0; j < 512; j++)
            l1[j] = (uint64_t)data << 12 | PTE_P | PTE_A;
        uint32_t mfn = virt_to_mfn(l1);
        if (map_page(l1, mfn, PTE_P | PTE_A) < 0)     /* read-only before it can be a table */
            panic("remapping L1 %u", i);
        mmu_queue_add(&q, entry_ma(l2, i), (uint64_t)mfn << 12 | PTE_P | PTE_RW | PTE_A);
    }
    return mmu_queue_flush(&q) < 0 ? 0 : l2;
}

static void costly_tables(void)
{
    unsigned n = number_option("l1s", 256), pairs = number_option("pairs", 16);
    uint32_t l2 = costly_l2(n), done = 0;
    check(l2 != 0, "an L2 of full L1s, as a plain page");
    for (unsigned i = 0; i < 2 * pairs; i++)
        ops[i] = (struct mmuext_op){ .cmd = i % 2 ? MMUEXT_UNPIN_TABLE : MMUEXT_PIN_L2_TABLE, .arg1.mfn = l2 };
    uint64_t start = clock_ns();
    long rc;
    if (cmdline_option("multicall", NULL, 0)) {
        for (unsigned i = 0; i < pairs; i++)
            calls[i] = (struct multicall_entry){ .op = __HYPERVISOR_mmuext_op,
                                                 .args = { (uint32_t)(uintptr_t)&ops[2 * i], 2, 0, DOMID_SELF } };
        rc = hypercall2(__HYPERVISOR_multicall, calls, pairs);
        for (unsigned i = 0; rc == 0 && i < pairs; i++)
            rc = (long)calls[i].result;
        done = rc == 0 ? 2 * pairs : 0;
    } else {
        rc = HYPERVISOR_mmuext_op(ops, 2 * pairs, &done, DOMID_SELF);
    }
    uint64_t end = clock_ns();
    printf("%u pins and unpins of an L2 of %u L1s%s from %llu to %llu us: %ld, %u done\n", 2 * pairs, n,
           cmdline_option("multicall", NULL, 0) ? " in a multicall" : "",
           (unsigned long long)(start / 1000), (unsigned long long)(end / 1000), rc, done);
    check(rc == 0 && done == 2 * pairs, "every pin and unpin done");
    check(table_pin(l2, 2) == 0 && mmuext1(MMUEXT_UNPIN_TABLE, l2) == 0, "and the L2 can be pinned again");
}

/* ---- 64 grant operations in each of a multicall's 64 entries ------------------------------- */

#define FLOOD_OPS 64
static struct gnttab_map_grant_ref flood_maps[FLOOD_OPS];
static struct gnttab_unmap_grant_ref flood_unmaps[FLOOD_OPS];
static struct gnttab_copy flood_copies[FLOOD_OPS];
static uint8_t flood_page[4096] __attribute__((aligned(4096)));

/* Each grant_table_op continues after 64 ops on its own; the multicall must not let 64 of them
 * add up to one crossing of 4096 (with every unmap a search of every domain's mappings). */
static void grant_flood(void)
{
    struct grant_entry_v1 *table = grant_table(NULL);
    /* Copies to a higher frame than their source: the costlier direction for a memmove. */
    uint32_t low = virt_to_mfn(source), high = virt_to_mfn(flood_page);
    if (low > high)
        low = high, high = virt_to_mfn(source);
    grant_self(table, 50, high);
    uint32_t l1;
    new_l2_with_l1(&l1);
    check(mmu_update1(entry_ma(slot3_l2(), 0x100), (uint64_t)l1 << 12 | PTE_P | PTE_RW | PTE_A) == 0,
          "an empty L1 of ours at 0xE0000000");
    int copy = cmdline_option("copy", NULL, 0);
    for (unsigned i = 0; i < FLOOD_OPS; i++) {
        flood_maps[i] = (struct gnttab_map_grant_ref){ .host_addr = 0xE0000000 + i * 4096, .flags = GNTMAP_host_map,
                                                       .ref = 50, .dom = my_id() };
        flood_copies[i] = (struct gnttab_copy){ .source = { .u.gmfn = low, .domid = DOMID_SELF },
                                                .dest = { .u.ref = 50, .domid = my_id() },
                                                .len = 4096, .flags = GNTCOPY_dest_gref };
    }
    /* One round by hand first: the handles the unmaps name. */
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, flood_maps, FLOOD_OPS);
    for (unsigned i = 0; i < FLOOD_OPS; i++) {
        rc |= flood_maps[i].status;
        flood_unmaps[i] = (struct gnttab_unmap_grant_ref){ .host_addr = flood_maps[i].host_addr, .handle = flood_maps[i].handle };
    }
    rc |= HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, flood_unmaps, FLOOD_OPS);
    check(rc == 0, "64 maps and unmaps of one grant");
    unsigned rounds = number_option("rounds", 4);
    static struct hv_stats before, after;
    HYPERVISOR_hv_stats(&before);
    uint64_t start = clock_ns();
    for (unsigned r = 0; rc == 0 && r < rounds; r++) {
        for (unsigned i = 0; i < 64; i++) {                /* afresh: a continued entry's args changed */
            uint32_t cmd = copy ? GNTTABOP_copy : i % 2 ? GNTTABOP_unmap_grant_ref : GNTTABOP_map_grant_ref;
            void *ops = copy ? (void *)flood_copies : i % 2 ? (void *)flood_unmaps : (void *)flood_maps;
            calls[i] = (struct multicall_entry){ .op = __HYPERVISOR_grant_table_op,
                                                 .args = { cmd, (uint32_t)(uintptr_t)ops, FLOOD_OPS } };
        }
        rc = hypercall2(__HYPERVISOR_multicall, calls, 64);
        for (unsigned i = 0; rc == 0 && i < 64; i++)
            rc = (long)calls[i].result;
        for (unsigned i = 0; rc == 0 && i < FLOOD_OPS; i++)
            rc = copy ? flood_copies[i].status : flood_maps[i].status | flood_unmaps[i].status;
    }
    uint64_t end = clock_ns();
    HYPERVISOR_hv_stats(&after);
    printf("%u multicalls of 64 x 64 grant %s from %llu to %llu us in %u crossings: %ld\n", rounds,
           copy ? "copies" : "maps and unmaps", (unsigned long long)(start / 1000), (unsigned long long)(end / 1000),
           after.hypercalls[__HYPERVISOR_multicall] - before.hypercalls[__HYPERVISOR_multicall], rc);
    check(rc == 0, "every grant operation done");
    check(entries_of(l1)[0] == 0 && entries_of(l1)[63] == 0, "and no mapping left behind");
}

/* ---- a stale TLB entry across a continued batch -------------------------------------------- */

static struct mmu_update reqs[257];
static struct context before_write;

static void on_page_fault(struct regs *r)
{
    (void)r;
    context_restore(&before_write, 1);
}

static void stale_tlb(void)
{
    uint8_t *page = page_alloc();                      /* F: its only writable mapping is `page` */
    uint32_t f = virt_to_mfn(page), va = (uint32_t)(uintptr_t)page;
    uint32_t l1 = (uint32_t)(entries_of(slot3_l2())[(va >> 21) & 511] >> 12);
    uint32_t src = virt_to_mfn(source), src_pfn = ((const uint32_t *)MACH2PHYS_VIRT_START)[src];
    int erestart = cmdline_option("erestart", NULL, 0);
    uint32_t big = erestart ? costly_l2(8) : 0;
    volatile uint64_t *pv = (volatile uint64_t *)page;
    pv[0] = 0;                                         /* the TLB now holds page -> F, writable */
    reqs[0] = (struct mmu_update){ entry_ma(l1, (va >> 12) & 511), 0 };
    reqs[1] = (struct mmu_update){ entry_ma(slot3_l2(), 0x101), (uint64_t)f << 12 | PTE_P | PTE_RW | PTE_A };
    unsigned n = 257;
    if (erestart) {
        reqs[2] = (struct mmu_update){ entry_ma(virt_to_mfn((void *)start_info->pt_base), 0), (uint64_t)big << 12 | PTE_P };
        n = 3;
    } else {
        for (unsigned i = 2; i < n; i++)
            reqs[i] = (struct mmu_update){ (uint64_t)src << 12 | MMU_MACHPHYS_UPDATE, src_pfn };
    }
    long rc = HYPERVISOR_mmu_update(reqs, n, (uint32_t *)0x1000, DOMID_SELF);   /* done_out unmapped */
    check(rc == -XEN_EFAULT && (entries_of(slot3_l2())[0x101] >> 12) == f,
          "a batch that unmaps a page and makes it an L1, continued, then -EFAULT on done_out");
    trap_set_handler(14, on_page_fault);
    int faulted = context_save(&before_write);
    if (!faulted)
        pv[1] = (uint64_t)0x100 << 12 | PTE_P | PTE_RW | PTE_A | PTE_D;   /* through the old mapping */
    trap_set_handler(14, NULL);
    check(faulted, "a write through the old mapping faults: no stale TLB entry survived");
    check(map_page(window, f, PTE_P | PTE_A) == 0 && ((volatile uint64_t *)window)[1] == 0,
          "and the live L1, read through a read-only mapping, holds no entry the monitor did not check");
}

int main(void)
{
    static const struct { const char *name; void (*run)(void); } attacks[] = {
        { "grant-alias", grant_alias }, { "copy-into-table", copy_into_table },
        { "typed-shared", typed_shared }, { "give-back", give_back_used },
        { "monitor-l2", monitor_l2 }, { "unmap-after-free", unmap_after_free },
        { "costly-tables", costly_tables }, { "stale-tlb", stale_tlb }, { "grant-flood", grant_flood },
    };
    char name[32] = "";
    traps_init();
    events_init();
    cmdline_option("attack", name, sizeof(name));
    for (unsigned i = 0; i < sizeof(attacks) / sizeof(attacks[0]); i++) {
        if (strcmp(name, attacks[i].name) == 0) {
            attacks[i].run();
            printf("attack %s: %d failure(s)\n", name, failures);
            return failures != 0;
        }
    }
    panic("attack=%s: no such attack", name);
}
