/* traps.h - the state saved on every entry into the monitor, and the IDT.
 * The layout is fixed by hv/entry.asm: the CPU pushes eip..ss, the stub pushes the error code
 * (0 when the CPU has none) and the vector, then the common entry does `pusha` and pushes the
 * data segment registers.
 */
#ifndef HV_TRAPS_H
#define HV_TRAPS_H
#include <stdint.h>
#include "x86/exceptions.h"     /* the vectors, and which push an error code */

struct trap_frame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_at_pusha, ebx, edx, ecx, eax;   /* pusha, lowest first */
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;                                   /* pushed by the CPU */
    uint32_t esp, ss;                  /* only when the trap came from an outer ring */
};

#define VEC_IRQ0 0x20          /* the PIC's 16 lines are remapped to 0x20..0x2F */
#define NR_IRQS  16
#define HYPERCALL_VECTOR 0x82  /* int $0x82: the hypercall gate, DPL 1 (Xen x86_32) */
#define SYSENTER_VECTOR  0xFF  /* not a vector: how a sysenter entry is counted */

#endif
