/* store.c - the guest's client of the store (guest ring 1): read, write, list, remove and watch
 * keys in domain 0's store, over the ring page and event channel of start_info (store_mfn,
 * store_evtchn), in the xenstore wire protocol (hypercall-abi/xs_wire.h).
 * One request at a time: write it into the request ring, kick the port, sleep until the whole
 * reply is in the reply ring. Watch events that arrive meanwhile are kept for store_wait_watch.
 * Every access to the rings checks their indexes (byte_ring.c); a corrupt ring, a message the
 * store cannot have meant, or a store that says it has stopped serving us (the page's error
 * field) ends the connection: every call answers -XEN_EIO from then on.
 */
#include "sdk.h"

static struct xenstore_domain_interface *ring;
static evtchn_port_t port;
static uint32_t next_req_id = 1;

/* Watch events that came in while we waited for a reply: path NUL token NUL, one after another. */
#define WATCH_QUEUE 1024
static char watch_queue[WATCH_QUEUE];
static uint32_t watch_queued;

static void on_store_event(evtchn_port_t p) { (void)p; }   /* waking us is all it has to do */

/* ---- the ring page's two directions (also used by the store itself, in examples/dom0) --------- */

struct byte_ring store_requests(struct xenstore_domain_interface *intf)
{
    return (struct byte_ring){ .buf = intf->req, .size = XENSTORE_RING_SIZE, .cons = &intf->req_cons,
                               .prod = &intf->req_prod };
}

struct byte_ring store_replies(struct xenstore_domain_interface *intf)
{
    return (struct byte_ring){ .buf = intf->rsp, .size = XENSTORE_RING_SIZE, .cons = &intf->rsp_cons,
                               .prod = &intf->rsp_prod };
}

/* ---- the client -------------------------------------------------------------------------------- */

static struct byte_ring requests, replies;
static long broken;                           /* -XEN_EIO once the connection is gone for good */

long store_init(void)
{
    if (!start_info->store_mfn)
        return -XEN_ENODEV;                   /* domain 0: the store is ours, not a ring away */
    ring = mfn_to_virt((uint32_t)start_info->store_mfn);
    requests = store_requests(ring);
    replies = store_replies(ring);
    port = start_info->store_evtchn;
    event_set_handler(port, on_store_event);
    return 0;
}

/* Sleep until cond() holds; events masked around the test so that no kick is lost. */
static void wait_for(int (*cond)(void))
{
    for (;;) {
        events_mask();
        if (cond()) {
            events_unmask();
            return;
        }
        block();                              /* unmasks, and returns at once if one is pending */
    }
}

/* The store has stopped serving us and said why in the ring page (xenstore-ring.txt). */
static int store_gave_up(void)
{
    return (ring->server_features & XENSTORE_SERVER_FEATURE_ERROR) && ring->error != XENSTORE_ERROR_NONE;
}

/* Ready to go on: room (or bytes) in the ring, or a corrupt ring, or a store that gave up; the
 * access that follows tells which. */
static int request_room(void) { return byte_ring_used(&requests) != XENSTORE_RING_SIZE || store_gave_up(); }
static int reply_bytes(void) { return byte_ring_used(&replies) != 0 || store_gave_up(); }

/* A connection that failed stays failed: the byte stream is out of step, and nothing can put it
 * back in step (we offer no reconnection). */
static long fail(long rc, const char *what, const struct byte_ring *r)
{
    if (store_gave_up())
        printf("store: the store stopped serving us (error %u)\n", ring->error);
    else
        printf("store: the %s ring is corrupt (cons %#x, prod %#x)\n", what, r->seen_cons, r->seen_prod);
    broken = rc;
    return rc;
}

static long send_bytes(const void *data, uint32_t len)
{
    for (uint32_t done = 0; done < len; ) {
        wait_for(request_room);
        long n = store_gave_up() ? -XEN_EIO : byte_ring_put(&requests, (const char *)data + done, len - done);
        if (n < 0)
            return fail(n, "request", &requests);
        done += (uint32_t)n;
        event_send(port);
    }
    return 0;
}

static long receive_bytes(void *data, uint32_t len)
{
    for (uint32_t done = 0; done < len; ) {
        wait_for(reply_bytes);
        long n = byte_ring_get(&replies, (char *)data + done, len - done);
        if (n == 0 && store_gave_up())
            n = -XEN_EIO;
        if (n < 0)
            return fail(n, "reply", &replies);
        done += (uint32_t)n;
        event_send(port);                     /* room for the store to write more */
    }
    return 0;
}

