/* elf.c - check a guest kernel's ELF image and read its Xen notes.
 * Pure code: the domain builder runs it on each Multiboot module (ring 0); host-tested.
 * Every offset and size read from the image is checked against the image's size before use:
 * the image is guest input.
 */
#include "elf.h"
#include "kstring.h"
#include "x86/paging.h"
#include "xen.h"

struct reader {
    const uint8_t *image;
    uint32_t size;
};

/* A pointer to [offset, offset+len) of the image, or NULL if that is not inside it. */
static const void *at(const struct reader *r, uint32_t offset, uint32_t len)
{
    if (offset > r->size || len > r->size - offset)
        return NULL;
    return r->image + offset;
}

static uint32_t align4(uint32_t n) { return (n + 3) & ~3u; }

static void copy_note_string(char *dst, const uint8_t *desc, uint32_t len)
{
    uint32_t n = len < GUEST_NOTE_STRING - 1 ? len : GUEST_NOTE_STRING - 1;
    memcpy(dst, desc, n);
    dst[n] = '\0';
}

static uint64_t note_number(const uint8_t *desc, uint32_t len)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < len && i < 8; i++)
        v |= (uint64_t)desc[i] << (8 * i);
    return v;
}

struct notes {
    int count;                         /* Xen notes seen */
    int legacy;                        /* read from the __xen_guest string instead */
    uint64_t entry, hypercall_page, virt_base, paddr_offset;
    int has_entry, has_hypercall_page, has_virt_base, has_paddr_offset;
};

static void take_note(uint32_t type, const uint8_t *desc, uint32_t len, struct notes *n, struct guest_image *g)
{
    switch (type) {
    case XEN_ELFNOTE_ENTRY:          n->entry = note_number(desc, len); n->has_entry = 1; break;
    case XEN_ELFNOTE_HYPERCALL_PAGE: n->hypercall_page = note_number(desc, len); n->has_hypercall_page = 1; break;
    case XEN_ELFNOTE_VIRT_BASE:      n->virt_base = note_number(desc, len); n->has_virt_base = 1; break;
    case XEN_ELFNOTE_PADDR_OFFSET:   n->paddr_offset = note_number(desc, len); n->has_paddr_offset = 1; break;
    case XEN_ELFNOTE_XEN_VERSION:    copy_note_string(g->xen_version, desc, len); break;
    case XEN_ELFNOTE_GUEST_OS:       copy_note_string(g->guest_os, desc, len); break;
    case XEN_ELFNOTE_GUEST_VERSION:  copy_note_string(g->guest_version, desc, len); break;
    case XEN_ELFNOTE_LOADER:         copy_note_string(g->loader, desc, len); break;
    case XEN_ELFNOTE_PAE_MODE:       copy_note_string(g->pae_mode, desc, len); break;
    case XEN_ELFNOTE_FEATURES:       copy_note_string(g->features, desc, len); break;
    case XEN_ELFNOTE_BSD_SYMTAB:     g->bsd_symtab = len >= 4 && memcmp(desc, "yes", 4) == 0; break;
    default: break;                    /* notes we do not use are allowed */
    }
}

/* Walk the notes in [offset, offset+len); only those named "Xen" count. A note's header and name
 * must lie inside the region; its descriptor may run past the end, as GRUB's last one does, and
 * then only the bytes there are read (Xen's libelf reads what is there; here nothing past the
 * region is). */
static int read_notes(const struct reader *r, uint32_t offset, uint32_t len, struct notes *n,
                      struct guest_image *g, const char **why)
{
    if (!at(r, offset, len)) {
        *why = "note data outside the file (truncated?)";
        return -1;
    }
    uint32_t pos = offset, end = offset + len;
    while (end - pos >= sizeof(struct elf32_note)) {
        const struct elf32_note *note = at(r, pos, sizeof(*note));
        uint32_t name_at = pos + sizeof(*note);
        if (note->namesz > end - name_at || align4(note->namesz) > end - name_at) {
            *why = "malformed ELF note";
            return -1;
        }
        uint32_t desc_at = name_at + align4(note->namesz);
        uint32_t room = end - desc_at, desc_len = note->descsz < room ? note->descsz : room;
        if (note->namesz == 4 && memcmp(r->image + name_at, "Xen", 4) == 0) {
            take_note(note->type, r->image + desc_at, desc_len, n, g);
            n->count++;
        }
        if (align4(note->descsz) >= room || note->descsz > room)
            break;                     /* it was the last one */
        pos = desc_at + align4(note->descsz);
    }
    return 0;
}

