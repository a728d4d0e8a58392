/* share.c - two domains share a page through a grant and signal each other over an inter-domain
 * event channel (guest ring 1). Boot it twice:
 *     share.elf=role=offer peer=1      (domain 0: grants the page, offers the channel)
 *     share.elf=role=map peer=0        (domain 1: maps the page, binds the channel)
 * Until the store service exists, the two sides agree on the grant reference (0) and the port (the
 * offerer's first, 1) by convention; a real system would advertise them in the store.
 */
#include "sdk.h"

#define ROUNDS 3
#define REF 0
#define OFFERED_PORT 1

static uint8_t table_window[4096] __attribute__((aligned(4096)));
static volatile char page[4096] __attribute__((aligned(4096)));   /* offer: ours; map: the mapping */
static volatile unsigned events;
static evtchn_port_t port;

static void on_event(evtchn_port_t p) { (void)p; events++; }

static void wait_events(unsigned n)
{
    while (events < n)
        block();
}

static void offer(domid_t peer)
{
    xen_pfn_t frame;
    struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 1, .frame_list = &frame };
    hypercall3(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, &setup, 1);
    map_page(table_window, frame, PTE_P | PTE_RW | PTE_A | PTE_D);
    struct grant_entry_v1 *table = (struct grant_entry_v1 *)table_window;
    table[REF] = (struct grant_entry_v1){ .domid = peer, .frame = virt_to_mfn((void *)page) };
    __asm__ volatile("" ::: "memory");
    table[REF].flags = GTF_permit_access;       /* last: the entry is complete before it is valid */

    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = peer };
    HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    port = a.port;
    event_set_handler(port, on_event);
    printf("granted page as ref %u to domain %u, offered port %u\n", REF, peer, port);
    wait_events(1);                            /* the peer has mapped and bound */
    for (unsigned i = 1; i <= ROUNDS; i++) {
        format_snprintf((char *)page, 64, "ping %u", i);
        event_send(port);
        wait_events(i + 1);
        printf("got \"%s\"\n", (const char *)page);
    }
}

static void map(domid_t peer)
{
    struct gnttab_map_grant_ref m = { .host_addr = (uint32_t)(uintptr_t)page, .flags = GNTMAP_host_map, .ref = REF, .dom = peer };
    map_page((void *)page, 0, 0);              /* an empty entry to map the grant into */
    for (;;) {                                  /* the offerer may not have run yet */
        hypercall3(__HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, &m, 1);
        if (m.status == GNTST_okay)
            break;
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
    struct evtchn_bind_interdomain b = { .remote_dom = peer, .remote_port = OFFERED_PORT };
    while (HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b) != 0)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    port = b.local_port;
    event_set_handler(port, on_event);
    printf("mapped domain %u's page, bound to its port %u as %u\n", peer, OFFERED_PORT, port);
    event_send(port);
    for (unsigned i = 1; i <= ROUNDS; i++) {
        wait_events(i);
        printf("got \"%s\"\n", (const char *)page);
        format_snprintf((char *)page, 64, "pong %u", i);
        event_send(port);
    }
    struct gnttab_unmap_grant_ref u = { .host_addr = (uint32_t)(uintptr_t)page, .handle = m.handle };
    hypercall3(__HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, &u, 1);
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
