"""bench --mutant: detection power of the fuzzers on the planted-bug
mutants, against a stress baseline and a control run.

Per mutant (fuzz/mutants/<ID>-*.patch, machinery in mutants.py): the
patch is applied to a clone of a built scratch copy of the tree and the
binaries the trials need are rebuilt there; then

  fuzz:      K trials of the fuzzer (libFuzzer or AFL++, -seed 1..K) on
             the mutant, seeded with corpus/<target>/ only, each stopped
             at its first finding or after the budget;
  baseline:  K trials of `fault_threads --random` (random programs on
             real threads, no coverage guidance) built with the same
             sanitizer, same budget;

a trial detects the mutant when its finding has the kind the header's
Oracle names and its input does not also fail on the correct tree (then
it is reported as not the mutant's).  Control: the same fuzz and
baseline trials on the correct tree, which must find nothing; anything
found is a rig/model finding, its input saved under <out>/control/.

Output in --out: bench.json (every trial), bench.md (the table),
bench.png (the picture, matplotlib), inputs/ and control/ (the inputs of
every finding).  The files are rewritten after each mutant and are
written at all only once something was measured; an interrupted run
keeps its completed trials (the mutant marked partial, an interrupted
control said so).  --workdir must be new, empty or marked by an earlier
run (mutants.open_workdir); it is locked, and only this run's run-*/
directory in it is removed; scratch trees are removed even on a second
^C.
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from . import mutants as M
from .util import (ROOT, UsageError, check_out_dir, log, new_dir, show,
                   timestamp)

TARGETS = ("auto", "fault", "fault_mp")
# at most a day per trial (libFuzzer's -max_total_time is an int)
MAX_BUDGET = 86400


def parse_ids(spec):
    """--mutant `all` or ID[,ID...] -> list of mutant dicts (UsageError
    on an unknown id)"""
    try:
        if spec.strip().lower() == "all":
            ms = M.list_mutants()
            if not ms:
                raise UsageError("no mutants in %s: check the checkout"
                                 % show(M.mutants_dir()))
            return ms
        ids = [i.strip() for i in spec.split(",") if i.strip()]
        if not ids:
            raise UsageError("--mutant %s: give mutant ids (ID[,ID...]) "
                             "or all" % show(repr(spec)))
        return M.dedup([M.find_mutant(i) for i in ids])
    except M.MutantError as e:
        raise UsageError("--mutant: %s" % e)


def median(xs):
    return round(statistics.median(xs), 1) if xs else None


def summarize(trials):
    """k (trials that detected) and the median time of those"""
    det = [t["seconds"] for t in trials if t["detected"]]
    return {"detected": len(det), "median_seconds": median(det),
            "trials": trials}


def ratio(fz, bl, budget):
    """(ratio, is_lower_bound): baseline median / fuzzer median; when only
    the fuzzer detected, budget / fuzzer median, a lower bound"""
    if not fz["detected"]:
        return None, False
    f = max(fz["median_seconds"], 0.1)
    if bl["detected"]:
        return round(max(bl["median_seconds"], 0.1) / f, 1), False
    return round(budget / f, 1), True


def keep_input(trial, dest, name):
    """copy a trial's finding input to dest/name, drop its work dir;
    the trial's `input` becomes the path relative to the output dir"""
    src = trial.pop("dir", None)
    if trial.get("input"):
        os.makedirs(dest, exist_ok=True)
        p = os.path.join(dest, name)
        shutil.copyfile(trial["input"], p)
        trial["input"] = os.path.join(os.path.basename(dest), name)
    if src:
        shutil.rmtree(src, ignore_errors=True)
    return trial


