/* xen.h - Xen's public guest ABI for 32-bit PAE PV guests ("xen-3.0-x86_32p"), as this monitor
 * implements it: hypercall numbers, the address-space layout, the flat selectors, and the core
 * structures (start_info, shared_info, vcpu_info, trap_info, mmu_update, mmuext_op, multicall).
 * Written from xen/include/public/{xen.h,arch-x86/xen.h,arch-x86/xen-x86_32.h}; the monitor and
 * every guest include this one set. Numeric parts are usable from assembly (__ASSEMBLER__).
 */
#ifndef HV_ABI_XEN_H
#define HV_ABI_XEN_H

#include "types.h"
#include "errno.h"
#include "elfnote.h"

/* ---- Hypercall numbers: EAX for `int $0x82`, slot N of the hypercall page ---------------------- */
#define __HYPERVISOR_set_trap_table        0
#define __HYPERVISOR_mmu_update            1
#define __HYPERVISOR_set_gdt               2
#define __HYPERVISOR_stack_switch          3
#define __HYPERVISOR_set_callbacks         4
#define __HYPERVISOR_fpu_taskswitch        5
#define __HYPERVISOR_sched_op_compat       6
#define __HYPERVISOR_platform_op           7
#define __HYPERVISOR_set_debugreg          8
#define __HYPERVISOR_get_debugreg          9
#define __HYPERVISOR_update_descriptor    10
#define __HYPERVISOR_memory_op            12
#define __HYPERVISOR_multicall            13
#define __HYPERVISOR_update_va_mapping    14
#define __HYPERVISOR_set_timer_op         15
#define __HYPERVISOR_event_channel_op_compat 16
#define __HYPERVISOR_xen_version          17
#define __HYPERVISOR_console_io           18
#define __HYPERVISOR_physdev_op_compat    19
#define __HYPERVISOR_grant_table_op       20
#define __HYPERVISOR_vm_assist            21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                 23
#define __HYPERVISOR_vcpu_op              24
#define __HYPERVISOR_set_segment_base     25
#define __HYPERVISOR_mmuext_op            26
#define __HYPERVISOR_xsm_op               27
#define __HYPERVISOR_nmi_op               28
#define __HYPERVISOR_sched_op             29
#define __HYPERVISOR_callback_op          30
#define __HYPERVISOR_xenoprof_op          31
#define __HYPERVISOR_event_channel_op     32
#define __HYPERVISOR_physdev_op           33
#define __HYPERVISOR_hvm_op               34
#define __HYPERVISOR_sysctl               35
#define __HYPERVISOR_domctl               36
#define __HYPERVISOR_kexec_op             37
#define __HYPERVISOR_tmem_op              38
#define __HYPERVISOR_xc_reserved_op       39
#define __HYPERVISOR_xenpmu_op            40

#define HYPERCALL_SLOT_SIZE 32             /* bytes per hypercall in the hypercall page */

/* ---- The address space: the hypervisor owns everything from 0xF5800000 up ------------------------ */
#define HYPERVISOR_VIRT_START  0xF5800000
#define MACH2PHYS_VIRT_START   0xF5800000  /* the read-only machine-to-physical table */
#define MACH2PHYS_VIRT_END     0xF6800000
#define MACH2PHYS_NR_ENTRIES   ((MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) >> 2)

/* ---- Selectors: entries the hypervisor reserves at the top of every guest GDT ------------------- */
#define FIRST_RESERVED_GDT_PAGE  14
#define FIRST_RESERVED_GDT_BYTE  (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY (FIRST_RESERVED_GDT_BYTE / 8)

#define __HYPERVISOR_CS 0xe008   /* GDT entry 7169, RPL 0: the hypervisor's own code */
#define __HYPERVISOR_DS 0xe010   /* entry 7170, RPL 0: its data */
#define FLAT_RING1_CS 0xe019     /* GDT entry 7171, RPL 1: the guest kernel's code */
#define FLAT_RING1_DS 0xe021     /* entry 7172, RPL 1: its data and stack */
#define FLAT_RING1_SS 0xe021
#define FLAT_RING3_CS 0xe02b     /* entry 7173, RPL 3: applications' code */
#define FLAT_RING3_DS 0xe033     /* entry 7174, RPL 3: their data and stack */
#define FLAT_RING3_SS 0xe033
#define FLAT_KERNEL_CS FLAT_RING1_CS
#define FLAT_KERNEL_DS FLAT_RING1_DS
#define FLAT_KERNEL_SS FLAT_RING1_SS
#define FLAT_USER_CS   FLAT_RING3_CS
#define FLAT_USER_DS   FLAT_RING3_DS
#define FLAT_USER_SS   FLAT_RING3_SS

