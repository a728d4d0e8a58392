/* ringcomp.c - ring compression, shown: what a guest kernel in ring 1 may touch, and what keeps it
 * out of the monitor (guest ring 1, SDK; docs/LESSONS.md, lesson 5).
 *
 * The monitor takes ring 0 and pushes the guest kernel down to ring 1. But paging knows only two
 * kinds of access, supervisor (rings 0, 1 and 2) and user (ring 3): the monitor's pages, mapped
 * at the top of every address space, are supervisor pages, open to ring 1 as far as paging goes.
 * What keeps ring 1 out is segmentation, checked before paging: every segment a guest can load
 * ends at 0xF67FFFFF, the top of the read-only M2P table (Xen's "segment truncation"), and the
 * monitor lies above it. Each row below tries one access and prints what stopped it.
 *
 * The CPU must check the limits for this to hold. Hardware and Bochs do; QEMU's TCG does not
 * (it skips segment limit checks for speed), and under QEMU the rows beyond the limit succeed:
 * ring 1 reads the monitor. With `trace` on the command line, the read of the monitor's image is
 * framed by magic breakpoints for `make lesson ringcomp`.
 */
#include "sdk.h"
#include "x86/descriptors.h"

#define GUEST_LIMIT     (MACH2PHYS_VIRT_END - 1)   /* 0xF67FFFFF: where every guest segment ends */
#define PERDOMAIN_AREA  MACH2PHYS_VIRT_END          /* 0xF6800000: the monitor's per-domain area (the GDT) */
#define MONITOR_IMAGE   0xF7100000u                 /* the monitor's image: loaded at 1 MiB, mapped at
                                                       0xF7000000 + 1 MiB (docs/MEMORY.md); its first
                                                       dword is the Multiboot magic */
#define MULTIBOOT_MAGIC 0x1BADB002u
#define MONITOR_FRAME   0x100u                      /* the machine frame at 1 MiB: the monitor's */
#define OWN_SEL         (1 << 3 | 1)                /* entry 1 of our own GDT, RPL 1 */

static int trace;                                   /* `trace` on the command line */

/* ---- one access, with any fault caught ---------------------------------------------------------- */

/* What the last probe met: a vector (NO_FAULT if none), its error code, and for #PF the address. */
#define NO_FAULT 0xFFFFu
static volatile uint32_t fault_vector, fault_error, fault_cr2;
static volatile uint32_t resume;                    /* where a faulting probe goes on */

static void on_fault(struct regs *r)
{
    fault_vector = r->vector;
    fault_error = r->error_code;
    fault_cr2 = r->vector == 14 ? shared_info->vcpu_info[0].arch.cr2 : 0;
    r->eip = resume;
}

/* Read (or write, when write is set) the dword at sel:addr. Loading the selector and the access
 * both may fault; either way the probe resumes at label 1, where %es is the kernel's again. */
static uint32_t probe(uint16_t sel, uint32_t addr, int write, uint32_t value)
{
    fault_vector = NO_FAULT;
    if (write)
        __asm__ volatile("movl $1f, %[resume]\n\t"
                         "mov %w[sel], %%es\n\t"
                         "movl %[v], %%es:(%[addr])\n"
                         "1:\tmov %w[ds], %%es"
                         : [resume] "=m"(resume)
                         : [sel] "r"((uint32_t)sel), [addr] "r"(addr), [v] "r"(value), [ds] "r"((uint32_t)FLAT_KERNEL_DS)
                         : "memory");
    else
        __asm__ volatile("movl $1f, %[resume]\n\t"
                         "mov %w[sel], %%es\n\t"
                         "movl %%es:(%[addr]), %[v]\n"
                         "1:\tmov %w[ds], %%es"
                         : [resume] "=m"(resume), [v] "+r"(value)
                         : [sel] "r"((uint32_t)sel), [addr] "r"(addr), [ds] "r"((uint32_t)FLAT_KERNEL_DS)
                         : "memory");
    return value;
}

/* The probe's outcome in words: the value it read, "written", or the fault. */
static void outcome(char *got, size_t size, int write, uint32_t value)
{
    if (fault_vector == 13)
        format_snprintf(got, size, "#GP, error code %#x", fault_error);
    else if (fault_vector == 14)
        format_snprintf(got, size, "#PF at %#x, error code %#x", fault_cr2, fault_error);
    else if (fault_vector != NO_FAULT)
        format_snprintf(got, size, "fault %u, error code %#x", fault_vector, fault_error);
    else if (write)
        format_snprintf(got, size, "written");
    else
        format_snprintf(got, size, "read %#x", value);
}

/* ---- the rows ----------------------------------------------------------------------------------- */

static unsigned row_number;

static void row(const char *tried, const char *got, const char *why)
{
    printf("%2u | %-54s | %-34s | %s\n", ++row_number, tried, got, why);
}

/* Accesses beyond the limit, and how many of them the CPU stopped: the closing line's count. */
static unsigned beyond, stopped;

/* One access through a segment, as a row: what it got, and what stopped it (why_fault) if it
 * faulted. Beyond the limit, no fault means this CPU did not check the limit. */
static void access(const char *tried, uint16_t sel, uint32_t addr, int write, uint32_t value, const char *why_fault)
{
    int traced = trace && addr == MONITOR_IMAGE && sel == FLAT_KERNEL_DS;
    if (traced)
        GUEST_BREAK();                              /* the trace starts here */
    uint32_t v = probe(sel, addr, write, value);
    if (traced)
        GUEST_BREAK();                              /* and stops here */
    char got[48];
    outcome(got, sizeof(got), write, v);
    const char *why = fault_vector != NO_FAULT ? why_fault
                    : addr <= GUEST_LIMIT ? "nothing: within the limit, and paging lets it"
                    : v == MULTIBOOT_MAGIC ? "nothing: no limit check (that is the monitor's Multiboot magic)"
                    : "nothing: no limit check";
    if (addr > GUEST_LIMIT && sel != __HYPERVISOR_DS) {
        beyond++;
        stopped += fault_vector == 13;
    }
    row(tried, got, why);
}

