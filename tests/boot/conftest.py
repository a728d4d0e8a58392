"""Shared helpers for the boot tests: each test boots the real monitor through tools/hvrun."""
import fcntl
import os
import re
import subprocess
from dataclasses import dataclass

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HVRUN = os.path.join(ROOT, "tools", "hvrun")


@dataclass
class Run:
    status: int       # tools/hvrun's exit status
    console: str      # everything the machine printed
    stderr: str       # tools/hvrun's own messages

    def lines(self, prefix="hv: "):
        return [line for line in self.console.splitlines() if line.startswith(prefix)]


def boot(*images, hv_args=None, bochs=False, icount=False, timeout=60, typed=None, memory=None, disks=(),
         native=False):
    """Boot build/hv.elf with IMAGE[=CMDLINE] modules (and raw disk images on the IDE controller);
    return what happened. native: no monitor, the first image is the kernel (hvrun --native)."""
    cmd = [HVRUN, "--timeout", str(timeout)] + (["--native"] if native else [])
    for disk in disks:
        cmd += ["--disk", str(disk)]
    if bochs:
        cmd.append("--bochs")
    if icount:
        cmd.append("--icount")
    if hv_args:
        cmd += ["--hv-args", hv_args]
    if typed:
        cmd += ["--input", typed]
    if memory:
        cmd += ["--memory", str(memory)]
    cmd += list(images)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=timeout + 60)
    return Run(proc.returncode, proc.stdout.replace("\r", ""), proc.stderr)


def make(*make_args, **run_args):
    """Run `make -s MAKE_ARGS` under the suite's one build lock: pytest runs on two cores, and two
    makes must not build the same files at once (every make the boot tests run takes this lock)."""
    with open(os.path.join(ROOT, "build", ".make.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return subprocess.run(["make", "-s", *make_args], cwd=ROOT, **run_args)


def build_once(*make_args):
    """Build what a module's tests need (a module-scoped fixture calls this once a worker)."""
    make(*make_args, check=True)


@pytest.fixture
def data_file():
    """Path of a file under tests/boot/data/."""
    return lambda name: os.path.join("tests", "boot", "data", name)


HELLO = "build/examples/hello.elf"
GUESTS = "build/tests/guests"


def guest(name):
    """Path of a test guest built from tests/guests/."""
    return f"{GUESTS}/{name}.elf"


def free_frames(run):
    """The monitor's free frames at boot and at power-off: equal when no frame was lost."""
    at_boot = int(re.search(r"^hv: frames: (\d+) free", run.console, re.M).group(1))
    at_end = int(re.search(r"ended cleanly; (\d+) frames free$", run.console, re.M).group(1))
    return at_boot, at_end


def boot_native(kernel, *modules, name="minikernel", **kw):
    """Boot a kernel for bare hardware, KERNEL[=CMDLINE] with its modules, without the monitor
    (tools/hvrun --native). The monitor starts every line a domain prints with the domain's name;
    on bare hardware nothing does, so each line gets the same start here ("NAME: "), and the same
    checks read a run on either platform."""
    run = boot(kernel, *modules, native=True, **kw)
    return Run(run.status, "".join(f"{name}: {line}\n" for line in run.console.splitlines()), run.stderr)


def checks(run, name):
    """The (result, what) pairs a test guest printed as "NAME: ok WHAT" or "NAME: FAIL WHAT"."""
    return re.findall(rf"^{name}: (ok|FAIL) (.*)$", run.console, re.M)


def failures(results):
    return [what for ok, what in results if ok != "ok"]


# ---- a test guest's checks as a specification ---------------------------------------------------
# A module lists the exact checks its guest prints, in order; pytest makes one test of each, so
# `pytest -v` reads as the specification, a check that fails or goes missing is named, and a check
# the list does not know fails the module's exactly-these test.

def one_boot(name):
    """Mark the tests that read one module-scoped boot: tests/run.py runs pytest with --dist
    loadgroup, which gives them all to one worker, so the guest boots once, not once a worker."""
    return pytest.mark.xdist_group(name)


def check_matches(spec, what):
    """Whether a printed check is the one spec names: its words exactly, where "{}" stands for a
    figure that differs from run to run (a date, a time)."""
    return re.fullmatch(".+".join(map(re.escape, spec.split("{}"))), what) is not None


def assert_check_passed(run, name, spec):
    """NAME printed the check spec, and printed it "ok" every time."""
    results = [ok for ok, what in checks(run, name) if check_matches(spec, what)]
    assert results, f"{name} never printed the check {spec!r}:\n{run.console[-3000:]}"
    assert all(ok == "ok" for ok in results), f"{name}: FAIL {spec}\n{run.console[-3000:]}"


def assert_exactly_these_checks(run, name, specs):
    """NAME printed the checks specs lists, in that order, and no other."""
    printed = [what for _, what in checks(run, name)]
    unknown = [what for what in printed if not any(check_matches(spec, what) for spec in specs)]
    missing = [spec for spec in specs if not any(check_matches(spec, what) for what in printed)]
    assert not unknown and not missing, f"checks not in the list: {unknown}; listed, never printed: {missing}"
    assert len(printed) == len(specs) and all(map(check_matches, specs, printed)), printed
