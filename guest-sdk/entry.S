/* entry.S - how the guest kernel is entered: exception stubs, the event upcall, the failsafe
 * callback, and the way back out (guest ring 1). Every entry builds a struct regs (sdk.h) and
 * calls its C handler straight from a table; the exit returns to ring 3 with a real `iret` when it
 * can (no monitor entry: a direct system call costs what a native one does) and otherwise with the
 * iret hypercall, which also restores the virtual IF (the upcall mask) atomically.
 */
#include "xen.h"
#include "regs-offsets.h"
#include "x86/eflags.h"
#include "x86/exceptions.h"

#define IRET_SLOT (hypercall_page + __HYPERVISOR_iret * 32)

/* Each stub pushes an error code (0 when the CPU has none: x86/exceptions.h) and the vector, saves the registers
 * as struct regs, loads the kernel's data segments and calls its vector's C handler straight
 * from sdk_handlers[] (one indirect call: no dispatcher in between), then leaves by sdk_return. */
.macro STUB vector, last=0
    .globl sdk_stub_\vector
sdk_stub_\vector:
    .if \vector >= NR_EXCEPTIONS
    pushl $0
    .elseif ((X86_ERROR_CODE_VECTORS >> \vector) & 1) == 0
    pushl $0
    .endif
    pushl $\vector
    pushal
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    movl $FLAT_KERNEL_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    cld                               /* C code needs DF clear; ring 3 may have left it set */
    pushl %esp                        /* sdk_handlers[vector](struct regs *) */
    call *sdk_handlers + 4 * \vector
    addl $4, %esp
    .if \last == 0
    jmp sdk_return
    .endif
.endm

    .text
    STUB 0
    STUB 1
    STUB 2
    STUB 3
    STUB 4
    STUB 5
    STUB 6
    STUB 7
    STUB 8
    STUB 9
    STUB 10
    STUB 11
    STUB 12
    STUB 13
    STUB 14
    STUB 15
    STUB 16
    STUB 17
    STUB 18
    STUB 19
    STUB 256                          /* not a vector: the event upcall */
    STUB 257                          /* not a vector: the sysenter callback */
    /* Tour step 2 (direct system call): ring 3's `int $0x80` came through the real DPL-3 gate
     * straight here, in ring 1: the stub calls the kernel's handler and falls into sdk_return,
     * whose plain iret goes back to ring 3. The monitor never runs. */
    STUB 128, last=1                  /* int $0x80, the hottest path: it falls into sdk_return */

    /* Back with a plain iret when events are on and none is waiting (a direct system call then
     * never enters the monitor): to ring 3, where events are always on, or to ring 1 code that
     * had them on (the frame's IF is its virtual IF). Ring 1 may iret to ring 3 or to itself.
     * Anything else (events masked, an event waiting, ring-1 code that had them off) takes the
     * iret hypercall, which sets the upcall mask from the frame's IF and delivers what is
     * pending on the way: Linux's xen_iret makes the same choice. */
    .globl sdk_return
sdk_return:
    movl shared_info, %eax
    testb $3, SDK_REGS_CS(%esp)
    jnz 2f
    testl $EFLAGS_IF, SDK_REGS_EFLAGS(%esp)
    jz 1f
2:  cmpw $0, (%eax)                   /* vcpu_info[0]: upcall_pending, then upcall_mask */
    jne 1f
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp
    iret
1:  popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp
    jmp IRET_SLOT                     /* pushes %eax, then the iret hypercall */

/* The failsafe callback: the monitor could not load our segment registers or iret frame. The
 * four selectors are on top of the stack; sdk_failsafe gets them and the frame below. */
    .globl sdk_failsafe_entry
sdk_failsafe_entry:
    movl $FLAT_KERNEL_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    cld
    pushl %esp
    call sdk_failsafe                 /* does not return */

/* void enter_user(uint32_t eip, uint32_t esp): drop to ring 3, where events are always on. With
 * none waiting, a real iret after clearing the upcall mask; else the iret hypercall, which
 * delivers the waiting one first. */
    .globl enter_user
enter_user:
    movl 4(%esp), %ecx
    movl 8(%esp), %edx
    movl $FLAT_USER_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %fs
    movl %eax, %gs
    pushl $FLAT_USER_SS
    pushl %edx
    pushl $(EFLAGS_IF | EFLAGS_RESERVED)   /* the real IF; ring 3 cannot change it */
    pushl $FLAT_USER_CS
    pushl %ecx
    movl shared_info, %eax
    movb $0, 1(%eax)                  /* vcpu_info[0].evtchn_upcall_mask */
    cmpb $0, (%eax)                   /* vcpu_info[0].evtchn_upcall_pending */
    jne 1f
    iret
1:  jmp IRET_SLOT

/* setjmp/longjmp for the kernel: int context_save(struct context *), context_restore(c, value). */
    .globl context_save, context_restore
context_save:
    movl 4(%esp), %eax
    movl %ebx, 0(%eax)
    movl %esi, 4(%eax)
    movl %edi, 8(%eax)
    movl %ebp, 12(%eax)
    leal 4(%esp), %ecx
    movl %ecx, 16(%eax)
    movl (%esp), %ecx
    movl %ecx, 20(%eax)
    xorl %eax, %eax
    ret
context_restore:
    movl 4(%esp), %edx
    movl 8(%esp), %eax
    movl $FLAT_KERNEL_DS, %ecx
    movl %ecx, %ds
    movl %ecx, %es
    movl 0(%edx), %ebx
    movl 4(%edx), %esi
    movl 8(%edx), %edi
    movl 12(%edx), %ebp
    movl 16(%edx), %esp
    jmp *20(%edx)

    .section .note.GNU-stack, "", @progbits
