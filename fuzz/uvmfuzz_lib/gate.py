"""gate: new findings of this tree relative to a base revision (the
ClusterFuzzLite code-change rule: fail only on a finding that reproduces
here and not on the base build); coverage: llvm-cov report of uvm/."""

import concurrent.futures
import json
import os
import shutil
import subprocess
import tempfile

from . import report, triage
from .fuzzing import run_libfuzzer
from .util import (MAX_INPUT, ROOT, UsageError, binary, check_dir,
                   check_new_output, check_out_dir, encode_seeds, harnesses,
                   is_text_prog, log, make, new_dir, pick_targets, progtool,
                   regress_files, rel, sanitizer_env, seed_files, show,
                   timestamp, which, write_atomic)

# builds replayed in the gate: (output kind, biglock)
GATE_BUILDS = (("replay-asan", False), ("replay-tsan", False),
               ("replay-asan", True))


def git(args, cwd=ROOT):
    return subprocess.run(["git"] + args, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)


def export_tree(rev, dst):
    """the tree of rev into dst (git archive: no worktree metadata is left
    in the repository, nothing to prune after an interrupted run)"""
    r = git(["rev-parse", "--verify", "--quiet", rev + "^{commit}"])
    if r.returncode != 0:
        raise UsageError("--base %s: not a commit of this repository: give a "
                         "branch, tag or hash" % rev)
    sha = r.stdout.decode().strip()
    os.makedirs(dst)
    a = subprocess.Popen(["git", "archive", "--format=tar", sha], cwd=ROOT,
                         stdout=subprocess.PIPE)
    t = subprocess.run(["tar", "-x", "-C", dst], stdin=a.stdout)
    a.stdout.close()
    if a.wait() != 0 or t.returncode != 0:
        raise UsageError("cannot export %s with git archive: check the "
                         "repository" % rev)
    return sha


def gate_outputs(root, targets, fuzz):
    outs = [os.path.relpath(binary(k, t, bl, root=root), root)
            for t in targets for k, bl in GATE_BUILDS]
    if fuzz:
        outs += [os.path.relpath(binary("libfuzzer-asan", t, root=root), root)
                 for t in targets]
    return outs


def replay_all(root, kind, biglock, target, files, runs):
    """findings of each file under one build; {file: (k, finding)}"""
    b = binary(kind, target, biglock, root=root)
    res = {}
    if not os.access(b, os.X_OK):
        return None
    for f in files:
        k, fnd, _ = triage.replay(b, f, runs, timeout=60)
        res[f] = (k, fnd)
    return res


