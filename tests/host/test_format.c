/* test_format.c - host tests of format_vsnprintf, the formatter behind printk and the SDK's printf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "format.h"

static char buf[128];

#define EXPECT(expected, ...) do {                                        \
        int n = format_snprintf(buf, sizeof(buf), __VA_ARGS__);           \
        assert_string_equal(buf, expected);                               \
        assert_int_equal(n, (int)sizeof(expected) - 1);                   \
    } while (0)

static void formats_integers(void **state)
{
    (void)state;
    EXPECT("42 -7 0", "%d %i %u", 42, -7, 0u);
    EXPECT("ff FF 0xff 17", "%x %X %#x %o", 255u, 255u, 255u, 15u);
    EXPECT("-2147483648", "%d", (int)0x80000000);
    EXPECT("4294967295", "%u", 0xFFFFFFFFu);
}

static void formats_64bit_values(void **state)
{
    (void)state;
    EXPECT("123456789abcdef0", "%llx", 0x123456789abcdef0ull);
    EXPECT("-9223372036854775808", "%lld", (long long)INT64_MIN);
    EXPECT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
}

static void pads_and_aligns(void **state)
{
    (void)state;
    EXPECT("0000beef", "%08x", 0xbeefu);
    EXPECT("   42|42   |", "%5d|%-5d|", 42, 42);
    EXPECT("-0042", "%05d", -42);
    EXPECT("  007", "%5.3d", 7);
    EXPECT("+5  5", "%+d %2d", 5, 5);
    EXPECT("   ab", "%*s", 5, "ab");
}

static void formats_strings_and_chars(void **state)
{
    (void)state;
    EXPECT("hello x %", "%s %c %%", "hello", 'x');
    const char *volatile missing = NULL;     /* volatile: gcc would warn about a constant NULL */
    EXPECT("(null)", "%s", missing);
    EXPECT("hel", "%.3s", "hello");
}

static void truncates_but_reports_full_length(void **state)
{
    (void)state;
    char small[6];
    int n = format_snprintf(small, sizeof(small), "%s", "hypervisor");
    assert_int_equal(n, 10);
    assert_string_equal(small, "hyper");
    assert_int_equal(format_snprintf(NULL, 0, "%d", 12345), 5);
}

/* Formats come from our own code, but a typo must still show rather than eat arguments. */
static void keeps_unknown_conversions_visible(void **state)
{
    (void)state;
    const char *unknown = "%q", *trailing = "x%";
    EXPECT("%q", unknown, 0);
    EXPECT("x", trailing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(formats_integers),
        cmocka_unit_test(formats_64bit_values),
        cmocka_unit_test(pads_and_aligns),
        cmocka_unit_test(formats_strings_and_chars),
        cmocka_unit_test(truncates_but_reports_full_length),
        cmocka_unit_test(keeps_unknown_conversions_visible),
    };
    return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
