#!/usr/bin/env python3
"""import_proc: turn real process memory activity into fault programs.

Two inputs, one output (the canonical text form of fuzz/prog_text.c):

  import_proc.py maps FILE [-o OUT.prog] [--force]
      FILE is a snapshot of /proc/PID/maps.  Every mapping becomes an
      mmap at a relocated fixed address (private/shared, file-backed or
      anonymous, [stack]), then each readable mapping's first page is
      read and each writable one's first page is written and read back.

  import_proc.py strace FILE [-o OUT.prog] [--force]
      FILE is an `strace -f` log of memory and process system calls.
      mmap, munmap, mprotect, madvise, mlock, munlock, brk, fork, vfork,
      clone/clone3 without CLONE_VM, execve and exit/exit_group become
      map operations, forks and exits, plus accesses to the pages they
      touch (the first page of each new writable mapping is written and
      read back, a new read-only one is read; after a fork the child
      writes and the parent reads the first writable page they share).

Capture (on Linux; the committed seeds corpus/fault/real-*.prog were made
so on a Debian bookworm machine):

  strace -f -e trace=memory,process,openat -o sh.trace sh -c 'ls / | wc -l'
  strace -f -e trace=memory,process,openat -o cc.trace cc -c -o /dev/null t.c
  strace -f -e trace=memory,process,openat -o py.trace /usr/bin/python3 -c pass
  cat /proc/self/maps > self.maps
  fuzz/tools/import_proc.py strace sh.trace -o corpus/fault/real-sh-pipeline.prog

With openat in the trace, file descriptors are resolved to paths and the
four most mapped paths become objects obj0..obj3 (others are dropped);
without it, descriptor numbers stand for files.

What is changed to fit the model (each program's header says what was
dropped):
  - addresses: real 47-bit addresses are relocated into the model's
    window [0x1000, 0x40000000): each mapping made without MAP_FIXED (and
    each brk heap, each maps-file cluster of adjacent mappings) becomes a
    cluster placed at the next free model address; MAP_FIXED mappings,
    munmap, mprotect and so on inside a cluster keep their offset in it.
    Addresses outside every cluster (the executable the kernel mapped at
    exec time, for instance) are dropped.
  - sizes: a cluster is truncated to CLUSTER_CAP pages; parts beyond it
    are dropped or truncated.
  - file offsets are clamped so the mapping fits in an object of
    UVM_SIM_OBJPAGES pages.
  - at most MAXPROC processes (later forks are dropped with their ops),
    at most MAXOPS operations (the rest of the log is dropped).
  - threads (clone with CLONE_VM) share their parent's process.
  - execve is an munmap of every cluster of the process (a fresh space).

Errors: a line that is not a system call line (nor a signal, exit or
resumption line), or whose numbers or arguments do not parse, is garbage:
"import_proc: FILE:LINE: <what>: <what to do>" and exit 2.  The last line
of a log that is cut off in the middle is reported the same way: a
truncated capture is not a seed.  An input from which nothing is left
(only kernel special mappings, say) is an error too ("nothing to
import").  Every error is one line on standard error, exit status 2;
non-printable characters in echoed text are escaped.

Output: -o OUT never replaces an existing file unless --force is given,
never the input itself; a regular OUT is written to a temporary file in
its directory and renamed into place, so a failed write leaves nothing.
--capture CMD and the input's name go into the header comment with
newlines and other control characters escaped.
"""

import argparse
import os
import re
import stat
import sys
import tempfile

PAGE = 4096
VM_MIN = 0x1000
VM_MAX = 0x40000000
MODEL_BASE = 0x100000           # first cluster
CLUSTER_GAP = 16 * PAGE         # unmapped pages between clusters
CLUSTER_CAP = 64                # pages per cluster
MAXPROC = 8                     # UVM_SIM_MAXPROC
MAXOBJ = 4                      # UVM_SIM_MAXOBJ
OBJPAGES = 512                  # UVM_SIM_OBJPAGES
MAXOPS = 64                     # PROG_MAXOPS_CPU: everything runs on cpu0
MAXLEN = 512                    # PROG_MAXLEN

