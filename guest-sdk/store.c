/* store.c - the guest's client of the store (guest ring 1): read, write, list, remove and watch
 * keys in domain 0's store, over the ring page and event channel of start_info (store_mfn,
 * store_evtchn), in the xenstore wire protocol (hypercall-abi/xs_wire.h).
 * One request at a time: write it into the request ring, kick the port, sleep until the whole
 * reply is in the reply ring. Watch events that arrive meanwhile are kept for store_wait_watch.
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

/* ---- the rings (also used by the store itself, in examples/dom0) ------------------------------ */

uint32_t xs_ring_put(char *buf, XENSTORE_RING_IDX cons, volatile XENSTORE_RING_IDX *prod, const void *data, uint32_t len)
{
    uint32_t room = XENSTORE_RING_SIZE - (*prod - cons), n = len < room ? len : room;
    for (uint32_t i = 0; i < n; i++)
        buf[MASK_XENSTORE_IDX(*prod + i)] = ((const char *)data)[i];
    __sync_synchronize();                     /* the bytes are there before the index says so */
    *prod += n;
    return n;
}

uint32_t xs_ring_get(const char *buf, volatile XENSTORE_RING_IDX *cons, XENSTORE_RING_IDX prod, void *data, uint32_t len)
{
    uint32_t avail = prod - *cons, n = len < avail ? len : avail;
    __sync_synchronize();                     /* read the index before the bytes it covers */
    for (uint32_t i = 0; i < n; i++)
        ((char *)data)[i] = buf[MASK_XENSTORE_IDX(*cons + i)];
    __sync_synchronize();
    *cons += n;
    return n;
}

/* ---- the client -------------------------------------------------------------------------------- */

long store_init(void)
{
    if (!start_info->store_mfn)
        return -XEN_ENODEV;                   /* domain 0: the store is ours, not a ring away */
    ring = mfn_to_virt((uint32_t)start_info->store_mfn);
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

static int request_room(void) { return ring->req_prod - ring->req_cons < XENSTORE_RING_SIZE; }
static int reply_bytes(void) { return ring->rsp_prod != ring->rsp_cons; }

static void send_bytes(const void *data, uint32_t len)
{
    for (uint32_t done = 0; done < len; ) {
        wait_for(request_room);
        done += xs_ring_put(ring->req, ring->req_cons, &ring->req_prod, (const char *)data + done, len - done);
        event_send(port);
    }
}

static void receive_bytes(void *data, uint32_t len)
{
    for (uint32_t done = 0; done < len; ) {
        wait_for(reply_bytes);
        done += xs_ring_get(ring->rsp, &ring->rsp_cons, ring->rsp_prod, (char *)data + done, len - done);
        event_send(port);                     /* room for the store to write more */
    }
}

/* The store names its errors (XS_ERROR "ENOENT"); these are the ones it sends. */
static const struct { const char *name; long err; } errors[] = {
    { "ENOENT", XEN_ENOENT }, { "EACCES", XEN_EACCES }, { "EINVAL", XEN_EINVAL },
    { "EEXIST", XEN_EEXIST }, { "ENOSPC", XEN_ENOSPC }, { "E2BIG", XEN_E2BIG },
    { "ENOSYS", XEN_ENOSYS }, { "EIO", XEN_EIO },
};

static long error_number(const char *name)
{
    for (unsigned i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
        if (strcmp(name, errors[i].name) == 0)
            return -errors[i].err;
    return -XEN_EIO;
}

/* A watch event arrived (its header read): keep its payload for store_wait_watch. */
static void keep_watch_event(uint32_t len)
{
    static char scratch[XENSTORE_PAYLOAD_MAX];
    if (watch_queued + len > WATCH_QUEUE) {
        receive_bytes(scratch, len);
        printf("store: watch event dropped: queue full\n");
        return;
    }
    receive_bytes(watch_queue + watch_queued, len);
    watch_queued += len;
}

/* One request (a payload in two parts) and its reply, copied NUL-ended into reply[size].
 * Returns the reply's length, or -errno. */
static long transact(uint32_t type, const char *a, uint32_t a_len, const char *b, uint32_t b_len,
                     char *reply, uint32_t size)
{
    static char payload[XENSTORE_PAYLOAD_MAX + 1];
    struct xsd_sockmsg m = { .type = type, .req_id = next_req_id++, .len = a_len + b_len };
    if (!ring)
        return -XEN_ENODEV;
    if (m.len > XENSTORE_PAYLOAD_MAX)
        return -XEN_E2BIG;
    send_bytes(&m, sizeof(m));
    send_bytes(a, a_len);
    send_bytes(b, b_len);
    for (;;) {
        struct xsd_sockmsg r;
        receive_bytes(&r, sizeof(r));
        if (r.len > XENSTORE_PAYLOAD_MAX)
            panic("store: a reply of %u bytes: the ring is out of step", r.len);
        if (r.type == XS_WATCH_EVENT) {
            keep_watch_event(r.len);
            continue;
        }
        receive_bytes(payload, r.len);
        payload[r.len] = 0;
        if (r.type == XS_ERROR)
            return error_number(payload);
        uint32_t n = r.len < size ? r.len : size - 1;
        memcpy(reply, payload, n);
        reply[n] = 0;
        return r.len;
    }
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

/* Sleep until a watch fires; its path and token are copied out (NUL-ended, truncated to fit). */
void store_wait_watch(char *path, size_t path_size, char *token, size_t token_size)
{
    while (!watch_queued) {
        struct xsd_sockmsg r;
        receive_bytes(&r, sizeof(r));         /* no request is outstanding: only events come */
        if (r.type != XS_WATCH_EVENT || r.len > XENSTORE_PAYLOAD_MAX)
            panic("store: unexpected message %u of %u bytes", r.type, r.len);
        keep_watch_event(r.len);
    }
    const char *p = watch_queue, *t = p + strlen(p) + 1;
    uint32_t used = (uint32_t)(t + strlen(t) + 1 - watch_queue);
    strlcpy(path, p, path_size);
    strlcpy(token, t, token_size);
    memmove(watch_queue, watch_queue + used, watch_queued - used);
    watch_queued -= used;
}
