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


def test_sniff_and_typo(built, tmp_path):
    """text that starts like a program but does not parse is a typo,
    reported, not decoded as some binary program; a fuzzer's output
    name (crash-*, *.bin, id:*) is always binary"""
    typo = tmp_path / "typo.txt"
    typo.write_text("config cpus=1\nswapof\n")
    good = tmp_path / "good.txt"
    good.write_text("# a comment\nswapoff\n")
    words = tmp_path / "words.txt"
    words.write_text("hello world\n")
    assert [progtool("sniff", str(f)).stdout for f in (typo, good, words)] \
        == ["badtext\n", "text\n", "binary\n"]
    r = progtool("decode", str(typo))
    assert (r.returncode, r.stdout) == (2, "")
    assert r.stderr == ("%s:2:1: expected an operation (mmap, munmap, "
                        "mprotect, madvise, minherit, mlock, munlock, fork, "
                        "exit, read, write, pagedaemon, swapoff, swapon), "
                        "got 'swapof'\n" % typo)
    assert progtool("decode", str(words)).returncode == 0
    for name in ("crash-0123", "x.bin", "id:000001,sig:06"):
        f = tmp_path / name
        f.write_text("config cpus=1\nswapof\n")
        assert progtool("sniff", str(f)).stdout == "binary\n", name
        assert progtool("decode", str(f)).returncode == 0, name
    r = progtool("sniff", str(typo), "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and r.stderr == (
        "progtool: sniff writes nothing: drop -o and --force\n")


def test_random_bytes_decode(built, tmp_path):
    p = tmp_path / "random"
    p.write_bytes(os.urandom(2048))
    r = progtool("decode", str(p))
    assert r.returncode == 0, r.stderr
    t = tmp_path / "t.prog"
    t.write_text(r.stdout)
    assert progtool("check", str(t)).returncode == 0


def seed():
    return all_programs()[0]


def test_output_never_replaced_silently(built, tmp_path):
    """-o refuses an existing file without --force, and never the input"""
    out = tmp_path / "victim.bin"
    out.write_bytes(b"precious")
    r = progtool("encode", seed(), "-o", str(out))
    assert (r.returncode, r.stderr) == (2, "progtool: %s: exists: choose "
                                        "another name or pass --force\n" % out)
    assert out.read_bytes() == b"precious"
    r = progtool("encode", seed(), "-o", str(out), "--force")
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() != b"precious"
    # only the output is left: no temporary file
    assert os.listdir(tmp_path) == ["victim.bin"]


@pytest.mark.parametrize("cmd", ["encode", "canon", "decode"])
def test_output_is_input(built, tmp_path, cmd):
    """output == input (same inode, a hard link too) is always refused"""
    src = tmp_path / "in.prog"
    if cmd == "decode":
        assert progtool("encode", seed(), "-o", str(src)).returncode == 0
    else:
        src.write_bytes(open(seed(), "rb").read())
    before = src.read_bytes()
    link = tmp_path / "link.prog"
    os.link(src, link)
    for out in (src, link):
        for force in ([], ["--force"]):
            r = progtool(cmd, str(src), "-o", str(out), *force)
            assert (r.returncode, r.stderr) == (2, "progtool: %s: is the "
                "input file: write to another file\n" % out)
    assert src.read_bytes() == before


def test_output_write_errors(built, tmp_path):
    r = progtool("canon", seed(), "-o", "/nonexistent/x.prog")
    assert (r.returncode, r.stderr) == (2, "progtool: cannot write "
        "/nonexistent/x.prog: No such file or directory\n")
    if os.path.exists("/dev/full"):
        r = progtool("canon", seed(), "-o", "/dev/full")
        assert (r.returncode, r.stderr) == (2, "progtool: /dev/full: write "
                                            "error: No space left on device\n")
    r = progtool("check", seed(), "--force")
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1


@pytest.mark.parametrize("cmd", ["check", "encode", "canon"])
def test_binary_to_text_command(built, tmp_path, cmd):
    """binary input: 'use decode', never raw bytes on the terminal"""
    rnd = tmp_path / "rand.bin"
    rnd.write_bytes(bytes(range(256)) * 8)
    tiny = tmp_path / "tiny.bin"
    tiny.write_bytes(b"\x01\x1b[31m\x00")
    for f in (rnd, tiny):
        r = progtool(cmd, str(f))
        assert (r.returncode, r.stderr) == (2, "progtool: %s is a binary "
                                            "program: use decode\n" % f)


def test_nul_and_control_bytes(built, tmp_path):
    p = tmp_path / "nul.prog"
    p.write_bytes(b"mmap p0 0x10000\x00 2 rw-\n")
    r = progtool("check", str(p))
    assert (r.returncode, r.stderr) == (2, "progtool: %s:1:16: NUL byte in "
        "a text program: remove it (a binary program takes decode)\n" % p)
    p = tmp_path / "esc.prog"
    p.write_bytes(b"mmap p0 \x1b[31mred\n")
    r = progtool("check", str(p))
    assert r.returncode == 2
    assert r.stderr == "%s:1:9: expected an address or any, got " \
        "'\\x1b[31mred'\n" % p
    r = progtool("check", "x\x1by\x07")
    assert r.returncode == 2 and "x\\x1by\\x07" in r.stderr
    assert "\x1b" not in r.stderr and "\x07" not in r.stderr
