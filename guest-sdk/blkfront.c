/* blkfront.c - a block frontend: the domain's virtual disk, served by domain 0's blkback over
 * Xen's blkif protocol (guest ring 1, SDK).
 *
 * The device is found in the store (device/vbd/VDEV, written by domain 0's block-attach). The
 * frontend waits for the backend's InitWait, reads the disk's size, grants a ring page and a data
 * page to the backend, offers an event channel, writes ring-ref, event-channel and protocol and
 * says Initialised, then waits for the backend's Connected. A request is one segment of the data
 * page (up to 8 sectors): pushed on the ring, the backend told, and the vCPU asleep in
 * SCHEDOP_poll on the channel until the response is there.
 * Hot plug: domain 0 may attach the device while the domain runs (blkfront_wait_attach watches
 * device/vbd) and detach it (its backend says Closing: blkfront_wait_detach); blkfront_close is
 * the frontend's half of the detach, and what a kernel does before handing its disk on.
 */
#include "sdk.h"

static long read_number(const char *path, uint32_t *value)
{
    char text[24];
    long rc = store_read(path, text, sizeof(text));
    if (rc < 0)
        return rc;
    *value = 0;
    for (const char *p = text; *p >= '0' && *p <= '9'; p++)
        *value = *value * 10 + (uint32_t)(*p - '0');
    return 0;
}

/* Sleep until the backend's state is `want` (or past Connected: it is closing). Waiting for
 * Closing or Closed, a backend directory that has gone counts as closed (block-detach). */
static long wait_backend(struct blkfront *bf, uint32_t want)
{
    char path[96], seen[96], token[8];
    uint32_t state = 0;
    format_snprintf(path, sizeof(path), "%s/state", bf->backend);
    long rc = store_watch(path, "be");
    int closing = want >= XenbusStateClosing;
    while (rc == 0) {
        long got = read_number(path, &state);
        if (got == -XEN_ENOENT) {
            rc = closing ? 0 : -XEN_ENODEV;    /* gone: closed, or detached while we opened */
            break;
        }
        if (got == 0 && closing && state >= want)
            break;
        /* Waiting for InitWait, a Closed backend is one that will come back to it: we said
         * Initialising (a kernel taking over a disk closed before it, as GRUB hands one on). */
        if (got == 0 && !closing && (state == want || state == XenbusStateClosing ||
                                     (state == XenbusStateClosed && want != XenbusStateInitWait))) {
            rc = state == want ? 0 : -XEN_EIO;
            break;
        }
        rc = store_wait_watch(seen, sizeof(seen), token, sizeof(token));
    }
    store_unwatch(path, "be");
    return rc;
}

static long write_front(struct blkfront *bf, const char *key, const char *fmt, uint32_t value)
{
    char path[96], text[24];
    format_snprintf(path, sizeof(path), "%s/%s", bf->frontend, key);
    format_snprintf(text, sizeof(text), fmt, value);
    return store_write(path, text);
}

long blkfront_open(struct blkfront *bf, unsigned vdev)
{
    char path[96];
    uint32_t backend_id;
    memset(bf, 0, sizeof(*bf));
    format_snprintf(bf->frontend, sizeof(bf->frontend), "device/vbd/%u", vdev);
    format_snprintf(path, sizeof(path), "%s/backend", bf->frontend);
    long rc = store_read(path, bf->backend, sizeof(bf->backend));
    format_snprintf(path, sizeof(path), "%s/backend-id", bf->frontend);
    if (rc < 0 || (rc = read_number(path, &backend_id)) < 0 ||
        (rc = write_front(bf, "state", "%u", XenbusStateInitialising)) < 0 || (rc = wait_backend(bf, XenbusStateInitWait)) < 0)
        return rc;
    bf->backend_id = (domid_t)backend_id;
    format_snprintf(path, sizeof(path), "%s/sectors", bf->backend);
    if ((rc = read_number(path, &bf->sectors)) < 0)
        return rc;
    bf->ring = page_alloc();
    bf->data = page_alloc();
    if (!bf->ring || !bf->data)
        return -XEN_ENOMEM;
    bf->ring->req_event = bf->ring->rsp_event = 1;
    long ring_ref = grant_access(bf->backend_id, bf->ring, 0), data_ref = grant_access(bf->backend_id, bf->data, 0);
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = bf->backend_id };
    if (ring_ref < 0 || data_ref < 0 || (rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a)) < 0)
        return ring_ref < 0 ? ring_ref : data_ref < 0 ? data_ref : rc;
    bf->ring_ref = (grant_ref_t)ring_ref;
    bf->data_ref = (grant_ref_t)data_ref;
    bf->port = a.port;
    format_snprintf(path, sizeof(path), "%s/protocol", bf->frontend);
    if ((rc = write_front(bf, "ring-ref", "%u", (uint32_t)ring_ref)) < 0 ||
        (rc = write_front(bf, "event-channel", "%u", a.port)) < 0 || (rc = store_write(path, XEN_IO_PROTO_ABI_X86_32)) < 0 ||
        (rc = write_front(bf, "state", "%u", XenbusStateInitialised)) < 0 || (rc = wait_backend(bf, XenbusStateConnected)) < 0)
        return rc;
    return write_front(bf, "state", "%u", XenbusStateConnected);
}

