/* emulate.c - the few instructions the monitor carries out for a guest kernel (ring 0, on a #UD
 * or #GP from ring 1). hypercall-abi/ABI.md lists, instruction by instruction, what is emulated
 * and what is bounced to the guest as #GP.
 *
 * This is where the 17 "sensitive but unprivileged" x86 instructions stop mattering: a
 * paravirtualized kernel does not rely on them. What is left are privileged instructions that
 * trap in ring 1 by design, and the monitor emulates only those with a cheap, safe meaning.
 */
#include "descriptor.h"
#include "domain.h"
#include "hv.h"
#include "mmu.h"
#include "x86.h"
#include "x86/control_regs.h"
#include "x86/debugregs.h"
#include "x86/eflags.h"
#include "x86/exceptions.h"
#include "x86/msr.h"
#include "x86/paging.h"

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
    f->eflags &= ~EFLAGS_RF;                           /* the instruction completed */
    stats.emulated++;
    return 1;
}

/* The general register a ModRM r/m field names (eax, ecx, edx, ebx, esp, ebp, esi, edi). */
static uint32_t *modrm_register(struct trap_frame *f, unsigned n)
{
    uint32_t *const regs[8] = { &f->eax, &f->ecx, &f->edx, &f->ebx, &f->esp, &f->ebp, &f->esi, &f->edi };
    return regs[n & 7];
}

/* The CR4 bits a guest sees as the monitor set them (Xen's PV_CR4_GUEST_VISIBLE_MASK), and the
 * ones it sets itself (PV_CR4_GUEST_MASK, of which only DE here: I/O breakpoints). */
#define CR4_GUEST_VISIBLE (CR4_PAE | CR4_MCE | CR4_OSFXSR | CR4_OSXMMEXCPT)
#define CR4_GUEST_CONTROLLED CR4_DE

/* mov from a control register: the guest sees its virtual CR0.TS, its last fault address, its
 * page-table base and its virtual CR4. */
static uint32_t read_control(struct vcpu *v, unsigned cr, int *ok)
{
    *ok = 1;
    switch (cr) {
    case 0: return (read_cr0() & ~CR0_TS) | (v->guest_cr0_ts ? CR0_TS : 0);
    case 2: return v->info->arch.cr2;
    case 3: return read_cr3();
    case 4: return (read_cr4() & CR4_GUEST_VISIBLE) | v->cr4;
    default: *ok = 0; return 0;
    }
}

/* mov to a control register: CR0's TS bit (the rest must stay as they are) and CR4's guest bits
 * (the rest are the monitor's and ignored, as Xen's pv_fixup_guest_cr4 does). Returns 0 when
 * the write is refused, for a #GP. */
static int write_control(struct vcpu *v, unsigned cr, uint32_t value)
{
    int ok;
    switch (cr) {
    case 0:
        if ((value ^ read_control(v, 0, &ok)) & ~CR0_TS)
            return 0;
        do_fpu_taskswitch((value & CR0_TS) != 0, 0, 0, 0, 0);
        return 1;
    case 4:
        v->cr4 = value & CR4_GUEST_CONTROLLED;
        return 1;
    default:
        return 0;
    }
}

/* rdmsr and wrmsr: the few MSRs a PV guest has here, with the values the monitor chooses (no
 * hardware value passes through): the TSC, as rdtsc reads it, and DEBUGCTL, which reads 0 (the
 * monitor never turns on branch recording) and takes only 0. Any other MSR, and any other
 * write, gets the #GP, as on Xen since 4.15. */
static int read_msr(uint32_t msr, uint64_t *value)
{
    switch (msr) {
    case MSR_IA32_TSC: *value = rdtsc(); return 1;
    case MSR_DEBUGCTL: *value = 0; return 1;
    default: return 0;
    }
}

static int write_msr(uint32_t msr, uint64_t value)
{
    return msr == MSR_DEBUGCTL && value == 0;
}

/* The port I/O instructions: `in` and `out`, port in an immediate byte or in %dx, of a byte or
 * (by the operand-size prefix 0x66 or not) a word or a doubleword. Returns 1 and their meaning
 * for one of them. */
static int port_instruction(const uint8_t *insn, const struct trap_frame *f, struct port_access *a)
{
    unsigned prefix = insn[0] == 0x66, op = insn[prefix];
    switch (op) {
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:        /* in/out with port imm8 */
        a->port = insn[prefix + 1];
        a->length = prefix + 2;
        break;
    case 0xEC: case 0xED: case 0xEE: case 0xEF:        /* in/out with port %dx */
        a->port = f->edx & 0xFFFF;
        a->length = prefix + 1;
        break;
    default:
        return 0;
    }
    a->is_in = !(op & 2);
    a->size = !(op & 1) ? 1 : prefix ? 2 : 4;
    return 1;
}

