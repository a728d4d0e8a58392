/* fifo.c - a guest that switches its event channels to the FIFO ABI and checks the queues the
 * monitor builds in its pages: events linked in the order they came, per priority, a consumed
 * tail starting a new queue, masking, and Xen's refusals (guest ring 1, SDK). Runs as domain 0
 * with events masked throughout: it reads the queues itself instead of taking upcalls. Boot it
 * with vcpus=2: vCPU 1 (never brought up) gets a control block of its own, and its queues.
 */
#include "sdk.h"

static int failures;
static volatile struct evtchn_fifo_control_block *control;
static volatile event_word_t *words;

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

#define PENDING (1u << EVTCHN_FIFO_PENDING)
#define MASKED  (1u << EVTCHN_FIFO_MASKED)
#define LINKED  (1u << EVTCHN_FIFO_LINKED)

static long evtchn(int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static evtchn_port_t new_ipi(void)
{
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    evtchn(EVTCHNOP_bind_ipi, &b);
    return b.port;
}

static long set_priority(evtchn_port_t port, uint32_t priority)
{
    struct evtchn_set_priority p = { .port = port, .priority = priority };
    return evtchn(EVTCHNOP_set_priority, &p);
}

/* Take the first event of queue q as a guest does: unlink it, move the head on, clear READY when
 * the queue is empty. Returns its port, or 0 for an empty queue. */
static evtchn_port_t take(unsigned q)
{
    evtchn_port_t port = control->head[q];
    if (!port)
        return 0;
    event_word_t w = words[port];
    words[port] = w & ~(LINKED | PENDING | EVTCHN_FIFO_LINK_MASK);
    control->head[q] = w & EVTCHN_FIFO_LINK_MASK;
    if (!control->head[q])
        control->ready &= ~(1u << q);
    return port;
}

static long init_control(uint64_t gfn, uint32_t offset, uint32_t vcpu, uint8_t *link_bits)
{
    struct evtchn_init_control c = { .control_gfn = gfn, .offset = offset, .vcpu = vcpu };
    long rc = evtchn(EVTCHNOP_init_control, &c);
    if (link_bits)
        *link_bits = c.link_bits;
    return rc;
}

static long expand(uint64_t gfn)
{
    struct evtchn_expand_array e = { .array_gfn = gfn };
    return evtchn(EVTCHNOP_expand_array, &e);
}

static void before_fifo(evtchn_port_t early)
{
    check(set_priority(early, 3) == -XEN_ENOSYS, "set_priority with the 2-level ABI: -ENOSYS");
    check(expand(virt_to_mfn(page_alloc())) == -XEN_EOPNOTSUPP, "expand_array before init_control: -EOPNOTSUPP");
    event_send(early);
    check((shared_info->evtchn_pending[early / 32] >> (early % 32)) & 1, "an event before the switch: a 2-level bit");
    uint8_t *page = page_alloc();
    check(init_control(virt_to_mfn(page), 0, 5, NULL) == -XEN_ENOENT, "init_control for vCPU 5: -ENOENT");
    check(init_control(virt_to_mfn(page), 4, 0, NULL) == -XEN_EINVAL, "a control block at offset 4: -EINVAL (8-byte aligned)");
    check(init_control(virt_to_mfn(page), 4060, 0, NULL) == -XEN_EINVAL, "at offset 4060: -EINVAL (past the page)");
    check(init_control((uint64_t)-2, 0, 0, NULL) == -XEN_EINVAL, "in frame 2^64-2: -EINVAL (XSA-188's)");
    check(init_control(start_info->shared_info >> PAGE_SHIFT, 0, 0, NULL) == -XEN_EINVAL, "in shared_info: -EINVAL");
    uint8_t link_bits = 0;
    check(init_control(virt_to_mfn(page), 64, 0, &link_bits) == 0 && link_bits == EVTCHN_FIFO_LINK_BITS,
          "init_control for vCPU 0: the FIFO ABI, 17 link bits");
    check(init_control(virt_to_mfn(page), 64, 0, NULL) == -XEN_EINVAL, "a second time: -EINVAL");
    control = (volatile struct evtchn_fifo_control_block *)(page + 64);
}

static void queues(evtchn_port_t early)
{
    uint8_t *array = page_alloc();
    words = (volatile event_word_t *)array;
    for (unsigned i = 0; i < PAGE_SIZE / sizeof(event_word_t); i++)
        words[i] = MASKED;                     /* every port masked to start, as Linux does */
    check(expand(virt_to_mfn(array)) == 0, "expand_array: the event words");
    check(expand(virt_to_mfn(page_alloc())) == -XEN_ENOSPC, "a second page: -ENOSPC (one covers every port)");
    check(words[early] == (PENDING | MASKED), "the early event is pending in its word, masked");
    shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
    struct evtchn_unmask u = { .port = early };
    check(evtchn(EVTCHNOP_unmask, &u) == 0 && control->head[EVTCHN_FIFO_PRIORITY_DEFAULT] == early &&
          (control->ready & (1u << EVTCHN_FIFO_PRIORITY_DEFAULT)) && shared_info->vcpu_info[0].evtchn_upcall_pending,
          "unmask: it is queued at the default priority, the queue ready, an upcall pending");
    evtchn_port_t b = new_ipi(), c = new_ipi();
    words[b] = words[c] = 0;                   /* unmasked by the guest itself */
    event_send(b);
    event_send(c);
    check((words[early] & EVTCHN_FIFO_LINK_MASK) == b && (words[b] & EVTCHN_FIFO_LINK_MASK) == c &&
          (words[c] & (LINKED | EVTCHN_FIFO_LINK_MASK)) == LINKED, "two more events: linked after it, in order");
    check(!((shared_info->evtchn_pending[b / 32] >> (b % 32)) & 1), "and no 2-level bit is set any more");
    evtchn_port_t first = take(7), second = take(7), third = take(7);
    check(first == early && second == b && third == c && take(7) == 0 && !(control->ready & (1u << 7)),
          "taken from the head: first come, first out; then the queue is empty");
    event_send(c);
    check(control->head[7] == c, "the last one taken, a new event starts the queue afresh");
    take(7);
    check(set_priority(b, 2) == 0, "set_priority 2");
    event_send(b);
    check(control->head[2] == b && (control->ready & (1u << 2)) && control->head[7] == 0,
          "its next event goes to queue 2");
    take(2);
    check(set_priority(b, 16) == -XEN_EINVAL && set_priority(0, 3) == -XEN_EINVAL && set_priority(100, 3) == -XEN_EINVAL,
          "priority 16, port 0, a free port: -EINVAL");
    evtchn_port_t d = new_ipi();
    words[d] = MASKED;
    event_send(d);
    evtchn_port_t ports[1] = { d };
    struct sched_poll p = { .ports = ports, .nr_ports = 1, .timeout = 0 };
    check(words[d] == (PENDING | MASKED) && control->head[7] == 0 && HYPERVISOR_sched_op(SCHEDOP_poll, &p) == 0,
          "a masked port: pending, not queued, and SCHEDOP_poll sees it at once");
    event_send(c);
    take(7);                                   /* c is queue 7's tail, taken */
    evtchn_port_t e = new_ipi();
    words[e] = 0;
    words[c] = LINKED | 99;                    /* the guest says it is still queued, linking to 99 */
    event_send(e);
    check((words[c] & EVTCHN_FIFO_LINK_MASK) == e && control->head[7] == 0 && words[99] == MASKED,
          "a taken tail the guest marks LINKED again gets the next event after it (its own loss); its link is never followed");
}

/* A port that notifies vCPU 1 waits, pending, until vCPU 1 has queues of its own. */
static void second_vcpu(void)
{
    struct evtchn_bind_ipi b = { .vcpu = 1 };
    evtchn(EVTCHNOP_bind_ipi, &b);
    words[b.port] = 0;
    event_send(b.port);
    check(words[b.port] == PENDING, "an event for vCPU 1, which has no control block: pending, not queued");
    uint8_t *page = page_alloc();
    check(init_control(virt_to_mfn(page), 0, 1, NULL) == 0, "init_control for vCPU 1");
    volatile struct evtchn_fifo_control_block *other = (volatile struct evtchn_fifo_control_block *)page;
    struct evtchn_unmask u = { .port = b.port };
    evtchn(EVTCHNOP_unmask, &u);
    check(other->head[7] == b.port && (other->ready & (1u << 7)) && control->head[7] == 0 &&
          shared_info->vcpu_info[1].evtchn_upcall_pending, "then unmask queues it on vCPU 1's queue, not vCPU 0's");
}

int main(void)
{
    traps_init();
    evtchn_port_t early = new_ipi();
    before_fifo(early);
    queues(early);
    second_vcpu();
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
