"""The planted-bug mutants (fuzz/mutants/): machinery shared by
fuzz/mutants/mutants.py (list, check) and `uvmfuzz bench --mutant`.

Each row of BUGS.md is a mutant: fuzz/mutants/<ID>-<name>.patch, a unified
diff on uvm/ with a header block before the first `---` line (Id, Bug,
Source, Oracle, Target, Scenario, Program), and fuzz/mutants/<ID>.prog, a
hand-written program that reaches the bug.  This module

  - lists the mutants and their headers (list_mutants, parse_header);
    UVMFUZZ_MUTANTS_DIR names another directory of patches (tests);
  - copies the repository's working tree (files git tracks plus untracked
    ones not ignored, so it works before a commit) into a scratch base
    directory, builds the binaries there once, and clones that base for
    each mutant, so a mutant rebuilds only the files its patch touches
    (prepare_base, prepare_mutant);
  - checks a mutant (check_mutant): the patch applies; its scenario gives
    a finding of the expected kind on the mutant and none on the correct
    tree;
  - runs one fuzzing trial on a tree (fuzz_trial: libFuzzer or AFL++,
    seeded from corpus/<target>/ only, a fixed -seed) and one stress
    trial (stress_trial: fault_threads --random, real threads, no
    coverage guidance); both report the time to the first finding, its
    kind, and whether the input also fails on the correct tree (then it
    is not the mutant's finding).

Never applies anything to the working tree: every mutant lives in its own
copy under a scratch directory.
"""

import argparse
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from .util import ROOT, sanitizer_env

HEADER_KEYS = ("Id", "Bug", "Source", "Oracle", "Target", "Scenario",
               "Program", "Note")
