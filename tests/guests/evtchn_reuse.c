/* evtchn_reuse.c - event channels of a domain that has ended must not pass to the next domain
 * given its id (guest ring 1, SDK). Domain ids here are slots of the monitor's domain table and
 * come back; Xen's never do, so in Xen such a port waits for good. Three roles, from one image:
 *   role=control  domain 0: creates a peer from its module, offers it a port and binds another
 *                 to the peer's own, lets the peer end, destroys it, and creates a thief that
 *                 gets the same id; then checks what is left of both ports
 *   role=peer     ends at once (a poweroff): its channels go with it
 *   role=thief    tries to bind the ports that were meant for the domain before it
 */
#include "sdk.h"

static int failures;

static void __attribute__((format(printf, 2, 3))) check(int ok, const char *fmt, ...)
{
    va_list ap;
    failures += !ok;
    printf("%s ", ok ? "ok" : "FAIL");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* Let a domain run until it has shut down; its shutdown reason, or -1 if it did not. */
static int run_to_end(domid_t id)
{
    struct hv_domaininfo di;
    uint64_t give_up = clock_ns() + 5000000000ull;
    domctl_simple(XEN_DOMCTL_unpausedomain, id);
    while (domctl_info(id, &di) == 0 && !(di.flags & XEN_DOMINF_shutdown) && clock_ns() < give_up)
        HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    return di.flags & XEN_DOMINF_shutdown ? (int)(di.flags >> XEN_DOMINF_shutdownshift) : -1;
}

static long status(evtchn_port_t port, struct evtchn_status *st)
{
    *st = (struct evtchn_status){ .dom = DOMID_SELF, .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

static int unbound_for(evtchn_port_t port, domid_t id)
{
    struct evtchn_status st;
    return status(port, &st) == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == id;
}

static long send(evtchn_port_t port)
{
    struct evtchn_send s = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &s);
}

static long close_port(evtchn_port_t port)
{
    struct evtchn_close c = { .port = port };
    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &c);
}

static void control(void)
{
    domid_t peer, thief;
    struct hv_domaininfo di;
    int ok = domctl_create_from_module("name=peer role=peer", &peer) == 0 && domctl_info(peer, &di) == 0 && di.store_evtchn;
    check(ok, "created domain %u, the peer, with a port of its own for us", peer);
    struct evtchn_alloc_unbound offer = { .dom = DOMID_SELF, .remote_dom = peer };
    ok = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &offer) == 0;
    check(ok, "port %u offered to domain %u", offer.port, peer);
    struct evtchn_bind_interdomain bind = { .remote_dom = peer, .remote_port = di.store_evtchn };
    ok = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &bind) == 0;
    check(ok, "port %u bound to the peer's port %u", bind.local_port, di.store_evtchn);
    check(run_to_end(peer) == SHUTDOWN_poweroff, "the peer ran and powered off");
    check(unbound_for(offer.port, peer), "port %u, offered to the ended domain: unbound for %u (Xen's answer)", offer.port, peer);
    check(unbound_for(bind.local_port, peer), "port %u, whose other end has ended: unbound for %u (Xen's answer)",
          bind.local_port, peer);
    check(send(offer.port) == 0 && send(bind.local_port) == 0, "sending on them: dropped, 0");
    check(domctl_simple(XEN_DOMCTL_destroydomain, peer) == 0, "the peer destroyed");

    char cmdline[96];
    format_snprintf(cmdline, sizeof(cmdline), "name=thief role=thief offered=%u widowed=%u", offer.port, bind.local_port);
    ok = domctl_create_from_module(cmdline, &thief) == 0 && thief == peer;
    check(ok, "the next domain created gets the same id, %u", thief);
    check(domctl_info(thief, &di) == 0 && di.store_evtchn, "the thief has a port of its own for us");
    struct evtchn_bind_interdomain fresh = { .remote_dom = thief, .remote_port = di.store_evtchn };
    ok = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &fresh) == 0;
    check(ok, "a new channel to the new domain %u binds as usual (port %u)", thief, fresh.local_port);
    check(run_to_end(thief) == SHUTDOWN_poweroff, "the thief ran, was refused both ports, and powered off");
    check(unbound_for(offer.port, peer) && unbound_for(bind.local_port, peer),
          "both ports still unbound for the ended domain, not bound to the new one");
    check(close_port(offer.port) == 0 && close_port(bind.local_port) == 0 && close_port(fresh.local_port) == 0,
          "all three closed");
    check(domctl_simple(XEN_DOMCTL_destroydomain, thief) == 0, "the thief destroyed");
}

static evtchn_port_t port_option(const char *key)
{
    char value[8] = "";
    uint32_t n = 0;
    cmdline_option(key, value, sizeof(value));
    for (const char *p = value; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (uint32_t)(*p - '0');
    return n;
}

static void thief(void)
{
    static const char *const keys[] = { "offered", "widowed" };
    for (unsigned i = 0; i < ARRAY_SIZE(keys); i++) {
        struct evtchn_bind_interdomain b = { .remote_dom = 0, .remote_port = port_option(keys[i]) };
        long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);
        check(rc == -XEN_EINVAL, "binding domain 0's port %u, %s the domain before us: %ld", b.remote_port,
              i == 0 ? "offered to" : "bound to", rc);
    }
}

int main(void)
{
    char role[16] = "";
    cmdline_option("role", role, sizeof(role));
    traps_init();
    if (strcmp(role, "control") == 0)
        control();
    else if (strcmp(role, "thief") == 0)
        thief();
    else if (strcmp(role, "peer") != 0)
        check(0, "a role: control, peer or thief");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
