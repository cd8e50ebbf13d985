"""Each cmocka program (tests/test_*.c) under each test build: plain and
ASan+UBSan, lock-reduced and big-lock (out/tests/<variant>/)."""

import os

import pytest

from conftest import ROOT, cmocka_tests, run, tail

# sanitizer reports; not "panic:", which tests of the checks print on
# purpose (a panic hook turns them into test results)
REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
           "WARNING: ThreadSanitizer", "runtime error:")

VARIANTS = ("plain", "asan", "plain-biglock", "asan-biglock")


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("test", cmocka_tests())
def test_cmocka(built, test, variant):
    b = os.path.join(ROOT, "out", "tests", variant, test)
    assert os.access(b, os.X_OK), "%s was not built" % b
    r = run([b], timeout=900)
    out = r.stdout + r.stderr
    reports = [m for m in REPORTS if m in out]
    # cmocka exits with the number of failed tests
    assert r.returncode == 0 and not reports, "%s (%s): exit %d %s\n%s" % (
        test, variant, r.returncode, reports, tail(out, 80))
