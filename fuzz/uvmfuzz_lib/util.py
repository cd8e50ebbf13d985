"""Shared helpers of the uvmfuzz command: errors, paths, builds, progtool.

Every user-facing error is a UsageError: the command prints one line
`uvmfuzz: <what is wrong>: <what to do>` and exits 2.
"""

import os
import shutil
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# output kind of each (engine, sanitizer) pair (see the Makefile)
BUILD_KINDS = {
    ("libfuzzer", "address"): "libfuzzer-asan",
    ("libfuzzer", "thread"): "libfuzzer-tsan",
    ("afl", "address"): "afl-asan",
}
# repro/triage builds: name -> output kind
REPRO_BUILDS = {
    "asan": "libfuzzer-asan",
    "tsan": "libfuzzer-tsan",
    "replay": "replay",
    "replay-asan": "replay-asan",
    "replay-tsan": "replay-tsan",
}


class UsageError(Exception):
    """A bad input: message is `<what is wrong>: <what to do>`."""


def log(msg):
    print(msg, flush=True)


def rel(path):
    """an absolute path inside the repository, made relative (for
    messages); anything else unchanged"""
    if not os.path.isabs(path):
        return path
    p = os.path.abspath(path)
    if p.startswith(ROOT + os.sep):
        return os.path.relpath(p, ROOT)
    return path


def harnesses(root=ROOT):
    """names of the fuzz targets: fuzz/harness/<name>.c"""
    d = os.path.join(root, "fuzz", "harness")
    try:
        names = os.listdir(d)
    except OSError:
        return []
    return sorted(n[:-2] for n in names if n.endswith(".c"))


def pick_targets(target, root=ROOT):
    """`all` or one name -> list of harness names (UsageError if unknown)."""
    known = harnesses(root)
    if not known:
        raise UsageError("no fuzz targets in fuzz/harness/: "
                         "add a harness or check the checkout")
    if target in (None, "all"):
        return known
    if target not in known:
        raise UsageError("unknown target %r: choose one of %s or all"
                         % (target, ", ".join(known)))
    return [target]


def binary(kind, target, biglock=False, root=ROOT):
    return os.path.join(root, "out", kind + ("-biglock" if biglock else ""),
                        target)


def make(targets, root=ROOT, logfile=None, jobs=None):
    """Build make targets (paths relative to root) in root; UsageError on
    failure, naming the log that holds the compiler's output."""
    if not targets:
        return
    jobs = jobs or os.cpu_count() or 2
    cmd = ["make", "-j%d" % jobs] + list(targets)
    if logfile is None:
        fd, logfile = tempfile.mkstemp(prefix="uvmfuzz-build-", suffix=".log")
        os.close(fd)
    with open(logfile, "ab") as f:
        r = subprocess.run(cmd, cwd=root, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        tail = ""
        try:
            with open(logfile, errors="replace") as f:
                lines = [l.strip() for l in f if "error" in l]
            if lines:
                tail = " (" + lines[0][:160] + ")"
        except OSError:
            pass
        raise UsageError("build failed%s: see %s and fix the build"
                         % (tail, logfile))


def ensure_built(paths, root=ROOT):
    """Bring the given output files up to date (make is incremental)."""
    targets = [os.path.relpath(p, root) if os.path.isabs(p) else p
               for p in paths]
    make(targets + ["out/tools/progtool"], root=root)


def progtool(root=ROOT):
    return os.path.join(root, "out", "tools", "progtool")


def check_input_file(path, what="program file"):
    """UsageError unless path is an existing, readable regular file."""
    if not os.path.exists(path):
        raise UsageError("%s: no such file: give an existing %s"
                         % (path, what))
    if os.path.isdir(path):
        raise UsageError("%s: is a directory: give a %s" % (path, what))
    if not os.access(path, os.R_OK):
        raise UsageError("%s: cannot read: check its permissions" % path)


def check_dir(path, what="directory"):
    if not os.path.exists(path):
        raise UsageError("%s: no such directory: give an existing %s"
                         % (path, what))
    if not os.path.isdir(path):
        raise UsageError("%s: not a directory: give a %s" % (path, what))


def is_text_prog(path):
    return path.endswith(".prog")


def run_progtool(args, root=ROOT, check=True):
    """Run progtool; on failure raise UsageError with its one-line error."""
    pt = progtool(root)
    if not os.access(pt, os.X_OK):
        make(["out/tools/progtool"], root=root)
    r = subprocess.run([pt] + args, cwd=os.getcwd(), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if check and r.returncode != 0:
        err = r.stderr.decode(errors="replace").strip().splitlines()
        msg = err[0] if err else "exit status %d" % r.returncode
        if msg.startswith("progtool: "):
            msg = msg[len("progtool: "):]
        raise UsageError("%s: fix the program (see `uvmfuzz decode --help`)"
                         % msg)
    return r


def encode(src, dst, root=ROOT):
    """text program src -> binary dst"""
    run_progtool(["encode", src, "-o", dst], root=root)


def decode_text(path, root=ROOT):
    """the text form of a binary (or text) program; None if it fails"""
    sub = "canon" if is_text_prog(path) else "decode"
    try:
        r = run_progtool([sub, path], root=root, check=False)
    except UsageError:
        return None
    if r.returncode != 0:
        return None
    return r.stdout.decode(errors="replace")


def as_binary(path, tmpdir, root=ROOT):
    """path itself if binary, else its encoding written into tmpdir"""
    if not is_text_prog(path):
        return path
    dst = os.path.join(tmpdir, os.path.basename(path)[:-5] + ".bin")
    n = 1
    while os.path.exists(dst):
        dst = os.path.join(tmpdir, "%s.%d.bin" % (os.path.basename(path), n))
        n += 1
    encode(path, dst, root=root)
    return dst


def seed_files(target, root=ROOT):
    d = os.path.join(root, "corpus", target)
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, n) for n in os.listdir(d)
                  if n.endswith(".prog"))


