/* test_page_types.c - host tests of the typed-frame invariant (hv/page_types.c): a frame is never
 * a page table (or descriptor page) and writable at once, and every entry rule holds. Frames are
 * fake: 64 pages of memory, owned by domain 1 unless a test says otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "page_types.h"
#include "x86/paging.h"
#include "xen.h"

#define DOM 1
#define OTHER 2
#define NFRAMES 1024

static pte_t mem[NFRAMES][L1_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static unsigned flushes;
static void count_flush(void) { flushes++; }
static pte_t *fake_frame(uint32_t mfn) { return mem[mfn]; }
static pte_t entry(uint32_t mfn, uint64_t flags) { return (pte_t)mfn << PAGE_SHIFT | flags; }

static int setup(void **state)
{
    (void)state;
    memset(mem, 0, sizeof(mem));
    frame_table_init();
    frame_contents = fake_frame;
    for (uint32_t f = 0; f < NFRAMES; f++)
        frame_set_owner(f, DOM);
    frame_set_owner(60, OTHER);
    frame_set_owner(61, DOMID_XEN);
    for (unsigned i = FIRST_MONITOR_L2_SLOT; i < 512; i++)
        monitor_l2_entries[i] = entry(62, PTE_P | PTE_RW);
    work_budget = WORK_UNLIMITED;
    tlb_flush_now = count_flush;
    tlb_flush_needed = 0;
    flushes = 0;
    return 0;
}

static void writable_mapping_blocks_table_use(void **state)
{
    (void)state;
    mem[1][0] = entry(5, PTE_P | PTE_RW);         /* L1 frame 1 maps frame 5 writable */
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    assert_int_equal(frame_table[5].type, PGT_writable);
    assert_int_equal(get_page_type(DOM, 5, PGT_l1), -XEN_EINVAL);
    put_page_type(1);                             /* the L1 is released: so is frame 5 */
    assert_int_equal(frame_table[5].type_count, 0);
    assert_int_equal(get_page_type(DOM, 5, PGT_l1), 0);
}

static void table_in_use_cannot_be_mapped_writable(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(DOM, 7, PGT_l1), 0);        /* frame 7: an (empty) L1 */
    mem[1][3] = entry(7, PTE_P | PTE_RW);
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), -XEN_EINVAL);
    mem[1][3] = entry(7, PTE_P);                                /* read-only is fine */
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    assert_int_equal(mod_table_entry(DOM, 1, 4, entry(7, PTE_P | PTE_RW), 0), -XEN_EINVAL);
}

static void only_the_domains_own_frames(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(60, PTE_P), 0), -XEN_EINVAL);   /* another domain's */
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(61, PTE_P), 0), -XEN_EINVAL);   /* the monitor's */
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(40000, PTE_P), 0), -XEN_EINVAL);    /* none at all */
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(9, PTE_P | PTE_RW), 0), 0);
    assert_int_equal(get_page_type(OTHER, 1, PGT_l1), -XEN_EINVAL);                   /* not OTHER's table */
}

static void refused_bits(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(9, PTE_P | PTE_PCD), 0), -XEN_EINVAL); /* PCD */
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(9, PTE_P | PTE_G), 0), -XEN_EINVAL);   /* G */
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(9, PTE_P) | 1ull << 63, 0), -XEN_EINVAL);  /* NX/high */
    assert_int_equal(get_page_type(DOM, 2, PGT_l2), 0);
    assert_int_equal(mod_table_entry(DOM, 2, 0, entry(10, PTE_P | PTE_RW | PTE_PS), 0), -XEN_EINVAL);    /* superpage */
}

