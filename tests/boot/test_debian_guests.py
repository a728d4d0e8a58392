"""Guests nobody here wrote: Debian's GRUB 2 for Xen and GNU Mach for Xen (gnumach-image-1.8-xen-486, fetched by
tools/debian-guests from the machine's own package archive, with upstream's fix for its write to
its own page directory) runs as a domU beside domain 0's store, given examples/mach-task as its
bootstrap task through Mach's boot script, as `make run-gnumach` runs it: the task prints from
ring 3 through Mach, and domain 0 ends Mach (docs/GUESTS.md)."""
import os

from conftest import ROOT, boot

MACH = os.path.join("build", "debian", "gnumach.elf")
TASK = os.path.join("build", "examples", "mach-task.elf")


def assert_in_order(console, lines):
    """Every line is there, each after the one before."""
    at = -1
    for line in lines:
        assert line in console, f"missing: {line}\n{console[-3000:]}"
        assert console.index(line) > at, f"out of order: {line}"
        at = console.index(line)

# What GNU Mach prints on its way, in order: each line is a step of Xen's ABI it got through.
MACH_MILESTONES = [
    "mach: GNU Mach 1.8+git20221224-xen-486",             # the legacy __xen_guest string, booted
    "mach: Running on xen-3.0-x86_32p.",                  # start_info, its console ring drained
    "mach: biosmem: 000000000000000000:000000000004000000, available",   # memory_op's map
    "mach: vm_page: DIRECTMAP: min:614 low:737 high:1228",  # pages given back (guest_remove_page)
    "mach: hd: No block device (ENOENT). Hoping you don't need any",     # the store, read
    "mach: module 0: " + TASK + " $(task-create) $(task-resume)",      # the multiboot package
    "mach: task loaded: " + TASK,
    "mach-task: hello from ring 3, through GNU Mach in ring 1, on hv in ring 0",   # Mach's call gate
    "mach: mach-task: now ending this task",
]


def test_gnu_mach_boots_as_a_domu_to_its_bootstrap_task():
    assert os.path.exists(os.path.join(ROOT, MACH)), "make debian-guests fetches it (make test does)"
    run = boot("build/examples/dom0.elf", f"{MACH}=name=mach mem=64M modules=multiboot",
               f"{TASK}=attach $(task-create) $(task-resume)", typed="wait 1 3\ndestroy 1\nquit\n", timeout=120)
    assert_in_order(run.console, MACH_MILESTONES)
    assert "dom0: store: domain 1 (mach) connected" in run.console
    assert "hv: domain 1 (mach)" not in run.console.split(MACH_MILESTONES[-1])[1].split("dom0: destroyed")[0], \
        "Mach stays up after its task ends, until domain 0 destroys it"
    assert "MONITOR FAULT" not in run.console and "PANIC" not in run.console
    assert "hv: domain 0 (dom0) shut down: poweroff" in run.console
    assert run.status == 0, run.console[-3000:]


GRUB = os.path.join("build", "examples", "grub.elf")

# GRUB 2 for Xen (Debian's grub-xen-bin, made a PV kernel by examples/grub), as `make run-grub`.
GRUB_MILESTONES = [
    "grub: .[30m.[47mWelcome to GRUB!",                     # booted from its PT_NOTE (tolerant)
    "grub: grub: i386-xen (pvgrub2); its store entries:",
    "grub: name",                                           # xen_ls: the store, read
    "Booting `hello, an example kernel of hv, from the memdisk'",
    "grub: grub: loading (memdisk)/hello.elf into this domain",
    "grub: Hello from ring 1",                              # GRUB's linux loader ran our kernel
    "grub: domain name: hello-from-grub",
    "hv: domain 1 (grub) shut down: poweroff",
]


def test_grub_for_xen_boots_an_example_kernel_from_its_memdisk():
    run = boot("build/examples/dom0.elf", f"{GRUB}=name=grub mem=32M", typed="wait 1 15\nquit\n", timeout=120)
    assert_in_order(run.console, GRUB_MILESTONES)
    assert "hv: 2 domain(s) ran, 2 ended cleanly" in run.console
    assert run.status == 0


def test_a_person_types_at_grubs_prompt_through_domain0():
    """Domain 0's `console 1` types into GRUB's console ring: `c` for its command line, a command,
    then `halt`, which ends the domain."""
    typed = "wait 1 1\nconsole 1\ncecho typed into grub\nhalt\n\x1dquit\n"
    run = boot("build/examples/dom0.elf", f"{GRUB}=name=grub mem=32M", typed=typed, timeout=120)
    assert "grub: typed into grub" in run.console, run.console[-3000:]
    assert "hv: domain 1 (grub) shut down: poweroff" in run.console
    assert "Hello from ring 1" not in run.console, "the menu was stopped before it booted"
    assert run.status == 0
