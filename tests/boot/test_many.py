"""Many guests side by side: 64 domains of 2 MiB on a 256 MiB machine, each printing and
powering off, and every frame back in the pool at the end."""
import re

from conftest import HELLO, boot, free_frames


def test_64_domains_of_2_mib():
    images = [f"{HELLO}=name=d{i} mem=2M" for i in range(64)]
    run = boot(*images, memory=256, timeout=120)
    assert run.status == 0, run.console[-3000:]
    assert len(re.findall(r"^d\d+: Hello from ring 1$", run.console, re.M)) == 64
    assert "hv: 64 domain(s) ran, 64 ended cleanly" in run.console
    at_boot, at_end = free_frames(run)
    assert at_end == at_boot


def test_hvrun_shows_one_domains_output_alone():
    import subprocess
    from conftest import HVRUN, ROOT
    proc = subprocess.run([HVRUN, "--domain", "two", f"{HELLO}=name=one", f"{HELLO}=name=two"], cwd=ROOT,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    lines = proc.stdout.replace("\r", "").splitlines()
    assert proc.returncode == 0
    assert lines[0] == "two: Hello from ring 1"
    assert all(line.startswith("two: ") for line in lines[:-1])
    assert lines[-1].startswith("hv: power-off status=0")