/* The string forms, `ins` and `outs` (0x6C-0x6F), with a `rep` (0xF3) and an operand-size (0x66)
 * prefix in either order, and none other: a segment override is bounced as #GP (our guests' data
 * segments are flat; ABI.md says so). The port is checked once (port_check), then the elements
 * move between the port and ES:EDI (ins) or DS:ESI (outs) a run at a time: the elements that lie
 * in one page of the guest's buffer and inside its segment go through one copy to or from
 * STRING_IO_RUN bytes of the monitor's, so a fault on the buffer is all or nothing for the run
 * and comes before any of its port accesses: the guest's #PF at the run's first element, with
 * the elements before it done (Xen's propagate_page_fault: error code "write" for `ins`, "user"
 * from ring 3). The copies run in ring 0, so for ring 3 (a kernel may give its applications a
 * virtual IOPL of 3) the run's first and last bytes must also pass the CPU's user checks in the
 * guest's tables, or a process could read or fill its kernel's pages through a port. EDI or ESI
 * step by the size (down when EFLAGS.DF, one element a run), ECX counts down under `rep`. At most STRING_IO_BATCH elements per crossing, so that a long `rep` leaves
 * the monitor preemptible: EIP stays on the instruction, which runs again and traps again for
 * the rest (one element when single-stepping, whose #DB the CPU raises after each). */
#define STRING_IO_BATCH 1024       /* elements */
#define STRING_IO_RUN   512        /* bytes: a sector */

/* The base and limit of the data segment sel for a string instruction's buffer: 0 when it is
 * not a present data segment (writable, for `ins`) the guest could load. */
static int string_segment(uint32_t sel, int write, uint32_t *base, uint32_t *limit)
{
    uint64_t d;
    if (sel == FLAT_RING1_DS || sel == FLAT_RING3_DS) {
        *base = 0, *limit = GUEST_SEGMENT_MAX_ADDR - 1;
        return 1;
    }
    if ((sel & ~3u) == 0 || segment_descriptor(sel, &d) < 0)
        return 0;
    unsigned type = (unsigned)(d >> 40) & 0x1F;        /* S bit and type: 1 0 E W A for data */
    if (!(d & (1ull << 47)) || (type & 0x18) != 0x10 || (write && !(type & 2)) || (type & 4))
        return 0;                                       /* not present, not data, read-only, expand-down */
    *base = descriptor_base(d), *limit = descriptor_limit(d);
    return 1;
}

/* The #PF error code of the guest's access to the byte at va, or 0 when it would pass: from ring
 * 3 the CPU's user checks first (user_access_fault: the monitor's own copies run in ring 0, where
 * paging lets every ring reach every page), then whether the page takes the access at all. */
static uint32_t access_fault(const struct vcpu *v, const struct trap_frame *f, uint32_t va, int write)
{
    int user = (f->cs & 3) == 3;
    uint32_t code = user ? user_access_fault(v->domain, va, write) : 0;
    uint8_t byte;
    if (!code && (copy_from_guest(&byte, va, 1) < 0 || (write && copy_to_guest(va, &byte, 1) < 0)))
        code = (write ? PF_ERROR_WRITE : 0) | (user ? PF_ERROR_USER : 0);
    return code;
}

/* The #PF of a string instruction's run of `bytes` at linear: CR2 is its first byte, or the next
 * page's when the run is one element across two pages and only the second faults. */
static enum emulation buffer_fault(struct vcpu *v, const struct trap_frame *f, uint32_t linear, uint32_t bytes,
                                   int write, uint32_t *debug_status)
{
    uint32_t next = (linear | (PAGE_SIZE - 1)) + 1;
    uint32_t code = access_fault(v, f, linear, write);
    if (!code && linear + bytes > next)
        code = access_fault(v, f, linear = next, write);
    if (!code)                                          /* another vCPU mapped it meanwhile */
        code = (write ? PF_ERROR_WRITE : 0) | ((f->cs & 3) == 3 ? PF_ERROR_USER : 0);
    v->info->arch.cr2 = linear;
    *debug_status = code;
    return EMULATED_AS_PF;
}

/* How many of `left` elements of `size` bytes, the first at offset in a segment of base and
 * limit, make the next run: those wholly in the first one's page, in the segment and in
 * STRING_IO_RUN bytes; at least one (an element across two pages goes alone). */
