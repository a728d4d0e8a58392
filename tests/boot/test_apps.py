"""Guest applications in C on newlib (host side; each test boots the monitor, the minikernel in
ring 1 and programs in ring 3): the examples of examples/apps run alone and from their shell, and
tests/apps/libc_test checks the C library, child processes, errno from bad input, and that system
calls through newlib never enter the monitor. A process's output lines carry the domain's name,
"minikernel: ". Each runs on both of the minikernel's platforms, the same binaries in the same
archive: on hv ([hv]) and on bare hardware ([native], tools/hvrun --native; boot_native gives its
lines the same start)."""
import math
import os
import re

import pytest

from conftest import (ROOT, assert_check_passed, assert_exactly_these_checks, boot, boot_native, build_once, checks,
                      failures, one_boot)

KERNEL = "build/examples/minikernel.elf"
NATIVE_KERNEL = "build/examples/minikernel-native.elf"
PLATFORMS = ["hv", "native"]
on_both = pytest.mark.parametrize("platform", PLATFORMS)
APPS = "build/apps/apps.tar"
TESTS = "build/tests/apps/tests.tar"
OFF_CLEANLY = "minikernel: no process left (0 pages still in use); init exited with status 0: powering off"


@pytest.fixture(scope="module")
def built():
    """Build the sysroot (if needed) and both archives once."""
    build_once("apps", "test-apps")


def run_app(init, args=None, archive=APPS, platform="hv", **kw):
    cmdline = f"init={init}" + (f" args={','.join(args)}" if args else "")
    if platform == "native":
        return boot_native(f"{NATIVE_KERNEL}={cmdline}", archive, **kw)
    return boot(f"{KERNEL}={cmdline}", f"{archive}=attach", **kw)


def source_lines(name):
    with open(os.path.join(ROOT, "examples", "apps", name)) as f:
        return f.read().splitlines()


# ---- the examples, each as init ---------------------------------------------------------------

@on_both
def test_hello_prints_with_printf(built, platform):
    run = run_app("hello", ["one", "two"], platform=platform)
    assert "minikernel: Hello from ring 3, pid 1, via newlib's printf" in run.console, run.console[-2000:]
    assert 'minikernel:   argv[2] = "two"' in run.console
    assert OFF_CLEANLY in run.console
    assert run.status == 0


@on_both
def test_cat_copies_archive_files_in_order(built, platform):
    run = run_app("cat", ["motd.txt", "poem.txt"], platform=platform)
    got = [line[len("minikernel: "):] for line in run.console.splitlines()
           if line.startswith("minikernel: ") and "process" not in line and "archive of" not in line]
    want = source_lines("motd.txt") + source_lines("poem.txt")
    assert got[:len(want)] == want, run.console[-2000:]
    assert run.status == 0


@on_both
def test_cat_of_a_missing_file_says_why_and_fails(built, platform):
    run = run_app("cat", ["motd.txt", "nothing"], platform=platform)
    assert "minikernel: cat: nothing: No such file or directory" in run.console, run.console[-2000:]
    assert "init exited with status 1" in run.console
    assert run.status == 1


@pytest.mark.parametrize("expression, value", [
    ("sqrt(2)*sin(1)", math.sqrt(2) * math.sin(1)),
    ("2^10 - 1", 1023),
    ("-2^2 + (1+2)*3/4", -1.75),
    ("exp(log(10)) * pi", 10 * math.pi),
])
@on_both
def test_calc_evaluates_with_libm(built, platform, expression, value):
    run = run_app("calc", expression.split(), platform=platform)     # the kernel's command line splits at spaces
    m = re.search(r"^minikernel: process 1 \(calc\) started by 0: .*\nminikernel: (\S+)$", run.console, re.M)
    assert m, run.console[-2000:]
    assert float(m.group(1)) == pytest.approx(value, rel=1e-9)
    assert run.status == 0


@on_both
def test_calc_refuses_a_malformed_expression(built, platform):
    run = run_app("calc", "1 + * 2".split(), platform=platform)
    assert 'minikernel: calc: number expected at "* 2 "' in run.console, run.console[-2000:]
    assert run.status == 1


