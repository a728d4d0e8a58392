/* sdk.h - what a guest kernel built with the guest SDK gets (guest ring 1).
 * Write `int main(void)`; the SDK's start-of-day code calls it with `start_info` set, and powers
 * the domain off with main's return value deciding the reason (0: poweroff, else crash).
 */
#ifndef SDK_SDK_H
#define SDK_SDK_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "byte_ring.h"
#include "hypercall.h"
#include "blkif.h"
#include "format.h"
#include "kstring.h"
#include "x86/eflags.h"
#include "x86/exceptions.h"
#include "x86/paging.h"
#include "xen.h"

extern struct start_info *start_info;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int main(void);

/* Console output: console_io (CONSOLEIO_write) in domain 0, the console ring in the others. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t len);
/* Console input, what is there now (no wait): domain 0 reads the serial line (console_io), the
 * others their ring's in[], where domain 0's `console ID` types. Bytes read, or a negative errno
 * (-EIO for a corrupt ring). An event on the console port (start_info) says more has come. */
long console_input(char *buf, size_t len);

/* Domain 0: a new domain, paused, built from the image it was given as its module (start_info). */
long domctl_create_from_module(const char *cmdline, domid_t *id);

/* Ending the domain (sched_op SCHEDOP_shutdown). */
void __attribute__((noreturn)) poweroff(void);
void __attribute__((noreturn)) shutdown(unsigned reason);
void __attribute__((noreturn, format(printf, 1, 2))) panic(const char *fmt, ...);

/* ---- Traps (traps.c, entry.S) ---------------------------------------------------------------- */

/* What every trap handler gets: the registers at the trap, as entry.S saved them. CS carries the
 * saved upcall mask in bits 16-23 (Xen's bounce frame); ESP and SS are there only when the trap
 * came from ring 3. */
struct regs {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_kernel, ebx, edx, ecx, eax;
    uint32_t vector, error_code;
    uint32_t eip, cs, eflags;
    uint32_t esp, ss;
};

#define SDK_NR_EXCEPTIONS 20
#define SYSCALL_VECTOR    0x80
#define SDK_EVENT_VECTOR  0x100      /* not a CPU vector: the event upcall */
#define SDK_SYSENTER_VECTOR 0x101    /* not a CPU vector: the sysenter callback */
#define SDK_NR_HANDLERS   0x102

#define SDK_TRAP_STACK_SIZE 8192
extern uint8_t sdk_trap_stack[SDK_TRAP_STACK_SIZE];   /* where traps from ring 3 arrive */

typedef void (*trap_handler)(struct regs *r);
typedef void (*failsafe_handler)(uint32_t *frame);   /* ds, es, fs, gs, eip, cs, eflags, ... */

/* Register the exception vectors, the event and failsafe callbacks and the ring-3 trap stack. */
void traps_init(void);
/* A C handler for an exception vector, SYSCALL_VECTOR or SDK_EVENT_VECTOR (NULL: the default,
 * which prints the trap and crashes the domain). */
void trap_set_handler(unsigned vector, trap_handler handler);
/* Open `int $0x80` to ring 3 (dpl 3). mask_events makes it an interrupt gate, which the monitor
 * cannot install in the real IDT: every system call then goes through the monitor. */
long syscall_gate(unsigned dpl, int mask_events);
void syscall_gate_remove(void);
void failsafe_set_handler(failsafe_handler handler);
/* The SDK's entry points (an exception vector, SYSCALL_VECTOR, SDK_EVENT_VECTOR or
 * SDK_SYSENTER_VECTOR; or the failsafe callback), for a kernel that registers them itself:
 * under a code selector of its own, say (0 for a vector the SDK has no entry for). */
uint32_t trap_entry(unsigned vector);
uint32_t failsafe_entry(void);
/* Register the sysenter callback (CALLBACKTYPE_sysenter): `sysenter` from ring 3 reaches handler
 * through the monitor, with EIP and ESP 0 in the frame (the caller keeps them in registers). */
