"""uvmfuzz's report parser on canned sanitizer and panic outputs: kind,
project frames, first uvm/ location, signature."""

import os
import sys

from conftest import ROOT

sys.path.insert(0, os.path.join(ROOT, "fuzz"))
from uvmfuzz_lib import report  # noqa: E402

ASAN = """\
INFO: Seed: 1
==7194==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020 at pc 0x5 bp 0x7 sp 0x7
WRITE of size 1 at 0x602000000050 thread T0
    #0 0x56439b2cac5a in amap_unref /src/uvmfuzz/uvm/uvm_amap.c:612:9
    #1 0x56439b2caacf in uvm_unmap_detach /src/uvmfuzz/uvm/uvm_map.c:301:3
    #2 0x56439b2ca9c0 in run_op /src/uvmfuzz/fuzz/run.c:88:2
    #3 0x56439b2ca950 in LLVMFuzzerTestOneInput /src/uvmfuzz/fuzz/harness/fault.c:30:8
    #4 0x56439b1f32f3 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) (/x/fault+0x422f3)
freed by thread T0 here:
    #0 0x56439b28f952 in __interceptor_free (/x/fault+0xde952)
SUMMARY: AddressSanitizer: heap-use-after-free /src/uvmfuzz/uvm/uvm_amap.c:612:9 in amap_unref
"""

PANIC = """\
panic: cpu1: kernel diagnostic assertion "rw_write_held(amap->am_lock)" failed: file "uvm/uvm_fault.c", line 700
AddressSanitizer:DEADLYSIGNAL
==1==ERROR: AddressSanitizer: ABRT on unknown address 0x000000000001 (pc 0x7f bp 0x1 sp 0x7 T0)
    #0 0x7f in raise (/lib/x86_64-linux-gnu/libc.so.6+0x1)
    #1 0x7f in abort (/lib/x86_64-linux-gnu/libc.so.6+0x2)
    #2 0x55 in panic /w/shims/host/panic.c:40:2
    #3 0x55 in uvm_fault_upper /w/uvm/uvm_fault.c:700:2
    #4 0x55 in uvm_fault /w/uvm/uvm_fault.c:900:10
    #5 0x55 in uvm_sim_access /w/uvm/uvm_sim.c:120:9
    #6 0x55 in run_op /w/fuzz/run.c:90:2
"""

TSAN = """\
==================
WARNING: ThreadSanitizer: data race (pid=1)
  Write of size 4 at 0x7b04 by main thread:
    #0 uvm_anon_release uvm/uvm_anon.c:210:15 (fault+0x4d)
    #1 amap_wipeout uvm/uvm_amap.c:400:3 (fault+0x4e)
  Previous read of size 4 at 0x7b04 by main thread:
    #0 uvm_fault_upper uvm/uvm_fault.c:650:7 (fault+0x4f)
"""

UBSAN = """\
uvm/uvm_amap.c:77:12: runtime error: index 16 out of bounds for type 'struct vm_anon *[16]'
    #0 0x55 in amap_lookup /w/uvm/uvm_amap.c:77:12
    #1 0x55 in uvm_fault_upper_lookup /w/uvm/uvm_fault.c:500:3
SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior uvm/uvm_amap.c:77:12 in
"""


def test_asan():
    f = report.analyze(ASAN, 1)
    assert f["kind"] == "heap-use-after-free"
    assert [x["func"] for x in f["frames"]] == [
        "amap_unref", "uvm_unmap_detach", "run_op"]
    assert f["uvm_loc"] == "uvm/uvm_amap.c:612"
    assert f["signature"] == \
        "heap-use-after-free:amap_unref<uvm_unmap_detach<run_op"


def test_panic_kassert_skips_abort_machinery():
    f = report.analyze(PANIC, -6)
    assert f["kind"] == "kassert"
    assert f["frames"][0]["func"] == "uvm_fault_upper"
    assert f["uvm_loc"] == "uvm/uvm_fault.c:700"


def test_tsan():
    f = report.analyze(TSAN, 66)
    assert f["kind"] == "data-race"
    assert [x["func"] for x in f["frames"]] == [
        "uvm_anon_release", "amap_wipeout"]


