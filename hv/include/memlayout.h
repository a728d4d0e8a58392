/* memlayout.h - the monitor's virtual address map (32-bit PAE).
 * Included by C and by the NASM entry code (through asm-offsets), so only plain numbers here.
 *
 *   0xFFFFFFFF +--------------------------------------------+
 *              | direct map of machine memory 0..144 MiB     |  2 MiB pages, ring 0 only;
 *              |   the monitor image starts at 0xF7100000    |  virt = phys + DIRECTMAP_START
 *   0xF7000000 +--------------------------------------------+
 *              | per-domain area: the running vCPU's GDT    |  ring 0 only
 *              |   and LDT pages (hv/segments.c)            |
 *   0xF6800000 +--------------------------------------------+
 *              | machine-to-physical table, read-only        |  guests may read (Xen's ABI)
 *   0xF5800000 +--------------------------------------------+  HYPERVISOR_VIRT_START
 *              | guest kernel and applications               |
 *   0x00000000 +--------------------------------------------+
 *
 * Everything from HYPERVISOR_VIRT_START up is L2 slots 428..511 of the L2 table that L3 slot 3
 * points to; every guest address space will carry those slots unchanged.
 */
#ifndef HV_MEMLAYOUT_H
#define HV_MEMLAYOUT_H

#define HV_AREA_START        0xF5800000   /* = Xen's HYPERVISOR_VIRT_START for x86_32 PAE */
#define PERDOMAIN_START      0xF6800000
#define DIRECTMAP_START      0xF7000000
#define DIRECTMAP_SIZE       0x09000000   /* 144 MiB: the RAM the monitor can use */
#define HV_LOAD_PHYS         0x00100000   /* where the boot loader puts the image */

#define BOOT_STACK_SIZE      0x4000

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The direct map is the only way the monitor reaches machine memory. */
static inline void *phys_to_virt(uint32_t pa) { return (void *)(uintptr_t)(pa + DIRECTMAP_START); }
static inline uint32_t virt_to_phys(const void *va) { return (uint32_t)(uintptr_t)va - DIRECTMAP_START; }
#endif

#endif
