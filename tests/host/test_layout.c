/* test_layout.c - host tests of the start-of-day layout (hv/layout.c): Xen's order of things,
 * page tables that map themselves, 4 MiB rounding, 512 KiB of slack, and "no room". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "layout.h"

#define LIMIT 0xF5800000u
static struct layout l;
static const char *why;

static void follows_xens_order(void **state)
{
    (void)state;
    /* hello: 0xC0000000..0xC0007004, 4 MiB, a domU (with store and console pages). */
    assert_int_equal(layout_compute(0xC0000000, 0xC0000000, 0xC0007004, 0, 1024, 1, LIMIT, &l, &why), 0);
    assert_int_equal(l.p2m_va, 0xC0008000);
    assert_int_equal(l.p2m_pages, 1);
    assert_int_equal(l.start_info_va, 0xC0009000);
    assert_int_equal(l.store_va, 0xC000A000);
    assert_int_equal(l.console_va, 0xC000B000);
    assert_int_equal(l.pt_va, 0xC000C000);
    /* One L3, the slot-3 L2 (the mapping is in slot 3 itself), two L1s for 4 MiB. */
    assert_int_equal(l.nr_l2, 1);
    assert_int_equal(l.nr_l1, 2);
    assert_int_equal(l.nr_pt_frames, 4);
    assert_int_equal(l.stack_va, 0xC0010000);
    assert_int_equal(l.virt_end, 0xC0400000);
    assert_int_equal(layout_l2_index(&l, 3), 0);
    assert_int_equal(layout_l2_index(&l, 0), -1);
}

static void domain0_has_no_store_or_console_page(void **state)
{
    (void)state;
    assert_int_equal(layout_compute(0xC0000000, 0xC0000000, 0xC0007004, 0, 1024, 0, LIMIT, &l, &why), 0);
    assert_int_equal(l.store_va, 0);
    assert_int_equal(l.console_va, 0);
    assert_int_equal(l.pt_va, 0xC000A000);
}

static void low_mapping_gets_an_extra_l2_for_the_monitor(void **state)
{
    (void)state;
    /* XTF's way: no VIRT_BASE, image at 1 MiB, the mapping starts at 0 (L3 slot 0). */
    assert_int_equal(layout_compute(0, 0x100000, 0x103440, 0, 1024, 0, LIMIT, &l, &why), 0);
    assert_int_equal(l.nr_l2, 2);
    assert_int_equal(layout_l2_index(&l, 0), 0);
    assert_int_equal(layout_l2_index(&l, 3), 1);
    assert_int_equal(layout_l2_index(&l, 1), -1);
    assert_int_equal(l.virt_end, 0x400000);
    assert_int_equal(layout_pfn(&l, 0x100000), 0x100);
}

static void keeps_512k_of_slack_and_rounds_to_4m(void **state)
{
    (void)state;
    /* An image ending just below 4 MiB: the slack pushes the mapping to 8 MiB. */
    assert_int_equal(layout_compute(0xC0000000, 0xC0000000, 0xC0380000, 0, 4096, 1, LIMIT, &l, &why), 0);
    assert_int_equal(l.virt_end, 0xC0800000);
    assert_int_equal(l.nr_l1, 4);
    assert_true(l.virt_end - (l.stack_va + 4096) >= 512 * 1024);
    assert_int_equal(l.virt_end % (4u << 20), 0);
}

static void tables_cover_their_own_mapping(void **state)
{
    (void)state;
    for (uint32_t end = 0xC0001000; end < 0xC4000000; end += 0x3F000) {
        assert_int_equal(layout_compute(0xC0000000, 0xC0000000, end, 0, 32768, 1, LIMIT, &l, &why), 0);
        uint32_t mapped = l.nr_l1 * (2u << 20);
        assert_true(l.virt_base + mapped >= l.virt_end);
        assert_true(l.stack_va + 4096 + 512 * 1024 <= l.virt_end);
    }
}

static void refuses_when_memory_is_too_small(void **state)
{
    (void)state;
    assert_int_equal(layout_compute(0xC0000000, 0xC0000000, 0xC0007004, 0, 128, 1, LIMIT, &l, &why), -1);
    assert_non_null(why);
    /* Exactly enough: image, p2m, start_info, store, console, 4 tables, stack, 512 KiB. */
    uint32_t needed = 8 + 1 + 1 + 1 + 1 + 4 + 1 + 128;
    assert_int_equal(layout_compute(0xC0000000, 0xC0000000, 0xC0007004, 0, needed, 1, LIMIT, &l, &why), 0);
    assert_int_equal(layout_compute(0xC0000000, 0xC0000000, 0xC0007004, 0, needed - 1, 1, LIMIT, &l, &why), -1);
}

static void a_module_comes_right_after_the_image(void **state)
{
    (void)state;
    assert_int_equal(layout_compute(0xC0000000, 0xC0000000, 0xC0007004, 0x2801, 1024, 0, LIMIT, &l, &why), 0);
    assert_int_equal(l.mod_va, 0xC0008000);
    assert_int_equal(l.p2m_va, 0xC000B000);              /* three pages later */
}

static void refuses_a_mapping_into_the_monitor(void **state)
{
    (void)state;
    assert_int_equal(layout_compute(0xF5000000, 0xF5000000, 0xF5700000, 0, 4096, 1, LIMIT, &l, &why), 0);
    assert_int_equal(l.virt_end, LIMIT);              /* right up to it is fine */
    assert_int_equal(layout_compute(0xF5000000, 0xF5000000, 0xF5780000, 0, 4096, 1, LIMIT, &l, &why), -1);
    assert_non_null(why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(follows_xens_order),
        cmocka_unit_test(domain0_has_no_store_or_console_page),
        cmocka_unit_test(low_mapping_gets_an_extra_l2_for_the_monitor),
        cmocka_unit_test(keeps_512k_of_slack_and_rounds_to_4m),
        cmocka_unit_test(tables_cover_their_own_mapping),
        cmocka_unit_test(refuses_when_memory_is_too_small),
        cmocka_unit_test(a_module_comes_right_after_the_image),
        cmocka_unit_test(refuses_a_mapping_into_the_monitor),
    };
    return cmocka_run_group_tests_name("layout", tests, NULL, NULL);
}
