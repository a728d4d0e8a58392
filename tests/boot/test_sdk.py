"""The guest SDK as a porter takes it away: `make sdk` installs headers, library, linker script and
guest.mk in build/sdk/, and examples/template, copied out of the repository with the SDK beside
it, builds against that copy alone and boots on the monitor."""
import os
import re
import shutil
import subprocess

from conftest import ROOT, boot, make


def test_the_installed_sdk_builds_a_kernel_outside_the_repository(tmp_path):
    assert make("sdk", capture_output=True).returncode == 0
    installed = os.path.join(ROOT, "build", "sdk")
    for part in ("include/sdk.h", "include/xen.h", "include/format.h", "include/x86/paging.h", "lib/start.o",
                 "lib/libhvsdk.a", "guest.ld", "guest.mk", "README.md", "ABI.md"):
        assert os.path.exists(os.path.join(installed, part)), part
    assert not os.path.exists(os.path.join(installed, "include", "hv.h")), "nothing of the monitor's"
    sdk, project = tmp_path / "sdk", tmp_path / "my-kernel"
    shutil.copytree(installed, sdk)                    # the SDK moved away from the repository
    shutil.copytree(os.path.join(ROOT, "examples", "template"), project)
    build = subprocess.run(["make", f"SDK={sdk}"], cwd=project, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout + build.stderr
    assert ROOT not in build.stdout, "the build reaches nothing of the repository"
    kernel = project / "build" / "kernel.elf"
    run = boot(str(kernel))
    lines = [line for line in run.console.splitlines() if line.startswith("kernel: ")]
    assert lines[0] == "kernel: a kernel of my own, in ring 1 of domain 0", run.console
    assert [re.sub(r" at \d+ us$", "", line) for line in lines[1:4]] == [f"kernel: tick {i}" for i in (1, 2, 3)]
    assert re.match(r"kernel: page fault at 0x10000000 \(eip 0xc[0-9a-f]+, error code 0x2\)", lines[4]), lines
    assert lines[5:] == ["kernel: still here: powering off"]
    assert run.status == 0


def test_the_sdk_in_the_repository_needs_nothing_of_the_monitor():
    """Neither guest.mk nor any source or header of the SDK names a file of hv/: what the monitor
    and guests share lives in lib/ and hypercall-abi/, owned by neither."""
    for folder in ("guest-sdk", os.path.join("guest-sdk", "include")):
        for name in os.listdir(os.path.join(ROOT, folder)):
            if name.endswith((".c", ".S", ".h", ".mk")):
                with open(os.path.join(ROOT, folder, name)) as f:
                    assert not re.search(r"(\$\(TOP\)/|\.\./|\")hv/", f.read()), os.path.join(folder, name)
