/*
 * shims/kern_mutex.c: spinning mutexes, mutex(9), and the big lock,
 * KERNEL_LOCK (models __mp_lock of sys/kern/kern_lock.c).
 *
 * check + model.  A mutex records its owner CPU: recursion and releasing
 * a mutex the CPU does not own panic naming it; sleeping while holding
 * one panics (kern_synch.c, kern_rwlock.c, malloc/pool with a WAITOK
 * flag).  Taking and releasing are preemption points; a CPU that finds
 * the mutex owned "spins": it is blocked until the owner leaves (fibers)
 * or waits on the interlock's condition variable (threads).
 *
 * The kernel lock is recursive per CPU.  Sleeping (tsleep, or waiting
 * for an rwlock) releases it entirely and takes it back afterwards, as
 * OpenBSD's mi_switch() does, so a CPU waiting for an rwlock while
 * holding KERNEL_LOCK does not deadlock against one wanting KERNEL_LOCK
 * while holding that rwlock.  Each recursion level counts as one held
 * lock for lock_held_count().
 *
 * TSan is told release on leave and acquire on enter, nothing else.
 *
 * Deviations: IPLs are recorded and ignored (there are no interrupts);
 * waiting for a mutex blocks instead of spinning; mtx_enter_try has no
 * file and line (it records no witness edge anyway).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mutex.h>
#include <machine/cpu.h>

#include "shims_internal.h"

struct __mp_lock kernel_lock = { -1, 0, 0, NULL };
static const char kernel_lock_name[] = "kernel_lock";

/*
 * _mtx_init: initialise mtx, not owned, witness class `name', at IPL
 * `ipl' (recorded only).  Models mtx_init_flags(9).
 */
void
_mtx_init(struct mutex *mtx, int ipl, const char *name)
{
	mtx->mtx_name = name;
	mtx->mtx_class = witness_class(name, WITNESS_SPIN);
	mtx->mtx_wantipl = ipl;
	SHIM_STORE(&mtx->mtx_owner, -1);
	mtx->mtx_host = sim_lk_host(mtx);
}

static void
mtx_take(struct mutex *mtx)
{
	void *host = mtx->mtx_host;

	sim_lk_interlock(host);
	while (SHIM_LOAD(&mtx->mtx_owner) != -1)
		sim_lk_wait(host, mtx, SIM_WAIT_MTX, mtx->mtx_name);
	SHIM_STORE(&mtx->mtx_owner, cpu_number());
	sim_lk_interunlock(host);
	sim_hb_acquire(mtx);
	lock_push(mtx, mtx->mtx_name, SIM_WAIT_MTX, mtx->mtx_class);
}

/*
 * _mtx_enter: mtx_enter(9) from file:line: take mtx, spinning while
 * another CPU owns it.
 * => mtx not owned by this CPU (recursion panics).
 */
void
_mtx_enter(struct mutex *mtx, const char *file, int line)
{
	if (SHIM_LOAD(&mtx->mtx_owner) == cpu_number())
		panic("mutex \"%s\"@%p: recursive mtx_enter by cpu%d at %s:%d",
		    mtx->mtx_name, mtx, cpu_number(), file ? file : "?", line);
	witness_checkorder(mtx->mtx_class, mtx, 0, file, line);
	sim_yield();
	mtx_take(mtx);
}

/* mtx_enter: the same without a place (the macro is usually used) */
void
(mtx_enter)(struct mutex *mtx)
{
	_mtx_enter(mtx, NULL, 0);
}

/*
 * mtx_enter_try: take mtx if nobody owns it; returns 1 if taken, else 0.
 * A try never records a lock-order edge (it cannot deadlock).
 * => mtx not owned by this CPU (panics).
 */
int
mtx_enter_try(struct mutex *mtx)
{
	void *host = mtx->mtx_host;
	int taken = 0;

	if (SHIM_LOAD(&mtx->mtx_owner) == cpu_number())
		panic("mutex \"%s\"@%p: recursive mtx_enter_try by cpu%d",
		    mtx->mtx_name, mtx, cpu_number());
	sim_yield();
	sim_lk_interlock(host);
	if (SHIM_LOAD(&mtx->mtx_owner) == -1) {
		SHIM_STORE(&mtx->mtx_owner, cpu_number());
		taken = 1;
	}
	sim_lk_interunlock(host);
	if (taken) {
		sim_hb_acquire(mtx);
		lock_push(mtx, mtx->mtx_name, SIM_WAIT_MTX, mtx->mtx_class);
	}
	return taken;
}

static void
mtx_release(struct mutex *mtx, const char *fn)
{
	void *host = mtx->mtx_host;
	int owner = SHIM_LOAD(&mtx->mtx_owner);

	if (owner != cpu_number())
		panic("%s: mutex \"%s\"@%p not held by cpu%d (%s%d)", fn,
		    mtx->mtx_name, mtx, cpu_number(),
		    owner < 0 ? "unlocked" : "owned by cpu",
		    owner < 0 ? 0 : owner);
	lock_pop(mtx, mtx->mtx_name);
	sim_hb_release(mtx);
	sim_lk_interlock(host);
	SHIM_STORE(&mtx->mtx_owner, -1);
	sim_lk_wakeup(host, mtx);
	sim_lk_interunlock(host);
}