# what a header's Oracle accepts as the observed finding kind.  "lock" is
# the checking locks (misuse: a panic naming the lock) and their WITNESS
# order check: a lock leaked by the mutant shows up as either.
ORACLE_KINDS = {
    "kassert": {"panic"},
    "panic": {"panic"},
    "lock": {"panic", "lock", "lock-order"},
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
# replays of a stress finding on the correct tree (real threads: one
# replay may miss an interleaving)
STRESS_REPLAYS = 5
# fault_threads --random N: more inputs than any budget can run
STRESS_N = 1 << 40


class MutantError(Exception):
    """A one-line problem (usage, missing file, patch does not apply)."""


def parse_header(path):
    """The header block of a patch file (lines before the first `---`)
    as a dict of HEADER_KEYS; a key missing from the file is absent."""
    hdr = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("--- "):
                    break
                m = re.match(r"^([A-Za-z]+):\s*(.*)$", line.rstrip("\n"))
                if m and m.group(1) in HEADER_KEYS:
                    hdr[m.group(1)] = m.group(2)
    except UnicodeDecodeError as e:
        raise MutantError(f"{path}: header is not UTF-8 text (byte "
                          f"{e.start}): fix the patch file")
    except OSError as e:
        raise MutantError(f"{path}: cannot read: {e.strerror}")
    return hdr


def mutants_dir(root=ROOT):
    """fuzz/mutants of root, or $UVMFUZZ_MUTANTS_DIR when set"""
    return (os.environ.get("UVMFUZZ_MUTANTS_DIR") or
            os.path.join(root, "fuzz", "mutants"))


def list_mutants(root=ROOT):
    """Every <ID>-<name>.patch of mutants_dir(root), in BUGS.md-ish id
    order: a list of dicts with id, name, patch, prog (path or None) and
    the header fields (lower-cased keys)."""
    mdir = mutants_dir(root)
    out = []
    try:
        names = os.listdir(mdir)
    except OSError as e:
        raise MutantError(f"{mdir}: cannot list the mutants ({e.strerror}): "
                          "check UVMFUZZ_MUTANTS_DIR or the checkout")
    for fn in names:
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
    raise MutantError(f"no mutant {mid} in {mutants_dir(root)} "
                      "(see `fuzz/mutants/mutants.py list`)")


def tree_files(root=ROOT):
    """Paths (relative) of the files git tracks plus untracked ones that
    are not ignored; the build output out/ is never included."""
    try:
        p = subprocess.run(["git", "ls-files", "-co", "--exclude-standard",
                            "-z"], cwd=root, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        raise MutantError(f"cannot list the tree of {root} with git "
                          f"({e}): run it from a git checkout of uvmfuzz "
                          "(the scratch tree copies the files git knows)")
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


def targets(tree, cfg=None):
    """The binaries a scenario check needs in tree: replay builds of
    `fault` (and fault_mp's when its harness exists) and progtool; with
    cfg (fuzz_config) also what fuzz_trial and stress_trial use."""
    t = ["out/replay-asan/fault", "out/replay-tsan/fault",
         "out/tools/progtool"]
    if has_mp(tree):
        t += ["out/replay-asan/fault_mp", "out/replay-tsan/fault_mp"]
    if cfg is not None:
        t += trial_targets(cfg)
    return t


def trial_targets(cfg):
    """The binaries (relative paths) fuzz_trial and stress_trial need for
    cfg, in a mutant tree and in the correct tree alike: the fuzzing
    binary, the replay binary of the target and of fault_threads (the
    sanitizer of cfg), progtool."""
    t = [fuzz_binary(cfg), replay_binary(cfg), stress_binary(cfg),
         replay_binary(cfg, "fault_threads"), "out/tools/progtool"]
    return list(dict.fromkeys(t))


class BuildError(MutantError):
    """A failed build; .log is the path of its output."""

    def __init__(self, msg, log):
        super().__init__(msg)
        self.log = log


def proc_stats():
    """(pid, fields after the command name) of every process in /proc:
    fields[1] is the parent's pid, fields[3] the session id."""
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                st = f.read()
        except OSError:
            continue
        yield int(d), st[st.rindex(")") + 2:].split()


def descendants(pid):
    """The pids of every live descendant of pid (from /proc), including
    ones that started their own session (AFL++'s forkserver)."""
    kids = {}
    for q, fields in proc_stats():
        kids.setdefault(int(fields[1]), []).append(q)
    out, todo = [], [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def stop_tree(p, grace=5.0):
    """Stop Popen p started with start_new_session, its process group and
    every descendant (found first, so none is orphaned unseen): SIGTERM,
    then SIGKILL after grace seconds.  SIGTERM first lets afl-fuzz remove
    its SysV shared memory."""
    pids = descendants(p.pid)
    if p.poll() is None:
        pids.append(p.pid)

    def kill(sig):
        try:
            os.killpg(p.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        for q in pids:
            try:
                os.kill(q, sig)
            except (ProcessLookupError, PermissionError):
                pass
    kill(signal.SIGTERM)
    t = time.monotonic() + grace
    while p.poll() is None and time.monotonic() < t:
        time.sleep(0.05)
    kill(signal.SIGKILL)
    p.wait()
    # the killed descendants are reaped by init, not by p: wait until
    # they and p's session are gone, so none outlives the caller
    t = time.monotonic() + grace
    while ((any(os.path.exists("/proc/%d" % q) for q in pids) or
            in_session(p.pid)) and time.monotonic() < t):
        time.sleep(0.05)


def in_session(sid):
    """True while some process (a zombie too) is in session sid."""
    return any(int(fields[3]) == sid for _, fields in proc_stats())


def build(tree, tgts, log):
    """make -j2 the targets in tree, in its own process group (an
    interrupt stops make and its compilers); the output goes to log.
    Raises BuildError when the build fails."""
    with open(log, "w") as f:
        p = subprocess.Popen(["make", "-j2"] + tgts, cwd=tree, stdout=f,
                             stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            rc = p.wait()
        finally:
            if p.poll() is None or descendants(p.pid):
                stop_tree(p)
    if rc != 0:
        raise BuildError(f"build failed in {tree}: see {log}", log)


WORKDIR_MARK = ".uvmfuzz-workdir"


def open_workdir(path, root=ROOT, what="--workdir"):
    """Check, create or adopt a scratch work directory, lock it against
    concurrent runs and make this run's own directory in it.  A
    directory is adopted only when it is empty or carries WORKDIR_MARK
    (written when it was first used), so nothing of anyone else is ever
    deleted.  Returns (workdir, rundir, lock fd); MutantError (one line)
    on a bad or busy directory.  Only rundir is this run's to remove."""
    if path is None or path.strip() == "":
        raise MutantError(f"empty {what}: give a directory path")
    p = os.path.realpath(path)
    r = os.path.realpath(root)
    if p == r or p.startswith(r + os.sep):
        raise MutantError(f"{what} {path}: inside the source tree {r}: give "
                          "a directory outside it (e.g. under /tmp)")
    if p.startswith(("/proc", "/sys", "/dev")) or p == "/":
        raise MutantError(f"{what} {path}: not a place for scratch trees")
    if os.path.lexists(p) and not os.path.isdir(p):
        raise MutantError(f"{what} {path}: exists and is not a directory")
    if os.path.isdir(p):
        if not os.access(p, os.W_OK | os.X_OK):
            raise MutantError(f"{what} {path}: cannot write there: check "
                              "its permissions or give another directory")
        if os.listdir(p) and not os.path.isfile(os.path.join(
                p, WORKDIR_MARK)):
            raise MutantError(f"{what} {path}: not empty and not a uvmfuzz "
                              "work directory: give a new or empty one")
    else:
        anc = os.path.dirname(p)
        while not os.path.lexists(anc):
            anc = os.path.dirname(anc)
        if not os.path.isdir(anc) or not os.access(anc, os.W_OK | os.X_OK):
            raise MutantError(f"{what} {path}: cannot create it in {anc}: "
                              "give another directory")
    base = os.path.join(p, "base")
    if os.path.lexists(base) and not os.path.isdir(base):
        raise MutantError(f"{what} {path}: {base} is not a directory: "
                          "remove it or give a new --workdir")
    blog = os.path.join(p, "base.build.log")
    if os.path.lexists(blog) and not os.path.isfile(blog):
        raise MutantError(f"{what} {path}: {blog} is not a file: remove it "
                          "or give a new --workdir")
    outd = os.path.join(base, "out")
    if os.path.isdir(outd):
        for dp, _, fns in os.walk(outd):
            for fn in fns:
                fp = os.path.join(dp, fn)
                if os.path.isfile(fp) and os.path.getsize(fp) == 0 and \
                        os.access(fp, os.X_OK):
                    raise MutantError(f"{what} {path}: {fp} is an empty "
                                      "binary: remove it or give a new "
                                      "--workdir")
    try:
        os.makedirs(p, exist_ok=True)
        if not os.path.exists(os.path.join(p, WORKDIR_MARK)):
            with open(os.path.join(p, WORKDIR_MARK), "w") as f:
                f.write("uvmfuzz mutant work directory: base/ is a built "
                        "copy of the tree, run-*/ belong to running or "
                        "interrupted runs\n")
        fd = os.open(os.path.join(p, ".lock"), os.O_CREAT | os.O_RDWR,
                     0o644)
    except OSError as e:
        raise MutantError(f"{what} {path}: {e.strerror}")
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        os.close(fd)
        if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise MutantError(f"{what} {path}: in use by another run: wait "
                              "for it or give another --workdir")
        raise MutantError(f"{what} {path}: cannot lock: {e.strerror}")
    # run-* left by interrupted runs: the lock says none is running
    for n in os.listdir(p):
        if n.startswith("run-"):
            shutil.rmtree(os.path.join(p, n), ignore_errors=True)
    run = tempfile.mkdtemp(prefix="run-", dir=p)
    return p, run, fd


def prepare_base(workdir, root=ROOT, tgts=None):
    """The correct tree, synced from root and built (tgts, default the
    scenario binaries), at workdir/base."""
    base = os.path.join(workdir, "base")
    os.makedirs(base, exist_ok=True)
    sync_tree(root, base)
    build(base, tgts or targets(base), os.path.join(workdir,
                                                    "base.build.log"))
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


def prepare_mutant(mut, base, workdir, tgts=None):
    """A copy of base (build outputs included) with mut's patch applied
    and its binaries (tgts, default the scenario binaries) rebuilt, at
    workdir/<ID>.  Raises MutantError if the patch does not apply or the
    mutant does not build."""
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
    build(tree, tgts or targets(tree), os.path.join(
        workdir, mut["id"] + ".build.log"))
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


def run_replay(binary, prog, cwd, timeout=SCENARIO_TIMEOUT, env=None):
    """Replay prog with binary: (kind, message, seconds)."""
    t0 = time.monotonic()
    try:
        p = subprocess.run([binary, prog], cwd=cwd, capture_output=True,
                           text=True, errors="replace", timeout=timeout,
                           env=env)
        out = p.stdout + p.stderr
    except subprocess.TimeoutExpired:
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


def run_scenario(tree, mut, seeds=16, scratch=None):
    """Run mut's program on tree with every binary (scenario_binaries);
    a concurrent program without schedule bytes is also run with seeds
    1..seeds-1.  The first finding wins.  Returns dict(kind, msg, binary,
    seed) (kind None: no finding)."""
    bins = scenario_binaries(tree, mut.get("target", "fault"))
    progs = [(0, mut["prog"])]
    tmp = None
    try:
        if seeds > 1 and concurrent(mut["prog"]):
            tmp = tempfile.mkdtemp(prefix="seeds-", dir=scratch or
                                   os.path.dirname(tree))
            progs += [(s, with_seed(mut["prog"], s, os.path.join(
                tmp, f"{mut['id']}-{s}.prog"))) for s in range(1, seeds)]
        for seed, prog in progs:
            for b in bins:
                kind, msg, _ = run_replay(b, prog, tree)
                if kind is not None:
                    return {"kind": kind, "msg": msg, "seed": seed,
                            "binary": os.path.relpath(b, tree)}
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    res = {"kind": None, "msg": "", "binary": None, "seed": None}
    if mut.get("target") == "fault_mp" and not has_mp(tree):
        res["msg"] = "fault_mp harness not built yet"
    return res


def oracles(mut):
    """The header's Oracle: one kind, or several separated by commas
    (any of them detects; the first chooses the sanitizer)."""
    return [w.strip() for w in (mut.get("oracle") or "").split(",")
            if w.strip()]


def expected_ok(mut, kind, msg):
    """Whether an observed finding kind is one the header's Oracle
    names (lock misuse shows up as a panic of the checking locks)."""
    if kind is None:
        return False
    for want in oracles(mut):
        if want not in ORACLE_KINDS:
            continue
        if want == "lock" and kind == "panic":
            if re.search(r"lock|rw_|mtx|held", msg) is not None:
                return True
        elif kind in ORACLE_KINDS[want]:
            return True
    return False


def encode_corpus(tree, dest, target="fault"):
    """corpus/<target>/*.prog of tree encoded (progtool) into dest: the
    seed corpus only, never corpus/regress/ nor fuzz/mutants/*.prog."""
    os.makedirs(dest, exist_ok=True)
    src = os.path.join(tree, "corpus", target)
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


def fuzz_config(mut, target="auto", engine="libfuzzer"):
    """What a trial of mut runs: dict(target, sanitizer, engine).  The
    target is the header's Target unless given; the sanitizer is TSan
    when the header's Oracle is tsan (the race is only visible there),
    else ASan+UBSan.  MutantError when the engine has no such build."""
    t = (mut.get("target") or "fault") if target == "auto" else target
    san = "tsan" if oracles(mut)[:1] == ["tsan"] else "asan"
    if engine == "afl" and san == "tsan":
        raise MutantError(f"{mut['id']}: its oracle is tsan and there is "
                          "no AFL++ TSan build: use --engine libfuzzer")
    return {"target": t, "sanitizer": san, "engine": engine}


def fuzz_binary(cfg):
    """the fuzzing binary of cfg, relative to a tree"""
    if cfg["engine"] == "afl":
        return f"out/afl-asan/{cfg['target']}"
    return f"out/libfuzzer-{cfg['sanitizer']}/{cfg['target']}"


def replay_binary(cfg, target=None):
    """the replay binary (no engine) of cfg's sanitizer, relative"""
    return f"out/replay-{cfg['sanitizer']}/{target or cfg['target']}"


def stress_binary(cfg):
    """the binary of the stress baseline: fault_threads with cfg's
    sanitizer, its libFuzzer build run as `--random N` (the harness's
    LLVMFuzzerInitialize runs the stress loop and exits; no coverage
    guidance is used).  Not the replay build: fuzz/engine/replay.c
    rejects the --random option before the harness sees it."""
    return f"out/libfuzzer-{cfg['sanitizer']}/fault_threads"


def run_bounded(cmd, cwd, env, seconds, logpath):
    """Run cmd in its own process group for at most seconds (then the
    group is killed); its output goes to logpath.  Returns (exit status
    or None when it was stopped, output text, wall seconds).  ^C stops
    the group before it propagates."""
    t0 = time.monotonic()
    with open(logpath, "wb") as logf:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=logf,
                             stderr=subprocess.STDOUT,
                             start_new_session=True)
        try:
            rc = p.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            rc = None
        finally:
            if p.poll() is None or descendants(p.pid):
                stop_tree(p)
    dt = time.monotonic() - t0
    with open(logpath, encoding="utf-8", errors="replace") as f:
        out = f.read()
    return rc, out, dt


def finding_of(rc, out):
    """(kind, msg) of a run that exited with rc (None: stopped)"""
    kind, msg = classify(out)
    if kind is None and rc not in (0, None):
        kind, msg = "crash", f"exit status {rc}"
    return kind, msg


def on_correct(base, binary, inp, runs=1, args=()):
    """Whether inp also gives a finding with base's binary (relative)
    in any of runs replays: (True/False, kind of that finding)."""
    for _ in range(runs):
        kind, _, _ = run_replay(os.path.join(base, binary), inp, base,
                                env=sanitizer_env())
        if kind is not None:
            return True, kind
    return False, None


def fuzz_trial(tree, base, cfg, seconds, seed, parent):
    """One fuzzing trial on tree: cfg's engine and binary, seeded with
    tree's corpus/<target>/ only (encoded), fuzzer seed `seed`, stopped
    at the first finding or after seconds.  When base (the correct tree)
    is given, the finding's input is replayed there.  Returns dict(seed,
    kind, msg, seconds (wall time to the finding, None without one),
    in_seeds (a seed program itself tripped it), input (path or None),
    also_on_correct (None when not checked), dir (the trial's work
    directory, kept for the caller))."""
    work = tempfile.mkdtemp(prefix=f"trial-{cfg['target']}-{seed}-",
                            dir=parent)
    seeds = os.path.join(work, "seeds")
    encode_corpus(tree, seeds, cfg["target"])
    binary = os.path.join(tree, fuzz_binary(cfg))
    dct = os.path.join(tree, "corpus", cfg["target"] + ".dict")
    if not os.path.isfile(dct):
        dct = os.path.join(tree, "corpus", "fault.dict")
    res = {"seed": seed, "kind": None, "msg": "", "seconds": None,
           "in_seeds": False, "input": None, "also_on_correct": None,
           "dir": work}
    if cfg["engine"] == "afl":
        _afl_trial(tree, cfg, seconds, seed, work, seeds, binary, dct, res)
    else:
        cmd = [binary, f"-max_total_time={seconds}", f"-seed={seed}",
               f"-artifact_prefix={work}/", "-print_final_stats=0",
               "-timeout=25", "-rss_limit_mb=2560"]
        if os.path.isfile(dct):
            cmd.append(f"-dict={dct}")
        rc, out, dt = run_bounded(cmd + [seeds], work, sanitizer_env(),
                                  seconds + 60,
                                  os.path.join(work, "fuzz.log"))
        res["kind"], res["msg"] = finding_of(rc, out)
        if res["kind"] is not None:
            res["seconds"] = round(dt, 1)
            # libFuzzer prints INITED after running the seeds: a finding
            # before it came from a seed program itself
            res["in_seeds"] = "INITED" not in out
            res["input"] = crash_input(work)
    if base is not None and res["input"] is not None:
        res["also_on_correct"], _ = on_correct(base, replay_binary(cfg),
                                               res["input"])
    return res


def _afl_trial(tree, cfg, seconds, seed, work, seeds, binary, dct, res):
    """fuzz_trial's AFL++ form: the seeds are replayed first (AFL++
    refuses crashing seeds), then afl-fuzz -s seed runs until its first
    crash (AFL_BENCH_UNTIL_CRASH) or -V seconds; the crash is classified
    by replaying it on tree's replay binary (AFL++ keeps no report)."""
    from .fuzzing import afl_env
    afl = shutil.which("afl-fuzz")
    if afl is None:
        raise MutantError("afl-fuzz not found: apt-get install afl++ or "
                          "use --engine libfuzzer")
    replay = os.path.join(tree, replay_binary(cfg))
    t0 = time.monotonic()
    for fn in sorted(os.listdir(seeds)):
        inp = os.path.join(seeds, fn)
        kind, msg, _ = run_replay(replay, inp, work, env=sanitizer_env())
        if kind is not None:
            res.update(kind=kind, msg=msg, in_seeds=True, input=inp,
                       seconds=round(time.monotonic() - t0, 1))
            return
    env = afl_env()
    env["AFL_BENCH_UNTIL_CRASH"] = "1"
    outd = os.path.join(work, "afl")
    cmd = [afl, "-i", seeds, "-o", outd, "-V", str(seconds), "-s",
           str(seed), "-t", "25000", "-m", "none"]
    if os.path.isfile(dct):
        cmd += ["-x", dct]
    rc, out, _ = run_bounded(cmd + ["--", binary], work, env, seconds + 60,
                             os.path.join(work, "fuzz.log"))
    crashes = os.path.join(outd, "default", "crashes")
    found = sorted(f for f in os.listdir(crashes) if f.startswith("id:")) \
        if os.path.isdir(crashes) else []
    if not found:
        if rc not in (0, None) and "execs_done" not in out:
            raise MutantError(f"afl-fuzz failed (exit {rc}): see "
                              f"{os.path.join(work, 'fuzz.log')}")
        return
    inp = os.path.join(crashes, found[0])
    kind, msg, _ = run_replay(replay, inp, work, env=sanitizer_env())
    res.update(kind=kind or "crash", msg=msg or "afl-fuzz crash that the "
               "replay binary does not reproduce", input=inp,
               seconds=round(time.monotonic() - t0, 1))
    # AFL++ names the time of the crash (ms since its start) in the file
    m = re.search(r"time:(\d+)", found[0])
    if m:
        res["seconds"] = round(float(m.group(1)) / 1000, 1)


def stress_trial(tree, base, cfg, seconds, seed, parent):
    """One baseline trial on tree: `fault_threads --random` (random
    programs on real threads, no coverage guidance) with cfg's
    sanitizer (stress_binary), inputs seeded from seed << 32, stopped at
    the first finding or after seconds.  The finding's input (saved by
    fault_threads) is replayed STRESS_REPLAYS times on base when given.
    Returns the dict of fuzz_trial."""
    work = tempfile.mkdtemp(prefix=f"stress-{seed}-", dir=parent)
    binary = os.path.join(tree, stress_binary(cfg))
    env = sanitizer_env()
    # abort on a sanitizer report, so fault_threads saves the input
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
        env[k] += ":abort_on_error=1"
    rc, out, dt = run_bounded([binary, "--random", str(STRESS_N),
                               "--seed", str(seed << 32)], work, env,
                              seconds, os.path.join(work, "stress.log"))
    res = {"seed": seed, "kind": None, "msg": "", "seconds": None,
           "in_seeds": False, "input": None, "also_on_correct": None,
           "dir": work}
    if rc is None:
        return res
    res["kind"], res["msg"] = finding_of(rc, out)
    if res["kind"] is None:
        return res
    res["seconds"] = round(dt, 1)
    m = re.search(r"saved as (stress-\d+\.bin)", out)
    if m and os.path.isfile(os.path.join(work, m.group(1))):
        res["input"] = os.path.join(work, m.group(1))
    if base is not None and res["input"] is not None:
        res["also_on_correct"], _ = on_correct(
            base, replay_binary(cfg, "fault_threads"), res["input"],
            STRESS_REPLAYS)
    return res


def judge(mut, trial):
    """Mark a trial of mut: expected (the finding's kind is the header's
    Oracle) and detected (expected and not also on the correct tree)."""
    trial["expected"] = expected_ok(mut, trial["kind"], trial["msg"])
    trial["detected"] = bool(trial["expected"] and
                             not trial.get("also_on_correct"))
    return trial


def check_mutant(mut, base, workdir, fuzz_seconds=0, seeds=16,
                 fuzz_seed=1):
    """The whole check of one mutant: dict with applies, mutant and
    correct-tree scenario results, ok (expected kind on the mutant and
    no finding on the correct tree), and with fuzz_seconds one fuzzing
    trial (fuzz_trial, seed fuzz_seed, judged; its work directory `dir`
    is left to the caller).  The mutant's clone is removed."""
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
    cfg = fuzz_config(mut) if fuzz_seconds > 0 else None
    tree = prepare_mutant(mut, base, workdir, targets(base, cfg))
    try:
        res["correct"] = run_scenario(base, mut, seeds, workdir)
        res["mutant"] = run_scenario(tree, mut, seeds, workdir)
        res["ok"] = (res["correct"]["kind"] is None and
                     expected_ok(mut, res["mutant"]["kind"],
                                 res["mutant"]["msg"]))
        if cfg is not None:
            res["fuzz"] = judge(mut, fuzz_trial(
                tree, base, cfg, fuzz_seconds, fuzz_seed, workdir))
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    return res


def crash_input(workdir):
    """The input libFuzzer saved for its finding in workdir, or None."""
    for fn in sorted(os.listdir(workdir)):
        if re.match(r"^(crash|leak|timeout|oom|slow-unit)-", fn):
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
              + (" DETECTED" if f["detected"] else " not-detected")
              if f["kind"] else " fuzz=none not-detected")
    return s


def main(argv=None):
    ap = argparse.ArgumentParser(prog="mutants.py", description=(
        "planted-bug mutants of uvm/: list them, check that each applies "
        "and that its scenario finds it (`uvmfuzz bench --mutant` "
        "measures detection power)"))
    sub = ap.add_subparsers(dest="cmd")
    pl = sub.add_parser("list", help="list the mutants and their headers")
    pl.add_argument("--json", action="store_true")
    pc = sub.add_parser("check", help="apply, build and run scenarios")
    pc.add_argument("ids", nargs="*")
    pc.add_argument("--all", action="store_true")
    pc.add_argument("--fuzz", type=int, default=0, metavar="SECONDS",
                    help="also one fuzzing trial of at most SECONDS on "
                    "the header's target, from its seed corpus")
    pc.add_argument("--fuzz-ids", metavar="ID[,ID...]",
                    help="fuzz only these of the checked mutants "
                    "(default: all of them)")
    pc.add_argument("--fuzz-seed", type=int, default=1, metavar="N",
                    help="the fuzzer's -seed for --fuzz (default 1)")
    pc.add_argument("--seeds", type=int, default=16, metavar="N",
                    help="scheduler seeds to sweep for concurrent programs")
    pc.add_argument("--workdir", default=os.environ.get(
        "UVMFUZZ_MUTANT_DIR", "/tmp/uvmfuzz-mutants"))
    pc.add_argument("--json", action="store_true")
    pc.add_argument("--results", metavar="FILE",
                    help="append each mutant's result to FILE as it "
                    "comes (one JSON object a line)")
    try:
        a = ap.parse_args(argv)
    except SystemExit as e:
        return e.code
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
        if a.fuzz < 0 or a.seeds < 1:
            raise MutantError("check: --fuzz must be >= 0 and --seeds >= 1")
        if a.fuzz > 86400:
            raise MutantError("check: --fuzz %d: at most 86400 seconds"
                              % a.fuzz)
        ms = list_mutants() if a.all else dedup(
            [find_mutant(i) for i in a.ids])
        for m in ms:
            ok, why = patch_applies(m["patch"], ROOT)
            if not ok and not a.all:
                raise MutantError(f"{m['id']}: patch does not apply: {why}")
        fuzzed = {m["id"] for m in ms}
        if a.fuzz_ids is not None:
            fuzzed = {find_mutant(i)["id"] for i in a.fuzz_ids.split(",")
                      if i.strip()}
            if not fuzzed <= {m["id"] for m in ms}:
                raise MutantError("check: --fuzz-ids names a mutant that "
                                  "is not checked")
        if a.results is not None:
            check_results_file(a.results)
        tgts = targets(ROOT)
        if a.fuzz > 0:
            for m in ms:
                if m["id"] in fuzzed:
                    tgts += trial_targets(fuzz_config(m))
        work, run, lock = open_workdir(a.workdir)
        try:
            return run_checks(a, ms, fuzzed, work, run, tgts)
        finally:	# a second signal must not cut the cleanup short
            old = [(sg, signal.signal(sg, signal.SIG_IGN))
                   for sg in (signal.SIGINT, signal.SIGTERM)]
            try:
                shutil.rmtree(run, ignore_errors=True)
                os.close(lock)
            finally:
                for sg, h in old:
                    signal.signal(sg, h)
    except MutantError as e:
        print(f"mutants.py: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("mutants.py: interrupted: results written so far are kept, "
              "this run's scratch files removed", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as e:
        print("mutants.py: " + (f"{e.filename}: " if e.filename else "")
              + (e.strerror or str(e)), file=sys.stderr)
        return 2


def dedup(ms):
    """ms without repeats of a mutant (ids are matched case-insensitively
    by find_mutant, so O1 and o1 are one)"""
    seen, out = set(), []
    for m in ms:
        if m["id"] not in seen:
            seen.add(m["id"])
            out.append(m)
    return out


def check_results_file(path):
    """MutantError unless --results can be appended to"""
    if path == "":
        raise MutantError("empty --results: give a file name")
    if os.path.isdir(path):
        raise MutantError(f"--results {path}: is a directory: give a file")
    if os.path.lexists(path):
        if not os.access(path, os.W_OK):
            raise MutantError(f"--results {path}: cannot write it")
        return
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d) or not os.access(d, os.W_OK | os.X_OK):
        raise MutantError(f"--results {path}: cannot create it in {d}")


def run_checks(a, ms, fuzzed, work, run, tgts):
    """main's check over ms with the locked work directory work (the
    built base is kept there) and this run's scratch directory run"""
    try:
        base = prepare_base(work, tgts=list(dict.fromkeys(tgts)))
    except BuildError as e:
        raise MutantError(f"building the correct tree failed: see {e.log}")
    results, bad = [], 0
    for m in ms:
        try:
            r = check_mutant(m, base, run,
                             a.fuzz if m["id"] in fuzzed else 0, a.seeds,
                             a.fuzz_seed)
        except BuildError as e:
            keep = os.path.join(work, m["id"] + ".build.log")
            shutil.copyfile(e.log, keep)
            r = {"id": m["id"], "name": m["name"], "applies": True,
                 "oracle": m.get("oracle"), "target": m.get("target"),
                 "error": f"the mutant does not build: see {keep}"}
        f = r.get("fuzz")
        if f is not None:	# keep the finding's input, not the trial dir
            d = f.pop("dir", None)
            if f.get("input"):
                os.makedirs(os.path.join(work, "inputs"), exist_ok=True)
                keep = os.path.join(work, "inputs", "%s-fuzz-%d.bin"
                                    % (m["id"], a.fuzz_seed))
                shutil.copyfile(f["input"], keep)
                f["input"] = keep
            if d:
                shutil.rmtree(d, ignore_errors=True)
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
