"""The TSan suppressions of the shims (shims/host/host_misc.c,
__tsan_default_suppressions: races on libFuzzer's coverage counters)
must not hide a race in uvm/.

A probe is built exactly like out/libfuzzer-tsan (the tsan objects, TSan
plus coverage counters, linked with -fsanitize=fuzzer,thread): a
kernel-side file, compiled with the uvm/ flags (-nostdinc, kernel
headers), has a global counter that two simulated CPUs (fibers) bump.
Its own coverage counters are bumped by both CPUs too.
  - unlocked: TSan must report the race, on the uvm-side global (not on
    a coverage counter, which the suppressions hide);
  - under a shims mutex: no report (the lock's happens-before edges).
"""

import os
import subprocess

import pytest

from conftest import ROOT, run

KERN = r"""
#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mutex.h>

long		uvm_tsanprobe_count;		/* the racy uvm/ global */
struct mutex	uvm_tsanprobe_mtx;

void	uvm_tsanprobe_init(void);
void	uvm_tsanprobe_bump(int locked);

void
uvm_tsanprobe_init(void)
{
	mtx_init(&uvm_tsanprobe_mtx, IPL_NONE);
	uvm_tsanprobe_count = 0;
}

void
uvm_tsanprobe_bump(int locked)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (locked)
			mtx_enter(&uvm_tsanprobe_mtx);
		if (uvm_tsanprobe_count & 1)	/* a branch: coverage */
			uvm_tsanprobe_count += 3;
		else
			uvm_tsanprobe_count++;
		if (locked)
			mtx_leave(&uvm_tsanprobe_mtx);
	}
}
"""

HOST = r"""
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

void	uvm_tsanprobe_init(void);
void	uvm_tsanprobe_bump(int locked);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
cpu(int id, void *arg)
{
	uvm_tsanprobe_bump(*(int *)arg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sched[] = { 0, 1, 0, 1, 0, 1, 0, 1 };
	struct sched_config sc;
	int locked = getenv("PROBE_LOCKED") != NULL;

	uvm_tsanprobe_init();
	memset(&sc, 0, sizeof(sc));
	sc.ncpu = 2;
	sc.backend = SCHED_FIBERS;
	sc.sched = sched;
	sc.schedlen = sizeof(sched);
	sched_run(&sc, cpu, &locked);
	return 0;
}
"""


def make_var(name):
    """a variable of the Makefile (its print-% target)"""
    r = subprocess.run(["make", "-s", "print-" + name], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert r.returncode == 0, r.stdout.decode(errors="replace")
    return r.stdout.decode().split()


def flags(variant):
    """the compiler and compile flags of an object variant"""
    return make_var("CC")[:1] + make_var("CFLAGS_" + variant)


@pytest.fixture(scope="module")
def probe(built, tmp_path_factory):
    d = tmp_path_factory.mktemp("tsanprobe")
    lib = os.path.join(ROOT, "out", "obj", "tsan", "libuvm.a")
    if not os.path.exists(lib):
        r = subprocess.run(["make", "VARIANT=tsan", lib], cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert r.returncode == 0, r.stdout.decode(errors="replace")[-2000:]
    cc = flags("tsan")
    res = subprocess.run([cc[0], "-print-resource-dir"],
                         stdout=subprocess.PIPE).stdout.decode().strip()
    (d / "uvm_tsanprobe.c").write_text(KERN)
    (d / "host.c").write_text(HOST)
    kinc = ["-nostdinc", "-ffreestanding", "-isystem", res + "/include",
            "-I" + os.path.join(ROOT, "shims/include"),
            "-I" + os.path.join(ROOT, "out/obj/tsan/bsdinc"), "-D_KERNEL"]
    cmds = [
        cc + ["-std=gnu11"] + kinc + ["-c", str(d / "uvm_tsanprobe.c"),
                                      "-o", str(d / "k.o")],
        cc + ["-std=gnu11", "-I" + os.path.join(ROOT, "shims"),
              "-c", str(d / "host.c"), "-o", str(d / "h.o")],
        cc + ["-fsanitize=fuzzer,thread", str(d / "h.o"), str(d / "k.o"),
              lib, "-lpthread", "-o", str(d / "probe")],
    ]
    for c in cmds:
        r = subprocess.run(c, cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        assert r.returncode == 0, " ".join(c) + "\n" + r.stdout.decode(
            errors="replace")[-3000:]
    (d / "empty").write_bytes(b"")
    return d


def test_race_in_uvm_is_reported(probe):
    r = run([str(probe / "probe"), "-runs=1", str(probe / "empty")],
            timeout=120)
    out = r.stdout + r.stderr
    assert "WARNING: ThreadSanitizer: data race" in out, out[-3000:]
    assert "uvm_tsanprobe_count" in out, out[-3000:]
    assert "uvm_tsanprobe_bump" in out, out[-3000:]
    assert r.returncode != 0


def test_locked_is_clean(probe):
    r = run([str(probe / "probe"), "-runs=1", str(probe / "empty")],
            timeout=120, extra_env={"PROBE_LOCKED": "1"})
    out = r.stdout + r.stderr
    assert "ThreadSanitizer" not in out, out[-3000:]
    assert r.returncode == 0, out[-3000:]