/* ---- a segment of the guest's own: its GDT, one frame, read-only as Xen requires ----------------- */

static uint64_t gdt[512] __attribute__((aligned(4096)));

/* Write d into our own GDT at slot, through the monitor (the frame is read-only to us). */
static long update_descriptor(uint64_t *slot, uint64_t d)
{
    return HYPERVISOR_update_descriptor((uint64_t)virt_to_mfn(slot) << 12 | ((uint32_t)(uintptr_t)slot & 0xFFF), d);
}

static uint32_t segment_limit(uint16_t sel)
{
    uint32_t limit = 0;
    __asm__ volatile("lsl %1, %0" : "+r"(limit) : "r"((uint32_t)sel) : "cc");
    return limit;
}

static void own_gdt(void)
{
    uint32_t mfn = virt_to_mfn(gdt);
    char got[48];
    long rc = map_page(gdt, mfn, PTE_P | PTE_A);            /* a GDT frame must not be writable */
    if (rc == 0)
        rc = HYPERVISOR_set_gdt(&mfn, 512);
    if (rc == 0)                                        /* flat 4 GiB data, DPL 1, page-granular */
        rc = update_descriptor(&gdt[1], seg_descriptor(0, 0xFFFFF, SEG_P | SEG_DPL(1) | SEG_S | SEG_DATA_RW, SEG_G | SEG_DB));
    if (rc)
        format_snprintf(got, sizeof(got), "refused: %ld", rc);
    else
        format_snprintf(got, sizeof(got), "accepted, limit now %#x", segment_limit(OWN_SEL));
    row("a flat 4 GiB segment of its own (update_descriptor)", got,
        "the monitor: it truncated the limit below itself");
    access("read the monitor's image through that segment", OWN_SEL, MONITOR_IMAGE, 0, 0, "the segment limit");
    rc = update_descriptor(&gdt[2], seg_descriptor(0xF7000000, 0xFFF, SEG_P | SEG_DPL(1) | SEG_S | SEG_DATA_RW, SEG_DB));
    format_snprintf(got, sizeof(got), rc ? "refused: %ld" : "accepted", rc);
    row("a segment based in the monitor, 0xf7000000", got, "the monitor: the base must lie below it");
}

/* ---- page tables: the other half of the fence (lesson 7) ----------------------------------------- */

static void page_tables(void)
{
    static uint8_t window[4096] __attribute__((aligned(4096)));
    char got[48];
    long rc = HYPERVISOR_update_va_mapping(MONITOR_IMAGE, (uint64_t)MONITOR_FRAME << 12 | PTE_P | PTE_RW, 0);
    format_snprintf(got, sizeof(got), rc ? "refused: %ld" : "accepted", rc);
    row("a mapping of its own at 0xf7100000 (update_va_mapping)", got, "the monitor: the area is not the guest's");
    rc = map_page(window, MONITOR_FRAME, PTE_P | PTE_A);
    format_snprintf(got, sizeof(got), rc ? "refused: %ld" : "accepted", rc);
    row("the monitor's frame 0x100 in its own page table", got, "the monitor: the frame is not the guest's");
    uint32_t l3 = start_info->pt_base;                  /* its top-level page table, mapped read-only */
    access("write its own top-level page table", FLAT_KERNEL_DS, l3, 1, probe(FLAT_KERNEL_DS, l3, 0, 0),
           "paging: its page tables are read-only to it");
}

int main(void)
{
    char value[8];
    trace = cmdline_option("trace", value, sizeof(value));
    traps_init();
    trap_set_handler(13, on_fault);
    trap_set_handler(14, on_fault);
    uint32_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    printf("ring compression: the guest kernel runs in ring %u; its segments end at %#x (lsl)\n",
           cs & 3, segment_limit(FLAT_KERNEL_DS));
    printf(" # | %-54s | %-34s | %s\n", "what ring 1 tries", "what it got", "what stopped it");

    access("read its own kernel at 0xc0000000 (its hypercall page)", FLAT_KERNEL_DS, 0xC0000000, 0, 0, "unexpected: it should be readable");
    uint32_t mfn = virt_to_mfn((void *)0xC0000000);
    uint32_t m2p = MACH2PHYS_VIRT_START + 4 * mfn;
    access("read the M2P entry of that page's machine frame", FLAT_KERNEL_DS, m2p, 0, 0, "unexpected: it should be readable");
    access("write that M2P entry", FLAT_KERNEL_DS, m2p, 1, 0, "paging: the M2P is mapped read-only");
    access("read the monitor's per-domain area, 0xf6800000", FLAT_KERNEL_DS, PERDOMAIN_AREA, 0, 0, "the segment limit");
    access("read the monitor's image, 0xf7100000", FLAT_KERNEL_DS, MONITOR_IMAGE, 0, 0, "the segment limit");
    access("load the monitor's data selector 0xe010", __HYPERVISOR_DS, 0xC0000000, 0, 0,
           "privilege: the selector's DPL is 0");
    own_gdt();
    page_tables();

    if (stopped == beyond)
        printf("all %u accesses beyond %#x raised #GP: the segment limits held, as on hardware\n", beyond, GUEST_LIMIT);
    else
        printf("%u of %u accesses beyond %#x went through: this CPU does not check segment limits (QEMU's TCG "
               "does not); on hardware and under Bochs each raises #GP\n", beyond - stopped, beyond, GUEST_LIMIT);
    return 0;
}
