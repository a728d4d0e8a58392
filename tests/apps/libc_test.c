/* libc_test.c - newlib in ring 3 under examples/minikernel, checked piece by piece: formatted
 * output, files of the archive, the heap, strings, setjmp, sorting, conversions, clocks, libm,
 * errno from the kernel's refusals, child processes and how they end, fork and execve. Runs as init; prints
 * "libc: ok WHAT" or "libc: FAIL WHAT" for every check and exits with the number of failures. */
#include <errno.h>
#include <fcntl.h>
#include <hvos.h>
#include <hvos/syscall.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DATA       "data.txt"       /* 40 lines "hvos libc test data: line N of 40\n" */
#define DATA_LINES 40
#define KERNEL_PTR ((void *)0xC0000000u)

static int passed, failed;

static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("libc: %s ", ok ? "ok" : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    ok ? passed++ : failed++;
}

static int same(const char *got, const char *want)
{
    return strcmp(got, want) == 0;
}

/* ---- formatted output ------------------------------------------------------------------------ */

static void test_printf(void)
{
    char buf[64];
    long long big = (1LL << 40) + 1;
    snprintf(buf, sizeof(buf), "%lld", big);
    check(same(buf, "1099511627777"), "%%lld of 2^40+1 prints %lld", big);
    snprintf(buf, sizeof(buf), "%llx %llX", 0x123456789abcdefLL, -1LL);
    check(same(buf, "123456789abcdef FFFFFFFFFFFFFFFF"), "%%llx and %%llX give \"%s\"", buf);
    snprintf(buf, sizeof(buf), "%f|%.3e|%g|%g", 3.14159, 12345.678, 0.0001, 1e20);
    check(same(buf, "3.141590|1.235e+04|0.0001|1e+20"), "%%f %%.3e %%g give \"%s\"", buf);
    snprintf(buf, sizeof(buf), "[%5d|%-5s|%05.1f|%c|%%]", 42, "ab", 2.25, 'z');
    check(same(buf, "[   42|ab   |002.2|z|%]"), "widths, flags and precision give \"%s\"", buf);
    volatile size_t small = 5;              /* not a constant, or gcc warns of the truncation */
    int n = snprintf(buf, small, "%s", "hello world");
    check(n == 11 && same(buf, "hell"), "snprintf truncates to its size and returns the full length");
}

/* ---- files of the archive -------------------------------------------------------------------- */

static void test_read_file(void)
{
    char line[64];
    struct stat st;
    FILE *f = fopen(DATA, "r");
    check(f != NULL, "fopen of an archive file");
    if (!f)
        return;
    check(fgets(line, sizeof(line), f) && same(line, "hvos libc test data: line 1 of 40\n"), "fgets reads the first line");
    int lines = 1;
    while (fgets(line, sizeof(line), f))
        lines++;
    check(lines == DATA_LINES && feof(f), "fgets reads all %d lines, then end of file", lines);
    check(stat(DATA, &st) == 0 && ftell(f) == st.st_size, "ftell at the end equals stat's size (%ld)", ftell(f));
    fclose(f);
}

static void test_seek(void)
{
    char line[64], all[2048];
    FILE *f = fopen(DATA, "r");
    if (!f) {
        check(0, "fopen for the seek tests");
        return;
    }
    size_t size = fread(all, 1, sizeof(all), f);
    check(size > 1000 && size < sizeof(all) && feof(f), "fread of the whole file: %u bytes", (unsigned)size);
    check(fseek(f, 9 * 34, SEEK_SET) == 0 && ftell(f) == 9 * 34, "fseek to the 10th line; ftell agrees");
    check(fgets(line, sizeof(line), f) && same(line, "hvos libc test data: line 10 of 40\n"), "fgets there reads line 10");
    check(fseek(f, -6, SEEK_END) == 0 && fgetc(f) == 'o' && ftell(f) == (long)size - 5, "fseek from the end");
    rewind(f);
    check(ftell(f) == 0 && fgetc(f) == 'h', "rewind goes back to the first byte");
    check(fclose(f) == 0, "fclose");
}

