/* process.c - processes: loading a program from the archive into a new address space, its first
 * stack, ending and reaping, and round-robin scheduling on the guest's timer (guest ring 1).
 *
 * A process not running is its saved ring-3 registers (struct regs) and its address space. The
 * kernel has one stack for traps from ring 3 (the SDK's sdk_trap_stack), and whatever trap brings
 * it in - a system call, a fault, the timer's event upcall - finds the interrupted process's
 * registers at the top of that stack. Switching processes is saving those registers, loading
 * another process's in their place, and changing the address space: the trap's return then lands
 * in the other process. So the kernel never sleeps in the middle of a system call: a call that
 * must wait (waitpid, a console read) rewinds the process's EIP onto its `int $0x80` and is made
 * again, from the start, when the process is woken.
 */
#include "elf_format.h"
#include "minikernel.h"

static struct process procs[NPROC];
struct process *current;
static int next_pid = 1;
static unsigned last_slot;               /* round-robin: the search starts after it */
static int need_resched, timer_armed;
static int init_status;
static struct process *fpu_owner;        /* whose registers the FPU holds */
static int fpu_owner_is(const struct process *p) { return p && fpu_owner == p; }
static void timer_update(void);

struct process *process_by_pid(int pid)
{
    for (unsigned i = 0; i < NPROC; i++)
        if (procs[i].state != PROC_FREE && procs[i].pid == pid)
            return &procs[i];
    return NULL;
}

/* ---- loading a program ------------------------------------------------------------------------- */

/* Write kernel bytes into a space that need not be the current one (its pages are mapped). */
static void put_user_bytes(struct space *s, uint32_t va, const void *src, uint32_t len)
{
    const uint8_t *from = src;
    while (len) {
        uint32_t in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        uint32_t n = len < in_page ? len : in_page;
        memcpy(space_page(s, va) + (va & (PAGE_SIZE - 1)), from, n);
        va += n, from += n, len -= n;
    }
}

static int phdr_ok(const struct archive_file *f, const struct elf32_phdr *ph)
{
    return ph->filesz <= ph->memsz && (uint64_t)ph->offset + ph->filesz <= f->size &&
           ph->vaddr >= HVOS_USER_BASE && (uint64_t)ph->vaddr + ph->memsz <= USER_HEAP_LIMIT;
}

static struct elf32_phdr phdr(const struct archive_file *f, const struct elf32_ehdr *eh, unsigned i)
{
    struct elf32_phdr ph;
    memcpy(&ph, f->data + eh->phoff + i * sizeof(ph), sizeof(ph));   /* may be unaligned */
    return ph;
}

/* A static i386 executable whose loadable segments all lie in the program's part of the user
 * range and in the file, entered inside one of them. 0 or -HVOS_ENOEXEC. */
static int elf_check(const struct archive_file *f, struct elf32_ehdr *eh)
{
    if (f->size < sizeof(*eh))
        return -HVOS_ENOEXEC;
    memcpy(eh, f->data, sizeof(*eh));
    if (memcmp(eh->ident, "\177ELF", 4) || eh->ident[4] != ELFCLASS32 || eh->ident[5] != ELFDATA2LSB ||
        eh->type != ET_EXEC || eh->machine != EM_386 || eh->phentsize != sizeof(struct elf32_phdr) ||
        !eh->phnum || (uint64_t)eh->phoff + (uint64_t)eh->phnum * eh->phentsize > f->size)
        return -HVOS_ENOEXEC;
    int entry_inside = 0;
    for (unsigned i = 0; i < eh->phnum; i++) {
        struct elf32_phdr ph = phdr(f, eh, i);
        if (ph.type != PT_LOAD)
            continue;
        if (!phdr_ok(f, &ph))
            return -HVOS_ENOEXEC;
        entry_inside |= eh->entry >= ph.vaddr && eh->entry - ph.vaddr < ph.memsz;
    }
    return entry_inside ? 0 : -HVOS_ENOEXEC;
}

/* Does a writable PT_LOAD of the program cover the page at va? */
static int page_in_writable_segment(const struct archive_file *f, const struct elf32_ehdr *eh, uint32_t va)
{
    for (unsigned i = 0; i < eh->phnum; i++) {
        struct elf32_phdr ph = phdr(f, eh, i);
        if (ph.type == PT_LOAD && (ph.flags & PF_W) && va + PAGE_SIZE > ph.vaddr && va < ph.vaddr + ph.memsz)
            return 1;
    }
    return 0;
}

