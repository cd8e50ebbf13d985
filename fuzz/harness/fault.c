/*
 * fuzz/harness/fault.c: the single-CPU fault-program fuzzer.
 *
 * Decode any input into a fault program (fuzz/prog.h), make it a
 * single-CPU program (every operation on CPU 0, in program order; the
 * pagedaemon CPU is kept), and run it (fuzz/run.h): kernel assertions,
 * the invariant checker after every operation, and the semantic oracle
 * judge it.  A finding prints the program and aborts.
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
	run_force_ncpu1(&p);
	(void)run_prog(&p, &opts);
	return 0;
}
