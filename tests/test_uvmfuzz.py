"""The uvmfuzz command: every subcommand's --help, its handling of bad
input (bad flag, missing file, directory for a file, empty file, random
bytes: one line on stderr and exit 2, or valid handling, never a
traceback), and short real runs of fuzz, repro, triage, bench, coverage
and gate."""

import glob
import json
import os
import shutil
import signal
import subprocess
import time

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
    ("bench", "--mutant", "Q99"),
    ("bench", "--mutant", ","),
    ("bench", "--mutant", "M1", "--exec"),
    ("bench", "--mutant", "M1", "--target", "all"),
    ("bench", "--mutant", "M1", "--engine", "honggfuzz"),
    ("bench", "--mutant", "O8", "--engine", "afl"),
    ("bench", "--mutant", "M1", "--out", "/proc/x"),
    ("bench", "--exec", "--out", "/tmp/x"),
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


# --- findings of a fresh user's test (one test each)

def seed_prog():
    s = seeds(first_target())
    if not s:
        pytest.skip("no seeds")
    return s[0]


def test_triage_skips_unrunnable(built, tmp_path):
    """1: an input that cannot run is skipped and listed; triage finishes"""
    shutil.copy(seed_prog(), tmp_path / "crash-seed.prog")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "crash-zzz.prog").write_bytes(b"garbage\x1b[31m\n")
    r = uvmfuzz("triage", "--runs", 1, tmp_path)
    assert_handled(r, ok=(0,))
    rep = json.load(open(tmp_path / "report.json"))
    assert [u["input"] for u in rep["unrunnable"]] == [
        str(tmp_path / "sub" / "crash-zzz.prog")]
    assert "could not run" in open(tmp_path / "report.md").read()
    assert "nothing reproduced" in r.stdout
    assert "\x1b" not in r.stdout + r.stderr
    # no empty leftovers: inputs/ holds only the encoded runnable input
    assert os.listdir(tmp_path / "triage" / "inputs") == ["crash-seed.bin"]


@pytest.mark.parametrize("d", ("/", "/usr"))
def test_triage_refuses_non_findings_dir(built, d):
    """2: a directory without findings layout is refused, nothing written"""
    r = uvmfuzz("triage", d)
    assert_usage_error(r)
    assert "not a findings directory" in r.stderr
    assert not os.path.exists(os.path.join(d, "report.json"))


def test_text_detected_by_content(built, tmp_path):
    """3: a text program without the .prog name is taken as text"""
    src = seed_prog()
    noext = tmp_path / "program"
    shutil.copy(src, noext)
    r = uvmfuzz("decode", noext)
    canon = run([os.path.join(ROOT, "out", "tools", "progtool"), "canon",
                 src])
    assert r.returncode == 0 and r.stdout == canon.stdout, r.stderr
    out = tmp_path / "program.bin"
    assert uvmfuzz("encode", noext, "-o", out).returncode == 0
    r = uvmfuzz("repro", "--runs", 1, noext)
    assert r.returncode == 0, r.stderr
    assert "not reproduced (0/1)" in r.stdout


def test_text_typo_reported(built, tmp_path):
    """a text program with a typo, not named .prog: decode and repro
    give the parse error, exit 2 (not a silent binary decode)"""
    typo = tmp_path / "typo.txt"
    typo.write_text("config cpus=1\nswapof\n")
    for cmd in (("decode", typo), ("repro", "--runs", 1, typo)):
        r = uvmfuzz(*cmd)
        assert r.returncode == 2, (cmd, r.stdout, r.stderr)
        assert r.stderr.startswith("uvmfuzz: %s:2:1: expected an operation"
                                   % typo), r.stderr
        assert len(r.stderr.splitlines()) == 1, r.stderr


