"""Replay the regression programs and every seed corpus under every
build: a correct model gives no finding anywhere.

Replay builds take the text programs directly; libFuzzer builds get
them encoded by progtool (a libFuzzer binary given files runs each once).
"""

import os

import pytest

from conftest import (ROOT, assert_clean, encode_all, harnesses, regress,
                      run, seeds)

REPLAY = ("replay", "replay-asan", "replay-tsan")
LIBFUZZER = ("libfuzzer-asan", "libfuzzer-tsan")
BUILDS = [k + s for k in REPLAY + LIBFUZZER for s in ("", "-biglock")]


def programs(target):
    """Seeds and regression cases.  fault_threads runs on real threads:
    its interleavings are not reproducible, so it is no gate for the
    regression cases (a finding there is confirmed on fault_mp's fibers);
    it replays its own seeds only."""
    if target == "fault_threads":
        return seeds(target)
    return seeds(target) + regress()


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("target", harnesses())
def test_replay(built, tmp_path, target, build):
    progs = programs(target)
    if not progs:
        pytest.skip("no programs for %s" % target)
    b = os.path.join(ROOT, "out", build, target)
    assert os.access(b, os.X_OK), "%s was not built" % b
    if build.startswith("replay"):
        r = run([b] + progs, timeout=1200)
        assert_clean(r, "%s on %d programs" % (build, len(progs)))
        assert "replayed %d inputs" % len(progs) in r.stdout + r.stderr
    else:
        inputs = encode_all(progs, str(tmp_path / "bin"))
        r = run([b, "-runs=1"] + inputs, timeout=1200)
        assert_clean(r, "%s on %d programs" % (build, len(progs)))


def test_every_harness_has_seeds():
    for t in harnesses():
        assert seeds(t), "corpus/%s/ has no .prog seeds" % t


REPLAY_BIN = os.path.join(ROOT, "out", "replay", "fault")


def replay(*args):
    return run([REPLAY_BIN] + list(args), timeout=120)


def test_text_detected_by_content(built, tmp_path):
    """a text program is one by content, not by its name"""
    prog = seeds("fault")[0]
    noext = tmp_path / "noext"
    noext.write_bytes(open(prog, "rb").read())
    r = run([REPLAY_BIN, str(noext)], timeout=120,
            extra_env={"UVMFUZZ_PRINT": "1"})
    assert r.returncode == 0, r.stderr
    # printed as decoded: the same program as the canonical text
    canon = run([os.path.join(ROOT, "out", "tools", "progtool"), "canon",
                 prog])
    assert canon.stdout in r.stdout
    # random bytes are still a binary program
    rnd = tmp_path / "rand"
    rnd.write_bytes(bytes((i * 97 + 13) % 256 for i in range(3000)))
    r = replay(str(rnd))
    assert r.returncode == 0 and "replayed 1 inputs" in r.stdout, r.stderr


def test_bad_text_program(built, tmp_path):
    p = tmp_path / "nul.prog"
    p.write_bytes(b"mmap p0 0x10000\x00 2 rw-\n")
    r = replay(str(p))
    assert (r.returncode, r.stderr) == (2, "fault: cannot replay %s: a NUL "
        "or control byte in a text program: remove it (or rename the file "
        "if it is binary)\n" % p)
    p = tmp_path / "esc.prog"
    p.write_bytes(b"mmap p0 \x1b[31mred\n")
    r = replay(str(p))
    assert r.returncode == 2 and "\x1b" not in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_text_typo_not_binary(built, tmp_path):
    """a text program with a typo, not named .prog, is reported (exit
    2), not replayed as a binary program; a crash-* file always is"""
    p = tmp_path / "typo.txt"
    p.write_text("config cpus=1\nswapof\n")
    r = replay(str(p))
    assert (r.returncode, r.stderr) == (2, "fault: %s:2:1: expected an "
        "operation (mmap, munmap, mprotect, madvise, minherit, mlock, "
        "munlock, fork, exit, read, write, pagedaemon, swapoff, swapon), "
        "got 'swapof' (fix it: it starts like a text program)\n" % p)
    c = tmp_path / "crash-typo"
    c.write_text("config cpus=1\nswapof\n")
    r = replay(str(c))
    assert r.returncode == 0 and "replayed 1 inputs" in r.stdout, r.stderr


def test_no_inputs(built, tmp_path):
    for d in (tmp_path / "dir.prog", tmp_path / "emptydir"):
        d.mkdir()
        r = replay(str(d))
        assert (r.returncode, r.stderr) == (2, "fault: no inputs in %s: give "
            "a directory holding program files\n" % d)


def test_options(built):
    for opt in ("--help", "-h"):
        r = replay(opt)
        assert r.returncode == 0 and r.stdout.startswith("usage: fault ")
    r = replay("--bogus")
    assert (r.returncode, r.stderr) == (2, "fault: unknown option --bogus: "
        "usage: fault [-h] file|directory ... (name a file ./-x)\n")
    r = replay()
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1
