/* platform_xen.c - the minikernel's platform on hv: a paravirtualized kernel in ring 1, through
 * the guest SDK (platform.h says what each function promises; docs/PORTING.md sets each beside
 * its bare-hardware twin). Every privileged thing the kernel needs is a hypercall or a convention
 * of Xen's ABI here: the trap table instead of an IDT, the event mask instead of cli/sti, event
 * channels instead of the PIC, set_timer_op instead of the PIT, mmu_update and pinned read-only
 * tables instead of writes to page tables, NEW_BASEPTR instead of mov %cr3, SCHEDOP_block
 * instead of hlt, the console ring (or console_io) instead of the serial port.
 */
#include "platform.h"

static const struct platform_handlers *handlers;

/* ---- start of day ------------------------------------------------------------------------------ */

/* The event upcall: each pending port's handler (the timer's, the console's), then the kernel's
 * look at what it interrupted. Back to ring 3, events go on again with the iret. */
static void upcall(struct regs *r)
{
    events_dispatch();
    handlers->interrupted(r);
    if ((r->cs & 3) == 3)
        irq_enable_on_return();
}

static void on_timer(evtchn_port_t port)
{
    (void)port;
    handlers->tick();
}

static void on_console(evtchn_port_t port)
{
    (void)port;
    char chunk[32];
    long n;
    while ((n = HYPERVISOR_console_io(CONSOLEIO_read, sizeof(chunk), chunk)) > 0)
        handlers->input(chunk, (uint32_t)n);
}

void platform_init(const struct platform_handlers *h)
{
    handlers = h;
    traps_init();
    for (unsigned v = 0; v < SDK_NR_EXCEPTIONS; v++)
        trap_set_handler(v, h->fault);
    trap_set_handler(SDK_EVENT_VECTOR, upcall);      /* instead of events_init's plain dispatcher */
    trap_set_handler(SYSCALL_VECTOR, h->syscall);
    if (syscall_gate(3, 0) < 0)                       /* DPL 3, a trap gate: the direct path */
        panic("cannot open int $0x80 to ring 3");
    if (bind_virq(VIRQ_TIMER, on_timer) < 0)
        panic("cannot bind VIRQ_TIMER");
    if (platform_has_input() && bind_virq(VIRQ_CONSOLE, on_console) > 0)
        on_console(0);                                /* what was typed before we listened */
}

const char *platform_cmdline(void)
{
    return (const char *)start_info->cmd_line;
}

const uint8_t *platform_module(uint32_t *len)
{
    uint32_t module = start_info->mod_start;
    if (start_info->flags & SIF_MOD_START_PFN)
        module = GUEST_VIRT_BASE + module * PAGE_SIZE;   /* a frame number, not an address */
    *len = start_info->mod_len;
    return module ? (const uint8_t *)module : NULL;
}

/* Typing reaches domain 0 alone (CONSOLEIO_read, VIRQ_CONSOLE). */
int platform_has_input(void)
{
    return (start_info->flags & SIF_INITDOMAIN) != 0;
}

/* ---- interrupts, idling and time --------------------------------------------------------------- */

void irq_disable(void)
{
    events_mask();
}

/* Clearing the mask byte is all: an event that came meanwhile makes the SDK's exit take the iret
 * hypercall, which delivers it as an upcall from ring 3. */
void irq_enable_on_return(void)
{
    __asm__ volatile("" ::: "memory");
    shared_info->vcpu_info[0].evtchn_upcall_mask = 0;
}

/* SCHEDOP_block unmasks and sleeps until an event; its upcall runs nested here. */
void platform_idle(void)
{
    block();
    events_mask();
}

uint64_t platform_clock_ns(void) { return clock_ns(); }
uint64_t platform_wallclock_ns(void) { return wallclock_ns(); }
void platform_timer_set(uint64_t deadline_ns) { timer_set(deadline_ns); }

/* ---- the console ------------------------------------------------------------------------------- */

void platform_console_write(const char *s, uint32_t len)
{
    console_write(s, len);
}

