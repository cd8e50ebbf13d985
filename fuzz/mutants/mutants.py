#!/usr/bin/env python3
"""fuzz/mutants/mutants.py: the planted-bug benchmark's core.

Each row of BUGS.md is a mutant: fuzz/mutants/<ID>-<name>.patch, a unified
diff on uvm/ with a header block before the first `---` line (Id, Bug,
Source, Oracle, Target, Scenario, Program), and fuzz/mutants/<ID>.prog, a
hand-written program that reaches the bug.  This module

  - lists the mutants and their headers (list_mutants, parse_header);
  - copies the repository's working tree (files git tracks plus untracked
    ones not ignored, so it works before a commit) into a scratch base
    directory, builds the binaries there once, and clones that base for
    each mutant, so a mutant rebuilds only the files its patch touches
    (prepare_base, prepare_mutant);
  - checks a mutant (check_mutant): the patch applies; its scenario gives
    a finding of the expected kind on the mutant and none on the correct
    tree;
  - optionally measures the `fault` libFuzzer binary on the mutant, seeded
    with corpus/fault/*.prog only (fuzz_mutant): time to the first finding,
    its kind, whether a seed itself or a mutation found it, and whether
    the input also fails on the correct tree (then it is not the
    mutant's finding).

Command line (exit status 0 all good, 1 some check failed, 2 usage or a
patch that does not apply, with one line saying what is wrong):

  mutants.py list [--json]
  mutants.py check ID... | --all  [--fuzz SECONDS] [--seeds N]
                                  [--workdir DIR] [--json]

Never applies anything to the working tree: every mutant lives in its own
copy under the work directory (default $UVMFUZZ_MUTANT_DIR or
/tmp/uvmfuzz-mutants).  Python 3 standard library only; importable (the
uvmfuzz command uses these functions).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
HEADER_KEYS = ("Id", "Bug", "Source", "Oracle", "Target", "Scenario",
               "Program", "Note")
# what a header's Oracle accepts as the observed finding kind
ORACLE_KINDS = {
    "kassert": {"panic"},
    "panic": {"panic"},
    "lock": {"panic", "lock"},
    "lock-order": {"lock-order"},
    "deadlock": {"deadlock"},
    "asan": {"asan"},
    "tsan": {"tsan"},
    "invariant": {"invariant"},
    "oracle": {"oracle"},
    "leak": {"leak", "asan-leak"},
}
SCENARIO_TIMEOUT = 120
FINDING_RE = re.compile(r"^uvmfuzz: finding: ([a-z-]+): (.*)$", re.M)


class MutantError(Exception):
    """A one-line problem (usage, missing file, patch does not apply)."""


def parse_header(path):
    """The header block of a patch file (lines before the first `---`)
    as a dict of HEADER_KEYS; a key missing from the file is absent."""
    hdr = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("--- "):
                break
            m = re.match(r"^([A-Za-z]+):\s*(.*)$", line.rstrip("\n"))
            if m and m.group(1) in HEADER_KEYS:
                hdr[m.group(1)] = m.group(2)
    return hdr


def list_mutants(root=ROOT):
    """Every fuzz/mutants/<ID>-<name>.patch of root, in BUGS.md-ish id
    order: a list of dicts with id, name, patch, prog (path or None) and
    the header fields (lower-cased keys)."""
    mdir = os.path.join(root, "fuzz", "mutants")
    out = []
    for fn in os.listdir(mdir):
        m = re.match(r"^([A-Z][0-9]+)-(.+)\.patch$", fn)
        if not m:
            continue
        path = os.path.join(mdir, fn)
        ent = {"id": m.group(1), "name": m.group(2), "patch": path}
        prog = os.path.join(mdir, m.group(1) + ".prog")
        ent["prog"] = prog if os.path.exists(prog) else None
        for k, v in parse_header(path).items():
            ent[k.lower()] = v
        out.append(ent)

    def key(e):
        return ("OMNFL".find(e["id"][0]), int(e["id"][1:]))
    return sorted(out, key=key)


def find_mutant(mid, root=ROOT):
    for m in list_mutants(root):
        if m["id"].lower() == mid.lower():
            return m
    raise MutantError(f"no mutant {mid} in {root}/fuzz/mutants "
                      "(see `mutants.py list`)")


def tree_files(root=ROOT):
    """Paths (relative) of the files git tracks plus untracked ones that
    are not ignored; the build output out/ is never included."""
    try:
        p = subprocess.run(["git", "ls-files", "-co", "--exclude-standard",
                            "-z"], cwd=root, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise MutantError(f"cannot list the tree of {root} with git: {e}")
    return [f for f in p.stdout.decode().split("\0")
            if f and not f.startswith("out/")]


def sync_tree(root, dest):
    """Make dest hold the current tree of root: copy new or changed files
    (fresh mtimes, so make rebuilds what depends on them), delete files
    no longer in the tree (outside out/)."""
    files = set(tree_files(root))
    for rel in files:
        src, dst = os.path.join(root, rel), os.path.join(dest, rel)
        if not os.path.isfile(src):
            continue
        if os.path.exists(dst):
            with open(src, "rb") as a, open(dst, "rb") as b:
                if a.read() == b.read():
                    continue
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)
        shutil.copymode(src, dst)
    for dirpath, dirnames, filenames in os.walk(dest):
        rel = os.path.relpath(dirpath, dest)
        if rel == "out" or rel.startswith("out" + os.sep):
            dirnames[:] = []
            continue
        for fn in filenames:
            r = os.path.normpath(os.path.join(rel, fn))
            if r not in files:
                os.unlink(os.path.join(dirpath, fn))


def has_mp(tree):
    return os.path.exists(os.path.join(tree, "fuzz", "harness", "fault_mp.c"))


def targets(tree, fuzz=False):
    """The binaries a check needs in tree: replay (and libFuzzer with
    fuzz) of `fault`, progtool, and fault_mp's when its harness exists."""
    t = ["out/replay-asan/fault", "out/replay-tsan/fault",
         "out/tools/progtool"]
    if fuzz:
        t.append("out/libfuzzer-asan/fault")
    if has_mp(tree):
        t += ["out/replay-asan/fault_mp", "out/replay-tsan/fault_mp"]
    return t


