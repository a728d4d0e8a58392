/* traps.c - the guest kernel's side of trap bouncing (guest ring 1): its virtual IDT, C handlers,
 * callbacks for events and failsafe returns, and the stack traps from ring 3 arrive on.
 */
#include "sdk.h"
#include "regs-offsets.h"

_Static_assert(__builtin_offsetof(struct regs, cs) == SDK_REGS_CS, "entry.S reads CS here");
_Static_assert(__builtin_offsetof(struct regs, eflags) == SDK_REGS_EFLAGS, "entry.S reads EFLAGS here");
_Static_assert(__builtin_offsetof(struct shared_info, vcpu_info[0].evtchn_upcall_pending) == 0 &&
               __builtin_offsetof(struct shared_info, vcpu_info[0].evtchn_upcall_mask) == 1,
               "entry.S tests pending and mask as one 16-bit word");

extern char sdk_failsafe_entry[];
#define STUB(v) extern char sdk_stub_##v[];
STUB(0) STUB(1) STUB(2) STUB(3) STUB(4) STUB(5) STUB(6) STUB(7) STUB(8) STUB(9) STUB(10)
STUB(11) STUB(12) STUB(13) STUB(14) STUB(15) STUB(16) STUB(17) STUB(18) STUB(19) STUB(128) STUB(256)
STUB(257)
#undef STUB

static char *const stubs[SDK_NR_EXCEPTIONS] = {
    sdk_stub_0, sdk_stub_1, sdk_stub_2, sdk_stub_3, sdk_stub_4, sdk_stub_5, sdk_stub_6, sdk_stub_7,
    sdk_stub_8, sdk_stub_9, sdk_stub_10, sdk_stub_11, sdk_stub_12, sdk_stub_13, sdk_stub_14,
    sdk_stub_15, sdk_stub_16, sdk_stub_17, sdk_stub_18, sdk_stub_19,
};

static void unhandled(struct regs *r);

/* What entry.S calls for each vector: never NULL, so the path from a trap to its handler is one
 * indirect call (a direct system call should cost what a native one does). */
trap_handler sdk_handlers[SDK_NR_HANDLERS] = { [0 ... SDK_NR_HANDLERS - 1] = unhandled };
static failsafe_handler on_failsafe;

/* Traps from ring 3 arrive on this stack (stack_switch), never on the one the kernel runs on. */
uint8_t sdk_trap_stack[SDK_TRAP_STACK_SIZE] __attribute__((aligned(16)));

static const char *const names[SDK_NR_EXCEPTIONS] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "?", "#TS", "#NP", "#SS", "#GP",
    "#PF", "?", "#MF", "#AC", "#MC", "#XM",
};

static void unhandled(struct regs *r)
{
    panic("unhandled %s (vector %u, error code %#x) at %04x:%08x", r->vector < SDK_NR_EXCEPTIONS ?
          names[r->vector] : "interrupt", r->vector, r->error_code, r->cs & 0xFFFF, r->eip);
}

/* Register one vector with the monitor: a table of one entry and its terminator. */
static void register_vector(unsigned vector, void *stub, unsigned dpl, int mask_events)
{
    struct trap_info table[2] = { { .vector = (uint8_t)vector, .cs = FLAT_KERNEL_CS,
                                    .address = (uint32_t)(uintptr_t)stub }, { 0 } };
    TI_SET_DPL(&table[0], dpl);
    TI_SET_IF(&table[0], mask_events);
    long rc = HYPERVISOR_set_trap_table(stub ? table : NULL);
    if (rc)
        panic("set_trap_table(vector %u): %ld", vector, rc);
}

void traps_init(void)
{
    for (unsigned v = 0; v < SDK_NR_EXCEPTIONS; v++) {
        /* int3 and into are meant for ring 3 too (DPL 3), as on bare hardware. */
        register_vector(v, stubs[v], v == 3 || v == 4 ? 3 : 0, 0);
    }
    long rc = HYPERVISOR_set_callbacks(FLAT_KERNEL_CS, (uint32_t)(uintptr_t)sdk_stub_256,
                                       FLAT_KERNEL_CS, (uint32_t)(uintptr_t)sdk_failsafe_entry);
    if (rc == 0)
        rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS, (uint32_t)(uintptr_t)(sdk_trap_stack + sizeof(sdk_trap_stack)));
    if (rc)
        panic("traps_init: %ld", rc);
}

void trap_set_handler(unsigned vector, trap_handler handler)
{
    sdk_handlers[vector] = handler ? handler : unhandled;
}

long syscall_gate(unsigned dpl, int mask_events)
{
    return HYPERVISOR_set_trap_table((struct trap_info[2]){
        { .vector = SYSCALL_VECTOR, .flags = (uint8_t)(dpl | (mask_events ? 4 : 0)),
          .cs = FLAT_KERNEL_CS, .address = (uint32_t)(uintptr_t)sdk_stub_128 }, { 0 } });
}

void syscall_gate_remove(void)
{
    HYPERVISOR_set_trap_table(NULL);      /* clears the whole table: put the exceptions back */
    traps_init();
}

long sysenter_set_handler(trap_handler handler)
{
    trap_set_handler(SDK_SYSENTER_VECTOR, handler);
    struct callback_register cb = { .type = CALLBACKTYPE_sysenter,
                                    .address = { FLAT_KERNEL_CS, (uint32_t)(uintptr_t)sdk_stub_257 } };
    return HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
}

uint32_t trap_entry(unsigned vector)
{
    if (vector < SDK_NR_EXCEPTIONS)
        return (uint32_t)(uintptr_t)stubs[vector];
    switch (vector) {
    case SYSCALL_VECTOR:      return (uint32_t)(uintptr_t)sdk_stub_128;
    case SDK_EVENT_VECTOR:    return (uint32_t)(uintptr_t)sdk_stub_256;
    case SDK_SYSENTER_VECTOR: return (uint32_t)(uintptr_t)sdk_stub_257;
    default:                  return 0;
    }
}

uint32_t failsafe_entry(void)
{
    return (uint32_t)(uintptr_t)sdk_failsafe_entry;
}

void failsafe_set_handler(failsafe_handler handler)
{
    on_failsafe = handler;
}

void sdk_failsafe(uint32_t *frame);
void sdk_failsafe(uint32_t *frame)
{
    if (on_failsafe)
        on_failsafe(frame);
    panic("failsafe callback: ds %04x es %04x fs %04x gs %04x, return to %04x:%08x", frame[0],
          frame[1], frame[2], frame[3], frame[5] & 0xFFFF, frame[4]);
}