/*
 * mtx_leave: release mtx.  => owned by this CPU (panics naming it).
 */
void
mtx_leave(struct mutex *mtx)
{
	mtx_release(mtx, "mtx_leave");
	sim_yield();
}

/* mtx_owned: 1 if the current CPU owns mtx */
int
mtx_owned(struct mutex *mtx)
{
	return SHIM_LOAD(&mtx->mtx_owner) == cpu_number();
}

/* msleep_nsec's halves (kern_synch.c): no preemption point */
void
mtx_sleep_release(struct mutex *mtx)
{
	mtx_release(mtx, "msleep");
}

void
mtx_sleep_relock(struct mutex *mtx)
{
	mtx_take(mtx);
}

static struct lock_class *
kl_class(void)
{
	struct lock_class *cls = SHIM_LOAD(&kernel_lock.mpl_class);

	if (cls == NULL) {
		cls = witness_class(kernel_lock_name, WITNESS_KERNEL);
		SHIM_STORE(&kernel_lock.mpl_class, cls);
	}
	return cls;
}

/* take the kernel lock from nobody; count levels at once */
static void
kl_take(int count)
{
	void *host = sim_lk_host(&kernel_lock);
	int i;

	sim_lk_interlock(host);
	while (SHIM_LOAD(&kernel_lock.mpl_cpu) != -1) {
		SHIM_ADD(&kernel_lock.mpl_waiters, 1);
		sim_lk_wait(host, &kernel_lock, SIM_WAIT_KL, kernel_lock_name);
		SHIM_ADD(&kernel_lock.mpl_waiters, -1);
	}
	SHIM_STORE(&kernel_lock.mpl_cpu, cpu_number());
	SHIM_STORE(&kernel_lock.mpl_count, count);
	sim_lk_interunlock(host);
	sim_hb_acquire(&kernel_lock);
	for (i = 0; i < count; i++)
		lock_push(&kernel_lock, kernel_lock_name, SIM_WAIT_KL,
		    kl_class());
}

/* give the kernel lock up entirely; the caller popped the levels */
static void
kl_drop(void)
{
	void *host = sim_lk_host(&kernel_lock);

	sim_hb_release(&kernel_lock);
	sim_lk_interlock(host);
	SHIM_STORE(&kernel_lock.mpl_count, 0);
	SHIM_STORE(&kernel_lock.mpl_cpu, -1);
	if (SHIM_LOAD(&kernel_lock.mpl_waiters))
		sim_lk_wakeup(host, &kernel_lock);
	sim_lk_interunlock(host);
}

/*
 * _kernel_lock: KERNEL_LOCK(): take the big lock, or recurse on it.
 * Models __mp_lock(&kernel_lock); a first acquisition is witness-checked
 * as class "kernel_lock".
 */
void
_kernel_lock(const char *file, int line)
{
	int n;

	if (SHIM_LOAD(&kernel_lock.mpl_cpu) == cpu_number()) {
		n = SHIM_LOAD(&kernel_lock.mpl_count);
		SHIM_STORE(&kernel_lock.mpl_count, n + 1);
		lock_push(&kernel_lock, kernel_lock_name, SIM_WAIT_KL,
		    kl_class());
		sim_yield();
		return;
	}
	witness_checkorder(kl_class(), &kernel_lock, 0, file, line);
	sim_yield();
	kl_take(1);
}

/*
 * _kernel_unlock: KERNEL_UNLOCK(): drop one level.
 * => held by this CPU (panics otherwise).  Models __mp_unlock.
 */
void
_kernel_unlock(void)
{
	int n;

	if (SHIM_LOAD(&kernel_lock.mpl_cpu) != cpu_number())
		panic("kernel_lock: KERNEL_UNLOCK by cpu%d, which does not "
		    "hold it (owner cpu%d)", cpu_number(),
		    SHIM_LOAD(&kernel_lock.mpl_cpu));
	lock_pop(&kernel_lock, kernel_lock_name);
	n = SHIM_LOAD(&kernel_lock.mpl_count) - 1;
	if (n > 0)
		SHIM_STORE(&kernel_lock.mpl_count, n);
	else
		kl_drop();
	sim_yield();
}

/* _kernel_lock_held: 1 if the current CPU holds the kernel lock */
int
_kernel_lock_held(void)
{
	return SHIM_LOAD(&kernel_lock.mpl_cpu) == cpu_number();
}

/*
 * kernel_lock_release_all: before a sleep, give the kernel lock up
 * whatever its depth; returns the depth (0 if not held).  Models
 * __mp_release_all.  No preemption point.
 */
int
kernel_lock_release_all(void)
{
	int i, n;

	if (!_kernel_lock_held())
		return 0;
	n = SHIM_LOAD(&kernel_lock.mpl_count);
	for (i = 0; i < n; i++)
		lock_pop(&kernel_lock, kernel_lock_name);
	kl_drop();
	return n;
}

/* kernel_lock_reacquire: after a sleep, take it back at depth n */
void
kernel_lock_reacquire(int n)
{
	if (n > 0)
		kl_take(n);
}
