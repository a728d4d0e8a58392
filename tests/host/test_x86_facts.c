/* test_x86_facts.c - host tests of lib/x86/: the hardware facts the monitor, the guest SDK and the
 * tests share, checked against the Intel SDM's own statements of them (host test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "x86/eflags.h"
#include "x86/exceptions.h"
#include "x86/paging.h"

/* SDM vol. 3A table 6-1: #DF, #TS, #NP, #SS, #GP, #PF, #AC and #CP push an error code. */
static void exactly_these_vectors_push_an_error_code(void **state)
{
    (void)state;
    static const unsigned expected[] = { 8, 10, 11, 12, 13, 14, 17, 21 };
    unsigned found[NR_EXCEPTIONS], n = 0;
    for (unsigned v = 0; v < 256; v++)
        if (vector_has_error_code(v))
            found[n++] = v;
    assert_int_equal(n, sizeof(expected) / sizeof(expected[0]));
    assert_memory_equal(found, expected, sizeof(expected));
}

/* SDM 4.4: bits 31-30 pick the PDPTE, 29-21 the PDE, 20-12 the PTE. */
static void an_address_splits_into_its_three_indices(void **state)
{
    (void)state;
    uint32_t va = 0xC0A03123u;             /* 11 000000101 000000011 000100100011 */
    assert_int_equal(L3_INDEX(va), 3);
    assert_int_equal(L2_INDEX(va), 5);
    assert_int_equal(L1_INDEX(va), 3);
    assert_int_equal(va & (PAGE_SIZE - 1), 0x123);
    assert_int_equal(L2_INDEX(0xF5800000u), 428);   /* HYPERVISOR_VIRT_START: the monitor's first L2 slot */
    assert_int_equal(L1_ENTRIES * PTE_SIZE, PAGE_SIZE);
    assert_int_equal(1u << L2_SHIFT, LARGE_PAGE_SIZE);
}

/* A flag cleared from a 64-bit entry leaves its high half alone (the bits are ints, so ~ extends). */
static void clearing_a_bit_keeps_the_high_half(void **state)
{
    (void)state;
    uint64_t pte = 1ull << 63 | 0x123456000ull | PTE_P | PTE_RW;
    assert_true((pte & ~PTE_RW) == (1ull << 63 | 0x123456000ull | PTE_P));
    assert_true((pte & PTE_ADDR_MASK) == 0x123456000ull);
}

static void eflags_bits(void **state)
{
    (void)state;
    assert_int_equal(EFLAGS_IF, 1 << 9);
    assert_int_equal(EFLAGS_IOPL, 3 << 12);
    assert_int_equal(EFLAGS_VM, 1 << 17);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exactly_these_vectors_push_an_error_code),
        cmocka_unit_test(an_address_splits_into_its_three_indices),
        cmocka_unit_test(clearing_a_bit_keeps_the_high_half),
        cmocka_unit_test(eflags_bits),
    };
    return cmocka_run_group_tests_name("x86_facts", tests, NULL, NULL);
}
