/* cpuattack.c - a hostile guest kernel against the virtual CPU's rules for selectors and kernel
 * stacks (guest rings 1 and 3, SDK). `mode=` picks one attack; each line says what was tried:
 *   selectors      gates and callbacks named with selectors of every RPL, from our own GDT and
 *                  LDT and from the monitor's entries: Xen's answer to each registration, and
 *                  what each delivery does (to the handler, straight or through the monitor; a
 *                  trap when the CPU refuses a gate; the failsafe callback when an iret refuses
 *                  the selector, and that callback itself on our own selectors)
 *   bad-ss         stack_switch with every kind of stack selector
 *   failsafe-rpl3  the failsafe callback on an RPL-3 selector of our GDT, then an iret frame the
 *                  CPU refuses: a dozen instructions that once hung the whole machine
 *   failsafe-walk  the failsafe callback on an RPL-1 selector with no segment behind it, then a
 *                  bad return to ring 1 (each retry once went 28 bytes further down the stack)
 *   null-callback  the event callback on the null selector, then an event
 *   ss-changed     a kernel stack segment that stack_switch accepted, made DPL 3 afterwards, then
 *                  a direct int $0x80 from ring 3
 * The last four must crash this domain, with the monitor's message, and nothing else.
 */
#include "sdk.h"

static int failures;