long sysenter_set_handler(trap_handler handler);

/* Drop to ring 3 at eip with stack esp (flat ring-3 segments, events on). Does not return. */
void __attribute__((noreturn)) enter_user(uint32_t eip, uint32_t esp);

/* A saved kernel context: context_save returns 0, and context_restore(c, v) returns to it again
 * with v (setjmp/longjmp for ring 1, e.g. to leave a ring-3 process for good). */
struct context { uint32_t ebx, esi, edi, ebp, esp, eip; };
int context_save(struct context *c) __attribute__((returns_twice));
void __attribute__((noreturn)) context_restore(struct context *c, int value);

/* ---- Memory (memory.c) ------------------------------------------------------------------------ */

extern struct shared_info *shared_info;     /* mapped by memory_init */

/* Map shared_info (called by the SDK before main). */
void memory_init(void);
/* The machine frame behind a virtual address of the start-of-day mapping (from the p2m list).
 * Inline, as mfn_to_virt: a kernel walking its tables calls them for every entry it reads. */
static inline uint32_t virt_to_mfn(const void *va)
{
    const uint32_t *p2m = (const uint32_t *)start_info->mfn_list;
    return p2m[((uint32_t)(uintptr_t)va - GUEST_VIRT_BASE) >> PAGE_SHIFT];
}
/* Point the page at va to machine frame mfn with the given PTE flags (update_va_mapping). */
long map_page(void *va, uint32_t mfn, uint32_t flags);
/* Let ring 3 use the pages of [start, end): the U bit on their entries. */
long map_user(void *start, void *end);
/* A zeroed, writable page from the free part of the start-of-day mapping, or NULL. */
void *page_alloc(void);
uint32_t page_alloc_left(void);       /* how many more page_alloc can give */
/* Give back a page of page_alloc's (writable, not a table, not offered to anyone). */
void page_free(void *page);
/* A zeroed page made ready to be a page table (mapped read-only): its machine frame, or 0. */
uint32_t table_alloc(void);
long table_pin(uint32_t mfn, unsigned level);
/* One mmu_update request (the entry at machine address ptr, or an M2P command in its low bits),
 * and one mmuext_op on a frame: what the monitor answered. */
long mmu_update1(uint64_t ptr, uint64_t val);
long mmuext1(unsigned cmd, uint32_t mfn);
/* The virtual address of one of our frames in the start-of-day mapping (through the M2P). */
static inline void *mfn_to_virt(uint32_t mfn)
{
    return (void *)(uintptr_t)(GUEST_VIRT_BASE + ((const uint32_t *)MACH2PHYS_VIRT_START)[mfn] * PAGE_SIZE);
}

/* Page-table updates queued and sent to the monitor in one mmu_update. */
#define MMU_QUEUE_SIZE 32
struct mmu_queue {
    uint32_t count;
    struct mmu_update req[MMU_QUEUE_SIZE];
};
void mmu_queue_add(struct mmu_queue *q, uint64_t ptr, uint64_t val);
long mmu_queue_flush(struct mmu_queue *q);

/* Address spaces: a new one shares the kernel's (L3 slot 3) and has an empty low gigabyte for a
 * process; switch with MMUEXT_NEW_BASEPTR. */
uint32_t address_space_new(void);
long address_space_map_user(uint32_t l3_mfn, uint32_t va, uint32_t mfn);
long address_space_switch(uint32_t l3_mfn);
uint32_t address_space_current(void);

/* Where ring-3 code and data go: `USER_TEXT void f(void)` and `USER_DATA int x;` land on pages
 * of their own, between __user_start and __user_end. */
#define USER_TEXT __attribute__((section(".user.text"), noinline))
#define USER_DATA __attribute__((section(".user.data")))
extern char __user_start[], __user_end[];

/* ---- Events and time (events.c) -------------------------------------------------------------- */

