/* store.c - a domain that checks what domain 0's store lets it do and refuses it, transactions
 * included (guest ring 1, SDK), then, with `hostile`, sends the store requests it cannot handle:
 * one it may not make (DEBUG), an unknown type and an oversized message, after which the store
 * must stop listening to it and serve the others. `share=ID` makes two keys, one private and one
 * domain ID may read and write, then `ready`; `peer=ID` waits for that and tries both.
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

static void permissions(void)
{
    char me[8], perms[64], mine[12], other[12];
    store_read("domid", me, sizeof(me));
    format_snprintf(mine, sizeof(mine), "r%s", me);
    store_write("p/x", "1");
    check(store_get_perms("p/x", perms, sizeof(perms)) == (long)strlen(mine) + 1 && strcmp(perms, mine) == 0,
          "get_perms of a key of ours: we own it, others may read it");
    check(store_get_perms("/local/domain/0/name", perms, sizeof(perms)) == 3 && strcmp(perms, "r0") == 0,
          "get_perms of domain 0's name: r0");
    format_snprintf(mine, sizeof(mine), "n%s", me);
    format_snprintf(other, sizeof(other), "w%u", 7);
    const char *private[2] = { mine, other };
    check(store_set_perms("p/x", private, 2) == 0 && store_get_perms("p/x", perms, sizeof(perms)) > 0 &&
          strcmp(perms, mine) == 0 && strcmp(perms + strlen(perms) + 1, "w7") == 0,
          "set_perms: ours alone, but domain 7 may write it");
    check(store_read("p/x", perms, sizeof(perms)) == 1, "the owner still reads it");
    const char *to_dom0[1] = { "r0" }, *bad[1] = { "x5" }, *many[6] = { mine, "r1", "r2", "r3", "r4", "r5" };
    check(store_set_perms("p/x", to_dom0, 1) == -XEN_EPERM, "giving it to domain 0: EPERM (only domain 0 may)");
    check(store_set_perms("/local/domain/0/name", to_dom0, 1) == -XEN_EACCES, "set_perms of domain 0's key: EACCES");
    check(store_set_perms("p/x", bad, 1) == -XEN_EINVAL && store_set_perms("p/x", many, 6) == -XEN_ENOSPC,
          "a letter not n, r, w, b: EINVAL; six entries: ENOSPC");
    store_rm("p");
}

static void transactions(void)
{
    char value[16];
    uint32_t tx, other, open[11];
    /* As every client does, again on EAGAIN: another domain may write to the store meanwhile
     * (the store's generation is global, as xenstored's), and the checks are of the last try. */
    int started, wrote, inside, outside;
    long ended;
    for (unsigned attempt = 0;; attempt++) {
        started = store_transaction_start(&tx) == 0 && tx != 0;
        wrote = store_tx_write(tx, "t/a", "1") == 0 && store_tx_write(tx, "t/b", "2") == 0;
        inside = store_tx_read(tx, "t/a", value, sizeof(value)) == 1 && strcmp(value, "1") == 0;
        outside = store_read("t/a", value, sizeof(value)) == -XEN_ENOENT;
        ended = store_transaction_end(tx, 1);
        if (ended != -XEN_EAGAIN || attempt == 20)
            break;
    }
    check(started, "transaction_start: an id");
    check(wrote, "two writes inside it");
    check(inside, "read inside it: what it wrote");
    check(outside, "read outside it: nothing yet");
    check(ended == 0 && store_read("t/b", value, sizeof(value)) == 1, "transaction_end T: both writes done");
    store_transaction_start(&tx);
    store_tx_rm(tx, "t/a");
    check(store_tx_read(tx, "t/a", value, sizeof(value)) == -XEN_ENOENT && store_read("t/a", value, sizeof(value)) == 1,
          "a removal inside one: gone there, still there outside");
    check(store_transaction_end(tx, 0) == 0 && store_read("t/a", value, sizeof(value)) == 1,
          "transaction_end F: nothing done");
    store_transaction_start(&tx);
    store_tx_write(tx, "t/c", "3");
    store_write("t/elsewhere", "x");           /* the store changes meanwhile */
    check(store_transaction_end(tx, 1) == -XEN_EAGAIN && store_read("t/c", value, sizeof(value)) == -XEN_ENOENT,
          "a change to the store meanwhile: EAGAIN, and nothing of it done");
    check(store_transaction_end(tx, 1) == -XEN_ENOENT, "ending it again: ENOENT (it is gone)");
    store_transaction_start(&tx);
    check(store_tx_write(tx, "/local/domain/0/evil", "1") == -XEN_EACCES, "inside one, domain 0's home: EACCES at once");
    store_transaction_end(tx, 0);
    unsigned n = 0;
    while (n < 11 && store_transaction_start(&open[n]) == 0)
        n++;
    check(n == 10 && store_transaction_start(&other) == -XEN_ENOSPC, "ten open at once, the eleventh: ENOSPC");
    for (unsigned i = 0; i < n; i++)
        store_transaction_end(open[i], 0);
    check(store_tx_read(999, "t/a", value, sizeof(value)) == -XEN_ENOENT, "a request in a transaction we do not have: ENOENT");
    store_rm("t");
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
    struct xsd_sockmsg m = { .type = XS_DEBUG, .req_id = 76, .len = 9 }, r;
    char reply[16] = "";
    byte_ring_put(&req, &m, sizeof(m));
    byte_ring_put(&req, "print\0hi", 9);
    event_send(start_info->store_evtchn);
    BLOCK_UNTIL(byte_ring_used(&rsp) >= (long)sizeof(r) + 7);
    byte_ring_get(&rsp, &r, sizeof(r));
    byte_ring_get(&rsp, reply, r.len < sizeof(reply) - 1 ? r.len : sizeof(reply) - 1);
    check(r.type == XS_ERROR && r.req_id == 76 && strcmp(reply, "EACCES") == 0, "DEBUG from a domU: EACCES");
    m = (struct xsd_sockmsg){ .type = 30, .req_id = 77, .len = 1 };
    memset(reply, 0, sizeof(reply));
    send_raw(&req, &m, "");
    BLOCK_UNTIL(byte_ring_used(&rsp) >= (long)sizeof(r) + 7);
    byte_ring_get(&rsp, &r, sizeof(r));
    byte_ring_get(&rsp, reply, r.len < sizeof(reply) - 1 ? r.len : sizeof(reply) - 1);
    check(r.type == XS_ERROR && r.req_id == 77 && strcmp(reply, "ENOSYS") == 0, "an unknown request type: ENOSYS");
    m = (struct xsd_sockmsg){ .type = XS_READ, .req_id = 78, .len = XENSTORE_PAYLOAD_MAX + 1 };
    send_raw(&req, &m, "x");
    printf("sent a message longer than the protocol allows\n");
}

