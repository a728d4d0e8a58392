/* xenstored.c - the store: a small tree of keys and values that domain 0 keeps for every domain,
 * reached over each domain's ring page and event channel in the xenstore wire protocol
 * (guest ring 1, domain 0). Where services and devices are advertised, as in Xen's design.
 *
 * A subset of Xen's xenstored: READ, WRITE, MKDIR, RM, DIRECTORY, WATCH, UNWATCH, GET_DOMAIN_PATH,
 * DEBUG, transactions (TRANSACTION_START and END, with xenstored's answer to a conflict:
 * EAGAIN) and per-node permissions (GET_PERMS, SET_PERMS), as xenstored keeps them: a node's list
 * names its owner, what every other domain may do, and what some may do instead. A new node gets
 * its parent's list, with its creator as owner. By default every domain may read every key and
 * write only at or below its own /local/domain/ID, which it owns (domain 0 anywhere). Everything a domain sends is checked: the ring's indexes on every access, lengths,
 * NULs, path characters; and what it may keep is bounded by per-domain quotas, as xenstored's.
 * The rules, and xenstored's that they follow, are in docs/DOMAINS.md.
 */
#include "sdk.h"
#include "xenstored.h"

#define NODE_PATH    96          /* bytes of a path, NUL included: a longer one is refused */
#define NODE_VALUE   128         /* bytes of a value, NUL included */
#define TOKEN_MAX    32
#define CONNECTIONS  32          /* domains connected at once */
#define OUT_SIZE     (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)
#define REQUESTS_PER_POLL 8      /* a domain that keeps its ring full waits its turn behind the shell */

/* Per-domain quotas, as xenstored keeps them (tools/xenstore/xenstored_core.c; its option and its
 * default in brackets), smaller, for a store of fixed tables. Domain 0 is exempt, as it is from
 * xenstored's; a domain at a quota alone gets the error, and the store says so once.
 * - QUOTA_ENTRIES: nodes a domain has created (--entry-nb, 1000): ENOSPC.
 * - QUOTA_WATCHES: watches a domain has set (--watch-nb, 128): E2BIG.
 * - a value's size (--entry-size, 2048 bytes: ENOSPC) and a path's length (XENSTORE_ABS_PATH_MAX,
 *   3072: EINVAL) are here the size of a node, NODE_VALUE and NODE_PATH, for every domain.
 * - a message's payload: XENSTORE_PAYLOAD_MAX, or the store stops serving the domain.
 * - transactions open at once (--transaction, 10): ENOSPC, as xenstored; and here TX_OPS writes
 *   and removals in one (its --transaction-nodes, 1024): ENOSPC. */
#define QUOTA_ENTRIES 32
#define QUOTA_WATCHES 16
#define QUOTA_TRANSACTIONS 10
#define TRANSACTIONS 16          /* open in all, every domain's together */
#define TX_OPS       16

/* The nodes are one pool: domain 0's share, then every connection's quota. A domU writes only
 * below its own home and its nodes are charged to its connection until domain 0 releases it, so
 * the domUs at their quotas hold at most CONNECTIONS * QUOTA_ENTRIES = 1024 nodes and domain 0
 * always has DOM0_NODES: 7 of its own at start, 3 for each domain it connects (96 for 32), 28
 * for each of blkback's 8 vbds (both directories, the nodes above them included: 224), and 185
 * for its shell's writes. Watches are each connection's own, QUOTA_WATCHES of them. */
#define DOM0_NODES   512
#define NODES        (DOM0_NODES + CONNECTIONS * QUOTA_ENTRIES)

/* A node's permissions (xenstored's): perms[0] names its owner, who may do everything, and what
 * any domain not listed may do; perms[1..] what the domains they name may do. */
#define PERMS_MAX 5              /* per node (xenstored's --perm-nb, 5): ENOSPC past it */
enum { PERM_NONE = 0, PERM_READ = 1, PERM_WRITE = 2, PERM_BOTH = 3 };
struct perm {
    uint8_t perm;
    domid_t id;
};

