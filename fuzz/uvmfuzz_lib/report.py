"""Parse what a crashing run printed into a finding: kind, frames,
signature.

Sources understood: AddressSanitizer / LeakSanitizer, UndefinedBehavior-
Sanitizer (runtime error lines, print_stacktrace=1), ThreadSanitizer
warnings, libFuzzer's own errors (deadly signal, timeout, out-of-memory),
and the shims' `panic: ...` line (KASSERT, lock checks, deadlock, oracle,
invariant checker).

The signature is the kind plus the top three stack frames that are inside
this project's sources (uvm/, shims/, fuzz/), skipping the panic and abort
machinery and the engine glue, so one bug found through different inputs
lands in one group.
"""

import re

PROJECT_DIRS = ("uvm", "shims", "fuzz", "tests")
NOISE_FUNC = re.compile(
    r"^(abort|raise|gsignal|__GI_|__libc|__interceptor|__asan|__tsan|"
    r"__ubsan|__sanitizer|__lsan|__msan|fuzzer::|LLVMFuzzerTestOneInput$|"
    r"main$|_start$|.*panic.*|.*kassert.*|__assert.*|.*_abort$|finding$|"
    r"report_where$|report_prog$)")
NOISE_FILE = re.compile(r"^(fuzz/engine/|.*panic[^/]*\.c$)")

FRAME = re.compile(r"^\s*#(\d+)\s+(?:0x[0-9a-fA-F]+\s+in\s+)?(\S+)\s*(.*)$")
LOC = re.compile(r"^(\S+?):(\d+)(?::(\d+))?(?:\s|$)")
ASAN = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer): ([\w-]+)"
                  r"(?: ([\w-]+))?")
TSAN = re.compile(r"WARNING: ThreadSanitizer: ([^(\n]+?)\s*(?:\(|$| on )")
UBSAN = re.compile(r"^(\S+?):(\d+):(\d+): runtime error: (.*)$")
LIBFUZZER = re.compile(r"ERROR: libFuzzer: ([\w-]+)")
PANIC = re.compile(r"panic: (?:cpu\d+: )?(.*)$")
KASSERT_AT = re.compile(r'file "([^"]+)", line (\d+)')
RUNNER = re.compile(r"uvmfuzz: finding: ([\w-]+): (.*)$")
SHADOW = re.compile(r"^\s*(=>)?0x[0-9a-f]+:")

UBSAN_CLASSES = (
    ("out of bounds", "ubsan-bounds"),
    ("overflow", "ubsan-overflow"),
    ("null pointer", "ubsan-null"),
    ("misaligned", "ubsan-alignment"),
    ("shift", "ubsan-shift"),
    ("division by zero", "ubsan-div-by-zero"),
    ("not a valid value", "ubsan-invalid-value"),
    ("unreachable", "ubsan-unreachable"),
    ("implicit conversion", "ubsan-conversion"),
)

PANIC_CLASSES = (
    ("kernel diagnostic assertion", "kassert"),
    ("deadlock", "deadlock"),
    ("lock order", "lock-order"),
    ("lock-order", "lock-order"),
    ("lockorder", "lock-order"),
    ("oracle", "oracle"),
    ("invariant", "invariant"),
    ("livelock", "livelock"),
    ("leak", "leak"),
    ("not held", "lock"),
    ("recursive", "lock"),
    ("witness", "lock"),
    ("holding", "lock"),
    ("rwlock", "lock"),
    ("mutex", "lock"),
    ("kernel_lock", "lock"),
)


def project_path(path):
    """path as repository-relative (uvm/x.c) when it is one of ours, else
    None.  Works for any checkout location (base trees of `gate`)."""
    comps = path.split("/")
    for i in range(len(comps) - 2, -1, -1):
        if comps[i] in PROJECT_DIRS:
            # take the outermost match of a run like shims/host, fuzz/harness
            j = i
            while j > 0 and comps[j - 1] in PROJECT_DIRS:
                j -= 1
            return "/".join(comps[j:])
    return None


def first_stack(lines):
    """frames of the first stack trace: list of dicts func/file/line"""
    frames = []
    started = False
    for line in lines:
        m = FRAME.match(line)
        if not m:
            if started and frames:
                break
            continue
        idx = int(m.group(1))
        if idx == 0 and started:
            break
        started = True
        func, rest = m.group(2), m.group(3)
        f = {"func": func, "file": None, "line": None}
        lm = LOC.match(rest)
        if lm:
            f["file"] = lm.group(1)
            f["line"] = int(lm.group(2))
        frames.append(f)
    return frames


def project_frames(frames):
    out = []
    for f in frames:
        if not f["file"]:
            continue
        p = project_path(f["file"])
        if p is None or NOISE_FUNC.match(f["func"]) or NOISE_FILE.match(p):
            continue
        out.append({"func": f["func"], "file": p, "line": f["line"]})
    return out


