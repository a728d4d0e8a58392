; raw_start.asm - a guest kernel in plain assembly against Xen's raw ABI: no SDK, no C, no headers.
; Runs in ring 1. It checks what the domain builder promises a 32-bit PAE guest at start of day
; (registers, start_info, the initial page tables, the p2m and M2P, the hypercall page) and
; prints one line per check. Every number below is Xen's published value, written out on purpose:
; this guest is an independent check of hypercall-abi/ and of the builder, so it shares nothing.
;
; Boot it alone as domain 0 with the command line "mem=4M raw-test" (tests/boot/test_domains.py).
; It has no VIRT_BASE note, so it is loaded at its physical address and the mapping starts at 0.

bits 32

%define HYPERCALL_VECTOR      0x82
%define HC_xen_version        17
%define HC_console_io         18
%define HC_sched_op           29
%define CONSOLEIO_write       0
%define XENVER_capabilities   3
%define SCHEDOP_shutdown      2
%define SHUTDOWN_poweroff     0
%define ENOSYS                38
%define FLAT_RING1_CS         0xe019
%define FLAT_RING1_DS         0xe021
%define SIF_INITDOMAIN        2
%define MACH2PHYS_VIRT_START  0xF5800000
; start_info offsets (xen/include/public/xen.h, 32-bit)
%define SI_NR_PAGES    32
%define SI_FLAGS       40
%define SI_PT_BASE     60
%define SI_NR_PT       64
%define SI_MFN_LIST    68
%define SI_CMD_LINE    80

; ---- ELF notes: what the builder reads -------------------------------------------------------
%macro NOTE_STR 2
    align 4
    dd 4, %%end - %%desc, %1
    db "Xen", 0
%%desc: db %2, 0
%%end:
    align 4
%endmacro
%macro NOTE_ADDR 2
    align 4
    dd 4, 4, %1
    db "Xen", 0
    dd %2
%endmacro

section .note.Xen note alloc noexec nowrite align=4
    NOTE_STR 6, "raw-asm"          ; GUEST_OS
    NOTE_STR 5, "xen-3.0"          ; XEN_VERSION
    NOTE_STR 8, "generic"          ; LOADER
    NOTE_STR 9, "yes"              ; PAE_MODE
    NOTE_ADDR 1, _start            ; ENTRY
    NOTE_ADDR 2, hypercall_page    ; HYPERCALL_PAGE

; ---- console output through `int $0x82` directly ---------------------------------------------
%macro SAY 1+
[section .rodata]
%%s: db %1, 10
%%e:
__SECT__
    push ecx
    push edx
    mov ecx, %%e - %%s
    mov edx, %%s
    call console_write
    pop edx
    pop ecx
%endmacro

; EXPECT operand, expected, "what": compare a dword and report.
%macro EXPECT 3
    cmp dword %1, %2
    je %%ok
    inc dword [failures]
    SAY "FAIL ", %3
    jmp %%done
%%ok:
    SAY "ok ", %3
%%done:
%endmacro

; EXPECT_BYTES address, label of expected bytes, length, "what"
%macro EXPECT_BYTES 4
    mov esi, %1
    mov edi, %2
    mov ecx, %3
    repe cmpsb
    setne al                        ; ZF is clear after a mismatch, even at the last byte
    movzx eax, al
    EXPECT eax, 0, %4
%endmacro

