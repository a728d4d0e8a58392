"""The monitor boots by Multiboot, reports what it found, and powers off with a status."""
import re
import subprocess

import pytest

from conftest import ROOT, boot, make

FAULTS = {
    # option value: (exception line, symbol of the faulting function)
    "pf": ("#PF page fault (vector 14)", "fault_page"),
    "ud": ("#UD invalid opcode (vector 6)", "fault_invalid_opcode"),
    "de": ("#DE divide error (vector 0)", "fault_divide"),
    "gp": ("#GP general protection (vector 13)", "fault_protection"),
}


def test_image_is_a_32bit_multiboot_elf_linked_high():
    hv = f"{ROOT}/build/hv.elf"
    assert subprocess.run(["grub-file", "--is-x86-multiboot", hv]).returncode == 0
    header = subprocess.run(["readelf", "-h", hv], capture_output=True, text=True).stdout
    assert re.search(r"Class:\s+ELF32", header)
    symbols = subprocess.run(["nm", hv], capture_output=True, text=True).stdout
    hv_main = int(re.search(r"^([0-9a-f]+) T hv_main$", symbols, re.M).group(1), 16)
    assert hv_main >= 0xF5800000, "the monitor's code must live in the hypervisor area"


def test_boots_alone_and_powers_off_cleanly():
    """No guest images: the monitor says so and powers off with status 0."""
    run = boot()
    assert run.status == 0, run.stderr
    assert "hv: hv 0.1: a paravirtualizing monitor" in run.console
    assert "no guest images given" in run.console
    assert "paging: PAE on, monitor at 0xf71" in run.console
    assert "timer: PIT at 100 Hz, ticking" in run.console
    assert run.lines()[-1].startswith("hv: power-off status=0")


def test_prints_the_memory_map_and_free_frames():
    run = boot()
    assert run.status == 0, run.console
    ranges = re.findall(r"^hv:   ([0-9a-f]{16})-([0-9a-f]{16}) available$", run.console, re.M)
    assert len(ranges) >= 2, run.console
    free = int(re.search(r"frames: (\d+) free", run.console).group(1))
    # QEMU's 128 MiB, less the first MiB, the image and reserved ranges.
    assert 30000 < free < 32768


def test_lists_modules_with_their_command_lines(data_file):
    """Every module is listed with its own command line (QEMU put the file name first)."""
    run = boot(data_file("notes.txt") + "=mem=4M name=first", "Makefile")
    assert re.search(r'module 0: \S*notes.txt at [0-9a-f]{8}-[0-9a-f]{8} \(\d+ bytes\), '
                     r'command line "mem=4M name=first"', run.console), run.console
    assert re.search(r'module 1: \S*Makefile at .* command line ""', run.console)
    # Neither is a guest kernel: both are refused, so the run cannot end cleanly.
    assert run.status == 1


def test_a_comma_in_a_module_command_line_survives(data_file):
    run = boot(data_file("notes.txt") + "=list=a,b,c")
    assert 'command line "list=a,b,c"' in run.console, run.console
    assert run.status == 1, "a text file is refused as a guest kernel"


def test_monitor_command_line_and_loglvl():
    run = boot(hv_args="loglvl=error")
    assert run.status == 0
    assert "paravirtualizing monitor" not in run.console     # info lines are hidden
    assert run.lines() == ["hv: power-off status=0 (nothing left to run)"]


@pytest.mark.parametrize("kind", sorted(FAULTS))
def test_monitor_fault_dumps_registers_and_backtrace(kind):
    exception, function = FAULTS[kind]
    run = boot(hv_args=f"selftest-fault={kind}")
    assert run.status == 3, "a monitor fault powers off with status 3"
    assert f"*** MONITOR FAULT: {exception}" in run.console, run.console
    assert re.search(rf"eip f71[0-9a-f]{{5}} <{function}\+0x[0-9a-f]+>", run.console)
    for register in ("eax", "ebx", "esi", "ebp", "esp", "cr0", "cr2", "cr3", "cr4"):
        assert re.search(rf"\b{register} [0-9a-f]{{8}}\b", run.console), register
    trace = run.console.split("backtrace:")[1]
    assert re.search(rf"\] {function}\+0x", trace) and re.search(r"\] hv_main\+0x", trace)
    assert run.lines()[-1] == "hv: power-off status=3 (monitor fault)"


def test_page_fault_reports_the_faulting_address():
    run = boot(hv_args="selftest-fault=pf")
    assert "cr2 dead0000" in run.console, run.console
    assert run.status == 3


def test_panic_prints_a_backtrace():
    run = boot(hv_args="selftest-fault=panic")
    assert run.status == 3
    assert "PANIC: selftest-fault=panic: deliberate panic" in run.console
    assert re.search(r"\] selftest_fault\+0x[0-9a-f]+\n.*\] hv_main\+0x", run.console)


def test_runner_times_out_a_hung_machine():
    run = boot(hv_args="selftest-hang", timeout=5)
    assert run.status == 124
    assert "timeout" in run.stderr


def test_runner_refuses_a_missing_image():
    run = boot("no/such/guest.elf")
    assert run.status == 2
    assert "no/such/guest.elf" in run.stderr


def test_boots_under_bochs():
    """The same monitor and guest under Bochs, from a GRUB ISO: GRUB's command lines agree."""
    run = boot("build/examples/hello.elf=name=hello under bochs", bochs=True, timeout=120)
    assert run.status == 0, run.stderr + run.console
    assert "memory map (GRUB" in run.console
    assert re.search(r'module 0: build/examples/hello.elf .* command line "name=hello under bochs"',
                     run.console), run.console
    assert "hello: Hello from ring 1" in run.console
    assert run.lines()[-1].startswith("hv: power-off status=0")


def test_make_iso_builds_a_grub_rescue_image():
    proc = make("iso", capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with open(f"{ROOT}/build/hv.iso", "rb") as f:
        assert f.read(0x8006)[0x8001:0x8006] == b"CD001", "an ISO 9660 image"


def test_bochs_debugger_starts_at_the_guests_first_instruction_with_symbols():
    """make bochs-debug: Bochs's debugger, symbols loaded, a breakpoint at the guest's entry."""
    proc = subprocess.run([f"{ROOT}/tools/hvrun", "--bochs", "--debug", "build/examples/hello.elf"],
                          cwd=ROOT, input="quit\n", capture_output=True, text=True, timeout=120)
    assert re.search(r"e019:0+c000[0-9a-f]{4} \(_start\+0\): cld", proc.stdout + proc.stderr), proc.stdout[-2000:]