def cmd_gate(args):
    if args.time < 0:
        raise UsageError("--time %d: give seconds (0: replay only)"
                         % args.time)
    if args.runs < 1:
        raise UsageError("--runs %d: give at least 1" % args.runs)
    if git(["rev-parse", "--git-dir"]).returncode != 0:
        raise UsageError("%s is not a git checkout: run the gate in the "
                         "repository" % ROOT)
    # every output path is checked before any work is done
    if args.sarif is not None:
        if os.path.isfile(args.sarif):	# CI re-runs replace their report
            check_dir(os.path.dirname(os.path.abspath(args.sarif)))
            if not os.access(args.sarif, os.W_OK):
                raise UsageError("%s: cannot write: check its permissions "
                                 "or give another --sarif" % rel(args.sarif))
        else:
            check_new_output(args.sarif, "SARIF file (--sarif)")
    check_out_dir(args.out, "findings directory (--out)")
    targets = pick_targets(args.target)
    scratch = tempfile.mkdtemp(prefix="uvmfuzz-gate-")
    try:
        return gate(args, targets, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def gate(args, targets, scratch):
    base = os.path.join(scratch, "base")
    sha = export_tree(args.base, base)
    d = new_dir(os.path.abspath(args.out), "%s-gate" % timestamp())
    log("gate: base %s (%s), findings in %s" % (args.base, sha[:12], rel(d)))
    make(gate_outputs(ROOT, targets, args.time > 0) + ["out/tools/progtool"],
         logfile=os.path.join(d, "build-here.log"))
    base_ok = True
    try:
        make(gate_outputs(base, [t for t in targets if t in harnesses(base)],
                          args.time > 0), root=base,
             logfile=os.path.join(d, "build-base.log"))
    except UsageError:
        base_ok = False
        log("gate: the base tree does not build (see %s): every finding "
            "counts as new" % rel(os.path.join(d, "build-base.log")))

    cands = []	# (target, kind, biglock, input file, source)
    for t in targets:
        files = seed_files(t) + regress_files()
        for kind, bl in GATE_BUILDS:
            res = replay_all(ROOT, kind, bl, t, files, 1) or {}
            bad = [f for f, (k, _) in res.items() if k]
            log("gate: %s %s%s: %d program(s), %d finding(s)" % (
                t, kind, "-biglock" if bl else "", len(files), len(bad)))
            cands += [(t, kind, bl, f, "replay") for f in bad]
        if args.time > 0:
            fd = os.path.join(d, "fuzz-" + t)
            os.makedirs(fd)
            encode_seeds(t, os.path.join(fd, "corpus"))
            with open(os.path.join(fd, "fuzz.log"), "wb") as logf:
                run_libfuzzer(binary("libfuzzer-asan", t), t, fd, args.time,
                              1, True, logf)
            cands += [(t, "libfuzzer-asan", False, f, "fuzz")
                      for f in triage.finding_files_only(fd)]

    # one representative (the smallest input) per build and signature
    groups = {}
    for t, kind, bl, f, src in cands:
        k, fnd, _ = triage.replay(binary(kind, t, bl), f, 1)
        if fnd is None:
            continue	# flaky: did not reproduce here
        g = groups.setdefault((t, kind, bl, fnd["signature"]), [])
        g.append((os.path.getsize(f), f, src))
    results = []
    for (t, kind, bl, sig), inputs in sorted(groups.items()):
        _, f, src = min(inputs)
        k, fnd, out = triage.replay(binary(kind, t, bl), f, args.runs)
        if not k:
            continue
        bk = 0
        base_b = binary(kind, t, bl, root=base)
        if base_ok and os.access(base_b, os.X_OK):
            bk, _, _ = triage.replay(base_b, f, args.runs)
        results.append({"target": t, "build": kind + ("-biglock" if bl
                                                       else ""),
                        "input": rel(f), "inputs": len(inputs),
                        "source": src, "signature": fnd["signature"],
                        "kind": fnd["kind"], "message": fnd["message"],
                        "uvm_loc": fnd["uvm_loc"], "frames": fnd["frames"],
                        "here": "%d/%d" % (k, args.runs),
                        "base": "%d/%d" % (bk, args.runs), "new": bk == 0,
                        "report": report.excerpt(out, 40)})
    new = [r for r in results if r["new"]]
    write_atomic(os.path.join(d, "gate.json"), json.dumps(
        {"base": args.base, "base_sha": sha, "base_builds": base_ok,
         "results": results}, indent=2))
    if args.sarif:
        write_sarif(args.sarif, new)
    for r in results:
        log("gate: %s %s %s: %s, %d input(s), e.g. %s (here %s, base %s)"
            % ("NEW" if r["new"] else "old", r["target"], r["build"],
               r["signature"], r["inputs"], r["input"], r["here"],
               r["base"]))
    log("gate: %d distinct finding(s), %d new relative to %s; details in %s"
        % (len(results), len(new), args.base,
           rel(os.path.join(d, "gate.json"))))
    return 1 if new else 0


def write_sarif(path, findings):
    results = []
    for r in findings:
        loc = r["uvm_loc"] or (r["frames"][0]["file"] + ":" +
                               str(r["frames"][0]["line"])
                               if r["frames"] else None)
        res = {"ruleId": r["kind"], "level": "error",
               "message": {"text": "%s (%s, input %s): %s" % (
                   r["signature"], r["build"], r["input"], r["message"])}}
        if loc:
            file, _, line = loc.rpartition(":")
            res["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": file},
                "region": {"startLine": int(line) if line.isdigit()
                           else 1}}}]
        results.append(res)
    rules = sorted({r["kind"] for r in findings})
    sarif = {"version": "2.1.0",
             "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
             "runs": [{"tool": {"driver": {
                 "name": "uvmfuzz", "informationUri":
                 "https://github.com/google/clusterfuzzlite",
                 "rules": [{"id": k, "shortDescription": {"text": k}}
                           for k in rules]}},
                 "results": results}]}
    write_atomic(path, json.dumps(sarif, indent=2))


def cov_tool(name):
    for n in (name + "-14", name):
        p = which(n)
        if p:
            return p
    raise UsageError("%s not found: apt-get install llvm-14" % name)


