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


# programs larger than this are refused everywhere (progtool's limit)
MAX_INPUT = 16 << 20
# the text syntax of programs, for parse-error advice
SYNTAX_DOC = ("see \"Program text format\" in README.md or the header "
              "of fuzz/prog_text.c")


def show(s):
    """s (a path or a line of a tool's output) safe to print: control
    characters and undecodable bytes escaped repr-style"""
    if isinstance(s, bytes):
        s = s.decode("utf-8", errors="backslashreplace")
    s = str(s)
    out = []
    for c in s:
        if c == "\\" or ord(c) >= 32 and ord(c) != 127 and c.isprintable():
            out.append(c)
        else:
            out.append(repr(c)[1:-1])
    return "".join(out)


def rel(path):
    """a path for messages: absolute (valid whatever the caller's working
    directory), with control characters escaped"""
    return show(os.path.abspath(path))


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
    temp = logfile is None
    if temp:
        fd, logfile = tempfile.mkstemp(prefix="uvmfuzz-build-", suffix=".log")
        os.close(fd)
    try:
        with open(logfile, "ab") as f:
            r = subprocess.run(cmd, cwd=root, stdout=f,
                               stderr=subprocess.STDOUT)
    except BaseException:
        if temp:
            os.unlink(logfile)
        raise
    if r.returncode == 0 and temp:
        os.unlink(logfile)	# nothing to keep from a good build
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
    """UsageError unless path is an existing, readable regular file of at
    most MAX_INPUT bytes."""
    if not os.path.exists(path):
        raise UsageError("%s: no such file: give an existing %s"
                         % (show(path), what))
    if os.path.isdir(path):
        raise UsageError("%s: is a directory: give a %s" % (show(path), what))
    if not os.access(path, os.R_OK):
        raise UsageError("%s: cannot read: check its permissions"
                         % show(path))
    if os.path.isfile(path) and os.path.getsize(path) > MAX_INPUT:
        raise UsageError("%s: larger than %d MB: give a smaller %s"
                         % (show(path), MAX_INPUT >> 20, what))


def check_dir(path, what="directory"):
    if not os.path.exists(path):
        raise UsageError("%s: no such directory: give an existing %s"
                         % (show(path), what))
    if not os.path.isdir(path):
        raise UsageError("%s: not a directory: give a %s" % (show(path),
                                                             what))


def check_new_output(path, what="output file", exists_ok=False):
    """UsageError unless path can be created: its directory exists and is
    writable, and (unless exists_ok) nothing is there yet.  Called before
    any work is done."""
    if path == "":
        raise UsageError("empty %s name: give a path" % what)
    if os.path.lexists(path) and not (exists_ok and os.path.isdir(path)):
        if os.path.isdir(path):
            raise UsageError("%s: is a directory: give a file name for the "
                             "%s" % (show(path), what))
        raise UsageError("%s: exists: give a new name for the %s (uvmfuzz "
                         "never overwrites files)" % (show(path), what))
    parent = os.path.dirname(os.path.abspath(path))
    if os.path.abspath(parent).startswith("/proc") or \
            os.path.abspath(parent).startswith("/sys"):
        raise UsageError("%s: not a place for files: give a path on a "
                         "normal file system" % show(path))
    if not os.path.isdir(parent):
        raise UsageError("%s: no such directory %s: create it first or give "
                         "another %s" % (show(path), show(parent), what))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UsageError("%s: cannot write in %s: check its permissions or "
                         "give another %s" % (show(path), show(parent), what))


def check_out_dir(path, what="output directory"):
    """UsageError unless path is an existing writable directory or can be
    created as one."""
    if path == "":
        raise UsageError("empty %s name: give a path" % what)
    p = os.path.abspath(path)
    if p.startswith(("/proc", "/sys", "/dev")):
        raise UsageError("%s: not a place for files: give a path on a "
                         "normal file system" % show(path))
    if os.path.lexists(p):
        if not os.path.isdir(p):
            raise UsageError("%s: exists and is not a directory: give a "
                             "directory as the %s" % (show(path), what))
        if not os.access(p, os.W_OK | os.X_OK):
            raise UsageError("%s: cannot write there: check its permissions "
                             "or give another %s" % (show(path), what))
        return
    anc = os.path.dirname(p)
    while not os.path.lexists(anc):
        anc = os.path.dirname(anc)
    if not os.path.isdir(anc):
        raise UsageError("%s: %s is not a directory: give another %s"
                         % (show(path), show(anc), what))
    if not os.access(anc, os.W_OK | os.X_OK):
        raise UsageError("%s: cannot create it (no write access to %s): "
                         "give another %s" % (show(path), show(anc), what))


