/* grants_v2.c - a guest that switches its grant table to version 2 and back: 16-byte entries, the
 * status frames that hold GTF_reading and GTF_writing, sub-page grants for copies, and Xen's
 * answers to what version 2 refuses (guest ring 1, SDK). Runs as domain 0, granting to itself.
 */
#include "sdk.h"

#define SELF_ID 0
static int failures;
static uint8_t table_window[4096] __attribute__((aligned(4096)));   /* the table's first frame */
static uint8_t status_window[4096] __attribute__((aligned(4096)));  /* its status frame */
static uint8_t shared[4096] __attribute__((aligned(4096)));         /* the page we grant */
static uint8_t map_at[4096] __attribute__((aligned(4096)));         /* where we map grants */
static uint8_t reserved_at[4096] __attribute__((aligned(4096)));    /* where reserved entry 2 is mapped */
static uint8_t target[4096] __attribute__((aligned(4096)));         /* a copy destination */

static volatile struct grant_entry_v1 *v1 = (volatile struct grant_entry_v1 *)table_window;
static volatile union grant_entry_v2 *v2 = (volatile union grant_entry_v2 *)table_window;
static volatile grant_status_t *status = (volatile grant_status_t *)status_window;

/* map_at and shared may be the same bytes through two mappings: those accesses are volatile. */
#define AT(array, i) (((volatile uint8_t *)(array))[i])

static void check(int ok, const char *what)
{
    failures += !ok;
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
}

static int16_t map(unsigned ref, void *va, grant_handle_t *handle)
{
    struct gnttab_map_grant_ref op = { .host_addr = (uint32_t)(uintptr_t)va, .flags = GNTMAP_host_map,
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

static long set_version(uint32_t version, uint32_t *now)
{
    struct gnttab_set_version v = { version };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_set_version, &v, 1);
    *now = v.version;
    return rc;
}

static uint32_t get_version(void)
{
    struct gnttab_get_version v = { .dom = DOMID_SELF };
    HYPERVISOR_grant_table_op(GNTTABOP_get_version, &v, 1);
    return v.version;
}

/* A copy of 8 bytes from (ref, offset) into target: its status. */
static int16_t copy_from_ref(unsigned ref, uint16_t offset)
{
    struct gnttab_copy c = { .source = { .u.ref = ref, .domid = SELF_ID, .offset = offset },
                             .dest = { .u.gmfn = virt_to_mfn(target), .domid = DOMID_SELF },
                             .len = 8, .flags = GNTCOPY_source_gref };
    HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1);
    return c.status;
}

