/* hello.c - the first guest: it says where it runs and what it was given, then powers off
 * (guest ring 1, built with the guest SDK). */
#include "sdk.h"

int main(void)
{
    char name[32] = "(no name= given)";
    char extra[XEN_EXTRAVERSION_LEN] = "";
    long version = HYPERVISOR_xen_version(XENVER_version, NULL);

    HYPERVISOR_xen_version(XENVER_extraversion, extra);
    cmdline_option("name", name, sizeof(name));
    printf("Hello from ring %u\n", current_ring());
    printf("domain name: %s%s\n", name, start_info->flags & SIF_INITDOMAIN ? " (domain 0)" : "");
    printf("command line: \"%s\"\n", (const char *)start_info->cmd_line);
    printf("memory: %u KiB (%u pages)\n", start_info->nr_pages * 4, start_info->nr_pages);
    printf("monitor: Xen interface %ld.%ld%s\n", version >> 16, version & 0xFFFF, extra);
    return 0;
}