static void linear_l2_only_read_only(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(DOM, 2, PGT_l2), 0);
    assert_int_equal(mod_table_entry(DOM, 2, 1, entry(2, PTE_P | PTE_RW), 0), -XEN_EINVAL);  /* itself, RW */
    assert_int_equal(get_page_type(DOM, 3, PGT_l2), 0);
    assert_int_equal(mod_table_entry(DOM, 2, 1, entry(3, PTE_P | PTE_RW), 0), -XEN_EINVAL);  /* another L2, RW */
    assert_int_equal(mod_table_entry(DOM, 2, 1, entry(2, PTE_P), 0), 0);                      /* itself, RO */
    assert_int_equal(frame_table[2].type_count, 1);                                           /* holds nothing */
    assert_int_equal(mod_table_entry(DOM, 2, 2, entry(3, PTE_P), 0), 0);                      /* another, RO */
    assert_int_equal(frame_table[3].type_count, 2);                                           /* kept in use */
    assert_int_equal(mod_table_entry(DOM, 2, 2, 0, 0), 0);
    assert_int_equal(frame_table[3].type_count, 1);
    assert_int_equal(mod_table_entry(DOM, 2, 3, entry(9, PTE_P), 0), 0);                      /* a normal L1 */
    assert_int_equal(get_page_type(DOM, 9, PGT_l2), -XEN_EINVAL);
    assert_int_equal(mod_table_entry(DOM, 2, 4, entry(10, PTE_P), 0), 0);
    put_page_type(3);                                 /* frame 3 no longer an L2 in use ... */
    assert_int_equal(mod_table_entry(DOM, 2, 5, entry(3, PTE_P), 0), 0);   /* ... so this makes it an L1 */
    assert_int_equal(frame_table[3].type, PGT_l1);
}

static void l3_rules_and_the_monitor_slots(void **state)
{
    (void)state;
    mem[4][0] = entry(2, PTE_P);
    assert_int_equal(get_page_type(DOM, 4, PGT_l3), -XEN_EINVAL);        /* slot 3 missing */
    mem[4][3] = entry(3, PTE_P);
    assert_int_equal(get_page_type(DOM, 4, PGT_l3), 0);
    assert_int_equal(frame_table[3].type, PGT_l2_xen);
    assert_int_equal(mem[3][FIRST_MONITOR_L2_SLOT], entry(62, PTE_P | PTE_RW));  /* the monitor's entries */
    assert_int_equal(mod_table_entry(DOM, 3, FIRST_MONITOR_L2_SLOT, 0, 0), -XEN_EPERM);
    assert_int_equal(mod_table_entry(DOM, 3, 511, entry(8, PTE_P), 0), -XEN_EPERM);
    assert_int_equal(mod_table_entry(DOM, 4, 3, 0, 0), -XEN_EINVAL);      /* slot 3 stays */
    assert_int_equal(mod_table_entry(DOM, 4, 1, entry(5, PTE_P | PTE_PWT), 0), -XEN_EINVAL);  /* PWT in an L3 */
    assert_int_equal(mod_table_entry(DOM, 4, 1, entry(5, PTE_P | PTE_RW | 0x60), 0), 0);     /* RW, A, D ... */
    assert_int_equal(mem[4][1], entry(5, PTE_P));                                    /* ... dropped */
    assert_int_equal(mod_table_entry(DOM, 4, 1, entry(3, PTE_P), 0), -XEN_EINVAL);    /* slot-3 L2 elsewhere */
    assert_int_equal(mod_table_entry(DOM, 4, 7, entry(5, PTE_P), 0), -XEN_EINVAL);    /* beyond 4 slots */
}

static void replacing_entries_moves_references(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    tlb_flush_needed = 0;
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(9, PTE_P | PTE_RW), 0), 0);
    assert_int_equal(frame_table[9].type_count, 1);
    assert_false(tlb_flush_needed);                   /* nothing was there before */
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(9, PTE_P), 0), 0);
    assert_int_equal(frame_table[9].type_count, 0);   /* no longer writable anywhere */
    assert_true(tlb_flush_needed);                    /* a mapping was weakened */
    assert_int_equal(get_page_type(DOM, 9, PGT_l1), 0);
}

static void preserve_ad_keeps_accessed_and_dirty(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    mod_table_entry(DOM, 1, 0, entry(9, PTE_P | PTE_RW), 0);
    mem[1][0] |= 0x60;                                /* the CPU set A and D */
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(9, PTE_P | PTE_RW), 1), 0);
    assert_int_equal(mem[1][0] & 0x60, 0x60);
}

