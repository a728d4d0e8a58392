"""Lesson 1 (docs/LESSONS.md): examples/sensitive runs each sensitive-but-unprivileged instruction in
ring 0 on bare hardware and in ring 1 on hv, under QEMU and Bochs. Every answer is checked against
the CPU's rules for the ring it ran in, and tools/sensitive-table's summary against what the lesson
says the student sees."""
import os
import re
import subprocess

import pytest

from conftest import ROOT, boot, boot_native

MNEMONICS = ["SGDT", "SIDT", "SLDT", "SMSW", "PUSHF", "POPF", "LAR", "LSL", "VERR", "VERW",
             "POP", "PUSH", "CALL", "JMP", "INT", "RET", "STR", "MOV"]
HV_AREA = 0xF5800000          # HYPERVISOR_VIRT_START: the monitor's GDT and IDT lie above it


def rows(console):
    found = re.findall(r"^sensitive: row\|([^|]*)\|([^|]*)\|([^|]*)\|([^|]*)\|(.*)$", console, re.M)
    return {m[0]: {"got": m[2], "trapped": m[3], "instead": m[4]} for m in found}


@pytest.fixture(scope="module", params=["qemu", "bochs"])
def runs(request):
    bochs = request.param == "bochs"
    native = boot_native("build/examples/sensitive-native.elf", name="sensitive", bochs=bochs)
    hv = boot("build/examples/sensitive.elf", bochs=bochs)
    assert native.status == 0 and hv.status == 0, native.console[-2000:] + hv.console[-2000:]
    return native, hv


def test_both_platforms_print_every_row_in_order(runs):
    native, hv = runs
    assert "sensitive: native, the kernel in ring 0; 18 rows" in native.console
    assert "sensitive: hv, the kernel in ring 1; 18 rows" in hv.console
    assert list(rows(native.console)) == MNEMONICS and list(rows(hv.console)) == MNEMONICS


def test_ring_0_gets_what_a_kernel_expects(runs):
    r = rows(runs[0].console)
    got = {k: v["got"] for k, v in r.items()}
    m = re.match(r"base 0x(\w+) limit 0x2f$", got["SGDT"])
    assert m and int(m.group(1), 16) >= 0xC0000000, got["SGDT"]          # its own 6-entry GDT
    assert re.match(r"base 0xc\w+ limit 0x7ff$", got["SIDT"])
    assert got["SLDT"] == "0x0000" and got["STR"] == "0x0028"
    assert re.match(r"0x00\w\w \(PE 1, TS 0\)$", got["SMSW"])
    assert got["PUSHF"] == "IF 0, IOPL 0" and got["POPF"] == "IF 0 after popf with IF 0"
    assert got["LAR"].endswith("DPL 0") and got["LSL"] == "0xffffffff"
    assert got["VERR"] == "readable (ZF 1)" and got["VERW"] == "writable (ZF 1)"
    assert got["POP"] == "SS 0x0010" and got["PUSH"] == "0x0008: ring 0" and got["MOV"] == "SS 0x0010: ring 0"
    assert got["CALL"] == "callee's CS 0x0008: ring 0" and got["JMP"] == "CS 0x0008: ring 0"
    assert got["INT"] == "the kernel's handler ran" and got["RET"] == "CS 0x0008"
    assert all(v["trapped"] == "-" for v in r.values())                   # nothing lies below it


def test_ring_1_on_hv_gets_the_monitors_machine_and_mostly_no_trap(runs):
    r = rows(runs[1].console)
    got = {k: v["got"] for k, v in r.items()}
    gdt = re.match(r"base 0x(\w+) limit 0x(\w+)$", got["SGDT"])
    idt = re.match(r"base 0x(\w+) limit 0x7ff$", got["SIDT"])
    assert gdt and int(gdt.group(1), 16) >= HV_AREA and idt and int(idt.group(1), 16) >= HV_AREA
    assert got["STR"] == "0xe040"                                         # the monitor's TSS, Xen's entry
    assert re.match(r"0x00\w\w \(PE 1, TS [01]\)$", got["SMSW"])
    assert got["PUSHF"] == "IF 1, IOPL 0" and got["POPF"] == "IF 1 after popf with IF 0"
    assert got["LAR"].endswith("DPL 1") and got["LSL"] == "0xf67fffff"   # truncated at MACH2PHYS_VIRT_END
    assert got["VERR"] == "not readable (ZF 0)" and got["VERW"] == "not writable (ZF 0)"
    assert got["PUSH"] == "0xe019: ring 1" and got["MOV"] == "SS 0xe021: ring 1"
    assert got["CALL"] == "callee's CS 0xe019: ring 1" and got["JMP"] == "CS 0xe019: ring 1"
    assert got["POP"] == "SS 0xe021; #GP error 0xe020"
    assert got["INT"] == "#GP error 0x2a" and got["RET"] == "CS 0xe019; #GP error 0xe018"
    trapped = {k for k, v in r.items() if v["trapped"] != "no"}
    assert trapped == {"POP", "INT", "RET"} and all(r[k]["trapped"] == "yes, bounced" for k in trapped)


def test_hv_answers_the_pv_way(runs):
    r = rows(runs[1].console)
    smsw = re.search(r"hv: mov %cr0: 0x(\w+) \(TS (\d)\)$", r["SMSW"]["instead"])
    assert smsw and int(smsw.group(1), 16) & 1 and smsw.group(2) == "0"  # the virtual TS: clear
    assert r["SMSW"]["got"].endswith("TS 1)")                            # the real one: the monitor's lazy FPU
    assert r["PUSHF"]["instead"].endswith("hv: evtchn_upcall_mask 1")
    assert r["SLDT"]["instead"].endswith("hv: MMUEXT_SET_LDT 0, then sldt 0xe048")
    assert r["LSL"]["instead"].endswith("hv: MACH2PHYS_VIRT_END 0xf6800000")


def test_the_table_sets_them_side_by_side_and_names_the_emulators_differences(tmp_path):
    logs = []
    for bochs in (False, True):
        native = boot_native("build/examples/sensitive-native.elf", name="sensitive", bochs=bochs)
        hv = boot("build/examples/sensitive.elf", bochs=bochs)
        for run, name in ((native, "native"), (hv, "hv")):
            path = tmp_path / f"{name}-{bochs}.log"
            path.write_text(run.console)
            logs.append(str(path))
    out = subprocess.run([os.path.join(ROOT, "tools", "sensitive-table"), "--logs"] + logs,
                         capture_output=True, text=True, check=True).stdout
    assert "18 instructions: 17 answer differently in ring 1; 3 of them entered the monitor" in out
    assert "14 differ silently" in out
    assert re.search(r"^ 6 POPF +IF 0 after popf with IF 0 +IF 1 after popf with IF 0 +no  <- differs, silently$", out, re.M)
    assert re.search(r"^ 3 SLDT +0x0000 +0x0000 +no$", out, re.M)
    assert "QEMU and Bochs differ natively: got:" in out and "bits 16-19 of LAR's result are undefined" in out
    differing = re.findall(r"^ *\d+ (\w+) .*\n(?:(?! *\d+ \w).*\n)*? *QEMU and Bochs differ", out, re.M)
    assert set(differing) <= {"LAR", "SMSW"}, differing
