/* page_types.c - typed frames and page-table validation for direct paging (PAE).
 * Pure code: the monitor runs it on every page-table change a guest asks for (ring 0); the
 * host tests run it on fake frames. Every rule below returns -XEN_EINVAL unless noted.
 *
 * Rules for an entry a guest may write, by level (PAE, Intel SDM 4.4):
 *   L1: present -> the frame is the domain's; RW needs the frame to be typed writable (so never
 *       a page table or descriptor page); PWT, PCD, PAT, G and bits 52-63 are refused (bits 9-11
 *       are the guest's own). An entry the grant table wrote (grant_entry_write) holds the same
 *       references as any other, so overwriting it unmaps the grant implicitly, as in Xen.
 *   L2: present -> the frame becomes an L1 table (validated); superpages (PS) refused. An entry
 *       to an L2 ("linear" page tables) only read-only, to itself or to an L2 in use (Xen's rule),
 *       and never to the L2 that carries the monitor's entries.
 *   L3: only the present bit and the address; slot 3 must stay present, and its L2 becomes a
 *       monitor-carrying L2 (PGT_l2_xen), whose slots from FIRST_MONITOR_L2_SLOT are the
 *       monitor's: the guest may not write them (-XEN_EPERM).
 * Validating or releasing a whole table costs one unit of the crossing's budget per entry, and
 * stops between entries when the budget is spent (-XEN_ERESTART): docs/MEMORY.md, "Bounded work".
 */
#include "page_types.h"
#include "x86/paging.h"
#include "descriptor.h"
#include "kstring.h"
#include "xen.h"

struct frame_info frame_table[MAX_FRAMES];
pte_t *(*frame_contents)(uint32_t mfn);
int tlb_flush_needed;
void (*tlb_flush_now)(void);
const char *refusal;
void (*frame_unused)(uint32_t mfn);
pte_t monitor_l2_entries[512];
int32_t work_budget;

/* Per owner, the tables whose release is under way, the newest first (linked through `next`):
 * releasing a table can release the tables its entries used, which go to the front, so the
 * work is done depth first without recursion, however long a chain of tables a guest built. */
uint32_t release_queue[PT_OWNERS];
static int releasing;                  /* release_pending is running: a new release only queues */

/* The entry bits are lib/x86/paging.h's (PTE_PS in an L1 entry is PAT; NX is among the high bits,
 * unused here). */
#define L1_REFUSED (PTE_PWT | PTE_PCD | PTE_PS | PTE_G | PTE_HIGH_BITS)
#define L2_REFUSED (PTE_PWT | PTE_PCD | PTE_PS | PTE_G | PTE_HIGH_BITS)
#define L3_ALLOWED (PTE_P | PTE_ADDR_MASK)
/* Bits a guest built for a 64-bit Xen may set in an L3 entry, where they mean something; in a PAE
 * PDPTE they are reserved (SDM table 4-8), so the monitor drops them (see l3_accessed_bit). */
#define L3_DROPPED (PTE_RW | PTE_US | PTE_A | PTE_D)
#define ENTRIES L1_ENTRIES             /* in an L1 or an L2; an L3 has L3_ENTRIES */

void frame_table_init(void)
{
    for (uint32_t i = 0; i < MAX_FRAMES; i++)
        frame_table[i] = (struct frame_info){ .owner = DOMID_XEN };
    for (unsigned i = 0; i < PT_OWNERS; i++)
        release_queue[i] = FRAME_NONE;
}

void frame_set_owner(uint32_t mfn, uint16_t owner)
{
    frame_table[mfn] = (struct frame_info){ .owner = owner };
}

void put_frame_ref(uint32_t mfn)
{
    struct frame_info *fi = &frame_table[mfn];
    if (--fi->ref_count || !fi->given_back || !frame_unused)
        return;
    if (tlb_flush_needed) {            /* no stale translation may outlive the frame */
        tlb_flush_now();
        tlb_flush_needed = 0;
    }
    frame_unused(mfn);
}