int main(void)
{
    traps_init();
    xen_pfn_t frames[2];
    struct gnttab_setup_table setup = { .dom = DOMID_SELF, .nr_frames = 2, .frame_list = frames };
    check(HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &setup, 1) == 0 && setup.status == GNTST_okay &&
          map_page(table_window, frames[0], PTE_P | PTE_RW | PTE_A | PTE_D) == 0, "setup_table: two frames, the first mapped");
    check(map_page(map_at, 0, 0) == 0 && map_page(reserved_at, 0, 0) == 0, "empty entries to map into");
    uint32_t now;
    check(get_version() == 1, "get_version: 1 at start");
    check(set_version(3, &now) == -XEN_EINVAL && now == 1, "set_version 3: -EINVAL, the table stays at 1");

    memset(shared, 0x5A, sizeof(shared));
    v1[2] = (struct grant_entry_v1){ .flags = GTF_permit_access, .domid = SELF_ID, .frame = virt_to_mfn(shared) };
    v1[9] = (struct grant_entry_v1){ .flags = GTF_permit_access, .domid = SELF_ID, .frame = virt_to_mfn(shared) };
    grant_handle_t reserved = 0, h = 0;
    check(map(2, reserved_at, &reserved) == GNTST_okay && map(9, map_at, &h) == GNTST_okay,
          "version 1: reserved entry 2 and entry 9 mapped");
    check(set_version(2, &now) == -XEN_EBUSY && now == 1, "set_version 2 while entry 9 is mapped: -EBUSY");
    check(unmap(map_at, h) == GNTST_okay, "entry 9 unmapped");
    struct gnttab_get_status_frames sf = { .nr_frames = 1, .dom = DOMID_SELF };
    uint64_t status_mfn = 0;
    sf.frame_list = &status_mfn;
    check(HYPERVISOR_grant_table_op(GNTTABOP_get_status_frames, &sf, 1) == 0 && sf.status == GNTST_general_error,
          "get_status_frames in version 1: GNTST_general_error");

    check(set_version(2, &now) == 0 && now == 2 && get_version() == 2,
          "set_version 2 with only a reserved entry mapped: done, get_version says 2");
    check(HYPERVISOR_grant_table_op(GNTTABOP_get_status_frames, &sf, 1) == 0 && sf.status == GNTST_okay && status_mfn,
          "get_status_frames: the one status frame for two table frames");
    sf.nr_frames = 2;
    check(HYPERVISOR_grant_table_op(GNTTABOP_get_status_frames, &sf, 1) == 0 && sf.status == GNTST_general_error,
          "get_status_frames of 2: GNTST_general_error (there is one)");
    check(map_page(status_window, (uint32_t)status_mfn, PTE_P | PTE_A) == 0, "the status frame mapped (read-only)");
    check(v2[2].hdr.flags == GTF_permit_access && v2[2].hdr.domid == SELF_ID && v2[2].full_page.frame == virt_to_mfn(shared),
          "reserved entry 2 kept its grant, in version 2's form");
    check(status[2] == (GTF_reading | GTF_writing), "and its status word says it is mapped (reading, writing)");
    check(AT(reserved_at, 100) == 0x5A, "its mapping still shows the page");

    v2[20] = (union grant_entry_v2){ .full_page = { { GTF_permit_access, SELF_ID }, 0, virt_to_mfn(shared) } };
    check(map(20, map_at, &h) == GNTST_okay && AT(map_at, 100) == 0x5A, "version 2: a full-page grant mapped");
    check(status[20] == (GTF_reading | GTF_writing) && v2[20].hdr.flags == GTF_permit_access,
          "its status word shows it in use; its flags stay as written");
    check(unmap(map_at, h) == GNTST_okay && status[20] == 0, "unmapped: its status word is clear");
    check(map(256 * 2, map_at, NULL) == GNTST_bad_gntref, "entry 512: past two frames of 256 entries, GNTST_bad_gntref");

    AT(shared, 200) = 0x11;
    v2[21] = (union grant_entry_v2){ .sub_page = { { GTF_permit_access | GTF_sub_page, SELF_ID }, 192, 64, virt_to_mfn(shared) } };
    check(copy_from_ref(21, 196) == GNTST_okay && AT(target, 4) == 0x11, "a sub-page grant: a copy inside its 64 bytes");
    check(copy_from_ref(21, 188) == GNTST_general_error && copy_from_ref(21, 252) == GNTST_general_error,
          "copies that start before it or end past it: GNTST_general_error");
    check(map(21, map_at, NULL) == GNTST_general_error, "mapping a sub-page grant: GNTST_general_error");
    v2[22] = (union grant_entry_v2){ .transitive = { { GTF_transitive, SELF_ID }, SELF_ID, 0, 20 } };
    check(map(22, map_at, NULL) == GNTST_general_error && copy_from_ref(22, 0) == GNTST_general_error,
          "a transitive grant: GNTST_general_error (not followed here)");

    check(set_version(1, &now) == 0 && now == 1 && get_version() == 1, "set_version 1: back");
    check(v1[2].flags == (GTF_permit_access | GTF_reading | GTF_writing) && v1[2].frame == virt_to_mfn(shared),
          "reserved entry 2 is a version 1 entry again, in use");
    check(unmap(reserved_at, reserved) == GNTST_okay && !(v1[2].flags & (GTF_reading | GTF_writing)),
          "unmapped: its flags are clear");
    printf("%s: %d failure(s)\n", failures ? "FAILED" : "all checks passed", failures);
    return failures;
}
