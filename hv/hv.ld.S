/* hv.ld - how the monitor image is laid out: the boot code at its load address (1 MiB), the rest
 * linked at physical + DIRECTMAP_START (see include/memlayout.h) but loaded right after it.
 * Preprocessed with cpp. .ksyms (the symbol table, added by a second link) comes after .data so adding it moves no code.
 */
ENTRY(_start)
#include "memlayout.h"
OFFSET = DIRECTMAP_START;

SECTIONS
{
    . = 0x100000;
    .boot : {
        KEEP(*(.multiboot))
        *(.boot.text)
    }

    . = ALIGN(4096) + OFFSET;
    .text : AT(ADDR(.text) - OFFSET) {
        _text = .;
        *(.text .text.*)
        _etext = .;
    }
    .rodata ALIGN(4096) : AT(ADDR(.rodata) - OFFSET) { *(.rodata .rodata.*) }
    .data ALIGN(4096) : AT(ADDR(.data) - OFFSET) { *(.data .data.*) }
    .ksyms ALIGN(16) : AT(ADDR(.ksyms) - OFFSET) { *(.ksyms) }
    .bss ALIGN(4096) : AT(ADDR(.bss) - OFFSET) {
        __bss_start = .;
        *(.bss .bss.* COMMON)
        . = ALIGN(4);
        __bss_end = .;
    }
    _end = .;

    /DISCARD/ : { *(.note*) *(.comment) *(.eh_frame*) }
}
