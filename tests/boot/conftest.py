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


def boot(*images, hv_args=None, bochs=False, icount=False, timeout=60, typed=None, memory=None):
    """Boot build/hv.elf with IMAGE[=CMDLINE] modules; return what happened."""
    cmd = [HVRUN, "--timeout", str(timeout)]
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


def build_once(lock_name, *make_args):
    """Run `make -s MAKE_ARGS` for tests that need what it builds, under a lock: pytest runs on
    two cores, and two makes must not build the same files at once."""
    with open(os.path.join(ROOT, "build", lock_name), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run(["make", "-s", *make_args], cwd=ROOT, check=True)


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


def checks(run, name):
    """The (result, what) pairs a test guest printed as "NAME: ok WHAT" or "NAME: FAIL WHAT"."""
    return re.findall(rf"^{name}: (ok|FAIL) (.*)$", run.console, re.M)


def failures(results):
    return [what for ok, what in results if ok != "ok"]
