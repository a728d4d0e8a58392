/* syscall.c - the system calls of libc-patches/include/hvos/syscall.h, one function each, behind
 * one table (guest ring 1, entered from ring 3 through the direct `int $0x80` trap gate).
 *
 * The call number is in %eax and the arguments in %ebx, %ecx, %edx: they are the saved registers
 * of the calling process, so every value is the process's to choose and is checked here before
 * use. Pointers go through vm.c's copy functions only. A number outside the table gives
 * -HVOS_ENOSYS (the process goes on and can print what it got).
 */
#include "minikernel.h"

/* A call that ended or switched away from the calling process: r is another process's now, so
 * no result is written into it. (No call returns -4096: -4095..-1 are errors, results are small.) */
#define SWITCHED (-4096L)
#define CHUNK    256u              /* bytes the kernel moves at a time through its own buffer */

typedef long (*syscall_fn)(struct regs *r);

static struct open_file *file_of(int fd)
{
    if (fd < 0 || fd >= NFILE || current->files[fd].kind == FILE_NONE)
        return NULL;
    return &current->files[fd];
}

static long sys_exit(struct regs *r)
{
    process_end(current, HVOS_STATUS_EXITED((int)r->ebx), r);
    return SWITCHED;
}

/* ---- read and write ---------------------------------------------------------------------------- */

/* A typed line, or a sleep until one comes; never more than the line, len, or CHUNK. */
static long read_console(struct regs *r, uint32_t buf, uint32_t len)
{
    uint32_t n = console_pending();
    if (!n && console_at_end())
        return 0;
    if (!n) {
        if (!user_range_writable(buf, 1))
            return -HVOS_EFAULT;
        console_reader_waits();
        block_current(r, WAIT_INPUT);
        return SWITCHED;
    }
    n = n < len ? n : len;
    n = n < CHUNK ? n : CHUNK;
    char kbuf[CHUNK];
    if (!user_range_writable(buf, n))
        return -HVOS_EFAULT;            /* checked before the input is taken */
    console_read(kbuf, n);
    return copy_to_user(buf, kbuf, n) < 0 ? -HVOS_EFAULT : (long)n;
}

/* What is left of the file from the offset, at most len: a huge len is cut to that. */
static long read_file(struct open_file *of, uint32_t buf, uint32_t len)
{
    uint32_t left = of->offset < of->file->size ? of->file->size - of->offset : 0;
    uint32_t n = len < left ? len : left;
    if (copy_to_user(buf, of->file->data + of->offset, n) < 0)
        return -HVOS_EFAULT;
    of->offset += n;
    return (long)n;
}

/* /dev/zero: zeros, at most a page a read (a short read, which a reader must take anyway); each
 * piece's copy checks that ring 3 may write it. */
static long read_zero(uint32_t buf, uint32_t len)
{
    static const char zeros[CHUNK];
    uint32_t n = len < PAGE_SIZE ? len : PAGE_SIZE;
    for (uint32_t done = 0; done < n; done += CHUNK)
        if (copy_to_user(buf + done, zeros, n - done < CHUNK ? n - done : CHUNK) < 0)
            return -HVOS_EFAULT;
    return (long)n;
}

static long sys_read(struct regs *r)
{
    struct open_file *of = file_of((int)r->ebx);
    if (!of)
        return -HVOS_EBADF;
    if (!r->edx || of->kind == FILE_NULL)
        return 0;                       /* /dev/null: always at its end */
    if (of->kind == FILE_ZERO)
        return read_zero(r->ecx, r->edx);
    return of->kind == FILE_CONSOLE ? read_console(r, r->ecx, r->edx) : read_file(of, r->ecx, r->edx);
}

