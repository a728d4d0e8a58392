"""Lesson 5 (docs/LESSONS.md), ring compression: examples/ringcomp tries, from ring 1, each access a
guest kernel might make toward the monitor, under Bochs (which checks segment limits as hardware
does) and under QEMU (whose TCG does not). What paging and the monitor's checks stop is stopped on
both; what only the segment limit stops raises #GP under Bochs and goes through under QEMU."""
import re

import pytest

from conftest import boot

TRIED = ["read its own kernel at 0xc0000000 (its hypercall page)",
         "read the M2P entry of that page's machine frame",
         "write that M2P entry",
         "read the monitor's per-domain area, 0xf6800000",
         "read the monitor's image, 0xf7100000",
         "load the monitor's data selector 0xe010",
         "a flat 4 GiB segment of its own (update_descriptor)",
         "read the monitor's image through that segment",
         "a segment based in the monitor, 0xf7000000",
         "a mapping of its own at 0xf7100000 (update_va_mapping)",
         "the monitor's frame 0x100 in its own page table",
         "write its own top-level page table"]
BEYOND_THE_LIMIT = [4, 5, 8]                        # the rows only the segment limit stops


def rows(console):
    """The table: [(tried, got, what stopped it)], in row order."""
    found = re.findall(r"^ringcomp: +(\d+) \| (.*?) +\| (.*?) +\| (.*)$", console, re.M)
    assert [int(f[0]) for f in found] == list(range(1, len(found) + 1)), found
    return [f[1:] for f in found]


@pytest.fixture(scope="module", params=["qemu", "bochs"])
def run(request):
    run = boot("build/examples/ringcomp.elf", bochs=request.param == "bochs", timeout=120)
    assert run.status == 0, run.console[-3000:]
    assert "hv: domain 0 (ringcomp) shut down: poweroff" in run.console
    return request.param, rows(run.console), run.console


def test_the_guest_kernel_runs_in_ring_1_with_segments_ending_below_the_monitor(run):
    _, table, console = run
    assert "ringcomp: ring compression: the guest kernel runs in ring 1; its segments end at 0xf67fffff (lsl)" in console
    assert [r[0] for r in table] == TRIED


def test_its_own_memory_and_the_m2p_are_readable(run):
    _, table, _ = run
    assert table[0][1] == "read 0xb8", table[0]        # mov $0, %eax: the hypercall page's first bytes
    assert table[1][1] == "read 0x0", table[1]         # the M2P says: that frame is its page 0
    assert table[0][2] == table[1][2] == "nothing: within the limit, and paging lets it"


def test_paging_stops_writes_to_the_m2p_and_to_its_own_page_tables(run):
    _, table, _ = run
    for i in (2, 11):
        assert re.fullmatch(r"#PF at 0x[0-9a-f]+, error code 0x3", table[i][1]), table[i]   # present, write
    assert table[2][2] == "paging: the M2P is mapped read-only"
    assert table[11][2] == "paging: its page tables are read-only to it"


def test_the_monitors_selectors_are_out_of_reach_by_privilege(run):
    _, table, _ = run
    assert table[5][1:] == ("#GP, error code 0xe010", "privilege: the selector's DPL is 0")


def test_the_monitor_truncates_a_segment_of_its_own_and_refuses_one_based_in_it(run):
    _, table, console = run
    assert table[6][1:] == ("accepted, limit now 0xf67fffff", "the monitor: it truncated the limit below itself")
    assert table[8][1:] == ("refused: -22", "the monitor: the base must lie below it")


def test_the_monitor_refuses_page_table_entries_into_itself(run):
    _, table, console = run
    assert table[9][1:] == ("refused: -22", "the monitor: the area is not the guest's")
    assert table[10][1:] == ("refused: -22", "the monitor: the frame is not the guest's")
    assert "hv: domain 0: update_va_mapping f7100000 <- 100003 refused (-22): no L1 maps the address" in console
    assert re.search(r"^hv: domain 0: update_va_mapping c[0-9a-f]{7} <- 100021 refused \(-22\): "
                     r"the entry maps a frame the domain does not own$", console, re.M)


def test_only_the_segment_limit_stops_the_rest_and_bochs_checks_it_where_qemu_does_not(run):
    emulator, table, console = run
    beyond = [table[i - 1] for i in BEYOND_THE_LIMIT]
    if emulator == "bochs":
        assert all(r[1:] == ("#GP, error code 0x0", "the segment limit") for r in beyond), beyond
        assert "ringcomp: all 3 accesses beyond 0xf67fffff raised #GP: the segment limits held, as on hardware" in console
    else:
        assert beyond[0][1:] == ("read 0x0", "nothing: no limit check")
        assert all(r[1:] == ("read 0x1badb002", "nothing: no limit check (that is the monitor's Multiboot magic)")
                   for r in beyond[1:]), beyond
        assert ("ringcomp: 3 of 3 accesses beyond 0xf67fffff went through: this CPU does not check segment limits "
                "(QEMU's TCG does not); on hardware and under Bochs each raises #GP") in console
