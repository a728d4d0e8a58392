/* domain_build.c - the domain builder: a Multiboot module becomes a domain, set up exactly as Xen's
 * builder sets up a 32-bit PAE PV guest (ring 0, at boot, on the monitor's own page tables).
 *
 * Its steps are the tour's "Building a domain" (docs/TOUR.md): the image and the options, the
 * layout (layout.c), memory, the image loaded, the page tables and the pages beside them, the
 * registers.
 * The builder writes guest memory through the direct map (the frames are the monitor's to fill
 * until the domain first runs), never through a guest address.
 */
#include "cmdline.h"
#include "domain.h"
#include "elf.h"
#include "frames.h"
#include "hv.h"
#include "layout.h"
#include "memlayout.h"
#include "mmu.h"
#include "modules.h"
#include "page_types.h"

#define DEFAULT_MEM_KB (4 * 1024)

static void *guest_page(const struct domain *d, uint32_t pfn)
{
    return phys_to_virt(d->p2m[pfn] << PAGE_SHIFT);
}

/* The monitor's options for this domain, on its module's command line:
 * "IMAGE [mem=N[K|M]] [maxmem=N[K|M]] [name=S] [weight=N] [cap=PERCENT] [vcpus=N] [paused]
 * [anything else]": a paused domain waits for domain 0's unpause (its devices attached first, as
 * xl's are). The guest sees the whole line after IMAGE as its
 * own command line, as Xen's domain 0 sees its module's line: it ignores what it does not know. */
struct build_options {
    uint32_t mem_kb, maxmem_kb;
    uint32_t weight, cap;
    uint32_t vcpus;
    int multiboot;             /* modules=multiboot: its modules as a multiboot package */
    int paused;                /* it starts paused, for domain 0 to unpause */
    char name[DOMAIN_NAME_MAX];
};

static int parse_size_kb(const char *s, uint32_t *kb)
{
    uint32_t v = 0;
    if (*s < '0' || *s > '9')
        return -1;
    while (*s >= '0' && *s <= '9' && v < 0x100000)
        v = v * 10 + (uint32_t)(*s++ - '0');
    if (*s == 'M' || *s == 'm')
        v *= 1024, s++;
    else if (*s == 'K' || *s == 'k')
        s++;
    else
        v *= 1024;                     /* a bare number is MiB, as in Xen's xl */
    *kb = v;
    return *s ? -1 : 0;
}

static int parse_number(const char *s, uint32_t *n)
{
    *n = 0;
    if (*s < '0' || *s > '9')
        return -1;
    while (*s >= '0' && *s <= '9' && *n < 0x1000000)
        *n = *n * 10 + (uint32_t)(*s++ - '0');
    return *s ? -1 : 0;
}

static int read_options(const char *args, struct build_options *o, const char **why)
{
    char value[32];
    o->mem_kb = DEFAULT_MEM_KB;
    o->name[0] = '\0';
    if (cmdline_get(args, "mem", value, sizeof(value)) && (parse_size_kb(value, &o->mem_kb) < 0 || o->mem_kb < 64)) {
        *why = "bad mem= (write e.g. mem=4M or mem=2048K)";
        return -1;
    }
    o->weight = o->cap = 0;
    if (cmdline_get(args, "weight", value, sizeof(value)) && (parse_number(value, &o->weight) < 0 || !o->weight || o->weight > 65535)) {
        *why = "bad weight= (1 to 65535)";
        return -1;
    }
    if (cmdline_get(args, "cap", value, sizeof(value)) && (parse_number(value, &o->cap) < 0 || !o->cap || o->cap > 100)) {
        *why = "bad cap= (a percentage, 1 to 100)";
        return -1;
    }
    o->vcpus = 1;
    if (cmdline_get(args, "vcpus", value, sizeof(value)) &&
        (parse_number(value, &o->vcpus) < 0 || !o->vcpus || o->vcpus > HV_MAX_VCPUS)) {
        *why = "bad vcpus= (1 to 8)";
        return -1;
    }
    o->maxmem_kb = o->mem_kb;
    if (cmdline_get(args, "maxmem", value, sizeof(value)) &&
        (parse_size_kb(value, &o->maxmem_kb) < 0 || o->maxmem_kb < o->mem_kb)) {
        *why = "bad maxmem= (at least mem=, e.g. maxmem=8M)";
        return -1;
    }
    if (cmdline_get(args, "name", o->name, sizeof(o->name)) && !o->name[0]) {
        *why = "empty name=";
        return -1;
    }
    o->multiboot = cmdline_get(args, "modules", value, sizeof(value)) && strcmp(value, "multiboot") == 0;
    o->paused = cmdline_get(args, "paused", value, sizeof(value));
    return 0;
}

