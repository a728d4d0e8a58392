/* vcpu.c - a guest that checks the virtual CPU: every exception delivered to its own handlers
 * with Xen's frame, ring 3 and back, `int $0x80` straight from ring 3 to ring 1 (and through the
 * monitor when the gate cannot be installed), the forced-emulation CPUID, emulated privileged
 * instructions, and lazy FPU (guest ring 1 and 3, SDK). `test=NAME` picks a scenario that must
 * crash or reach the failsafe callback instead.
 */
#include "sdk.h"

static int failures;
static struct regs last;           /* the last trap, as its handler saw it */
static uint32_t skip;              /* bytes the handler skips (the faulting instruction) */

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static void record(struct regs *r)
{
    last = *r;
    r->eip += skip;
}

/* An FPU error handler clears the error so the instruction can complete. */
static void fpu_error_handler(struct regs *r)
{
    static uint32_t mxcsr = 0x1F80;
    last = *r;
    __asm__ volatile("fnclex; ldmxcsr %0" :: "m"(mxcsr));
}

/* Trigger one exception from ring 1 and check what the handler saw. */
#define EXPECT_TRAP(vector_, error_, length, what, ...) do {                              \
        last.vector = 0xFFFF;                                                              \
        skip = (length);                                                                   \
        __asm__ volatile(__VA_ARGS__);                                                     \
        __asm__ volatile("" ::: "memory");     /* the handler changed `last` meanwhile */  \
        check(last.vector == (vector_) && last.error_code == (error_) &&                   \
              (last.cs & 0xFFFF) == FLAT_KERNEL_CS, what);                                 \
    } while (0)