def looks_binary(path):
    """True when path holds NUL bytes or is not UTF-8: never text"""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    if b"\0" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start < len(head) - 4	# not a cut multibyte character
    return False


def is_text_prog(path, root=ROOT):
    """True when path holds a text program: by content, not by name.  A
    file that is printable text and parses, or starts like a program
    (progtool sniff: a parse error is then reported), is text; a .prog
    file is always taken as text (a parse error is reported)."""
    if path.endswith(".prog"):
        return True	# named as text: a parse error is reported as such
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
    except OSError:
        return False
    if not head or b"\0" in head:
        return False	# the binary decoder takes any bytes
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        if len(head) < 65536:
            return False
    pt = progtool(root)
    if not os.access(pt, os.X_OK):
        return False
    # text that parses, or text that starts like a program and does not
    # (its parse error is then reported, not a typo decoded as binary)
    r = subprocess.run([pt, "sniff", path], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL)
    return r.returncode == 0 and r.stdout.strip() in (b"text", b"badtext")


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
        # a parse error names the input (FILE:LINE:COL: ...); an error
        # about -o OUT names the output
        out = args[args.index("-o") + 1] if "-o" in args[:-1] else None
        if out is not None and msg.startswith(out + ":"):
            advice = "check the output path and its directory"
        elif "binary program" in msg:
            msg = msg.replace(" is a binary program: use decode", "")
            src = [a for a in args[1:] if not a.startswith("-") and
                   a != out]
            if src and src[0].endswith(".prog"):
                advice = ("binary input, not a text program: name it "
                          "without .prog, or print it with `uvmfuzz "
                          "decode`")
            else:
                advice = ("binary input, not a text program: nothing to "
                          "encode (print it with `uvmfuzz decode`)")
        elif "text program" in msg:
            advice = "it is a text program: name it FILE.prog"
        else:
            advice = "fix the program (%s)" % SYNTAX_DOC
        raise UsageError("%s: %s" % (show(msg), advice))
    return r


def encode(src, dst, root=ROOT):
    """text program src -> binary dst"""
    run_progtool(["encode", src, "-o", dst], root=root)


def decode_text(path, root=ROOT):
    """the text form of a binary (or text) program; None if it fails"""
    sub = "canon" if is_text_prog(path, root) else "decode"
    try:
        r = run_progtool([sub, path], root=root, check=False)
    except UsageError:
        return None
    if r.returncode != 0:
        return None
    return r.stdout.decode(errors="replace")


def as_binary(path, tmpdir, root=ROOT):
    """path itself if binary, else its encoding written into tmpdir"""
    if not is_text_prog(path, root):
        return path
    base = os.path.basename(path)
    if base.endswith(".prog"):
        base = base[:-5]
    dst = os.path.join(tmpdir, base + ".bin")
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


def umask_mode():
    """the mode a new file gets under the current umask"""
    m = os.umask(0)
    os.umask(m)
    return 0o666 & ~m


def write_atomic(path, data, mode="w"):
    """Write path as a whole: a temporary name in the same directory, then
    rename; an interrupt leaves the old file or the new one."""
    d, base = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + base + ".", suffix=".tmp", dir=d)
    try:
        os.fchmod(fd, umask_mode())
        with os.fdopen(fd, mode) as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def create_new(path, data):
    """Create path holding data (bytes), whole or not at all, never
    replacing a file; UsageError if path appeared meanwhile."""
    d, base = os.path.split(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + base + ".", suffix=".tmp", dir=d)
    try:
        os.fchmod(fd, umask_mode())
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise UsageError("%s: exists: give a new name (uvmfuzz never "
                             "overwrites files)" % show(path))
    finally:
        os.unlink(tmp)


def new_file(dirpath, name, data, mode="wb"):
    """Write data to dirpath/name without ever overwriting a file: a
    suffix is added to the name if it exists.  Returns the path."""
    base, ext = os.path.splitext(name)
    path = os.path.join(dirpath, name)
    fd, tmp = tempfile.mkstemp(prefix="." + base + ".", suffix=".tmp",
                               dir=dirpath)
    n = 2
    try:
        os.fchmod(fd, umask_mode())
        with os.fdopen(fd, mode) as f:
            f.write(data)
        while True:	# link: complete file or none, never overwriting
            try:
                os.link(tmp, path)
                return path
            except FileExistsError:
                path = os.path.join(dirpath, "%s-%d%s" % (base, n, ext))
                n += 1
    finally:
        os.unlink(tmp)


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
