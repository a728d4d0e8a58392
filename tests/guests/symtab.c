/* symtab.c - a guest that asks for its own symbols (XEN_ELFNOTE_BSD_SYMTAB "yes") and finds them
 * where Xen's libelf puts them (guest ring 1, SDK): right after its image, 4-byte aligned, a size,
 * an ELF header with three section headers, then the symbol table and its strings. It looks up its
 * own `main` there.
 */
#include "sdk.h"
#include "elf_format.h"

__asm__(".pushsection .note.Xen, \"a\", @note\n"
        ".balign 4\n"
        ".long 4, 4, 11\n"                  /* XEN_ELFNOTE_BSD_SYMTAB */
        ".asciz \"Xen\"\n"
        ".asciz \"yes\"\n"
        ".balign 4\n"
        ".popsection\n");

extern char _end[];
static int failures;

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

int main(void)
{
    const uint32_t *size = (const uint32_t *)(((uintptr_t)_end + 3) & ~(uintptr_t)3);
    const struct elf32_ehdr *eh = (const struct elf32_ehdr *)(size + 1);
    const struct elf32_shdr *sh = (const struct elf32_shdr *)((const char *)eh + eh->shoff);
    check(memcmp(eh->ident, "\x7f" "ELF", 4) == 0 && eh->ident[4] == ELFCLASS32, "an ELF header right after the image");
    check(eh->shnum == 3 && eh->phnum == 0 && eh->shoff == sizeof(*eh), "three section headers after it, no program headers");
    check(sh[1].type == SHT_SYMTAB && sh[2].type == SHT_STRTAB && sh[1].link == 2, "the symbol table and its strings");
    check(*size == sh[2].offset + ((sh[2].size + 3) & ~3u), "the size covers them");
    const struct elf32_sym *syms = (const struct elf32_sym *)((const char *)eh + sh[1].offset);
    const char *names = (const char *)eh + sh[2].offset;
    int found = 0;
    for (uint32_t i = 0; i < sh[1].size / sizeof(*syms); i++)
        if (syms[i].name < sh[2].size && strcmp(names + syms[i].name, "main") == 0)
            found = syms[i].value == (uint32_t)(uintptr_t)main;
    check(found, "and `main` is there, at its address");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