/* ---- mmu_update: the command is in the low two bits of `ptr` ------------------------------------ */
#define MMU_NORMAL_PT_UPDATE       0   /* ptr = machine address of a PTE, val = the new entry */
#define MMU_MACHPHYS_UPDATE        1   /* ptr = machine address of a frame, val = its new pfn */
#define MMU_PT_UPDATE_PRESERVE_AD  2   /* like NORMAL, keeping the accessed and dirty bits */
#define MMU_PT_UPDATE_NO_TRANSLATE 3

/* ---- mmuext_op commands --------------------------------------------------------------------------- */
#define MMUEXT_PIN_L1_TABLE        0
#define MMUEXT_PIN_L2_TABLE        1
#define MMUEXT_PIN_L3_TABLE        2
#define MMUEXT_PIN_L4_TABLE        3
#define MMUEXT_UNPIN_TABLE         4
#define MMUEXT_NEW_BASEPTR         5
#define MMUEXT_TLB_FLUSH_LOCAL     6
#define MMUEXT_INVLPG_LOCAL        7
#define MMUEXT_TLB_FLUSH_MULTI     8
#define MMUEXT_INVLPG_MULTI        9
#define MMUEXT_TLB_FLUSH_ALL      10
#define MMUEXT_INVLPG_ALL         11
#define MMUEXT_FLUSH_CACHE        12
#define MMUEXT_SET_LDT            13
#define MMUEXT_NEW_USER_BASEPTR   15
#define MMUEXT_CLEAR_PAGE         16
#define MMUEXT_COPY_PAGE          17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER         19
#define MMUEXT_UNMARK_SUPER       20

/* ---- update_va_mapping flags ---------------------------------------------------------------------- */
#define UVMF_NONE           0
#define UVMF_TLB_FLUSH      1
#define UVMF_INVLPG         2
#define UVMF_FLUSHTYPE_MASK 3
#define UVMF_MULTI          0   /* with a vCPU mask pointer in the upper bits */
#define UVMF_LOCAL          0
#define UVMF_ALL            4

/* ---- vm_assist ------------------------------------------------------------------------------------ */
#define VMASST_CMD_enable                 0
#define VMASST_CMD_disable                1
#define VMASST_TYPE_4gb_segments          0
#define VMASST_TYPE_4gb_segments_notify   1
#define VMASST_TYPE_writable_pagetables   2
#define VMASST_TYPE_pae_extended_cr3      3
#define VMASST_TYPE_architectural_iopl    4
#define VMASST_TYPE_runstate_update_flag  5
#define VMASST_TYPE_m2p_strict           32

/* ---- Domain ids ----------------------------------------------------------------------------------- */
#define DOMID_FIRST_RESERVED 0x7FF0
#define DOMID_SELF           0x7FF0
#define DOMID_IO             0x7FF1
#define DOMID_XEN            0x7FF2
#define DOMID_COW            0x7FF3
#define DOMID_INVALID        0x7FF4
#define DOMID_IDLE           0x7FFF

/* ---- start_info.flags ----------------------------------------------------------------------------- */
#define SIF_PRIVILEGED       (1 << 0)  /* may use privileged hypercalls */
#define SIF_INITDOMAIN       (1 << 1)  /* is domain 0, the initial domain */
#define SIF_MULTIBOOT_MOD    (1 << 2)  /* mod_start is a multiboot package (xen_multiboot_mod_list) */
#define SIF_MOD_START_PFN    (1 << 3)
#define SIF_VIRT_P2M_4TOOLS  (1 << 4)

#define XEN_LEGACY_MAX_VCPUS 32
#define NR_EVENT_CHANNELS    1024      /* 32 bits per word, squared, for 32-bit guests */

/* trap_info.flags: bits 0-1 the gate's DPL, bit 2 "mask events on entry" (like an interrupt gate). */
#define TI_GET_DPL(ti)   ((ti)->flags & 3)
#define TI_GET_IF(ti)    ((ti)->flags & 4)
#define TI_SET_DPL(ti, dpl) ((ti)->flags = ((ti)->flags & ~3) | (dpl))
#define TI_SET_IF(ti, on)   ((ti)->flags = ((ti)->flags & ~4) | ((on) ? 4 : 0))

#define XEN_START_INFO_MAGIC_X86_32P "xen-3.0-x86_32p"

#ifndef __ASSEMBLER__

/* An entry of the virtual IDT a guest registers with set_trap_table; the table ends at address 0. */
struct trap_info {
    uint8_t  vector;
    uint8_t  flags;
    uint16_t cs;
    uint32_t address;
};
ABI_SIZE(struct trap_info, 8);
ABI_OFFSET(struct trap_info, cs, 2);
ABI_OFFSET(struct trap_info, address, 4);

/* A guest's registers as Xen lays them out (vcpu_op initialise, the frames of some hypercalls). */
struct cpu_user_regs {
    uint32_t ebx, ecx, edx, esi, edi, ebp, eax;
    uint16_t error_code, entry_vector;
    uint32_t eip;
    uint16_t cs;
    uint8_t  saved_upcall_mask, _pad0;
    uint32_t eflags, esp;
    uint16_t ss, _pad1, es, _pad2, ds, _pad3, fs, _pad4, gs, _pad5;
};
ABI_SIZE(struct cpu_user_regs, 68);
ABI_OFFSET(struct cpu_user_regs, error_code, 28);
ABI_OFFSET(struct cpu_user_regs, eip, 32);
ABI_OFFSET(struct cpu_user_regs, saved_upcall_mask, 38);
ABI_OFFSET(struct cpu_user_regs, eflags, 40);
ABI_OFFSET(struct cpu_user_regs, ss, 48);
ABI_OFFSET(struct cpu_user_regs, gs, 64);

/* Time: system_time (ns since boot) was exact at tsc_timestamp; a guest adds
 * ((rdtsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul >> 32. `version` is odd during an
 * update: read it, read the fields, and retry if it changed or was odd. */
struct vcpu_time_info {
    uint32_t version;
    uint32_t pad0;
    uint64_t tsc_timestamp;
    uint64_t system_time;
    uint32_t tsc_to_system_mul;
    int8_t   tsc_shift;
    int8_t   pad1[3];
};
ABI_SIZE(struct vcpu_time_info, 32);
ABI_OFFSET(struct vcpu_time_info, tsc_timestamp, 8);
ABI_OFFSET(struct vcpu_time_info, system_time, 16);
ABI_OFFSET(struct vcpu_time_info, tsc_to_system_mul, 24);
ABI_OFFSET(struct vcpu_time_info, tsc_shift, 28);

struct arch_vcpu_info {
    uint32_t cr2;                 /* the faulting address of the last #PF bounced to the guest */
    uint32_t pad[5];
};
ABI_SIZE(struct arch_vcpu_info, 24);

/* Per-vCPU state shared with the guest. evtchn_upcall_mask is the guest's virtual IF (1 = events
 * masked, the `cli` of a PV kernel); evtchn_upcall_pending says an upcall is waiting. */
struct vcpu_info {
    uint8_t  evtchn_upcall_pending;
    uint8_t  evtchn_upcall_mask;
    uint8_t  _pad0[2];
    xen_ulong_t evtchn_pending_sel;   /* which words of shared_info.evtchn_pending to scan */
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;
};
ABI_SIZE(struct vcpu_info, 64);
ABI_OFFSET(struct vcpu_info, evtchn_upcall_mask, 1);
ABI_OFFSET(struct vcpu_info, evtchn_pending_sel, 4);
ABI_OFFSET(struct vcpu_info, arch, 8);
ABI_OFFSET(struct vcpu_info, time, 32);

struct arch_shared_info {
    uint32_t max_pfn;                      /* pseudo-physical frames the domain has */
    xen_pfn_t pfn_to_mfn_frame_list_list;
    uint32_t nmi_reason;
    uint32_t p2m_cr3, p2m_vaddr, p2m_generation;
    uint32_t wc_sec_hi;
};
ABI_SIZE(struct arch_shared_info, 28);

/* The page every domain shares with the monitor (its machine address is start_info.shared_info). */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    xen_ulong_t evtchn_pending[32];        /* one bit per event-channel port */
    xen_ulong_t evtchn_mask[32];
    uint32_t wc_version;                   /* wallclock at system time 0, same protocol as time */
    uint32_t wc_sec;
    uint32_t wc_nsec;
    struct arch_shared_info arch;
};
ABI_OFFSET(struct shared_info, evtchn_pending, 2048);
ABI_OFFSET(struct shared_info, evtchn_mask, 2176);
ABI_OFFSET(struct shared_info, wc_version, 2304);
ABI_OFFSET(struct shared_info, wc_sec, 2308);
ABI_OFFSET(struct shared_info, wc_nsec, 2312);
ABI_OFFSET(struct shared_info, arch, 2316);
ABI_SIZE(struct shared_info, 2344);