def test_ubsan():
    f = report.analyze(UBSAN, 1)
    assert f["kind"] == "ubsan-bounds"
    assert f["uvm_loc"] == "uvm/uvm_amap.c:77"


def test_clean_run_is_no_finding():
    assert report.analyze("INFO: Seed: 1\nDone 4 runs\n", 0) is None


def test_silent_failure_is_a_finding():
    f = report.analyze("", -9)
    assert f["kind"] == "signal-9"


def test_panic_classes():
    for msg, kind in (("deadlock: cpu0 waits for amap lock held by cpu1",
                       "deadlock"),
                      ("lock order reversal: amap then object", "lock-order"),
                      ("oracle: read p1 0x1000 = 7, expected 1", "oracle"),
                      ("something else", "panic")):
        assert report.analyze("panic: " + msg + "\n", -6)["kind"] == kind


def test_project_path():
    assert report.project_path("/a/b/uvm/uvm_fault.c") == "uvm/uvm_fault.c"
    assert report.project_path("shims/host/sched.c") == "shims/host/sched.c"
    assert report.project_path("/usr/include/stdio.h") is None


FIBER_PANIC = """\
panic: cpu0: kernel diagnostic assertion "pg->wire_count == 0" failed: file "uvm/uvm_simobj.c", line 152: uvm_simobj_detach: object 0 page 0x563c35909150
uvmfuzz: finding: panic: kernel diagnostic assertion "pg->wire_count == 0" failed: file "uvm/uvm_simobj.c", line 152: x
==19095==ERROR: AddressSanitizer: ABRT on unknown address 0x000000004a97 (pc 0x7f bp 0x7f sp 0x7f T0)
    #0 0x7f5bf8ea8eec in __pthread_kill_implementation nptl/./nptl/pthread_kill.c:44:76
    #1 0x7f5bf8e59fb1 in raise signal/../sysdeps/posix/raise.c:26:13
    #2 0x7f5bf8e44471 in abort stdlib/./stdlib/abort.c:79:7
    #3 0x563c34d4ba66 in sim_vpanic /work/main/shims/host/host_misc.c:73:2
    #4 0x563c34d458c4 in panic /work/main/shims/kern_shims.c:39:2
"""


def test_kassert_without_stack_uses_its_file_line():
    f = report.analyze(FIBER_PANIC, 1)
    assert f["kind"] == "kassert"
    assert f["uvm_loc"] == "uvm/uvm_simobj.c:152"
    assert f["signature"] == "kassert:uvm/uvm_simobj.c:152"


def test_panic_without_stack_groups_by_message():
    a = report.analyze("panic: cpu1: invariant 6: amap 0x1234 slot 7 used "
                       "but empty\n", -6)
    b = report.analyze("panic: cpu0: invariant 6: amap 0xbeef slot 9 used "
                       "but empty\n", -6)
    assert a["kind"] == "invariant-6" and a["signature"] == b["signature"]


def test_runner_oracle_finding():
    f = report.analyze("uvmfuzz: finding: oracle: read returned a wrong "
                       "value\n", -6)
    assert f["kind"] == "oracle"


def test_runner_finding_then_asan_abort():
    """libFuzzer+ASan prints an ABRT report after the runner's finding
    (a real oracle finding's output): the kind is the runner's."""
    text = ("uvmfuzz: finding: oracle: operation should have failed\n"
            "uvmfuzz: op 15: cpu0: mprotect p0 0x11000 2 rw-\n"
            "AddressSanitizer:DEADLYSIGNAL\n"
            "==3==ERROR: AddressSanitizer: ABRT on unknown address 0x1 "
            "(pc 0x7f bp 0x1 sp 0x7 T0)\n"
            "    #0 0x7f in raise (/lib/x86_64-linux-gnu/libc.so.6+0x1)\n"
            "    #3 0x55 in finding /w/fuzz/run.c:111:2\n"
            "    #4 0x55 in mapop_compare /w/fuzz/run.c:159:2\n")
    f = report.analyze(text, -6)
    assert f["kind"] == "oracle"
    assert f["message"] == "operation should have failed"
