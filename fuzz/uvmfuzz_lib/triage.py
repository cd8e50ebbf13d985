"""repro and triage: replay findings, group them by signature, minimize,
write report.md / report.json and ready regression programs."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

from . import report
from .util import (ROOT, REPRO_BUILDS, UsageError, as_binary, binary,
                   check_dir, check_input_file, decode_text, ensure_built,
                   harnesses, is_text_prog, log, new_file, rel,
                   run_progtool, sanitizer_env)

# artifact names written by libFuzzer, and AFL++'s crash directories
ARTIFACT = re.compile(r"^(crash|leak|timeout|oom|slow-unit|deadly)-")
SKIP = re.compile(r"(^report\.(md|json)$|\.log$|\.txt$|\.json$|\.md$|"
                  r"\.stats$|^\.|^README)")


def run_once(binpath, inp, timeout, env=None):
    """Run binpath on one input; returns (status, output).  A run that
    outlives timeout seconds is a `timeout` finding."""
    cmd = [binpath]
    if os.path.basename(os.path.dirname(binpath)).startswith("libfuzzer"):
        cmd.append("-timeout=%d" % max(1, int(timeout)))
    cmd.append(inp)
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=env or
                           sanitizer_env(), timeout=timeout + 5)
    except subprocess.TimeoutExpired as e:
        out = (e.output or b"").decode(errors="replace")
        return 70, out + "\nERROR: libFuzzer: timeout (killed by uvmfuzz)\n"
    return r.returncode, r.stdout.decode(errors="replace")


def replay(binpath, inp, runs, timeout=25):
    """Replay inp `runs` times; returns (k, finding of the first failing
    run or None, its output).  A run counts when it reports a finding."""
    k = 0
    first = None
    first_out = ""
    for _ in range(runs):
        status, out = run_once(binpath, inp, timeout)
        f = report.analyze(out, status)
        if f is not None:
            k += 1
            if first is None:
                first, first_out = f, out
    return k, first, first_out


def infer_target(path, default=None):
    """the harness a finding belongs to: from a findings directory name
    (<timestamp>-<target>-<engine>) or a corpus path; else default"""
    known = harnesses()
    p = os.path.abspath(path)
    for comp in reversed(p.split(os.sep)):
        for t in sorted(known, key=len, reverse=True):
            if comp == t or re.search(r"-%s-(libfuzzer|afl)" % re.escape(t),
                                      comp):
                return t
    meta = os.path.join(os.path.dirname(p), "meta.json")
    try:
        with open(meta) as f:
            t = json.load(f).get("target")
        if t in known:
            return t
    except (OSError, ValueError):
        pass
    if default:
        return default
    if "fault" in known:
        return "fault"
    if known:
        return known[0]
    raise UsageError("no fuzz targets in fuzz/harness/: "
                     "check the checkout")


def repro_binary(build, target, biglock):
    kind = REPRO_BUILDS[build]
    b = binary(kind, target, biglock)
    ensure_built([b])
    return b


def cmd_repro(args):
    if args.runs < 1:
        raise UsageError("--runs %d: give a count of at least 1" % args.runs)
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive: give seconds")
    for f in args.files:
        check_input_file(f, "finding or program file")
    if args.target is not None and args.target not in harnesses():
        raise UsageError("unknown target %r: choose one of %s"
                         % (args.target, ", ".join(harnesses())))
    for f in args.files:
        if is_text_prog(f):
            run_progtool(["check", f])
    reproduced = 0
    tmp = tempfile.mkdtemp(prefix="uvmfuzz-repro-")
    try:
        for f in args.files:
            target = args.target or infer_target(f)
            b = repro_binary(args.build, target, args.biglock)
            if os.path.basename(os.path.dirname(b)).startswith("replay"):
                inp = f
            else:
                inp = as_binary(f, tmp)
            k, fnd, out = replay(b, inp, args.runs, args.timeout)
            head = "%s: target %s, build %s%s: " % (
                f, target, args.build, "-biglock" if args.biglock else "")
            if k == 0:
                log(head + "not reproduced (0/%d)" % args.runs)
                continue
            reproduced += 1
            flaky = "" if k == args.runs else " (flaky)"
            log(head + "reproduced %d/%d%s: %s" % (k, args.runs, flaky,
                                                  fnd["signature"]))
            if fnd["uvm_loc"]:
                log("first uvm/ frame: " + fnd["uvm_loc"])
            log("--- report")
            log(report.excerpt(out))
            log("--- program")
            text = decode_text(f)
            log(text.rstrip() if text is not None
                else "(progtool could not decode this file)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # libFuzzer's convention: a reproducing input makes the run fail
    return 1 if reproduced else 0


def finding_files_only(d):
    """libFuzzer artifacts and AFL++ crashes/hangs in d (no fallback)"""
    return finding_files(d, fallback=False)


def finding_files(d, fallback=True):
    """the inputs in a findings directory: libFuzzer artifacts, AFL++'s
    crashes/ and hangs/; if neither exists (and fallback), every regular
    file at its top level"""
    arts, afl, other = [], [], []
    for dirpath, dirnames, files in os.walk(d):
        dirnames[:] = [x for x in dirnames
                       if x not in ("corpus", "queue", "triage", "seeds",
                                    ".state", "coverage")]
        base = os.path.basename(dirpath)
        top = os.path.abspath(dirpath) == os.path.abspath(d)
        for n in sorted(files):
            p = os.path.join(dirpath, n)
            if not os.path.isfile(p):
                continue
            if ARTIFACT.match(n):
                if not n.startswith("slow-unit-"):
                    arts.append(p)
            elif base in ("crashes", "hangs") and n.startswith("id:"):
                afl.append(p)
            elif top and not SKIP.search(n):
                other.append(p)
    found = arts + afl
    if found or not fallback:
        return sorted(found)
    return sorted(other)


def minimize(lfbin, inp, dst, runs, timeout):
    """libFuzzer -minimize_crash; returns dst if it wrote it, else None"""
    env = sanitizer_env({"ASAN_OPTIONS": "dedup_token_length=3:"
                         "handle_abort=1:detect_leaks=1"})
    cmd = [lfbin, "-minimize_crash=1", "-runs=%d" % runs,
           "-timeout=%d" % max(1, int(timeout)),
           "-exact_artifact_path=" + dst, inp]
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=env,
                       timeout=timeout * 4 + 120)
    except subprocess.TimeoutExpired:
        pass
    return dst if os.path.isfile(dst) else None


def unused_path(d, name):
    """d/name, or d/name-2, -3, ...: a path no file has"""
    p = os.path.join(d, name)
    n = 2
    while os.path.exists(p):
        p = os.path.join(d, "%s-%d" % (name, n))
        n += 1
    return p


def slug(s):
    s = re.sub(r"[^A-Za-z0-9_]+", "-", s).strip("-")
    return s[:40] or "unknown"


def cmd_triage(args):
    check_dir(args.dir, "findings directory")
    if args.runs < 1:
        raise UsageError("--runs %d: give a count of at least 1" % args.runs)
    files = finding_files(args.dir)
    if not files:
        log("triage: %s: no findings" % args.dir)
        return 0
    res = triage(args.dir, files, target=args.target, runs=args.runs,
                 min_runs=args.minimize_runs, timeout=args.timeout,
                 biglock=args.biglock)
    return 1 if res["groups"] else 0


def meta_of(d):
    try:
        with open(os.path.join(d, "meta.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def triage(d, files, target=None, runs=3, min_runs=2000, timeout=25,
           biglock=None):
    """Triage the inputs `files` of findings directory d; writes
    d/report.md, d/report.json, d/triage/*.  Returns the report dict."""
    meta = meta_of(d)
    target = target or meta.get("target") or infer_target(d)
    if biglock is None:
        biglock = bool(meta.get("biglock"))
    san = meta.get("sanitizer", "address")
    lfkind = "libfuzzer-tsan" if san == "thread" else "libfuzzer-asan"
    lfbin = binary(lfkind, target, biglock)
    asanbin = binary("libfuzzer-asan", target, biglock)
    ensure_built([lfbin, asanbin])
    outdir = os.path.join(d, "triage")
    os.makedirs(outdir, exist_ok=True)
    log("triage: %d input(s) in %s, target %s, build %s%s" % (
        len(files), rel(d), target, lfkind, "-biglock" if biglock else ""))

    groups = {}
    unrepro = []
    bindir = os.path.join(outdir, "inputs")
    for orig in files:
        f = orig
        if is_text_prog(orig):
            os.makedirs(bindir, exist_ok=True)
            f = as_binary(orig, bindir)
        k, fnd, out = replay(lfbin, f, runs, timeout)
        if fnd is None and lfbin != asanbin:
            k, fnd, out = replay(asanbin, f, runs, timeout)
        if fnd is None:
            unrepro.append(rel(f))
            log("  %s: did not reproduce (0/%d)" % (rel(f), runs))
            continue
        log("  %s: %s (%d/%d)" % (rel(f), fnd["signature"], k, runs))
        g = groups.setdefault(fnd["signature"], {
            "finding": fnd, "inputs": [], "repro": [], "output": out})
        g["inputs"].append(f)
        g["repro"].append(k)

    report_groups = []
    for sig, g in sorted(groups.items()):
        fnd = g["finding"]
        smallest = min(g["inputs"], key=lambda p: (os.path.getsize(p), p))
        h = hashlib.sha1(sig.encode()).hexdigest()[:8]
        minfile = None
        survived = False
        mdst = unused_path(outdir, "min-%s-%s" % (slug(fnd["kind"]), h))
        got = minimize(lfbin, smallest, mdst, min_runs, timeout)
        final = smallest
        if got:
            k2, f2, _ = replay(lfbin, got, 1, timeout)
            if f2 is not None and f2["signature"] == sig:
                survived = True
                final = got
                minfile = got
        k, _, out = replay(lfbin, final, runs, timeout)
        text = decode_text(final)
        if fnd["frames"]:
            fn = fnd["frames"][0]["func"]
        elif fnd["uvm_loc"]:	# no stack: the assertion's file and line
            fn = os.path.basename(fnd["uvm_loc"]).replace(".c:", "-")
        else:
            fn = "unknown"
        regress = None
        if text is not None:
            head = "".join("# %s\n" % l for l in (
                "regression case: %s" % sig,
                "found by %s (%s)" % (rel(smallest), lfkind),
                "first uvm/ frame: %s" % (fnd["uvm_loc"] or "none"),
                "move to corpus/regress/ once fixed; it must then pass"))
            regress = new_file(outdir, "regress-%s-%s.prog" % (
                slug(fnd["kind"]), slug(fn)), head + text, mode="w")
        report_groups.append({
            "signature": sig,
            "kind": fnd["kind"],
            "message": fnd["message"],
            "frames": fnd["frames"],
            "uvm_loc": fnd["uvm_loc"],
            "count": len(g["inputs"]),
            "inputs": [rel(p) for p in g["inputs"]],
            "smallest": rel(smallest),
            "minimized": rel(minfile) if minfile else None,
            "minimized_keeps_signature": survived,
            "reproducible": "%d/%d" % (k, runs),
            "program": text,
            "regression_file": rel(regress) if regress else None,
            "report": report.excerpt(out, 40),
        })
    rep = {"dir": rel(d), "target": target, "build": lfkind +
           ("-biglock" if biglock else ""), "inputs": len(files),
           "unreproduced": unrepro, "groups": report_groups}
    with open(os.path.join(d, "report.json"), "w") as f:
        json.dump(rep, f, indent=2)
    with open(os.path.join(d, "report.md"), "w") as f:
        f.write(render_md(rep))
    log("triage: %d group(s), %d unreproduced; report: %s" % (
        len(report_groups), len(unrepro), rel(os.path.join(d, "report.md"))))
    for g in report_groups:
        log("  %-18s %-50s %s  %s" % (g["kind"], g["signature"][:50],
                                      g["reproducible"], g["uvm_loc"] or ""))
    return rep


def render_md(rep):
    out = ["# Triage of %s" % rep["dir"], "",
           "Target `%s`, build `%s`; %d input(s), %d group(s), "
           "%d did not reproduce." % (rep["target"], rep["build"],
                                      rep["inputs"], len(rep["groups"]),
                                      len(rep["unreproduced"])), ""]
    for i, g in enumerate(rep["groups"], 1):
        out += ["## %d. %s: `%s`" % (i, g["kind"], g["signature"]), "",
                "- message: %s" % g["message"],
                "- first uvm/ frame: %s" % (g["uvm_loc"] or "none"),
                "- frames: %s" % (", ".join(
                    "%s (%s:%s)" % (f["func"], f["file"], f["line"])
                    for f in g["frames"]) or "none"),
                "- reproducible: %s" % g["reproducible"],
                "- inputs: %d (smallest %s)" % (g["count"], g["smallest"]),
                "- minimized: %s%s" % (
                    g["minimized"] or "no",
                    "" if g["minimized_keeps_signature"] or not
                    g["minimized"] else " (signature changed: not used)"),
                "- regression file: %s" % (g["regression_file"] or "none"),
                "", "Program:", "", "```",
                (g["program"] or "(could not decode)").rstrip(), "```", "",
                "Report:", "", "```", g["report"].rstrip(), "```", ""]
    if rep["unreproduced"]:
        out += ["## Did not reproduce", ""]
        out += ["- %s" % p for p in rep["unreproduced"]]
        out.append("")
    return "\n".join(out)
