"""docs/PORTING.md cannot drift from the code: every block it quotes ("<!-- quote FILE NAME ... -->"
before a code block) is exactly those functions of that file as they are now, one after another;
every function of the platform interface (examples/minikernel/platform.h) is quoted from both
platforms; and the figures of "What the port cost" are what tools/port-cost prints. No boot."""
import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUIDE = os.path.join(ROOT, "docs", "PORTING.md")
QUOTE = re.compile(r"^<!-- quote (\S+) ([\w ]+) -->\n```c\n(.*?)\n```$", re.M | re.S)
DEFINITION = r"^[A-Za-z][^;(]*\b{}\("        # a definition starts at column 0: type, name, (


def function(path, name):
    """The text of NAME's definition in PATH: from its first line to the closing brace at column
    0 (or the same line, for a one-line function)."""
    with open(os.path.join(ROOT, path)) as f:
        lines = f.read().splitlines()
    starts = [i for i, line in enumerate(lines) if re.match(DEFINITION.format(name), line) and not line.endswith(";")]
    assert len(starts) == 1, f"{path}: {len(starts)} definitions of {name}"
    start = starts[0]
    if lines[start].rstrip().endswith("}"):
        return lines[start]
    end = next(i for i in range(start, len(lines)) if lines[i] == "}")
    return "\n".join(lines[start:end + 1])


def quotes():
    with open(GUIDE) as f:
        return [(path, names.split(), block) for path, names, block in QUOTE.findall(f.read())]


def test_every_quoted_function_is_the_code_as_it_is():
    found = quotes()
    assert len(found) >= 20, "the guide's quote markers"
    for path, names, block in found:
        pieces = block.split("\n\n")
        as_is = [function(path, name) for name in names]
        # one-line functions sit together without blank lines between them
        assert block == "\n\n".join(as_is) or block == "\n".join(as_is) or \
            re.sub(r"\n+", "\n", block) == "\n".join(as_is), f"{path} {names}: the guide's copy differs\n{pieces}"


def test_every_platform_function_is_quoted_from_both_platforms():
    with open(os.path.join(ROOT, "examples", "minikernel", "platform.h")) as f:
        declared = re.findall(r"^(?:[\w ]+\*?\s*\*?)\b(\w+)\([^)]*\);", f.read(), re.M)
    declared = [name for name in declared if name != "__attribute__"]
    assert "pte_write" in declared and "platform_idle" in declared, declared
    quoted = {}
    for path, names, _ in quotes():
        for name in names:
            quoted.setdefault(name, set()).add(os.path.basename(path))
    indirect = {"platform_init": "platform_native.c"}    # natively: pic_init and descriptors_init, quoted
    for name in declared:
        sides = quoted.get(name, set()) | ({indirect[name]} if name in indirect else set())
        assert {"platform_native.c", "platform_xen.c"} <= sides, f"{name} is quoted from {sorted(sides)}"


def test_the_ports_cost_in_the_guide_is_what_the_tool_counts():
    out = subprocess.run([os.path.join(ROOT, "tools", "port-cost"), "--check"], cwd=ROOT, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    with open(GUIDE) as f:
        guide = f.read()
    for line in out.stdout.splitlines():
        assert line in guide, f"the guide does not say: {line}"