def build(tree, tgts, log):
    """make -j2 the targets in tree; the output goes to log.  Raises
    MutantError when the build fails."""
    with open(log, "w") as f:
        p = subprocess.run(["make", "-j2"] + tgts, cwd=tree, stdout=f,
                           stderr=subprocess.STDOUT)
    if p.returncode != 0:
        raise MutantError(f"build failed in {tree}: see {log}")


def prepare_base(workdir, root=ROOT, fuzz=False):
    """The correct tree, synced from root and built, at workdir/base."""
    base = os.path.join(workdir, "base")
    os.makedirs(base, exist_ok=True)
    sync_tree(root, base)
    build(base, targets(base, fuzz), os.path.join(workdir, "base.build.log"))
    return base


def patch_applies(patch, tree):
    """(True, "") if `git apply --check` accepts patch in tree, else
    (False, git's first line)."""
    p = subprocess.run(["git", "apply", "--check", patch], cwd=tree,
                       capture_output=True, text=True)
    if p.returncode == 0:
        return True, ""
    err = (p.stderr or p.stdout).strip().splitlines()
    return False, err[0] if err else "git apply --check failed"


def prepare_mutant(mut, base, workdir, fuzz=False):
    """A copy of base (build outputs included) with mut's patch applied
    and its binaries rebuilt, at workdir/<ID>.  Raises MutantError if the
    patch does not apply."""
    ok, why = patch_applies(mut["patch"], base)
    if not ok:
        raise MutantError(f"{mut['id']}: patch does not apply: {why}")
    tree = os.path.join(workdir, mut["id"])
    if os.path.exists(tree):
        shutil.rmtree(tree)
    shutil.copytree(base, tree, symlinks=True)
    p = subprocess.run(["git", "apply", mut["patch"]], cwd=tree,
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise MutantError(f"{mut['id']}: git apply failed: "
                          f"{p.stderr.strip()}")
    build(tree, targets(tree, fuzz), os.path.join(workdir,
                                                  mut["id"] + ".build.log"))
    return tree


def classify(output):
    """(kind, message) of the first finding in a run's output, or
    (None, "") when there is none.  Sanitizer reports count when no
    uvmfuzz finding line came first."""
    m = FINDING_RE.search(output)
    pos = m.start() if m else len(output)
    san = [("asan", r"ERROR: AddressSanitizer: (.*)"),
           ("asan-leak", r"ERROR: LeakSanitizer: (.*)"),
           ("tsan", r"WARNING: ThreadSanitizer: (.*)"),
           ("ubsan", r"runtime error: (.*)")]
    best = None
    for kind, rx in san:
        s = re.search(rx, output)
        if s and s.start() < pos and (best is None or s.start() < best[0]):
            best = (s.start(), kind, s.group(1).strip())
    if best:
        return best[1], best[2]
    if m:
        return m.group(1), m.group(2).strip()
    return None, ""


def run_replay(binary, prog, cwd, timeout=SCENARIO_TIMEOUT):
    """Replay prog with binary: (kind, message, seconds)."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([binary, prog], cwd=cwd, capture_output=True,
                           text=True, errors="replace", timeout=timeout)
        out = p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        return "timeout", f"no exit in {timeout} s", timeout
    kind, msg = classify(out)
    if kind is None and p.returncode != 0:
        kind, msg = "crash", f"exit status {p.returncode}"
    return kind, msg, time.monotonic() - t0


def scenario_binaries(tree, target):
    """The replay binaries a mutant's scenario runs with: `fault` with
    ASan and with TSan (it keeps the concurrent pagedaemon CPU), then
    fault_mp's when its harness exists; a fault_mp program runs on
    `fault` too (all ops moved to CPU 0)."""
    bins = ["out/replay-asan/fault", "out/replay-tsan/fault"]
    if has_mp(tree):
        bins += ["out/replay-asan/fault_mp", "out/replay-tsan/fault_mp"]
    return [os.path.join(tree, b) for b in bins
            if os.path.exists(os.path.join(tree, b))]


def concurrent(prog):
    """Whether the program text runs more than one CPU (cpus > 1 or a
    pagedaemon CPU) and leaves the schedule to the seed (no schedule
    bytes): then a seed sweep is worth it."""
    text = open(prog, encoding="utf-8").read()
    if re.search(r"^\s*schedule\b", text, re.M):
        return False
    cfg = re.search(r"^\s*config\b(.*)$", text, re.M)
    if not cfg:
        return False
    c = cfg.group(1)
    m = re.search(r"cpus=(\d+)", c)
    return (m is not None and int(m.group(1)) > 1) or \
        re.search(r"pdaemon=\d+x\d+", c) is not None


def with_seed(prog, seed, dest):
    """A copy of prog (text) at dest with the config's seed set."""
    text = open(prog, encoding="utf-8").read()
    text = re.sub(r"^(\s*config\b.*?)(\s+seed=\S+)?$",
                  lambda m: m.group(1) + f" seed={seed:#x}", text,
                  count=1, flags=re.M)
    with open(dest, "w", encoding="utf-8") as f:
        f.write(text)
    return dest


def run_scenario(tree, mut, seeds=16):
    """Run mut's program on tree with every binary (scenario_binaries);
    a concurrent program without schedule bytes is also run with seeds
    1..seeds-1.  The first finding wins.  Returns dict(kind, msg, binary,
    seed) (kind None: no finding)."""
    bins = scenario_binaries(tree, mut.get("target", "fault"))
    progs = [(0, mut["prog"])]
    if seeds > 1 and concurrent(mut["prog"]):
        tmp = tempfile.mkdtemp(prefix="seeds-", dir=os.path.dirname(tree))
        progs += [(s, with_seed(mut["prog"], s, os.path.join(
            tmp, f"{mut['id']}-{s}.prog"))) for s in range(1, seeds)]
    for seed, prog in progs:
        for b in bins:
            kind, msg, _ = run_replay(b, prog, tree)
            if kind is not None:
                return {"kind": kind, "msg": msg, "seed": seed,
                        "binary": os.path.relpath(b, tree)}
    res = {"kind": None, "msg": "", "binary": None, "seed": None}
    if mut.get("target") == "fault_mp" and not has_mp(tree):
        res["msg"] = "fault_mp harness not built yet"
    return res


def expected_ok(mut, kind, msg):
    """Whether an observed finding kind is what the header's Oracle
    names (lock misuse shows up as a panic of the checking locks)."""
    want = mut.get("oracle", "").split()[0] if mut.get("oracle") else ""
    if kind is None or want not in ORACLE_KINDS:
        return False
    if want == "lock" and kind == "panic":
        return re.search(r"lock|rw_|mtx|held", msg) is not None
    return kind in ORACLE_KINDS[want]


def encode_corpus(tree, dest):
    """corpus/fault/*.prog of tree encoded (progtool) into dest."""
    os.makedirs(dest, exist_ok=True)
    src = os.path.join(tree, "corpus", "fault")
    tool = os.path.join(tree, "out", "tools", "progtool")
    n = 0
    for fn in sorted(os.listdir(src)):
        if not fn.endswith(".prog"):
            continue
        out = os.path.join(dest, fn[:-5] + ".bin")
        p = subprocess.run([tool, "encode", os.path.join(src, fn), "-o",
                            out], capture_output=True, text=True)
        if p.returncode != 0:
            raise MutantError(f"progtool encode {fn}: {p.stderr.strip()}")
        n += 1
    return n


def fuzz_mutant(tree, seconds, label):
    """Fuzz tree's `fault` (libFuzzer, ASan) from the seed corpus alone
    for at most seconds: dict(kind, msg, seconds) with seconds the wall
    time to the first finding (None when nothing was found)."""
    work = tempfile.mkdtemp(prefix=f"fuzz-{label}-",
                            dir=os.path.dirname(tree))
    corpus = os.path.join(work, "corpus")
    encode_corpus(tree, corpus)
    binary = os.path.join(tree, "out", "libfuzzer-asan", "fault")
    t0 = time.monotonic()
    p = subprocess.run([binary, f"-max_total_time={seconds}",
                        f"-artifact_prefix={work}/", "-print_final_stats=0",
                        corpus], cwd=work, capture_output=True, text=True,
                       errors="replace", timeout=seconds + 120)
    dt = time.monotonic() - t0
    out = p.stdout + p.stderr
    with open(os.path.join(work, "fuzz.log"), "w") as f:
        f.write(out)
    kind, msg = classify(out)
    if kind is None and p.returncode != 0:
        kind, msg = "crash", f"exit status {p.returncode}"
    # libFuzzer prints INITED after running the seeds: a finding before
    # it came from a seed program itself, not from a mutation
    return {"kind": kind, "msg": msg,
            "seconds": round(dt, 1) if kind else None,
            "in_seeds": kind is not None and "INITED" not in out,
            "dir": work}


def check_mutant(mut, base, workdir, fuzz_seconds=0, seeds=16):
    """The whole check of one mutant: dict with applies, mutant and
    correct-tree scenario results, ok (expected kind on the mutant and
    no finding on the correct tree), and the fuzzing result."""
    res = {"id": mut["id"], "name": mut["name"],
           "oracle": mut.get("oracle"), "target": mut.get("target")}
    ok, why = patch_applies(mut["patch"], base)
    res["applies"] = ok
    if not ok:
        res["error"] = why
        return res
    if mut["prog"] is None:
        res["error"] = f"no fuzz/mutants/{mut['id']}.prog"
        return res
    tree = prepare_mutant(mut, base, workdir, fuzz=fuzz_seconds > 0)
    res["correct"] = run_scenario(base, mut, seeds)
    res["mutant"] = run_scenario(tree, mut, seeds)
    res["ok"] = (res["correct"]["kind"] is None and
                 expected_ok(mut, res["mutant"]["kind"],
                             res["mutant"]["msg"]))
    if fuzz_seconds > 0:
        res["fuzz"] = f = fuzz_mutant(tree, fuzz_seconds, mut["id"])
        f["also_on_correct"] = None
        crash = crash_input(f["dir"]) if f["kind"] else None
        if crash is not None:
            # a finding the correct tree shares is not the mutant's
            kind, _, _ = run_replay(os.path.join(
                base, "out/replay-asan/fault"), crash, base)
            f["also_on_correct"] = kind is not None
            f["input"] = crash
    return res


def crash_input(workdir):
    """The input libFuzzer saved for its finding in workdir, or None."""
    for fn in sorted(os.listdir(workdir)):
        if re.match(r"^(crash|leak|timeout|oom)-", fn):
            return os.path.join(workdir, fn)
    return None


def fmt_result(r):
    """One line of text for a check result."""
    if not r.get("applies"):
        return f"{r['id']}: patch does not apply: {r.get('error')}"
    if "error" in r:
        return f"{r['id']}: {r['error']}"
    m, c = r["mutant"], r["correct"]
    s = (f"{r['id']:4} {'OK ' if r['ok'] else 'BAD'} expect={r['oracle']}"
         f" mutant={m['kind']}" + (f" ({m['msg'][:70]})" if m['msg'] else "")
         + (f" [{m['binary']} seed {m['seed']}]" if m['binary'] else "")
         + f" correct={c['kind'] or 'pass'}")
    if "fuzz" in r:
        f = r["fuzz"]
        s += (f" fuzz={f['kind']}@{f['seconds']}s"
              + (" (a seed)" if f["in_seeds"] else " (mutated)")
              + (" ALSO-ON-CORRECT-TREE" if f.get("also_on_correct")
                 else "")
              if f["kind"] else " fuzz=none")
    return s


def main(argv=None):
    ap = argparse.ArgumentParser(prog="mutants.py", description=(
        "planted-bug mutants of uvm/: list them, check that each applies "
        "and that its scenario finds it"))
    sub = ap.add_subparsers(dest="cmd")
    pl = sub.add_parser("list", help="list the mutants and their headers")
    pl.add_argument("--json", action="store_true")
    pc = sub.add_parser("check", help="apply, build and run scenarios")
    pc.add_argument("ids", nargs="*")
    pc.add_argument("--all", action="store_true")
    pc.add_argument("--fuzz", type=int, default=0, metavar="SECONDS",
                    help="also fuzz `fault` from the seed corpus")
    pc.add_argument("--seeds", type=int, default=16, metavar="N",
                    help="scheduler seeds to sweep for concurrent programs")
    pc.add_argument("--workdir", default=os.environ.get(
        "UVMFUZZ_MUTANT_DIR", "/tmp/uvmfuzz-mutants"))
    pc.add_argument("--json", action="store_true")
    pc.add_argument("--results", metavar="FILE",
                    help="append each mutant's result to FILE as it "
                    "comes (one JSON object a line)")
    a = ap.parse_args(argv)
    try:
        if a.cmd == "list":
            ms = list_mutants()
            if a.json:
                print(json.dumps(ms, indent=1))
            else:
                for m in ms:
                    print(f"{m['id']:4} {m.get('target', '?'):8} "
                          f"{m.get('oracle', '?'):10} {m['name']}")
            return 0
        if a.cmd != "check":
            ap.print_usage(sys.stderr)
            return 2
        if not a.ids and not a.all:
            raise MutantError("check: name mutant ids or --all")
        ms = list_mutants() if a.all else [find_mutant(i) for i in a.ids]
        os.makedirs(a.workdir, exist_ok=True)
        base = prepare_base(a.workdir, fuzz=a.fuzz > 0)
        if len(ms) == 1:
            ok, why = patch_applies(ms[0]["patch"], base)
            if not ok:
                print(f"mutants.py: {ms[0]['id']}: patch does not apply: "
                      f"{why}", file=sys.stderr)
                return 2
        results, bad = [], 0
        for m in ms:
            r = check_mutant(m, base, a.workdir, a.fuzz, a.seeds)
            results.append(r)
            bad += not r.get("ok")
            if a.results:
                with open(a.results, "a", encoding="utf-8") as f:
                    f.write(json.dumps(r) + "\n")
            if not a.json:
                print(fmt_result(r), flush=True)
        if a.json:
            print(json.dumps(results, indent=1))
        return 1 if bad else 0
    except MutantError as e:
        print(f"mutants.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
