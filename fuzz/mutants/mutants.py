#!/usr/bin/env python3
"""fuzz/mutants/mutants.py: list and check the planted-bug mutants.

The machinery lives in fuzz/uvmfuzz_lib/mutants.py (shared with
`uvmfuzz bench --mutant`, which measures detection power); this is its
command line:

  mutants.py list [--json]
  mutants.py check ID... | --all  [--fuzz SECONDS] [--fuzz-ids ID,...]
                                  [--fuzz-seed N]
                                  [--seeds N] [--workdir DIR] [--json]
                                  [--results FILE]

check: per mutant, the patch applies, its scenario (<ID>.prog) gives a
finding of the header's Oracle kind on the mutant and none on the correct
tree; with --fuzz also one fuzzing trial (header's Target, seed corpus
only, -seed N) whose result is printed (DETECTED / not-detected) and kept
in --json.  Exit status 0 all scenarios good, 1 some scenario check
failed, 2 usage or a named patch that does not apply (one line), 130
interrupted.

--workdir (default /tmp/uvmfuzz-mutants) must be new, empty or one an
earlier check or bench made (it holds the marker .uvmfuzz-workdir), and
outside the source tree; it is locked while in use.  The built base/ is
kept there for the next run, fuzzing inputs go to inputs/, a failed
mutant build's log to <ID>.build.log; everything else (clones, trial and
seed directories) lives in a run-*/ directory removed at exit.

Importable as before (tests/test_determinism.py, README "Races"): it
re-exports the library's functions (find_mutant, sync_tree,
patch_applies, ...).
"""
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

from uvmfuzz_lib.mutants import *  # noqa: E402,F401,F403
from uvmfuzz_lib.mutants import main  # noqa: E402


def on_signal(signum, frame):
    """SIGTERM/SIGHUP: unwind like ^C, so the run's scratch directory and
    its builds and fuzzers are cleaned up"""
    raise KeyboardInterrupt


if __name__ == "__main__":
    import signal
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    sys.exit(main())
