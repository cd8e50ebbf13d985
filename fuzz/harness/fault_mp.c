/*
 * fuzz/harness/fault_mp.c: the multi-CPU fault-program fuzzer.
 *
 * Decode any input into a fault program (fuzz/prog.h) and run it on 2..4
 * simulated CPUs (fibers, fully deterministic: the input's schedule bytes
 * and seed choose the interleaving), plus the pagedaemon CPU when the
 * program has one.  Kernel assertions, lock checks, the deadlock and
 * lock-order detectors, TSan (the libfuzzer-tsan and replay-tsan builds),
 * the invariant checker at the end, and the concurrency oracle
 * (fuzz/oracle_mp.h, through fuzz/run.c) judge it.
 *
 * At least two program CPUs, always.  A program whose operations are
 * all on one CPU (every input that decodes with ncpu 1, and a text
 * program without "cpuN:" prefixes) is spread: ncpu becomes
 * max(2, ncpu) and operation i goes to CPU i % ncpu, so that the
 * program's own order becomes two interleaved streams.  A program that
 * already uses two CPUs or more is run as decoded (ncpu at least 2).
 *
 * Linked with libFuzzer (-fsanitize=fuzzer), AFL++'s driver, or the
 * plain replay main (fuzz/engine/replay.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz/prog.h"
#include "fuzz/run.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prog p;		/* big: not on the stack */
	static struct run_opts opts;

	prog_decode(data, size, &p);
	run_force_multicpu(&p);
	(void)run_prog(&p, &opts);
	return 0;
}
