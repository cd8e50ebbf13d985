/*
 * shims/host/host.h: internal interfaces of the host layer (the code
 * under shims/host, the only code of the rig's library that uses libc,
 * pthreads, the fiber switch and the sanitizer interfaces).
 *
 * host_sched.c  simulated CPUs: run state, the fiber scheduler (schedule
 *               bytes, PCT after them), blocking, sleep/wakeup, deadlock
 *               reports, sched_run() for both backends
 * host_fiber.c  fibers: stacks, the context switch, TSan/ASan fiber glue
 * host_threads.c the SCHED_THREADS backend: worker pool, lock
 *               interlocks, sleep buckets, deadlock watch
 * host_misc.c   panic output and hook, memory, spin locks, TSan
 *               happens-before annotations
 *
 * Scheduler state touched by several fibers is accessed only from
 * functions marked HOST_NOTSAN: TSan does not see the scheduler's own
 * bookkeeping (it must not create happens-before between CPUs, and must
 * not be reported as a race between them either).  Every function a
 * fiber runs after its end-of-run release is HOST_NOTSAN too, for the
 * coverage counters' sake.
 */
#ifndef _SHIMS_HOST_HOST_H_
#define _SHIMS_HOST_HOST_H_

#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "shims_internal.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HOST_TSAN	1
#endif
#if __has_feature(address_sanitizer)
#define HOST_ASAN	1
#endif
#endif
#if !defined(HOST_ASAN) && defined(__SANITIZE_ADDRESS__)
#define HOST_ASAN	1
#endif
#if !defined(HOST_TSAN) && defined(__SANITIZE_THREAD__)
#define HOST_TSAN	1
#endif

/*
 * HOST_NOTSAN: TSan does not check the function's memory accesses, and
 * no SanitizerCoverage counters are put in it (scheduler internals are
 * no coverage signal, and their counters would be bumped by several
 * fibers without happens-before: a stream of false races).
 */
#define HOST_NOTSAN	__attribute__((no_sanitize("thread", "coverage")))
#define HOST_NOINLINE	__attribute__((noinline))

#define HOST_INFSLP	UINT64_MAX

/* a fiber: a stack and a saved context (host_fiber.c) */
struct fiber {
	void		*f_sp;		/* saved stack pointer */
	void		*f_map;		/* stack mapping (guard page first) */
	size_t		 f_mapsize;
	const void	*f_bottom;	/* usable stack, for ASan */
	size_t		 f_size;
	void		*f_fake;	/* ASan fake stack while switched out */
	void		*f_tsan;	/* TSan fiber (or thread) context */
	int		 f_started;	/* has run (TSan: may be destroyed) */
	int		 f_dirty;	/* abandoned mid-run: rebuild */
	const char	*f_name;	/* for TSan reports ("cpu1") */
};

/* per simulated CPU scheduler state */
enum host_cpu_state {
	HS_IDLE = 0,		/* not part of the run */
	HS_RUNNABLE,		/* may run (or runs) */
	HS_BLOCKED,		/* waits for a lock */
	HS_SLEEPING,		/* sleeps on a wait channel */
	HS_DONE			/* its function returned */
};

struct host_cpu {
	int			 hc_id;
	int			 hc_state;	/* HS_* */
	const void		*hc_lk;		/* blocked: the lock */
	int			 hc_kind;	/* SIM_WAIT_* */
	const char		*hc_lkname;
	const volatile void	*hc_wchan;	/* sleeping: channel */
	const char		*hc_wmesg;
	uint64_t		 hc_deadline;	/* simulated ns, or INFSLP */
	uint64_t		 hc_seq;	/* sleep order (wakeup_one) */
	int			 hc_woken;
	int			 hc_timedout;
	uint64_t		 hc_prio;	/* PCT priority, higher runs */
	uint64_t		 hc_streak;	/* choices won in a row */
	unsigned int		 hc_npreempt;	/* threads: preempt() calls */
	uint64_t		 hc_lastprog;	/* threads: deadlock watch */
	int			 hc_stalls;
	struct fiber		 hc_fiber;
	struct cpu_info		*hc_ci;
};

struct host_run {
	int			 r_active;	/* inside sched_run */
	int			 r_backend;	/* SCHED_FIBERS/THREADS */
	int			 r_ncpu;
	sched_cpu_fn		 r_fn;
	void			*r_arg;
	const uint8_t		*r_sched;	/* schedule bytes */
	size_t			 r_len, r_pos;
	uint64_t		 r_rng;		/* PCT PRNG state */
	uint64_t		 r_steps;	/* preemption points */
	uint64_t		 r_maxsteps;
	uint64_t		 r_switches;	/* context switches */
	uint64_t		 r_now;		/* simulated time, ns */
	uint64_t		 r_seq;
	uint64_t		 r_pctchoices;
	uint64_t		 r_change[3];	/* PCT change points */
	int			 r_cur;		/* fibers: running cpu, -1 */
	int			 r_result;	/* enum sched_result */
	int			 r_ndone;
};

extern struct host_run		host_run;
extern struct host_cpu		host_cpus[SHIM_MAXCPUS];
extern struct fiber		host_main_fiber;
/* the CPU the calling OS thread runs now (fibers: the fiber's) */
extern __thread struct cpu_info	*host_curci;
extern __thread int		 host_curid;

/* the kernel's panic(9), for reports made by the scheduler */
__attribute__((__noreturn__, __format__(__printf__, 1, 2)))
void	panic(const char *, ...);
struct cpu_info *cpu_info_get(int);

/* host_fiber.c */
void	fiber_main_init(struct fiber *);
void	fiber_prepare(struct fiber *, void (*entry)(void));
void	fiber_switch(struct fiber *from, struct fiber *to, int sync);
void	fiber_started(struct fiber *self);

/* host_sched.c, for host_threads.c */
void	host_set_cur(int cpuid);
void	host_deadlock_report(char *buf, size_t len);

/* host_threads.c */
enum sched_result threads_run(void);
void	*threads_lk_host(const void *lk);
void	threads_interlock(void *host);
void	threads_interunlock(void *host);
void	threads_lk_wait(void *host, const void *lk, int kind,
	    const char *name);
void	threads_lk_wakeup(void *host, const void *lk);
void	threads_sleep_prepare(const volatile void *ident, const char *wmesg);
int	threads_sleep_wait(uint64_t nsecs);
void	threads_wakeup(const volatile void *ident, int one);
void	threads_yield(void);

#endif /* _SHIMS_HOST_HOST_H_ */
