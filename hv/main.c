/* main.c - the monitor's boot sequence (ring 0, interrupts off, on the boot stack).
 * The numbered "Tour" comments follow a boot from the first C line to power-off; docs/TOUR.md
 * lists them in order.
 */
#include "cmdline.h"
#include "domain.h"
#include "hv.h"
#include "memlayout.h"
#include "mmu.h"
#include "modules.h"
#include "multiboot.h"
#include "segments.h"
#include "traps.h"
#include "x86.h"

static struct boot_info boot;

/* Physical memory is reachable only through the direct map. */
static const void *read_phys(uint32_t pa, uint32_t len)
{
    if ((uint64_t)pa + len > DIRECTMAP_SIZE)
        return NULL;
    return phys_to_virt(pa);
}

static void apply_options(const char *args)
{
    char value[32];
    if (cmdline_get(args, "loglvl", value, sizeof(value)) && log_set_level(value) < 0)
        hv_warn("unknown loglvl=%s (use error, warning, info, debug or all)\n", value);
}

static void print_memory_map(void)
{
    static const char *const types[] = { "?", "available", "reserved", "ACPI data", "ACPI NVS", "bad" };
    hv_info("memory map (%s):\n", boot.loader[0] ? boot.loader : "unknown loader");
    for (unsigned i = 0; i < boot.nr_ranges; i++) {
        const struct mem_range *r = &boot.ranges[i];
        hv_info("  %016llx-%016llx %s\n", (unsigned long long)r->base,
                (unsigned long long)(r->base + r->length), r->type < ARRAY_SIZE(types) ? types[r->type] : "?");
    }
}

/* Tour step 3 (boot): machine frames. Free = available in the map, minus the first megabyte
 * (BIOS data, real-mode vectors), the monitor's image and every module. */
static void frames_setup(void)
{
    frames_init(&machine_frames, MAX_FRAMES);
    for (unsigned i = 0; i < boot.nr_ranges; i++)
        if (boot.ranges[i].type == MMAP_AVAILABLE)
            frames_add_range(&machine_frames, boot.ranges[i].base, boot.ranges[i].length);
    for (unsigned i = 0; i < boot.nr_ranges; i++)
        if (boot.ranges[i].type != MMAP_AVAILABLE)
            frames_reserve(&machine_frames, boot.ranges[i].base, boot.ranges[i].length);
    frames_reserve(&machine_frames, 0, HV_LOAD_PHYS);
    frames_reserve(&machine_frames, HV_LOAD_PHYS, virt_to_phys(_end) - HV_LOAD_PHYS);
    for (unsigned i = 0; i < boot.nr_modules; i++)
        frames_reserve(&machine_frames, boot.modules[i].start, boot.modules[i].end - boot.modules[i].start);
    hv_info("frames: %u free (%u KiB) below the %u MiB the monitor maps\n", machine_frames.nr_free,
            machine_frames.nr_free * 4, DIRECTMAP_SIZE >> 20);
}

/* Tour step 5 (boot): every module is a guest image; build a domain from each, in order, so
 * that the first becomes domain 0. A refused image is reported and the others still boot. */
static void build_domains(void)
{
    if (boot.nr_modules == 0) {
        hv_info("no guest images given: nothing to run\n");
        return;
    }
    for (unsigned i = 0; i < boot.nr_modules; i++) {
        const struct boot_module *m = &boot.modules[i];
        char name[64];
        cmdline_name(m->cmdline, name, sizeof(name));
        hv_info("module %u: %s at %08x-%08x (%u bytes), command line \"%s\"\n", i, name, m->start,
                m->end, m->end - m->start, cmdline_args(m->cmdline));
        if (m->end > DIRECTMAP_SIZE) {
            hv_err("module %u (%s) refused: it lies above the %u MiB the monitor maps\n", i, name,
                   DIRECTMAP_SIZE >> 20);
            refused_modules++;
            continue;
        }
        /* The modules after it whose command lines say "attach" are no domains: they go to this
         * one, as its modules (start_info.mod_start: Xen's "ramdisk", or a multiboot package of
         * several), each with its command line but that word. */
        static struct domain_module mods[MAX_DOMAIN_MODULES];
        unsigned n = 0, first = i;
        while (i + 1 < boot.nr_modules && n < MAX_DOMAIN_MODULES && boot.modules[i + 1].end <= DIRECTMAP_SIZE &&
               cmdline_get(cmdline_args(boot.modules[i + 1].cmdline), "attach", NULL, 0)) {
            const struct boot_module *a = &boot.modules[++i];
            mods[n] = (struct domain_module){ a->start, a->end - a->start, "" };
            cmdline_without(a->cmdline, "attach", mods[n].cmdline, sizeof(mods[n].cmdline));
            hv_info("module %u: attached to module %u's domain (%u bytes)\n", i, first, mods[n].len);
            n++;
        }
        domain_build(first, m->start, m->end - m->start, m->cmdline, mods, n);
    }
}

/* Tour step 4 (boot): the timer. Wait for a few ticks, so a broken PIC or IDT shows here. */
static void timer_start(void)
{
    timer_init();
    uint64_t start = timer_ticks();
    while (timer_ticks() < start + 3)
        halt_until_interrupt();
    hv_info("timer: PIT at %u Hz, ticking\n", TIMER_HZ);
    time_init();
    timer_one_shot();
    hv_info("timer: PIT one event at a time from now on: the next tick or the earliest guest timer\n");
}

/* Tour step 2 (boot): from the first C line. Paging is on (PAE), the monitor runs at
 * DIRECTMAP_START + 1 MiB, interrupts are off. */
void hv_main(uint32_t magic, uint32_t mbi_pa)
{
    const char *why;
    boot_tsc = rdtsc();
    console_init();
    segments_init();
    traps_init();
    tss_set_kernel_stack(cpu_stack_top());
    sysenter_init(cpu_stack_top());
    int parsed = multiboot_parse(magic, mbi_pa, read_phys, &boot, &why);
    const char *args = parsed == 0 ? cmdline_args(boot.cmdline) : "";
    apply_options(args);
    hv_info("hv %s: a paravirtualizing monitor for 32-bit x86 (Xen's x86_32p guest ABI)\n", HV_VERSION);
    if (parsed < 0) {
        hv_err("bad boot information: %s\n", why);
        power_off(HV_STATUS_BAD_BOOT, "bad boot information");
    }
    hv_info("command line: \"%s\"\n", args);
    hv_command_line = args;
    hv_info("paging: PAE on, monitor at %p-%p, direct map of %u MiB at %08x\n", (void *)_text,
            (void *)_end, DIRECTMAP_SIZE >> 20, DIRECTMAP_START);
    print_memory_map();
    frames_setup();
    mm_init();
    fpu_init();
    timer_start();

    char fault[16];
    if (cmdline_get(args, "selftest-fault", fault, sizeof(fault)))
        selftest_fault(fault);
    if (cmdline_get(args, "selftest-hang", NULL, 0)) {
        hv_info("selftest: hanging with the timer running, for the runner's timeout\n");
        for (;;)
            halt_until_interrupt();
    }

    build_domains();
    schedule();
}
