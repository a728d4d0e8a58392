/* test_elf.c - host tests of reading a guest image and its Xen notes (hv/elf.c): each of Xen's
 * rules, and every way a hostile image could point outside itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "elf.h"
#include "xen.h"

#define LIMIT 0xF5800000u

/* An image under construction: ELF header, program headers, notes, then segment data. */
static uint8_t img[8192];
static uint32_t img_size, notes_at, notes_len;
static struct guest_image g;
static const char *why;

static struct elf32_ehdr *eh(void) { return (struct elf32_ehdr *)img; }
static struct elf32_phdr *ph(unsigned i) { return (struct elf32_phdr *)(img + 52 + 32 * i); }

static void add_note(uint32_t type, const void *desc, uint32_t len)
{
    uint8_t *p = img + notes_at + notes_len;
    struct elf32_note n = { 4, len, type };
    memcpy(p, &n, sizeof(n));
    memcpy(p + 12, "Xen", 4);
    memcpy(p + 16, desc, len);
    notes_len += 16 + ((len + 3) & ~3u);
    ph(0)->filesz = ph(0)->memsz = notes_len;
}

static void add_string_note(uint32_t type, const char *s) { add_note(type, s, (uint32_t)strlen(s) + 1); }
static void add_number_note(uint32_t type, uint32_t v) { add_note(type, &v, 4); }