/* ---- memory and page tables ---------------------------------------------------------------------
 * Direct paging (docs/MEMORY.md): the tables are the real ones, but read-only to us. A page
 * becomes a table by losing its writable mapping and being pinned, which is when the monitor
 * checks every entry; after that each entry changes by mmu_update, checked one by one. */

void *platform_page_alloc(void) { return page_alloc(); }
uint32_t platform_pages_left(void) { return page_alloc_left(); }
uint32_t virt_to_frame(const void *va) { return virt_to_mfn(va); }
void *frame_to_virt(uint32_t frame) { return mfn_to_virt(frame); }
uint32_t platform_kernel_l3(void) { return virt_to_mfn((const void *)start_info->pt_base); }

int table_make(uint32_t frame, unsigned level)
{
    void *page = mfn_to_virt(frame);
    if (map_page(page, frame, PTE_P | PTE_A) < 0)
        return -1;
    if (table_pin(frame, level) == 0)
        return 0;
    map_page(page, frame, PTE_P | PTE_RW | PTE_A | PTE_D);   /* refused: writable again */
    return -1;
}

void table_unmake(uint32_t frame, unsigned level)
{
    (void)level;
    struct mmuext_op op = { .cmd = MMUEXT_UNPIN_TABLE, .arg1.mfn = frame };
    HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    if (map_page(mfn_to_virt(frame), frame, PTE_P | PTE_RW | PTE_A | PTE_D) < 0)
        panic("table frame %#x stays a table", frame);
}

int pte_write(uint32_t table, unsigned index, uint64_t entry)
{
    struct mmu_update u = { (uint64_t)table << PAGE_SHIFT | index * PTE_SIZE | MMU_NORMAL_PT_UPDATE, entry };
    return HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF) < 0 ? -1 : 0;
}

/* One mmu_update for them all: the monitor checks each entry as it would alone, and the kernel
 * pays one crossing instead of n. */
int pte_write_batch(const struct pte_write *w, unsigned n)
{
    static struct mmu_update u[L1_ENTRIES];
    for (unsigned done = 0; done < n; ) {
        unsigned k = n - done < L1_ENTRIES ? n - done : L1_ENTRIES;
        for (unsigned i = 0; i < k; i++)
            u[i] = (struct mmu_update){ (uint64_t)w[done + i].table << PAGE_SHIFT | w[done + i].index * PTE_SIZE |
                                        MMU_NORMAL_PT_UPDATE, w[done + i].entry };
        if (HYPERVISOR_mmu_update(u, k, NULL, DOMID_SELF) < 0)
            return -1;
        done += k;
    }
    return 0;
}

void tlb_flush_page(uint32_t va)
{
    struct mmuext_op op = { .cmd = MMUEXT_INVLPG_LOCAL, .arg1.linear_addr = va };
    HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

void space_load(uint32_t l3)
{
    if (address_space_switch(l3) < 0)
        panic("switching to address space %#x failed", l3);
}

/* ---- ring 3, the FPU, faults and the end ------------------------------------------------------- */

void platform_enter_user(uint32_t eip, uint32_t esp)
{
    irq_enable_on_return();
    enter_user(eip, esp);
}

void fpu_trap_on_use(int on)
{
    HYPERVISOR_fpu_taskswitch(on ? 1 : 0);
}

/* The monitor writes CR2 into vcpu_info when it bounces a page fault. */
uint32_t fault_address(void)
{
    return shared_info->vcpu_info[0].arch.cr2;
}

void platform_power_off(int clean)
{
    shutdown(clean ? SHUTDOWN_poweroff : SHUTDOWN_crash);
}

/* Every entry into the monitor but the device interrupts (its timer and the serial line), which
 * come whatever the guest does, and but the hv_stats calls that read them (each is an entry,
 * counted in what it returns). */
uint32_t platform_monitor_entries(void)
{
    static struct hv_stats stats;
    static uint32_t reads;
    uint32_t n = 0;
    HYPERVISOR_hv_stats(&stats);
    for (unsigned v = 0; v < 256; v++)
        if (v < 0x20 || v >= 0x30)
            n += stats.entries[v];
    return n - ++reads;
}
