/*
 * shims/host/host_threads.c: the SCHED_THREADS backend: every simulated
 * CPU is a real pthread, for stress runs and to confirm races under real
 * concurrency.
 *
 * - Workers are created once (the first run that needs them) and kept;
 *   a run is started by bumping a generation under a host mutex and
 *   broadcasting, and ends when every CPU's function has returned.
 * - Lock state is protected by an interlock: a host mutex and condition
 *   variable chosen by hashing the lock's address into a table of
 *   stripes (OpenBSD has no rw_destroy/mtx_destroy, so per-lock host
 *   state could never be freed).  Two locks share a stripe only by hash
 *   collision; there is no global interlock.  The stripe mutex gives
 *   TSan the happens-before a real lock's atomic word gives, plus, on a
 *   collision, some between unrelated locks (a rare false negative).
 * - Sleep/wakeup: a wait channel hashes to a bucket (mutex + condition
 *   variable); a sleeper records its channel and waits on the bucket.
 *   A timed sleep waits at most SLEEP_CAP of real time.
 * - Deadlock watch: waits use 50 ms timeouts; when every unfinished CPU
 *   has been waiting for a lock or in an endless sleep and nothing was
 *   released or woken for about a second, the run panics with the same
 *   report as the fiber scheduler.
 * - preempt() yields the OS thread every 16th call.
 * Scheduler bookkeeping (host_cpus) is touched in HOST_NOTSAN functions
 * and with relaxed atomics only.  max_steps is not enforced here.
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host.h"

#define NSTRIPE		256
#define NBUCKET		64
#define WAIT_SLICE_NS	(50 * 1000000LL)
#define STALL_SLICES	20
#define SLEEP_CAP_NS	(10 * 1000000ULL)

struct stripe {
	pthread_mutex_t	s_mtx;
	pthread_cond_t	s_cv;
} __attribute__((__aligned__(64)));

static struct stripe stripes[NSTRIPE] = {
	[0 ... NSTRIPE - 1] = { PTHREAD_MUTEX_INITIALIZER,
	    PTHREAD_COND_INITIALIZER }
};
static struct stripe buckets[NBUCKET] = {
	[0 ... NBUCKET - 1] = { PTHREAD_MUTEX_INITIALIZER,
	    PTHREAD_COND_INITIALIZER }
};

static pthread_mutex_t	thr_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	thr_start = PTHREAD_COND_INITIALIZER;
static pthread_cond_t	thr_done = PTHREAD_COND_INITIALIZER;
static uint64_t		thr_gen;		/* [thr_mtx] */
static int		thr_ndone;		/* [thr_mtx] */
static int		thr_nthreads;		/* [main] */
static pthread_t	thr_ids[SHIM_MAXCPUS];
static uint64_t		thr_born[SHIM_MAXCPUS];	/* thr_gen at creation */

static uint64_t		t_progress;	/* [atomic] releases and wakeups */
static int		t_nstuck;	/* [atomic] in lock wait/endless sleep */
static int		t_ndone;	/* [atomic] CPUs whose function returned */
static uint64_t		t_seq;		/* [atomic] sleep order */
static __thread struct stripe *t_bucket;	/* sleeping: our bucket */

HOST_NOTSAN static unsigned int
hash_ptr(const volatile void *p, unsigned int n)
{
	uint64_t h = ((uint64_t)(uintptr_t)p >> 3) * 0x9e3779b97f4a7c15ULL;

	return (unsigned int)(h >> 40) % n;
}

HOST_NOTSAN static void
deadline_in(struct timespec *ts, long long ns)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ns / 1000000000LL;
	ts->tv_nsec += ns % 1000000000LL;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

HOST_NOTSAN static struct host_cpu *
me(void)
{
	return &host_cpus[__atomic_load_n(&host_curid, __ATOMIC_RELAXED)];
}

HOST_NOTSAN static void
set_state(struct host_cpu *hc, int state)
{
	__atomic_store_n(&hc->hc_state, state, __ATOMIC_RELAXED);
}

/*
 * stall_check: called after each wait slice that timed out.  Panics
 * with a deadlock report after STALL_SLICES slices in which every
 * unfinished CPU was stuck and nothing progressed.
 */
