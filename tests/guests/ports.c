/* ports.c - a guest that tries the machine's I/O ports with a virtual IOPL of 1 (guest ring 1,
 * SDK). As domain 0 it reaches the machine's ports but never the monitor's: masking every
 * interrupt at the PIC, reprogramming the PIT or writing QEMU's power-off port changes nothing,
 * and time goes on. As any other domain (`mode=domu`) no port is the machine's: the IDE
 * controller's status reads all ones and a command written to it goes nowhere. The machine's
 * interrupt lines as event channels (physical IRQs) are domain 0's alone, and never the monitor's.
 * The string forms (`rep insw`, `rep outsb`...) are emulated element by element: their counts and
 * pointers move as the CPU's would, and a fault on the buffer is the guest's own #PF.
 */
#include "sdk.h"

static int failures;

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static struct regs last;           /* the last trap, as its handler saw it */
static uint32_t skip;              /* bytes the handler skips (the faulting instruction) */
static void record(struct regs *r) { last = *r; r->eip += skip; }

static volatile uint32_t timer_fired;
static void on_timer(evtchn_port_t port) { (void)port; timer_fired = 1; }

/* A timer 2 ms ahead still fires: the monitor's PIT and PIC are as they were. */
static int time_goes_on(void)
{
    timer_fired = 0;
    timer_set(clock_ns() + 2000000ull);
    uint64_t give_up = clock_ns() + 1000000000ull;
    BLOCK_UNTIL(timer_fired || clock_ns() > give_up);
    return timer_fired;
}

static long map_pirq(int type, int line)
{
    struct physdev_map_pirq m = { .domid = DOMID_SELF, .type = type, .index = line, .pirq = -1 };
    long rc = HYPERVISOR_physdev_op(PHYSDEVOP_map_pirq, &m);
    return rc < 0 ? rc : m.pirq;
}

static long bind_pirq(uint32_t pirq, evtchn_port_t *port)
{
    struct evtchn_bind_pirq b = { .pirq = pirq };
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_pirq, &b);
    *port = b.port;
    return rc;
}

static long pirq_call(unsigned cmd, uint32_t irq)
{
    struct physdev_irq_status_query q = { .irq = irq };    /* its first word is the irq, as eoi's */
    return HYPERVISOR_physdev_op(cmd, &q);
}

static void pirqs_as_domain0(void)
{
    check(map_pirq(MAP_PIRQ_TYPE_GSI, 0) == -XEN_EBUSY && map_pirq(MAP_PIRQ_TYPE_GSI, 4) == -XEN_EBUSY,
          "map_pirq of the PIT's line or the monitor's serial line: -EBUSY");
    check(map_pirq(MAP_PIRQ_TYPE_MSI, 11) == -XEN_EINVAL && map_pirq(MAP_PIRQ_TYPE_GSI, 16) == -XEN_EINVAL,
          "an MSI, or a line past the ISA ones: -EINVAL");
    evtchn_port_t port, again;
    check(bind_pirq(11, &port) == -XEN_EINVAL, "bind_pirq of a line not mapped: -EINVAL");
    check(map_pirq(MAP_PIRQ_TYPE_GSI, 11) == 11 && bind_pirq(11, &port) == 0 && port,
          "map_pirq of line 11: pirq 11; bind_pirq: a port");
    check(bind_pirq(11, &again) == -XEN_EEXIST, "bound twice: -EEXIST");
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    check(HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_pirq && st.u.pirq == 11,
          "status: a pirq port, of pirq 11");
    struct physdev_irq_status_query q = { .irq = 11 };
    check(HYPERVISOR_physdev_op(PHYSDEVOP_irq_status_query, &q) == 0 && q.flags == XENIRQSTAT_needs_eoi,
          "irq_status_query: it needs an EOI");
    check(pirq_call(PHYSDEVOP_eoi, 11) == 0 && pirq_call(PHYSDEVOP_eoi, 12) == -XEN_EINVAL,
          "PHYSDEVOP_eoi of it: 0; of a line not mapped: -EINVAL");
    struct physdev_unmap_pirq u = { .domid = DOMID_SELF, .pirq = 11 };
    check(HYPERVISOR_physdev_op(PHYSDEVOP_unmap_pirq, &u) == -XEN_EINVAL, "unmap_pirq while bound: -EINVAL");
    struct evtchn_close c = { .port = port };
    HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
    check(HYPERVISOR_physdev_op(PHYSDEVOP_unmap_pirq, &u) == 0, "closed, then unmapped");
}

static void as_domain0(void)
{
    pirqs_as_domain0();
    check(inb(0x21) == 0xFF && inb(0x40) == 0xFF && inb(0x3FD) == 0xFF,
          "domain 0: the PIC's mask, the PIT and the monitor's serial port read all ones");
    outb(0x21, 0xFF);                          /* mask every interrupt */
    outb(0x43, 0x30);                          /* the PIT's channel 0, stopped */
    outb(0xF4, 0x55);                          /* QEMU's power-off port */
    outb(0x70, 0x00);                          /* the CMOS index */
    check(time_goes_on(), "writes to the PIC, the PIT, the power-off port and the CMOS go nowhere: time goes on");
    check(inb(0x1F7) != 0xFF, "the IDE controller's status is the machine's (domain 0 drives it)");
}

