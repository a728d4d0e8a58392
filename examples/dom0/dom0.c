/* dom0.c - a small control domain: a command shell on the serial console that creates, lists,
 * pauses, unpauses, waits for, reads the console of and destroys domains, and the store the other
 * domains talk to (guest ring 1, domain 0). The policy lives here; the monitor only provides the
 * mechanism (domctl). New domains are built from the image domain 0 was given as its module:
 *     tools/hvrun build/examples/dom0.elf build/examples/hello.elf=attach
 * Commands: list, create NAME [SETTING=VALUE ...] (memory, maxmem, vcpus, weight, cap and extra,
 * as in a domain configuration file), pause ID, unpause ID, wait ID [SECONDS], console ID (attach; Ctrl-]
 * detaches), destroy ID,
 * mem ID KB, store [PATH], write PATH VALUE, disks, disk-read N LBA, disk-write N LBA TEXT,
 * disk-bench N REQUESTS, block-attach ID N VDEV, block-detach ID VDEV, block-list, quit.
 * Its command line may end in run=COMMAND; COMMAND; ...: those run first, as if typed (the rest of
 * the line is theirs). tools/hvrun gives "run=wait 1 T; quit" to run a domain's file under Bochs,
 * whose serial line takes no typing. With trace=WORD before it, the domctl of each pause or
 * unpause command that starts with WORD runs between two magic breakpoints (make lesson dom0: the
 * decision here, the mechanism below).
 */
#include "ata.h"
#include "blkback.h"
#include "sdk.h"
#include "xenstored.h"

static char line[128];
static volatile uint32_t line_len, line_ready;

/* Take what is typed, a character at a time, echoing it, until a whole line is there. Only the
 * shell reads (the upcall just wakes it), so text typed ahead is echoed after the prompt that
 * reads it. */
static int take_typed(void)
{
    char c;
    while (!line_ready && HYPERVISOR_console_io(CONSOLEIO_read, 1, &c) == 1) {
        if (c == '\n' || c == '\r') {
            line[line_len] = 0;
            line_ready = 1;
            printf("\n");
        } else if ((c == '\b' || c == 0x7F) && line_len) {
            line_len--;
            printf("\b \b");
        } else if (c >= ' ' && c < 0x7F && line_len < sizeof(line) - 1) {
            line[line_len++] = c;
            printf("%c", c);
        }
    }
    return line_ready;
}

static void on_console(evtchn_port_t port) { (void)port; }   /* waking read_line is all it does */

static void on_wake(evtchn_port_t port) { (void)port; }      /* the timer: waking is all */
static void on_domain_ended(evtchn_port_t port) { (void)port; blkback_domain_ended(); }

/* Serve the store and the disks once, then sleep until an event comes (a frontend's request, a
 * store client's, a domain's end: VIRQ_DOM_EXC) or the deadline passes, as a waiting toolstack
 * does: spinning instead would take the CPU from the domains it serves. */
static void serve_until(uint64_t deadline_ns)
{
    xsd_poll();
    blkback_poll();
    events_mask();
    if (xsd_kicked() || blkback_kicked()) {
        events_unmask();
        return;
    }
    timer_set(deadline_ns);
    block();                                   /* unmasks; returns at once if an event is pending */
}

/* Serve the store until a whole line has been typed, and take it. */
static const char *read_line(void)
{
    static char taken[sizeof(line)];
    for (;;) {
        xsd_poll();
        blkback_poll();
        events_mask();
        if (take_typed())
            break;
        if (xsd_kicked() || blkback_kicked())
            events_unmask();
        else
            block();                           /* unmasks; returns at once if an event is pending */
    }
    strlcpy(taken, line, sizeof(taken));
    line_len = line_ready = 0;
    events_unmask();
    return taken;
}

