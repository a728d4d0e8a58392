"""Guest memory: direct paging refusals and allowances, pinning, memory_op, multicall; and that
memory given back at the end is really free again."""
import re

from conftest import HELLO, boot, checks, failures, free_frames, guest


def test_memory_guest_passes_every_check():
    run = boot(f"{guest('memory')}=mem=4M maxmem=8M", f"{HELLO}=name=neighbour")
    results = checks(run, "memory")
    assert failures(results) == [], run.console
    assert len(results) >= 35
    assert "neighbour: Hello from ring 1" in run.console
    assert run.status == 0


def test_every_frame_comes_back_when_domains_end():
    """Every frame a domain had (its pages, frames grown with memory_op, shared_info, the
    builder's p2m) is free again at the end: no leak."""
    run = boot(f"{guest('memory')}=mem=4M maxmem=8M", f"{HELLO}=mem=16M", guest("vcpu"))
    at_boot, at_end = free_frames(run)
    assert run.status == 0, run.console
    assert at_end == at_boot


def test_grant_guest_passes_every_check():
    run = boot(guest("grants"))
    results = checks(run, "grants")
    assert failures(results) == [], run.console
    assert len(results) == 24
    assert run.status == 0


def test_two_domains_share_a_page_and_an_event_channel():
    run = boot("build/examples/share.elf=name=ping role=offer peer=1",
               "build/examples/share.elf=name=pong role=map peer=0")
    assert run.status == 0, run.console
    assert "ping: granted page as ref 8 to domain 1, offered port 1" in run.console
    assert re.search(r"^pong: mapped domain 0's page, bound to its port 1 as \d+$", run.console, re.M)
    for i in (1, 2, 3):
        assert f'pong: got "ping {i}"' in run.console
        assert f'ping: got "pong {i}"' in run.console


def test_shared_frames_all_come_back():
    """Granted and grant-table frames return to the pool when the domains end: the free count at
    the end equals the count at boot."""
    run = boot("build/examples/share.elf=name=ping role=offer peer=1",
               "build/examples/share.elf=name=pong role=map peer=0")
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot
