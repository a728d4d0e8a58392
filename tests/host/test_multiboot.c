/* test_multiboot.c - host tests of copying the Multiboot information: a fake physical memory is
 * filled the way a loader would, then parsed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "multiboot.h"

static uint8_t phys[0x4000];              /* "machine memory" 0..16 KiB */
static struct boot_info info;

static const void *read_fake(uint32_t pa, uint32_t len)
{
    return (uint64_t)pa + len <= sizeof(phys) ? &phys[pa] : NULL;
}

#define MBI_AT   0x100
#define MMAP_AT  0x400
#define MODS_AT  0x800
#define STR_AT   0x1000

static struct multiboot_info *mbi(void) { return (struct multiboot_info *)&phys[MBI_AT]; }

static uint32_t put_string(uint32_t at, const char *s)
{
    strcpy((char *)&phys[at], s);
    return at;
}

static void add_mmap(unsigned i, uint64_t base, uint64_t len, uint32_t type)
{
    struct multiboot_mmap_entry e = { 20, base, len, type };
    memcpy(&phys[MMAP_AT + i * 24], &e, sizeof(e));
    mbi()->mmap_length = (i + 1) * 24;
}

static int setup(void **state)
{
    (void)state;
    memset(phys, 0, sizeof(phys));
    *mbi() = (struct multiboot_info){
        .flags = MBI_MEMORY | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME,
        .mem_lower = 639, .mem_upper = 130048,
        .cmdline = put_string(STR_AT, "build/hv.elf loglvl=all"),
        .boot_loader_name = put_string(STR_AT + 0x100, "qemu"),
        .mmap_addr = MMAP_AT,
    };
    add_mmap(0, 0, 0x9fc00, MMAP_AVAILABLE);
    add_mmap(1, 0xf0000, 0x10000, 2);
    add_mmap(2, 0x100000, 0x7ee0000, MMAP_AVAILABLE);
    return 0;
}

static void copies_command_line_loader_and_memory(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI_AT, read_fake, &info, &why), 0);
    assert_string_equal(info.cmdline, "build/hv.elf loglvl=all");
    assert_string_equal(info.loader, "qemu");
    assert_int_equal(info.mem_upper_kb, 130048);
    assert_int_equal(info.nr_ranges, 3);
    assert_int_equal(info.ranges[2].base, 0x100000);
    assert_int_equal(info.ranges[2].length, 0x7ee0000);
    assert_int_equal(info.ranges[1].type, 2);
    assert_int_equal(info.nr_modules, 0);
}

static void copies_modules_with_their_command_lines(void **state)
{
    (void)state;
    const char *why = NULL;
    struct multiboot_module mods[2] = {
        { 0x200000, 0x201234, put_string(STR_AT + 0x200, "hello.elf mem=4M name=one"), 0 },
        { 0x202000, 0x202000, 0, 0 },             /* empty, no command line */
    };
    memcpy(&phys[MODS_AT], mods, sizeof(mods));
    mbi()->flags |= MBI_MODULES;
    mbi()->mods_count = 2;
    mbi()->mods_addr = MODS_AT;
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI_AT, read_fake, &info, &why), 0);
    assert_int_equal(info.nr_modules, 2);
    assert_int_equal(info.modules[0].start, 0x200000);
    assert_int_equal(info.modules[0].end, 0x201234);
    assert_string_equal(info.modules[0].cmdline, "hello.elf mem=4M name=one");
    assert_string_equal(info.modules[1].cmdline, "");
}

static void refuses_a_bad_magic(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(multiboot_parse(0x12345678, MBI_AT, read_fake, &info, &why), -1);
    assert_non_null(strstr(why, "magic"));
}

static void refuses_structures_out_of_reach(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, 0x3ff0, read_fake, &info, &why), -1);
    mbi()->cmdline = 0x10000;
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI_AT, read_fake, &info, &why), -1);
    assert_non_null(strstr(why, "command line"));
}

static void refuses_a_missing_memory_map(void **state)
{
    (void)state;
    const char *why = NULL;
    mbi()->flags &= ~MBI_MMAP;
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI_AT, read_fake, &info, &why), -1);
    assert_non_null(strstr(why, "memory map"));
}

static void refuses_too_many_modules(void **state)
{
    (void)state;
    const char *why = NULL;
    mbi()->flags |= MBI_MODULES;
    mbi()->mods_count = BOOT_MAX_MODULES + 1;
    mbi()->mods_addr = MODS_AT;
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI_AT, read_fake, &info, &why), -1);
    assert_non_null(strstr(why, "too many modules"));
}

static void truncates_an_unterminated_command_line(void **state)
{
    (void)state;
    const char *why = NULL;
    memset(&phys[0x2000], 'a', 0x1800);       /* 6 KiB without a NUL, longer than the copy */
    mbi()->cmdline = 0x2000;
    assert_int_equal(multiboot_parse(MULTIBOOT_BOOTLOADER_MAGIC, MBI_AT, read_fake, &info, &why), 0);
    assert_int_equal(strlen(info.cmdline), BOOT_CMDLINE_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(copies_command_line_loader_and_memory, setup),
        cmocka_unit_test_setup(copies_modules_with_their_command_lines, setup),
        cmocka_unit_test_setup(refuses_a_bad_magic, setup),
        cmocka_unit_test_setup(refuses_structures_out_of_reach, setup),
        cmocka_unit_test_setup(refuses_a_missing_memory_map, setup),
        cmocka_unit_test_setup(refuses_too_many_modules, setup),
        cmocka_unit_test_setup(truncates_an_unterminated_command_line, setup),
    };
    return cmocka_run_group_tests_name("multiboot", tests, NULL, NULL);
}