static int owned_by(uint16_t dom, uint32_t mfn)
{
    return mfn < MAX_FRAMES && frame_table[mfn].owner == dom;
}

/* Which slots of a table the guest controls: the first guest_slots(type). */
static unsigned guest_slots(enum frame_type type)
{
    if (type == PGT_l3)
        return L3_ENTRIES;
    if (type == PGT_l2_xen)
        return FIRST_MONITOR_L2_SLOT;
    return ENTRIES;
}

static int guest_slot(enum frame_type type, unsigned slot)
{
    return slot < guest_slots(type);
}

/* l3_accessed_bit: RW, US, A and D are reserved in a PAE PDPTE (SDM table 4-8). But QEMU's TCG
 * sets bit 5 as if it were an accessed bit, so a guest that copies its own L3 entries brings it
 * along, and guests written for a 64-bit Xen (XTF) set RW, US, A and D in L3 entries, where they
 * are meaningful. The monitor clears these four rather than refusing the entry. */

/* Note why the last refusal happened, for the monitor's message; returns the error. */
static int refuse(int error, const char *why)
{
    refusal = why;
    return error;
}

/* ---- references held by one entry ------------------------------------------------------------ */

static int is_l2(uint8_t type) { return type == PGT_l2 || type == PGT_l2_xen; }

/* A linear (recursive) L2 entry, as Xen allows it: read-only, to this very table or to another
 * L2 already in use, which it then keeps in use. It lets a kernel read its page tables through
 * its own address space; writing them still goes through the monitor. Never to an L2 that
 * carries the monitor's entries: seen through a linear mapping, its 2 MiB direct-map entries
 * would act as 4 KiB entries and show the guest the first page of every 2 MiB of machine memory. */
static int get_linear(uint32_t self, enum frame_type table, uint32_t mfn, pte_t e)
{
    if (e & PTE_RW)
        return refuse(-XEN_EINVAL, "a writable linear (L2 to L2) entry");
    if (mfn == self ? table == PGT_l2_xen : frame_table[mfn].type == PGT_l2_xen)
        return refuse(-XEN_EINVAL, "a linear entry to the L2 that carries the monitor's entries");
    if (mfn == self)
        return 0;
    struct frame_info *fi = &frame_table[mfn];
    if (!is_l2(fi->type) || !table_in_use(mfn))
        return refuse(-XEN_EINVAL, "a linear entry to a frame not in use as an L2");
    fi->type_count++;
    fi->ref_count++;
    return 0;
}

static int get_entry(uint16_t dom, enum frame_type table, unsigned slot, pte_t e, uint32_t self)
{
    if (!(e & PTE_P))
        return 0;
    uint32_t mfn = entry_frame(e);
    if (!owned_by(dom, mfn))
        return refuse(-XEN_EINVAL, "the entry maps a frame the domain does not own");
    int rc;
    switch (table_level(table)) {
    case 1:
        if (e & L1_REFUSED)
            return refuse(-XEN_EINVAL, "L1 entry with refused bits (PWT, PCD, PAT, G, 52-63)");
        rc = (e & PTE_RW) ? get_page_type(dom, mfn, PGT_writable) : 0;
        break;
    case 2:
        if (e & L2_REFUSED)
            return refuse(-XEN_EINVAL, "L2 entry with refused bits (superpage, PWT, PCD, G, 52-63)");
        if (mfn == self || (is_l2(frame_table[mfn].type) && frame_table[mfn].type_count))
            rc = get_linear(self, table, mfn, e);
        else
            rc = get_page_type(dom, mfn, PGT_l1);
        break;
    default:
        if (e & ~L3_ALLOWED)
            return refuse(-XEN_EINVAL, "L3 entry with bits other than present and the address");
        rc = get_page_type(dom, mfn, slot == 3 ? PGT_l2_xen : PGT_l2);
        break;
    }
    if (rc == 0 && mfn != self)
        frame_table[mfn].ref_count++;
    return rc;
}

/* Give back what entry e of a table holds. The frame number is bounded whatever the entry says:
 * an index into the frame table is never taken on trust. */