PROT_BITS = {"PROT_READ": 1, "PROT_WRITE": 2, "PROT_EXEC": 4, "PROT_NONE": 0}
ADVICE = {"MADV_NORMAL": "normal", "MADV_RANDOM": "random",
          "MADV_SEQUENTIAL": "sequential", "MADV_WILLNEED": "willneed",
          "MADV_DONTNEED": "dontneed"}


class InputError(Exception):
    """Bad input: reported as one line, exit status 2."""


def shown(s):
    """s for a message or a comment: control and non-ASCII characters
    escaped (backslash, x, two hex digits; u and four beyond 0xff)."""
    return ascii(s)[1:-1].replace("\\'", "'")


def quoted(s):
    """s quoted for a message, escaped like shown()."""
    return "'%s'" % shown(s)


def protstr(bits):
    return ("r" if bits & 1 else "-") + ("w" if bits & 2 else "-") + \
        ("x" if bits & 4 else "-")


def pages(nbytes):
    return (nbytes + PAGE - 1) // PAGE


class Program:
    """Operations (canonical text lines) for cpu0, with a budget."""

    def __init__(self):
        self.lines = []
        self.dropped = {}
        self.full = False
        self.value = 0x100

    def drop(self, why):
        self.dropped[why] = self.dropped.get(why, 0) + 1

    def emit(self, line):
        if len(self.lines) >= MAXOPS:
            self.full = True
            self.drop("operations over the limit of %d" % MAXOPS)
            return False
        self.lines.append("cpu0: " + line)
        return True

    def room(self, n):
        return len(self.lines) + n <= MAXOPS

    def next_value(self):
        self.value += 1
        return self.value

    def text(self, header):
        out = ["# " + h if h else "#" for h in header]
        for why in sorted(self.dropped):
            out.append("# dropped: %d x %s" % (self.dropped[why], why))
        out.append("config cpus=1 pages=128 freetarg=8 swap=256 seed=0x0 "
                   "pdaemon=none")
        out.extend(self.lines)
        return "\n".join(out) + "\n"


class Space:
    """Relocation of one process's real addresses into model clusters."""

    def __init__(self):
        self.clusters = []      # [real_start, real_end, model_start]

    def copy(self):
        s = Space()
        s.clusters = [list(c) for c in self.clusters]
        return s

    def lookup(self, real):
        for c in reversed(self.clusters):      # the newest mapping wins
            if c[0] <= real < c[1]:
                return c
        return None

    def translate(self, real, nbytes):
        """(model address, pages) of [real, real+nbytes), capped, or None."""
        c = self.lookup(real)
        if c is None:
            return None
        off = (real - c[0]) // PAGE
        if off >= CLUSTER_CAP:
            return None
        n = min(pages(nbytes), CLUSTER_CAP - off, MAXLEN)
        return c[2] + off * PAGE, n


class Layout:
    """Model address allocation shared by every process (no overlap)."""

    def __init__(self):
        self.next = MODEL_BASE

    def cluster(self, space, real, nbytes):
        if self.next + CLUSTER_CAP * PAGE > VM_MAX:
            return None
        c = [real, real + max(pages(nbytes), 1) * PAGE, self.next]
        self.next += CLUSTER_CAP * PAGE + CLUSTER_GAP
        space.clusters.append(c)
        return c