/* The next command of run= on the command line, or NULL when none are left. */
static const char *next_run_command(void)
{
    static const char *rest;
    static char command[sizeof(line)];
    static int started;
    if (!started) {
        started = 1;
        const char *run = strstr((const char *)start_info->cmd_line, "run=");
        rest = run && (run == (const char *)start_info->cmd_line || run[-1] == ' ') ? run + 4 : NULL;
    }
    while (rest && *rest == ' ')
        rest++;
    if (!rest || !*rest)
        return NULL;
    const char *end = rest;
    while (*end && *end != ';')
        end++;
    size_t n = (size_t)(end - rest);
    strlcpy(command, rest, n + 1 < sizeof(command) ? n + 1 : sizeof(command));
    rest = *end ? end + 1 : NULL;
    printf("%s\n", command);                    /* after the prompt, as if typed */
    return command;
}

/* The number at s (after spaces); *end: where it stops. */
static unsigned number_at(const char *s, const char **end)
{
    unsigned n = 0;
    while (*s == ' ')
        s++;
    while (*s >= '0' && *s <= '9')
        n = n * 10 + (unsigned)(*s++ - '0');
    *end = s;
    return n;
}

static unsigned number(const char *s)
{
    const char *end;
    return number_at(s, &end);
}

static const char *state(uint32_t flags)
{
    if (flags & XEN_DOMINF_shutdown)
        return (flags >> XEN_DOMINF_shutdownshift) == SHUTDOWN_poweroff ? "off" : "crashed";
    return flags & XEN_DOMINF_paused ? "paused" : flags & XEN_DOMINF_blocked ? "blocked" : "running";
}

static void list(void)
{
    struct hv_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo };
    printf("  id name             state    pages    max  cpu(ms)  disks\n");
    while (HYPERVISOR_domctl(&op) == 0) {
        struct hv_domaininfo *d = &op.u.getdomaininfo;
        char disks[64];
        blkback_list_domain(d->domain, disks, sizeof(disks));
        printf("  %2u %-16s %-8s %5u  %5u %8llu  %s\n", d->domain, d->name, state(d->flags), d->tot_pages,
               d->max_pages, (unsigned long long)(d->cpu_time / 1000000), disks[0] ? disks : "-");
        op.domain = d->domain + 1;
    }
}

/* xl.cfg(5)'s settings that `create` takes, and the monitor's option each becomes. */
static const struct { const char *setting, *option, *unit; } create_settings[] = {
    { "memory", "mem", "M" }, { "maxmem", "maxmem", "M" }, { "vcpus", "vcpus", "" },
    { "weight", "weight", "" }, { "cap", "cap", "" },
};

/* One "SETTING=VALUE" word of create's line as the monitor's option, appended to out; 0, or -1
 * for a setting it does not know. */
static int add_setting(const char *word, size_t len, char *out, size_t size)
{
    for (size_t i = 0; i < sizeof(create_settings) / sizeof(create_settings[0]); i++) {
        size_t n = strlen(create_settings[i].setting);
        if (len > n && strncmp(word, create_settings[i].setting, n) == 0 && word[n] == '=') {
            size_t used = strlen(out);
            format_snprintf(out + used, size - used, " %s=%.*s%s", create_settings[i].option,
                            (int)(len - n - 1), word + n + 1, create_settings[i].unit);
            return 0;
        }
    }
    return -1;
}

/* "create NAME [memory=MB] [maxmem=MB] [vcpus=N] [weight=N] [cap=P] [extra=LINE]": a domain from
 * domain 0's module with a domain configuration's settings (xl.cfg(5)); extra= takes the rest of
 * the line, the guest's whole command line. It starts paused, with 2 MiB unless memory= says. */