/* The whole buffer is checked first: a write either prints all of it or nothing. */
static long sys_write(struct regs *r)
{
    struct open_file *of = file_of((int)r->ebx);
    uint32_t buf = r->ecx, len = r->edx;
    if (!of)
        return -HVOS_EBADF;
    if (of->kind == FILE_ARCHIVE)
        return -HVOS_EBADF;             /* archive files are open for reading only */
    if (!user_range_ok(buf, len))
        return -HVOS_EFAULT;
    if (of->kind != FILE_CONSOLE)
        return (long)len;               /* /dev/null and /dev/zero take it all, and keep nothing */
    for (uint32_t done = 0; done < len; ) {
        uint32_t va = buf + done, in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        uint32_t n = len - done < in_page ? len - done : in_page;
        console_put((const char *)space_page(&current->space, va) + (va & (PAGE_SIZE - 1)), n);
        done += n;
    }
    return (long)len;
}

/* ---- files of the archive ---------------------------------------------------------------------- */

static long user_path(uint32_t path, char *out, uint32_t size, const struct archive_file **f)
{
    int n = copy_string_from_user(out, path, size);
    if (n < 0)
        return n;
    *f = archive_find(out);
    return *f ? 0 : -HVOS_ENOENT;
}

/* The two files that are not the archive's, as on Unix. */
static const struct { const char *path; enum file_kind kind; } devices[] = {
    { "/dev/null", FILE_NULL }, { "/dev/zero", FILE_ZERO },
};

