"""examples/minikernel: a guest kernel that runs ring-3 programs from a ustar archive. The raw test
programs of tests/apps-raw make their system calls with `int $0x80` directly (no libc); their
init, `suite`, runs each as a child and prints "ok WHAT" / "FAIL WHAT" for every check. The tests
run on both of the kernel's platforms, hv ([hv]) and bare hardware ([native]), but for the count
of monitor entries, which only hv has."""
import re

import pytest

from conftest import ROOT, assert_check_passed, assert_exactly_these_checks, boot, boot_native, build_once, one_boot

KERNEL = "build/examples/minikernel.elf"
NATIVE_KERNEL = "build/examples/minikernel-native.elf"
APPS = "build/tests/apps-raw"
PLATFORMS = ["hv", "native"]
on_both = pytest.mark.parametrize("platform", PLATFORMS)


@pytest.fixture(scope="module")
def apps():
    """Build the raw programs and their archives once."""
    build_once("-C", "tests/apps-raw", f"BUILD={ROOT}/build")
    return APPS


def minikernel(args, archive, platform="hv", **kw):
    if platform == "native":
        return boot_native(f"{NATIVE_KERNEL}={args}", archive, **kw)
    return boot(f"{KERNEL}={args}", f"{archive}=attach", **kw)


@pytest.fixture(scope="module", params=PLATFORMS)
def suite(apps, request):
    return minikernel("init=suite", f"{apps}/apps.tar", platform=request.param, timeout=90)


# What the raw programs check, as suite runs them (tests/apps-raw), in the order they print them.
SUITE_CHECKS = [
    "init is process 1",
    "argv ends with NULL, then an empty environment",
    "spawn with argv, exit status 3 through waitpid (status 0x300)",
    "argv ends with NULL, then an empty environment",
    "spawn with no argv: argv is the path alone (status 0x100)",
    "spawn of a missing program gives -ENOENT",
    "spawn of a text file gives -ENOEXEC",
    "spawn of an ELF loaded at the kernel's addresses gives -ENOEXEC",
    "spawn of a truncated ELF gives -ENOEXEC",
    "bad number 18 (HVOS_NR_SYSCALLS) gives -ENOSYS: -88",
    "bad number 0x7fffffff gives -ENOSYS: -88",
    "bad number -1 gives -ENOSYS: -88",
    "write from the kernel's memory gives -EFAULT: -14",
    "write from the monitor's memory gives -EFAULT: -14",
    "write from an unmapped user page gives -EFAULT: -14",
    "times into the program's read-only text gives -EFAULT: -14",
    "clock_gettime into the monitor gives -EFAULT: -14",
    "times into the kernel gives -EFAULT: -14",
    "open with a path in the kernel gives -EFAULT: -14",
    "stat into the monitor gives -EFAULT: -14",
    "waitpid's status into the kernel gives -EFAULT: -14",
    "spawn with a path in the kernel gives -EFAULT: -14",
    "spawn with argv in the monitor gives -EFAULT: -14",
    "spawn with an argument string in the kernel gives -EFAULT: -14",
    "clock_gettime into our own memory works: 0",
    "waitpid with no children gives -ECHILD: -10",
    "write of 2 GiB from a 64-byte buffer gives -EFAULT, prints nothing: -14",
    "write of 4 GiB - 1 (wraps around) gives -EFAULT: -14",
    "write across the top of the user range gives -EFAULT: -14",
    "write whose end wraps to 0 gives -EFAULT: -14",
    "write of 0 bytes gives 0: 0",
    "write to an unopened descriptor gives -EBADF: -9",
    "write to descriptor -1 gives -EBADF: -9",
    "read from descriptor 1000 gives -EBADF: -9",
    "lseek on the console gives -ESPIPE: -29",
    "kill of no such process gives -ESRCH: -3",
    "clock_gettime of clock 7 gives -EINVAL: -22",
    "waitpid(0) gives -EINVAL: -22",
    "after all that, the process still runs",
    "bad calls are refused and the caller goes on (status 0x0)",
    "open of an archive file gives a descriptor after the console's",
    "read with a 2 GiB length is cut to the file's size",
    "read at the end gives 0",
    "lseek then read",
    "lseek from the end",
    "lseek before the start gives -EINVAL",
    "fstat of a file: regular, read-only, its size",
    "fstat of the console: a character device",
    "stat by absolute path",
    "stat of a missing file gives -ENOENT",
    "open for writing gives -EROFS",
    "open for reading and writing gives -EROFS",
    "write to an archive file gives -EBADF",
    "close, then close again gives -EBADF",
    "13 more files open, then -EMFILE",
    "the archive's files read as they should (status 0x0)",
    "brk(0) is the page after the program's bss",
    "brk grows the heap by 3 pages and a bit",
    "new heap pages read as zero",
    "the heap keeps what is written",
    "brk shrinks the heap",
    "brk below the heap's start is refused",
    "brk into the stack is refused",
    "brk into the kernel is refused",
    "brk grows by 64 pages",
    "brk beyond the memory there is (768 MiB) is refused",
    "pages freed by shrinking come back zeroed",
    "the heap grows and shrinks with brk (status 0x0)",
    "a page fault ends the process with SIGSEGV (status 0xb)",
    "a write to the kernel's memory ends it with SIGSEGV (status 0xb)",
    "a write to the monitor's M2P table (0xF5800000) ends it with SIGSEGV (status 0xb)",
    "a read of the monitor's image (0xF7100000) ends it with SIGSEGV (status 0xb)",
    "an invalid opcode ends it with SIGILL (status 0x4)",
    "a divide error ends it with SIGFPE (status 0x8)",
    "cli in ring 3 (#GP) ends it with SIGSEGV (status 0xb)",
    "a hypercall (int $0x82) from ring 3 ends it with SIGSEGV (status 0xb)",
    "running off the bottom of the stack ends it with SIGSEGV (status 0xb)",
    "a write into its own program text ends it with SIGSEGV (status 0xb)",
    "two children run at once; waitpid(-1) collects both",
    "both exit with 0",
    "fpu {}: its x87 value and control word survived switches",     # 1 and 2 finish in either order
    "fpu {}: its x87 value and control word survived switches",
    "two processes using the FPU at once each keep their own state",
    "kill with signal 0: the child lives",
    "kill a running child with SIGKILL",
    "it ends with SIGKILL (status 0x9)",
    "once reaped it is gone",
    "10000 system calls in a loop (status 0x0)",
    "CLOCK_MONOTONIC does not go back",
    "CLOCK_REALTIME is after 2000",
    "times: some CPU time, less than the time since boot",
]


