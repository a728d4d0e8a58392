/* debugregs.c - a guest that checks the debugging and I/O parts of the virtual CPU: breakpoints
 * in the CPU's debug registers and the #DB with DR6 that a real CPU gives, the trap flag, the
 * monitor absorbing a breakpoint it meets on our behalf, the virtual IOPL (cli, sti, in, out from
 * rings 1 and 3, the I/O bitmap, VMASST_TYPE_architectural_iopl), I/O breakpoints with CR4.DE,
 * and the MSRs a guest may read (guest rings 1 and 3, SDK).
 * `mode=writer` instead writes, in a loop that yields, to the address the other copy of this
 * guest watches: no #DB may reach it (each domain's breakpoints are its own). `mode=icebp` runs
 * the one-byte `int1` (0xF1), a #DB without a breakpoint, which the monitor bounces as any other
 * (Bochs models it; QEMU's TCG raises #UD for it).
 */
#include "sdk.h"
#include "x86/control_regs.h"
#include "x86/debugregs.h"

static int failures;
static struct regs last;           /* the last trap, as its handler saw it */
static uint32_t resume;            /* where a recorded fault goes on (0: where it returns to) */
static uint32_t traps;             /* traps recorded */

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static void record(struct regs *r)
{
    last = *r;
    traps++;
    if (resume)
        r->eip = resume;
}

/* A #DB from an instruction breakpoint (a fault): recorded, and the breakpoints turned off so
 * that the instruction runs when the handler returns to it. */
static void record_and_disarm(struct regs *r)
{
    record(r);
    HYPERVISOR_set_debugreg(7, 0);
}

/* A #DB: recorded; the trap flag is cleared so that one step is one #DB. */
static void record_debug(struct regs *r)
{
    record(r);
    r->eflags &= ~EFLAGS_TF;
}

/* Before a probe: the stores are done before it runs (the handler changes them meanwhile, which
 * the compiler cannot know). */
static void clear_last(void)
{
    last.vector = 0xFFFF;
    traps = 0;
    resume = 0;
    __asm__ volatile("" ::: "memory");
}

static volatile uint32_t watched;  /* the breakpoints' target */

/* DR7 with breakpoint n enabled (its G bit) for rw (DR7_RW_*: 0 execute, 1 write, 3 read or
 * write) and a length field. */
static uint32_t dr7_for(unsigned n, uint32_t rw, uint32_t len)
{
    return (2u << (n * DR7_ENABLE_SIZE)) | ((rw | len) << (DR7_CONTROL_SHIFT + n * DR7_CONTROL_SIZE));
}

#define DR7_RW_WRITE 1
#define DR7_RW_ANY   3

/* ---- breakpoints ------------------------------------------------------------------------------ */

static void __attribute__((noinline)) breakpoint_target(void)
{
    __asm__ volatile("nop");
}

/* An emulated instruction (mov from %cr0), then the one an instruction breakpoint is set on. */
__asm__(".text\n"
        "rf_probe: mov %cr0, %eax\n"
        "rf_probe_next: nop\n"
        "ret\n");
extern void rf_probe(void);
extern char rf_probe_next[];

