"""fuzz and bench: run libFuzzer or AFL++ on the harnesses."""

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from . import report, triage
from .util import (BUILD_KINDS, ROOT, UsageError, binary, check_out_dir,
                   decode_text, dict_for, encode_seeds, ensure_built, log,
                   new_dir, new_file, pick_targets, rel, sanitizer_env,
                   show, timestamp, which)

PROGRESS_EVERY = 5.0	# seconds between progress lines
MIN_RATE_SECS = 1.0	# no exec/s over a shorter run time

LF_STAT = re.compile(r"^#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/"
                     r".*?exec/s: (\d+)")
LF_FORK = re.compile(r"^#(\d+): cov: (\d+) ft: (\d+) corp: (\d+) exec/s:? "
                     r"(\d+)")
LF_FINAL = re.compile(r"^stat::(\w+):\s+(\d+)")


def afl_env():
    env = sanitizer_env(afl=True)
    env.update({"AFL_SKIP_CPUFREQ": "1",
                "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1",
                "AFL_NO_UI": "1"})
    return env


def count_findings(d):
    return len(triage.finding_files_only(d))


def stop(proc):
    """end a run we started (its whole process group)"""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=15)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def run_libfuzzer(b, target, d, secs, jobs, keep_going, logf, timeout=25):
    """libFuzzer on d/corpus for secs seconds; timeout: seconds per input
    (the same setting AFL++ gets as -t)"""
    corpus = os.path.join(d, "corpus")
    cmd = [b, "-artifact_prefix=" + d + "/", "-max_total_time=%d" % secs,
           "-print_final_stats=1", "-timeout=%d" % timeout,
           "-rss_limit_mb=2560"]
    dct = dict_for(target)
    if dct:
        cmd.append("-dict=" + dct)
    fork = jobs > 1 or keep_going
    if fork:
        cmd += ["-fork=%d" % jobs, "-ignore_crashes=1", "-ignore_timeouts=1",
                "-ignore_ooms=1"]
    cmd.append(corpus)
    log("fuzz: %s" % " ".join(show(c) for c in cmd))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=sanitizer_env(),
                            start_new_session=True)
    lines = queue.Queue()

    def reader():
        for raw in proc.stdout:
            lines.put(raw)
        lines.put(None)

    threading.Thread(target=reader, daemon=True).start()
    start = last = time.time()
    # fork mode's parent prints merged coverage of all jobs (#N: cov:),
    # unlike the per-process counter (#N NEW cov:) of its start-up lines:
    # only the one measure is shown, labelled
    stat = LF_FORK if fork else LF_STAT
    st = {"execs": 0, "cov": 0, "corp": 0, "execs_per_sec": 0,
          "cov_label": "cov(merged)" if fork else "cov"}
    try:
        while True:
            try:
                raw = lines.get(timeout=1.0)
            except queue.Empty:
                raw = b""
            if raw is None:
                break
            if raw:
                logf.write(raw)
                line = raw.decode(errors="replace").rstrip()
                m = stat.match(line)
                if m:
                    st.update(execs=int(m.group(1)), cov=int(m.group(2)),
                              corp=int(m.group(4)),
                              execs_per_sec=int(m.group(5)))
                m = LF_FINAL.match(line)
                if m:
                    st["final_" + m.group(1)] = int(m.group(2))
            now = time.time()
            if now - last >= PROGRESS_EVERY:
                last = now
                progress(target, "libfuzzer", now - start, st, d)
            if now - start > secs + 120:
                log("fuzz: %s overran its time: stopping it" % target)
                break
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    finally:
        stop(proc)
    if st.get("final_number_of_executed_units"):
        st["execs"] = st["final_number_of_executed_units"]
    if st.get("final_average_exec_per_sec"):
        st["execs_per_sec"] = st["final_average_exec_per_sec"]
    progress(target, "libfuzzer", time.time() - start, st, d)
    return st


