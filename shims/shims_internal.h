/*
 * shims/shims_internal.h: the interfaces between the files of shims/.
 *
 * Two worlds meet here.  The kernel side (shims/ *.c files, built -nostdinc
 * against shims/include) implements OpenBSD's kernel API; the host layer
 * (shims/host/ files) is the only code that touches libc, pthreads, the
 * fiber switch and the sanitizer interfaces.  This header uses plain C
 * types only (it is included on both sides), and names the direction of
 * every call: "host:" functions are implemented in shims/host and called
 * by the kernel side, "kern:" functions the other way round.
 *
 * Shared state that several simulated CPUs touch (lock words, witness
 * graph, counters) is read and written with relaxed atomics (SHIM_LOAD /
 * SHIM_STORE): TSan sees no race on them and, because they are relaxed,
 * no happens-before edge either.  The only happens-before the shims give
 * TSan is what a real kernel primitive gives: sim_hb_release() when a
 * lock is released or a wakeup is sent, sim_hb_acquire() when a lock is
 * taken or a sleeper is woken.
 */
#ifndef _SHIMS_INTERNAL_H_
#define _SHIMS_INTERNAL_H_

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define SHIM_LOAD(p)		__atomic_load_n((p), __ATOMIC_RELAXED)
#define SHIM_STORE(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define SHIM_ADD(p, v)		__atomic_add_fetch((p), (v), __ATOMIC_RELAXED)
#define SHIM_CAS(p, o, n)	__atomic_compare_exchange_n((p), (o), (n), 0, \
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED)

#define SHIM_MAXCPUS	8	/* == MAXCPUS of sys/param.h */
#define SHIM_MAXHELD	16	/* == nitems(cpu_info.ci_held) */

struct cpu_info;

/* what a blocked CPU waits for (sim_lk_wait kind) */
#define SIM_WAIT_RW	1	/* an rwlock (sleeps; kernel lock released) */
#define SIM_WAIT_MTX	2	/* a mutex (spins) */
#define SIM_WAIT_KL	3	/* the kernel lock (spins) */

/*
 * host: the simulated CPUs (host/host_sched.c).
 */
int	sim_in_run(void);		/* inside sched_run() */
int	sim_threads(void);		/* inside a SCHED_THREADS run */
/* a preemption point: fibers may switch CPU here; counts a step */
void	sim_yield(void);

/*
 * host: waiting for a lock.  Threads: the lock's state is protected by
 * an interlock (a host mutex picked by hashing the lock's address) and
 * waiters sleep on its condition variable.  Fibers: interlocks are
 * no-ops (one OS thread) and a waiter is marked blocked on the lock.
 * sim_lk_wait is called and returns with the interlock held, and may
 * return spuriously: callers re-check the lock state in a loop.
 */
void	*sim_lk_host(const void *lk);	/* the interlock of lk (threads) */
void	sim_lk_interlock(void *host);
void	sim_lk_interunlock(void *host);
void	sim_lk_wait(void *host, const void *lk, int kind, const char *name);
void	sim_lk_wakeup(void *host, const void *lk);

/*
 * host: sleep/wakeup.  sim_sleep_prepare records the wait channel (and
 * in threads takes the channel's bucket lock, so a wakeup cannot be lost
 * between prepare and wait); sim_sleep_wait blocks until sim_wakeup() on
 * the channel (returns 0) or until the timeout (returns 1).  nsecs
 * UINT64_MAX means no timeout.
 */
void	sim_sleep_prepare(const volatile void *ident, const char *wmesg);
int	sim_sleep_wait(uint64_t nsecs);
void	sim_wakeup(const volatile void *ident, int one);

/* host: happens-before annotations for TSan (no-ops without TSan) */
void	sim_hb_acquire(const volatile void *addr);
void	sim_hb_release(const volatile void *addr);

/* host: memory, output, death (host/host_misc.c) */
void	*sim_malloc(size_t);
void	 sim_free(void *);
void	 sim_puts(const char *);		/* stderr, no newline added */
__attribute__((__noreturn__))
void	 sim_vpanic(const char *fmt, va_list);
int	 sim_vsnprintf(char *, size_t, const char *, va_list);
/* a host spin lock that gives TSan no happens-before (witness, panics) */
void	 sim_spin_lock(volatile int *);
void	 sim_spin_unlock(volatile int *);

/*
 * kern: descriptions for deadlock reports and leak checks
 * (shims/kern_lock.c).  Each writes a NUL-terminated line into buf.
 */
void	shims_lock_describe(const void *lk, int kind, char *buf, size_t len);
void	shims_cpu_held_describe(struct cpu_info *, char *buf, size_t len);
/*
 * kern: the kernel lock (models __mp_lock: recursive per CPU).  Fields
 * are read and written with SHIM_LOAD/SHIM_STORE.
 */
struct __mp_lock {
	int			 mpl_cpu;	/* owner cpu id, -1 when free */
	int			 mpl_count;	/* recursion depth of the owner */
	int			 mpl_waiters;	/* CPUs spinning for it */
	struct lock_class	*mpl_class;	/* witness "kernel_lock" */
};
extern struct __mp_lock kernel_lock;

/*
 * kern: per-CPU lock accounting (shims/kern_lock.c).  lock_push records
 * that curcpu now holds lk (kind SIM_WAIT_*, its witness class);
 * lock_pop forgets the most recent entry for lk and panics if there is
 * none.  lock_mutex_held returns the name of a spin mutex curcpu holds
 * other than `except', or NULL (for "sleeping with a mutex held").
 */
void	lock_push(const void *lk, const char *name, int kind,
	    struct lock_class *);
void	lock_pop(const void *lk, const char *name);
const char *lock_mutex_held(const void *except);
/* witness: the classes of the locks curcpu holds, most recent last */
int	lock_held_classes(struct lock_class **, const void **, int max);
void	lock_reset_cpu(int cpuid);

/* kern: rwsleep/msleep halves: release without a preemption point
 * (returns how it was held), take back the same way */
struct rwlock;
struct mutex;
int	rw_sleep_release(struct rwlock *);
void	rw_sleep_relock(struct rwlock *, int how);
void	mtx_sleep_release(struct mutex *);
void	mtx_sleep_relock(struct mutex *);

/* kern: KERNEL_LOCK released across a sleep (shims/kern_mutex.c) */
int	kernel_lock_release_all(void);	/* returns the recursion count */
void	kernel_lock_reacquire(int count);

/*
 * kern: witness (shims/subr_witness.c).  Classes are lock names.
 * witness_checkorder records held -> lk edges for a blocking acquisition
 * and panics on a reversal; try-locks skip it.  WITNESS_DUPOK allows
 * nesting two locks of one class.
 */
struct lock_class;
#define WITNESS_SLEEP	0x01	/* an rwlock class (may sleep) */
#define WITNESS_SPIN	0x02	/* a mutex class */
#define WITNESS_KERNEL	0x04	/* the kernel lock */
#define WITNESS_DUPOK	0x08	/* same-class nesting allowed */
struct lock_class *witness_class(const char *name, int flags);
void	witness_checkorder(struct lock_class *, const void *lk, int dupok,
	    const char *file, int line);
void	witness_reset(void);
const char *witness_class_name(struct lock_class *);

/* kern: a CPU's function returned: panics if it still holds a lock */
void	shims_cpu_exit_check(void);

/*
 * kern: leak accounting (kern_malloc.c, subr_pool.c): the number of
 * allocations / items out, and a description of them in buf.
 */
long	malloc_outstanding(char *buf, size_t len);
long	pool_outstanding(char *buf, size_t len);

#endif /* _SHIMS_INTERNAL_H_ */
