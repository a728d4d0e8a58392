/* suite.c - the raw test suite's init (ring 3): runs each test program as a child, checks how it
 * ended through waitpid, and exits with the number of failures (the kernel then powers off,
 * cleanly only if that is 0). Every check prints "ok WHAT" or "FAIL WHAT". */
#include "raw.h"

#define EXITED(code) HVOS_STATUS_EXITED(code)
#define KILLED(sig)  HVOS_STATUS_KILLED(sig)

static void expect_status(int got, int want, const char *what)
{
    char line[160];
    format_snprintf(line, sizeof(line), "%s (status %#x)", what, got);
    check(got == want, line);
}

static void spawn_and_exit_status(void)
{
    char *argv[] = { "hello", "one", "two words", 0 };
    expect_status(run("hello", argv), EXITED(3), "spawn with argv, exit status 3 through waitpid");
    expect_status(run("/hello", 0), EXITED(1), "spawn with no argv: argv is the path alone");
    check(sys_spawn("nothing", 0) == -HVOS_ENOENT, "spawn of a missing program gives -ENOENT");
    check(sys_spawn("notes.txt", 0) == -HVOS_ENOEXEC, "spawn of a text file gives -ENOEXEC");
    check(sys_spawn("badseg", 0) == -HVOS_ENOEXEC, "spawn of an ELF loaded at the kernel's addresses gives -ENOEXEC");
    check(sys_spawn("truncated", 0) == -HVOS_ENOEXEC, "spawn of a truncated ELF gives -ENOEXEC");
}

static void faults(void)
{
    static const struct { char *how; int status; const char *what; } cases[] = {
        { "pf", KILLED(HVOS_SIGSEGV), "a page fault ends the process with SIGSEGV" },
        { "kernel", KILLED(HVOS_SIGSEGV), "a write to the kernel's memory ends it with SIGSEGV" },
        { "m2p", KILLED(HVOS_SIGSEGV), "a write to the monitor's M2P table (0xF5800000) ends it with SIGSEGV" },
        { "monitor", KILLED(HVOS_SIGSEGV), "a read of the monitor's image (0xF7100000) ends it with SIGSEGV" },
        { "ud", KILLED(HVOS_SIGILL), "an invalid opcode ends it with SIGILL" },
        { "de", KILLED(HVOS_SIGFPE), "a divide error ends it with SIGFPE" },
        { "gp", KILLED(HVOS_SIGSEGV), "cli in ring 3 (#GP) ends it with SIGSEGV" },
        { "hypercall", KILLED(HVOS_SIGSEGV), "a hypercall (int $0x82) from ring 3 ends it with SIGSEGV" },
        { "stack", KILLED(HVOS_SIGSEGV), "running off the bottom of the stack ends it with SIGSEGV" },
        { "text", KILLED(HVOS_SIGSEGV), "a write into its own program text ends it with SIGSEGV" },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *argv[] = { "crash", cases[i].how, 0 };
        expect_status(run("crash", argv), cases[i].status, cases[i].what);
    }
}

static void two_at_once(void)
{
    char *a[] = { "spin", "A", "4", "30", 0 }, *b[] = { "spin", "B", "4", "30", 0 };
    int sa = -1, sb = -1;
    long pa = sys_spawn("spin", a), pb = sys_spawn("spin", b);
    long first = sys_waitpid(-1, &sa), second = sys_waitpid(-1, &sb);
    check(pa > 0 && pb > 0 && ((first == pa && second == pb) || (first == pb && second == pa)),
          "two children run at once; waitpid(-1) collects both");
    check(sa == 0 && sb == 0, "both exit with 0");
}

static void fpu_per_process(void)
{
    char *a[] = { "fpu", "1", 0 }, *b[] = { "fpu", "2", 0 };
    int sa = -1, sb = -1;
    long pa = sys_spawn("fpu", a), pb = sys_spawn("fpu", b);
    sys_waitpid((int)pa, &sa);
    sys_waitpid((int)pb, &sb);
    check(pa > 0 && pb > 0 && sa == 0 && sb == 0, "two processes using the FPU at once each keep their own state");
}

static void kill_a_child(void)
{
    char *argv[] = { "spin", "K", "1000", "10", 0 };
    int status = -1;
    long pid = sys_spawn("spin", argv);
    sys_yield();
    check(sys_kill((int)pid, 0) == 0, "kill with signal 0: the child lives");
    check(sys_kill((int)pid, HVOS_SIGKILL) == 0, "kill a running child with SIGKILL");
    expect_status(sys_waitpid((int)pid, &status) == pid ? status : -1, KILLED(HVOS_SIGKILL), "it ends with SIGKILL");
    check(sys_kill((int)pid, 0) == -HVOS_ESRCH, "once reaped it is gone");
}

static void time_goes_on(void)
{
    struct hvos_times t;
    uint64_t wall = 0, a = now_ns(), b = now_ns();
    check(b >= a && a > 0, "CLOCK_MONOTONIC does not go back");
    check(sys(SYS_clock_gettime, HVOS_CLOCK_REALTIME, ADDR(&wall), 0) == 0 && wall > 946684800ull * 1000000000ull,
          "CLOCK_REALTIME is after 2000");
    check(sys(SYS_times, ADDR(&t), 0, 0) == 0 && t.process_ns > 0 && t.elapsed_ns >= t.process_ns,
          "times: some CPU time, less than the time since boot");
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    check(sys_getpid() == 1, "init is process 1");
    spawn_and_exit_status();
    expect_status(run("badcalls", 0), EXITED(0), "bad calls are refused and the caller goes on");
    expect_status(run("files", 0), EXITED(0), "the archive's files read as they should");
    expect_status(run("heap", 0), EXITED(0), "the heap grows and shrinks with brk");
    faults();
    two_at_once();
    fpu_per_process();
    kill_a_child();
    expect_status(run("sysloop", 0), EXITED(0), "10000 system calls in a loop");
    time_goes_on();
    say("suite: %d failures\n", failures);
    return failures;
}