static void create(const char *args)
{
    char name[32], cmdline[256];
    const char *p = args, *word;
    size_t len = 0;
    while (*p && *p != ' ' && len < sizeof(name) - 1)
        name[len++] = *p++;
    name[len] = 0;
    format_snprintf(cmdline, sizeof(cmdline), "name=%s mem=2M", name);
    for (;;) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        if (strncmp(p, "extra=", 6) == 0 || strncmp(p, "cmdline=", 8) == 0) {
            size_t used = strlen(cmdline);
            format_snprintf(cmdline + used, sizeof(cmdline) - used, " -- %s", p + (p[0] == 'e' ? 6 : 8));
            break;
        }
        for (word = p; *p && *p != ' '; p++)
            ;
        if (add_setting(word, (size_t)(p - word), cmdline, sizeof(cmdline)) < 0) {
            printf("create: unknown setting %.*s (memory, maxmem, vcpus, weight, cap, extra)\n", (int)(p - word), word);
            return;
        }
    }
    domid_t id;
    struct hv_domaininfo info;
    long rc = domctl_create_from_module(cmdline, &id);
    if (rc < 0) {
        printf("create failed: %ld\n", rc);
        return;
    }
    if (domctl_info(id, &info) == 0 && info.domain == id && info.store_evtchn)
        xsd_introduce(id, info.store_evtchn, name);
    printf("created domain %u (%s), paused\n", id, name);
}

/* Tour step 2 (the store): connect the store to every domain the monitor built at boot: map its
 * granted ring, bind its port, write its name (xenstored.c's xsd_introduce). */
static void introduce_all(void)
{
    struct hv_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = 1 };
    while (HYPERVISOR_domctl(&op) == 0) {
        struct hv_domaininfo *d = &op.u.getdomaininfo;
        if (d->store_evtchn && xsd_introduce(d->domain, d->store_evtchn, d->name) == 0)
            printf("store: domain %u (%s) connected\n", d->domain, d->name);
        op.domain = d->domain + 1;
    }
}

static void destroy(unsigned id)
{
    xsd_release((domid_t)id);
    printf("%s\n", domctl_simple(XEN_DOMCTL_destroydomain, id) == 0 ? "destroyed" : "cannot");
}

/* "mem ID KB": the most memory a domain may grow to. */
static void set_memory(const char *args)
{
    const char *rest;
    struct hv_domctl op = { .cmd = XEN_DOMCTL_max_mem, .domain = (domid_t)number_at(args, &rest) };
    op.u.max_mem.max_memkb = number(rest);
    printf("%s\n", HYPERVISOR_domctl(&op) == 0 ? "memory ceiling set" : "cannot");
}

static void write_key(const char *args)
{
    char path[96];
    const char *space = args;
    while (*space && *space != ' ')
        space++;
    if (!*space || (size_t)(space - args) >= sizeof(path)) {
        printf("say: write PATH VALUE\n");
        return;
    }
    strlcpy(path, args, (size_t)(space - args) + 1);
    xsd_set(path, space + 1);
}

/* ---- the machine's disks (ata.c) ---------------------------------------------------------- */

static struct ata_disk disks[ATA_MAX_DISKS];
static unsigned nr_disks;

static void list_disks(void)
{
    for (unsigned i = 0; i < nr_disks; i++)
        printf("disk %u: %s, %u sectors (%u KiB), %u interrupts\n", i, disks[i].model, disks[i].sectors,
               disks[i].sectors / 2, ata_interrupts(disks[i].channel));
    if (!nr_disks)
        printf("no disks\n");
}

/* "disk-read N LBA": the sector's text, up to its first NUL (64 characters at most). */
static void disk_read(const char *args)
{
    static uint8_t sector[ATA_SECTOR_SIZE];
    const char *rest;
    unsigned n = number_at(args, &rest), lba = number(rest);
    if (n >= nr_disks || ata_read(&disks[n], lba, 1, sector) < 0) {
        printf("disk-read: cannot\n");
        return;
    }
    char text[65];
    unsigned len = 0;
    while (len < 64 && sector[len] >= ' ' && sector[len] < 0x7F)
        text[len] = (char)sector[len], len++;
    text[len] = 0;
    printf("disk %u sector %u: \"%s\"\n", n, lba, text);
}

static long ata_bench_io(void *disk, int write, uint32_t sector, void *buf)
{
    uint32_t count = DISK_BENCH_BLOCK / ATA_SECTOR_SIZE;
    return write ? ata_write(disk, sector, count, buf) : ata_read(disk, sector, count, buf);
}

