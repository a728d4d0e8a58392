/* fpu.c - lazy FPU switching (ring 0). The monitor itself never uses the FPU (it is built with
 * -mno-80387 -mno-sse). The FPU registers stay with the vCPU that last used them; CR0.TS makes
 * another vCPU's first FPU instruction raise #NM, and only then are the registers swapped.
 * A guest kernel that does the same for its processes asks for TS with fpu_taskswitch; its own
 * #NM is bounced to it once its registers are in place.
 */
#include "domain.h"
#include "hv.h"
#include "hypercalls.h"
#include "mmu.h"
#include "x86.h"

#define CPUID1_EDX_FXSR (1u << 24)
#define CR4_OSFXSR     0x00000200
#define CR4_OSXMMEXCPT 0x00000400

static struct vcpu *fpu_owner;      /* whose registers the FPU holds */
static int have_fxsr;

static void clts(void) { __asm__ volatile("clts" ::: "memory"); }
static void stts(void) { __asm__ volatile("mov %%cr0, %%eax; or %0, %%eax; mov %%eax, %%cr0" :: "i"(CR0_TS) : "eax", "memory"); }

void fpu_init(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    have_fxsr = (d & CPUID1_EDX_FXSR) != 0;
    if (have_fxsr)
        __asm__ volatile("mov %%cr4, %%eax; or %0, %%eax; mov %%eax, %%cr4"
                         :: "i"(CR4_OSFXSR | CR4_OSXMMEXCPT) : "eax");
    /* MP with TS: wait/fwait trap too. EM off: the FPU exists. NE: native FPU errors (#MF). */
    __asm__ volatile("mov %%cr0, %%eax; and %0, %%eax; or %1, %%eax; mov %%eax, %%cr0"
                     :: "i"(~CR0_EM), "i"(CR0_MP | CR0_NE | CR0_TS) : "eax");
}

static void save(struct vcpu *v)
{
    if (have_fxsr)
        __asm__ volatile("fxsave %0" : "=m"(v->fpu_state));
    else
        __asm__ volatile("fnsave %0" : "=m"(v->fpu_state));
}

static void restore(struct vcpu *v)
{
    if (!v->fpu_initialised) {
        __asm__ volatile("fninit");
        v->fpu_initialised = 1;
    } else if (have_fxsr) {
        __asm__ volatile("fxrstor %0" :: "m"(v->fpu_state));
    } else {
        __asm__ volatile("frstor %0" :: "m"(v->fpu_state));
    }
}

/* #NM from a guest. Returns 1 when handled here, 0 when the guest asked for TS and must get its
 * own #NM (its registers are in place by then, as Xen does). */
int fpu_device_not_available(struct vcpu *v)
{
    clts();
    if (fpu_owner != v) {
        if (fpu_owner)
            save(fpu_owner);
        restore(v);
        fpu_owner = v;
    }
    if (v->guest_cr0_ts) {
        v->guest_cr0_ts = 0;
        return 0;
    }
    return 1;
}

/* A vCPU stops running (or ends): keep its registers, and make the next FPU use trap. */
void fpu_switch_out(struct vcpu *v)
{
    if (fpu_owner == v) {
        clts();
        if (v->domain->state == DOMAIN_RUNNABLE)
            save(v);
        fpu_owner = NULL;
    }
    stts();
}

/* fpu_taskswitch(set): the guest's CR0.TS. Setting it makes the next FPU use trap to the guest. */
long do_fpu_taskswitch(uint32_t set, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a2, (void)a3, (void)a4, (void)a5;
    current->guest_cr0_ts = set != 0;
    if (set)
        stts();
    else if (fpu_owner == current)
        clts();
    return 0;
}
