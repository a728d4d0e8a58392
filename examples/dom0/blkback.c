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
    uint8_t used, connected, detaching;
    uint8_t refused;                         /* said why it was cut off, since it last connected */
    uint8_t state;                           /* the backend's xenbus state, as written */
    domid_t front;
    unsigned vdev, number;                   /* its virtual device; the disk's number in domain 0 */
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

static int write_key(const char *dir, const char *key, const char *fmt, unsigned value)
{
    char path[96], text[16];
    format_snprintf(path, sizeof(path), "%s/%s", dir, key);
    format_snprintf(text, sizeof(text), fmt, value);
    return xsd_set(path, text);
}

#define MISSING (-1)
#define NOT_A_NUMBER (-2)

/* A decimal key: 0, MISSING, or NOT_A_NUMBER (empty, or any character but a digit). */
static int read_number(const char *dir, const char *key, uint32_t *value)
{
    char path[96], text[16];
    format_snprintf(path, sizeof(path), "%s/%s", dir, key);
    int len = xsd_get(path, text, sizeof(text));
    if (len < 0)
        return MISSING;
    *value = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return NOT_A_NUMBER;
        *value = *value * 10 + (uint32_t)(*p - '0');
    }
    return len ? 0 : NOT_A_NUMBER;
}

static void write_text(const char *dir, const char *key, const char *text)
{
    char path[96];
    format_snprintf(path, sizeof(path), "%s/%s", dir, key);
    xsd_set(path, text);
}

/* xvda for (202 << 8) | 0, xvdb for | 16 ... (Xen's vbd-interface.txt, whole disks); others by number. */
static void vdev_name(unsigned vdev, char *text, size_t size)
{
    if (vdev >> 8 == XVD_MAJOR && !(vdev & 15))
        format_snprintf(text, size, "xvd%c", 'a' + (int)((vdev & 0xff) >> 4));
    else
        format_snprintf(text, size, "%u", vdev);
}

static void set_state(struct vbd *v, uint8_t state)
{
    if (v->state == state)
        return;                              /* a write of the same fires every watch again */
    if (write_key(v->be, "state", "%u", state) == 0)
        v->state = state;                    /* (a refused write is tried again at the next poll) */
}

int blkback_attach(domid_t front, const struct ata_disk *disk, unsigned number, unsigned vdev)
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
    *v = (struct vbd){ .used = 1, .front = front, .vdev = vdev, .number = number, .disk = disk };
    format_snprintf(v->be, sizeof(v->be), "/local/domain/0/backend/vbd/%u/%u", front, vdev);
    format_snprintf(v->fe, sizeof(v->fe), "/local/domain/%u/device/vbd/%u", front, vdev);
    char text[16];
    write_text(v->be, "frontend", v->fe);
    write_key(v->be, "frontend-id", "%u", front);
    format_snprintf(text, sizeof(text), "disk%u", number);
    write_text(v->be, "params", text);             /* what it is in domain 0: the `disks` number */
    write_text(v->be, "type", "phy");
    write_text(v->be, "mode", "w");
    vdev_name(vdev, text, sizeof(text));
    write_text(v->be, "dev", text);
    write_key(v->be, "online", "%u", 1);
    write_key(v->be, "removable", "%u", 0);
    write_key(v->be, "bootable", "%u", 1);
    write_text(v->be, "device-type", "disk");
    write_key(v->be, "sectors", "%u", disk->sectors);
    write_key(v->be, "sector-size", "%u", ATA_SECTOR_SIZE);
    write_key(v->be, "info", "%u", 0);
    write_key(v->be, "feature-flush-cache", "%u", 1);
    write_key(v->be, "feature-barrier", "%u", 1);
    write_text(v->fe, "backend", v->be);
    write_key(v->fe, "backend-id", "%u", 0);
    write_key(v->fe, "virtual-device", "%u", vdev);
    write_text(v->fe, "device-type", "disk");
    write_key(v->fe, "state", "%u", XenbusStateInitialising);
    set_state(v, XenbusStateInitWait);
    return 0;
}

/* Let go of the frontend's ring and channel: nothing of its is held afterwards. */
static void disconnect(struct vbd *v)
{
    if (v->connected) {
        grant_unmap(v->ring, v->ring_handle);
        struct evtchn_close c = { .port = v->port };
        HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
    }
    v->connected = 0;
}