/* "disk-bench N REQUESTS": make bench's disk workload on disk N by the driver itself, the figure
 * a domU's blkfront is compared with (tools/bench). It writes over the disk. */
static void disk_bench_direct(const char *args)
{
    const char *rest;
    unsigned n = number_at(args, &rest), requests = number(rest);
    if (n >= nr_disks || !requests || disk_bench("dom0", ata_bench_io, &disks[n], disks[n].sectors, requests) < 0)
        printf("disk-bench: cannot\n");
}

/* "disk-write N LBA TEXT": TEXT, NUL-padded to a sector, written and flushed. */
static void disk_write(const char *args)
{
    static uint8_t sector[ATA_SECTOR_SIZE];
    const char *rest;
    unsigned n = number_at(args, &rest), lba = number_at(rest, &rest);
    while (*rest == ' ')
        rest++;
    memset(sector, 0, sizeof(sector));
    strlcpy((char *)sector, rest, sizeof(sector));
    if (n >= nr_disks || ata_write(&disks[n], lba, 1, sector) < 0 || ata_flush(&disks[n]) < 0) {
        printf("disk-write: cannot\n");
        return;
    }
    printf("wrote disk %u sector %u\n", n, lba);
}

/* "block-attach ID N VDEV": the machine's disk N as domain ID's virtual disk VDEV (xvda, xvdb...,
 * or its number), as `xl block-attach` does. */
static unsigned parse_vdev(const char *s)
{
    while (*s == ' ')
        s++;
    if (strncmp(s, "xvd", 3) == 0 && s[3] >= 'a' && s[3] <= 'p' && !s[4])
        return XVD_MAJOR << 8 | (unsigned)(s[3] - 'a') << 4;
    return number(s);
}

static void block_attach(const char *args)
{
    const char *rest;
    unsigned id = number_at(args, &rest), n = number_at(rest, &rest), vdev = parse_vdev(rest);
    struct hv_domaininfo info;
    if (n >= nr_disks || !vdev || domctl_info((domid_t)id, &info) < 0 || info.domain != id ||
        blkback_attach((domid_t)id, &disks[n], n, vdev) < 0) {
        printf("block-attach: cannot\n");
        return;
    }
    printf("domain %u: disk %u is its vbd %u\n", id, n, vdev);
}

#define DETACH_TIMEOUT_S 10                    /* libxl's LIBXL_DESTROY_TIMEOUT */

/* "block-detach ID VDEV", as `xl block-detach`: the backend asks the frontend to close (Closing)
 * and the vbd goes when the frontend says Closed; one that has not closed within 10 s is removed
 * anyway, as libxl forces it, and is left with a ring nobody serves. */
static void block_detach(const char *args)
{
    const char *rest;
    unsigned id = number_at(args, &rest), vdev = parse_vdev(rest);
    int rc = blkback_detach((domid_t)id, vdev);
    if (rc < 0) {
        printf("block-detach: domain %u has no vbd %u\n", id, vdev);
        return;
    }
    uint64_t give_up = clock_ns() + DETACH_TIMEOUT_S * 1000000000ull;
    while (rc == 0 && blkback_present((domid_t)id, vdev) && clock_ns() < give_up)
        serve_until(give_up);
    if (blkback_present((domid_t)id, vdev)) {
        blkback_force_detach((domid_t)id, vdev);
        printf("domain %u: vbd %u did not close in %u s: removed anyway\n", id, vdev, DETACH_TIMEOUT_S);
    } else {
        printf("domain %u: vbd %u detached\n", id, vdev);
    }
}

/* Domain 0 drives the machine's devices: the I/O privilege a kernel asks for at boot (as Linux
 * does: PHYSDEVOP_set_iopl 1), then the disks. */
