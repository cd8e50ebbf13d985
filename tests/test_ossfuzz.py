"""build.sh under an OSS-Fuzz / ClusterFuzzLite environment (emulated:
the variables base-builder sets), and OSS-Fuzz's check_build: every
fuzzer has >= 100 instrumented edges, survives -runs=4, and its seed
corpus survives -runs=0 without a finding."""

import configparser
import glob
import os
import re
import zipfile

import pytest

from conftest import ROOT, assert_clean, harnesses, have, run

COMMON = "-O1 -fno-omit-frame-pointer -gline-tables-only"
UBSAN = ("array-bounds,bool,builtin,enum,float-divide-by-zero,function,"
         "integer-divide-by-zero,null,object-size,return,"
         "returns-nonnull-attribute,shift,signed-integer-overflow,"
         "unreachable,vla-bound,vptr")
CONFIGS = {
    "libfuzzer-address": dict(
        CC="clang-14", FUZZING_ENGINE="libfuzzer", SANITIZER="address",
        CFLAGS=COMMON + " -fsanitize=address -fsanitize-address-use-after-"
        "scope -fsanitize=fuzzer-no-link",
        LIB_FUZZING_ENGINE="-fsanitize=fuzzer"),
    "libfuzzer-undefined": dict(
        CC="clang-14", FUZZING_ENGINE="libfuzzer", SANITIZER="undefined",
        CFLAGS=COMMON + " -fsanitize=%s,unsigned-integer-overflow "
        "-fno-sanitize-recover=%s -fsanitize=fuzzer-no-link" % (UBSAN, UBSAN),
        LIB_FUZZING_ENGINE="-fsanitize=fuzzer"),
    "libfuzzer-thread": dict(
        CC="clang-14", FUZZING_ENGINE="libfuzzer", SANITIZER="thread",
        CFLAGS=COMMON + " -fsanitize=thread -fsanitize=fuzzer-no-link",
        LIB_FUZZING_ENGINE="-fsanitize=fuzzer"),
    "libfuzzer-coverage": dict(
        CC="clang-14", FUZZING_ENGINE="libfuzzer", SANITIZER="coverage",
        CFLAGS=COMMON + " -fprofile-instr-generate -fcoverage-mapping "
        "-pthread -Wl,--no-as-needed -Wl,-ldl -Wl,-lm "
        "-Wno-unused-command-line-argument -fsanitize=fuzzer-no-link",
        LIB_FUZZING_ENGINE="-fsanitize=fuzzer"),
    "afl-address": dict(
        CC="afl-clang-fast", FUZZING_ENGINE="afl", SANITIZER="address",
        CFLAGS=COMMON + " -fsanitize=address "
        "-fsanitize-address-use-after-scope",
        LIB_FUZZING_ENGINE="/usr/lib/afl/libAFLDriver.a"),
}
RUNTIME = {
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:"
    "silence_unsigned_overflow=1",
    "AFL_QUIET": "1",
}


def ossfuzz_build(name, tmp_path):
    cfg = CONFIGS[name]
    out, work = tmp_path / "out", tmp_path / "work"
    out.mkdir()
    work.mkdir()
    e = dict(cfg, OUT=str(out), WORK=str(work), SRC=os.path.dirname(ROOT),
             ARCHITECTURE="x86_64", CXX="clang++-14", CXXFLAGS=cfg["CFLAGS"])
    if cfg["FUZZING_ENGINE"] == "afl":
        e["AFL_USE_ASAN"] = "1"
    r = run([os.path.join(ROOT, "build.sh")], timeout=1800, extra_env=e)
    assert r.returncode == 0, "build.sh (%s) failed:\n%s" % (
        name, (r.stdout + r.stderr)[-4000:])
    return out


def check_outputs(out, target):
    b = out / target
    assert os.access(b, os.X_OK), "%s missing" % b
    z = out / (target + "_seed_corpus.zip")
    assert z.is_file(), "%s missing" % z
    with zipfile.ZipFile(z) as zf:
        names = zf.namelist()
    assert names, "empty seed corpus for %s" % target
    opts = configparser.ConfigParser()
    opts.read(out / (target + ".options"))
    assert opts.has_section("libfuzzer")
    d = opts["libfuzzer"].get("dict")
    assert d and (out / d).is_file(), "options dict=%s missing" % d
    return b, z


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_build_and_seed_corpus(built, tmp_path, name):
    if name.startswith("afl") and not have("afl-clang-fast"):
        pytest.skip("afl++ not installed")
    out = ossfuzz_build(name, tmp_path)
    for t in harnesses():
        b, z = check_outputs(out, t)
        seeds = tmp_path / ("seeds-" + t)
        with zipfile.ZipFile(z) as zf:
            zf.extractall(seeds)
        files = sorted(str(p) for p in seeds.iterdir())
        if name.startswith("afl"):
            # libAFLDriver outside afl-fuzz: runs each file argument once
            for f in files:
                r = run([str(b), f], timeout=300, extra_env=RUNTIME)
                assert_clean(r, "%s %s on %s" % (name, t, f))
            continue
        e = dict(RUNTIME, LLVM_PROFILE_FILE=str(tmp_path / "p-%p.profraw"))
        r = run([str(b), "-runs=0", str(seeds)], timeout=600, extra_env=e)
        assert_clean(r, "%s %s -runs=0 on its seed corpus" % (name, t))


def test_check_build(built, tmp_path):
    """OSS-Fuzz's check_build on the ASan libFuzzer build"""
    out = ossfuzz_build("libfuzzer-address", tmp_path)
    for t in harnesses():
        b, _ = check_outputs(out, t)
        r = run([str(b), "-runs=4"], timeout=300, extra_env=RUNTIME)
        assert_clean(r, "%s -runs=4" % t)
        m = re.search(r"INFO: Loaded \d+ modules?\s+\((\d+) (inline 8-bit "
                      r"counters|guards)\)", r.stderr)
        assert m, "no instrumentation report:\n" + r.stderr[-2000:]
        assert int(m.group(1)) >= 100, "%s: only %s edges" % (t, m.group(1))
