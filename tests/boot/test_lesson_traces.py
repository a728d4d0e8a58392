"""make lesson NAME (tools/lesson, docs/LESSONS.md): each lesson's guest under Bochs, its trace
recorded in detail and annotated, and its timeline picture. Each test runs one lesson into a
directory of its own and checks what the lesson says the student will see: the crossings in
order and why each happened, the registers and frames at them, the monitor's functions and
files, and a picture with a lane per ring and a numbered label per crossing."""
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, make

SVG = "{http://www.w3.org/2000/svg}"


class Lesson:
    def __init__(self, out, name):
        def read(suffix):
            with open(os.path.join(out, name + suffix)) as f:
                return f.read()
        self.listing, self.summary, self.svg = read(".txt"), read("-summary.txt"), ET.fromstring(read(".svg"))
        self.lines = self.listing.splitlines()
        self.crossings = [line for line in self.lines if line.startswith("====") or line.startswith("----")]

    def after(self, crossing, what):
        """The detail line `what: ...` under the first crossing that starts with `crossing`."""
        i = next(k for k, line in enumerate(self.lines) if line.startswith(crossing))
        for line in self.lines[i + 1:]:
            if not line.startswith("     "):
                break
            if line.startswith(f"     {what}"):
                return line[5 + len(what):].lstrip(": ")
        raise AssertionError(f"no '{what}' under {crossing}")

    def stretch(self, crossing):
        """The instructions (CPL lines) right after a crossing, up to the next."""
        i = next(k for k, line in enumerate(self.lines) if line.startswith(crossing))
        out = []
        for line in self.lines[i + 1:]:
            if line.startswith("====") or line.startswith("----") or not line.strip():
                break
            if line.startswith("CPL"):
                out.append(line)
        return out