static void devices_init(void)
{
    struct physdev_set_iopl iopl = { 1 };
    HYPERVISOR_physdev_op(PHYSDEVOP_set_iopl, &iopl);
    nr_disks = ata_probe(disks);
    int used[2] = { 0, 0 };
    for (unsigned i = 0; i < nr_disks; i++)
        used[disks[i].channel] = 1;
    for (unsigned c = 0; c < 2; c++)
        if (used[c] && ata_use_interrupt(c) < 0)
            printf("disks: no interrupt for channel %u: polling\n", c);
}

/* "wait ID [SECONDS]": until the domain has ended, or the seconds (10 unless said) have passed. */
static void wait_for(const char *args)
{
    const char *rest;
    unsigned id = number_at(args, &rest), seconds = number(rest);
    struct hv_domctl op = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = (domid_t)id };
    uint64_t give_up = clock_ns() + (seconds ? seconds : 10) * 1000000000ull;
    long rc;
    while ((rc = HYPERVISOR_domctl(&op)) == 0 && op.domain == id && !(op.u.getdomaininfo.flags & XEN_DOMINF_shutdown) &&
           clock_ns() < give_up) {
        serve_until(give_up);
        op.domain = (domid_t)id;
    }
    if (rc < 0 || op.domain != id)
        printf("no domain %u\n", id);
    else
        printf("domain %u is %s\n", id, state(op.u.getdomaininfo.flags));
}

#define DETACH 0x1D                            /* Ctrl-], as in `xl console` */

/* Give the domain's console ring what was typed, waiting while its in[] is full. 0, or -1 when it
 * has no ring (domain 0) or has gone. */
static int type_into(unsigned id, const char *s, uint32_t len)
{
    while (len) {
        struct hv_domctl op = { .cmd = HV_DOMCTL_console_input, .domain = (domid_t)id };
        op.u.console_input.buffer = s;
        op.u.console_input.size = len;
        if (HYPERVISOR_domctl(&op) < 0)
            return -1;
        s += op.u.console_input.size;
        len -= op.u.console_input.size;
        if (len)
            HYPERVISOR_sched_op(SCHEDOP_yield, NULL);   /* let it read */
    }
    return 0;
}

/* console ID: what the domain printed lately, then the terminal is the domain's (what is typed
 * goes to its console ring, what it prints appears as ever) until Ctrl-], as `xl console`. */
static void console(unsigned id)
{
    static char text[1024];
    struct hv_domctl op = { .cmd = HV_DOMCTL_readconsole, .domain = (domid_t)id };
    op.u.readconsole.buffer = text;
    op.u.readconsole.size = sizeof(text);
    if (HYPERVISOR_domctl(&op) < 0) {
        printf("no domain %u\n", id);
        return;
    }
    printf("--- console of domain %u ---\n", id);
    console_write(text, op.u.readconsole.size);        /* all of it: printf holds 512 bytes */
    printf("--- end ---\n");
    struct hv_domctl probe = { .cmd = HV_DOMCTL_console_input, .domain = (domid_t)id };
    if (id == 0)
        return;
    if (HYPERVISOR_domctl(&probe) < 0) {       /* not running, or its ring is unusable */
        printf("--- domain %u has no console to type into: not attached ---\n", id);
        return;
    }
    printf("--- attached to domain %u: what you type goes to it; Ctrl-] detaches ---\n", id);
    for (;;) {                                 /* a character at a time: what follows Ctrl-] is the shell's */
        char c;
        xsd_poll();
        events_mask();
        if (HYPERVISOR_console_io(CONSOLEIO_read, 1, &c) != 1) {
            if (xsd_kicked())
                events_unmask();
            else
                block();                       /* unmasks; returns at once if an event is pending */
            continue;
        }
        events_unmask();
        if (c == DETACH) {
            printf("--- detached from domain %u ---\n", id);
            return;
        }
        if (type_into(id, &c, 1) < 0) {
            printf("--- domain %u has no console to type into now: detached ---\n", id);
            return;
        }
    }
}