/* ---- the heap -------------------------------------------------------------------------------- */

static int pattern_ok(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * 7))
            return 0;
    return 1;
}

/* The two files that are not the archive's: /dev/null takes everything and gives nothing,
 * /dev/zero gives zeros. */
static void test_devices(void)
{
    char buf[300];
    int null = open("/dev/null", O_WRONLY), zero = open("/dev/zero", O_RDONLY);
    check(null >= 0 && write(null, "discarded", 9) == 9 && read(null, buf, sizeof(buf)) == 0,
          "/dev/null takes a write whole and reads at its end");
    memset(buf, 'x', sizeof(buf));
    int zeros = read(zero, buf, sizeof(buf)) == (int)sizeof(buf);
    for (unsigned i = 0; i < sizeof(buf); i++)
        zeros &= buf[i] == 0;
    check(zero >= 0 && zeros, "/dev/zero reads 300 zeros");
    struct stat st;
    check(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && fstat(zero, &st) == 0 && S_ISCHR(st.st_mode),
          "stat and fstat call them character devices");
    check(close(null) == 0 && close(zero) == 0, "and close them");
}

static void test_heap(void)
{
    unsigned char *p = malloc(100);
    for (int i = 0; p && i < 100; i++)
        p[i] = (unsigned char)(i * 7);
    unsigned char *q = p ? realloc(p, 200000) : NULL;
    check(q && pattern_ok(q, 100), "realloc to 200000 bytes keeps the first 100");
    if (q)
        memset(q + 100, 0xAA, 200000 - 100);    /* every new page must be writable */
    p = q ? realloc(q, 10) : NULL;
    check(p && pattern_ok(p, 10), "realloc down to 10 bytes keeps them");
    free(p);
    errno = 0;
    void *huge = malloc(0x70000000);
    check(huge == NULL && errno == ENOMEM, "malloc beyond the address space gives NULL, ENOMEM");
    char *a = malloc(32), *b = malloc(32);
    check(a && b && (b >= a + 32 || a >= b + 32), "two blocks do not overlap");
    free(a);
    free(b);
}

/* ---- strings --------------------------------------------------------------------------------- */

static void test_strings(void)
{
    char buf[32], text[] = "one, two,,three";
    check(strlen("hypervisor") == 10 && strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && !strcmp("x", "x"),
          "strlen and strcmp");
    memset(buf, 'X', sizeof(buf));
    strncpy(buf, "ab", 5);
    check(same(buf, "ab") && buf[3] == 0 && buf[4] == 0 && buf[5] == 'X', "strncpy pads with NULs to n, no further");
    check(strchr("ring3", '3') - "ring3" == 4 && strchr("ring3", 'x') == NULL && strrchr("a.b.c", '.')[1] == 'c',
          "strchr and strrchr");
    check(same(strstr("paravirtualized", "virt"), "virtualized") && !strstr("abc", "abd"), "strstr");
    int words = 0;
    for (char *w = strtok(text, ", "); w; w = strtok(NULL, ", "))
        words++;
    check(words == 3, "strtok finds 3 words in \"one, two,,three\"");
    char over[] = "0123456789";
    memmove(over + 2, over, 6);
    check(same(over, "0101234589"), "memmove up over itself: %s", over);
    memmove(over, over + 2, 6);
    check(same(over, "0123454589"), "memmove down over itself: %s", over);
}

/* ---- setjmp, qsort, conversions --------------------------------------------------------------- */

static jmp_buf jump;

static void deep(int depth)
{
    if (depth == 0)
        longjmp(jump, 42);
    if (depth > 0)
        deep(depth - 1);
}

static void test_setjmp(void)
{
    volatile int visits = 0;
    int v = setjmp(jump);
    visits++;
    if (v == 0)
        deep(5);
    check(v == 42 && visits == 2, "longjmp from 5 calls deep returns 42 through setjmp");
}

