"""Tracing ring crossings: tools/trace-annotate on a recorded Bochs trace, and make trace-demo and
make trace-disk (lessons 4 and 9's traces, tools/lesson) live under Bochs. A hypercall goes ring 1 -> 0 -> 1 through monitor code; a direct system call goes
ring 3 -> 1 -> 3 with no ring-0 instruction in between."""
import importlib.machinery
import importlib.util
import os
import re

from conftest import ROOT, make

SAMPLE = os.path.join(ROOT, "tests", "trace")


def load_annotator():
    loader = importlib.machinery.SourceFileLoader("trace_annotate", os.path.join(ROOT, "tools", "trace-annotate"))
    spec = importlib.util.spec_from_loader("trace_annotate", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


ta = load_annotator()


def annotate(trace, symbol_files):
    with open(trace) as f:
        return ta.annotate(f, ta.Symbols(symbol_files))


def check_crossings(listing, hypercall="hypercall (int $0x82)"):
    """The two crossings, in order, with the right code on each side (the detail lines a detailed
    trace adds under each crossing left aside)."""
    listing = [line for line in listing if not line.startswith("     ")]
    marks = [i for i, line in enumerate(listing) if line.startswith("====")]
    texts = [listing[i] for i in marks]
    assert texts[:5] == [
        f"==== ring 1 -> ring 0: {hypercall} ====",
        "==== ring 0 -> ring 1: iret ====",
        "==== ring 1 -> ring 3: iret ====",
        "==== ring 3 -> ring 1: system call, int $0x80 through the direct gate: no monitor ====",
        "==== ring 1 -> ring 3: iret ====",
    ], texts
    before_hypercall = listing[marks[0] - 1]
    assert before_hypercall.startswith("CPL1") and before_hypercall.endswith("int 0x82")
    in_monitor = listing[marks[0] + 1:marks[1]]
    assert in_monitor[0].split()[2] == "hypercall_entry"
    assert all(line.startswith("CPL0") for line in in_monitor)
    assert any("do_xen_version" in line for line in in_monitor), "the handler, through the table"
    assert in_monitor[-1].endswith("iret")
    syscall = listing[marks[3] + 1:marks[4]]
    assert syscall and all(line.startswith("CPL1") for line in syscall), "no ring 0 in a direct system call"
    assert listing[marks[3] - 1].startswith("CPL3") and listing[marks[3] - 1].endswith("int 0x80")


def test_annotates_a_recorded_trace():
    listing = annotate(os.path.join(SAMPLE, "tracedemo.raw"),
                       [os.path.join(SAMPLE, "hv.sym"), os.path.join(SAMPLE, "tracedemo.sym")])
    check_crossings(listing)
    assert listing[-2] == "instructions by ring: ring 0: 74, ring 1: 113, ring 3: 3"


def test_parse_reads_trace_lines_only():
    lines = [
        "(0) [0x00000024008c] e019:00000000c000108c (unk. ctxt): xor ebx, ebx              ; 31db\n",
        "(0).[5] [0x000000240150] e019:00000000c0001150 (unk. ctxt): cld                       ; fc\n",
        "Bochs is exiting with the following message:\n",
        "(0).[6] [0x00000010bc26] e008:00000000f710bc26 (unk. ctxt): push 0x00000000           ; 6a00\n",
    ]
    assert list(ta.parse(lines)) == [(5, 0xe019, 0xc0001150, "cld")]


def test_symbols_and_causes():
    symbols = ta.Symbols([os.path.join(SAMPLE, "tracedemo.sym")])
    first = symbols.addresses[0]
    assert symbols.name(first) == symbols.names[0]
    assert symbols.name(first + 5) == f"{symbols.names[0]}+0x5"
    assert symbols.name(0) == "?"
    assert ta.cause("int 0x82", 1, 0) == "hypercall (int $0x82)"
    assert ta.cause("sysenter", 3, 0) == "sysenter"
    assert ta.cause("iret", 0, 1) == "iret"
    assert ta.cause("mov eax, dword ptr ds:[0x10000000]", 1, 0) == "exception or interrupt"


def test_trace_demo_under_bochs():
    """make trace-demo is lesson 4's trace, recorded in detail: the hypercall is named by EAX."""
    proc = make("trace-demo", capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    with open(os.path.join(ROOT, "build", "lessons", "paravirt.txt")) as f:
        check_crossings(f.read().splitlines(), "hypercall (int $0x82): xen_version")


def test_causes_named_by_the_entry_stub_and_stretches_summarized():
    assert ta.cause("cld", 1, 0, "stub_46+0x2") == "interrupt, vector 46 (IRQ 14)"
    assert ta.cause("mov eax, dword ptr ds:[0x10000000]", 1, 0, "stub_14") == "#PF"
    assert ta.cause("rep outsw dx, word ptr ds:[esi]", 1, 0, "stub_13") == "#GP of port I/O, which the monitor emulates"
    listing = ["CPL1  c0000010  d:request+0x4  mov eax, 1", "CPL1  c0000020  d:event_send  int 0x82",
               "==== ring 1 -> ring 0: hypercall (int $0x82) ====", "CPL0  f7100000  hypercall_entry  push 0x0",
               "CPL0  f7100100  do_event_channel_op+0x3  ret", "CPL0  f7100004  hypercall_entry+0x4  iret"]
    assert ta.summarize(listing) == [
        "  CPL1       2  d:request, d:event_send",
        "==== ring 1 -> ring 0: hypercall (int $0x82) ====",
        "  CPL0       3  hypercall_entry, do_event_channel_op",
    ]


def test_trace_disk_follows_one_request_through_domain_0_under_bochs():
    """make trace-disk: examples/disk's blkfront_write of one sector, as Bochs ran it: the
    frontend's event, domain 0's blkback and ATA driver (its port I/O emulated, its `rep outsw`,
    the disk's interrupt as an event), the response's event, and the frontend again."""
    proc = make("trace-disk", capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    with open(os.path.join(ROOT, "build", "lessons", "disk-summary.txt")) as f:
        summary = f.read().splitlines()
    stretches = [line for line in summary if line.startswith("  CPL")]
    marks = [line for line in summary if line.startswith("====")]
    assert "d:blkfront_write" in stretches[0] and "d:request" in stretches[0] and "d:event_send" in stretches[0]
    assert marks[0] == "==== ring 1 -> ring 0: hypercall (int $0x82): event_channel_op ====", marks
    assert marks.count("==== ring 0 -> ring 1: iret to dom0:sdk_stub_256, with a bounce frame: an upcall (into dom0) ====") == 1, marks
    assert marks[-1] == "==== ring 0 -> ring 1: iret to d:sdk_stub_256, with a bounce frame: an upcall (into d) ====", marks
    assert "==== ring 1 -> ring 0: hypercall (int $0x82): grant_table_op ====" in marks, marks
    assert marks.count("==== ring 1 -> ring 0: #GP of port I/O, which the monitor emulates ====") >= 8, marks
    assert "==== ring 1 -> ring 0: interrupt, vector 46 (IRQ 14) ====" in marks, marks
    dom0 = " ".join(line for line in stretches if "dom0:" in line)
    for step in ("dom0:serve_ring", "dom0:ata_write", "dom0:await_interrupt"):
        assert step in dom0, step
    monitor = " ".join(line for line in stretches if line.startswith("  CPL0"))
    for step in ("do_grant_table_op", "emulate_privileged", "pirq_interrupt", "do_physdev_op", "vcpu_block"):
        assert step in monitor, step
    assert "d:event_upcall" in stretches[-1]
    with open(os.path.join(ROOT, "build", "lessons", "disk.txt")) as f:
        listing = f.read()
    assert re.search(r"^CPL1  \w+  dom0:\S+\s+rep outsw", listing, re.M), "the sector in one string instruction"


def test_profile_counts_each_functions_instructions_by_ring():
    """--profile: where the recorded trace's 190 instructions went, the most first, ring by ring."""
    listing = annotate(os.path.join(SAMPLE, "tracedemo.raw"),
                       [os.path.join(SAMPLE, "hv.sym"), os.path.join(SAMPLE, "tracedemo.sym")])
    assert ta.profile(listing, 5) == [
        "instructions by ring: CPL0: 74, CPL1: 113, CPL3: 3",
        "  CPL1        37  sdk_dispatch",
        "  CPL0        31  hypercall_dispatch",
        "  CPL0        15  do_xen_version",
        "  CPL1        13  main",
        "  CPL0        13  hypercall_entry"]