static void put_entry(enum frame_type table, pte_t e, uint32_t self)
{
    if (!(e & PTE_P))
        return;
    uint32_t mfn = entry_frame(e);
    if (mfn == self || mfn == FRAME_NONE)
        return;                        /* a linear entry to itself holds nothing */
    if (table_level(table) != 1 || (e & PTE_RW))
        put_page_type(mfn);
    put_frame_ref(mfn);
}

/* ---- validating a whole table, a budget at a time ------------------------------------------ */

/* Before its first entry: the monitor's slots of a slot-3 L2, and the L3 rules on the whole. */
static int prepare_table(uint32_t mfn, enum frame_type type)
{
    pte_t *t = frame_contents(mfn);
    if (type == PGT_l2_xen)
        memcpy(&t[FIRST_MONITOR_L2_SLOT], &monitor_l2_entries[FIRST_MONITOR_L2_SLOT],
               (ENTRIES - FIRST_MONITOR_L2_SLOT) * sizeof(pte_t));
    if (type == PGT_l3 && !(t[3] & PTE_P))    /* slot 3 carries the monitor: it must be there */
        return refuse(-XEN_EINVAL, "L3 without slot 3 (the monitor's slot)");
    if (type == PGT_l3)
        for (unsigned i = 0; i < L3_ENTRIES; i++)
            t[i] &= ~L3_DROPPED;               /* see l3_accessed_bit below */
    return 0;
}

/* Step over the empty entries of t from i on (before end), one budget unit each, as far as the
 * budget goes: where the next present entry is, end, or where the budget ran out. Most of a
 * table is empty, and an empty entry holds nothing: this is the whole of its validation and
 * release. The present bit is in the entry's low word (Intel SDM 4.4.2). */
static unsigned skip_empty(const pte_t *t, unsigned i, unsigned end)
{
    unsigned start = i, limit = end;
    if (work_budget <= 0)
        limit = i;
    else if ((unsigned)work_budget < end - i)
        limit = i + (unsigned)work_budget;
    while (i + 4 <= limit && !((uint32_t)(t[i] | t[i + 1] | t[i + 2] | t[i + 3]) & PTE_P))
        i += 4;                        /* four at a time while all four are empty */
    while (i < limit && !((uint32_t)t[i] & PTE_P))
        i++;
    work_budget -= (int32_t)(i - start);
    return i;
}

static void put_entries(enum frame_type type, const pte_t *t, uint32_t mfn, unsigned upto)
{
    for (unsigned i = 0; i < upto; i++)
        if (guest_slot(type, i))
            put_entry(type, t[i], mfn);
}

/* Take the references of the entries from `progress` on, one budget unit each. Out of budget, or
 * when a table below ran out, the place is kept and -XEN_ERESTART returned; on a refused entry,
 * the entries before it give theirs back. The table cannot change meanwhile: it is typed as a
 * table (so mapped nowhere writable) and not in use (so mod_table_entry refuses it). */
static int validate_entries(uint16_t dom, uint32_t mfn, enum frame_type type)
{
    struct frame_info *fi = &frame_table[mfn];
    const pte_t *t = frame_contents(mfn);
    unsigned end = guest_slots(type);
    for (unsigned i = fi->progress;; i++) {
        i = skip_empty(t, i, end);
        if (i == end)
            return 0;
        int rc = work_budget > 0 ? (work_budget--, get_entry(dom, type, i, t[i], mfn)) : -XEN_ERESTART;
        if (rc == -XEN_ERESTART) {
            fi->progress = (uint16_t)i;
            return rc;
        }
        if (rc < 0) {
            put_entries(type, t, mfn, i);
            return rc;
        }
    }
}

/* A refused table takes nothing: not even its type. */
static void abandon_validation(struct frame_info *fi)
{
    fi->type_count = 0;
    fi->type = PGT_none;
    fi->transit = TRANSIT_NONE;
    fi->progress = 0;
    put_frame_ref((uint32_t)(fi - frame_table));
}

