"""The virtual CPU: exceptions bounced to the guest's own handlers with Xen's frame, ring 3,
direct and bounced system calls, iret, the failsafe callback, lazy FPU, forced-emulation CPUID."""
import re

import pytest

from conftest import HELLO, assert_check_passed, assert_exactly_these_checks, boot, checks, guest, one_boot

# What tests/guests/vcpu.c checks, in the order it prints them.
VCPU_CHECKS = [
    "forced-emulation cpuid finds XenVMMXenVMM (no trap table yet)",
    "forced cpuid leaf 1 has the hypervisor bit",
    "#DE divide error delivered",
    "frame: CS holds the saved upcall mask (1) in bits 16-23, EFLAGS.IF shows it (0)",
    "#BP from int3 delivered (a trap: EIP past it)",
    "#OF from into delivered",
    "#BR from bound delivered",
    "#UD from ud2 delivered",
    "#GP from cli delivered (not emulated)",
    "#GP from in delivered (no I/O privilege)",
    "int $0x40 with no gate: #GP, error code (0x40<<3)|2",
    "#PF reading unmapped memory delivered",
    "CR2 of the #PF (mov from %cr2, emulated: vcpu_info.arch.cr2)",
    "vcpu_info.arch.cr2 holds the address",
    "#PF writing unmapped memory: error code W",
    "xen_version(compile_info) with DF set: the right answer",
    "DF still set after the hypercall",
    "#UD with DF set delivered, DF set again after it",
    "#DB from the trap flag (single step) delivered",
    "#NM after fpu_taskswitch(1); clts emulated; FPU works after",
    "with TS clear, the FPU needs no handler of ours",
    "mov from %cr0 shows TS clear after clts",
    "mov from %cr0 shows TS set after fpu_taskswitch(1)",
    "#MF from an unmasked x87 divide by zero delivered",
    "user pages mapped with the U bit (update_va_mapping)",
    "int $0x80 registered: DPL 3, a trap gate (direct)",
    "ring 3 made its system calls and got results",
    "each arrived in ring 1 on the registered kernel stack, with the user SS:ESP",
    "direct int $0x80: zero monitor entries (only the hv_stats call)",
    "int $0x80 registered with events masked: not installable as a real gate",
    "bounced int $0x80: same results",
    "bounced int $0x80: one #GP entry each, delivered as vector 0x80",
    "bounced int $0x80 returns to ring 3 with the iret hypercall",
    "int $0x80 with no handler: #GP with error code 0x402 from ring 3, to the guest",
    "callback_op registers a sysenter callback",
    "sysenter from ring 3 reaches the sysenter callback (frame EIP 0, EAX kept)",
    "sysenter with the trap flag set: the callback, with TF in its frame (no monitor fault)",
    "#PF from ring 3 on a kernel page: error code U|P, user SS:ESP in the frame",
]


@pytest.fixture(scope="module")
def vcpu():
    return boot(guest("vcpu"))


@one_boot("vcpu")
@pytest.mark.parametrize("what", VCPU_CHECKS)
def test_vcpu_guest_checks(vcpu, what):
    assert_check_passed(vcpu, "vcpu", what)


@one_boot("vcpu")
def test_vcpu_guest_makes_exactly_these_checks(vcpu):
    assert_exactly_these_checks(vcpu, "vcpu", VCPU_CHECKS)


@one_boot("vcpu")
def test_vcpu_guest_ends_cleanly(vcpu):
    assert "vcpu: all checks passed: 0 failure(s)" in vcpu.console, vcpu.console
    assert vcpu.status == 0


@one_boot("vcpu")
def test_direct_int80_makes_no_monitor_entry(vcpu):
    m = re.search(r"^vcpu: direct: (\d+) system calls, (\d+) monitor entries$", vcpu.console, re.M)
    assert m and int(m.group(1)) == 201 and int(m.group(2)) == 0, vcpu.console


def test_int80_without_a_trap_table_crashes_with_error_0x402():
    run = boot(f"{guest('vcpu')}=test=no-handler")
    assert run.status == 1
    assert re.search(r"crashed: #GP general protection in ring 1 at eip c0[0-9a-f]{6} <main\+0x[0-9a-f]+> \(error code 0x0402\)",
                     run.console), run.console


def test_iret_to_ring_0_is_refused():
    run = boot(f"{guest('vcpu')}=test=bad-iret")
    assert run.status == 1
    assert "crashed: iret: refusing to return to ring 0 (cs e018 eip 00c0ffee)" in run.console


def test_bad_kernel_stack_crashes_the_domain_alone():
    run = boot(f"{guest('vcpu')}=test=bad-stack", f"{HELLO}=name=after")
    assert re.search(r"crashed: bad kernel stack e021:10001000 while delivering a trap", run.console), run.console
    assert "after: Hello from ring 1" in run.console
    assert "hv: 2 domain(s) ran, 1 ended cleanly" in run.console
    assert run.status == 1, "the crash makes the run fail, and nothing else does"


def test_bad_iret_frame_goes_to_the_failsafe_callback():
    run = boot(f"{guest('vcpu')}=test=failsafe")
    assert re.search(r"^vcpu: failsafe: ds [0-9a-f]{4} es [0-9a-f]{4} fs [0-9a-f]{4} gs [0-9a-f]{4}, "
                     r"frame eip c0[0-9a-f]{6} cs e02b ss e023$", run.console, re.M), run.console
    assert "vcpu: all checks passed" in run.console
    assert run.status == 0


def test_trap_from_ring3_before_stack_switch_lands_on_the_boot_stack():
    """kernel_ss:kernel_sp start as the domain's boot SS:ESP, as Xen's builder sets them."""
    run = boot(guest("bootstack"))
    assert checks(run, "bootstack") == [("ok", re.search(r"a trap from ring 3 before any stack_switch lands on "
                                                         r"the boot stack \(frame at [0-9a-f]{8}\)", run.console).group(0))]
    assert run.status == 0
