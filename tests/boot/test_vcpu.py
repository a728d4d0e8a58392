"""The virtual CPU: exceptions bounced to the guest's own handlers with Xen's frame, ring 3,
direct and bounced system calls, iret, the failsafe callback, lazy FPU, forced-emulation CPUID."""
import re

from conftest import boot, guest, checks, failures


def test_vcpu_guest_passes_every_check():
    run = boot(guest("vcpu"))
    results = checks(run, "vcpu")
    assert failures(results) == []
    assert len(results) >= 30, run.console
    assert "vcpu: all checks passed: 0 failure(s)" in run.console
    assert run.status == 0


def test_direct_int80_makes_no_monitor_entry():
    run = boot(guest("vcpu"))
    m = re.search(r"^vcpu: direct: (\d+) system calls, (\d+) monitor entries$", run.console, re.M)
    assert m and int(m.group(1)) == 201 and int(m.group(2)) == 0, run.console


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
    run = boot(f"{guest('vcpu')}=test=bad-stack", "build/examples/hello.elf=name=after")
    assert re.search(r"crashed: bad kernel stack e021:10001000 while delivering a trap", run.console), run.console
    assert "after: Hello from ring 1" in run.console


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
