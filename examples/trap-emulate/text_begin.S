/* text_begin.S - where kernel.c's code begins in the hv build: linked just before kernel.c (the
 * Makefile's order), so that lesson 3's rewriter knows the code it may scan and rewrite, and no
 * other (as crtbegin.o and crtend.o bracket a program's constructors). */
    .text
    .p2align 4
    .globl kernel_text_start
kernel_text_start:
    .section .note.GNU-stack, "", @progbits
