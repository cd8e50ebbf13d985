/*
 * shims/kern_rwlock.c: reader/writer locks, rwlock(9), and refcounted
 * lock objects, rw_obj_alloc(9).
 *
 * check + model of sys/kern/kern_rwlock.c.  A lock records its writer
 * CPU and the bitmap of reader CPUs, so misuse is caught at once and
 * panics naming the lock: release of a lock not held, recursion, upgrade
 * without a read lock, downgrade without the write lock, failed
 * rw_assert_*.  Every blocking acquisition goes through witness under
 * the lock's name.  Taking or releasing a lock is a preemption point.
 *
 * Blocking is a sleep, as in OpenBSD: a CPU waiting for an rwlock
 * releases the kernel lock for the duration of the wait (mi_switch does)
 * and takes it back once it has the rwlock; it must not hold a mutex.
 * New readers wait while a writer waits (RWLOCK_WRWANT), so read-lock
 * recursion across CPUs can deadlock as it does in the kernel.
 *
 * TSan is told release when a lock is given up (exit, downgrade) and
 * acquire when it is taken, and nothing else: the lock words are
 * accessed with relaxed atomics.
 *
 * Deviations: no adaptive spinning and no priorities; readers are tracked
 * per CPU (OpenBSD counts them) so rw_assert_rdlock/anylock and
 * rw_assert_unlocked are about the current CPU; RW_INTR is ignored;
 * RW_RECURSEFAIL is moot (recursion always panics); rw_init_flags()
 * accepts RW_DUPOK to let locks of that name nest (a witness class
 * flag, see subr_witness.c).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/rwlock.h>
#include <sys/malloc.h>
#include <machine/cpu.h>

#include "shims_internal.h"

#define RWOBJ_MAGIC	0x72776f62	/* "rwob" */
#define RWOBJ_DEAD	0x64656164

struct rwlock_obj {
	struct rwlock	ro_lock;	/* first: the pointer handed out */
	unsigned int	ro_refcnt;	/* [atomic] references */
	unsigned int	ro_magic;
};

static const char *rw_state(struct rwlock *);

static const char *
loc_file(const char *file)
{
	return file != NULL ? file : "?";
}

/*
 * rw_init_flags: initialise rwl, unlocked, in witness class `name'.
 * flags: RW_DUPOK lets two locks of this class nest.
 * Models rw_init_flags(9); there is no rw_destroy, so no host state is
 * allocated per lock (the threads backend hashes the address).
 */
void
rw_init_flags(struct rwlock *rwl, const char *name, int flags)
{
	rwl->rwl_name = name;
	rwl->rwl_class = witness_class(name, WITNESS_SLEEP |
	    ((flags & RW_DUPOK) ? WITNESS_DUPOK : 0));
	SHIM_STORE(&rwl->rwl_writer, -1);
	SHIM_STORE(&rwl->rwl_readers, 0U);
	SHIM_STORE(&rwl->rwl_nreaders, 0);
	SHIM_STORE(&rwl->rwl_waiters, 0);
	SHIM_STORE(&rwl->rwl_wrwant, 0);
	rwl->rwl_host = sim_lk_host(rwl);
}

/* rw_init: rw_init_flags without flags */
void
rw_init(struct rwlock *rwl, const char *name)
{
	rw_init_flags(rwl, name, 0);
}

static int
rw_mine(struct rwlock *rwl)
{
	int me = cpu_number();

	if (SHIM_LOAD(&rwl->rwl_writer) == me)
		return RW_WRITE;
	if (SHIM_LOAD(&rwl->rwl_readers) & (1U << me))
		return RW_READ;
	return 0;
}

/* can the current CPU take rwl now?  interlock held */
static int
rw_can_take(struct rwlock *rwl, int write, int upgrade)
{
	if (SHIM_LOAD(&rwl->rwl_writer) != -1)
		return 0;
	if (upgrade)
		return SHIM_LOAD(&rwl->rwl_nreaders) == 1;
	if (write)
		return SHIM_LOAD(&rwl->rwl_nreaders) == 0;
	return SHIM_LOAD(&rwl->rwl_wrwant) == 0;
}

