"""pytest suite of uvmfuzz (run by `./build.sh test`).

The C unit tests are cmocka programs (tests/test_*.c, built into
out/tests/<variant>/); the Python tests here run them, replay every
corpus under every sanitizer build, check the program tools, emulate
OSS-Fuzz's check_build, smoke-run each fuzzing engine, and check the
uvmfuzz command's handling of bad input.

Helpers are plain functions (imported by the test modules as
`from conftest import ...`); the `built` fixture brings the tree up to
date once per session.
"""

import glob
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UVMFUZZ = os.path.join(ROOT, "fuzz", "uvmfuzz")
PROGTOOL = os.path.join(ROOT, "out", "tools", "progtool")
JOBS = str(os.cpu_count() or 2)

# the signs of a finding in a run's output
FINDING_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                 "WARNING: ThreadSanitizer", "runtime error:",
                 "ERROR: libFuzzer", "panic: ")

SAN_ENV = {
    "ASAN_OPTIONS": "handle_abort=1:detect_leaks=1:dedup_token_length=3",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
    # report_signal_unsafe=0: libFuzzer's crash handler mallocs, and TSan
    # reporting that from the signal handler deadlocks
    "TSAN_OPTIONS": "halt_on_error=1:abort_on_error=1:history_size=4:"
    "report_signal_unsafe=0",
}


def harnesses():
    return sorted(os.path.basename(p)[:-2]
                  for p in glob.glob(os.path.join(ROOT, "fuzz/harness/*.c")))


def cmocka_tests():
    return sorted(os.path.basename(p)[:-2]
                  for p in glob.glob(os.path.join(ROOT, "tests/test_*.c")))


def seeds(target):
    return sorted(glob.glob(os.path.join(ROOT, "corpus", target, "*.prog")))


def regress():
    return sorted(glob.glob(os.path.join(ROOT, "corpus/regress/*.prog")))


def all_programs():
    progs = regress()
    for t in harnesses():
        progs += seeds(t)
    return sorted(set(progs))


def env(extra=None):
    e = dict(os.environ)
    e.update(SAN_ENV)
    if extra:
        e.update(extra)
    return e


def run(cmd, timeout=600, extra_env=None, cwd=ROOT, **kw):
    """run cmd, return CompletedProcess with text stdout/stderr; a run
    longer than timeout seconds is killed and returns status -9 with a
    note at the end of stderr"""
    try:
        return subprocess.run(cmd, cwd=cwd, env=env(extra_env),
                              timeout=timeout, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, errors="replace", **kw)
    except subprocess.TimeoutExpired as e:
        def text(b):
            if isinstance(b, bytes):
                return b.decode(errors="replace")
            return b or ""
        return subprocess.CompletedProcess(
            cmd, -9, text(e.stdout), text(e.stderr) +
            "\nTIMEOUT: killed after %d s: %s\n" % (timeout, " ".join(cmd)))


def tail(s, n=60):
    return "\n".join(s.splitlines()[-n:])


def assert_clean(r, what):
    """r (CompletedProcess) exited 0 and printed no finding"""
    out = r.stdout + r.stderr
    marks = [m for m in FINDING_MARKS if m in out]
    assert r.returncode == 0 and not marks, (
        "%s: exit %d, %s\n%s" % (what, r.returncode, marks or "no report",
                                 tail(out)))


def encode(src, dst):
    r = run([PROGTOOL, "encode", src, "-o", dst], timeout=60)
    assert r.returncode == 0, "progtool encode %s: %s" % (src, r.stderr)


def encode_all(files, dstdir):
    """binary encodings of files into dstdir; returns their paths"""
    os.makedirs(dstdir, exist_ok=True)
    out = []
    for f in files:
        dst = os.path.join(dstdir, os.path.basename(f)[:-5])
        if os.path.exists(dst):
            dst += "-" + os.path.basename(os.path.dirname(f))
        encode(f, dst)
        out.append(dst)
    return out


@pytest.fixture(scope="session")
def built():
    """the whole tree built (incremental: fast after ./build.sh).
    UVMFUZZ_TEST_NOBUILD=1 (set by ./build.sh test, which has just built
    everything) skips the make run."""
    if os.environ.get("UVMFUZZ_TEST_NOBUILD") == "1":
        return ROOT
    r = subprocess.run(["make", "-j" + JOBS, "world"], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       errors="replace")
    if r.returncode != 0:
        pytest.fail("make world failed:\n" + tail(r.stdout, 40))
    return ROOT


def have(prog):
    return shutil.which(prog) is not None


sys.dont_write_bytecode = True
