/* crt0.S - a raw test program's first instruction (ring 3): %esp points at argc, then argv
 * (hvos/syscall.h); raw_start gets that pointer with the stack 16-byte aligned. */
    .section .text.start, "ax"
    .globl _start
_start:
    movl %esp, %eax
    andl $-16, %esp
    subl $12, %esp
    pushl %eax
    call raw_start
1:  jmp 1b

    .section .note.GNU-stack, "", @progbits
