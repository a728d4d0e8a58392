/* control.c - domain 0 at work: it creates a domain from the image it was given as its module
 * (start_info.mod_start), lists, pauses, unpauses, reads the console of, and destroys domains, a
 * hundred times over, sleeping until VIRQ_DOM_EXC says one has ended (guest ring 1, SDK). `test=unprivileged` runs as another domain and must be
 * refused.
 */
#include "sdk.h"

static int failures;

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static volatile unsigned domains_ended;      /* VIRQ_DOM_EXC's count */
static void on_dom_exc(evtchn_port_t port) { (void)port; domains_ended++; }
static void on_timer(evtchn_port_t port) { (void)port; }

static void list(void)
{
    struct hv_domaininfo di;
    for (domid_t id = 0; domctl_info(id, &di) == 0; id = di.domain + 1)
        printf("  domain %u %-8s %4u pages, flags %#x\n", di.domain, di.name, di.tot_pages, di.flags);
}

int main(void)
{
    char test[16] = "";
    cmdline_option("test", test, sizeof(test));
    traps_init();
    if (strcmp(test, "unprivileged") == 0) {
        struct hv_domaininfo di;
        check(domctl_info(0, &di) == -XEN_EPERM, "domctl from a domain other than 0: -EPERM");
        return failures;
    }
    events_init();
    bind_virq(VIRQ_DOM_EXC, on_dom_exc);
    bind_virq(VIRQ_TIMER, on_timer);
    events_unmask();
    check(start_info->mod_len > 0, "domain 0 was given an image as its module");
    domid_t child;
    check(domctl_create_from_module("name=child mem=2M", &child) == 0 && child > 0, "createdomain from that image");
    struct hv_domaininfo di;
    check(domctl_info(child, &di) == 0 && (di.flags & XEN_DOMINF_paused) && strcmp(di.name, "child") == 0 &&
          di.tot_pages == 512, "getdomaininfo: paused, named child, 512 pages");
    printf("domains:\n");
    list();
    struct hv_domctl mem = { .cmd = XEN_DOMCTL_max_mem, .domain = child, .u.max_mem.max_memkb = 8192 };
    check(HYPERVISOR_domctl(&mem) == 0 && domctl_info(child, &di) == 0 && di.max_pages == 2048 && di.tot_pages == 512,
          "max_mem 8192 KiB: 2048 pages at most, 512 held");
    mem.domain = 40;
    check(HYPERVISOR_domctl(&mem) == -XEN_ESRCH, "max_mem of no domain: -ESRCH");
    check(domctl_simple(XEN_DOMCTL_unpausedomain, child) == 0, "unpausedomain");
    uint64_t give_up = clock_ns() + 5000000000ull;
    timer_set(give_up);                         /* should VIRQ_DOM_EXC never come */
    BLOCK_UNTIL(domctl_info(child, &di) != 0 || (di.flags & XEN_DOMINF_shutdown) || clock_ns() >= give_up);
    check((di.flags & XEN_DOMINF_shutdown) && (di.flags >> XEN_DOMINF_shutdownshift) == SHUTDOWN_poweroff &&
          domains_ended == 1 && clock_ns() < give_up, "the child ran and powered off: VIRQ_DOM_EXC woke us");
    static char text[1024];
    struct hv_domctl op = { .cmd = HV_DOMCTL_readconsole, .domain = child };
    op.u.readconsole.buffer = text;
    op.u.readconsole.size = sizeof(text) - 1;
    check(HYPERVISOR_domctl(&op) == 0 && strstr(text, "Hello from ring 1") != NULL, "its console, read back");
    check(domctl_simple(XEN_DOMCTL_destroydomain, child) == 0 && domains_ended == 2, "destroydomain: VIRQ_DOM_EXC again");
    check(domctl_info(child, &di) == -XEN_ESRCH || di.domain != child, "gone from getdomaininfo");
    check(domctl_simple(XEN_DOMCTL_pausedomain, 0) == -XEN_EINVAL, "pausing itself: -EINVAL");
    check(domctl_simple(XEN_DOMCTL_destroydomain, 40) == -XEN_ESRCH, "destroying no domain: -ESRCH");
    struct hv_domctl old = { .cmd = XEN_DOMCTL_getdomaininfo, .interface_version = 7 };
    check(hypercall1(__HYPERVISOR_domctl, &old) == -XEN_EINVAL, "another interface version: -EINVAL");
    struct hv_domctl bad = { .cmd = XEN_DOMCTL_createdomain };
    bad.u.createdomain.image = "not an ELF image";
    bad.u.createdomain.image_len = 16;
    bad.u.createdomain.cmdline = "";
    check(HYPERVISOR_domctl(&bad) == -XEN_EINVAL, "createdomain from a bad image: -EINVAL");
    int cycles = 0;
    for (int i = 0; i < 100; i++) {
        domid_t id;
        if (domctl_create_from_module("name=cycle mem=2M", &id) == 0 && domctl_simple(XEN_DOMCTL_destroydomain, id) == 0)
            cycles++;
    }
    check(cycles == 100, "100 create/destroy cycles");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
