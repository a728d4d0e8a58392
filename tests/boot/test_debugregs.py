"""The debugging and I/O parts of the virtual CPU (tests/guests/debugregs.c): breakpoints in the
CPU's debug registers with the #DB and DR6 a real CPU gives, the trap flag, the monitor absorbing
a guest's breakpoint it meets in ring 0 (XSA-260's case among them), the virtual IOPL, I/O
breakpoints and the MSRs a guest may read; under QEMU and under Bochs, which holds a breakpoint
after `mov %ss` back past the next instruction as a real CPU does. A second copy writes to the
address the first one watches: each domain's breakpoints are its own."""
import pytest
from conftest import assert_check_passed, assert_exactly_these_checks, boot, checks, guest, one_boot

DEBUGREG_CHECKS = [
    "DR7 starts at its default",
    "set_debugreg 0 to a variable",
    "set_debugreg 7: a 4-byte write breakpoint",
    "a write to it raises #DB at once (one set_debugreg is enough)",
    "DR6 says breakpoint 0 (B0), nothing else",
    "a read of it does not (a write breakpoint)",
    "writing DR6 clears its status",
    "mov to %dr1 and %dr7 (emulated): a read breakpoint fires on a read, with B1",
    "mov from %dr7 reads it back",
    "the next #DB's breakpoint bits replace the last one's (B0 now, B1 gone), as the CPU's do",
    "an instruction breakpoint: #DB before the instruction (a fault), with B2",
    "an instruction breakpoint just after an emulated instruction fires (the monitor clears RF)",
    "console_io of a watched buffer: the monitor absorbs its #DBs (one a read), none reaches us",
    "mov %ss with a breakpoint on the selector, then int $0x82: one #DB, in ring 1 or absorbed",
    "the trap flag: one #DB after the next instruction, DR6 BS",
    "a single step over an emulated mov from %cr0: the #DB right after it, DR6 BS",
    "user pages mapped",
    "int $0x80 open to ring 3",
    "vIOPL 0: cli and outb from ring 1 raise #GP",
    "vIOPL 0: and from ring 3",
    "PHYSDEVOP_set_iopl 1",
    "vIOPL 1: cli from ring 1 is allowed, and changes nothing (the event mask stays)",
    "vIOPL 1: outb is allowed; inb of a port the monitor keeps (0x61) reads all ones, in %al only",
    "vIOPL 1: ring 3 still raises #GP",
    "vIOPL 3: ring 3 may too",
    "vIOPL 3: ring 3's rep insb of 4 bytes into its own page: all ones, ECX 0, EDI past them",
    "ring 3's rep insb into a kernel page: #PF 7 (present, write, user) at it, the page untouched",
    "ring 3's rep outsb from a kernel page: #PF 5 (present, user), ECX as it was",
    "the first of two kernel pages mapped user",
    "rep insb of 8 across into the second: 4 bytes, then #PF 7 at the second, ECX 4",
    "PHYSDEVOP_set_iopl 4: -EINVAL",
    "PHYSDEVOP_set_iobitmap: port 0x80 alone",
    "vIOPL 0 with the bitmap: port 0x80 allowed, 0x81 and one past the bitmap refused",
    "a bitmap in the monitor's area: -EINVAL, and the last one stays",
    "set_iobitmap of 65537 ports: -EINVAL",
    "PHYSDEVOP_apic_read: -ENOSYS",
    "mov from %cr4: PAE set, DE clear",
    "an I/O breakpoint without CR4.DE: -EPERM",
    "without CR4.DE, DR4 is DR6",
    "mov to %cr4 sets DE",
    "with CR4.DE: an I/O breakpoint on port 0x80, and DR7 reads it back",
    "with CR4.DE, DR4 is no register: -ENODEV",
    "outb to port 0x80: #DB after it, with B0",
    "outb to port 0x81: no #DB",
    "a 2-byte I/O breakpoint at 0x81 covers 0x80-0x81, aligned as the CPU does",
    "and not 0x82",
    "vm_assist enables VMASST_TYPE_architectural_iopl",
    "with it, the kernel counts as ring 0: cli at vIOPL 0 is allowed",
    "a trap frame's EFLAGS shows vIOPL 2",
    "without it, the frame shows IOPL 0",
    "rdmsr DEBUGCTL: 0",
    "rdmsr the TSC",
    "rdmsr APIC_BASE: #GP (not a guest's)",
    "rdmsr SYSENTER_CS: #GP (the monitor's)",
    "wrmsr DEBUGCTL: 0 taken, 1 refused",
    "wrmsr the TSC: #GP",
    "a write breakpoint fires on every write, with yields to another domain between",
]


@pytest.fixture(scope="module", params=["qemu", "bochs"])
def debugregs(request):
    return boot(guest("debugregs"), f"{guest('debugregs')}=name=writer mode=writer",
                bochs=request.param == "bochs", timeout=120)


@one_boot("debugregs")
@pytest.mark.parametrize("what", DEBUGREG_CHECKS)
def test_debugreg_guest_checks(debugregs, what):
    assert_check_passed(debugregs, "debugregs", what)


@one_boot("debugregs")
def test_debugreg_guest_makes_exactly_these_checks(debugregs):
    assert_exactly_these_checks(debugregs, "debugregs", DEBUGREG_CHECKS)


@one_boot("debugregs")
def test_another_domain_never_meets_our_breakpoints(debugregs):
    assert [what for ok, what in checks(debugregs, "writer")] == \
        ["writer: 400 writes to the other domain's watched address, no #DB"]
    assert "writer: all checks passed: 0 failure(s)" in debugregs.console


@one_boot("debugregs")
def test_debugreg_guests_end_cleanly(debugregs):
    assert "debugregs: all checks passed: 0 failure(s)" in debugregs.console, debugregs.console
    assert "hv: power-off status=0" in debugregs.console
    assert debugregs.status == 0


def test_icebp_is_a_db_bounced_to_the_guest_under_bochs():
    """int1 (0xF1): a #DB no breakpoint raised, bounced like any other. Bochs models it; QEMU's TCG
    raises #UD instead, so this runs under Bochs only."""
    run = boot(f"{guest('debugregs')}=mode=icebp", bochs=True, timeout=120)
    assert [what for ok, what in checks(run, "debugregs")] == ["icebp (int1): a #DB, bounced to our handler"], run.console
    assert "debugregs: all checks passed: 0 failure(s)" in run.console
    assert run.status == 0