/* A valid image: one PT_NOTE and two PT_LOADs at 0xC0000000 (code) and 0xC0002000 (data). */
static int setup(void **state)
{
    (void)state;
    memset(img, 0, sizeof(img));
    memcpy(eh()->ident, "\x7f" "ELF\x01\x01\x01", 7);
    eh()->type = ET_EXEC;
    eh()->machine = EM_386;
    eh()->entry = 0xC0000010;
    eh()->phoff = 52;
    eh()->phentsize = 32;
    eh()->phnum = 3;
    notes_at = 52 + 3 * 32;
    notes_len = 0;
    *ph(0) = (struct elf32_phdr){ .type = PT_NOTE, .offset = notes_at };
    *ph(1) = (struct elf32_phdr){ PT_LOAD, 0x1000, 0xC0000000, 0xC0000000, 0x1000, 0x1000, 5, 0x1000 };
    *ph(2) = (struct elf32_phdr){ PT_LOAD, 0x1000, 0xC0002000, 0xC0002000, 0x100, 0x3000, 6, 0x1000 };
    add_string_note(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_string_note(XEN_ELFNOTE_LOADER, "generic");
    add_string_note(XEN_ELFNOTE_GUEST_OS, "test");
    add_string_note(XEN_ELFNOTE_PAE_MODE, "yes");
    add_number_note(XEN_ELFNOTE_VIRT_BASE, 0xC0000000);
    add_number_note(XEN_ELFNOTE_PADDR_OFFSET, 0xC0000000);
    img_size = 0x2000;
    return 0;
}

static int read_image(void) { return elf_read_guest(img, img_size, LIMIT, &g, &why); }

static void accepts_a_valid_image(void **state)
{
    (void)state;
    assert_int_equal(read_image(), 0);
    assert_int_equal(g.virt_base, 0xC0000000);
    assert_int_equal(g.virt_kstart, 0xC0000000);
    assert_int_equal(g.virt_kend, 0xC0005000);
    assert_int_equal(g.entry, 0xC0000010);          /* e_entry: no ENTRY note */
    assert_int_equal(g.hypercall_page, 0);
    assert_int_equal(g.nr_segments, 2);
    assert_string_equal(g.guest_os, "test");
}

static void entry_and_hypercall_notes_win(void **state)
{
    (void)state;
    add_number_note(XEN_ELFNOTE_ENTRY, 0xC0000100);
    add_number_note(XEN_ELFNOTE_HYPERCALL_PAGE, 0xC0000000);
    assert_int_equal(read_image(), 0);
    assert_int_equal(g.entry, 0xC0000100);
    assert_int_equal(g.hypercall_page, 0xC0000000);
}

static void paddr_offset_defaults_to_zero_with_notes(void **state)
{
    (void)state;
    /* Linux's way: p_paddr low, VIRT_BASE 0xC0000000, no PADDR_OFFSET -> loaded at paddr + base. */
    setup(NULL);
    notes_len = 0;
    add_string_note(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_string_note(XEN_ELFNOTE_LOADER, "generic");
    add_string_note(XEN_ELFNOTE_PAE_MODE, "yes");
    add_number_note(XEN_ELFNOTE_VIRT_BASE, 0xC0000000);
    ph(1)->paddr = 0x0;
    ph(2)->paddr = 0x2000;
    assert_int_equal(read_image(), 0);
    assert_int_equal(g.segments[0].vaddr, 0xC0000000);
    assert_int_equal(g.segments[1].vaddr, 0xC0002000);
}

static void falls_back_to_note_sections(void **state)
{
    (void)state;
    /* Mini-OS has no PT_NOTE: the notes are found through a SHT_NOTE section. */
    ph(0)->type = 6;                                /* PT_PHDR: not a note segment */
    struct elf32_shdr *sh = (struct elf32_shdr *)(img + 0x1800);
    memset(sh, 0, 2 * sizeof(*sh));
    sh[1] = (struct elf32_shdr){ .type = SHT_NOTE, .offset = notes_at, .size = notes_len };
    eh()->shoff = 0x1800;
    eh()->shentsize = sizeof(*sh);
    eh()->shnum = 2;
    assert_int_equal(read_image(), 0);
    assert_string_equal(g.pae_mode, "yes");
}

#define REFUSED(because) do {                   \
        assert_int_equal(read_image(), -1);     \
        assert_non_null(strstr(why, because));  \
    } while (0)

static void refuses_non_elf_and_64bit(void **state)
{
    (void)state;
    img[0] = 'X';
    REFUSED("not an ELF file");
    setup(NULL);
    img[4] = 2;
    REFUSED("not a 32-bit ELF");
    setup(NULL);
    eh()->machine = 62;
    REFUSED("not an x86 executable");
    img_size = 20;
    REFUSED("not an ELF file");
}

static void refuses_anything_outside_the_file(void **state)
{
    (void)state;
    img_size = 0x1080;                              /* segment 1 ends at 0x2000 */
    REFUSED("truncated");
    setup(NULL);
    eh()->phnum = 0xFFFF;
    REFUSED("program headers outside the file");
    setup(NULL);
    ph(0)->filesz = 0xFFFFFFF0;
    REFUSED("note data outside the file");
    setup(NULL);
    ph(2)->offset = 0xFFFFFF00;
    REFUSED("outside the file");
}

static void refuses_a_malformed_note(void **state)
{
    (void)state;
    struct elf32_note *n = (struct elf32_note *)(img + notes_at);
    n->namesz = 0x7FFFFFFF;                         /* a name past the notes */
    REFUSED("malformed ELF note");
    setup(NULL);
    n->descsz = 0x7FFFFFFF;     /* a descriptor past them: the last note, so LOADER is never read */
    REFUSED("XEN_ELFNOTE_LOADER");
}

/* GRUB's PT_NOTE ends inside its last note (PAE_MODE, descsz 12, the file ending after "yes\0"):
 * the bytes that are there are taken. */
static void takes_what_there_is_of_a_truncated_last_note(void **state)
{
    (void)state;
    notes_len = 0;
    add_string_note(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_string_note(XEN_ELFNOTE_LOADER, "generic");
    add_number_note(XEN_ELFNOTE_VIRT_BASE, 0xC0000000);
    add_number_note(XEN_ELFNOTE_PADDR_OFFSET, 0xC0000000);
    add_string_note(XEN_ELFNOTE_PAE_MODE, "yes");
    struct elf32_note *last = (struct elf32_note *)(img + notes_at + notes_len - 20);
    last->descsz = 12;
    ph(0)->filesz = notes_len;                      /* ends 8 bytes into the descriptor */
    assert_int_equal(read_image(), 0);
    assert_string_equal(g.pae_mode, "yes");
}

/* The section headers of a legacy image: the name table, then __xen_guest holding `info`. */
static void add_legacy_section(const char *info)
{
    static const char names[] = "\0.shstrtab\0__xen_guest\0";
    struct elf32_shdr *sh = (struct elf32_shdr *)(img + 0x1800);
    memset(sh, 0, 3 * sizeof(*sh));
    memcpy(img + 0x1900, names, sizeof(names));
    strcpy((char *)img + 0x1A00, info);
    sh[1] = (struct elf32_shdr){ .name = 1, .type = 3, .offset = 0x1900, .size = sizeof(names) };
    sh[2] = (struct elf32_shdr){ .name = 11, .type = 1, .offset = 0x1A00, .size = (uint32_t)strlen(info) + 1 };
    eh()->shoff = 0x1800;
    eh()->shentsize = sizeof(*sh);
    eh()->shnum = 3;
    eh()->shstrndx = 1;
    ph(0)->type = 6;                                /* no note segment */
}

#define MACH_INFO "GUEST_OS=GNU Mach,GUEST_VER=1.3,XEN_VER=xen-3.0,VIRT_BASE=0xC0000000," \
                  "ELF_PADDR_OFFSET=0xC0000000,HYPERCALL_PAGE=0x2,PAE=yes[extended-cr3],LOADER=generic," \
                  "FEATURES=pae_pgdir_above_4gb"

static void reads_the_legacy_xen_guest_section(void **state)
{
    (void)state;
    add_legacy_section(MACH_INFO);
    assert_int_equal(read_image(), 0);
    assert_string_equal(g.guest_os, "GNU Mach");
    assert_string_equal(g.pae_mode, "yes");
    assert_string_equal(g.features, "pae_pgdir_above_4gb");
    assert_int_equal(g.virt_base, 0xC0000000);
    assert_int_equal(g.hypercall_page, 0xC0002000);  /* a page number, from VIRT_BASE */
    assert_int_equal(g.segments[0].vaddr, 0xC0000000);
    setup(NULL);                                    /* ELF_PADDR_OFFSET defaults to VIRT_BASE */
    add_legacy_section("XEN_VER=xen-3.0,LOADER=generic,PAE=yes,VIRT_BASE=0xC0000000");
    assert_int_equal(read_image(), 0);
    assert_int_equal(g.segments[1].vaddr, 0xC0002000);
    setup(NULL);                                    /* notes of another owner do not count */
    add_legacy_section(MACH_INFO);
    ph(0)->type = PT_NOTE;
    for (uint32_t at = notes_at; at < notes_at + notes_len; at += 16 + ((((struct elf32_note *)(img + at))->descsz + 3) & ~3u))
        memcpy(img + at + 12, "nam", 4);            /* GNU Mach names its notes "name" */
    assert_int_equal(read_image(), 0);
    assert_string_equal(g.guest_os, "GNU Mach");
}

/* XEN_ELFNOTE_BSD_SYMTAB: room for the symbols after the image, and the copy's header as Xen's
 * libelf writes it since XSA-194 (three section headers, offsets from the ELF header). */
static void bsd_symtab_makes_room_after_the_image(void **state)
{
    (void)state;
    add_string_note(XEN_ELFNOTE_BSD_SYMTAB, "yes");
    struct elf32_shdr *sh = (struct elf32_shdr *)(img + 0x1800);
    memset(sh, 0, 3 * sizeof(*sh));
    sh[1] = (struct elf32_shdr){ .type = SHT_SYMTAB, .offset = 0x1900, .size = 2 * sizeof(struct elf32_sym), .link = 2 };
    sh[2] = (struct elf32_shdr){ .type = SHT_STRTAB, .offset = 0x1A00, .size = 7 };
    eh()->shoff = 0x1800;
    eh()->shentsize = sizeof(*sh);
    eh()->shnum = 3;
    assert_int_equal(read_image(), 0);
    assert_int_equal(g.symtab_va, 0xC0005000);                 /* the old end, 4-aligned */
    assert_int_equal(g.symtab_size, BSD_SYMTAB_HEADER + 32 + 8);
    assert_int_equal(g.virt_kend, 0xC0005000 + g.symtab_size);
    struct guest_symbols s;
    struct bsd_symtab t;
    assert_int_equal(elf_find_symbols(img, img_size, &s), 0);
    elf_bsd_symtab(img, &s, &t);
    assert_int_equal(t.ehdr.shnum, 3);
    assert_int_equal(t.ehdr.phnum, 0);
    assert_int_equal(t.ehdr.shoff, sizeof(struct elf32_ehdr));
    assert_int_equal(t.shdr[1].offset, sizeof(struct elf32_ehdr) + 3 * sizeof(struct elf32_shdr));
    assert_int_equal(t.shdr[2].offset, t.shdr[1].offset + 32);
    assert_int_equal(t.size, t.shdr[2].offset + 8);
    assert_int_equal(t.symtab_from, 0x1900);
    setup(NULL);                                    /* without the note: nothing after the image */
    assert_int_equal(read_image(), 0);
    assert_int_equal(g.symtab_va, 0);
}

static void refuses_a_bad_legacy_section(void **state)
{
    (void)state;
    add_legacy_section("GUEST_OS=GNU Mach,LOADER=generic,PAE=yes");
    REFUSED("XEN_VERSION");
    setup(NULL);
    add_legacy_section("XEN_VER=xen-3.0,LOADER=generic,PAE=no");
    REFUSED("not a PAE kernel");
    setup(NULL);
    add_legacy_section(MACH_INFO);
    ((struct elf32_shdr *)(img + 0x1800))[2].size = 0x7FFFFFFF;
    REFUSED("__xen_guest section lies outside the file");
    setup(NULL);
    add_legacy_section("XEN_VER=xen-3.0,LOADER=generic,PAE=yes,VIRT_BASE=0xC0000000,HYPERCALL_PAGE=0x40");
    REFUSED("HYPERCALL_PAGE");                      /* past the image */
    setup(NULL);
    add_legacy_section(MACH_INFO);
    eh()->shstrndx = 7;                             /* no name table: no legacy section found */
    REFUSED("no Xen ELF notes or __xen_guest");
}

static void refuses_missing_or_wrong_notes(void **state)
{
    (void)state;
    ph(0)->type = 6;
    REFUSED("no Xen ELF notes");
    setup(NULL);
    memcpy(img + notes_at + 16, "xen-2.0", 7);
    REFUSED("XEN_VERSION");
    setup(NULL);
    char *pae = memmem(img, sizeof(img), "yes", 4);
    memcpy(pae, "no\0", 4);
    REFUSED("not a PAE kernel");
    setup(NULL);
    char *loader = memmem(img, sizeof(img), "generic", 8);
    memcpy(loader, "special", 8);
    REFUSED("LOADER");
}

static void refuses_bad_segments(void **state)
{
    (void)state;
    ph(2)->vaddr = ph(2)->paddr = 0xC0000800;
    REFUSED("overlapping segments");
    setup(NULL);
    ph(2)->paddr = 0xF5800000 - 0x1000;             /* its bss reaches the hypervisor */
    REFUSED("reaches the hypervisor area");
    setup(NULL);
    ph(2)->paddr = 0xFFFFF000;                      /* would wrap around 4 GiB */
    REFUSED("reaches the hypervisor area");
    setup(NULL);
    ph(1)->filesz = 0x2000;                         /* more in the file than in memory */
    REFUSED("outside the file");
    setup(NULL);
    ph(1)->type = ph(2)->type = 0;
    REFUSED("no loadable segment");
}

static void refuses_entry_or_hypercall_page_outside(void **state)
{
    (void)state;
    eh()->entry = 0xB0000000;
    REFUSED("entry point");
    setup(NULL);
    add_number_note(XEN_ELFNOTE_HYPERCALL_PAGE, 0xC0000800);   /* not page-aligned */
    REFUSED("HYPERCALL_PAGE");
    setup(NULL);
    add_number_note(XEN_ELFNOTE_HYPERCALL_PAGE, 0xC0010000);   /* past the image */
    REFUSED("HYPERCALL_PAGE");
    setup(NULL);
    notes_len = 0;
    add_string_note(XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_string_note(XEN_ELFNOTE_LOADER, "generic");
    add_string_note(XEN_ELFNOTE_PAE_MODE, "yes");
    add_number_note(XEN_ELFNOTE_PADDR_OFFSET, 0);
    REFUSED("PADDR_OFFSET without");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(accepts_a_valid_image, setup),
        cmocka_unit_test_setup(entry_and_hypercall_notes_win, setup),
        cmocka_unit_test_setup(paddr_offset_defaults_to_zero_with_notes, setup),
        cmocka_unit_test_setup(falls_back_to_note_sections, setup),
        cmocka_unit_test_setup(takes_what_there_is_of_a_truncated_last_note, setup),
        cmocka_unit_test_setup(reads_the_legacy_xen_guest_section, setup),
        cmocka_unit_test_setup(refuses_a_bad_legacy_section, setup),
        cmocka_unit_test_setup(bsd_symtab_makes_room_after_the_image, setup),
        cmocka_unit_test_setup(refuses_non_elf_and_64bit, setup),
        cmocka_unit_test_setup(refuses_anything_outside_the_file, setup),
        cmocka_unit_test_setup(refuses_a_malformed_note, setup),
        cmocka_unit_test_setup(refuses_missing_or_wrong_notes, setup),
        cmocka_unit_test_setup(refuses_bad_segments, setup),
        cmocka_unit_test_setup(refuses_entry_or_hypercall_page_outside, setup),
    };
    return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
