"""Domain 0 controls the others through domctl: create from an image it holds, pause, unpause,
inspect, read the console of, destroy; a hundred times without losing a frame. Other domains are
refused."""
import pytest

from conftest import (HELLO, assert_check_passed, assert_exactly_these_checks, boot, free_frames, guest,
                      one_boot)

# What tests/guests/control.c checks, in the order it prints them.
CONTROL_CHECKS = [
    "domain 0 was given an image as its module",
    "createdomain from that image",
    "getdomaininfo: paused, named child, 512 pages",
    "max_mem 8192 KiB: 2048 pages at most, 512 held",
    "max_mem of no domain: -ESRCH",
    "unpausedomain",
    "the child ran and powered off: VIRQ_DOM_EXC woke us",
    "its console, read back",
    "destroydomain: VIRQ_DOM_EXC again",
    "gone from getdomaininfo",
    "pausing itself: -EINVAL",
    "destroying no domain: -ESRCH",
    "another interface version: -EINVAL",
    "createdomain from a bad image: -EINVAL",
    "100 create/destroy cycles",
]


@pytest.fixture(scope="module")
def control():
    return boot(guest("control"), f"{HELLO}=attach")


@one_boot("control")
@pytest.mark.parametrize("what", CONTROL_CHECKS)
def test_domain0_control_checks(control, what):
    assert_check_passed(control, "control", what)


@one_boot("control")
def test_domain0_control_makes_exactly_these_checks(control):
    assert_exactly_these_checks(control, "control", CONTROL_CHECKS)


@one_boot("control")
def test_domain0_creates_runs_and_destroys_domains_and_loses_no_frame(control):
    assert "hv: module 1: attached to module 0's domain" in control.console, control.console
    at_boot, at_end = free_frames(control)
    assert at_end == at_boot, "100 create/destroy cycles leak no frame"
    assert control.status == 0


def test_domctl_from_another_domain_is_refused():
    run = boot(f"{HELLO}=name=first", f"{guest('control')}=name=intruder test=unprivileged")
    assert "intruder: ok domctl from a domain other than 0: -EPERM" in run.console, run.console
    assert run.status == 0
