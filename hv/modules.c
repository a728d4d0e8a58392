/* modules.c - laying out a multiboot package: the form Xen's loaders (pvgrub, GRUB's i386-xen
 * multiboot command) give a PV guest several modules in, described in Xen's public xen.h.
 * Pure code: the domain builder runs it (ring 0); host-tested.
 */
#include "modules.h"
#include "kstring.h"
#include "x86/paging.h"

static uint32_t page_up(uint32_t n) { return (n + PAGE_SIZE - 1) & ~(uint32_t)(PAGE_SIZE - 1); }

void module_package_layout(const struct domain_module *m, unsigned n, struct module_package *p)
{
    memset(p, 0, sizeof(*p));
    uint32_t at = page_up((n + 1) * (uint32_t)sizeof(struct xen_multiboot_mod_list));
    for (unsigned i = 0; i < n; i++) {            /* never at 0: a mod_start of 0 ends the list */
        p->data_at[i] = at;
        p->desc[i].mod_start = at;
        p->desc[i].mod_end = at + m[i].len;
        at = page_up(at + m[i].len);
    }
    for (unsigned i = 0; i < n; i++) {
        p->cmdline_at[i] = at;
        p->desc[i].cmdline = at;
        at += (uint32_t)strnlen(m[i].cmdline, sizeof(m[i].cmdline) - 1) + 1;
    }
    p->size = at;
}
