/* multiboot.c - copy the Multiboot information into the monitor's boot_info.
 * Pure code: runs once at boot (ring 0, paging on) and in host tests.
 */
#include "multiboot.h"
#include "kstring.h"

/* Copy a NUL-terminated string at physical address pa, reading no more than size bytes. */
static int copy_string(phys_reader read, uint32_t pa, char *dst, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        const char *c = read(pa + i, 1);
        if (!c)
            return -1;
        dst[i] = *c;
        if (!*c)
            return 0;
    }
    dst[size - 1] = '\0';   /* over-long: truncated */
    return 0;
}

static int parse_mmap(const struct multiboot_info *mbi, phys_reader read, struct boot_info *out,
                      const char **why)
{
    uint32_t off = 0;
    while (off + sizeof(struct multiboot_mmap_entry) <= mbi->mmap_length) {
        const struct multiboot_mmap_entry *e = read(mbi->mmap_addr + off, sizeof(*e));
        if (!e) {
            *why = "memory map out of reach";
            return -1;
        }
        if (out->nr_ranges == BOOT_MAX_RANGES) {
            *why = "too many memory-map entries";
            return -1;
        }
        out->ranges[out->nr_ranges++] = (struct mem_range){ e->base, e->length, e->type };
        off += e->size + 4;
    }
    return 0;
}

static int parse_modules(const struct multiboot_info *mbi, phys_reader read, struct boot_info *out,
                         const char **why)
{
    if (mbi->mods_count > BOOT_MAX_MODULES) {
        *why = "too many modules";
        return -1;
    }
    for (uint32_t i = 0; i < mbi->mods_count; i++) {
        const struct multiboot_module *m = read(mbi->mods_addr + i * sizeof(*m), sizeof(*m));
        struct boot_module *b = &out->modules[i];
        if (!m || m->mod_end < m->mod_start) {
            *why = "module list out of reach or inconsistent";
            return -1;
        }
        b->start = m->mod_start;
        b->end = m->mod_end;
        b->cmdline[0] = '\0';
        if (m->string && copy_string(read, m->string, b->cmdline, sizeof(b->cmdline)) < 0) {
            *why = "module command line out of reach";
            return -1;
        }
        out->nr_modules++;
    }
    return 0;
}

int multiboot_parse(uint32_t magic, uint32_t mbi_pa, phys_reader read, struct boot_info *out,
                    const char **why)
{
    memset(out, 0, sizeof(*out));
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        *why = "not started by a Multiboot loader (bad magic in EAX)";
        return -1;
    }
    const struct multiboot_info *mbi = read(mbi_pa, sizeof(*mbi));
    if (!mbi) {
        *why = "Multiboot information out of reach";
        return -1;
    }
    if (mbi->flags & MBI_MEMORY) {
        out->mem_lower_kb = mbi->mem_lower;
        out->mem_upper_kb = mbi->mem_upper;
    }
    if ((mbi->flags & MBI_CMDLINE) && copy_string(read, mbi->cmdline, out->cmdline, sizeof(out->cmdline)) < 0) {
        *why = "command line out of reach";
        return -1;
    }
    if ((mbi->flags & MBI_LOADER_NAME) &&
        copy_string(read, mbi->boot_loader_name, out->loader, sizeof(out->loader)) < 0) {
        *why = "boot loader name out of reach";
        return -1;
    }
    if (!(mbi->flags & MBI_MMAP)) {
        *why = "no memory map from the boot loader";
        return -1;
    }
    if (parse_mmap(mbi, read, out, why) < 0)
        return -1;
    if ((mbi->flags & MBI_MODULES) && parse_modules(mbi, read, out, why) < 0)
        return -1;
    return 0;
}
