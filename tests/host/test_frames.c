/* test_frames.c - host tests of the machine-frame allocator and its invariant: nothing reserved,
 * partial or out of reach is ever handed out, whatever the order of the set-up calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "frames.h"

static struct frame_pool pool;
#define MiB (1024ull * 1024)

static void only_whole_available_frames_are_free(void **state)
{
    (void)state;
    frames_init(&pool, MAX_FRAMES);
    frames_add_range(&pool, 0x1800, 0x3000);     /* [0x1800,0x4800): frames 2 and 3 whole */
    assert_int_equal(pool.nr_free, 2);
    assert_true(frames_is_free(&pool, 2));
    assert_true(frames_is_free(&pool, 3));
    assert_false(frames_is_free(&pool, 1));
    assert_false(frames_is_free(&pool, 4));
}

static void reserving_wins_in_either_order(void **state)
{
    (void)state;
    frames_init(&pool, MAX_FRAMES);
    frames_reserve(&pool, 0x10000, 0x1001);      /* touches frames 16 and 17 */
    frames_add_range(&pool, 0, 1 * MiB);
    assert_false(frames_is_free(&pool, 16));
    assert_false(frames_is_free(&pool, 17));
    assert_true(frames_is_free(&pool, 18));
    frames_reserve(&pool, 0x20000, 1);
    assert_false(frames_is_free(&pool, 32));
    assert_int_equal(pool.nr_free, 256 - 3);
}

static void never_hands_out_reserved_frames(void **state)
{
    (void)state;
    frames_init(&pool, MAX_FRAMES);
    frames_add_range(&pool, 0, 4 * MiB);
    frames_reserve(&pool, 0, 1 * MiB);           /* first megabyte */
    frames_reserve(&pool, 1 * MiB, 300 * 1024);  /* the monitor image */
    uint32_t got = 0, f;
    while ((f = frames_alloc(&pool)) != FRAME_NONE) {
        assert_true(f >= (1 * MiB + 300 * 1024) / 4096);
        assert_true(f < (4 * MiB) / 4096);
        got++;
    }
    assert_int_equal(got, (4 * MiB - 1 * MiB - 300 * 1024) / 4096);
    assert_int_equal(pool.nr_free, 0);
}

static void clips_memory_beyond_the_limit(void **state)
{
    (void)state;
    frames_init(&pool, 100);
    frames_add_range(&pool, 0, 1ull << 32);
    assert_int_equal(pool.nr_free, 100);
    assert_false(frames_is_free(&pool, 100));
    frames_init(&pool, 0xFFFFFFFF);              /* clipped to what the bitmap covers */
    assert_int_equal(pool.limit, MAX_FRAMES);
}

static void free_refuses_double_and_reserved(void **state)
{
    (void)state;
    frames_init(&pool, MAX_FRAMES);
    frames_add_range(&pool, 0, 64 * 4096);
    frames_reserve(&pool, 0, 4096);
    uint32_t f = frames_alloc(&pool);
    assert_int_equal(frames_free(&pool, f), 0);
    assert_int_equal(frames_free(&pool, f), -1);     /* already free */
    assert_int_equal(frames_free(&pool, 0), -1);     /* reserved */
    assert_int_equal(frames_free(&pool, MAX_FRAMES), -1);
    assert_int_equal(pool.nr_free, 63);
}

static void contiguous_runs_skip_holes(void **state)
{
    (void)state;
    frames_init(&pool, MAX_FRAMES);
    frames_add_range(&pool, 0, 32 * 4096);
    frames_reserve(&pool, 5 * 4096, 4096);       /* a hole at frame 5 */
    assert_int_equal(frames_alloc_contig(&pool, 8), 6);
    for (uint32_t f = 6; f < 14; f++)
        assert_false(frames_is_free(&pool, f));
    assert_int_equal(frames_alloc_contig(&pool, 5), 0);
    assert_int_equal(frames_alloc_contig(&pool, 100), FRAME_NONE);
    assert_int_equal(frames_alloc_contig(&pool, 0), FRAME_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(only_whole_available_frames_are_free),
        cmocka_unit_test(reserving_wins_in_either_order),
        cmocka_unit_test(never_hands_out_reserved_frames),
        cmocka_unit_test(clips_memory_beyond_the_limit),
        cmocka_unit_test(free_refuses_double_and_reserved),
        cmocka_unit_test(contiguous_runs_skip_holes),
    };
    return cmocka_run_group_tests_name("frames", tests, NULL, NULL);
}
