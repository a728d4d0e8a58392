"""Guest kernels run in ring 1 through Xen's PV ABI: the builder, the hypercall gate and page,
the first hypercalls, refused images and crashed domains."""
import os
import re
import struct

import pytest

from conftest import HELLO, ROOT, assert_check_passed, assert_exactly_these_checks, boot, guest, one_boot

CRASH_KINDS = {
    # crash=KIND: (what the monitor reports, the first instruction byte at EIP)
    "ud": ("#UD invalid opcode", "0f 0b"),
    "hlt": ("#GP general protection", "f4"),
    "cli": ("#GP general protection", "fa"),
    "io": ("#GP general protection", "e6 80"),
    "pf": ("#PF page fault for address 00001000", "c7 05"),
    "de": ("#DE divide error", "f7 f1"),
    "int3": ("#BP breakpoint", ""),         # a trap: EIP is past the instruction
}


def test_hello_runs_in_ring_1_and_powers_off():
    run = boot(f"{HELLO}=name=hello greeting=hi")
    assert run.status == 0, run.console
    assert "hello: Hello from ring 1" in run.console
    assert "hello: domain name: hello (domain 0)" in run.console
    assert 'hello: command line: "name=hello greeting=hi"' in run.console
    assert "hello: memory: 4096 KiB (1024 pages)" in run.console
    assert re.search(r"hello: monitor: Xen interface 4\.2-hv0\.1", run.console)
    assert "hv: domain 0 (hello) shut down: poweroff" in run.console


def test_mem_option_sets_the_domain_size():
    run = boot(f"{HELLO}=name=big mem=12M")
    assert run.status == 0
    assert "big: memory: 12288 KiB (3072 pages)" in run.console


# What tests/guests/raw_start.asm checks, in the order it prints them.
RAW_START_CHECKS = [
    "CS is FLAT_RING1_CS (0xe019)",
    "SS is FLAT_RING1_SS (0xe021)",
    "DS is FLAT_RING1_DS",
    "ES is FLAT_RING1_DS",
    "FS is FLAT_RING1_DS",
    "GS is FLAT_RING1_DS",
    "EFLAGS: IF on, IOPL 0",
    "start_info magic is xen-3.0-x86_32p",
    "nr_pages is 1024 (mem=4M)",
    "flags has SIF_INITDOMAIN (domain 0)",
    "cmd_line is the module's command line",
    "pt_base is page-aligned",
    "ESP is the top of the page after the page tables",
    "L3 slot 3 is present",
    "L3 slot 3 is below 4 GiB",
    "M2P[p2m[0x100]] is 0x100",
    "M2P[p2m[0]] is 0",
    "hypercall slot 0: mov $0,%eax; int $0x82; ret; int3...",
    "hypercall slot 23: push %eax; mov $23,%eax; int $0x82",
    "hypercall slot 127: mov $127,%eax; int $0x82; ret",
    "xen_version(capabilities) through the hypercall page returns 0",
    "capabilities are xen-3.0-x86_32p",
    "hypercall 11 returns -ENOSYS",
    "hypercall 200 returns -ENOSYS",
]


@pytest.fixture(scope="module")
def raw_start():
    """A guest in plain assembly, sharing nothing with our headers, checks registers,
    start_info, the page tables, p2m/M2P and the hypercall page."""
    return boot(f"{guest('raw_start')}=mem=4M raw-test")


@one_boot("raw_start")
@pytest.mark.parametrize("what", RAW_START_CHECKS)
def test_raw_assembly_guest_checks_the_start_of_day(raw_start, what):
    assert_check_passed(raw_start, "raw_start", what)


@one_boot("raw_start")
def test_raw_assembly_guest_makes_exactly_these_checks(raw_start):
    assert_exactly_these_checks(raw_start, "raw_start", RAW_START_CHECKS)


@one_boot("raw_start")
def test_raw_assembly_guest_ends_cleanly(raw_start):
    assert "raw_start: all checks passed" in raw_start.console, raw_start.console
    assert raw_start.status == 0


