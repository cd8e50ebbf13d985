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
from .util import (MAX_INPUT, REPRO_BUILDS, UsageError, as_binary, binary,
                   check_dir, check_input_file, decode_text, ensure_built,
                   harnesses, is_text_prog, log, new_file, rel,
                   run_progtool, sanitizer_env, show, write_atomic)

# artifact names written by libFuzzer, and AFL++'s crash directories
ARTIFACT = re.compile(r"^(crash|leak|timeout|oom|slow-unit|deadly)-")
# directories below a findings directory that finding_files looks into
MAX_DEPTH = 2
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
            t = json.load(f)
        t = t.get("target") if isinstance(t, dict) else None
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
    if args.timeout < 1:
        raise UsageError("--timeout %d: give a positive number of seconds"
                         % args.timeout)
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
                if is_text_prog(f) and not f.endswith(".prog"):
                    # the replay main tells text by the .prog name
                    inp = os.path.join(tmp, "%d.prog" % len(os.listdir(tmp)))
                    shutil.copyfile(f, inp)
            else:
                inp = as_binary(f, tmp)
            k, fnd, out = replay(b, inp, args.runs, args.timeout)
            head = "%s: target %s, build %s%s: " % (
                rel(f), target, args.build, "-biglock" if args.biglock else "")
            if k == 0:
                log(head + "not reproduced (0/%d)" % args.runs)
                continue
            reproduced += 1
            flaky = "" if k == args.runs else " (flaky)"
            log(head + "reproduced %d/%d%s: %s" % (k, args.runs, flaky,
                                                  fnd["signature"]))
            for l in fnd["harness_lines"]:
                log(show(l))
            if fnd["uvm_loc"] or report.is_oracle(fnd):
                log("first uvm/ frame: " + uvm_frame(fnd))
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
    top_depth = os.path.abspath(d).rstrip(os.sep).count(os.sep)
    for dirpath, dirnames, files in os.walk(d):
        depth = os.path.abspath(dirpath).count(os.sep) - top_depth
        dirnames[:] = [x for x in dirnames
                       if x not in ("corpus", "queue", "triage", "seeds",
                                    ".state", "coverage")
                       and depth < MAX_DEPTH and not
                       os.path.islink(os.path.join(dirpath, x))]
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


def looks_like_findings(d):
    """True when d has a findings directory's layout: meta.json (written
    by `uvmfuzz fuzz`), libFuzzer artifacts, text programs (*.prog) or
    AFL++ id:* files at its top level, or AFL++'s crashes/ or hangs/ (at
    the top or one level down)"""
    try:
        names = os.listdir(d)
    except OSError as e:
        raise UsageError("%s: cannot list (%s): check its permissions"
                         % (rel(d), e.strerror))
    for n in names:
        p = os.path.join(d, n)
        if n == "meta.json" or ARTIFACT.match(n):
            return True
        if os.path.isdir(p) and not os.path.islink(p):
            if n in ("crashes", "hangs"):
                return True
            for sub in ("crashes", "hangs"):
                if os.path.isdir(os.path.join(p, sub)):
                    return True
        elif os.path.isfile(p) and (n.endswith(".prog") or
                                    n.startswith("id:")):
            return True
    return False