def test_coverage_unparseable_and_crash(built, tmp_path):
    """4: a bad .prog is reported, and extra inputs never lower coverage"""
    t = first_target()
    corp = tmp_path / "corp"
    corp.mkdir()
    (corp / "bad.prog").write_text("junk\n")
    (corp / "random").write_bytes(os.urandom(500))
    a = uvmfuzz("coverage", "--target", t, "--out", tmp_path / "a")
    b = uvmfuzz("coverage", "--target", t, "--out", tmp_path / "b",
                "--corpus", corp)
    assert a.returncode == 0 and b.returncode == 0, a.stderr + b.stderr
    assert "bad.prog: not counted" in b.stdout
    sa = json.load(open(tmp_path / "a" / "summary.json"))
    sb = json.load(open(tmp_path / "b" / "summary.json"))
    assert (sb["totals"]["lines"]["covered"] >=
            sa["totals"]["lines"]["covered"])
    assert len(sb["not_counted"]) == 1


def test_output_paths_checked_first(built, tmp_path):
    """5: bad output paths: one line, exit 2, before any work"""
    f = tmp_path / "file"
    f.write_text("x")
    for args in (("fuzz", "--time", 1, "--out", f),
                 ("fuzz", "--time", 1, "--out", "/proc/foo"),
                 ("coverage", "--out", f),
                 ("gate", "--time", 0, "--sarif", tmp_path),
                 ("encode", seed_prog(), "-o", "")):
        r = uvmfuzz(*args, timeout=60)
        assert_usage_error(r)
        assert "internal error" not in r.stderr
    assert not glob.glob(str(tmp_path) + "*.tmp")


@pytest.mark.parametrize("args", [
    ("triage", "--minimize-runs", "-1", "/tmp"),
    ("triage", "--timeout", "-3", "/tmp"),
    ("triage", "--runs", "0", "/tmp"),
    ("repro", "--timeout", "0", "x"),
    ("fuzz", "--timeout", "0"),
    ("gate", "--time", "-1"),
    ("gate", "--runs", "0"),
    ("bench", "--exec", "--time", "-2"),
    ("bench", "--mutant", "M1", "--trials", "0"),
    ("bench", "--mutant", "M1", "--budget", "-1"),
])
def test_numeric_options(args):
    """6: every numeric option is validated by the parser"""
    r = uvmfuzz(*args, timeout=30)
    assert_usage_error(r)
    assert "at least" in r.stderr


def test_parse_error_advice(built, tmp_path):
    """7: parse errors point at the syntax; write errors get their own"""
    bad = tmp_path / "bad.prog"
    bad.write_text("frobnicate\n")
    r = uvmfuzz("encode", bad, "-o", tmp_path / "x")
    assert_usage_error(r)
    assert "Program text format" in r.stderr and "decode --help" not in \
        r.stderr
    r = uvmfuzz("decode", seed_prog())
    assert r.returncode == 0 and "canon" not in r.stderr


def test_control_chars_escaped(built, tmp_path):
    """8: raw bytes of a bad input are never echoed"""
    bad = tmp_path / "bad.prog"
    bad.write_bytes(b"mmap \x1b[2J\x07\xff\n")
    for cmd in ("repro", "encode", "decode"):
        r = uvmfuzz(cmd, bad)
        assert_handled(r)
        assert not any(c in r.stdout + r.stderr for c in "\x1b\x07")
    name = tmp_path / "x\x1b[31m"
    r = uvmfuzz("repro", name)
    assert_usage_error(r)
    assert "\x1b" not in r.stderr


def test_small_cli_gaps(built, tmp_path):
    """9: --version, one size limit everywhere"""
    r = uvmfuzz("--version")
    assert r.returncode == 0 and r.stdout.startswith("uvmfuzz ")
    big = tmp_path / "big"
    with open(big, "wb") as f:
        f.truncate((16 << 20) + 1)
    for cmd in ("repro", "decode"):
        r = uvmfuzz(cmd, big)
        assert_usage_error(r)
        assert "16 MB" in r.stderr


def test_fuzz_no_triage_and_names(built, tmp_path):
    """9, 12: --no-triage never says `triaging`; TSan dirs are named so"""
    t = first_target()
    r = uvmfuzz("fuzz", "--target", t, "--time", 1, "--no-triage",
                "--sanitizer", "thread", "--out", tmp_path, timeout=300)
    assert_handled(r, ok=(0, 1))
    assert "triaging" not in r.stdout
    assert glob.glob(str(tmp_path / ("*-%s-libfuzzer-tsan" % t)))


