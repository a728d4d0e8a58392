/* elf_format.h - the 32-bit ELF file format: headers, program and section headers, notes and
 * symbols, as the System V ABI (gABI, ch. 4 and 5) and its i386 supplement lay them out. Pure
 * definitions, no code: the monitor's domain builder (hv/elf.c) and any guest loading a program
 * (examples/minikernel/process.c) read images with them; host tests build images with them.
 */
#ifndef LIB_ELF_FORMAT_H
#define LIB_ELF_FORMAT_H
#include <stdint.h>

struct elf32_ehdr {
    uint8_t  ident[16];
    uint16_t type, machine;
    uint32_t version, entry, phoff, shoff, flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

struct elf32_shdr {
    uint32_t name, type, flags, addr, offset, size, link, info, addralign, entsize;
};

struct elf32_note {
    uint32_t namesz, descsz, type;     /* then the name and the descriptor, each padded to 4 */
};

struct elf32_sym {
    uint32_t name, value, size;
    uint8_t info, other;
    uint16_t shndx;
};

/* ident[4] and ident[5]: the class and the byte order. */
#define ELFCLASS32  1
#define ELFDATA2LSB 1
#define ET_EXEC     2
#define EM_386      3
/* Program header types and flags. */
#define PT_LOAD     1
#define PT_NOTE     4
#define PF_X        1
#define PF_W        2
#define PF_R        4
/* Section types; a symbol's type is the low nibble of its info. */
#define SHT_SYMTAB  2
#define SHT_STRTAB  3
#define SHT_NOTE    7
#define STT_FUNC    2

#endif