def cmd_coverage(args):
    profdata, llvmcov = cov_tool("llvm-profdata"), cov_tool("llvm-cov")
    for c in args.corpus:
        check_dir(c, "corpus directory")
    check_out_dir(args.out, "coverage directory (--out)")
    targets = pick_targets(args.target)
    bins = [binary("cov", t, args.biglock) for t in targets]
    make([os.path.relpath(b, ROOT) for b in bins] + ["out/tools/progtool"])
    outd = os.path.abspath(args.out)
    os.makedirs(outd, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="uvmfuzz-cov-")
    try:
        n = 0
        bad = []
        for t, b in zip(targets, bins):
            files = seed_files(t) + regress_files()
            for c in args.corpus:
                files += sorted(os.path.join(c, x) for x in os.listdir(c)
                                if os.path.isfile(os.path.join(c, x)))
            files, unparsed = runnable(files, os.path.join(tmp, "in-" + t))
            bad += unparsed
            n += len(files)
            profile_run(b, files, os.path.join(tmp, "prof-" + t))
        for f, why in bad:
            log("coverage: %s: not counted: %s" % (rel(f), show(why)))
        raws = [os.path.join(tmp, x) for x in os.listdir(tmp)
                if x.endswith(".profraw")]
        if not raws:
            raise UsageError("no coverage profile was written: check that "
                             "corpus/%s has programs" % targets[0])
        lst = os.path.join(tmp, "profraw.list")
        with open(lst, "w") as f:
            f.write("".join(r + "\n" for r in raws))
        pd = os.path.join(outd, "uvm.profdata")
        pdtmp = os.path.join(outd, ".uvm.profdata.tmp")
        try:
            subprocess.run([profdata, "merge", "-sparse", "-o", pdtmp,
                            "--input-files=" + lst], check=True)
            os.replace(pdtmp, pd)
        finally:
            if os.path.lexists(pdtmp):
                os.unlink(pdtmp)
        objs = [bins[0]] + sum((["-object", b] for b in bins[1:]), [])
        srcs = sorted(os.path.join(ROOT, "uvm", x) for x in
                      os.listdir(os.path.join(ROOT, "uvm"))
                      if x.endswith((".c", ".h")))
        html = os.path.join(outd, "html")
        subprocess.run([llvmcov, "show", "-format=html", "-output-dir=" +
                        html, "-instr-profile=" + pd,
                        "-show-line-counts-or-regions", "-show-branches=count"]
                       + objs + srcs, check=True, stdout=subprocess.DEVNULL)
        r = subprocess.run([llvmcov, "export", "-summary-only",
                            "-instr-profile=" + pd] + objs + srcs,
                           stdout=subprocess.PIPE, check=True)
        tot = json.loads(r.stdout)["data"][0]["totals"]
        log("coverage of uvm/ from %d program(s) (%s)%s:" % (
            n, ", ".join(targets), ", %d not counted (see above)" % len(bad)
            if bad else ""))
        for k in ("lines", "functions", "branches", "regions"):
            v = tot.get(k, {})
            log("  %-10s %6d/%-6d %6.2f%%" % (k, v.get("covered", 0),
                                             v.get("count", 0),
                                             v.get("percent", 0.0)))
        write_atomic(os.path.join(outd, "summary.json"), json.dumps(
            {"targets": targets, "programs": n,
             "not_counted": [{"input": rel(f), "why": why}
                             for f, why in bad], "totals": tot}, indent=2))
        log("coverage: HTML report %s" % rel(os.path.join(html,
                                                          "index.html")))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def runnable(files, tmpdir):
    """(inputs the coverage build can run, [(file, why)] that cannot): a
    text program must parse (progtool check), and one without the .prog
    name is copied to one (the replay main tells text by the name)"""
    ok, bad = [], []
    for f in files:
        if os.path.getsize(f) > MAX_INPUT:
            bad.append((f, "larger than %d MB" % (MAX_INPUT >> 20)))
            continue
        if not is_text_prog(f):
            ok.append(f)
            continue
        r = subprocess.run([progtool(), "check", f], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        if r.returncode != 0:
            err = r.stderr.decode(errors="replace").strip().splitlines()
            why = err[0] if err else "does not parse"
            if why.startswith("progtool: "):
                why = why[len("progtool: "):]
            bad.append((f, "does not parse (%s)" % why))
            continue
        if not f.endswith(".prog"):
            os.makedirs(tmpdir, exist_ok=True)
            dst = os.path.join(tmpdir, "%d.prog" % len(ok))
            shutil.copyfile(f, dst)
            f = dst
        ok.append(f)
    return ok, bad


def profile_run(b, files, prefix):
    """run the coverage build on each file in its own process, each with
    its own profile (prefix-<index>.profraw): an input that crashes or
    hangs loses only its own profile, never another's"""
    jobs = os.cpu_count() or 2

    def one(i):
        env = sanitizer_env({"LLVM_PROFILE_FILE":
                             "%s-%d.profraw" % (prefix, i)})
        try:
            subprocess.run([b, files[i]], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, env=env, timeout=120)
        except subprocess.TimeoutExpired:
            pass

    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        list(ex.map(one, range(len(files))))
