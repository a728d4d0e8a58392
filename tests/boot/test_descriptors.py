"""A guest's own GDT and LDT: Xen's descriptor rules (set_gdt, update_descriptor, SET_LDT) and the
typing that keeps descriptor pages out of the guest's writable mappings."""

import pytest

from conftest import boot, guest, checks, failures


@pytest.mark.parametrize("bochs", [False, True], ids=["qemu", "bochs"])
def test_descriptor_guest_passes_every_check(bochs):
    run = boot(guest("descriptors"), bochs=bochs, timeout=120)
    results = checks(run, "descriptors")
    assert failures(results) == [], run.console
    assert len(results) == 21
    assert run.status == 0


def test_descriptor_tables_follow_each_domain_across_switches():
    """Two domains with GDT and LDT pages of their own beside two without: each switch shows the
    next one's pages and hides the last one's (hv/segments.c rewrites only what changes)."""
    run = boot(f"{guest('descriptors')}=name=d1", f"{guest('descriptors')}=name=d2",
               f"{guest('spin')}=name=s ms=300", f"{guest('vcpu')}=name=v", timeout=90)
    for name in ("d1", "d2", "v"):
        assert f"{name}: all checks passed: 0 failure(s)" in run.console, run.console[-3000:]
    assert run.status == 0