static void descriptor_pages(void **state)
{
    (void)state;
    mem[12][1] = 0x00CF9A000000FFFFull;               /* flat code, DPL 0: fixed to DPL 1 */
    assert_int_equal(get_page_type(DOM, 12, PGT_seg_desc), 0);
    assert_int_equal((mem[12][1] >> 45) & 3, 1);
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(12, PTE_P | PTE_RW), 0), -XEN_EINVAL);
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(12, PTE_P), 0), 0);
    mem[13][2] = 0x0000890000000FFFull;               /* a TSS: refused */
    assert_int_equal(get_page_type(DOM, 13, PGT_seg_desc), -XEN_EINVAL);
    assert_int_equal(frame_table[13].type_count, 0);
}

static void failed_validation_takes_nothing(void **state)
{
    (void)state;
    mem[1][0] = entry(9, PTE_P | PTE_RW);
    mem[1][1] = entry(10, PTE_P | PTE_RW);
    mem[1][2] = entry(60, PTE_P);                      /* another domain's frame: refused */
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), -XEN_EINVAL);
    assert_int_equal(frame_table[9].type_count, 0);
    assert_int_equal(frame_table[10].type_count, 0);
    assert_int_equal(frame_table[1].type_count, 0);
}

static void linear_mapping_of_the_monitors_l2_is_refused(void **state)
{
    (void)state;
    mem[4][3] = entry(3, PTE_P);
    assert_int_equal(get_page_type(DOM, 4, PGT_l3), 0);                          /* frame 3: PGT_l2_xen */
    assert_int_equal(mod_table_entry(DOM, 3, 5, entry(3, PTE_P), 0), -XEN_EINVAL);   /* itself */
    assert_int_equal(get_page_type(DOM, 2, PGT_l2), 0);
    assert_int_equal(mod_table_entry(DOM, 2, 5, entry(3, PTE_P), 0), -XEN_EINVAL);   /* from another L2 */
    mem[5][7] = entry(3, PTE_P);
    assert_int_equal(get_page_type(DOM, 5, PGT_l2), -XEN_EINVAL);                /* nor when validated */
    assert_int_equal(frame_table[3].type_count, 1);
}

/* Frame 2: an L2 whose first `n` entries are L1s 100.. , each mapping frame 40 read-only 512 times. */
static void build_costly_l2(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        mem[2][i] = entry(100 + i, PTE_P | PTE_RW);
        for (unsigned j = 0; j < 512; j++)
            mem[100 + i][j] = entry(40, PTE_P);
    }
}

static void validation_stops_when_the_budget_is_spent_and_goes_on(void **state)
{
    (void)state;
    build_costly_l2(10);
    unsigned crossings = 0;
    int rc;
    do {
        work_budget = 100;
        rc = get_page_type(DOM, 2, PGT_l2);
        crossings++;
        if (rc == -XEN_ERESTART) {
            assert_int_equal(frame_table[2].transit, TRANSIT_VALIDATING);
            assert_int_equal(get_page_type(DOM, 2, PGT_l1), -XEN_EINVAL);        /* busy */
            assert_int_equal(mod_table_entry(DOM, 2, 20, entry(9, PTE_P), 0), -XEN_EINVAL);
            assert_false(table_in_use(2));
        }
    } while (rc == -XEN_ERESTART);
    assert_int_equal(rc, 0);
    assert_int_equal(crossings, (512 + 10 * 512 + 99) / 100);   /* a unit an entry, empty or not */
    assert_true(table_in_use(2));
    assert_int_equal(frame_table[2].type_count, 1);
    assert_int_equal(frame_table[105].type_count, 1);
    assert_int_equal(frame_table[40].ref_count, 10 * 512);
}

static void a_refused_entry_after_restarts_takes_nothing(void **state)
{
    (void)state;
    build_costly_l2(6);
    mem[105][511] = entry(60, PTE_P);                   /* another domain's frame, at the very end */
    int rc;
    do {
        work_budget = 300;
        rc = get_page_type(DOM, 2, PGT_l2);
    } while (rc == -XEN_ERESTART);
    assert_int_equal(rc, -XEN_EINVAL);
    work_budget = WORK_UNLIMITED;
    assert_int_equal(release_pending(DOM), 0);
    for (unsigned f = 100; f < 106; f++)
        assert_int_equal(frame_table[f].type_count, 0);
    assert_int_equal(frame_table[2].type_count, 0);
    assert_int_equal(frame_table[40].ref_count, 0);
    assert_int_equal(get_page_type(DOM, 105, PGT_writable), 0);   /* no longer an L1 */
}

