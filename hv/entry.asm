; entry.asm - every way into ring 0 from a guest, and back out: the exception and interrupt
; stubs, sysenter, the hypercall gate, and the exit. Runs in ring 0. Constants come from
; build/asm-offsets.inc, generated from the C headers.

%include "asm-offsets.inc"

section .text
; ---------------------------------------------------------------------------------------------
; Exception and interrupt entry. Each stub makes the stack look the same (an error code, real or
; 0, then the vector) and joins trap_common, which completes a struct trap_frame (hv/include/traps.h).

; Complete a struct trap_frame (hv/include/traps.h) below the vector and error code, and load
; the monitor's data segments.
%macro SAVE_REGS 0
    pusha
    push ds
    push es
    push fs
    push gs
    mov ax, HV_DS
    mov ds, ax
    mov es, ax
    cld                               ; C code needs DF clear; the guest may have left it set
%ifdef HV_MEASURE
    rdtsc                             ; the benchmark's build counts the monitor's own time
    mov [entry_tsc], eax
    mov [entry_tsc + 4], edx
%endif
%endmacro

%macro STUB_NOERR 1
stub_%1:
    push dword 0
    push dword %1
    jmp trap_common
%endmacro

%macro STUB_ERR 1
stub_%1:
    push dword %1
    jmp trap_common
%endmacro

; The CPU pushes an error code for the vectors in X86_ERROR_CODE_VECTORS (lib/x86/exceptions.h,
; SDM 6.13), and for no other.
%assign v 0
%rep NR_EXCEPTIONS
%if (X86_ERROR_CODE_VECTORS >> v) & 1
    STUB_ERR v
%else
    STUB_NOERR v
%endif
%assign v v + 1
%endrep
; The 16 PIC interrupt lines, remapped to vectors 0x20..0x2F.
%assign v 0x20
%rep NR_IRQS
    STUB_NOERR v
%assign v v + 1
%endrep

extern trap_dispatch
trap_common:
    SAVE_REGS
    push esp                          ; trap_dispatch(struct trap_frame *)
    call trap_dispatch
    add esp, 4
    jmp trap_return

; `sysenter` from a guest lands here (the SYSENTER MSRs point at it; hv/traps.c sets them). The
; CPU pushed nothing and does not say where it came from: build the frame a trap from ring 3 would
; have left, with EIP and ESP 0 as Xen does (the guest's sysenter convention keeps the real ones
; in registers), and let trap_bounce.c route it to the guest's sysenter callback.
global sysenter_entry
extern sysenter_dispatch
sysenter_entry:
    push dword FLAT_RING3_SS
    push dword 0
    pushf                             ; the guest's flags, but IF: sysenter cleared it
    or dword [esp], EFLAGS_IF
    push dword EFLAGS_RESERVED
    popf                              ; and none of them here: with NT set, our final iret would be
                                      ; a task return (Xen's XSA-339)
    push dword FLAT_RING3_CS
    push dword 0
    push dword 0
    push dword SYSENTER_VECTOR
    SAVE_REGS
    push esp
    call sysenter_dispatch
    add esp, 4
    jmp trap_return

; ---------------------------------------------------------------------------------------------
; Tour step 1 (hypercall): a guest kernel's `int $0x82` (through its hypercall page) lands here,
; through the only DPL-1 gate in the IDT. The CPU has switched to the monitor stack given by the
; TSS and pushed the guest's SS, ESP, EFLAGS, CS, EIP: the frame sits at the top of that stack.
; EAX holds the hypercall number, EBX, ECX, EDX, ESI, EDI its arguments; the result goes back in
; EAX (a negative errno on failure).
global hypercall_entry
extern hypercall_table, hypercall_missing, deliver_pending_upcall, current, stats
hypercall_entry:
    push dword 0
    push dword HYPERCALL_VECTOR
    SAVE_REGS
    inc dword [stats + STATS_ENTRIES + HYPERCALL_VECTOR * 4]
    mov ebx, esp                      ; the struct trap_frame, kept across calls (callee-saved)

    ; Tour step 2 (hypercall): one look-up in hypercall_table (hv/hypercall.c). A number past its
    ; end or an empty slot answers -ENOSYS, as Xen does for a hypercall it does not have. The
    ; handler takes the guest's EBX, ECX, EDX, ESI, EDI, read back from the frame, as its five
    ; C arguments (Xen's x86_32 entry does the same).
    mov eax, [ebx + FRAME_EAX]
    cmp eax, NR_HYPERCALLS
    jae .no_such_call
    mov ecx, [hypercall_table + eax * 4]
    test ecx, ecx
    jz .no_such_call
    inc dword [stats + STATS_HYPERCALLS + eax * 4]
    push dword [ebx + FRAME_EDI]
    push dword [ebx + FRAME_ESI]
    push dword [ebx + FRAME_EDX]
    push dword [ebx + FRAME_ECX]
    push dword [ebx + FRAME_EBX]
    call ecx
    mov esp, ebx
.result:
    mov [ebx + FRAME_EAX], eax

    ; On the way out, an event that is pending and not masked goes to the guest first
    ; (deliver_pending_upcall in hv/trap_bounce.c); these two bytes say whether to call it. (A
    ; handler that gives the CPU to another vCPU never comes back here: schedule() leaves
    ; through that vCPU's frame, so `current` is still the caller.)
    mov ecx, [current]
    mov ecx, [ecx + VCPU_INFO]
    cmp byte [ecx + VCPU_INFO_UPCALL_MASK], 0
    jne trap_return
    cmp byte [ecx + VCPU_INFO_UPCALL_PENDING], 0
    je trap_return
    push ebx                          ; deliver_pending_upcall(struct trap_frame *)
    call deliver_pending_upcall
    mov esp, ebx
    jmp trap_return
.no_such_call:
    push eax                          ; hypercall_missing(nr): says so once, answers -ENOSYS
    call hypercall_missing
    mov esp, ebx
    jmp .result

; Leave the monitor: restore what the entry saved (possibly changed by the handler) and iret.
; The segment registers are loaded without moving ESP, so that if a guest's selector is bad the
; fault finds its frame intact; traps.c knows these labels and sends such a fault, or one on the
; final iret, to the guest's failsafe callback.
global exit_load_segments, exit_load_segments_end, exit_iret
trap_return:
%ifdef HV_MEASURE
    rdtsc                             ; (the registers are reloaded from the frame below)
    sub eax, [entry_tsc]
    sbb edx, [entry_tsc + 4]
    add [stats + STATS_MONITOR_TSC], eax
    adc [stats + STATS_MONITOR_TSC + 4], edx
%endif
exit_load_segments:
    mov gs, [esp]
    mov fs, [esp + 4]
    mov es, [esp + 8]
    mov ds, [esp + 12]
exit_load_segments_end:
    add esp, 16
    popa
    add esp, 8                        ; vector and error code
exit_iret:
    iret

; void return_to_guest(struct trap_frame *f): leave through f, abandoning the current stack.
global return_to_guest
return_to_guest:
    mov esp, [esp + 4]
    jmp trap_return

section .rodata
global trap_stubs
trap_stubs:
%assign v 0
%rep NR_EXCEPTIONS
    dd stub_ %+ v
%assign v v + 1
%endrep
%assign v 0x20
%rep NR_IRQS
    dd stub_ %+ v
%assign v v + 1
%endrep

; ---------------------------------------------------------------------------------------------
%ifdef HV_MEASURE
section .bss
entry_tsc:        resq 1              ; the TSC at the last entry (the benchmark build)
%endif

section .note.GNU-stack noalloc noexec nowrite progbits
