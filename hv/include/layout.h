/* layout.h - where the domain builder puts things in a new guest's address space (Xen's start of
 * day for a 32-bit PAE guest). Pure code, host-tested (tests/host/test_layout.c).
 *
 *   virt_base                      pfn 0 (the mapping starts here, even below the image)
 *   virt_kstart .. virt_kend       the kernel image
 *   mod_va                         a module handed to the guest (start_info.mod_start), if any
 *   p2m_va                         the p2m list: 4 bytes per page, pfn -> mfn
 *   start_info_va                  start_info (ESI points here)
 *   store_va                       the xenstore ring (every domain but domain 0)
 *   console_va                     the console ring (every domain but domain 0)
 *   pt_va                          the initial page tables: L3, then L2s, then L1s (read-only)
 *   stack_va                       one page of boot stack (ESP = its top)
 *   ... at least 512 KiB mapped and free ...
 *   virt_end                       end of the mapping, a multiple of 4 MiB from 0
 */
#ifndef HV_LAYOUT_H
#define HV_LAYOUT_H
#include <stdint.h>
#include "x86/paging.h"

#define BOOTSTRAP_SLACK  (512u * 1024)      /* mapped, free room the guest can count on */
#define BOOTSTRAP_ALIGN  (4u * 1024 * 1024)

struct layout {
    uint32_t virt_base, virt_kstart, virt_kend;
    uint32_t mod_va, mod_len;             /* 0 when there is no module */
    uint32_t p2m_va, p2m_pages;
    uint32_t start_info_va;
    uint32_t store_va, console_va;        /* 0 when there are none (domain 0) */
    uint32_t pt_va, nr_pt_frames;
    uint32_t nr_l2, nr_l1;                /* among nr_pt_frames, after the one L3 */
    uint32_t stack_va;
    uint32_t virt_end;
    uint32_t nr_pages;
};

/* Lay out a domain of nr_pages pages whose image spans [virt_kstart, virt_kend), with a module of
 * mod_len bytes (or none). `limit` is HYPERVISOR_VIRT_START. Returns 0, or -1 with the reason in
 * `why` (the domain does not fit). */
int layout_compute(uint32_t virt_base, uint32_t virt_kstart, uint32_t virt_kend, uint32_t mod_len,
                   uint32_t nr_pages, int with_console, uint32_t limit, struct layout *l, const char **why);

/* The pseudo-physical frame a bootstrap virtual address maps to. */
static inline uint32_t layout_pfn(const struct layout *l, uint32_t va) { return (va - l->virt_base) >> PAGE_SHIFT; }

/* Which of the L2 tables (0..nr_l2-1) serves L3 slot `slot`, or -1 if none does. */
int layout_l2_index(const struct layout *l, unsigned slot);

#endif