/* The store names its errors (XS_ERROR "ENOENT"); these are the ones it sends. */
static const struct { const char *name; long err; } errors[] = {
    { "ENOENT", XEN_ENOENT }, { "EACCES", XEN_EACCES }, { "EINVAL", XEN_EINVAL },
    { "EEXIST", XEN_EEXIST }, { "ENOSPC", XEN_ENOSPC }, { "E2BIG", XEN_E2BIG },
    { "ENOSYS", XEN_ENOSYS }, { "EIO", XEN_EIO }, { "EAGAIN", XEN_EAGAIN }, { "EBUSY", XEN_EBUSY },
    { "EPERM", XEN_EPERM },
};

static long error_number(const char *name)
{
    for (unsigned i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
        if (strcmp(name, errors[i].name) == 0)
            return -errors[i].err;
    return -XEN_EIO;
}

/* A message the store cannot have meant: the stream is out of step. */
static long out_of_step(const struct xsd_sockmsg *r)
{
    printf("store: a message of type %u and %u bytes: out of step with the store\n", r->type, r->len);
    broken = -XEN_EIO;
    return broken;
}

/* A watch event arrived (its header read): keep its payload, path NUL token NUL, for
 * store_wait_watch. */
static long keep_watch_event(const struct xsd_sockmsg *r)
{
    static char scratch[XENSTORE_PAYLOAD_MAX];
    int fits = watch_queued + r->len <= WATCH_QUEUE;
    char *to = fits ? watch_queue + watch_queued : scratch;
    long rc = receive_bytes(to, r->len);
    if (rc < 0)
        return rc;
    uint32_t first = (uint32_t)strnlen(to, r->len);
    if (first + 1 >= r->len || strnlen(to + first + 1, r->len - first - 1) != r->len - first - 2)
        return out_of_step(r);                 /* not two NUL-ended strings */
    if (fits)
        watch_queued += r->len;
    else
        printf("store: watch event dropped: queue full\n");
    return 0;
}

/* The next message that is not a watch event: its header, and its payload NUL-ended in payload. */
static long receive_reply(struct xsd_sockmsg *r, char *payload)
{
    for (;;) {
        long rc = receive_bytes(r, sizeof(*r));
        if (rc < 0)
            return rc;
        if (r->len > XENSTORE_PAYLOAD_MAX)
            return out_of_step(r);
        if (r->type != XS_WATCH_EVENT) {
            rc = receive_bytes(payload, r->len);
            payload[r->len] = 0;
            return rc;
        }
        if ((rc = keep_watch_event(r)) < 0)
            return rc;
    }
}

/* Tour step 3 (the store): one request (a payload in two parts) into the ring, a kick on the
 * port, a sleep until the reply, which is copied NUL-ended into reply[size]. Returns the reply's
 * length, or -errno. */
static long transact_in(uint32_t tx, uint32_t type, const char *a, uint32_t a_len, const char *b, uint32_t b_len,
                        char *reply, uint32_t size)
{
    static char payload[XENSTORE_PAYLOAD_MAX + 1];
    struct xsd_sockmsg m = { .type = type, .req_id = next_req_id++, .tx_id = tx, .len = a_len + b_len }, r;
    long rc;
    if (!ring)
        return -XEN_ENODEV;
    if (broken)
        return broken;
    if (m.len > XENSTORE_PAYLOAD_MAX)
        return -XEN_E2BIG;
    if ((rc = send_bytes(&m, sizeof(m))) < 0 || (rc = send_bytes(a, a_len)) < 0 ||
        (rc = send_bytes(b, b_len)) < 0 || (rc = receive_reply(&r, payload)) < 0)
        return rc;
    if (r.type == XS_ERROR)
        return error_number(payload);
    uint32_t n = r.len < size ? r.len : size - 1;
    memcpy(reply, payload, n);
    reply[n] = 0;
    return r.len;
}

static long transact(uint32_t type, const char *a, uint32_t a_len, const char *b, uint32_t b_len,
                     char *reply, uint32_t size)
{
    return transact_in(0, type, a, a_len, b, b_len, reply, size);
}

/* The node's permissions, NUL-separated ("r0\0w5\0"): their length. */
long store_get_perms(const char *path, char *perms, size_t size)
{
    return transact(XS_GET_PERMS, path, strlen(path) + 1, NULL, 0, perms, size);
}

/* Its new list, `n` entries of "<n|r|w|b><domid>", the owner first. */
long store_set_perms(const char *path, const char *const *perms, unsigned n)
{
    static char list[256];
    uint32_t len = 0;
    char ok[4];
    for (unsigned i = 0; i < n; i++) {
        size_t l = strlen(perms[i]) + 1;
        if (len + l > sizeof(list))
            return -XEN_E2BIG;
        memcpy(list + len, perms[i], l);
        len += (uint32_t)l;
    }
    long rc = transact(XS_SET_PERMS, path, strlen(path) + 1, list, len, ok, sizeof(ok));
    return rc < 0 ? rc : 0;
}

long store_transaction_start(uint32_t *tx)
{
    char id[12];
    long rc = transact(XS_TRANSACTION_START, "", 1, NULL, 0, id, sizeof(id));
    if (rc < 0)
        return rc;
    *tx = 0;
    for (const char *p = id; *p >= '0' && *p <= '9'; p++)
        *tx = *tx * 10 + (uint32_t)(*p - '0');
    return 0;
}

long store_transaction_end(uint32_t tx, int commit)
{
    char ok[4];
    long rc = transact_in(tx, XS_TRANSACTION_END, commit ? "T" : "F", 2, NULL, 0, ok, sizeof(ok));
    return rc < 0 ? rc : 0;
}

long store_tx_read(uint32_t tx, const char *path, char *value, size_t size)
{
    return transact_in(tx, XS_READ, path, strlen(path) + 1, NULL, 0, value, size);
}

long store_tx_write(uint32_t tx, const char *path, const char *value)
{
    char ok[4];
    long rc = transact_in(tx, XS_WRITE, path, strlen(path) + 1, value, strlen(value), ok, sizeof(ok));
    return rc < 0 ? rc : 0;
}

long store_tx_rm(uint32_t tx, const char *path)
{
    char ok[4];
    long rc = transact_in(tx, XS_RM, path, strlen(path) + 1, NULL, 0, ok, sizeof(ok));
    return rc < 0 ? rc : 0;
}

long store_read(const char *path, char *value, size_t size)
{
    return transact(XS_READ, path, strlen(path) + 1, NULL, 0, value, size);
}

long store_write(const char *path, const char *value)
{
    char ok[4];
    long rc = transact(XS_WRITE, path, strlen(path) + 1, value, strlen(value), ok, sizeof(ok));
    return rc < 0 ? rc : 0;
}

long store_directory(const char *path, char *names, size_t size)
{
    return transact(XS_DIRECTORY, path, strlen(path) + 1, NULL, 0, names, size);
}

long store_rm(const char *path)
{
    char ok[4];
    long rc = transact(XS_RM, path, strlen(path) + 1, NULL, 0, ok, sizeof(ok));
    return rc < 0 ? rc : 0;
}

long store_watch(const char *path, const char *token)
{
    char ok[4];
    long rc = transact(XS_WATCH, path, strlen(path) + 1, token, strlen(token) + 1, ok, sizeof(ok));
    return rc < 0 ? rc : 0;
}

long store_unwatch(const char *path, const char *token)
{
    char ok[4];
    long rc = transact(XS_UNWATCH, path, strlen(path) + 1, token, strlen(token) + 1, ok, sizeof(ok));
    return rc < 0 ? rc : 0;
}

long store_wait_watch(char *path, size_t path_size, char *token, size_t token_size)
{
    while (!watch_queued) {
        struct xsd_sockmsg r;
        long rc = broken ? broken : receive_bytes(&r, sizeof(r));  /* no request is outstanding */
        if (rc < 0)
            return rc;
        if (r.type != XS_WATCH_EVENT || r.len > XENSTORE_PAYLOAD_MAX)
            return out_of_step(&r);
        if ((rc = keep_watch_event(&r)) < 0)
            return rc;
    }
    const char *p = watch_queue, *t = p + strlen(p) + 1;
    uint32_t used = (uint32_t)(t + strlen(t) + 1 - watch_queue);
    strlcpy(path, p, path_size);
    strlcpy(token, t, token_size);
    memmove(watch_queue, watch_queue + used, watch_queued - used);
    watch_queued -= used;
    return 0;
}
