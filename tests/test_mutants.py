"""The planted-bug mutants (fuzz/mutants/): every patch still applies to
the tree, and every mutant recorded in fuzz/mutants/detected.txt is still
found by its scenario program while the correct tree passes it."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT

MUT = os.path.join(ROOT, "fuzz", "mutants")
PATCHES = sorted(f for f in os.listdir(MUT) if f.endswith(".patch"))


def detected():
    with open(os.path.join(MUT, "detected.txt")) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


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
    ids = detected()
    assert ids, "fuzz/mutants/detected.txt lists no mutant"
    r = subprocess.run([sys.executable, os.path.join(MUT, "mutants.py"),
                        "check", "--workdir", str(tmp_path)] + ids,
                       cwd=ROOT, capture_output=True, text=True,
                       timeout=1800)
    assert r.returncode == 0, r.stdout + r.stderr
    for i in ids:
        line = [l for l in r.stdout.splitlines() if l.split()[:1] == [i]]
        assert line and line[0].split()[1] == "OK", r.stdout