/* The default name: the image's file name without directories or extension. */
static void default_name(const char *cmdline, char *name, size_t size)
{
    char path[128];
    cmdline_name(cmdline, path, sizeof(path));
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            base = p + 1;
    strlcpy(name, base, size);
    for (char *p = name; *p; p++)
        if (*p == '.')
            *p = '\0';
}

/* Tour step 3 (building a domain): memory, frame by frame (so pfn -> mfn is a real mapping, not an offset). */
static int give_memory(struct domain *d, uint32_t nr_pages)
{
    d->p2m_frames = (nr_pages * 4 + PAGE_SIZE - 1) / PAGE_SIZE;
    d->p2m_mfn = frames_alloc_contig(&machine_frames, d->p2m_frames);
    if (d->p2m_mfn == FRAME_NONE)
        return -1;
    d->p2m = phys_to_virt(d->p2m_mfn << PAGE_SHIFT);
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++) {
        uint32_t mfn = frame_take(d->id);
        if (mfn == FRAME_NONE)
            return -1;
        d->p2m[pfn] = mfn;
        d->nr_pages = pfn + 1;
        m2p_set(mfn, pfn);
    }
    return 0;
}

/* Tour step 4 (building a domain): copy each segment into the guest's pages; the rest of memsz stays zero. */
static void load_image(struct domain *d, const struct layout *l, const uint8_t *image, const struct guest_image *g)
{
    for (unsigned i = 0; i < g->nr_segments; i++) {
        const struct guest_segment *s = &g->segments[i];
        for (uint32_t done = 0; done < s->filesz; ) {
            uint32_t va = s->vaddr + done;
            uint32_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
            if (chunk > s->filesz - done)
                chunk = s->filesz - done;
            memcpy((uint8_t *)guest_page(d, layout_pfn(l, va)) + (va & (PAGE_SIZE - 1)), image + s->offset + done, chunk);
            done += chunk;
        }
    }
}

static void write_p2m_list(struct domain *d, const struct layout *l)
{
    for (uint32_t pfn = 0; pfn < d->nr_pages; pfn++) {
        uint32_t va = l->p2m_va + pfn * 4;
        uint32_t *slot = (uint32_t *)((uint8_t *)guest_page(d, layout_pfn(l, va)) + (va & (PAGE_SIZE - 1)));
        *slot = d->p2m[pfn];
    }
}

/* Tour step 5 (building a domain): the initial page tables, Xen's way for PAE: L3 entries present only; L2 entries
 * present, writable, accessed, dirty, user; L1 entries present, writable, accessed, except that
 * the page-table pages themselves are mapped read-only. L3 slot 3's L2 carries the monitor's
 * entries in its top slots. */
static void write_page_tables(struct domain *d, const struct layout *l)
{
    uint32_t pt_pfn = layout_pfn(l, l->pt_va);
    pte_t *l3 = guest_page(d, pt_pfn);
    for (unsigned slot = 0; slot < L3_ENTRIES; slot++) {
        int i = layout_l2_index(l, slot);
        if (i >= 0)
            l3[slot] = (pte_t)d->p2m[pt_pfn + 1 + i] << PAGE_SHIFT | PTE_P;
    }

    uint32_t first_l1_pfn = pt_pfn + 1 + l->nr_l2;
    for (uint32_t va = l->virt_base & ~(LARGE_PAGE_SIZE - 1), n = 0; n < l->nr_l1; va += LARGE_PAGE_SIZE, n++) {
        pte_t *l2 = guest_page(d, pt_pfn + 1 + layout_l2_index(l, L3_INDEX(va)));
        l2[L2_INDEX(va)] = (pte_t)d->p2m[first_l1_pfn + n] << PAGE_SHIFT | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_US;
    }
    for (uint32_t va = l->virt_base; va < l->virt_end; va += PAGE_SIZE) {
        uint32_t pfn = layout_pfn(l, va);
        if (pfn >= d->nr_pages)
            break;                     /* a small domain: the rest of the mapping stays empty */
        uint32_t n = (va >> L2_SHIFT) - (l->virt_base >> L2_SHIFT);
        pte_t *l1 = guest_page(d, first_l1_pfn + n);
        int is_pt = pfn >= pt_pfn && pfn < pt_pfn + l->nr_pt_frames;
        l1[L1_INDEX(va)] = (pte_t)d->p2m[pfn] << PAGE_SHIFT | PTE_P | PTE_A | (is_pt ? 0 : PTE_RW);
    }
    d->vcpu0.l3_mfn = d->p2m[pt_pfn];
}