section .text
global _start
_start:
    ; Save the start-of-day state before anything changes it.
    mov [saved_esi], esi
    mov [saved_esp], esp
    mov [saved_cs], cs
    mov [saved_ss], ss
    mov [saved_ds], ds
    mov [saved_es], es
    mov [saved_fs], fs
    mov [saved_gs], gs
    pushfd
    pop dword [saved_eflags]
    mov esp, stack_top
    cld

    SAY "start of day"
    EXPECT [saved_cs], FLAT_RING1_CS, "CS is FLAT_RING1_CS (0xe019)"
    EXPECT [saved_ss], FLAT_RING1_DS, "SS is FLAT_RING1_SS (0xe021)"
    EXPECT [saved_ds], FLAT_RING1_DS, "DS is FLAT_RING1_DS"
    EXPECT [saved_es], FLAT_RING1_DS, "ES is FLAT_RING1_DS"
    EXPECT [saved_fs], FLAT_RING1_DS, "FS is FLAT_RING1_DS"
    EXPECT [saved_gs], FLAT_RING1_DS, "GS is FLAT_RING1_DS"
    mov eax, [saved_eflags]
    and eax, 0x3200                 ; IF and IOPL
    EXPECT eax, 0x200, "EFLAGS: IF on, IOPL 0"

    ; start_info, at ESI
    mov ebx, [saved_esi]
    EXPECT_BYTES ebx, magic, 16, "start_info magic is xen-3.0-x86_32p"
    EXPECT [ebx + SI_NR_PAGES], 1024, "nr_pages is 1024 (mem=4M)"
    mov eax, [ebx + SI_FLAGS]
    and eax, SIF_INITDOMAIN
    EXPECT eax, SIF_INITDOMAIN, "flags has SIF_INITDOMAIN (domain 0)"
    lea eax, [ebx + SI_CMD_LINE]
    EXPECT_BYTES eax, cmdline, 16, "cmd_line is the module's command line"
    mov eax, [ebx + SI_PT_BASE]
    and eax, 0xFFF
    EXPECT eax, 0, "pt_base is page-aligned"

    ; The boot stack is the page right after the page tables; ESP is its top.
    mov eax, [ebx + SI_NR_PT]
    shl eax, 12
    add eax, [ebx + SI_PT_BASE]
    add eax, 4096
    EXPECT [saved_esp], eax, "ESP is the top of the page after the page tables"

    ; The initial L3 (PAE PDPT): slot 3 present (it carries the monitor), nothing above 4 GiB.
    mov esi, [ebx + SI_PT_BASE]
    mov eax, [esi + 3 * 8]
    and eax, 1
    EXPECT eax, 1, "L3 slot 3 is present"
    EXPECT [esi + 3 * 8 + 4], 0, "L3 slot 3 is below 4 GiB"

    ; p2m list and M2P: this code's page is pfn 0x100 (loaded at 1 MiB, mapping from 0).
    mov esi, [ebx + SI_MFN_LIST]
    mov eax, [esi + 0x100 * 4]      ; mfn of pfn 0x100
    mov edx, [MACH2PHYS_VIRT_START + eax * 4]
    EXPECT edx, 0x100, "M2P[p2m[0x100]] is 0x100"
    mov eax, [esi]
    mov edx, [MACH2PHYS_VIRT_START + eax * 4]
    EXPECT edx, 0, "M2P[p2m[0]] is 0"

    ; The hypercall page.
    EXPECT_BYTES hypercall_page, slot0, 32, "hypercall slot 0: mov $0,%eax; int $0x82; ret; int3..."
    EXPECT_BYTES hypercall_page + 23 * 32, slot23, 32, "hypercall slot 23: push %eax; mov $23,%eax; int $0x82"
    EXPECT_BYTES hypercall_page + 127 * 32, slot127, 32, "hypercall slot 127: mov $127,%eax; int $0x82; ret"

    ; A call through the page, and one straight through the gate.
    mov eax, HC_xen_version * 32 + hypercall_page
    mov ebx, XENVER_capabilities
    mov ecx, caps_buffer
    call eax
    EXPECT eax, 0, "xen_version(capabilities) through the hypercall page returns 0"
    EXPECT_BYTES caps_buffer, caps, 16, "capabilities are xen-3.0-x86_32p"
    mov eax, 11                     ; no hypercall has number 11
    int HYPERCALL_VECTOR
    EXPECT eax, -ENOSYS, "hypercall 11 returns -ENOSYS"
    mov eax, 200                    ; far beyond the table
    int HYPERCALL_VECTOR
    EXPECT eax, -ENOSYS, "hypercall 200 returns -ENOSYS"

    cmp dword [failures], 0
    jne .shutdown
    SAY "all checks passed"
.shutdown:
    mov eax, HC_sched_op
    mov ebx, SCHEDOP_shutdown
    mov ecx, shutdown_reason
    int HYPERCALL_VECTOR
    ud2                             ; not reached: shutdown does not return

; console_write(ECX = length, EDX = buffer): CONSOLEIO_write through the gate.
console_write:
    pushad
    mov eax, HC_console_io
    mov ebx, CONSOLEIO_write
    int HYPERCALL_VECTOR
    popad
    ret

section .rodata
magic:    db "xen-3.0-x86_32p", 0
caps:     db "xen-3.0-x86_32p", 0
cmdline:  db "mem=4M raw-test", 0
slot0:    db 0xb8, 0, 0, 0, 0, 0xcd, 0x82, 0xc3
          times 24 db 0xcc
slot23:   db 0x50, 0xb8, 23, 0, 0, 0, 0xcd, 0x82
          times 24 db 0xcc
slot127:  db 0xb8, 127, 0, 0, 0, 0xcd, 0x82, 0xc3
          times 24 db 0xcc

section .data
shutdown_reason: dd SHUTDOWN_poweroff

section .bss
alignb 4
failures:     resd 1
saved_esi:    resd 1
saved_esp:    resd 1
saved_eflags: resd 1
saved_cs:     resd 1
saved_ss:     resd 1
saved_ds:     resd 1
saved_es:     resd 1
saved_fs:     resd 1
saved_gs:     resd 1
caps_buffer:  resb 1024
alignb 16
stack:        resb 4096
stack_top:

section .hypercall_page progbits alloc exec write align=4096
hypercall_page: times 4096 db 0