static void __attribute__((format(printf, 2, 3))) check(int ok, const char *fmt, ...)
{
    va_list ap;
    failures += !ok;
    printf("%s ", ok ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* ---- our own descriptor tables ---------------------------------------------------------------- */

enum {
    GDT_DATA      = 1 << 3,          /* flat read/write data, DPL 1: a good kernel stack */
    GDT_CODE      = 2 << 3,          /* flat code, DPL 1 */
    GDT_USER_DATA = 3 << 3,          /* flat data, DPL 3 */
    GDT_READ_ONLY = 4 << 3,          /* flat read-only data, DPL 1 */
    GDT_ABSENT    = 5 << 3,          /* code, DPL 1, not present */
    GDT_USER_CODE = 6 << 3,          /* flat code, DPL 3 */
    GDT_PAST      = 600 << 3,        /* beyond our one GDT page: the monitor shows an empty page */
    LDT_CODE      = 0 << 3 | 4,      /* flat code, DPL 1 */
    LDT_DATA      = 1 << 3 | 4,      /* flat data, DPL 1 */
    LDT_PAST      = 7 << 3 | 4,      /* beyond our two LDT entries */
};

/* Access bytes (SDM vol. 3A 3.4.5): present, DPL, code/data, type. */
#define DATA_DPL1   0xB2
#define CODE_DPL1   0xBA
#define DATA_DPL3   0xF2
#define CODE_DPL3   0xFA
#define RODATA_DPL1 0xB0
#define ABSENT_CODE 0x3A
#define FLAT_FLAGS  0xC              /* 4 KiB granularity, 32-bit */
#define FLAT_LIMIT  0xFFFFF          /* the monitor truncates it below itself */

static uint64_t gdt[512] __attribute__((aligned(4096)));
static uint64_t ldt[512] __attribute__((aligned(4096)));

static uint64_t flat(uint8_t access)
{
    return (uint64_t)(FLAT_LIMIT & 0xFFFF) | (uint64_t)access << 40 | (uint64_t)(FLAT_LIMIT >> 16) << 48 |
           (uint64_t)FLAT_FLAGS << 52;
}

static long update(uint64_t *slot, uint64_t d)
{
    uint64_t ma = (uint64_t)virt_to_mfn(slot) << 12 | ((uint32_t)(uintptr_t)slot & 0xFFF);
    return hypercall5(__HYPERVISOR_update_descriptor, (uint32_t)ma, (uint32_t)(ma >> 32), (uint32_t)d,
                      (uint32_t)(d >> 32), 0);
}

static void load_tables(void)
{
    gdt[GDT_DATA >> 3] = flat(DATA_DPL1);
    gdt[GDT_CODE >> 3] = flat(CODE_DPL1);
    gdt[GDT_USER_DATA >> 3] = flat(DATA_DPL3);
    gdt[GDT_READ_ONLY >> 3] = flat(RODATA_DPL1);
    gdt[GDT_ABSENT >> 3] = flat(ABSENT_CODE);
    gdt[GDT_USER_CODE >> 3] = flat(CODE_DPL3);
    uint32_t mfn = virt_to_mfn(gdt);
    long rc = map_page(gdt, mfn, PTE_P | PTE_A);
    check(rc == 0 && hypercall2(__HYPERVISOR_set_gdt, &mfn, 512) == 0, "our GDT of one page loaded");
    ldt[LDT_CODE >> 3] = flat(CODE_DPL1);
    ldt[LDT_DATA >> 3] = flat(DATA_DPL1);
    map_page(ldt, virt_to_mfn(ldt), PTE_P | PTE_A);
    struct mmuext_op op = { .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = (uint32_t)(uintptr_t)ldt, .arg2.nr_ents = 2 };
    check(HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF) == 0, "our LDT of two entries loaded");
}

/* ---- what a delivery did ---------------------------------------------------------------------- */

enum kind { NOTHING, RAN, TRAPPED, FAILSAFE };
static const char *const kind_names[] = { "nothing", "the handler ran", "a trap", "the failsafe callback" };

static struct context before_delivery;
static volatile uint32_t seen_kind, seen_value, skip;

static uint32_t running_cs(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs;
}

static void handler_ran(struct regs *r)
{
    seen_kind = RAN;
    seen_value = running_cs();
    r->eip += skip;
}

static void port_ran(evtchn_port_t port)
{
    (void)port;
    seen_kind = RAN;
    seen_value = running_cs();
}

/* A trap the CPU raised on a gate it refused: its vector and error code. */
static void trapped(struct regs *r)
{
    seen_kind = TRAPPED;
    seen_value = r->vector << 16 | r->error_code;
    r->eip += 2;                               /* past the `int $0x80` */
}

/* The failsafe frame: DS, ES, FS, GS, EIP, CS, ...: the CS the monitor could not return to. We
 * go back to the test on FLAT_KERNEL_CS, whichever code segment the callback was entered on. */
static volatile uint32_t failsafe_ran_on;

static void failsafe_seen(uint32_t *frame)
{
    seen_kind = FAILSAFE;
    seen_value = frame[5] & 0xFFFF;
    failsafe_ran_on = running_cs();
    __asm__ volatile("ljmp %0, $1f\n1:" :: "i"(FLAT_KERNEL_CS));
    context_restore(&before_delivery, 1);
}

/* Run trigger with the failsafe callback ready to bring us back here. */
static void __attribute__((noinline)) deliver(void (*trigger)(void))
{
    if (context_save(&before_delivery) == 0)
        trigger();
}

static void int80(void) { __asm__ volatile("int $0x80" ::: "memory"); }
static void ud2(void) { __asm__ volatile("ud2" ::: "memory"); }

struct delivery {
    uint16_t cs;
    uint8_t dpl;
    uint8_t kind;                   /* what Xen does with it */
    uint32_t value;                 /* the handler's CS, the trap's vector << 16 | error, the failsafe CS */
    uint8_t bounced;                /* int $0x80 only: through the monitor's #GP, not a real gate */
    const char *what;
};

#define TRAP(vector, error) ((vector) << 16 | (error))

/* rc: what registering it answered (Xen: 0 for any selector). */
static void expect_delivery(const char *how, const struct delivery *d, long rc, uint32_t bounced)
{
    check(rc == 0 && seen_kind == d->kind && seen_value == d->value && bounced == d->bounced,
          "%s on %04x (%s): registered (%ld), %s (%04x)%s", how, d->cs, d->what, rc, kind_names[seen_kind],
          seen_value, bounced ? ", through the monitor" : "");
}

/* ---- ring 3 --------------------------------------------------------------------------------------- */

USER_DATA static uint8_t user_stack[4096] __attribute__((aligned(16)));
static struct context kernel_context;
static volatile uint32_t syscall_ss, syscall_frame_ok;

USER_TEXT static void user_syscall(void)
{
    __asm__ volatile("int $0x80" ::: "memory");
    for (;;)
        ;
}

static void syscall_seen(struct regs *r)
{
    uint16_t ss;
    __asm__ volatile("mov %%ss, %0" : "=r"(ss));
    uint32_t here = (uint32_t)(uintptr_t)r;
    syscall_ss = ss;
    syscall_frame_ok = here >= (uint32_t)(uintptr_t)sdk_trap_stack &&
                       here < (uint32_t)(uintptr_t)sdk_trap_stack + SDK_TRAP_STACK_SIZE &&
                       (r->cs & 0xFFFF) == FLAT_USER_CS && r->ss == FLAT_USER_SS;
    context_restore(&kernel_context, 1);
}

/* A direct `int $0x80` from ring 3: the CPU switches to the TSS's SS1:ESP1 (stack_switch). */
static void syscall_from_ring3(void)
{
    syscall_ss = 0, syscall_frame_ok = 0;
    if (context_save(&kernel_context) == 0)
        enter_user((uint32_t)(uintptr_t)user_syscall, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
}

static void enable_ring3(void)
{
    check(map_user(__user_start, __user_end) == 0, "our ring-3 pages mapped");
    trap_set_handler(SYSCALL_VECTOR, syscall_seen);
    check(syscall_gate(3, 0) == 0, "int $0x80 open to ring 3 (a real gate)");
}

/* ---- selectors: registrations ------------------------------------------------------------------ */

#define SPARE_VECTOR 0x40                      /* a vector nothing here raises */

static const uint16_t selector_bases[] = {
    0, GDT_CODE, LDT_CODE, FLAT_RING1_CS & ~3, __HYPERVISOR_CS, FLAT_RING3_CS & ~3,
};

static long register_callback(unsigned type, uint32_t cs, uint32_t eip)
{
    struct callback_register cb = { .type = (uint16_t)type, .address = { cs, eip } };
    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

static long unregister_callback(unsigned type)
{
    struct callback_unregister cb = { .type = (uint16_t)type };
    return HYPERVISOR_callback_op(CALLBACKOP_unregister, &cb);
}

/* Xen takes any selector for any of them (it only raises an RPL of 0 to 1); what it names is
 * checked when it is used. Events stay masked meanwhile, and traps_init puts ours back. */
static void registrations(void)
{
    static const unsigned types[] = { CALLBACKTYPE_event, CALLBACKTYPE_failsafe, CALLBACKTYPE_sysenter,
                                      CALLBACKTYPE_syscall32, CALLBACKTYPE_nmi };
    uint32_t eip = trap_entry(SYSCALL_VECTOR);
    for (unsigned b = 0; b < ARRAY_SIZE(selector_bases); b++) {
        for (uint32_t rpl = 0; rpl < 4; rpl++) {
            uint16_t sel = (uint16_t)(selector_bases[b] | rpl);
            struct trap_info ti[2] = { { .vector = SPARE_VECTOR, .flags = 3, .cs = sel, .address = eip }, { 0 } };
            int ok = HYPERVISOR_set_trap_table(ti) == 0 && HYPERVISOR_set_callbacks(sel, eip, sel, eip) == 0;
            for (unsigned t = 0; t < ARRAY_SIZE(types); t++)
                ok = ok && register_callback(types[t], sel, eip) == 0;
            HYPERVISOR_set_trap_table(NULL);   /* all of it away, then ours back */
            traps_init();
            check(ok, "%04x: set_trap_table, set_callbacks, callback_op (event, failsafe, sysenter, "
                  "syscall32, nmi) answer 0", sel);
        }
    }
    static const unsigned other_types[] = { CALLBACKTYPE_syscall, CALLBACKTYPE_sysenter_deprecated, 6, 99 };
    for (unsigned t = 0; t < ARRAY_SIZE(other_types); t++)
        check(register_callback(other_types[t], FLAT_KERNEL_CS, eip) == -XEN_ENOSYS,
              "callback_op register of type %u: -ENOSYS", other_types[t]);
    for (unsigned t = 0; t < ARRAY_SIZE(types) - 1; t++)
        check(unregister_callback(types[t]) == -XEN_EINVAL, "callback_op unregister of type %u: -EINVAL", types[t]);
    check(unregister_callback(CALLBACKTYPE_nmi) == 0, "callback_op unregister of the NMI callback: 0");
    check(unregister_callback(99) == -XEN_ENOSYS, "callback_op unregister of type 99: -ENOSYS");
    check(HYPERVISOR_callback_op(2, NULL) == -XEN_ENOSYS, "callback_op cmd 2: -ENOSYS");
    check(HYPERVISOR_callback_op(CALLBACKOP_register, (void *)0x10000000) == -XEN_EFAULT,
          "callback_op with an unreadable argument: -EFAULT");
}

/* ---- selectors: deliveries ------------------------------------------------------------------------ */

/* `int $0x80` from ring 1. Xen puts a real gate in the IDT for a selector of the guest's own
 * tables or exactly FLAT_RING1_CS (its gate rule); the CPU then checks the segment itself. Any
 * other goes through the monitor's #GP, and the iret into the handler refuses it. */
static const struct delivery int80_cases[] = {
    { GDT_CODE,               3, RAN, GDT_CODE | 1, 0, "our GDT's code, RPL 0 raised to 1: a real gate" },
    { GDT_CODE | 1,           3, RAN, GDT_CODE | 1, 0, "our GDT's code, RPL 1" },
    { GDT_CODE | 2,           3, RAN, GDT_CODE | 1, 0, "our GDT's code, RPL 2: a gate ignores it" },
    { GDT_CODE | 3,           3, RAN, GDT_CODE | 1, 0, "our GDT's code, RPL 3" },
    { LDT_CODE,               3, RAN, LDT_CODE | 1, 0, "our LDT's code, RPL 0" },
    { LDT_CODE | 1,           3, RAN, LDT_CODE | 1, 0, "our LDT's code, RPL 1" },
    { LDT_CODE | 2,           3, RAN, LDT_CODE | 1, 0, "our LDT's code, RPL 2" },
    { LDT_CODE | 3,           3, RAN, LDT_CODE | 1, 0, "our LDT's code, RPL 3" },
    { FLAT_RING1_CS & ~3,     3, RAN, FLAT_RING1_CS, 0, "FLAT_RING1_CS with RPL 0" },
    { FLAT_RING1_CS,          3, RAN, FLAT_RING1_CS, 0, "FLAT_RING1_CS" },
    { FLAT_RING1_CS + 1,      3, FAILSAFE, FLAT_RING1_CS + 1, 1, "FLAT_RING1_CS with RPL 2: no real gate" },
    { FLAT_RING1_CS + 2,      3, FAILSAFE, FLAT_RING1_CS + 2, 1, "FLAT_RING1_CS with RPL 3" },
    { __HYPERVISOR_CS,        3, FAILSAFE, __HYPERVISOR_CS | 1, 1, "the monitor's code, RPL 0 raised to 1" },
    { __HYPERVISOR_CS | 1,    3, FAILSAFE, __HYPERVISOR_CS | 1, 1, "the monitor's code, RPL 1" },
    { __HYPERVISOR_CS | 2,    3, FAILSAFE, __HYPERVISOR_CS | 2, 1, "the monitor's code, RPL 2" },
    { __HYPERVISOR_CS | 3,    3, FAILSAFE, __HYPERVISOR_CS | 3, 1, "the monitor's code, RPL 3" },
    { FLAT_RING3_CS & ~3,     3, FAILSAFE, (FLAT_RING3_CS & ~3) | 1, 1, "FLAT_RING3_CS with RPL 0" },
    { (FLAT_RING3_CS & ~3) | 1, 3, FAILSAFE, (FLAT_RING3_CS & ~3) | 1, 1, "FLAT_RING3_CS with RPL 1" },
    { (FLAT_RING3_CS & ~3) | 2, 3, FAILSAFE, (FLAT_RING3_CS & ~3) | 2, 1, "FLAT_RING3_CS with RPL 2" },
    { FLAT_RING3_CS,          3, FAILSAFE, FLAT_RING3_CS, 1, "FLAT_RING3_CS: to ring 3 on a ring-1 stack" },
    { FLAT_RING1_DS,          3, FAILSAFE, FLAT_RING1_DS, 1, "the monitor's ring-1 data segment as code" },
    { 0,                      3, TRAPPED, TRAP(13, 0), 0, "the null selector, RPL 0 raised to 1: #GP(0)" },
    { 1,                      3, TRAPPED, TRAP(13, 0), 0, "the null selector, RPL 1" },
    { 2,                      3, TRAPPED, TRAP(13, 0), 0, "the null selector, RPL 2" },
    { 3,                      3, TRAPPED, TRAP(13, 0), 0, "the null selector, RPL 3" },
    { GDT_DATA | 1,           3, TRAPPED, TRAP(13, GDT_DATA), 0, "our GDT's data as code: #GP(selector)" },
    { GDT_ABSENT | 1,         3, TRAPPED, TRAP(11, GDT_ABSENT), 0, "our GDT's absent code: #NP(selector)" },
    { GDT_PAST | 1,           3, TRAPPED, TRAP(13, GDT_PAST), 0, "past our GDT: #GP(selector)" },
    { LDT_PAST | 1,           3, TRAPPED, TRAP(13, LDT_PAST), 0, "past our LDT: #GP(selector)" },
    { FLAT_RING1_CS,          0, TRAPPED, TRAP(13, 0x80 << 3 | 2), 0, "gate DPL 0: not for ring 1" },
    { FLAT_RING1_CS,          1, RAN, FLAT_RING1_CS, 0, "gate DPL 1" },
    { FLAT_RING1_CS,          2, RAN, FLAT_RING1_CS, 0, "gate DPL 2" },
};

/* A trap bounced by the monitor (`ud2`): every selector goes through its iret. */
static const struct delivery ud_cases[] = {
    { GDT_CODE | 1,      0, RAN, GDT_CODE | 1, 0, "our GDT's code" },
    { GDT_CODE | 3,      0, FAILSAFE, GDT_CODE | 3, 0, "our GDT's code with RPL 3" },
    { LDT_CODE | 1,      0, RAN, LDT_CODE | 1, 0, "our LDT's code" },
    { FLAT_RING1_CS,     0, RAN, FLAT_RING1_CS, 0, "FLAT_RING1_CS" },
    { FLAT_RING1_CS + 2, 0, FAILSAFE, FLAT_RING1_CS + 2, 0, "FLAT_RING1_CS with RPL 3" },
    { __HYPERVISOR_CS,   0, FAILSAFE, __HYPERVISOR_CS | 1, 0, "the monitor's code" },
    { GDT_ABSENT | 1,    0, FAILSAFE, GDT_ABSENT | 1, 0, "our GDT's absent code" },
};

/* The event callback, entered by the monitor on its way out of a hypercall. */
static const struct delivery event_cases[] = {
    { FLAT_RING1_CS,     0, RAN, FLAT_RING1_CS, 0, "FLAT_RING1_CS" },
    { GDT_CODE | 1,      0, RAN, GDT_CODE | 1, 0, "our GDT's code" },
    { GDT_CODE | 3,      0, FAILSAFE, GDT_CODE | 3, 0, "our GDT's code with RPL 3" },
    { FLAT_RING1_CS + 2, 0, FAILSAFE, FLAT_RING1_CS + 2, 0, "FLAT_RING1_CS with RPL 3" },
    { __HYPERVISOR_CS,   0, FAILSAFE, __HYPERVISOR_CS | 1, 0, "the monitor's code" },
};

static long set_gate(unsigned vector, const struct delivery *d)
{
    struct trap_info ti[2] = { { .vector = (uint8_t)vector, .flags = d->dpl, .cs = d->cs,
                                 .address = trap_entry(vector) }, { 0 } };
    return HYPERVISOR_set_trap_table(ti);
}

static void int80_deliveries(void)
{
    static struct hv_stats before, after;
    trap_set_handler(SYSCALL_VECTOR, handler_ran);
    for (unsigned i = 0; i < ARRAY_SIZE(int80_cases); i++) {
        seen_kind = NOTHING, seen_value = 0, skip = 0;
        long rc = set_gate(SYSCALL_VECTOR, &int80_cases[i]);
        HYPERVISOR_hv_stats(&before);
        deliver(int80);
        HYPERVISOR_hv_stats(&after);
        events_mask();                         /* a plain iret from the handler may have unmasked */
        expect_delivery("int $0x80", &int80_cases[i], rc, after.soft_int_bounced - before.soft_int_bounced);
    }
    traps_init();
}

static void ud_deliveries(void)
{
    trap_set_handler(6, handler_ran);
    for (unsigned i = 0; i < ARRAY_SIZE(ud_cases); i++) {
        seen_kind = NOTHING, seen_value = 0, skip = 2;
        long rc = set_gate(6, &ud_cases[i]);
        deliver(ud2);
        expect_delivery("#UD", &ud_cases[i], rc, 0);
    }
    traps_init();
}

static void event_deliveries(void)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi) == 0, "an IPI port to signal ourselves");
    events_init();
    event_set_handler(ipi.port, port_ran);
    for (unsigned i = 0; i < ARRAY_SIZE(event_cases); i++) {
        seen_kind = NOTHING, seen_value = 0;
        long rc = register_callback(CALLBACKTYPE_event, event_cases[i].cs, trap_entry(SDK_EVENT_VECTOR));
        events_mask();
        event_send(ipi.port);
        deliver(events_unmask);                /* delivered on the way out of a hypercall */
        expect_delivery("an event", &event_cases[i], rc, 0);
        traps_init();                          /* our callback again, for what is still pending */
        events_unmask();
        events_mask();
    }
}

