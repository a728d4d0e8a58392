/* grants.c - the guest's side of grant tables (guest ring 1): offer a page of ours to another
 * domain, map a page another domain offers us, and give it back.
 * The first GNTTAB_NR_RESERVED_ENTRIES entries belong to the builder (entry 1: the store ring);
 * ours start after them.
 */
#include "sdk.h"

#define GRANT_ENTRIES (PAGE_SIZE / sizeof(struct grant_entry_v1))

static uint8_t table_window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));   /* our grant-table frame */
static struct grant_entry_v1 *table;
static grant_ref_t next_ref = GNTTAB_NR_RESERVED_ENTRIES;
static grant_ref_t ended[64];                 /* references grant_end gave back, to use again */
static unsigned nr_ended;

/* Ask the monitor for our (one-frame) grant table and map it where we can write entries. */
static long grant_table_init(void)
{
    xen_pfn_t frame;
    struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 1, .frame_list = &frame };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1);
    if (rc < 0 || setup.status != GNTST_okay)
        return rc < 0 ? rc : -XEN_EINVAL;
    if ((rc = map_page(table_window, frame, PTE_P | PTE_RW | PTE_A | PTE_D)) < 0)
        return rc;
    table = (struct grant_entry_v1 *)table_window;
    return 0;
}

long grant_access(domid_t domid, const void *page, int readonly)
{
    long rc;
    if (!table && (rc = grant_table_init()) < 0)
        return rc;
    grant_ref_t ref;
    if (nr_ended)
        ref = ended[--nr_ended];
    else if (next_ref < GRANT_ENTRIES)
        ref = next_ref++;
    else
        return -XEN_ENOSPC;
    table[ref].domid = domid;
    table[ref].frame = virt_to_mfn(page);
    __asm__ volatile("" ::: "memory");        /* the entry is complete before it becomes valid */
    table[ref].flags = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
    return ref;
}

long grant_end(grant_ref_t ref)
{
    if (!table || ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= next_ref)
        return -XEN_EINVAL;
    /* Clear the flags unless the other domain has the page mapped now (GTF_reading or
     * GTF_writing, which the monitor sets): it could go on using it. */
    uint16_t flags = __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
    do {
        if (!(flags & GTF_permit_access))
            return -XEN_EINVAL;                /* not offered now: ended already */
        if (flags & (GTF_reading | GTF_writing))
            return -XEN_EBUSY;
    } while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE));
    if (nr_ended < sizeof(ended) / sizeof(ended[0]))
        ended[nr_ended++] = ref;
    return 0;
}

long grant_map(domid_t domid, grant_ref_t ref, void *va, grant_handle_t *handle)
{
    struct gnttab_map_grant_ref m = { .host_addr = (uint32_t)(uintptr_t)va, .flags = GNTMAP_host_map,
                                      .ref = ref, .dom = domid };
    long rc = map_page(va, 0, 0);             /* an empty entry for the monitor to fill */
    if (rc < 0)
        return rc;
    rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
    if (rc < 0)
        return rc;
    *handle = m.handle;
    return m.status;
}

long grant_unmap(void *va, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref u = { .host_addr = (uint32_t)(uintptr_t)va, .handle = handle };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
    return rc < 0 ? rc : u.status;
}
