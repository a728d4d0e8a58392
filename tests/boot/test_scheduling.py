"""The scheduler shares the CPU by weight and honours caps (docs/SCHEDULING.md). Shares are
counted in timer ticks by the monitor, so the checks hold however fast the host is; the tight
figures belong to a benchmark, these only check the policy is the right one."""
import re

from conftest import boot, guest


def cpu_ticks(run):
    return {name: int(t) for name, t in re.findall(r"^hv: domain \d+ \((\w+)\) shut down: poweroff \(cpu (\d+) ticks\)$",
                                                   run.console, re.M)}


def test_cpu_shares_follow_weights():
    run = boot(f"{guest('spin')}=name=w1 weight=100 ms=1500", f"{guest('spin')}=name=w2 weight=200 ms=1500",
               f"{guest('spin')}=name=w4 weight=400 ms=1500", icount=True)   # a loaded host shares no ticks
    assert run.status == 0, run.console
    t = cpu_ticks(run)
    assert sorted(t) == ["w1", "w2", "w4"], run.console
    assert t["w1"] > 0
    assert 1.5 <= t["w2"] / t["w1"] <= 2.7, t
    assert 3.0 <= t["w4"] / t["w1"] <= 5.5, t


def test_equal_weights_get_equal_shares():
    run = boot(*[f"{guest('spin')}=name=s{i} ms=1200" for i in range(3)], icount=True)
    assert run.status == 0, run.console
    t = cpu_ticks(run)
    assert sorted(t) == ["s0", "s1", "s2"] and min(t.values()) > 0, run.console
    assert max(t.values()) <= 1.3 * min(t.values()), t


def test_a_capped_domain_stays_under_its_cap():
    run = boot(f"{guest('spin')}=name=capped cap=25 ms=1500", f"{guest('spin')}=name=free ms=1500")
    assert run.status == 0, run.console
    t = cpu_ticks(run)
    assert sorted(t) == ["capped", "free"] and t["capped"] > 0, run.console
    assert t["capped"] / (t["capped"] + t["free"]) <= 0.40, t


def test_bad_weight_and_cap_are_refused():
    run = boot(f"{guest('spin')}=weight=0 ms=10", f"{guest('spin')}=cap=150 ms=10", f"{guest('spin')}=name=ok ms=10")
    assert "refused: bad weight= (1 to 65535)" in run.console
    assert "refused: bad cap= (a percentage, 1 to 100)" in run.console
    assert "ok: spun" in run.console
    assert "hv: 1 domain(s) ran, 1 ended cleanly" in run.console
    assert run.status == 1, "a refused module makes the run fail"


def test_yield_lets_the_other_domain_run_whatever_the_weights():
    """After a tick of spinning, weight 1 has a far larger pass than weight 65535; still, each
    SCHEDOP_yield hands the CPU over, so the two take strict turns. Under -icount: on a loaded host,
    a timer tick could otherwise land between a domain's turn and its yield, and hand the CPU to
    the heavier domain a second time (rightly, but not what this test is about)."""
    run = boot(f"{guest('spin')}=name=a weight=1 ms=15 yield=5", f"{guest('spin')}=name=b weight=65535 ms=15 yield=5",
               icount=True)
    assert run.status == 0, run.console
    turns = re.findall(r"^(a|b): turn (\d)$", run.console, re.M)
    assert sorted(turns) == [(who, str(n)) for who in "ab" for n in range(1, 6)], run.console
    assert all(turns[i][0] != turns[i + 1][0] for i in range(9)), turns


def test_a_domain_with_two_vcpus_shares_one_domains_weight():
    """Equal weights, one domain busy on two vCPUs, the other on one: each domain gets half the
    CPU (the weight is the domain's), and the two vCPUs a quarter each (they take turns)."""
    run = boot(f"{guest('smp')}=name=two vcpus=2 mode=spin ms=1500", f"{guest('spin')}=name=one ms=1500",
               icount=True)
    assert run.status == 0, run.console
    t = cpu_ticks(run)
    assert sorted(t) == ["one", "two"] and min(t.values()) > 0, run.console
    assert max(t.values()) <= 1.3 * min(t.values()), t
    ran = {int(v): int(ms) for v, ms in re.findall(r"^two: vCPU (\d) ran (\d+) ms$", run.console, re.M)}
    assert sorted(ran) == [0, 1] and min(ran.values()) > 0, run.console
    assert max(ran.values()) <= 1.3 * min(ran.values()), ran
