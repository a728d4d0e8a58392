/* emulate.c - the few instructions the monitor carries out for a guest kernel (ring 0, on a #UD
 * or #GP from ring 1). hypercall-abi/ABI.md lists, instruction by instruction, what is emulated
 * and what is bounced to the guest as #GP.
 *
 * This is where the 17 "sensitive but unprivileged" x86 instructions stop mattering: a
 * paravirtualized kernel does not rely on them. What is left are privileged instructions that
 * trap in ring 1 by design, and the monitor emulates only those with a cheap, safe meaning.
 */
#include "domain.h"
#include "hv.h"
#include "mmu.h"
#include "x86.h"

/* Xen's forced-emulation prefix: `ud2a; .ascii "xen"` before `cpuid` (xen/include/public/arch-x86/xen.h). */
static const uint8_t forced_cpuid[7] = { 0x0F, 0x0B, 'x', 'e', 'n', 0x0F, 0xA2 };

#define CPUID1_ECX_MONITOR    (1u << 3)
#define CPUID1_ECX_VMX        (1u << 5)
#define CPUID1_ECX_SMX        (1u << 6)
#define CPUID1_ECX_OSXSAVE    (1u << 27)
#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define XEN_CPUID_FIRST_LEAF  0x40000000u

static void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(subleaf));
}

/* What a guest is told: the real CPU, less what it cannot use under the monitor, plus Xen's
 * hypervisor leaves at 0x40000000 (signature "XenVMMXenVMM", version, hypercall-page count). */
static void cpuid_for_guest(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    if (leaf >= XEN_CPUID_FIRST_LEAF && leaf < XEN_CPUID_FIRST_LEAF + 0x100) {
        static const uint32_t signature[3] = { 0x566E6558, 0x65584D4D, 0x4D4D566E };  /* "XenVMMXenVMM" */
        r[0] = r[1] = r[2] = r[3] = 0;
        if (leaf == XEN_CPUID_FIRST_LEAF) {
            r[0] = XEN_CPUID_FIRST_LEAF + 2;
            r[1] = signature[0], r[2] = signature[1], r[3] = signature[2];
        } else if (leaf == XEN_CPUID_FIRST_LEAF + 1) {
            r[0] = HV_XEN_VERSION;              /* the Xen interface version, as xen_version */
        } else if (leaf == XEN_CPUID_FIRST_LEAF + 2) {
            r[0] = 1;                           /* one hypercall page */
        }
        return;
    }
    cpuid(leaf, subleaf, r);
    if (leaf == 1) {
        r[2] &= ~(CPUID1_ECX_MONITOR | CPUID1_ECX_VMX | CPUID1_ECX_SMX | CPUID1_ECX_OSXSAVE);
        r[2] |= CPUID1_ECX_HYPERVISOR;
    }
}

int emulate_forced_cpuid(struct trap_frame *f)
{
    uint8_t insn[sizeof(forced_cpuid)];
    if (copy_from_guest(insn, f->eip, sizeof(insn)) < 0 || memcmp(insn, forced_cpuid, sizeof(insn)) != 0)
        return 0;
    uint32_t r[4];
    cpuid_for_guest(f->eax, f->ecx, r);
    f->eax = r[0], f->ebx = r[1], f->ecx = r[2], f->edx = r[3];
    f->eip += sizeof(forced_cpuid);
    stats.emulated++;
    return 1;
}

/* The general register a ModRM r/m field names (eax, ecx, edx, ebx, esp, ebp, esi, edi). */
static uint32_t *modrm_register(struct trap_frame *f, unsigned n)
{
    uint32_t *const regs[8] = { &f->eax, &f->ecx, &f->edx, &f->ebx, &f->esp, &f->ebp, &f->esi, &f->edi };
    return regs[n & 7];
}

/* mov from a control register: the guest sees its virtual CR0.TS, its last fault address, its
 * page-table base and the real CR4. */
static uint32_t read_control(struct vcpu *v, unsigned cr, int *ok)
{
    *ok = 1;
    switch (cr) {
    case 0: return (read_cr0() & ~CR0_TS) | (v->guest_cr0_ts ? CR0_TS : 0);
    case 2: return v->info->arch.cr2;
    case 3: return read_cr3();
    case 4: return read_cr4();
    default: *ok = 0; return 0;
    }
}

/* Tour step 4 (bounced trap): a #GP with error code 0 from ring 1 may be a privileged instruction
 * the monitor emulates. Returns 1 when it did (EIP moved past it), 0 to bounce the #GP. */
int emulate_privileged(struct vcpu *v, struct trap_frame *f)
{
    uint8_t insn[3];
    if ((f->cs & 3) != 1 || copy_from_guest(insn, f->eip, sizeof(insn)) < 0)
        return 0;
    uint32_t length;
    int ok;
    if (insn[0] == 0x0F && insn[1] == 0x06) {                       /* clts */
        do_fpu_taskswitch(0, 0, 0, 0, 0);
        length = 2;
    } else if (insn[0] == 0x0F && (insn[1] == 0x09 || insn[1] == 0x08)) {   /* wbinvd, invd */
        length = 2;                                                /* caches are the monitor's */
    } else if (insn[0] == 0x0F && insn[1] == 0x20 && (insn[2] & 0xC0) == 0xC0) {   /* mov %crN, r32 */
        uint32_t value = read_control(v, (insn[2] >> 3) & 7, &ok);
        if (!ok)
            return 0;
        *modrm_register(f, insn[2]) = value;
        length = 3;
    } else if (insn[0] == 0x0F && insn[1] == 0x22 && (insn[2] & 0xC0) == 0xC0 && ((insn[2] >> 3) & 7) == 0) {
        uint32_t value = *modrm_register(f, insn[2]);              /* mov r32, %cr0: only TS */
        if ((value ^ read_control(v, 0, &ok)) & ~CR0_TS)
            return 0;
        do_fpu_taskswitch((value & CR0_TS) != 0, 0, 0, 0, 0);
        length = 3;
    } else if (insn[0] == 0x0F && (insn[1] == 0x21 || insn[1] == 0x23) && (insn[2] & 0xC0) == 0xC0) {
        /* mov %drN, r32 and mov r32, %drN: set_debugreg and get_debugreg's answers, as Xen's
         * emulation gives them (a refused value or register: the #GP goes to the guest). */
        uint32_t reg = (insn[2] >> 3) & 7, *r = modrm_register(f, insn[2]);
        if (insn[1] == 0x23) {
            if (do_set_debugreg(reg, *r, 0, 0, 0) != 0)
                return 0;
        } else {
            long value = do_get_debugreg(reg, 0, 0, 0, 0);
            if ((unsigned long)value > (unsigned long)-256)
                return 0;                          /* an errno, not a value */
            *r = (uint32_t)value;
        }
        length = 3;
    } else {
        return 0;
    }
    f->eip += length;
    stats.emulated++;
    return 1;
}