static void data_breakpoints(void)
{
    check(HYPERVISOR_set_debugreg(0, (uint32_t)(uintptr_t)&watched) == 0, "set_debugreg 0 to a variable");
    check(HYPERVISOR_set_debugreg(7, dr7_for(0, DR7_RW_WRITE, DR7_LEN_4)) == 0, "set_debugreg 7: a 4-byte write breakpoint");
    clear_last();
    watched = 1;
    __asm__ volatile("" ::: "memory");
    check(last.vector == 1 && traps == 1, "a write to it raises #DB at once (one set_debugreg is enough)");
    check((HYPERVISOR_get_debugreg(6) & DR6_STATUS) == 1, "DR6 says breakpoint 0 (B0), nothing else");
    clear_last();
    uint32_t value = watched;
    __asm__ volatile("" ::: "memory");
    check(value == 1 && traps == 0, "a read of it does not (a write breakpoint)");
    check(HYPERVISOR_set_debugreg(6, DR6_DEFAULT) == 0 && HYPERVISOR_get_debugreg(6) == (long)DR6_DEFAULT,
          "writing DR6 clears its status");

    uint32_t dr7 = dr7_for(1, DR7_RW_ANY, DR7_LEN_4), dr1 = (uint32_t)(uintptr_t)&watched, seen;
    __asm__ volatile("mov %0, %%dr1; mov %1, %%dr7" :: "r"(dr1), "r"(dr7));
    clear_last();
    value = watched;
    __asm__ volatile("" ::: "memory");         /* the handler changed `last` meanwhile */
    check(last.vector == 1 && traps == 1 && (HYPERVISOR_get_debugreg(6) & DR6_STATUS) == 2,
          "mov to %dr1 and %dr7 (emulated): a read breakpoint fires on a read, with B1");
    __asm__ volatile("mov %%dr7, %0" : "=r"(seen));
    check(seen == (dr7 | DR7_RESERVED_ONE), "mov from %dr7 reads it back");
    HYPERVISOR_set_debugreg(7, dr7_for(0, DR7_RW_WRITE, DR7_LEN_4));
    clear_last();
    watched = 2;
    __asm__ volatile("" ::: "memory");
    check(traps == 1 && (HYPERVISOR_get_debugreg(6) & DR6_STATUS) == 1,
          "the next #DB's breakpoint bits replace the last one's (B0 now, B1 gone), as the CPU's do");

    HYPERVISOR_set_debugreg(6, DR6_DEFAULT);
    HYPERVISOR_set_debugreg(2, (uint32_t)(uintptr_t)breakpoint_target);
    HYPERVISOR_set_debugreg(7, dr7_for(2, DR7_RW_EXECUTE, DR7_LEN_1));
    clear_last();
    trap_set_handler(1, record_and_disarm);
    breakpoint_target();
    check(last.vector == 1 && last.eip == (uint32_t)(uintptr_t)breakpoint_target &&
          (HYPERVISOR_get_debugreg(6) & DR6_STATUS) == 4,
          "an instruction breakpoint: #DB before the instruction (a fault), with B2");
    HYPERVISOR_set_debugreg(2, (uint32_t)(uintptr_t)rf_probe_next);
    HYPERVISOR_set_debugreg(7, dr7_for(2, DR7_RW_EXECUTE, DR7_LEN_1));
    clear_last();
    __asm__ volatile("call rf_probe" ::: "eax", "memory");
    check(traps == 1 && last.eip == (uint32_t)(uintptr_t)rf_probe_next,
          "an instruction breakpoint just after an emulated instruction fires (the monitor clears RF)");
    trap_set_handler(1, record_debug);
    HYPERVISOR_set_debugreg(7, 0);
    HYPERVISOR_set_debugreg(6, DR6_DEFAULT);
}

/* The monitor reads a buffer we watch (console_io writes it out): the #DB it takes is ours, and
 * the monitor absorbs it. Then a breakpoint that `mov %ss` holds back past `int $0x82`: QEMU
 * delivers it in ring 1 before the gate, a real CPU (and Bochs) in ring 0 after it. */
static void breakpoints_the_monitor_meets(void)
{
    static char message[] = "(a line the monitor reads under a breakpoint)\n";
    static struct hv_stats before, after;
    HYPERVISOR_set_debugreg(0, (uint32_t)(uintptr_t)message);
    HYPERVISOR_set_debugreg(7, dr7_for(0, DR7_RW_ANY, DR7_LEN_4));
    clear_last();
    HYPERVISOR_hv_stats(&before);
    HYPERVISOR_console_io(CONSOLEIO_write, sizeof(message) - 1, message);
    HYPERVISOR_hv_stats(&after);
    check(traps == 0 && after.debug_absorbed - before.debug_absorbed >= 1,
          "console_io of a watched buffer: the monitor absorbs its #DBs (one a read), none reaches us");

    static volatile uint32_t kernel_ss = FLAT_KERNEL_SS;
    HYPERVISOR_set_debugreg(0, (uint32_t)(uintptr_t)&kernel_ss);
    clear_last();
    HYPERVISOR_hv_stats(&before);
    __asm__ volatile("mov %0, %%ss; mov %1, %%eax; xor %%ebx, %%ebx; int $0x82"
                     :: "m"(kernel_ss), "i"(__HYPERVISOR_xen_version) : "eax", "ebx", "ecx", "edx", "memory");
    HYPERVISOR_hv_stats(&after);
    check(traps + (after.debug_absorbed - before.debug_absorbed) == 1,
          "mov %ss with a breakpoint on the selector, then int $0x82: one #DB, in ring 1 or absorbed");
    HYPERVISOR_set_debugreg(7, 0);
    HYPERVISOR_set_debugreg(6, DR6_DEFAULT);
}

