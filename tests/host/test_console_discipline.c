/* test_console_discipline.c - host tests of examples/minikernel/console.c's line discipline: what
 * is typed while a process waits in read is echoed at once, what is typed ahead of a read is
 * echoed when a read takes it, so that a transcript shows each line after the prompt that asked
 * for it, however the characters arrive (one at a time, or a whole session in one interrupt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "minikernel.h"

/* ---- what console.c reaches below it: the platform's console and the kernel's wake-up ---------- */

static char screen[4096];
static size_t screen_len;
static unsigned wakes;

void platform_console_write(const char *s, uint32_t len)
{
    memcpy(screen + screen_len, s, len);
    screen_len += len;
    screen[screen_len] = 0;
}

int platform_has_input(void) { return 1; }
void wake_all(enum block_reason why) { (void)why; wakes++; }
void platform_power_off(int status) { (void)status; fail(); abort(); }

/* ---- a shell's read: prompt, wait if nothing is ready, take one line ------------------------------ */

static int setup(void **state)
{
    (void)state;
    char drain[1024];
    while (console_pending())
        console_read(drain, console_pending());
    screen_len = 0;
    screen[0] = 0;
    wakes = 0;
    console_init();
    return 0;
}

static void prompt_and_wait(void)
{
    console_put("sh> ", 4);
    if (!console_pending())
        console_reader_waits();
}

static void take_line(const char *expected)
{
    char line[256];
    uint32_t n = console_read(line, console_pending());
    assert_int_equal(n, strlen(expected));
    assert_memory_equal(line, expected, n);
}

static void typed(const char *s)
{
    console_typed(s, (uint32_t)strlen(s));
}

/* Typed while the shell waits, a character at a time: echoed as typed. */
static void echoed_as_typed_while_a_reader_waits(void **state)
{
    (void)state;
    prompt_and_wait();
    typed("he");
    assert_string_equal(screen, "sh> he");
    typed("llo\n");
    assert_string_equal(screen, "sh> hello\n");
    assert_int_equal(wakes, 1);
    take_line("hello\n");
    assert_string_equal(screen, "sh> hello\n");
}

/* A whole session in one burst while the shell waits for its first line: the first line is the
 * waiting reader's and shows at once; the rest was typed ahead and shows after its own prompt. */
static void a_burst_shows_each_line_after_its_prompt(void **state)
{
    (void)state;
    prompt_and_wait();
    typed("help\nhello\ncat motd.txt\n");
    assert_string_equal(screen, "sh> help\n");
    take_line("help\n");
    prompt_and_wait();
    take_line("hello\n");
    prompt_and_wait();
    take_line("cat motd.txt\n");
    assert_string_equal(screen, "sh> help\nsh> hello\nsh> cat motd.txt\n");
}

/* Typed before anyone reads: nothing shows until the read that takes it. */
static void typed_ahead_shows_when_read(void **state)
{
    (void)state;
    typed("ls\n");
    assert_string_equal(screen, "");
    prompt_and_wait();
    take_line("ls\n");
    assert_string_equal(screen, "sh> ls\n");
}

/* Half a line typed ahead, the rest while the reader waits: the half shows when it starts to wait. */
static void a_half_typed_line_shows_when_the_reader_starts_waiting(void **state)
{
    (void)state;
    typed("ca");
    prompt_and_wait();
    assert_string_equal(screen, "sh> ca");
    typed("t\n");
    take_line("cat\n");
    assert_string_equal(screen, "sh> cat\n");
}

/* Backspace erases what was echoed (and only that); ctrl-D on an empty line is the end. */
static void backspace_erases_and_ctrl_d_ends(void **state)
{
    (void)state;
    prompt_and_wait();
    typed("lx\bs\n");
    assert_string_equal(screen, "sh> lx\b \bs\n");
    take_line("ls\n");
    prompt_and_wait();
    typed("\x04");
    assert_int_equal(console_pending(), 0);
    assert_int_equal(console_at_end(), 1);
    assert_int_equal(console_at_end(), 0);          /* it ended one read, as on a terminal */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(echoed_as_typed_while_a_reader_waits, setup),
        cmocka_unit_test_setup(a_burst_shows_each_line_after_its_prompt, setup),
        cmocka_unit_test_setup(typed_ahead_shows_when_read, setup),
        cmocka_unit_test_setup(a_half_typed_line_shows_when_the_reader_starts_waiting, setup),
        cmocka_unit_test_setup(backspace_erases_and_ctrl_d_ends, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