def regress_files(root=ROOT):
    d = os.path.join(root, "corpus", "regress")
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(d, n) for n in os.listdir(d)
                  if n.endswith(".prog"))


def dict_for(target, root=ROOT):
    for n in (target + ".dict", "fault.dict"):
        p = os.path.join(root, "corpus", n)
        if os.path.isfile(p):
            return p
    return None


def encode_seeds(target, dstdir, root=ROOT):
    """encode corpus/<target>/*.prog into dstdir (created); returns count"""
    os.makedirs(dstdir, exist_ok=True)
    n = 0
    for f in seed_files(target, root):
        base = os.path.basename(f)[:-5]
        encode(f, os.path.join(dstdir, base), root=root)
        n += 1
    return n


def new_dir(parent, name):
    """Create parent/name, never reusing an existing directory: a suffix
    -2, -3, ... is added instead.  Returns the path."""
    os.makedirs(parent, exist_ok=True)
    path = os.path.join(parent, name)
    n = 2
    while True:
        try:
            os.mkdir(path)
            return path
        except FileExistsError:
            path = os.path.join(parent, "%s-%d" % (name, n))
            n += 1


def new_file(dirpath, name, data, mode="wb"):
    """Write data to dirpath/name without ever overwriting a file: a
    suffix is added to the name if it exists.  Returns the path."""
    base, ext = os.path.splitext(name)
    path = os.path.join(dirpath, name)
    n = 2
    while True:
        try:
            with open(path, "x" + mode[1:]) as f:
                f.write(data)
            return path
        except FileExistsError:
            path = os.path.join(dirpath, "%s-%d%s" % (base, n, ext))
            n += 1


def timestamp():
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime())


def which(prog):
    return shutil.which(prog)


def merge_opts(current, defaults, required):
    """sanitizer options `k=v:k=v`: defaults, then the user's (current),
    then the ones uvmfuzz cannot work without (required)"""
    opts = dict(defaults)
    for item in (current or "").replace(",", ":").split(":"):
        k, sep, v = item.partition("=")
        if sep and k.strip():
            opts[k.strip()] = v
    opts.update(required)
    return ":".join("%s=%s" % kv for kv in opts.items())


def sanitizer_env(extra=None, afl=False):
    """environment for running instrumented binaries: stacks on abort,
    UBSan stacks, TSan halting on the first report.  The user's
    *SAN_OPTIONS are kept except where a setting is required (AFL++
    refuses to run without abort_on_error=1 and symbolize=0; TSan must
    halt on the first report)."""
    env = dict(os.environ)

    def put(name, defaults, required):
        env[name] = merge_opts(env.get(name), defaults, required)

    if afl:
        put("ASAN_OPTIONS", {"detect_leaks": "0", "handle_abort": "1",
                             "allocator_may_return_null": "1"},
            {"abort_on_error": "1", "symbolize": "0"})
        put("UBSAN_OPTIONS", {}, {"halt_on_error": "1",
                                  "abort_on_error": "1", "symbolize": "0"})
        put("LSAN_OPTIONS", {}, {"symbolize": "0"})
    else:
        put("ASAN_OPTIONS", {"handle_abort": "1", "dedup_token_length": "3",
                             "detect_leaks": "1",
                             "allocator_may_return_null": "1"}, {})
        put("UBSAN_OPTIONS", {"print_stacktrace": "1",
                              "halt_on_error": "1"}, {})
    put("TSAN_OPTIONS", {"history_size": "4", "second_deadlock_stack": "1"},
        {"halt_on_error": "1", "abort_on_error": "1",
         "report_signal_unsafe": "0"})
    env.setdefault("ASAN_SYMBOLIZER_PATH",
                   shutil.which("llvm-symbolizer-14")
                   or shutil.which("llvm-symbolizer") or "")
    if not env["ASAN_SYMBOLIZER_PATH"]:
        del env["ASAN_SYMBOLIZER_PATH"]
    if extra:
        env.update(extra)
    return env
