/* descriptors.c - a guest that gives the monitor its own GDT and LDT and tries descriptors Xen
 * refuses (guest ring 1, SDK): DPL 0 raised to 1, limits truncated or refused, call gates to the
 * monitor, system descriptors, and writable mappings of descriptor pages.
 */
#include "sdk.h"
#include "x86/descriptors.h"

static int failures;
static uint64_t gdt[512] __attribute__((aligned(4096)));
static uint64_t ldt[512] __attribute__((aligned(4096)));

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static uint64_t call_gate(uint16_t sel, uint32_t offset)
{
    return (uint64_t)(offset & 0xFFFF) | (uint64_t)sel << 16 | (uint64_t)0xEC << 40 | (uint64_t)(offset >> 16) << 48;
}

static long update(uint64_t *slot, uint64_t d)
{
    return HYPERVISOR_update_descriptor((uint64_t)virt_to_mfn(slot) << 12 | ((uint32_t)(uintptr_t)slot & 0xFFF), d);
}

static struct regs fault;
static void record_fault(struct regs *r)
{
    fault = *r;
    r->eip += 2;                                          /* mov %eax, %ds */
}

static int load_ds(uint16_t sel)
{
    uint32_t value = 0;
    __asm__ volatile("mov %1, %%ds; mov (%2), %0; mov %3, %%ds"
                     : "=r"(value) : "r"(sel), "r"(&gdt[1]), "r"(FLAT_KERNEL_DS) : "memory");
    return value != 0;
}

int main(void)
{
    traps_init();
    uint32_t mfn = virt_to_mfn(gdt);
    gdt[1] = seg_descriptor(0, 0xFFFFF, 0x92, 0xC);          /* flat data, DPL 0, G=1 */
    gdt[2] = seg_descriptor(0, 0xFFFFF, 0xBA, 0xC);          /* flat code, DPL 1 */
    gdt[3] = seg_descriptor(0, 0xFFFF, 0x32, 0);             /* not present (DPL 1): always fine */

    check(hypercall2(__HYPERVISOR_set_gdt, &mfn, 512) == -XEN_EINVAL, "set_gdt on a frame we still map writable: -EINVAL");
    check(map_page(gdt, mfn, PTE_P | PTE_A) == 0, "the GDT frame remapped read-only");
    check(hypercall2(__HYPERVISOR_set_gdt, &mfn, 512) == 0, "set_gdt accepts it now");
    check(hypercall2(__HYPERVISOR_set_gdt, &mfn, 8000) == -XEN_EINVAL, "set_gdt of 8000 entries (into the reserved ones): -EINVAL");
    check(((gdt[1] >> 45) & 3) == 1, "a DPL-0 descriptor was raised to DPL 1");
    check((uint32_t)((gdt[1] & 0xFFFF) | ((gdt[1] >> 48) & 0xF) << 16) == 0xF67FF,
          "a flat 4 GiB limit was truncated below the monitor (0xF67FF pages)");
    check(load_ds(1 << 3 | 1), "our own GDT entry loads into DS and works");
    trap_set_handler(11, record_fault);
    __asm__ volatile("mov %0, %%eax; mov %%eax, %%ds; mov %1, %%eax; mov %%eax, %%ds" :: "i"(3 << 3 | 1), "i"(FLAT_KERNEL_DS) : "eax", "memory");
    __asm__ volatile("" ::: "memory");
    check(fault.vector == 11 && fault.error_code == (3 << 3), "#NP loading a not-present descriptor: error code = its selector");

    check(map_page(gdt, mfn, PTE_P | PTE_RW | PTE_A) == -XEN_EINVAL, "a writable mapping of a GDT frame: -EINVAL");
    struct mmu_update u = { .ptr = (uint64_t)mfn << 12 | MMU_NORMAL_PT_UPDATE, .val = 0 };
    check(HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF) == -XEN_EINVAL, "mmu_update writing into a GDT frame: -EINVAL");

    check(update(&gdt[4], seg_descriptor(0x1000, 0xFFF, 0x89, 0)) == -XEN_EINVAL, "a TSS (system) descriptor: -EINVAL");
    check(update(&gdt[4], call_gate(0xe008, 0x1000)) == -XEN_EINVAL, "a call gate to the monitor's code selector: -EINVAL");
    check(update(&gdt[4], call_gate(2 << 3, 0xC0001000)) == 0 && ((gdt[4] >> 16) & 0xFFFF) == (2 << 3 | 1),
          "a call gate to our own code selector: accepted, RPL raised to 1");
    check(update(&gdt[5], seg_descriptor(0xF67FF000, 0xFFF, 0x92, 0x4)) == -XEN_EINVAL, "a base in the last page below the monitor: -EINVAL");
    check(update(&gdt[5], seg_descriptor(0xF67F0000, 0x1FFFF, 0x92, 0x4)) == -XEN_EINVAL, "a byte-granular limit into the monitor: -EINVAL");
    check(update(&gdt[5], seg_descriptor(0x10000, 0xFFFFF, 0x96, 0xC)) == -XEN_EINVAL, "an expand-down data segment: -EINVAL");
    check(update(&gdt[5], seg_descriptor(0x100000, 0xFFFFF, 0x92, 0xC)) == 0 &&
          ((gdt[5] & 0xFFFF) | ((gdt[5] >> 48) & 0xF) << 16) == (0xF6800000u - 0x100000) / 4096 - 1,
          "update_descriptor truncates a page-granular limit too");

    ldt[0] = seg_descriptor(0, 0xFFFFF, 0xB2, 0xC);          /* flat data, DPL 1 */
    map_page(ldt, virt_to_mfn(ldt), PTE_P | PTE_A);
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = (uint32_t)(uintptr_t)ldt, .arg2.nr_ents = 1 };
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) == 0, "MMUEXT_SET_LDT with one entry");
    check(load_ds(0 << 3 | 4 | 1), "the LDT entry loads into DS and works");
    op.arg1.linear_addr += 8;
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) == -XEN_EINVAL, "SET_LDT at an unaligned address: -EINVAL");
    op = (struct mmuext_op){ .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = 0, .arg2.nr_ents = 0 };
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) == 0, "SET_LDT with no entries removes it");

    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
