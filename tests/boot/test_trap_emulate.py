"""Lesson 2 (docs/LESSONS.md), trap-and-emulate fails: examples/trap-emulate runs kernel.c, a kernel's
code written for ring 0, natively in ring 0 and on hv in ring 1 under the guest's own
trap-and-emulate layer, under QEMU and Bochs. Natively every belief the kernel holds is true; on hv
what traps is emulated and right, and the first wrong result is the popf that restores IF without
trapping, after which the kernel's next hlt never ends."""
import os
import re

import pytest

from conftest import ROOT, boot, boot_native

EXAMPLE = os.path.join(ROOT, "examples", "trap-emulate")
CODE = ["lgdt gdtr", "sti", "hlt", "pushf; pop %eax (irq_save)", "cli", "push %eax; popf (irq_restore)", "hlt",
        "(reads the table in its code)", "cli", "call *irq_restore_op (popf)", "hlt"]


def steps(console):
    """The rows the lesson printed: [(code, belief, machine, trapped, verdict)], in step order."""
    found = re.findall(r"^trap-emulate: +(\d+) \| (.*?) +\| (.*?) +\| (.*?) +\| (.*?) +\| (ok|WRONG)$", console, re.M)
    assert [int(f[0]) for f in found] == list(range(1, len(found) + 1)), found
    return [f[1:] for f in found]


def layer_lines(console):
    """What the layer said at each trap: [(address, mnemonic, what)]."""
    return [(int(a, 16), m, w) for a, m, w in
            re.findall(r"^trap-emulate: +layer: #GP at 0x(\w+), (\w+): (.*)$", console, re.M)]


@pytest.fixture(scope="module", params=["qemu", "bochs"])
def runs(request):
    bochs = request.param == "bochs"
    native = boot_native("build/examples/trap-emulate-native.elf", name="trap-emulate", bochs=bochs)
    hv = boot("build/examples/trap-emulate.elf", bochs=bochs)
    assert native.status == 0 and hv.status == 0, native.console[-2000:] + hv.console[-2000:]
    return native, hv


def test_natively_every_belief_holds_and_nothing_traps(runs):
    console = runs[0].console
    assert "trap-emulate: native: the kernel's code in ring 0, on bare hardware" in console
    s = steps(console)
    assert [row[0] for row in s] == CODE
    assert all(row[3] == "-" and row[4] == "ok" for row in s), s
    assert s[1][2] == "IF 1" and s[4][2] == "IF 0" and s[5][2] == "IF 1" and s[9][2] == "IF 1"
    assert re.fullmatch(r"IF 1, ticks [1-9]\d*", s[6][2]) and s[7][2] == "0 of its 8 bytes changed"
    assert "trap-emulate: every belief held: 11 steps, 0 trapped" in console
    assert not layer_lines(console) and "WRONG" not in console


def test_on_hv_what_traps_is_emulated_and_right(runs):
    s = steps(runs[1].console)
    assert [row[0] for row in s] == CODE[:7]            # the seventh never ends: nothing after runs
    trapped = [i + 1 for i, row in enumerate(s) if row[3] == "yes, emulated"]
    assert trapped == [1, 2, 3, 5, 7] and all(s[i - 1][3] == "no" for i in (4, 6))
    assert [row[4] for row in s[:5]] == ["ok"] * 5
    assert s[1][2] == "IF 1" and re.fullmatch(r"IF 1, ticks [1-9]\d*", s[2][2]) and s[4][2] == "IF 0"
    assert s[3][2] == "saved IF 1, IF 1"            # right by luck: the real IF is 1, and so is the virtual


def test_on_hv_the_first_wrong_result_is_the_popf_and_the_next_hlt_never_ends(runs):
    console = runs[1].console
    s = steps(console)
    assert s[5][2:] == ("IF 0", "no", "WRONG")      # popf put IF 1 back on the real CPU: nothing changed
    assert s[6][2:] == ("halted: IF 0, 3 ticks held", "yes, emulated", "WRONG")
    assert ("trap-emulate: first wrong result: step 6, push %eax; popf (irq_restore): the kernel believes "
            "interrupts are on again; the machine: IF 0") in console
    assert re.search(r"^trap-emulate: why: it did not trap\. Ring 1 ran it on the real EFLAGS, whose IF changes "
                     r"only when CPL <= IOPL .* its virtual IF is still 0$", console, re.M)
    assert "trap-emulate: 2 of 7 beliefs wrong" in console
    assert "trap-emulate: the layer emulated 5 traps: lgdt, sti, hlt, cli, hlt;" in console


def test_the_layer_saw_the_kernels_own_instructions(runs):
    """Each trap the layer emulated is at an instruction of kernel_main, in the kernel's order, and
    the GDT it loaded virtually is the one the kernel's step found."""
    console = runs[1].console
    lines = layer_lines(console)
    assert [m for _, m, _ in lines] == ["lgdt", "sti", "hlt", "cli", "hlt"]
    symbols = sorted((int(a, 16), n) for a, n in (line.split() for line in
                     open(os.path.join(ROOT, "build", "examples", "trap-emulate.sym"))))
    start = next(a for a, n in symbols if n == "kernel_main")
    end = min(a for a, _ in symbols if a > start)
    addresses = [a for a, _, _ in lines]
    assert addresses == sorted(set(addresses)) and all(start <= a < end for a in addresses), (hex(start), lines)
    gdtr = re.fullmatch(r"the virtual GDTR is now (0x\w+) limit 0x17", lines[0][2])
    assert gdtr and steps(console)[0][2] == f"GDTR {gdtr.group(1)} limit 0x17"
    assert lines[4][2] == "the virtual IF is 0: no interrupt can end this halt"
    assert "trap-emulate:    layer: 3 ticks came since, each held by the virtual IF 0" in console


def test_the_kernels_code_is_the_same_on_both_platforms():
    """kernel.c knows nothing of the platform, and both builds compile that one file."""
    source = open(os.path.join(EXAMPLE, "kernel.c")).read()
    assert "#if" not in source and "PLATFORM" not in source and "HYPERVISOR" not in source
    assert re.search(r"^SRCS +:= text_begin\.S kernel\.c text_end\.S ", open(os.path.join(EXAMPLE, "Makefile")).read(), re.M)
    assert re.search(r"^KERNEL_SRCS := kernel\.c ", open(os.path.join(EXAMPLE, "native.mk")).read(), re.M)
