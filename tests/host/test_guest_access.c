/* test_guest_access.c - host tests of hv/guest_access.c, the one way into guest memory: strings
 * copied in are always terminated inside the room given, and never a byte outside it; with no
 * room at all, nothing is written. The guest's memory is a small array here, reached through a
 * stand-in for hv/guest_copy.asm's guest_copy that fails outside it as a page fault would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "hv.h"

#define GUEST_BASE 0x10000000u      /* where the guest's memory starts: nothing is mapped below */
#define GUARD 0x5A

static char guest_memory[32];

static int in_guest(uintptr_t va, uint32_t n)
{
    return va >= GUEST_BASE && va + n <= GUEST_BASE + sizeof(guest_memory);
}

int guest_copy(void *dst, const void *src, uint32_t n);
int guest_copy(void *dst, const void *src, uint32_t n)
{
    if (in_guest((uintptr_t)src, n))
        memcpy(dst, guest_memory + ((uintptr_t)src - GUEST_BASE), n);
    else if (in_guest((uintptr_t)dst, n))
        memcpy(guest_memory + ((uintptr_t)dst - GUEST_BASE), src, n);
    else
        return -1;
    return 0;
}

/* A destination of `room` bytes with a guard byte on either side. */
static char area[1 + 16 + 1];

static void guard_area(void)
{
    memset(area, GUARD, sizeof(area));
}

static void guards_intact(uint32_t room)
{
    assert_int_equal(area[0], GUARD);
    for (uint32_t i = 1 + room; i < sizeof(area); i++)
        assert_int_equal(area[i], GUARD);
}

static void put_guest_string(const char *s)
{
    memset(guest_memory, 'x', sizeof(guest_memory));
    memcpy(guest_memory, s, strlen(s) + 1);
}

static void no_room_writes_nothing(void **state)
{
    (void)state;
    put_guest_string("hello");
    guard_area();
    assert_int_equal(copy_string_from_guest(area + 1, GUEST_BASE, 0), -XEN_EINVAL);
    guards_intact(0);
}

static void room_for_the_nul_alone(void **state)
{
    (void)state;
    put_guest_string("hello");
    guard_area();
    assert_int_equal(copy_string_from_guest(area + 1, GUEST_BASE, 1), 0);
    assert_string_equal(area + 1, "");
    guards_intact(1);
}

static void a_long_string_is_cut_inside_the_room(void **state)
{
    (void)state;
    put_guest_string("hello, world");
    guard_area();
    assert_int_equal(copy_string_from_guest(area + 1, GUEST_BASE, 6), 0);
    assert_string_equal(area + 1, "hello");
    guards_intact(6);
}

static void a_short_string_is_copied_whole(void **state)
{
    (void)state;
    put_guest_string("hi");
    guard_area();
    assert_int_equal(copy_string_from_guest(area + 1, GUEST_BASE, 16), 0);
    assert_string_equal(area + 1, "hi");
    guards_intact(3);                         /* "hi" and its NUL, nothing after */
}

static void unreadable_memory_is_efault(void **state)
{
    (void)state;
    guard_area();
    assert_int_equal(copy_string_from_guest(area + 1, GUEST_BASE - 16, 16), -XEN_EFAULT);
    memset(guest_memory, 'x', sizeof(guest_memory));            /* no NUL before the end */
    assert_int_equal(copy_string_from_guest(area + 1, GUEST_BASE + sizeof(guest_memory) - 4, 16), -XEN_EFAULT);
    guards_intact(16);
}

static void the_monitor_area_is_efault(void **state)
{
    (void)state;
    guard_area();
    assert_int_equal(copy_string_from_guest(area + 1, HYPERVISOR_VIRT_START, 16), -XEN_EFAULT);
    guards_intact(16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_room_writes_nothing),
        cmocka_unit_test(room_for_the_nul_alone),
        cmocka_unit_test(a_long_string_is_cut_inside_the_room),
        cmocka_unit_test(a_short_string_is_copied_whole),
        cmocka_unit_test(unreadable_memory_is_efault),
        cmocka_unit_test(the_monitor_area_is_efault),
    };
    return cmocka_run_group_tests_name("guest_access", tests, NULL, NULL);
}
