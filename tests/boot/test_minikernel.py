"""examples/minikernel: a guest kernel that runs ring-3 programs from a ustar archive. The raw test
programs of tests/apps-raw make their system calls with `int $0x80` directly (no libc); their
init, `suite`, runs each as a child and prints "ok WHAT" / "FAIL WHAT" for every check."""
import re

import pytest

from conftest import ROOT, boot, build_once, checks, failures

KERNEL = "build/examples/minikernel.elf"
APPS = "build/tests/apps-raw"


@pytest.fixture(scope="module")
def apps():
    """Build the raw programs and their archives once."""
    build_once("-C", "tests/apps-raw", f"BUILD={ROOT}/build")
    return APPS


def minikernel(args, archive, **kw):
    return boot(f"{KERNEL}={args}", f"{archive}=attach", **kw)


@pytest.fixture(scope="module")
def suite(apps):
    return minikernel("init=suite", f"{apps}/apps.tar", timeout=90)


def test_raw_suite_passes_every_check(suite):
    results = checks(suite, "minikernel")
    assert len(results) >= 60, suite.console[-3000:]
    assert failures(results) == [], suite.console[-3000:]
    assert "minikernel: suite: 0 failures" in suite.console
    assert suite.status == 0, "init exited with 0, so the domain powered off cleanly"


def test_every_process_start_and_end_is_one_greppable_line(suite):
    started = re.findall(r"^minikernel: process (\d+) \((\w+)\) started by (\d+): (.*)$", suite.console, re.M)
    ended = re.findall(r"^minikernel: process (\d+) \((\w+)\) (?:exited with status|ended by signal) (\d+) after",
                       suite.console, re.M)
    assert started[0] == ("1", "suite", "0", "suite")
    assert ("2", "hello", "1", "hello one two words") in started
    assert sorted(p for p, *_ in started) == sorted(p for p, *_ in ended), "each process that starts, ends"
    assert re.search(r"^minikernel: no process left \(0 pages still in use\); init exited with status 0: "
                     r"powering off$", suite.console, re.M), "every page of every process came back"


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


def test_direct_system_calls_never_enter_the_monitor(suite):
    """sysloop makes 10000 getpid calls alone on the CPU (its parent waits, so no timer is set);
    the kernel reads hv_stats when it first runs and when it exits."""
    m = re.search(r"^minikernel: process \d+ \(sysloop\) exited with status 0 after (\d+) system calls, "
                  r"(\d+) monitor entries", suite.console, re.M)
    assert m, suite.console[-3000:]
    assert int(m.group(1)) >= 10000
    assert int(m.group(2)) == 0


def test_two_processes_share_the_cpu_on_the_timer(suite):
    """Two spin processes compute for 30 ms between lines and never give the CPU away: only the
    timer switches them, so their lines interleave."""
    lines = re.findall(r"^minikernel: spin ([AB]) (\d)$", suite.console, re.M)
    order = [who for who, _ in lines]
    assert sorted(lines) == [(w, str(n)) for w in "AB" for n in range(1, 5)], suite.console[-3000:]
    a_last = max(i for i, w in enumerate(order) if w == "A")
    b_first = order.index("B")
    assert b_first < a_last, f"B ran before A was done: {order}"


def test_console_input_wakes_a_blocked_reader(apps):
    run = minikernel("init=readline", f"{apps}/apps.tar", typed="hello there\rquit\r", timeout=60)
    assert 'minikernel: readline: got "hello there" (11 bytes)' in run.console, run.console[-2000:]
    assert 'minikernel: readline: got "quit" (4 bytes)' in run.console
    assert run.status == 0


@pytest.mark.parametrize("archive, why", [
    ("bad-checksum.tar", "bad header checksum at offset 0x200"),
    ("short.tar", "file size beyond the end of the module at offset 0x200"),
])
def test_malformed_archive_is_refused(apps, archive, why):
    run = minikernel("init=suite", f"{apps}/{archive}")
    assert f"minikernel: archive refused: {why}" in run.console, run.console[-2000:]
    assert "started by" not in run.console
    assert run.status == 1


@pytest.mark.parametrize("init, error", [("nothing", 2), ("notes.txt", 8), ("truncated", 8), ("badseg", 8)])
def test_init_that_cannot_run_is_reported(apps, init, error):
    run = minikernel(f"init={init}", f"{apps}/apps.tar")
    assert f"minikernel: cannot start init ({init}): error {error}" in run.console, run.console[-2000:]
    assert run.status == 1


def test_init_gets_its_arguments_from_the_command_line(apps):
    run = minikernel("init=hello args=one,two", f"{apps}/apps.tar")
    assert "minikernel: hello from pid 1: argc 3 [hello][one][two]" in run.console, run.console[-2000:]
    assert "minikernel: no process left (0 pages still in use); init exited with status 3: powering off" in run.console
    assert run.status == 1, "init's status 3 is a failure"