/*
 * rw_wait: wait until rw_can_take(); interlock held on entry and exit.
 * Releases the kernel lock first (*klp gets its depth).  Returns 0, or
 * EBUSY (RW_NOSLEEP) / EAGAIN (RW_SLEEPFAIL after sleeping).
 */
static int
rw_wait(struct rwlock *rwl, int flags, int write, int upgrade, int *klp)
{
	void *host = rwl->rwl_host;

	while (!rw_can_take(rwl, write, upgrade)) {
		if (flags & RW_NOSLEEP)
			return EBUSY;
		if (*klp == 0 && _kernel_lock_held()) {
			sim_lk_interunlock(host);
			*klp = kernel_lock_release_all();
			sim_lk_interlock(host);
			continue;
		}
		SHIM_ADD(&rwl->rwl_waiters, 1);
		if (write)
			SHIM_ADD(&rwl->rwl_wrwant, 1);
		sim_lk_wait(host, rwl, SIM_WAIT_RW, rwl->rwl_name);
		if (write)
			SHIM_ADD(&rwl->rwl_wrwant, -1);
		SHIM_ADD(&rwl->rwl_waiters, -1);
		if (flags & RW_SLEEPFAIL) {
			/*
			 * A writer that gives up no longer holds readers
			 * back: readers that went to sleep behind its
			 * wrwant after the wakeup that woke it would wait
			 * for a release that may never come.
			 */
			if (write && SHIM_LOAD(&rwl->rwl_waiters))
				sim_lk_wakeup(host, rwl);
			return EAGAIN;
		}
	}
	return 0;
}

/* rw_take: RW_READ / RW_WRITE */
static int
rw_take(struct rwlock *rwl, int flags, int write, const char *file, int line)
{
	const char *mname;
	void *host = rwl->rwl_host;
	int error, kl = 0;

	if (rw_mine(rwl))
		panic("rwlock \"%s\"@%p: recursive %s lock by cpu%d "
		    "(already %s-held) at %s:%d", rwl->rwl_name, rwl,
		    write ? "write" : "read", cpu_number(),
		    rw_mine(rwl) == RW_WRITE ? "write" : "read",
		    loc_file(file), line);
	if ((flags & RW_NOSLEEP) == 0) {
		if ((mname = lock_mutex_held(NULL)) != NULL)
			panic("rwlock \"%s\": rw_enter may sleep with mutex "
			    "\"%s\" held at %s:%d", rwl->rwl_name, mname,
			    loc_file(file), line);
		witness_checkorder(rwl->rwl_class, rwl, flags & RW_DUPOK,
		    file, line);
	}
	sim_yield();

	sim_lk_interlock(host);
	error = rw_wait(rwl, flags, write, 0, &kl);
	if (error == 0) {
		if (write)
			SHIM_STORE(&rwl->rwl_writer, cpu_number());
		else {
			SHIM_STORE(&rwl->rwl_readers,
			    SHIM_LOAD(&rwl->rwl_readers) |
			    (1U << cpu_number()));
			SHIM_ADD(&rwl->rwl_nreaders, 1);
		}
	}
	sim_lk_interunlock(host);
	if (error == 0) {
		sim_hb_acquire(rwl);
		lock_push(rwl, rwl->rwl_name, SIM_WAIT_RW, rwl->rwl_class);
	}
	if (kl)
		kernel_lock_reacquire(kl);
	return error;
}

