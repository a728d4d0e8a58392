/* page_types.h - typed machine frames: the invariant that keeps the monitor safe under direct
 * paging. Pure code, host-tested (tests/host/test_page_types.c); docs/MEMORY.md explains it.
 *
 * Every machine frame has an owner and a type with a count of the references that need that
 * type: a writable mapping needs "writable", use as a page table of level N needs "L<N>", use
 * as a descriptor table needs "descriptor". While the count is above zero the type cannot change.
 * So a frame can never be a page table (or GDT/LDT) and writable by the guest at the same time,
 * and a guest can only change its page tables through the monitor, which checks every entry.
 */
#ifndef HV_PAGE_TYPES_H
#define HV_PAGE_TYPES_H
#include <stdint.h>
#include "frames.h"

typedef uint64_t pte_t;

enum frame_type {
    PGT_none,
    PGT_writable,              /* mapped writable by its owner */
    PGT_l1, PGT_l2,            /* page tables */
    PGT_l2_xen,                /* an L2 for L3 slot 3: it carries the monitor's entries */
    PGT_l3,
    PGT_seg_desc,              /* a GDT or LDT page */
};

/* A page table whose validation or release is under way: it stops between two entries when the
 * crossing has spent its budget, and goes on in the next (Xen's PGT_partial, XSA-45). While in
 * transit the table holds one type reference of its own, so nothing else can use the frame. */
enum frame_transit {
    TRANSIT_NONE,
    TRANSIT_VALIDATING,        /* entries [0, progress) hold their references */
    TRANSIT_RELEASING,         /* entries [0, progress) have given theirs back */
};

struct frame_info {
    uint16_t owner;            /* domain id; DOMID_XEN for the monitor's (free frames too),
                                * OWNER_ENDED: its domain ended while another still maps it */
    uint8_t type;              /* enum frame_type */
    uint8_t pinned;            /* the guest pinned it as a page table (holds one type reference) */
    uint8_t xenheap;           /* the monitor's page lent to the domain (shared_info, grant table) */
    uint8_t transit;           /* enum frame_transit */
    uint8_t given_back;        /* its domain gave it back while it was in use: it goes to the
                                * pool with its last reference (frame_unused) */
    uint16_t progress;         /* in transit: entries done so far */
    uint32_t type_count;       /* references that need the type */
    uint32_t ref_count;        /* all references: mappings and type uses */
    uint32_t next;             /* releasing: the next table in its owner's release queue */
};

extern struct frame_info frame_table[MAX_FRAMES];

/* Not an ABI domain id: the owner of a frame whose domain has ended but which another domain
 * still maps through a grant. It goes back to the pool when the last such mapping goes, as a
 * dying domain's pages linger in Xen; no one can map it anew. */
#define OWNER_ENDED 0x7FFE

/* How the pure code reaches a frame's contents (the monitor: its direct map). */
extern pte_t *(*frame_contents)(uint32_t mfn);
/* Why the last refusal happened (a fixed string), for the monitor's messages. */
extern const char *refusal;
/* Set when a mapping was removed or weakened in a table that may be live: flush the TLB. */
extern int tlb_flush_needed;
/* How the pure code flushes the TLB now (the monitor: reload CR3). A frame whose type changes
 * while a flush is pending is flushed out of every TLB first: a stale translation may still use
 * it in its old role (a writable mapping, an L1 the CPU walks, the slot-3 L2 whose entries the
 * PAE PDPTE registers still hold), and a frame is never anything but what it is typed as. This is
 * Xen's rule of flushing before a type change (its tlbflush_timestamp), for one CPU. */
extern void (*tlb_flush_now)(void);

/* The first L2 slot (of L3 slot 3's L2) that belongs to the monitor (HYPERVISOR_VIRT_START). */
#define FIRST_MONITOR_L2_SLOT 428
/* Filled in by the monitor: its entries for every slot-3 L2, from FIRST_MONITOR_L2_SLOT up. */
extern pte_t monitor_l2_entries[512];

void frame_table_init(void);
void frame_set_owner(uint32_t mfn, uint16_t owner);

/* The work budget of one crossing, in units of about one page-table entry validated or
 * released (a batch element or a grant operation costs one too, and 8 bytes cleared or copied
 * one): a crossing that has spent it stops (-XEN_ERESTART) and the hypercall continues, so no
 * single crossing costs more than this and one element, whatever the guest built. Every
 * page-table or grant hypercall (or the multicall it is an entry of) sets it afresh
 * (work_budget_start, hv/hypercall.c); the builder, which checks the monitor's own initial
 * tables, runs unlimited and leaves it at 0. */
