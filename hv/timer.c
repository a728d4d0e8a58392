/* timer.c - the 8254 PIT on IRQ 0, through the 8259 PICs remapped above the exceptions (ring 0).
 * The scheduler's slices and caps (sched_policy.c) count in ticks of 1/TIMER_HZ s. At boot the PIT
 * ticks at that rate, long enough to measure the TSC (time.c); from then on it counts one event
 * at a time (mode 0, interrupt on terminal count), programmed for whichever comes first: the
 * next tick or the earliest guest timer. So a timer fires when it is due, within a PIT period
 * (0.84 us) and the interrupt's path, not at the next tick.
 */
#include "hv.h"
#include "traps.h"
#include "x86.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI   0x20
#define ICW1_INIT_ICW4 0x11
#define ICW4_8086      0x01

#define PIT_CH0   0x40
#define PIT_CMD   0x43
#define PIT_HZ    1193182
#define PIT_RATE_GENERATOR_CH0 0x34   /* channel 0, lobyte/hibyte, mode 2 */
#define PIT_ONE_SHOT_CH0       0x30   /* channel 0, lobyte/hibyte, mode 0 */
#define PIT_MAX_COUNT          0xFFFF /* 54.9 ms */
/* PIT counts per ns, as a 32-bit fraction: PIT_HZ * 2^32 / 10^9, rounded down. */
#define PIT_COUNTS_PER_NS_FRACTION 5124677u
#define TICK_NS (1000000000u / TIMER_HZ)

static volatile uint64_t ticks;
static int one_shot;                  /* the PIT counts one event at a time (after calibration) */
static uint64_t next_tick_ns;         /* system time of the next tick */
static uint64_t programmed_ns;        /* the event the PIT counts towards */

/* Remap the PICs so IRQs 0-15 arrive at VEC_IRQ0.. instead of on top of CPU exceptions. */
static void pic_init(void)
{
    outb(PIC1_CMD, ICW1_INIT_ICW4);
    outb(PIC2_CMD, ICW1_INIT_ICW4);
    outb(PIC1_DATA, VEC_IRQ0);
    outb(PIC2_DATA, VEC_IRQ0 + 8);
    outb(PIC1_DATA, 1 << 2);          /* slave on IRQ 2 */
    outb(PIC2_DATA, 2);
    outb(PIC1_DATA, ICW4_8086);
    outb(PIC2_DATA, ICW4_8086);
    outb(PIC1_DATA, 0xFF & ~(1 << 0 | 1 << 4));   /* the timer and COM1 */
    outb(PIC2_DATA, 0xFF);
}

void timer_init(void)
{
    pic_init();
    uint16_t divisor = PIT_HZ / TIMER_HZ;
    outb(PIT_CMD, PIT_RATE_GENERATOR_CH0);
    outb(PIT_CH0, divisor & 0xFF);
    outb(PIT_CH0, divisor >> 8);
}

/* From now on one event at a time: the first at the next tick. */
void timer_one_shot(void)
{
    next_tick_ns = time_now_ns() + TICK_NS;
    one_shot = 1;
    timer_program(0);
}

/* IRQ 0: the ticks that are due (in one-shot mode the event may be a guest's timer, and no tick,
 * or come late, after more than one). Returns how many. */
unsigned timer_irq(void)
{
    outb(PIC1_CMD, PIC_EOI);
    if (!one_shot) {
        ticks++;
        return 1;
    }
    unsigned due = 0;
    for (uint64_t now = time_now_ns(); now >= next_tick_ns; next_tick_ns += TICK_NS)
        due++;
    ticks += due;
    return due;
}

/* PIT counts for at least ns nanoseconds, between 1 and PIT_MAX_COUNT. */
static uint32_t pit_counts(uint64_t ns)
{
    if (ns >= (uint64_t)PIT_MAX_COUNT * 1000000000ull / PIT_HZ)
        return PIT_MAX_COUNT;
    return (uint32_t)(((uint64_t)(uint32_t)ns * PIT_COUNTS_PER_NS_FRACTION) >> 32) + 1;
}

/* Program the next event: the next tick, or `deadline` (system time, 0 for none) if sooner. */
void timer_program(uint64_t deadline)
{
    if (!one_shot)
        return;
    uint64_t target = deadline && deadline < next_tick_ns ? deadline : next_tick_ns, now = time_now_ns();
    uint32_t count = pit_counts(target > now ? target - now : 0);
    outb(PIT_CMD, PIT_ONE_SHOT_CH0);
    outb(PIT_CH0, count & 0xFF);
    outb(PIT_CH0, count >> 8);
    programmed_ns = target;
}

/* A timer at `deadline` was set: the PIT is programmed again if it is sooner than its event. */
void timer_deadline_added(uint64_t deadline)
{
    if (one_shot && deadline && deadline < programmed_ns)
        timer_program(deadline);
}

void pic_eoi(void)
{
    outb(PIC1_CMD, PIC_EOI);
}

/* End of interrupt for line irq: a slave line (8-15) needs it at both PICs. */
void pic_eoi_line(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

/* Mask or unmask one line (the slave's lines pass through the master's line 2, left open). */
void pic_set_masked(unsigned irq, int masked)
{
    uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
    uint8_t bit = (uint8_t)(1u << (irq & 7)), mask = inb(port);
    outb(port, masked ? (uint8_t)(mask | bit) : (uint8_t)(mask & ~bit));
    if (irq >= 8 && !masked)
        outb(PIC1_DATA, (uint8_t)(inb(PIC1_DATA) & ~(1u << 2)));
}

uint64_t timer_ticks(void)
{
    uint32_t flags = irq_save();      /* a 64-bit read is two loads: no tick between them */
    uint64_t t = ticks;
    irq_restore(flags);
    return t;
}
