; guest_copy.asm - the only instructions in the monitor that touch guest memory through a guest
; address (hv/guest_access.c checks the range first). Runs in ring 0.

section .text
; int guest_copy(void *dst, const void *src, uint32_t n): 0, or -1 if a page fault stopped it.
; A fault at guest_copy_insn or guest_copy_bytes is expected, and traps.c resumes at guest_copy_fault
; instead of panicking. Whole dwords first, then the 0 to 3 bytes left.
global guest_copy, guest_copy_insn, guest_copy_bytes, guest_copy_fault
guest_copy:
    push esi
    push edi
    mov edi, [esp + 12]
    mov esi, [esp + 16]
    mov ecx, [esp + 20]
    mov edx, ecx
    shr ecx, 2
    and edx, 3
    cld
guest_copy_insn:
    rep movsd
    mov ecx, edx
guest_copy_bytes:
    rep movsb
    xor eax, eax
guest_copy_done:
    pop edi
    pop esi
    ret
guest_copy_fault:
    mov eax, -1
    jmp guest_copy_done

section .note.GNU-stack noalloc noexec nowrite progbits