@one_boot("suite")
@pytest.mark.parametrize("what", SUITE_CHECKS)
def test_raw_suite_checks(suite, what):
    assert_check_passed(suite, "minikernel", what)


@one_boot("suite")
@one_boot("suite")
def test_raw_suite_makes_exactly_these_checks(suite):
    assert_exactly_these_checks(suite, "minikernel", SUITE_CHECKS)


@one_boot("suite")
@one_boot("suite")
def test_raw_suite_ends_cleanly(suite):
    assert "minikernel: suite: 0 failures" in suite.console, suite.console[-3000:]
    assert suite.status == 0, "init exited with 0, so the domain powered off cleanly"


@one_boot("suite")
def test_both_fpu_processes_kept_their_state(suite):
    for n in (1, 2):
        assert_check_passed(suite, "minikernel", f"fpu {n}: its x87 value and control word survived switches")


@one_boot("suite")
def test_every_process_start_and_end_is_one_greppable_line(suite):
    started = re.findall(r"^minikernel: process (\d+) \((\w+)\) started by (\d+): (.*)$", suite.console, re.M)
    ended = re.findall(r"^minikernel: process (\d+) \((\w+)\) (?:exited with status|ended by signal) (\d+) after",
                       suite.console, re.M)
    assert started[0] == ("1", "suite", "0", "suite")
    assert ("2", "hello", "1", "hello one two words") in started
    assert sorted(p for p, *_ in started) == sorted(p for p, *_ in ended), "each process that starts, ends"
    assert re.search(r"^minikernel: no process left \(0 pages still in use\); init exited with status 0: "
                     r"powering off$", suite.console, re.M), "every page of every process came back"


