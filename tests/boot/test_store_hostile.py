"""Domain 0's store under a hostile client (tests/guests/storeattack.c, docs/DOMAINS.md "What the
store refuses"). Each attack runs as domain 1 beside domain 0; when it has powered off, domain 0's
shell creates a well-behaved neighbour (tests/guests/store.c, domain 2) and uses the store itself,
then destroys both. Every property is checked for every attack: the attacker gets xenstored's
answer, the store says why once, the neighbour is served, domain 0 still advertises domains and
writes its own keys, the attacker's keys stay until it is destroyed and go then, no frame is lost,
and the run ends cleanly."""
import functools
import os
import re

import pytest

from conftest import ROOT, boot, checks, failures, free_frames, guest, one_boot

DOM0 = "build/examples/dom0.elf"
SESSION = ["wait 1", "create neighbour", "unpause 2", "wait 2", "write /local/domain/0/after yes",
           "store /local/domain/1", "destroy 2", "destroy 1", "store /local/domain", "list", "quit"]
NEIGHBOUR_CHECKS = 16 + 7 + 12   # tests/guests/store.c's check_keys, permissions and transactions


def quota(name):
    """A quota from its one home, examples/dom0/xenstored.c."""
    with open(os.path.join(ROOT, "examples", "dom0", "xenstored.c")) as f:
        return int(re.search(rf"^#define {name}\s+(\d+)$", f.read(), re.M).group(1))


QUOTA = {"entries": quota("QUOTA_ENTRIES"), "watches": quota("QUOTA_WATCHES")}

ANSWERS = {
    "req-index": ["corrupt request indexes: the store drops us (XENSTORE_ERROR_RINGIDX)",
                  "not one of the requests was answered",
                  "the SDK then answers -EIO"],
    "rsp-index": ["our own reader refuses the corrupt reply ring: -EIO",
                  "corrupt reply indexes: the store drops us (XENSTORE_ERROR_RINGIDX)"],
    "oversized": ["a message of XENSTORE_PAYLOAD_MAX + 1 bytes: the store drops us (XENSTORE_ERROR_PROTO)",
                  "the SDK then answers -EIO"],
    "entries": ["flood and the keys below it up to the entry quota, then ENOSPC",
                "at the quota, a key we have is still ours to rewrite",
                "remove one key",
                "a write that needs two nodes with one free: ENOSPC",
                "and it created neither",
                "the free one is ours again: back at the quota",
                "reading is no quota: domid still reads"],
    "watches": ["watch w0",
                "the same path and token again: EEXIST",
                "watches up to the watch quota, then E2BIG",
                "writing is no watch: a write still works"],
    "long-path": ["a path of 95 bytes below our home: written",
                  "and read back",
                  "a path of 96 bytes: EINVAL",
                  "nothing written at its first 95 bytes",
                  "the same path, relative: EINVAL",
                  "reading it: EINVAL, not ENOENT",
                  "watching it: EINVAL",
                  "a path of 200 bytes: EINVAL"],
    "long-value": ["a value of 128 bytes: ENOSPC",
                   "and no key was made for it",
                   "a value of 127 bytes: written",
                   "and read back whole"],
}
# Every test of one attack reads the same boot (attack() keeps it), on one worker.
MODES = [pytest.param(mode, marks=one_boot(f"storeattack {mode}")) for mode in ANSWERS]

# What the attacker holds below its home when it has powered off, besides name and domid.
KEPT = {
    "entries": ["flood"] + [f"flood/{i}" for i in range(QUOTA["entries"] - 1)],
    "watches": ["w0"],
    "long-path": ["p", "p/" + "a" * (95 - len("/local/domain/1/p/"))],
    "long-value": ["v"],
}


@functools.lru_cache(maxsize=None)
def attack(mode):
    attacker = f"{guest('storeattack')}=mode={mode} quota={QUOTA.get(mode, 0)}"
    return boot(DOM0, f"{guest('store')}=attach", attacker, typed="".join(line + "\n" for line in SESSION))