/* Text and read-only data: ring 3 may read and run them, not write them (a stray store into the
 * program's own code faults, as it would on any Unix). */
static void protect_segment(struct process *p, const struct archive_file *f, const struct elf32_ehdr *eh,
                            const struct elf32_phdr *ph)
{
    for (uint32_t va = ph->vaddr & ~(PAGE_SIZE - 1); va < ph->vaddr + ph->memsz; va += PAGE_SIZE)
        if (!page_in_writable_segment(f, eh, va))
            space_protect(&p->space, va);
}

/* Map and fill every PT_LOAD (the rest of each page stays zero: that is the bss), then take the
 * write right away from the read-only ones; the heap starts on the page after the highest one. */
static int load_segments(struct process *p, const struct archive_file *f, const struct elf32_ehdr *eh)
{
    uint32_t end = HVOS_USER_BASE;
    for (unsigned i = 0; i < eh->phnum; i++) {
        struct elf32_phdr ph = phdr(f, eh, i);
        if (ph.type != PT_LOAD || !ph.memsz)
            continue;
        if (space_map_range(&p->space, ph.vaddr, ph.vaddr + ph.memsz) < 0)
            return -HVOS_ENOMEM;
        put_user_bytes(&p->space, ph.vaddr, f->data + ph.offset, ph.filesz);
        if (ph.vaddr + ph.memsz > end)
            end = ph.vaddr + ph.memsz;
    }
    for (unsigned i = 0; i < eh->phnum; i++) {
        struct elf32_phdr ph = phdr(f, eh, i);
        if (ph.type == PT_LOAD && ph.memsz && !(ph.flags & PF_W))
            protect_segment(p, f, eh, &ph);
    }
    p->heap_start = p->brk = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    return 0;
}

/* The System V i386 start (hvos/syscall.h): at %esp argc, argv[0..argc-1], NULL, an empty
 * environment (NULL), and the strings above, at the top of the stack. Returns the new %esp. */
static int build_stack(struct process *p, char *const argv[], int argc, uint32_t *esp)
{
    if (space_map_range(&p->space, USER_STACK_BOTTOM, HVOS_USER_STACK_TOP) < 0)
        return -HVOS_ENOMEM;
    uint32_t words[ARG_MAX_COUNT + 3];
    uint32_t top = HVOS_USER_STACK_TOP;
    words[0] = (uint32_t)argc;
    for (int i = argc - 1; i >= 0; i--) {
        uint32_t len = (uint32_t)strlen(argv[i]) + 1;
        top -= len;
        put_user_bytes(&p->space, top, argv[i], len);
        words[1 + i] = top;
    }
    words[1 + argc] = 0;
    words[2 + argc] = 0;
    uint32_t size = (uint32_t)(argc + 3) * 4;
    *esp = (top - size) & ~15u;
    put_user_bytes(&p->space, *esp, words, size);
    return 0;
}

static const char *base_name(const char *path)
{
    const char *base = path;
    for (const char *c = path; *c; c++)
        if (*c == '/' && c[1])
            base = c + 1;
    return base;
}

static struct process *slot_alloc(void)
{
    for (unsigned i = 0; i < NPROC; i++)
        if (procs[i].state == PROC_FREE)
            return &procs[i];
    return NULL;
}

static void say_started(const struct process *p, char *const argv[], int argc)
{
    char line[160];
    unsigned n = 0;
    for (int i = 0; i < argc && n < sizeof(line) - 1; i++)
        n += (unsigned)format_snprintf(line + n, sizeof(line) - n, i ? " %s" : "%s", argv[i]);
    klog("process %d (%s) started by %d: %s\n", p->pid, p->name, p->parent, line);
}

/* The program at path, loaded into the new space s with its stack: its entry and first %esp, and
 * the heap's start in p. 0 or -errno (s is then destroyed). */
