"""Several vCPUs in one domain (tests/guests/smp.c, booted with vcpus=4): VCPUOP_initialise and
up, IPIs between vCPUs, a one-shot and a periodic timer each on its own vCPU's VIRQ_TIMER,
runstate, register_vcpu_info, and Xen's refusals; under QEMU and under Bochs. A vCPU brought up
with a context the CPU refuses crashes its domain alone."""
import pytest
from conftest import assert_check_passed, assert_exactly_these_checks, boot, free_frames, guest, one_boot, HELLO

SMP_CHECKS = [
    "VCPUOP_is_up: vCPU 0 up, vCPU 1 down at start",
    "vCPU 4 of four: -ENOENT",
    "VCPUOP_up before VCPUOP_initialise: -EINVAL",
    "initialise with a page-table base not ours: -EINVAL",
    "initialise with a GDT past the monitor's entries: -EINVAL",
    "vCPUs 1 and 2 initialised; again: -EEXIST",
    "initialised is not up",
    "bind_ipi for vCPU 0",
    "register_vcpu_info for another vCPU that is up: -EINVAL",
    "vCPU 3 initialised with VGCF_online: up at once",
    "VCPUOP_up: three vCPUs ran, each on its own stack",
    "20 IPIs to vCPU 1 and 20 back, each woke its poll",
    "vCPU 1 polling a port that notifies vCPU 0 wakes on its event",
    "VCPUOP_down and up of vCPU 1 while it polls",
    "it goes on waiting: down and blocked are two things",
    "and wakes on its event",
    "bind_ipi for vCPU 9: -ENOENT",
    "a global VIRQ on vCPU 1: -EINVAL",
    "bind_vcpu moves an unbound port to vCPU 2; status says so",
    "the other end binding it leaves it on vCPU 2",
    "bind_vcpu of an IPI port: -EINVAL",
    "bind_vcpu to vCPU 7: -ENOENT",
    "vCPU 2's one-shot timer woke it on its own VIRQ_TIMER, not before the deadline",
    "a one-shot timer for another vCPU: -EINVAL",
    "a one-shot timer at 0 (the past) fires at once",
    "vCPU 3's periodic timer (1 ms) woke it five times",
    "a period under 1 ms: -EINVAL",
    "a period of 2^64-1 ns: -EINVAL",
    "register_runstate_memory_area: our runstate, kept there",
    "runstate of vCPU 0: running",
    "runstate of vCPU 1, which took itself down: offline, after time running and blocked",
    "register_vcpu_info for vCPU 1 in a page of ours",
    "a second time: -EINVAL",
    "across a page's end: -EINVAL",
    "vCPU 1's vcpu_info moved there, its mask carried over",
    "every secondary took itself down",
]


@pytest.fixture(scope="module", params=["qemu", "bochs"])
def smp(request):
    return boot(f"{guest('smp')}=vcpus=4", bochs=request.param == "bochs", timeout=120)


@one_boot("smp")
@pytest.mark.parametrize("what", SMP_CHECKS)
def test_smp_guest_checks(smp, what):
    assert_check_passed(smp, "smp", what)


@one_boot("smp")
def test_smp_guest_makes_exactly_these_checks(smp):
    assert_exactly_these_checks(smp, "smp", SMP_CHECKS)


@one_boot("smp")
def test_each_secondary_said_it_was_up(smp):
    for vcpu in (1, 2, 3):
        assert f"smp: vCPU {vcpu} up, on its own stack" in smp.console, smp.console


@one_boot("smp")
def test_the_last_vcpu_down_powers_the_domain_off_and_every_frame_comes_back(smp):
    assert "smp: all checks passed: 0 failure(s)" in smp.console, smp.console
    assert "hv: domain 0 (smp) shut down: poweroff" in smp.console, smp.console
    assert smp.status == 0
    at_boot, at_end = free_frames(smp)
    assert at_end == at_boot


def test_a_vcpu_the_cpu_refuses_crashes_its_domain_alone():
    run = boot(f"{guest('smp')}=vcpus=2 mode=bad-cs", f"{HELLO}=name=survivor")
    assert "smp: ok vCPU 1 initialised with a null CS, and up" in run.console, run.console
    assert "hv: domain 0 (smp) crashed: bad segment or iret frame on return to the guest (cs 0001" in run.console, run.console
    assert "survivor: Hello from ring 1" in run.console
    assert "hv: domain 1 (survivor) shut down: poweroff" in run.console
    assert run.status == 1 and "MONITOR FAULT" not in run.console


@pytest.mark.parametrize("bad", ["vcpus=0", "vcpus=9", "vcpus=two"])
def test_a_bad_vcpus_option_refuses_the_module(bad):
    run = boot(f"{guest('smp')}={bad}", f"{HELLO}=name=survivor")
    assert "hv: module 0 (smp) refused: bad vcpus= (1 to 8)" in run.console, run.console
    assert "survivor: Hello from ring 1" in run.console
