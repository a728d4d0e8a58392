"""docs/TOUR.md cannot drift from the code: every step names a file and a function (or label)
that exist, and carries its marker there, "Tour step N (section)", in the comment just above the
function or inside it; steps are numbered 1, 2, 3... in each section; and no marker in the code
names a step the tour does not have. No boot: this reads the documents and the sources."""
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOUR = os.path.join(ROOT, "docs", "TOUR.md")
SOURCES = ("hv", "guest-sdk", "examples", "tests/guests")
MARKER = re.compile(r"Tour step (\d+) \(([^)]+)\)")
STEP = re.compile(r"^(\d+)\. `([\w./-]+\.(?:c|h|S|asm))` `(\w+)`")
NEAR = 40      # lines: how far above its function a marker may sit (its comment block)


def section_tag(heading):
    """What a section's markers say in parentheses: its heading up to a colon or parenthesis,
    without a leading article, in lower case ("A bounced trap" -> "bounced trap")."""
    tag = re.split(r":| \(", heading, maxsplit=1)[0].strip().lower()
    return re.sub(r"^(a|an) ", "", tag)


def tour_steps():
    steps, tag = [], None
    for line in open(TOUR):
        if line.startswith("## "):
            tag = section_tag(line[3:])
        elif re.match(r"^\d+\. ", line):
            m = STEP.match(line)
            steps.append((tag, line.split(".")[0], m.group(2) if m else None, m.group(3) if m else None, line.strip()))
    return steps


STEPS = tour_steps()


def definition_lines(path, name):
    """The lines (0-based) where a function or label called `name` is defined, and where its body
    ends (the next top-level closing brace, or the next top-level label)."""
    lines = open(path).read().splitlines()
    if path.endswith((".asm", ".S")):
        starts = [i for i, l in enumerate(lines) if re.match(rf"^\s*{name}:", l)]
        ends = [next((j for j in range(i + 1, len(lines)) if re.match(r"^[A-Za-z_.][\w.]*:", lines[j]) and
                      not lines[j].startswith(".")), len(lines)) for i in starts]
    else:
        starts = [i for i, l in enumerate(lines)
                  if re.match(rf"^[A-Za-z].*\b{name}\(", l) and not l.rstrip().endswith(";")]
        ends = [next((j for j in range(i, len(lines)) if lines[j].startswith("}")), len(lines)) for i in starts]
    return lines, list(zip(starts, ends))


@pytest.mark.parametrize("tag,number,path,function,text", STEPS, ids=[f"{s[0]} {s[1]}" for s in STEPS])
def test_step_names_a_function_that_carries_its_marker(tag, number, path, function, text):
    assert path and function, f"a step begins with `file` `function`: {text}"
    full = os.path.join(ROOT, path)
    assert os.path.exists(full), f"{path} does not exist"
    lines, defs = definition_lines(full, function)
    assert defs, f"{path} defines no {function}"
    marker = f"Tour step {number} ({tag})"
    for start, end in defs:
        if any(marker in line for line in lines[max(0, start - NEAR):end + 1]):
            return
    pytest.fail(f"{path}: no \"{marker}\" at {function} (its comment or its body)")


def test_steps_are_numbered_in_order():
    expected = {}
    for tag, number, *_ in STEPS:
        expected[tag] = expected.get(tag, 0) + 1
        assert int(number) == expected[tag], f"section {tag!r}: step {number} where {expected[tag]} was due"


def test_every_marker_is_a_step_of_the_tour():
    steps = {(tag, number) for tag, number, *_ in STEPS}
    orphans = []
    for top in SOURCES:
        for base, _, files in os.walk(os.path.join(ROOT, top)):
            for name in files:
                if not name.endswith((".c", ".h", ".S", ".asm")):
                    continue
                path = os.path.join(base, name)
                for n, line in enumerate(open(path, errors="replace"), 1):
                    for m in MARKER.finditer(line):
                        if (m.group(2), m.group(1)) not in steps:
                            orphans.append(f"{os.path.relpath(path, ROOT)}:{n}: {m.group(0)}")
    assert orphans == [], "markers of no step in docs/TOUR.md"
