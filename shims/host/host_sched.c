/*
 * shims/host/host_sched.c: the simulated CPUs: sched_run(), curcpu(),
 * and the SCHED_FIBERS scheduler (the SCHED_THREADS backend is in
 * host_threads.c; the functions here dispatch to it during its runs).
 *
 * Fibers.  Every CPU is a fiber on the calling OS thread; fibers are
 * created once and kept (CPU i always runs on fiber i).  Preemption
 * points are every lock acquire and release, sleep, wakeup and
 * preempt() (sim_yield); a CPU that blocks on a lock or sleeps is marked
 * so and another runs.  At each point where more than one CPU could run,
 * the next one is chosen:
 *  - while schedule bytes remain: byte % nrunnable picks among the
 *    runnable CPUs in id order, the current one included (so a byte can
 *    mean "stay"); a point with only one candidate consumes no byte;
 *  - then PCT: each CPU has a random priority drawn from config.seed, the
 *    highest-priority runnable CPU runs; at three change points (among
 *    the first 128 choices) the running CPU drops to the lowest
 *    priority, and so does a CPU that wins 4096 choices in a row (so a
 *    spinning CPU cannot starve the one it waits for).
 * Same config and bytes => the same interleaving, switch for switch.
 *
 * When no CPU can run: if one sleeps with a timeout, simulated time
 * jumps to the earliest deadline and that sleep ends (EWOULDBLOCK);
 * otherwise the run panics "deadlock: ..." listing every CPU, what it
 * waits for and who holds it.  max_steps bounds the preemption points of
 * a run: beyond it the run is abandoned (SCHED_STEPLIMIT, a livelock
 * finding; the fibers are rebuilt before the next run, but the kernel
 * state is left as it was: locks held stay held).
 *
 * TSan: fiber switches are no_sync; the only happens-before the run
 * itself creates is caller -> every CPU at the start (run_token) and
 * every CPU -> caller at the end (run_done).  Scheduler state is touched
 * only in HOST_NOTSAN functions.
 *
 * Outside sched_run() the caller is CPU 0, alone: preemption points do
 * nothing, a timed sleep returns at once, an endless one or a wait for
 * a lock another CPU holds is a deadlock.
 */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"

#if defined(HOST_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

#define SCHED_DEFAULT_STEPS	(1ULL << 20)
#define PCT_WINDOW		128	/* change points among these choices */
#define PCT_STREAK		4096	/* choices won in a row: demote */

struct host_run		host_run = { .r_cur = -1 };
struct host_cpu		host_cpus[SHIM_MAXCPUS];
struct fiber		host_main_fiber;
__thread struct cpu_info *host_curci;
__thread int		 host_curid;

static uint64_t		 last_switches;
#if defined(HOST_TSAN)
static char		 run_token, run_done;	/* TSan sync addresses */
#endif
static const volatile void *solo_wchan;		/* outside runs */
static const char	*solo_wmesg;

static int		 forked;	/* fork() since the fibers were made */
static const char *const cpu_names[SHIM_MAXCPUS] = {
	"cpu0", "cpu1", "cpu2", "cpu3", "cpu4", "cpu5", "cpu6", "cpu7"
};
static pthread_once_t	 atfork_once = PTHREAD_ONCE_INIT;

static void	sched_resched(void);

/*
 * After fork() the child's TSan has lost the happens-before it had with
 * the fibers' contexts (they are "threads" of the parent to it): the
 * child rebuilds every fiber before its first run.
 */
HOST_NOTSAN static void
sched_atfork_child(void)
{
	forked = 1;
}

HOST_NOTSAN static void
sched_atfork_init(void)
{
	pthread_atfork(NULL, NULL, sched_atfork_child);
}

/* curcpu: the cpu_info of the running CPU (CPU 0 outside runs) */
HOST_NOTSAN struct cpu_info *
curcpu(void)
{
	struct cpu_info *ci = __atomic_load_n(&host_curci, __ATOMIC_RELAXED);

	return ci != NULL ? ci : cpu_info_get(0);
}

