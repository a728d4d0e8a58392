/* blkattack.c - a hostile block frontend (guest ring 1, SDK): it connects to domain 0's blkback as
 * blkfront does, then puts requests on the ring no frontend should: a grant that is not one, a
 * segment past its page, sectors past the disk, too many segments, an operation that does not
 * exist; each must come back an error, and a good request after them must still work, as must a
 * write barrier, with data and without. Last it
 * moves the ring's producer index far past what the ring holds: the backend must disconnect it.
 * With `stubborn` on its command line it connects and then ignores block-detach's Closing, as a
 * frontend that hangs would: domain 0 must remove the vbd anyway, after its timeout, and the
 * frontend's next request is answered by nobody. Other modes, each a test of its own:
 *   flood    keeps the ring full of good requests for ever: domain 0 must still answer its shell
 *   text     writes a state that is no number: the backend ignores it, the vbd stays
 *   reopen   closes its end and opens it again, as a kernel taking over a disk does
 *   grants   ends a grant twice: the second is refused, and no reference is handed out twice
 *   vanish   fills the ring with writes and crashes at once, its requests still outstanding
 */
#include "sdk.h"

static int failures;
static struct blkfront bf;

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

/* Put req on the ring as it is, tell the backend, wait for the response: its status. */
static int16_t raw_request(const struct blkif_request *req)
{
    bf.ring->ring[bf.req_prod % BLKIF_RING_SIZE].req = *req;
    __atomic_store_n(&bf.ring->req_prod, ++bf.req_prod, __ATOMIC_RELEASE);
    event_send(bf.port);
    evtchn_port_t ports[1] = { bf.port };
    while (__atomic_load_n(&bf.ring->rsp_prod, __ATOMIC_ACQUIRE) == bf.rsp_cons) {
        struct sched_poll p = { .ports = ports, .nr_ports = 1, .timeout = clock_ns() + 2000000000ull };
        if (HYPERVISOR_sched_op(SCHEDOP_poll, &p) == 0 && clock_ns() > p.timeout)
            return 99;                         /* no answer */
        __atomic_fetch_and((uint32_t *)&shared_info->evtchn_pending[bf.port / 32], ~(1u << (bf.port % 32)),
                           __ATOMIC_SEQ_CST);
    }
    return bf.ring->ring[bf.rsp_cons++ % BLKIF_RING_SIZE].rsp.status;
}

static struct blkif_request read_of(uint64_t sector, grant_ref_t gref, uint8_t first, uint8_t last)
{
    struct blkif_request r = { .operation = BLKIF_OP_READ, .nr_segments = 1, .id = 7, .sector_number = sector };
    r.seg[0] = (struct blkif_request_segment){ .gref = gref, .first_sect = first, .last_sect = last };
    return r;
}

static void on_timer(evtchn_port_t port) { (void)port; }

static int stubborn(void)
{
    char path[96], state[8];
    format_snprintf(path, sizeof(path), "%s/state", bf.backend);
    bind_virq(VIRQ_TIMER, on_timer);           /* sleep_until wakes on it */
    while (!(store_read(path, state, sizeof(state)) > 0 && strcmp(state, "5") == 0))
        sleep_until(clock_ns() + 100000000ull);
    check(1, "the backend asks us to close (state 5): we do not");
    while (store_read(path, state, sizeof(state)) > 0)
        sleep_until(clock_ns() + 100000000ull);
    check(1, "the backend's directory has gone all the same");
    struct blkif_request r = read_of(0, bf.data_ref, 0, 0);
    check(raw_request(&r) == 99, "a request after that: nobody answers it");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}

/* 32 good 11-segment reads on the ring each time there is room, until the domain is destroyed. */
static __attribute__((noreturn)) int flood(void)
{
    check(1, "flooding the ring with good requests");
    for (;;) {
        RING_IDX done = __atomic_load_n(&bf.ring->rsp_prod, __ATOMIC_ACQUIRE);
        for (RING_IDX i = bf.req_prod; i < done + BLKIF_RING_SIZE; i++) {
            struct blkif_request r = read_of(0, bf.data_ref, 0, 7);
            r.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST;
            for (unsigned k = 1; k < r.nr_segments; k++)
                r.seg[k] = r.seg[0];
            bf.ring->ring[i % BLKIF_RING_SIZE].req = r;
        }
        bf.req_prod = done + BLKIF_RING_SIZE;
        __atomic_store_n(&bf.ring->req_prod, bf.req_prod, __ATOMIC_RELEASE);
        event_send(bf.port);
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    }
}

