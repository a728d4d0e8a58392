"""A crashing, a spinning, a hypercall-flooding and a memory-probing domain beside a canary that
keeps checking its own memory: the canary keeps running and finds its memory intact, and every
well-behaved domain ends cleanly."""
import re

from conftest import boot, guest


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