/* The sysenter callback, entered by the monitor for `sysenter` from ring 3. */
static const struct delivery sysenter_cases[] = {
    { FLAT_RING1_CS,     0, RAN, FLAT_RING1_CS, 0, "FLAT_RING1_CS" },
    { GDT_CODE,          0, RAN, GDT_CODE | 1, 0, "our GDT's code, RPL 0 raised to 1" },
    { GDT_CODE | 3,      0, FAILSAFE, GDT_CODE | 3, 0, "our GDT's code with RPL 3" },
    { FLAT_RING1_CS + 2, 0, FAILSAFE, FLAT_RING1_CS + 2, 0, "FLAT_RING1_CS with RPL 3" },
    { __HYPERVISOR_CS,   0, FAILSAFE, __HYPERVISOR_CS | 1, 0, "the monitor's code" },
};

USER_TEXT static void user_sysenter(void)
{
    __asm__ volatile("sysenter" ::: "memory");
    for (;;)
        ;
}

/* The sysenter callback has no way back to ring 3 (the frame has EIP 0): ours leaves it. */
static void sysenter_ran(struct regs *r)
{
    (void)r;
    seen_kind = RAN;
    seen_value = running_cs();
    __asm__ volatile("ljmp %0, $1f\n1:" :: "i"(FLAT_KERNEL_CS));
    context_restore(&before_delivery, 1);
}

