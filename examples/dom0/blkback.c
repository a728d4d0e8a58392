/* blkback.c - domain 0's block backend: a disk of the machine's (ata.c) served to another domain's
 * frontend over Xen's blkif protocol (guest ring 1, domain 0).
 *
 * block-attach writes the two halves of the device in the store, as xl does: the backend's
 * directory (/local/domain/0/backend/vbd/ID/VDEV: frontend, sectors, sector-size, state...) and
 * the frontend's (/local/domain/ID/device/vbd/VDEV: backend, virtual-device, state). The ends then
 * walk the xenbus states: the backend says InitWait; the frontend grants a ring page, offers an
 * event channel, writes them and says Initialised; the backend maps the ring, binds the channel
 * and says Connected, and so does the frontend. Each request on the ring is checked before
 * anything is done for it (operation, segments, sectors, the disk's end); its data moves by grant
 * copy between the frontend's granted pages and a page of domain 0's, never by mapping them, so
 * a bad grant is an error response and domain 0 holds nothing of the frontend's afterwards. A
 * frontend whose ring indexes are impossible is disconnected.
 */
#include "blkback.h"
#include "sdk.h"
#include "xenstored.h"

#define VBDS 8

struct vbd {
    uint8_t used, connected;
    domid_t front;
    unsigned vdev;
    const struct ata_disk *disk;
    char fe[64], be[64];                     /* the two store directories */
    struct blkif_sring *ring;                /* the frontend's ring page, mapped */
    grant_handle_t ring_handle;
    evtchn_port_t port;
    RING_IDX req_cons, rsp_prod;
};

static struct vbd vbds[VBDS];
static uint8_t ring_pages[VBDS][4096] __attribute__((aligned(4096)));
static uint8_t bounce[4096] __attribute__((aligned(4096)));   /* one request's data at a time */
static volatile int kicked;

static void on_kick(evtchn_port_t port) { (void)port; kicked = 1; }
int blkback_kicked(void) { return kicked; }

static void write_key(const char *dir, const char *key, const char *fmt, unsigned value)
{
    char path[96], text[16];
    format_snprintf(path, sizeof(path), "%s/%s", dir, key);
    format_snprintf(text, sizeof(text), fmt, value);
    xsd_set(path, text);
}

static int read_number(const char *dir, const char *key, uint32_t *value)
{
    char path[96], text[16];
    format_snprintf(path, sizeof(path), "%s/%s", dir, key);
    if (xsd_get(path, text, sizeof(text)) <= 0)
        return -1;
    *value = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        *value = *value * 10 + (uint32_t)(*p - '0');
    }
    return 0;
}

int blkback_attach(domid_t front, const struct ata_disk *disk, unsigned vdev)
{
    struct vbd *v = NULL;
    for (unsigned i = 0; i < VBDS; i++) {
        if (vbds[i].used && vbds[i].front == front && vbds[i].vdev == vdev)
            return -1;                       /* that device is there already */
        if (!vbds[i].used && !v)
            v = &vbds[i];
    }
    if (!v)
        return -1;
    *v = (struct vbd){ .used = 1, .front = front, .vdev = vdev, .disk = disk };
    format_snprintf(v->be, sizeof(v->be), "/local/domain/0/backend/vbd/%u/%u", front, vdev);
    format_snprintf(v->fe, sizeof(v->fe), "/local/domain/%u/device/vbd/%u", front, vdev);
    char path[96];
    format_snprintf(path, sizeof(path), "%s/frontend", v->be);
    xsd_set(path, v->fe);
    write_key(v->be, "frontend-id", "%u", front);
    write_key(v->be, "sectors", "%u", disk->sectors);
    write_key(v->be, "sector-size", "%u", ATA_SECTOR_SIZE);
    write_key(v->be, "info", "%u", 0);
    write_key(v->be, "feature-flush-cache", "%u", 1);
    write_key(v->be, "feature-barrier", "%u", 0);
    format_snprintf(path, sizeof(path), "%s/backend", v->fe);
    xsd_set(path, v->be);
    write_key(v->fe, "backend-id", "%u", 0);
    write_key(v->fe, "virtual-device", "%u", vdev);
    format_snprintf(path, sizeof(path), "%s/device-type", v->fe);
    xsd_set(path, "disk");
    write_key(v->fe, "state", "%u", XenbusStateInitialising);
    write_key(v->be, "state", "%u", XenbusStateInitWait);
    return 0;
}

static void disconnect(struct vbd *v, const char *why)
{
    if (why)
        printf("blkback: domain %u's vbd %u: %s: disconnected\n", v->front, v->vdev, why);
    if (v->connected) {
        grant_unmap(v->ring, v->ring_handle);
        struct evtchn_close c = { .port = v->port };
        HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
    }
    v->connected = 0;
    write_key(v->be, "state", "%u", XenbusStateClosed);
}

/* The frontend said Initialised: its ring and channel. */
static void connect(struct vbd *v)
{
    uint32_t ref, port;
    unsigned slot = (unsigned)(v - vbds);
    if (read_number(v->fe, "ring-ref", &ref) < 0 || read_number(v->fe, "event-channel", &port) < 0) {
        disconnect(v, "no ring-ref or event-channel");
        return;
    }
    v->ring = (struct blkif_sring *)ring_pages[slot];
    if (grant_map(v->front, ref, v->ring, &v->ring_handle) != GNTST_okay) {
        disconnect(v, "its ring-ref is no grant of a page to us");
        return;
    }
    struct evtchn_bind_interdomain b = { .remote_dom = v->front, .remote_port = port };
    if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b) < 0) {
        grant_unmap(v->ring, v->ring_handle);
        disconnect(v, "its event-channel cannot be bound");
        return;
    }
    v->port = b.local_port;
    event_set_handler(v->port, on_kick);
    v->req_cons = v->rsp_prod = 0;
    v->connected = 1;
    write_key(v->be, "state", "%u", XenbusStateConnected);
}

