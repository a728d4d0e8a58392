"""Hostile guests against the virtual CPU and its events (tests/guests/cpuattack.c, fpuleak.c,
evtchn_reuse.c), each beside a canary that checks its own memory every 20 ms (tests/guests/canary.c
in `log` mode), under -icount so that time is the guests' own and repeatable. Each attacker gets
Xen's answer or is crashed with the monitor's message; the canary keeps its memory and never waits
more than 100 ms of emulated time for the CPU; no frame is lost."""
import re

import pytest

from conftest import boot, checks, failures, free_frames, guest

CANARY = f"{guest('canary')}=name=canary log ms=400"
MAX_GAP_US = 100_000


def assert_canary_unharmed(run):
    m = re.search(r"^canary: (\d+) checks of 64 pages: (.*)$", run.console, re.M)
    assert m and m.group(2) == "memory intact", run.console[-3000:]
    times = [int(t) for t in re.findall(r"^canary: check at (\d+) us$", run.console, re.M)]
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert len(times) == int(m.group(1)) and len(times) >= 10, times
    assert max(gaps) <= MAX_GAP_US, f"the canary waited {max(gaps)} us for the CPU: {gaps}"


def assert_no_frame_lost(run):
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot, "every domain's frames came back"


def cpuattack(mode):
    return f"{guest('cpuattack')}=name={mode} mode={mode}"


def test_gates_and_callbacks_on_every_selector_get_xens_answers():
    """Every callback type, set_trap_table and the direct int $0x80 gate take selectors of every
    RPL, from the guest's GDT and LDT and from the monitor's entries, and answer 0 as Xen does;
    each delivery then does what it does under Xen: straight to the handler through a real gate
    when Xen's gate rule allows one, a trap when the CPU refuses that gate, the failsafe callback
    when the monitor's iret refuses the selector."""
    run = boot(CANARY, cpuattack("selectors"), icount=True, timeout=120)
    results = checks(run, "selectors")
    assert failures(results) == [], run.console[-6000:]
    assert len(results) == 93, results
    assert ("ok", "int $0x80 on e01b (FLAT_RING1_CS with RPL 3): registered (0), the failsafe callback (e01b), "
            "through the monitor") in results
    assert ("ok", "int $0x80 on 0013 (our GDT's code, RPL 3): registered (0), the handler ran (0011)") in results
    assert "selectors: all checks passed: 0 failure(s)" in run.console
    assert "crashed" not in run.console
    assert_canary_unharmed(run)
    assert_no_frame_lost(run)
    assert run.status == 0


def test_stack_switch_takes_only_a_ring1_writable_data_segment():
    """stack_switch refuses, with -EINVAL, an SS the CPU could not run ring 1 on (Xen 4.2 takes
    any and crashes the domain at the first frame built through it); a refused one leaves the
    last good stack in place, and a direct int $0x80 from ring 3 arrives on it."""
    run = boot(CANARY, cpuattack("bad-ss"), icount=True, timeout=120)
    results = checks(run, "bad-ss")
    assert failures(results) == [], run.console[-6000:]
    assert len(results) == 2 + 20 + 2 + 6, results
    assert ("ok", "stack_switch(e023) (FLAT_RING1_SS with RPL 3): -22") in results
    assert ("ok", "stack_switch(000d) (our LDT's ring-1 data): 0") in results
    assert "hv: domain 1: stack_switch: refusing ss e023 (esp c0" in run.console
    assert "crashed" not in run.console
    assert_canary_unharmed(run)
    assert_no_frame_lost(run)
    assert run.status == 0