/* A number as strtoull(s, NULL, 0) reads it: 0x hexadecimal, a leading 0 octal, else decimal. */
static uint64_t legacy_number(const char *s)
{
    unsigned base = 10;
    uint64_t v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2;
    else if (s[0] == '0')
        base = 8;
    for (;; s++) {
        unsigned d = *s >= '0' && *s <= '9' ? (unsigned)(*s - '0') :
                     *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10) :
                     *s >= 'A' && *s <= 'F' ? (unsigned)(*s - 'A' + 10) : 99;
        if (d >= base)
            return v;
        v = v * base + d;
    }
}

/* The legacy form, before ELF notes (Xen's elf_xen_parse_guest_info): a section __xen_guest
 * holding "NAME=VALUE,NAME=VALUE,...". PAE=yes[extended-cr3] (or any "yes...") is PAE;
 * HYPERCALL_PAGE is a page number counted from VIRT_BASE; ELF_PADDR_OFFSET defaults to VIRT_BASE. */
static void read_legacy(const char *s, uint32_t len, struct notes *n, struct guest_image *g)
{
    char name[32], value[128];
    uint32_t i = 0;
    uint64_t hypercall_pfn = 0;
    int has_hypercall_pfn = 0;
    n->legacy = 1;
    while (i < len && s[i]) {
        unsigned nl = 0, vl = 0;
        for (; i < len && s[i] && s[i] != ',' && s[i] != '='; i++)
            if (nl < sizeof(name) - 1)
                name[nl++] = s[i];
        name[nl] = '\0';
        if (i < len && s[i] == '=')
            for (i++; i < len && s[i] && s[i] != ','; i++)
                if (vl < sizeof(value) - 1)
                    value[vl++] = s[i];
        value[vl] = '\0';
        if (i < len && s[i] == ',')
            i++;
        if (!strcmp(name, "LOADER"))
            copy_note_string(g->loader, (const uint8_t *)value, vl);
        else if (!strcmp(name, "GUEST_OS"))
            copy_note_string(g->guest_os, (const uint8_t *)value, vl);
        else if (!strcmp(name, "GUEST_VER"))
            copy_note_string(g->guest_version, (const uint8_t *)value, vl);
        else if (!strcmp(name, "XEN_VER"))
            copy_note_string(g->xen_version, (const uint8_t *)value, vl);
        else if (!strcmp(name, "PAE"))
            copy_note_string(g->pae_mode, (const uint8_t *)(strncmp(value, "yes", 3) ? value : "yes"), strncmp(value, "yes", 3) ? vl : 3);
        else if (!strcmp(name, "FEATURES"))
            copy_note_string(g->features, (const uint8_t *)value, vl);
        else if (!strcmp(name, "VIRT_BASE"))
            n->virt_base = legacy_number(value), n->has_virt_base = 1;
        else if (!strcmp(name, "VIRT_ENTRY"))
            n->entry = legacy_number(value), n->has_entry = 1;
        else if (!strcmp(name, "ELF_PADDR_OFFSET"))
            n->paddr_offset = legacy_number(value), n->has_paddr_offset = 1;
        else if (!strcmp(name, "HYPERCALL_PAGE"))
            hypercall_pfn = legacy_number(value), has_hypercall_pfn = 1;
    }
    if (!n->has_paddr_offset && n->has_virt_base)
        n->paddr_offset = n->virt_base, n->has_paddr_offset = 1;
    if (has_hypercall_pfn)
        n->hypercall_page = (hypercall_pfn << PAGE_SHIFT) + n->virt_base, n->has_hypercall_page = 1;
}