def minimize(lfbin, inp, dst, runs, timeout):
    """libFuzzer -minimize_crash into a temporary name, renamed to dst
    when complete; returns dst if it was written, else None"""
    env = sanitizer_env({"ASAN_OPTIONS": "dedup_token_length=3:"
                         "handle_abort=1:detect_leaks=1"})
    tmp = os.path.join(os.path.dirname(dst),
                       "." + os.path.basename(dst) + ".tmp")
    cmd = [lfbin, "-minimize_crash=1", "-runs=%d" % max(1, runs),
           "-timeout=%d" % max(1, int(timeout)),
           "-exact_artifact_path=" + tmp, inp]
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=env,
                       timeout=timeout * 4 + 120)
        if os.path.isfile(tmp):
            os.replace(tmp, dst)
    except subprocess.TimeoutExpired:
        pass
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
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
    for name, v in (("--runs", args.runs), ("--timeout", args.timeout),
                    ("--minimize-runs", args.minimize_runs)):
        if v < 1:
            raise UsageError("%s %d: give a whole number of at least 1"
                             % (name, v))
    if args.target is not None and args.target not in harnesses():
        raise UsageError("unknown target %r: choose one of %s"
                         % (show(args.target), ", ".join(harnesses())))
    if not looks_like_findings(args.dir):
        raise UsageError("%s: not a findings directory (no crash-*/leak-*/"
                         "timeout-* files, *.prog or AFL++ crashes/ at its "
                         "top level): give a directory written by "
                         "`uvmfuzz fuzz` or one holding finding files"
                         % rel(args.dir))
    if not os.access(args.dir, os.W_OK | os.X_OK):
        raise UsageError("%s: cannot write the report there: check its "
                         "permissions" % rel(args.dir))
    files = finding_files(args.dir)
    if not files:
        log("triage: %s: no findings" % rel(args.dir))
        return 0
    res = triage(args.dir, files, target=args.target, runs=args.runs,
                 min_runs=args.minimize_runs, timeout=args.timeout,
                 biglock=args.biglock)
    if not res["groups"]:
        log("triage: nothing reproduced: no finding in %s (exit 0)"
            % rel(args.dir))
    return 1 if res["groups"] else 0


def meta_of(d):
    """d/meta.json as a dict ({} when missing or unreadable); UsageError
    when it is JSON but not an object"""
    try:
        with open(os.path.join(d, "meta.json")) as f:
            m = json.load(f)
    except (OSError, ValueError):
        return {}
    if not isinstance(m, dict):
        raise UsageError("%s: not a JSON object: not a findings directory's "
                         "meta.json (fix or remove it)"
                         % show(os.path.join(d, "meta.json")))
    return m


def triage(d, files, target=None, runs=3, min_runs=2000, timeout=25,
           biglock=None):
    """Triage the inputs `files` of findings directory d; writes
    d/report.md, d/report.json, d/triage/*.  Returns the report dict."""
    meta = meta_of(d)
    target = target or meta.get("target") or infer_target(d)
    if not isinstance(target, str) or target not in harnesses():
        raise UsageError("%s: no harness named %s (known: %s): fix the "
                         "target in meta.json or give --target"
                         % (show(d), show(repr(target)),
                            ", ".join(sorted(harnesses()))))
    if biglock is None:
        biglock = bool(meta.get("biglock"))
    san = meta.get("sanitizer", "address")
    lfkind = "libfuzzer-tsan" if san == "thread" else "libfuzzer-asan"
    lfbin = binary(lfkind, target, biglock)
    asanbin = binary("libfuzzer-asan", target, biglock)
    ensure_built([lfbin, asanbin])
    outdir = os.path.join(d, "triage")
    made_outdir = not os.path.isdir(outdir)
    os.makedirs(outdir, exist_ok=True)
    bindir = os.path.join(outdir, "inputs")
    before = set(os.listdir(outdir))
    before_bin = set(os.listdir(bindir)) if os.path.isdir(bindir) else set()
    try:
        return triage_in(d, files, target, runs, min_runs, timeout, biglock,
                         lfkind, lfbin, asanbin, outdir)
    except BaseException:
        # interrupted or failed: remove what this run wrote, so no file
        # is left that no report refers to
        for n in set(os.listdir(bindir) if os.path.isdir(bindir)
                     else ()) - before_bin:
            os.unlink(os.path.join(bindir, n))
        for n in set(os.listdir(outdir)) - before:
            p = os.path.join(outdir, n)
            if os.path.isdir(p):
                shutil.rmtree(p, ignore_errors=True)
            else:
                os.unlink(p)
        for x in (bindir, outdir if made_outdir else None):
            try:
                if x:
                    os.rmdir(x)
            except OSError:
                pass
        raise


