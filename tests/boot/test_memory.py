"""Guest memory: direct paging refusals and allowances, pinning, memory_op, multicall; and that
memory given back at the end is really free again."""
import re

import pytest

from conftest import (HELLO, assert_check_passed, assert_exactly_these_checks, boot, free_frames, guest,
                      one_boot)

# What tests/guests/memory.c checks, in the order it prints them.
MEMORY_CHECKS = [
    "mapping a monitor frame (its image at 1 MiB): -EINVAL",
    "mapping another domain's frame: -EINVAL",
    "mapping a page-table frame writable: -EINVAL",
    "mapping it read-only is fine",
    "a global (G) L1 entry: -EINVAL",
    "a linear (L2 to L2) entry: -EINVAL",
    "a superpage: -EINVAL",
    "a read-only linear entry to the L2 that carries the monitor's entries: -EINVAL",
    "an L2 of our own, pinned, whose first entry is the canary's L1",
    "a read-only linear entry to it: allowed, as in Xen",
    "through it, our L1 entry for the canary page reads back",
    "and the linear entry comes out again",
    "an L2 slot in the monitor area: -EPERM",
    "a misaligned mmu_update pointer: -EINVAL",
    "update_va_mapping in the monitor area: -EINVAL",
    "an mmu_update list in the monitor: -EFAULT",
    "pinning a page we map writable as an L1: -EINVAL",
    "pinning an L2 as an L1 (wrong type): -EINVAL",
    "unpinning a frame never pinned: -EINVAL",
    "pinning another domain's frame: -EINVAL",
    "300 updates in one call: continued past 256 transparently",
    "a count of 1,000,000: stops at the first bad entry, monitor unharmed",
    "increase_reservation gives frames (maxmem above mem)",
    "pinning a fresh zeroed frame as an L1",
    "pinning it twice: -EINVAL",
    "an entry in our new L1",
    "hooking the L1 into our L2 at 0xE0000000",
    "the new mapping works",
    "decrease_reservation of a pinned L1 in use: done, as in Xen",
    "the mapping through it works until its last use; its M2P entry is gone",
    "and it still counts against the domain",
    "unhooking it: its last use",
    "it has gone back: one page less, and no longer ours to pin",
    "CLEAR_PAGE and TLB_FLUSH_LOCAL",
    "current and maximum reservation",
    "maximum_ram_page",
    "memory_map: one RAM region as large as maxmem",
    "populate_physmap: the M2P says the pfn we asked for",
    "memory_op 99: -ENOSYS",
    "300 extents in one increase_reservation: continued past 256 (the monitor entered twice)",
    "and all given back in one decrease_reservation",
    "multicall of 17 entries",
    "each of 16 xen_version calls got its result",
    "a nested multicall: -EINVAL",
    "300 updates as a multicall entry: continued past 256, then the next entry",
    "remapping read-only, asking for no flush",
    "a write then faults: the monitor flushed the stale writable entry",
    "after all that, our own memory is unchanged",
]


@pytest.fixture(scope="module")
def memory():
    return boot(f"{guest('memory')}=mem=4M maxmem=8M", f"{HELLO}=name=neighbour")


@one_boot("memory")
@pytest.mark.parametrize("what", MEMORY_CHECKS)
def test_memory_guest_checks(memory, what):
    assert_check_passed(memory, "memory", what)


@one_boot("memory")
def test_memory_guest_makes_exactly_these_checks(memory):
    assert_exactly_these_checks(memory, "memory", MEMORY_CHECKS)


@one_boot("memory")
def test_memory_guest_and_its_neighbour_end_cleanly(memory):
    assert "memory: all checks passed: 0 failure(s)" in memory.console, memory.console
    assert "neighbour: Hello from ring 1" in memory.console
    assert "hv: 2 domain(s) ran, 2 ended cleanly" in memory.console
    assert memory.status == 0


def test_every_frame_comes_back_when_domains_end():
    """Every frame a domain had (its pages, frames grown with memory_op, shared_info, the
    builder's p2m) is free again at the end: no leak."""
    run = boot(f"{guest('memory')}=mem=4M maxmem=8M", f"{HELLO}=mem=16M", guest("vcpu"))
    at_boot, at_end = free_frames(run)
    assert run.status == 0, run.console
    assert at_end == at_boot