@one_boot("suite")
def test_faulting_processes_die_alone_with_a_clear_message(suite):
    console = suite.console
    assert re.search(r"^minikernel: process \d+ \(crash\) killed: page fault at 0x10 \(read, not mapped\), "
                     r"eip 0x804[0-9a-f]{4}$", console, re.M)
    assert re.search(r"^minikernel: process \d+ \(crash\) killed: page fault at 0xc0000000 \(write, protection\)",
                     console, re.M)
    assert re.search(r"^minikernel: process \d+ \(crash\) killed: page fault at 0xf7100000 \(read, protection\)",
                     console, re.M)
    assert re.search(r"^minikernel: process \d+ \(crash\) killed: invalid opcode", console, re.M)
    assert re.search(r"^minikernel: process \d+ \(crash\) killed: divide error", console, re.M)
    assert re.search(r"^minikernel: process \d+ \(crash\) killed: general protection fault", console, re.M)
    assert re.search(r"^minikernel: process \d+ \(crash\) killed: page fault at 0x804[0-9a-f]{4} \(write, protection\)",
                     console, re.M), "program text is read-only"
    assert len(re.findall(r"^minikernel: process \d+ \(crash\) ended by signal (?:11|4|8) ", console, re.M)) == 10


@one_boot("suite")
@pytest.mark.parametrize("suite", ["hv"], indirect=True)     # on bare hardware there is no monitor
def test_direct_system_calls_never_enter_the_monitor(suite):
    """sysloop makes 10000 getpid calls alone on the CPU (its parent waits, so no timer is set);
    the kernel reads hv_stats when it first runs and when it exits."""
    m = re.search(r"^minikernel: process \d+ \(sysloop\) exited with status 0 after (\d+) system calls, "
                  r"(\d+) monitor entries", suite.console, re.M)
    assert m, suite.console[-3000:]
    assert int(m.group(1)) == 1 + 10000 + 1, "its first getpid, the loop's 10000, and exit"
    assert int(m.group(2)) == 0


@one_boot("suite")
def test_two_processes_share_the_cpu_on_the_timer(suite):
    """Two spin processes compute for 30 ms between lines and never give the CPU away: only the
    timer switches them, so their lines interleave."""
    lines = re.findall(r"^minikernel: spin ([AB]) (\d)$", suite.console, re.M)
    order = [who for who, _ in lines]
    assert sorted(lines) == [(w, str(n)) for w in "AB" for n in range(1, 5)], suite.console[-3000:]
    a_last = max(i for i, w in enumerate(order) if w == "A")
    b_first = order.index("B")
    assert b_first < a_last, f"B ran before A was done: {order}"


@on_both
def test_console_input_wakes_a_blocked_reader(apps, platform):
    run = minikernel("init=readline", f"{apps}/apps.tar", platform, typed="hello there\rquit\r", timeout=60)
    assert 'minikernel: readline: got "hello there" (11 bytes)' in run.console, run.console[-2000:]
    assert 'minikernel: readline: got "quit" (4 bytes)' in run.console
    assert run.status == 0


@pytest.mark.parametrize("archive, why", [
    ("bad-checksum.tar", "bad header checksum at offset 0x200"),
    ("short.tar", "file size beyond the end of the module at offset 0x200"),
])
@on_both
def test_malformed_archive_is_refused(apps, archive, why, platform):
    run = minikernel("init=suite", f"{apps}/{archive}", platform)
    assert f"minikernel: archive refused: {why}" in run.console, run.console[-2000:]
    assert "started by" not in run.console
    assert run.status == 1


@pytest.mark.parametrize("init, error", [("nothing", 2), ("notes.txt", 8), ("truncated", 8), ("badseg", 8)])
@on_both
def test_init_that_cannot_run_is_reported(apps, init, error, platform):
    run = minikernel(f"init={init}", f"{apps}/apps.tar", platform)
    assert f"minikernel: cannot start init ({init}): error {error}" in run.console, run.console[-2000:]
    assert run.status == 1


@on_both
def test_init_gets_its_arguments_from_the_command_line(apps, platform):
    run = minikernel("init=hello args=one,two", f"{apps}/apps.tar", platform)
    assert "minikernel: hello from pid 1: argc 3 [hello][one][two]" in run.console, run.console[-2000:]
    assert "minikernel: no process left (0 pages still in use); init exited with status 3: powering off" in run.console
    assert run.status == 1, "init's status 3 is a failure"
