/* domain.c - the domain table: every domain's slot, the running vCPU, finding a domain by id, and
 * naming a guest address from a domain's own symbols (ring 0). How a domain is built is in
 * domain_build.c, how it ends in domain_end.c.
 */
#include "domain.h"
#include "format.h"
#include "hv.h"

struct domain domains[MAX_DOMAINS];
unsigned domain_slots;
struct vcpu *current;
unsigned refused_modules;

struct domain *domain_alloc(void)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        if (domains[i].state == DOMAIN_FREE) {
            memset(&domains[i], 0, sizeof(domains[i]));
            domains[i].id = (domid_t)i;
            domains[i].state = DOMAIN_SHUTDOWN;     /* not runnable until built */
            domains[i].vcpus[0] = &domains[i].vcpu0;
            domains[i].vcpu0.domain = &domains[i];
            domains[i].max_vcpus = 1;
            if (i >= domain_slots)
                domain_slots = i + 1;
            return &domains[i];
        }
    }
    return NULL;
}

struct domain *domain_lookup(domid_t id)
{
    return id < MAX_DOMAINS && domains[id].state != DOMAIN_FREE ? &domains[id] : NULL;
}

struct domain *running_domain(domid_t id)
{
    struct domain *d = id == DOMID_SELF ? current_domain() : domain_lookup(id);
    return d && d->state == DOMAIN_RUNNABLE ? d : NULL;
}

/* Whether every vCPU of d that is up is blocked (the domain waits for an event). */
int domain_all_blocked(const struct domain *d)
{
    for (uint32_t n = 0; n < d->max_vcpus; n++)
        if (d->vcpus[n]->online && d->vcpus[n]->run_state != VCPU_BLOCKED)
            return 0;
    return 1;
}

/* The ticks all of d's vCPUs have run. */
uint64_t domain_cpu_ticks(const struct domain *d)
{
    uint64_t ticks = 0;
    for (uint32_t n = 0; n < d->max_vcpus; n++)
        ticks += d->vcpus[n]->cpu_ticks;
    return ticks;
}

const char *guest_symbol(struct domain *d, uint32_t addr, char *buf, uint32_t size)
{
    uint32_t offset;
    const char *name = elf_symbolize(&d->symbols, addr, &offset);
    if (!name)
        return "";
    format_snprintf(buf, size, " <%s+0x%x>", name, offset);
    return buf;
}
