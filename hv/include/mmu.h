/* mmu.h - x86 paging and segmentation bits the monitor uses (Intel SDM vol. 3A, ch. 3 and 4).
 * Pure definitions; included from C and NASM-free assembly.
 */
#ifndef HV_MMU_H
#define HV_MMU_H

#define PAGE_SHIFT      12
#define PAGE_SIZE       4096
#define LARGE_PAGE_SIZE 0x200000          /* a PAE L2 entry with PS maps 2 MiB */

/* PAE page-table entry bits (SDM 4.4.2, tables 4-8 to 4-11). */
#define PTE_P    0x001   /* present */
#define PTE_RW   0x002   /* writable */
#define PTE_US   0x004   /* user (CPL 3) may access */
#define PTE_PWT  0x008
#define PTE_PCD  0x010
#define PTE_A    0x020   /* accessed */
#define PTE_D    0x040   /* dirty */
#define PTE_PS   0x080   /* in an L2 entry: 2 MiB page */
#define PTE_G    0x100   /* global */

/* A PAE PDPTE (our L3) takes only P, PWT and PCD: RW/US are reserved there (SDM 4.4.1). */
#define L3_ENTRIES 4
#define L2_ENTRIES 512
#define L1_ENTRIES 512

#define CR0_PE 0x00000001
#define CR0_MP 0x00000002
#define CR0_EM 0x00000004
#define CR0_TS 0x00000008
#define CR0_NE 0x00000020
#define CR0_WP 0x00010000   /* read-only pages bind ring 0-2 too */
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define CR4_PGE 0x00000080

#define EFLAGS_RESERVED 0x00000002   /* bit 1 always reads as 1 */
#define EFLAGS_IF   0x00000200
#define EFLAGS_IOPL 0x00003000

/* Segment descriptor access byte (SDM 3.4.5). */
#define SEG_P        0x80
#define SEG_DPL(d)   ((d) << 5)
#define SEG_S        0x10   /* code/data (not system) */
#define SEG_CODE_RX  0x0A   /* execute/read */
#define SEG_DATA_RW  0x02   /* read/write */
#define SEG_TSS32    0x09   /* available 32-bit TSS */
#define SEG_LDT      0x02   /* LDT (a system descriptor) */
/* Flags nibble: G (4 KiB granularity) and D/B (32-bit). */
#define SEG_G        0x8
#define SEG_DB       0x4

/* Gate types (SDM 6.11). */
#define GATE_INT32   0x0E
#define GATE_TRAP32  0x0F

#endif