HOST_NOTSAN static void
stall_check(struct host_cpu *hc)
{
	uint64_t *lastp = &hc->hc_lastprog;
	int *stallsp = &hc->hc_stalls;
	static char buf[4096];
	uint64_t p = __atomic_load_n(&t_progress, __ATOMIC_RELAXED);

	if (p != *lastp ||
	    __atomic_load_n(&t_nstuck, __ATOMIC_RELAXED) +
	    __atomic_load_n(&t_ndone, __ATOMIC_RELAXED) < host_run.r_ncpu) {
		*lastp = p;
		*stallsp = 0;
		return;
	}
	if (++*stallsp < STALL_SLICES)
		return;
	host_deadlock_report(buf, sizeof(buf));
	panic("deadlock: no CPU made progress for %d ms:%s",
	    (int)(STALL_SLICES * (WAIT_SLICE_NS / 1000000)), buf);
}

HOST_NOTSAN void *
threads_lk_host(const void *lk)
{
	return &stripes[hash_ptr(lk, NSTRIPE)];
}

HOST_NOTSAN void
threads_interlock(void *host)
{
	pthread_mutex_lock(&((struct stripe *)host)->s_mtx);
}

HOST_NOTSAN void
threads_interunlock(void *host)
{
	pthread_mutex_unlock(&((struct stripe *)host)->s_mtx);
}

/* wait on the stripe until a wakeup (or a slice passes); interlock held */
HOST_NOTSAN void
threads_lk_wait(void *host, const void *lk, int kind, const char *name)
{
	struct stripe *s = host;
	struct host_cpu *hc = me();
	struct timespec ts;

	__atomic_store_n(&hc->hc_lk, lk, __ATOMIC_RELAXED);
	__atomic_store_n(&hc->hc_kind, kind, __ATOMIC_RELAXED);
	__atomic_store_n(&hc->hc_lkname, name, __ATOMIC_RELAXED);
	set_state(hc, HS_BLOCKED);
	__atomic_add_fetch(&t_nstuck, 1, __ATOMIC_RELAXED);
	deadline_in(&ts, WAIT_SLICE_NS);
	if (pthread_cond_timedwait(&s->s_cv, &s->s_mtx, &ts) == ETIMEDOUT)
		stall_check(hc);
	__atomic_add_fetch(&t_nstuck, -1, __ATOMIC_RELAXED);
	set_state(hc, HS_RUNNABLE);
	__atomic_store_n(&hc->hc_lk, NULL, __ATOMIC_RELAXED);
}

HOST_NOTSAN void
threads_lk_wakeup(void *host, const void *lk)
{
	__atomic_add_fetch(&t_progress, 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&((struct stripe *)host)->s_cv);
}

HOST_NOTSAN void
threads_sleep_prepare(const volatile void *ident, const char *wmesg)
{
	struct host_cpu *hc = me();

	t_bucket = &buckets[hash_ptr(ident, NBUCKET)];
	pthread_mutex_lock(&t_bucket->s_mtx);
	__atomic_store_n(&hc->hc_wmesg, wmesg, __ATOMIC_RELAXED);
	__atomic_store_n(&hc->hc_woken, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&hc->hc_seq,
	    __atomic_add_fetch(&t_seq, 1, __ATOMIC_RELAXED), __ATOMIC_RELAXED);
	__atomic_store_n(&hc->hc_wchan, ident, __ATOMIC_RELAXED);
	set_state(hc, HS_SLEEPING);
}

