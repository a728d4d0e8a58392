/* xenstored.c - the store: a small tree of keys and values that domain 0 keeps for every domain,
 * reached over each domain's ring page and event channel in the xenstore wire protocol
 * (guest ring 1, domain 0). Where services and devices are advertised, as in Xen's design.
 *
 * A subset of Xen's xenstored: READ, WRITE, MKDIR, RM, DIRECTORY, WATCH, UNWATCH and
 * GET_DOMAIN_PATH; no transactions and no per-node permission lists. Instead one fixed rule:
 * every domain may read every key, and write only at or below its own /local/domain/ID (domain 0
 * anywhere). Everything a domain sends is checked: lengths, NULs, path characters.
 */
#include "sdk.h"
#include "xenstored.h"

#define NODES        256
#define NODE_PATH    96          /* bytes of a path, NUL included */
#define NODE_VALUE   128
#define WATCHES      64
#define TOKEN_MAX    32
#define CONNECTIONS  32
#define OUT_SIZE     (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

struct node {
    uint8_t used;
    uint16_t value_len;
    char path[NODE_PATH];
    char value[NODE_VALUE];
};

struct watch {
    uint8_t used, relative;      /* relative: report paths relative to the domain's home */
    domid_t domid;
    char path[NODE_PATH];
    char token[TOKEN_MAX];
};

struct connection {
    uint8_t used, broken;
    domid_t domid;
    evtchn_port_t port;
    grant_handle_t handle;
    struct xenstore_domain_interface *ring;
    union {                      /* the request being received: header, then payload */
        struct { struct xsd_sockmsg hdr; char payload[XENSTORE_PAYLOAD_MAX + 1]; } msg;
        char bytes[1];
    } in;
    uint32_t in_len;
    char out[OUT_SIZE];          /* replies and watch events not yet in the ring */
    uint32_t out_len;
};

static struct node nodes[NODES];
static struct watch watches[WATCHES];
static struct connection conns[CONNECTIONS];
static uint8_t ring_pages[CONNECTIONS][4096] __attribute__((aligned(4096)));  /* where rings map */
static volatile int kicked;

static int one_of(char c, const char *set)
{
    for (; *set; set++)
        if (*set == c)
            return 1;
    return 0;
}

static char *last_slash(char *s)
{
    char *last = NULL;
    for (; *s; s++)
        if (*s == '/')
            last = s;
    return last;
}

/* ---- the tree ------------------------------------------------------------------------------------ */

static struct node *node_find(const char *path)
{
    for (unsigned i = 0; i < NODES; i++)
        if (nodes[i].used && strcmp(nodes[i].path, path) == 0)
            return &nodes[i];
    return NULL;
}

/* b is a or below it */
static int at_or_below(const char *b, const char *a)
{
    size_t n = strlen(a);
    if (strcmp(a, "/") == 0)
        return 1;
    return strncmp(b, a, n) == 0 && (b[n] == 0 || b[n] == '/');
}

/* Create path and every node above it that is missing; its value is left as it was. */
static struct node *node_make(const char *path)
{
    struct node *n = node_find(path);
    if (n)
        return n;
    char parent[NODE_PATH];
    strlcpy(parent, path, sizeof(parent));
    char *slash = last_slash(parent);
    if (slash) {
        *(slash == parent ? slash + 1 : slash) = 0;
        if (strcmp(parent, path) != 0 && !node_make(parent))
            return NULL;
    }
    for (unsigned i = 0; i < NODES; i++)
        if (!nodes[i].used) {
            nodes[i] = (struct node){ .used = 1 };
            strlcpy(nodes[i].path, path, sizeof(nodes[i].path));
            return &nodes[i];
        }
    return NULL;
}

static void node_remove(const char *path)
{
    for (unsigned i = 0; i < NODES; i++)
        if (nodes[i].used && at_or_below(nodes[i].path, path))
            nodes[i].used = 0;
}

/* The name of a child of `path`, or NULL if n is not one. */
static const char *child_name(const struct node *n, const char *path)
{
    size_t len = strlen(path);
    if (strcmp(path, "/") == 0)
        len = 0;
    if (strncmp(n->path, path, len) != 0 || n->path[len] != '/' || n->path[len + 1] == 0)
        return NULL;
    const char *name = n->path + len + 1;
    for (const char *p = name; *p; p++)
        if (*p == '/')
            return NULL;
    return name;
}

/* ---- sending to a domain --------------------------------------------------------------------------- */

static struct connection *connection_of(domid_t domid)
{
    for (unsigned i = 0; i < CONNECTIONS; i++)
        if (conns[i].used && conns[i].domid == domid)
            return &conns[i];
    return NULL;
}