static uint32_t run_length(uint32_t base, uint32_t limit, uint32_t offset, uint32_t size, uint32_t left)
{
    uint32_t room = PAGE_SIZE - ((base + offset) & (PAGE_SIZE - 1));
    if (room > STRING_IO_RUN)
        room = STRING_IO_RUN;
    if (limit - offset < room)
        room = limit - offset + 1;          /* no overflow: room was at most 512 */
    uint32_t n = room / size;
    return n == 0 ? 1 : n < left ? n : left;
}

static enum emulation emulate_string_io(struct vcpu *v, struct trap_frame *f, const uint8_t *insn,
                                        uint32_t fetched, uint32_t *debug_status)
{
    unsigned rep = 0, wide = 0, at = 0;
    for (; at < fetched && (insn[at] == 0xF3 || insn[at] == 0x66); at++)
        insn[at] == 0xF3 ? (rep = 1) : (wide = 1);
    if (at >= fetched || insn[at] < 0x6C || insn[at] > 0x6F)
        return NOT_EMULATED;
    struct port_access a = { .port = f->edx & 0xFFFF, .is_in = insn[at] < 0x6E, .length = at + 1 };
    a.size = !(insn[at] & 1) ? 1 : wide ? 2 : 4;
    uint32_t *index = a.is_in ? &f->edi : &f->esi, base, limit;
    int down = (f->eflags & EFLAGS_DF) != 0;
    if (!string_segment(a.is_in ? f->es & 0xFFFF : f->ds & 0xFFFF, a.is_in, &base, &limit))
        return NOT_EMULATED;
    enum port_reach reach = port_check(v, f, &a, debug_status);
    if (reach == PORT_REFUSED)
        return NOT_EMULATED;
    uint32_t left = rep ? f->ecx : 1;
    uint32_t batch = (f->eflags & EFLAGS_TF) ? 1 : STRING_IO_BATCH;    /* stepping: one at a time, as the CPU */
    for (uint32_t done = 0; left; ) {
        if (done == batch)
            return EMULATED;                            /* the rest on its next trap: EIP unchanged */
        uint32_t offset = *index, linear = base + offset;
        if (offset > limit || limit - offset < a.size - 1)
            return done ? EMULATED : NOT_EMULATED;      /* past the segment: the CPU's #GP (next time) */
        uint32_t n = down ? 1 : run_length(base, limit, offset, a.size, batch - done < left ? batch - done : left);
        uint32_t bytes = n * a.size, value = 0;
        union { uint8_t b[STRING_IO_RUN]; uint16_t w[STRING_IO_RUN / 2]; uint32_t l[STRING_IO_RUN / 4]; } run;
        if ((f->cs & 3) == 3 && (user_access_fault(v->domain, linear, a.is_in) ||
                                 user_access_fault(v->domain, linear + bytes - 1, a.is_in)))
            return buffer_fault(v, f, linear, bytes, a.is_in, debug_status);   /* a kernel page */
        if (a.is_in) {
            /* The buffer must take the run before a port is read (a read has effects): read it
             * and write it back. Should another vCPU unmap it before the final copy, that run's
             * data is lost to the guest's own race, and its #PF says where. */
            if (copy_from_guest(&run, linear, bytes) < 0 || copy_to_guest(linear, &run, bytes) < 0)
                return buffer_fault(v, f, linear, bytes, 1, debug_status);
            for (uint32_t i = 0; i < n; i++) {
                port_io(reach, &a, &value);
                a.size == 1 ? (run.b[i] = (uint8_t)value) : a.size == 2 ? (run.w[i] = (uint16_t)value) : (run.l[i] = value);
            }
            if (copy_to_guest(linear, &run, bytes) < 0)
                return buffer_fault(v, f, linear, bytes, 1, debug_status);
        } else {
            if (copy_from_guest(&run, linear, bytes) < 0)
                return buffer_fault(v, f, linear, bytes, 0, debug_status);
            for (uint32_t i = 0; i < n; i++) {
                value = a.size == 1 ? run.b[i] : a.size == 2 ? run.w[i] : run.l[i];
                port_io(reach, &a, &value);
            }
        }
        *index += down ? -a.size : bytes;
        done += n, left -= n;
        if (rep)
            f->ecx -= n;
    }
    f->eip += a.length;
    return EMULATED;
}

/* What ring 3 may have emulated too, by its virtual IOPL (hv/ioemul.c): `cli`, `sti`, `in`, `out`.
 * Returns the instruction's length, or 0 for a #GP. */