static enum file_kind device_at(const char *path)
{
    for (unsigned i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
        if (strcmp(path, devices[i].path) == 0)
            return devices[i].kind;
    return FILE_NONE;
}

/* What a path of ring 3's names: a file of the archive (in *f), a device, or nothing (FILE_NONE,
 * and *rc says why). */
static enum file_kind file_at(uint32_t upath, char *path, uint32_t size, const struct archive_file **f, long *rc)
{
    *rc = user_path(upath, path, size, f);
    return *rc == 0 ? FILE_ARCHIVE : *rc == -HVOS_ENOENT ? device_at(path) : FILE_NONE;
}

static long sys_open(struct regs *r)
{
    char path[sizeof(((struct archive_file *)0)->name)];
    const struct archive_file *f = NULL;
    long rc;
    enum file_kind kind = file_at(r->ebx, path, sizeof(path), &f, &rc);
    if ((kind == FILE_ARCHIVE || kind == FILE_NONE) && (r->ecx & HVOS_O_ACCMODE) != HVOS_O_RDONLY)
        return -HVOS_EROFS;             /* the archive is read-only, whatever the path */
    if (kind == FILE_NONE)
        return rc;
    for (int fd = 0; fd < NFILE; fd++)
        if (current->files[fd].kind == FILE_NONE) {
            current->files[fd] = (struct open_file){ kind, f, 0 };
            return fd;
        }
    return -HVOS_EMFILE;
}

static long sys_close(struct regs *r)
{
    struct open_file *of = file_of((int)r->ebx);
    if (!of)
        return -HVOS_EBADF;
    of->kind = FILE_NONE;
    return 0;
}

static long sys_lseek(struct regs *r)
{
    struct open_file *of = file_of((int)r->ebx);
    if (!of)
        return -HVOS_EBADF;
    if (of->kind == FILE_CONSOLE)
        return -HVOS_ESPIPE;
    if (of->kind != FILE_ARCHIVE)
        return 0;                       /* /dev/null and /dev/zero stay at 0, as on Linux */
    static const int known[] = { [HVOS_SEEK_SET] = 1, [HVOS_SEEK_CUR] = 1, [HVOS_SEEK_END] = 1 };
    if (r->edx > HVOS_SEEK_END || !known[r->edx])
        return -HVOS_EINVAL;
    int64_t base = r->edx == HVOS_SEEK_SET ? 0 : r->edx == HVOS_SEEK_CUR ? of->offset : of->file->size;
    int64_t to = base + (int32_t)r->ecx;
    if (to < 0 || to > INT32_MAX)
        return -HVOS_EINVAL;
    of->offset = (uint32_t)to;
    return (long)to;
}

static struct hvos_stat stat_of(const struct open_file *of)
{
    if (of->kind == FILE_CONSOLE)
        return (struct hvos_stat){ HVOS_S_IFCHR | 0620, 0 };
    if (of->kind != FILE_ARCHIVE)
        return (struct hvos_stat){ HVOS_S_IFCHR | 0666, 0 };
    return (struct hvos_stat){ HVOS_S_IFREG | 0444, of->file->size };
}

static long sys_fstat(struct regs *r)
{
    struct open_file *of = file_of((int)r->ebx);
    if (!of)
        return -HVOS_EBADF;
    struct hvos_stat st = stat_of(of);
    return copy_to_user(r->ecx, &st, sizeof(st));
}

static long sys_stat(struct regs *r)
{
    char path[sizeof(((struct archive_file *)0)->name)];
    const struct archive_file *f = NULL;
    long rc;
    enum file_kind kind = file_at(r->ebx, path, sizeof(path), &f, &rc);
    if (kind == FILE_NONE)
        return rc;
    struct hvos_stat st = stat_of(&(struct open_file){ kind, f, 0 });
    return copy_to_user(r->ecx, &st, sizeof(st));
}

/* ---- memory, identity, time -------------------------------------------------------------------- */

/* The break moves by whole pages of memory: mapped when it grows, unmapped when it shrinks. A
 * request it cannot meet (below the heap, into the stack's guard, out of memory) leaves it. */
/* The heap grows by promises: its new pages are reserved (vm_reserve: there will be a page for
 * each) and mapped by the first touch of each (heap_fault). Shrinking gives back the mapped ones
 * and the promises of the rest. */
static long sys_brk(struct regs *r)
{
    uint32_t want = r->ebx, old_end = (current->brk + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (!want || want < current->heap_start || want > USER_HEAP_LIMIT)
        return current->brk;
    uint32_t new_end = (want + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if (new_end > old_end) {
        if (vm_reserve((new_end - old_end) / PAGE_SIZE) < 0)
            return current->brk;
        current->heap_reserved += (new_end - old_end) / PAGE_SIZE;
    }
    for (uint32_t va = new_end; va < old_end; va += PAGE_SIZE) {
        if (space_page(&current->space, va)) {
            space_unmap(&current->space, va);
        } else {
            vm_unreserve(1);
            current->heap_reserved--;
        }
    }
    current->brk = want;
    return want;
}

static long sys_getpid(struct regs *r)
{
    (void)r;
    return current->pid;
}

/* Any signal ends the process it is sent to (there are no handlers); 0 only asks if it lives. */
static long sys_kill(struct regs *r)
{
    struct process *p = process_by_pid((int)r->ebx);
    int sig = (int)r->ecx;
    if (!p || p->state == PROC_ZOMBIE)
        return -HVOS_ESRCH;
    if (sig < 0 || sig > 0x7f)
        return -HVOS_EINVAL;
    if (!sig)
        return 0;
    klog("process %d (%s) killed by process %d: signal %d\n", p->pid, p->name, current->pid, sig);
    int self = p == current;
    process_end(p, HVOS_STATUS_KILLED(sig), r);
    return self ? SWITCHED : 0;
}

static long sys_times(struct regs *r)
{
    uint64_t now = platform_clock_ns();
    struct hvos_times t = { current->cpu_ns + (now - current->ran_since), now };
    return copy_to_user(r->ebx, &t, sizeof(t));
}

static long sys_clock_gettime(struct regs *r)
{
    uint64_t ns;
    if (r->ebx == HVOS_CLOCK_MONOTONIC)
        ns = platform_clock_ns();
    else if (r->ebx == HVOS_CLOCK_REALTIME)
        ns = platform_wallclock_ns();
    else
        return -HVOS_EINVAL;
    return copy_to_user(r->ecx, &ns, sizeof(ns));
}

/* ---- processes --------------------------------------------------------------------------------- */

/* The caller's argv, copied into the kernel: pointers until NULL, strings into one buffer. */
static long copy_argv(uint32_t uargv, char *buf, char *argv[], int *argc)
{
    uint32_t used = 0;
    for (*argc = 0;; (*argc)++) {
        uint32_t ptr;
        if (copy_from_user(&ptr, uargv + (uint32_t)*argc * 4, 4) < 0)
            return -HVOS_EFAULT;
        if (!ptr)
            return 0;
        if (*argc == ARG_MAX_COUNT)
            return -HVOS_E2BIG;
        int n = copy_string_from_user(buf + used, ptr, ARG_MAX_BYTES - used);
        if (n < 0)
            return n == -HVOS_ENAMETOOLONG ? -HVOS_E2BIG : n;
        argv[*argc] = buf + used;
        used += (uint32_t)n + 1;
    }
}

/* spawn's and execve's path (%ebx) and argv (%ecx), copied into the kernel: argc, or -errno. */
static char call_path[sizeof(((struct archive_file *)0)->name)], call_strings[ARG_MAX_BYTES];
static long copy_path_and_argv(const struct regs *r, char *argv[])
{
    int argc = 1;
    int n = copy_string_from_user(call_path, r->ebx, sizeof(call_path));
    if (n < 0)
        return n == -HVOS_ENAMETOOLONG ? -HVOS_ENOENT : n;
    argv[0] = call_path;                /* no argv: the path alone */
    long rc = r->ecx ? copy_argv(r->ecx, call_strings, argv, &argc) : 0;
    return rc < 0 ? rc : argc;
}

static long sys_spawn(struct regs *r)
{
    char *argv[ARG_MAX_COUNT];
    long argc = copy_path_and_argv(r, argv);
    return argc < 0 ? argc : process_spawn(call_path, argv, (int)argc, current->pid);
}

static long sys_fork(struct regs *r)
{
    return process_fork(r);
}

/* execve(path, argv, envp): the environment is ignored (there is none). */
static long sys_execve(struct regs *r)
{
    char *argv[ARG_MAX_COUNT];
    long rc = copy_path_and_argv(r, argv);
    if (rc >= 0)
        rc = process_exec(call_path, argv, (int)rc, r);
    return rc < 0 ? rc : SWITCHED;      /* r is the new program's now */
}

static long sys_waitpid(struct regs *r)
{
    int pid = (int)r->ebx, status;
    uint32_t where = r->ecx;
    if (pid != -1 && pid <= 0)
        return -HVOS_EINVAL;
    if (where && !user_range_writable(where, sizeof(status)))
        return -HVOS_EFAULT;
    int child = process_reap(pid, &status);
    if (child == 0) {
        block_current(r, WAIT_CHILD);   /* made again when a child ends */
        return SWITCHED;
    }
    if (child > 0 && where)
        copy_to_user(where, &status, sizeof(status));
    return child;
}

static long sys_yield(struct regs *r)
{
    r->eax = 0;
    schedule(r);
    return SWITCHED;
}

static const syscall_fn syscalls[HVOS_NR_SYSCALLS] = {
    [SYS_exit] = sys_exit,       [SYS_read] = sys_read,         [SYS_write] = sys_write,
    [SYS_open] = sys_open,       [SYS_close] = sys_close,       [SYS_lseek] = sys_lseek,
    [SYS_fstat] = sys_fstat,     [SYS_stat] = sys_stat,         [SYS_brk] = sys_brk,
    [SYS_getpid] = sys_getpid,   [SYS_kill] = sys_kill,         [SYS_times] = sys_times,
    [SYS_clock_gettime] = sys_clock_gettime,                    [SYS_spawn] = sys_spawn,
    [SYS_waitpid] = sys_waitpid, [SYS_yield] = sys_yield,       [SYS_fork] = sys_fork,
    [SYS_execve] = sys_execve,
};

/* Tour step 3 (direct system call): ring 3's `int $0x80` came through the DPL-3 trap gate straight to
 * the SDK's stub in ring 1, which saved the registers; here the call runs with events masked, and
 * the SDK's exit returns with a plain iret - the monitor never ran. */
void syscall_entry(struct regs *r)
{
    kernel_enter();
    current->syscalls++;
    uint32_t nr = r->eax;
    long result = nr < HVOS_NR_SYSCALLS ? syscalls[nr](r) : -HVOS_ENOSYS;
    if (result != SWITCHED)
        r->eax = (uint32_t)result;
    schedule_if_needed(r);
    kernel_leave();
}
