"""A crashing, a spinning, a hypercall-flooding and a memory-probing domain beside a canary that
keeps checking its own memory: the canary keeps running and finds its memory intact, and every
well-behaved domain ends cleanly."""
import re

import pytest

from conftest import boot, free_frames, guest


def test_canary_survives_hostile_neighbours():
    run = boot(f"{guest('canary')}=ms=1500", f"{guest('crash')}=crash=pf", f"{guest('spin')}=ms=1000",
               f"{guest('canary')}=name=flooder flood ms=1000", f"{guest('memory')}=mem=4M maxmem=8M",
               guest("vcpu"), timeout=120)
    m = re.search(r"^canary: (\d+) checks of 64 pages: (.*)$", run.console, re.M)
    assert m, run.console[-3000:]
    assert m.group(2) == "memory intact" and int(m.group(1)) >= 10
    assert re.search(r"^flooder: flooded the monitor with \d+ hypercalls$", run.console, re.M)
    assert "hv: domain 1 (crash) crashed: #PF" in run.console
    assert "memory: all checks passed" in run.console and "vcpu: all checks passed" in run.console
    assert "hv: 6 domain(s) ran, 5 ended cleanly" in run.console
    assert run.status == 1, "the crash makes the run fail, and nothing else does"


SEEDS = range(1, 13)


def test_hypercall_fuzzing_harms_neither_the_monitor_nor_a_neighbour():
    """Domain 0 runs tests/guests/fuzz.c with twelve seeds, one domain after another: each makes
    300 hypercalls with random numbers and random arguments, and may wreck itself; domain 0 gives
    it two seconds, then destroys it. Meanwhile a canary checks its memory. The monitor must
    never fault, the canary must find its memory intact, and every frame must come back."""
    typed = "".join(f"create fz{seed}\nunpause 2\nwait 2 2\ndestroy 2\n" for seed in SEEDS)
    typed += "wait 1 60\nlist\nquit\n"
    run = boot("build/examples/dom0.elf", f"{guest('fuzz')}=attach", f"{guest('canary')}=name=canary ms=20000",
               typed=typed, timeout=240)
    assert run.console.count("dom0: destroyed") == len(SEEDS), run.console[-3000:]
    for seed in SEEDS:
        assert f"fz{seed}: fuzzing with seed {seed}: 300 hypercalls" in run.console
    assert "MONITOR FAULT" not in run.console and "PANIC" not in run.console
    m = re.search(r"^canary: (\d+) checks of 64 pages: (.*)$", run.console, re.M)
    assert m and m.group(2) == "memory intact", run.console[-3000:]
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot, "every fuzzed domain's frames came back"
    assert run.status == 0


@pytest.mark.parametrize("hog", ["hog=gntcopy", "hog=multicall", "hog=console kib=1024"])
def test_a_long_hypercall_lets_the_other_domains_run(hog):
    """One hypercall with a great deal to do (256 MiB of grant copies, alone or as the entry of a
    multicall, or 1 MiB for the console) is continued in steps, as Xen's are: a canary beside it
    keeps making its checks while the call is under way, and the call still does all of its work.
    Under -icount, so that both domains see the same, repeatable time."""
    run = boot(f"{guest('canary')}=name=canary log ms=400", f"{guest('hog')}={hog} mem=16M", icount=True,
               timeout=120)
    m = re.search(r"^hog: one \w+ call from (\d+) to (\d+) us: 0$", run.console, re.M)
    assert m, run.console[-3000:]
    start, end = int(m.group(1)), int(m.group(2))
    checks = [int(t) for t in re.findall(r"^canary: check at (\d+) us$", run.console, re.M)]
    assert any(start < t < end for t in checks), (start, end, checks)
    assert run.status == 0
