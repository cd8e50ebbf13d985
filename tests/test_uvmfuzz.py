"""The uvmfuzz command: every subcommand's --help, its handling of bad
input (bad flag, missing file, directory for a file, empty file, random
bytes: one line on stderr and exit 2, or valid handling, never a
traceback), and short real runs of fuzz, repro, triage, bench, coverage
and gate."""

import glob
import json
import os
import shutil

import pytest

from conftest import ROOT, UVMFUZZ, harnesses, have, regress, run, seeds

COMMANDS = ("fuzz", "repro", "triage", "coverage", "gate", "bench",
            "decode", "encode")


def uvmfuzz(*args, timeout=600, cwd=ROOT):
    return run([UVMFUZZ] + [str(a) for a in args], timeout=timeout, cwd=cwd)


def assert_usage_error(r):
    err = r.stderr.strip().splitlines()
    assert r.returncode == 2, "exit %d: %s" % (r.returncode, r.stderr)
    assert len(err) == 1 and err[0].startswith("uvmfuzz: "), r.stderr
    assert "Traceback" not in r.stderr


def assert_handled(r, ok=(0, 1, 2)):
    assert "Traceback" not in r.stdout + r.stderr, r.stderr
    assert r.returncode in ok, "exit %d: %s" % (r.returncode, r.stderr)
    if r.returncode == 2:
        assert_usage_error(r)


@pytest.fixture
def files(tmp_path):
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    rnd = tmp_path / "random"
    rnd.write_bytes(os.urandom(3000))
    rndprog = tmp_path / "random.prog"
    rndprog.write_bytes(os.urandom(3000))
    return {"empty": empty, "random": rnd, "random.prog": rndprog,
            "missing": tmp_path / "missing", "dir": tmp_path}


def test_no_command():
    assert_usage_error(uvmfuzz())


def test_unknown_command():
    assert_usage_error(uvmfuzz("frobnicate"))


@pytest.mark.parametrize("cmd", COMMANDS)
def test_help(cmd):
    r = uvmfuzz(cmd, "--help")
    assert r.returncode == 0 and "usage: uvmfuzz " + cmd in r.stdout


@pytest.mark.parametrize("cmd", COMMANDS)
def test_bad_flag(cmd):
    assert_usage_error(uvmfuzz(cmd, "--no-such-flag"))


@pytest.mark.parametrize("cmd", ("repro", "decode", "encode"))
@pytest.mark.parametrize("what", ("missing", "dir"))
def test_file_errors(built, files, cmd, what):
    assert_usage_error(uvmfuzz(cmd, files[what]))


@pytest.mark.parametrize("cmd", ("triage",))
@pytest.mark.parametrize("what", ("missing", "empty"))
def test_dir_errors(built, files, cmd, what):
    assert_usage_error(uvmfuzz(cmd, files[what]))


def test_decode_any_bytes(built, files):
    for what in ("empty", "random"):
        r = uvmfuzz("decode", files[what])
        assert r.returncode == 0, r.stderr
        assert r.stdout.startswith("config"), r.stdout[:200]


def test_encode_inputs(built, files, tmp_path):
    assert_usage_error(uvmfuzz("encode", files["random.prog"]))
    r = uvmfuzz("encode", files["empty"], "-o", tmp_path / "e.bin")
    assert_handled(r, ok=(0,))
    # never overwrites
    assert_usage_error(uvmfuzz("encode", files["empty"], "-o",
                               tmp_path / "e.bin"))


def test_repro_odd_inputs(built, files):
    for what in ("empty", "random"):
        assert_handled(uvmfuzz("repro", "--runs", "1", files[what]),
                       ok=(0, 1))
    assert_usage_error(uvmfuzz("repro", files["random.prog"]))


