/* hog.c - a guest that makes one hypercall with a great deal to do (guest ring 1, SDK): a grant
 * copy of a page onto itself, 65536 times over (`hog=gntcopy`, 256 MiB copied; `hog=multicall`:
 * the same as the one entry of a multicall), or a buffer written to the console (`hog=console`,
 * `kib=` of it, 4096 at most). It says when the call began and ended; the monitor must have let other domains
 * run in between (the call continues in steps).
 */
#include "sdk.h"

#define HOG_OPS 65536
static struct gnttab_copy copies[HOG_OPS];
static char text[4 << 20];

static long grant_copies(int in_multicall)
{
    uint32_t mfn = virt_to_mfn(text);
    for (unsigned i = 0; i < HOG_OPS; i++)
        copies[i] = (struct gnttab_copy){ .source = { .u.gmfn = mfn, .domid = DOMID_SELF },
                                          .dest = { .u.gmfn = mfn, .domid = DOMID_SELF }, .len = 4096 };
    if (!in_multicall)
        return hypercall3(__HYPERVISOR_grant_table_op, GNTTABOP_copy, copies, HOG_OPS);
    struct multicall_entry call = { .op = __HYPERVISOR_grant_table_op,
                                    .args = { GNTTABOP_copy, (uint32_t)(uintptr_t)copies, HOG_OPS } };
    long rc = hypercall2(__HYPERVISOR_multicall, &call, 1);
    return rc ? rc : (long)call.result;
}

int main(void)
{
    char what[16] = "gntcopy", arg[8] = "4096";
    cmdline_option("hog", what, sizeof(what));
    cmdline_option("kib", arg, sizeof(arg));
    uint32_t kib = 0;
    for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
        kib = kib * 10 + (uint32_t)(*p - '0');
    uint32_t bytes = kib && kib <= sizeof(text) / 1024 ? kib * 1024 : sizeof(text);
    memset(text, '.', sizeof(text));
    uint64_t t0 = clock_ns();
    int console = strcmp(what, "console") == 0;
    long rc = console ? HYPERVISOR_console_io(CONSOLEIO_write, bytes, text)
                      : grant_copies(strcmp(what, "multicall") == 0);
    uint64_t t1 = clock_ns();
    for (unsigned i = 0; rc == 0 && !console && i < HOG_OPS; i++)
        rc = copies[i].status;
    printf("\none %s call from %llu to %llu us: %ld\n", what, (unsigned long long)(t0 / 1000),
           (unsigned long long)(t1 / 1000), rc);
    return rc != 0;
}
