/* platform_native.S - the minikernel's first instructions on bare hardware, and its trap entries
 * (ring 0; platform_native.c is the rest of the platform).
 *
 * A Multiboot loader (QEMU's -kernel, GRUB) enters native_boot at its physical address with
 * paging off. It maps the first gigabyte of physical memory twice with 2 MiB pages, at 0 (so that
 * the next instruction still runs) and at 0xC0000000 (where the kernel is linked), turns on PAE
 * paging and jumps up: from then on the kernel runs where a PV kernel on hv runs.
 */
#define KERNEL_BASE 0xC0000000

    .section .multiboot, "a"
    .align 4
    .long 0x1BADB002, 0x00000003, -(0x1BADB002 + 0x00000003)   /* magic, flags (align, memory), checksum */

    .section .boot, "ax"
    .code32
    .globl native_boot
native_boot:
    mov $(boot_l2 - KERNEL_BASE), %edi
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax                     /* present, writable, a 2 MiB page */
    mov %eax, (%edi,%ecx,8)
    movl $0, 4(%edi,%ecx,8)
    inc %ecx
    cmp $512, %ecx
    jb 1b
    mov $(boot_l3 - KERNEL_BASE), %edi
    mov $(boot_l2 - KERNEL_BASE + 1), %eax     /* the L2, present */
    mov %eax, 0(%edi)                  /* slot 0: identity, for the jump */
    movl $0, 4(%edi)
    movl $0, 8(%edi)
    movl $0, 12(%edi)
    movl $0, 16(%edi)
    movl $0, 20(%edi)
    mov %eax, 24(%edi)                 /* slot 3: 0xC0000000 up */
    movl $0, 28(%edi)
    mov %cr4, %eax
    or $0x20, %eax                     /* CR4.PAE */
    mov %eax, %cr4
    mov %edi, %cr3
    mov %cr0, %eax
    or $0x80010000, %eax               /* CR0.PG, and WP: read-only pages are read-only to us too */
    mov %eax, %cr0
    mov $high, %eax
    jmp *%eax

    .text
high:
    mov $boot_stack_top, %esp
    push $(boot_l3 - KERNEL_BASE)
    push %ebx                          /* the Multiboot information, physical */
    call native_main
2:  cli
    hlt
    jmp 2b

/* Trap entries, shaped like the guest SDK's (guest-sdk/entry.S): an error code (the CPU's, or 0),
 * the vector, every register, the kernel's data segments, then native_trap(struct regs *) and back
 * with iret, to whatever the handler left in the frame (another process's registers, say). */
    .macro STUB v, code
stub_\v:
    .if \code == 0
    push $0
    .endif
    push $\v
    jmp native_common
    .endm

    STUB 0, 0
    STUB 1, 0
    STUB 2, 0
    STUB 3, 0
    STUB 4, 0
    STUB 5, 0
    STUB 6, 0
    STUB 7, 0
    STUB 8, 1
    STUB 9, 0
    STUB 10, 1
    STUB 11, 1
    STUB 12, 1
    STUB 13, 1
    STUB 14, 1
    STUB 15, 0
    STUB 16, 0
    STUB 17, 1
    STUB 18, 0
    STUB 19, 0
    STUB 20, 0
    STUB 21, 0
    STUB 22, 0
    STUB 23, 0
    STUB 24, 0
    STUB 25, 0
    STUB 26, 0
    STUB 27, 0
    STUB 28, 0
    STUB 29, 0
    STUB 30, 0
    STUB 31, 0
    STUB 32, 0
    STUB 33, 0
    STUB 34, 0
    STUB 35, 0
    STUB 36, 0
    STUB 37, 0
    STUB 38, 0
    STUB 39, 0
    STUB 40, 0
    STUB 41, 0
    STUB 42, 0
    STUB 43, 0
    STUB 44, 0
    STUB 45, 0
    STUB 46, 0
    STUB 47, 0
    STUB 128, 0

native_common:
    pushal
    push %ds
    push %es
    push %fs
    push %gs
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    cld
    push %esp
    call native_trap
    add $4, %esp
    pop %gs
    pop %fs
    pop %es
    pop %ds
    popal
    add $8, %esp
    iret

    .section .rodata
    .globl native_trap_stubs
    .align 4
native_trap_stubs:                     /* vector -> its stub, 0 for none */
    .long stub_0
    .long stub_1
    .long stub_2
    .long stub_3
    .long stub_4
    .long stub_5
    .long stub_6
    .long stub_7
    .long stub_8
    .long stub_9
    .long stub_10
    .long stub_11
    .long stub_12
    .long stub_13
    .long stub_14
    .long stub_15
    .long stub_16
    .long stub_17
    .long stub_18
    .long stub_19
    .long stub_20
    .long stub_21
    .long stub_22
    .long stub_23
    .long stub_24
    .long stub_25
    .long stub_26
    .long stub_27
    .long stub_28
    .long stub_29
    .long stub_30
    .long stub_31
    .long stub_32
    .long stub_33
    .long stub_34
    .long stub_35
    .long stub_36
    .long stub_37
    .long stub_38
    .long stub_39
    .long stub_40
    .long stub_41
    .long stub_42
    .long stub_43
    .long stub_44
    .long stub_45
    .long stub_46
    .long stub_47
    .fill 80, 4, 0
    .long stub_128
    .fill 127, 4, 0

    .bss
    .align 4096
boot_l2: .skip 4096
boot_l3: .skip 4096
    .align 16
boot_stack: .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
