/* start.S - a guest kernel's first instructions and its Xen ELF notes (guest ring 1).
 *
 * The notes tell the domain builder what this image is: a "generic" kernel for "xen-3.0" in PAE
 * mode, linked at VIRT_BASE, entered at ENTRY, with its hypercall page at HYPERCALL_PAGE.
 * The builder enters _start with ESI = start_info, ESP = a one-page boot stack, interrupts
 * (events) masked: the SDK moves to its own bigger stack and calls sdk_start in C.
 */
#include "x86/paging.h"
#include "xen.h"

#define ELFNOTE(type, kind, value)            \
    .pushsection .note.Xen, "a", @note;       \
    .balign 4;                                \
    .long 4, 2f - 1f, type;                   \
    .asciz "Xen";                             \
1:  kind value;                               \
2:  .balign 4;                                \
    .popsection

    ELFNOTE(XEN_ELFNOTE_GUEST_OS,       .asciz, "hv-guest-sdk")
    ELFNOTE(XEN_ELFNOTE_GUEST_VERSION,  .asciz, "0.1")
    ELFNOTE(XEN_ELFNOTE_XEN_VERSION,    .asciz, "xen-3.0")
    ELFNOTE(XEN_ELFNOTE_LOADER,         .asciz, "generic")
    ELFNOTE(XEN_ELFNOTE_PAE_MODE,       .asciz, "yes")
    ELFNOTE(XEN_ELFNOTE_VIRT_BASE,      .long,  GUEST_VIRT_BASE)
    ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET,   .long,  GUEST_VIRT_BASE)
    ELFNOTE(XEN_ELFNOTE_ENTRY,          .long,  _start)
    ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .long,  hypercall_page)

    .text
    .globl _start
_start:
    cld
    movl $sdk_stack_top, %esp
    xorl %ebp, %ebp                /* the end of every backtrace */
    pushl %esi
    call sdk_start                 /* does not return */
1:  hlt                            /* a privileged instruction: if we get here, the guest crashes */
    jmp 1b

/* The monitor fills this page with one 32-byte stub per hypercall (hypercall-abi/ABI.md). */
    .section .text.hypercall_page, "ax"
    .balign PAGE_SIZE
    .globl hypercall_page
hypercall_page:
    .fill PAGE_SIZE, 1, 0xcc

    .bss
    .balign 16
sdk_stack:
    .fill SDK_STACK_SIZE, 1, 0
    .globl sdk_stack_top
sdk_stack_top:

    .section .note.GNU-stack, "", @progbits
