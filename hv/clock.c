/* clock.c - the monitor's clock: system time in nanoseconds since boot, from the TSC, and the
 * per-vCPU time record a guest reads it from (ring 0; a leaf: it calls nothing above it).
 *
 * A guest reads time without entering the monitor: vcpu_time_info says "system_time ns had
 * passed when the TSC read tsc_timestamp", and how to turn TSC ticks into ns:
 *     ns = system_time + ((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul >> 32
 * (a negative shift shifts right). `version` is odd while the monitor updates the fields.
 */
#include "domain.h"
#include "format.h"
#include "hv.h"
#include "x86.h"

#define NS_PER_SEC 1000000000ull

static uint64_t tsc_at_boot;
static uint32_t tsc_mul;          /* tsc_to_system_mul */
static int8_t tsc_shift;

/* (delta << shift) * mul >> 32, in 32-bit pieces. */
static uint64_t scale(uint64_t delta, uint32_t mul, int8_t shift)
{
    delta = shift >= 0 ? delta << shift : delta >> -shift;
    uint64_t lo = (uint64_t)(uint32_t)delta * mul;
    uint64_t hi = (uint64_t)(uint32_t)(delta >> 32) * mul;
    return (lo >> 32) + hi;
}

uint64_t time_now_ns(void)
{
    return scale(rdtsc() - tsc_at_boot, tsc_mul, tsc_shift);
}

/* Choose shift and mul so that mul = 2^32 * 10^9 / (tsc_hz << shift) fits in 32 bits. */
static void set_scale(uint64_t tsc_hz)
{
    int8_t shift = 0;
    while (tsc_hz <= NS_PER_SEC) {
        tsc_hz <<= 1;
        shift++;
    }
    while (tsc_hz > (NS_PER_SEC << 1)) {
        tsc_hz >>= 1;
        shift--;
    }
    tsc_shift = shift;
    tsc_mul = (uint32_t)((NS_PER_SEC << 32) / tsc_hz);
}

/* The TSC runs at tsc_hz (time.c measured it): system time starts now. */
void clock_start(uint64_t tsc_hz)
{
    tsc_at_boot = rdtsc();
    set_scale(tsc_hz);
}

const char *clock_scale_text(void)
{
    static char text[48];
    format_snprintf(text, sizeof(text), "tsc_to_system_mul %08x shift %d", tsc_mul, tsc_shift);
    return text;
}

uint64_t boot_tsc;
uint64_t halted_tsc;

/* Halt until the next interrupt, counting the TSC ticks it takes (the handler of the interrupt
 * that ends it included): under QEMU's -icount they are waiting, not instructions, and the boot
 * report subtracts them. */
void halt_until_interrupt(void)
{
    uint64_t t0 = rdtsc();
    wait_for_interrupt();
    halted_tsc += rdtsc() - t0;
}

/* Refresh a vCPU's time record, with the version protocol a guest relies on. */
void time_update_vcpu(struct vcpu *v)
{
    struct vcpu_time_info *t = &v->info->time;
    t->version++;
    __asm__ volatile("" ::: "memory");
    t->tsc_timestamp = rdtsc();
    t->system_time = scale(t->tsc_timestamp - tsc_at_boot, tsc_mul, tsc_shift);
    t->tsc_to_system_mul = tsc_mul;
    t->tsc_shift = tsc_shift;
    __asm__ volatile("" ::: "memory");
    t->version++;
}