# What tests/guests/abi_errors.c checks, in the order it prints them.
ABI_ERROR_CHECKS = [
    "hypercall 11 (none): got -38, want -38",
    "hypercall 127 (none): got -38, want -38",
    "platform_op (not for guests): got -38, want -38",
    "console_io cmd 99: got -38, want -38",
    "console_io write from the monitor's memory: got -14, want -14",
    "console_io write from unmapped memory: got -14, want -14",
    "console_io write of 4 GiB: got -14, want -14",
    "console_io write of nothing: got 0, want 0",
    "xen_version cmd 99: got -38, want -38",
    "xen_version extraversion into the monitor: got -14, want -14",
    "xen_version extraversion into a read-only page table: got -14, want -14",
    "xen_version get_features submap 1: got -22, want -22",
    "xen_version pagesize: got 4096, want 4096",
    "sched_op cmd 99: got -38, want -38",
    "sched_op yield: got 0, want 0",
    "sched_op shutdown from unmapped memory: got -14, want -14",
    "vm_assist type 17: got -22, want -22",
    "vm_assist cmd 5: got -38, want -38",
    "vm_assist enable writable_pagetables: got 0, want 0",
    "get_debugreg 6 at start (DR6's default): got -61456, want -61456",
    "get_debugreg 7 at start (DR7's default): got 1024, want 1024",
    "set_debugreg 0 to a guest address: got 0, want 0",
    "and get_debugreg 0 reads it back: got 65536, want 65536",
    "set_debugreg 1 to the monitor's area: got -1, want -1",
    "set_debugreg 7 to 0 (GNU Mach's): got 0, want 0",
    "and DR7 keeps its reserved bit 10: got 1024, want 1024",
    "set_debugreg 7 with general detect: got -1, want -1",
    "set_debugreg 7 with an I/O breakpoint: got -1, want -1",
    "set_debugreg 7 with a 4-byte write breakpoint: got 0, want 0",
    "set_debugreg 4 (DR6's alias without CR4.DE): got 0, want 0",
    "set_debugreg 8: got -19, want -19",
    "get_debugreg 8: got -19, want -19",
    "mov to and from %dr1 (emulated): got 131072, want 131072",
    "and get_debugreg 1 agrees: got 131072, want 131072",
    "event_channel_op_compat alloc_unbound: got 0, want 0",
    "event_channel_op_compat cmd 99: got -38, want -38",
]


@pytest.fixture(scope="module")
def abi_errors():
    return boot(guest("abi_errors"))


@one_boot("abi_errors")
@pytest.mark.parametrize("what", ABI_ERROR_CHECKS)
def test_bad_hypercalls_get_xen_error_codes(abi_errors, what):
    assert_check_passed(abi_errors, "abi_errors", what)


@one_boot("abi_errors")
def test_bad_hypercall_guest_makes_exactly_these_checks(abi_errors):
    assert_exactly_these_checks(abi_errors, "abi_errors", ABI_ERROR_CHECKS)


@one_boot("abi_errors")
def test_bad_hypercall_guest_ends_cleanly(abi_errors):
    assert "abi_errors: all checks passed" in abi_errors.console, abi_errors.console
    assert abi_errors.status == 0


def test_domains_run_in_order_and_domU_uses_its_console_ring():
    """Domain 0 prints with console_io; domain 1 through the console ring the monitor drains.
    Under -icount the clock counts instructions, so a loaded host cannot end domain 0's first
    slice before it has printed."""
    run = boot(f"{HELLO}=name=first", f"{HELLO}=name=second", icount=True)
    assert run.status == 0, run.console
    assert run.console.index("first: Hello") < run.console.index("second: Hello")
    assert "second: domain name: second\n" in run.console      # not domain 0
    assert "hv: 2 domain(s) ran, 2 ended cleanly" in run.console


@pytest.mark.parametrize("kind", sorted(CRASH_KINDS))
def test_a_crashing_guest_is_stopped_alone(kind):
    """The crash names the domain, the fault, EIP and the bytes there; the next domain runs."""
    fault, code = CRASH_KINDS[kind]
    run = boot(f"{guest('crash')}=crash={kind}", f"{HELLO}=name=survivor")
    assert run.status == 1, "a crashed domain makes the run fail"
    m = re.search(r"^hv: domain 0 \(crash\) crashed: (.*) in ring 1 at eip (c0[0-9a-f]{6}) <(\w+)\+0x[0-9a-f]+> "
                  r"\(error code 0x[0-9a-f]{4}\), and it has no trap handler; code at eip: ([0-9a-f ]+)$",
                  run.console, re.M)
    assert m, run.console
    assert m.group(1) == fault
    assert m.group(3) in ("main", "do_crash"), "named from the guest's own symbol table"
    assert m.group(4).startswith(code)
    assert "still alive" not in run.console
    assert "survivor: Hello from ring 1" in run.console
    assert "hv: domain 1 (survivor) shut down: poweroff" in run.console


