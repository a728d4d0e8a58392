"""docs/LESSONS.md, held to the tree: every lesson's command is a make target (or a lesson of
tools/lesson) and every test a lesson names exists; and lesson 10's command, make demo-dom0,
shows what the lesson says: domain 0 decides, the monitor carries it out."""
import importlib.machinery
import importlib.util
import os
import re

from conftest import ROOT, make

LESSONS_MD = os.path.join(ROOT, "docs", "LESSONS.md")


def lessons():
    """{number: section text} of docs/LESSONS.md."""
    with open(LESSONS_MD) as f:
        text = f.read()
    parts = re.split(r"^## Lesson (\d+): .*$", text, flags=re.M)
    return {int(parts[i]): parts[i + 1] for i in range(1, len(parts), 2)}


def table():
    """{number: command cell} of the table at the top."""
    with open(LESSONS_MD) as f:
        return {int(n): cell for n, cell in re.findall(r"^\| (\d+) \| [^|]+ \| ([^|]*) \| here \|$", f.read(), re.M)}


def make_targets():
    with open(os.path.join(ROOT, "Makefile")) as f:
        return set(re.findall(r"^([\w.-]+):", f.read(), re.M))


def tool_lessons():
    loader = importlib.machinery.SourceFileLoader("lesson_tool", os.path.join(ROOT, "tools", "lesson"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader("lesson_tool", loader))
    loader.exec_module(module)
    return set(module.LESSONS)


def test_every_lesson_is_here_with_a_command_that_exists():
    assert sorted(lessons()) == list(range(1, 11))
    assert sorted(table()) == list(range(1, 11)), "every row of the table says: here"
    targets, traced = make_targets(), tool_lessons()
    for number, cell in table().items():
        commands = re.findall(r"`make ([\w-]+)(?: (\w+))?`", cell)
        assert commands, (number, cell)
        for target, name in commands:
            assert target in targets, (number, target)
            if target == "lesson":
                assert name in traced, (number, name)
                assert f"make lesson {name}" in lessons()[number], (number, name)


def test_every_test_a_lesson_names_exists():
    for number, text in lessons().items():
        said = text[text.index("**The test.**"):]
        files = re.findall(r"`(tests/[\w/.-]+?\.(?:py|c))(?:::(\w+?)(?:\.\.\.)?)?`", said)
        assert files, number
        for path, test in files:
            assert os.path.exists(os.path.join(ROOT, path)), (number, path)
            if test:
                with open(os.path.join(ROOT, path)) as f:
                    assert re.search(rf"^def {test}", f.read(), re.M), (number, path, test)


def test_lesson_10_domain_0_creates_a_domain_and_the_store_knows_it():
    proc = make("demo-dom0", capture_output=True, text=True, timeout=300)
    out = proc.stdout
    assert proc.returncode == 0, out[-3000:] + proc.stderr[-2000:]
    assert re.search(r"^dom0:    0 dom0 +running +1024 +1024 +\d+  -$", out, re.M), out
    assert re.search(r"^hv: domain 1 \(one\): guest OS \"hv-guest-sdk\" \"0\.1\", 8192 KiB, ", out, re.M)
    assert "dom0: created domain 1 (one), paused" in out
    store = out[out.index("dom0> store /local/domain/1"):out.index("dom0> unpause 1")]
    assert re.findall(r"^dom0:   (\S+) = (\S+)$", store, re.M) == [
        ("/local/domain/1", '""'), ("/local/domain/1/domid", '"1"'), ("/local/domain/1/name", '"one"')]
    assert out.index("dom0: unpaused") < out.index("one: Hello from ring 1"), "nothing runs before domain 0 says so"
    assert "one: memory: 8192 KiB (2048 pages)" in out
    assert "dom0: domain 1 is off" in out
    assert re.search(r"^dom0:    1 one +off +0 +2048 +\d+  -$", out, re.M), out
    assert "hv: power-off status=0 (all domains ended cleanly)" in out
