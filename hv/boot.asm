; boot.asm - the monitor's first instructions: from the boot loader to the first C line, building
; the monitor's first address space (its L2 and L3 live in hv/mm.c) on the way. Runs in ring 0, interrupts off.
; Constants come from build/asm-offsets.inc, generated from the C headers.

%include "asm-offsets.inc"

; ---------------------------------------------------------------------------------------------
; The Multiboot header: the boot loader looks for it in the first 8 KiB of the file.
section .multiboot
align 4
    dd MULTIBOOT_HEADER_MAGIC
    dd MULTIBOOT_HEADER_FLAGS
    dd -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_HEADER_FLAGS)

; ---------------------------------------------------------------------------------------------
; Tour step 1 (boot): the loader jumps here in 32-bit protected mode, paging off, EAX = Multiboot
; magic, EBX = physical address of the Multiboot information. This code is linked at its physical
; address; everything else lives at physical + DIRECTMAP_START, so addresses of the rest are
; written "symbol - DIRECTMAP_START" until paging is on.
section .boot.text progbits alloc exec
bits 32
extern __bss_start, __bss_end
extern monitor_l2, monitor_l3        ; hv/mm.c: the tables this code fills in first
global _start
_start:
    cli
    mov ebp, eax
    mov esi, ebx

    ; Clear .bss: the boot page tables and the stack live there.
    cld
    mov edi, __bss_start - DIRECTMAP_START
    mov ecx, __bss_end - DIRECTMAP_START
    sub ecx, edi
    shr ecx, 2
    xor eax, eax
    rep stosd

    ; The monitor's L2 (slot 3 of the L3): entries DIRECTMAP_L2_INDEX.. map machine memory
    ; 0..DIRECTMAP_SIZE at DIRECTMAP_START with 2 MiB pages, ring 0 only.
    mov edi, monitor_l2 - DIRECTMAP_START + DIRECTMAP_L2_INDEX * 8
    mov eax, PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS
    mov ecx, DIRECTMAP_SIZE / LARGE_PAGE_SIZE
.map:
    mov [edi], eax
    add eax, LARGE_PAGE_SIZE
    add edi, 8
    loop .map

    ; A temporary identity map of the first 2 MiB (slot 0), so the instructions right after
    ; turning paging on can still be fetched.
    mov dword [boot_identity_l2 - DIRECTMAP_START], PTE_P | PTE_RW | PTE_PS
    mov dword [monitor_l3 - DIRECTMAP_START], boot_identity_l2 - DIRECTMAP_START + PTE_P
    mov dword [monitor_l3 - DIRECTMAP_START + 3 * 8], monitor_l2 - DIRECTMAP_START + PTE_P

    ; PAE on, CR3 = L3, then paging on with write protection binding ring 0 too (CR0.WP).
    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov eax, monitor_l3 - DIRECTMAP_START
    mov cr3, eax
    mov eax, cr0
    or eax, CR0_PG | CR0_WP
    mov cr0, eax
    mov eax, high_start
    jmp eax

section .text
high_start:
    mov esp, boot_stack + BOOT_STACK_SIZE
    mov dword [monitor_l3], 0         ; drop the identity map
    mov eax, cr3
    mov cr3, eax
    push esi                          ; hv_main(magic, mbi_pa)
    push ebp
    xor ebp, ebp                      ; the backtrace stops here
    extern hv_main
    call hv_main
.hang:
    cli
    hlt
    jmp .hang

; ---------------------------------------------------------------------------------------------
section .bss
align 4096
boot_identity_l2: resq 512
boot_stack:       resb BOOT_STACK_SIZE

section .note.GNU-stack noalloc noexec nowrite progbits