@pytest.mark.parametrize("kind,said", [("reason99", "reason 99, which Xen does not define"),
                                       ("compat", "poweroff")])
def test_any_shutdown_reason_ends_the_domain_as_in_xen(kind, said):
    """Xen takes the shutdown reason as a byte, whatever it is: SCHEDOP_shutdown with reason 99
    ends the domain, and so does sched_op_compat given a pointer (GNU Mach's panic), whose low
    byte (0 here, the structure being 256-byte aligned) is the reason; only a poweroff is clean."""
    run = boot(f"{guest('crash')}=crash={kind}", f"{HELLO}=name=survivor")
    assert f"hv: domain 0 (crash) shut down: {said}" in run.console, run.console
    assert "still alive" not in run.console
    assert "survivor: Hello from ring 1" in run.console
    assert run.status == (0 if said == "poweroff" else 1)


def test_segment_limit_keeps_ring1_out_of_the_monitor_under_bochs():
    """Ring 1 is supervisor for paging, so only the truncated segments (limit 0xF67FFFFF) keep a
    guest kernel out of the monitor. QEMU's TCG does not check segment limits; Bochs does."""
    run = boot(f"{guest('crash')}=crash=monitor", f"{HELLO}=name=survivor", bochs=True, timeout=120)
    assert re.search(r"^hv: domain 0 \(crash\) crashed: #GP general protection in ring 1 at eip c0[0-9a-f]{6} "
                     r".*code at eip: a1 00 00 10 f7", run.console, re.M), run.console
    assert "still alive" not in run.console
    assert "survivor: Hello from ring 1" in run.console
    assert "hv: 2 domain(s) ran, 1 ended cleanly" in run.console
    assert run.status == 1, "the crash makes the run fail, and nothing else does"


# ---- refused images: each is reported, and the next module still boots ----------------------

def elf_with(tmp_path, name, change):
    """A copy of hello.elf changed by change(bytearray)."""
    data = bytearray(open(os.path.join(ROOT, HELLO), "rb").read())
    change(data)
    path = tmp_path / name
    path.write_bytes(bytes(data))
    return str(path)


def program_headers(data):
    phoff, = struct.unpack_from("<I", data, 28)
    phnum, = struct.unpack_from("<H", data, 44)
    return [phoff + 32 * i for i in range(phnum)]


def loads(data):
    return [off for off in program_headers(data) if struct.unpack_from("<I", data, off)[0] == 1]


def set_load_address(data, index, address):
    off = loads(data)[index]
    struct.pack_into("<II", data, off + 8, address, address)     # p_vaddr, p_paddr


def make_64bit(data):
    data[4] = 2


def truncate(data):
    del data[300:]


def overlap(data):
    first = loads(data)[0]
    set_load_address(data, 1, struct.unpack_from("<I", data, first + 8)[0] + 0x100)


def reach_monitor(data):
    set_load_address(data, 1, 0xF5800000 - 0x1000)


def no_pae(data):
    at = data.index(b"yes\0")
    data[at:at + 4] = b"no\0\0"


