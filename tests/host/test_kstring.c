/* test_kstring.c - host tests of lib/kstring.c, the memory and string functions the monitor and
 * the guests share: whole dwords then the bytes left, at every alignment, never a byte outside. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "kstring.h"

#define SIZE 64
#define GUARD 0x5A

static uint8_t area[SIZE + 16], source[SIZE + 16];

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

/* Every start offset 0..3 and length 0..SIZE: the bytes asked for are set, the guards untouched. */
static void memset_sets_exactly_the_bytes_asked(void **state)
{
    (void)state;
    for (size_t offset = 0; offset < 4; offset++) {
        for (size_t n = 0; n <= SIZE; n++) {
            for (size_t i = 0; i < sizeof(area); i++)
                area[i] = GUARD;
            assert_ptr_equal(memset(area + 4 + offset, 0xC3, n), area + 4 + offset);
            for (size_t i = 0; i < sizeof(area); i++) {
                int inside = i >= 4 + offset && i < 4 + offset + n;
                assert_int_equal(area[i], inside ? 0xC3 : GUARD);
            }
        }
    }
}

static void memcpy_copies_exactly_the_bytes_asked(void **state)
{
    (void)state;
    fill_pattern(source, sizeof(source), 1);
    for (size_t offset = 0; offset < 4; offset++) {
        for (size_t n = 0; n <= SIZE; n++) {
            for (size_t i = 0; i < sizeof(area); i++)
                area[i] = GUARD;
            assert_ptr_equal(memcpy(area + 4 + offset, source + 3, n), area + 4 + offset);
            for (size_t i = 0; i < sizeof(area); i++) {
                int inside = i >= 4 + offset && i < 4 + offset + n;
                assert_int_equal(area[i], inside ? source[3 + i - 4 - offset] : GUARD);
            }
        }
    }
}

/* Overlapping both ways, by 1 to 9 bytes: the result is what a copy through a buffer gives. */
static void memmove_handles_overlap_both_ways(void **state)
{
    (void)state;
    uint8_t expect[SIZE + 16];
    for (size_t shift = 1; shift < 10; shift++) {
        for (int down = 0; down < 2; down++) {
            size_t n = SIZE - 10, from = down ? shift : 0, to = down ? 0 : shift;
            fill_pattern(area, sizeof(area), (uint8_t)shift);
            for (size_t i = 0; i < sizeof(area); i++)
                expect[i] = area[i];
            for (size_t i = 0; i < n; i++)
                expect[to + i] = area[from + i];
            memmove(area + to, area + from, n);
            assert_memory_equal(area, expect, sizeof(area));
        }
    }
}

static void compares_and_copies_strings(void **state)
{
    (void)state;
    char small[4];
    assert_int_equal(strlcpy(small, "abcdef", sizeof(small)), 6);
    assert_string_equal(small, "abc");
    assert_true(memcmp("abc", "abd", 3) < 0);
    assert_int_equal(memcmp("abc", "abd", 2), 0);
    assert_int_equal(strcmp("same", "same"), 0);
    assert_int_equal(strncmp("prefix-a", "prefix-b", 7), 0);
    assert_int_equal(strnlen("abc", 2), 2);
    assert_string_equal(strstr("find the needle here", "needle"), "needle here");
    assert_null(strstr("haystack", "needle"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(memset_sets_exactly_the_bytes_asked),
        cmocka_unit_test(memcpy_copies_exactly_the_bytes_asked),
        cmocka_unit_test(memmove_handles_overlap_both_ways),
        cmocka_unit_test(compares_and_copies_strings),
    };
    return cmocka_run_group_tests_name("kstring", tests, NULL, NULL);
}