static void forced_cpuid(void)
{
    uint32_t a = 0x40000000, b, c, d;
    __asm__ volatile("ud2a; .ascii \"xen\"; cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d) :: "memory");
    char sig[13];
    memcpy(sig, &b, 4), memcpy(sig + 4, &c, 4), memcpy(sig + 8, &d, 4);
    sig[12] = 0;
    check(strcmp(sig, "XenVMMXenVMM") == 0 && a >= 0x40000002, "forced-emulation cpuid finds XenVMMXenVMM (no trap table yet)");
    a = 1;
    __asm__ volatile("ud2a; .ascii \"xen\"; cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d) :: "memory");
    check(c & (1u << 31), "forced cpuid leaf 1 has the hypervisor bit");
}

static void exceptions_from_ring1(void)
{
    static uint32_t bounds[2] = { 0, 0 };
    EXPECT_TRAP(0, 0, 2, "#DE divide error delivered", "xor %%edx,%%edx; mov $1,%%eax; xor %%ecx,%%ecx; div %%ecx" ::: "eax", "ecx", "edx");
    check(last.eip != 0 && (last.cs >> 16 & 0xFF) == 1 && !(last.eflags & 0x200),
          "frame: CS holds the saved upcall mask (1) in bits 16-23, EFLAGS.IF shows it (0)");
    EXPECT_TRAP(3, 0, 0, "#BP from int3 delivered (a trap: EIP past it)", "int3");
    EXPECT_TRAP(4, 0, 0, "#OF from into delivered", "mov $0x7fffffff,%%eax; add $1,%%eax; into" ::: "eax");
    EXPECT_TRAP(5, 0, 2, "#BR from bound delivered", "mov $5,%%eax; bound %%eax,(%0)" :: "r"(bounds) : "eax");
    EXPECT_TRAP(6, 0, 2, "#UD from ud2 delivered", "ud2");
    EXPECT_TRAP(13, 0, 1, "#GP from cli delivered (not emulated)", "cli");
    EXPECT_TRAP(13, 0, 2, "#GP from in delivered (no I/O privilege)", "in $0x80,%%al" ::: "eax");
    EXPECT_TRAP(13, (0x40 << 3) | 2, 2, "int $0x40 with no gate: #GP, error code (0x40<<3)|2", "int $0x40");
    EXPECT_TRAP(14, 0, 5, "#PF reading unmapped memory delivered", "mov 0x10000000,%%eax" ::: "eax");
    uint32_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    check(cr2 == 0x10000000, "CR2 of the #PF (mov from %cr2, emulated: vcpu_info.arch.cr2)");
    check(shared_info->vcpu_info[0].arch.cr2 == 0x10000000, "vcpu_info.arch.cr2 holds the address");
    EXPECT_TRAP(14, 2, 10, "#PF writing unmapped memory: error code W", "movl $1,0x10000000");
}

static void single_step(void)
{
    last.vector = 0xFFFF;
    skip = 0;
    __asm__ volatile("pushf; orl $0x100, (%%esp); popf; nop; pushf; andl $~0x100, (%%esp); popf" ::: "memory", "cc");
    __asm__ volatile("" ::: "memory");
    check(last.vector == 1, "#DB from the trap flag (single step) delivered");
}

/* An x87 error with its exception unmasked: #MF (CR0.NE is set by the monitor). */
static void fpu_errors(void)
{
    uint16_t cw = 0x037B;                 /* default control word, zero-divide unmasked */
    last.vector = 0xFFFF;
    skip = 0;
    trap_set_handler(16, fpu_error_handler);
    __asm__ volatile("fninit; fldcw %0; fld1; fldz; fdivrp; fwait" :: "m"(cw) : "memory");
    __asm__ volatile("" ::: "memory");
    check(last.vector == 16, "#MF from an unmasked x87 divide by zero delivered");
    /* #XM is not checked: QEMU's TCG never raises SIMD floating-point exceptions. */
    uint32_t mxcsr = 0x1F80;
    __asm__ volatile("ldmxcsr %0; fninit" :: "m"(mxcsr));
}

static void fpu_handler(struct regs *r)
{
    last = *r;
    __asm__ volatile("clts");      /* privileged: emulated as fpu_taskswitch(0) */
}

static void lazy_fpu(void)
{
    trap_set_handler(7, fpu_handler);
    HYPERVISOR_fpu_taskswitch(1);
    last.vector = 0xFFFF;
    volatile double x = 1.5;
    x = x * 3.0;                   /* #NM to the guest, then again to the FPU */
    __asm__ volatile("" ::: "memory");
    check(last.vector == 7 && x == 4.5, "#NM after fpu_taskswitch(1); clts emulated; FPU works after");
    last.vector = 0xFFFF;
    x = x * 2.0;
    __asm__ volatile("" ::: "memory");
    check(last.vector == 0xFFFF && x == 9.0, "with TS clear, the FPU needs no handler of ours");
    uint32_t cr0;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    check(!(cr0 & 8), "mov from %cr0 shows TS clear after clts");
    HYPERVISOR_fpu_taskswitch(1);
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    check(cr0 & 8, "mov from %cr0 shows TS set after fpu_taskswitch(1)");
    HYPERVISOR_fpu_taskswitch(0);
}

/* ---- ring 3 ------------------------------------------------------------------------------------ */

USER_DATA static uint8_t user_stack[4096] __attribute__((aligned(16)));
USER_DATA static volatile uint32_t user_calls;
static struct context kernel_context;
static uint32_t syscalls_seen, syscall_stack_ok;

#define SYS_EXIT 0
#define SYS_ADD  1
#define SYSCALLS 200

USER_TEXT static void user_main(void)
{
    for (uint32_t i = 0; i < SYSCALLS; i++) {
        uint32_t result;
        __asm__ volatile("int $0x80" : "=a"(result) : "a"(SYS_ADD), "b"(i), "c"(1) : "memory");
        if (result == i + 1)
            user_calls++;
    }
    __asm__ volatile("int $0x80" :: "a"(SYS_EXIT) : "memory");
    for (;;)
        ;
}

USER_TEXT static void user_touches_kernel(void)
{
    (void)*(volatile uint32_t *)&syscalls_seen;     /* a kernel page: no U bit */
    for (;;)
        ;
}

USER_TEXT static void user_sysenter(void)
{
    __asm__ volatile("mov $0x5157, %%eax; sysenter" ::: "eax", "memory");
    for (;;)
        ;
}

/* The same with the trap flag set: sysenter keeps it, so the CPU traps on the monitor's first
 * instruction; the monitor must take that as the guest's, not as its own fault. */
USER_TEXT static void user_sysenter_single_step(void)
{
    __asm__ volatile("pushf; orl $0x100, (%%esp); popf; mov $0x5157, %%eax; sysenter" ::: "eax", "memory", "cc");
    for (;;)
        ;
}

USER_TEXT static void user_syscall_once(void)
{
    __asm__ volatile("int $0x80" :: "a"(SYS_EXIT) : "memory");
    for (;;)
        ;
}

static void syscall_handler(struct regs *r)
{
    uint32_t here = (uint32_t)(uintptr_t)r;
    syscall_stack_ok += here >= (uint32_t)(uintptr_t)sdk_trap_stack &&
                        here < (uint32_t)(uintptr_t)sdk_trap_stack + SDK_TRAP_STACK_SIZE &&
                        (r->cs & 3) == 3 && r->ss == FLAT_USER_SS;
    syscalls_seen++;
    if (r->eax == SYS_EXIT)
        context_restore(&kernel_context, 1);
    r->eax = r->ebx + r->ecx;
}

static void leave_user(struct regs *r)
{
    last = *r;
    context_restore(&kernel_context, 1);
}

static void run_user(void (*fn)(void))
{
    if (context_save(&kernel_context) == 0)
        enter_user((uint32_t)(uintptr_t)fn, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
}

static uint32_t monitor_entries(const struct hv_stats *s)
{
    uint32_t n = 0;
    for (unsigned v = 0; v < 256; v++)
        if (v < 0x20 || v >= 0x30)             /* not the timer and other interrupts */
            n += s->entries[v];
    return n;
}

/* Run fn in ring 3 between two readings of the monitor's counters, again (a few times at most)
 * until no interrupt came in between, so that no other domain ran (hv_stats_interrupts). */
static void run_user_counted(void (*fn)(void), struct hv_stats *before, struct hv_stats *after)
{
    for (int tries = 0; tries < 8; tries++) {
        syscalls_seen = syscall_stack_ok = user_calls = 0;
        HYPERVISOR_hv_stats(before);
        run_user(fn);
        HYPERVISOR_hv_stats(after);
        if (hv_stats_interrupts(after) == hv_stats_interrupts(before))
            return;
    }
}

static void ring3(void)
{
    static struct hv_stats before, after;
    check(map_user(__user_start, __user_end) == 0, "user pages mapped with the U bit (update_va_mapping)");
    trap_set_handler(SYSCALL_VECTOR, syscall_handler);

    check(syscall_gate(3, 0) == 0, "int $0x80 registered: DPL 3, a trap gate (direct)");
    run_user_counted(user_main, &before, &after);
    printf("direct: %u system calls, %u monitor entries\n", syscalls_seen,
           monitor_entries(&after) - monitor_entries(&before) - 1);
    check(user_calls == SYSCALLS && syscalls_seen == SYSCALLS + 1, "ring 3 made its system calls and got results");
    check(syscall_stack_ok == SYSCALLS + 1, "each arrived in ring 1 on the registered kernel stack, with the user SS:ESP");
    check(monitor_entries(&after) - monitor_entries(&before) == 1, "direct int $0x80: zero monitor entries (only the hv_stats call)");

    check(syscall_gate(3, 1) == 0, "int $0x80 registered with events masked: not installable as a real gate");
    run_user_counted(user_main, &before, &after);
    check(user_calls == SYSCALLS, "bounced int $0x80: same results");
    check(after.soft_int_bounced - before.soft_int_bounced == SYSCALLS + 1 &&
          after.entries[13] - before.entries[13] == SYSCALLS + 1, "bounced int $0x80: one #GP entry each, delivered as vector 0x80");
    check(after.irets - before.irets >= SYSCALLS, "bounced int $0x80 returns to ring 3 with the iret hypercall");

    trap_set_handler(13, leave_user);
    syscall_gate_remove();
    trap_set_handler(13, leave_user);
    last.vector = 0xFFFF;
    run_user(user_syscall_once);
    check(last.vector == 13 && last.error_code == 0x402 && (last.cs & 3) == 3,
          "int $0x80 with no handler: #GP with error code 0x402 from ring 3, to the guest");

    check(sysenter_set_handler(leave_user) == 0, "callback_op registers a sysenter callback");
    last.vector = 0xFFFF;
    run_user(user_sysenter);
    check(last.vector == SDK_SYSENTER_VECTOR && last.eax == 0x5157 && (last.cs & 0xFFFF) == FLAT_USER_CS &&
          last.eip == 0, "sysenter from ring 3 reaches the sysenter callback (frame EIP 0, EAX kept)");
    last.vector = 0xFFFF;
    run_user(user_sysenter_single_step);
    check(last.vector == SDK_SYSENTER_VECTOR && last.eax == 0x5157 && (last.eflags & 0x100),
          "sysenter with the trap flag set: the callback, with TF in its frame (no monitor fault)");

    trap_set_handler(14, leave_user);
    last.vector = 0xFFFF;
    run_user(user_touches_kernel);
    check(last.vector == 14 && last.error_code == 5 && (last.cs & 3) == 3 && last.ss == FLAT_USER_SS,
          "#PF from ring 3 on a kernel page: error code U|P, user SS:ESP in the frame");
}

/* ---- scenarios that must end the domain ----------------------------------------------------- */

static void bad_iret(void)
{
    static uint32_t frame[4];
    frame[0] = 0xC0FFEE;                         /* eip */
    frame[1] = FLAT_KERNEL_CS & ~3u;              /* ring 0 */
    frame[2] = EFLAGS_IF | EFLAGS_RESERVED;
    printf("iret to ring 0 next\n");
    __asm__ volatile("mov %0, %%esp; jmp hypercall_page + 23 * 32" :: "r"(frame) : "memory");
}

static void bad_kernel_stack(void)
{
    HYPERVISOR_stack_switch(FLAT_KERNEL_SS, 0x10001000);   /* unmapped */
    map_user(__user_start, __user_end);
    printf("trap from ring 3 onto an unmapped kernel stack next\n");
    run_user(user_touches_kernel);
}

static void failsafe_seen(uint32_t *frame)
{
    printf("failsafe: ds %04x es %04x fs %04x gs %04x, frame eip %08x cs %04x ss %04x\n",
           frame[0], frame[1], frame[2], frame[3], frame[4], frame[5] & 0xFFFF, frame[8]);
    check(frame[8] == (FLAT_KERNEL_DS | 3), "failsafe frame holds the refused SS");
    context_restore(&kernel_context, 1);
}

static void failsafe(void)
{
    static uint32_t frame[6];
    map_user(__user_start, __user_end);
    failsafe_set_handler(failsafe_seen);
    frame[1] = (uint32_t)(uintptr_t)user_main;   /* eip */
    frame[2] = FLAT_USER_CS;
    frame[3] = EFLAGS_IF | EFLAGS_RESERVED;
    frame[4] = (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack));
    frame[5] = FLAT_KERNEL_DS | 3;               /* a DPL-1 segment with RPL 3: iret refuses it */
    if (context_save(&kernel_context) == 0)
        __asm__ volatile("lea 4(%0), %%esp; mov (%0), %%eax; jmp hypercall_page + 23 * 32" :: "r"(frame) : "memory");
    check(1, "back from the failsafe callback");
}

/* The direction flag belongs to the guest. With it set, a hypercall whose handler clears and
 * copies memory (the monitor's memset and memcpy use the string instructions) must still give
 * the right answer without wrecking the monitor, a trap must reach our handler, and DF must be
 * set again when each returns. */
static void direction_flag(void)
{
    struct xen_compile_info info;
    memset(&info, 0xAA, sizeof(info));
    long rc;
    static uint32_t flags;             /* static: popped to by absolute address, ESP moves */
    uint32_t cmd = XENVER_compile_info, arg = (uint32_t)(uintptr_t)&info;
    __asm__ volatile("std; call hypercall_page + %c[slot]; pushf; popl %[flags]; cld"
                     : "=a"(rc), [flags] "=m"(flags), "+b"(cmd), "+c"(arg)
                     : [slot] "i"(__HYPERVISOR_xen_version * 32) : "edx", "esi", "edi", "memory", "cc");
    check(rc == 0 && strcmp(info.compile_by, "hv") == 0 && info.compile_date[sizeof(info.compile_date) - 1] == 0,
          "xen_version(compile_info) with DF set: the right answer");
    check(flags & EFLAGS_DF, "DF still set after the hypercall");
    skip = 2;
    last.vector = 0xFFFF;
    __asm__ volatile("std; ud2; pushf; popl %0; cld" : "=m"(flags) :: "memory", "cc");
    check(last.vector == 6 && (flags & EFLAGS_DF), "#UD with DF set delivered, DF set again after it");
}

int main(void)
{
    char test[16] = "all";
    cmdline_option("test", test, sizeof(test));
    if (strcmp(test, "no-handler") == 0) {
        printf("int $0x80 from ring 1 with no trap table next\n");
        __asm__ volatile("int $0x80");
        return 1;
    }
    forced_cpuid();
    traps_init();
    for (unsigned v = 0; v < SDK_NR_EXCEPTIONS; v++)
        trap_set_handler(v, record);
    if (strcmp(test, "bad-iret") == 0)
        bad_iret();
    else if (strcmp(test, "bad-stack") == 0)
        bad_kernel_stack();
    else if (strcmp(test, "failsafe") == 0)
        failsafe();
    else {
        exceptions_from_ring1();
        direction_flag();
        single_step();
        lazy_fpu();
        fpu_errors();
        ring3();
    }
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
