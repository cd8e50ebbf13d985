/*
 * shims/sim.h: the host side of the shims, for harnesses and tests
 * (plain C types; includable next to libc headers).
 *
 * Simulated CPUs: sched_run() runs one function per CPU to completion.
 * Outside sched_run() the caller is CPU 0 and there is no other CPU.
 */
#ifndef _SHIMS_SIM_H_
#define _SHIMS_SIM_H_

#include <stddef.h>
#include <stdint.h>

enum sched_backend {
	SCHED_FIBERS,		/* all CPUs on this OS thread; deterministic */
	SCHED_THREADS		/* one pthread per CPU, created once */
};

struct sched_config {
	int			 ncpu;		/* 1..MAXCPUS */
	enum sched_backend	 backend;
	const uint8_t		*sched;		/* schedule bytes (fibers) */
	size_t			 schedlen;
	uint64_t		 seed;		/* after the bytes run out */
	uint64_t		 max_steps;	/* livelock bound, 0 = default */
};

enum sched_result {
	SCHED_DONE = 0,		/* every CPU returned */
	SCHED_STEPLIMIT		/* max_steps switches: livelock finding */
};

typedef void (*sched_cpu_fn)(int cpuid, void *arg);

/*
 * sched_run: run fn(cpuid, arg) on CPUs 0..ncpu-1.  Fibers: at every
 * preemption point the next CPU is picked from the schedule bytes (then a
 * seeded PRNG); when every CPU is blocked the run panics with a deadlock
 * report (who waits on what, who holds it).  Threads: real concurrency.
 */
enum sched_result sched_run(const struct sched_config *, sched_cpu_fn, void *);
/* number of context switches of the last run (fibers) */
uint64_t	sched_switches(void);

/*
 * Panics.  panic() formats its message, prints it to stderr prefixed by
 * "panic: " and the CPU, calls the hook (if set), then abort()s.  A hook
 * may longjmp out (tests).  The last message stays readable.
 */
typedef void (*shims_panic_hook)(const char *msg);
void		 shims_set_panic_hook(shims_panic_hook);
const char	*shims_last_panic(void);

/*
 * Failure injection (sys/inject.h points, numbered as enum inject_point:
 * 0 malloc/pool, 1 page alloc, 2 pmap_enter, 3 swap read, 4 pager I/O).
 * arm_nth: the nth call from now (1 = next) fails, once.
 * arm_pattern: call i from now (0-based) fails when bit i is set.
 */
void		 inject_arm_nth(int point, unsigned int nth);
void		 inject_arm_pattern(int point, uint64_t pattern);
void		 inject_disarm_all(void);
uint64_t	 inject_ncalls(int point);	/* calls since arming */
uint64_t	 inject_nfired(int point);

/*
 * shims_reset: between runs: disarm injection, forget the lock order
 * learned so far (each input stands alone), check that no lock is held
 * and no pool item or malloc is outstanding (panic otherwise).
 */
void		 shims_reset(void);
/* outstanding kern_malloc + pool items (leak check) */
long		 shims_outstanding(void);

#endif /* _SHIMS_SIM_H_ */
