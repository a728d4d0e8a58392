/* multiboot.h - the Multiboot (v1) boot information the loader hands the monitor, and the
 * monitor's own copy of what it needs from it. The layout is the Multiboot 0.6.96 specification's
 * (section 3.3). Parsing is pure code, host-tested (tests/host/test_multiboot.c).
 */
#ifndef HV_MULTIBOOT_H
#define HV_MULTIBOOT_H

#define MULTIBOOT_HEADER_MAGIC     0x1BADB002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002   /* in EAX at entry */
/* Header flags we ask for: modules page-aligned (bit 0), memory information (bit 1). */
#define MULTIBOOT_HEADER_FLAGS     0x00000003

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* multiboot_info.flags: which fields are valid. */
#define MBI_MEMORY      (1u << 0)
#define MBI_CMDLINE     (1u << 2)
#define MBI_MODULES     (1u << 3)
#define MBI_MMAP        (1u << 6)
#define MBI_LOADER_NAME (1u << 9)

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower, mem_upper;     /* KiB below 1 MiB, KiB above 1 MiB */
    uint32_t boot_device;
    uint32_t cmdline;                  /* physical address of a C string */
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
};

struct multiboot_module {
    uint32_t mod_start, mod_end;       /* physical, end exclusive */
    uint32_t string;                   /* physical address of its command line */
    uint32_t reserved;
};

/* A memory-map entry; `size` counts the bytes after itself, so the next entry is at +size+4. */
struct __attribute__((packed)) multiboot_mmap_entry {
    uint32_t size;
    uint64_t base, length;
    uint32_t type;
};

#define MMAP_AVAILABLE 1

/* What the monitor keeps: copied out, so the loader's structures can be reused as free memory. */
#define BOOT_MAX_RANGES   32
#define BOOT_MAX_MODULES  64
#define BOOT_CMDLINE_MAX  1024   /* = start_info.cmd_line's size */

struct mem_range {
    uint64_t base, length;
    uint32_t type;
};

struct boot_module {
    uint32_t start, end;
    char cmdline[BOOT_CMDLINE_MAX];
};

struct boot_info {
    char cmdline[BOOT_CMDLINE_MAX];
    char loader[64];
    uint32_t mem_lower_kb, mem_upper_kb;
    unsigned nr_ranges;
    struct mem_range ranges[BOOT_MAX_RANGES];
    unsigned nr_modules;
    struct boot_module modules[BOOT_MAX_MODULES];
};

/* Gives a pointer to `len` bytes at physical address `pa`, or NULL when they are out of reach. */
typedef const void *(*phys_reader)(uint32_t pa, uint32_t len);

/* Copy what the monitor needs out of the loader's information. Returns 0, or -1 with a reason in
 * `why` (a bad magic number, a structure out of reach, too many entries). */
int multiboot_parse(uint32_t magic, uint32_t mbi_pa, phys_reader read, struct boot_info *out,
                    const char **why);

#endif
#endif