def note_for(r):
    """why a mutant's trials did not all detect it, for the table"""
    if not r.get("applies", True):
        return "patch does not apply: " + r.get("error", "")
    if "error" in r:
        return r["error"]
    out = []
    if r.get("partial"):
        out.append("interrupted: only the trials shown ran")
    for part in ("fuzz", "baseline"):
        for t in (r.get(part) or {"trials": []})["trials"]:
            if t["detected"] and t["input"] is None:
                out.append("%s seed %d: %s detected, input not saved, so "
                           "not replayed on the correct tree"
                           % (part, t["seed"], t["kind"]))
            if t["detected"] or t["kind"] is None:
                continue
            if t.get("also_on_correct"):
                out.append("%s seed %d: %s also on the correct tree (%s)"
                           % (part, t["seed"], t["kind"], t["input"]))
            else:
                out.append("%s seed %d: other kind %s (%s)"
                           % (part, t["seed"], t["kind"], t["msg"][:48]))
    return "; ".join(out)


def fmt_time(s):
    return "-" if s is None else "%.1f" % s


def render_md(res):
    K, B = res["trials"], res["budget"]
    lines = ["# Mutant detection power", "",
             "`%s` (tree %s, %s to %s; %d CPUs, load %.1f at start)."
             % (" ".join(res["command"]), res["tree"], res["started"],
                res["finished"] or "interrupted", res["machine"]["cpus"],
                res["machine"]["load"]), "",
             "K = %d trials per mutant, budget %d s per trial, engine %s. "
             "fuzz: the fuzzer from the seed corpus only; baseline: "
             "`fault_threads --random` (real threads, no coverage "
             "guidance), same sanitizer and budget.  Medians are over the "
             "trials that detected; ratio = baseline median / fuzz median "
             "(`>` a lower bound: budget / fuzz median, the baseline "
             "found nothing)." % (K, B, res["engine"]), "",
             "| id | target | oracle | sanitizer | fuzz k/K | fuzz median s "
             "| baseline k/K | baseline median s | ratio | notes |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in res["mutants"]:
        if "fuzz" not in r:
            lines.append("| %s | %s | %s | - | - | - | - | - | - | %s |"
                         % (r["id"], r.get("target"), r.get("oracle"),
                            note_for(r).replace("|", "\\|")))
            continue
        fz, bl = r["fuzz"], r.get("baseline")
        rt = fmt_ratio(r)
        lines.append("| %s | %s | %s | %s | %d/%d | %s | %s | %s | %s | %s |"
                     % (r["id"], r["target"], r["oracle"], r["sanitizer"],
                        fz["detected"], K, fmt_time(fz["median_seconds"]),
                        "%d/%d" % (bl["detected"], K) if bl else "-",
                        fmt_time(bl["median_seconds"]) if bl else "-", rt,
                        note_for(r).replace("|", "\\|")))
    if res.get("skipped"):
        lines += ["", "Skipped (oracle tsan, no AFL++ TSan build): %s."
                  % ", ".join(res["skipped"])]
    c = res.get("control")
    lines.append("")
    if c is None:
        lines.append("Control: not run.")
    else:
        n = sum(len(g["trials"]) for p in ("fuzz", "baseline")
                for g in c.get(p, []))
        lines.append("Control (correct tree, same budget and seeds): "
                     "%d finding(s)%s." % (c.get("findings", 0), (
                         " -- INTERRUPTED after %d trial(s), incomplete"
                         % n) if c.get("partial") else ""))
        for part in ("fuzz", "baseline"):
            for g in c.get(part, []):
                for t in g["trials"]:
                    if t["kind"]:
                        lines.append("- %s %s/%s seed %d: %s: %s (input %s)"
                                     % (part, g.get("target", "fault_threads"),
                                        g["sanitizer"], t["seed"], t["kind"],
                                        t["msg"][:100], t["input"]))
    return "\n".join(lines) + "\n"


def render_png(res, path):
    """bench.png: per mutant, detected k/K and median time to detect of
    the fuzzer and of the baseline.  Returns None, or why no picture."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return render_png_debian(res, path)
    rows = [r for r in res["mutants"] if "fuzz" in r]
    if not rows:
        return "no measured mutant"
    K, B = res["trials"], res["budget"]
    ids = [r["id"] for r in rows][::-1]
    rows = rows[::-1]
    y = list(range(len(rows)))
    height = 0.32 * len(rows) + 1.6
    fig, (a1, a2) = plt.subplots(1, 2, sharey=True, figsize=(10, height))
    h = 0.38
    a1.barh([v + h / 2 for v in y], [r["fuzz"]["detected"] for r in rows],
            h, label="fuzz (%s)" % res["engine"], color="tab:blue")
    a1.barh([v - h / 2 for v in y],
            [r["baseline"]["detected"] if r.get("baseline") else 0
             for r in rows], h, label="baseline (random, real threads)",
            color="tab:orange")
    a1.set_xlim(0, K)
    a1.set_xticks(range(K + 1))
    a1.set_xlabel("trials that detected (of %d)" % K)
    a1.set_yticks(y)
    a1.set_yticklabels(ids)
    for part, off, col in (("fuzz", h / 2, "tab:blue"),
                           ("baseline", -h / 2, "tab:orange")):
        xs, ys, xm, ym = [], [], [], []
        for v, r in zip(y, rows):
            g = r.get(part)
            if g and g["median_seconds"] is not None:
                xs.append(max(g["median_seconds"], 0.1))
                ys.append(v + off)
            else:
                xm.append(B)
                ym.append(v + off)
        a2.scatter(xs, ys, color=col, s=18, label=part)
        a2.scatter(xm, ym, color=col, marker="x", s=18)
    a2.set_xscale("log")
    a2.set_xlim(0.05, B * 1.6)
    a2.axvline(B, color="grey", lw=0.8, ls="--")
    a2.set_xlabel("median seconds to detect (x: not detected in %d s)" % B)
    fig.suptitle("uvmfuzz mutant detection: K=%d, budget %d s" % (K, B),
                 fontsize=10, x=0.3)
    fig.legend(*a1.get_legend_handles_labels(), loc="upper right",
               fontsize=7, ncol=2)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / height))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None


def render_png_debian(res, path):
    """render_png with Debian's python3 (python3-matplotlib) when this
    interpreter (e.g. a pyenv one first in PATH) has no matplotlib"""
    py = "/usr/bin/python3"
    if os.path.realpath(sys.executable) == os.path.realpath(py) or \
            not os.path.exists(py):
        return "matplotlib missing (apt-get install python3-matplotlib)"
    fuzzdir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = ("import json, sys; sys.dont_write_bytecode = True; "
            "sys.path.insert(0, sys.argv[1]); "
            "from uvmfuzz_lib.mutbench import render_png; "
            "why = render_png(json.load(sys.stdin), sys.argv[2]); "
            "why and print(why)")
    r = subprocess.run([py, "-c", code, fuzzdir, path], input=json.dumps(
        res), capture_output=True, text=True)
    if r.returncode != 0:
        err = (r.stderr.strip().splitlines() or ["failed"])[-1]
        return "%s: %s" % (py, err)
    return r.stdout.strip() or None


def write_results(res, out):
    """bench.json, bench.md and bench.png in out (rewritten whole)"""
    for name, data in (("bench.json", json.dumps(res, indent=1) + "\n"),
                       ("bench.md", render_md(res))):
        tmp = os.path.join(out, "." + name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(data)
        os.replace(tmp, os.path.join(out, name))


def tree_version():
    r = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return r.stdout.decode().strip() or "unknown"


def trial_line(mid, part, t):
    if t["kind"] is None:
        return "bench: %-4s %-8s seed %d: nothing" % (mid, part, t["seed"])
    return ("bench: %-4s %-8s seed %d: %s at %.1f s%s%s: %s"
            % (mid, part, t["seed"], t["kind"], t["seconds"] or 0,
               " (a seed)" if t["in_seeds"] else "",
               " ALSO ON CORRECT TREE" if t.get("also_on_correct") else "",
               "DETECTED" if t.get("detected") else "not detected"))


def run_mutant(m, cfg, base, work, args, out, r):
    """prepare, fuzz and stress one mutant into its result dict r (filled
    as trials complete, so an interrupt keeps the finished ones)"""
    ok, why = M.patch_applies(m["patch"], base)
    if not ok:
        r.update(applies=False, error=why)
        return r
    t0 = time.monotonic()
    tree = M.prepare_mutant(m, base, work, M.trial_targets(cfg))
    r["build_seconds"] = round(time.monotonic() - t0, 1)
    try:
        inputs = os.path.join(out, "inputs")
        fz = []
        for s in range(1, args.trials + 1):
            t = M.judge(m, M.fuzz_trial(tree, base, cfg, args.budget, s,
                                        work))
            fz.append(keep_input(t, inputs, "%s-fuzz-%d.bin" % (m["id"], s)))
            r["fuzz"] = summarize(fz)
            log(trial_line(m["id"], "fuzz", t))
        r["baseline"] = None
        if not args.no_baseline:
            bl = []
            for s in range(1, args.trials + 1):
                t = M.judge(m, M.stress_trial(tree, base, cfg, args.budget,
                                              s, work))
                bl.append(keep_input(t, inputs, "%s-baseline-%d.bin"
                                     % (m["id"], s)))
                r["baseline"] = summarize(bl)
                log(trial_line(m["id"], "baseline", t))
    finally:
        shutil.rmtree(tree, ignore_errors=True)
        if r.get("fuzz"):
            r["ratio"], r["ratio_is_lower_bound"] = ratio(
                r["fuzz"], r["baseline"], args.budget) \
                if r.get("baseline") else (None, False)
    return r


def run_control(cfgs, base, work, args, out, c):
    """the fuzz and baseline trials of every configuration on the correct
    tree into c: dict(fuzz, baseline, findings), filled as trials
    complete; c["partial"] is True until every trial ran"""
    c.update(fuzz=[], baseline=[], findings=0, partial=True)
    dest = os.path.join(out, "control")

    def count():
        c["findings"] = sum(1 for part in ("fuzz", "baseline")
                            for g in c[part] for t in g["trials"]
                            if t["kind"])
    for cfg in cfgs:
        trials = []
        c["fuzz"].append(dict(cfg, trials=trials))
        for s in range(1, args.trials + 1):
            t = M.fuzz_trial(base, None, cfg, args.budget, s, work)
            name = "%s-%s-fuzz-%d.bin" % (cfg["target"], cfg["sanitizer"], s)
            trials.append(keep_input(t, dest, name))
            count()
            log(trial_line("ctl", "fuzz", dict(t, detected=False)) +
                " [%s/%s]" % (cfg["target"], cfg["sanitizer"]))
    if not args.no_baseline:
        for san in sorted({cfg["sanitizer"] for cfg in cfgs}):
            cfg = {"target": "fault_threads", "sanitizer": san,
                   "engine": "stress"}
            trials = []
            c["baseline"].append({"sanitizer": san, "trials": trials})
            for s in range(1, args.trials + 1):
                t = M.stress_trial(base, None, cfg, args.budget, s, work)
                trials.append(keep_input(t, dest, "fault_threads-%s-%d.bin"
                                         % (san, s)))
                count()
                log(trial_line("ctl", "baseline", dict(t, detected=False)) +
                    " [fault_threads/%s]" % san)
    count()
    del c["partial"]
    return c


def measured(res):
    """whether res holds any trial (then it is worth writing)"""
    if any("fuzz" in r or "error" in r or not r.get("applies", True)
           for r in res["mutants"]):
        return True
    c = res.get("control")
    return bool(c and any(g["trials"] for p in ("fuzz", "baseline")
                          for g in c[p]))


def check_bench_args(args):
    """UsageError for options that do not apply to --mutant or are out
    of range; fills in the defaults"""
    if args.exec_:
        raise UsageError("--exec and --mutant measure different things: "
                         "give one of them")
    for name, v in (("--biglock", args.biglock), ("--time", args.time)):
        if v:
            raise UsageError("%s does not apply to --mutant (it is an "
                             "--exec option): leave it out" % name)
    args.trials = 3 if args.trials is None else args.trials
    args.budget = 60 if args.budget is None else args.budget
    if args.budget > MAX_BUDGET:
        raise UsageError("--budget %d: at most %d seconds per trial"
                         % (args.budget, MAX_BUDGET))
    if args.trials > 1000:
        raise UsageError("--trials %d: at most 1000" % args.trials)
    if args.out is not None and args.out.strip() == "":
        raise UsageError("empty --out: give a directory path")
    if args.workdir is not None and args.workdir.strip() == "":
        raise UsageError("empty --workdir: give a directory path")


def copy_log(e, out, name):
    """a BuildError's log copied into out (the scratch one is removed at
    exit): the message naming the kept copy"""
    dst = os.path.join(out, name)
    try:
        shutil.copyfile(e.log, dst)
    except OSError:
        return str(e)
    return "build failed: see %s" % dst


def cmd_bench_mutants(args, argv=None):
    target = args.target or "auto"
    if target not in TARGETS:
        raise UsageError("--target %s: with --mutant choose one of %s"
                         % (show(target), ", ".join(TARGETS)))
    check_bench_args(args)
    ms = parse_ids(args.mutant)
    every = args.mutant.strip().lower() == "all"
    skipped = []
    if every and args.engine == "afl":
        for m in ms:
            try:
                M.fuzz_config(m, target, args.engine)
            except M.MutantError:
                skipped.append(m["id"])
        if skipped:
            log("bench: skipping %s: oracle tsan, no AFL++ TSan build (use "
                "--engine libfuzzer for them)" % ",".join(skipped))
        ms = [m for m in ms if m["id"] not in skipped]
        if not ms:
            raise UsageError("--engine afl: every mutant's oracle is tsan: "
                             "use --engine libfuzzer")
    try:
        cfgs = [M.fuzz_config(m, target, args.engine) for m in ms]
    except M.MutantError as e:
        raise UsageError(str(e))
    if args.out is not None:
        out = os.path.abspath(args.out)
        check_out_dir(args.out, "results directory (--out)")
        if os.path.isdir(out) and os.listdir(out):
            raise UsageError("%s: exists and is not empty: give a new --out "
                             "directory (results are never overwritten)"
                             % show(args.out))
    else:
        check_out_dir(os.path.join(ROOT, "findings"), "findings directory")
    bad = []
    for m in ms:
        ok, why = M.patch_applies(m["patch"], ROOT)
        if not ok:
            bad.append("%s: patch does not apply: %s" % (m["id"], why))
    if bad and not every:
        raise UsageError(bad[0] + ": re-base the patch on the tree or "
                         "leave it out")
    if bad and len(bad) == len(ms):
        raise UsageError("no mutant's patch applies (%s): re-base the "
                         "patches on the tree" % bad[0])
    own_work = args.workdir is None
    tmp = tempfile.mkdtemp(prefix="uvmfuzz-bench-") if own_work else None
    try:
        work, run, lock = M.open_workdir(tmp if own_work else args.workdir)
    except M.MutantError as e:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        raise UsageError(str(e))
    created_out = False
    try:
        if args.out is not None:
            created_out = not os.path.exists(out)
            os.makedirs(out, exist_ok=True)
        else:
            out = new_dir(os.path.join(ROOT, "findings"),
                          timestamp() + "-bench-mutants")
            created_out = True
    except OSError as e:
        shutil.rmtree(tmp or run, ignore_errors=True)
        os.close(lock)
        raise UsageError("%s: cannot create it: %s" % (show(args.out or ""),
                                                       e.strerror))
    res = {"version": 1, "command": ["uvmfuzz", "bench"] + list(
        argv if argv is not None else sys.argv[2:]),
        "tree": tree_version(), "started": time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "finished": None,
        "interrupted": False, "trials": args.trials, "budget": args.budget,
        "engine": args.engine, "target": target,
        "machine": {"cpus": os.cpu_count(), "load": round(
            os.getloadavg()[0], 1)}, "mutants": [], "control": None}
    if skipped:
        res["skipped"] = skipped
    rc = 0
    written = []
    try:
        tgts = []
        for cfg in cfgs:
            tgts += M.trial_targets(cfg)
        log("bench: building the correct tree in %s" % show(work))
        try:
            base = M.prepare_base(work, tgts=list(dict.fromkeys(tgts)))
        except M.BuildError as e:
            raise UsageError("the correct tree: " + copy_log(
                e, out, "base.build.log"))
        except M.MutantError as e:
            raise UsageError(str(e))
        for m, cfg in zip(ms, cfgs):
            log("bench: %s (%s, %s/%s)" % (m["id"], m.get("oracle"),
                                          cfg["target"], cfg["sanitizer"]))
            r = {"id": m["id"], "name": m["name"], "oracle": m.get("oracle"),
                 "target": cfg["target"], "sanitizer": cfg["sanitizer"],
                 "engine": cfg["engine"], "applies": True}
            try:
                run_mutant(m, cfg, base, run, args, out, r)
            except M.BuildError as e:
                r["error"] = "mutant: " + copy_log(e, out, m["id"] +
                                                   ".build.log")
            except M.MutantError as e:
                r.update(applies="does not apply" not in str(e),
                         error=str(e))
            except KeyboardInterrupt:
                if "fuzz" in r:
                    r["partial"] = True
                    res["mutants"].append(r)
                raise
            if not r.get("applies", True) or "error" in r:
                log("bench: %s: %s" % (m["id"], note_for(r)))
                rc = 2
            res["mutants"].append(r)
            write_results(res, out)
        if not args.no_control:
            uniq = list({(c["target"], c["sanitizer"], c["engine"]): c
                         for c in cfgs}.values())
            res["control"] = {}
            run_control(uniq, base, run, args, out, res["control"])
            if res["control"]["findings"]:
                log("bench: the correct tree gave %d finding(s) in the "
                    "control: rig or model findings, inputs in %s"
                    % (res["control"]["findings"],
                       show(os.path.join(out, "control"))))
                rc = max(rc, 1)
        res["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    except KeyboardInterrupt:
        res["interrupted"] = True
        raise
    finally:
        # a second ^C or SIGTERM must not cut the cleanup short
        old = [(sg, signal.signal(sg, signal.SIG_IGN))
               for sg in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
        try:
            shutil.rmtree(tmp or run, ignore_errors=True)
            os.close(lock)
            if measured(res):
                write_results(res, out)
                written = ["bench.md", "bench.json"]
                why = render_png(res, os.path.join(out, "bench.png"))
                if why:
                    log("bench: no picture: %s" % why)
                else:
                    written.append("bench.png")
                log("bench: results in %s (%s)" % (show(out),
                                                   ", ".join(written)))
            elif created_out and not os.listdir(out):
                os.rmdir(out)
        finally:
            for sg, h in old:
                signal.signal(sg, h)
    for r in res["mutants"]:
        if "fuzz" in r:
            log("bench: %-4s fuzz %d/%d median %s s, baseline %s, ratio %s"
                % (r["id"], r["fuzz"]["detected"], args.trials,
                   fmt_time(r["fuzz"]["median_seconds"]),
                   "%d/%d median %s s" % (
                       r["baseline"]["detected"], args.trials,
                       fmt_time(r["baseline"]["median_seconds"]))
                   if r.get("baseline") else "not run", fmt_ratio(r)))
    return rc


def fmt_ratio(r):
    """the ratio as the table prints it: `-`, `>25`, `3.2`"""
    if r.get("ratio") is None:
        return "-"
    return (">" if r.get("ratio_is_lower_bound") else "") + "%g" % r["ratio"]
