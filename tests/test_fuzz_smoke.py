"""A few seconds of real fuzzing per harness and engine, from the seeds:
the engines start, execute, and find nothing in a correct model.

The runs are reproducible (fixed seeds; libFuzzer by run count, not by
time), so the gate does not depend on the machine's speed.  fault_threads
runs on real threads, whose interleavings no seed fixes: it only replays
its seeds here (its findings are confirmed on fault_mp's fibers)."""

import glob
import os

import pytest

from conftest import ROOT, encode_all, harnesses, have, run, seeds

SECS = 5
RUNS = 4000         # libFuzzer executions per smoke run (a few seconds)
LIBFUZZER = ("libfuzzer-asan", "libfuzzer-tsan", "libfuzzer-asan-biglock")


def dict_args(target):
    for n in (target + ".dict", "fault.dict"):
        p = os.path.join(ROOT, "corpus", n)
        if os.path.isfile(p):
            return p
    return None


@pytest.mark.parametrize("build", LIBFUZZER)
@pytest.mark.parametrize("target", harnesses())
def test_libfuzzer(built, tmp_path, target, build):
    corpus = tmp_path / "corpus"
    encode_all(seeds(target), str(corpus))
    runs = 0 if target == "fault_threads" else RUNS
    cmd = [os.path.join(ROOT, "out", build, target),
           "-seed=1", "-runs=%d" % runs, "-timeout=25",
           "-artifact_prefix=%s/" % tmp_path, "-print_final_stats=1"]
    d = dict_args(target)
    if d:
        cmd.append("-dict=" + d)
    r = run(cmd + [str(corpus)], timeout=600)
    arts = glob.glob(str(tmp_path / "crash-*")) + \
        glob.glob(str(tmp_path / "leak-*")) + \
        glob.glob(str(tmp_path / "timeout-*"))
    assert r.returncode == 0 and not arts, (
        "%s %s: exit %d, artifacts %s\n%s" % (
            build, target, r.returncode, arts, r.stderr[-4000:]))
    assert "stat::number_of_executed_units" in r.stderr


@pytest.mark.skipif(not have("afl-fuzz"), reason="afl++ not installed")
@pytest.mark.parametrize("target", harnesses())
def test_afl(built, tmp_path, target):
    if target == "fault_threads":
        pytest.skip("real threads: not reproducible (see the module doc)")
    inp, out = tmp_path / "in", tmp_path / "out"
    encode_all(seeds(target), str(inp))
    cmd = ["afl-fuzz", "-s", "1", "-i", str(inp), "-o", str(out), "-V", str(SECS),
           "-t", "5000+", "-m", "none"]
    d = dict_args(target)
    if d:
        cmd += ["-x", d]
    cmd += ["--", os.path.join(ROOT, "out", "afl-asan", target)]
    r = run(cmd, timeout=SECS + 120, extra_env={
        "AFL_SKIP_CPUFREQ": "1", "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1",
        "AFL_NO_UI": "1", "AFL_NO_AFFINITY": "1",
        "ASAN_OPTIONS": "abort_on_error=1:symbolize=0:detect_leaks=0",
        "UBSAN_OPTIONS": "halt_on_error=1:abort_on_error=1:symbolize=0"})
    crashes = glob.glob(str(out / "*" / "crashes" / "id:*"))
    assert r.returncode == 0 and not crashes, (
        "afl-fuzz %s: exit %d, crashes %s\n%s" % (
            target, r.returncode, crashes, (r.stdout + r.stderr)[-4000:]))
    stats = {}
    for line in open(glob.glob(str(out / "*" / "fuzzer_stats"))[0]):
        k, _, v = line.partition(":")
        stats[k.strip()] = v.strip()
    assert int(stats.get("execs_done", 0)) > 0