static int load_program(struct process *p, struct space *s, const char *path, char *const argv[], int argc,
                        uint32_t *entry, uint32_t *esp)
{
    const struct archive_file *f = archive_find(path);
    struct elf32_ehdr eh;
    if (!f)
        return -HVOS_ENOENT;
    if (elf_check(f, &eh) < 0)
        return -HVOS_ENOEXEC;
    if (space_new(s) < 0)
        return -HVOS_ENOMEM;
    struct space old = p->space;
    uint32_t heap_start = p->heap_start, brk = p->brk;
    p->space = *s;                      /* load_segments and build_stack fill p's space */
    int rc = load_segments(p, f, &eh) < 0 || build_stack(p, argv, argc, esp) < 0 ? -HVOS_ENOMEM : 0;
    *s = p->space;
    p->space = old;
    if (rc < 0) {
        space_destroy(s);
        p->heap_start = heap_start, p->brk = brk;   /* the old program's heap, as it was */
    }
    *entry = eh.entry;
    return rc;
}

/* A process's first registers: at the program's entry, on its stack, in ring 3 with interrupts on. */
static struct regs first_regs(uint32_t entry, uint32_t esp)
{
    return (struct regs){ .gs = USER_DS, .fs = USER_DS, .es = USER_DS, .ds = USER_DS, .eip = entry, .cs = USER_CS,
                          .eflags = EFLAGS_IF | EFLAGS_RESERVED, .esp = esp, .ss = USER_DS };
}

int process_spawn(const char *path, char *const argv[], int argc, int parent)
{
    struct process *p = slot_alloc();
    if (!p)
        return -HVOS_EAGAIN;
    memset(p, 0, sizeof(*p));
    struct space s;
    uint32_t entry, esp;
    int rc = load_program(p, &s, path, argv, argc, &entry, &esp);
    if (rc < 0)
        return rc;
    p->space = s;
    p->pid = next_pid++;
    p->parent = parent;
    strlcpy(p->name, base_name(path), sizeof(p->name));
    for (unsigned fd = 0; fd < 3; fd++)
        p->files[fd].kind = FILE_CONSOLE;
    p->regs = first_regs(entry, esp);
    p->entries_at_start = ~0u;          /* read when it first runs */
    p->state = PROC_RUNNABLE;
    say_started(p, argv, argc);
    return p->pid;
}

static void fpu_save(struct process *p);

int process_fork(const struct regs *r)
{
    struct process *child = slot_alloc();
    if (!child)
        return -HVOS_EAGAIN;
    memset(child, 0, sizeof(*child));
    if (vm_reserve(current->heap_reserved) < 0)      /* the parent's promises, the child's too */
        return -HVOS_ENOMEM;
    if (space_new(&child->space) < 0) {
        vm_unreserve(current->heap_reserved);
        return -HVOS_ENOMEM;
    }
    if (space_copy(&child->space, &current->space) < 0) {
        space_destroy(&child->space);
        vm_unreserve(current->heap_reserved);
        return -HVOS_ENOMEM;
    }
    child->heap_reserved = current->heap_reserved;
    if (fpu_owner_is(current))
        fpu_save(current);              /* the child starts with the parent's FPU state */
    child->fpu_saved = current->fpu_saved;
    memcpy(child->fpu, current->fpu, sizeof(child->fpu));
    child->pid = next_pid++;
    child->parent = current->pid;
    strlcpy(child->name, current->name, sizeof(child->name));
    memcpy(child->files, current->files, sizeof(child->files));
    child->heap_start = current->heap_start, child->brk = current->brk;
    child->regs = *r;
    child->regs.eax = 0;                /* fork returns 0 in the child */
    child->entries_at_start = ~0u;
    child->state = PROC_RUNNABLE;
    klog("process %d (%s) forked by %d\n", child->pid, child->name, current->pid);
    timer_update();
    return child->pid;
}

int process_exec(const char *path, char *const argv[], int argc, struct regs *r)
{
    struct space s, old = current->space;
    uint32_t entry, esp;
    int rc = load_program(current, &s, path, argv, argc, &entry, &esp);
    if (rc < 0)
        return rc;                      /* the old program goes on */
    current->space = s;
    space_switch(&current->space);
    space_destroy(&old);
    vm_unreserve(current->heap_reserved);          /* the old heap's promises */
    current->heap_reserved = 0;
    strlcpy(current->name, base_name(path), sizeof(current->name));
    for (unsigned fd = 3; fd < NFILE; fd++)
        current->files[fd].kind = FILE_NONE;   /* no descriptor survives but the console's */
    *r = first_regs(entry, esp);
    if (fpu_owner_is(current))
        fpu_trap_on_use(1), fpu_owner = NULL;  /* the new program starts with a fresh FPU */
    current->fpu_saved = 0;
    say_started(current, argv, argc);
    return 0;
}

