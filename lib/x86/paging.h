/* paging.h - x86 PAE paging: page sizes, page-table entry bits, and which entry of which table
 * maps a virtual address (Intel SDM vol. 3A, 4.4). Pure definitions for the monitor, the guest SDK,
 * guests and host tests alike; the plain numbers also serve the C preprocessor in .S files.
 */
#ifndef LIB_X86_PAGING_H
#define LIB_X86_PAGING_H

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
#define PTE_PS   0x080   /* in an L2 entry: 2 MiB page; in an L1 entry: PAT */
#define PTE_G    0x100   /* global */
#define PTE_AVAIL 0xE00  /* bits 9-11: ignored by the CPU, the software's own (a PV guest's, on Xen) */

/* Three levels: a 4-entry L3 (the PDPT; its entries take only P, PWT and PCD, RW and US are
 * reserved there, SDM 4.4.1), 512-entry L2s and L1s of 8-byte entries. Bits 31-30 of an address
 * pick the L3 entry, 29-21 the L2 entry, 20-12 the L1 entry. */
#define L3_ENTRIES 4
#define L2_ENTRIES 512
#define L1_ENTRIES 512
#define L3_SHIFT   30
#define L2_SHIFT   21
#define L1_SHIFT   PAGE_SHIFT
#define PTE_SIZE   8

#define L3_INDEX(va) ((va) >> L3_SHIFT)
#define L2_INDEX(va) (((va) >> L2_SHIFT) & (L2_ENTRIES - 1))
#define L1_INDEX(va) (((va) >> L1_SHIFT) & (L1_ENTRIES - 1))

#ifndef __ASSEMBLER__
/* The frame an entry points to: bits 51-12; bits 63-52 are NX (63) and reserved. */
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull
#define PTE_HIGH_BITS 0xFFF0000000000000ull
#endif

#endif
