/* text_end.S - where kernel.c's code ends in the hv build: linked just after kernel.c (see
 * text_begin.S). */
    .text
    .globl kernel_text_end
kernel_text_end:
    .section .note.GNU-stack, "", @progbits