#define EVTCHN_SDK_PORTS 128
typedef void (*event_handler)(evtchn_port_t port);

/* Take event upcalls (traps_init registers the callback; this installs the dispatcher). */
void events_init(void);
/* Call the handler of every pending port: what the SDK's upcall does, for a kernel that installs
 * its own SDK_EVENT_VECTOR handler around it (to act on the interrupted registers afterwards). */
void events_dispatch(void);
void event_set_handler(evtchn_port_t port, event_handler handler);
/* Bind a VIRQ to a new port with a handler; returns the port or a negative errno. */
long bind_virq(unsigned virq, event_handler handler);
long event_send(evtchn_port_t port);
/* The PV kernel's cli and sti: the upcall mask in vcpu_info. */
void events_mask(void);
void events_unmask(void);
int events_pending(void);
/* Sleep until an event (SCHEDOP_block; unmasks events, and returns at once if one is pending). */
void block(void);
/* Sleep until `cond` holds, where an event's handler makes it hold. Events stay masked while
 * cond is checked, and block() unmasks and sleeps in one step, so the event cannot come between
 * the check and the sleep, be handled there, and leave the sleep with nothing to end it (a PV
 * kernel's `cli; while (!cond) { sti; hlt; cli; } sti`). Events are on afterwards. */
#define BLOCK_UNTIL(cond) do {                                                     \
        events_mask();                                                             \
        while (!(cond)) {                                                          \
            block();                                                               \
            events_mask();                                                         \
        }                                                                          \
        events_unmask();                                                           \
    } while (0)

/* Nanoseconds since the domain's monitor booted, from the TSC and vcpu_time_info. */
uint64_t clock_ns(void);
/* Nanoseconds since 1970 (shared_info's wallclock plus clock_ns). */
uint64_t wallclock_ns(void);
/* One-shot timer at an absolute clock_ns time: VIRQ_TIMER then (0 cancels). */
long timer_set(uint64_t deadline_ns);
/* Block until then: VIRQ_TIMER must be bound (bind_virq), or nothing wakes the domain. */
void sleep_until(uint64_t deadline_ns);

/* ---- Grants (grants.c) ------------------------------------------------------------------------ */

/* Let domain domid map (or copy) our page: the grant reference to tell it, or -errno. */
long grant_access(domid_t domid, const void *page, int readonly);
/* Take an offer back: 0, or -XEN_EBUSY while the other domain still maps the page. The
 * reference may be handed out again. */
long grant_end(grant_ref_t ref);
/* Map domain domid's page granted as ref at va (a page of ours whose mapping it replaces):
 * GNTST_okay and the handle for grant_unmap, or a GNTST_* status / -errno. */
long grant_map(domid_t domid, grant_ref_t ref, void *va, grant_handle_t *handle);
long grant_unmap(void *va, grant_handle_t handle);

/* ---- The store (store.c): domain 0's key-value service, for every other domain --------------- */

long store_init(void);
/* Each returns 0 (or a length) or -errno (-XEN_ENOENT for a missing key, -XEN_EACCES for a key
 * outside our own /local/domain/ID, -XEN_ENOSPC or -XEN_E2BIG at a quota, docs/DOMAINS.md).
 * Paths without a leading '/' are relative to /local/domain/ID. -XEN_EIO means the connection is
 * gone for good: the ring's indexes were corrupt, or the store stopped serving us (its error
 * field); every later call answers the same. */
long store_read(const char *path, char *value, size_t size);          /* the value's length */
long store_write(const char *path, const char *value);
long store_directory(const char *path, char *names, size_t size);     /* NUL-separated names */
long store_rm(const char *path);
long store_watch(const char *path, const char *token);
long store_unwatch(const char *path, const char *token);
/* Transactions: reads and writes inside one see each other; the end commits them all, or none
 * when the store changed meanwhile (-XEN_EAGAIN: do it again), or abandons them (commit 0). */
