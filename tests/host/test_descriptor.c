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

static void gate_targets_as_xen(void **state)
{
    (void)state;
    uint64_t flat_ring1_rpl3 = (uint64_t)0x1000 | (uint64_t)0xe01b << 16 | (uint64_t)0xEC << 40;
    assert_int_equal(check_descriptor(&flat_ring1_rpl3), -1);   /* exactly FLAT_RING1_CS, or ours */
    uint64_t ldt_target = (uint64_t)0x1000 | (uint64_t)0x0007 << 16 | (uint64_t)0xEC << 40;
    assert_int_equal(check_descriptor(&ldt_target), 0);
}

/* Xen's fixup_guest_code_selector / fixup_guest_stack_selector: only RPL 0 changes. */
static void selector_fixup_raises_rpl0_only(void **state)
{
    (void)state;
    assert_int_equal(fixup_guest_selector(0xe018), 0xe019);
    assert_int_equal(fixup_guest_selector(0xe019), 0xe019);
    assert_int_equal(fixup_guest_selector(0xe01a), 0xe01a);
    assert_int_equal(fixup_guest_selector(0x000b), 0x000b);
    assert_int_equal(fixup_guest_selector(0), 1);
}

/* Xen's guest_gate_selector_okay: the guest's own entries at any RPL, FLAT_RING1_CS exactly. */
static void gate_selectors(void **state)
{
    (void)state;
    static const uint16_t good[] = { 0x0001, 0x0011, 0x0013, 0x0007, 0xFFFF, 0xe019, (7167 << 3) | 3 };
    static const uint16_t bad[] = { 0xe009, 0xe01a, 0xe01b, 0xe021, 0xe02b, 7168 << 3 | 1, 0xFFF8 | 1 };
    for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(guest_gate_selector_ok(good[i]));
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(guest_gate_selector_ok(bad[i]));
}

/* A kernel stack: RPL 1, not null, the guest's own entries or FLAT_RING1_SS. */
static void stack_selectors(void **state)
{
    (void)state;
    static const uint16_t good[] = { 0xe021, 0x0009, 0x000d, (7167 << 3) | 1 };
    static const uint16_t bad[] = { 0x0001, 0x0000, 0xe020, 0xe023, 0x000b, 0x000a, 0xe011, 0xe031, 0xe019 };
    for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_true(guest_stack_selector_ok(good[i]));
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(guest_stack_selector_ok(bad[i]));
}

/* ... and its descriptor: present, writable, expand-up data of DPL 1 (what iret takes for SS). */
static void stack_descriptors(void **state)
{
    (void)state;
    assert_true(descriptor_is_ring1_stack(seg(0, 0xFFFFF, 0xB2, 0xC)));      /* RW data, DPL 1 */
    assert_true(descriptor_is_ring1_stack(seg(0, 0xFFFFF, 0xB3, 0xC)));      /* accessed */
    assert_false(descriptor_is_ring1_stack(seg(0, 0xFFFFF, 0x92, 0xC)));     /* DPL 0 */
    assert_false(descriptor_is_ring1_stack(seg(0, 0xFFFFF, 0xF2, 0xC)));     /* DPL 3 */
    assert_false(descriptor_is_ring1_stack(seg(0, 0xFFFFF, 0xB0, 0xC)));     /* read-only */
    assert_false(descriptor_is_ring1_stack(seg(0, 0xFFFFF, 0xB6, 0xC)));     /* expand-down */
    assert_false(descriptor_is_ring1_stack(seg(0, 0xFFFFF, 0xBA, 0xC)));     /* code */
    assert_false(descriptor_is_ring1_stack(seg(0, 0xFFFFF, 0x32, 0xC)));     /* not present */
    assert_false(descriptor_is_ring1_stack(seg(0, 0xFFFFF, 0xA2, 0xC)));     /* a system descriptor */
}

static void base_and_limit_in_bytes(void **state)
{
    (void)state;
    uint64_t d = seg(0x12345678, 0xABCDE, 0xB2, 0xC);
    assert_int_equal(descriptor_base(d), 0x12345678);
    assert_int_equal(descriptor_limit(d), 0xABCDEFFF);
    d = seg(0x1000, 0x0FFF, 0xB2, 0x4);                   /* byte-granular */
    assert_int_equal(descriptor_limit(d), 0xFFF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(not_present_is_always_fine),
        cmocka_unit_test(dpl0_becomes_dpl1),
        cmocka_unit_test(limits_stop_below_the_monitor),
        cmocka_unit_test(expand_down_data_refused),
        cmocka_unit_test(system_descriptors_and_gates),
        cmocka_unit_test(gate_targets_as_xen),
        cmocka_unit_test(selector_fixup_raises_rpl0_only),
        cmocka_unit_test(gate_selectors),
        cmocka_unit_test(stack_selectors),
        cmocka_unit_test(stack_descriptors),
        cmocka_unit_test(base_and_limit_in_bytes),
    };
    return cmocka_run_group_tests_name("descriptor", tests, NULL, NULL);
}
