"""The examples are the documentation people trust most: each one runs, and says what it should."""
import re

from conftest import boot


def test_ticker_sleeps_on_its_timer_and_keeps_time():
    run = boot("build/examples/ticker.elf")
    assert run.status == 0, run.console
    assert re.search(r"^ticker: wallclock: 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC$", run.console, re.M)
    ticks = re.findall(r"^ticker: tick (\d) at (\d+)\.(\d{3}) s \((\d+) timer events\)$", run.console, re.M)
    assert [int(t[0]) for t in ticks] == [1, 2, 3, 4, 5], run.console
    for n, s, ms, events in ticks:
        assert int(s) * 1000 + int(ms) >= int(n) * 100, "never wakes before its deadline"
        assert int(events) >= int(n)


def test_usermode_process_makes_direct_system_calls():
    run = boot("build/examples/usermode.elf")
    assert run.status == 0, run.console
    assert "usermode: kernel in ring 1: starting a process in ring 3" in run.console
    assert "usermode: Hello from ring 3, through int $0x80 straight to ring 1" in run.console
    assert "usermode: process exited with 301 (ring 3, bad pointer refused)" in run.console


def test_examples_run_side_by_side():
    run = boot("build/examples/ticker.elf", "build/examples/usermode.elf", "build/examples/hello.elf")
    assert run.status == 0
    assert "hv: 3 domain(s) ran, 3 ended cleanly" in run.console


def test_addrspace_gives_each_process_its_own_page_tables():
    run = boot("build/examples/addrspace.elf")
    assert run.status == 0, run.console
    spaces = re.findall(r"^addrspace: address space L3 at mfn (0x[0-9a-f]+): 0x8000000 maps mfn (0x[0-9a-f]+)$",
                        run.console, re.M)
    assert len(spaces) == 2 and spaces[0] != spaces[1]
    assert run.console.count("addrspace: process A: my own page at 0x08000000") == 2
    assert run.console.count("addrspace: process B: a different page at the same address") == 2
    assert "addrspace: back in the kernel's own address space" in run.console
