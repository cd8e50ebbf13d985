/*
 * fuzz/run.h: run one fault program on the model and judge it.
 *
 * run_prog() boots the model with the program's configuration, arms its
 * injection plan, runs its operations (one CPU: in program order on
 * CPU 0; several: one stream per simulated CPU under sched_run()),
 * checks the invariants (after every operation on one CPU, except a
 * read or write the MMU served without a fault, which changes nothing
 * they read; at the end always, complete), compares every result with
 * the oracle (fuzz/oracle.h; one program CPU only), and shuts the model
 * down (leak checks).
 *
 * A finding prints a report to stderr and abort()s, so that libFuzzer
 * and AFL++ record the input as a crash:
 *	uvmfuzz: finding: <kind>: <reason>
 *	uvmfuzz: op <index>: <the operation's text>
 *	uvmfuzz: expected ..., got ...		(oracle findings)
 *	uvmfuzz: program:
 *	<prog_print of the whole program>
 * <kind> is oracle, invariant, deadlock, lock-order, livelock or panic.
 * Panics (KASSERT, lock checks, deadlocks) go through the shims' panic
 * hook, which prints the same report before the shims abort.
 */
#ifndef _FUZZ_RUN_H_
#define _FUZZ_RUN_H_

#include <stdint.h>

#include "sim.h"

struct prog;

struct run_opts {
	enum sched_backend backend;	/* several CPUs: fibers (default) */
	int		no_oracle;	/* 1: do not compare with the oracle */
	int		no_opcheck;	/* 1: invariants only at the end */
	uint64_t	max_steps;	/* sched_run livelock bound, 0 default */
	/* results of the last run */
	uint64_t	switches;	/* context switches (fibers) */
	int		compared;	/* accesses compared with the oracle */
};

/*
 * run_prog: run p (see above).  Returns 0 when the run found nothing;
 * never returns on a finding.  Uses no heap of its own per input.
 * opts may be NULL (defaults).
 */
int	run_prog(const struct prog *p, struct run_opts *opts);

/*
 * run_force_ncpu1: make p a single-CPU program (cfg.ncpu 1, every op on
 * CPU 0, in program order), as the single-CPU harness runs it; the
 * pagedaemon CPU (cfg.pdpasses) is kept.
 */
void	run_force_ncpu1(struct prog *p);
/*
 * run_force_multicpu: make p a program of at least 2 CPUs, as the
 * multi-CPU harnesses run it: a program whose ops are all on one CPU
 * is spread round-robin (op i on CPU i % ncpu, ncpu = max(2, ncpu));
 * one that already uses several CPUs keeps its streams.
 */
void	run_force_multicpu(struct prog *p);
/* run_errname: "success", "EFAULT", ... for reports */
const char *run_errname(int err);

#endif /* _FUZZ_RUN_H_ */
