/* descriptors.h - the bits of x86 segment and gate descriptors (Intel SDM vol. 3A, 3.4.5 and
 * 6.11). Pure definitions for C and for the C preprocessor in .S files, and one pure helper
 * for C that builds a descriptor.
 */
#ifndef LIB_X86_DESCRIPTORS_H
#define LIB_X86_DESCRIPTORS_H

/* A segment descriptor's access byte (SDM 3.4.5). */
#define SEG_P        0x80
#define SEG_DPL(d)   ((d) << 5)
#define SEG_S        0x10   /* code/data (not system) */
#define SEG_CODE_RX  0x0A   /* execute/read */
#define SEG_DATA_RW  0x02   /* read/write */
#define SEG_TSS32    0x09   /* available 32-bit TSS */
#define SEG_LDT      0x02   /* LDT (a system descriptor) */
/* The type nibble's bits for code and data (SDM table 3-1), and the 32-bit call gate's type. */
#define SEG_TYPE_ACCESSED    0x1
#define SEG_TYPE_WRITABLE    0x2   /* data: writable (code: readable) */
#define SEG_TYPE_EXPAND_DOWN 0x4   /* data: expand-down (code: conforming) */
#define SEG_TYPE_CODE        0x8
#define GATE_CALL32          0x0C
/* Where the access byte and the flags nibble sit in the 8-byte descriptor. */
#define SEG_ACCESS_SHIFT 40
#define SEG_FLAGS_SHIFT  52
/* Its flags nibble: G (4 KiB granularity) and D/B (32-bit). */
#define SEG_G        0x8
#define SEG_DB       0x4

/* Gate types (SDM 6.11). */
#define GATE_INT32   0x0E
#define GATE_TRAP32  0x0F

#ifndef __ASSEMBLER__
#include <stdint.h>

/* A code, data or system segment descriptor from its parts (SDM 3.4.5): the limit in bytes, or in
 * 4 KiB units when flags has SEG_G; access is the access byte, flags the G/DB nibble. */
static inline uint64_t seg_descriptor(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xFFFF)
         | (uint64_t)(base & 0xFFFFFF) << 16
         | (uint64_t)access << SEG_ACCESS_SHIFT
         | (uint64_t)((limit >> 16) & 0xF) << 48
         | (uint64_t)(flags & 0xF) << SEG_FLAGS_SHIFT
         | (uint64_t)(base >> 24) << 56;
}
#endif

#endif