struct node {
    uint8_t used, nperms;
    domid_t owner;               /* who created it: whose quota it counts in */
    struct perm perms[PERMS_MAX];
    uint16_t value_len;
    char path[NODE_PATH];
    char value[NODE_VALUE];
};

/* A transaction: its writes and removals wait here, in order, until it ends. It commits only if
 * nothing changed in the store since it started (the store's generation is the same), as the
 * xenstored of Xen 4.2 decides: else EAGAIN, and the domain does it again. */
struct tx_op {
    uint8_t rm, mkdir;
    uint16_t value_len;
    char path[NODE_PATH];
    char value[NODE_VALUE];
};

struct transaction {
    uint8_t used;
    domid_t domid;
    uint32_t id, generation, nops;
    struct tx_op ops[TX_OPS];
};

struct watch {
    uint8_t used, relative;      /* relative: report paths relative to the domain's home */
    char path[NODE_PATH];
    char token[TOKEN_MAX];
};

enum { CONN_FREE, CONN_LIVE, CONN_DROPPED };   /* dropped: not served, its keys kept until released */
enum { TOLD_ENTRIES = 1, TOLD_WATCHES = 2 };   /* quotas a domain has been told of */

struct connection {
    uint8_t state, told;
    domid_t domid;
    evtchn_port_t port;
    grant_handle_t handle;
    struct xenstore_domain_interface *ring;
    struct byte_ring req, rsp;   /* the ring page's two directions, checked on every access */
    uint32_t entries;            /* nodes it has created, at most QUOTA_ENTRIES */
    struct watch watches[QUOTA_WATCHES];
    union {                      /* the request being received: header, then payload */
        struct { struct xsd_sockmsg hdr; char payload[XENSTORE_PAYLOAD_MAX + 1]; } msg;
        char bytes[1];
    } in;
    uint32_t in_len;
    char out[OUT_SIZE];          /* replies and watch events not yet in the ring */
    uint32_t out_len;
};

static struct node nodes[NODES];
static struct connection conns[CONNECTIONS];
static struct transaction txs[TRANSACTIONS];
static uint32_t generation;      /* counts the changes to the tree */
static uint32_t last_tx_id;
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

/* ---- connections ------------------------------------------------------------------------------- */

/* The connection of a domain the store knows (served or dropped), or NULL. */
static struct connection *connection_of(domid_t domid)
{
    for (unsigned i = 0; i < CONNECTIONS; i++)
        if (conns[i].state != CONN_FREE && conns[i].domid == domid)
            return &conns[i];
    return NULL;
}

/* A domain asked for more than its quota: the error for it, and one line on the console the first
 * time (a domain kept at its quota must not fill domain 0's console). */
static const char *over_quota(struct connection *c, unsigned told, unsigned quota, const char *what,
                              const char *error)
{
    if (!(c->told & told))
        printf("store: domain %u reached its quota of %u %s: %s\n", c->domid, quota, what, error);
    c->told |= told;
    return error;
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

/* Cut a path to its parent's ("/a/b" -> "/a", "/a" -> "/"). */
static void cut_to_parent(char *path)
{
    char *slash = last_slash(path);
    if (slash)
        *(slash == path ? slash + 1 : slash) = 0;
}

/* How many nodes writing path would create: it, and each missing node above it. */
static unsigned nodes_missing(const char *path)
{
    char p[NODE_PATH];
    unsigned missing = 0;
    strlcpy(p, path, sizeof(p));
    while (!node_find(p)) {
        missing++;
        if (strcmp(p, "/") == 0)
            break;
        cut_to_parent(p);
    }
    return missing;
}

static unsigned nodes_free(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < NODES; i++)
        n += !nodes[i].used;
    return n;
}

/* Create path and every node above it that is missing, charged to owner; its value is left as it
 * was. The caller has made sure there is room. */