static void to_ring3_sysenter(void)
{
    enter_user((uint32_t)(uintptr_t)user_sysenter, (uint32_t)(uintptr_t)(user_stack + sizeof(user_stack)));
}

static void sysenter_deliveries(void)
{
    enable_ring3();
    trap_set_handler(SDK_SYSENTER_VECTOR, sysenter_ran);
    for (unsigned i = 0; i < ARRAY_SIZE(sysenter_cases); i++) {
        seen_kind = NOTHING, seen_value = 0;
        long rc = register_callback(CALLBACKTYPE_sysenter, sysenter_cases[i].cs, trap_entry(SDK_SYSENTER_VECTOR));
        deliver(to_ring3_sysenter);
        expect_delivery("sysenter", &sysenter_cases[i], rc, 0);
    }
}

/* The failsafe callback itself on selectors the CPU takes, entered when the monitor's iret
 * refuses a #UD handler on the monitor's own code selector. */
static const uint16_t failsafe_selectors[] = { FLAT_RING1_CS & ~3, GDT_CODE | 1, LDT_CODE };

static void failsafe_deliveries(void)
{
    static const struct delivery refused = { __HYPERVISOR_CS, 0, FAILSAFE, __HYPERVISOR_CS | 1, 0,
                                             "the monitor's code" };
    for (unsigned i = 0; i < ARRAY_SIZE(failsafe_selectors); i++) {
        uint16_t sel = failsafe_selectors[i];
        seen_kind = NOTHING, seen_value = 0, failsafe_ran_on = 0;
        long rc = register_callback(CALLBACKTYPE_failsafe, sel, failsafe_entry());
        if (set_gate(6, &refused) == 0)
            deliver(ud2);
        check(rc == 0 && seen_kind == FAILSAFE && seen_value == (__HYPERVISOR_CS | 1) && failsafe_ran_on == (sel | 1u),
              "the failsafe callback on %04x: registered (%ld), entered on %04x for a #UD handler on %04x",
              sel, rc, failsafe_ran_on, seen_value);
    }
    traps_init();
}

