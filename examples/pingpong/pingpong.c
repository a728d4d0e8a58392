/* pingpong.c - two domains that find each other through the store, share a page through a grant
 * and exchange messages over an inter-domain event channel (guest ring 1). Boot it twice, beside
 * domain 0's store:
 *     tools/hvrun --input $'wait 1\nwait 2\nquit\n' build/examples/dom0.elf \
 *         build/examples/pingpong.elf=name=ping build/examples/pingpong.elf=name=pong
 * "ping" plays a Xen frontend: it grants its page and offers a port, and advertises both under
 * its own /local/domain/ID/pingpong. "pong" plays the backend: it watches that place, maps the
 * page and binds the port. Neither is told the other's domain id: each looks the other's name up.
 */
#include "sdk.h"

#define ROUNDS 5

struct pingpong_page {
    volatile uint32_t ping_seq, pong_seq;     /* the last message each side has written */
    char ping[64], pong[64];                  /* the peer's may lack a NUL: read no further */
};

static struct pingpong_page page __attribute__((aligned(4096)));     /* ping's, granted to pong */
static uint8_t peer_window[4096] __attribute__((aligned(4096)));     /* pong maps it here */
static struct pingpong_page *shared;
static evtchn_port_t port;

static void on_event(evtchn_port_t p) { (void)p; }   /* waking us is enough */

/* Sleep until the peer's sequence number reaches seq (events masked around the test). */
static void wait_seq(volatile uint32_t *peer_seq, uint32_t seq)
{
    for (;;) {
        events_mask();
        if (*peer_seq >= seq)
            break;
        block();
    }
    events_unmask();
}

static unsigned number(const char *s)
{
    unsigned n = 0;
    while (*s >= '0' && *s <= '9')
        n = n * 10 + (unsigned)(*s++ - '0');
    return n;
}

/* Wait until the store key `path` reads `want`, watching it. */
static void wait_key(const char *path, const char *want)
{
    char value[64], fired[64], token[16];
    store_watch(path, "key");
    while (store_read(path, value, sizeof(value)) < 0 || strcmp(value, want) != 0)
        if (store_wait_watch(fired, sizeof(fired), token, sizeof(token)) < 0)
            panic("lost the store while waiting for %s", path);
}

/* The domain id of the domain called `name`: look through /local/domain, and wait for the store
 * to change until it is there. */
static domid_t find_peer(const char *name)
{
    static char ids[1024];
    char path[64], value[64], token[16];
    store_watch("/local/domain", "peers");
    for (;;) {
        long len = store_directory("/local/domain", ids, sizeof(ids));
        for (long at = 0; at < len; at += (long)strlen(ids + at) + 1) {
            format_snprintf(path, sizeof(path), "/local/domain/%s/name", ids + at);
            if (store_read(path, value, sizeof(value)) >= 0 && strcmp(value, name) == 0)
                return (domid_t)number(ids + at);
        }
        if (store_wait_watch(path, sizeof(path), token, sizeof(token)) < 0)
            panic("lost the store while looking for %s", name);
    }
}

/* Tour step 4 (the store): the frontend offers a page (a grant) and a port, advertises them in
 * the store for pong to watch and map, then sends pings. */
static void ping(domid_t peer)
{
    char value[16], path[64];
    long ref = grant_access(peer, &page, 0);
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = peer };
    if (ref < 0 || HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a) < 0)
        panic("cannot grant the page or offer a port to domain %u", peer);
    port = a.port;
    event_set_handler(port, on_event);
    format_snprintf(value, sizeof(value), "%ld", ref);
    store_write("pingpong/ring-ref", value);
    format_snprintf(value, sizeof(value), "%u", port);
    store_write("pingpong/event-channel", value);
    store_write("pingpong/state", "ready");            /* last: the rest is there before it */
    printf("offered grant %ld and port %u to domain %u\n", ref, port, peer);
    format_snprintf(path, sizeof(path), "/local/domain/%u/pingpong/state", peer);
    wait_key(path, "connected");
    shared = &page;
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        format_snprintf(shared->ping, sizeof(shared->ping), "ping %u", i);
        shared->ping_seq = i;
        event_send(port);
        wait_seq(&shared->pong_seq, i);
        printf("got \"%.*s\"\n", (int)sizeof(shared->pong), shared->pong);
    }
    store_write("pingpong/state", "done");
}

/* The backend: wait for the frontend's offer, map its page, bind its port, answer the pings. */
static void pong(domid_t peer)
{
    char path[64], value[16];
    format_snprintf(path, sizeof(path), "/local/domain/%u/pingpong/state", peer);
    wait_key(path, "ready");
    format_snprintf(path, sizeof(path), "/local/domain/%u/pingpong/ring-ref", peer);
    store_read(path, value, sizeof(value));
    grant_ref_t ref = number(value);
    format_snprintf(path, sizeof(path), "/local/domain/%u/pingpong/event-channel", peer);
    store_read(path, value, sizeof(value));
    struct evtchn_bind_interdomain b = { .remote_dom = peer, .remote_port = number(value) };
    grant_handle_t handle;
    if (grant_map(peer, ref, peer_window, &handle) != GNTST_okay ||
        HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b) < 0)
        panic("cannot map grant %u or bind port %u of domain %u", ref, b.remote_port, peer);
    port = b.local_port;
    event_set_handler(port, on_event);
    shared = (struct pingpong_page *)peer_window;
    printf("mapped grant %u of domain %u, bound its port %u\n", ref, peer, b.remote_port);
    store_write("pingpong/state", "connected");
    for (uint32_t i = 1; i <= ROUNDS; i++) {
        wait_seq(&shared->ping_seq, i);
        printf("got \"%.*s\"\n", (int)sizeof(shared->ping), shared->ping);
        format_snprintf(shared->pong, sizeof(shared->pong), "pong %u", i);
        shared->pong_seq = i;
        event_send(port);
    }
    grant_unmap(peer_window, handle);
}

int main(void)
{
    char name[16] = "", domid[8] = "";
    cmdline_option("name", name, sizeof(name));
    traps_init();
    events_init();
    events_unmask();
    if (store_init() < 0)
        panic("no store: run me beside examples/dom0, not as domain 0");
    store_read("domid", domid, sizeof(domid));
    int is_ping = strcmp(name, "ping") == 0;
    if (!is_ping && strcmp(name, "pong") != 0)
        panic("say name=ping or name=pong");
    domid_t peer = find_peer(is_ping ? "pong" : "ping");
    printf("I am domain %s; %s is domain %u\n", domid, is_ping ? "pong" : "ping", peer);
    if (is_ping)
        ping(peer);
    else
        pong(peer);
    return 0;
}