static void single_steps(void)
{
    clear_last();
    __asm__ volatile("pushf; orl $0x100, (%%esp); popf; nop" ::: "memory", "cc");
    check(last.vector == 1 && traps == 1 && (HYPERVISOR_get_debugreg(6) & DR6_STATUS) == DR6_BS,
          "the trap flag: one #DB after the next instruction, DR6 BS");
    HYPERVISOR_set_debugreg(6, DR6_DEFAULT);
    clear_last();
    uint32_t cr0, after_mov;
    __asm__ volatile("pushf; orl $0x100, (%%esp); popf; mov %%cr0, %0; 2: lea 2b, %1"
                     : "=r"(cr0), "=r"(after_mov) :: "memory", "cc");
    check(last.vector == 1 && traps == 1 && last.eip == after_mov && (HYPERVISOR_get_debugreg(6) & DR6_STATUS) == DR6_BS,
          "a single step over an emulated mov from %cr0: the #DB right after it, DR6 BS");
    HYPERVISOR_set_debugreg(6, DR6_DEFAULT);
}

/* ---- I/O ------------------------------------------------------------------------------------- */

static uint32_t probe_cli(void)
{
    clear_last();
    __asm__ volatile("movl $1f, %0; cli; 1:" : "=m"(resume) :: "memory");
    return last.vector;
}

static uint32_t probe_outb(uint32_t port)
{
    clear_last();
    __asm__ volatile("movl $1f, %0; outb %%al, %%dx; 1:" : "=m"(resume) : "a"(0), "d"(port) : "memory");
    return last.vector;
}

static uint32_t probe_inb(uint32_t *value)
{
    clear_last();
    uint32_t v = 0x12345600;
    __asm__ volatile("movl $1f, %1; inb $0x61, %%al; 1:" : "+a"(v), "=m"(resume) :: "memory");
    *value = v;
    return last.vector;
}

USER_DATA static uint8_t user_stack[4096] __attribute__((aligned(16)));
USER_DATA static volatile uint32_t user_faults;
USER_DATA static volatile uint32_t user_resume;
static struct context kernel_context;

/* In ring 3: cli and outb, counting the #GPs the kernel reports back (user_faults), then exit. */
USER_TEXT static void user_io(void)
{
    __asm__ volatile("movl $1f, %0; cli; 1:" : "=m"(user_resume) :: "memory");
    __asm__ volatile("movl $1f, %0; outb %%al, $0x80; 1:" : "=m"(user_resume) :: "memory");
    __asm__ volatile("int $0x80" ::: "memory");
    for (;;)
        ;
}

static void user_gp(struct regs *r)
{
    user_faults++;
    r->eip = user_resume;
}

static void leave_user(struct regs *r)
{
    (void)r;
    context_restore(&kernel_context, 1);
}