static void selectors(void)
{
    registrations();
    failsafe_set_handler(failsafe_seen);
    trap_set_handler(11, trapped);
    trap_set_handler(13, trapped);
    int80_deliveries();
    ud_deliveries();
    event_deliveries();
    sysenter_deliveries();
    failsafe_deliveries();
}

/* ---- the kernel stack ----------------------------------------------------------------------------- */

static long stack_switch(uint32_t ss)
{
    return HYPERVISOR_stack_switch(ss, (uint32_t)(uintptr_t)(sdk_trap_stack + sizeof(sdk_trap_stack)));
}

struct stack_case {
    uint16_t ss;
    long rc;
    const char *what;
};

/* Xen 4.2 answers 0 to every one of these (it only raises an RPL of 0 to 1, and crashes the
 * domain when it first builds a frame through a bad SS); this monitor refuses a bad SS at once
 * (hypercall-abi/ABI.md, stack_switch). */
static const struct stack_case stack_cases[] = {
    { FLAT_RING1_SS,           0, "FLAT_RING1_SS" },
    { FLAT_RING1_SS & ~3,      0, "FLAT_RING1_SS with RPL 0, raised to 1" },
    { FLAT_RING1_SS + 1,       -XEN_EINVAL, "FLAT_RING1_SS with RPL 2" },
    { FLAT_RING1_SS + 2,       -XEN_EINVAL, "FLAT_RING1_SS with RPL 3" },
    { FLAT_RING3_SS,           -XEN_EINVAL, "FLAT_RING3_SS" },
    { FLAT_RING3_SS & ~3,      -XEN_EINVAL, "FLAT_RING3_SS with RPL 0: still DPL 3" },
    { __HYPERVISOR_DS,         -XEN_EINVAL, "the monitor's data segment" },
    { FLAT_RING1_CS,           -XEN_EINVAL, "a code segment" },
    { 0,                       -XEN_EINVAL, "the null selector" },
    { GDT_DATA | 1,            0, "our GDT's ring-1 data" },
    { GDT_DATA,                0, "our GDT's ring-1 data, RPL 0" },
    { GDT_DATA | 3,            -XEN_EINVAL, "our GDT's ring-1 data with RPL 3" },
    { GDT_USER_DATA | 1,       -XEN_EINVAL, "our GDT's DPL-3 data" },
    { GDT_USER_DATA | 3,       -XEN_EINVAL, "our GDT's DPL-3 data with RPL 3" },
    { GDT_READ_ONLY | 1,       -XEN_EINVAL, "our GDT's read-only data" },
    { GDT_ABSENT | 1,          -XEN_EINVAL, "our GDT's absent entry" },
    { GDT_CODE | 1,            -XEN_EINVAL, "our GDT's code" },
    { GDT_PAST | 1,            -XEN_EINVAL, "past our GDT" },
    { LDT_DATA | 1,            0, "our LDT's ring-1 data" },
    { LDT_PAST | 1,            -XEN_EINVAL, "past our LDT" },
};

