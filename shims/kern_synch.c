/*
 * shims/kern_synch.c: sleep and wakeup (tsleep_nsec(9), rwsleep_nsec,
 * msleep_nsec, wakeup(9), wakeup_one), the I/O sleep (sleep_io) and
 * preempt().
 *
 * model of sys/kern/kern_synch.c over the simulated scheduler.  A
 * sleeping CPU is blocked until a wakeup() on the same identifier; a
 * sleep with a timeout also ends, returning EWOULDBLOCK, when no other
 * CPU can run (fibers: simulated time jumps to its deadline; threads:
 * after at most a few milliseconds of real time).  Outside sched_run()
 * there is only CPU 0: a timed sleep returns EWOULDBLOCK at once and an
 * INFSLP sleep is a deadlock (panic).
 *
 * check: sleeping while holding a mutex panics (other than msleep's
 * own mutex).  The kernel lock is released for the sleep and taken back
 * before the interlock (rwlock or mutex) is, as mi_switch() does.
 *
 * sleep_io() is the sleep of a synchronous I/O (biowait(9), which the
 * vnode pager and swap I/O use): the kernel lock is released and taken
 * back as for any sleep, and "the disk interrupt" that ends it comes at
 * a preemption point the scheduler picks: the CPU stays runnable, so the
 * I/O may end at once or after any number of other CPUs' steps, chosen
 * by the schedule bytes and the seed like every other switch (same
 * input, same interleaving).  Another CPU can thus take the kernel lock
 * and run inside the I/O window, as on OpenBSD.
 *
 * TSan: wakeup() releases on the identifier, a woken sleeper acquires
 * it; a sleep that times out acquires nothing.
 *
 * Deviations: priorities are ignored but PNORELOCK; no signals (PCATCH
 * is not modelled); wakeup_one wakes the CPU that went to sleep first.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/rwlock.h>
#include <sys/mutex.h>
#include <machine/cpu.h>

#include "shims_internal.h"

static int
sleep_common(const volatile void *ident, int prio, const char *wmesg,
    uint64_t nsecs, struct rwlock *rwl, struct mutex *mtx)
{
	struct cpu_info *ci = curcpu();
	const char *mname;
	int how = 0, kl, timedout;

	if ((mname = lock_mutex_held(mtx)) != NULL)
		panic("sleeping on %p (\"%s\") with mutex \"%s\" held",
		    (const void *)ident, wmesg, mname);
	if (ident == NULL)
		panic("sleeping on a NULL identifier (\"%s\")", wmesg);

	kl = kernel_lock_release_all();
	SHIM_STORE(&ci->ci_wchan, ident);
	SHIM_STORE(&ci->ci_wmesg, wmesg);
	sim_sleep_prepare(ident, wmesg);
	if (rwl != NULL)
		how = rw_sleep_release(rwl);
	if (mtx != NULL)
		mtx_sleep_release(mtx);
	timedout = sim_sleep_wait(nsecs);
	SHIM_STORE(&ci->ci_wchan, NULL);
	SHIM_STORE(&ci->ci_wmesg, NULL);
	if (!timedout)
		sim_hb_acquire(ident);
	kernel_lock_reacquire(kl);
	if ((prio & PNORELOCK) == 0) {
		if (rwl != NULL)
			rw_sleep_relock(rwl, how);
		if (mtx != NULL)
			mtx_sleep_relock(mtx);
	}
	return timedout ? EWOULDBLOCK : 0;
}

/*
 * tsleep_nsec: sleep on ident until wakeup(ident) (returns 0) or, unless
 * nsecs is INFSLP, until the timeout (returns EWOULDBLOCK).
 * => no mutex held (panics).  The kernel lock is released meanwhile.
 */
int
tsleep_nsec(const volatile void *ident, int prio, const char *wmesg,
    uint64_t nsecs)
{
	return sleep_common(ident, prio, wmesg, nsecs, NULL, NULL);
}

/*
 * rwsleep_nsec: tsleep_nsec that releases rwl (read- or write-held by
 * this CPU, panics otherwise) atomically with going to sleep, and takes
 * it back the same way afterwards unless prio has PNORELOCK.
 */
int
rwsleep_nsec(const volatile void *ident, struct rwlock *rwl, int prio,
    const char *wmesg, uint64_t nsecs)
{
	if (!rw_lock_held(rwl))
		panic("rwsleep \"%s\": rwlock \"%s\"@%p not held by cpu%d",
		    wmesg, rwl->rwl_name, rwl, cpu_number());
	return sleep_common(ident, prio, wmesg, nsecs, rwl, NULL);
}

/* msleep_nsec: the same with a mutex (owned by this CPU, checked) */
int
msleep_nsec(const volatile void *ident, struct mutex *mtx, int prio,
    const char *wmesg, uint64_t nsecs)
{
	if (!mtx_owned(mtx))
		panic("msleep \"%s\": mutex \"%s\"@%p not held by cpu%d",
		    wmesg, mtx->mtx_name, mtx, cpu_number());
	return sleep_common(ident, prio, wmesg, nsecs, NULL, mtx);
}

/* wakeup: make every CPU sleeping on ident runnable; preemption point */
void
wakeup(const volatile void *ident)
{
	sim_hb_release(ident);
	sim_wakeup(ident, 0);
	sim_yield();
}

/* wakeup_one: make the longest sleeper on ident runnable */
void
wakeup_one(const volatile void *ident)
{
	sim_hb_release(ident);
	sim_wakeup(ident, 1);
	sim_yield();
}

/*
 * sleep_io: wait for the synchronous I/O the caller started on ident
 * (the buffer or the busy page) to complete.  The kernel lock, at
 * whatever depth, is released meanwhile and taken back afterwards; the
 * CPU's wait channel shows ident/wmesg while it waits.  One preemption
 * point (as preempt()): the completion is "delivered" when the scheduler
 * resumes this CPU.  Models the tsleep_nsec(bp, PRIBIO, "biowait") of
 * biowait(9), with the completion interrupt's wakeup implicit.
 * => no mutex held (panics); other locks (rwlocks) are the caller's
 *    business, as for tsleep_nsec.
 */
void
sleep_io(const volatile void *ident, const char *wmesg)
{
	struct cpu_info *ci = curcpu();
	const char *mname;
	int kl;

	if ((mname = lock_mutex_held(NULL)) != NULL)
		panic("I/O sleep on %p (\"%s\") with mutex \"%s\" held",
		    (const void *)ident, wmesg, mname);
	if (ident == NULL)
		panic("I/O sleep on a NULL identifier (\"%s\")", wmesg);

	kl = kernel_lock_release_all();
	SHIM_STORE(&ci->ci_wchan, ident);
	SHIM_STORE(&ci->ci_wmesg, wmesg);
	sim_yield();
	SHIM_STORE(&ci->ci_wchan, NULL);
	SHIM_STORE(&ci->ci_wmesg, NULL);
	kernel_lock_reacquire(kl);
}

/*
 * preempt: a preemption point (fibers: the schedule may switch CPU;
 * threads: an occasional sched_yield; outside sched_run: nothing).
 */
void
preempt(void)
{
	sim_yield();
}