@on_both
def test_mstress_checks_every_block_and_gives_memory_back(built, platform):
    run = run_app("mstress", platform=platform, timeout=120)
    m = re.search(r"^minikernel: mstress: 20000 operations \((\d+) malloc, (\d+) realloc, (\d+) free\), "
                  r"peak (\d+) KiB in use, heap (\d+) KiB at most and (\d+) KiB at the end, (\d+) errors$",
                  run.console, re.M)
    assert m, run.console[-2000:]
    mallocs, reallocs, frees, peak, heap_max, heap_end, errors = map(int, m.groups())
    assert errors == 0
    assert mallocs == frees and reallocs > 1000, "every block was freed"
    assert heap_max >= peak > 100, "the heap grew at least as far as what was in use"
    assert heap_end < heap_max, "free gave the top of the heap back to the kernel"
    assert OFF_CLEANLY in run.console
    assert run.status == 0


# ---- the shell --------------------------------------------------------------------------------

SESSION = 'help\nhello\ncat motd.txt\ncalc "sqrt(2)*sin(1)"\ncalc 1+\nmstress\nnope\nexit 0\n'


@pytest.fixture(scope="module", params=PLATFORMS)
def shell(built, request):
    return run_app("sh", typed=SESSION, platform=request.param, timeout=120)


@one_boot("shell")
def test_shell_runs_programs_by_name(shell):
    console = shell.console
    started = re.findall(r"^minikernel: process \d+ \((\w+)\) started by 1: (.*)$", console, re.M)
    assert [name for name, _ in started] == ["hello", "cat", "calc", "calc", "mstress"], console[-3000:]
    assert ("calc", "calc sqrt(2)*sin(1)") in started, "quotes keep the expression one word"
    assert "minikernel: Builtins: help, exit [STATUS]. The end of input (ctrl-D) exits too." in console
    assert "minikernel: Hello from ring 3, pid 2, via newlib's printf" in console
    assert f"minikernel: {source_lines('motd.txt')[0]}" in console
    assert f"minikernel: {math.sqrt(2) * math.sin(1):.10g}" in console
    assert re.search(r"^minikernel: mstress: .* 0 errors$", console, re.M)


@one_boot("shell")
def test_typed_ahead_lines_are_echoed_after_the_prompt_that_reads_them(shell):
    """--input types the whole session at boot; each line shows when the shell reads it."""
    transcript = [line for line in shell.console.splitlines() if line.startswith("minikernel: sh> ")]
    assert transcript[:4] == ["minikernel: sh> help", "minikernel: sh> hello", "minikernel: sh> cat motd.txt",
                              'minikernel: sh> calc "sqrt(2)*sin(1)"'], shell.console[:3000]
    assert shell.console.index("minikernel: sh> hello") < shell.console.index("Hello from ring 3")


@one_boot("shell")
def test_shell_reports_failures_and_unknown_names(shell):
    assert "minikernel: sh: calc: exit status 1" in shell.console, shell.console[-3000:]
    assert "sh: nope: not found" in shell.console
    assert "sh: hello:" not in shell.console, "a status of 0 is not reported"


@one_boot("shell")
def test_shell_exit_builtin_ends_init(shell):
    assert re.search(r"^minikernel: process 1 \(sh\) exited with status 0 after", shell.console, re.M)
    assert OFF_CLEANLY in shell.console
    assert shell.status == 0


@on_both
def test_shell_exits_at_end_of_input(built, platform):
    run = run_app("sh", typed="hello\n\x04", platform=platform, timeout=60)
    assert "minikernel: Hello from ring 3, pid 2, via newlib's printf" in run.console, run.console[-2000:]
    assert OFF_CLEANLY in run.console
    assert run.status == 0


# ---- the C library's tests --------------------------------------------------------------------

@pytest.fixture(scope="module", params=PLATFORMS)
def libc(built, request):
    run = run_app("libc_test", archive=TESTS, platform=request.param, timeout=120)
    run.platform = request.param
    return run


def ok(run, what):
    """The check whose text starts with what passed."""
    results = checks(run, "minikernel: libc")
    matching = [result for result, text in results if text.startswith(what)]
    assert matching, f"no check {what!r}:\n{run.console[-3000:]}"
    return all(result == "ok" for result in matching)