def triage_in(d, files, target, runs, min_runs, timeout, biglock, lfkind,
              lfbin, asanbin, outdir):
    """the body of triage(): replay, group, minimize, write the report"""
    log("triage: %d input(s) in %s, target %s, build %s%s" % (
        len(files), rel(d), target, lfkind, "-biglock" if biglock else ""))

    groups = {}
    unrepro = []
    unrunnable = []	# (input, why): skipped, listed in the report
    bindir = os.path.join(outdir, "inputs")
    for orig in files:
        f = orig
        if is_text_prog(orig):
            os.makedirs(bindir, exist_ok=True)
            try:
                f = as_binary(orig, bindir)
            except UsageError as e:
                why = str(e).split(": fix the program")[0]
                unrunnable.append({"input": rel(orig), "why": why})
                log("  %s: cannot run, skipped (%s)" % (rel(orig), why))
                continue
        elif os.path.getsize(orig) > MAX_INPUT:
            why = "larger than %d MB" % (MAX_INPUT >> 20)
            unrunnable.append({"input": rel(orig), "why": why})
            log("  %s: cannot run, skipped (%s)" % (rel(orig), why))
            continue
        k, fnd, out = replay(lfbin, f, runs, timeout)
        if fnd is None and lfbin != asanbin:
            k, fnd, out = replay(asanbin, f, runs, timeout)
        if fnd is None:
            unrepro.append(rel(orig))
            log("  %s: did not reproduce (0/%d)" % (rel(orig), runs))
            continue
        log("  %s: %s (%d/%d)" % (rel(orig), fnd["signature"], k, runs))
        g = groups.setdefault(fnd["signature"], {
            "finding": fnd, "inputs": [], "repro": [], "output": out})
        g["inputs"].append(f)
        g["repro"].append(k)

    try:
        os.rmdir(bindir)	# only when empty
    except OSError:
        pass
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
                "first uvm/ frame: %s" % uvm_frame(fnd),
                "move to corpus/regress/ once fixed; it must then pass"))
            regress = new_file(outdir, "regress-%s-%s.prog" % (
                slug(fnd["kind"]), slug(fn)), head + text, mode="w")
        report_groups.append({
            "signature": sig,
            "kind": fnd["kind"],
            "message": fnd["message"],
            "frames": fnd["frames"],
            "uvm_loc": fnd["uvm_loc"],
            "oracle": report.is_oracle(fnd),
            "harness_lines": fnd["harness_lines"],
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
           "unreproduced": unrepro, "unrunnable": unrunnable,
           "groups": report_groups}
    write_atomic(os.path.join(d, "report.json"), json.dumps(rep, indent=2))
    write_atomic(os.path.join(d, "report.md"), render_md(rep))
    log("triage: %d group(s), %d unreproduced, %d could not run; report: %s"
        % (len(report_groups), len(unrepro), len(unrunnable),
           rel(os.path.join(d, "report.md"))))
    for g in report_groups:
        log("  %-18s %-50s %s  %s" % (g["kind"], g["signature"][:50],
                                      g["reproducible"], g["uvm_loc"] or ""))
    return rep


def uvm_frame(f):
    """the `first uvm/ frame` of a finding or report group, for people"""
    if f["uvm_loc"]:
        return f["uvm_loc"]
    if f.get("oracle", report.is_oracle(f)):
        return "not applicable: oracle finding"
    return "none"


def render_md(rep):
    out = ["# Triage of %s" % rep["dir"], "",
           "Target `%s`, build `%s`; %d input(s), %d group(s), "
           "%d did not reproduce, %d could not run." % (
               rep["target"], rep["build"], rep["inputs"],
               len(rep["groups"]), len(rep["unreproduced"]),
               len(rep.get("unrunnable", []))), ""]
    for i, g in enumerate(rep["groups"], 1):
        out += ["## %d. %s: `%s`" % (i, g["kind"], g["signature"]), "",
                "- message: %s" % g["message"],
                "- first uvm/ frame: %s" % uvm_frame(g),
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
                ""]
        if g.get("harness_lines"):
            out += ["Finding (as the harness printed it):", "", "```"] + \
                [show(l) for l in g["harness_lines"]] + ["```", ""]
        out += ["Program:", "", "```",
                (g["program"] or "(could not decode)").rstrip(), "```", "",
                "Report:", "", "```", g["report"].rstrip(), "```", ""]
    if rep.get("unrunnable"):
        out += ["## Could not run (skipped)", ""]
        out += ["- %s: %s" % (u["input"], u["why"])
                for u in rep["unrunnable"]]
        out.append("")
    if rep["unreproduced"]:
        out += ["## Did not reproduce", ""]
        out += ["- %s" % p for p in rep["unreproduced"]]
        out.append("")
    return "\n".join(out)
