"""Domain 0 drives the machine's disks (examples/dom0/ata.c, issue 18's first slice): raw images
attached with hvrun --disk, read and written by ATA PIO through the ports the monitor lets domain
0 reach, under QEMU and Bochs; what it writes reaches the host's file. The monitor keeps its own
ports (PIC, PIT, serial, power-off, CMOS) from domain 0, and every port from a domU
(tests/guests/ports.c)."""
import os
import re
import subprocess

import pytest

from conftest import HVRUN, ROOT, boot, checks, free_frames, guest

DOM0 = "build/examples/dom0.elf"
CYLINDER = 16 * 63 * 512                        # Bochs sees whole cylinders of 16 heads, 63 sectors


def disk_image(path, cylinders, sectors):
    """A raw image of whole cylinders, with text at the given sectors ({lba: text})."""
    with open(path, "wb") as f:
        f.write(bytes(cylinders * CYLINDER))
        for lba, text in sectors.items():
            f.seek(lba * 512)
            f.write(text.encode())
    return str(path)


def sector_text(path, lba):
    with open(path, "rb") as f:
        f.seek(lba * 512)
        return f.read(512).split(b"\0")[0].decode()


def run_dom0(disks, commands, bochs=False):
    """Domain 0 alone, with the disks, running the commands (from its command line: Bochs's
    serial line takes no typing)."""
    cmd = [HVRUN, "--timeout", "120"] + (["--bochs"] if bochs else [])
    for d in disks:
        cmd += ["--disk", d]
    cmd.append(f"{DOM0}=run={'; '.join(commands)}; quit")
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=240)
    return proc.returncode, proc.stdout.replace("\r", "")


@pytest.mark.parametrize("machine", ["qemu", "bochs"])
def test_domain0_reads_and_writes_a_disk_and_the_host_file_changes(tmp_path, machine):
    image = disk_image(tmp_path / "disk.img", 4, {3: "hello from sector three"})
    status, out = run_dom0([image], ["disks", "disk-read 0 3", "disk-write 0 9 written by dom0", "disk-read 0 9",
                                     "disks"], bochs=machine == "bochs")
    assert status == 0, out
    assert "dom0: disk 0: " in out and ", 4032 sectors (2016 KiB)" in out, out
    assert 'dom0: disk 0 sector 3: "hello from sector three"' in out
    assert "dom0: wrote disk 0 sector 9" in out
    assert 'dom0: disk 0 sector 9: "written by dom0"' in out
    assert sector_text(image, 9) == "written by dom0", "the write reached the host's file"
    assert sector_text(image, 3) == "hello from sector three"
    assert re.search(r"dom0: disk 0: .*, 4 interrupts$", out, re.M), "read, write, flush, read: each woke on IRQ 14"


def test_what_was_written_survives_the_next_boot(tmp_path):
    image = disk_image(tmp_path / "disk.img", 2, {})
    assert run_dom0([image], ["disk-write 0 100 from the first boot"])[0] == 0
    status, out = run_dom0([image], ["disk-read 0 100"])
    assert status == 0 and 'dom0: disk 0 sector 100: "from the first boot"' in out, out


def test_two_disks_and_no_disk(tmp_path):
    a = disk_image(tmp_path / "a.img", 2, {0: "disk a"})
    b = disk_image(tmp_path / "b.img", 3, {0: "disk b"})
    status, out = run_dom0([a, b], ["disks", "disk-read 0 0", "disk-read 1 0", "disk-read 1 99999"])
    assert status == 0, out
    assert ", 2016 sectors (1008 KiB)" in out and ", 3024 sectors (1512 KiB)" in out, out
    assert 'dom0: disk 0 sector 0: "disk a"' in out and 'dom0: disk 1 sector 0: "disk b"' in out
    assert "dom0: disk-read: cannot" in out, "a sector past the disk's end is refused"
    status, out = run_dom0([], ["disks"])
    assert status == 0 and "dom0: no disks" in out, out


def test_domain0_never_reaches_the_monitors_ports_and_a_domu_no_port(tmp_path):
    image = disk_image(tmp_path / "disk.img", 1, {})
    run = boot(guest("ports"), f"{guest('ports')}=name=other mode=domu", disks=[image])
    assert [ok for ok, _ in checks(run, "ports")] == ["ok"] * 14, run.console
    assert [ok for ok, _ in checks(run, "other")] == ["ok"] * 17, run.console
    assert "hv: power-off status=0" in run.console and run.status == 0