static void share(const char *with)
{
    char me[8], mine[12], given[12];
    store_read("domid", me, sizeof(me));
    format_snprintf(mine, sizeof(mine), "n%s", me);
    format_snprintf(given, sizeof(given), "b%s", with);
    const char *private[1] = { mine }, *shared[2] = { mine, given };
    store_write("p/private", "mine");
    store_write("p/shared", "ours");
    check(store_set_perms("p/private", private, 1) == 0 && store_set_perms("p/shared", shared, 2) == 0,
          "share: a private key, and one domain ID may read and write");
    store_write("p/ready", "1");
}

static void peer(const char *owner)
{
    char path[64], value[16], token[8];
    format_snprintf(path, sizeof(path), "/local/domain/%s/p/ready", owner);
    store_watch(path, "r");
    while (store_read(path, value, sizeof(value)) < 0)
        store_wait_watch(value, sizeof(value), token, sizeof(token));
    format_snprintf(path, sizeof(path), "/local/domain/%s/p/private", owner);
    check(store_read(path, value, sizeof(value)) == -XEN_EACCES, "peer: its private key: EACCES");
    format_snprintf(path, sizeof(path), "/local/domain/%s/p/shared", owner);
    check(store_read(path, value, sizeof(value)) == 4 && store_write(path, "both") == 0,
          "peer: the key given to us: read, and written");
    format_snprintf(path, sizeof(path), "/local/domain/%s/p/other", owner);
    check(store_write(path, "no") == -XEN_EACCES, "peer: a new key in its home: EACCES");
}

int main(void)
{
    char arg[8];
    traps_init();
    events_init();
    events_unmask();
    if (store_init() < 0)
        panic("no store ring");
    if (cmdline_option("share", arg, sizeof(arg))) {
        share(arg);
        return 0;
    }
    if (cmdline_option("peer", arg, sizeof(arg))) {
        peer(arg);
        return 0;
    }
    check_keys();
    permissions();
    transactions();
    if (cmdline_option("hostile", arg, sizeof(arg)))
        hostile();
    return 0;
}
