/* descriptor.c - Xen's rules for the descriptors a guest may load (Intel SDM 3.4.5 for the layout).
 * Pure code: the monitor runs it on set_gdt, update_descriptor and SET_LDT (ring 0); host-tested.
 *
 *   not present        always safe: using it faults
 *   code or data       DPL 0 is raised to 1 (ring 1 is the guest kernel's ring 0); the base must
 *                      lie at least a page below the monitor; a limit reaching the monitor is
 *                      truncated when page-granular (G=1) and refused when byte-granular;
 *                      expand-down data segments are refused (they would cover the top)
 *   call gate          only to a guest code selector (not the monitor's), RPL raised to 1
 *   type 0             harmless (the second half of a call gate)
 *   anything else      refused: TSS, LDT, task, interrupt and trap gates are the monitor's
 *
 * And the rules for the selectors a guest names (gates, callbacks, its kernel stack), below.
 */
#include "descriptor.h"
#include "x86/descriptors.h"
#include "x86/paging.h"
#include "xen.h"

/* The bits of lib/x86/descriptors.h, where they sit in a whole 8-byte descriptor. */
#define D_ACCESSED  ((uint64_t)SEG_TYPE_ACCESSED << SEG_ACCESS_SHIFT)
#define D_TYPE(d)   (((d) >> SEG_ACCESS_SHIFT) & 0xF)
#define D_S         ((uint64_t)SEG_S << SEG_ACCESS_SHIFT)     /* code or data, not system */
#define D_DPL_SHIFT (SEG_ACCESS_SHIFT + 5)
#define D_P         ((uint64_t)SEG_P << SEG_ACCESS_SHIFT)
#define D_G         ((uint64_t)SEG_G << SEG_FLAGS_SHIFT)
#define D_DPL(d)    (((d) >> D_DPL_SHIFT) & 3)
#define PAGE ((uint32_t)PAGE_SIZE)

uint32_t descriptor_base(uint64_t d)
{
    return (uint32_t)((d >> 16) & 0xFFFFFF) | (uint32_t)((d >> 56) & 0xFF) << 24;
}

static uint32_t limit_of(uint64_t d)
{
    return (uint32_t)(d & 0xFFFF) | (uint32_t)((d >> 48) & 0xF) << 16;
}

static uint64_t with_limit(uint64_t d, uint32_t limit)
{
    d &= ~(0xFFFFull | 0xFull << 48);
    return d | (limit & 0xFFFF) | (uint64_t)((limit >> 16) & 0xF) << 48;
}

uint32_t fixup_guest_selector(uint32_t sel)
{
    return SELECTOR_RPL(sel) == 0 ? sel | GUEST_KERNEL_RPL : sel;
}

/* The guest's own GDT entries (below the monitor's reserved ones) or any LDT entry. */
static int in_guest_tables(uint32_t sel)
{
    return SELECTOR_INDEX(sel) < FIRST_RESERVED_GDT_ENTRY || (sel & SELECTOR_TI);
}

int guest_gate_selector_ok(uint32_t sel)
{
    return in_guest_tables(sel) || sel == FLAT_RING1_CS;
}

/* A call gate's target: Xen's gate rule, and (stricter than Xen) never the null selector. */
static int check_call_gate(uint64_t *d)
{
    uint32_t sel = fixup_guest_selector((uint32_t)(*d >> 16) & 0xFFFF);
    if ((sel & ~3u) == 0 || !guest_gate_selector_ok(sel) || (*d & (0xE0ull << 32)))   /* parameter count bits 5-7 reserved */
        return -1;
    *d = (*d & ~(0xFFFFull << 16)) | (uint64_t)sel << 16;
    return 0;
}

int guest_stack_selector_ok(uint32_t sel)
{
    return (sel & ~3u) != 0 && SELECTOR_RPL(sel) == GUEST_KERNEL_RPL &&
           (in_guest_tables(sel) || sel == FLAT_RING1_SS);
}

int descriptor_is_ring1_stack(uint64_t d)
{
    uint32_t type = D_TYPE(d);
    return (d & D_P) && (d & D_S) && !(type & (SEG_TYPE_CODE | SEG_TYPE_EXPAND_DOWN)) && (type & SEG_TYPE_WRITABLE) &&
           D_DPL(d) == GUEST_KERNEL_RPL;
}

uint32_t descriptor_limit(uint64_t d)
{
    uint32_t limit = limit_of(d);
    return d & D_G ? limit << PAGE_SHIFT | (PAGE - 1) : limit;
}

static int check_segment(uint64_t *d)
{
    uint32_t base = descriptor_base(*d);
    uint64_t limit = (uint64_t)limit_of(*d) + 1;
    if (base >= GUEST_SEGMENT_MAX_ADDR - PAGE)
        return -1;
    if (!(D_TYPE(*d) & SEG_TYPE_CODE) && (D_TYPE(*d) & SEG_TYPE_EXPAND_DOWN))
        return -1;
    if (*d & D_G)
        limit <<= 12;
    if (base + limit > GUEST_SEGMENT_MAX_ADDR) {
        if (!(*d & D_G))
            return -1;
        *d = with_limit(*d, ((GUEST_SEGMENT_MAX_ADDR - base) >> PAGE_SHIFT) - 1);
    }
    return 0;
}

int check_descriptor(uint64_t *d)
{
    if (!(*d & D_P))
        return 0;
    if (((*d >> D_DPL_SHIFT) & 3) == 0)
        *d |= 1ull << D_DPL_SHIFT;
    if (*d & D_S)
        return check_segment(d);
    if (D_TYPE(*d) == 0)
        return 0;
    if (D_TYPE(*d) == GATE_CALL32)
        return check_call_gate(d);
    return -1;
}

int check_descriptor_page(uint64_t *page)
{
    for (unsigned i = 0; i < PAGE / 8; i++)
        if (check_descriptor(&page[i]) < 0)
            return -1;
    return 0;
}
