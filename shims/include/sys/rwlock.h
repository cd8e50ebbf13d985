/*
 * sys/rwlock.h: reader/writer locks (rwlock(9)) and refcounted lock
 * objects (rw_obj_alloc(9)).
 *
 * check + model.  A checking lock: it records its writer CPU and the set
 * of reader CPUs, and panics, naming the lock, on: releasing a lock the
 * CPU does not hold, recursion (read or write) on a lock already held by
 * this CPU, RW_UPGRADE without holding a read lock, RW_DOWNGRADE without
 * the write lock, and rw_assert_* failures.  Every acquisition goes
 * through the lock-order checker (witness) under the lock's name, which
 * is its class ("vmmaplk", "amaplk", ...).  Blocking is done by the
 * simulated scheduler; RW_NOSLEEP returns EBUSY instead of blocking.
 * TSan is told the happens-before edges a real rwlock provides (release
 * on exit, acquire on enter), and nothing more.
 *
 * Differs from OpenBSD: no adaptive spinning, no priority; read locks are
 * tracked per CPU (OpenBSD keeps only a count) so that misuse is caught.
 */
#ifndef _SYS_RWLOCK_H_
#define _SYS_RWLOCK_H_

#include <sys/types.h>

struct lock_class;			/* witness class (per name) */

struct rwlock {
	const char		*rwl_name;	/* also the witness class */
	struct lock_class	*rwl_class;
	int			 rwl_writer;	/* cpu id holding write, -1 */
	unsigned int		 rwl_readers;	/* bitmap of reader cpu ids */
	int			 rwl_nreaders;
	int			 rwl_waiters;	/* CPUs blocked on it */
	int			 rwl_wrwant;	/* of which want to write
						   (RWLOCK_WRWANT: new readers
						   wait behind them) */
	void			*rwl_host;	/* backend state (threads) */
};

#define RW_WRITE	0x0001UL	/* exclusive lock */
#define RW_READ		0x0002UL	/* shared lock */
#define RW_DOWNGRADE	0x0004UL	/* write -> read, never sleeps */
#define RW_UPGRADE	0x0005UL	/* read -> write, fails with EBUSY if other readers and RW_NOSLEEP */
#define RW_OPMASK	0x0007UL
#define RW_INTR		0x0010UL	/* accepted, ignored */
#define RW_SLEEPFAIL	0x0020UL	/* fail (EAGAIN) if we slept */
#define RW_NOSLEEP	0x0040UL	/* do not sleep: EBUSY */
#define RW_RECURSEFAIL	0x0080UL	/* accepted: recursion always panics */
#define RW_DUPOK	0x0100UL	/* witness: allow same-class nesting */

/* rw_status() results */
#define RW_WRITE_OTHER	0x0100

void	rw_init(struct rwlock *, const char *name);
void	rw_init_flags(struct rwlock *, const char *name, int flags);
/*
 * rw_enter: take rwl per flags (RW_READ, RW_WRITE, RW_UPGRADE,
 * RW_DOWNGRADE, optionally RW_NOSLEEP).  Returns 0, or EBUSY with
 * RW_NOSLEEP when it would have to wait (an upgrade that fails keeps the
 * read lock).
 */
int	_rw_enter(struct rwlock *, int flags, const char *file, int line);
#define rw_enter(rwl, flags)	_rw_enter((rwl), (flags), __FILE__, __LINE__)
void	rw_enter_read(struct rwlock *);
void	rw_enter_write(struct rwlock *);
void	rw_exit(struct rwlock *);
void	rw_exit_read(struct rwlock *);
void	rw_exit_write(struct rwlock *);
/* RW_WRITE if this CPU holds it for write, RW_WRITE_OTHER if another CPU
 * does, RW_READ if read-held by anyone, 0 if unlocked */
int	rw_status(struct rwlock *);
/* 1 if the current CPU holds rwl for read or write */
int	rw_lock_held(struct rwlock *);
int	rw_write_held(struct rwlock *);
int	rw_read_held(struct rwlock *);
void	rw_assert_wrlock(struct rwlock *);
void	rw_assert_rdlock(struct rwlock *);
void	rw_assert_anylock(struct rwlock *);
void	rw_assert_unlocked(struct rwlock *);

/*
 * Refcounted lock objects, shared by an amap, its anons and every amap
 * that shares anons with it (am_lock).  rw_obj_alloc returns a lock with
 * one reference (never fails: PR_WAITOK); rw_obj_hold adds one;
 * rw_obj_free drops one and frees on the last, returning 1 then.
 * Freeing a held lock panics.
 */
void	_rw_obj_alloc(struct rwlock **, const char *name);
#define rw_obj_alloc(lkp, name)	_rw_obj_alloc((lkp), (name))
void	rw_obj_hold(struct rwlock *);
int	rw_obj_free(struct rwlock *);

#endif /* _SYS_RWLOCK_H_ */