def write_out(text, out, force, inpath):
    """Write text to out ("-" or None: standard output).  An existing
    regular file is replaced only with force, never the input; a regular
    file is written to a temporary file beside it and renamed into place,
    so a failed write leaves nothing; a device or fifo is written
    directly."""
    if out is None or out == "-":
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError as e:
            # no second complaint when Python flushes at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise InputError("standard output: cannot write: %s: check "
                             "the redirection" % e.strerror)
        return
    try:
        st = os.stat(out)
    except OSError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise InputError("%s: is a directory: give a file name for -o"
                         % shown(out))
    try:
        ist = os.stat(inpath)
    except OSError:
        ist = None
    if st is not None and ist is not None and \
            (st.st_dev, st.st_ino) == (ist.st_dev, ist.st_ino):
        raise InputError("%s: is the input file: write to another file"
                         % shown(out))
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            with open(out, "w") as f:
                f.write(text)
        except OSError as e:
            raise InputError("%s: cannot write: %s: choose another -o"
                             % (shown(out), e.strerror))
        return
    if st is not None and not force:
        raise InputError("%s: exists: choose another name or pass --force"
                         % shown(out))
    target = os.path.realpath(out) if st is not None else out
    d = os.path.dirname(target) or "."
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=d, prefix="." +
                                   os.path.basename(target) + ".")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, target)
        tmp = None
    except OSError as e:
        raise InputError("%s: cannot write: %s: check the directory and "
                         "the free space" % (shown(out), e.strerror))
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def read_input(path):
    if os.path.isdir(path):
        raise InputError("%s: is a directory: give a file" % shown(path))
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InputError("%s: cannot read: %s: check the file name"
                         % (shown(path), e.strerror))
    if not data.strip():
        raise InputError("%s: is empty: capture again (see --help)"
                         % shown(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("%s: is not text: give a /proc/PID/maps snapshot "
                         "or an strace log" % shown(path))


# ---------------------------------------------------------------- maps

MAPS_RE = re.compile(r"^([0-9a-f]+)-([0-9a-f]+)\s+([r-][w-][x-][ps])\s+"
                     r"([0-9a-f]+)\s+([0-9a-f]+:[0-9a-f]+)\s+(\d+)\s*(.*)$",
                     re.ASCII)
MAPS_SPECIAL = ("[vsyscall]", "[vvar]", "[vdso]", "[vvar_vclock]")


def import_maps(path, text):
    prog = Program()
    layout = Layout()
    space = Space()
    objs = ObjectTable(prog)
    entries = []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        m = MAPS_RE.match(line)
        if not m:
            raise InputError("%s:%d: not a /proc/PID/maps line: %s: give "
                             "an unedited copy of /proc/PID/maps"
                             % (shown(path), n, quoted(line[:60])))
        start, end = int(m.group(1), 16), int(m.group(2), 16)
        if end <= start or start % PAGE or end % PAGE:
            raise InputError("%s:%d: bad range %s-%s: give an unedited "
                             "copy of /proc/PID/maps"
                             % (shown(path), n, m.group(1), m.group(2)))
        entries.append((start, end, m.group(3), int(m.group(4), 16),
                        int(m.group(6)), m.group(7).strip()))
    for e in entries:
        if e[4] != 0:
            objs.use(e[5])
    objs.freeze()
    prev_end = None
    cluster = None
    for start, end, perms, off, inode, name in entries:
        if name in MAPS_SPECIAL:
            prog.drop("kernel special mapping")
            continue
        if cluster is None or start != prev_end:
            cluster = layout.cluster(space, start, end - start)
            if cluster is None:
                prog.drop("mapping beyond the model's address window")
                continue
        else:
            cluster[1] = end
        prev_end = end
        where = space.translate(start, end - start)
        if where is None:
            prog.drop("mapping beyond the cluster cap of %d pages"
                      % CLUSTER_CAP)
            continue
        addr, npg = where
        prot = sum(b for c, b in zip(perms[:3], (1, 2, 4)) if c != "-")
        shared = perms[3] == "s"
        backing = "anon"
        if inode != 0:
            obj = objs.get(name)
            if obj is None:
                prog.drop("file beyond the %d objects" % MAXOBJ)
                continue
            backing = "obj%d off=%d" % (obj, clamp_off(off // PAGE, npg))
        extra = " stack" if name == "[stack]" else ""
        if not prog.room(1 + (prot & 1) + (2 if prot & 2 else 0)):
            prog.drop("mapping over the operation limit")
            continue
        prog.emit("mmap p0 0x%x %d %s maxprot=rwx %s %s inherit=copy "
                  "advice=normal%s" % (addr, npg, protstr(prot),
                                       "shared" if shared else "private",
                                       backing, extra))
        touch(prog, 0, addr, prot)
    if not prog.lines:
        raise InputError("%s: nothing to import: every mapping was dropped "
                         "(%s): give the maps of an ordinary process"
                         % (shown(path), ", ".join(sorted(prog.dropped))
                            or "none"))
    header = ["imported by fuzz/tools/import_proc.py maps %s"
              % shown(os.path.basename(path)),
              "%d mappings of one process, relocated into the model's "
              "window" % len(entries)]
    return prog.text(header)


def clamp_off(off, npg):
    return max(0, min(off, OBJPAGES - npg))


def touch(prog, p, addr, prot):
    """Access the first page of a new mapping as the process would."""
    if prot & 2:
        prog.emit("write p%d 0x%x =%s" % (p, addr, fmtval(prog.next_value())))
        prog.emit("read p%d 0x%x" % (p, addr))
    elif prot & 1:
        prog.emit("read p%d 0x%x" % (p, addr))


def fmtval(v):
    return "%d" % v if v < 0x10000 else "0x%x" % v


class ObjectTable:
    """Files -> obj0..obj3, most used first."""

    def __init__(self, prog):
        self.prog = prog
        self.uses = {}
        self.ids = None

    def use(self, name):
        self.uses[name] = self.uses.get(name, 0) + 1

    def freeze(self):
        order = sorted(self.uses, key=lambda k: (-self.uses[k], k))
        self.ids = {k: i for i, k in enumerate(order[:MAXOBJ])}

    def get(self, name):
        return self.ids.get(name)


# -------------------------------------------------------------- strace

LINE_RE = re.compile(r"^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(.*)$", re.ASCII)
CALL_RE = re.compile(r"^(\w+)\((.*)\)\s+=\s+(0x[0-9a-f]+|-?\d+|\?)(\s.*)?$",
                     re.ASCII)
UNFINISHED_RE = re.compile(r"^(\w+)\((.*)\s*<unfinished \.\.\.>$", re.ASCII)
RESUMED_RE = re.compile(r"^<\.\.\. (\w+) resumed>(.*)\)\s+=\s+"
                        r"(0x[0-9a-f]+|-?\d+|\?)(\s.*)?$", re.ASCII)
SKIP_RE = re.compile(r"^(---|\+\+\+) .* (---|\+\+\+)$")
NUM_RE = re.compile(r"^-?(0x[0-9a-fA-F]+|[0-9]+)$", re.ASCII)
FIX = "fix the line or capture again"

MEMORY_CALLS = {"mmap", "munmap", "mprotect", "madvise", "mlock",
                "munlock", "brk", "fork", "vfork", "clone", "clone3",
                "execve", "exit", "exit_group", "openat", "close"}


def split_args(s):
    """Split a strace argument list at top-level commas."""
    out, depth, cur, quote = [], 0, [], False
    i = 0
    while i < len(s):
        ch = s[i]
        if quote:
            cur.append(ch)
            if ch == "\\" and i + 1 < len(s):
                cur.append(s[i + 1])
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
            cur.append(ch)
        elif ch in "([{":
            depth += 1
            cur.append(ch)
        elif ch in ")]}":
            depth -= 1
            cur.append(ch)
        elif ch == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
        i += 1
    if cur or out:
        out.append("".join(cur).strip())
    return out


def num(tok, where, what="a number"):
    """tok as an integer (decimal, 0x hex, NULL is 0; leading zeros are
    decimal), or InputError naming where."""
    tok = tok.strip()
    if tok == "NULL":
        return 0
    if not NUM_RE.match(tok):
        raise InputError("%s: expected %s, got %s: %s"
                         % (where, what, quoted(tok[:40]), FIX))
    neg = tok.startswith("-")
    t = tok.lstrip("-")
    v = int(t[2:], 16) if t[:2] in ("0x", "0X") else int(t, 10)
    return -v if neg else v


def arg(args, i, name, where):
    """the i-th argument of a call, or InputError."""
    if i >= len(args):
        raise InputError("%s: %s has %d arguments, expected at least %d: %s"
                         % (where, name, len(args), i + 1, FIX))
    return args[i]


def flags(tok, table, where):
    bits = 0
    for f in tok.split("|"):
        f = f.strip()
        if f in table:
            bits |= table[f]
        elif NUM_RE.match(f) and not f.startswith("-"):
            bits |= num(f, where)
        elif not f.startswith(("PROT_", "MAP_", "CLONE_", "MCL_", "SIG")):
            raise InputError("%s: unexpected flag %s: %s"
                             % (where, quoted(f[:40]), FIX))
    return bits


def parse_strace(path, text):
    """Yield (lineno, pid, name, args, result) of complete calls."""
    pending = {}
    lines = text.split("\n")
    cut = not text.endswith("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for n, line in enumerate(lines, 1):
        where = "%s:%d" % (shown(path), n)
        if cut and n == len(lines):
            raise InputError("%s: the log ends in the middle of a line: "
                             "capture again and let strace finish" % where)
        m = LINE_RE.match(line.rstrip())
        pid = num(m.group(1) or m.group(2) or "0", where, "a pid")
        body = m.group(3)
        if not body or SKIP_RE.match(body):
            continue
        u = UNFINISHED_RE.match(body)
        if u:
            pending[pid] = (u.group(1), u.group(2))
            continue
        r = RESUMED_RE.match(body)
        if r:
            if pid not in pending or pending[pid][0] != r.group(1):
                raise InputError("%s: '%s resumed' without its start: "
                                 "capture the whole run with strace -f"
                                 % (where, r.group(1)))
            name, args = pending.pop(pid)
            yield n, pid, name, split_args(args + r.group(2)), r.group(3)
            continue
        c = CALL_RE.match(body)
        if c:
            yield n, pid, c.group(1), split_args(c.group(2)), c.group(3)
            continue
        if re.match(r"^\w+\(.*\)\s+=\s+\?$", body) or \
                re.match(r"^(exit|exit_group)\(", body):
            continue        # exit_group(0) = ?
        raise InputError("%s: not an strace system call line: %s: give an "
                         "unedited strace -f log"
                         % (where, quoted(body[:60])))


class Proc:
    def __init__(self, num, space, pid):
        self.num = num
        self.pid = pid                  # the process's first thread
        self.space = space
        self.fds = {}
        self.brk_start = None
        self.brk_end = None
        self.writable = []      # model addresses of writable private pages


def import_strace(path, text):
    prog = Program()
    layout = Layout()
    calls = list(parse_strace(path, text))
    if not calls:
        raise InputError("%s: no system call lines: capture with "
                         "strace -f -e trace=memory,process" % shown(path))
    # first pass: which files are mapped most (by path when known)
    objs = ObjectTable(prog)
    fdnames = {}
    for n, pid, name, args, res in calls:
        where = "%s:%d" % (shown(path), n)
        if name == "openat" and res != "?" and num(res, where) >= 0:
            fdnames[(pid, num(res, where))] = args[1].strip('"') \
                if len(args) > 1 else "fd%s" % res
        elif name == "mmap" and len(args) == 6 and res.startswith("0x"):
            fd = num(args[4], where, "a file descriptor")
            if fd >= 0:
                objs.use(fdnames.get((pid, fd), "fd%d" % fd))
    objs.freeze()
    procs = {}
    first = calls[0][1]
    procs[first] = Proc(0, Space(), first)
    nprocs = 1
    for n, pid, name, args, res in calls:
        where = "%s:%d" % (shown(path), n)
        if prog.full:
            break
        if pid not in procs:
            prog.drop("calls of untraced or dropped processes")
            continue
        p = procs[pid]
        if name == "exit_group" or (name == "exit" and p.pid == pid):
            prog.emit("exit p%d" % p.num)     # returns "?": never fails
            for k in [k for k, v in procs.items() if v is p]:
                del procs[k]
            continue
        if name == "exit":
            continue                            # a thread ends
        failed = res == "?" or res.startswith("-")
        if name == "openat" and not failed:
            p.fds[num(res, where)] = args[1].strip('"') if len(args) > 1 \
                else ""
        elif name in ("fork", "vfork", "clone", "clone3") and not failed:
            child = num(res, where, "a child pid")
            if name in ("clone", "clone3") and "CLONE_VM" in ",".join(args) \
                    and "CLONE_VFORK" not in ",".join(args):
                procs[child] = p            # a thread: same process
                continue
            if nprocs >= MAXPROC:
                prog.drop("processes beyond %d" % MAXPROC)
                continue
            q = Proc(nprocs, p.space.copy(), child)
            q.fds = dict(p.fds)
            q.brk_start, q.brk_end = p.brk_start, p.brk_end
            q.writable = list(p.writable)
            nprocs += 1
            procs[child] = q
            if prog.emit("fork p%d -> p%d" % (p.num, q.num)) and \
                    p.writable and prog.room(2):
                prog.emit("write p%d 0x%x =%s" % (q.num, p.writable[0],
                          fmtval(prog.next_value())))
                prog.emit("read p%d 0x%x" % (p.num, p.writable[0]))
        elif failed:
            prog.drop("failed calls")
        elif name == "execve":
            for c in p.space.clusters:
                prog.emit("munmap p%d 0x%x %d" % (p.num, c[2], CLUSTER_CAP))
            p.space = Space()
            p.brk_start = p.brk_end = None
            p.writable = []
        elif name == "mmap":
            do_mmap(prog, layout, p, objs, fdnames, pid, args, res, where)
        elif name in ("munmap", "mprotect", "madvise", "mlock", "munlock"):
            do_range(prog, p, name, args, where)
        elif name == "brk":
            do_brk(prog, layout, p, args, res, where)
    if not prog.lines:
        raise InputError("%s: nothing to import: no memory operation of "
                         "the traced processes survived (%s): capture with "
                         "strace -f -e trace=memory,process,openat"
                         % (shown(path), ", ".join(sorted(prog.dropped))
                            or "none"))
    header = ["imported by fuzz/tools/import_proc.py strace %s"
              % shown(os.path.basename(path)),
              "%d system calls of %d processes; addresses relocated into "
              "the model's window" % (len(calls), nprocs)]
    return prog.text(header)


def do_mmap(prog, layout, p, objs, fdnames, pid, args, res, where):
    if len(args) != 6:
        raise InputError("%s: mmap takes 6 arguments, got %d: %s"
                         % (where, len(args), FIX))
    num(args[0], where, "an address")
    length = num(args[1], where, "a length")
    prot = flags(args[2], PROT_BITS, where)
    mflags = args[3]
    fd = num(args[4], where, "a file descriptor")
    off = num(args[5], where, "an offset")
    real = num(res, where, "an address")
    if length <= 0 or real < 0 or off < 0:
        raise InputError("%s: mmap of %d bytes at %#x, offset %d succeeded:"
                         " %s" % (where, length, real, off, FIX))
    if "MAP_FIXED" not in mflags or p.space.lookup(real) is None:
        if layout.cluster(p.space, real, length) is None:
            prog.drop("mapping beyond the model's address window")
            return
    where_m = p.space.translate(real, length)
    if where_m is None:
        prog.drop("mapping beyond the cluster cap of %d pages" % CLUSTER_CAP)
        return
    maddr, npg = where_m
    shared = "MAP_SHARED" in mflags
    if "MAP_ANONYMOUS" in mflags or fd < 0:
        backing = "anon"
    else:
        obj = objs.get(fdnames.get((pid, fd), "fd%d" % fd))
        if obj is None:
            prog.drop("file beyond the %d objects" % MAXOBJ)
            return
        backing = "obj%d off=%d" % (obj, clamp_off(off // PAGE, npg))
    extra = " stack" if "MAP_STACK" in mflags or "MAP_GROWSDOWN" in mflags \
        else ""
    if not prog.emit("mmap p%d 0x%x %d %s maxprot=rwx %s %s inherit=copy "
                     "advice=normal%s" % (p.num, maddr, npg, protstr(prot),
                                          "shared" if shared else "private",
                                          backing, extra)):
        return
    if prot & 2 and not shared:
        p.writable.append(maddr)
    touch(prog, p.num, maddr, prot)


def do_range(prog, p, name, args, where):
    if len(args) < 2:
        raise InputError("%s: %s takes an address and a length: %s"
                         % (where, name, FIX))
    length = num(args[1], where, "a length")
    if length < 0:
        raise InputError("%s: %s of %d bytes succeeded: %s"
                         % (where, name, length, FIX))
    if length == 0:
        prog.drop("%s of 0 bytes" % name)
        return
    w = p.space.translate(num(args[0], where, "an address"), length)
    if w is None:
        prog.drop("%s outside every relocated mapping" % name)
        return
    maddr, npg = w
    if name == "mprotect":
        prot = flags(arg(args, 2, name, where), PROT_BITS, where)
        prog.emit("mprotect p%d 0x%x %d %s" % (p.num, maddr, npg,
                                              protstr(prot)))
    elif name == "madvise":
        adv = ADVICE.get(arg(args, 2, name, where).strip())
        if adv is None:
            prog.drop("madvise advice the model lacks")
            return
        prog.emit("madvise p%d 0x%x %d %s" % (p.num, maddr, npg, adv))
    else:
        prog.emit("%s p%d 0x%x %d" % (name, p.num, maddr, npg))


def do_brk(prog, layout, p, args, res, where):
    new = num(res, where, "an address")
    if new < 0:
        raise InputError("%s: brk returned %d: %s" % (where, new, FIX))
    if p.brk_start is None:
        p.brk_start = p.brk_end = new
        layout.cluster(p.space, new, CLUSTER_CAP * PAGE)
        return
    old = p.brk_end
    p.brk_end = new
    if new > old:
        lo, hi = (old + PAGE - 1) // PAGE * PAGE, (new + PAGE - 1) // PAGE * PAGE
        w = p.space.translate(lo, hi - lo) if hi > lo else None
        if w is None:
            if hi > lo:
                prog.drop("heap growth beyond the cluster cap")
            return
        if prog.emit("mmap p%d 0x%x %d rw- maxprot=rwx private anon "
                     "inherit=copy advice=normal" % (p.num, w[0], w[1])):
            p.writable.append(w[0])
            touch(prog, p.num, w[0], 3)
    elif new < old:
        lo = (new + PAGE - 1) // PAGE * PAGE
        w = p.space.translate(lo, old - lo) if old > lo else None
        if w is not None:
            prog.emit("munmap p%d 0x%x %d" % (p.num, w[0], w[1]))


def main(argv):
    ap = argparse.ArgumentParser(
        prog="import_proc.py",
        description="Import /proc/PID/maps snapshots and strace -f logs "
                    "as uvmfuzz fault programs (text form).")
    sub = ap.add_subparsers(dest="kind", metavar="{maps,strace}")
    for kind, what in (("maps", "a /proc/PID/maps snapshot"),
                       ("strace", "an strace -f log of memory and process "
                                  "calls")):
        sp = sub.add_parser(kind, help="import " + what)
        sp.add_argument("file", help=what)
        sp.add_argument("-o", "--output", help="output .prog file "
                        "(default: standard output)")
        sp.add_argument("--force", action="store_true",
                        help="overwrite an existing output file")
        sp.add_argument("--capture", metavar="CMD",
                        help="the capture command, recorded in the header")

    def fail(msg):
        sys.stderr.write("import_proc: %s: see --help\n" % shown(msg))
        sys.exit(2)
    ap.error = fail
    for sp in sub.choices.values():
        sp.error = fail
    args = ap.parse_args(argv)
    if args.kind is None:
        fail("say what to import: maps or strace")
    try:
        text = read_input(args.file)
        if args.kind == "maps":
            out = import_maps(args.file, text)
        else:
            out = import_strace(args.file, text)
        if args.capture is not None:
            out = "# captured with: %s\n%s" % (shown(args.capture), out)
        write_out(out, args.output, args.force, args.file)
    except InputError as e:
        sys.stderr.write("import_proc: %s\n" % e)
        return 2
    except (RecursionError, MemoryError, ValueError, IndexError,
            KeyError, TypeError, AttributeError) as e:
        # a bug of this tool on odd input: still one line, exit 2
        sys.stderr.write("import_proc: %s: internal error on this input "
                         "(%s: %s): please report it with the file\n"
                         % (shown(args.file), type(e).__name__,
                            shown(str(e))[:80]))
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
