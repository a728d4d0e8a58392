/* test_modules.c - host tests of a multiboot package's layout (hv/modules.c): descriptors first and
 * terminated, every address from the package's start and never 0 for a module, data page-aligned,
 * command lines after the data, the size covering all of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "modules.h"

static void one_module(void **state)
{
    (void)state;
    struct domain_module m[1] = { { 0x100000, 5000, "task.elf" } };
    struct module_package p;
    module_package_layout(m, 1, &p);
    assert_int_equal(p.desc[0].mod_start, 4096);          /* after the descriptors, a page */
    assert_int_equal(p.desc[0].mod_end, 4096 + 5000);     /* the first byte past it */
    assert_int_equal(p.desc[0].cmdline, 4096 + 8192);     /* after the data, page-rounded */
    assert_int_equal(p.desc[1].mod_start, 0);             /* the end of the list */
    assert_int_equal(p.size, 4096 + 8192 + sizeof("task.elf"));
}

static void several_modules_do_not_overlap(void **state)
{
    (void)state;
    struct domain_module m[3] = { { 0, 4096, "a" }, { 0, 1, "bb c=d" }, { 0, 0, "empty" } };
    struct module_package p;
    module_package_layout(m, 3, &p);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(p.desc[i].mod_start % 4096, 0);
        assert_true(p.desc[i].mod_start != 0);
        assert_true(p.desc[i].mod_start >= 4 * sizeof(struct xen_multiboot_mod_list));
        if (i)
            assert_true(p.desc[i].mod_start >= p.desc[i - 1].mod_end);
        assert_true(p.desc[i].cmdline >= p.desc[2].mod_end);
    }
    assert_int_equal(p.desc[2].cmdline + sizeof("empty"), p.size);
    assert_int_equal(p.desc[3].mod_start, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_module),
        cmocka_unit_test(several_modules_do_not_overlap),
    };
    return cmocka_run_group_tests_name("modules", tests, NULL, NULL);
}