/* Queue a message: header, then two parts of payload. Returns -1 if there is no room. */
static int queue(struct connection *c, uint32_t type, uint32_t req_id, const void *a, uint32_t a_len,
                 const void *b, uint32_t b_len)
{
    struct xsd_sockmsg h = { .type = type, .req_id = req_id, .len = a_len + b_len };
    if (c->out_len + sizeof(h) + h.len > OUT_SIZE)
        return -1;
    memcpy(c->out + c->out_len, &h, sizeof(h));
    memcpy(c->out + c->out_len + sizeof(h), a, a_len);
    memcpy(c->out + c->out_len + sizeof(h) + a_len, b, b_len);
    c->out_len += sizeof(h) + h.len;
    return 0;
}

static int flush(struct connection *c)
{
    uint32_t n = xs_ring_put(c->ring->rsp, c->ring->rsp_cons, &c->ring->rsp_prod, c->out, c->out_len);
    memmove(c->out, c->out + n, c->out_len - n);
    c->out_len -= n;
    return n > 0;
}

static void fire_one(struct watch *w, const char *path)
{
    struct connection *c = connection_of(w->domid);
    char home[32];
    if (!c)
        return;
    format_snprintf(home, sizeof(home), "/local/domain/%u/", w->domid);
    if (w->relative && strncmp(path, home, strlen(home)) == 0)
        path += strlen(home);
    if (queue(c, XS_WATCH_EVENT, 0, path, strlen(path) + 1, w->token, strlen(w->token) + 1) < 0)
        printf("store: watch event for domain %u dropped: its ring is full\n", w->domid);
}

/* Tell every watcher of path, or of a node above it; a removal also reaches the watchers below. */
static void fire(const char *path, int removed)
{
    for (unsigned i = 0; i < WATCHES; i++)
        if (watches[i].used && (at_or_below(path, watches[i].path) || (removed && at_or_below(watches[i].path, path))))
            fire_one(&watches[i], path);
}

/* ---- requests ------------------------------------------------------------------------------------ */

struct request {
    struct connection *c;
    const struct xsd_sockmsg *hdr;
    const char *arg[2];          /* the NUL-ended strings of the payload */
    uint32_t nargs;
    const char *rest;            /* WRITE: the value after the path (not NUL-ended) */
    uint32_t rest_len;
};

static int valid_path(const char *p)
{
    if (p[0] != '/' || strlen(p) >= NODE_PATH || (p[1] && p[strlen(p) - 1] == '/') || strstr(p, "//"))
        return 0;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || one_of(*p, "/_@-.")))
            return 0;
    return 1;
}

/* The absolute path a domain means: relative paths are below its home, /local/domain/ID. */
static int resolve(domid_t domid, const char *raw, char *path)
{
    if (raw[0] == '/')
        strlcpy(path, raw, NODE_PATH);
    else if (format_snprintf(path, NODE_PATH, "/local/domain/%u/%s", domid, raw) >= NODE_PATH)
        return -1;
    return valid_path(path) ? 0 : -1;
}

static int may_write(domid_t domid, const char *path)
{
    char home[32];
    format_snprintf(home, sizeof(home), "/local/domain/%u", domid);
    return domid == 0 || at_or_below(path, home);
}

static const char *op_read(struct request *r, const char *path)
{
    struct node *n = node_find(path);
    if (!n)
        return "ENOENT";
    queue(r->c, XS_READ, r->hdr->req_id, n->value, n->value_len, NULL, 0);
    return NULL;
}

static const char *op_directory(struct request *r, const char *path)
{
    static char names[XENSTORE_PAYLOAD_MAX];
    uint32_t len = 0;
    if (!node_find(path))
        return "ENOENT";
    for (unsigned i = 0; i < NODES; i++) {
        const char *name = nodes[i].used ? child_name(&nodes[i], path) : NULL;
        if (!name)
            continue;
        if (len + strlen(name) + 1 > sizeof(names))
            return "E2BIG";
        strlcpy(names + len, name, sizeof(names) - len);
        len += strlen(name) + 1;
    }
    queue(r->c, XS_DIRECTORY, r->hdr->req_id, names, len, NULL, 0);
    return NULL;
}

static const char *set(const char *path, const char *value, uint32_t len, int keep_value)
{
    if (len >= NODE_VALUE)
        return "E2BIG";
    struct node *n = node_make(path);
    if (!n)
        return "ENOSPC";
    if (!keep_value) {
        memcpy(n->value, value, len);
        n->value[len] = 0;
        n->value_len = (uint16_t)len;
    }
    fire(path, 0);
    return NULL;
}

static const char *op_write(struct request *r, const char *path)
{
    if (!may_write(r->c->domid, path))
        return "EACCES";
    return set(path, r->rest, r->rest_len, r->hdr->type == XS_MKDIR);
}

