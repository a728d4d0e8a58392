"""Lesson 7 (docs/LESSONS.md), direct paging: examples/directpaging reads its own page tables (machine
frames), writes them only through the monitor, and tries the writes the typed-frame invariant
forbids. Each row says what it did, what the monitor answered and the rule; the monitor says
each refusal's reason itself."""
import re

import pytest

from conftest import boot

ROWS = [
    ("read its own page tables, cr3 down to 0xc0000000's page", "read: machine frames",
     "its tables hold machine frames, and it may read them"),
    ("its page 0 to a frame (p2m) and back (M2P)", None, "the guest's list, and the monitor's read-only table"),
    ("write one of its L1 entries with a plain mov", "#PF, error code 0x3", "page tables are mapped read-only to their guest"),
    ("mmu_update: point one of its pages at another of its frames", "done: 0, and it reads 0x5ca1ab1e",
     "validated: the frame is its own, a plain writable page"),
    ("mmu_update: map its own L1 table writable", "refused: -22", "a page table is never mapped writable"),
    ("mmu_update: map the monitor's frame 0x100", "refused: -22", "only frames the domain owns"),
    ("pin a fresh page as an L1 while it is mapped writable", "refused: -22", "a table must have no writable mapping"),
    ("map it read-only, then pin it as an L1", "done: 0", "validated: its 512 entries checked, its type now L1"),
    ("map the pinned L1 writable again", "refused: -22", "a frame has one type at a time"),
    ("unpin it, then map it writable", "done: 0", "unused as a table, it is a writable page again"),
    ("mmu_update: an unused L2 entry pointing at that writable page", "refused: -22",
     "it would become an L1 with a writable mapping"),
    ("MMU_MACHPHYS_UPDATE: give one of its frames a new number", None,
     "the M2P is read-only to it, written only by the monitor"),
    ("MMU_MACHPHYS_UPDATE on the monitor's frame 0x100", "refused: -22", "only frames the domain owns"),
]
IN_USE = "the frame is in use as another type (a table, writable, descriptors)"


@pytest.fixture(scope="module")
def run():
    run = boot("build/examples/directpaging.elf")
    assert run.status == 0, run.console[-3000:]
    return run.console


def rows(console):
    found = re.findall(r"^directpaging: +(\d+) \| (.*?) +\| (.*?) +\| (.*)$", console, re.M)
    assert [int(f[0]) for f in found] == list(range(1, len(found) + 1)), found
    return [f[1:] for f in found]


def test_each_row_gets_what_the_typed_frame_rules_say(run):
    table = rows(run)
    assert [r[0] for r in table] == [r[0] for r in ROWS]
    assert [r[2] for r in table] == [r[2] for r in ROWS]
    for got, expected in zip(table, ROWS):
        if expected[1] is not None:
            assert got[1] == expected[1], got


def test_the_tables_hold_machine_frames_and_the_p2m_and_m2p_agree(run):
    walk = re.search(r"^directpaging: +\| \(cr3 -> L3 -> L2 -> L1 -> page, for 0xc0000000: machine frames "
                     r"L3 (0x\w+), L2 (0x\w+), L1 (0x\w+), page (0x\w+)\)$", run, re.M)
    assert walk, run
    p2m = re.search(r"p2m\[0\] (0x\w+), M2P\[(0x\w+)\] 0$", rows(run)[1][1])
    assert p2m and p2m.group(1) == p2m.group(2) == walk.group(4), "page 0 is the frame the walk found"
    assert re.fullmatch(r"done: 0, M2P\[0x\w+\] now 0x12345", rows(run)[11][1])


def test_the_monitor_names_each_refusal(run):
    said = re.findall(r"^hv: domain 0: (\w+) .* refused \(-22\): (.*)$", run, re.M)
    assert said == [("mmu_update", IN_USE), ("mmu_update", "the entry maps a frame the domain does not own"),
                    ("mmuext_op", IN_USE), ("update_va_mapping", IN_USE), ("mmu_update", IN_USE),
                    ("mmu_update", "not the domain's frame, or not an 8-byte entry")]
    assert "directpaging: every write to a page table went through the monitor, which refused 6 of them" in run