static void release_goes_on_in_steps(void **state)
{
    (void)state;
    build_costly_l2(8);
    assert_int_equal(get_page_type(DOM, 2, PGT_l2), 0);
    work_budget = 100;
    put_page_type(2);
    unsigned crossings = 1;
    assert_int_equal(frame_table[2].transit, TRANSIT_RELEASING);
    assert_int_equal(get_page_type(DOM, 2, PGT_l2), -XEN_EINVAL);      /* not before it is done */
    assert_int_equal(get_page_type(DOM, 100, PGT_writable), -XEN_EINVAL);
    do {
        work_budget = 100;
        crossings++;
    } while (release_pending(DOM));
    assert_int_equal(crossings, (512 + 8 * 512 + 99) / 100);
    assert_int_equal(frame_table[2].type_count, 0);
    assert_int_equal(frame_table[2].ref_count, 0);
    assert_int_equal(frame_table[107].type_count, 0);
    assert_int_equal(frame_table[40].ref_count, 0);
    assert_int_equal(get_page_type(DOM, 100, PGT_writable), 0);
}

/* An empty entry holds nothing, and is stepped over quickly, but still costs its unit: a table
 * that is all but empty is validated and released in as many crossings as a full one, and
 * each stop is exactly where the budget ran out. */
static void empty_entries_cost_a_unit_each_and_stop_where_the_budget_ends(void **state)
{
    (void)state;
    mem[2][0] = entry(40, PTE_P);
    mem[2][511] = entry(41, PTE_P);
    unsigned crossings = 0;
    int rc;
    do {
        work_budget = 100;
        rc = get_page_type(DOM, 2, PGT_l1);
        crossings++;
        if (rc == -XEN_ERESTART) {
            assert_int_equal(frame_table[2].progress, crossings * 100);
            assert_int_equal(work_budget, 0);
        }
    } while (rc == -XEN_ERESTART);
    assert_int_equal(rc, 0);
    assert_int_equal(crossings, (512 + 99) / 100);
    assert_int_equal(work_budget, 100 - 512 % 100);
    assert_int_equal(frame_table[40].ref_count, 1);
    assert_int_equal(frame_table[41].ref_count, 1);
    work_budget = 100;
    put_page_type(2);
    crossings = 1;
    while (release_pending(DOM)) {
        assert_int_equal(frame_table[2].progress, crossings * 100);
        work_budget = 100;
        crossings++;
    }
    assert_int_equal(crossings, (512 + 99) / 100);
    assert_int_equal(frame_table[40].ref_count, 0);
    assert_int_equal(frame_table[41].ref_count, 0);
    assert_int_equal(frame_table[2].type_count, 0);
}

static void a_validation_left_half_way_is_finished_by_the_next_get(void **state)
{
    (void)state;
    build_costly_l2(4);
    mem[4][0] = entry(2, PTE_P);
    mem[4][3] = entry(3, PTE_P);
    work_budget = 1000;
    assert_int_equal(get_page_type(DOM, 4, PGT_l3), -XEN_ERESTART);   /* stopped inside frame 2 */
    assert_int_equal(frame_table[2].transit, TRANSIT_VALIDATING);
    work_budget = WORK_UNLIMITED;
    assert_int_equal(get_page_type(DOM, 2, PGT_l2), 0);               /* a pin, say, finishes it */
    assert_int_equal(frame_table[2].type_count, 1);
    assert_int_equal(get_page_type(DOM, 4, PGT_l3), 0);               /* and the L3 goes on */
    assert_int_equal(frame_table[2].type_count, 2);
    assert_int_equal(frame_table[40].ref_count, 4 * 512);
}

static void a_long_chain_of_linear_tables_is_released_without_recursion(void **state)
{
    (void)state;
    enum { FIRST = 100, LAST = 1000 };
    assert_int_equal(get_page_type(DOM, FIRST, PGT_l2), 0);
    for (unsigned k = FIRST + 1; k <= LAST; k++) {         /* each L2 maps the one before it */
        mem[k][0] = entry(k - 1, PTE_P);
        assert_int_equal(get_page_type(DOM, k, PGT_l2), 0);
        put_page_type(k - 1);                              /* now only the chain holds it */
    }
    assert_int_equal(frame_table[FIRST].type_count, 1);
    put_page_type(LAST);                                   /* 900 tables go, one after another */
    for (unsigned k = FIRST; k <= LAST; k++)
        assert_int_equal(frame_table[k].type_count, 0);
    assert_int_equal(frame_table[FIRST].ref_count, 0);
}

static void a_frame_changes_type_only_after_a_pending_flush(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(9, PTE_P | PTE_RW), 0), 0);
    assert_int_equal(mod_table_entry(DOM, 1, 0, 0, 0), 0);     /* a stale writable TLB entry may remain */
    assert_true(tlb_flush_needed);
    assert_int_equal(mod_table_entry(DOM, 1, 1, entry(9, PTE_P | PTE_RW), 0), 0);
    assert_int_equal(flushes, 0);                              /* writable again: no change of type */
    assert_int_equal(mod_table_entry(DOM, 1, 1, 0, 0), 0);
    assert_int_equal(get_page_type(DOM, 9, PGT_l1), 0);        /* now it becomes a table ... */
    assert_int_equal(flushes, 1);                              /* ... after the flush, not before */
    assert_false(tlb_flush_needed);
    put_page_type(9);
    assert_int_equal(get_page_type(DOM, 9, PGT_writable), 0);  /* nothing pending: no flush */
    assert_int_equal(flushes, 1);
}

/* A grant mapping's entry holds what an entry of the granter's own would, and gives it back the
 * ordinary way: cleared, overwritten, or with its L1's release. */
static void grant_entries_hold_references_like_any_entry(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);                       /* the mapper's L1 */
    assert_int_equal(grant_entry_write(OTHER, 1, 0, entry(60, PTE_P | PTE_RW)), 0);
    assert_int_equal(frame_table[60].type, PGT_writable);
    assert_int_equal(get_page_type(OTHER, 60, PGT_l1), -XEN_EINVAL);           /* no table while mapped */
    assert_true(table_entry_live(1, 0));
    table_entry_clear(1, 0);
    assert_int_equal(mem[1][0], 0);
    assert_int_equal(frame_table[60].type_count, 0);
    assert_int_equal(frame_table[60].ref_count, 0);
    assert_int_equal(grant_entry_write(OTHER, 1, 1, entry(60, PTE_P | PTE_RW)), 0);
    assert_int_equal(mod_table_entry(DOM, 1, 1, 0, 0), 0);                    /* an implicit unmap */
    assert_int_equal(frame_table[60].ref_count, 0);
    assert_int_equal(grant_entry_write(OTHER, 1, 2, entry(60, PTE_P)), 0);
    assert_int_equal(frame_table[60].ref_count, 1);
    put_page_type(1);                                                          /* the L1 released */
    assert_false(table_entry_live(1, 2));
    assert_int_equal(frame_table[60].ref_count, 0);
    assert_int_equal(get_page_type(OTHER, 60, PGT_l1), 0);                     /* free to be a table */
}

static void grant_entries_only_into_an_empty_l1_entry(void **state)
{
    (void)state;
    assert_int_equal(grant_entry_write(OTHER, 1, 0, entry(60, PTE_P)), -XEN_EINVAL);   /* not a table */
    assert_int_equal(get_page_type(DOM, 2, PGT_l2), 0);
    assert_int_equal(grant_entry_write(OTHER, 2, 0, entry(60, PTE_P)), -XEN_EINVAL);   /* an L2 */
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    assert_int_equal(grant_entry_write(DOM, 1, 0, entry(60, PTE_P)), -XEN_EINVAL);     /* not the granter's */
    assert_int_equal(grant_entry_write(OTHER, 1, 0, entry(60, PTE_P | PTE_PCD)), -XEN_EINVAL);
    assert_int_equal(grant_entry_write(OTHER, 1, 0, entry(60, PTE_P)), 0);
    assert_int_equal(grant_entry_write(OTHER, 1, 0, entry(60, PTE_P)), -XEN_EINVAL);   /* taken */
    assert_int_equal(get_page_type(OTHER, 60, PGT_l1), 0);     /* read-only grant: it may be a table... */
    assert_int_equal(grant_entry_write(OTHER, 1, 1, entry(60, PTE_P | PTE_RW)), -XEN_EINVAL);  /* ...never writable */
}

static void guest_bits_9_to_11_are_kept(void **state)
{
    (void)state;
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(9, PTE_P | PTE_RW | PTE_AVAIL), 0), 0);
    assert_int_equal(mem[1][0], entry(9, PTE_P | PTE_RW | PTE_AVAIL));
}

static uint32_t unused_frame;
static void note_unused(uint32_t mfn) { unused_frame = mfn; }

/* A frame its domain gave back while in use goes with its last reference, after a pending flush. */
static void a_frame_given_back_goes_with_its_last_reference(void **state)
{
    (void)state;
    frame_unused = note_unused;
    unused_frame = 0;
    assert_int_equal(get_page_type(DOM, 1, PGT_l1), 0);
    assert_int_equal(mod_table_entry(DOM, 1, 0, entry(9, PTE_P | PTE_RW), 0), 0);
    frame_table[9].given_back = 1;
    tlb_flush_needed = 0;
    assert_int_equal(mod_table_entry(DOM, 1, 0, 0, 0), 0);    /* its last mapping */
    assert_int_equal(unused_frame, 9);
    assert_true(flushes > 0);                                  /* the stale TLB entry went first */
    frame_table[1].given_back = 1;                             /* a table given back goes once released */
    unused_frame = 0;
    put_page_type(1);
    assert_int_equal(unused_frame, 1);
    frame_unused = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(writable_mapping_blocks_table_use, setup),
        cmocka_unit_test_setup(table_in_use_cannot_be_mapped_writable, setup),
        cmocka_unit_test_setup(only_the_domains_own_frames, setup),
        cmocka_unit_test_setup(refused_bits, setup),
        cmocka_unit_test_setup(linear_l2_only_read_only, setup),
        cmocka_unit_test_setup(l3_rules_and_the_monitor_slots, setup),
        cmocka_unit_test_setup(replacing_entries_moves_references, setup),
        cmocka_unit_test_setup(preserve_ad_keeps_accessed_and_dirty, setup),
        cmocka_unit_test_setup(descriptor_pages, setup),
        cmocka_unit_test_setup(failed_validation_takes_nothing, setup),
        cmocka_unit_test_setup(linear_mapping_of_the_monitors_l2_is_refused, setup),
        cmocka_unit_test_setup(validation_stops_when_the_budget_is_spent_and_goes_on, setup),
        cmocka_unit_test_setup(a_refused_entry_after_restarts_takes_nothing, setup),
        cmocka_unit_test_setup(release_goes_on_in_steps, setup),
        cmocka_unit_test_setup(empty_entries_cost_a_unit_each_and_stop_where_the_budget_ends, setup),
        cmocka_unit_test_setup(a_validation_left_half_way_is_finished_by_the_next_get, setup),
        cmocka_unit_test_setup(a_long_chain_of_linear_tables_is_released_without_recursion, setup),
        cmocka_unit_test_setup(a_frame_changes_type_only_after_a_pending_flush, setup),
        cmocka_unit_test_setup(grant_entries_hold_references_like_any_entry, setup),
        cmocka_unit_test_setup(grant_entries_only_into_an_empty_l1_entry, setup),
        cmocka_unit_test_setup(guest_bits_9_to_11_are_kept, setup),
        cmocka_unit_test_setup(a_frame_given_back_goes_with_its_last_reference, setup),
    };
    return cmocka_run_group_tests_name("page_types", tests, NULL, NULL);
}