/* The section called `name`, through the section-name table; NULL if none (or no such table). */
static const struct elf32_shdr *section_named(const struct reader *r, const struct elf32_ehdr *eh, const char *name)
{
    const struct elf32_shdr *names = eh->shstrndx < eh->shnum ?
                                     at(r, eh->shoff + eh->shstrndx * sizeof(*names), sizeof(*names)) : NULL;
    if (!names || !at(r, names->offset, names->size))
        return NULL;
    uint32_t want = (uint32_t)strlen(name) + 1;
    for (unsigned i = 1; i < eh->shnum; i++) {
        const struct elf32_shdr *sh = at(r, eh->shoff + i * sizeof(*sh), sizeof(*sh));
        if (sh->name < names->size && names->size - sh->name >= want &&
            memcmp(r->image + names->offset + sh->name, name, want) == 0)
            return sh;
    }
    return NULL;
}

static int check_header(const struct reader *r, const struct elf32_ehdr **out, const char **why)
{
    static const uint8_t magic[4] = { 0x7F, 'E', 'L', 'F' };
    const struct elf32_ehdr *eh = at(r, 0, sizeof(*eh));
    if (!eh || memcmp(eh->ident, magic, 4) != 0) {
        *why = "not an ELF file";
        return -1;
    }
    if (eh->ident[4] != ELFCLASS32) {
        *why = "not a 32-bit ELF file (64-bit kernels need a 64-bit monitor)";
        return -1;
    }
    if (eh->ident[5] != ELFDATA2LSB || eh->machine != EM_386 || eh->type != ET_EXEC) {
        *why = "not an x86 executable (ELF32, little-endian, EM_386, ET_EXEC)";
        return -1;
    }
    if (eh->phentsize != sizeof(struct elf32_phdr) || !at(r, eh->phoff, (uint32_t)eh->phnum * sizeof(struct elf32_phdr))) {
        *why = "program headers outside the file (truncated?)";
        return -1;
    }
    *out = eh;
    return 0;
}

static const struct elf32_phdr *phdr(const struct reader *r, const struct elf32_ehdr *eh, unsigned i)
{
    return at(r, eh->phoff + i * sizeof(struct elf32_phdr), sizeof(struct elf32_phdr));
}

/* Xen notes from PT_NOTE segments or, when there are none, from SHT_NOTE sections (Mini-OS), or
 * when those have none either, the legacy __xen_guest string (GNU Mach), in Xen's order. */
static int find_notes(const struct reader *r, const struct elf32_ehdr *eh, struct notes *n,
                      struct guest_image *g, const char **why)
{
    for (unsigned i = 0; i < eh->phnum; i++) {
        const struct elf32_phdr *ph = phdr(r, eh, i);
        if (ph->type == PT_NOTE && ph->offset != 0 && read_notes(r, ph->offset, ph->filesz, n, g, why) < 0)
            return -1;
    }
    if (n->count || eh->shnum == 0)
        return 0;
    if (eh->shentsize != sizeof(struct elf32_shdr) || !at(r, eh->shoff, (uint32_t)eh->shnum * sizeof(struct elf32_shdr))) {
        *why = "section headers outside the file (truncated?)";
        return -1;
    }
    for (unsigned i = 1; i < eh->shnum; i++) {
        const struct elf32_shdr *sh = at(r, eh->shoff + i * sizeof(*sh), sizeof(*sh));
        if (sh->type == SHT_NOTE && read_notes(r, sh->offset, sh->size, n, g, why) < 0)
            return -1;
    }
    if (n->count)
        return 0;
    const struct elf32_shdr *legacy = section_named(r, eh, "__xen_guest");
    if (legacy) {
        if (!at(r, legacy->offset, legacy->size)) {
            *why = "the __xen_guest section lies outside the file (truncated?)";
            return -1;
        }
        read_legacy((const char *)r->image + legacy->offset, legacy->size, n, g);
    }
    return 0;
}

/* Xen's libelf rules: the notes must say the image is for Xen 3.0 and a loader we are. */
static int check_notes(const struct notes *n, const struct guest_image *g, const char **why)
{
    if (n->count == 0 && !n->legacy) {
        *why = "not a Xen guest: no Xen ELF notes or __xen_guest section";
        return -1;
    }
    if (strncmp(g->loader, "generic", 7) != 0 && strncmp(g->guest_os, "linux", 5) != 0) {
        *why = "XEN_ELFNOTE_LOADER is not \"generic\" (and GUEST_OS is not linux)";
        return -1;
    }
    if (strncmp(g->xen_version, "xen-3.0", 7) != 0) {
        *why = "XEN_ELFNOTE_XEN_VERSION is not \"xen-3.0\"";
        return -1;
    }
    if (strcmp(g->pae_mode, "yes") != 0 && strcmp(g->pae_mode, "bimodal") != 0 &&
        strcmp(g->pae_mode, "extended-cr3") != 0) {
        *why = "not a PAE kernel (XEN_ELFNOTE_PAE_MODE must be \"yes\"): this monitor runs x86_32p guests only";
        return -1;
    }
    if (n->has_paddr_offset && !n->has_virt_base) {
        *why = "XEN_ELFNOTE_PADDR_OFFSET without XEN_ELFNOTE_VIRT_BASE";
        return -1;
    }
    return 0;
}

