"""FIFO event channels (tests/guests/fifo.c, booted with vcpus=2): the switch from the 2-level ABI,
the queues the monitor builds in the guest's pages (order, priorities, a consumed tail, masking,
a second vCPU's queues), and Xen's refusals, XSA-188's among them."""
import pytest
from conftest import assert_check_passed, assert_exactly_these_checks, boot, free_frames, guest, one_boot

FIFO_CHECKS = [
    "set_priority with the 2-level ABI: -ENOSYS",
    "expand_array before init_control: -EOPNOTSUPP",
    "an event before the switch: a 2-level bit",
    "init_control for vCPU 5: -ENOENT",
    "a control block at offset 4: -EINVAL (8-byte aligned)",
    "at offset 4060: -EINVAL (past the page)",
    "in frame 2^64-2: -EINVAL (XSA-188's)",
    "in shared_info: -EINVAL",
    "init_control for vCPU 0: the FIFO ABI, 17 link bits",
    "a second time: -EINVAL",
    "expand_array: the event words",
    "a second page: -ENOSPC (one covers every port)",
    "the early event is pending in its word, masked",
    "unmask: it is queued at the default priority, the queue ready, an upcall pending",
    "two more events: linked after it, in order",
    "and no 2-level bit is set any more",
    "taken from the head: first come, first out; then the queue is empty",
    "the last one taken, a new event starts the queue afresh",
    "set_priority 2",
    "its next event goes to queue 2",
    "priority 16, port 0, a free port: -EINVAL",
    "a masked port: pending, not queued, and SCHEDOP_poll sees it at once",
    "a taken tail the guest marks LINKED again gets the next event after it (its own loss); its link is never followed",
    "an event for vCPU 1, which has no control block: pending, not queued",
    "init_control for vCPU 1",
    "then unmask queues it on vCPU 1's queue, not vCPU 0's",
]


@pytest.fixture(scope="module")
def fifo():
    return boot(f"{guest('fifo')}=vcpus=2")


@one_boot("fifo")
@pytest.mark.parametrize("what", FIFO_CHECKS)
def test_fifo_guest_checks(fifo, what):
    assert_check_passed(fifo, "fifo", what)


@one_boot("fifo")
def test_fifo_guest_makes_exactly_these_checks(fifo):
    assert_exactly_these_checks(fifo, "fifo", FIFO_CHECKS)


@one_boot("fifo")
def test_fifo_guest_ends_cleanly_with_every_frame_back(fifo):
    assert "fifo: all checks passed: 0 failure(s)" in fifo.console, fifo.console
    assert fifo.status == 0
    at_boot, at_end = free_frames(fifo)
    assert at_end == at_boot
