/* ports.c - a guest that tries the machine's I/O ports with a virtual IOPL of 1 (guest ring 1,
 * SDK). As domain 0 it reaches the machine's ports but never the monitor's: masking every
 * interrupt at the PIC, reprogramming the PIT or writing QEMU's power-off port changes nothing,
 * and time goes on. As any other domain (`mode=domu`) no port is the machine's: the IDE
 * controller's status reads all ones and a command written to it goes nowhere.
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

static volatile uint32_t timer_fired;
static void on_timer(evtchn_port_t port) { (void)port; timer_fired = 1; }

/* A timer 2 ms ahead still fires: the monitor's PIT and PIC are as they were. */
static int time_goes_on(void)
{
    timer_fired = 0;
    timer_set(clock_ns() + 2000000ull);
    for (int i = 0; i < 1000 && !timer_fired; i++)
        block();
    return timer_fired;
}

static void as_domain0(void)
{
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
    check(inb(0x1F7) == 0xFF && inb(0x3F6) == 0xFF, "a domU: the IDE controller's status reads all ones");
    outb(0x1F6, 0xA0);
    outb(0x1F7, 0xEC);                         /* IDENTIFY DEVICE: it would answer with data */
    check(inb(0x1F7) == 0xFF, "and a command written to it goes nowhere");
    check(time_goes_on(), "time goes on");
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
        as_domu();
    else
        as_domain0();
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