# What tests/guests/grants.c checks, in the order it prints them.
GRANT_CHECKS = [
    "setup_table: two frames",
    "the grant table's first frame mapped",
    "query_size: 2 of 32 frames",
    "setup_table of 33 frames: GNTST_general_error (32 at most)",
    "set_version 3: -EINVAL (1 or 2)",
    "set_version 1",
    "an empty entry to map into",
    "a bad grant reference: GNTST_bad_gntref",
    "a grant for another domain: GNTST_permission_denied",
    "a read-only grant mapped writable: GNTST_permission_denied",
    "a mapping in the monitor area: GNTST_bad_virt_addr",
    "map_grant_ref of our own grant",
    "the entry shows it in use (reading, writing)",
    "the mapping shows the granted page",
    "and writes through it land there",
    "giving back a granted, mapped page: done, as in Xen, and it stays while in use",
    "unmap with a bad handle: GNTST_bad_handle",
    "unmap at an address that does not map the grant: GNTST_general_error",
    "unmap_grant_ref; the entry is free again",
    "a read-only grant mapped read-only",
    "and unmapped",
    "mapped again",
    "overwriting the grant mapping with update_va_mapping: accepted (an implicit unmap)",
    "then unmap_grant_ref: GNTST_general_error",
    "and the grant stays in use (it goes when the domain ends)",
    "an L1 entry with bits 9-11 set: accepted",
    "and they read back as written",
    "the page works as ever",
    "grant copy from a reference into our own frame",
    "a copy past the page: GNTST_bad_copy_arg",
    "grant_table_op 99: -ENOSYS",
]


@pytest.fixture(scope="module")
def grants():
    return boot(guest("grants"))


@one_boot("grants")
@pytest.mark.parametrize("what", GRANT_CHECKS)
def test_grant_guest_checks(grants, what):
    assert_check_passed(grants, "grants", what)


@one_boot("grants")
def test_grant_guest_makes_exactly_these_checks(grants):
    assert_exactly_these_checks(grants, "grants", GRANT_CHECKS)


@one_boot("grants")
def test_grant_guest_ends_cleanly(grants):
    assert "grants: all checks passed: 0 failure(s)" in grants.console, grants.console
    assert grants.status == 0


# What tests/guests/grants_v2.c checks: grant tables version 2, in the order it prints them.
GRANT_V2_CHECKS = [
    "setup_table: two frames, the first mapped",
    "empty entries to map into",
    "get_version: 1 at start",
    "set_version 3: -EINVAL, the table stays at 1",
    "version 1: reserved entry 2 and entry 9 mapped",
    "set_version 2 while entry 9 is mapped: -EBUSY",
    "entry 9 unmapped",
    "get_status_frames in version 1: GNTST_general_error",
    "set_version 2 with only a reserved entry mapped: done, get_version says 2",
    "get_status_frames: the one status frame for two table frames",
    "get_status_frames of 2: GNTST_general_error (there is one)",
    "the status frame mapped (read-only)",
    "reserved entry 2 kept its grant, in version 2's form",
    "and its status word says it is mapped (reading, writing)",
    "its mapping still shows the page",
    "version 2: a full-page grant mapped",
    "its status word shows it in use; its flags stay as written",
    "unmapped: its status word is clear",
    "entry 512: past two frames of 256 entries, GNTST_bad_gntref",
    "a sub-page grant: a copy inside its 64 bytes",
    "copies that start before it or end past it: GNTST_general_error",
    "mapping a sub-page grant: GNTST_general_error",
    "a transitive grant: GNTST_general_error (not followed here)",
    "set_version 1: back",
    "reserved entry 2 is a version 1 entry again, in use",
    "unmapped: its flags are clear",
]


@pytest.fixture(scope="module")
def grants_v2():
    return boot(guest("grants_v2"))


@one_boot("grants_v2")
@pytest.mark.parametrize("what", GRANT_V2_CHECKS)
def test_grant_v2_guest_checks(grants_v2, what):
    assert_check_passed(grants_v2, "grants_v2", what)


@one_boot("grants_v2")
def test_grant_v2_guest_makes_exactly_these_checks(grants_v2):
    assert_exactly_these_checks(grants_v2, "grants_v2", GRANT_V2_CHECKS)


@one_boot("grants_v2")
def test_grant_v2_guest_ends_cleanly_with_every_frame_back(grants_v2):
    assert "grants_v2: all checks passed: 0 failure(s)" in grants_v2.console, grants_v2.console
    assert grants_v2.status == 0
    at_boot, at_end = free_frames(grants_v2)
    assert at_end == at_boot


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
    assert run.status == 0, run.console
    assert 'pong: got "ping 3"' in run.console and 'ping: got "pong 3"' in run.console, "the page was used"
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot
