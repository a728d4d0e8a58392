#!/usr/bin/python3
"""run.py - the whole suite, as `make test` runs it (host side).

1. Host unit tests: every program in build/tests/host/ (cmocka tests and the 32-bit ABI layout
   test), each printing TAP.
2. Boot tests: pytest over tests/boot/, on both cores (pytest-xdist); each boots the real monitor
   with real guests in QEMU (or Bochs) through tools/hvrun. The same run takes tests/docs/, which
   checks documents against the code (the tour) and boots nothing.

Ends with one line "N passed, M failed" and exits non-zero when anything failed.
"""
import errno
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST_DIR = os.path.join(ROOT, "build", "tests", "host")
JUNIT = os.path.join(ROOT, "build", "boot-tests.xml")
TAP_LINE = re.compile(r"^(not ok|ok)\b(.*)$")


def run_host_program(path, env):
    """Run one host test. The ABI layout test is a 32-bit program: where the host kernel cannot
    run those (no IA-32 emulation, as on some virtual machines), QEMU's user mode runs it."""
    try:
        return subprocess.run([path], env=env, capture_output=True, text=True)
    except OSError as e:
        if e.errno != errno.ENOEXEC:
            raise
        return subprocess.run(["qemu-i386", path], env=env, capture_output=True, text=True)


def run_host_tests():
    passed = failed = 0
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
    for name in sorted(os.listdir(HOST_DIR)):
        path = os.path.join(HOST_DIR, name)
        if not os.access(path, os.X_OK) or os.path.isdir(path):
            continue
        proc = run_host_program(path, env)
        results = [TAP_LINE.match(line) for line in proc.stdout.splitlines()]
        results = [m for m in results if m]
        if not results or (proc.returncode != 0 and all(m.group(1) == "ok" for m in results)):
            print(f"FAILED host/{name}: exit status {proc.returncode}\n{proc.stdout}{proc.stderr}")
            failed += 1
        for m in results:
            if m.group(1) == "ok":
                passed += 1
            else:
                failed += 1
                print(f"FAILED host/{name}{m.group(2)}")
        print(f"host/{name}: {sum(m.group(1) == 'ok' for m in results)} of {len(results)} passed")
    return passed, failed


def run_boot_tests():
    if os.path.exists(JUNIT):
        os.remove(JUNIT)
    cmd = [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider",
           "--junitxml", JUNIT, os.path.join(ROOT, "tests", "boot"), os.path.join(ROOT, "tests", "docs")]
    code = subprocess.run(cmd, cwd=ROOT).returncode
    if not os.path.exists(JUNIT):
        print(f"FAILED boot tests: pytest exited {code} without results")
        return 0, 1
    suite = ET.parse(JUNIT).getroot()
    if suite.tag == "testsuites":
        suite = suite[0]
    total = int(suite.get("tests", 0))
    bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    return total - bad - skipped, bad


def main():
    host_passed, host_failed = run_host_tests()
    boot_passed, boot_failed = run_boot_tests()
    passed, failed = host_passed + boot_passed, host_failed + boot_failed
    print(f"host tests: {host_passed} passed, {host_failed} failed; "
          f"boot tests: {boot_passed} passed, {boot_failed} failed")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
