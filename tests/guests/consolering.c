/* consolering.c - a guest whose console ring's indexes go corrupt (guest ring 1, SDK): it sets
 * out_cons half the index space past out_prod, as a kernel scribbling on its own ring page might,
 * and checks that the SDK's console writer refuses the ring instead of trusting it, says so once
 * through console_io, and goes on printing there (guest-sdk/byte_ring.h states the rule). With
 * `leave`, the ring stays corrupt for a few ticks, and the monitor's reader must refuse it too.
 */
#include "sdk.h"

static void on_timer(evtchn_port_t port) { (void)port; }

int main(void)
{
    const uint32_t *m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
    struct xencons_interface *ring =
        (struct xencons_interface *)(GUEST_VIRT_BASE + m2p[start_info->console.domU.mfn] * 4096);
    traps_init();
    events_init();
    bind_virq(VIRQ_TIMER, on_timer);
    events_unmask();
    printf("setting out_cons half the index space past out_prod\n");
    if (cmdline_option("leave", NULL, 0)) {
        ring->out_cons = ring->out_prod + 0x80000000u;
        printf("ok the ring left corrupt\n");
        sleep_until(clock_ns() + 50000000ull);     /* five ticks: the monitor's drains see it */
        printf("ok still printing, through console_io\n");
        return 0;
    }
    /* The monitor drains the ring of the running domain at every tick (and would put a corrupt
     * one right its own way): start just after a tick, and be done long before the next. */
    sleep_until(clock_ns() + 1000000ull);
    ring->out_cons = ring->out_prod + 0x80000000u;
    printf("ok the first line after it came out\n");
    ring->out_cons = ring->out_prod;           /* put right, so that no drain of the monitor's sees it */
    printf("ok and the next, through console_io\n");
    return 0;
}