static void as_domu(void)
{
    evtchn_port_t port;
    check(map_pirq(MAP_PIRQ_TYPE_GSI, 14) == -XEN_EPERM && bind_pirq(14, &port) == -XEN_EPERM &&
          pirq_call(PHYSDEVOP_eoi, 14) == -XEN_EPERM && pirq_call(PHYSDEVOP_irq_status_query, 14) == -XEN_EPERM,
          "a domU: map_pirq, bind_pirq, eoi, irq_status_query: -EPERM");
    check(inb(0x1F7) == 0xFF && inb(0x3F6) == 0xFF, "a domU: the IDE controller's status reads all ones");
    outb(0x1F6, 0xA0);
    outb(0x1F7, 0xEC);                         /* IDENTIFY DEVICE: it would answer with data */
    check(inb(0x1F7) == 0xFF, "and a command written to it goes nowhere");
    check(time_goes_on(), "time goes on");
}

/* One string instruction from port 0x1F0 (a domU's: every read is all ones), with ECX, ESI and EDI
 * given and returned. */
struct string_regs { uint32_t ecx, esi, edi; };
#define STRING_IO(insn, r) \
    __asm__ volatile(insn : "+c"((r).ecx), "+S"((r).esi), "+D"((r).edi) : "d"(0x1F0) : "memory", "cc")

static uint8_t pages[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void string_io_as_domu(void)
{
    static uint16_t words[3000 + 1];
    words[3000] = 0x1111;
    struct string_regs r = { 3000, 0, (uint32_t)words };
    STRING_IO("rep insw", r);
    int all_ones = 1;
    for (int i = 0; i < 3000; i++)
        all_ones &= words[i] == 0xFFFF;
    check(all_ones && words[3000] == 0x1111 && r.ecx == 0 && r.edi == (uint32_t)&words[3000],
          "rep insw of 3000 words (three crossings): all ones, ECX 0, EDI past them, not a word more");
    uint8_t bytes[8] = { 0 };
    r = (struct string_regs){ 4, 0, (uint32_t)&bytes[7] };
    STRING_IO("std; rep insb; cld", r);
    check(bytes[3] == 0 && bytes[4] == 0xFF && bytes[7] == 0xFF && r.edi == (uint32_t)&bytes[3] && r.ecx == 0,
          "with EFLAGS.DF: rep insb fills downwards, EDI ends below");
    r = (struct string_regs){ 3, (uint32_t)bytes, 0 };
    STRING_IO("rep outsl", r);
    check(r.ecx == 0 && r.esi == (uint32_t)bytes + 12, "rep outsl of 3: ESI moves by 12, ECX 0");
    r = (struct string_regs){ 5, 0, (uint32_t)bytes };
    STRING_IO("insb", r);
    check(r.ecx == 5 && r.edi == (uint32_t)bytes + 1, "insb without rep: one byte, ECX as it was");
    r = (struct string_regs){ 0, 0, (uint32_t)bytes };
    STRING_IO("rep insw", r);
    check(r.ecx == 0 && r.edi == (uint32_t)bytes, "rep insw with ECX 0: nothing");

    /* The second page unmapped: a `rep insw` of 4 words from 4 bytes before it. */
    uint8_t *second = pages + PAGE_SIZE;
    uint32_t mfn = virt_to_mfn(second);
    check(map_page(second, 0, 0) == 0, "a page unmapped");
    trap_set_handler(14, record);
    trap_set_handler(13, record);
    skip = 3;
    last.vector = 0;
    r = (struct string_regs){ 4, 0, (uint32_t)second - 4 };
    STRING_IO("rep insw", r);
    check(last.vector == 14 && last.error_code == 2 && shared_info->vcpu_info[0].arch.cr2 == (uint32_t)second &&
          r.ecx == 2 && r.edi == (uint32_t)second && second[-1] == 0xFF,
          "rep insw into it: two words, then #PF (write, CR2 the page) with ECX 2 and EDI on it");
    last.vector = 0;
    r = (struct string_regs){ 3, 0, (uint32_t)second - 1 };
    STRING_IO("rep insw", r);
    check(last.vector == 14 && last.error_code == 2 && shared_info->vcpu_info[0].arch.cr2 == (uint32_t)second &&
          r.ecx == 3 && r.edi == (uint32_t)second - 1,
          "a word across into it: #PF with CR2 the page's first byte, nothing done");
    skip = 2;
    last.vector = 0;
    r = (struct string_regs){ 1, (uint32_t)second, 0 };
    STRING_IO("rep outsb", r);
    check(last.vector == 14 && last.error_code == 0 && shared_info->vcpu_info[0].arch.cr2 == (uint32_t)second &&
          r.ecx == 1, "rep outsb from it: #PF (a read), ECX as it was");
    check(map_page(second, mfn, PTE_P | PTE_RW | PTE_A | PTE_D) == 0, "mapped again");
    skip = 3;
    last.vector = 0;
    r = (struct string_regs){ 1, (uint32_t)bytes, 0 };
    STRING_IO("rep outsb %%fs:(%%esi), (%%dx)", r);
    check(last.vector == 13 && last.error_code == 0 && r.ecx == 1, "a segment override (fs): #GP, not emulated");
    skip = 2;
    last.vector = 0;
    r = (struct string_regs){ 1, 0, (uint32_t)bytes };
    STRING_IO("push %%es; push $0; pop %%es; rep insb; pop %%es", r);
    check(last.vector == 13 && r.ecx == 1, "rep insb with a null ES: #GP");
    trap_set_handler(14, NULL);
    trap_set_handler(13, NULL);
}

int main(void)
{
    char mode[8] = "";
    cmdline_option("mode", mode, sizeof(mode));
    traps_init();
    events_init();
    bind_virq(VIRQ_TIMER, on_timer);
    events_unmask();
    struct physdev_set_iopl iopl = { 1 };
    check(HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &iopl) == 0, "PHYSDEVOP_set_iopl 1");
    if (strcmp(mode, "domu") == 0)
        as_domu(), string_io_as_domu();
    else
        as_domain0();
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
