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