static const char *op_rm(struct request *r, const char *path)
{
    if (!may_write(r->c->domid, path) || strcmp(path, "/") == 0)
        return "EACCES";
    if (!node_find(path))
        return "ENOENT";
    node_remove(path);
    fire(path, 1);
    return NULL;
}

static const char *op_watch(struct request *r, const char *path)
{
    if (r->nargs < 2 || strlen(r->arg[1]) >= TOKEN_MAX)
        return "EINVAL";
    for (unsigned i = 0; i < WATCHES; i++)
        if (!watches[i].used) {
            struct watch *w = &watches[i];
            *w = (struct watch){ .used = 1, .relative = r->arg[0][0] != '/', .domid = r->c->domid };
            strlcpy(w->path, path, sizeof(w->path));
            strlcpy(w->token, r->arg[1], sizeof(w->token));
            queue(r->c, XS_WATCH, r->hdr->req_id, "OK", 3, NULL, 0);
            fire_one(w, path);                 /* Xen's store fires a new watch once, at once */
            return NULL;
        }
    return "ENOSPC";
}

static const char *op_unwatch(struct request *r, const char *path)
{
    if (r->nargs < 2)
        return "EINVAL";
    for (unsigned i = 0; i < WATCHES; i++)
        if (watches[i].used && watches[i].domid == r->c->domid && strcmp(watches[i].path, path) == 0 &&
            strcmp(watches[i].token, r->arg[1]) == 0) {
            watches[i].used = 0;
            return NULL;
        }
    return "ENOENT";
}

static const char *op_domain_path(struct request *r, const char *path)
{
    (void)path;
    char home[32];
    if (!r->arg[0][0] || strlen(r->arg[0]) > 5)
        return "EINVAL";
    for (const char *p = r->arg[0]; *p; p++)
        if (*p < '0' || *p > '9')
            return "EINVAL";
    format_snprintf(home, sizeof(home), "/local/domain/%s", r->arg[0]);
    queue(r->c, XS_GET_DOMAIN_PATH, r->hdr->req_id, home, strlen(home) + 1, NULL, 0);
    return NULL;
}

/* Each request type: its handler, and whether its first argument is a path. */
static const struct {
    const char *(*handler)(struct request *r, const char *path);
    uint8_t takes_path, replies_ok;
} ops[] = {
    [XS_READ] = { op_read, 1, 0 },
    [XS_DIRECTORY] = { op_directory, 1, 0 },
    [XS_WRITE] = { op_write, 1, 1 },
    [XS_MKDIR] = { op_write, 1, 1 },
    [XS_RM] = { op_rm, 1, 1 },
    [XS_WATCH] = { op_watch, 1, 0 },
    [XS_UNWATCH] = { op_unwatch, 1, 1 },
    [XS_GET_DOMAIN_PATH] = { op_domain_path, 0, 0 },
};

/* Split the payload into its NUL-ended strings (WRITE: the path, then the value as it is). */
static int parse(struct request *r, const char *payload, uint32_t len)
{
    uint32_t at = 0;
    while (r->nargs < 2 && at < len) {
        const char *s = payload + at;
        uint32_t n = (uint32_t)strnlen(s, len - at);
        if (n == len - at)
            break;                                 /* no NUL: not a string */
        r->arg[r->nargs++] = s;
        at += n + 1;
        if (r->hdr->type == XS_WRITE)
            break;
    }
    r->rest = payload + at;
    r->rest_len = len - at;
    return r->nargs >= 1 ? 0 : -1;
}

static void handle(struct connection *c)
{
    struct request r = { .c = c, .hdr = &c->in.msg.hdr };
    uint32_t type = r.hdr->type;
    char path[NODE_PATH];
    const char *error = "ENOSYS";
    c->in.msg.payload[r.hdr->len] = 0;
    if (type < sizeof(ops) / sizeof(ops[0]) && ops[type].handler) {
        if (parse(&r, c->in.msg.payload, r.hdr->len) < 0)
            error = "EINVAL";
        else if (ops[type].takes_path && resolve(c->domid, r.arg[0], path) < 0)
            error = "EINVAL";
        else
            error = ops[type].handler(&r, path);
    }
    if (error)
        queue(c, XS_ERROR, r.hdr->req_id, error, strlen(error) + 1, NULL, 0);
    else if (ops[type].replies_ok)
        queue(c, type, r.hdr->req_id, "OK", 3, NULL, 0);
}

/* Take what the domain has written; handle each request once it is whole and the last reply
 * has gone out (so that a reply always has room). */
