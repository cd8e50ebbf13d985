"""Tests of fuzz/tools/import_proc.py (real-process seed importer).

The expected programs were worked out by hand from the small captures in
tests/data/import/: relocation puts the first cluster at 0x100000 and
each further one 0x50000 later (64 pages + a 16-page gap); brk(NULL)
reserves a cluster; a MAP_FIXED mapping keeps its offset in its cluster.
"""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOL = os.path.join(ROOT, "fuzz", "tools", "import_proc.py")
DATA = os.path.join(ROOT, "tests", "data", "import")
CONFIG = "config cpus=1 pages=128 freetarg=8 swap=256 seed=0x0 pdaemon=none"


def run(*args):
    return subprocess.run([sys.executable, TOOL] + list(args),
                          capture_output=True, text=True)


def ops(text):
    return [l for l in text.splitlines() if l and not l.startswith("#")]


def test_strace_small():
    r = run("strace", os.path.join(DATA, "small.trace"))
    assert r.returncode == 0, r.stderr
    assert ops(r.stdout) == [
        CONFIG,
        # brk(NULL) reserved 0x100000; first anon mmap: next cluster
        "cpu0: mmap p0 0x150000 2 rw- maxprot=rwx private anon inherit=copy advice=normal",
        "cpu0: write p0 0x150000 =257",
        "cpu0: read p0 0x150000",
        # libc: 10 pages at 0x1a0000, then MAP_FIXED text at +2 pages
        "cpu0: mmap p0 0x1a0000 10 r-- maxprot=rwx private obj0 off=0 inherit=copy advice=normal",
        "cpu0: read p0 0x1a0000",
        "cpu0: mmap p0 0x1a2000 2 r-x maxprot=rwx private obj0 off=2 inherit=copy advice=normal",
        "cpu0: read p0 0x1a2000",
        "cpu0: mprotect p0 0x1a0000 1 ---",
        # brk grows 0x555555559000 -> 0x55555557a000: 33 pages
        "cpu0: mmap p0 0x100000 33 rw- maxprot=rwx private anon inherit=copy advice=normal",
        "cpu0: write p0 0x100000 =258",
        "cpu0: read p0 0x100000",
        "cpu0: fork p0 -> p1",
        "cpu0: write p1 0x150000 =259",
        "cpu0: read p0 0x150000",
        "cpu0: munmap p1 0x150000 2",
        "cpu0: exit p1",
        "cpu0: exit p0",
    ]
    # failed mmap, and the mprotect of the exec-time mapping, are noted
    assert "# dropped: 1 x failed calls" in r.stdout
    assert "# dropped: 1 x mprotect outside every relocated mapping" in r.stdout


def test_maps_small():
    r = run("maps", os.path.join(DATA, "small.maps"))
    assert r.returncode == 0, r.stderr
    assert ops(r.stdout) == [
        CONFIG,
        "cpu0: mmap p0 0x100000 2 r-- maxprot=rwx private obj0 off=0 inherit=copy advice=normal",
        "cpu0: read p0 0x100000",
        "cpu0: mmap p0 0x102000 1 rw- maxprot=rwx private obj0 off=2 inherit=copy advice=normal",
        "cpu0: write p0 0x102000 =257",
        "cpu0: read p0 0x102000",
        # [heap] is adjacent to cat's data: same cluster
        "cpu0: mmap p0 0x103000 33 rw- maxprot=rwx private anon inherit=copy advice=normal",
        "cpu0: write p0 0x103000 =258",
        "cpu0: read p0 0x103000",
        "cpu0: mmap p0 0x150000 1 rw- maxprot=rwx shared obj1 off=0 inherit=copy advice=normal",
        "cpu0: write p0 0x150000 =259",
        "cpu0: read p0 0x150000",
        "cpu0: mmap p0 0x1a0000 33 rw- maxprot=rwx private anon inherit=copy advice=normal stack",
        "cpu0: write p0 0x1a0000 =260",
        "cpu0: read p0 0x1a0000",
    ]
    assert "# dropped: 1 x kernel special mapping" in r.stdout


@pytest.mark.parametrize("kind,content,expect", [
    ("strace", "100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\nhello world\n",
     "import_proc: {f}:2: not an strace system call line: 'hello world'"),
    ("strace", "100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n100 mmap(NULL, 40",
     "import_proc: {f}:2: the log ends in the middle of a line: capture again and let strace finish"),
    ("strace", "100 <... mmap resumed>) = 0x7f0000000000\n",
     "import_proc: {f}:1: 'mmap resumed' without its start"),
    ("strace", "100 mmap(NULL, 4096) = 0x7f0000000000\n",
     "import_proc: {f}:1: mmap takes 6 arguments, got 2"),
    ("maps", "555555554000-555555556000 r--p 00000000 fe:01 1234 /usr/bin/cat\ngarbage\n",
     "import_proc: {f}:2: not a /proc/PID/maps line: 'garbage'"),
    ("maps", "555555556000-555555554000 r--p 00000000 fe:01 1234 /usr/bin/cat\n",
     "import_proc: {f}:1: bad range 555555556000-555555554000"),
    ("maps", "", "import_proc: {f}: is empty: capture again (see --help)"),
    ("strace", "\x00\xff\xfe", "import_proc: {f}: is not text: give a /proc/PID/maps snapshot or an strace log"),
])
def test_bad_input(tmp_path, kind, content, expect):
    f = tmp_path / "in.txt"
    f.write_bytes(content.encode("latin-1"))
    r = run(kind, str(f))
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr == expect.format(f=f) + "\n"


def test_missing_dir_and_flags(tmp_path):
    r = run("strace", str(tmp_path / "nope"))
    assert r.returncode == 2 and r.stderr.startswith("import_proc: ")
    assert len(r.stderr.splitlines()) == 1
    r = run("maps", str(tmp_path))
    assert (r.returncode, r.stderr) == (2, "import_proc: %s: is a directory: give a file\n" % tmp_path)
    r = run("maps", "--bogus", str(tmp_path))
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1
    r = run()
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1


def test_never_overwrites(tmp_path):
    out = tmp_path / "out.prog"
    out.write_text("precious\n")
    r = run("maps", os.path.join(DATA, "small.maps"), "-o", str(out))
    assert r.returncode == 2
    assert out.read_text() == "precious\n"
    r = run("maps", os.path.join(DATA, "small.maps"), "-o", str(out), "--force")
    assert r.returncode == 0
    assert out.read_text().startswith("# imported by")
