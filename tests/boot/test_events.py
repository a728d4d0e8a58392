"""Events and time: event channels with Xen's errors, upcalls after unmasking, VIRQ_TIMER and
blocking, polling, the wallclock, and serial input reaching domain 0."""
import re

import pytest

from conftest import HELLO, assert_check_passed, assert_exactly_these_checks, boot, guest, one_boot

# What tests/guests/events.c checks, in the order it prints them.
EVENT_AND_TIME_CHECKS = [
    "bind_virq of VIRQ 99: -EINVAL",
    "bind_virq on vCPU 1: -ENOENT",
    "bind_virq VIRQ_DEBUG",
    "bind_virq VIRQ_DEBUG twice: -EEXIST",
    "send on port 500 (out of range): -EINVAL",
    "close a closed port: -EINVAL",
    "unmask port 9999: -EINVAL",
    "status of a free port: closed",
    "event_channel_op 99: -ENOSYS",
    "alloc_unbound until the ports run out: -ENOSPC",
    "bind_interdomain to our own unbound port (loopback)",
    "the new end starts pending, as on Xen (what the unbound end got may be lost)",
    "send on one end: the other end's handler runs",
    "status: interdomain, the other port",
    "binding a bound port again: -EINVAL",
    "events masked: the event waits, upcall pending",
    "unmask: the upcall is delivered at once",
    "a masked port: no upcall",
    "EVTCHNOP_unmask delivers the event that waited",
    "clock_ns runs forward",
    "wallclock is after 2020",
    "bind_virq VIRQ_TIMER",
    "set_timer_op: VIRQ_TIMER not before the deadline, block woke on it",
    "a deadline already past fires at once",
    "SCHEDOP_poll with a timeout returns after it",
    "set_timer_op(0) cancels the timer",
    "SCHEDOP_poll of 1000 ports: -EINVAL",
    "SCHEDOP_yield returns 0",
    "VCPUOP single-shot in the past with 'future': -ETIME",
    "VCPUOP on vCPU 1: -ENOENT",
]


@pytest.fixture(scope="module")
def events():
    return boot(guest("events"))


@one_boot("events")
@pytest.mark.parametrize("what", EVENT_AND_TIME_CHECKS)
def test_event_and_time_guest_checks(events, what):
    assert_check_passed(events, "events", what)


@one_boot("events")
def test_event_and_time_guest_makes_exactly_these_checks(events):
    assert_exactly_these_checks(events, "events", EVENT_AND_TIME_CHECKS)


@one_boot("events")
def test_event_and_time_guest_ends_cleanly(events):
    assert "events: all checks passed: 0 failure(s)" in events.console, events.console
    assert events.status == 0


def test_serial_input_reaches_domain_0():
    run = boot(f"{guest('events')}=test=console", typed="typed on the serial line\n")
    assert "events: got: typed on the serial line" in run.console, run.console
    assert run.status == 0


def test_a_blocked_domain_lets_another_run():
    """While the events guest sleeps 30 ms on its timer, the scheduler runs hello (paused until
    then, so that no slice's end can run it earlier); and the events
    guest is charged no CPU time for its sleep. The second half tells blocking from preemption: a
    guest whose SCHEDOP_block returned at once would spin until its slice ended, hello would still
    run in between, but the spin would be charged (40 ms, when the guest's block() was made a
    loop); the work around the sleep may be charged a tick or two, more under a loaded host.""" 
    run = boot(f"{guest('events')}=unpause", f"{HELLO}=name=meanwhile paused")   # hello starts as we block
    assert run.status == 0, run.console
    console = run.console
    assert console.index("events: timer: blocking until +30 ms") < console.index("meanwhile: Hello from ring 1") \
        < console.index("events: timer: asked for +30 ms, woke after"), console
    charged = re.search(r"^events: timer: charged (\d+) ms of CPU while blocked$", console, re.M)
    assert charged, console
    assert int(charged.group(1)) < 30, "less than the sleep: a guest spinning through it is charged all 30 ms"
    assert "events: all checks passed: 0 failure(s)" in console
