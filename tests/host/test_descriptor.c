/* test_descriptor.c - host tests of Xen's descriptor rules (hv/descriptor.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "descriptor.h"

static uint64_t seg(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF) | (uint64_t)(base & 0xFFFFFF) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xF) << 48 | (uint64_t)(flags & 0xF) << 52 | (uint64_t)(base >> 24) << 56;
}

static uint32_t limit(uint64_t d) { return (uint32_t)(d & 0xFFFF) | (uint32_t)((d >> 48) & 0xF) << 16; }
static unsigned dpl(uint64_t d) { return (d >> 45) & 3; }

static void not_present_is_always_fine(void **state)
{
    (void)state;
    uint64_t d = seg(0xFFFFF000, 0xFFFFF, 0x09, 0);      /* garbage, but P=0 */
    assert_int_equal(check_descriptor(&d), 0);
}

static void dpl0_becomes_dpl1(void **state)
{
    (void)state;
    uint64_t d = seg(0, 0xFFFF, 0x92, 0x4);
    assert_int_equal(check_descriptor(&d), 0);
    assert_int_equal(dpl(d), 1);
    d = seg(0, 0xFFFF, 0xF2, 0x4);                       /* DPL 3 stays */
    assert_int_equal(check_descriptor(&d), 0);
    assert_int_equal(dpl(d), 3);
}

static void limits_stop_below_the_monitor(void **state)
{
    (void)state;
    uint64_t d = seg(0, 0xFFFFF, 0x9A, 0xC);            /* flat 4 GiB code */
    assert_int_equal(check_descriptor(&d), 0);
    assert_int_equal(limit(d), 0xF67FF);
    d = seg(0x10000000, 0xFFFFF, 0x92, 0xC);
    assert_int_equal(check_descriptor(&d), 0);
    assert_int_equal(limit(d), (0xF6800000u - 0x10000000u) / 4096 - 1);
    d = seg(0xF6780000, 0xFFFFF, 0x92, 0x4);            /* byte-granular, too far */
    assert_int_equal(check_descriptor(&d), -1);
    d = seg(0xF67F0000, 0xFFFF, 0x92, 0x4);             /* ends exactly at the monitor: fine */
    assert_int_equal(check_descriptor(&d), 0);
    d = seg(0xF67FF000, 0xFFF, 0x92, 0x4);              /* base in the last page */
    assert_int_equal(check_descriptor(&d), -1);
    d = seg(0xFFFF0000, 0xF, 0x92, 0x4);                /* base in the monitor */
    assert_int_equal(check_descriptor(&d), -1);
}

static void expand_down_data_refused(void **state)
{
    (void)state;
    uint64_t d = seg(0, 0xFFFF, 0x96, 0x4);
    assert_int_equal(check_descriptor(&d), -1);
    d = seg(0, 0xFFFF, 0x9E, 0x4);                      /* conforming code: not expand-down */
    assert_int_equal(check_descriptor(&d), 0);
}

static void system_descriptors_and_gates(void **state)
{
    (void)state;
    uint64_t tss = seg(0x1000, 0x67, 0x89, 0), ldt = seg(0x1000, 0xFF, 0x82, 0);
    uint64_t trap_gate = 0x00008F0000100000ull | (uint64_t)0x0010 << 16;
    assert_int_equal(check_descriptor(&tss), -1);
    assert_int_equal(check_descriptor(&ldt), -1);
    assert_int_equal(check_descriptor(&trap_gate), -1);
    uint64_t type0 = 1ull << 47;                          /* present, system, type 0 */
    assert_int_equal(check_descriptor(&type0), 0);
    uint64_t gate = (uint64_t)0x1000 | (uint64_t)0x0010 << 16 | (uint64_t)0xEC << 40;
    assert_int_equal(check_descriptor(&gate), 0);
    assert_int_equal((gate >> 16) & 0xFFFF, 0x0011);      /* RPL raised to 1 */
    uint64_t to_monitor = (uint64_t)0x1000 | (uint64_t)0xe008 << 16 | (uint64_t)0xEC << 40;
    assert_int_equal(check_descriptor(&to_monitor), -1);
    uint64_t flat_ring1 = (uint64_t)0x1000 | (uint64_t)0xe019 << 16 | (uint64_t)0xEC << 40;
    assert_int_equal(check_descriptor(&flat_ring1), 0);
    uint64_t null_target = (uint64_t)0x1000 | (uint64_t)0xEC << 40;
    assert_int_equal(check_descriptor(&null_target), -1);
    uint64_t reserved_bits = gate | 0x20ull << 32;
    assert_int_equal(check_descriptor(&reserved_bits), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(not_present_is_always_fine),
        cmocka_unit_test(dpl0_becomes_dpl1),
        cmocka_unit_test(limits_stop_below_the_monitor),
        cmocka_unit_test(expand_down_data_refused),
        cmocka_unit_test(system_descriptors_and_gates),
    };
    return cmocka_run_group_tests_name("descriptor", tests, NULL, NULL);
}