DISK_DOMAIN = "build/examples/disk.elf"
ATTACH = ["create d", "block-attach 1 0 xvda", "unpause 1", "wait 1 60", "block-list"]


@pytest.mark.parametrize("machine", ["qemu", "bochs"])
def test_a_domain_keeps_a_counter_on_its_virtual_disk_across_boots(tmp_path, machine):
    """examples/disk through the SDK's blkfront and domain 0's blkback: the xenbus handshake, then
    a read, a write and a flush of sector 0 over the blkif ring; two boots show the counter rise
    and the host's file holds it."""
    image = disk_image(tmp_path / "disk.img", 2, {0: "41"})
    for expected in (42, 43):
        cmd = [HVRUN, "--timeout", "150", "--disk", image] + (["--bochs"] if machine == "bochs" else [])
        cmd += [f"{DOM0}=run={'; '.join(ATTACH)}; quit", f"{DISK_DOMAIN}=attach"]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
        out = proc.stdout.replace("\r", "")
        assert "dom0: domain 1: disk 0 is its vbd 51712" in out, out[-3000:]
        assert "d: disk: xvda, 2016 sectors" in out
        assert f"d: counter: {expected}" in out, out[-3000:]
        assert "dom0:   no block devices" in out, "the vbd went with its domain"
        assert proc.returncode == 0
        assert sector_text(image, 0) == str(expected)


HOTPLUG = ["create d extra=hotplug=2 sector=1", "unpause 1", "wait 1 2", "list", "block-attach 1 0 xvda", "wait 1 3",
           "list", "block-list", "block-detach 1 xvda", "list", "wait 1 1", "block-attach 1 0 xvda", "wait 1 3",
           "block-detach 1 xvda", "wait 1 10", "block-list"]


@pytest.mark.parametrize("machine", ["qemu", "bochs"])
def test_hot_attach_and_detach_through_the_xenbus_states(tmp_path, machine):
    """A running domain waits for its disk (a watch on device/vbd); block-attach gives it one, it
    counts; block-detach sets the backend Closing, the frontend says Closed and takes its grants
    back, both directories go; twice over, on the same domain."""
    image = disk_image(tmp_path / "disk.img", 2, {1: "9"})
    cmd = [HVRUN, "--timeout", "200", "--disk", image] + (["--bochs"] if machine == "bochs" else [])
    cmd += [f"{DOM0}=run={'; '.join(HOTPLUG)}; quit", f"{DISK_DOMAIN}=attach"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=400)
    out = proc.stdout.replace("\r", "")
    lists = [block.split("dom0: dom0>")[0] for block in out.split("dom0: dom0> list")[1:]]
    assert re.search(r"dom0:\s+1 d\s+blocked .* -$", lists[0], re.M), lists[0]
    assert re.search(r"dom0:\s+1 d\s+\w+ .* xvda=disk0$", lists[1], re.M), "list shows the domain's disk"
    assert "dom0:   domain 1 vbd 51712: disk 0, 2016 sectors, connected" in out, out[-3000:]
    assert re.search(r"dom0:\s+1 d\s+\w+ .* -$", lists[2], re.M), "and no disk once it is detached"
    assert [line for line in out.splitlines() if line.startswith("d: ") and "counter" in line] == \
        ["d: counter: 10", "d: counter: 11"], out[-3000:]
    assert out.count("dom0: blkback: domain 1's vbd 51712: closed by its frontend: detached") == 2
    assert out.count("dom0: domain 1: vbd 51712 detached") == 2
    assert "d: xvda detached: our end closed (round 2 of 2)" in out
    assert "hv: domain 1 (d) shut down: poweroff" in out
    assert out.rstrip().endswith("dom0:   no block devices\ndom0: dom0> quit") or "dom0:   no block devices" in out
    assert proc.returncode == 0
    assert sector_text(image, 1) == "11" and sector_text(image, 0) == ""