/* ---- the FPU, switched lazily: a process's first FPU instruction after a switch raises #NM ----- */

static int have_fxsr(void)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    return (d >> 24) & 1;
}

static int fxsr = -1;

/* The FPU's registers into p's area (p owns the FPU, and it is usable: TS clear). */
static void fpu_save(struct process *p)
{
    if (fxsr < 0)
        fxsr = have_fxsr();
    fpu_trap_on_use(0);
    if (fxsr)
        __asm__ volatile("fxsave %0" : "=m"(p->fpu));
    else
        __asm__ volatile("fnsave %0; fwait" : "=m"(p->fpu));
    if (!fxsr)
        __asm__ volatile("frstor %0" :: "m"(p->fpu));   /* fnsave reset the FPU: it is still p's */
    p->fpu_saved = 1;
}

void fpu_trap(struct regs *r)
{
    (void)r;
    if (fxsr < 0)
        fxsr = have_fxsr();
    fpu_trap_on_use(0);
    if (fpu_owner == current)
        return;
    if (fpu_owner)
        fpu_save(fpu_owner);
    if (!current->fpu_saved)
        __asm__ volatile("fninit");
    else if (fxsr)
        __asm__ volatile("fxrstor %0" :: "m"(current->fpu));
    else
        __asm__ volatile("frstor %0" :: "m"(current->fpu));
    fpu_owner = current;
}

/* ---- scheduling -------------------------------------------------------------------------------- */

static unsigned runnable(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < NPROC; i++)
        n += procs[i].state == PROC_RUNNABLE;
    return n;
}

/* The timer runs only while two or more processes want the CPU: one alone is never interrupted
 * (and a process alone makes no monitor entry that it did not ask for). */
static void timer_update(void)
{
    int want = runnable() > 1;
    if (want && !timer_armed)
        platform_timer_set(platform_clock_ns() + SLICE_NS);
    else if (!want && timer_armed)
        platform_timer_set(0);
    timer_armed = want;
}

void preempt_tick(void)
{
    timer_armed = 0;
    need_resched = 1;
}

static struct process *pick_next(void)
{
    for (unsigned k = 1; k <= NPROC; k++) {
        unsigned i = (last_slot + k) % NPROC;
        if (procs[i].state == PROC_RUNNABLE)
            return &procs[i];
    }
    return NULL;
}

/* Nothing to run: sleep until an interrupt (a typed key, a child... ) makes something runnable.
 * Its handler runs nested on this stack, while we wait in platform_idle. */
static struct process *wait_for_work(void)
{
    struct process *next;
    while (!(next = pick_next()))
        platform_idle();
    return next;
}

static void switch_to(struct process *next, struct regs *r)
{
    *r = next->regs;
    space_switch(&next->space);
    if (next != fpu_owner)
        fpu_trap_on_use(1);
    current = next;
    last_slot = (unsigned)(next - procs);
    next->ran_since = platform_clock_ns();
    need_resched = 0;
    timer_update();
    if (next->entries_at_start == ~0u)
        next->entries_at_start = platform_monitor_entries();   /* the last hypercall before ring 3 */
}

static void charge_cpu(struct process *p)
{
    p->cpu_ns += platform_clock_ns() - p->ran_since;
}

void schedule(struct regs *r)
{
    if (current) {
        current->regs = *r;
        charge_cpu(current);
    }
    current = NULL;
    switch_to(wait_for_work(), r);
}

/* A preemption that came while the kernel could not act on it waits for the next trap from ring 3. */
void schedule_if_needed(struct regs *r)
{
    if (need_resched && current && (r->cs & 3) == 3)
        schedule(r);
    else if (need_resched)
        timer_update();
}

void block_current(struct regs *r, enum block_reason why)
{
    current->state = PROC_BLOCKED;
    current->waiting = why;
    r->eip -= 2;                        /* back onto `int $0x80` (0xCD 0x80) */
    schedule(r);
}