CRASHES = {
    "failsafe-rpl3": r"fault while delivering the failsafe callback 0033:c0[0-9a-f]{6} "
                     r"\(frame at ss e021 esp c0[0-9a-f]{6}\): it would fault again on every delivery",
    "failsafe-walk": r"fault while delivering the failsafe callback 0029:c0[0-9a-f]{6} "
                     r"\(frame at ss e021 esp c03fffe4\): it would fault again on every delivery",
    "null-callback": r"bounce from eip c0[0-9a-f]{6} to the null selector 0001:c0[0-9a-f]{6}",
    "ss-changed": r"bad kernel stack 0009:c0[0-9a-f]{6} while delivering a trap from eip c0[0-9a-f]{6}: "
                  r"not a ring-1 writable data segment",
}


@pytest.mark.parametrize("mode", CRASHES)
def test_a_callback_or_stack_that_cannot_be_delivered_crashes_its_domain_alone(mode):
    """A failsafe callback the CPU refuses (RPL 3, or no segment behind it), a null callback
    selector, a kernel stack segment changed behind stack_switch's back: the monitor could only
    fault again, with interrupts off, forever or down the guest's stack; instead it crashes the
    domain at once, with the cause and the addresses, and the canary never notices."""
    run = boot(CANARY, cpuattack(mode), icount=True, timeout=120)
    crashes = re.findall(rf"^hv: domain 1 \({mode}\) crashed: (.*)$", run.console, re.M)
    assert len(crashes) == 1 and re.fullmatch(CRASHES[mode], crashes[0]), run.console[-3000:]
    assert failures(checks(run, mode)) == [] and f"{mode}: all checks passed" not in run.console
    assert "hv: 2 domain(s) ran, 1 ended cleanly" in run.console
    assert_canary_unharmed(run)
    assert_no_frame_lost(run)
    assert run.status == 1, "the attacker's crash makes the run fail, and nothing else does"


def test_first_fpu_use_finds_a_clean_image_not_the_last_users_registers():
    """XSA-165: one domain leaves its secret in ST0-7, XMM0-7, the control word and MXCSR and
    sleeps; another's first FPU use finds Xen's clean image instead, and the first domain gets
    its own registers back."""
    run = boot(CANARY, f"{guest('fpuleak')}=name=secret role=secret", f"{guest('fpuleak')}=name=probe role=probe",
               icount=True, timeout=120)
    assert checks(run, "probe") == [
        ("ok", "first FPU use: x87 control word 0x37F"),
        ("ok", "first FPU use: MXCSR 0x1F80"),
        ("ok", "first FPU use: no status, every x87 register empty"),
        ("ok", "first FPU use: ST0-7 zero"),
        ("ok", "first FPU use: XMM0-7 zero (nothing of the other domain's)"),
    ], run.console[-3000:]
    assert checks(run, "secret") == [
        ("ok", "our secret is in the FPU: ST0-7, XMM0-7, control word, MXCSR"),
        ("ok", "after the other domain used the FPU, ours came back unchanged"),
    ], run.console[-3000:]
    assert "secret in xmm0" not in run.console
    assert_canary_unharmed(run)
    assert_no_frame_lost(run)
    assert run.status == 0


def test_event_channels_of_an_ended_domain_pass_to_no_one():
    """Domain 0 offers a port to a domain and binds another to it; the domain ends and is
    destroyed, and the next domain created gets its id. Both ports still read unbound for the
    ended domain (Xen's answer), and the new domain cannot bind either (-EINVAL); a new channel to
    it binds as usual."""
    run = boot(f"{guest('evtchn_reuse')}=name=control role=control", f"{guest('evtchn_reuse')}=attach", CANARY,
               icount=True, timeout=120)
    results = checks(run, "control")
    assert failures(results) == [] and len(results) == 15, run.console[-3000:]
    assert ("ok", "the next domain created gets the same id, 2") in results
    assert checks(run, "thief") == [
        ("ok", "binding domain 0's port 1, offered to the domain before us: -22"),
        ("ok", "binding domain 0's port 2, bound to the domain before us: -22"),
    ], run.console[-3000:]
    assert_canary_unharmed(run)
    assert_no_frame_lost(run)
    assert run.status == 0
