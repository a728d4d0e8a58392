; boot.asm - the native benchmark's first instructions and its trap entries (bare hardware, ring 0
; and ring 3, no monitor). It is the baseline make bench compares the guest's figures with: the
; same operations as tests/bench/bench.c, done the way a kernel on bare hardware does them.

bits 32
section .multiboot
align 4
    dd 0x1BADB002, 0x00000003, -(0x1BADB002 + 0x00000003)

section .text
global _start, trap_stubs, enter_user_native
extern native_main, native_trap

_start:
    mov esp, stack_top
    call native_main
.halt:
    cli
    hlt
    jmp .halt

; Trap entry, shaped like the guest SDK's (guest-sdk/entry.S): error code and vector, all
; registers, the kernel's data segments, a C dispatcher, and back with iret.
%macro STUB 2
stub_%1:
%if %2 == 0
    push dword 0
%endif
    push dword %1
    jmp native_common
%endmacro

    STUB 6, 0
    STUB 14, 1
    STUB 128, 0
    STUB 130, 0

native_common:
    pushad
    push ds
    push es
    push fs
    push gs
    mov eax, 0x10
    mov ds, eax
    mov es, eax
    cld                               ; as the guest SDK's entry does
    push esp
    call native_trap
    add esp, 4
    pop gs
    pop fs
    pop es
    pop ds
    popad
    add esp, 8
    iret

; void enter_user_native(eip, esp): to ring 3 (selectors 0x1b code, 0x23 data)
enter_user_native:
    mov ecx, [esp + 4]
    mov edx, [esp + 8]
    mov eax, 0x23
    mov ds, eax
    mov es, eax
    push dword 0x23
    push edx
    push dword 0x202
    push dword 0x1b
    push ecx
    iret

section .rodata
trap_stubs:
    dd stub_6, stub_14, stub_128, stub_130

section .bss
align 16
stack: resb 16384
stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
