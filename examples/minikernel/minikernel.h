/* minikernel.h - what the minikernel's files share: processes, address spaces, the archive and
 * the console. They run on any platform (platform.h: platform_xen.c on hv); the design is in
 * README.md beside this file.
 */
#ifndef MINIKERNEL_H
#define MINIKERNEL_H
#include "platform.h"
#include "../../libc-patches/include/hvos/syscall.h"

#define NPROC         16          /* processes at once */
#define NFILE         16          /* open files per process, 0-2 the console */
#define NAME_MAX_LEN  16          /* a process's name: its program's base name, cut */
#define ARG_MAX_COUNT 32          /* spawn's argv: at most this many words... */
#define ARG_MAX_BYTES 2048        /* ...of at most this many bytes in all */
#define SLICE_NS      10000000ull /* 10 ms of CPU, then the next runnable process */

/* The user half of a process's address space (hvos/syscall.h): program from HVOS_USER_BASE, heap
 * after it up to a guard page below the stack, stack below HVOS_USER_STACK_TOP. */
#define USER_STACK_BOTTOM (HVOS_USER_STACK_TOP - HVOS_USER_STACK_SIZE)
#define USER_HEAP_LIMIT   (USER_STACK_BOTTOM - PAGE_SIZE)

/* ---- the archive (archive.c) ------------------------------------------------------------------ */
struct archive_file {
    char name[100];
    const uint8_t *data;
    uint32_t size;
};
/* Parse the ustar module once at boot; returns the number of files, or -1 (and says why). */
int archive_init(const uint8_t *start, uint32_t len);
/* A file by path ("hello", "/hello" and "./hello" are the same), or NULL. */
const struct archive_file *archive_find(const char *path);

/* ---- memory and address spaces (vm.c) ---------------------------------------------------------- */
struct space {
    uint32_t l3, l2;              /* machine frames of the process's L3 and its slot-0 L2 */
};
void vm_init(void);
void *kpage_alloc(void);          /* a zeroed, writable kernel page, or NULL */
void kpage_free(void *page);
uint32_t vm_pages_in_use(void);  /* by processes: 0 when none is left, or pages leaked */
int vm_reserve(uint32_t pages);   /* promise pages to a heap: 0 or -HVOS_ENOMEM */
void vm_unreserve(uint32_t pages);
int space_new(struct space *s);
void space_destroy(struct space *s);   /* never the current one */
void space_switch(const struct space *s);   /* NULL: the kernel's own */
/* Map a new zeroed page at user address va (no-op if mapped); 0 or -HVOS_ENOMEM. */
int space_map(struct space *s, uint32_t va);
int space_map_range(struct space *s, uint32_t start, uint32_t end);   /* fresh pages over a range */
void space_unmap(struct space *s, uint32_t va);
/* The kernel's view of the user page at va, or NULL when it is not mapped for ring 3. */
uint8_t *space_page(const struct space *s, uint32_t va);
void space_protect(struct space *s, uint32_t va);
int space_copy(struct space *to, const struct space *from);   /* fork's copy of the user pages */

/* Ring-3 pointers (vm.c): every one is checked against the current process's page tables. */
int user_range_ok(uint32_t va, uint32_t len);
int user_range_writable(uint32_t va, uint32_t len);
int copy_from_user(void *dst, uint32_t src, uint32_t len);   /* 0 or -HVOS_EFAULT */
int copy_to_user(uint32_t dst, const void *src, uint32_t len);
/* A NUL-terminated string of at most size-1 bytes: its length, -HVOS_EFAULT or -HVOS_ENAMETOOLONG. */
int copy_string_from_user(char *dst, uint32_t src, uint32_t size);

/* ---- processes (process.c) -------------------------------------------------------------------- */
enum proc_state { PROC_FREE, PROC_RUNNABLE, PROC_BLOCKED, PROC_ZOMBIE };
enum block_reason { WAIT_NONE, WAIT_CHILD, WAIT_INPUT };
enum file_kind { FILE_NONE, FILE_CONSOLE, FILE_ARCHIVE, FILE_NULL, FILE_ZERO };   /* the last two: /dev/null, /dev/zero */

struct open_file {
    enum file_kind kind;
    const struct archive_file *file;
    uint32_t offset;
};

struct process {
    int pid, parent;
    enum proc_state state;
    enum block_reason waiting;
    char name[NAME_MAX_LEN];
    struct regs regs;             /* ring 3's registers while it is not running */
    struct space space;
    uint32_t heap_start, brk;
    uint32_t heap_reserved;       /* heap pages below brk not yet touched: mapped by their fault */
    struct open_file files[NFILE];
    int status;                   /* for waitpid, in HVOS_STATUS_* form */
    uint64_t cpu_ns, ran_since;
    uint32_t syscalls, entries_at_start;
    int fpu_saved;
    uint8_t fpu[512] __attribute__((aligned(16)));   /* fxsave area */
};

extern struct process *current;
struct process *process_by_pid(int pid);
/* A process for the program at path with argv (kernel copies); its pid or -errno. */
int process_spawn(const char *path, char *const argv[], int argc, int parent);
/* A copy of the current process, r its registers: the child's pid (the child sees 0) or -errno. */
int process_fork(const struct regs *r);
/* The program at path in place of the current process's: 0 (r is the new program's registers)
 * or -errno (the old program goes on). */
int process_exec(const char *path, char *const argv[], int argc, struct regs *r);
/* Enter the first process from the boot stack. Does not return. */
void __attribute__((noreturn)) process_start_first(void);
/* End p with a waitpid status; when p is current, r is its trap frame and the next one runs. */
void process_end(struct process *p, int status, struct regs *r);
/* Leave the current process (blocked, yielding or preempted) for the next runnable one. */
void schedule(struct regs *r);
/* Make the current process sleep in its system call: `int $0x80` runs again when woken. */
void schedule_if_needed(struct regs *r);
void block_current(struct regs *r, enum block_reason why);
/* waitpid's search among the current process's children: a pid (reaped), 0 or -HVOS_ECHILD. */
int process_reap(int pid, int *status);
void wake_all(enum block_reason why);
void preempt_tick(void);
void fpu_trap(struct regs *r);
/* A page fault in the current process's heap, below brk, where no page is yet: map one (1), or
 * 0 when the fault is the process's error. */
int heap_fault(uint32_t va);

/* ---- system calls (syscall.c) and the console (console.c) -------------------------------------- */
void syscall_entry(struct regs *r);
void console_init(void);
void console_typed(const char *bytes, uint32_t n);   /* typed, from the platform's interrupt */
uint32_t console_pending(void);              /* bytes of the next typed line ready to read */
int console_at_end(void);                    /* no more input will come (or ctrl-D was typed) */
void console_reader_waits(void);             /* a process sleeps in read: echo what is typed */
uint32_t console_read(char *buf, uint32_t len);
void console_put(const char *s, uint32_t len);
/* The kernel's own lines: always at the start of a line, whatever the processes wrote. */
void klog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The kernel's own bug: said, and the machine powered off. */
void __attribute__((noreturn, format(printf, 1, 2))) kernel_panic(const char *fmt, ...);

/* Interrupts off while the kernel works for ring 3; back on with the return to it. */
static inline void kernel_enter(void) { irq_disable(); }
static inline void kernel_leave(void) { irq_enable_on_return(); }

#endif
