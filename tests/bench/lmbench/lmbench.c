/* lmbench.c - the process operations of lmbench that Barham et al. measured for Xen against
 * native Linux (SOSP 2003, tables 3-5), on the minikernel: the same binary on bare hardware and
 * on hv (ring 3, newlib). Each is timed with rdtsc over many rounds, and printed as
 *     lmbench: NAME TICKS
 * ticks per operation: instructions under QEMU's -icount, host cycles otherwise (tools/bench
 * boots both platforms both ways and prints the table of docs/PERFORMANCE.md). */
#include <fcntl.h>
#include <hvos.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static void report(const char *name, uint64_t ticks, unsigned rounds)
{
    printf("lmbench: %s %llu\n", name, (unsigned long long)(ticks / rounds));
}

#define TIMED(name, rounds, body) do {                                  \
        uint64_t start_ = rdtsc();                                      \
        for (unsigned i_ = 0; i_ < (rounds); i_++) { body; }            \
        report(name, rdtsc() - start_, rounds);                         \
    } while (0)

static void child_and_wait(int exec)
{
    fflush(stdout);
    int status, pid = fork();
    if (pid == 0) {
        if (exec) {
            char *argv[] = { "nothing", NULL };
            execve("nothing", argv, NULL);
        }
        _exit(0);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        printf("lmbench: fork failed\n");
        exit(1);
    }
}

/* Two processes that give the processor to each other: every sched_yield is a switch. */
static void context_switches(unsigned rounds)
{
    fflush(stdout);
    int pid = fork(), status;
    if (pid == 0) {
        for (unsigned i = 0; i < rounds + 1; i++)
            sched_yield();
        _exit(0);
    }
    sched_yield();                               /* the child is running its loop from here */
    uint64_t start = rdtsc();
    for (unsigned i = 0; i < rounds; i++)
        sched_yield();
    report("context_switch", rdtsc() - start, 2 * rounds);   /* ours and the child's */
    waitpid(pid, &status, 0);
}

/* The first touch of each of `pages` new heap pages: a page fault each, where the kernel maps
 * the page that brk promised (demand paging), and the write runs again. */
static void page_faults(unsigned pages)
{
    char *old = sbrk((pages + 1) * 4096);
    if (old == (char *)-1) {
        printf("lmbench: sbrk failed\n");
        exit(1);
    }
    volatile char *base = (char *)(((uintptr_t)old + 4095) & ~(uintptr_t)4095);
    uint64_t start = rdtsc();
    for (unsigned i = 0; i < pages; i++)
        base[i * 4096] = 1;
    report("page_fault", rdtsc() - start, pages);
    sbrk(-(int)((pages + 1) * 4096));
}

int main(void)
{
    char c = 0;
    struct stat st;
    int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
    if (zero < 0 || null < 0)
        return 1;
    TIMED("null_call", 2000, getpid());
    TIMED("null_read", 2000, (void)read(zero, &c, 1));   /* lmbench's null I/O: a byte from /dev/zero */
    TIMED("null_write", 2000, (void)write(null, &c, 1)); /* and a byte to /dev/null */
    TIMED("stat", 2000, stat("data.txt", &st));
    TIMED("fork_exit", 20, child_and_wait(0));
    TIMED("fork_exec", 20, child_and_wait(1));
    char *argv[] = { "nothing", NULL };
    int status;
    TIMED("spawn", 20, waitpid(hvos_spawn("nothing", argv), &status, 0));
    context_switches(500);
    TIMED("brk_grow_shrink", 500, (sbrk(4096), sbrk(-4096)));
    page_faults(200);
    printf("lmbench: done\n");
    return 0;
}