static void bad_ss(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(stack_cases); i++) {
        long rc = stack_switch(stack_cases[i].ss);
        check(rc == stack_cases[i].rc, "stack_switch(%04x) (%s): %ld", stack_cases[i].ss, stack_cases[i].what, rc);
    }
    enable_ring3();
    check(stack_switch(GDT_DATA | 1) == 0, "stack_switch to our GDT's ring-1 data");
    syscall_from_ring3();
    check(syscall_frame_ok && syscall_ss == (GDT_DATA | 1), "int $0x80 from ring 3 arrives on it (ss %04x)", syscall_ss);
    check(stack_switch(FLAT_RING3_SS) == -XEN_EINVAL, "stack_switch to FLAT_RING3_SS refused");
    syscall_from_ring3();
    check(syscall_frame_ok && syscall_ss == (GDT_DATA | 1), "int $0x80 from ring 3 still arrives on the last good one");
    check(stack_switch(FLAT_KERNEL_SS) == 0, "stack_switch back to FLAT_KERNEL_SS");
    syscall_from_ring3();
    check(syscall_frame_ok && syscall_ss == FLAT_KERNEL_SS, "int $0x80 from ring 3 arrives on it");
}

/* ---- attacks that must crash this domain ----------------------------------------------------------- */

/* The failsafe callback on an RPL-3 code selector of our GDT, which Xen accepts, then an iret
 * to ring 3 with a ring-1 SS, which the CPU refuses: the failsafe frame the monitor builds for
 * it goes to ring 3 with a ring-1 SS as well. A dozen instructions. */