/* Segments are placed at p_paddr + (VIRT_BASE - PADDR_OFFSET), both defaulting to 0. */
static int place_segments(const struct reader *r, const struct elf32_ehdr *eh, uint32_t virt_offset,
                          uint32_t limit, struct guest_image *g, const char **why)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (unsigned i = 0; i < eh->phnum; i++) {
        const struct elf32_phdr *ph = phdr(r, eh, i);
        if (ph->type != PT_LOAD || ph->memsz == 0)
            continue;
        if (g->nr_segments == GUEST_MAX_SEGMENTS) {
            *why = "too many loadable segments";
            return -1;
        }
        if (ph->filesz > ph->memsz || !at(r, ph->offset, ph->filesz)) {
            *why = "a segment's data lies outside the file (truncated?)";
            return -1;
        }
        uint64_t start = (uint64_t)ph->paddr + virt_offset;
        start &= 0xFFFFFFFFull;                        /* addresses wrap like the guest's */
        if (start + ph->memsz > limit) {
            *why = "a segment reaches the hypervisor area (at or above HYPERVISOR_VIRT_START)";
            return -1;
        }
        for (unsigned j = 0; j < g->nr_segments; j++) {
            const struct guest_segment *s = &g->segments[j];
            if (start < (uint64_t)s->vaddr + s->memsz && s->vaddr < start + ph->memsz) {
                *why = "overlapping segments";
                return -1;
            }
        }
        g->segments[g->nr_segments++] = (struct guest_segment){ ph->offset, ph->filesz, ph->memsz, (uint32_t)start };
        lo = start < lo ? start : lo;
        hi = start + ph->memsz > hi ? start + ph->memsz : hi;
    }
    if (g->nr_segments == 0) {
        *why = "no loadable segment";
        return -1;
    }
    g->virt_kstart = (uint32_t)lo;
    g->virt_kend = (uint32_t)hi;
    return 0;
}

int elf_read_guest(const uint8_t *image, uint32_t size, uint32_t limit, struct guest_image *out,
                   const char **why)
{
    struct reader r = { image, size };
    const struct elf32_ehdr *eh;
    struct notes n;
    memset(out, 0, sizeof(*out));
    memset(&n, 0, sizeof(n));
    if (check_header(&r, &eh, why) < 0 || find_notes(&r, eh, &n, out, why) < 0 || check_notes(&n, out, why) < 0)
        return -1;
    if (n.virt_base >= limit || n.paddr_offset > 0xFFFFFFFFull || n.entry > 0xFFFFFFFFull) {
        *why = "VIRT_BASE, PADDR_OFFSET or ENTRY out of range";
        return -1;
    }
    out->virt_base = (uint32_t)n.virt_base;
    uint32_t virt_offset = (uint32_t)n.virt_base - (uint32_t)n.paddr_offset;
    if (place_segments(&r, eh, virt_offset, limit, out, why) < 0)
        return -1;
    out->entry = n.has_entry ? (uint32_t)n.entry : eh->entry;
    if (out->virt_base > out->virt_kstart || out->entry < out->virt_kstart || out->entry >= out->virt_kend) {
        *why = "entry point or VIRT_BASE outside the loaded image";
        return -1;
    }
    if (n.has_hypercall_page) {
        if ((n.hypercall_page & 0xFFF) || n.hypercall_page < out->virt_kstart ||
            n.hypercall_page + PAGE_SIZE > out->virt_kend) {
            *why = "XEN_ELFNOTE_HYPERCALL_PAGE is not a page inside the image";
            return -1;
        }
        out->hypercall_page = (uint32_t)n.hypercall_page;
    }
    struct guest_symbols s;
    if (out->bsd_symtab && elf_find_symbols(image, size, &s) == 0) {
        uint64_t at = ((uint64_t)out->virt_kend + 3) & ~3ull;
        uint64_t len = BSD_SYMTAB_HEADER + align4(s.nsyms * (uint32_t)sizeof(struct elf32_sym)) + align4(s.strsize);
        if (at + len > limit) {
            *why = "the symbols XEN_ELFNOTE_BSD_SYMTAB asks for reach the hypervisor area";
            return -1;
        }
        out->symtab_va = (uint32_t)at;
        out->symtab_size = (uint32_t)len;
        out->virt_kend = (uint32_t)(at + len);
    }
    return 0;
}

