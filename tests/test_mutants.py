"""The planted-bug mutants (fuzz/mutants/): every patch still applies to
the tree; every mutant recorded in fuzz/mutants/detected.txt is still
found by its scenario program while the correct tree passes it, and the
ones recorded as `fuzz` are still found by one short fuzzing trial (the
CI form of `uvmfuzz bench --mutant`); a patch that does not apply is an
error, never a silent skip."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

MUT = os.path.join(ROOT, "fuzz", "mutants")
MUTANTS_PY = os.path.join(MUT, "mutants.py")
PATCHES = sorted(f for f in os.listdir(MUT) if f.endswith(".patch"))
# the CI fuzzing trial: libFuzzer -seed=1, at most this many seconds
# (the recorded ones are found in a few seconds: fuzz/mutants/results/)
QUICK_BUDGET = 60


def detected():
    """detected.txt: [(id, how)], how `fuzz`, `scenario` or
    `fuzz+scenario`"""
    out = []
    with open(os.path.join(MUT, "detected.txt")) as f:
        for line in f:
            line = line.split("#")[0].split()
            if line:
                assert len(line) == 2 and line[1] in (
                    "fuzz", "scenario", "fuzz+scenario"), line
                out.append((line[0], line[1]))
    return out


def test_every_bugs_row_has_a_mutant():
    ids = {p.split("-")[0] for p in PATCHES}
    assert ids == {"O1", "O3", "O4", "O5", "O6", "O7", "O8", "O10", "O11",
                   "O12", "N1", "F1", "F2", "L1", "M1", "M2", "M4", "M5",
                   "M7", "M8", "M9", "M10"}


@pytest.mark.parametrize("patch", PATCHES)
def test_patch_applies(patch):
    r = subprocess.run(["git", "apply", "--check",
                        os.path.join(MUT, patch)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_recorded_mutants_detected(tmp_path):
    rec = detected()
    assert rec, "fuzz/mutants/detected.txt lists no mutant"
    ids = [i for i, _ in rec]
    assert len(set(ids)) == len(ids)
    fz = [i for i, how in rec if "fuzz" in how]
    sc = [i for i, how in rec if "scenario" in how]
    r = subprocess.run([sys.executable, MUTANTS_PY, "check", "--json",
                        "--workdir", str(tmp_path), "--fuzz",
                        str(QUICK_BUDGET), "--fuzz-seed", "1",
                        "--fuzz-ids", ",".join(fz)] + ids,
                       cwd=ROOT, capture_output=True, text=True,
                       timeout=3600)
    # exit 1 when a scenario fails: those of fuzz-only ids may
    assert r.returncode in (0, 1), r.stdout[-3000:] + r.stderr
    res = {x["id"]: x for x in json.loads(r.stdout)}
    assert sorted(res) == sorted(ids)
    for i in sc:
        assert res[i]["ok"], res[i]
    for i in fz:
        f = res[i]["fuzz"]
        assert f["detected"], (i, f)
        assert f["also_on_correct"] is False and f["seconds"] <= \
            QUICK_BUDGET + 5, (i, f)
    for i in set(ids) - set(fz):
        assert "fuzz" not in res[i]
    for i in ids:	# every patch applied and built
        assert res[i]["applies"] and "error" not in res[i], res[i]


def broken_patch_dir(tmp_path):
    """a mutants directory holding Z9, a patch that cannot apply"""
    d = tmp_path / "mutants"
    d.mkdir()
    (d / "Z9-broken.patch").write_text(
        "Id: Z9\nOracle: invariant\nTarget: fault\n"
        "--- a/uvm/uvm_fault.c\n+++ b/uvm/uvm_fault.c\n"
        "@@ -1,2 +1,2 @@\n-this line is not in the file\n"
        "+nor is this one\n context that does not exist\n")
    (d / "Z9.prog").write_text("config cpus=1\n")
    return d


def test_patch_not_applying_fails_check(tmp_path):
    env = dict(os.environ, UVMFUZZ_MUTANTS_DIR=str(broken_patch_dir(
        tmp_path)))
    r = subprocess.run([sys.executable, MUTANTS_PY, "check", "--workdir",
                        str(tmp_path / "w"), "Z9"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.startswith("mutants.py: Z9: patch does not apply: ")
    assert len(r.stderr.splitlines()) == 1 and r.stdout == ""
    assert not (tmp_path / "w").exists()	# refused before any build


def test_patch_not_applying_fails_bench(tmp_path):
    env = dict(os.environ, UVMFUZZ_MUTANTS_DIR=str(broken_patch_dir(
        tmp_path)))
    r = subprocess.run([os.path.join(ROOT, "fuzz", "uvmfuzz"), "bench",
                        "--mutant", "Z9", "--trials", "1", "--budget", "1",
                        "--out", str(tmp_path / "o")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.startswith("uvmfuzz: Z9: patch does not apply: ")
    assert len(r.stderr.splitlines()) == 1 and r.stdout == ""
    assert not (tmp_path / "o").exists()


def check_refused(args, env=None):
    r = subprocess.run([sys.executable, MUTANTS_PY] + [str(a) for a in args],
                       cwd=ROOT, capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.splitlines()) == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("mutants.py: ") and r.stdout == ""
    return r.stderr


def test_check_bad_workdir(tmp_path):
    """refused before any build: empty, inside the tree, a file, a
    non-empty directory no run marked (left untouched)"""
    assert "empty --workdir" in check_refused(["check", "M1", "--workdir",
                                               ""])
    assert "inside the source tree" in check_refused(
        ["check", "M1", "--workdir", os.path.join(ROOT, "w")])
    assert not os.path.exists(os.path.join(ROOT, "w"))
    f = tmp_path / "f"
    f.write_text("x")
    assert "not a directory" in check_refused(["check", "M1", "--workdir",
                                               f])
    d = tmp_path / "d"
    d.mkdir()
    (d / "seeds-1").write_text("mine")
    assert "not a uvmfuzz work directory" in check_refused(
        ["check", "M1", "--workdir", d])
    assert os.listdir(d) == ["seeds-1"]


def test_check_bad_results_and_dir(tmp_path):
    assert "cannot create it" in check_refused(
        ["check", "M1", "--workdir", tmp_path / "w", "--results",
         tmp_path / "no" / "r.jsonl"])
    assert not (tmp_path / "w").exists()
    env = dict(os.environ, UVMFUZZ_MUTANTS_DIR=str(tmp_path / "none"))
    assert "cannot list the mutants" in check_refused(["list"], env)
    d = tmp_path / "m"
    d.mkdir()
    (d / "Z1-x.patch").write_bytes(b"Id: Z1\nBug: \xff\n--- a/x\n")
    env = dict(os.environ, UVMFUZZ_MUTANTS_DIR=str(d))
    assert "header is not UTF-8" in check_refused(["list"], env)


def test_ids_deduplicated():
    """O1,o1 is one mutant, in check and in bench"""
    sys.path.insert(0, os.path.join(ROOT, "fuzz"))
    from uvmfuzz_lib import mutbench, mutants
    assert [m["id"] for m in mutbench.parse_ids("O1,o1,M1")] == ["O1", "M1"]
    assert [m["id"] for m in mutants.dedup([mutants.find_mutant("o1"),
                                            mutants.find_mutant("O1")])] \
        == ["O1"]


def test_header_oracles():
    """every header names known oracle kinds; with several (M4: the
    semantic oracle, invariant 2 or amap_add's "slot in use" KASSERT)
    any of them detects, and the first chooses the sanitizer"""
    sys.path.insert(0, os.path.join(ROOT, "fuzz"))
    from uvmfuzz_lib import mutants
    for m in mutants.list_mutants():
        assert mutants.oracles(m), m["id"]
        for o in mutants.oracles(m):
            assert o in mutants.ORACLE_KINDS, (m["id"], o)
    m4 = mutants.find_mutant("M4")
    assert mutants.oracles(m4) == ["oracle", "invariant", "kassert"]
    assert mutants.expected_ok(m4, "panic", "amap_add: slot in use")
    assert mutants.expected_ok(m4, "oracle", "read outcome differs")
    assert mutants.expected_ok(m4, "invariant", "invariant 2: ...")
    assert not mutants.expected_ok(m4, "tsan", "data race")
    assert not mutants.expected_ok(m4, None, "")
    o1 = mutants.find_mutant("O1")			# lock: a lock panic only
    assert mutants.expected_ok(o1, "panic", "rw_exit: not held")
    assert not mutants.expected_ok(o1, "panic", "amap_add: slot in use")
    assert mutants.fuzz_config(mutants.find_mutant("M5"))["sanitizer"] \
        == "tsan"
    assert mutants.fuzz_config(m4)["sanitizer"] == "asan"


def test_check_interrupted_during_build(tmp_path):
    """SIGTERM while the base builds: exit 130 with one line, make and its
    compilers stopped, this run's run-* directory removed, the marked
    work directory kept"""
    import signal
    import time
    sys.path.insert(0, os.path.join(ROOT, "fuzz"))
    from uvmfuzz_lib import mutants
    w = tmp_path / "w"
    p = subprocess.Popen([sys.executable, MUTANTS_PY, "check", "M1",
                          "--workdir", str(w)], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    make = None
    while make is None and p.poll() is None:
        for q in mutants.descendants(p.pid):
            try:
                with open("/proc/%d/comm" % q) as f:
                    if f.read().strip() == "make":
                        make = q
            except OSError:
                pass
        time.sleep(0.05)
    assert make is not None, p.communicate()
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert err == ("mutants.py: interrupted: results written so far are "
                   "kept, this run's scratch files removed\n")
    # make's session (it leads its own) is gone
    left = []
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        if d.isdigit() and int(st[st.rindex(")") + 2:].split()[3]) == make:
            left.append(d)
    assert left == []
    assert sorted(os.listdir(w)) == [".lock", ".uvmfuzz-workdir", "base",
                                     "base.build.log"]
