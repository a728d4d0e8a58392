/* symbols.c - naming monitor addresses in fault reports (ring 0).
 * The table is generated from the linked image by tools/mksyms and linked into .ksyms, the last
 * loaded section, so that adding it moves no code (the Makefile checks this).
 */
#include "hv.h"
#include "memlayout.h"

const char *symbol_lookup(uint32_t addr, uint32_t *offset)
{
    if (addr < (uint32_t)(uintptr_t)_text || addr >= (uint32_t)(uintptr_t)_etext)
        return NULL;
    uint32_t lo = 0, hi = ksym_count;        /* find the last entry with ksym.addr <= addr */
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (ksym_table[mid].addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    *offset = addr - ksym_table[lo - 1].addr;
    return ksym_names + ksym_table[lo - 1].name;
}

static void print_frame(uint32_t eip)
{
    uint32_t off;
    const char *name = symbol_lookup(eip, &off);
    if (name)
        hv_err("  [%08x] %s+0x%x\n", eip, name, off);
    else
        hv_err("  [%08x] ?\n", eip);
}

/* Walk the frame-pointer chain (the monitor is built with -fno-omit-frame-pointer); the boot code
 * starts the chain with EBP = 0. Stop at anything that is not a plausible monitor stack address. */
void backtrace_print(uint32_t eip, uint32_t ebp)
{
    hv_err("backtrace:\n");
    print_frame(eip);
    for (int depth = 0; depth < 32 && ebp >= DIRECTMAP_START && (ebp & 3) == 0; depth++) {
        const uint32_t *frame = (const uint32_t *)(uintptr_t)ebp;
        uint32_t ret = frame[1];
        if (!ret)
            break;
        print_frame(ret);
        if (frame[0] <= ebp)
            break;                            /* stacks grow down: callers are higher */
        ebp = frame[0];
    }
}
