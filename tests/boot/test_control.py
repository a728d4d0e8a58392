"""Domain 0 controls the others through domctl: create from an image it holds, pause, unpause,
inspect, read the console of, destroy; a hundred times without losing a frame. Other domains are
refused."""
from conftest import HELLO, boot, checks, failures, free_frames, guest


def test_domain0_creates_runs_and_destroys_domains():
    run = boot(guest("control"), f"{HELLO}=attach")
    results = checks(run, "control")
    assert failures(results) == [], run.console
    assert len(results) >= 13
    assert "hv: module 1: attached to module 0's domain" in run.console
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot, "100 create/destroy cycles leak no frame"
    assert run.status == 0


def test_domctl_from_another_domain_is_refused():
    run = boot(f"{HELLO}=name=first", f"{guest('control')}=name=intruder test=unprivileged")
    assert "intruder: ok domctl from a domain other than 0: -EPERM" in run.console, run.console
    assert run.status == 0
