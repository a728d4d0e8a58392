/* memory.c - the guest kernel's view of its memory (guest ring 1): pfn and mfn, its own page
 * table entries, and the two mappings every SDK guest needs from the monitor: shared_info, and
 * user access to the pages ring-3 code runs in. Every change goes through update_va_mapping,
 * which the monitor checks (direct paging: the page tables are real, but read-only to us).
 */
#include "sdk.h"

struct shared_info *shared_info;
/* The page-aligned hole shared_info is mapped into (its own frame becomes unused). */
static uint8_t shared_info_window[4096] __attribute__((aligned(4096)));

uint32_t virt_to_mfn(const void *va)
{
    const uint32_t *p2m = (const uint32_t *)start_info->mfn_list;
    return p2m[((uint32_t)(uintptr_t)va - GUEST_VIRT_BASE) >> 12];
}

long map_page(void *va, uint32_t mfn, uint32_t flags)
{
    uint64_t pte = (uint64_t)mfn << 12 | flags;
    return HYPERVISOR_update_va_mapping((uint32_t)(uintptr_t)va, pte, UVMF_INVLPG);
}

void memory_init(void)
{
    long rc = map_page(shared_info_window, start_info->shared_info >> 12, PTE_P | PTE_RW | PTE_A | PTE_D);
    if (rc)
        panic("mapping shared_info: %ld", rc);
    shared_info = (struct shared_info *)shared_info_window;
}

long map_user(void *start, void *end)
{
    for (uint8_t *p = start; p < (uint8_t *)end; p += 4096) {
        long rc = map_page(p, virt_to_mfn(p), PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
        if (rc)
            return rc;
    }
    return 0;
}