/* A frontend that broke the protocol: cut off, Closed, until it starts again (Initialising). */
static void refuse(struct vbd *v, const char *why)
{
    if (!v->refused)                         /* once: a frontend that retries for ever floods nothing */
        printf("blkback: domain %u's vbd %u: %s: disconnected\n", v->front, v->vdev, why);
    v->refused = 1;
    disconnect(v);
    set_state(v, XenbusStateClosed);
}

/* The vbd goes: both directories removed from the store, as xl's block-detach does. */
static void remove(struct vbd *v)
{
    disconnect(v);
    xsd_rm(v->be);
    xsd_rm(v->fe);
    v->used = 0;
}

/* The frontend said Initialised: its ring and channel. */
static void connect(struct vbd *v)
{
    uint32_t ref, port;
    unsigned slot = (unsigned)(v - vbds);
    if (read_number(v->fe, "ring-ref", &ref) < 0 || read_number(v->fe, "event-channel", &port) < 0) {
        refuse(v, "no ring-ref or event-channel");
        return;
    }
    v->ring = (struct blkif_sring *)ring_pages[slot];
    if (grant_map(v->front, ref, v->ring, &v->ring_handle) != GNTST_okay) {
        refuse(v, "its ring-ref is no grant of a page to us");
        return;
    }
    struct evtchn_bind_interdomain b = { .remote_dom = v->front, .remote_port = port };
    if (HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b) < 0) {
        grant_unmap(v->ring, v->ring_handle);
        refuse(v, "its event-channel cannot be bound");
        return;
    }
    v->port = b.local_port;
    event_set_handler(v->port, on_kick);
    v->req_cons = v->rsp_prod = 0;
    v->connected = 1;
    v->refused = 0;
    set_state(v, XenbusStateConnected);
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

static int16_t serve_transfer(struct vbd *v, const struct blkif_request *req);

/* One request, every field checked: its status. Requests are served one after another, each
 * finished before the next begins, so a barrier's ordering holds by itself; what
 * BLKIF_OP_WRITE_BARRIER adds is that the writes before it and its own are on the disk, not in
 * its cache, when it completes: a flush before and one after (none segments: the flush alone). */
static int16_t serve_request(struct vbd *v, const struct blkif_request *req)
{
    if (req->operation == BLKIF_OP_FLUSH_DISKCACHE)
        return ata_flush(v->disk) == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
    if (req->operation == BLKIF_OP_WRITE_BARRIER) {
        if (req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST || ata_flush(v->disk) < 0)
            return BLKIF_RSP_ERROR;
        int16_t status = req->nr_segments ? serve_transfer(v, req) : BLKIF_RSP_OKAY;
        return status == BLKIF_RSP_OKAY && ata_flush(v->disk) < 0 ? BLKIF_RSP_ERROR : status;
    }
    if (req->operation != BLKIF_OP_READ && req->operation != BLKIF_OP_WRITE)
        return BLKIF_RSP_EOPNOTSUPP;
    return serve_transfer(v, req);
}

