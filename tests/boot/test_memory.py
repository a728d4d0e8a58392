"""Guest memory: direct paging refusals and allowances, pinning, memory_op, multicall; and that
memory given back at the end is really free again."""
import re

from conftest import HELLO, boot, guest


def test_memory_guest_passes_every_check():
    run = boot(f"{guest('memory')}=mem=4M maxmem=8M", f"{HELLO}=name=neighbour")
    results = re.findall(r"^memory: (ok|FAIL) (.*)$", run.console, re.M)
    assert [what for ok, what in results if ok != "ok"] == [], run.console
    assert len(results) >= 35
    assert "neighbour: Hello from ring 1" in run.console
    assert run.status == 0


def test_every_frame_comes_back_when_domains_end():
    """Every frame a domain had (its pages, frames grown with memory_op, shared_info, the
    builder's p2m) is free again at the end: no leak."""
    run = boot(f"{guest('memory')}=mem=4M maxmem=8M", f"{HELLO}=mem=16M", guest("vcpu"))
    at_boot = int(re.search(r"^hv: frames: (\d+) free", run.console, re.M).group(1))
    at_end = int(re.search(r"ended cleanly; (\d+) frames free$", run.console, re.M).group(1))
    assert run.status == 0, run.console
    assert at_end == at_boot