def test_a_frontend_that_never_closes_is_detached_anyway(tmp_path):
    """xl's block-detach gives a frontend 10 s to close, then removes the vbd by force: the ring
    is unmapped, the channel closed; the frontend's next request goes unanswered; nothing of the
    frontend's stays with domain 0 (no frame lost at the end)."""
    image = disk_image(tmp_path / "disk.img", 1, {})
    run = boot(DOM0, f"{guest('blkattack')}=attach", disks=[image], timeout=90,
               typed="create a extra=stubborn\nblock-attach 1 0 xvda\nunpause 1\nwait 1 2\nblock-detach 1 xvda\n"
                     "block-list\nwait 1 20\nquit\n")
    assert [what for ok, what in checks(run, "a") if ok == "ok"] == [
        "connected to the backend as blkfront is",
        "the backend asks us to close (state 5): we do not",
        "the backend's directory has gone all the same",
        "a request after that: nobody answers it"], run.console
    assert "dom0: domain 1: vbd 51712 did not close in 10 s: removed anyway" in run.console
    assert "dom0:   no block devices" in run.console
    assert run.status == 0
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot


def attack_run(tmp_path, mode, commands):
    image = disk_image(tmp_path / "disk.img", 1, {0: "still here"})
    typed = f"create a extra={mode}\nblock-attach 1 0 xvda\nunpause 1\n" + "".join(c + "\n" for c in commands) + "quit\n"
    return boot(DOM0, f"{guest('blkattack')}=attach", disks=[image], timeout=90, typed=typed)


def test_a_frontend_that_keeps_its_ring_full_does_not_take_domain0(tmp_path):
    """blkback serves a ring's worth per poll, then the shell, the store and the rest get their
    turn: domain 0 lists, detaches (forced: the frontend never closes) and destroys."""
    run = attack_run(tmp_path, "flood", ["wait 1 2", "list", "block-detach 1 xvda", "destroy 1", "disk-read 0 0"])
    assert "a: ok flooding the ring with good requests" in run.console, run.console[-3000:]
    assert re.search(r"dom0:\s+1 a\s+\w+ .* xvda=disk0$", run.console, re.M), run.console[-3000:]
    assert "dom0: domain 1: vbd 51712 did not close in 10 s: removed anyway" in run.console
    assert "dom0: destroyed" in run.console
    assert 'dom0: disk 0 sector 0: "still here"' in run.console
    assert run.status == 0
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot


def test_a_frontend_that_vanishes_mid_request_leaves_nothing_behind(tmp_path):
    """The frontend publishes a ring of writes and crashes before any is answered: the vbd goes
    with it (VIRQ_DOM_EXC tells blkback to look), domain 0 still drives its disk, and once the
    domain is destroyed not a frame is lost: nothing of it stays mapped."""
    run = attack_run(tmp_path, "vanish", ["wait 1 10", "block-list", "destroy 1", "disk-read 0 8", "list"])
    assert "a: ok a ring full of writes published: crashing now" in run.console, run.console[-3000:]
    assert "hv: domain 1 (a) shut down: crash" in run.console, run.console[-3000:]
    assert "dom0:   no block devices" in run.console, run.console[-3000:]
    assert "dom0: destroyed" in run.console
    assert re.search(r"^dom0: disk 0 sector 8: ", run.console, re.M), run.console[-3000:]
    assert run.status == 0
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot


@pytest.mark.parametrize("mode,checks_expected", [
    ("text", ['our state written as text: "connected"', "the backend ignores it: still there, still Connected",
              "and still serves us"]),
    ("reopen", ["closed our end (the backend says Closed)",
                "opened it again: Initialising, and the backend waits once more", "and reads the disk"]),
    ("grants", ["a grant offered, then ended", "ending it again: EINVAL", "the next two offers get two references"]),
])
def test_frontend_state_corner_cases(tmp_path, mode, checks_expected):
    run = attack_run(tmp_path, mode, ["wait 1 20", "block-list"])
    results = checks(run, "a")
    assert [what for ok, what in results if ok == "ok"] == ["connected to the backend as blkfront is"] + checks_expected, \
        run.console[-3000:]
    assert not [what for ok, what in results if ok != "ok"]
    assert run.status == 0


