/* raw.h - system calls for the raw test programs, made with `int $0x80` directly (ring 3): no
 * libc, only the ABI of libc-patches/include/hvos/syscall.h. */
#ifndef RAW_H
#define RAW_H
#include <stdint.h>
#include "format.h"
#include "kstring.h"
#include "hvos/syscall.h"

static inline long sys(long nr, long a, long b, long c)
{
    long ret;
    __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
    return ret;
}

#define ADDR(p) ((long)(uintptr_t)(p))
static inline long sys_write(int fd, const void *buf, uint32_t len) { return sys(SYS_write, fd, ADDR(buf), (long)len); }
static inline long sys_read(int fd, void *buf, uint32_t len) { return sys(SYS_read, fd, ADDR(buf), (long)len); }
static inline long sys_spawn(const char *path, char *const argv[]) { return sys(SYS_spawn, ADDR(path), ADDR(argv), 0); }
static inline long sys_waitpid(int pid, int *status) { return sys(SYS_waitpid, pid, ADDR(status), 0); }
static inline long sys_getpid(void) { return sys(SYS_getpid, 0, 0, 0); }
static inline long sys_brk(uint32_t to) { return sys(SYS_brk, (long)to, 0, 0); }
static inline long sys_yield(void) { return sys(SYS_yield, 0, 0, 0); }
static inline long sys_kill(int pid, int sig) { return sys(SYS_kill, pid, sig, 0); }
static inline void __attribute__((noreturn)) sys_exit(int status)
{
    for (;;)
        sys(SYS_exit, status, 0, 0);
}

/* Nanoseconds since boot. */
uint64_t now_ns(void);
/* One line in one write, so that lines of processes running at once do not mix. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "ok WHAT" or "FAIL WHAT (got ...)": the boot test reads these lines. */
void check(int ok, const char *what);
extern int failures;
/* Run a program to its end: its waitpid status, or -1 (and a FAIL) if it could not start. */
int run(const char *path, char *const argv[]);

int main(int argc, char **argv);
#endif
