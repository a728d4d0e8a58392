/* modules.h - the modules a domain is given at start of day: one plain module (Xen's "ramdisk"), or
 * several as a multiboot package (SIF_MULTIBOOT_MOD), the way pvgrub hands GNU Mach its tasks.
 * Pure code, host-tested (tests/host/test_modules.c).
 */
#ifndef HV_MODULES_H
#define HV_MODULES_H
#include <stdint.h>
#include "xen.h"

#define MAX_DOMAIN_MODULES 8

/* A module for a domain: where its bytes are, and the command line the guest sees for it. */
struct domain_module {
    uint32_t pa, len;
    char cmdline[96];
};

/* Where each piece of a multiboot package goes, counted from the package's first byte: the
 * descriptors (one per module and the terminating one), each module's bytes page-aligned after
 * them, then the command lines. */
struct module_package {
    struct xen_multiboot_mod_list desc[MAX_DOMAIN_MODULES + 1];
    uint32_t data_at[MAX_DOMAIN_MODULES];
    uint32_t cmdline_at[MAX_DOMAIN_MODULES];
    uint32_t size;                 /* the whole package */
};

/* Lay out a package of n (1..MAX_DOMAIN_MODULES) modules. */
void module_package_layout(const struct domain_module *m, unsigned n, struct module_package *p);

#endif
