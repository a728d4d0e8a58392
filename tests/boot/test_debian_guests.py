"""Guests nobody here wrote: Debian's GRUB 2 for Xen and GNU Mach for Xen (gnumach-image-1.8-xen-486, fetched by
tools/debian-guests from the machine's own package archive, with upstream's fix for its write to
its own page directory) runs as a domU beside domain 0's store, given examples/mach-task as its
bootstrap task through Mach's boot script, as `make run-gnumach` runs it: the task prints from
ring 3 through Mach, and domain 0 ends Mach (docs/GUESTS.md)."""
import os
import shutil
import subprocess

import pytest

from conftest import HVRUN, ROOT, boot

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


@pytest.mark.parametrize("machine", ["qemu", "bochs"])
def test_gnu_mach_finds_its_virtual_disk(tmp_path, machine):
    """With a disk attached by domain 0 before it runs (as xl create does for disk = [...]),
    Mach's xen/block.c connects over blkif and prints its VBD line: the size (MiB) the backend
    said, writable. Bochs takes no typing: domain 0's run= says the same."""
    image = tmp_path / "mach.img"
    image.write_bytes(bytes(33 * 16 * 63 * 512))             # 33264 sectors: 16 MiB and a bit
    run = boot("build/examples/dom0.elf=run=block-attach 1 0 xvda; unpause 1; wait 1 3; block-list; destroy 1; quit",
               f"{MACH}=name=mach mem=64M modules=multiboot paused", f"{TASK}=attach $(task-create) $(task-resume)",
               disks=[str(image)], timeout=120, bochs=machine == "bochs")
    assert "mach: xvd0: dom0's VBD 51712 (disk0,w) 16MB" in run.console, run.console[-3000:]
    assert "mach: hd: No block device" not in run.console
    assert "mach-task: hello from ring 3" in run.console, "and Mach goes on to its task"
    assert "dom0:   domain 1 vbd 51712: disk 0, 33264 sectors, connected" in run.console
    assert run.status == 0


GRUB = os.path.join("build", "examples", "grub.elf")

# GRUB 2 for Xen (Debian's grub-xen-bin, made a PV kernel by examples/grub), as `make run-grub`.
GRUB_MILESTONES = [
    "grub: .[30m.[47mWelcome to GRUB!",                     # booted from its PT_NOTE (tolerant)
    "40mgrub: i386-xen (pvgrub2); its store entries:",     # its echo, after the terminal codes
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


PVGRUB = os.path.join(ROOT, "build", "examples", "pvgrub.elf")
PVGRUB_DISK = os.path.join(ROOT, "build", "examples", "pvgrub-disk.img")
PVGRUB_MILESTONES = [
    "pvgrub: (xen/xvda) (xen/xvda,msdos1)",                       # its disk, and the partition on it
    "pvgrub: pvgrub: /boot/grub/grub.cfg is on (xen/xvda,msdos1)",  # search read the ext2 filesystem
    "Booting `examples/disk, from this domain's own disk'",        # the menu from the disk
    "pvgrub: pvgrub: read from an ext2 filesystem made on the host, on partition 1 of xvda",   # cat
    "pvgrub: pvgrub: loading (xen/xvda,msdos1)/boot/disk.elf into this domain",
    "pvgrub: disk: xvda, 9072 sectors",                            # the kernel from the disk, reconnected
]


@pytest.mark.parametrize("machine", ["qemu", "bochs"])
def test_pvgrub_boots_a_kernel_from_the_domains_own_disk(tmp_path, machine):
    """The pvgrub workflow, by a domain configuration file as xl runs it: GRUB for Xen lists the
    disk, finds /boot/grub/grub.cfg on the ext2 partition (mke2fs, sfdisk on the host), reads a
    file, loads examples/disk from the disk into its own domain and hands the disk over (its
    frontend Closed, then Initialising; the backend waits again); the kernel reconnects and counts
    on sector 1, so two boots show 1 and 2, and the partition table is untouched."""
    image = tmp_path / "pvgrub.img"
    shutil.copy(PVGRUB_DISK, image)
    table = image.read_bytes()[446:512]
    cfg = tmp_path / "pvgrub.cfg"
    cfg.write_text(f'name = "pvgrub"\nkernel = "{PVGRUB}"\nmemory = 32\n'
                   f"disk = [ 'format=raw, vdev=xvda, access=rw, target={image}' ]\n")
    for expected in (1, 2):
        cmd = [HVRUN, "--timeout", "150"] + (["--bochs"] if machine == "bochs" else []) + [str(cfg)]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=400)
        out = proc.stdout.replace("\r", "")
        assert_in_order(out, PVGRUB_MILESTONES + [f"pvgrub: counter: {expected}"])
        assert "hvrun: pvgrub: exit status 0" in proc.stderr and proc.returncode == 0, proc.stderr
    data = image.read_bytes()
    assert data[512:514] == b"2\0", "the counter on sector 1"
    assert data[446:512] == table, "the partition table as sfdisk wrote it"
