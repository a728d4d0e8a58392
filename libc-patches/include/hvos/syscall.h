/* hvos/syscall.h - the system-call ABI between a ring-3 application and the minikernel guest
 * (shared by newlib's system layer in ring 3 and examples/minikernel in ring 1; plain C, no libc).
 *
 * This is not Xen's ABI: the monitor never sees these calls. `int $0x80` goes through the direct
 * trap gate the guest kernel asked for with set_trap_table, from ring 3 straight to ring 1.
 *
 * Convention (the i386 Linux one, so it reads familiar):
 *   %eax = call number, %ebx, %ecx, %edx, %esi, %edi = arguments 1 to 5;
 *   the result comes back in %eax: -4095..-1 is -errno (newlib's errno numbers, below),
 *   anything else is the call's value. Every other register is preserved.
 * The numbers are our own, small and dense (Linux's would promise Linux's semantics, which
 * these calls do not all have).
 */
#ifndef HVOS_SYSCALL_H
#define HVOS_SYSCALL_H

#include <stdint.h>

#define HVOS_SYSCALL_VECTOR 0x80

/*      name                 nr     arguments                              result */
#define SYS_exit             0   /* int status                             does not return */
#define SYS_read             1   /* int fd, void *buf, uint32_t len        bytes read, 0 at end */
#define SYS_write            2   /* int fd, const void *buf, uint32_t len  bytes written */
#define SYS_open             3   /* const char *path, int flags            fd */
#define SYS_close            4   /* int fd                                 0 */
#define SYS_lseek            5   /* int fd, int32_t offset, int whence     new offset */
#define SYS_fstat            6   /* int fd, struct hvos_stat *st           0 */
#define SYS_stat             7   /* const char *path, struct hvos_stat *st 0 */
#define SYS_brk              8   /* uint32_t new_break (0: ask)            the break now */
#define SYS_getpid           9   /*                                        pid */
#define SYS_kill            10   /* int pid, int sig                       0 */
#define SYS_times           11   /* struct hvos_times *t                   0 */
#define SYS_clock_gettime   12   /* int clock, uint64_t *ns                0 */
#define SYS_spawn           13   /* const char *path, char *const argv[]   pid of the child */
#define SYS_waitpid         14   /* int pid (-1: any child), int *status   pid of the child */
#define SYS_yield           15   /*                                        0 */
#define SYS_fork            16   /*                                        child's pid; 0 in the child */
#define SYS_execve          17   /* const char *path, char *const argv[]   does not return (or -errno) */
#define HVOS_NR_SYSCALLS    18

/* SYS_fork copies the calling process: its memory (every page, at once), its open files (each
 * with its own offset from then on) and its registers; the child's call returns 0. SYS_execve
 * replaces the calling process's program by the one at path, with argv (the environment is
 * always empty): only the console's descriptors 0-2 stay open. */

/* SYS_brk moves the end of the heap (which starts at the page after the program's bss) and
 * returns where it is now: the new break if it could move it, the old one if not (as Linux's brk). */

/* SYS_clock_gettime's clocks: nanoseconds since the guest booted, or since 1970 (from the
 * monitor's wallclock in shared_info). */
#define HVOS_CLOCK_MONOTONIC 1
#define HVOS_CLOCK_REALTIME  0

struct hvos_stat {
    uint32_t mode;      /* HVOS_S_IFREG or HVOS_S_IFCHR, with permission bits */
    uint32_t size;      /* bytes, for a file */
};
#define HVOS_S_IFCHR  0020000   /* the console */
#define HVOS_S_IFREG  0100000   /* a file of the archive */

struct hvos_times {
    uint64_t process_ns;    /* CPU time the calling process has had */
    uint64_t elapsed_ns;    /* since the guest booted */
};

/* SYS_waitpid's status, in the encoding newlib's <sys/wait.h> macros read:
 * exited normally: code << 8; killed: the signal number in the low 7 bits. */
#define HVOS_STATUS_EXITED(code)  (((code) & 0xff) << 8)
#define HVOS_STATUS_KILLED(sig)   ((sig) & 0x7f)
#define HVOS_SIGKILL  9
#define HVOS_SIGSEGV 11     /* what a process that faults dies of */
#define HVOS_SIGILL   4
#define HVOS_SIGFPE   8
#define HVOS_SIGSYS  31     /* a bad system-call number */

/* File descriptors 0, 1 and 2 are the console. open's flags are newlib's: */
#define HVOS_O_ACCMODE 3
#define HVOS_O_RDONLY  0
#define HVOS_SEEK_SET  0
#define HVOS_SEEK_CUR  1
#define HVOS_SEEK_END  2

/* The errno values the kernel returns, negated: newlib's numbers (newlib/libc/include/sys/errno.h). */
#define HVOS_EPERM         1
#define HVOS_ENOENT        2
#define HVOS_ESRCH         3
#define HVOS_EIO           5
#define HVOS_E2BIG         7
#define HVOS_ENOEXEC       8
#define HVOS_EBADF         9
#define HVOS_ECHILD       10
#define HVOS_EAGAIN       11
#define HVOS_ENOMEM       12
#define HVOS_EFAULT       14
#define HVOS_EISDIR       21
#define HVOS_EINVAL       22
#define HVOS_EMFILE       24
#define HVOS_ESPIPE       29
#define HVOS_EROFS        30
#define HVOS_ENOSYS       88
#define HVOS_ENAMETOOLONG 91

/* A process's address space (the low gigabyte; the guest kernel lives at 0xC0000000):
 * programs are linked at HVOS_USER_BASE, static, not position-independent; the stack ends at
 * HVOS_USER_STACK_TOP. At the first instruction, %esp points at argc, then argv[0..argc-1], a
 * NULL, an empty environment (a NULL), and the strings above them (the System V i386 layout). */
#define HVOS_USER_BASE       0x08048000u
#define HVOS_USER_STACK_TOP  0x40000000u
#define HVOS_USER_STACK_SIZE 0x00010000u
#define HVOS_USER_LIMIT      0x40000000u

#endif