static int text_state(void)
{
    char path[96], state[8];
    check(store_write("device/vbd/51712/state", "connected") == 0, "our state written as text: \"connected\"");
    format_snprintf(path, sizeof(path), "%s/state", bf.backend);
    for (int i = 0; i < 50; i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(store_read(path, state, sizeof(state)) > 0 && strcmp(state, "4") == 0,
          "the backend ignores it: still there, still Connected");
    static char sector[BLKIF_SECTOR_SIZE];
    check(blkfront_read(&bf, 0, 1, sector) == 0, "and still serves us");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}

static int reopen(void)
{
    static char sector[BLKIF_SECTOR_SIZE];
    check(blkfront_close(&bf) == 0, "closed our end (the backend says Closed)");
    check(blkfront_open(&bf, XVD_MAJOR << 8) == 0, "opened it again: Initialising, and the backend waits once more");
    check(blkfront_read(&bf, 0, 1, sector) == 0 && strcmp(sector, "still here") == 0, "and reads the disk");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}

static int grants_twice(void)
{
    uint8_t *p1 = page_alloc(), *p2 = page_alloc(), *p3 = page_alloc();
    long g = grant_access(0, p1, 0);
    check(g > 0 && grant_end((grant_ref_t)g) == 0, "a grant offered, then ended");
    check(grant_end((grant_ref_t)g) == -XEN_EINVAL, "ending it again: EINVAL");
    long a = grant_access(0, p2, 0), b = grant_access(0, p3, 0);
    check(a > 0 && b > 0 && a != b, "the next two offers get two references");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}

/* A ring's worth of 11-segment writes of the data page, published, and the domain gone before
 * the backend can have served them. */
static __attribute__((noreturn)) int vanish(void)
{
    for (unsigned i = 0; i < BLKIF_RING_SIZE; i++) {
        struct blkif_request r = read_of(0, bf.data_ref, 0, 7);
        r.operation = BLKIF_OP_WRITE;
        r.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST;
        for (unsigned k = 1; k < r.nr_segments; k++)
            r.seg[k] = r.seg[0];
        bf.ring->ring[(bf.req_prod + i) % BLKIF_RING_SIZE].req = r;
    }
    bf.req_prod += BLKIF_RING_SIZE;
    __atomic_store_n(&bf.ring->req_prod, bf.req_prod, __ATOMIC_RELEASE);
    check(1, "a ring full of writes published: crashing now");
    event_send(bf.port);
    shutdown(SHUTDOWN_crash);
}

int main(void)
{
    static char sector[BLKIF_SECTOR_SIZE], word[4];
    traps_init();
    events_init();
    events_unmask();
    check(store_init() == 0 && blkfront_open(&bf, XVD_MAJOR << 8) == 0, "connected to the backend as blkfront is");
    if (cmdline_option("stubborn", word, sizeof(word)))
        return stubborn();
    if (cmdline_option("flood", word, sizeof(word)))
        return flood();
    if (cmdline_option("text", word, sizeof(word)))
        return text_state();
    if (cmdline_option("reopen", word, sizeof(word)))
        return reopen();
    if (cmdline_option("grants", word, sizeof(word)))
        return grants_twice();
    if (cmdline_option("vanish", word, sizeof(word)))
        return vanish();
    struct blkif_request r = read_of(0, 9999, 0, 0);
    check(raw_request(&r) == BLKIF_RSP_ERROR, "a read into grant 9999, which is none: an error response");
    r = read_of(0, bf.data_ref, 3, 2);
    check(raw_request(&r) == BLKIF_RSP_ERROR, "a segment whose first sector is after its last: an error");
    r = read_of(0, bf.data_ref, 0, 8);
    check(raw_request(&r) == BLKIF_RSP_ERROR, "a segment past its page (sector 8 of 0-7): an error");
    r = read_of(bf.sectors - 1, bf.data_ref, 0, 1);
    check(raw_request(&r) == BLKIF_RSP_ERROR, "two sectors from the disk's last: an error");
    r = read_of(0, bf.data_ref, 0, 0);
    r.nr_segments = 12;
    check(raw_request(&r) == BLKIF_RSP_ERROR, "12 segments (11 at most): an error");
    r.nr_segments = 1;
    r.operation = 9;
    check(raw_request(&r) == BLKIF_RSP_EOPNOTSUPP, "operation 9: EOPNOTSUPP");
    check(blkfront_read(&bf, 0, 1, sector) == 0, "after all that, a good read still works");
    memset(bf.data, 0, BLKIF_SECTOR_SIZE);
    strlcpy((char *)bf.data, "behind a barrier", BLKIF_SECTOR_SIZE);
    r = read_of(1, bf.data_ref, 0, 0);
    r.operation = BLKIF_OP_WRITE_BARRIER;
    check(raw_request(&r) == BLKIF_RSP_OKAY && blkfront_read(&bf, 1, 1, sector) == 0 &&
          strcmp(sector, "behind a barrier") == 0, "a WRITE_BARRIER of sector 1: done, and it reads back");
    r.nr_segments = 0;
    check(raw_request(&r) == BLKIF_RSP_OKAY, "an empty WRITE_BARRIER: done (a flush)");
    bf.req_prod += 1000;                       /* more requests than the ring holds */
    __atomic_store_n(&bf.ring->req_prod, bf.req_prod, __ATOMIC_RELEASE);
    event_send(bf.port);
    char path[96], state[8];
    format_snprintf(path, sizeof(path), "%s/state", bf.backend);
    for (int i = 0; i < 200 && !(store_read(path, state, sizeof(state)) > 0 && strcmp(state, "6") == 0); i++)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    check(strcmp(state, "6") == 0, "a producer index 1000 past the ring's: the backend closes (state 6)");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
