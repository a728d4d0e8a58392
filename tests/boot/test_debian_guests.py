"""Guests nobody here wrote: Debian's GNU Mach for Xen (gnumach-image-1.8-xen-486, fetched by
tools/debian-guests from the machine's own package archive, with upstream's fix for its write to
its own page directory) runs as a domU beside domain 0's store, given examples/mach-task as its
bootstrap task through Mach's boot script, as `make run-gnumach` runs it: the task prints from
ring 3 through Mach, and domain 0 ends Mach (docs/GUESTS.md)."""
import os

from conftest import ROOT, boot

MACH = os.path.join("build", "debian", "gnumach.elf")
TASK = os.path.join("build", "examples", "mach-task.elf")

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
    at = -1
    for line in MACH_MILESTONES:
        assert line in run.console, f"missing: {line}\n{run.console[-3000:]}"
        assert run.console.index(line) > at, f"out of order: {line}"
        at = run.console.index(line)
    assert "dom0: store: domain 1 (mach) connected" in run.console
    assert "hv: domain 1 (mach)" not in run.console.split(MACH_MILESTONES[-1])[1].split("dom0: destroyed")[0], \
        "Mach stays up after its task ends, until domain 0 destroys it"
    assert "MONITOR FAULT" not in run.console and "PANIC" not in run.console
    assert "hv: domain 0 (dom0) shut down: poweroff" in run.console
    assert run.status == 0, run.console[-3000:]