/* How many of ring 3's cli and outb faulted. */
static uint32_t user_io_faults(void)
{
    trap_set_handler(13, user_gp);
    user_faults = 0;
    if (context_save(&kernel_context) == 0)
        enter_user((uint32_t)(uintptr_t)user_io, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
    trap_set_handler(13, record);
    return user_faults;
}

/* Ring 3's string I/O at vIOPL 3: `rep insb` (or `rep outsb`) of user_ecx bytes at user_buffer,
 * from port 0x61 (the monitor's: it reads all ones, and a write goes nowhere); a #PF is recorded
 * (user_pf) and ring 3 goes on after the instruction. ECX and the pointer come back in user_ecx
 * and user_buffer. */
USER_DATA static volatile uint32_t user_ecx, user_buffer;

USER_TEXT static void user_insb(void)
{
    uint32_t ecx = user_ecx, edi = user_buffer;
    __asm__ volatile("movl $1f, %2; rep insb; 1:" : "+c"(ecx), "+D"(edi), "=m"(user_resume) : "d"(0x61) : "memory");
    user_ecx = ecx, user_buffer = edi;
    __asm__ volatile("int $0x80" ::: "memory");
    for (;;)
        ;
}

USER_TEXT static void user_outsb(void)
{
    uint32_t ecx = user_ecx, esi = user_buffer;
    __asm__ volatile("movl $1f, %2; rep outsb; 1:" : "+c"(ecx), "+S"(esi), "=m"(user_resume) : "d"(0x61) : "memory");
    user_ecx = ecx, user_buffer = esi;
    __asm__ volatile("int $0x80" ::: "memory");
    for (;;)
        ;
}

static void user_pf(struct regs *r)
{
    record(r);
    r->eip = user_resume;
}

/* Run fn in ring 3 on count bytes at buffer; returns the trap it took (0xFFFF: none). */
static uint32_t user_string(void (*fn)(void), void *buffer, uint32_t count)
{
    clear_last();
    user_ecx = count, user_buffer = (uint32_t)buffer;
    trap_set_handler(14, user_pf);
    if (context_save(&kernel_context) == 0)
        enter_user((uint32_t)(uintptr_t)fn, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
    trap_set_handler(14, NULL);
    return last.vector;
}

USER_DATA static uint8_t user_bytes[8];
static uint8_t kernel_pages[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));   /* not mapped user */

/* The monitor copies a string instruction's buffer in ring 0: from ring 3 it must refuse a kernel
 * page as the CPU would, with the #PF a user access gets (present, user, write for ins). */
static void user_string_io(void)
{
    uint8_t *kernel = kernel_pages, *second = kernel_pages + PAGE_SIZE;
    check(user_string(user_insb, user_bytes, 4) == 0xFFFF && user_bytes[0] == 0xFF && user_bytes[3] == 0xFF &&
          user_bytes[4] == 0 && user_ecx == 0 && user_buffer == (uint32_t)&user_bytes[4],
          "vIOPL 3: ring 3's rep insb of 4 bytes into its own page: all ones, ECX 0, EDI past them");
    check(user_string(user_insb, kernel, 4) == 14 && last.error_code == 7 &&
          shared_info->vcpu_info[0].arch.cr2 == (uint32_t)kernel && kernel[0] == 0 && user_ecx == 4,
          "ring 3's rep insb into a kernel page: #PF 7 (present, write, user) at it, the page untouched");
    check(user_string(user_outsb, kernel, 4) == 14 && last.error_code == 5 &&
          shared_info->vcpu_info[0].arch.cr2 == (uint32_t)kernel && user_ecx == 4,
          "ring 3's rep outsb from a kernel page: #PF 5 (present, user), ECX as it was");
    check(map_page(kernel, virt_to_mfn(kernel), PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D) == 0,
          "the first of two kernel pages mapped user");
    check(user_string(user_insb, second - 4, 8) == 14 && last.error_code == 7 &&
          shared_info->vcpu_info[0].arch.cr2 == (uint32_t)second && user_ecx == 4 &&
          user_buffer == (uint32_t)second && second[-1] == 0xFF && second[0] == 0,
          "rep insb of 8 across into the second: 4 bytes, then #PF 7 at the second, ECX 4");
    map_page(kernel, virt_to_mfn(kernel), PTE_P | PTE_RW | PTE_A | PTE_D);
}

static long set_iopl(uint32_t iopl)
{
    struct physdev_set_iopl op = { iopl };
    return HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &op);
}