/* Go on validating a table in transit; whoever completes it holds the reference the transit
 * held (Xen's rule for a partially validated page: the next get of that type finishes it). */
static int finish_validation(uint16_t dom, uint32_t mfn, enum frame_type type)
{
    struct frame_info *fi = &frame_table[mfn];
    int rc = validate_entries(dom, mfn, type);
    if (rc == -XEN_ERESTART)
        return rc;
    if (rc < 0)
        abandon_validation(fi);
    fi->transit = TRANSIT_NONE;
    fi->progress = 0;
    return rc;
}

/* A table holds references to frames, which hold references to tables: a loop would validate
 * forever. The type is claimed first (with the transit's own reference), so a loop finds it busy. */
static int start_validation(uint16_t dom, uint32_t mfn, enum frame_type type)
{
    struct frame_info *fi = &frame_table[mfn];
    fi->type = (uint8_t)type;
    fi->type_count = 1;
    fi->ref_count++;
    fi->transit = TRANSIT_VALIDATING;
    fi->progress = 0;
    int rc = prepare_table(mfn, type);
    if (rc < 0) {
        abandon_validation(fi);
        return rc;
    }
    return finish_validation(dom, mfn, type);
}

/* ---- the type system's two operations ------------------------------------------------------ */

int get_page_type(uint16_t dom, uint32_t mfn, enum frame_type type)
{
    if (!owned_by(dom, mfn))
        return refuse(-XEN_EINVAL, "the frame is not the domain's");
    struct frame_info *fi = &frame_table[mfn];
    if (fi->transit == TRANSIT_RELEASING)
        return refuse(-XEN_EINVAL, "a table whose release is still under way");
    if (fi->transit == TRANSIT_VALIDATING)
        return fi->type == type ? finish_validation(dom, mfn, type)
                                : refuse(-XEN_EINVAL, "the frame is being validated as another table");
    if (fi->type_count == 0) {
        if (fi->type != type && tlb_flush_needed) {
            tlb_flush_now();               /* no stale translation sees it in its old role */
            tlb_flush_needed = 0;
        }
        if (table_level(type))
            return start_validation(dom, mfn, type);
        if (type == PGT_seg_desc && check_descriptor_page((uint64_t *)frame_contents(mfn)) < 0)
            return refuse(-XEN_EINVAL, "a descriptor the rules refuse (descriptor.c)");
        fi->type = (uint8_t)type;
    } else if (fi->type != type) {
        return refuse(-XEN_EINVAL, "the frame is in use as another type (a table, writable, descriptors)");
    }
    fi->type_count++;
    fi->ref_count++;
    return 0;
}

/* ---- releasing a table, a budget at a time -------------------------------------------------- */

/* The last use of a table has gone: its reference passes to the release, which queues the table
 * and gives its entries' references back as the budget allows. */
static void start_release(uint32_t mfn)
{
    struct frame_info *fi = &frame_table[mfn];
    fi->transit = TRANSIT_RELEASING;
    fi->progress = 0;
    if (fi->owner >= PT_OWNERS)
        return;                        /* never a table's owner: it would stay busy, never reused */
    fi->next = release_queue[fi->owner];
    release_queue[fi->owner] = mfn;
    if (!releasing)
        release_work(fi->owner);
}

void put_page_type(uint32_t mfn)
{
    struct frame_info *fi = &frame_table[mfn];
    if (fi->type_count == 1 && table_level((enum frame_type)fi->type) && fi->transit == TRANSIT_NONE) {
        start_release(mfn);
        return;
    }
    fi->type_count--;
    put_frame_ref(mfn);
}

/* Give back the entries of the table at the front of the queue, one budget unit each, until it is
 * done or a table it released comes in front of it. Returns 0 when out of budget. */