def test_paths_absolute_from_other_cwd(built, tmp_path):
    """10: messages name paths valid from the caller's directory"""
    shutil.copy(seed_prog(), tmp_path / "a.prog")
    r = uvmfuzz("repro", "--runs", 1, "a.prog", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert str(tmp_path / "a.prog") in r.stdout


def test_no_temp_leaks(built, tmp_path):
    """11: runs that call make leave no temporary file; an interrupted
    triage leaves no file that no report refers to"""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    r = run([UVMFUZZ, "repro", "--runs", "1", seed_prog()],
            extra_env={"TMPDIR": str(tmp)})
    assert r.returncode == 0, r.stderr
    assert os.listdir(tmp) == []
    d = tmp_path / "f"
    d.mkdir()
    shutil.copy(seed_prog(), d / "crash-a.prog")
    p = subprocess.Popen([UVMFUZZ, "triage", "--runs", "50", str(d)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(os.environ, TMPDIR=str(tmp)))
    time.sleep(3)
    p.send_signal(signal.SIGTERM)
    p.communicate(timeout=60)
    assert os.listdir(tmp) == []
    left = [n for n in os.listdir(d) if n != "crash-a.prog"]
    assert left in ([], ["triage"]) or (d / "report.json").exists(), left
    if not (d / "report.json").exists() and (d / "triage").exists():
        assert os.listdir(d / "triage") == []


# the mutant M1 (fuzz/mutants/M1-*.patch) makes a case-1A fault map a
# shared anon writable: invariant 3; a seed of corpus/fault reaches case
# 1A on a shared anon, so the fuzzer finds it before any mutation
BENCH_KEYS = {"version", "command", "tree", "started", "finished",
              "interrupted", "trials", "budget", "engine", "target",
              "machine", "mutants", "control"}
MUTANT_KEYS = {"id", "name", "oracle", "target", "sanitizer", "engine",
               "applies", "build_seconds", "fuzz", "baseline", "ratio",
               "ratio_is_lower_bound"}
TRIAL_KEYS = {"seed", "kind", "msg", "seconds", "in_seeds", "input",
              "also_on_correct", "expected", "detected"}


def test_bench_mutant_shape(built, tmp_path):
    """bench --mutant M1 --trials 1: exact JSON and table shape"""
    out = tmp_path / "o"
    r = uvmfuzz("bench", "--mutant", "M1", "--trials", 1, "--budget", 5,
                "--out", out, "--workdir", tmp_path / "w", timeout=1800)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    res = json.load(open(out / "bench.json"))
    assert set(res) == BENCH_KEYS
    assert (res["version"], res["trials"], res["budget"], res["engine"],
            res["target"], res["interrupted"]) == (1, 1, 5, "libfuzzer",
                                                   "auto", False)
    assert res["finished"] is not None
    [m] = res["mutants"]
    assert set(m) == MUTANT_KEYS
    assert (m["id"], m["name"], m["oracle"], m["target"], m["sanitizer"],
            m["engine"], m["applies"]) == (
        "M1", "1a-shared-anon-writable", "invariant", "fault", "asan",
        "libfuzzer", True)
    fz = m["fuzz"]
    assert set(fz) == {"detected", "median_seconds", "trials"}
    [t] = fz["trials"]
    assert set(t) == TRIAL_KEYS
    assert (t["seed"], t["kind"], t["in_seeds"], t["expected"],
            t["detected"], t["also_on_correct"], t["input"]) == (
        1, "invariant", True, True, True, False, "inputs/M1-fuzz-1.bin")
    assert t["msg"].startswith("invariant 3: anon ")
    assert fz["detected"] == 1 and fz["median_seconds"] == t["seconds"]
    assert (out / "inputs" / "M1-fuzz-1.bin").is_file()
    bl = m["baseline"]
    [b] = bl["trials"]
    assert set(b) == TRIAL_KEYS and b["seed"] == 1
    assert bl["detected"] == int(b["detected"])
    f = max(t["seconds"], 0.1)
    if b["detected"]:
        assert m["ratio"] == round(max(b["seconds"], 0.1) / f, 1)
        assert m["ratio_is_lower_bound"] is False
    else:
        assert m["ratio"] == round(5 / f, 1)
        assert m["ratio_is_lower_bound"] is True
    c = res["control"]
    assert [(g["target"], g["sanitizer"], g["engine"], len(g["trials"]))
            for g in c["fuzz"]] == [("fault", "asan", "libfuzzer", 1)]
    assert [(g["sanitizer"], len(g["trials"])) for g in c["baseline"]] == \
        [("asan", 1)]
    n = sum(1 for p in ("fuzz", "baseline") for g in c[p]
            for x in g["trials"] if x["kind"])
    assert c["findings"] == n and r.returncode == (1 if n else 0)
    md = open(out / "bench.md").read().splitlines()
    row = [l for l in md if l.startswith("| M1 |")]
    assert len(row) == 1
    cells = [x.strip() for x in row[0].split("|")[1:-1]]
    assert cells[:6] == ["M1", "fault", "invariant", "asan", "1/1",
                         "%.1f" % t["seconds"]]
    assert cells[6] == "%d/1" % bl["detected"]
    assert open(out / "bench.png", "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    # the built base is kept for the next run, the mutant's clone is not
    assert (tmp_path / "w" / "base").is_dir()
    assert sorted(os.listdir(tmp_path / "w")) == [
        ".lock", ".uvmfuzz-workdir", "base", "base.build.log"]
    # results are never overwritten
    assert_usage_error(uvmfuzz("bench", "--mutant", "M1", "--out", out))


def test_bench_mutant_interrupted(built, tmp_path):
    """SIGTERM during a bench: exit 130, results so far kept and marked
    interrupted, the temporary scratch tree removed"""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    out = tmp_path / "o"
    p = subprocess.Popen([UVMFUZZ, "bench", "--mutant", "M1,O1",
                          "--trials", "2", "--budget", "30", "--out",
                          str(out)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True,
                         env=dict(os.environ, TMPDIR=str(tmp)))
    for line in p.stdout:	# stop once the first trial is reported
        if line.startswith("bench: M1   fuzz     seed 1:"):
            break
    p.send_signal(signal.SIGTERM)
    rest, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert err.strip().endswith("temporary files removed"), err
    res = json.load(open(out / "bench.json"))
    assert res["interrupted"] is True and res["finished"] is None
    # the completed trial(s) of the interrupted mutant are kept, marked
    [m] = res["mutants"]
    assert m["id"] == "M1" and m["partial"] is True
    assert len(m["fuzz"]["trials"]) >= 1
    assert m["fuzz"]["trials"][0]["seed"] == 1
    md = open(out / "bench.md").read()
    assert "interrupted: only the trials shown ran" in md
    assert os.listdir(tmp) == []


# bench --mutant: bad input refused before anything is built or written


def bench_refused(tmp_path, *args, **kw):
    """bench --mutant with args: one usage line, exit 2, no --out left"""
    r = uvmfuzz("bench", "--mutant", "M1", "--trials", 1, "--budget", 1,
                *args, **kw)
    assert_usage_error(r)
    assert not (tmp_path / "o").exists()
    return r.stderr


@pytest.mark.parametrize("args,msg", [
    (("--workdir", ""), "empty --workdir"),
    (("--workdir", os.path.join(ROOT, "scratch")), "inside the source tree"),
    (("--workdir", ROOT), "inside the source tree"),
    (("--out", ""), "empty --out"),
    (("--budget", 2 ** 31), "at most 86400 seconds"),
    (("--trials", 1001), "--trials: 1001: too large: give at most 1000"),
    (("--biglock",), "--biglock does not apply to --mutant"),
    (("--time", 5), "--time does not apply to --mutant"),
])
def test_bench_mutant_bad_options(tmp_path, args, msg):
    err = bench_refused(tmp_path, "--out", tmp_path / "o", *args)
    assert msg in err, err
    assert not os.path.exists(os.path.join(ROOT, "scratch"))


@pytest.mark.parametrize("args", [("--trials", 2), ("--budget", 5),
                                  ("--no-control",), ("--no-baseline",)])
def test_bench_exec_rejects_mutant_options(args):
    r = uvmfuzz("bench", "--exec", *args)
    assert_usage_error(r)
    assert "is a --mutant option" in r.stderr


def test_bench_mutant_workdir_not_ours(tmp_path):
    """a non-empty directory that no run marked is refused, untouched"""
    w = tmp_path / "w"
    w.mkdir()
    for n in ("trial-x", "stress-y", "M1", "keep"):
        (w / n).write_text(n)
    err = bench_refused(tmp_path, "--out", tmp_path / "o", "--workdir", w)
    assert "not empty and not a uvmfuzz work directory" in err
    assert sorted(os.listdir(w)) == ["M1", "keep", "stress-y", "trial-x"]


@pytest.mark.parametrize("make,msg", [
    (lambda w: w.write_text("x"), "exists and is not a directory"),
    (lambda w: (w.mkdir(), (w / ".uvmfuzz-workdir").write_text(""),
                (w / "base").write_text("")), "base is not a directory"),
    (lambda w: (w.mkdir(), (w / ".uvmfuzz-workdir").write_text(""),
                (w / "base.build.log").mkdir()), "base.build.log is not a "
     "file"),
    (lambda w: (w.mkdir(), (w / ".uvmfuzz-workdir").write_text(""),
                (w / "base" / "out" / "tools").mkdir(parents=True),
                (w / "base" / "out" / "tools" / "progtool").write_text(""),
                os.chmod(w / "base" / "out" / "tools" / "progtool", 0o755)),
     "is an empty binary"),
])
def test_bench_mutant_bad_workdir(tmp_path, make, msg):
    make(tmp_path / "w")
    err = bench_refused(tmp_path, "--out", tmp_path / "o", "--workdir",
                        tmp_path / "w")
    assert msg in err, err


def test_bench_mutant_workdir_locked(tmp_path):
    """a second run on a work directory in use is refused"""
    import fcntl
    w = tmp_path / "w"
    w.mkdir()
    (w / ".uvmfuzz-workdir").write_text("")
    with open(w / ".lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        err = bench_refused(tmp_path, "--out", tmp_path / "o", "--workdir",
                            w)
    assert "in use by another run" in err
    assert sorted(os.listdir(w)) == [".lock", ".uvmfuzz-workdir"]


def test_bench_mutant_out_not_empty(tmp_path):
    """an existing non-empty --out (a findings dir, say) is refused and
    left as it was"""
    o = tmp_path / "f"
    o.mkdir()
    (o / "meta.json").write_text("{}")
    r = uvmfuzz("bench", "--mutant", "M1", "--out", o)
    assert_usage_error(r)
    assert "exists and is not empty" in r.stderr
    assert os.listdir(o) == ["meta.json"]


def test_bench_mutant_all_none_applies(tmp_path):
    """--mutant all with no patch that applies stops before any build"""
    d = tmp_path / "m"
    d.mkdir()
    (d / "Z9-broken.patch").write_text(
        "Id: Z9\nOracle: invariant\nTarget: fault\n"
        "--- a/uvm/uvm_fault.c\n+++ b/uvm/uvm_fault.c\n"
        "@@ -1,2 +1,2 @@\n-not in the file\n+nor this\n")
    r = run([UVMFUZZ, "bench", "--mutant", "all", "--out",
             str(tmp_path / "o")], extra_env={"UVMFUZZ_MUTANTS_DIR": str(d)})
    assert_usage_error(r)
    assert "no mutant's patch applies" in r.stderr
    assert not (tmp_path / "o").exists()


def test_bench_md_ratio_and_partial():
    """the table's ratio cell and the summary line agree (`>` a lower
    bound, `-` none); an interrupted control is said so"""
    import sys
    sys.path.insert(0, os.path.join(ROOT, "fuzz"))
    from uvmfuzz_lib import mutbench
    assert mutbench.fmt_ratio({"ratio": None}) == "-"
    assert mutbench.fmt_ratio({"ratio": 25.0,
                               "ratio_is_lower_bound": True}) == ">25"
    assert mutbench.fmt_ratio({"ratio": 3.5,
                               "ratio_is_lower_bound": False}) == "3.5"
    res = {"command": ["uvmfuzz", "bench"], "tree": "t",
           "started": "2026-01-01T00:00:00Z", "finished": None,
           "machine": {"cpus": 2, "load": 1.0}, "trials": 2, "budget": 9,
           "engine": "libfuzzer", "mutants": [],
           "control": {"fuzz": [{"target": "fault", "sanitizer": "asan",
                                 "engine": "libfuzzer", "trials": [
                                     {"seed": 1, "kind": None}]}],
                       "baseline": [], "findings": 0, "partial": True}}
    md = mutbench.render_md(res)
    assert "2026-01-01T00:00:00Z to interrupted" in md and " UTC" not in md
    assert "0 finding(s) -- INTERRUPTED after 1 trial(s), incomplete." in md


def test_triage_bad_meta(tmp_path):
    """meta.json that is not an object, or names no harness: one line"""
    (tmp_path / "crash-1").write_bytes(b"x")
    (tmp_path / "meta.json").write_text("[1, 2]")
    r = uvmfuzz("triage", tmp_path)
    assert_usage_error(r)
    assert "not a JSON object" in r.stderr
    (tmp_path / "meta.json").write_text('{"target": "../../etc/passwd"}')
    r = uvmfuzz("triage", tmp_path)
    assert_usage_error(r)
    assert "no harness named" in r.stderr
    assert not (tmp_path / "triage").exists()


def test_encode_binary_input_wording(built, tmp_path):
    """encode of a binary input: one plain line, no garbled advice"""
    src = tmp_path / "x.bin"
    r = run([os.path.join(ROOT, "out", "tools", "progtool"), "encode",
             seed_prog(), "-o", str(src)])
    assert r.returncode == 0, r.stderr
    r = uvmfuzz("encode", src, "-o", tmp_path / "y")
    assert_usage_error(r)
    assert r.stderr == "uvmfuzz: %s: binary input, not a text program: " \
        "nothing to encode (print it with `uvmfuzz decode`)\n" % src
    os.rename(src, tmp_path / "x.prog")
    r = uvmfuzz("encode", tmp_path / "x.prog", "-o", tmp_path / "y")
    assert_usage_error(r)
    assert "name it without .prog" in r.stderr
    assert not (tmp_path / "y").exists()


# --- findings of the second fresh user's test (one test each)
#
# In-process tests load fuzz/uvmfuzz as a module and call entry(argv)
# (main with its error handling, returning the exit status); a fake
# libFuzzer binary stands in for a target that finds something at once.

def load_cli():
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("uvmfuzz_cli", UVMFUZZ)
    spec = importlib.util.spec_from_loader("uvmfuzz_cli", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


# what fuzz/run.c finding() prints for an oracle finding of fault_mp (a
# trace line before it, the program after it), then the abort's report
ORACLE_LINES = [
    "uvmfuzz: finding: oracle: read returned a wrong value",
    "uvmfuzz: op 3: read p0 0x2000",
    "uvmfuzz: sequential replay in the order the CPUs ran: expected "
    "0x0, got 0x5",
]
ORACLE_OUTPUT = "\n".join(
    ["uvmfuzz: trace: step 1 cpu0 begin op 0: mmap"] + ORACLE_LINES +
    ["uvmfuzz: program:", "config cpus=2 pages=128", "mmap p0 0x2000 1",
     "==1==ERROR: AddressSanitizer: ABRT on unknown address 0x1 "
     "(pc 0x2 bp 0x3 sp 0x4 T0)", "==1==ABORTING"])


def fake_libfuzzer(tmp_path, crash):
    """a stand-in libFuzzer binary: prints ORACLE_OUTPUT, copies crash
    to <artifact_prefix>crash-fake when given -artifact_prefix, exits 1"""
    out = tmp_path / "fake-output"
    out.write_text(ORACLE_OUTPUT + "\n")
    fake = tmp_path / "fake-libfuzzer"
    fake.write_text("#!/bin/sh\n"
                    "for a; do case $a in -artifact_prefix=*) "
                    "cp '%s' \"${a#-artifact_prefix=}crash-fake\";; "
                    "esac; done\n"
                    "cat '%s' >&2\nexit 1\n" % (crash, out))
    fake.chmod(0o755)
    return str(fake)


def encoded_seed(tmp_path):
    crash = tmp_path / "seed.bin"
    r = run([os.path.join(ROOT, "out", "tools", "progtool"), "encode",
             seed_prog(), "-o", str(crash)])
    assert r.returncode == 0, r.stderr
    text = run([os.path.join(ROOT, "out", "tools", "progtool"), "decode",
                str(crash)]).stdout
    assert text.startswith("config")
    return crash, text


def test_bench_exec_keeps_finding(built, tmp_path, monkeypatch, capsys):
    """2-1: a run stopped by a finding keeps the input, prints it, gives
    no exec/s and exits 1; a second run never overwrites the first"""
    cli = load_cli()
    from uvmfuzz_lib import fuzzing
    crash, text = encoded_seed(tmp_path)
    fake = fake_libfuzzer(tmp_path, crash)
    monkeypatch.setattr(fuzzing, "binary", lambda *a, **kw: fake)
    monkeypatch.setattr(fuzzing, "ensure_built", lambda paths: None)
    monkeypatch.setattr(fuzzing, "BENCH_FINDINGS", str(tmp_path / "f"))
    assert cli.entry(["bench", "--exec", "--target", "fault", "--time",
                      "5"]) == 1
    out = capsys.readouterr().out
    (d,) = glob.glob(str(tmp_path / "f" / "*-fault-libfuzzer-bench"))
    assert sorted(os.listdir(d)) == ["crash-fake", "fuzz.log", "meta.json"]
    assert open(os.path.join(d, "crash-fake"), "rb").read() == \
        crash.read_bytes()
    assert json.load(open(os.path.join(d, "meta.json")))["target"] == \
        "fault"
    (row,) = [l for l in out.splitlines() if l.startswith("fault ")]
    assert row.split()[1:3] == ["-", "-"], row
    assert "stopped by a finding: no exec/s" in row and d in row
    assert text.rstrip() in out
    for l in ORACLE_LINES:
        assert l + "\n" in out
    assert cli.entry(["bench", "--exec", "--target", "fault", "--time",
                      "5"]) == 1
    assert len(glob.glob(str(tmp_path / "f" / "*-fault-libfuzzer-bench*"))) \
        == 2
    assert open(os.path.join(d, "crash-fake"), "rb").read() == \
        crash.read_bytes()


@pytest.mark.parametrize("args,limit", [
    (("fuzz", "--time", "10000000000000000000000"), 2592000),
    (("fuzz", "--jobs", "257"), 256),
    (("fuzz", "--timeout", "86401"), 86400),
    (("bench", "--exec", "--time", "100000000"), 2592000),
    (("repro", "--runs", "99999999999", "x"), 1000000),
    (("repro", "--timeout", "86401", "x"), 86400),
    (("triage", "--runs", "1000001", "/tmp"), 1000000),
    (("triage", "--minimize-runs", "1000000001", "/tmp"), 1000000000),
    (("triage", "--timeout", "86401", "/tmp"), 86400),
    (("gate", "--time", "2592001"), 2592000),
    (("gate", "--runs", "1000001"), 1000000),
    (("bench", "--mutant", "M1", "--trials", "1001"), 1000),
    (("bench", "--mutant", "M1", "--budget", "86401"), 86400),
])
def test_numeric_upper_bounds(args, limit):
    """2-2: every numeric option has an upper bound: one line, exit 2"""
    r = uvmfuzz(*args, timeout=30)
    assert_usage_error(r)
    assert "%s: too large: give at most %d" % (args[-2 if args[0] in (
        "repro", "triage") else -1], limit) in r.stderr
    assert "internal error" not in r.stderr


def test_numeric_upper_bound_wording():
    r = uvmfuzz("bench", "--exec", "--time", "100000000", timeout=30)
    assert r.returncode == 2
    assert r.stderr == "uvmfuzz: argument --time: 100000000: too large: " \
        "give at most 2592000 seconds (30 days): run `uvmfuzz bench " \
        "--help`\n"


@pytest.mark.parametrize("cmd", ["encode", "decode", "repro", "version",
                                 "help"])
def test_write_error(built, cmd):
    """2-3: output to a full device: one `write error` line, exit 2"""
    args = {"encode": ["encode", seed_prog()],
            "decode": ["decode", seed_prog()],
            "repro": ["repro", "--runs", "1", "--build", "replay",
                      seed_prog()],
            "version": ["--version"], "help": ["fuzz", "--help"]}[cmd]
    with open("/dev/full", "w") as full:
        r = subprocess.run([UVMFUZZ] + args, stdout=full,
                           stderr=subprocess.PIPE, errors="replace",
                           timeout=300)
    assert r.returncode == 2
    assert r.stderr == "uvmfuzz: write error: No space left on device: " \
        "free space or write the output elsewhere\n"


def test_triage_report_oracle_lines(built, tmp_path, monkeypatch, capsys):
    """2-4: the report carries the harness's finding lines; an oracle
    finding has no `first uvm/ frame`"""
    cli = load_cli()
    from uvmfuzz_lib import triage
    crash, text = encoded_seed(tmp_path)
    fake = fake_libfuzzer(tmp_path, crash)
    monkeypatch.setattr(triage, "binary", lambda *a, **kw: fake)
    monkeypatch.setattr(triage, "ensure_built", lambda paths: None)
    d = tmp_path / "findings"
    d.mkdir()
    shutil.copy(crash, d / "crash-1")
    assert cli.entry(["triage", "--target", "fault_mp", "--runs", "1",
                      "--minimize-runs", "1", str(d)]) == 1
    rep = json.load(open(d / "report.json"))
    (g,) = rep["groups"]
    assert g["kind"] == "oracle" and g["uvm_loc"] is None and g["oracle"]
    assert g["harness_lines"] == ORACLE_LINES
    assert g["program"] == text
    md = open(d / "report.md").read()
    assert "- first uvm/ frame: not applicable: oracle finding\n" in md
    assert "first uvm/ frame: none" not in md
    assert "```\n" + "\n".join(ORACLE_LINES) + "\n```\n" in md
    (regress,) = glob.glob(str(d / "triage" / "regress-oracle-*.prog"))
    assert "# first uvm/ frame: not applicable: oracle finding\n" in \
        open(regress).read()
    assert open(d / "crash-1", "rb").read() == crash.read_bytes()


def test_afl_rate_needs_run_time(tmp_path, capsys):
    """2-5: no exec/s from AFL++'s first stats (run time ~0 s): `-`
    until the instance has run 1 s; then execs / run_time"""
    load_cli()
    from uvmfuzz_lib import fuzzing
    main = tmp_path / "afl" / "main"
    main.mkdir(parents=True)
    stats = main / "fuzzer_stats"
    stats.write_text("start_time        : 1700000000\n"
                     "last_update       : 1700000000\n"
                     "run_time          : 0\n"
                     "execs_done        : 578\n"
                     "execs_per_sec     : 578000.00\n"
                     "corpus_count      : 7\n"
                     "bitmap_cvg        : 1.50%\n")
    st = fuzzing.afl_sum(str(tmp_path / "afl"))
    assert st["execs"] == 578 and st["execs_per_sec"] is None
    fuzzing.progress("fault", "afl", 5.0, st, str(tmp_path))
    assert "execs 578, exec/s -, bitmap 1.50%, corpus 7, findings 0" in \
        capsys.readouterr().out
    stats.write_text(stats.read_text().replace("run_time          : 0",
                                               "run_time          : 10")
                     .replace("execs_done        : 578",
                              "execs_done        : 5780"))
    st = fuzzing.afl_sum(str(tmp_path / "afl"))
    assert st["execs_per_sec"] == 578
    fuzzing.progress("fault", "afl", 11.0, st, str(tmp_path))
    assert "execs 5780, exec/s 578," in capsys.readouterr().out
    # a libFuzzer count over less than 1 s: no rate either
    fuzzing.progress("fault", "libfuzzer", 0.5,
                     {"execs": 300, "execs_per_sec": 0}, str(tmp_path))
    assert "execs 300, exec/s -," in capsys.readouterr().out