void wake_all(enum block_reason why)
{
    for (unsigned i = 0; i < NPROC; i++)
        if (procs[i].state == PROC_BLOCKED && procs[i].waiting == why) {
            procs[i].state = PROC_RUNNABLE;
            procs[i].waiting = WAIT_NONE;
        }
    timer_update();
}

void process_start_first(void)
{
    struct process *first = pick_next();
    if (!first)
        kernel_panic("no process to start");
    struct regs r;
    switch_to(first, &r);
    platform_enter_user(r.eip, r.esp);
}

/* ---- the end of a process ---------------------------------------------------------------------- */

static void say_ended(const struct process *p, int status)
{
    uint32_t entries = p->entries_at_start == ~0u ? 0 : platform_monitor_entries() - p->entries_at_start;
    uint64_t us = p->cpu_ns / 1000;
    if (status & 0x7f)
        klog("process %d (%s) ended by signal %d after %u system calls, %u monitor entries, %llu us\n",
             p->pid, p->name, status & 0x7f, p->syscalls, entries, (unsigned long long)us);
    else
        klog("process %d (%s) exited with status %d after %u system calls, %u monitor entries, %llu us\n",
             p->pid, p->name, (status >> 8) & 0xff, p->syscalls, entries, (unsigned long long)us);
}

/* Children of a process that ends have no one to wait for them: the ended ones go at once. */
static void orphan_children(int pid)
{
    for (unsigned i = 0; i < NPROC; i++)
        if (procs[i].state != PROC_FREE && procs[i].parent == pid) {
            procs[i].parent = 0;
            if (procs[i].state == PROC_ZOMBIE)
                procs[i].state = PROC_FREE;
        }
}

static void power_off_if_alone(void)
{
    for (unsigned i = 0; i < NPROC; i++)
        if (procs[i].state != PROC_FREE)
            return;
    klog("no process left (%u pages still in use); init %s %d: powering off\n", vm_pages_in_use(),
         init_status & 0x7f ? "ended by signal" : "exited with status",
         init_status & 0x7f ? init_status & 0x7f : (init_status >> 8) & 0xff);
    platform_power_off(init_status == 0);
}

void process_end(struct process *p, int status, struct regs *r)
{
    if (p == current)
        charge_cpu(p);
    say_ended(p, status);               /* before any hypercall: its count of monitor entries ends here */
    if (p == current)
        space_switch(NULL);
    space_destroy(&p->space);
    vm_unreserve(p->heap_reserved);
    p->heap_reserved = 0;
    if (fpu_owner == p)
        fpu_owner = NULL;
    if (p->pid == 1)
        init_status = status;
    p->status = status;
    orphan_children(p->pid);
    struct process *parent = process_by_pid(p->parent);
    p->state = parent && parent->state != PROC_ZOMBIE ? PROC_ZOMBIE : PROC_FREE;
    if (parent && parent->state == PROC_BLOCKED && parent->waiting == WAIT_CHILD) {
        parent->state = PROC_RUNNABLE;
        parent->waiting = WAIT_NONE;
    }
    power_off_if_alone();
    if (p == current) {
        current = NULL;
        schedule(r);
    } else {
        timer_update();
    }
}

int heap_fault(uint32_t va)
{
    uint32_t end = (current->brk + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    va &= ~(PAGE_SIZE - 1);
    if (va < current->heap_start || va >= end || space_page(&current->space, va))
        return 0;
    vm_unreserve(1);                    /* the page promised at brk: this is it */
    current->heap_reserved--;
    if (space_map(&current->space, va) < 0) {
        klog("process %d (%s): no page for its heap at %#x\n", current->pid, current->name, va);
        return 0;
    }
    return 1;
}

/* waitpid's search: a child of the current process that ended (reaped here), or 0 when there are
 * children still running, or -HVOS_ECHILD. */
int process_reap(int pid, int *status)
{
    int children = 0;
    for (unsigned i = 0; i < NPROC; i++) {
        struct process *c = &procs[i];
        if (c->state == PROC_FREE || c->parent != current->pid || (pid != -1 && c->pid != pid))
            continue;
        children++;
        if (c->state == PROC_ZOMBIE) {
            *status = c->status;
            c->state = PROC_FREE;
            return c->pid;
        }
    }
    return children ? 0 : -HVOS_ECHILD;
}
