/* fpu.c - lazy FPU switching (ring 0). The monitor itself never uses the FPU (it is built with
 * -mno-80387 -mno-sse). The FPU registers stay with the vCPU that last used them; CR0.TS makes
 * another vCPU's first FPU instruction raise #NM, and only then are the registers swapped. A
 * vCPU's very first use loads a clean image, never what the last user left in the FPU.
 * A guest kernel that does the same for its processes asks for TS with fpu_taskswitch; its own
 * #NM is bounced to it once its registers are in place.
 */
#include "domain.h"
#include "hv.h"
#include "mmu.h"
#include "x86.h"

#define CPUID1_EDX_FXSR (1u << 24)

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

/* The first words of an FXSAVE image (SDM vol. 1, 10.5.1) and of an FNSAVE one in 32-bit
 * protected mode (8.1.10); the registers follow. */
struct fxsave_header {
    uint16_t fcw, fsw;
    uint8_t ftw, reserved;          /* abridged tag word: 0 = every register empty */
    uint16_t fop;
    uint32_t fip, fcs, fdp, fds, mxcsr, mxcsr_mask;
};
struct fnsave_header {
    uint32_t fcw, fsw, ftw;         /* full tag word: 11b = empty, for each register */
    uint32_t fip, fcs_fop, fdp, fds;
};
_Static_assert(sizeof(struct fxsave_header) == 32, "FXSAVE: ST0 at byte 32");
_Static_assert(sizeof(struct fnsave_header) == 28, "FNSAVE: ST0 at byte 28");

#define FCW_DEFAULT      0x037F     /* what FNINIT loads: every exception masked, 64-bit precision */
#define MXCSR_DEFAULT    0x1F80     /* the power-up MXCSR: every SIMD exception masked */
#define FTW_ALL_EMPTY    0xFFFF

/* The image a vCPU starts with (Xen's since XSA-165, vcpu_init_fpu): every x87, MMX and SSE
 * register zero, the control words at their defaults. FNINIT alone would leave the registers,
 * XMM0-7 among them, as the FPU's last user left them: another domain's secrets. */
static void clean_image(struct vcpu *v)
{
    memset(v->fpu_state, 0, sizeof(v->fpu_state));
    if (have_fxsr) {
        struct fxsave_header *h = (struct fxsave_header *)v->fpu_state;
        h->fcw = FCW_DEFAULT;
        h->mxcsr = MXCSR_DEFAULT;
    } else {
        struct fnsave_header *h = (struct fnsave_header *)v->fpu_state;
        h->fcw = FCW_DEFAULT;
        h->ftw = FTW_ALL_EMPTY;
    }
}

static void restore(struct vcpu *v)
{
    if (!v->fpu_initialised) {
        clean_image(v);
        v->fpu_initialised = 1;
    }
    if (have_fxsr)
        __asm__ volatile("fxrstor %0" :: "m"(v->fpu_state));
    else
        __asm__ volatile("frstor %0" :: "m"(v->fpu_state));
}

/* VCPUOP_initialise's FPU image (VGCF_I387_VALID): an FXSAVE image, as FXRSTOR takes it. Its
 * MXCSR keeps only bits every CPU accepts (a reserved one would make FXRSTOR fault in the
 * monitor); without FXSR the vCPU starts clean instead. */
#define MXCSR_ALWAYS_VALID 0xFFBFu  /* the default MXCSR_MASK: all but DAZ */
void fpu_set_image(struct vcpu *v, const uint8_t image[512])
{
    if (!have_fxsr)
        return;
    memcpy(v->fpu_state, image, sizeof(v->fpu_state));
    ((struct fxsave_header *)v->fpu_state)->mxcsr &= MXCSR_ALWAYS_VALID;
    v->fpu_initialised = 1;
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
