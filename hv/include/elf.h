/* elf.h - reading a guest kernel's ELF image and its Xen notes (the domain builder's first step).
 * The ELF layouts are the System V ABI's, in lib/elf_format.h; the rules for Xen's notes are those
 * of Xen's libelf. Pure code, host-tested (tests/host/test_elf.c).
 */
#ifndef HV_ELF_H
#define HV_ELF_H
#include <stdint.h>
#include "elf_format.h"

#define GUEST_MAX_SEGMENTS 8
#define GUEST_NOTE_STRING  64

/* A loadable segment, with the guest-virtual address it is loaded at. */
struct guest_segment {
    uint32_t offset, filesz, memsz;
    uint32_t vaddr;
};

/* What the builder needs from a guest image. */
struct guest_image {
    uint32_t virt_base;        /* start of the bootstrap mapping (XEN_ELFNOTE_VIRT_BASE, or 0) */
    uint32_t virt_kstart, virt_kend;    /* the loaded image, page-unaligned */
    uint32_t entry;
    uint32_t hypercall_page;   /* virtual address, or 0 for none */
    char guest_os[GUEST_NOTE_STRING], guest_version[GUEST_NOTE_STRING];
    char xen_version[GUEST_NOTE_STRING], loader[GUEST_NOTE_STRING];
    char pae_mode[GUEST_NOTE_STRING], features[GUEST_NOTE_STRING];
    unsigned nr_segments;
    struct guest_segment segments[GUEST_MAX_SEGMENTS];
    int bsd_symtab;            /* XEN_ELFNOTE_BSD_SYMTAB "yes": its symbols are loaded after it */
    uint32_t symtab_va, symtab_size;    /* where that copy goes (virt_kend covers it), or 0 */
};



/* An image's function symbols, if it kept them: offsets into the image (checked to lie inside). */
struct guest_symbols {
    const uint8_t *image;
    uint32_t symtab, nsyms, strtab, strsize;
};

/* The copy of a kernel's symbols Xen loads after it for XEN_ELFNOTE_BSD_SYMTAB (its libelf's
 * layout since XSA-194): the size of what follows, an ELF header and three section headers
 * (none, the symbol table, its strings) whose offsets count from that ELF header, then the two
 * tables, each 4-byte aligned. */
struct bsd_symtab {
    uint32_t size;
    struct elf32_ehdr ehdr;
    struct elf32_shdr shdr[3];
    uint32_t symtab_from, strtab_from;  /* where the tables are in the image (not copied) */
} __attribute__((packed));
#define BSD_SYMTAB_HEADER ((uint32_t)(sizeof(uint32_t) + sizeof(struct elf32_ehdr) + 3 * sizeof(struct elf32_shdr)))

/* The header of that copy for an image whose symbols elf_find_symbols found. */
void elf_bsd_symtab(const uint8_t *image, const struct guest_symbols *s, struct bsd_symtab *out);

/* Find the symbol table (SHT_SYMTAB and its string table); 0 if found, -1 if none or bad. */
int elf_find_symbols(const uint8_t *image, uint32_t size, struct guest_symbols *out);
/* The function containing addr, and addr's offset in it; NULL if none. */
const char *elf_symbolize(const struct guest_symbols *s, uint32_t addr, uint32_t *offset);

/* Check an image and read its notes. Returns 0, or -1 with a reason in `why`. `limit` is the
 * first virtual address the guest may not use (HYPERVISOR_VIRT_START). */
int elf_read_guest(const uint8_t *image, uint32_t size, uint32_t limit, struct guest_image *out,
                   const char **why);

#endif
