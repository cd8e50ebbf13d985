"""Multi-CPU runs are deterministic: the input file is the whole
reproducer.

Each input is replayed 20 times under replay-asan and replay-tsan with
UVMFUZZ_TRACE=1 (the runner prints "step N cpuC begin/end op K" for
every operation, fuzz/oracle_mp.h); the complete output (trace, finding
report, sanitizer report, program) must be byte for byte the same every
time, after normalising what the OS changes between processes (pid,
ASLR'd executable, library and stack addresses in sanitizer reports).

Inputs: multi-CPU seeds of corpus/fault_mp on the correct tree (they
pass), and tests/data/m5-1b-unref-race.prog on a copy of the tree with
the planted bug M5 (fuzz/mutants/), where it must give a finding (TSan
race under replay-tsan, a leak panic under replay-asan) -- the same one
20 times.
"""

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, run

sys.path.insert(0, os.path.join(ROOT, "fuzz", "mutants"))
import mutants  # noqa: E402

RUNS = 20
BUILDS = ("replay-asan", "replay-tsan")
PASSING = ("anon-same-page-1a-1b-race.prog", "fork-while-writing-cow.prog",
           "pagedaemon-cpu-vs-readers.prog", "swapin-vs-munmap.prog",
           "three-cpus-fork-exit.prog")
PLANTED = os.path.join(ROOT, "tests", "data", "m5-1b-unref-race.prog")
NORM = ((re.compile(r"pid=\d+"), "pid=N"),
        (re.compile(r"==\d+=="), "==N=="),
        (re.compile(r"\b0x5[56][0-9a-f]{10}\b"), "0xEXE"),
        (re.compile(r"\b0x7[0-9a-f]{11}\b"), "0xLIB"),
        # a signal's "address" for abort() is the sender's pid
        (re.compile(r"on unknown address 0x[0-9a-f]+"), "on unknown address"))


def normalise(s):
    for rx, rep in NORM:
        s = rx.sub(rep, s)
    return s


def replay_n(binary, prog, cwd):
    outs = []
    for _ in range(RUNS):
        r = run([binary, prog], timeout=120, cwd=cwd,
                extra_env={"UVMFUZZ_TRACE": "1"})
        outs.append((r.returncode, normalise(r.stdout + r.stderr)))
    return outs


def assert_identical(outs, what):
    first = outs[0]
    for i, o in enumerate(outs[1:], 2):
        assert o == first, "%s: run %d differs from run 1:\n%s\n---\n%s" % (
            what, i, first[1][-2000:], o[1][-2000:])


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("prog", PASSING)
def test_passing_input_is_deterministic(built, build, prog):
    b = os.path.join(ROOT, "out", build, "fault_mp")
    p = os.path.join(ROOT, "corpus", "fault_mp", prog)
    outs = replay_n(b, p, ROOT)
    assert outs[0][0] == 0, outs[0][1][-3000:]
    assert "uvmfuzz: trace: step" in outs[0][1]
    assert_identical(outs, "%s %s" % (build, prog))


@pytest.fixture(scope="module")
def m5_tree(tmp_path_factory):
    """a copy of the tree with mutant M5 applied, fault_mp replay built"""
    tree = str(tmp_path_factory.mktemp("m5") / "tree")
    mut = mutants.find_mutant("M5")
    mutants.sync_tree(ROOT, tree)
    ok, why = mutants.patch_applies(mut["patch"], tree)
    if not ok:
        pytest.fail("M5 patch does not apply: " + why)
    subprocess.run(["git", "apply", mut["patch"]], cwd=tree, check=True)
    r = subprocess.run(["make", "-j2"] + ["out/%s/fault_mp" % b
                                          for b in BUILDS],
                       cwd=tree, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    assert r.returncode == 0, r.stdout.decode(errors="replace")[-3000:]
    return tree


@pytest.mark.parametrize("build,mark", [
    ("replay-tsan", "WARNING: ThreadSanitizer: data race"),
    ("replay-asan", "uvmfuzz: finding:")])
def test_planted_finding_is_deterministic(m5_tree, build, mark):
    b = os.path.join(m5_tree, "out", build, "fault_mp")
    outs = replay_n(b, PLANTED, m5_tree)
    assert outs[0][0] != 0 and mark in outs[0][1], outs[0][1][-3000:]
    assert "uvmfuzz: trace: step" in outs[0][1]
    assert_identical(outs, "%s on M5" % build)