/* What the builder leaves for a guest at start of day; ESI holds its virtual address. */
/* A multiboot package (SIF_MULTIBOOT_MOD): these descriptors at its start, one per module and a
 * last one whose mod_start is 0; every address in them counts from the package's first byte
 * (mod_end, as the loaders fill it, is the first byte past the module). */
struct xen_multiboot_mod_list {
    uint32_t mod_start;
    uint32_t mod_end;
    uint32_t cmdline;              /* a NUL-terminated command line */
    uint32_t pad;
};
ABI_SIZE(struct xen_multiboot_mod_list, 16);

struct start_info {
    char magic[32];                /* "xen-3.0-x86_32p" */
    uint32_t nr_pages;
    uint32_t shared_info;          /* machine address of the shared_info page */
    uint32_t flags;                /* SIF_* */
    xen_pfn_t store_mfn;
    uint32_t store_evtchn;
    union {
        struct {
            xen_pfn_t mfn;         /* machine frame of the console ring */
            uint32_t evtchn;       /* the event channel that signals it */
        } domU;
        struct {
            uint32_t info_off;     /* domain 0: offset of console information in start_info */
            uint32_t info_size;
        } dom0;
    } console;
    uint32_t pt_base;              /* virtual address of the initial L3 */
    uint32_t nr_pt_frames;
    uint32_t mfn_list;             /* virtual address of the p2m list */
    uint32_t mod_start;            /* virtual address of a module (or its pfn, SIF_MOD_START_PFN) */
    uint32_t mod_len;
    int8_t cmd_line[1024];
    uint32_t first_p2m_pfn;
    uint32_t nr_p2m_frames;
};
ABI_SIZE(struct start_info, 1112);
ABI_OFFSET(struct start_info, nr_pages, 32);
ABI_OFFSET(struct start_info, shared_info, 36);
ABI_OFFSET(struct start_info, flags, 40);
ABI_OFFSET(struct start_info, store_mfn, 44);
ABI_OFFSET(struct start_info, store_evtchn, 48);
ABI_OFFSET(struct start_info, console, 52);
ABI_OFFSET(struct start_info, pt_base, 60);
ABI_OFFSET(struct start_info, nr_pt_frames, 64);
ABI_OFFSET(struct start_info, mfn_list, 68);
ABI_OFFSET(struct start_info, mod_start, 72);
ABI_OFFSET(struct start_info, mod_len, 76);
ABI_OFFSET(struct start_info, cmd_line, 80);
ABI_OFFSET(struct start_info, first_p2m_pfn, 1104);

/* mmu_update: one page-table (or M2P) update. */
struct mmu_update {
    uint64_t ptr;
    uint64_t val;
};
ABI_SIZE(struct mmu_update, 16);

struct mmuext_op {
    uint32_t cmd;                  /* MMUEXT_* */
    union {
        xen_pfn_t mfn;             /* PIN_*, UNPIN, NEW_BASEPTR, CLEAR_PAGE, COPY_PAGE (dest) */
        uint32_t linear_addr;      /* INVLPG_*, SET_LDT */
    } arg1;
    union {
        uint32_t nr_ents;          /* SET_LDT */
        XEN_GUEST_HANDLE(const void) vcpumask;   /* TLB_FLUSH_MULTI, INVLPG_MULTI */
        xen_pfn_t src_mfn;         /* COPY_PAGE */
    } arg2;
};
ABI_SIZE(struct mmuext_op, 12);
ABI_OFFSET(struct mmuext_op, arg1, 4);
ABI_OFFSET(struct mmuext_op, arg2, 8);

/* multicall: a batch of hypercalls in one crossing; each result lands in `result`. */
struct multicall_entry {
    uint32_t op;
    uint32_t result;
    uint32_t args[6];
};
ABI_SIZE(struct multicall_entry, 32);

#endif /* __ASSEMBLER__ */

#include "callback.h"
#include "console.h"
#include "event_channel.h"
#include "grant_table.h"
#include "memory.h"
#include "physdev.h"
#include "sched.h"
#include "vcpu.h"
#include "version.h"
#include "hv-ext.h"
#include "domctl.h"
#include "xs_wire.h"

#endif
