/* storeattack.c - a hostile client of domain 0's store (guest ring 1, SDK). With mode=NAME it
 * attacks the store one way and checks xenstored's answer (docs/DOMAINS.md, "What the store
 * refuses"), printing "ok WHAT" or "FAIL WHAT" for each check, then powers off:
 *   req-index  request indexes half the index space apart, over a ring of well-formed requests
 *   rsp-index  reply indexes half the index space apart, then an ordinary request
 *   oversized  a message longer than XENSTORE_PAYLOAD_MAX
 *   entries    keys written until the entry quota (quota=N on the command line), and held
 *   watches    watches set until the watch quota (quota=N), and held
 *   long-path  paths one byte longer than the store keeps, and much longer
 *   long-value a value one byte longer than the store keeps
 */
#include "sdk.h"

#define PATH_MAX_BYTES  96      /* the store's node path, NUL included (docs/DOMAINS.md) */
#define VALUE_MAX_BYTES 128     /* the store's node value, NUL included */
#define HALF_THE_INDEXES 0x80000000u

static struct xenstore_domain_interface *ring;
static char home[32];           /* /local/domain/ID */
static unsigned quota;

static void check(int ok, const char *what) { printf("%s %s\n", ok ? "ok" : "FAIL", what); }

static void on_timer(evtchn_port_t port) { (void)port; }   /* waking us is all it does */

/* Wait, a second at most, for the store to say in our ring page why it gave up on us. */
static uint32_t store_error(void)
{
    uint64_t give_up = clock_ns() + 1000000000ull;
    while (ring->error == XENSTORE_ERROR_NONE && clock_ns() < give_up) {
        uint64_t next = clock_ns() + 1000000ull;
        timer_set(next);
        BLOCK_UNTIL(clock_ns() >= next);
    }
    return ring->error;
}

static int store_is_gone(void)
{
    char value[16];
    return store_read("domid", value, sizeof(value)) == -XEN_EIO;
}

/* 32 READs of 32 bytes fill the request ring exactly, so that a store reading round and round it
 * finds a well-formed request at every turn; then the producer index is set half the index space
 * past the consumer, as if four million turns of requests were waiting, and the reply ring made
 * to look bottomless the same way, so that a store trusting it never waits for room: the attack
 * of issue 14, which kept domain 0 serving it for good, even after it had powered off. */
static void req_index(void)
{
    char msg[32];
    struct xsd_sockmsg m = { .type = XS_READ, .req_id = 99, .len = 16 };
    memcpy(msg, &m, sizeof(m));
    memcpy(msg + sizeof(m), "/local/domain/0", 16);
    uint32_t cons = ring->req_cons, rsp_prod = ring->rsp_prod;
    for (uint32_t i = 0; i < XENSTORE_RING_SIZE; i++)
        ring->req[MASK_XENSTORE_IDX(cons + i)] = msg[i % sizeof(msg)];
    ring->rsp_cons = rsp_prod + HALF_THE_INDEXES;
    __sync_synchronize();
    ring->req_prod = cons + HALF_THE_INDEXES;
    printf("set req_prod to %#x over req_cons %#x\n", ring->req_prod, cons);
    event_send(start_info->store_evtchn);
    check(store_error() == XENSTORE_ERROR_RINGIDX,
          "corrupt request indexes: the store drops us (XENSTORE_ERROR_RINGIDX)");
    check(ring->rsp_prod == rsp_prod, "not one of the requests was answered");
    check(store_is_gone(), "the SDK then answers -EIO");
}

static void rsp_index(void)
{
    char value[16];
    ring->rsp_cons = ring->rsp_prod + HALF_THE_INDEXES;
    printf("set rsp_cons to %#x over rsp_prod %#x\n", ring->rsp_cons, ring->rsp_prod);
    check(store_read("domid", value, sizeof(value)) == -XEN_EIO,
          "our own reader refuses the corrupt reply ring: -EIO");
    check(store_error() == XENSTORE_ERROR_RINGIDX,
          "corrupt reply indexes: the store drops us (XENSTORE_ERROR_RINGIDX)");
}

static void oversized(void)
{
    struct byte_ring req = store_requests(ring);
    struct xsd_sockmsg m = { .type = XS_READ, .req_id = 98, .len = XENSTORE_PAYLOAD_MAX + 1 };
    byte_ring_put(&req, &m, sizeof(m));
    event_send(start_info->store_evtchn);
    check(store_error() == XENSTORE_ERROR_PROTO,
          "a message of XENSTORE_PAYLOAD_MAX + 1 bytes: the store drops us (XENSTORE_ERROR_PROTO)");
    check(store_is_gone(), "the SDK then answers -EIO");
}