static int release_step(uint32_t *queue)
{
    uint32_t mfn = *queue;
    struct frame_info *fi = &frame_table[mfn];
    const pte_t *t = frame_contents(mfn);
    enum frame_type type = (enum frame_type)fi->type;
    unsigned end = guest_slots(type);
    while (*queue == mfn) {
        fi->progress = (uint16_t)skip_empty(t, fi->progress, end);
        if (fi->progress == end)
            break;
        if (work_budget <= 0)
            return 0;
        work_budget--;
        put_entry(type, t[fi->progress++], mfn);
    }
    if (*queue == mfn) {               /* every entry given back: the frame is free of its type */
        *queue = fi->next;
        fi->transit = TRANSIT_NONE;
        fi->progress = 0;
        fi->type_count = 0;
        put_frame_ref(mfn);
    }
    return 1;
}

int release_work(uint16_t owner)
{
    int more = 0;
    releasing = 1;
    while (release_queue[owner] != FRAME_NONE && !(more = !release_step(&release_queue[owner])))
        ;
    releasing = 0;
    return more;
}

void release_forget(uint16_t owner)
{
    if (owner < PT_OWNERS)
        release_queue[owner] = FRAME_NONE;
}

/* Tour step 2 (page-table update): the new entry takes its references before the old one gives
 * its own back, so a frame's counts never dip to zero in between. */
int mod_table_entry(uint16_t dom, uint32_t table_mfn, unsigned slot, pte_t e, int preserve_ad)
{
    if (!owned_by(dom, table_mfn) || !table_in_use(table_mfn) || slot >= ENTRIES)
        return refuse(-XEN_EINVAL, "not a page table of the domain in use");
    enum frame_type type = (enum frame_type)frame_table[table_mfn].type;
    if (!guest_slot(type, slot))
        return type == PGT_l2_xen ? refuse(-XEN_EPERM, "a slot of the monitor's area")
                                  : refuse(-XEN_EINVAL, "an L3 slot beyond the fourth");
    if (type == PGT_l3 && slot == 3 && !(e & PTE_P))
        return refuse(-XEN_EINVAL, "removing L3 slot 3 (the monitor's slot)");
    pte_t *t = frame_contents(table_mfn);
    pte_t old = t[slot];
    if (type == PGT_l3)
        e &= ~L3_DROPPED;                      /* see l3_accessed_bit below */
    if (preserve_ad)
        e |= old & (PTE_A | PTE_D);
    int rc = get_entry(dom, type, slot, e, table_mfn);
    if (rc < 0)
        return rc;
    t[slot] = e;
    if (old & PTE_P)
        tlb_flush_needed = 1;          /* before the old entry's frame can go (put_frame_ref) */
    put_entry(type, old, table_mfn);
    return 0;
}

/* ---- entries the grant table writes ---------------------------------------------------------- */

int grant_entry_write(uint16_t granter, uint32_t l1_mfn, unsigned slot, pte_t e)
{
    uint32_t mfn = entry_frame(e);
    if (!table_in_use(l1_mfn) || frame_table[l1_mfn].type != PGT_l1 || slot >= ENTRIES ||
        frame_contents(l1_mfn)[slot] & PTE_P || !owned_by(granter, mfn) || (e & L1_REFUSED))
        return refuse(-XEN_EINVAL, "not an empty entry of an L1 in use, or not the granter's frame");
    int rc = (e & PTE_RW) ? get_page_type(granter, mfn, PGT_writable) : 0;
    if (rc < 0)
        return rc;
    frame_table[mfn].ref_count++;
    frame_contents(l1_mfn)[slot] = e;
    return 0;
}

int table_entry_live(uint32_t mfn, unsigned slot)
{
    if (mfn >= MAX_FRAMES || slot >= ENTRIES)
        return 0;
    const struct frame_info *fi = &frame_table[mfn];
    return table_in_use(mfn) || (fi->transit == TRANSIT_RELEASING && slot >= fi->progress);
}

void table_entry_clear(uint32_t mfn, unsigned slot)
{
    pte_t *t = frame_contents(mfn);
    pte_t old = t[slot];
    t[slot] = 0;
    if (old & PTE_P)
        tlb_flush_needed = 1;
    put_entry((enum frame_type)frame_table[mfn].type, old, mfn);
}
