"""Lesson 3 (docs/LESSONS.md), binary rewriting: examples/trap-emulate with rewrite=recursive or
rewrite=linear reads kernel.c's code both ways before it runs, rewrites each pushf and popf the
chosen reading found into a call to the layer, and runs the kernel as in lesson 2, under QEMU and
Bochs. Each reading is checked against objdump's reading of the same bytes and the symbols: the
recursive descent misses the popf only an indirect call reaches, and the kernel's next hlt never
ends; the linear sweep finds it, but also a popf in the data kept among the code, which it
rewrites and so corrupts."""
import os
import re
import subprocess

import pytest

from conftest import ROOT, boot

ELF = os.path.join(ROOT, "build", "examples", "trap-emulate.elf")


def symbols():
    """{name: address} of the hv build's code symbols (global and local)."""
    out = subprocess.run(["nm", ELF], capture_output=True, text=True, check=True).stdout
    return {f[2]: int(f[0], 16) for f in (line.split() for line in out.splitlines()) if len(f) == 3 and f[1] in "tT"}


def objdump(start, end, operands=False):
    """objdump's instructions in [start, end), read straight through: [(address, mnemonic)], or
    [(address, mnemonic, operands)]."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", f"--start-address={start:#x}",
                          f"--stop-address={end:#x}", ELF], capture_output=True, text=True, check=True).stdout
    found = [(int(a, 16), m, o.strip()) for a, m, o in re.findall(r"^\s*([0-9a-f]+):\s+(\S+)(.*)$", out, re.M)]
    return found if operands else [f[:2] for f in found]


def sites(console):
    """The rewriter's table: {address: (instruction, recursive, linear, what it did)}."""
    return {int(a, 16): (i, r, l, d) for a, i, r, l, d in re.findall(
        r"^trap-emulate: +0x(\w+) \| (.*?) +\| (found|-) +\| (found|-) +\| (.*)$", console, re.M)}


def steps(console):
    return re.findall(r"^trap-emulate: +\d+ \| (.*?) +\| .*? +\| (.*?) +\| (.*?) +\| (ok|WRONG)$", console, re.M)


@pytest.fixture(scope="module", params=["qemu", "bochs"])
def runs(request):
    bochs = request.param == "bochs"
    out = {how: boot(f"build/examples/trap-emulate.elf=rewrite={how}", bochs=bochs) for how in ("recursive", "linear")}
    for run in out.values():
        assert run.status == 0, run.console[-3000:]
    return out


def test_the_rewriter_scans_kernel_c_alone_from_its_entry_points(runs):
    sym = symbols()
    line = (f"rewriter: kernel.c's code at {sym['kernel_text_start']:#010x}-{sym['kernel_text_end']:#010x} "
            f"({sym['kernel_text_end'] - sym['kernel_text_start']} bytes); entry points kernel_main "
            f"{sym['kernel_main']:#010x}, kernel_tick {sym['kernel_tick']:#010x}")
    assert all(f"trap-emulate: {line}" in run.console for run in runs.values())
    assert sym["kernel_text_start"] <= sym["code_table"] < sym["kernel_main"] < sym["kernel_text_end"]


def test_both_readings_read_as_objdump_does(runs):
    """The linear sweep reads what objdump reads straight through; the recursive descent the two
    entry functions up to their ret; and each found the sites objdump's mnemonics say are there."""
    sym = symbols()
    everything = objdump(sym["kernel_text_start"], sym["kernel_text_end"])
    reached = []
    for name in ("kernel_tick", "kernel_main"):
        insns = objdump(sym[name], sym["kernel_text_end"])
        reached += insns[:[m for _, m in insns].index("ret") + 1]
    m = re.search(r"recursive descent read (\d+) instructions, the linear sweep (\d+)", runs["linear"].console)
    assert m and (int(m.group(1)), int(m.group(2))) == (len(reached), len(everything))
    sensitive = {"pushf", "popf", "lgdtl", "lgdt", "sti", "cli", "hlt"}
    table = sites(runs["linear"].console)
    assert {a for a, _ in everything if _ in sensitive} == set(table)
    assert {a for a, _ in reached if _ in sensitive} == {a for a, v in table.items() if v[1] == "found"}
    indirect = [a for a, m, o in objdump(sym["kernel_main"], sym["kernel_text_end"], operands=True)
                if m == "call" and o.startswith("*") and a in dict(reached)]
    assert len(indirect) == 1 and (f"trap-emulate: rewriter: recursive descent: an indirect jump or call, where it "
                                   f"goes unknown, at {indirect[0]:#010x}") in runs["recursive"].console


