/* timer.c - the 8254 PIT on IRQ 0, through the 8259 PICs remapped above the exceptions (ring 0).
 * One tick every 1/TIMER_HZ s: the scheduler's slices and caps (sched_policy.c) and guest time
 * (time.c) count in it.
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

static volatile uint64_t ticks;

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

void timer_irq(void)
{
    ticks++;
    outb(PIC1_CMD, PIC_EOI);
}

void pic_eoi(void)
{
    outb(PIC1_CMD, PIC_EOI);
}

uint64_t timer_ticks(void)
{
    uint32_t flags = irq_save();      /* a 64-bit read is two loads: no tick between them */
    uint64_t t = ticks;
    irq_restore(flags);
    return t;
}
