/* version.c - what the monitor says it is: the xen_version hypercall's answers (the Xen interface
 * it follows, its own version, the capabilities string, the command line it was given) (ring 0).
 */
#include "domain.h"
#include "hv.h"

static long copy_string_out(uint32_t arg, const char *s, uint32_t size)
{
    char buf[XEN_CAPABILITIES_INFO_LEN];
    memset(buf, 0, size);
    strlcpy(buf, s, size);
    return copy_to_guest(arg, buf, size);
}

const char *hv_command_line = "";

/* The answers that are strings or structures, copied out to the guest's buffer (kept apart from
 * the numbers, which need no buffer on the monitor stack). */
static long __attribute__((noinline)) xen_version_copy_out(uint32_t cmd, uint32_t arg)
{
    switch (cmd) {
    case XENVER_extraversion:
        return copy_string_out(arg, HV_EXTRAVERSION, sizeof(xen_extraversion_t));
    case XENVER_compile_info: {
        struct xen_compile_info info;
        memset(&info, 0, sizeof(info));
        strlcpy(info.compiler, "gcc " __VERSION__, sizeof(info.compiler));
        strlcpy(info.compile_by, "hv", sizeof(info.compile_by));
        strlcpy(info.compile_domain, "hv", sizeof(info.compile_domain));
        strlcpy(info.compile_date, __DATE__, sizeof(info.compile_date));
        return copy_to_guest(arg, &info, sizeof(info));
    }
    case XENVER_capabilities:
        return copy_string_out(arg, "xen-3.0-x86_32p", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string_out(arg, "hv " HV_EXTRAVERSION, sizeof(xen_changeset_info_t));
    case XENVER_platform_parameters: {
        struct xen_platform_parameters p = { .virt_start = HYPERVISOR_VIRT_START };
        return copy_to_guest(arg, &p, sizeof(p));
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(&fi, arg, sizeof(fi)) < 0)
            return -XEN_EFAULT;
        if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
            return -XEN_EINVAL;
        fi.submap = 0;              /* none of the optional features (see ABI.md) */
        return copy_to_guest(arg, &fi, sizeof(fi));
    }
    case XENVER_guest_handle: {
        xen_domain_handle_t handle;
        memset(handle, 0, sizeof(handle));
        handle[15] = (uint8_t)current_domain()->id;
        return copy_to_guest(arg, handle, sizeof(handle));
    }
    case XENVER_commandline:
        return copy_string_out(arg, hv_command_line, sizeof(xen_commandline_t));
    default:
        return -XEN_ENOSYS;
    }
}

long do_xen_version(uint32_t cmd, uint32_t arg, uint32_t a3, uint32_t a4, uint32_t a5)
{
    (void)a3, (void)a4, (void)a5;
    switch (cmd) {
    case XENVER_version:
        return HV_XEN_VERSION;
    case XENVER_pagesize:
        return PAGE_SIZE;
    default:
        return xen_version_copy_out(cmd, arg);
    }
}

