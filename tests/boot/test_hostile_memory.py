"""A domU attacks the frame type system (tests/guests/attack.c, one attack a boot) beside a canary
that keeps checking its memory: every attack gets Xen's answer, the canary finds its memory
intact, no frame is lost, and no neighbour waits more than 100 ms of emulated time for the CPU
(docs/MEMORY.md: the three rules and bounded work)."""
import re

import pytest

from conftest import boot, checks, failures, free_frames, guest

# Each attack and the exact number of checks it makes: a check deleted from the guest shows here.
ATTACKS = {
    "grant-alias": 13,          # a grant mapping or update_va_mapping through a linear alias of an L2
    "copy-into-table": 17,      # a grant copy into every kind of typed frame
    "typed-shared": 32,         # every frame the monitor writes, offered as every other type
    "give-back": 4,             # every frame the monitor keeps using, handed back
    "monitor-l2": 5,            # a linear entry to the L2 that carries the monitor's entries
    "unmap-after-free": 7,      # the L1 of a grant mapping released and handed back before the unmap
    "stale-tlb": 3,             # a writable TLB entry across a continued batch that makes the page an L1
    "stale-tlb erestart": 3,    # the same, continued because a validation ran out of budget
}


def attack(name, *options, canary="ms=400", icount=False):
    run = boot(f"{guest('canary')}={canary}", f"{guest('attack')}=attack={name} mem=16M {' '.join(options)}",
               icount=icount, timeout=120)
    assert "MONITOR FAULT" not in run.console and "PANIC" not in run.console, run.console[-3000:]
    return run


def assert_neighbour_unharmed(run):
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot, "every frame came back"
    assert "hv: 2 domain(s) ran, 2 ended cleanly" in run.console, run.console[-3000:]
    assert run.status == 0


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_gets_xens_answer(name):
    run = attack(*name.split())
    results = checks(run, "attack")
    assert failures(results) == [], run.console[-3000:]
    assert len(results) == ATTACKS[name], [what for _, what in results]
    assert f"attack: attack {name.split()[0]}: 0 failure(s)" in run.console
    assert re.search(r"^canary: \d+ checks of 64 pages: memory intact$", run.console, re.M), run.console[-3000:]
    assert_neighbour_unharmed(run)


@pytest.mark.parametrize("how", ["mmuext_op", "multicall"])
def test_costliest_tables_leave_the_neighbour_its_cpu(how):
    """32 pins and unpins of an L2 of 256 full L1s (4.2 million entries to check) in one
    mmuext_op, or as the entries of one multicall: without bounded work a neighbour waited 418 ms
    for the CPU; with it, no longer than a time slice."""
    run = attack("costly-tables", *(["multicall"] if how == "multicall" else []),
                 canary="ms=1500 latency", icount=True)
    assert re.search(r"^attack: 32 pins and unpins of an L2 of 256 L1s.* us: 0, 32 done$", run.console, re.M), \
        run.console[-3000:]
    assert failures(checks(run, "attack")) == []
    m = re.search(r"^canary: longest wait for the CPU: (\d+) us$", run.console, re.M)
    assert m, run.console[-3000:]
    assert int(m.group(1)) < 100_000
    assert_neighbour_unharmed(run)


@pytest.mark.parametrize("how", ["maps", "copies"])
def test_a_flood_of_grant_operations_leaves_the_neighbour_its_cpu(how):
    """A multicall of 64 grant_table_op entries of 64 operations each, four times: every entry
    continues after its 64, but without one budget for the whole crossing the multicall did 4096
    in one (a neighbour waited 206 ms for the CPU while pages were copied). Grant work spends the
    same per-crossing budget as page-table work (a unit an operation, 512 more for a page copied),
    so the calls take at least as many crossings as their work needs budgets, and the neighbour
    waits no longer than a time slice."""
    run = attack("grant-flood", *(["copy"] if how == "copies" else []), canary="ms=1500 latency", icount=True)
    m = re.search(r"^attack: 4 multicalls of 64 x 64 grant .* us in (\d+) crossings: 0$", run.console, re.M)
    assert m, run.console[-3000:]
    op = 1 + 512 if how == "copies" else 1
    assert int(m.group(1)) >= 4 * 64 * 64 * op // (2048 + op), "no crossing did more than its budget and one op"
    results = checks(run, "attack")
    assert failures(results) == [] and len(results) == 4, run.console[-3000:]
    m = re.search(r"^canary: longest wait for the CPU: (\d+) us$", run.console, re.M)
    assert m, run.console[-3000:]
    assert int(m.group(1)) < 100_000
    assert_neighbour_unharmed(run)
