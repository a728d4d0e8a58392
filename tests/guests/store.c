/* store.c - a domain that checks what domain 0's store lets it do and refuses it (guest ring 1,
 * SDK), then, with `hostile`, sends the store requests it cannot handle: an unknown type and an
 * oversized message, after which the store must stop listening to it and serve the others.
 */
#include "sdk.h"

static void check(int ok, const char *what) { printf("%s %s\n", ok ? "ok" : "FAIL", what); }

static void check_keys(void)
{
    char value[64], names[64], path[64], token[16];
    check(store_read("domid", value, sizeof(value)) > 0, "read domid (written by domain 0)");
    check(store_write("data/x", "1") == 0, "write data/x below our own home");
    check(store_read("data/x", value, sizeof(value)) == 1 && strcmp(value, "1") == 0, "read it back: \"1\"");
    check(store_directory("data", names, sizeof(names)) == 2 && strcmp(names, "x") == 0, "directory data: x");
    check(store_read("/local/domain/0/name", value, sizeof(value)) > 0 && strcmp(value, "dom0") == 0,
          "read another domain's key: dom0");
    check(store_write("/local/domain/0/evil", "1") == -XEN_EACCES, "write in domain 0's home: -EACCES");
    check(store_write("/tool/evil", "1") == -XEN_EACCES, "write outside any home: -EACCES");
    check(store_rm("/local/domain/0") == -XEN_EACCES, "remove domain 0's home: -EACCES");
    check(store_read("/no/such/key", value, sizeof(value)) == -XEN_ENOENT, "read a missing key: -ENOENT");
    check(store_read("bad//path", value, sizeof(value)) == -XEN_EINVAL, "read bad//path: -EINVAL");
    check(store_write("a space", "1") == -XEN_EINVAL, "write a path with a space: -EINVAL");
    check(store_watch("data/w", "tok") == 0, "watch data/w");
    store_wait_watch(path, sizeof(path), token, sizeof(token));
    check(strcmp(path, "data/w") == 0 && strcmp(token, "tok") == 0, "a new watch fires once at once");
    store_write("data/w", "2");
    store_wait_watch(path, sizeof(path), token, sizeof(token));
    check(strcmp(path, "data/w") == 0 && strcmp(token, "tok") == 0, "writing data/w fires it again");
    check(store_rm("data") == 0, "remove data (and data/x below it)");
    check(store_read("data/x", value, sizeof(value)) == -XEN_ENOENT, "data/x is gone");
}

/* Requests the SDK would never send, written straight into the ring. */
static void send_raw(struct byte_ring *req, const struct xsd_sockmsg *m, const char *payload)
{
    byte_ring_put(req, m, sizeof(*m));
    byte_ring_put(req, payload, strlen(payload) + 1);
    event_send(start_info->store_evtchn);
}

static void hostile(void)
{
    struct xenstore_domain_interface *ring = mfn_to_virt((uint32_t)start_info->store_mfn);
    struct byte_ring req = store_requests(ring), rsp = store_replies(ring);
    struct xsd_sockmsg m = { .type = XS_TRANSACTION_START, .req_id = 77, .len = 1 }, r;
    char reply[16] = "";
    send_raw(&req, &m, "");
    while (byte_ring_used(&rsp) < (long)sizeof(r) + 7)
        block();
    byte_ring_get(&rsp, &r, sizeof(r));
    byte_ring_get(&rsp, reply, r.len < sizeof(reply) - 1 ? r.len : sizeof(reply) - 1);
    check(r.type == XS_ERROR && r.req_id == 77 && strcmp(reply, "ENOSYS") == 0, "a transaction: ENOSYS");
    m = (struct xsd_sockmsg){ .type = XS_READ, .req_id = 78, .len = XENSTORE_PAYLOAD_MAX + 1 };
    send_raw(&req, &m, "x");
    printf("sent a message longer than the protocol allows\n");
}

int main(void)
{
    char arg[8];
    traps_init();
    events_init();
    events_unmask();
    if (store_init() < 0)
        panic("no store ring");
    check_keys();
    if (cmdline_option("hostile", arg, sizeof(arg)))
        hostile();
    return 0;
}
