"""make bench: every figure is produced and sane (speed is reported by the benchmark, never
asserted by a test)."""
import os
import re
import subprocess

from conftest import ROOT


def test_bench_produces_every_figure():
    proc = subprocess.run([f"{ROOT}/tools/bench", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for row in ("null hypercall through the hypercall page", "int $0x80 from ring 3, direct gate",
                "#PF bounced to the guest kernel and back", "mmu_update, per entry, batch of 512",
                "multicall of 16 xen_version calls", "switch between two domains", "monitor size"):
        assert row in proc.stdout, row
    with open(os.path.join(ROOT, "build", "bench.tsv")) as f:
        lines = f.read().splitlines()
    assert lines[0].split("\t")[:2] == ["operation", "instructions"]
    assert len(lines) == 1 + 16 + 2 + 1 + 2          # crossings, size and boot; the scheduler's shares
    for line in lines[-2:]:
        assert line.startswith("weights ") and int(line.split("\t")[1]) > 0, line
    for line in lines[1:17]:
        assert int(line.split("\t")[1]) > 0, line
    size, boot = lines[17].split("\t")[1], lines[18].split("\t")[1]
    assert all(int(part) > 0 for part in size.split(" / ")), lines[17]
    assert int(boot) > 0, lines[18]
    direct = next(line for line in lines if line.startswith("int $0x80 from ring 3, direct gate"))
    assert direct.split("\t")[2] == "0", "a direct system call spends nothing in the monitor"


def test_crossing_profile_counts_every_monitor_instruction():
    """tools/crossing-profile single-steps a null hypercall and a bounced #PF through the monitor:
    each total is the sum of its functions, and the functions are the ones the path goes through."""
    proc = subprocess.run([f"{ROOT}/tools/crossing-profile", "xen_version", "pf"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    blocks = proc.stdout.split("\n\n")[1:]
    assert len(blocks) == 2, proc.stdout
    for block, must in zip(blocks, (["entry (hypercall_entry)", "do_xen_version", "exit (trap_return)"],
                                    ["entry (stub_N, trap_common)", "guest_exception", "bounce_to", "guest_copy"])):
        lines = block.strip().splitlines()
        total = int(re.search(r": (\d+) instructions in the monitor$", lines[0]).group(1))
        counts = {name: int(n) for n, name in (line.split(None, 1) for line in lines[1:])}
        assert total > 0 and total == sum(counts.values()), block
        for name in must:
            assert counts.get(name, 0) > 0, (name, block)