/* Account for the tables just written, through the same rules as every later guest update: the
 * L3 is the base pointer and pinned (as Xen's builder pins it), which validates every entry
 * below it and gives each frame its type. The monitor's slot-3 entries are filled in here. These
 * are the monitor's own tables, of a size it chose: no budget limits their validation. */
static int type_initial_tables(struct domain *d)
{
    work_budget = WORK_UNLIMITED;
    uint32_t l3 = d->vcpu0.l3_mfn;
    int rc = get_page_type(d->id, l3, PGT_l3);
    if (rc == 0) {
        get_page_type(d->id, l3, PGT_l3);
        frame_table[l3].pinned = 1;
    }
    work_budget = 0;
    return rc;
}

/* A frame the monitor itself writes or hands on for as long as the domain lives (shared_info, the
 * console ring, the store ring it grants to domain 0): typed writable for good, with a reference of the monitor's that is never given back, so
 * the guest can map it but never make it a page table or a descriptor page, and cannot hand it
 * back with decrease_reservation (Xen's share_xen_page_with_guest does the same). */
static void share_for_good(struct domain *d, uint32_t mfn)
{
    get_page_type(d->id, mfn, PGT_writable);
}

static void write_start_info(struct domain *d, const struct layout *l, const char *guest_args, int package)
{
    struct start_info *si = guest_page(d, layout_pfn(l, l->start_info_va));
    strlcpy(si->magic, XEN_START_INFO_MAGIC_X86_32P, sizeof(si->magic));
    si->nr_pages = d->nr_pages;
    si->shared_info = d->shared_info_mfn << PAGE_SHIFT;
    si->flags = (d->id == 0 ? SIF_PRIVILEGED | SIF_INITDOMAIN : 0) | (package ? SIF_MULTIBOOT_MOD : 0);
    si->pt_base = l->pt_va;
    si->nr_pt_frames = l->nr_pt_frames;
    si->mfn_list = l->p2m_va;
    si->mod_start = l->mod_va;
    si->mod_len = l->mod_len;
    if (l->console_va) {
        si->store_mfn = d->store_mfn;
        si->store_evtchn = STORE_EVTCHN;
        si->console.domU.mfn = d->console_mfn;
        si->console.domU.evtchn = CONSOLE_EVTCHN;
    }
    strlcpy((char *)si->cmd_line, guest_args, sizeof(si->cmd_line));
}

static int make_shared_info(struct domain *d)
{
    d->shared_info_mfn = frame_take(d->id);        /* the guest maps it (writable) itself */
    if (d->shared_info_mfn == FRAME_NONE)
        return -1;
    frame_table[d->shared_info_mfn].xenheap = 1;    /* but may never give it back */
    share_for_good(d, d->shared_info_mfn);
    d->shared_info = phys_to_virt(d->shared_info_mfn << PAGE_SHIFT);
    d->shared_info->arch.max_pfn = d->nr_pages;
    return 0;
}

/* The hypercall page: 0xCC everywhere, then slot i = "mov $i, %eax; int $0x82; ret", except
 * slot __HYPERVISOR_iret = "push %eax; mov $23, %eax; int $0x82", entered by jmp. */
static void write_hypercall_page(uint8_t *page)
{
    memset(page, 0xCC, PAGE_SIZE);
    for (uint32_t i = 0; i < PAGE_SIZE / HYPERCALL_SLOT_SIZE; i++) {
        uint8_t *p = page + i * HYPERCALL_SLOT_SIZE;
        if (i == __HYPERVISOR_iret)
            *p++ = 0x50;                                   /* push %eax */
        *p++ = 0xB8;                                       /* mov $i, %eax */
        memcpy(p, &i, 4);
        p += 4;
        *p++ = 0xCD;                                       /* int $0x82 */
        *p++ = HYPERCALL_VECTOR;
        if (i != __HYPERVISOR_iret)
            *p = 0xC3;                                     /* ret */
    }
}