static void virtual_iopl(void)
{
    check(map_user(__user_start, __user_end) == 0, "user pages mapped");
    trap_set_handler(SYSCALL_VECTOR, leave_user);
    check(syscall_gate(3, 0) == 0, "int $0x80 open to ring 3");
    trap_set_handler(13, record);

    check(probe_cli() == 13 && probe_outb(0x80) == 13, "vIOPL 0: cli and outb from ring 1 raise #GP");
    check(user_io_faults() == 2, "vIOPL 0: and from ring 3");
    check(set_iopl(1) == 0, "PHYSDEVOP_set_iopl 1");
    uint8_t mask = shared_info->vcpu_info[0].evtchn_upcall_mask;
    check(probe_cli() == 0xFFFF && shared_info->vcpu_info[0].evtchn_upcall_mask == mask,
          "vIOPL 1: cli from ring 1 is allowed, and changes nothing (the event mask stays)");
    uint32_t value;
    check(probe_outb(0x80) == 0xFFFF && probe_inb(&value) == 0xFFFF && value == 0x123456FF,
          "vIOPL 1: outb is allowed; inb of a port the monitor keeps (0x61) reads all ones, in %al only");
    check(user_io_faults() == 2, "vIOPL 1: ring 3 still raises #GP");
    check(set_iopl(3) == 0 && user_io_faults() == 0, "vIOPL 3: ring 3 may too");
    user_string_io();
    check(set_iopl(4) == -XEN_EINVAL, "PHYSDEVOP_set_iopl 4: -EINVAL");

    static uint8_t bitmap[32];
    memset(bitmap, 0xFF, sizeof(bitmap));
    bitmap[0x80 / 8] &= (uint8_t)~(1u << (0x80 % 8));
    struct physdev_set_iobitmap map = { bitmap, 8 * sizeof(bitmap) };
    check(set_iopl(0) == 0 && HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &map) == 0,
          "PHYSDEVOP_set_iobitmap: port 0x80 alone");
    check(probe_outb(0x80) == 0xFFFF && probe_outb(0x81) == 13 && probe_outb(0x400) == 13,
          "vIOPL 0 with the bitmap: port 0x80 allowed, 0x81 and one past the bitmap refused");
    struct physdev_set_iobitmap monitors = { (uint8_t *)0xF5800000, 65536 };
    check(HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &monitors) == -XEN_EINVAL && probe_outb(0x80) == 0xFFFF,
          "a bitmap in the monitor's area: -EINVAL, and the last one stays");
    map.nr_ports = 65537;
    check(HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &map) == -XEN_EINVAL, "set_iobitmap of 65537 ports: -EINVAL");
    map.nr_ports = 0;
    HYPERVISOR_physdev_op(PHYSDEVOP_set_iobitmap, &map);
    check(HYPERVISOR_physdev_op(PHYSDEVOP_apic_read, &map) == -XEN_ENOSYS, "PHYSDEVOP_apic_read: -ENOSYS");
}

/* An I/O breakpoint needs CR4.DE, which the guest sets by mov to %cr4 (emulated). */
static void io_breakpoints(void)
{
    uint32_t cr4, dr7 = dr7_for(0, DR7_RW_IO, DR7_LEN_1);
    HYPERVISOR_set_debugreg(6, DR6_DEFAULT);
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    check((cr4 & CR4_PAE) && !(cr4 & CR4_DE), "mov from %cr4: PAE set, DE clear");
    check(HYPERVISOR_set_debugreg(0, 0x80) == 0 && HYPERVISOR_set_debugreg(7, dr7) == -XEN_EPERM,
          "an I/O breakpoint without CR4.DE: -EPERM");
    check(HYPERVISOR_set_debugreg(4, DR6_DEFAULT) == 0, "without CR4.DE, DR4 is DR6");
    cr4 |= CR4_DE;
    __asm__ volatile("mov %0, %%cr4; mov %%cr4, %0" : "+r"(cr4));
    check(cr4 & CR4_DE, "mov to %cr4 sets DE");
    check(HYPERVISOR_set_debugreg(7, dr7) == 0 && HYPERVISOR_get_debugreg(7) == (long)(dr7 | DR7_RESERVED_ONE),
          "with CR4.DE: an I/O breakpoint on port 0x80, and DR7 reads it back");
    check(HYPERVISOR_set_debugreg(4, 0) == -XEN_ENODEV, "with CR4.DE, DR4 is no register: -ENODEV");
    clear_last();
    trap_set_handler(13, record);
    set_iopl(1);
    uint32_t after_out;
    __asm__ volatile("movl $0, %%eax; outb %%al, $0x80; 2: lea 2b, %0" : "=r"(after_out) :: "eax", "memory");
    check(last.vector == 1 && last.eip == after_out && (HYPERVISOR_get_debugreg(6) & DR6_STATUS) == 1,
          "outb to port 0x80: #DB after it, with B0");
    clear_last();
    probe_outb(0x81);
    check(traps == 0, "outb to port 0x81: no #DB");
    HYPERVISOR_set_debugreg(0, 0x81);
    HYPERVISOR_set_debugreg(7, dr7_for(0, DR7_RW_IO, DR7_LEN_2));
    clear_last();
    probe_outb(0x80);
    check(last.vector == 1 && traps == 1, "a 2-byte I/O breakpoint at 0x81 covers 0x80-0x81, aligned as the CPU does");
    clear_last();
    probe_outb(0x82);
    check(traps == 0, "and not 0x82");
    HYPERVISOR_set_debugreg(7, 0);
    HYPERVISOR_set_debugreg(6, DR6_DEFAULT);
    cr4 &= ~CR4_DE;
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4));
    set_iopl(0);
}

