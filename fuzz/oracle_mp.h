/*
 * fuzz/oracle_mp.h: the concurrency oracle, for programs that run on
 * several simulated CPUs (fibers).  fuzz/run.c calls it; it uses the
 * single-CPU oracle (fuzz/oracle.h) as its reference model.
 *
 * The runner reports, for every operation, when it began and ended on
 * its CPU (a step counter over begin/end events, in the order the
 * scheduler ran them) and what the model returned.  At the end of the
 * run oracle_mp_finish() judges the whole run:
 *
 *   1. provenance (every run): a successful read returns 0 (a fresh
 *	anon page), the initial data of an object word at the same
 *	offset in its page (of an object the program maps), or the value
 *	of a successful write that began before the read ended, to the
 *	same address (any process; to the same offset in a page when the
 *	program maps objects: an object page is seen at other addresses).
 *   2. sequential equivalence (when it applies): if no two program
 *	operations overlapped in time, the run was one sequential
 *	execution; it is replayed in that order through the single-CPU
 *	oracle and every outcome (map operations: success or failure;
 *	accesses: error and value) and, at the end, every object word
 *	the program touched must match, exactly as fuzz/run.c judges a
 *	one-CPU run.  It applies only without failure injection and
 *	without ENOMEM (the outcomes the single-CPU rules accept there
 *	depend on which CPU consumed an injected failure); the pagedaemon
 *	CPU is allowed (it changes where pages are, not what they hold).
 *   3. monotonic reads (runs without failure injection; UVM.md
 *	invariant 9): once a CPU has observed a write w on a page of a
 *	process (it performed w, or read a value whose every possible
 *	source began no earlier than w), a later read by that CPU of a
 *	word of that page must not return a value that a write k of that
 *	word in that process overwrote before w began (every candidate
 *	source of the value ended before k began; the initial data
 *	always did).  Writes that overlap in time are concurrent and
 *	never older than each other; an mmap, munmap, madvise or exit of
 *	the process (a MADV_FREE of any process: it may drop object
 *	pages), an access of it failing with ENOMEM (the model kills
 *	it), or a fork creating it, ending after k began cancels k.
 *	Catches a CPU that keeps reading the pre-COW page (a stale
 *	TLB entry) after it saw a newer write on the copy.
 *   4. swapoff (every run): EBUSY only if another program operation
 *	overlapped it (a fork, amap copy or split on another CPU can move
 *	an anon that holds a swap slot behind amap_swap_off's walk; an
 *	anon freed during a fault's swap read holds its slot outside
 *	every amap until the fault releases it) or it began before the
 *	pagedaemon CPU finished (an anon freed while its page was being
 *	written out holds its slot the same way until the pass ends); in
 *	the sequential replay (rule 2) swapoff and swapon must give
 *	exactly the single-CPU oracle's answer (ENXIO / EBUSY from the
 *	device's on/off state, else success).
 *   5. swapctl order (every run, injection included): swapoff and
 *	swapon hold swap_syscall_lock throughout, so while none overlaps
 *	another in time they ran in begin order, and each outcome must
 *	follow the device's on/off state from boot (on): swapon EBUSY
 *	when on, else success; swapoff ENXIO when off, else success,
 *	ENOMEM or EBUSY (rule 4).  The check ends at the first swapctl
 *	operation that overlaps the next one or has no result.
 *
 * Sound, not complete: a correct model never fails these checks.  What
 * it cannot see: wrong values among the allowed ones in runs whose
 * operations overlap beyond rule 3 (a lost write, a stale value read by
 * a CPU that saw nothing newer on that page, a COW leak between
 * processes that wrote the same value to the same address); anything
 * in runs with injection beyond rule 1, or with ENOMEM beyond rules 1
 * and 3.  Write values are used as the program gives them (not made
 * unique): rules 1 and 3 are sharper when they are distinct.
 *
 * UVMFUZZ_TRACE=1 in the environment: every begin and end is printed to
 * stderr, "uvmfuzz: trace: step N cpuC begin op K: <op>" and
 * "uvmfuzz: trace: step N cpuC end op K: <outcome>" (read once per
 * process; off, a hook costs one test of a flag).
 */
#ifndef _FUZZ_ORACLE_MP_H_
#define _FUZZ_ORACLE_MP_H_

#include <stdint.h>

struct prog;

struct oracle_mp_finding {
	int		op;		/* operation index, -1: the end */
	const char	*reason;	/* one line */
	char		detail[256];	/* expected/got, one line */
};

/* oracle_mp_start: a new run of p on the fibers; enables the hooks */
void	oracle_mp_start(const struct prog *p);
/* oracle_mp_stop: disable the hooks (the runner, after the run) */
void	oracle_mp_stop(void);
/* hooks, on the CPU running operation op (no-ops when disabled) */
void	oracle_mp_begin(int cpu, int op);
void	oracle_mp_result(int op, int err, uint64_t val, uint64_t addr);
void	oracle_mp_end(int cpu, int op);
/* the pagedaemon CPU (cfg.pdpasses > 0) finished its passes */
void	oracle_mp_pdaemon_done(void);
/*
 * oracle_mp_finish: judge the run (after sched_run, before the model
 * shuts down: it reads object words).  Returns 0, or -1 with *f set.
 * Disables the hooks.
 */
int	oracle_mp_finish(struct oracle_mp_finding *f);
/* results of the last oracle_mp_finish */
int	oracle_mp_replayed(void);	/* 1: rule 2 applied */
int	oracle_mp_checked(void);	/* reads checked by rule 1 */
int	oracle_mp_monotonic(void);	/* reads rule 3 could judge */

#endif /* _FUZZ_ORACLE_MP_H_ */