/* Tour step 6 (building a domain): the registers: CS/SS/DS/ES/FS/GS the flat ring-1 selectors, EIP the entry, ESP the top
 * of the boot stack, ESI start_info, interrupts on (the guest's own virtual IF is upcall_mask).
 * The stack a trap from ring 3 switches to starts as that same SS:ESP, as Xen's builder sets
 * kernel_ss:kernel_sp, until the guest's first stack_switch. */
static void set_start_registers(struct domain *d, const struct layout *l, uint32_t entry)
{
    struct trap_frame *r = &d->vcpu0.regs;
    memset(r, 0, sizeof(*r));
    r->cs = FLAT_RING1_CS;
    r->ss = FLAT_RING1_SS;
    r->ds = r->es = r->fs = r->gs = FLAT_RING1_DS;
    r->eip = entry;
    r->esp = l->stack_va + PAGE_SIZE;
    r->esi = l->start_info_va;
    r->eflags = EFLAGS_IF | EFLAGS_RESERVED;
    d->vcpu0.kernel_ss = r->ss;
    d->vcpu0.kernel_sp = r->esp;
    d->vcpu0.online = d->vcpu0.initialised = 1;
}

/* Copy bytes into the guest's start-of-day mapping, page by page (its pages are not contiguous). */
static void copy_into_guest(struct domain *d, const struct layout *l, uint32_t va, const uint8_t *src, uint32_t len)
{
    for (uint32_t done = 0; done < len; ) {
        uint32_t at = va + done, chunk = PAGE_SIZE - (at & (PAGE_SIZE - 1));
        if (chunk > len - done)
            chunk = len - done;
        memcpy((uint8_t *)guest_page(d, layout_pfn(l, at)) + (at & (PAGE_SIZE - 1)), src + done, chunk);
        done += chunk;
    }
}

/* Tour step 1 (building a domain): the image is checked and its Xen notes read (elf.c), and the
 * monitor's options for the domain taken from its command line; then every later step, in order.
 * Returns why the image was refused, or NULL. */
/* XEN_ELFNOTE_BSD_SYMTAB: the kernel's symbols, after it, where elf_read_guest made room. */
static void load_bsd_symtab(struct domain *d, const struct layout *l, const uint8_t *image, const struct guest_image *g)
{
    struct bsd_symtab t;
    elf_bsd_symtab(image, &d->symbols, &t);    /* the table elf_read_guest sized, checked in the image */
    copy_into_guest(d, l, g->symtab_va, (const uint8_t *)&t, BSD_SYMTAB_HEADER);
    copy_into_guest(d, l, g->symtab_va + sizeof(uint32_t) + t.shdr[1].offset, image + t.symtab_from, t.shdr[1].size);
    copy_into_guest(d, l, g->symtab_va + sizeof(uint32_t) + t.shdr[2].offset, image + t.strtab_from, t.shdr[2].size);
}

/* Several modules, as Xen's loaders give them: the descriptors, each module's bytes, the command
 * lines, where module_package_layout put them, from the module's start-of-day address. */
static void write_module_package(struct domain *d, const struct layout *l, const struct domain_module *m,
                                 unsigned n, const struct module_package *p)
{
    copy_into_guest(d, l, l->mod_va, (const uint8_t *)p->desc, (n + 1) * sizeof(p->desc[0]));
    for (unsigned i = 0; i < n; i++) {
        copy_into_guest(d, l, l->mod_va + p->data_at[i], phys_to_virt(m[i].pa), m[i].len);
        copy_into_guest(d, l, l->mod_va + p->cmdline_at[i], (const uint8_t *)m[i].cmdline,
                        (uint32_t)strlen(m[i].cmdline) + 1);
    }
}