# What tests/apps/libc_test checks, in the order it prints them.
LIBC_CHECKS = [
    "%lld of 2^40+1 prints 1099511627777",
    '%llx and %llX give "123456789abcdef FFFFFFFFFFFFFFFF"',
    '%f %.3e %g give "3.141590|1.235e+04|0.0001|1e+20"',
    'widths, flags and precision give "[   42|ab   |002.2|z|%]"',
    "snprintf truncates to its size and returns the full length",
    "fopen of an archive file",
    "fgets reads the first line",
    "fgets reads all 40 lines, then end of file",
    "ftell at the end equals stat's size (1391)",
    "fread of the whole file: 1391 bytes",
    "fseek to the 10th line; ftell agrees",
    "fgets there reads line 10",
    "fseek from the end",
    "rewind goes back to the first byte",
    "fclose",
    "/dev/null takes a write whole and reads at its end",
    "/dev/zero reads 300 zeros",
    "stat and fstat call them character devices",
    "and close them",
    "realloc to 200000 bytes keeps the first 100",
    "realloc down to 10 bytes keeps them",
    "malloc beyond the address space gives NULL, ENOMEM",
    "two blocks do not overlap",
    "strlen and strcmp",
    "strncpy pads with NULs to n, no further",
    "strchr and strrchr",
    "strstr",
    'strtok finds 3 words in "one, two,,three"',
    "memmove up over itself: 0101234589",
    "memmove down over itself: 0123454589",
    "longjmp from 5 calls deep returns 42 through setjmp",
    "qsort sorts 1000 numbers",
    "bsearch finds members, not others",
    "strtod reads 3.25e2 and stops",
    "strtol in bases 0, 8 and 10",
    "strtol overflow gives LONG_MAX, ERANGE",
    "atoi and atol",
    "time() is plausible: {}",
    "gettimeofday never goes back over {} s",
    "clock() counts this process's CPU time: {} s of {} s",
    "sin(1) = 0.841470984807897",
    "cos(1) = 0.54030230586814",
    "sqrt(2) = 1.4142135623731",
    "pow(2, 0.5) = 1.4142135623731",
    "pow(2, 40) = 1099511627776",
    "exp(1) = 2.71828182845905",
    "log(10) = 2.30258509299405",
    "atan2(1, 1) * 4 = 3.14159265358979",
    "floor, ceil, fmod",
    "sqrt(-1) is NaN, 1/0 is infinite",
    "fopen of a missing file: ENOENT",
    "fopen for writing: EROFS (the archive is read-only)",
    "open O_RDWR: EROFS",
    "close and read of a bad fd: EBADF",
    "lseek on the console: ESPIPE",
    "write to an archive file: EBADF",
    "int $0x80 with number 999: ENOSYS, and the process goes on",
    "int $0x80 with number -1: ENOSYS",
    "write from a kernel pointer (0xC0000000): EFAULT",
    "write of an oversized length (0x7fffffff): EFAULT",
    "write across the top of user memory: EFAULT",
    "read into a kernel pointer: EFAULT",
    "read with an oversized length returns what is left (10 bytes)",
    "open with a kernel pointer as path: EFAULT",
    "stat of a NULL path: EFAULT",
    "spawn with a kernel pointer in argv: EFAULT",
    "kill of a process that does not exist: ESRCH",
    "a child's exit(3) is WEXITSTATUS 3 (status 0x300)",
    "a child gets its argv (argc 3, status 0x300)",
    "a NULL dereference: WTERMSIG SIGSEGV (status 0xb)",
    "a write to the kernel: WTERMSIG SIGSEGV (status 0xb)",
    "abort(): WTERMSIG SIGABRT (status 0x6)",
    "syscount's 1000 rounds of getpid, lseek and read all gave the right answers",
    "spawn of a missing program: ENOENT",
    "spawn of a text file: ENOEXEC",
    "waitpid with no children: ECHILD",
    "waitpid with WNOHANG: EINVAL (no options)",
    "fork: the child gets 0 and a copy of memory, data and heap alike (status 0x700)",
    "what the child wrote is its own: the parent's memory is as it was",
    "fork, then execve of child with its argv: its exit status (argc 3, status 0x300)",
    "fork until the kernel has no room: EAGAIN or ENOMEM, and every child reaped",
    "execve of a missing program: ENOENT, and we go on",
    "execve of a text file: ENOEXEC",
]


@one_boot("libc")
@pytest.mark.parametrize("what", LIBC_CHECKS)
def test_libc_checks(libc, what):
    assert_check_passed(libc, "minikernel: libc", what)


@one_boot("libc")
@one_boot("libc")
def test_libc_makes_exactly_these_checks(libc):
    assert_exactly_these_checks(libc, "minikernel: libc", LIBC_CHECKS)


