/* test_byte_ring.c - host tests of guest-sdk/byte_ring.c, the reader and writer of every shared
 * byte ring: at most one ring's worth between the indexes, checked on every access, at every
 * wrap of the 32-bit indexes; a corrupt ring moves nothing and answers -XEN_EIO. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "byte_ring.h"
#include "errno.h"

#define SIZE 16

static char buf[SIZE];
static uint32_t cons, prod;
static struct byte_ring ring = { .buf = buf, .size = SIZE, .cons = &cons, .prod = &prod };

static void at(uint32_t c, uint32_t p)
{
    cons = c;
    prod = p;
}

/* Indexes that run past 2^32 still describe their bytes: prod - cons, not prod > cons. */
static void indexes_wrap_around_zero(void **state)
{
    (void)state;
    char out[SIZE];
    at(0xFFFFFFF8u, 0xFFFFFFF8u);
    assert_int_equal(byte_ring_put(&ring, "0123456789abcdef", SIZE), SIZE);
    assert_int_equal(prod, 8);
    assert_int_equal(byte_ring_used(&ring), SIZE);
    assert_int_equal(byte_ring_get(&ring, out, SIZE), SIZE);
    assert_memory_equal(out, "0123456789abcdef", SIZE);
    assert_int_equal(cons, 8);
}

/* A full ring (prod - cons == size) is sane: no room to put, a ring's worth to get. */
static void a_full_ring_is_sane(void **state)
{
    (void)state;
    char out[SIZE + 4];
    at(100, 100 + SIZE);
    assert_int_equal(byte_ring_used(&ring), SIZE);
    assert_int_equal(byte_ring_put(&ring, "x", 1), 0);
    assert_int_equal(prod, 100 + SIZE);
    assert_int_equal(byte_ring_get(&ring, out, sizeof(out)), SIZE);
    assert_int_equal(cons, 100 + SIZE);
}

/* One byte more than the ring holds, or a consumer ahead of the producer: corrupt, nothing moved. */
static void more_than_a_ring_is_refused(void **state)
{
    (void)state;
    const uint32_t bad[][2] = { { 0, SIZE + 1 }, { 0, 0x80000000u }, { 5, 4 }, { 0x10, 0x80000010u } };
    char out[4] = "abc";
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        at(bad[i][0], bad[i][1]);
        assert_int_equal(byte_ring_used(&ring), -XEN_EIO);
        assert_int_equal(byte_ring_get(&ring, out, sizeof(out)), -XEN_EIO);
        assert_int_equal(byte_ring_put(&ring, "zz", 2), -XEN_EIO);
        assert_int_equal(cons, bad[i][0]);
        assert_int_equal(prod, bad[i][1]);
        assert_memory_equal(out, "abc", 4);
        assert_int_equal(ring.seen_cons, bad[i][0]);
        assert_int_equal(ring.seen_prod, bad[i][1]);
    }
}

/* Partial moves: put as much as there is room for, get as much as there is. */
static void moves_only_what_fits(void **state)
{
    (void)state;
    char out[SIZE];
    at(0, SIZE - 3);
    assert_int_equal(byte_ring_put(&ring, "abcdef", 6), 3);
    assert_int_equal(prod, SIZE);
    at(0, 2);
    assert_int_equal(byte_ring_get(&ring, out, sizeof(out)), 2);
    assert_int_equal(cons, 2);
    assert_int_equal(byte_ring_get(&ring, out, sizeof(out)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(indexes_wrap_around_zero),
        cmocka_unit_test(a_full_ring_is_sane),
        cmocka_unit_test(more_than_a_ring_is_refused),
        cmocka_unit_test(moves_only_what_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