static const char *build(struct domain *d, const uint8_t *image, uint32_t len, const char *args,
                         const struct domain_module *mods, unsigned nmods)
{
    struct build_options o;
    struct guest_image g;
    struct layout l;
    static struct module_package package;
    const char *why = NULL;
    /* "OPTIONS -- GUEST LINE": the monitor's options, then exactly what the guest sees (as an xl
     * cfg's cmdline); without "--", both are the whole line. */
    static char options[sizeof(((struct start_info *)0)->cmd_line)];
    const char *guest_line = cmdline_split(args, options, sizeof(options));
    if (guest_line)
        args = options;
    else
        guest_line = args;
    if (read_options(args, &o, &why) < 0 || elf_read_guest(image, len, HYPERVISOR_VIRT_START, &g, &why) < 0)
        return why;
    elf_find_symbols(image, len, &d->symbols);   /* the module stays in memory: name crash sites */
    if (o.name[0])
        strlcpy(d->name, o.name, sizeof(d->name));
    int as_package = nmods > 1 || (nmods && o.multiboot);
    if (as_package)
        module_package_layout(mods, nmods, &package);
    uint32_t mod_len = as_package ? package.size : nmods ? mods[0].len : 0;
    if (layout_compute(g.virt_base, g.virt_kstart, g.virt_kend, mod_len, o.mem_kb / 4, d->id != 0,
                       HYPERVISOR_VIRT_START, &l, &why) < 0)
        return why;
    d->max_pages = o.maxmem_kb / 4;
    if (give_memory(d, l.nr_pages) < 0 || make_shared_info(d) < 0 || vcpus_create(d, o.vcpus) < 0)
        return "no room: the machine is out of free frames";
    load_image(d, &l, image, &g);
    if (g.symtab_va)
        load_bsd_symtab(d, &l, image, &g);
    if (as_package)
        write_module_package(d, &l, mods, nmods, &package);
    else if (nmods)
        copy_into_guest(d, &l, l.mod_va, phys_to_virt(mods[0].pa), mods[0].len);
    write_p2m_list(d, &l);
    write_page_tables(d, &l);
    if (type_initial_tables(d) < 0)
        return "the initial page tables break the monitor's own rules (a builder bug)";
    if (l.console_va) {
        d->console_mfn = d->p2m[layout_pfn(&l, l.console_va)];
        d->store_mfn = d->p2m[layout_pfn(&l, l.store_va)];
        share_for_good(d, d->console_mfn);         /* the monitor drains it (domain.c) */
        share_for_good(d, d->store_mfn);           /* granted to the store in domain 0 */
        if (grant_seed_store(d) < 0)
            return "no room: the machine is out of free frames";
    }
    write_start_info(d, &l, guest_line, as_package);
    evtchn_init(d);
    time_init_domain(d);
    if (g.hypercall_page)
        write_hypercall_page(guest_page(d, layout_pfn(&l, g.hypercall_page)));
    set_start_registers(d, &l, g.entry);
    sched_init_domain(d, o.weight, o.cap);
    d->paused = o.paused && d->id != 0;      /* domain 0 has nobody to unpause it */
    hv_info("domain %u (%s): guest OS \"%s\" \"%s\", %u KiB, entry %08x, image %08x-%08x, mapped %08x-%08x\n",
            d->id, d->name, g.guest_os, g.guest_version, d->nr_pages * 4, g.entry, g.virt_kstart,
            g.virt_kend, l.virt_base, l.virt_end);
    hv_debug("domain %u: p2m %08x start_info %08x store %08x console %08x page tables %08x (%u) stack %08x\n",
             d->id, l.p2m_va, l.start_info_va, l.store_va, l.console_va, l.pt_va, l.nr_pt_frames, l.stack_va);
    return NULL;
}

struct domain *domain_build(unsigned module_index, uint32_t image_pa, uint32_t image_len, const char *cmdline,
                            const struct domain_module *mods, unsigned nmods)
{
    struct domain *d = domain_alloc();
    char name[DOMAIN_NAME_MAX];
    default_name(cmdline, name, sizeof(name));
    if (!d) {
        hv_err("module %u (%s) refused: too many domains (at most %u)\n", module_index, name, MAX_DOMAINS);
        refused_modules++;
        return NULL;
    }
    strlcpy(d->name, name, sizeof(d->name));
    const char *why = build(d, phys_to_virt(image_pa), image_len, cmdline_args(cmdline), mods, nmods);
    if (why) {
        hv_err("module %u (%s) refused: %s\n", module_index, name, why);
        domain_free(d);
        d->state = DOMAIN_FREE;
        refused_modules++;
        return NULL;
    }
    d->state = DOMAIN_RUNNABLE;
    return d;
}
