/* task.S - a task for GNU Mach, not a Xen guest: the program Mach starts as its bootstrap task
 * (ring 3, under Mach, which runs in ring 1 under hv). It makes Mach system calls the way any Mach
 * program does on i386: the trap's number, negated, in %eax, the arguments on the user stack above
 * a return address, and `lcall $7, $0`, the call gate Mach keeps in every task's LDT (its
 * kern/syscall_sw.c numbers them: 28 mach_task_self, 30 mach_print, 69 task_terminate).
 * It says hello through mach_print, which Mach prints on its console (the Xen console ring, which
 * hv prints with the domain's name), then ends itself.
 */
    .text
    .globl _start
_start:
    pushl $hello
    call mach_print
    pushl $line2
    call mach_print
    addl $8, %esp
    call mach_task_self
    pushl %eax
    call task_terminate
1:  jmp 1b                          /* not reached: the task has ended */

/* Each system call: a return address on the stack (the call into here), the arguments above it. */
mach_print:
    movl $-30, %eax
    lcall $7, $0
    ret
mach_task_self:
    movl $-28, %eax
    lcall $7, $0
    ret
task_terminate:
    movl $-69, %eax
    lcall $7, $0
    ret

    .data
hello:  .asciz "mach-task: hello from ring 3, through GNU Mach in ring 1, on hv in ring 0\n"
line2:  .asciz "mach-task: now ending this task\n"
    .section .note.GNU-stack, "", @progbits
