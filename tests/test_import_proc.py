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
     "import_proc: {f}:2: not an strace system call line: 'hello world': give an unedited strace -f log"),
    ("strace", "100 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n100 mmap(NULL, 40",
     "import_proc: {f}:2: the log ends in the middle of a line: capture again and let strace finish"),
    ("strace", "100 <... mmap resumed>) = 0x7f0000000000\n",
     "import_proc: {f}:1: 'mmap resumed' without its start: capture the whole run with strace -f"),
    ("strace", "100 mmap(NULL, 4096) = 0x7f0000000000\n",
     "import_proc: {f}:1: mmap takes 6 arguments, got 2: fix the line or capture again"),
    ("maps", "555555554000-555555556000 r--p 00000000 fe:01 1234 /usr/bin/cat\ngarbage\n",
     "import_proc: {f}:2: not a /proc/PID/maps line: 'garbage': give an unedited copy of /proc/PID/maps"),
    ("maps", "555555556000-555555554000 r--p 00000000 fe:01 1234 /usr/bin/cat\n",
     "import_proc: {f}:1: bad range 555555556000-555555554000: give an unedited copy of /proc/PID/maps"),
    # a hex result where strace prints decimal (openat), leading zeros
    ("strace", "1 openat(AT_FDCWD, \"/x\", O_RDONLY) = 0x10\n1 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 16, 0) = 0x7f0000000000\n1 clone(child_stack=NULL, flags=SIGCHLD) = 0x\n",
     "import_proc: {f}:3: not an strace system call line: 'clone(child_stack=NULL, flags=SIGCHLD) = 0x': give an unedited strace -f log"),
    ("strace", "1 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0x) = 0x7f0000000000\n",
     "import_proc: {f}:1: expected an offset, got '0x': fix the line or capture again"),
    ("strace", "1 mmap(NULL, 4096, PROT_READ|0x1z, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n",
     "import_proc: {f}:1: unexpected flag '0x1z': fix the line or capture again"),
    ("strace", "1 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n1 mprotect(0x7f0000000000, 4096) = 0\n",
     "import_proc: {f}:2: mprotect has 2 arguments, expected at least 3: fix the line or capture again"),
    ("strace", "1 mmap(NULL, -4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n",
     "import_proc: {f}:1: mmap of -4096 bytes at 0x7f0000000000, offset 0 succeeded: fix the line or capture again"),
    ("strace", "1 brk(NULL) = 0x1\x1b[31m\n",
     "import_proc: {f}:1: not an strace system call line: 'brk(NULL) = 0x1\\x1b[31m': give an unedited strace -f log"),
    ("maps", "7fff0000-7fff2000 r-xp 00000000 00:00 0 [vdso]\n",
     "import_proc: {f}: nothing to import: every mapping was dropped (kernel special mapping): give the maps of an ordinary process"),
    ("strace", "1 openat(AT_FDCWD, \"/x\", O_RDONLY) = 3\n",
     "import_proc: {f}: nothing to import: no memory operation of the traced processes survived (none): capture with strace -f -e trace=memory,process,openat"),
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
    assert (r.returncode, r.stderr) == (2, "import_proc: %s: cannot read: "
        "No such file or directory: check the file name\n" % (tmp_path / "nope"))
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


def test_hex_openat_result(tmp_path):
    """openat's result in hex (a mutated trace) is a number, no traceback"""
    f = tmp_path / "in.trace"
    f.write_text('1 openat(AT_FDCWD, "/x", O_RDONLY) = 0x10\n'
                 '1 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 16, 0) = '
                 '0x7f0000000000\n')
    r = run("strace", str(f))
    assert r.returncode == 0, r.stderr
    assert "private obj0 off=0" in r.stdout


def mutate(rnd, s):
    toks = ["0x10", "-1", "0", "NULL", "(", ")", ",", " = ", "?", "\n",
            "0x", "-", "99999999999999999999999", "MAP_FIXED", "\x00",
            "<unfinished ...>", "<... mmap resumed>", "[pid 5] ", "010",
            "\x1b", "PROT_READ|0x", '"', "{"]
    s = list(s)
    for _ in range(rnd.randint(1, 4)):
        k, i = rnd.randrange(4), rnd.randrange(len(s) + 1)
        if k == 0 and s:
            del s[i % len(s):i % len(s) + rnd.randint(1, 8)]
        elif k == 1:
            s[i:i] = list(rnd.choice(toks))
        elif k == 2 and s:
            s[i % len(s)] = chr(rnd.randrange(32, 127))
        else:
            j = rnd.randrange(len(s) + 1)
            s[i:i] = s[j:j + rnd.randint(1, 30)]
    return "".join(s)


def test_mutated_traces(tmp_path):
    """garbage anywhere in a trace: exit 0 with a program, or exit 2 with
    one line of stderr; never a traceback"""
    import random
    rnd = random.Random(20261129)
    with open(os.path.join(DATA, "small.trace")) as f:
        base = f.read()
    inp = tmp_path / "m.trace"
    for i in range(300):
        text = mutate(rnd, base)
        inp.write_bytes(text.encode("utf-8"))
        r = run("strace", str(inp))
        what = "mutation %d: %r" % (i, text)
        assert r.returncode in (0, 2), what + r.stderr
        if r.returncode == 2:
            assert len(r.stderr.splitlines()) == 1, what + r.stderr
            assert r.stderr.startswith("import_proc: "), what
            assert "internal error" not in r.stderr, what + r.stderr
            assert r.stdout == "", what
        else:
            assert r.stderr == "", what + r.stderr
            assert CONFIG in r.stdout, what


def test_output_errors_leave_nothing(tmp_path):
    maps = os.path.join(DATA, "small.maps")
    r = run("maps", maps, "-o", "/nonexistent/x.prog")
    assert (r.returncode, r.stderr) == (2, "import_proc: /nonexistent/x.prog: "
        "cannot write: No such file or directory: check the directory and "
        "the free space\n")
    if os.path.exists("/dev/full"):
        r = run("maps", maps, "-o", "/dev/full", "--force")
        assert (r.returncode, r.stderr) == (2, "import_proc: /dev/full: "
            "cannot write: No space left on device: choose another -o\n")
    # the input itself is never an output, --force or not
    f = tmp_path / "in.maps"
    f.write_text(open(maps).read())
    r = run("maps", str(f), "-o", str(f), "--force")
    assert (r.returncode, r.stderr) == (2, "import_proc: %s: is the input "
        "file: write to another file\n" % f)
    assert f.read_text() == open(maps).read()
    # a successful -o leaves no temporary file behind
    r = run("maps", maps, "-o", str(tmp_path / "out.prog"))
    assert r.returncode == 0, r.stderr
    assert sorted(os.listdir(tmp_path)) == ["in.maps", "out.prog"]


def test_capture_newline_escaped():
    r = run("maps", os.path.join(DATA, "small.maps"),
            "--capture", "cat maps\nconfig cpus=4\ncpu0: exit p0")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(
        "# captured with: cat maps\\nconfig cpus=4\\ncpu0: exit p0\n")
    assert ops(r.stdout)[0] == CONFIG