/* sleep until woken or, for a timed sleep, at most SLEEP_CAP_NS */
HOST_NOTSAN int
threads_sleep_wait(uint64_t nsecs)
{
	struct host_cpu *hc = me();
	struct stripe *b = t_bucket;
	struct timespec ts;
	int timedout = 0, rv;

	__atomic_store_n(&hc->hc_deadline, nsecs, __ATOMIC_RELAXED);
	if (nsecs == HOST_INFSLP)
		__atomic_add_fetch(&t_nstuck, 1, __ATOMIC_RELAXED);
	else
		deadline_in(&ts, nsecs < SLEEP_CAP_NS ? (long long)nsecs :
		    (long long)SLEEP_CAP_NS);
	while (!__atomic_load_n(&hc->hc_woken, __ATOMIC_RELAXED)) {
		if (nsecs != HOST_INFSLP) {
			rv = pthread_cond_timedwait(&b->s_cv, &b->s_mtx, &ts);
			if (rv == ETIMEDOUT &&
			    !__atomic_load_n(&hc->hc_woken, __ATOMIC_RELAXED)) {
				timedout = 1;
				break;
			}
			continue;
		}
		deadline_in(&ts, WAIT_SLICE_NS);
		if (pthread_cond_timedwait(&b->s_cv, &b->s_mtx, &ts) ==
		    ETIMEDOUT)
			stall_check(hc);
	}
	if (nsecs == HOST_INFSLP)
		__atomic_add_fetch(&t_nstuck, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&hc->hc_wchan, NULL, __ATOMIC_RELAXED);
	set_state(hc, HS_RUNNABLE);
	pthread_mutex_unlock(&b->s_mtx);
	return timedout;
}

HOST_NOTSAN void
threads_wakeup(const volatile void *ident, int one)
{
	struct stripe *b = &buckets[hash_ptr(ident, NBUCKET)];
	struct host_cpu *hc;
	int i, best = -1;

	pthread_mutex_lock(&b->s_mtx);
	for (i = 0; i < host_run.r_ncpu; i++) {
		hc = &host_cpus[i];
		if (__atomic_load_n(&hc->hc_wchan, __ATOMIC_RELAXED) != ident ||
		    __atomic_load_n(&hc->hc_woken, __ATOMIC_RELAXED))
			continue;
		if (!one)
			__atomic_store_n(&hc->hc_woken, 1, __ATOMIC_RELAXED);
		else if (best < 0 ||
		    __atomic_load_n(&hc->hc_seq, __ATOMIC_RELAXED) <
		    __atomic_load_n(&host_cpus[best].hc_seq, __ATOMIC_RELAXED))
			best = i;
	}
	if (best >= 0)
		__atomic_store_n(&host_cpus[best].hc_woken, 1,
		    __ATOMIC_RELAXED);
	__atomic_add_fetch(&t_progress, 1, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&b->s_cv);
	pthread_mutex_unlock(&b->s_mtx);
}

HOST_NOTSAN void
threads_yield(void)
{
	struct host_cpu *hc = me();

	if ((++hc->hc_npreempt & 15) == 0)
		sched_yield();
}

/* a worker: CPU `id' for every run that has it */
HOST_NOTSAN static void *
worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	uint64_t seen = thr_born[id];

	host_set_cur(id);
	pthread_mutex_lock(&thr_mtx);
	for (;;) {
		while (thr_gen == seen)
			pthread_cond_wait(&thr_start, &thr_mtx);
		seen = thr_gen;
		if (id >= host_run.r_ncpu)
			continue;
		pthread_mutex_unlock(&thr_mtx);
		host_run.r_fn(id, host_run.r_arg);
		shims_cpu_exit_check();
		set_state(&host_cpus[id], HS_DONE);
		__atomic_add_fetch(&t_ndone, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&thr_mtx);
		if (++thr_ndone == host_run.r_ncpu)
			pthread_cond_signal(&thr_done);
	}
	return NULL;
}

/* threads_run: one run on the worker pool; returns when all are done */
HOST_NOTSAN enum sched_result
threads_run(void)
{
	int i;

	for (i = 0; i < host_run.r_ncpu; i++)
		set_state(&host_cpus[i], HS_RUNNABLE);
	__atomic_store_n(&t_ndone, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&t_nstuck, 0, __ATOMIC_RELAXED);
	while (thr_nthreads < host_run.r_ncpu) {
		thr_born[thr_nthreads] = thr_gen;
		if (pthread_create(&thr_ids[thr_nthreads], NULL, worker,
		    (void *)(intptr_t)thr_nthreads) != 0) {
			perror("uvmfuzz: pthread_create");
			abort();
		}
		thr_nthreads++;
	}
	pthread_mutex_lock(&thr_mtx);
	thr_ndone = 0;
	thr_gen++;
	pthread_cond_broadcast(&thr_start);
	while (thr_ndone < host_run.r_ncpu)
		pthread_cond_wait(&thr_done, &thr_mtx);
	pthread_mutex_unlock(&thr_mtx);
	return SCHED_DONE;
}
