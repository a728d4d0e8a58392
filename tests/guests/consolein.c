/* consolein.c - a domU that reads what is typed to it (guest ring 1, SDK): domain 0's `console ID`
 * puts it in the console ring's in[] and signals the console port. It echoes each line back with
 * its length, and powers off after the line "bye". With `corrupt` it first writes an in_prod a
 * whole ring past in_cons, as a hostile guest might: the monitor must type nothing into it.
 */
#include "sdk.h"

static void on_console(evtchn_port_t port) { (void)port; }     /* waking the loop is all it does */

int main(void)
{
    char line[128];
    unsigned len = 0;
    traps_init();
    events_init();
    event_set_handler(start_info->console.domU.evtchn, on_console);
    events_unmask();
    if (cmdline_option("corrupt", NULL, 0)) {
        const uint32_t *m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
        struct xencons_interface *ring =
            (struct xencons_interface *)(GUEST_VIRT_BASE + m2p[start_info->console.domU.mfn] * PAGE_SIZE);
        ring->in_prod = ring->in_cons + 5000;
        printf("in_prod corrupted\n");
        for (;;)
            block();
    }
    printf("ready for input\n");
    for (;;) {
        char c;
        events_mask();
        long n = console_input(&c, 1);
        if (n < 0) {
            printf("FAIL the console ring is corrupt (%ld)\n", n);
            return 1;
        }
        if (n == 0) {
            block();                    /* unmasks; returns at once if an event is pending */
            continue;
        }
        events_unmask();
        if (c != '\n' && c != '\r' && len < sizeof(line) - 1) {
            line[len++] = c;
            continue;
        }
        if (c == '\r' || (c == '\n' && len == 0))
            continue;
        line[len] = '\0';
        printf("got \"%s\" (%u characters)\n", line, len);
        if (strcmp(line, "bye") == 0)
            return 0;
        len = 0;
    }
}