/* trace=WORD: whether cmd is one whose domctl runs between magic breakpoints. */
static int traced(const char *cmd)
{
    static char word[16];
    static int read;
    if (!read) {
        read = 1;
        cmdline_option("trace", word, sizeof(word));
    }
    return word[0] && strncmp(cmd, word, strlen(word)) == 0;
}

/* A decision of domain 0's, carried out by the monitor in one domctl: between magic breakpoints
 * when the command is traced (make lesson dom0), its console line after them. */
static long decided(const char *cmd, uint32_t op, uint32_t id)
{
    int trace = traced(cmd);
    if (trace)
        GUEST_BREAK();                          /* the trace starts here */
    long rc = domctl_simple(op, id);
    if (trace)
        GUEST_BREAK();                          /* and stops here */
    return rc;
}

/* One command of the shell's; 1 when it was quit. */
static int run_command(const char *cmd)
{
    if (strcmp(cmd, "list") == 0)
        list();
    else if (strncmp(cmd, "create ", 7) == 0)
        create(cmd + 7);
    else if (strncmp(cmd, "pause ", 6) == 0)
        printf("%s\n", decided(cmd, XEN_DOMCTL_pausedomain, number(cmd + 6)) == 0 ? "paused" : "cannot");
    else if (strncmp(cmd, "unpause ", 8) == 0)
        printf("%s\n", decided(cmd, XEN_DOMCTL_unpausedomain, number(cmd + 8)) == 0 ? "unpaused" : "cannot");
    else if (strncmp(cmd, "destroy ", 8) == 0)
        destroy(number(cmd + 8));
    else if (strncmp(cmd, "block-attach ", 13) == 0)
        block_attach(cmd + 13);
    else if (strncmp(cmd, "block-detach ", 13) == 0)
        block_detach(cmd + 13);
    else if (strcmp(cmd, "block-list") == 0)
        blkback_list();
    else if (strcmp(cmd, "disks") == 0)
        list_disks();
    else if (strncmp(cmd, "disk-read ", 10) == 0)
        disk_read(cmd + 10);
    else if (strncmp(cmd, "disk-write ", 11) == 0)
        disk_write(cmd + 11);
    else if (strncmp(cmd, "disk-bench ", 11) == 0)
        disk_bench_direct(cmd + 11);
    else if (strcmp(cmd, "store") == 0)
        xsd_dump("/");
    else if (strncmp(cmd, "store ", 6) == 0)
        xsd_dump(cmd + 6);
    else if (strncmp(cmd, "write ", 6) == 0)
        write_key(cmd + 6);
    else if (strncmp(cmd, "mem ", 4) == 0)
        set_memory(cmd + 4);
    else if (strncmp(cmd, "wait ", 5) == 0)
        wait_for(cmd + 5);
    else if (strncmp(cmd, "console ", 8) == 0)
        console(number(cmd + 8));
    else if (strcmp(cmd, "quit") == 0)
        return 1;
    else
        printf("unknown command: %s\n", cmd);
    return 0;
}

int main(void)
{
    traps_init();
    events_init();
    bind_virq(VIRQ_CONSOLE, on_console);
    bind_virq(VIRQ_TIMER, on_wake);
    bind_virq(VIRQ_DOM_EXC, on_domain_ended);
    events_unmask();
    xsd_init();
    introduce_all();
    devices_init();
    printf("domain 0 shell: list, create NAME [memory= vcpus= extra= ...], pause ID, unpause ID, wait ID [SECONDS], console ID,\n"
           "                destroy ID, mem ID KB, store [PATH], write PATH VALUE, disks,\n"
           "                disk-read N LBA, disk-write N LBA TEXT, block-attach ID N VDEV,\n"
           "                block-detach ID VDEV, block-list, quit\n");
    for (;;) {
        printf("dom0> ");
        const char *cmd = next_run_command();
        if (cmd) {
            xsd_poll();                        /* what read_line would serve before it returns */
            blkback_poll();
        } else {
            cmd = read_line();
        }
        if (!cmd[0])
            continue;
        if (run_command(cmd))
            return 0;
    }
}
