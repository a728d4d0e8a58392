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