/* rw_upgrade: read -> write; EBUSY with RW_NOSLEEP keeps the read lock */
static int
rw_upgrade(struct rwlock *rwl, int flags, const char *file, int line)
{
	void *host = rwl->rwl_host;
	int error, kl = 0, me = cpu_number();

	if (rw_mine(rwl) != RW_READ)
		panic("rwlock \"%s\"@%p: upgrade by cpu%d without a read lock "
		    "(%s) at %s:%d", rwl->rwl_name, rwl, me,
		    rw_mine(rwl) == RW_WRITE ? "write-held" : "not held",
		    loc_file(file), line);
	if ((flags & RW_NOSLEEP) == 0 && lock_mutex_held(NULL) != NULL)
		panic("rwlock \"%s\": upgrade may sleep with mutex \"%s\" "
		    "held at %s:%d", rwl->rwl_name, lock_mutex_held(NULL),
		    loc_file(file), line);
	sim_yield();

	sim_lk_interlock(host);
	error = rw_wait(rwl, flags, 1, 1, &kl);
	if (error == 0) {
		SHIM_STORE(&rwl->rwl_readers,
		    SHIM_LOAD(&rwl->rwl_readers) & ~(1U << me));
		SHIM_ADD(&rwl->rwl_nreaders, -1);
		SHIM_STORE(&rwl->rwl_writer, me);
	}
	sim_lk_interunlock(host);
	if (error == 0)
		sim_hb_acquire(rwl);
	if (kl)
		kernel_lock_reacquire(kl);
	return error;
}

/* rw_downgrade: write -> read, never sleeps */
static void
rw_downgrade(struct rwlock *rwl, const char *file, int line)
{
	void *host = rwl->rwl_host;
	int me = cpu_number();

	if (rw_mine(rwl) != RW_WRITE)
		panic("rwlock \"%s\"@%p: downgrade by cpu%d without the write "
		    "lock at %s:%d", rwl->rwl_name, rwl, me, loc_file(file),
		    line);
	sim_hb_release(rwl);
	sim_lk_interlock(host);
	SHIM_STORE(&rwl->rwl_readers, 1U << me);
	SHIM_STORE(&rwl->rwl_nreaders, 1);
	SHIM_STORE(&rwl->rwl_writer, -1);
	if (SHIM_LOAD(&rwl->rwl_waiters))
		sim_lk_wakeup(host, rwl);
	sim_lk_interunlock(host);
	sim_yield();
}

/*
 * _rw_enter: take, upgrade or downgrade rwl as flags say (RW_OPMASK
 * part RW_READ, RW_WRITE, RW_UPGRADE, RW_DOWNGRADE; modifiers
 * RW_NOSLEEP, RW_SLEEPFAIL, RW_DUPOK, RW_INTR).
 * => RW_READ/RW_WRITE: rwl not held by this CPU; may sleep unless
 *    RW_NOSLEEP, so no mutex may be held (checked).
 * => RW_UPGRADE: read-held by this CPU.  RW_DOWNGRADE: write-held.
 * Returns 0; EBUSY with RW_NOSLEEP if it would sleep (a failed upgrade
 * keeps the read lock); EAGAIN with RW_SLEEPFAIL after a sleep (the lock
 * is not taken).  Models _rw_enter() of kern_rwlock.c.
 */
int
_rw_enter(struct rwlock *rwl, int flags, const char *file, int line)
{
	switch (flags & RW_OPMASK) {
	case RW_WRITE:
		return rw_take(rwl, flags, 1, file, line);
	case RW_READ:
		return rw_take(rwl, flags, 0, file, line);
	case RW_UPGRADE:
		return rw_upgrade(rwl, flags, file, line);
	case RW_DOWNGRADE:
		rw_downgrade(rwl, file, line);
		return 0;
	}
	panic("rwlock \"%s\": rw_enter with bad flags 0x%x at %s:%d",
	    rwl->rwl_name, flags, loc_file(file), line);
}

/* rw_enter_read/rw_enter_write: _rw_enter(RW_READ/RW_WRITE), no location */
void
rw_enter_read(struct rwlock *rwl)
{
	(void)rw_take(rwl, RW_READ, 0, NULL, 0);
}

void
rw_enter_write(struct rwlock *rwl)
{
	(void)rw_take(rwl, RW_WRITE, 1, NULL, 0);
}

/*
 * rw_release: give up rwl, held for write (write) or read.  The state
 * was checked by the caller.  yield: make it a preemption point (not for
 * rwsleep, which must block first).
 */
static void
rw_release(struct rwlock *rwl, int write, int yield)
{
	void *host = rwl->rwl_host;

	lock_pop(rwl, rwl->rwl_name);
	sim_lk_interlock(host);
	if (write)
		SHIM_STORE(&rwl->rwl_writer, -1);
	else {
		SHIM_STORE(&rwl->rwl_readers, SHIM_LOAD(&rwl->rwl_readers) &
		    ~(1U << cpu_number()));
		SHIM_ADD(&rwl->rwl_nreaders, -1);
	}
	if (SHIM_LOAD(&rwl->rwl_waiters))
		sim_lk_wakeup(host, rwl);
	/*
	 * The release edge covers every access to *rwl above: the next
	 * owner may free the lock (rw_obj_free) as soon as it has it.
	 */
	sim_hb_release(rwl);
	sim_lk_interunlock(host);
	if (yield)
		sim_yield();
}

/*
 * rw_exit_common: release rwl however this CPU holds it; returns how
 * (RW_READ/RW_WRITE).  `want' 0 accepts either.  Panics naming the lock
 * when the CPU does not hold it as wanted.
 */
static int
rw_exit_common(struct rwlock *rwl, int want, int yield, const char *fn)
{
	int how = rw_mine(rwl);

	if (how == 0 || (want != 0 && how != want))
		panic("%s: rwlock \"%s\"@%p not %sheld by cpu%d (%s)", fn,
		    rwl->rwl_name, rwl, want == RW_WRITE ? "write-" :
		    want == RW_READ ? "read-" : "", cpu_number(),
		    rw_state(rwl));
	rw_release(rwl, how == RW_WRITE, yield);
	return how;
}

/* rw_exit: release rwl, read- or write-held by this CPU */
void
rw_exit(struct rwlock *rwl)
{
	(void)rw_exit_common(rwl, 0, 1, "rw_exit");
}

void
rw_exit_read(struct rwlock *rwl)
{
	(void)rw_exit_common(rwl, RW_READ, 1, "rw_exit_read");
}

void
rw_exit_write(struct rwlock *rwl)
{
	(void)rw_exit_common(rwl, RW_WRITE, 1, "rw_exit_write");
}

/*
 * rw_sleep_release / rw_sleep_relock: rwsleep_nsec's halves (kern_synch.c).
 * Release without a preemption point, returning how it was held; take it
 * back the same way.
 */
int
rw_sleep_release(struct rwlock *rwl)
{
	return rw_exit_common(rwl, 0, 0, "rwsleep");
}

void
rw_sleep_relock(struct rwlock *rwl, int how)
{
	(void)rw_take(rwl, how, how == RW_WRITE, NULL, 0);
}

/*
 * rw_status: RW_WRITE if this CPU write-holds rwl, RW_WRITE_OTHER if
 * another does, RW_READ if anyone read-holds it, else 0.  Models
 * rw_status(9).
 */
int
rw_status(struct rwlock *rwl)
{
	int w = SHIM_LOAD(&rwl->rwl_writer);

	if (w == cpu_number())
		return RW_WRITE;
	if (w >= 0)
		return RW_WRITE_OTHER;
	if (SHIM_LOAD(&rwl->rwl_nreaders) > 0)
		return RW_READ;
	return 0;
}

/* rw_lock_held / rw_write_held / rw_read_held: about the current CPU */
int
rw_lock_held(struct rwlock *rwl)
{
	return rw_mine(rwl) != 0;
}

int
rw_write_held(struct rwlock *rwl)
{
	return rw_mine(rwl) == RW_WRITE;
}

int
rw_read_held(struct rwlock *rwl)
{
	return rw_mine(rwl) == RW_READ;
}

static const char *
rw_state(struct rwlock *rwl)
{
	switch (rw_mine(rwl)) {
	case RW_WRITE:
		return "write-held by this cpu";
	case RW_READ:
		return "read-held by this cpu";
	}
	if (SHIM_LOAD(&rwl->rwl_writer) >= 0)
		return "write-held by another cpu";
	if (SHIM_LOAD(&rwl->rwl_nreaders) > 0)
		return "read-held by other cpus";
	return "unlocked";
}

/* rw_assert_*: check (panic naming the lock and its state) */
void
rw_assert_wrlock(struct rwlock *rwl)
{
	if (rw_mine(rwl) != RW_WRITE)
		panic("rwlock \"%s\"@%p: not write-locked by cpu%d (%s)",
		    rwl->rwl_name, rwl, cpu_number(), rw_state(rwl));
}

void
rw_assert_rdlock(struct rwlock *rwl)
{
	if (rw_mine(rwl) != RW_READ)
		panic("rwlock \"%s\"@%p: not read-locked by cpu%d (%s)",
		    rwl->rwl_name, rwl, cpu_number(), rw_state(rwl));
}

void
rw_assert_anylock(struct rwlock *rwl)
{
	if (rw_mine(rwl) == 0)
		panic("rwlock \"%s\"@%p: not locked by cpu%d (%s)",
		    rwl->rwl_name, rwl, cpu_number(), rw_state(rwl));
}

void
rw_assert_unlocked(struct rwlock *rwl)
{
	if (rw_mine(rwl) != 0)
		panic("rwlock \"%s\"@%p: locked by cpu%d (%s)",
		    rwl->rwl_name, rwl, cpu_number(), rw_state(rwl));
}

/*
 * _rw_obj_alloc: a new refcounted lock object named `name' with one
 * reference in *lkp.  Never fails (M_WAITOK: may sleep, so no mutex may
 * be held).  Models rw_obj_alloc(9); the object is a kern_malloc
 * allocation (counted by shims_outstanding()).
 */
void
_rw_obj_alloc(struct rwlock **lkp, const char *name)
{
	struct rwlock_obj *mo;

	mo = malloc(sizeof(*mo), M_TEMP, M_WAITOK);
	rw_init(&mo->ro_lock, name);
	mo->ro_refcnt = 1;
	mo->ro_magic = RWOBJ_MAGIC;
	*lkp = &mo->ro_lock;
}

static struct rwlock_obj *
rw_obj_check(struct rwlock *lock, const char *fn)
{
	struct rwlock_obj *mo = (struct rwlock_obj *)lock;

	if (mo->ro_magic != RWOBJ_MAGIC)
		panic("%s: rwlock \"%s\"@%p is not a live lock object", fn,
		    lock->rwl_name, lock);
	return mo;
}

/* rw_obj_hold: add a reference to a lock object */
void
rw_obj_hold(struct rwlock *lock)
{
	struct rwlock_obj *mo = rw_obj_check(lock, "rw_obj_hold");

	if (__atomic_add_fetch(&mo->ro_refcnt, 1, __ATOMIC_RELAXED) < 2)
		panic("rw_obj_hold: rwlock \"%s\"@%p had no reference",
		    lock->rwl_name, lock);
}

/*
 * rw_obj_free: drop a reference; on the last one free the object and
 * return 1, else 0.  => the last reference: the lock is held by nobody
 * (panics naming who holds it).
 */
int
rw_obj_free(struct rwlock *lock)
{
	struct rwlock_obj *mo = rw_obj_check(lock, "rw_obj_free");
	char buf[128];
	unsigned int n;

	n = __atomic_sub_fetch(&mo->ro_refcnt, 1, __ATOMIC_ACQ_REL);
	if (n + 1 == 0)
		panic("rw_obj_free: rwlock \"%s\"@%p: no reference left",
		    lock->rwl_name, lock);
	if (n > 0)
		return 0;
	if (SHIM_LOAD(&lock->rwl_writer) >= 0 ||
	    SHIM_LOAD(&lock->rwl_nreaders) > 0) {
		shims_lock_describe(lock, SIM_WAIT_RW, buf, sizeof(buf));
		panic("rw_obj_free: freeing a held lock: %s", buf);
	}
	mo->ro_magic = RWOBJ_DEAD;
	free(mo, M_TEMP, sizeof(*mo));
	return 1;
}
