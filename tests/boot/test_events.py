"""Events and time: event channels with Xen's errors, upcalls after unmasking, VIRQ_TIMER and
blocking, polling, the wallclock, and serial input reaching domain 0."""

from conftest import HELLO, boot, guest, checks, failures


def test_event_and_time_guest_passes_every_check():
    run = boot(guest("events"))
    results = checks(run, "events")
    assert failures(results) == [], run.console
    assert len(results) >= 29
    assert "events: all checks passed: 0 failure(s)" in run.console
    assert run.status == 0


def test_serial_input_reaches_domain_0():
    run = boot(f"{guest('events')}=test=console", typed="typed on the serial line\n")
    assert "events: got: typed on the serial line" in run.console, run.console
    assert run.status == 0


def test_a_blocked_domain_lets_another_run():
    """While the events guest sleeps on its timers, the scheduler runs hello."""
    run = boot(guest("events"), f"{HELLO}=name=meanwhile")
    assert "events: all checks passed" in run.console
    assert "meanwhile: Hello from ring 1" in run.console
    assert run.console.index("meanwhile: Hello") < run.console.index("events: all checks passed")
    assert run.status == 0
