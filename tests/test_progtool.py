"""The program tools through their command lines: every seed and
regression program checks, encodes, decodes, and the round trip
text -> binary -> text -> binary is stable."""

import os

import pytest

from conftest import PROGTOOL, all_programs, run


def progtool(*args):
    return run([PROGTOOL] + list(args), timeout=60)


@pytest.mark.parametrize("prog", all_programs(),
                         ids=lambda p: os.path.relpath(p))
def test_round_trip(built, tmp_path, prog):
    r = progtool("check", prog)
    assert r.returncode == 0 and not r.stdout, r.stderr
    b1, t1, b2 = (str(tmp_path / n) for n in ("b1", "t1.prog", "b2"))
    assert progtool("encode", prog, "-o", b1).returncode == 0
    r = progtool("decode", b1, "-o", t1)
    assert r.returncode == 0, r.stderr
    assert progtool("encode", t1, "-o", b2).returncode == 0
    with open(b1, "rb") as f1, open(b2, "rb") as f2:
        assert f1.read() == f2.read(), "binary changed after a round trip"
    # decoded text is canonical: canon leaves it unchanged
    r = progtool("canon", t1)
    with open(t1) as f:
        assert r.returncode == 0 and r.stdout == f.read()


@pytest.mark.parametrize("args", [
    ["decode", "/nonexistent/file"],
    ["encode", "/nonexistent/file.prog"],
    ["check", "/"],
    ["bogus", "x"],
    [],
])
def test_bad_input(built, args):
    r = progtool(*args)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_malformed_text(built, tmp_path):
    p = tmp_path / "bad.prog"
    p.write_text("mmap p0 0x1000 banana\n")
    r = progtool("check", str(p))
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_random_bytes_decode(built, tmp_path):
    p = tmp_path / "random"
    p.write_bytes(os.urandom(2048))
    r = progtool("decode", str(p))
    assert r.returncode == 0, r.stderr
    t = tmp_path / "t.prog"
    t.write_text(r.stdout)
    assert progtool("check", str(t)).returncode == 0
