/* test_cmdline.c - host tests of command-line parsing ("image-name key=value flag ..."). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "cmdline.h"
#include "kstring.h"

static void skips_the_image_name(void **state)
{
    (void)state;
    assert_string_equal(cmdline_args("build/hv.elf loglvl=all"), "loglvl=all");
    assert_string_equal(cmdline_args("  guest.elf   a b "), "a b ");
    assert_string_equal(cmdline_args("guest.elf"), "");
    assert_string_equal(cmdline_args(""), "");
}

static void copies_the_image_name(void **state)
{
    (void)state;
    char name[8];
    assert_int_equal(cmdline_name(" examples/hello.elf x", name, sizeof(name)), 18);
    assert_string_equal(name, "example");     /* truncated to fit, still terminated */
}

static void finds_keys_values_and_flags(void **state)
{
    (void)state;
    char v[16];
    assert_true(cmdline_get("mem=4M name=web quiet", "name", v, sizeof(v)));
    assert_string_equal(v, "web");
    assert_true(cmdline_get("mem=4M name=web quiet", "quiet", v, sizeof(v)));
    assert_string_equal(v, "");
    assert_false(cmdline_get("mem=4M", "me", v, sizeof(v)));       /* whole keys only */
    assert_false(cmdline_get("xmem=4M", "mem", v, sizeof(v)));
    assert_false(cmdline_get("", "mem", v, sizeof(v)));
}

static void last_occurrence_wins(void **state)
{
    (void)state;
    char v[16];
    assert_true(cmdline_get("loglvl=info loglvl=debug", "loglvl", v, sizeof(v)));
    assert_string_equal(v, "debug");
}

static void truncates_long_values(void **state)
{
    (void)state;
    char v[4];
    assert_true(cmdline_get("name=averylongname", "name", v, sizeof(v)));
    assert_string_equal(v, "ave");
}

static void options_end_at_a_double_dash(void **state)
{
    (void)state;
    char options[32] = "unchanged";
    assert_string_equal(cmdline_split("name=x mem=8M -- hi  there", options, sizeof(options)), "hi  there");
    assert_string_equal(options, "name=x mem=8M ");
    assert_string_equal(cmdline_split("name=y --", options, sizeof(options)), "");
    assert_string_equal(options, "name=y ");
    assert_string_equal(cmdline_split("-- a -- b", options, sizeof(options)), "a -- b");
    assert_string_equal(options, "");
    memcpy(options, "unchanged", sizeof("unchanged"));
    assert_null(cmdline_split("a--b --c c--", options, sizeof(options)));   /* no word "--" */
    assert_string_equal(options, "unchanged");
    assert_string_equal(cmdline_split("a-very-long-option-list-here -- x", options, 8), "x");
    assert_string_equal(options, "a-very-");                                /* truncated, ended */
}

static void a_word_is_taken_out(void **state)
{
    (void)state;
    char out[32];
    cmdline_without("mod.bin attach  x=1 attach", "attach", out, sizeof(out));
    assert_string_equal(out, "mod.bin x=1");
    cmdline_without("attach", "attach", out, sizeof(out));
    assert_string_equal(out, "");
    cmdline_without("attached reattach", "attach", out, sizeof(out));
    assert_string_equal(out, "attached reattach");
    cmdline_without("abcdefgh ijk", "x", out, 6);
    assert_string_equal(out, "abcde");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(options_end_at_a_double_dash),
        cmocka_unit_test(a_word_is_taken_out),
        cmocka_unit_test(skips_the_image_name),
        cmocka_unit_test(copies_the_image_name),
        cmocka_unit_test(finds_keys_values_and_flags),
        cmocka_unit_test(last_occurrence_wins),
        cmocka_unit_test(truncates_long_values),
    };
    return cmocka_run_group_tests_name("cmdline", tests, NULL, NULL);
}