/* flood, then flood/0, flood/1, ...: the first write creates two nodes, each next one. */
static void entries(void)
{
    char path[32], value[16];
    unsigned written = 0;
    long rc;
    for (;;) {
        format_snprintf(path, sizeof(path), "flood/%u", written);
        if ((rc = store_write(path, "x")) < 0)
            break;
        written++;
    }
    check(written == quota - 1 && rc == -XEN_ENOSPC,
          "flood and the keys below it up to the entry quota, then ENOSPC");
    check(store_write("flood/0", "again") == 0, "at the quota, a key we have is still ours to rewrite");
    check(store_rm("flood/0") == 0, "remove one key");
    check(store_write("deep/x", "x") == -XEN_ENOSPC, "a write that needs two nodes with one free: ENOSPC");
    check(store_read("deep", value, sizeof(value)) == -XEN_ENOENT, "and it created neither");
    check(store_write("flood/0", "x") == 0, "the free one is ours again: back at the quota");
    check(store_read("domid", value, sizeof(value)) > 0, "reading is no quota: domid still reads");
}

static void watches(void)
{
    char path[16];
    unsigned set = 0;
    long rc;
    check(store_watch("w0", "t") == 0, "watch w0");
    check(store_watch("w0", "t") == -XEN_EEXIST, "the same path and token again: EEXIST");
    for (set = 1;; set++) {
        format_snprintf(path, sizeof(path), "w%u", set);
        if ((rc = store_watch(path, "t")) < 0)
            break;
    }
    check(set == quota && rc == -XEN_E2BIG, "watches up to the watch quota, then E2BIG");
    check(store_write("w0", "x") == 0, "writing is no watch: a write still works");
}

/* A path of exactly len bytes below our home: home/tag then 'a's. */
static const char *path_of(char *buf, const char *tag, unsigned len)
{
    unsigned n = (unsigned)format_snprintf(buf, 256, "%s/%s", home, tag);
    while (n < len)
        buf[n++] = 'a';
    buf[n] = 0;
    return buf;
}

static void long_path(void)
{
    char longest[256], too_long[256], cut[256], value[16];
    path_of(longest, "p/", PATH_MAX_BYTES - 1);
    path_of(too_long, "q/", PATH_MAX_BYTES);
    path_of(cut, "q/", PATH_MAX_BYTES - 1);      /* what too_long would become, cut short */
    check(store_write(longest, "1") == 0, "a path of 95 bytes below our home: written");
    check(store_read(longest, value, sizeof(value)) == 1, "and read back");
    check(store_write(too_long, "1") == -XEN_EINVAL, "a path of 96 bytes: EINVAL");
    check(store_read(cut, value, sizeof(value)) == -XEN_ENOENT, "nothing written at its first 95 bytes");
    check(store_write(too_long + strlen(home) + 1, "1") == -XEN_EINVAL, "the same path, relative: EINVAL");
    check(store_read(too_long, value, sizeof(value)) == -XEN_EINVAL, "reading it: EINVAL, not ENOENT");
    check(store_watch(too_long, "t") == -XEN_EINVAL, "watching it: EINVAL");
    check(store_write(path_of(too_long, "r/", 200), "1") == -XEN_EINVAL, "a path of 200 bytes: EINVAL");
}

static void long_value(void)
{
    char longest[VALUE_MAX_BYTES + 1], value[VALUE_MAX_BYTES + 1];
    memset(longest, 'v', sizeof(longest));
    longest[VALUE_MAX_BYTES] = 0;
    check(store_write("v", longest) == -XEN_ENOSPC, "a value of 128 bytes: ENOSPC");
    check(store_read("v", value, sizeof(value)) == -XEN_ENOENT, "and no key was made for it");
    longest[VALUE_MAX_BYTES - 1] = 0;
    check(store_write("v", longest) == 0, "a value of 127 bytes: written");
    check(store_read("v", value, sizeof(value)) == VALUE_MAX_BYTES - 1, "and read back whole");
}

static const struct { const char *name; void (*attack)(void); } modes[] = {
    { "req-index", req_index }, { "rsp-index", rsp_index }, { "oversized", oversized },
    { "entries", entries }, { "watches", watches }, { "long-path", long_path },
    { "long-value", long_value },
};

int main(void)
{
    char mode[16] = "", arg[8] = "0", value[16];
    cmdline_option("mode", mode, sizeof(mode));
    cmdline_option("quota", arg, sizeof(arg));
    for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
        quota = quota * 10 + (unsigned)(*p - '0');
    traps_init();
    events_init();
    bind_virq(VIRQ_TIMER, on_timer);
    events_unmask();
    if (store_init() < 0)
        panic("no store ring");
    ring = mfn_to_virt((uint32_t)start_info->store_mfn);
    check(store_read("domid", value, sizeof(value)) > 0, "the store answers before the attack");
    format_snprintf(home, sizeof(home), "/local/domain/%s", value);
    for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (strcmp(mode, modes[i].name) == 0) {
            modes[i].attack();
            return 0;
        }
    panic("say mode=req-index|rsp-index|oversized|entries|watches|long-path|long-value");
}
