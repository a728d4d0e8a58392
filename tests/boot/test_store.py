"""Domain 0's store and shell: domains meet through the store and talk over a granted page
(examples/pingpong); the store refuses what a domain may not do and survives one that breaks the
protocol; the shell creates, lists, pauses, reads and destroys domains."""
import re

from conftest import HELLO, boot, checks, failures, free_frames, guest

DOM0 = "build/examples/dom0.elf"
PINGPONG = "build/examples/pingpong.elf"


def test_pingpong_meets_through_the_store_and_talks_over_a_grant():
    run = boot(DOM0, f"{PINGPONG}=name=ping", f"{PINGPONG}=name=pong",
               typed="wait 1\nwait 2\nstore /local/domain/1\nquit\n")
    assert "dom0: store: domain 1 (ping) connected" in run.console, run.console
    assert "ping: I am domain 1; pong is domain 2" in run.console
    assert "pong: I am domain 2; ping is domain 1" in run.console
    for i in range(1, 6):
        assert f'pong: got "ping {i}"' in run.console
        assert f'ping: got "pong {i}"' in run.console
    assert 'dom0:   /local/domain/1/pingpong/state = "done"' in run.console
    assert "domain 1 is off" in run.console and "domain 2 is off" in run.console
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot, "the granted page went back to the pool after its last unmap"
    strays = [line for line in run.console.splitlines() if not re.match(r"(hv|dom0|ping|pong): ", line)]
    assert strays == [], "domain 0's prompts share no line with the others' output"
    assert run.status == 0


def test_store_refuses_and_survives_a_hostile_domain():
    run = boot(DOM0, f"{guest('store')}=hostile", f"{PINGPONG}=name=ping", f"{PINGPONG}=name=pong",
               typed="wait 1\nwait 2\nwait 3\nquit\n")
    results = checks(run, "store")
    assert failures(results) == [], run.console
    assert len(results) == 16 + 7 + 12 + 2, "16 checks of the keys, 7 of permissions, 12 of transactions, then DEBUG and an unknown type"
    assert "store: domain 1 sent a message of 4097 bytes: not listening to it any more" in run.console
    assert 'ping: got "pong 5"' in run.console, "the others are still served"
    assert run.status == 0


def test_shell_creates_lists_pauses_and_destroys():
    typed = ("create first\nlist\nunpause 1\nwait 1\nconsole 1\ncreate second\npause 2\nmem 2 8192\nlist\n"
             "destroy 2\ndestroy 1\nlist\nbogus\nquit\n")
    run = boot(DOM0, f"{HELLO}=attach", typed=typed)
    out = run.console
    assert "dom0: created domain 1 (first), paused" in out, out
    assert re.search(r"dom0:\s+1 first\s+paused", out)
    assert "first: Hello from ring 1" in out
    assert "dom0: domain 1 is off" in out
    assert re.search(r"--- console of domain 1 ---\n(dom0: )?Hello from ring 1", out)
    assert "dom0: created domain 2 (second), paused" in out
    assert re.search(r"dom0:\s+2 second\s+paused\s+512\s+2048", out), "mem 2 8192: a ceiling of 2048 pages"
    assert out.count("dom0: destroyed") == 2
    assert "dom0: unknown command: bogus" in out
    last_list = out.rsplit("id name", 1)[1]
    assert "first" not in last_list and "second" not in last_list
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot
    assert run.status == 0


def test_shell_creates_a_domain_from_configuration_settings():
    """create NAME takes xl.cfg(5)'s memory, maxmem, vcpus, weight, cap and extra (the guest's whole
    command line, the rest of the line); a setting it does not know is refused by name, and one
    the monitor refuses comes back as create's failure."""
    typed = ("create w memory=8 maxmem=12 vcpus=2 weight=512 extra=hello there\nlist\nunpause 1\nwait 1 5\n"
             "create x colour=red\ncreate y vcpus=9\nquit\n")
    run = boot(DOM0, f"{HELLO}=attach", typed=typed)
    out = run.console
    assert "dom0: created domain 1 (w), paused" in out, out
    assert re.search(r"dom0:\s+1 w\s+paused\s+2048\s+3072", out), "memory=8, maxmem=12: 2048 and 3072 pages"
    assert 'w: command line: "hello there"' in out, "extra= is the guest's whole command line"
    assert "w: memory: 8192 KiB (2048 pages)" in out
    assert "dom0: create: unknown setting colour=red (memory, maxmem, vcpus, weight, cap, extra)" in out
    assert "hv: module 0 (image) refused: bad vcpus= (1 to 8)" in out and "dom0: create failed: -22" in out
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot
    assert run.status == 0


def test_a_domain_reads_and_writes_only_what_it_owns_or_was_given():
    """Per-node permissions (xenstored's): domain 1 makes one key private and gives domain 2 read
    and write on another; domain 2 gets EACCES for the first, uses the second, and may not make
    keys in domain 1's home."""
    run = boot(DOM0, f"{guest('store')}=name=owner share=2", f"{guest('store')}=name=peer peer=1",
               typed="wait 1 10\nwait 2 10\nstore /local/domain/1/p\nquit\n")
    assert [what for ok, what in checks(run, "owner") if ok == "ok"] == \
        ["share: a private key, and one domain ID may read and write"], run.console
    assert [what for ok, what in checks(run, "peer") if ok == "ok"] == [
        "peer: its private key: EACCES", "peer: the key given to us: read, and written",
        "peer: a new key in its home: EACCES"], run.console
    assert 'dom0:   /local/domain/1/p/shared = "both"' in run.console, "domain 2's write landed"
    assert run.status == 0