static int by_value(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void test_sort(void)
{
    static int v[1000];
    unsigned seed = 1;
    for (int i = 0; i < 1000; i++)
        v[i] = (int)((seed = seed * 1103515245 + 12345) >> 8) % 100000 * 2;   /* even numbers */
    qsort(v, 1000, sizeof(int), by_value);
    int sorted = 1, found = 1;
    for (int i = 1; i < 1000; i++)
        sorted &= v[i - 1] <= v[i];
    for (int i = 0; i < 1000; i += 37)
        found &= bsearch(&v[i], v, 1000, sizeof(int), by_value) != NULL;
    int odd = 12345;
    check(sorted, "qsort sorts 1000 numbers");
    check(found && !bsearch(&odd, v, 1000, sizeof(int), by_value), "bsearch finds members, not others");
}

static void test_conversions(void)
{
    char *end;
    check(strtod("3.25e2xyz", &end) == 325.0 && same(end, "xyz"), "strtod reads 3.25e2 and stops");
    check(strtol("0x1f", &end, 0) == 31 && strtol("777", NULL, 8) == 511 && strtol("-42", NULL, 10) == -42,
          "strtol in bases 0, 8 and 10");
    errno = 0;
    check(strtol("99999999999", NULL, 10) == LONG_MAX && errno == ERANGE, "strtol overflow gives LONG_MAX, ERANGE");
    check(atoi("  -17abc") == -17 && atol("123") == 123, "atoi and atol");
}

/* ---- clocks ---------------------------------------------------------------------------------- */

static double seconds(const struct timeval *tv)
{
    return tv->tv_sec + tv->tv_usec / 1e6;
}

static void test_time(void)
{
    time_t now = time(NULL);
    struct tm *tm = gmtime(&now);
    check(now > 1577836800 && tm->tm_year + 1900 >= 2020 && tm->tm_year + 1900 < 2100,
          "time() is plausible: %04d-%02d-%02d", tm->tm_year + 1900, tm->tm_mon + 1, tm->tm_mday);
    struct timeval t0, t1, t;
    clock_t c0 = clock();
    gettimeofday(&t0, NULL);
    int monotonic = 1;
    do {                                     /* 30 ms of work, watching the clock never go back */
        gettimeofday(&t, NULL);
        monotonic &= seconds(&t) >= seconds(&t0) && t.tv_usec < 1000000;
        gettimeofday(&t1, NULL);
        monotonic &= seconds(&t1) >= seconds(&t);
    } while (seconds(&t1) - seconds(&t0) < 0.030);
    clock_t c1 = clock();
    double cpu = (double)(c1 - c0) / CLOCKS_PER_SEC, wall = seconds(&t1) - seconds(&t0);
    check(monotonic, "gettimeofday never goes back over %.3f s", wall);
    check(c0 != (clock_t)-1 && cpu >= 0.020 && cpu <= wall + 0.005, "clock() counts this process's CPU time: %.3f s of %.3f s",
          cpu, wall);
}

/* ---- libm ------------------------------------------------------------------------------------ */

static void near(double got, double want, const char *what)
{
    check(fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want)), "%s = %.15g", what, got);
}

static void test_math(void)
{
    near(sin(1.0), 0.8414709848078965, "sin(1)");
    near(cos(1.0), 0.5403023058681398, "cos(1)");
    near(sqrt(2.0), 1.4142135623730951, "sqrt(2)");
    near(pow(2.0, 0.5), 1.4142135623730951, "pow(2, 0.5)");
    near(pow(2.0, 40.0), 1099511627776.0, "pow(2, 40)");
    near(exp(1.0), 2.718281828459045, "exp(1)");
    near(log(10.0), 2.302585092994046, "log(10)");
    near(atan2(1.0, 1.0) * 4, 3.141592653589793, "atan2(1, 1) * 4");
    check(floor(-2.5) == -3.0 && ceil(2.1) == 3.0 && fmod(7.5, 2.0) == 1.5, "floor, ceil, fmod");
    volatile double zero = 0.0;            /* volatile: computed at run time, on the FPU */
    check(isnan(sqrt(-1.0)) && isinf(1.0 / zero), "sqrt(-1) is NaN, 1/0 is infinite");
}

/* ---- errno from the kernel's refusals -------------------------------------------------------- */

/* Did the call fail with -1 and this errno? */
static int fails_with(long result, int want)
{
    return result == -1 && errno == want;
}

/* A system call with no wrapper: the raw gate, the result turned into errno as newlib's layer does. */
static long raw_syscall(long nr, long a1)
{
    long r;
    __asm__ volatile ("int $0x80" : "=a" (r) : "a" (nr), "b" (a1) : "memory");
    if (r < 0 && r >= -4095) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

static void test_errno(void)
{
    errno = 0;
    check(fopen("no-such-file", "r") == NULL && errno == ENOENT, "fopen of a missing file: ENOENT");
    errno = 0;
    check(fopen(DATA, "w") == NULL && errno == EROFS, "fopen for writing: EROFS (the archive is read-only)");
    check(fails_with(open(DATA, O_RDWR), EROFS), "open O_RDWR: EROFS");
    check(fails_with(close(99), EBADF) && fails_with(read(42, NULL, 1), EBADF), "close and read of a bad fd: EBADF");
    check(fails_with(lseek(1, 0, SEEK_SET), ESPIPE), "lseek on the console: ESPIPE");
    int fd = open(DATA, O_RDONLY);
    check(fails_with(write(fd, "x", 1), EBADF), "write to an archive file: EBADF");
    close(fd);
}

static void test_bad_input(void)
{
    char buf[64];
    check(fails_with(raw_syscall(999, 0), ENOSYS), "int $0x80 with number 999: ENOSYS, and the process goes on");
    check(fails_with(raw_syscall(-1, 0), ENOSYS), "int $0x80 with number -1: ENOSYS");
    check(fails_with(write(1, KERNEL_PTR, 16), EFAULT), "write from a kernel pointer (0xC0000000): EFAULT");
    check(fails_with(write(1, buf, 0x7fffffff), EFAULT), "write of an oversized length (0x7fffffff): EFAULT");
    check(fails_with(write(1, (void *)(HVOS_USER_LIMIT - 8), 16), EFAULT), "write across the top of user memory: EFAULT");
    int fd = open(DATA, O_RDONLY);
    check(fails_with(read(fd, KERNEL_PTR, 16), EFAULT), "read into a kernel pointer: EFAULT");
    lseek(fd, -10, SEEK_END);
    check(read(fd, buf, 0x7fffffff) == 10, "read with an oversized length returns what is left (10 bytes)");
    close(fd);
    check(fails_with(open(KERNEL_PTR, O_RDONLY), EFAULT), "open with a kernel pointer as path: EFAULT");
    struct stat st;
    check(fails_with(stat(NULL, &st), EFAULT), "stat of a NULL path: EFAULT");
    char *argv[] = { "child", KERNEL_PTR, NULL };
    check(fails_with(hvos_spawn("child", argv), EFAULT), "spawn with a kernel pointer in argv: EFAULT");
    check(fails_with(kill(9999, 0), ESRCH), "kill of a process that does not exist: ESRCH");
}

/* ---- child processes ------------------------------------------------------------------------- */

/* Runs child with argv[1] = how; its waitpid status, or -1. */
static int run_child(char *how, char *extra)
{
    char *argv[] = { "child", how, extra, NULL };
    int status = -1;
    int pid = hvos_spawn("child", argv);
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

static void test_processes(void)
{
    int s = run_child("exit3", NULL);
    check(s != -1 && WIFEXITED(s) && WEXITSTATUS(s) == 3, "a child's exit(3) is WEXITSTATUS 3 (status %#x)", s);
    s = run_child("args", "two words");
    check(s != -1 && WIFEXITED(s) && WEXITSTATUS(s) == 3, "a child gets its argv (argc 3, status %#x)", s);
    s = run_child("segv", NULL);
    check(s != -1 && WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV, "a NULL dereference: WTERMSIG SIGSEGV (status %#x)", s);
    s = run_child("wild", NULL);
    check(s != -1 && WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV, "a write to the kernel: WTERMSIG SIGSEGV (status %#x)", s);
    s = run_child("abort", NULL);
    check(s != -1 && WIFSIGNALED(s) && WTERMSIG(s) == SIGABRT, "abort(): WTERMSIG SIGABRT (status %#x)", s);
    char *none[] = { "syscount", NULL };
    int pid = hvos_spawn("syscount", none);
    check(pid > 0 && waitpid(pid, &s, 0) == pid && WIFEXITED(s) && WEXITSTATUS(s) == 0,
          "syscount's 1000 rounds of getpid, lseek and read all gave the right answers");
    check(fails_with(hvos_spawn("no-such-program", NULL), ENOENT), "spawn of a missing program: ENOENT");
    check(fails_with(hvos_spawn(DATA, NULL), ENOEXEC), "spawn of a text file: ENOEXEC");
    check(fails_with(waitpid(-1, &s, 0), ECHILD), "waitpid with no children: ECHILD");
    check(fails_with(waitpid(-1, &s, WNOHANG), EINVAL), "waitpid with WNOHANG: EINVAL (no options)");
}

/* ---- fork and execve --------------------------------------------------------------------------- */

static int shared_before_fork = 1;

static void test_fork_exec(void)
{
    char *heap = malloc(64 * 1024);
    memset(heap, 'p', 64 * 1024);
    shared_before_fork = 2;
    fflush(stdout);                             /* or the child would print the parent's buffer too */
    int pid = fork(), s;
    if (pid == 0) {
        int same = shared_before_fork == 2 && heap[0] == 'p' && heap[64 * 1024 - 1] == 'p';
        shared_before_fork = 3;                 /* the parent's copy must not change */
        memset(heap, 'c', 64 * 1024);
        _exit(same ? 7 : 1);
    }
    s = pid > 0 && waitpid(pid, &s, 0) == pid ? s : -1;
    check(s != -1 && WIFEXITED(s) && WEXITSTATUS(s) == 7,
          "fork: the child gets 0 and a copy of memory, data and heap alike (status %#x)", s);
    check(shared_before_fork == 2 && heap[0] == 'p' && heap[64 * 1024 - 1] == 'p',
          "what the child wrote is its own: the parent's memory is as it was");
    free(heap);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *argv[] = { "child", "args", "from execve", NULL };
        execve("child", argv, NULL);
        _exit(99);                              /* only if execve failed */
    }
    s = pid > 0 && waitpid(pid, &s, 0) == pid ? s : -1;
    check(s != -1 && WIFEXITED(s) && WEXITSTATUS(s) == 3,
          "fork, then execve of child with its argv: its exit status (argc 3, status %#x)", s);
    int forked = 0, reaped = 0, err = 0;
    for (;;) {
        fflush(stdout);
        pid = fork();
        if (pid == 0)
            _exit(0);
        if (pid < 0) {
            err = errno;
            break;
        }
        forked++;
    }
    while (waitpid(-1, &s, 0) > 0)
        reaped++;
    check(forked > 0 && (err == EAGAIN || err == ENOMEM) && reaped == forked,
          "fork until the kernel has no room: EAGAIN or ENOMEM, and every child reaped");
    char *argv[] = { "no-such-program", NULL };
    check(fails_with(execve("no-such-program", argv, NULL), ENOENT), "execve of a missing program: ENOENT, and we go on");
    check(fails_with(execve(DATA, argv, NULL), ENOEXEC), "execve of a text file: ENOEXEC");
}

int main(void)
{
    test_printf();
    test_read_file();
    test_seek();
    test_devices();
    test_heap();
    test_strings();
    test_setjmp();
    test_sort();
    test_conversions();
    test_time();
    test_math();
    test_errno();
    test_bad_input();
    test_processes();
    test_fork_exec();
    printf("libc: %d passed, %d failed\n", passed, failed);
    return failed;
}
