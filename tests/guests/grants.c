/* grants.c - a guest that grants a page to itself and maps, copies and unmaps it through the
 * grant table, and tries the grant operations Xen refuses (guest ring 1, SDK). Runs as domain 0.
 */
#include "sdk.h"

#define SELF_ID 0
static int failures;
static struct grant_entry_v1 *table;
static uint8_t gnt_window[4096] __attribute__((aligned(4096)));   /* where the table is mapped */
static uint8_t shared[4096] __attribute__((aligned(4096)));       /* the page we grant */
static uint8_t map_at[4096] __attribute__((aligned(4096)));       /* where we map the grant */
static uint8_t target[4096] __attribute__((aligned(4096)));       /* a copy destination */

/* map_at and shared may be the same bytes through two mappings, which the compiler cannot know:
 * every access that depends on it is volatile. */
#define AT(array, i) (((volatile uint8_t *)(array))[i])

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static int16_t map(unsigned ref, uint32_t flags, void *va, grant_handle_t *handle)
{
    struct gnttab_map_grant_ref op = { .host_addr = (uint32_t)(uintptr_t)va, .flags = GNTMAP_host_map | flags,
                                       .ref = ref, .dom = SELF_ID };
    HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
    if (handle)
        *handle = op.handle;
    return op.status;
}

static int16_t unmap(void *va, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = (uint32_t)(uintptr_t)va, .handle = handle };
    HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
    return op.status;
}

