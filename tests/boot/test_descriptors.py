"""A guest's own GDT and LDT: Xen's descriptor rules (set_gdt, update_descriptor, SET_LDT) and the
typing that keeps descriptor pages out of the guest's writable mappings."""

import pytest

from conftest import assert_check_passed, assert_exactly_these_checks, boot, guest, one_boot

# What tests/guests/descriptors.c checks, in the order it prints them.
DESCRIPTOR_CHECKS = [
    "set_gdt on a frame we still map writable: -EINVAL",
    "the GDT frame remapped read-only",
    "set_gdt accepts it now",
    "set_gdt of 8000 entries (into the reserved ones): -EINVAL",
    "a DPL-0 descriptor was raised to DPL 1",
    "a flat 4 GiB limit was truncated below the monitor (0xF67FF pages)",
    "our own GDT entry loads into DS and works",
    "#NP loading a not-present descriptor: error code = its selector",
    "a writable mapping of a GDT frame: -EINVAL",
    "mmu_update writing into a GDT frame: -EINVAL",
    "a TSS (system) descriptor: -EINVAL",
    "a call gate to the monitor's code selector: -EINVAL",
    "a call gate to our own code selector: accepted, RPL raised to 1",
    "a base in the last page below the monitor: -EINVAL",
    "a byte-granular limit into the monitor: -EINVAL",
    "an expand-down data segment: -EINVAL",
    "update_descriptor truncates a page-granular limit too",
    "MMUEXT_SET_LDT with one entry",
    "the LDT entry loads into DS and works",
    "SET_LDT at an unaligned address: -EINVAL",
    "SET_LDT with no entries removes it",
]


@pytest.fixture(scope="module", params=["qemu", "bochs"])
def descriptors(request):
    """Under QEMU, and under Bochs, which checks segment limits and descriptor types as QEMU does not."""
    return boot(guest("descriptors"), bochs=request.param == "bochs", timeout=120)


@one_boot("descriptors")
@pytest.mark.parametrize("what", DESCRIPTOR_CHECKS)
def test_descriptor_guest_checks(descriptors, what):
    assert_check_passed(descriptors, "descriptors", what)


@one_boot("descriptors")
def test_descriptor_guest_makes_exactly_these_checks(descriptors):
    assert_exactly_these_checks(descriptors, "descriptors", DESCRIPTOR_CHECKS)


@one_boot("descriptors")
def test_descriptor_guest_ends_cleanly(descriptors):
    assert "descriptors: all checks passed: 0 failure(s)" in descriptors.console, descriptors.console
    assert descriptors.status == 0


def test_descriptor_tables_follow_each_domain_across_switches():
    """Two domains with GDT and LDT pages of their own beside two without: each switch shows the
    next one's pages and hides the last one's (hv/segments.c rewrites only what changes)."""
    run = boot(f"{guest('descriptors')}=name=d1", f"{guest('descriptors')}=name=d2",
               f"{guest('spin')}=name=s ms=300", f"{guest('vcpu')}=name=v", timeout=90)
    for name in ("d1", "d2", "v"):
        assert f"{name}: all checks passed: 0 failure(s)" in run.console, run.console[-3000:]
    assert run.status == 0