def progress(target, engine, t, st, d):
    """one progress line; t: seconds since the engine started.  A rate
    over less than MIN_RATE_SECS is noise (AFL++'s first stats), so
    exec/s is `-` (not known yet) until then, or when the engine gave
    none (None)."""
    eps = st.get("execs_per_sec")
    if not eps and eps is not None and st.get("execs") and t >= 1:
        eps = int(st["execs"] / t)
    if t < MIN_RATE_SECS or eps is None:
        eps = "-"
    log("[%5ds] %s/%s: execs %d, exec/s %s, %s %s, corpus %d, findings %d"
        % (t, target, engine, st.get("execs", 0), eps,
           st.get("cov_label", "cov"), st.get("cov", 0), st.get("corp", 0),
           count_findings(d)))


def afl_stats(path):
    st = {}
    try:
        with open(path) as f:
            for line in f:
                k, _, v = line.partition(":")
                st[k.strip()] = v.strip()
    except OSError:
        pass
    return st


def run_afl(b, target, d, secs, jobs, logf, timeout=25):
    """AFL++ (-M main, -S sec<j>) for secs seconds; timeout: seconds per
    input, as libFuzzer's -timeout"""
    afl = which("afl-fuzz")
    if not afl:
        raise UsageError("afl-fuzz not found: apt-get install afl++ "
                         "or use --engine libfuzzer")
    seeds = os.path.join(d, "seeds")
    outd = os.path.join(d, "afl")
    env = afl_env()
    if jobs > (os.cpu_count() or 1):
        env["AFL_NO_AFFINITY"] = "1"
    base = [afl, "-i", seeds, "-o", outd, "-V", str(secs),
            "-t", str(timeout * 1000),
            "-m", "none"]
    dct = dict_for(target)
    if dct:
        base += ["-x", dct]
    procs = []
    for j in range(jobs):
        role = ["-M", "main"] if j == 0 else ["-S", "sec%d" % j]
        cmd = base + role + ["--", b]
        if j == 0:
            log("fuzz: %s" % " ".join(show(c) for c in cmd))
        procs.append(subprocess.Popen(cmd, stdout=logf,
                                      stderr=subprocess.STDOUT, env=env,
                                      start_new_session=True))
    start = time.time()
    st = {}
    try:
        while any(p.poll() is None for p in procs):
            time.sleep(1)
            now = time.time()
            if now - start > secs + 120:
                log("fuzz: afl-fuzz overran its time: stopping it")
                break
            if int(now - start) % int(PROGRESS_EVERY) == 0:
                st = afl_sum(outd)
                progress(target, "afl", now - start, st, d)
    finally:
        for p in procs:
            stop(p)
    st = afl_sum(outd)
    progress(target, "afl", time.time() - start, st, d)
    if procs[0].returncode not in (0, None) and st.get("execs", 0) == 0:
        raise UsageError("afl-fuzz failed (exit %d): see %s"
                         % (procs[0].returncode,
                            rel(os.path.join(d, "fuzz.log"))))
    return st


def afl_plot(path):
    """the last row of AFL++'s plot_data, by column name"""
    try:
        with open(path) as f:
            rows = f.read().splitlines()
    except OSError:
        return {}
    head = [r for r in rows if r.startswith("#")]
    data = [r for r in rows if r and not r.startswith("#")]
    if not head or not data:
        return {}
    keys = [k.strip() for k in head[-1].lstrip("# ").split(",")]
    return dict(zip(keys, (v.strip() for v in data[-1].split(","))))


def num(v):
    """an AFL++ stats value as an int (0 for missing, inf, nan)"""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0
    return int(f) if f == f and abs(f) != float("inf") else 0


def afl_sum(outd):
    st = {"execs": 0, "execs_per_sec": 0, "cov": "0%", "corp": 0,
          "cov_label": "bitmap"}
    try:
        names = os.listdir(outd)
    except OSError:
        return st
    for n in names:
        s = afl_stats(os.path.join(outd, n, "fuzzer_stats"))
        p = afl_plot(os.path.join(outd, n, "plot_data"))
        if num(p.get("total_execs")) > num(s.get("execs_done")):
            s = {"execs_done": p["total_execs"],
                 "run_time": p.get("relative_time"),
                 "corpus_count": p.get("corpus_count"),
                 "bitmap_cvg": p.get("map_size")}
        if not s:
            continue
        execs = num(s.get("execs_done"))
        st["execs"] += execs
        # the rate over the instance's own run time, and none before
        # MIN_RATE_SECS of it: AFL++'s first fuzzer_stats divides the
        # calibration runs by a near-zero time (578 execs, 578000/s)
        if "run_time" in s:
            secs = num(s["run_time"])
        else:	# older AFL++: no run_time in fuzzer_stats
            secs = num(s.get("last_update")) - num(s.get("start_time"))
        if st["execs_per_sec"] is not None and secs >= MIN_RATE_SECS:
            st["execs_per_sec"] += int(execs / secs)
        else:
            st["execs_per_sec"] = None
        st["corp"] += num(s.get("corpus_count"))
        if n == "main":
            st["cov"] = s.get("bitmap_cvg", "?")
    return st


def cmd_fuzz(args):
    if args.time <= 0:
        raise UsageError("--time %d: give a positive number of seconds"
                         % args.time)
    if args.jobs < 1:
        raise UsageError("--jobs %d: give at least 1" % args.jobs)
    key = (args.engine, args.sanitizer)
    if key not in BUILD_KINDS:
        raise UsageError("no %s build with %s sanitizer: use --sanitizer "
                         "address with afl" % key)
    check_out_dir(args.out, "findings directory (--out)")
    targets = pick_targets(args.target)
    kind = BUILD_KINDS[key]
    bins = {t: binary(kind, t, args.biglock) for t in targets}
    ensure_built(list(bins.values()))
    rc = 0
    root = os.path.abspath(args.out)
    for t in targets:
        # the sanitizer is part of the name: TSan and ASan findings of
        # one target never share a name
        d = new_dir(root, "%s-%s-%s%s" % (
            timestamp(), t, args.engine,
            "-tsan" if args.sanitizer == "thread" else ""))
        meta = {"target": t, "engine": args.engine,
                "sanitizer": args.sanitizer, "biglock": args.biglock,
                "time": args.time, "jobs": args.jobs,
                "timeout": args.timeout, "binary": rel(bins[t]),
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                         time.gmtime())}
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump(meta, f, indent=2)
        sub = "seeds" if args.engine == "afl" else "corpus"
        n = encode_seeds(t, os.path.join(d, sub))
        if args.engine == "afl" and n == 0:
            with open(os.path.join(d, sub, "empty"), "wb") as f:
                f.write(b"\x01")
        log("fuzz: %s: %d seed(s), %ds, %s, findings in %s"
            % (t, n, args.time, kind + ("-biglock" if args.biglock else ""),
               rel(d)))
        with open(os.path.join(d, "fuzz.log"), "wb") as logf:
            if args.engine == "libfuzzer":
                run_libfuzzer(bins[t], t, d, args.time, args.jobs,
                              args.keep_going, logf, args.timeout)
            else:
                run_afl(bins[t], t, d, args.time, args.jobs, logf,
                        args.timeout)
        files = triage.finding_files_only(d)
        if not files:
            log("fuzz: %s: no findings" % t)
            continue
        rc = 1
        if args.no_triage:
            log("fuzz: %s: %d finding(s) in %s (not triaged: run `uvmfuzz "
                "triage %s`)" % (t, len(files), rel(d), rel(d)))
            continue
        log("fuzz: %s: %d finding(s): triaging" % (t, len(files)))
        triage.triage(d, files, target=t, runs=3, timeout=args.timeout,
                      biglock=args.biglock)
    return rc