/* ncpus_running: CPUs of the current run, 1 outside runs */
HOST_NOTSAN int
ncpus_running(void)
{
	return host_run.r_active ? host_run.r_ncpu : 1;
}

HOST_NOTSAN int
sim_in_run(void)
{
	return host_run.r_active;
}

HOST_NOTSAN int
sim_threads(void)
{
	return host_run.r_active && host_run.r_backend == SCHED_THREADS;
}

HOST_NOTSAN void
host_set_cur(int cpuid)
{
	__atomic_store_n(&host_curid, cpuid, __ATOMIC_RELAXED);
	__atomic_store_n(&host_curci, cpu_info_get(cpuid), __ATOMIC_RELAXED);
}

HOST_NOTSAN uint64_t
sched_switches(void)
{
	return last_switches;
}

/* splitmix64 */
HOST_NOTSAN static uint64_t
rng_next(void)
{
	uint64_t z = (host_run.r_rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* demote cpu i below every other CPU (a PCT change point) */
HOST_NOTSAN static void
pct_demote(int i)
{
	uint64_t lo = UINT64_MAX;
	int j;

	for (j = 0; j < host_run.r_ncpu; j++)
		if (host_cpus[j].hc_prio < lo)
			lo = host_cpus[j].hc_prio;
	host_cpus[i].hc_prio = lo - 1;
	host_cpus[i].hc_streak = 0;
}

HOST_NOTSAN static int
pct_pick(const int *ids, int nr)
{
	struct host_run *r = &host_run;
	int j, k, best;

	r->r_pctchoices++;
	for (j = 0; j < 3; j++)
		if (r->r_pctchoices == r->r_change[j] && r->r_cur >= 0)
			pct_demote(r->r_cur);
	for (;;) {
		best = ids[0];
		for (k = 1; k < nr; k++)
			if (host_cpus[ids[k]].hc_prio > host_cpus[best].hc_prio)
				best = ids[k];
		if (++host_cpus[best].hc_streak < PCT_STREAK)
			break;
		pct_demote(best);
	}
	for (k = 0; k < nr; k++)
		if (ids[k] != best)
			host_cpus[ids[k]].hc_streak = 0;
	return best;
}

/*
 * host_deadlock_report: one line per CPU of the run: its state, what it
 * waits for and who holds that, what it holds.
 */
HOST_NOTSAN void
host_deadlock_report(char *buf, size_t len)
{
	struct host_cpu *hc;
	char what[256], held[512];
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < host_run.r_ncpu && off < len; i++) {
		hc = &host_cpus[i];
		switch (__atomic_load_n(&hc->hc_state, __ATOMIC_RELAXED)) {
		case HS_BLOCKED:
			shims_lock_describe(hc->hc_lk, hc->hc_kind, what,
			    sizeof(what));
			break;
		case HS_SLEEPING:
			snprintf(what, sizeof(what), "sleeps on %p \"%s\" %s",
			    (const void *)hc->hc_wchan, hc->hc_wmesg,
			    hc->hc_deadline == HOST_INFSLP ? "with no timeout" :
			    "with a timeout");
			break;
		case HS_DONE:
			snprintf(what, sizeof(what), "done");
			break;
		default:
			snprintf(what, sizeof(what), "runs");
			break;
		}
		shims_cpu_held_describe(cpu_info_get(i), held, sizeof(held));
		off += snprintf(buf + off, len - off, "\n  cpu%d: %s%s; holds "
		    "%s", i, hc->hc_state == HS_BLOCKED ? "waits for " : "",
		    what, held);
	}
}

HOST_NOTSAN __attribute__((__noreturn__)) static void
sched_deadlock(void)
{
	static char buf[4096];

	host_deadlock_report(buf, sizeof(buf));
	panic("deadlock: no CPU can run:%s", buf);
}

/* the timed sleeper with the earliest deadline, or -1 */
HOST_NOTSAN static int
sched_timeout(void)
{
	struct host_cpu *hc;
	int i, best = -1;

	for (i = 0; i < host_run.r_ncpu; i++) {
		hc = &host_cpus[i];
		if (hc->hc_state != HS_SLEEPING ||
		    hc->hc_deadline == HOST_INFSLP)
			continue;
		if (best < 0 || hc->hc_deadline < host_cpus[best].hc_deadline ||
		    (hc->hc_deadline == host_cpus[best].hc_deadline &&
		    hc->hc_seq < host_cpus[best].hc_seq))
			best = i;
	}
	if (best >= 0) {
		hc = &host_cpus[best];
		if (hc->hc_deadline > host_run.r_now)
			host_run.r_now = hc->hc_deadline;
		hc->hc_timedout = 1;
		hc->hc_wchan = NULL;
		hc->hc_state = HS_RUNNABLE;
	}
	return best;
}

/*
 * sched_pick: the CPU to run next (-1: the run is over, back to the
 * caller).  See the file comment for the policy.
 */
HOST_NOTSAN static int
sched_pick(void)
{
	struct host_run *r = &host_run;
	int ids[SHIM_MAXCPUS], nr = 0, i;

	for (i = 0; i < r->r_ncpu; i++)
		if (host_cpus[i].hc_state == HS_RUNNABLE)
			ids[nr++] = i;
	if (nr == 0) {
		if (r->r_ndone == r->r_ncpu)
			return -1;
		if ((i = sched_timeout()) < 0)
			sched_deadlock();
		return i;
	}
	if (nr == 1)
		return ids[0];
	if (r->r_pos < r->r_len)
		return ids[r->r_sched[r->r_pos++] % nr];
	return pct_pick(ids, nr);
}

/* switch from the running CPU (or the caller, -1) to `next' (or -1) */
HOST_NOTSAN static void
sched_switch(int next, int sync)
{
	struct host_run *r = &host_run;
	struct fiber *from, *to;

	from = r->r_cur < 0 ? &host_main_fiber :
	    &host_cpus[r->r_cur].hc_fiber;
	to = next < 0 ? &host_main_fiber : &host_cpus[next].hc_fiber;
	r->r_cur = next;
	if (next >= 0)
		r->r_switches++;
	host_set_cur(next < 0 ? 0 : next);
	fiber_switch(from, to, sync);
}

/* sched_resched: let the policy pick who runs now, switch if another */
HOST_NOTSAN static void
sched_resched(void)
{
	int next = sched_pick();

	if (next != host_run.r_cur)
		sched_switch(next, 0);
}

/* give up the run: too many steps (livelock) */
HOST_NOTSAN static void
sched_abandon(void)
{
	int i;

	host_run.r_result = SCHED_STEPLIMIT;
	for (i = 0; i < host_run.r_ncpu; i++)
		if (host_cpus[i].hc_state != HS_DONE)
			host_cpus[i].hc_fiber.f_dirty = 1;
	sched_switch(-1, 1);
	abort();	/* NOTREACHED: a dirty fiber is never resumed */
}

/* sim_yield: a preemption point */
HOST_NOTSAN void
sim_yield(void)
{
	if (!host_run.r_active)
		return;
	if (host_run.r_backend == SCHED_THREADS) {
		threads_yield();
		return;
	}
	if (++host_run.r_steps > host_run.r_maxsteps)
		sched_abandon();
	sched_resched();
}

/* a fiber's life: one call of the run's function per run */
HOST_NOTSAN static void
cpu_body(struct host_cpu *hc)
{
#if defined(HOST_TSAN)
	__tsan_acquire(&run_token);
#endif
	host_run.r_fn(hc->hc_id, host_run.r_arg);
	shims_cpu_exit_check();
#if defined(HOST_TSAN)
	__tsan_release(&run_done);
#endif
	hc->hc_state = HS_DONE;
	host_run.r_ndone++;
	sched_resched();	/* returns at the start of a later run */
}

HOST_NOTSAN static void
fiber_entry(void)
{
	struct host_cpu *hc = &host_cpus[host_run.r_cur];

	fiber_started(&hc->hc_fiber);
	for (;;)
		cpu_body(hc);
}

HOST_NOTSAN static enum sched_result
fibers_run(const struct sched_config *cfg)
{
	struct host_run *r = &host_run;
	struct host_cpu *hc;
	int i, first;

	pthread_once(&atfork_once, sched_atfork_init);
	if (forked) {
		for (i = 0; i < SHIM_MAXCPUS; i++)
			if (host_cpus[i].hc_fiber.f_map != NULL)
				host_cpus[i].hc_fiber.f_dirty = 1;
		forked = 0;
	}
	r->r_rng = cfg->seed ^ 0x5eed5eed5eed5eedULL;
	for (i = 0; i < r->r_ncpu; i++) {
		hc = &host_cpus[i];
		hc->hc_state = HS_RUNNABLE;
		hc->hc_lk = NULL;
		hc->hc_wchan = NULL;
		hc->hc_prio = (rng_next() >> 2) | (1ULL << 61);
		hc->hc_streak = 0;
		hc->hc_fiber.f_name = cpu_names[i];
		fiber_prepare(&hc->hc_fiber, fiber_entry);
	}
	for (i = 0; i < 3; i++)
		r->r_change[i] = 1 + rng_next() % PCT_WINDOW;
	fiber_main_init(&host_main_fiber);
#if defined(HOST_TSAN)
	__tsan_release(&run_token);
#endif
	first = sched_pick();
	sched_switch(first, 0);
	/* back: every CPU is done, or the run was abandoned */
#if defined(HOST_TSAN)
	__tsan_acquire(&run_done);
#endif
	return r->r_result;
}

/*
 * sched_run: run fn(cpuid, arg) on CPUs 0..ncpu-1 with the configured
 * backend, to completion; see shims/sim.h and the file comments.
 */
HOST_NOTSAN enum sched_result
sched_run(const struct sched_config *cfg, sched_cpu_fn fn, void *arg)
{
	struct host_run *r = &host_run;
	enum sched_result res;
	int i;

	if (cfg->ncpu < 1 || cfg->ncpu > SHIM_MAXCPUS)
		panic("sched_run: %d CPUs, must be 1..%d", cfg->ncpu,
		    SHIM_MAXCPUS);
	if (r->r_active)
		panic("sched_run: called inside a run");
	for (i = 0; i < SHIM_MAXCPUS; i++)
		if (host_cpus[i].hc_fiber.f_dirty)
			lock_reset_cpu(i);
	r->r_backend = cfg->backend;
	r->r_ncpu = cfg->ncpu;
	r->r_fn = fn;
	r->r_arg = arg;
	r->r_sched = cfg->sched;
	r->r_len = cfg->sched != NULL ? cfg->schedlen : 0;
	r->r_pos = 0;
	r->r_steps = 0;
	r->r_maxsteps = cfg->max_steps ? cfg->max_steps : SCHED_DEFAULT_STEPS;
	r->r_switches = 0;
	r->r_now = 0;
	r->r_seq = 0;
	r->r_pctchoices = 0;
	r->r_cur = -1;
	r->r_result = SCHED_DONE;
	r->r_ndone = 0;
	for (i = 0; i < SHIM_MAXCPUS; i++) {
		host_cpus[i].hc_id = i;
		host_cpus[i].hc_state = HS_IDLE;
		host_cpus[i].hc_ci = cpu_info_get(i);
		host_cpus[i].hc_stalls = 0;
	}
	r->r_active = 1;
	if (cfg->backend == SCHED_THREADS)
		res = threads_run();
	else
		res = fibers_run(cfg);
	r->r_active = 0;
	r->r_cur = -1;
	host_set_cur(0);
	last_switches = r->r_switches;
	return res;
}

/*
 * Locks: interlocks exist only with threads; a fiber waits by being
 * marked blocked on the lock.
 */
HOST_NOTSAN void *
sim_lk_host(const void *lk)
{
	return threads_lk_host(lk);
}

HOST_NOTSAN void
sim_lk_interlock(void *host)
{
	if (sim_threads())
		threads_interlock(host);
}

HOST_NOTSAN void
sim_lk_interunlock(void *host)
{
	if (sim_threads())
		threads_interunlock(host);
}

HOST_NOTSAN void
sim_lk_wait(void *host, const void *lk, int kind, const char *name)
{
	struct host_cpu *hc;
	char what[256];

	if (!host_run.r_active) {
		shims_lock_describe(lk, kind, what, sizeof(what));
		panic("deadlock: cpu0 waits for %s outside sched_run: no "
		    "other CPU can release it", what);
	}
	if (host_run.r_backend == SCHED_THREADS) {
		threads_lk_wait(host, lk, kind, name);
		return;
	}
	hc = &host_cpus[host_run.r_cur];
	hc->hc_lk = lk;
	hc->hc_kind = kind;
	hc->hc_lkname = name;
	hc->hc_state = HS_BLOCKED;
	sched_resched();
	hc->hc_lk = NULL;
}

HOST_NOTSAN void
sim_lk_wakeup(void *host, const void *lk)
{
	int i;

	if (!host_run.r_active)
		return;
	if (host_run.r_backend == SCHED_THREADS) {
		threads_lk_wakeup(host, lk);
		return;
	}
	for (i = 0; i < host_run.r_ncpu; i++)
		if (host_cpus[i].hc_state == HS_BLOCKED &&
		    host_cpus[i].hc_lk == lk)
			host_cpus[i].hc_state = HS_RUNNABLE;
}

/* sleep/wakeup, see shims_internal.h */
HOST_NOTSAN void
sim_sleep_prepare(const volatile void *ident, const char *wmesg)
{
	struct host_cpu *hc;

	if (!host_run.r_active) {
		solo_wchan = ident;
		solo_wmesg = wmesg;
		return;
	}
	if (host_run.r_backend == SCHED_THREADS) {
		threads_sleep_prepare(ident, wmesg);
		return;
	}
	hc = &host_cpus[host_run.r_cur];
	hc->hc_wchan = ident;
	hc->hc_wmesg = wmesg;
	hc->hc_woken = 0;
	hc->hc_timedout = 0;
	hc->hc_seq = ++host_run.r_seq;
	hc->hc_deadline = HOST_INFSLP;
	hc->hc_state = HS_SLEEPING;
}

HOST_NOTSAN int
sim_sleep_wait(uint64_t nsecs)
{
	struct host_cpu *hc;

	if (!host_run.r_active) {
		if (nsecs != HOST_INFSLP)
			return 1;
		panic("deadlock: cpu0 sleeps on %p \"%s\" with no timeout "
		    "outside sched_run: no other CPU can wake it",
		    (const void *)solo_wchan, solo_wmesg);
	}
	if (host_run.r_backend == SCHED_THREADS)
		return threads_sleep_wait(nsecs);
	hc = &host_cpus[host_run.r_cur];
	if (nsecs != HOST_INFSLP)
		hc->hc_deadline = host_run.r_now + nsecs < host_run.r_now ?
		    HOST_INFSLP - 1 : host_run.r_now + nsecs;
	sched_resched();
	return hc->hc_timedout;
}

HOST_NOTSAN void
sim_wakeup(const volatile void *ident, int one)
{
	struct host_cpu *hc;
	int i, best = -1;

	if (!host_run.r_active)
		return;
	if (host_run.r_backend == SCHED_THREADS) {
		threads_wakeup(ident, one);
		return;
	}
	for (i = 0; i < host_run.r_ncpu; i++) {
		hc = &host_cpus[i];
		if (hc->hc_state != HS_SLEEPING || hc->hc_wchan != ident)
			continue;
		if (!one) {
			hc->hc_woken = 1;
			hc->hc_wchan = NULL;
			hc->hc_state = HS_RUNNABLE;
		} else if (best < 0 || hc->hc_seq < host_cpus[best].hc_seq)
			best = i;
	}
	if (best >= 0) {
		hc = &host_cpus[best];
		hc->hc_woken = 1;
		hc->hc_wchan = NULL;
		hc->hc_state = HS_RUNNABLE;
	}
}