def answer(run, command):
    """What domain 0's shell printed for one typed command: its lines up to the next prompt."""
    lines = [line[len("dom0: "):] for line in run.console.splitlines() if line.startswith("dom0: ")]
    start = lines.index(f"dom0> {command}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("dom0> ")), len(lines))
    return [line for line in lines[start:end] if not line.startswith("store: domain 1")]


def store_messages(run):
    """What the store said about domain 1, but for its greeting."""
    return [line[len("dom0: "):] for line in run.console.splitlines()
            if line.startswith("dom0: store: domain 1") and line != "dom0: store: domain 1 (storeattack) connected"]


def expected_store_messages(run, mode):
    if mode in ("req-index", "rsp-index"):
        side, cons, prod = ("request", "req_cons", "req_prod") if mode == "req-index" else \
            ("reply", "rsp_cons", "rsp_prod")
        said = re.search(r"^storeattack: set (\w+) to (\S+) over (\w+) (\S+)$", run.console, re.M)
        seen = {said.group(1): said.group(2), said.group(3): said.group(4)}   # the indexes as it set them
        return [f"store: domain 1's {side} ring is corrupt ({cons} {seen[cons]}, {prod} {seen[prod]}): "
                "not listening to it any more"]
    return {
        "oversized": ["store: domain 1 sent a message of 4097 bytes: not listening to it any more"],
        "entries": [f"store: domain 1 reached its quota of {QUOTA['entries']} entries: ENOSPC"],
        "watches": [f"store: domain 1 reached its quota of {QUOTA['watches']} watches: E2BIG"],
    }.get(mode, [])


@pytest.mark.parametrize("mode", MODES)
def test_attacker_gets_xenstoreds_answer(mode):
    run = attack(mode)
    want = [("ok", "the store answers before the attack")] + [("ok", what) for what in ANSWERS[mode]]
    assert checks(run, "storeattack") == want, run.console[-3000:]


@pytest.mark.parametrize("mode", MODES)
def test_store_says_why_once_naming_the_domain(mode):
    run = attack(mode)
    assert store_messages(run) == expected_store_messages(run, mode), run.console[-3000:]


@pytest.mark.parametrize("mode", MODES)
def test_neighbour_is_served_after_the_attack(mode):
    run = attack(mode)
    results = checks(run, "neighbour")
    assert failures(results) == [] and len(results) == NEIGHBOUR_CHECKS, run.console[-3000:]


@pytest.mark.parametrize("mode", MODES)
def test_domain0_still_advertises_a_new_domain(mode):
    run = attack(mode)
    assert answer(run, "create neighbour") == ["created domain 2 (neighbour), paused"], run.console[-3000:]
    assert "neighbour: ok read domid (written by domain 0)" in run.console
    assert "cannot write" not in run.console


@pytest.mark.parametrize("mode", MODES)
def test_domain0_shell_answers_after_the_attacker_powered_off(mode):
    run = attack(mode)
    assert answer(run, "wait 1") == ["domain 1 is off"], run.console[-3000:]
    assert answer(run, "unpause 2") == ["unpaused"]
    assert answer(run, "wait 2") == ["domain 2 is off"]
    assert answer(run, "write /local/domain/0/after yes") == []
    assert answer(run, "destroy 2") == ["destroyed"]
    assert answer(run, "destroy 1") == ["destroyed"]
    assert [line.split()[:2] for line in answer(run, "list")] == [["id", "name"], ["0", "dom0"]]


@pytest.mark.parametrize("mode", MODES)
def test_attackers_keys_stay_until_it_is_destroyed(mode):
    run = attack(mode)
    kept = sorted(["", "/domid", "/name"] + ["/" + key for key in KEPT.get(mode, [])])
    got = [re.match(r'  (\S+) = ', line).group(1) for line in answer(run, "store /local/domain/1")]
    assert got == [f"/local/domain/1{key}" for key in kept], run.console[-3000:]


@pytest.mark.parametrize("mode", MODES)
def test_attackers_keys_go_when_it_is_destroyed(mode):
    run = attack(mode)
    assert answer(run, "store /local/domain") == [
        '  /local/domain = ""', '  /local/domain/0 = ""', '  /local/domain/0/after = "yes"',
        '  /local/domain/0/name = "dom0"'], run.console[-3000:]


@pytest.mark.parametrize("mode", MODES)
def test_no_frame_lost(mode):
    at_boot, at_end = free_frames(attack(mode))
    assert at_end == at_boot


@pytest.mark.parametrize("mode", MODES)
def test_run_ends_cleanly(mode):
    run = attack(mode)
    assert "hv: power-off status=0 (all domains ended cleanly)" in run.console
    assert run.status == 0