static void failsafe_rpl3(void)
{
    static uint32_t entry;
    entry = failsafe_entry();
    printf("failsafe callback on %04x, then an iret the CPU refuses\n", GDT_USER_CODE | 3);
    __asm__ volatile(
        "mov %[set_callbacks], %%eax\n\t"
        "mov %[kernel_cs], %%ebx\n\t"
        "mov %[entry], %%ecx\n\t"
        "mov %[user_cs], %%edx\n\t"
        "mov %[entry], %%esi\n\t"
        "int $0x82\n\t"
        "push %[bad_ss]\n\t"                   /* the frame: SS, ESP, EFLAGS, CS, EIP */
        "push %%esp\n\t"
        "push $0x202\n\t"
        "push %[user_cs]\n\t"
        "push $0\n\t"
        "jmp hypercall_page + %c[iret]"
        :: [set_callbacks] "i"(__HYPERVISOR_set_callbacks), [kernel_cs] "i"(FLAT_KERNEL_CS),
           [entry] "m"(entry), [user_cs] "i"(GDT_USER_CODE | 3), [bad_ss] "i"(FLAT_KERNEL_DS | 3),
           [iret] "i"(__HYPERVISOR_iret * 32)
        : "eax", "ebx", "ecx", "edx", "esi", "edi", "memory");
}

/* The failsafe callback on an RPL-1 selector whose code segment is not present, then an iret
 * to ring 1 through it, from the top of our free pages: each failsafe frame would go on the
 * ring-1 stack, 28 bytes below the one before. */
static void failsafe_walk(void)
{
    uint8_t *page, *last = NULL;
    while ((page = page_alloc()) != NULL)
        last = page;
    check(register_callback(CALLBACKTYPE_failsafe, GDT_ABSENT | 1, failsafe_entry()) == 0,
          "callback_op: the failsafe callback on %04x (absent): 0", GDT_ABSENT | 1);
    printf("an iret to ring 1 on %04x next, with the stack at %p\n", GDT_ABSENT | 1, last + 4096);
    __asm__ volatile(
        "mov %[top], %%esp\n\t"
        "push $0x202\n\t"                      /* the frame: EFLAGS, CS, EIP */
        "push %[absent]\n\t"
        "push $0\n\t"
        "jmp hypercall_page + %c[iret]"
        :: [top] "r"(last + 4096), [absent] "i"(GDT_ABSENT | 1), [iret] "i"(__HYPERVISOR_iret * 32)
        : "memory");
}

/* Xen's create_bounce_frame refuses to enter a guest on a null selector. */
static void null_callback(void)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    check(HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &ipi) == 0, "an IPI port to signal ourselves");
    check(register_callback(CALLBACKTYPE_event, 0, trap_entry(SDK_EVENT_VECTOR)) == 0,
          "callback_op: the event callback on the null selector: 0 (Xen's answer)");
    event_send(ipi.port);
    printf("an event next\n");
    events_unmask();
}

/* stack_switch takes a good segment; then we make it DPL 3, where the CPU, loading SS1 for the
 * direct gate, refuses it (#TS), and the monitor must not build its frame through it either. */
static void ss_changed(void)
{
    enable_ring3();
    check(stack_switch(GDT_DATA | 1) == 0, "stack_switch to our GDT's ring-1 data");
    check(update(&gdt[GDT_DATA >> 3], flat(DATA_DPL3)) == 0, "that descriptor made DPL 3 (update_descriptor)");
    printf("int $0x80 from ring 3 next\n");
    syscall_from_ring3();
}

int main(void)
{
    char mode[16] = "";
    cmdline_option("mode", mode, sizeof(mode));
    traps_init();
    load_tables();
    if (strcmp(mode, "selectors") == 0)
        selectors();
    else if (strcmp(mode, "bad-ss") == 0)
        bad_ss();
    else if (strcmp(mode, "failsafe-rpl3") == 0)
        failsafe_rpl3();
    else if (strcmp(mode, "failsafe-walk") == 0)
        failsafe_walk();
    else if (strcmp(mode, "null-callback") == 0)
        null_callback();
    else if (strcmp(mode, "ss-changed") == 0)
        ss_changed();
    else
        check(0, "a mode: selectors, bad-ss, failsafe-rpl3, failsafe-walk, null-callback or ss-changed");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