/* A read or a write (or a barrier's write) of its segments, in turn. */
static int16_t serve_transfer(struct vbd *v, const struct blkif_request *req)
{
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

/* The requests on a connected ring: each answered in order, a ring's worth at most per call
 * (a frontend that keeps the ring full must not keep domain 0 from its shell, its store and its
 * other vbds: `kicked` says come back); an impossible producer index (more requests than the
 * ring holds) disconnects the frontend. */
static void serve_ring(struct vbd *v)
{
    for (unsigned served = 0;; served++) {
        if (served == BLKIF_RING_SIZE) {
            kicked = 1;
            return;
        }
        RING_IDX prod = __atomic_load_n(&v->ring->req_prod, __ATOMIC_ACQUIRE);
        if (prod - v->req_cons > BLKIF_RING_SIZE) {
            refuse(v, "its ring's req_prod is out of range");
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

/* The backend's half of the xenbus state machine, as Linux's blkback walks it: what the
 * frontend's state asks of it.
 *   Initialising  after Closed: the frontend starts again (GRUB handing the disk to the kernel it
 *                 boots, or a kernel rebooting): InitWait once more
 *   Initialised   (or Connected) while we wait: map its ring, bind its channel, Connected
 *   Closing       let go of the ring and channel, Closing
 *   Closed        Closed; and if domain 0 is detaching it, the vbd goes */
static void step(struct vbd *v, uint32_t front_state)
{
    switch (front_state) {
    case XenbusStateInitialising:
        if (v->state == XenbusStateClosed && !v->detaching)
            set_state(v, XenbusStateInitWait);
        break;
    case XenbusStateInitialised:
    case XenbusStateConnected:
        if (v->state == XenbusStateInitWait)
            connect(v);
        break;
    case XenbusStateClosing:
        disconnect(v);
        if (v->state != XenbusStateClosed)
            set_state(v, XenbusStateClosing);
        break;
    case XenbusStateClosed:
        disconnect(v);
        set_state(v, XenbusStateClosed);
        if (v->detaching) {
            printf("blkback: domain %u's vbd %u: closed by its frontend: detached\n", v->front, v->vdev);
            remove(v);
        }
        break;
    }
}

static uint32_t looked_at = ~0u;         /* the store's generation when the states were last read */
static volatile int domain_ended = 1;    /* since then */
void blkback_domain_ended(void) { domain_ended = 1; }

/* Each vbd's next step: the frontend's state, then its requests. A frontend whose domain has
 * ended, or whose directory has gone, takes its vbd with it: the ring unmapped, the channel
 * closed, both directories removed. The states are read again only when the store has changed
 * or a domain has ended since the last look (a lookup is most of domain 0's work for a
 * request otherwise). */
void blkback_poll(void)
{
    kicked = 0;
    int look = domain_ended || xsd_generation() != looked_at;
    domain_ended = 0;
    for (unsigned i = 0; i < VBDS; i++) {
        struct vbd *v = &vbds[i];
        uint32_t state;
        if (!v->used)
            continue;
        if (!look) {
            if (v->connected)
                serve_ring(v);
            continue;
        }
        struct hv_domaininfo info;
        int gone = domctl_info(v->front, &info) < 0 || info.domain != v->front || (info.flags & XEN_DOMINF_shutdown);
        int got = gone ? MISSING : read_number(v->fe, "state", &state);
        if (got == MISSING) {
            remove(v);
            continue;
        }
        if (got == 0)
            step(v, state);                  /* a state that is no number is Unknown: nothing to do */
        if (v->used && v->connected)
            serve_ring(v);
    }
    if (look)
        looked_at = xsd_generation();     /* after our own writes: they need no second look */
}

static struct vbd *find(domid_t front, unsigned vdev)
{
    for (unsigned i = 0; i < VBDS; i++)
        if (vbds[i].used && vbds[i].front == front && vbds[i].vdev == vdev)
            return &vbds[i];
    return NULL;
}

int blkback_detach(domid_t front, unsigned vdev)
{
    struct vbd *v = find(front, vdev);
    if (!v)
        return -1;
    if (!v->connected && v->state != XenbusStateClosing) {
        remove(v);                           /* nothing of the frontend's is held: at once */
        return 1;
    }
    v->detaching = 1;
    write_key(v->be, "online", "%u", 0);
    set_state(v, XenbusStateClosing);        /* asks the frontend to close */
    return 0;
}

int blkback_present(domid_t front, unsigned vdev)
{
    return find(front, vdev) != NULL;
}

void blkback_force_detach(domid_t front, unsigned vdev)
{
    struct vbd *v = find(front, vdev);
    if (v)
        remove(v);
}

void blkback_list_domain(domid_t front, char *text, size_t size)
{
    size_t at = 0;
    text[0] = 0;
    for (unsigned i = 0; i < VBDS; i++)
        if (vbds[i].used && vbds[i].front == front && at + 24 < size) {
            char name[16];
            vdev_name(vbds[i].vdev, name, sizeof(name));
            at += (size_t)format_snprintf(text + at, size - at, "%s%s=disk%u", at ? "," : "", name, vbds[i].number);
        }
}

static const char *const state_names[] = {
    [XenbusStateUnknown] = "unknown", [XenbusStateInitialising] = "initialising",
    [XenbusStateInitWait] = "waiting for its frontend", [XenbusStateInitialised] = "initialised",
    [XenbusStateConnected] = "connected", [XenbusStateClosing] = "closing", [XenbusStateClosed] = "closed",
};

void blkback_list(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < VBDS; i++)
        if (vbds[i].used) {
            printf("  domain %u vbd %u: disk %u, %u sectors, %s\n", vbds[i].front, vbds[i].vdev, vbds[i].number,
                   vbds[i].disk->sectors, state_names[vbds[i].state]);
            n++;
        }
    if (!n)
        printf("  no block devices\n");
}
