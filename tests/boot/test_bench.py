"""make bench: every figure is produced and sane (speed is reported by the benchmark, never
asserted by a test)."""
import os
import re
import subprocess

from conftest import ROOT


# The crossings tools/bench measures, one row of build/bench.tsv each, in its order.
CROSSINGS = [
    "null hypercall through the hypercall page",
    "raw int $0x82 (xen_version)",
    "int $0x80 from ring 3, direct gate",
    "int $0x80 from ring 3, through the monitor",
    "iret hypercall to ring 3, direct int $0x80 back",
    "#PF bounced to the guest kernel and back",
    "#UD bounced to the guest kernel and back",
    "event send to self, upcall, return",
    "set_timer_op",
    "mmu_update, per entry, batch of 1",
    "mmu_update, per entry, batch of 8",
    "mmu_update, per entry, batch of 64",
    "mmu_update, per entry, batch of 512",
    "update_va_mapping",
    "multicall of 16 xen_version calls",
    "switch between two domains (yield to yield)",
]
SIZE = "monitor size: text / data+rodata / bss (bytes)"
BOOT = "monitor entry to first guest instruction (not halted)"
TIMERS = "one-shot timer lateness, worst / mean (ns; emulated time, then host time)"
SHARES = ["weights 1:1:1", "weights 1:2:4"]           # each row's label goes on with ", N s busy"
KERNEL_OPS = ["null system call (getpid)", "read of a byte from /dev/zero (null I/O)",
              "write of a byte to /dev/null (null I/O)", "stat",
              "fork, exit, waitpid (fork proc)", "fork, execve, exit, waitpid (exec proc)",
              "spawn and waitpid (fork and exec in one call)", "context switch, two processes yielding (2p/0K)",
              "brk up one page and down again", "page fault: a heap page's first touch (mapped on demand)"]
DISK = ["sequential 4 KiB reads", "sequential 4 KiB writes", "random 4 KiB reads", "random 4 KiB writes"]


def test_bench_produces_every_figure():
    proc = subprocess.run([f"{ROOT}/tools/bench", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for row in CROSSINGS + [SIZE]:
        assert row in proc.stdout, row
    with open(os.path.join(ROOT, "build", "bench.tsv")) as f:
        rows = [line.split("\t") for line in f.read().splitlines()]
    names = [row[0] for row in rows]
    assert names[:1 + len(CROSSINGS) + 3] == ["operation"] + CROSSINGS + [SIZE, BOOT, TIMERS], names
    assert rows[0][:2] == ["operation", "instructions"]
    shares = rows[1 + len(CROSSINGS) + 3:][:1 + len(SHARES)]
    assert [row[0] for row in shares[:1]] == ["scheduling"], names
    kernel_ops = rows[1 + len(CROSSINGS) + 3 + 1 + len(SHARES):][:1 + len(KERNEL_OPS)]
    assert [row[0] for row in kernel_ops] == ["kernel operation (minikernel)"] + KERNEL_OPS, names
    for row in kernel_ops[1:]:      # native and hv: instructions, cycles, each ratio; Xen's where it has one
        native, hv, ratio, native_cycles, hv_cycles, cycle_ratio, xen = row[1:8]
        assert int(native) > 0 and int(hv) > 0 and int(native_cycles) > 0 and int(hv_cycles) > 0, row
        assert abs(float(ratio[:-1]) - int(hv) / int(native)) < 0.01, row
        assert abs(float(cycle_ratio[:-1]) - int(hv_cycles) / int(native_cycles)) < 0.01, row
        assert xen == "-" or re.fullmatch(r"\d\.\d\dx", xen), row
    assert kernel_ops[1][7] == "1.02x" and kernel_ops[8][7] == "2.56x", "Barham et al.'s null call and 2p/0K"
    disk = rows[1 + len(CROSSINGS) + 3 + 1 + len(SHARES) + 1 + len(KERNEL_OPS):]
    assert [row[0] for row in disk] == ["disk, host time"] + DISK, names
    for row in disk[1:]:            # requests/s and KiB/s (4 KiB each) of both sides, and the share
        dom0, dom0_kib, domu, domu_kib = map(int, row[1:5])
        assert dom0 > 0 and domu > 0 and abs(dom0_kib - 4 * dom0) <= 4 and abs(domu_kib - 4 * domu) <= 4, row
        assert re.fullmatch(r"\d+%", row[5]) and abs(int(row[5][:-1]) - domu * 100 / dom0) <= 1, row
    by_name = {row[0]: row for row in rows}
    for name in CROSSINGS:
        assert int(by_name[name][1]) > 0, by_name[name]
    assert all(int(part) > 0 for part in by_name[SIZE][1].split(" / ")), by_name[SIZE]
    assert int(by_name[BOOT][1]) > 0, by_name[BOOT]
    worst, mean = map(int, by_name[TIMERS][1].split(" / "))
    assert worst >= mean >= 0 and by_name[TIMERS][3].count(" / ") == 1, by_name[TIMERS]
    for label, row in zip(SHARES, shares[1:]):
        assert row[0].startswith(label + ", ") and int(row[1]) > 0, row
    assert by_name["int $0x80 from ring 3, direct gate"][2] == "0", "a direct system call spends nothing in the monitor"


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