def classify(text):
    """kind and one-line message of the first report in text"""
    lines = text.splitlines()
    panic = asan = tsan = ubsan = lf = runner = None
    for line in lines:
        if runner is None:
            m = RUNNER.search(line)
            if m:
                runner = m
        if panic is None:
            m = PANIC.search(line)
            if m and not line.lstrip().startswith("#"):
                panic = m.group(1).strip()
        if asan is None:
            m = ASAN.search(line)
            if m:
                asan = m
        if tsan is None:
            m = TSAN.search(line)
            if m:
                tsan = m.group(1).strip()
        if ubsan is None:
            m = UBSAN.match(line.strip())
            if m:
                ubsan = m
        if lf is None:
            m = LIBFUZZER.search(line)
            if m:
                lf = m.group(1)
    if asan is not None:
        tool, kind = asan.group(1), asan.group(2)
        if tool == "LeakSanitizer":
            return "leak", "memory leak"
        if kind == "attempting" and asan.group(3):
            kind = asan.group(3)
        # an abort after a panic or a runner finding is that finding
        if kind not in ("ABRT", "SEGV", "BUS", "ILL", "FPE", "unknown-crash") \
                or (panic is None and runner is None):
            return kind, asan.group(0)
    if ubsan is not None:
        msg = ubsan.group(4)
        for key, kind in UBSAN_CLASSES:
            if key in msg:
                return kind, msg
        return "ubsan", msg
    if tsan is not None:
        return tsan.replace(" ", "-"), "ThreadSanitizer: " + tsan
    if panic is not None:
        low = panic.lower()
        m = re.match(r"invariant (\d+)", low)
        if m:
            return "invariant-" + m.group(1), panic
        for key, kind in PANIC_CLASSES:
            if key in low:
                return kind, panic
        return "panic", panic
    if runner is not None:
        return runner.group(1), runner.group(2)
    if asan is not None:
        return asan.group(2), asan.group(0)
    if lf is not None:
        kind = {"deadly": "signal", "timeout": "timeout",
                "out-of-memory": "oom"}.get(lf, lf)
        return kind, "libFuzzer: " + lf
    return None, None


def analyze(text, status=None):
    """A finding dict from a run's output and exit status (None: no
    finding).  status: the exit code (negative: killed by a signal)."""
    kind, msg = classify(text)
    if kind is None:
        if status is None or status == 0:
            return None
        kind = "signal-%d" % -status if status < 0 else "exit-%d" % status
        msg = "the run failed with no sanitizer report"
    lines = text.splitlines()
    frames = project_frames(first_stack(lines))
    uvm_loc = None
    for f in frames:
        if f["file"].startswith("uvm/"):
            uvm_loc = "%s:%s" % (f["file"], f["line"])
            break
    if uvm_loc is None:
        for line in lines:
            m = UBSAN.match(line.strip())
            if m and (project_path(m.group(1)) or "").startswith("uvm/"):
                uvm_loc = "%s:%s" % (project_path(m.group(1)), m.group(2))
                break
    top = frames[:3]
    # KASSERT names its file and line: a location even without a stack
    m = KASSERT_AT.search(msg or "")
    at = None
    if m and project_path(m.group(1)):
        at = "%s:%s" % (project_path(m.group(1)), m.group(2))
        if uvm_loc is None and at.startswith("uvm/"):
            uvm_loc = at
    if top:
        sig = kind + ":" + "<".join(f["func"] for f in top)
    else:
        # no usable stack (e.g. a fiber stack the unwinder cannot walk):
        # the assertion's place, else the message without its numbers
        sig = kind + ":" + (at or normalize(msg or "?")[:60])
    return {
        "kind": kind,
        "message": msg,
        "frames": top,
        "uvm_loc": uvm_loc,
        "signature": sig,
        "harness_lines": harness_lines(lines),
    }


def harness_lines(lines):
    """the finding as the harness printed it (fuzz/run.c finding() and
    panic_hook()): `uvmfuzz: finding: ...` and the lines after it up to
    the program, e.g. `uvmfuzz: op N: ...`, `uvmfuzz: expected X, got Y`,
    fault_mp's `uvmfuzz: sequential replay ...`; trace lines left out"""
    out = []
    for line in lines:
        line = line.rstrip()
        if not out:
            if RUNNER.search(line):
                out.append(line[line.index("uvmfuzz: finding: "):])
            continue
        if line.startswith("uvmfuzz: program:") or \
                RUNNER.search(line):
            break
        if line.startswith("uvmfuzz: ") and \
                not line.startswith("uvmfuzz: trace:"):
            out.append(line)
    return out


def is_oracle(finding):
    """True for a finding of the semantic oracle: a wrong result, not a
    crash, so there is no faulting uvm/ frame"""
    return finding["kind"] == "oracle"


def normalize(msg):
    """msg with addresses and numbers replaced, for grouping"""
    msg = re.sub(r"0x[0-9a-fA-F]+", "0x?", msg)
    return re.sub(r"\b\d+\b", "N", msg)


def excerpt(text, limit=60):
    """the interesting part of a run's output, for reports"""
    lines = text.splitlines()
    start = 0
    for i, line in enumerate(lines):
        if ("ERROR: " in line or "WARNING: ThreadSanitizer" in line
                or "runtime error:" in line or PANIC.search(line)):
            start = max(0, i - 2)
            break
    out = []
    for l in lines[start:]:
        if "Shadow bytes around" in l or SHADOW.match(l):
            break
        out.append(l)
    return "\n".join(out[:limit])
