/* modules.c - a guest that reports the modules it was given at start of day (guest ring 1, SDK):
 * one plain module (start_info.mod_start, mod_len), or, with SIF_MULTIBOOT_MOD, a multiboot package
 * whose descriptors it walks as GNU Mach does: addresses from the package's start, the list ended
 * by a mod_start of 0. For each module it prints its length, its command line and its first bytes.
 */
#include "sdk.h"

static void show(unsigned i, const uint8_t *data, uint32_t len, const char *cmdline)
{
    char first[9] = "";
    for (unsigned k = 0; k < 8 && k < len; k++)
        first[k] = data[k] >= 0x20 && data[k] < 0x7F ? (char)data[k] : '.';
    printf("module %u: %u bytes, command line \"%s\", starting \"%s\"\n", i, len, cmdline, first);
}

int main(void)
{
    const uint8_t *base = (const uint8_t *)start_info->mod_start;
    if (!start_info->mod_start) {
        printf("no module\n");
        return 0;
    }
    if (!(start_info->flags & SIF_MULTIBOOT_MOD)) {
        printf("one plain module\n");
        show(0, base, start_info->mod_len, "");
        return 0;
    }
    const struct xen_multiboot_mod_list *m = (const struct xen_multiboot_mod_list *)base;
    unsigned n = 0;
    for (; n < 16 && m[n].mod_start; n++) {
        if (m[n].mod_end < m[n].mod_start || m[n].mod_end > start_info->mod_len || m[n].cmdline >= start_info->mod_len) {
            printf("FAIL module %u lies outside the package of %u bytes\n", n, start_info->mod_len);
            return 1;
        }
        show(n, base + m[n].mod_start, m[n].mod_end - m[n].mod_start, (const char *)base + m[n].cmdline);
    }
    printf("a multiboot package of %u module(s), %u bytes\n", n, start_info->mod_len);
    return 0;
}