def cmd_bench(args):
    if not args.exec_:
        raise UsageError("nothing to measure: give --exec (exec/s) or "
                         "--mutant ID|all (detection power)")
    for opt in ("engine", "out", "workdir", "trials", "budget"):
        if getattr(args, opt) not in (None, "libfuzzer"):
            raise UsageError("--%s is a --mutant option: leave it out with "
                             "--exec" % opt)
    for opt in ("no_baseline", "no_control"):
        if getattr(args, opt):
            raise UsageError("--%s is a --mutant option: leave it out with "
                             "--exec" % opt.replace("_", "-"))
    args.target = args.target or "all"
    args.time = 10 if args.time is None else args.time
    if args.time <= 0:
        raise UsageError("--time %d: give a positive number of seconds"
                         % args.time)
    targets = pick_targets(args.target)
    # a finding stops a run: its input is kept there
    check_out_dir(BENCH_FINDINGS, "findings directory")
    bins = {t: binary("libfuzzer-asan", t, args.biglock) for t in targets}
    ensure_built(list(bins.values()))
    pin = ["taskset", "-c", "0"] if which("taskset") else []
    log("%-16s %10s %12s %8s  %s" % ("target", "exec/s", "execs", "secs",
                                     "note"))
    rc = 0
    for t in targets:
        tmp = tempfile.mkdtemp(prefix="uvmfuzz-bench-")
        out = ""
        kept = None
        try:
            corpus = os.path.join(tmp, "corpus")
            encode_seeds(t, corpus)
            cmd = pin + [bins[t], "-max_total_time=%d" % args.time,
                         "-print_final_stats=1", "-timeout=25",
                         "-artifact_prefix=" + tmp + "/", corpus]
            t0 = time.time()
            try:
                r = subprocess.run(cmd, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT,
                                   env=sanitizer_env(),
                                   timeout=args.time + 300)
                status = r.returncode
                out = r.stdout.decode(errors="replace")
            except subprocess.TimeoutExpired as e:
                status = None
                out = (e.output or b"").decode(errors="replace")
            secs = time.time() - t0
            stats = dict((m.group(1), int(m.group(2))) for m in
                         (LF_FINAL.match(l) for l in out.splitlines()) if m)
            if status == 0:
                log("%-16s %10s %12s %8.1f  %s" % (
                    t, stats.get("average_exec_per_sec", "?"),
                    stats.get("number_of_executed_units", "?"), secs, ""))
                continue
            # a finding (or a failed run): its input is kept, and no
            # rate is printed, the run having stopped early
            rc = 1
            kept = keep_bench_findings(t, tmp, out, args.biglock)
            why = ("did not stop within %ds" % (args.time + 300)
                   if status is None else "stopped by a finding")
            log("%-16s %10s %12s %8.1f  %s: no exec/s (the run did not "
                "last --time); kept in %s" % (t, "-", "-", secs, why,
                                              rel(kept)))
            show_bench_finding(kept, out, status)
        finally:
            if kept is None and triage.finding_files_only(tmp):
                # interrupted after the run: keep its inputs all the same
                keep_bench_findings(t, tmp, out, args.biglock)
            shutil.rmtree(tmp, ignore_errors=True)
    if rc:
        log("bench: a run stopped early: its inputs are kept (exit 1)")
    return rc


# where bench --exec keeps what stopped a run (tests point it elsewhere)
BENCH_FINDINGS = os.path.join(ROOT, "findings")


def keep_bench_findings(target, tmp, out, biglock):
    """Copy the inputs libFuzzer wrote to tmp (crash-*, ...) and its
    output into a new findings/<timestamp>-<target>-libfuzzer-bench/
    (never reused, nothing overwritten), with a meta.json that `repro`
    and `triage` read.  Returns the directory."""
    d = new_dir(BENCH_FINDINGS, "%s-%s-libfuzzer-bench" % (timestamp(),
                                                           target))
    meta = {"target": target, "engine": "libfuzzer", "sanitizer": "address",
            "biglock": biglock, "command": "bench --exec",
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    new_file(d, "meta.json", json.dumps(meta, indent=2), mode="w")
    for f in triage.finding_files_only(tmp):
        with open(f, "rb") as src:
            new_file(d, os.path.basename(f), src.read())
    new_file(d, "fuzz.log", out, mode="w")
    return d


def show_bench_finding(d, out, status):
    """print what stopped a bench run: its finding, the harness's lines,
    each kept input's decoded program (as repro does), the next step"""
    fnd = report.analyze(out, -1 if status is None else status)
    if fnd is not None:
        log("finding: %s" % fnd["signature"])
        for l in fnd["harness_lines"]:
            log(show(l))
    files = triage.finding_files_only(d)
    if not files:
        log("no input was written (libFuzzer exit %s): see %s"
            % ("none: killed" if status is None else status,
               rel(os.path.join(d, "fuzz.log"))))
    for f in files:
        log("--- program (%s)" % rel(f))
        text = decode_text(f)
        log(text.rstrip() if text is not None
            else "(progtool could not decode this file)")
    log("run `uvmfuzz repro %s` or `uvmfuzz triage %s`"
        % (" ".join(rel(f) for f in files) or rel(d), rel(d)))
