/* guest_access.c - the one way the monitor reads or writes memory through a guest's address
 * (ring 0, in the current domain's address space). Every guest pointer crosses here.
 *
 * Two checks: the range must lie below HYPERVISOR_VIRT_START (a guest may not make the monitor
 * touch its own memory for it), and any page fault on the way (unmapped, or read-only with
 * CR0.WP on) is caught by traps.c, which resumes guest_copy at its fault exit.
 */
#include "domain.h"
#include "hv.h"

int guest_range_ok(uint32_t va, uint32_t len)
{
    return va <= HYPERVISOR_VIRT_START && len <= HYPERVISOR_VIRT_START - va;
}

/* Tour step 3 (hypercall): every handler reads a guest pointer through here (and writes through
 * copy_to_guest): the range is checked first, and a fault on the way is the guest's -EFAULT. */
int copy_from_guest(void *dst, uint32_t guest_va, uint32_t len)
{
    if (!guest_range_ok(guest_va, len) || guest_copy(dst, (const void *)(uintptr_t)guest_va, len) < 0)
        return -XEN_EFAULT;
    return 0;
}

int copy_to_guest(uint32_t guest_va, const void *src, uint32_t len)
{
    if (!guest_range_ok(guest_va, len) || guest_copy((void *)(uintptr_t)guest_va, src, len) < 0)
        return -XEN_EFAULT;
    return 0;
}

int copy_string_from_guest(char *dst, uint32_t guest_va, uint32_t size)
{
    if (size == 0)
        return -XEN_EINVAL;            /* no room even for the terminating NUL */
    for (uint32_t i = 0; i + 1 < size; i++) {
        if (copy_from_guest(&dst[i], guest_va + i, 1) < 0)
            return -XEN_EFAULT;
        if (!dst[i])
            return 0;
    }
    dst[size - 1] = '\0';
    return 0;
}