@pytest.mark.parametrize("args", [
    ("fuzz", "--target", "no-such-target"),
    ("fuzz", "--engine", "honggfuzz"),
    ("fuzz", "--time", "-3"),
    ("fuzz", "--time", "soon"),
    ("fuzz", "--jobs", "0"),
    ("fuzz", "--engine", "afl", "--sanitizer", "thread"),
    ("repro", "--runs", "0", "x"),
    ("repro", "--target", "nope", "/dev/null"),
    ("gate", "--base", "no-such-revision-xyz"),
    ("gate", "--sarif", "/nonexistent-dir/x.sarif"),
    ("coverage", "--corpus", "/nonexistent-dir"),
    ("bench",),
    ("bench", "--exec", "--time", "0"),
])
def test_bad_arguments(built, args):
    assert_usage_error(uvmfuzz(*args))


def first_target():
    t = harnesses()
    if not t:
        pytest.skip("no harness")
    return "fault" if "fault" in t else t[0]


def test_fuzz_libfuzzer(built, tmp_path):
    t = first_target()
    r = uvmfuzz("fuzz", "--target", t, "--time", 4, "--out", tmp_path,
                timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    assert "exec/s" in r.stdout
    (d,) = glob.glob(str(tmp_path / ("*-%s-libfuzzer" % t)))
    meta = json.load(open(os.path.join(d, "meta.json")))
    assert meta["target"] == t and meta["engine"] == "libfuzzer"
    assert os.listdir(os.path.join(d, "corpus"))
    # a second run gets a new directory
    r = uvmfuzz("fuzz", "--target", t, "--time", 1, "--out", tmp_path)
    assert len(glob.glob(str(tmp_path / ("*-%s-libfuzzer*" % t)))) == 2


@pytest.mark.skipif(not have("afl-fuzz"), reason="afl++ not installed")
def test_fuzz_afl(built, tmp_path):
    t = first_target()
    r = uvmfuzz("fuzz", "--engine", "afl", "--target", t, "--time", 4,
                "--out", tmp_path, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr
    assert "exec/s" in r.stdout


def test_repro_clean_programs(built):
    progs = (regress() + seeds(first_target()))[:3]
    if not progs:
        pytest.skip("no programs")
    for build in ("asan", "replay"):
        r = uvmfuzz("repro", "--runs", 2, "--build", build, *progs)
        assert r.returncode == 0, r.stdout + r.stderr
        assert r.stdout.count("not reproduced (0/2)") == len(progs)


def test_triage_clean_dir(built, tmp_path):
    progs = seeds(first_target())[:2]
    if not progs:
        pytest.skip("no seeds")
    for p in progs:
        shutil.copy(p, tmp_path)
    r = uvmfuzz("triage", "--target", first_target(), tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    rep = json.load(open(tmp_path / "report.json"))
    assert rep["groups"] == [] and len(rep["unreproduced"]) == len(progs)
    assert (tmp_path / "report.md").is_file()
    for p in progs:	# inputs untouched
        assert open(p).read() == open(tmp_path / os.path.basename(p)).read()


def test_bench_exec(built):
    r = uvmfuzz("bench", "--exec", "--time", 2, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    for t in harnesses():
        line = [l for l in r.stdout.splitlines() if l.startswith(t + " ")]
        assert line and line[0].split()[1].isdigit(), r.stdout


def test_coverage(built, tmp_path):
    r = uvmfuzz("coverage", "--out", tmp_path, timeout=1200)
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.load(open(tmp_path / "summary.json"))
    assert s["totals"]["lines"]["covered"] > 0
    assert (tmp_path / "html" / "index.html").is_file()


@pytest.mark.skipif(not os.path.isdir(os.path.join(ROOT, ".git")),
                    reason="not a git checkout")
def test_gate_replay_only(built, tmp_path):
    sarif = tmp_path / "gate.sarif"
    r = uvmfuzz("gate", "--base", "HEAD", "--time", 0, "--runs", 1,
                "--out", tmp_path, "--sarif", sarif, timeout=2400)
    assert_handled(r, ok=(0, 1))
    (g,) = glob.glob(str(tmp_path / "*-gate" / "gate.json"))
    res = json.load(open(g))
    assert "results" in res
    s = json.load(open(sarif))
    assert s["version"] == "2.1.0"
    assert len(s["runs"][0]["results"]) == sum(
        1 for x in res["results"] if x["new"])
    assert r.returncode == (1 if s["runs"][0]["results"] else 0)
