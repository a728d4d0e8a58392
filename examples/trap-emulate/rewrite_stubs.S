/* rewrite_stubs.S - what a rewritten pushf or popf calls (lesson 3, rewrite.c): each does on the
 * kernel's stack exactly what the instruction would have done in ring 0, with the layer's
 * virtual IF in place of the real one, and leaves every register and flag as the instruction
 * would. Reached by a call from the site's trampoline, in ring 1, on the kernel's stack.
 */
    .text

/* pushf: push the flags, with the virtual IF. At entry: the return address. */
    .globl rewrite_pushf
rewrite_pushf:
    pushl (%esp)                /* the return address again: its first copy's slot gets the flags */
    pushf                       /* the real flags: ret, slot */
    pusha                       /* the registers (32 bytes): real flags at 32, ret at 36, slot at 40 */
    pushl 36(%esp)              /* whence: the trampoline's return address */
    pushl 36(%esp)              /* the real flags (36 again: the push before moved them by 4) */
    call layer_pushf            /* %eax: the flags with the virtual IF */
    add $8, %esp
    mov %eax, 40(%esp)          /* into the slot: where pushf would have put them */
    popa
    popf                        /* the real flags as they were: the arithmetic ones untouched */
    ret                         /* and the flags are on top of the stack, as after pushf */

/* popf: pop the flags, IF into the virtual CPU. At entry: the return address, then the flags. */
    .globl rewrite_popf
rewrite_popf:
    pusha                       /* ret at 32, the kernel's flags at 36 */
    pushl 32(%esp)              /* whence */
    pushl 40(%esp)              /* the flags (36, moved by 4) */
    call layer_popf             /* the virtual IF from them, and a held tick delivered if now on */
    add $8, %esp
    popa
    pushl 4(%esp)               /* the flags again */
    popf                        /* their arithmetic flags (ring 1 leaves the real IF alone) */
    ret $4                      /* back, and past the flags: as after popf */
    .section .note.GNU-stack, "", @progbits