def run_lesson(tmp_path, name):
    proc = subprocess.run([os.path.join(ROOT, "tools", "lesson"), "--out", str(tmp_path), name],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.splitlines()[-1] == f"the picture: {tmp_path}/{name}.svg"
    return Lesson(str(tmp_path), name)


def check_picture(lesson, panels=1):
    """Rings 3, 1 and 0 as lanes in each panel, and one numbered circle and one legend line per
    crossing, in the listing's order and words."""
    texts = [t.text or "" for t in lesson.svg.iter(SVG + "text")]
    assert texts.count("ring 3") == texts.count("ring 1") == texts.count("ring 0") == panels
    assert [t for t in texts if t in ("applications", "guest kernel", "the monitor")] == \
        ["applications", "guest kernel", "the monitor"] * panels
    legend = [t.text for t in lesson.svg.iter(SVG + "text") if t.get("class") == "legend"]
    marks = [re.sub(r"^(====|----) (.*) (====|----)$", r"\2", line) for line in lesson.crossings]
    expected = [re.sub(r"^ring (\d) -> ring (\d): ", "ring \\1 \u2192 ring \\2: ", m) for m in marks]
    expected = [re.sub(r"^(.*), taken in ring (\d): no crossing$", r"in ring \2: \1, taken in ring \2", m) for m in expected]
    assert [re.sub(r"^\d+\. ", "", t) for t in legend] == expected
    numbers = [t.text for t in lesson.svg.iter(SVG + "text") if t.get("class") == "number"]
    assert len(numbers) == len(marks)
    assert len([c for c in lesson.svg.iter(SVG + "circle")]) == len(marks)


GP_BOUNCED = ["==== ring 1 -> ring 0: #GP ====",
              "==== ring 0 -> ring 1: iret to sdk_stub_13, with a bounce frame: the #GP bounced ====",
              "==== ring 1 -> ring 0: hypercall (int $0x82): iret ====",
              "==== ring 0 -> ring 1: iret ===="]


def test_lesson_1_sgdt_runs_unseen_and_a_far_ret_to_ring_0_traps(tmp_path):
    lesson = run_lesson(tmp_path, "sensitive")
    sgdt, ret = lesson.listing.split("#### ")[1:]
    assert sgdt.startswith("sgdt: ") and ret.startswith("lret ")
    assert "====" not in sgdt and re.search(r"^instructions by ring: ring 1: \d+$", sgdt, re.M), \
        "sgdt: no crossing, no instruction in ring 0"
    assert re.search(r"^CPL1  \w+  run_sgdt\+0x\w+ +sgdt ", sgdt, re.M)
    assert [line for line in ret.splitlines() if line.startswith("====")] == GP_BOUNCED
    assert "error=0000e018" in ret and re.search(r"^CPL1  \w+  run_ret\+0x\w+ +retf", ret, re.M)
    check_picture(lesson, panels=2)


def critical_section(lesson):
    """The traced steps 4-6: pushf, then cli (the one crossing), then popf, all in ring 1."""
    assert lesson.crossings == GP_BOUNCED
    first = lesson.lines.index(GP_BOUNCED[0])
    assert re.fullmatch(r"CPL1  \w+  kernel_main\+0x\w+ +cli", lesson.lines[first - 1])
    assert "error=00000000" in lesson.after(GP_BOUNCED[0], "the CPU pushed")
    assert "layer_trap" in " ".join(lesson.stretch(GP_BOUNCED[1])), "the layer emulates it"
    check_picture(lesson)


def test_lesson_2_under_trap_and_emulate_only_cli_traps(tmp_path):
    lesson = run_lesson(tmp_path, "trap")
    critical_section(lesson)
    kernel = [line for line in lesson.lines if re.match(r"CPL1  \w+  kernel_main\+", line)]
    assert any(line.endswith(" pushf") for line in kernel) and any(line.endswith(" popf") for line in kernel), \
        "the kernel's own pushf and popf ran in ring 1, unseen"
    assert "layer_popf" not in lesson.listing and "layer_pushf" not in lesson.listing


def test_lesson_3_rewritten_pushf_and_popf_are_calls_and_cli_still_traps(tmp_path):
    lesson = run_lesson(tmp_path, "rewrite")
    critical_section(lesson)
    kernel = [line for line in lesson.lines if re.match(r"CPL1  \w+  kernel_main\+", line)]
    assert not any(line.endswith(" pushf") or line.endswith(" popf") for line in kernel), "rewritten away"
    for called in ("rewrite_pushf", "layer_pushf", "rewrite_popf", "layer_popf"):
        assert re.search(rf"^CPL1  \w+  {called} ", lesson.listing, re.M), called


def test_lesson_4_a_hypercall_through_the_monitor_and_a_system_call_past_it(tmp_path):
    lesson = run_lesson(tmp_path, "paravirt")
    assert lesson.crossings == [
        "==== ring 1 -> ring 0: hypercall (int $0x82): xen_version ====",
        "==== ring 0 -> ring 1: iret ====",
        "==== ring 1 -> ring 3: iret ====",
        "==== ring 3 -> ring 1: system call, int $0x80 through the direct gate: no monitor ====",
        "==== ring 1 -> ring 3: iret ===="]
    hypercall = lesson.crossings[0]
    assert "eax=00000011" in lesson.after(hypercall, "registers before")          # 17: xen_version
    assert re.fullmatch(r"at f[0-9a-f]{7}: eip=c[0-9a-f]{7} cs=0000e019 eflags=[0-9a-f]{8} "
                        r"esp=c[0-9a-f]{7} ss=0000e021", lesson.after(hypercall, "the CPU pushed"))
    assert lesson.after("==== ring 0 -> ring 1: iret", "the monitor ran").startswith(
        "hypercall_entry (hv/entry.asm) -> do_xen_version (hv/version.c) -> ")
    returned = lesson.after("==== ring 0 -> ring 1: iret", "registers after (changed)")
    assert re.search(r"eax=00040002\b", lesson.after("==== ring 0 -> ring 1: iret", "registers before")), \
        "xen_version answers 4.2 (XENVER_version: major << 16 | minor) in EAX"
    assert returned.startswith("esp=c")
    syscall = lesson.stretch(lesson.crossings[3])
    assert syscall and all(line.startswith("CPL1") for line in syscall), "no ring 0 in a direct system call"
    check_picture(lesson)


def test_lesson_5_a_read_beyond_the_segment_limit_is_a_gp_the_monitor_bounces(tmp_path):
    lesson = run_lesson(tmp_path, "ringcomp")
    assert lesson.crossings == [
        "==== ring 1 -> ring 0: #GP ====",
        "==== ring 0 -> ring 1: iret to sdk_stub_13, with a bounce frame: the #GP bounced ====",
        "==== ring 1 -> ring 0: hypercall (int $0x82): iret ====",
        "==== ring 0 -> ring 1: iret ===="]
    assert "ebx=f7100000" in lesson.after(lesson.crossings[0], "registers before"), "the address it read"
    pushed = lesson.after(lesson.crossings[0], "the CPU pushed")
    m = re.fullmatch(r"at f[0-9a-f]{7}: error=00000000 eip=(c[0-9a-f]{7}) cs=0000e019 eflags=[0-9a-f]{8} "
                     r"esp=c[0-9a-f]{7} ss=0000e021", pushed)
    assert m, pushed
    faulting = m.group(1)
    assert lesson.lines[lesson.lines.index(lesson.crossings[0]) - 1].split()[1] == faulting
    bounce = lesson.after(lesson.crossings[1], "the monitor wrote on ring 1's stack")
    assert re.fullmatch(rf"at c[0-9a-f]{{7}}: error=00000000 eip={faulting} cs=00[0-9a-f]{{2}}e019 eflags=[0-9a-f]{{8}}",
                        bounce), "Xen's bounce frame: the error code, then the faulting eip, cs and eflags"
    ran = lesson.after(lesson.crossings[1], "the monitor ran")
    for step in ("stub_13, trap_common (hv/entry.asm)", "trap_dispatch (hv/traps.c)", "bounce_exception",
                 "(hv/trap_bounce.c)", "exit_iret (hv/entry.asm)"):
        assert step in ran, step
    assert "on_fault" in " ".join(lesson.stretch(lesson.crossings[1]))
    check_picture(lesson)


def test_lesson_6_the_bounced_system_call_goes_through_the_monitor_and_the_direct_one_does_not(tmp_path):
    lesson = run_lesson(tmp_path, "syscalls")
    assert lesson.crossings == [
        "==== ring 1 -> ring 0: hypercall (int $0x82): xen_version ====", "==== ring 0 -> ring 1: iret ====",
        "==== ring 1 -> ring 3: iret ====",
        "==== ring 3 -> ring 1: system call, int $0x80 through the direct gate: no monitor ====",
        "==== ring 1 -> ring 3: iret ====",
        "==== ring 1 -> ring 0: hypercall (int $0x82): xen_version ====", "==== ring 0 -> ring 1: iret ====",
        "==== ring 1 -> ring 3: iret ====",
        "==== ring 3 -> ring 0: system call, int $0x80, a #GP: the IDT's gate 0x80 is not open to ring 3 ====",
        "==== ring 0 -> ring 1: iret to sdk_stub_128, with a bounce frame: the int $0x80 bounced ====",
        "==== ring 1 -> ring 0: hypercall (int $0x82): iret ====",
        "==== ring 0 -> ring 3: iret ===="]
    assert "error=00000402" in lesson.after(lesson.crossings[8], "the CPU pushed"), \
        "#GP's error code names IDT entry 0x80: 0x80 << 3 | 2"
    bounce = lesson.after(lesson.crossings[9], "the monitor wrote on ring 1's stack")
    assert re.fullmatch(r"at c[0-9a-f]{7}: eip=c[0-9a-f]{7} cs=0000e02b eflags=[0-9a-f]{8} esp=c[0-9a-f]{7} ss=0000e033",
                        bounce), "from ring 3: eip, cs, eflags, esp and ss, no error code"
    counts = re.findall(r"^instructions by ring: ring 0: (\d+), ring 1: (\d+), ring 3: (\d+)$", lesson.listing, re.M)
    assert len(counts) == 2
    direct, bounced = int(counts[0][0]), int(counts[1][0])
    assert bounced > direct + 200, counts          # the bounce and the iret hypercall, in ring 0
    assert lesson.listing.count("#### ") == 2
    check_picture(lesson, panels=2)


def test_lesson_7_a_store_to_a_page_table_is_a_bounced_pf_and_mmu_update_is_validated(tmp_path):
    lesson = run_lesson(tmp_path, "paging")
    assert lesson.crossings == [
        "==== ring 1 -> ring 0: #PF ====",
        "==== ring 0 -> ring 1: iret to sdk_stub_14, with a bounce frame: the #PF bounced ====",
        "==== ring 1 -> ring 0: hypercall (int $0x82): iret ====", "==== ring 0 -> ring 1: iret ====",
        "==== ring 1 -> ring 0: hypercall (int $0x82): mmu_update ====", "==== ring 0 -> ring 1: iret ===="]
    pushed = lesson.after(lesson.crossings[0], "the CPU pushed")
    assert "error=00000003" in pushed, "present, write: the page table is mapped read-only"
    eip = re.search(r"eip=(\w+)", pushed).group(1)
    assert f"error=00000003 eip={eip}" in lesson.after(lesson.crossings[1], "the monitor wrote on ring 1's stack")
    assert "on_fault" in " ".join(lesson.stretch(lesson.crossings[1]))
    update = lesson.listing.split("#### ")[2]
    lesson.lines = update.splitlines()
    assert "eax=00000001" in lesson.after(lesson.crossings[4], "registers before")     # 1: mmu_update
    ran = lesson.after(lesson.crossings[5], "the monitor ran")
    for step in ("do_mmu_update, run_batch (hv/mm.c)", "copy_from_guest (hv/guest_access.c)",
                 "mod_table_entry (hv/page_types.c)", "get_page_type", "put_page_type"):
        assert step in ran, step
    assert re.search(r"eax=00000000\b", lesson.after(lesson.crossings[5], "registers before")), "it answered 0"
    check_picture(lesson, panels=2)


def test_lesson_8_a_timer_event_wakes_the_blocked_guest_by_an_upcall(tmp_path):
    lesson = run_lesson(tmp_path, "events")
    downs = [c for c in lesson.crossings if c.startswith("====")]
    assert downs == [
        "==== ring 1 -> ring 0: hypercall (int $0x82): set_timer_op ====", "==== ring 0 -> ring 1: iret ====",
        "==== ring 1 -> ring 0: hypercall (int $0x82): sched_op ====",
        "==== ring 0 -> ring 1: iret to sdk_stub_256, with a bounce frame: an upcall ===="]
    within = [c for c in lesson.crossings if c.startswith("----")]
    assert within and set(within) == {"---- interrupt, vector 32 (IRQ 0), taken in ring 0: no crossing ----"}
    ran = lesson.after(downs[3], "the monitor ran")
    for step in ("vcpu_block", "halt_until_interrupt (hv/clock.c)", "timer_irq (hv/timer.c)",
                 "send_virq_vcpu, evtchn_set_pending (hv/event_channel.c)", "deliver_pending_upcall"):
        assert step in ran, step
    upcall = " ".join(lesson.stretch(downs[3]))
    for step in ("sdk_stub_256", "event_upcall", "events_dispatch", "on_timer"):
        assert step in upcall, step
    check_picture(lesson)


def test_make_lesson_lists_the_lessons_and_runs_one_by_name():
    listed = make("lesson", capture_output=True, text=True, timeout=300)
    assert listed.returncode == 0, listed.stderr[-2000:]
    assert re.findall(r"^  (\w+) +lesson (\d+):", listed.stdout, re.M) == [
        ("sensitive", "1"), ("trap", "2"), ("rewrite", "3"), ("paravirt", "4"), ("ringcomp", "5"), ("syscalls", "6"),
        ("paging", "7"), ("events", "8"), ("disk", "9"), ("dom0", "10")]
    proc = make("lesson", "ringcomp", capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert proc.stdout.splitlines()[-3:] == ["the whole listing: build/lessons/ringcomp.txt",
                                             "the summary: build/lessons/ringcomp-summary.txt",
                                             "the picture: build/lessons/ringcomp.svg"]
    check_picture(Lesson(os.path.join(ROOT, "build", "lessons"), "ringcomp"))
    unknown = make("lesson", "nosuchlesson", capture_output=True, text=True, timeout=300)
    assert unknown.returncode != 0 and "NAME one of:" in unknown.stdout


def test_lesson_10_domain_0s_decision_is_one_domctl(tmp_path):
    lesson = run_lesson(tmp_path, "dom0")
    assert lesson.crossings == ["==== ring 1 -> ring 0: hypercall (int $0x82): domctl ====",
                                "==== ring 0 -> ring 1: iret ===="]
    assert "eax=00000024" in lesson.after(lesson.crossings[0], "registers before")      # 36: domctl
    assert lesson.after(lesson.crossings[1], "the monitor ran").startswith(
        "hypercall_entry (hv/entry.asm) -> do_domctl (hv/domctl.c) -> copy_from_guest (hv/guest_access.c)")
    assert all(":" in line.split()[2] and line.split()[2].startswith("dom0:")
               for line in lesson.lines if line.startswith("CPL1")), "only domain 0 ran in ring 1"
    check_picture(lesson)