#define WORK_BUDGET_CROSSING 2048
#define WORK_PAGE 512                  /* what clearing or copying a whole page costs */
#define WORK_UNLIMITED 0x7FFFFFFF
extern int32_t work_budget;

/* Drop one reference; a frame its domain gave back (given_back) goes with its last, through
 * frame_unused (the monitor: back to the pool), any pending TLB flush done first. Every
 * reference dropped anywhere goes through here. */
extern void (*frame_unused)(uint32_t mfn);
void put_frame_ref(uint32_t mfn);

/* Take or drop a typed reference for domain `dom`. get returns 0, or a negative Xen errno:
 * -XEN_EINVAL when the frame is not the domain's, is busy with another type, is in transit, or
 * (for a table) holds an entry the rules refuse; -XEN_ERESTART when a table's validation ran out
 * of budget (the same get, made again, goes on where it stopped and then holds the reference). */
int get_page_type(uint16_t dom, uint32_t mfn, enum frame_type type);
/* The last reference of a table starts its release, which the budget may leave unfinished: see
 * release_pending. */
void put_page_type(uint32_t mfn);

/* Release queues exist for owners below this (domain ids): per owner, the tables whose release
 * is under way, the newest first, linked through frame_info.next (FRAME_NONE: none). */
#define PT_OWNERS 64
extern uint32_t release_queue[PT_OWNERS];
int release_work(uint16_t owner);

/* Go on with the releases under way of the owner's tables, as the budget allows. Returns 1 while
 * some remain (the caller continues later), 0 when none is left (inline: before every element of
 * every page-table batch). */
static inline int release_pending(uint16_t owner)
{
    return owner < PT_OWNERS && release_queue[owner] != FRAME_NONE && release_work(owner);
}
/* The owner has ended and every frame of its is being given back: forget its queue. */
void release_forget(uint16_t owner);

/* The frame an entry points to, or FRAME_NONE past the frame table: an index into it taken from
 * an entry is bounded first, validated or not. (Address bits 32-51 set: far past it.) */
static inline uint32_t entry_frame(pte_t e)
{
    uint32_t mfn = (uint32_t)e >> PAGE_SHIFT;
    return ((uint32_t)(e >> 32) & 0xFFFFF) || mfn >= MAX_FRAMES ? FRAME_NONE : mfn;
}

/* Replace entry `slot` of table frame `table_mfn` (which must be in use as a table) by `e`,
 * taking the new entry's references before dropping the old one's. */
int mod_table_entry(uint16_t dom, uint32_t table_mfn, unsigned slot, pte_t e, int preserve_ad);

/* A grant mapping of the granter's frame, written into an empty entry of an L1 in use: the entry
 * takes the references an entry of the granter's own would take (Xen's grant PTE holds them like
 * any other), so overwriting it, clearing it or releasing the L1 gives them back the ordinary way.
 * 0, or -XEN_EINVAL (a writable mapping of a frame the granter uses as a table). */
int grant_entry_write(uint16_t granter, uint32_t l1_mfn, unsigned slot, pte_t e);
/* Whether entry `slot` of table `mfn` still holds the references its bits say: the table is in
 * use, or its release has not reached the slot yet. */
int table_entry_live(uint32_t mfn, unsigned slot);
/* Clear a live entry, giving back what it holds. */
void table_entry_clear(uint32_t mfn, unsigned slot);

/* 1, 2 or 3 for a page table of that level, 0 for any other type (on every page-table update:
 * inline). */
static inline int table_level(enum frame_type type)
{
    static const uint8_t level[] = { [PGT_l1] = 1, [PGT_l2] = 2, [PGT_l2_xen] = 2, [PGT_l3] = 3 };
    return (unsigned)type < sizeof(level) ? level[type] : 0;
}

/* A page table of any level whose validation is complete and that something uses. */
static inline int table_in_use(uint32_t mfn)
{
    if (mfn >= MAX_FRAMES)
        return 0;
    const struct frame_info *fi = &frame_table[mfn];
    return fi->type_count && table_level((enum frame_type)fi->type) && fi->transit == TRANSIT_NONE;
}

#endif