static int serve(struct connection *c)
{
    int moved = 0;
    while (!c->broken && c->out_len == 0) {
        uint32_t need = c->in_len < sizeof(struct xsd_sockmsg) ? sizeof(struct xsd_sockmsg) - c->in_len
                                                               : sizeof(struct xsd_sockmsg) + c->in.msg.hdr.len - c->in_len;
        uint32_t got = need ? xs_ring_get(c->ring->req, &c->ring->req_cons, c->ring->req_prod, c->in.bytes + c->in_len, need) : 0;
        c->in_len += got;
        moved |= got > 0;
        if (c->in_len == sizeof(struct xsd_sockmsg) && c->in.msg.hdr.len > XENSTORE_PAYLOAD_MAX) {
            printf("store: domain %u sent a message of %u bytes: not listening to it any more\n",
                   c->domid, c->in.msg.hdr.len);
            c->broken = 1;
        } else if (c->in_len >= sizeof(struct xsd_sockmsg) && c->in_len == sizeof(struct xsd_sockmsg) + c->in.msg.hdr.len) {
            handle(c);
            c->in_len = 0;
        } else if (!got) {
            break;
        }
        moved |= flush(c);
    }
    return moved | flush(c);
}

/* ---- what domain 0 calls --------------------------------------------------------------------------- */

static void on_kick(evtchn_port_t port) { (void)port; kicked = 1; }

int xsd_kicked(void) { return kicked; }

void xsd_poll(void)
{
    kicked = 0;
    for (int again = 1; again; ) {
        again = 0;
        for (unsigned i = 0; i < CONNECTIONS; i++)
            if (conns[i].used && serve(&conns[i])) {
                event_send(conns[i].port);
                again = 1;
            }
    }
}

void xsd_set(const char *path, const char *value)
{
    const char *error = set(path, value, strlen(value), 0);
    if (error)
        printf("store: cannot write %s: %s\n", path, error);
}

/* Connect a domain: map its ring (grant entry 1), bind its port, advertise it. */
int xsd_introduce(domid_t domid, evtchn_port_t remote_port, const char *name)
{
    unsigned i = 0;
    while (i < CONNECTIONS && conns[i].used)
        i++;
    if (connection_of(domid))
        return -1;
    if (i == CONNECTIONS) {
        printf("store: no room for domain %u (at most %u connections)\n", domid, CONNECTIONS);
        return -1;
    }
    struct connection *c = &conns[i];
    *c = (struct connection){ .domid = domid, .ring = (void *)ring_pages[i] };
    long rc = grant_map(domid, GNTTAB_RESERVED_XENSTORE, ring_pages[i], &c->handle);
    struct evtchn_bind_interdomain b = { .remote_dom = domid, .remote_port = remote_port };
    if (rc != GNTST_okay || HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b) < 0) {
        printf("store: cannot connect domain %u (%ld)\n", domid, rc);
        return -1;
    }
    c->port = b.local_port;
    c->used = 1;
    event_set_handler(c->port, on_kick);
    char path[NODE_PATH], id[8];
    format_snprintf(id, sizeof(id), "%u", domid);
    format_snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    xsd_set(path, name);
    format_snprintf(path, sizeof(path), "/local/domain/%u/domid", domid);
    xsd_set(path, id);
    kicked = 1;                                /* it may have written before we listened */
    return 0;
}

/* Disconnect a domain about to be destroyed, and forget its keys and watches. */
void xsd_release(domid_t domid)
{
    struct connection *c = connection_of(domid);
    char home[32];
    if (!c)
        return;
    grant_unmap(c->ring, c->handle);
    struct evtchn_close cl = { .port = c->port };
    HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
    c->used = 0;
    for (unsigned i = 0; i < WATCHES; i++)
        if (watches[i].domid == domid)
            watches[i].used = 0;
    format_snprintf(home, sizeof(home), "/local/domain/%u", domid);
    node_remove(home);
    fire(home, 1);
}

void xsd_init(void)
{
    xsd_set("/local/domain/0/name", "dom0");
    xsd_set("/tool/store", "hv store: read write mkdir rm directory watch unwatch get-domain-path");
}

/* The tree below a path, in path order (a few hundred nodes: choosing the next one each time is
 * simpler than keeping them sorted). */
void xsd_dump(const char *below)
{
    const struct node *last = NULL;
    for (;;) {
        const struct node *next = NULL;
        for (unsigned i = 0; i < NODES; i++) {
            const struct node *n = &nodes[i];
            if (n->used && at_or_below(n->path, below) && (!last || strcmp(n->path, last->path) > 0) &&
                (!next || strcmp(n->path, next->path) < 0))
                next = n;
        }
        if (!next)
            return;
        printf("  %s = \"%s\"\n", next->path, next->value);
        last = next;
    }
}
