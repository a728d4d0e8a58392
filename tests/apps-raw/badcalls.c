/* badcalls.c - system calls with bad numbers, pointers and lengths (ring 3): each is refused with
 * its error and the process goes on. 0xC0000000 is the kernel's, 0xF5800000 the monitor's. */
#include "raw.h"

int main(int argc, char **argv);

#define KERNEL  0xC0000000L
#define MONITOR 0xF5800000L

static char buf[64] = "should never be printed\n";

static void expect(long got, long want, const char *what)
{
    char line[160];
    format_snprintf(line, sizeof(line), "%s: %ld", what, got);
    check(got == want, line);
}

static void numbers(void)
{
    expect(sys(HVOS_NR_SYSCALLS, 0, 0, 0), -HVOS_ENOSYS, "bad number 18 (HVOS_NR_SYSCALLS) gives -ENOSYS");
    expect(sys(0x7fffffff, 0, 0, 0), -HVOS_ENOSYS, "bad number 0x7fffffff gives -ENOSYS");
    expect(sys(-1, 0, 0, 0), -HVOS_ENOSYS, "bad number -1 gives -ENOSYS");
}

static void pointers(void)
{
    uint64_t ns;
    int status;
    expect(sys_write(1, (void *)KERNEL, 16), -HVOS_EFAULT, "write from the kernel's memory gives -EFAULT");
    expect(sys_write(1, (void *)MONITOR, 16), -HVOS_EFAULT, "write from the monitor's memory gives -EFAULT");
    expect(sys_write(1, (void *)0x10, 4), -HVOS_EFAULT, "write from an unmapped user page gives -EFAULT");
    expect(sys(SYS_times, ADDR(main), 0, 0), -HVOS_EFAULT,
           "times into the program's read-only text gives -EFAULT");
    expect(sys(SYS_clock_gettime, HVOS_CLOCK_MONOTONIC, MONITOR, 0), -HVOS_EFAULT, "clock_gettime into the monitor gives -EFAULT");
    expect(sys(SYS_times, KERNEL, 0, 0), -HVOS_EFAULT, "times into the kernel gives -EFAULT");
    expect(sys(SYS_open, KERNEL, 0, 0), -HVOS_EFAULT, "open with a path in the kernel gives -EFAULT");
    expect(sys(SYS_stat, ADDR("hello"), MONITOR + 0x1000, 0), -HVOS_EFAULT, "stat into the monitor gives -EFAULT");
    expect(sys_waitpid(-1, (int *)KERNEL), -HVOS_EFAULT, "waitpid's status into the kernel gives -EFAULT");
    expect(sys(SYS_spawn, KERNEL, 0, 0), -HVOS_EFAULT, "spawn with a path in the kernel gives -EFAULT");
    expect(sys(SYS_spawn, ADDR("hello"), MONITOR, 0), -HVOS_EFAULT, "spawn with argv in the monitor gives -EFAULT");
    char *argv[] = { "hello", (char *)KERNEL, 0 };
    expect(sys_spawn("hello", argv), -HVOS_EFAULT, "spawn with an argument string in the kernel gives -EFAULT");
    expect(sys(SYS_clock_gettime, HVOS_CLOCK_MONOTONIC, ADDR(&ns), 0), 0, "clock_gettime into our own memory works");
    expect(sys_waitpid(-1, &status), -HVOS_ECHILD, "waitpid with no children gives -ECHILD");
}

static void lengths(void)
{
    expect(sys_write(1, buf, 0x7fffffff), -HVOS_EFAULT, "write of 2 GiB from a 64-byte buffer gives -EFAULT, prints nothing");
    expect(sys_write(1, buf, 0xffffffffu), -HVOS_EFAULT, "write of 4 GiB - 1 (wraps around) gives -EFAULT");
    expect(sys_write(1, (void *)0x3ffffff0, 0x20), -HVOS_EFAULT, "write across the top of the user range gives -EFAULT");
    expect(sys_write(1, (void *)0xfffff000, 0x2000), -HVOS_EFAULT, "write whose end wraps to 0 gives -EFAULT");
    expect(sys_write(1, buf, 0), 0, "write of 0 bytes gives 0");
}

static void descriptors(void)
{
    expect(sys_write(7, "x", 1), -HVOS_EBADF, "write to an unopened descriptor gives -EBADF");
    expect(sys_write(-1, "x", 1), -HVOS_EBADF, "write to descriptor -1 gives -EBADF");
    expect(sys_read(1000, buf, 1), -HVOS_EBADF, "read from descriptor 1000 gives -EBADF");
    expect(sys(SYS_lseek, 1, 0, HVOS_SEEK_SET), -HVOS_ESPIPE, "lseek on the console gives -ESPIPE");
    expect(sys_kill(99999, 9), -HVOS_ESRCH, "kill of no such process gives -ESRCH");
    expect(sys(SYS_clock_gettime, 7, ADDR(buf), 0), -HVOS_EINVAL, "clock_gettime of clock 7 gives -EINVAL");
    expect(sys_waitpid(0, 0), -HVOS_EINVAL, "waitpid(0) gives -EINVAL");
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    numbers();
    pointers();
    lengths();
    descriptors();
    check(sys_getpid() > 0, "after all that, the process still runs");
    return failures;
}