static void architectural_iopl(void)
{
    check(HYPERVISOR_vm_assist(VMASST_CMD_enable, VMASST_TYPE_architectural_iopl) == 0,
          "vm_assist enables VMASST_TYPE_architectural_iopl");
    check(probe_cli() == 0xFFFF, "with it, the kernel counts as ring 0: cli at vIOPL 0 is allowed");
    set_iopl(2);
    clear_last();
    __asm__ volatile("int3" ::: "memory");
    check(last.vector == 3 && (last.eflags & EFLAGS_IOPL) == 0x2000, "a trap frame's EFLAGS shows vIOPL 2");
    HYPERVISOR_vm_assist(VMASST_CMD_disable, VMASST_TYPE_architectural_iopl);
    clear_last();
    __asm__ volatile("int3" ::: "memory");
    check(last.vector == 3 && (last.eflags & EFLAGS_IOPL) == 0, "without it, the frame shows IOPL 0");
    set_iopl(0);
}

/* ---- MSRs ------------------------------------------------------------------------------------ */

static uint32_t probe_rdmsr(uint32_t msr, uint64_t *value)
{
    uint32_t lo = 0xDEAD, hi = 0xBEEF;
    clear_last();
    __asm__ volatile("movl $1f, %2; rdmsr; 1:" : "+a"(lo), "+d"(hi), "=m"(resume) : "c"(msr) : "memory");
    *value = (uint64_t)hi << 32 | lo;
    return last.vector;
}

static uint32_t probe_wrmsr(uint32_t msr, uint32_t lo)
{
    clear_last();
    __asm__ volatile("movl $1f, %0; wrmsr; 1:" : "=m"(resume) : "a"(lo), "d"(0), "c"(msr) : "memory");
    return last.vector;
}

static void msrs(void)
{
    uint64_t value;
    check(probe_rdmsr(0x1D9, &value) == 0xFFFF && value == 0, "rdmsr DEBUGCTL: 0");
    check(probe_rdmsr(0x10, &value) == 0xFFFF && value != 0, "rdmsr the TSC");
    check(probe_rdmsr(0x1B, &value) == 13, "rdmsr APIC_BASE: #GP (not a guest's)");
    check(probe_rdmsr(0x174, &value) == 13, "rdmsr SYSENTER_CS: #GP (the monitor's)");
    check(probe_wrmsr(0x1D9, 0) == 0xFFFF && probe_wrmsr(0x1D9, 1) == 13, "wrmsr DEBUGCTL: 0 taken, 1 refused");
    check(probe_wrmsr(0x10, 0) == 13, "wrmsr the TSC: #GP");
}

/* ---- two domains -------------------------------------------------------------------------------- */

/* Our breakpoint stays ours across switches: it fires on each write, though the other domain runs
 * between them (and writes the same address of its own without one). */
static void breakpoints_across_switches(void)
{
    HYPERVISOR_set_debugreg(0, (uint32_t)(uintptr_t)&watched);
    HYPERVISOR_set_debugreg(7, dr7_for(0, DR7_RW_WRITE, DR7_LEN_4));
    clear_last();
    for (int i = 0; i < 20; i++) {
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
        watched = (uint32_t)i;
    }
    check(traps == 20, "a write breakpoint fires on every write, with yields to another domain between");
    HYPERVISOR_set_debugreg(7, 0);
}

static void writer(void)
{
    clear_last();
    for (int i = 0; i < 400; i++) {
        watched = (uint32_t)i;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    check(traps == 0, "writer: 400 writes to the other domain's watched address, no #DB");
}

int main(void)
{
    char mode[16] = "";
    cmdline_option("mode", mode, sizeof(mode));
    traps_init();
    trap_set_handler(1, record_debug);
    trap_set_handler(3, record);
    if (strcmp(mode, "writer") == 0) {
        writer();
    } else if (strcmp(mode, "icebp") == 0) {
        trap_set_handler(6, record);            /* where QEMU's #UD would go */
        clear_last();
        __asm__ volatile("movl $1f, %0; .byte 0xF1; 1:" : "=m"(resume) :: "memory");
        check(last.vector == 1 && traps == 1 && (last.cs & 3) == 1, "icebp (int1): a #DB, bounced to our handler");
    } else {
        check(HYPERVISOR_get_debugreg(7) == (long)DR7_DEFAULT, "DR7 starts at its default");
        data_breakpoints();
        breakpoints_the_monitor_meets();
        single_steps();
        virtual_iopl();
        io_breakpoints();
        architectural_iopl();
        msrs();
        breakpoints_across_switches();
    }
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