/* One request of op on `count` sectors (1-8) at `sector`, through the data page: its status. */
static long request(struct blkfront *bf, uint8_t op, uint64_t sector, uint32_t count)
{
    struct blkif_request *req = &bf->ring->ring[bf->req_prod % BLKIF_RING_SIZE].req;
    *req = (struct blkif_request){ .operation = op, .nr_segments = op == BLKIF_OP_FLUSH_DISKCACHE ? 0 : 1,
                                   .id = bf->req_prod, .sector_number = sector };
    req->seg[0] = (struct blkif_request_segment){ .gref = bf->data_ref, .first_sect = 0, .last_sect = (uint8_t)(count - 1) };
    __atomic_store_n(&bf->ring->req_prod, ++bf->req_prod, __ATOMIC_RELEASE);
    event_send(bf->port);
    evtchn_port_t ports[1] = { bf->port };
    while (__atomic_load_n(&bf->ring->rsp_prod, __ATOMIC_ACQUIRE) == bf->rsp_cons) {
        struct sched_poll p = { .ports = ports, .nr_ports = 1, .timeout = 0 };
        HYPERVISOR_sched_op(SCHEDOP_poll, &p);
        __atomic_fetch_and((uint32_t *)&shared_info->evtchn_pending[bf->port / 32], ~(1u << (bf->port % 32)),
                           __ATOMIC_SEQ_CST);
    }
    struct blkif_response rsp = bf->ring->ring[bf->rsp_cons++ % BLKIF_RING_SIZE].rsp;
    bf->ring->rsp_event = bf->rsp_cons + 1;
    return rsp.status == BLKIF_RSP_OKAY ? 0 : -XEN_EIO;
}

static int in_range(const struct blkfront *bf, uint64_t sector, uint32_t count)
{
    return count >= 1 && count <= PAGE_SIZE / BLKIF_SECTOR_SIZE && sector < bf->sectors && count <= bf->sectors - sector;
}

long blkfront_read(struct blkfront *bf, uint64_t sector, uint32_t count, void *buf)
{
    if (!in_range(bf, sector, count))
        return -XEN_EINVAL;
    long rc = request(bf, BLKIF_OP_READ, sector, count);
    if (rc == 0)
        memcpy(buf, bf->data, count * BLKIF_SECTOR_SIZE);
    return rc;
}

long blkfront_write(struct blkfront *bf, uint64_t sector, uint32_t count, const void *buf)
{
    if (!in_range(bf, sector, count))
        return -XEN_EINVAL;
    memcpy(bf->data, buf, count * BLKIF_SECTOR_SIZE);
    return request(bf, BLKIF_OP_WRITE, sector, count);
}

long blkfront_flush(struct blkfront *bf)
{
    return request(bf, BLKIF_OP_FLUSH_DISKCACHE, 0, 1);
}

long blkfront_wait_attach(unsigned vdev)
{
    char path[64], seen[96], token[8], text[8];
    format_snprintf(path, sizeof(path), "device/vbd/%u/state", vdev);
    long rc = store_watch("device/vbd", "vbd");
    while (rc == 0) {
        if ((rc = store_read(path, text, sizeof(text))) >= 0) {
            rc = 0;
            break;
        }
        if (rc == -XEN_ENOENT)
            rc = store_wait_watch(seen, sizeof(seen), token, sizeof(token));
    }
    store_unwatch("device/vbd", "vbd");
    return rc;
}

long blkfront_wait_detach(struct blkfront *bf)
{
    return wait_backend(bf, XenbusStateClosing);
}

long blkfront_close(struct blkfront *bf)
{
    /* Closed, then wait for the backend's Closed (or its directory gone: a detach): it says so
     * only after it has let go of our ring. It copies our data by grant and maps nothing else,
     * so then our offers can end and the pages be used again. */
    long rc = write_front(bf, "state", "%u", XenbusStateClosed);
    if (rc < 0 || (rc = wait_backend(bf, XenbusStateClosed)) < 0)
        return rc;
    if ((rc = grant_end(bf->ring_ref)) < 0 || (rc = grant_end(bf->data_ref)) < 0)
        return rc;
    struct evtchn_close c = { .port = bf->port };
    HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
    page_free(bf->ring);
    page_free(bf->data);
    return 0;
}
