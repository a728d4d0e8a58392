/* share.c - two domains share a page through a grant and signal each other over an inter-domain
 * event channel (guest ring 1), with the SDK's grant helpers (guest-sdk/grants.c shows the
 * hypercalls underneath). Boot it twice:
 *     share.elf=role=offer peer=1      (domain 0: grants the page, offers the channel)
 *     share.elf=role=map peer=0        (domain 1: maps the page, binds the channel)
 * Here the two sides agree on the grant reference (the first the SDK hands out) and the port (the
 * offerer's first, 1) by convention, with no store; examples/pingpong advertises them in the
 * store, as a real system does.
 */
#include "sdk.h"

#define ROUNDS 3
#define REF GNTTAB_NR_RESERVED_ENTRIES      /* the first reference grant_access hands out */
#define OFFERED_PORT 1
#define MESSAGE 64                          /* bytes of a message at the start of the page */

static volatile char page[4096] __attribute__((aligned(4096)));   /* offer: ours; map: the mapping */
static volatile unsigned events;
static evtchn_port_t port;

static void on_event(evtchn_port_t p) { (void)p; events++; }

static void wait_events(unsigned n)
{
    BLOCK_UNTIL(events >= n);
}

static void offer(domid_t peer)
{
    if (grant_access(peer, (const void *)page, 0) != REF)
        panic("grant_access did not hand out reference %u", REF);

    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = peer };
    HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    port = a.port;
    event_set_handler(port, on_event);
    printf("granted page as ref %u to domain %u, offered port %u\n", REF, peer, port);
    wait_events(1);                            /* the peer has mapped and bound */
    for (unsigned i = 1; i <= ROUNDS; i++) {
        format_snprintf((char *)page, MESSAGE, "ping %u", i);
        event_send(port);
        wait_events(i + 1);
        printf("got \"%.*s\"\n", MESSAGE, (const char *)page);
    }
}

static void map(domid_t peer)
{
    grant_handle_t handle;
    while (grant_map(peer, REF, (void *)page, &handle) != GNTST_okay)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);   /* the offerer may not have run yet */
    struct evtchn_bind_interdomain b = { .remote_dom = peer, .remote_port = OFFERED_PORT };
    while (HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b) != 0)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    port = b.local_port;
    event_set_handler(port, on_event);
    printf("mapped domain %u's page, bound to its port %u as %u\n", peer, OFFERED_PORT, port);
    event_send(port);
    for (unsigned i = 1; i <= ROUNDS; i++) {
        wait_events(i);
        printf("got \"%.*s\"\n", MESSAGE, (const char *)page);
        format_snprintf((char *)page, MESSAGE, "pong %u", i);
        event_send(port);
    }
    grant_unmap((void *)page, handle);
}

int main(void)
{
    char role[8] = "", peer[8] = "0";
    cmdline_option("role", role, sizeof(role));
    cmdline_option("peer", peer, sizeof(peer));
    traps_init();
    events_init();
    events_unmask();
    if (strcmp(role, "offer") == 0)
        offer((domid_t)(peer[0] - '0'));
    else if (strcmp(role, "map") == 0)
        map((domid_t)(peer[0] - '0'));
    else
        panic("say role=offer or role=map");
    return 0;
}