def test_block_detach_of_an_unconnected_vbd_is_at_once_and_of_none_is_refused(tmp_path):
    image = disk_image(tmp_path / "disk.img", 1, {})
    run = boot(DOM0, "build/examples/hello.elf=attach", disks=[image],
               typed="create p\nblock-attach 1 0 xvda\nblock-detach 1 xvda\nblock-list\nblock-detach 1 xvda\n"
                     "block-detach 7 xvdb\ndestroy 1\nquit\n")
    status, out = run.status, run.console
    assert status == 0, out
    assert "dom0: domain 1: vbd 51712 detached" in out
    assert "dom0:   no block devices" in out
    assert "dom0: block-detach: domain 1 has no vbd 51712" in out
    assert "dom0: block-detach: domain 7 has no vbd 51728" in out


def test_block_attach_refuses_what_is_not_there(tmp_path):
    image = disk_image(tmp_path / "disk.img", 1, {})
    status, out = run_dom0([image], ["block-attach 5 0 xvda", "block-attach 0 3 xvda", "block-attach 0 0 bogus",
                                     "block-list"])
    assert status == 0, out
    assert out.count("dom0: block-attach: cannot") == 3, out
    assert "dom0:   no block devices" in out


BLKATTACK_CHECKS = [
    "connected to the backend as blkfront is",
    "a read into grant 9999, which is none: an error response",
    "a segment whose first sector is after its last: an error",
    "a segment past its page (sector 8 of 0-7): an error",
    "two sectors from the disk's last: an error",
    "12 segments (11 at most): an error",
    "operation 9: EOPNOTSUPP",
    "after all that, a good read still works",
    "a WRITE_BARRIER of sector 1: done, and it reads back",
    "an empty WRITE_BARRIER: done (a flush)",
    "a producer index 1000 past the ring's: the backend closes (state 6)",
]


@pytest.mark.parametrize("machine", ["qemu", "bochs"])
def test_a_hostile_frontend_gets_errors_then_is_disconnected_and_domain0_goes_on(tmp_path, machine):
    image = disk_image(tmp_path / "disk.img", 1, {0: "still here"})
    run = boot(f"{DOM0}=run=create a; block-attach 1 0 xvda; unpause 1; wait 1 30; disk-read 0 0; block-list; quit",
               f"{guest('blkattack')}=attach", disks=[image], bochs=machine == "bochs", timeout=120)
    assert [what for ok, what in checks(run, "a") if ok == "ok"] == BLKATTACK_CHECKS, run.console
    assert "dom0: blkback: domain 1's vbd 51712: its ring's req_prod is out of range: disconnected" in run.console
    assert 'dom0: disk 0 sector 0: "still here"' in run.console, "domain 0 still drives its disk"
    assert "dom0:   no block devices" in run.console, "and nothing of the frontend's is left mapped"
    assert run.status == 0
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot


@pytest.mark.parametrize("machine", ["qemu", "bochs"])
def test_a_configuration_files_disk_is_attached_before_its_domain_runs(tmp_path, machine):
    """disk = ['format=raw, vdev=xvda, access=rw, target=FILE'] (xl's syntax): hvrun attaches the
    image to the machine, the domain starts paused, domain 0 block-attaches it and unpauses it,
    as xl create does."""
    image = disk_image(tmp_path / "disk.img", 2, {0: "7"})
    cfg = tmp_path / "counter.cfg"
    cfg.write_text(f'name = "counter"\nkernel = "{os.path.join(ROOT, DISK_DOMAIN)}"\n'
                   f"disk = [ 'format=raw, vdev=xvda, access=rw, target={image}' ]\n")
    cmd = [HVRUN, "--timeout", "100"] + (["--bochs"] if machine == "bochs" else []) + [str(cfg)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    out = proc.stdout.replace("\r", "")
    assert "dom0: domain 1: disk 0 is its vbd 51712" in out, out[-3000:]
    assert "counter: counter: 8" in out, out[-3000:]
    assert "hvrun: counter: exit status 0" in proc.stderr and proc.returncode == 0, proc.stderr
    assert sector_text(image, 0) == "8"


def test_a_paused_module_waits_for_domain0():
    run = boot(DOM0, "build/examples/hello.elf=name=later paused", typed="list\nunpause 1\nwait 1 10\nquit\n")
    assert re.search(r"dom0:\s+1 later\s+paused", run.console), run.console
    assert run.console.index("dom0: unpaused") < run.console.index("later: Hello from ring 1")
    assert run.status == 0