static uint32_t emulate_io(struct vcpu *v, struct trap_frame *f, const uint8_t *insn, uint32_t fetched,
                           uint32_t *debug_status)
{
    struct port_access a;
    if (insn[0] == 0xFA || insn[0] == 0xFB)            /* cli, sti: allowed, and changing nothing */
        return iopl_allows(v, f) ? 1 : 0;
    if (!port_instruction(insn, f, &a) || a.length > fetched)
        return 0;
    return emulate_port_io(v, f, &a, debug_status) ? a.length : 0;
}

/* What only the guest kernel (ring 1) has emulated. Returns the instruction's length, 0 for a #GP
 * or EMULATE_UD_LENGTH for a #UD. */
#define EMULATE_UD_LENGTH 0xFFFFFFFFu
static uint32_t emulate_kernel_only(struct vcpu *v, struct trap_frame *f, const uint8_t *insn, uint32_t fetched)
{
    if (fetched < 2 || insn[0] != 0x0F)
        return 0;
    uint64_t msr;
    switch (insn[1]) {
    case 0x06:                                          /* clts */
        do_fpu_taskswitch(0, 0, 0, 0, 0);
        return 2;
    case 0x09:                                          /* wbinvd: caches are the monitor's (invd: #GP, as Xen) */
        return 2;
    case 0x32:                                          /* rdmsr */
        if (!read_msr(f->ecx, &msr))
            return 0;
        f->eax = (uint32_t)msr, f->edx = (uint32_t)(msr >> 32);
        return 2;
    case 0x30:                                          /* wrmsr */
        return write_msr(f->ecx, ((uint64_t)f->edx << 32) | f->eax) ? 2 : 0;
    }
    if (fetched < 3 || (insn[2] & 0xC0) != 0xC0)
        return 0;                                       /* only the register forms */
    uint32_t n = (insn[2] >> 3) & 7, *r = modrm_register(f, insn[2]);
    int ok;
    long value;
    switch (insn[1]) {
    case 0x20:                                          /* mov %crN, r32 */
        *r = read_control(v, n, &ok);
        return ok ? 3 : 0;
    case 0x22:                                          /* mov r32, %crN */
        return write_control(v, n, *r) ? 3 : 0;
    case 0x21:                                          /* mov %drN, r32: get_debugreg's answer */
        value = do_get_debugreg(n, 0, 0, 0, 0);
        if (value == -XEN_ENODEV)
            return EMULATE_UD_LENGTH;
        if ((unsigned long)value > (unsigned long)-256)
            return 0;                                   /* an errno, not a value */
        *r = (uint32_t)value;
        return 3;
    case 0x23:                                          /* mov r32, %drN: set_debugreg's checks */
        value = do_set_debugreg(n, *r, 0, 0, 0);
        return value == -XEN_ENODEV ? EMULATE_UD_LENGTH : value == 0 ? 3 : 0;
    }
    return 0;
}

/* An instruction carried out (EIP past it), or one round of a `rep` string one (EIP on it). */
static enum emulation finished(struct trap_frame *f, uint32_t *debug_status)
{
    f->eflags &= ~EFLAGS_RF;                            /* it completed: the next one's breakpoint counts */
    if (f->eflags & EFLAGS_TF)
        *debug_status |= DR6_BS;                        /* the step over it ends here */
    stats.emulated++;
    return EMULATED;
}

/* Tour step 4 (bounced trap): a #GP with error code 0 from the guest may be a privileged
 * instruction the monitor emulates: `cli`, `sti`, `in`, `out` by the virtual IOPL, from the kernel
 * or its applications; the rest from the kernel alone. EMULATED: EIP moved past it, and
 * *debug_status holds the DR6 bits of a #DB it raises on the way (a single step, an I/O
 * breakpoint), or 0. */
enum emulation emulate_privileged(struct vcpu *v, struct trap_frame *f, uint32_t *debug_status)
{
    uint8_t insn[3] = { 0, 0, 0 };
    uint32_t fetched = sizeof(insn), length = 0;
    while (fetched && copy_from_guest(insn, f->eip, fetched) < 0)
        fetched--;                                      /* a short instruction at a page's end */
    if (!fetched)
        return NOT_EMULATED;
    *debug_status = 0;
    enum emulation string = emulate_string_io(v, f, insn, fetched, debug_status);
    if (string == EMULATED_AS_PF)
        return string;
    if (string == EMULATED)
        return finished(f, debug_status);
    length = emulate_io(v, f, insn, fetched, debug_status);
    if (!length && (f->cs & 3) == 1)
        length = emulate_kernel_only(v, f, insn, fetched);
    if (length == EMULATE_UD_LENGTH)
        return EMULATED_AS_UD;
    if (!length)
        return NOT_EMULATED;
    f->eip += length;
    return finished(f, debug_status);
}