REFUSED = {
    "not_elf": (None, "not an ELF file"),
    "elf64": (make_64bit, "not a 32-bit ELF file"),
    "truncated": (truncate, "outside the file (truncated?)"),
    "overlap": (overlap, "overlapping segments"),
    "monitor_area": (reach_monitor, "a segment reaches the hypervisor area"),
    "no_pae": (no_pae, "not a PAE kernel"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_bad_image_is_refused_and_others_boot(case, tmp_path):
    change, reason = REFUSED[case]
    bad = "tests/boot/data/notes.txt" if change is None else elf_with(tmp_path, f"{case}.elf", change)
    run = boot(f"{bad}=name=bad", f"{HELLO}=name=good")
    assert re.search(rf"^hv: module 0 \(\S+\) refused: .*{re.escape(reason)}", run.console, re.M), run.console
    assert "good: Hello from ring 1" in run.console
    assert run.status == 1, "a refused module makes the run fail"


def test_image_too_big_for_its_memory_is_refused():
    run = boot(f"{HELLO}=name=tiny mem=512K", f"{HELLO}=name=good")
    assert re.search(r"^hv: module 0 \(hello\) refused: no room", run.console, re.M), run.console
    assert "good: Hello from ring 1" in run.console
    assert run.status == 1


def test_bad_mem_option_is_refused():
    run = boot(f"{HELLO}=mem=lots", f"{HELLO}=name=good")
    assert "refused: bad mem=" in run.console
    assert "good: Hello from ring 1" in run.console
    assert run.status == 1


def test_several_modules_reach_a_domain_as_a_multiboot_package(tmp_path):
    """Modules marked `attach` go to the domain before them: one alone as a plain module (Xen's
    ramdisk), several (or one with `modules=multiboot` on the domain's line) as a multiboot
    package with SIF_MULTIBOOT_MOD, Xen's descriptors at its start, each module's command line
    without the monitor's word `attach`: how pvgrub hands GNU Mach its tasks."""
    a, b = tmp_path / "alpha.bin", tmp_path / "beta.bin"
    a.write_bytes(b"alpha-data")
    b.write_bytes(b"beta")
    run = boot(guest("modules"), f"{a}=attach x=1", f"{b}=attach")
    assert run.status == 0, run.console
    assert f'modules: module 0: 10 bytes, command line "{a} x=1", starting "alpha-da"' in run.console
    assert f'modules: module 1: 4 bytes, command line "{b}", starting "beta"' in run.console
    assert re.search(r"^modules: a multiboot package of 2 module\(s\), \d+ bytes$", run.console, re.M)
    one = boot(guest("modules"), f"{a}=attach")
    assert "modules: one plain module" in one.console and 'starting "alpha-da"' in one.console
    asked = boot(f"{guest('modules')}=modules=multiboot", f"{a}=attach")
    assert re.search(r"^modules: a multiboot package of 1 module\(s\)", asked.console, re.M), asked.console


def test_domain0_types_into_a_domus_console_until_ctrl_bracket():
    """`console ID` in domain 0's shell shows what the domain printed, then sends what is typed to
    its console ring (the monitor writes in[] and signals its console port, as xenconsoled does)
    until Ctrl-]; what follows is the shell's again."""
    run = boot("build/examples/dom0.elf", guest("consolein"), typed="console 1\nhello there\nbye\n\x1dlist\nquit\n")
    assert "dom0: --- attached to domain 1: what you type goes to it; Ctrl-] detaches ---" in run.console
    assert 'consolein: got "hello there" (11 characters)' in run.console
    assert 'consolein: got "bye" (3 characters)' in run.console
    assert "dom0: --- detached from domain 1 ---" in run.console
    assert re.search(r"^dom0:\s+1 consolein\s", run.console, re.M), "the shell read `list` after Ctrl-]"
    assert "hv: 2 domain(s) ran, 2 ended cleanly" in run.console
    assert run.status == 0


def test_a_domains_console_history_is_its_last_1024_bytes_in_order():
    """HV_DOMCTL_readconsole gives domain 0 the last 1024 bytes a domain printed (the monitor keeps
    them in a ring): after examples/directpaging's 2,500 or so, `console 1` shows exactly the tail
    of what it printed, oldest first, across the ring's wrap."""
    run = boot("build/examples/dom0.elf", "build/examples/directpaging.elf=attach",
               typed="create one\nunpause 1\nwait 1\nconsole 1\nquit\n")
    assert run.status == 0, run.console[-3000:]
    printed = "".join(line[len("one: "):] + "\n" for line in run.console.splitlines() if line.startswith("one: "))
    assert len(printed) > 2048, len(printed)
    lines = run.console.splitlines()
    start, end = lines.index("dom0: --- console of domain 1 ---"), lines.index("dom0: --- end ---")
    assert all(line.startswith("dom0: ") for line in lines[start + 1:end])
    history = "".join(line[len("dom0: "):] + "\n" for line in lines[start + 1:end])
    assert len(history) == 1024 and printed.endswith(history), (len(history), history[:200])


def test_a_corrupt_input_ring_gets_nothing_typed_into_it():
    """A domU that wrote an in_prod a whole ring past in_cons: the monitor reads its indexes once
    and types nothing; domain 0 is told and detaches, and everyone else goes on."""
    run = boot("build/examples/dom0.elf", f"{guest('consolein')}=corrupt", typed="wait 1 1\nconsole 1\nx\ndestroy 1\nquit\n")
    assert "consolein: in_prod corrupted" in run.console
    assert "dom0: --- domain 1 has no console to type into: not attached ---" in run.console
    assert "dom0: destroyed" in run.console
    assert "MONITOR FAULT" not in run.console
    assert run.status == 0


def test_a_domain_configuration_file_boots_its_domain_beside_domain0(tmp_path):
    """tools/hvrun FILE.cfg (xl.cfg's name, memory, kernel, cmdline) boots that domain as a domU
    beside domain 0, with exactly the file's command line (the monitor's options go before "--"),
    and says its result; two files run one after another."""
    import subprocess
    first, second = tmp_path / "first.cfg", tmp_path / "second.cfg"
    first.write_text(f'name = "from-cfg"\nmemory = 8\nkernel = "{os.path.join(ROOT, HELLO)}"\n'
                     'cmdline = "exactly -- this, mem=1M"   # a comment\n')
    second.write_text(f'name="second"\nkernel="{os.path.join(ROOT, HELLO)}"\nextra=""\n')
    proc = subprocess.run([os.path.join(ROOT, "tools", "hvrun"), "--timeout", "30", str(first), str(second)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    out = proc.stdout
    assert 'from-cfg: command line: "exactly -- this, mem=1M"' in out, out[-3000:]
    assert "from-cfg: memory: 8192 KiB" in out, "the file's memory, not the guest's words"
    assert 'second: command line: ""' in out
    assert "hvrun: from-cfg: exit status 0" in proc.stderr and "hvrun: second: exit status 0" in proc.stderr, proc.stderr
    assert proc.returncode == 0


def test_monitor_options_end_at_a_double_dash():
    """`OPTIONS -- LINE` on a module: the options are the monitor's, the guest sees LINE exactly."""
    run = boot(f"{HELLO}=name=dashed mem=8M -- hi there")
    assert 'dashed: command line: "hi there"' in run.console
    assert "dashed: memory: 8192 KiB" in run.console
    assert run.status == 0


SYMTAB_CHECKS = [
    "an ELF header right after the image",
    "three section headers after it, no program headers",
    "the symbol table and its strings",
    "the size covers them",
    "and `main` is there, at its address",
]


def test_a_guest_that_asks_for_its_symbols_finds_them_after_its_image():
    """XEN_ELFNOTE_BSD_SYMTAB "yes" (tests/guests/symtab.c): the builder copies the kernel's symbol
    table after its image in libelf's layout, inside the start-of-day mapping."""
    run = boot(guest("symtab"))
    assert_exactly_these_checks(run, "symtab", SYMTAB_CHECKS)
    assert run.status == 0, run.console


def test_a_configuration_file_gives_its_domain_vcpus_and_runs_under_bochs(tmp_path):
    """vcpus= reaches the domain (the smp guest's spin mode reports each of its vCPUs), and under
    Bochs, whose serial line takes no typing, domain 0 takes its commands from its command line
    (run=wait 1 T; quit)."""
    import subprocess
    cfg = tmp_path / "two.cfg"
    cfg.write_text(f'name="two"\nvcpus=2\nkernel="{os.path.join(ROOT, guest("smp"))}"\nextra="mode=spin ms=100"\n')
    proc = subprocess.run([os.path.join(ROOT, "tools", "hvrun"), "--bochs", "--timeout", "60", str(cfg)],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    out = proc.stdout
    assert re.search(r"^two: vCPU 0 ran \d+ ms$", out, re.M) and re.search(r"^two: vCPU 1 ran \d+ ms$", out, re.M), out[-3000:]
    assert "dom0: dom0> quit" in out
    assert "hvrun: two: exit status 0" in proc.stderr, proc.stderr
    assert proc.returncode == 0


@pytest.mark.parametrize("setting", ["on_crash='restart'", "on_poweroff='preserve'"])
def test_a_configuration_file_asking_for_what_hvrun_cannot_do_is_refused(tmp_path, setting):
    import subprocess
    cfg = tmp_path / "odd.cfg"
    cfg.write_text(f'name="odd"\nkernel="{os.path.join(ROOT, HELLO)}"\n{setting}\n')
    proc = subprocess.run([os.path.join(ROOT, "tools", "hvrun"), "--timeout", "30", str(cfg)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    key, value = setting.replace("'", "").split("=")
    assert f"hvrun: {cfg}: {key}={value}: only 'destroy' (xl's default) is supported" in proc.stderr, proc.stderr
    assert proc.returncode != 0