void elf_bsd_symtab(const uint8_t *image, const struct guest_symbols *s, struct bsd_symtab *out)
{
    const struct elf32_ehdr *kernel = (const struct elf32_ehdr *)image;
    uint32_t syms = s->nsyms * (uint32_t)sizeof(struct elf32_sym);
    uint32_t headers = (uint32_t)(sizeof(out->ehdr) + sizeof(out->shdr));
    memset(out, 0, sizeof(*out));
    out->ehdr = *kernel;
    out->ehdr.phoff = 0;
    out->ehdr.phentsize = 0;
    out->ehdr.phnum = 0;
    out->ehdr.ehsize = sizeof(struct elf32_ehdr);
    out->ehdr.shoff = sizeof(struct elf32_ehdr);
    out->ehdr.shentsize = sizeof(struct elf32_shdr);
    out->ehdr.shnum = 3;
    out->ehdr.shstrndx = 0;
    out->shdr[1] = (struct elf32_shdr){ .type = SHT_SYMTAB, .offset = headers, .size = syms, .link = 2,
                                        .addralign = 4, .entsize = sizeof(struct elf32_sym) };
    out->shdr[2] = (struct elf32_shdr){ .type = SHT_STRTAB, .offset = headers + align4(syms), .size = s->strsize,
                                        .addralign = 1 };
    out->size = headers + align4(syms) + align4(s->strsize);
    out->symtab_from = s->symtab;
    out->strtab_from = s->strtab;
}

int elf_find_symbols(const uint8_t *image, uint32_t size, struct guest_symbols *out)
{
    struct reader r = { image, size };
    const struct elf32_ehdr *eh = at(&r, 0, sizeof(*eh));
    memset(out, 0, sizeof(*out));
    if (!eh || eh->shentsize != sizeof(struct elf32_shdr) ||
        !at(&r, eh->shoff, (uint32_t)eh->shnum * sizeof(struct elf32_shdr)))
        return -1;
    for (unsigned i = 1; i < eh->shnum; i++) {
        const struct elf32_shdr *sh = at(&r, eh->shoff + i * sizeof(*sh), sizeof(*sh));
        if (sh->type != SHT_SYMTAB || sh->link >= eh->shnum || !at(&r, sh->offset, sh->size))
            continue;
        const struct elf32_shdr *str = at(&r, eh->shoff + sh->link * sizeof(*sh), sizeof(*sh));
        if (!at(&r, str->offset, str->size) || str->size == 0)
            continue;
        *out = (struct guest_symbols){ image, sh->offset, sh->size / sizeof(struct elf32_sym), str->offset, str->size };
        return 0;
    }
    return -1;
}

const char *elf_symbolize(const struct guest_symbols *s, uint32_t addr, uint32_t *offset)
{
    const struct elf32_sym *best = NULL;
    for (uint32_t i = 0; s->image && i < s->nsyms; i++) {
        const struct elf32_sym *sym = (const struct elf32_sym *)(s->image + s->symtab) + i;
        if ((sym->info & 0xF) == STT_FUNC && sym->value <= addr && sym->name < s->strsize &&
            (!best || sym->value > best->value))
            best = sym;
    }
    if (!best || (best->size && addr >= best->value + best->size))
        return NULL;
    const char *name = (const char *)s->image + s->strtab + best->name;
    if (strnlen(name, s->strsize - best->name) == s->strsize - best->name)
        return NULL;                          /* not terminated inside the table */
    *offset = addr - best->value;
    return name;
}
