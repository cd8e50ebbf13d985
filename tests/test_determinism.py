"""Multi-CPU runs are deterministic: the input file is the whole
reproducer.

Each input is replayed 20 times under replay-asan and replay-tsan with
UVMFUZZ_TRACE=1 (the runner prints "step N cpuC begin/end op K" for
every operation, fuzz/oracle_mp.h); the complete output (trace, finding
report, sanitizer report, program) must be byte for byte the same every
time, after normalising what the OS changes between processes (pid,
ASLR'd executable, library and stack addresses in sanitizer reports).

Inputs: multi-CPU seeds of corpus/fault_mp and the O5 regression case
on the correct tree (they pass, each replayed alone), and tests/data/m5-1b-unref-race.prog on a copy of the tree with
the planted bug M5 (fuzz/mutants/), where it must give a finding (TSan
race under replay-tsan, a leak panic under replay-asan) -- the same one
20 times; and corpus/regress/m4-lower-io-slot-recheck.prog on a copy
with M4, where the concurrency oracle's rule 3 (a CPU never reads older
than it saw) must report the same stale read 20 times under both.
"""

import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, run

sys.path.insert(0, os.path.join(ROOT, "fuzz"))
from uvmfuzz_lib import mutants  # noqa: E402

RUNS = 20
BUILDS = ("replay-asan", "replay-tsan")
PASSING = ("anon-same-page-1a-1b-race.prog", "fork-while-writing-cow.prog",
           "pagedaemon-cpu-vs-readers.prog", "swapin-vs-munmap.prog",
           "three-cpus-fork-exit.prog",
           # replayed alone, this one showed a race inside the rig's
           # lock-order checker under TSan (shims/subr_witness.c)
           "../regress/o5-flush-vs-busy-page.prog")
PLANTED = os.path.join(ROOT, "tests", "data", "m5-1b-unref-race.prog")
M4_PROG = os.path.join(ROOT, "corpus", "regress",
                       "m4-lower-io-slot-recheck.prog")
RULE3 = ("uvmfuzz: finding: oracle: read returned a value older than one "
         "this CPU saw\nuvmfuzz: op 18: cpu1: read p0 0x11000\n"
         "uvmfuzz: cpu1 got 0x7f98d39adff35631, but op 3 (steps 6-7) "
         "overwrote it before a write this CPU saw on the page began "
         "(step 8, seen by op 4)\n")
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


def mutant_tree(tmp_path_factory, mid):
    """a copy of the tree with mutant mid applied, fault_mp replay built"""
    tree = str(tmp_path_factory.mktemp(mid.lower()) / "tree")
    mut = mutants.find_mutant(mid)
    mutants.sync_tree(ROOT, tree)
    ok, why = mutants.patch_applies(mut["patch"], tree)
    if not ok:
        pytest.fail("%s patch does not apply: %s" % (mid, why))
    subprocess.run(["git", "apply", mut["patch"]], cwd=tree, check=True)
    r = subprocess.run(["make", "-j2"] + ["out/%s/fault_mp" % b
                                          for b in BUILDS],
                       cwd=tree, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    assert r.returncode == 0, r.stdout.decode(errors="replace")[-3000:]
    return tree


@pytest.fixture(scope="module")
def m5_tree(tmp_path_factory):
    return mutant_tree(tmp_path_factory, "M5")


@pytest.fixture(scope="module")
def m4_tree(tmp_path_factory):
    return mutant_tree(tmp_path_factory, "M4")


@pytest.mark.parametrize("build,mark", [
    ("replay-tsan", "WARNING: ThreadSanitizer: data race"),
    ("replay-asan", "uvmfuzz: finding:")])
def test_planted_finding_is_deterministic(m5_tree, build, mark):
    b = os.path.join(m5_tree, "out", build, "fault_mp")
    outs = replay_n(b, PLANTED, m5_tree)
    assert outs[0][0] != 0 and mark in outs[0][1], outs[0][1][-3000:]
    assert "uvmfuzz: trace: step" in outs[0][1]
    assert_identical(outs, "%s on M5" % build)


@pytest.mark.parametrize("build", BUILDS)
def test_rule3_finding_is_deterministic(m4_tree, build):
    b = os.path.join(m4_tree, "out", build, "fault_mp")
    outs = replay_n(b, M4_PROG, m4_tree)
    assert outs[0][0] != 0 and RULE3 in outs[0][1], outs[0][1][-3000:]
    assert_identical(outs, "%s on M4" % build)


def test_m4_regression_passes_on_correct_tree(built):
    for build in BUILDS:
        b = os.path.join(ROOT, "out", build, "fault_mp")
        r = run([b, M4_PROG], timeout=120)
        assert r.returncode == 0 and "uvmfuzz: finding" not in (
            r.stdout + r.stderr), (r.stdout + r.stderr)[-3000:]