static struct node *node_make(const char *path, domid_t owner)
{
    struct node *n = node_find(path);
    if (n)
        return n;
    char parent[NODE_PATH];
    strlcpy(parent, path, sizeof(parent));
    cut_to_parent(parent);
    if (strcmp(parent, path) != 0 && !node_make(parent, owner))
        return NULL;
    for (unsigned i = 0; i < NODES; i++)
        if (!nodes[i].used) {
            struct connection *c = owner ? connection_of(owner) : NULL;
            const struct node *p = strcmp(parent, path) != 0 ? node_find(parent) : NULL;
            nodes[i] = (struct node){ .used = 1, .owner = owner, .nperms = 1, .perms = { { PERM_READ, 0 } } };
            if (p) {                           /* the parent's list, its creator the owner */
                nodes[i].nperms = p->nperms;
                memcpy(nodes[i].perms, p->perms, sizeof(p->perms));
            }
            if (owner)
                nodes[i].perms[0].id = owner;
            strlcpy(nodes[i].path, path, sizeof(nodes[i].path));
            if (c)
                c->entries++;
            return &nodes[i];
        }
    return NULL;
}

static void node_remove(const char *path)
{
    for (unsigned i = 0; i < NODES; i++)
        if (nodes[i].used && at_or_below(nodes[i].path, path)) {
            struct connection *c = nodes[i].owner ? connection_of(nodes[i].owner) : NULL;
            nodes[i].used = 0;
            if (c)
                c->entries--;
        }
    generation++;
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

/* What domid may do with n (xenstored's perm_for_conn): domain 0 and the owner everything. */
static unsigned perm_of(domid_t domid, const struct node *n)
{
    if (domid == 0 || domid == n->perms[0].id)
        return PERM_BOTH;
    for (unsigned i = 1; i < n->nperms; i++)
        if (n->perms[i].id == domid)
            return n->perms[i].perm;
    return n->perms[0].perm;
}

/* The node at path, or the nearest one above it (whose list rules what may be made below). */
static const struct node *nearest(const char *path)
{
    char p[NODE_PATH];
    strlcpy(p, path, sizeof(p));
    for (;;) {
        const struct node *n = node_find(p);
        if (n || strcmp(p, "/") == 0)
            return n;
        cut_to_parent(p);
    }
}

static int may(domid_t domid, const char *path, unsigned perm)
{
    const struct node *n = nearest(path);
    return !n ? domid == 0 : (perm_of(domid, n) & perm) == perm;
}

/* ---- sending to a domain, and giving up on one ------------------------------------------------- */

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

/* Let go of a domain's ring and port. */
static void disconnect(struct connection *c)
{
    grant_unmap(c->ring, c->handle);
    struct evtchn_close cl = { .port = c->port };
    HYPERVISOR_event_channel_op(EVTCHNOP_close, &cl);
    c->ring = NULL;
    c->state = CONN_DROPPED;
    memset(c->watches, 0, sizeof(c->watches));
    c->in_len = c->out_len = 0;
}

/* Stop serving a domain that broke the protocol, for good, as xenstored ignores such a connection:
 * say why in its ring page (XENSTORE_ERROR_*, xenstore-ring.txt), kick it once so that it looks,
 * then let go of its ring, its port, its watches and its unfinished messages. Its keys stay,
 * charged to it, until domain 0 releases it; every other domain is served as before. */
static void drop(struct connection *c, uint32_t error)
{
    c->ring->error = error;
    __sync_synchronize();                     /* the error is there before the kick */
    event_send(c->port);
    disconnect(c);
}

static void drop_corrupt(struct connection *c, const char *which, const char *cons, const char *prod,
                         const struct byte_ring *r)
{
    printf("store: domain %u's %s ring is corrupt (%s %#x, %s %#x): not listening to it any more\n",
           c->domid, which, cons, r->seen_cons, prod, r->seen_prod);
    drop(c, XENSTORE_ERROR_RINGIDX);
}

/* Put what is queued into the reply ring, as much as fits: whether anything moved. */
static int flush(struct connection *c)
{
    long n = c->state == CONN_LIVE && c->out_len ? byte_ring_put(&c->rsp, c->out, c->out_len) : 0;
    if (n < 0) {
        drop_corrupt(c, "reply", "rsp_cons", "rsp_prod", &c->rsp);
        return 0;
    }
    memmove(c->out, c->out + n, c->out_len - (uint32_t)n);
    c->out_len -= (uint32_t)n;
    return n > 0;
}

static void fire_one(struct connection *c, const struct watch *w, const char *path)
{
    char home[32];
    format_snprintf(home, sizeof(home), "/local/domain/%u/", c->domid);
    if (w->relative && strncmp(path, home, strlen(home)) == 0)
        path += strlen(home);
    if (queue(c, XS_WATCH_EVENT, 0, path, strlen(path) + 1, w->token, strlen(w->token) + 1) < 0)
        printf("store: watch event for domain %u dropped: its ring is full\n", c->domid);
}

/* Tell every watcher of path, or of a node above it; a removal also reaches the watchers below. */
static void fire(const char *path, int removed)
{
    for (unsigned i = 0; i < CONNECTIONS; i++)
        for (unsigned j = 0; conns[i].state == CONN_LIVE && may(conns[i].domid, path, PERM_READ) &&
                             j < QUOTA_WATCHES; j++) {
            const struct watch *w = &conns[i].watches[j];
            if (w->used && (at_or_below(path, w->path) || (removed && at_or_below(w->path, path))))
                fire_one(&conns[i], w, path);
        }
}

/* ---- requests ------------------------------------------------------------------------------------ */

struct request {
    struct connection *c;
    struct transaction *tx;      /* the transaction the request is in, or NULL */
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

/* The absolute path a domain means: relative paths are below its home, /local/domain/ID. A path
 * that does not fit in a node is refused whole, never cut short and then checked. */
static int resolve(domid_t domid, const char *raw, char *path)
{
    int n = raw[0] == '/' ? format_snprintf(path, NODE_PATH, "%s", raw)
                          : format_snprintf(path, NODE_PATH, "/local/domain/%u/%s", domid, raw);
    return n < NODE_PATH && valid_path(path) ? 0 : -1;
}

static int may_write(domid_t domid, const char *path)
{
    return may(domid, path, PERM_WRITE);
}

/* What a transaction says of path: its last write of it, or that it removed it (or a node above
 * it) since; NULL when it has not touched it. */
static const struct tx_op *tx_touched(const struct transaction *tx, const char *path)
{
    for (uint32_t i = tx ? tx->nops : 0; i-- > 0; ) {
        const struct tx_op *op = &tx->ops[i];
        if (op->rm ? at_or_below(path, op->path) : strcmp(op->path, path) == 0)
            return op;
    }
    return NULL;
}

static const char *op_read(struct request *r, const char *path)
{
    if (!may(r->c->domid, path, PERM_READ))
        return "EACCES";
    const struct tx_op *op = tx_touched(r->tx, path);
    if (op && op->rm)
        return "ENOENT";
    if (op) {
        queue(r->c, XS_READ, r->hdr->req_id, op->value, op->value_len, NULL, 0);
        return NULL;
    }
    struct node *n = node_find(path);
    if (!n)
        return "ENOENT";
    queue(r->c, XS_READ, r->hdr->req_id, n->value, n->value_len, NULL, 0);
    return NULL;
}

/* A write or removal inside a transaction: checked now, done at its end. */
static const char *tx_add(struct transaction *tx, int rm, int mkdir, const char *path, const char *value, uint32_t len)
{
    if (len >= NODE_VALUE)
        return "ENOSPC";
    if (tx->nops == TX_OPS)
        return "ENOSPC";
    struct tx_op *op = &tx->ops[tx->nops++];
    *op = (struct tx_op){ .rm = (uint8_t)rm, .mkdir = (uint8_t)mkdir, .value_len = (uint16_t)len };
    strlcpy(op->path, path, sizeof(op->path));
    memcpy(op->value, value, len);
    return NULL;
}

static const char *op_directory(struct request *r, const char *path)
{
    static char names[XENSTORE_PAYLOAD_MAX];
    uint32_t len = 0;
    if (!node_find(path))
        return "ENOENT";
    if (!may(r->c->domid, path, PERM_READ))
        return "EACCES";
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

/* Whether writer may create what writing path needs: within its quota (domain 0 has none), and
 * within the pool (which only domain 0's own writes can fill). */
static const char *room_for(domid_t writer, const char *path)
{
    unsigned missing = nodes_missing(path);
    struct connection *c = writer ? connection_of(writer) : NULL;
    if (c && c->entries + missing > QUOTA_ENTRIES)
        return over_quota(c, TOLD_ENTRIES, QUOTA_ENTRIES, "entries", "ENOSPC");
    return missing > nodes_free() ? "ENOSPC" : NULL;
}

static const char *set(domid_t writer, const char *path, const char *value, uint32_t len, int keep_value)
{
    if (len >= NODE_VALUE)
        return "ENOSPC";                       /* xenstored's answer for a node over --entry-size */
    const char *full = room_for(writer, path);
    if (full)
        return full;
    struct node *n = node_make(path, writer);
    generation++;
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
    if (r->tx)
        return tx_add(r->tx, 0, r->hdr->type == XS_MKDIR, path, r->rest, r->rest_len);
    return set(r->c->domid, path, r->rest, r->rest_len, r->hdr->type == XS_MKDIR);
}

static const char *op_rm(struct request *r, const char *path)
{
    if (!may_write(r->c->domid, path) || strcmp(path, "/") == 0)
        return "EACCES";
    const struct tx_op *op = tx_touched(r->tx, path);
    if ((op && op->rm) || (!op && !node_find(path)))
        return "ENOENT";
    if (r->tx)
        return tx_add(r->tx, 1, 0, path, "", 0);
    node_remove(path);
    fire(path, 1);
    return NULL;
}

static const char *op_watch(struct request *r, const char *path)
{
    struct connection *c = r->c;
    struct watch *w = NULL;
    if (r->nargs < 2 || strlen(r->arg[1]) >= TOKEN_MAX)
        return "EINVAL";
    for (unsigned i = 0; i < QUOTA_WATCHES; i++) {
        struct watch *old = &c->watches[i];
        if (old->used && strcmp(old->path, path) == 0 && strcmp(old->token, r->arg[1]) == 0)
            return "EEXIST";                   /* the same path and token twice, as xenstored says */
        if (!old->used && !w)
            w = old;
    }
    if (!w)
        return over_quota(c, TOLD_WATCHES, QUOTA_WATCHES, "watches", "E2BIG");
    *w = (struct watch){ .used = 1, .relative = r->arg[0][0] != '/' };
    strlcpy(w->path, path, sizeof(w->path));
    strlcpy(w->token, r->arg[1], sizeof(w->token));
    queue(c, XS_WATCH, r->hdr->req_id, "OK", 3, NULL, 0);
    fire_one(c, w, path);                      /* Xen's store fires a new watch once, at once */
    return NULL;
}

static const char *op_unwatch(struct request *r, const char *path)
{
    if (r->nargs < 2)
        return "EINVAL";
    for (unsigned i = 0; i < QUOTA_WATCHES; i++) {
        struct watch *w = &r->c->watches[i];
        if (w->used && strcmp(w->path, path) == 0 && strcmp(w->token, r->arg[1]) == 0) {
            w->used = 0;
            return NULL;
        }
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

/* ---- permissions ------------------------------------------------------------------------------ */

static const char perm_letters[] = "nrwb";   /* PERM_NONE, _READ, _WRITE, _BOTH */

/* GET_PERMS: the node's list, each "<letter><domid>" NUL-ended. */
static const char *op_get_perms(struct request *r, const char *path)
{
    const struct node *n = node_find(path);
    char out[PERMS_MAX * 8];
    uint32_t len = 0;
    if (!n)
        return "ENOENT";
    if (!may(r->c->domid, path, PERM_READ))
        return "EACCES";
    for (unsigned i = 0; i < n->nperms; i++)
        len += (uint32_t)format_snprintf(out + len, sizeof(out) - len, "%c%u", perm_letters[n->perms[i].perm],
                                         n->perms[i].id) + 1;
    queue(r->c, XS_GET_PERMS, r->hdr->req_id, out, len, NULL, 0);
    return NULL;
}

/* One "<letter><domid>" of a SET_PERMS list, or -1. */
static int parse_perm(const char *s, struct perm *p)
{
    unsigned id = 0;
    const char *letter = s[0] ? strstr(perm_letters, (char[2]){ s[0], 0 }) : NULL;
    if (!letter || !s[1] || strlen(s) > 6)
        return -1;
    for (const char *d = s + 1; *d; d++) {
        if (*d < '0' || *d > '9')
            return -1;
        id = id * 10 + (unsigned)(*d - '0');
    }
    if (id > 0xFFFF)
        return -1;
    *p = (struct perm){ (uint8_t)(letter - perm_letters), (domid_t)id };
    return 0;
}

/* SET_PERMS path list: the node's new list, for its owner or domain 0 (EACCES otherwise); only
 * domain 0 may give a node another owner (EPERM), as xenstored rules. Not held by a transaction. */
static const char *op_set_perms(struct request *r, const char *path)
{
    struct node *n = node_find(path);
    struct perm perms[PERMS_MAX];
    unsigned count = 0;
    if (!n)
        return "ENOENT";
    if (r->c->domid != 0 && r->c->domid != n->perms[0].id)
        return "EACCES";
    for (uint32_t at = 0; at < r->rest_len; count++) {
        const char *s = r->rest + at;
        uint32_t len = (uint32_t)strnlen(s, r->rest_len - at);
        if (len == r->rest_len - at || count == PERMS_MAX)
            return len == r->rest_len - at ? "EINVAL" : "ENOSPC";
        if (parse_perm(s, &perms[count]) < 0)
            return "EINVAL";
        at += len + 1;
    }
    if (!count)
        return "EINVAL";
    if (r->c->domid != 0 && perms[0].id != n->perms[0].id)
        return "EPERM";
    memcpy(n->perms, perms, count * sizeof(perms[0]));
    n->nperms = (uint8_t)count;
    generation++;
    return NULL;
}

/* ---- transactions ---------------------------------------------------------------------------- */

static struct transaction *tx_find(domid_t domid, uint32_t id)
{
    for (unsigned i = 0; i < TRANSACTIONS; i++)
        if (txs[i].used && txs[i].domid == domid && txs[i].id == id)
            return &txs[i];
    return NULL;
}

static const char *op_transaction_start(struct request *r, const char *path)
{
    (void)path;
    struct transaction *free_tx = NULL;
    unsigned open = 0;
    if (r->hdr->tx_id)
        return "EBUSY";                        /* xenstored: not inside another */
    for (unsigned i = 0; i < TRANSACTIONS; i++) {
        open += txs[i].used && txs[i].domid == r->c->domid;
        if (!txs[i].used && !free_tx)
            free_tx = &txs[i];
    }
    if (open >= QUOTA_TRANSACTIONS || !free_tx)
        return "ENOSPC";
    *free_tx = (struct transaction){ .used = 1, .domid = r->c->domid, .id = ++last_tx_id, .generation = generation };
    char id[12];
    int n = format_snprintf(id, sizeof(id), "%u", free_tx->id);
    queue(r->c, XS_TRANSACTION_START, r->hdr->req_id, id, (uint32_t)n + 1, NULL, 0);
    return NULL;
}

/* Whether committing tx finds room: the nodes its writes may create (counted as if none shared a
 * parent), within the domain's quota and the pool. */
static const char *tx_room(const struct transaction *tx)
{
    unsigned missing = 0;
    for (uint32_t i = 0; i < tx->nops; i++)
        if (!tx->ops[i].rm)
            missing += nodes_missing(tx->ops[i].path);
    struct connection *c = tx->domid ? connection_of(tx->domid) : NULL;
    if (c && c->entries + missing > QUOTA_ENTRIES)
        return over_quota(c, TOLD_ENTRIES, QUOTA_ENTRIES, "entries", "ENOSPC");
    return missing > nodes_free() ? "ENOSPC" : NULL;
}

/* TRANSACTION_END "T" commits, "F" abandons; either way the transaction is gone. A commit after
 * any change to the store since the start is refused with EAGAIN: nothing of it is done. */
static const char *op_transaction_end(struct request *r, const char *path)
{
    (void)path;
    struct transaction *tx = tx_find(r->c->domid, r->hdr->tx_id);
    int commit = strcmp(r->arg[0], "T") == 0;
    if (!tx)
        return "ENOENT";
    if (!commit && strcmp(r->arg[0], "F") != 0)
        return "EINVAL";
    const char *error = !commit ? NULL : tx->generation != generation ? "EAGAIN" : tx_room(tx);
    for (uint32_t i = 0; commit && !error && i < tx->nops; i++) {
        const struct tx_op *op = &tx->ops[i];
        if (op->rm && node_find(op->path)) {
            node_remove(op->path);
            fire(op->path, 1);
        } else if (!op->rm) {
            set(tx->domid, op->path, op->value, op->value_len, op->mkdir);
        }
    }
    tx->used = 0;
    return error;
}

/* XS_DEBUG: domain 0's ("print" writes its string on the console); any other domain's: EACCES,
 * as xenstored answers the unprivileged. */
static const char *op_debug(struct request *r, const char *path)
{
    (void)path;
    if (r->c->domid != 0)
        return "EACCES";
    if (strcmp(r->arg[0], "print") == 0 && r->nargs == 2)
        printf("store: debug: %s\n", r->arg[1]);
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
    [XS_TRANSACTION_START] = { op_transaction_start, 0, 0 },
    [XS_TRANSACTION_END] = { op_transaction_end, 0, 1 },
    [XS_DEBUG] = { op_debug, 0, 1 },
    [XS_GET_PERMS] = { op_get_perms, 1, 0 },
    [XS_SET_PERMS] = { op_set_perms, 1, 1 },
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
        if (r->hdr->type == XS_WRITE || r->hdr->type == XS_SET_PERMS)
            break;                                 /* the rest is a value, or a list */
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
    int in_tx = r.hdr->tx_id && type != XS_TRANSACTION_START && type != XS_TRANSACTION_END;
    if (in_tx && !(r.tx = tx_find(c->domid, r.hdr->tx_id)))
        error = "ENOENT";                          /* a transaction it does not have */
    else if (type < sizeof(ops) / sizeof(ops[0]) && ops[type].handler) {
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

/* The bytes still missing from the message being received: its header, then its payload. */
static uint32_t still_needed(const struct connection *c)
{
    const uint32_t header = sizeof(struct xsd_sockmsg);
    return c->in_len < header ? header - c->in_len : header + c->in.msg.hdr.len - c->in_len;
}

/* Take what the domain has written; handle each request once it is whole and the last reply has
 * gone out (so that a reply always has room), at most REQUESTS_PER_POLL of them a call. Returns
 * whether bytes moved. */
static int serve(struct connection *c)
{
    const uint32_t header = sizeof(struct xsd_sockmsg);
    int moved = 0;
    for (unsigned handled = 0; c->state == CONN_LIVE && c->out_len == 0 && handled < REQUESTS_PER_POLL; ) {
        uint32_t need = still_needed(c);
        long got = need ? byte_ring_get(&c->req, c->in.bytes + c->in_len, need) : 0;
        if (got < 0) {
            drop_corrupt(c, "request", "req_cons", "req_prod", &c->req);
            return moved;
        }
        c->in_len += (uint32_t)got;
        moved |= got > 0;
        if (c->in_len == header && c->in.msg.hdr.len > XENSTORE_PAYLOAD_MAX) {
            printf("store: domain %u sent a message of %u bytes: not listening to it any more\n",
                   c->domid, c->in.msg.hdr.len);
            drop(c, XENSTORE_ERROR_PROTO);
        } else if (c->in_len >= header && c->in_len == header + c->in.msg.hdr.len) {
            handle(c);
            c->in_len = 0;
            handled++;
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

/* One pass over the domains; whoever moved is kicked, and the caller told to poll again (there
 * may be more in its ring, or watch events queued for a domain served earlier in the pass). */
void xsd_poll(void)
{
    kicked = 0;
    for (unsigned i = 0; i < CONNECTIONS; i++)
        if (conns[i].state == CONN_LIVE && serve(&conns[i]) && conns[i].state == CONN_LIVE) {
            event_send(conns[i].port);
            kicked = 1;
        }
}

int xsd_get(const char *path, char *value, size_t size)
{
    const struct node *n = node_find(path);
    if (!n)
        return -1;
    strlcpy(value, n->value, size);
    return n->value_len;
}

void xsd_rm(const char *path)
{
    if (node_find(path)) {
        node_remove(path);
        fire(path, 1);
    }
}

uint32_t xsd_generation(void) { return generation; }

int xsd_set(const char *path, const char *value)
{
    const char *error = valid_path(path) ? set(0, path, value, strlen(value), 0) : "EINVAL";
    if (error)
        printf("store: cannot write %s: %s\n", path, error);
    return error ? -1 : 0;
}

/* Connect a domain: map its ring (grant entry 1), bind its port, advertise it. */
/* A domain owns its home and what domain 0 wrote there for it; every domain may read them. */
static void home_owned_by(domid_t domid)
{
    char home[32];
    format_snprintf(home, sizeof(home), "/local/domain/%u", domid);
    for (unsigned i = 0; i < NODES; i++)
        if (nodes[i].used && at_or_below(nodes[i].path, home))
            nodes[i].perms[0] = (struct perm){ PERM_READ, domid };
}

int xsd_introduce(domid_t domid, evtchn_port_t remote_port, const char *name)
{
    unsigned i = 0;
    while (i < CONNECTIONS && conns[i].state != CONN_FREE)
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
        if (rc == GNTST_okay)
            grant_unmap(c->ring, c->handle);
        return -1;
    }
    c->port = b.local_port;
    c->req = store_requests(c->ring);
    c->rsp = store_replies(c->ring);
    c->ring->server_features |= XENSTORE_SERVER_FEATURE_ERROR;
    c->state = CONN_LIVE;
    event_set_handler(c->port, on_kick);
    char path[NODE_PATH], id[8];
    format_snprintf(id, sizeof(id), "%u", domid);
    format_snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    xsd_set(path, name);
    format_snprintf(path, sizeof(path), "/local/domain/%u/domid", domid);
    xsd_set(path, id);
    home_owned_by(domid);
    kicked = 1;                                /* it may have written before we listened */
    return 0;
}

/* Forget a domain about to be destroyed: its ring and port if still held, its watches, its keys
 * (as Xen's toolstack removes /local/domain/ID), and what it created anywhere else, which becomes
 * domain 0's (as xenstored gives a dead domain's nodes to domain 0). */
void xsd_release(domid_t domid)
{
    struct connection *c = connection_of(domid);
    char home[32];
    if (!c)
        return;
    if (c->state == CONN_LIVE)
        disconnect(c);
    format_snprintf(home, sizeof(home), "/local/domain/%u", domid);
    node_remove(home);
    fire(home, 1);
    for (unsigned i = 0; i < NODES; i++)
        if (nodes[i].used && nodes[i].owner == domid)
            nodes[i].owner = 0;
    for (unsigned i = 0; i < TRANSACTIONS; i++)
        if (txs[i].domid == domid)
            txs[i].used = 0;                   /* its open transactions end with it */
    c->state = CONN_FREE;
}

void xsd_init(void)
{
    xsd_set("/local/domain/0/name", "dom0");
    xsd_set("/tool/store", "hv store: read write mkdir rm directory watch unwatch get-domain-path "
                          "transactions get-perms set-perms debug");
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
