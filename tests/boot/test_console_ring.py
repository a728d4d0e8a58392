"""A domU's console ring with corrupt indexes (tests/guests/consolering.c): the SDK's writer refuses
the ring as every ring reader and writer does (guest-sdk/byte_ring.h), says so once through
console_io with the indexes it saw, and goes on printing there; nothing hangs, nothing is garbled."""
import re

import pytest

from conftest import HELLO, boot, guest, one_boot


@pytest.fixture(scope="module")
def corrupt_console():
    return boot(HELLO, f"{guest('consolering')}=name=consolering")


@one_boot("corrupt_console")
def test_console_writer_refuses_corrupt_indexes_and_goes_on_through_console_io(corrupt_console):
    run = corrupt_console
    lines = [line for line in run.console.splitlines() if line.startswith("consolering: ")]
    assert len(lines) == 4, run.console
    said = re.fullmatch(r"consolering: console ring is corrupt \(out_cons (0x[0-9a-f]+), out_prod (0x[0-9a-f]+)\): "
                        r"writing through console_io", lines[1])
    assert said and int(said.group(1), 16) == int(said.group(2), 16) + 0x80000000, lines
    assert [lines[0]] + lines[2:] == ["consolering: setting out_cons half the index space past out_prod",
                                      "consolering: ok the first line after it came out",
                                      "consolering: ok and the next, through console_io"]


@one_boot("corrupt_console")
def test_console_ring_guest_ends_cleanly(corrupt_console):
    run = corrupt_console
    assert "hv: domain 1 (consolering) shut down: poweroff" in run.console
    assert run.status == 0


def test_monitor_stops_reading_a_console_ring_left_corrupt():
    """The monitor drains a domU's console ring at every tick: a ring whose indexes say more than a
    ring holds is refused once, with the indexes, and never read again (as xenconsoled does),
    while the domain goes on printing through console_io."""
    run = boot(HELLO, f"{guest('consolering')}=name=consolering leave")
    said = re.findall(r"^hv: domain 1 \(consolering\): console ring corrupt \(out_cons (0x[0-9a-f]+), "
                      r"out_prod (0x[0-9a-f]+)\): no longer read$", run.console, re.M)
    assert len(said) == 1, run.console
    assert int(said[0][0], 16) == (int(said[0][1], 16) + 0x80000000) % 2**32
    lines = [line for line in run.console.splitlines() if line.startswith("consolering: ")]
    assert lines[0] == "consolering: setting out_cons half the index space past out_prod"
    assert lines[-2:] == ["consolering: ok the ring left corrupt", "consolering: ok still printing, through console_io"]
    assert "hv: domain 1 (consolering) shut down: poweroff" in run.console
    assert run.status == 0