/* Permissions (xenstored's): "<n|r|w|b><domid>" entries, the first naming the owner and what
 * every other domain may do. */
long store_get_perms(const char *path, char *perms, size_t size);
long store_set_perms(const char *path, const char *const *perms, unsigned n);
long store_transaction_start(uint32_t *tx);
long store_transaction_end(uint32_t tx, int commit);
long store_tx_read(uint32_t tx, const char *path, char *value, size_t size);
long store_tx_write(uint32_t tx, const char *path, const char *value);
long store_tx_rm(uint32_t tx, const char *path);
/* Sleep until a watch fires: 0, its path and token copied out (NUL-ended, truncated to fit). */
long store_wait_watch(char *path, size_t path_size, char *token, size_t token_size);
/* The two directions of a store ring page, for the store itself and for tests that speak the
 * wire protocol by hand: requests to the store, replies and watch events from it. */
struct byte_ring store_requests(struct xenstore_domain_interface *intf);
struct byte_ring store_replies(struct xenstore_domain_interface *intf);

/* ---- The virtual disk (blkfront.c): domain 0's blkback over Xen's blkif protocol ------------- */

struct blkfront {
    char frontend[32], backend[64];           /* the two ends' store directories */
    domid_t backend_id;
    uint32_t sectors;                          /* of 512 bytes */
    struct blkif_sring *ring;
    uint8_t *data;                             /* the page requests move data through */
    grant_ref_t ring_ref, data_ref;
    evtchn_port_t port;
    RING_IDX req_prod, rsp_cons;
};
/* Connect to virtual device vdev (xvda is (202 << 8) | 0): 0 or -errno. */
long blkfront_open(struct blkfront *bf, unsigned vdev);
/* Hot plug: sleep until domain 0 attaches virtual device vdev (block-attach): 0 or -errno. */
long blkfront_wait_attach(unsigned vdev);
/* Hot unplug: sleep until the backend asks us to close (block-detach: its state Closing), or
 * has gone: 0 or -errno. */
long blkfront_wait_detach(struct blkfront *bf);
/* Our end: Closed, and once the backend has let go of the ring (its Closed, or its directory
 * gone), our grants, channel and pages taken back. 0, or -errno (the pages are then kept, not
 * reused: the backend may still map them). */
long blkfront_close(struct blkfront *bf);
/* Read or write `count` sectors (1 to 8) at `sector`; flush what was written to the disk. 0, or
 * -XEN_EIO when the backend answers an error, -XEN_EINVAL past the disk's end. */
long blkfront_read(struct blkfront *bf, uint64_t sector, uint32_t count, void *buf);
long blkfront_write(struct blkfront *bf, uint64_t sector, uint32_t count, const void *buf);
long blkfront_flush(struct blkfront *bf);

/* ---- The disk benchmark (disk_bench.c): make bench's workload, for any disk driver ----------- */

#define DISK_BENCH_BLOCK 4096
/* One 4 KiB request (8 sectors at `sector`) through the driver: 0, or negative. */
typedef long (*disk_bench_io)(void *ctx, int write, uint32_t sector, void *buf);
/* `requests` sequential, then random, reads and writes of 4 KiB over a disk of `sectors`, each
 * kind's line printed ("bench: disk SIDE KIND REQUESTS TICKS NS"): 0, or -1 when one failed. */
int disk_bench(const char *side, disk_bench_io io, void *ctx, uint32_t sectors, uint32_t requests);

/* Find `key=value` on the domain's command line; returns 1 and copies the value if present. */
int cmdline_option(const char *key, char *value, size_t size);

/* Stop in Bochs's debugger here (`xchg %bx,%bx`, a magic breakpoint); a no-op under QEMU. */
#define GUEST_BREAK() __asm__ volatile("xchg %%bx, %%bx" ::: "memory")

/* The ring this code runs in, from the low bits of CS (1 for a guest kernel). */
static inline unsigned current_ring(void)
{
    uint16_t cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    return cs & 3;
}

#endif