def test_what_only_the_linear_sweep_finds_is_a_real_popf_and_a_byte_of_data(runs):
    sym = symbols()
    only_linear = {a: v for a, v in sites(runs["linear"].console).items() if v[1] == "-"}
    assert set(only_linear) == {sym["code_table"], next(a for a, m in objdump(sym["restore_and_count"],
                                                                               sym["kernel_tick"]) if m == "popf")}
    assert all(v[0] == "popf" for v in only_linear.values())


def test_each_reading_rewrites_its_pushf_and_popf_and_leaves_the_privileged(runs):
    sym = symbols()
    for how, rewritten in (("recursive", 2), ("linear", 4)):
        table = sites(runs[how].console)
        done = {a for a, v in table.items() if v[3].startswith("rewritten: jmp to a trampoline")}
        assert done == {a for a, v in table.items() if v[0] in ("pushf", "popf") and v[1 if how == "recursive" else 2] == "found"}
        assert len(done) == rewritten
        assert all(v[3] == "left: it traps, and the layer emulates it" for v in table.values() if v[0] not in ("pushf", "popf"))
        assert f"trap-emulate: rewriter: {rewritten} rewritten, 7 left as they were," in runs[how].console
    assert sites(runs["recursive"].console)[sym["code_table"]][3] == "not found: not rewritten"


def test_recursive_descent_misses_the_popf_behind_the_pointer_and_the_kernel_hangs(runs):
    console = runs["recursive"].console
    s = steps(console)
    assert [v[3] for v in s] == ["ok"] * 9 + ["WRONG", "WRONG"]
    assert s[3][2] == "no, a call" and s[5][2] == "no, a call"           # the rewritten pushf and popf
    assert s[7][1] == "0 of its 8 bytes changed" and s[9][1:3] == ("IF 0", "no")
    assert s[10][1] == "halted: IF 0, 3 ticks held"
    assert "trap-emulate: first wrong result: step 10, call *irq_restore_op (popf):" in console


def test_the_linear_sweep_finds_it_but_rewrites_the_data(runs):
    console = runs["linear"].console
    s = steps(console)
    assert [v[3] for v in s] == ["ok"] * 7 + ["WRONG"] + ["ok"] * 3
    assert s[7][1] == "5 of its 8 bytes changed"                       # a jmp over the 0x9d and four more
    assert s[9][1:3] == ("IF 1", "no, a call")
    assert re.fullmatch(r"IF 1, ticks \d+", s[10][1])
    assert "trap-emulate: first wrong result: step 8, (reads the table in its code):" in console
    assert "trap-emulate: 1 of 11 beliefs wrong" in console


def test_the_layer_is_called_from_the_sites_it_rewrote(runs):
    for how in ("recursive", "linear"):
        console = runs[how].console
        done = {a for a, v in sites(console).items() if v[3].startswith("rewritten")}
        called = {int(a, 16) for a in re.findall(r"layer: call from the rewritten (?:pushf|popf) at 0x(\w+)", console)}
        assert called and called <= done


TRADE_OFF = re.compile(r"^trap-emulate: the trade-off, measured \(TSC ticks each, instructions under -icount\): "
                       r"a trapped and emulated cli (\d+), a rewritten popf's call (\d+): the trap costs (\d+) times the call$",
                       re.M)


def test_both_readings_end_with_the_trade_off_measured(runs):
    """Both readings end with the measure, on both emulators: a trap (the monitor's #GP, its bounce,
    the layer, the way back) against a call from rewritten code, in TSC ticks, which outside
    -icount follow the host's clock: their figures are the benchmark's business, not a test's."""
    for run in runs.values():
        m = TRADE_OFF.search(run.console)
        assert m, run.console[-2000:]
        trap, call, times = map(int, m.groups())
        assert trap > 0 and call > 0 and times == trap // call, m.group(0)


def test_under_icount_the_trade_off_is_counted_in_instructions():
    """Under -icount a TSC tick is an instruction: the figures are counts, the same from run to run,
    a trap hundreds of instructions (the monitor's included), a call a few dozen, and the trap at
    least ten times the call."""
    figures = []
    for _ in range(2):
        run = boot("build/examples/trap-emulate.elf=rewrite=linear", icount=True)
        assert run.status == 0, run.console[-3000:]
        figures.append(tuple(map(int, TRADE_OFF.search(run.console).groups())))
    assert figures[0] == figures[1], figures
    trap, call, _ = figures[0]
    assert 200 <= trap <= 2000 and 10 <= call <= 100 and trap >= 10 * call, figures
