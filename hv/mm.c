/* mm.c - the machine frame pool, the M2P table and the monitor's part of every address space
 * (ring 0).
 *
 * The machine-to-physical table (M2P) says, for every machine frame, which pseudo-physical frame
 * of its domain it is. Guests read it at MACH2PHYS_VIRT_START (Xen's ABI); only the monitor
 * writes it, through the direct map.
 */
#include "hv.h"
#include "memlayout.h"
#include "mm.h"
#include "mmu.h"
#include "x86.h"
#include "xen.h"

struct frame_pool machine_frames;

static uint32_t m2p[MAX_FRAMES] __attribute__((aligned(PAGE_SIZE)));
static pte_t m2p_l1[L1_ENTRIES] __attribute__((aligned(PAGE_SIZE)));
extern pte_t monitor_l2[L2_ENTRIES];      /* hv/entry.asm: the monitor's slot-3 L2 */

#define L2_SLOT(va) (((va) >> 21) & (L2_ENTRIES - 1))
#define FIRST_MONITOR_SLOT L2_SLOT(HYPERVISOR_VIRT_START)

_Static_assert(sizeof(m2p) <= L1_ENTRIES * PAGE_SIZE, "the M2P fits one L1 table's 2 MiB");
_Static_assert(HYPERVISOR_VIRT_START == HV_AREA_START, "memlayout.h agrees with Xen's ABI");

void mm_init(void)
{
    for (uint32_t i = 0; i < MAX_FRAMES; i++)
        m2p[i] = INVALID_M2P_ENTRY;
    /* Read-only and user: the L2 entry has no RW bit, so no L1 entry below it can grant writing,
     * and CR0.WP makes that bind ring 1 too. */
    for (uint32_t i = 0; i < sizeof(m2p) / PAGE_SIZE; i++)
        m2p_l1[i] = (pte_t)virt_to_phys((uint8_t *)m2p + i * PAGE_SIZE) | PTE_P | PTE_US | PTE_A;
    monitor_l2[L2_SLOT(MACH2PHYS_VIRT_START)] = (pte_t)virt_to_phys(m2p_l1) | PTE_P | PTE_US | PTE_A;
    write_cr3(read_cr3());
}

void m2p_set(uint32_t mfn, uint32_t pfn)
{
    m2p[mfn] = pfn;
}

void mm_copy_monitor_entries(pte_t *l2)
{
    for (unsigned i = FIRST_MONITOR_SLOT; i < L2_ENTRIES; i++)
        l2[i] = monitor_l2[i];
}

extern pte_t monitor_l3[L3_ENTRIES];       /* hv/entry.asm: the monitor's own address space */

void mm_switch_idle(void)
{
    write_cr3(virt_to_phys(monitor_l3));
}

void mm_switch(uint32_t l3_mfn)
{
    write_cr3(l3_mfn << PAGE_SHIFT);
}