int main(void)
{
    traps_init();
    xen_pfn_t frames[2];
    struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 2, .frame_list = frames };
    check(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1) == 0 && setup.status == GNTST_okay, "setup_table: two frames");
    check(map_page(gnt_window, frames[0], PTE_P | PTE_RW | PTE_A | PTE_D) == 0, "the grant table's first frame mapped");
    table = (struct grant_entry_v1 *)gnt_window;
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    check(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &q, 1) == 0 && q.nr_frames == 2 && q.max_nr_frames == 32, "query_size: 2 of 32 frames");
    struct gnttab_setup_table too_many = { .dom = DOMID_SELF, .nr_frames = 33, .frame_list = frames };
    check(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &too_many, 1) == 0 && too_many.status == GNTST_general_error,
          "setup_table of 33 frames: GNTST_general_error (32 at most)");
    struct gnttab_set_version v = { .version = 3 };
    check(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &v, 1) == -XEN_EINVAL, "set_version 3: -EINVAL (1 or 2)");
    v.version = 1;
    check(HYPERVISOR_grant_table_op(GNTTABOP_set_version, &v, 1) == 0, "set_version 1");

    memset(shared, 0x5A, sizeof(shared));
    table[5] = (struct grant_entry_v1){ .domid = SELF_ID, .frame = virt_to_mfn(shared) };
    __asm__ volatile("" ::: "memory");
    table[5].flags = GTF_permit_access;
    table[6] = (struct grant_entry_v1){ .flags = GTF_permit_access, .domid = 7, .frame = virt_to_mfn(shared) };
    table[7] = (struct grant_entry_v1){ .flags = GTF_permit_access | GTF_readonly, .domid = SELF_ID, .frame = virt_to_mfn(shared) };

    check(map_page(map_at, 0, 0) == 0, "an empty entry to map into");
    grant_handle_t h = 0, h2 = 0;
    check(map(9999, 0, map_at, NULL) == GNTST_bad_gntref, "a bad grant reference: GNTST_bad_gntref");
    check(map(6, 0, map_at, NULL) == GNTST_permission_denied, "a grant for another domain: GNTST_permission_denied");
    check(map(7, 0, map_at, NULL) == GNTST_permission_denied, "a read-only grant mapped writable: GNTST_permission_denied");
    check(map(5, 0, (void *)0xF5800000, NULL) == GNTST_bad_virt_addr, "a mapping in the monitor area: GNTST_bad_virt_addr");
    check(map(5, 0, map_at, &h) == GNTST_okay, "map_grant_ref of our own grant");
    check((table[5].flags & (GTF_reading | GTF_writing)) == (GTF_reading | GTF_writing), "the entry shows it in use (reading, writing)");
    check(AT(map_at, 100) == 0x5A, "the mapping shows the granted page");
    AT(map_at, 100) = 0x77;
    check(AT(shared, 100) == 0x77, "and writes through it land there");
    xen_pfn_t victim = virt_to_mfn(shared);
    struct xen_memory_reservation r = { .extent_start = &victim, .nr_extents = 1, .domid = DOMID_SELF };
    check(hypercall2(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, &r) == 1 && AT(map_at, 100) == 0x77,
          "giving back a granted, mapped page: done, as in Xen, and it stays while in use");
    check(unmap(map_at, 31) == GNTST_bad_handle, "unmap with a bad handle: GNTST_bad_handle");
    check(unmap(target, h) == GNTST_general_error, "unmap at an address that does not map the grant: GNTST_general_error");
    check(unmap(map_at, h) == GNTST_okay && !(table[5].flags & (GTF_reading | GTF_writing)), "unmap_grant_ref; the entry is free again");
    check(map(7, GNTMAP_readonly, map_at, &h2) == GNTST_okay && AT(map_at, 100) == 0x77, "a read-only grant mapped read-only");
    check(unmap(map_at, h2) == GNTST_okay, "and unmapped");

    /* As in Xen, the entry of a grant mapping is an entry like any other: the guest may overwrite
     * it (an implicit unmap, which gives back what the entry held); unmap_grant_ref then finds
     * no mapping of the grant there and fails, and the grant stays in use until the domain ends. */
    grant_handle_t h3 = 0;
    check(map(5, 0, map_at, &h3) == GNTST_okay, "mapped again");
    check(map_page(map_at, virt_to_mfn(target), PTE_P | PTE_RW | PTE_A) == 0 && AT(map_at, 4) == AT(target, 4),
          "overwriting the grant mapping with update_va_mapping: accepted (an implicit unmap)");
    check(unmap(map_at, h3) == GNTST_general_error, "then unmap_grant_ref: GNTST_general_error");
    check((table[5].flags & (GTF_reading | GTF_writing)) == (GTF_reading | GTF_writing),
          "and the grant stays in use (it goes when the domain ends)");

    /* Bits 9-11 of an L1 entry are the guest's (GNU Mach keeps its "wired" bit there). */
    check(map_page(target, virt_to_mfn(target), PTE_P | PTE_RW | PTE_A | PTE_D | PTE_AVAIL) == 0,
          "an L1 entry with bits 9-11 set: accepted");
    uint32_t va = (uint32_t)(uintptr_t)target;
    const uint64_t *l1 = (const uint64_t *)mfn_to_virt((uint32_t)(((const uint64_t *)mfn_to_virt(
        (uint32_t)(((const uint64_t *)start_info->pt_base)[L3_INDEX(va)] >> PAGE_SHIFT)))[L2_INDEX(va)] >> PAGE_SHIFT));
    check((l1[L1_INDEX(va)] & PTE_AVAIL) == PTE_AVAIL, "and they read back as written");
    target[0] = 1;
    check(target[0] == 1, "the page works as ever");

    struct gnttab_copy c = { .source = { .u.ref = 5, .domid = SELF_ID, .offset = 96 },
                             .dest = { .u.gmfn = virt_to_mfn(target), .domid = DOMID_SELF, .offset = 0 },
                             .len = 8, .flags = GNTCOPY_source_gref };
    check(HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1) == 0 && c.status == GNTST_okay && target[4] == 0x77, "grant copy from a reference into our own frame");
    c.len = 4096;
    check(HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1) == 0 && c.status == GNTST_bad_copy_arg, "a copy past the page: GNTST_bad_copy_arg");
    check(HYPERVISOR_grant_table_op(99, NULL, 0) == -XEN_ENOSYS, "grant_table_op 99: -ENOSYS");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