@one_boot("libc")
@one_boot("libc")
def test_libc_test_ends_cleanly(libc):
    assert f"minikernel: libc: {len(LIBC_CHECKS)} passed, 0 failed" in libc.console, libc.console[-3000:]
    assert OFF_CLEANLY in libc.console
    assert libc.status == 0


@on_both
def test_libc_every_check_passes_under_bochs(built, platform):
    """Bochs checks segment limits, which QEMU does not: ring-3 C code, its libc and the ring-1
    kernel under it all keep within the flat segments the monitor truncates below itself (and on
    bare hardware, the same programs under Bochs's PC)."""
    run = run_app("libc_test", archive=TESTS, platform=platform, bochs=True, timeout=240)
    assert_exactly_these_checks(run, "minikernel: libc", LIBC_CHECKS)
    assert failures(checks(run, "minikernel: libc")) == [], run.console[-3000:]
    assert OFF_CLEANLY in run.console
    assert run.status == 0


@one_boot("libc")
def test_libc_printf_long_long_and_floating_point(libc):
    assert "minikernel: libc: ok %lld of 2^40+1 prints 1099511627777" in libc.console
    assert ok(libc, "%llx and %llX")
    assert ok(libc, "%f %.3e %g give \"3.141590|1.235e+04|0.0001|1e+20\"")


@one_boot("libc")
def test_libc_child_exit_status_and_atexit(libc):
    """exit(3) runs the atexit handler and flushes stdio before the kernel hears of the exit."""
    assert ok(libc, "a child's exit(3) is WEXITSTATUS 3")
    m = re.search(r"^minikernel: child: this line is still in stdio's buffer at exit:child: atexit handler ran\n"
                  r"minikernel: process \d+ \(child\) exited with status 3 after", libc.console, re.M)
    assert m, libc.console[-3000:]


@one_boot("libc")
def test_libc_children_killed_by_signals(libc):
    assert ok(libc, "a NULL dereference: WTERMSIG SIGSEGV")
    assert ok(libc, "a write to the kernel: WTERMSIG SIGSEGV")
    assert ok(libc, "abort(): WTERMSIG SIGABRT")
    assert re.search(r"^minikernel: process \d+ \(child\) killed: page fault at 0x0 \(write, not mapped\)",
                     libc.console, re.M)
    assert re.search(r"^minikernel: process (\d+) \(child\) killed by process \1: signal 6$", libc.console, re.M)


@one_boot("libc")
def test_libc_bad_input_gives_errno_and_the_process_goes_on(libc):
    for what in ["int $0x80 with number 999: ENOSYS", "write from a kernel pointer (0xC0000000): EFAULT",
                 "write of an oversized length (0x7fffffff): EFAULT", "read into a kernel pointer: EFAULT",
                 "read with an oversized length returns what is left", "open with a kernel pointer as path: EFAULT",
                 "spawn with a kernel pointer in argv: EFAULT", "fopen of a missing file: ENOENT",
                 "fopen for writing: EROFS"]:
        assert ok(libc, what), what


@one_boot("libc")
def test_faulting_children_leave_kernel_and_monitor_running(libc):
    """After the crashes, libc_test goes on to its summary and the domain (or the machine) powers
    off cleanly."""
    console = libc.console
    crash = console.index("(child) killed: page fault at 0x0")
    assert console.index("minikernel: libc: ok waitpid with no children: ECHILD") > crash
    if libc.platform == "hv":
        assert "hv: domain 0 (minikernel) shut down: poweroff" in console
    else:
        assert "minikernel: power-off status=0" in console


@one_boot("libc")
@pytest.mark.parametrize("libc", ["hv"], indirect=True)      # on bare hardware there is no monitor
def test_system_calls_through_newlib_never_enter_the_monitor(libc):
    """syscount runs alone (its parent waits) and makes 3000 calls through newlib's wrappers."""
    assert ok(libc, "syscount's 1000 rounds")
    m = re.search(r"^minikernel: process \d+ \(syscount\) exited with status 0 after (\d+) system calls, "
                  r"(\d+) monitor entries", libc.console, re.M)
    assert m, libc.console[-3000:]
    assert int(m.group(1)) == 3 + 3000 + 2, "getpid, open, fstat; 1000 rounds of three; close, exit"
    assert int(m.group(2)) == 0