/* Move `len` bytes between the bounce page and the frontend's granted page: to it for a read. */
static int copy_segment(struct vbd *v, grant_ref_t gref, uint32_t offset, uint32_t len, int to_frontend)
{
    struct gnttab_copy c = { .len = (uint16_t)len };
    struct gnttab_copy_ptr ours = { .u.gmfn = virt_to_mfn(bounce), .domid = DOMID_SELF, .offset = 0 };
    struct gnttab_copy_ptr theirs = { .u.ref = gref, .domid = v->front, .offset = (uint16_t)offset };
    c.source = to_frontend ? ours : theirs;
    c.dest = to_frontend ? theirs : ours;
    c.flags = to_frontend ? GNTCOPY_dest_gref : GNTCOPY_source_gref;
    return HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1) == 0 && c.status == GNTST_okay ? 0 : -1;
}

/* One request, every field checked: its status. */
static int16_t serve_request(struct vbd *v, const struct blkif_request *req)
{
    if (req->operation == BLKIF_OP_FLUSH_DISKCACHE)
        return ata_flush(v->disk) == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
    if (req->operation != BLKIF_OP_READ && req->operation != BLKIF_OP_WRITE)
        return BLKIF_RSP_EOPNOTSUPP;
    if (req->nr_segments == 0 || req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return BLKIF_RSP_ERROR;
    blkif_sector_t sector = req->sector_number;
    for (unsigned i = 0; i < req->nr_segments; i++) {
        const struct blkif_request_segment *s = &req->seg[i];
        if (s->first_sect > s->last_sect || s->last_sect >= PAGE_SIZE / BLKIF_SECTOR_SIZE)
            return BLKIF_RSP_ERROR;         /* a segment past its page */
        uint32_t count = (uint32_t)(s->last_sect - s->first_sect + 1), len = count * BLKIF_SECTOR_SIZE;
        if (sector >= v->disk->sectors || count > v->disk->sectors - sector)
            return BLKIF_RSP_ERROR;         /* past the disk's end */
        uint32_t offset = (uint32_t)s->first_sect * BLKIF_SECTOR_SIZE;
        int ok = req->operation == BLKIF_OP_READ
                 ? ata_read(v->disk, (uint32_t)sector, count, bounce) == 0 && copy_segment(v, s->gref, offset, len, 1) == 0
                 : copy_segment(v, s->gref, offset, len, 0) == 0 && ata_write(v->disk, (uint32_t)sector, count, bounce) == 0;
        if (!ok)
            return BLKIF_RSP_ERROR;         /* a bad grant, or the disk's error */
        sector += count;
    }
    return BLKIF_RSP_OKAY;
}

/* The requests on a connected ring: each answered in order; an impossible producer index (more
 * requests than the ring holds) disconnects the frontend. */
static void serve_ring(struct vbd *v)
{
    for (;;) {
        RING_IDX prod = __atomic_load_n(&v->ring->req_prod, __ATOMIC_ACQUIRE);
        if (prod - v->req_cons > BLKIF_RING_SIZE) {
            disconnect(v, "its ring's req_prod is out of range");
            return;
        }
        if (prod == v->req_cons) {
            v->ring->req_event = v->req_cons + 1;        /* tell us of the next one */
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            if (__atomic_load_n(&v->ring->req_prod, __ATOMIC_ACQUIRE) == v->req_cons)
                return;
            continue;
        }
        struct blkif_request req = v->ring->ring[v->req_cons++ % BLKIF_RING_SIZE].req;   /* read once */
        struct blkif_response rsp = { .id = req.id, .operation = req.operation, .status = serve_request(v, &req) };
        v->ring->ring[v->rsp_prod++ % BLKIF_RING_SIZE].rsp = rsp;
        __atomic_store_n(&v->ring->rsp_prod, v->rsp_prod, __ATOMIC_RELEASE);
        event_send(v->port);
    }
}

/* Each vbd's next step: the frontend's state, then its requests. A frontend whose domain has
 * ended, or whose directory has gone, takes its vbd with it: the ring unmapped, the channel
 * closed, the backend's directory removed. */
void blkback_poll(void)
{
    kicked = 0;
    for (unsigned i = 0; i < VBDS; i++) {
        struct vbd *v = &vbds[i];
        uint32_t state;
        if (!v->used)
            continue;
        struct hv_domaininfo info;
        int gone = domctl_info(v->front, &info) < 0 || info.domain != v->front || (info.flags & XEN_DOMINF_shutdown);
        if (gone || read_number(v->fe, "state", &state) < 0) {
            disconnect(v, NULL);
            xsd_rm(v->be);
            v->used = 0;
            continue;
        }
        if (!v->connected && state == XenbusStateInitialised)
            connect(v);
        else if (v->connected && state >= XenbusStateClosing)
            disconnect(v, NULL);
        if (v->connected)
            serve_ring(v);
    }
}

void blkback_list(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < VBDS; i++)
        if (vbds[i].used) {
            printf("  domain %u vbd %u: %u sectors, %s\n", vbds[i].front, vbds[i].vdev, vbds[i].disk->sectors,
                   vbds[i].connected ? "connected" : "not connected");
            n++;
        }
    if (!n)
        printf("  no block devices\n");
}
