/*
 * sys/systm.h: panic, KASSERT, printf, memory routines, sleep/wakeup.
 *
 * panic/KASSERT: check. DIAGNOSTIC is always on.  panic() prints the
 *   message with the current simulated CPU and hands over to the run's
 *   panic handler (the harness prints the decoded program and aborts, a
 *   test may catch it).  It never returns.
 * tsleep_nsec/rwsleep_nsec/msleep_nsec/wakeup: model.  A sleeping CPU is
 *   blocked in the simulated scheduler until a wakeup() on the same
 *   identifier; a sleep with a timeout instead of INFSLP also ends when no
 *   other CPU can run (simulated time passes), returning EWOULDBLOCK.  A
 *   sleep nobody can ever end is a deadlock finding.  Sleeping while
 *   holding a mutex panics (check).
 */
#ifndef _SYS_SYSTM_H_
#define _SYS_SYSTM_H_

#include <sys/param.h>
#include <stdarg.h>

#define DIAGNOSTIC	1

__dead void	panic(const char *, ...) __printflike(1, 2);
int		printf(const char *, ...) __printflike(1, 2);
int		snprintf(char *, size_t, const char *, ...) __printflike(3, 4);

#define KASSERT(e)	((e) ? (void)0 :				\
	    panic("kernel diagnostic assertion \"%s\" failed: file \"%s\", line %d", \
	    #e, __FILE__, __LINE__))
#define KASSERTMSG(e, msg, ...)	((e) ? (void)0 :			\
	    panic("kernel diagnostic assertion \"%s\" failed: file \"%s\", line %d: " msg, \
	    #e, __FILE__, __LINE__, ##__VA_ARGS__))
#define KDASSERT(e)	KASSERT(e)
#define CTASSERT(x)	_Static_assert(x, "compile-time assertion failed")

void	*memcpy(void *, const void *, size_t);
void	*memmove(void *, const void *, size_t);
void	*memset(void *, int, size_t);
int	 memcmp(const void *, const void *, size_t);
#define bzero(b, n)	((void)memset((b), 0, (n)))

struct rwlock;
struct mutex;

/* sleep on ident; returns 0 after a wakeup, EWOULDBLOCK after the timeout */
int	tsleep_nsec(const volatile void *ident, int prio, const char *wmesg,
	    uint64_t nsecs);
/*
 * sleep on ident, atomically releasing rwl (write or read held); rwl is
 * re-taken as it was held before returning unless prio has PNORELOCK.
 */
int	rwsleep_nsec(const volatile void *ident, struct rwlock *rwl, int prio,
	    const char *wmesg, uint64_t nsecs);
/* the same with a mutex */
int	msleep_nsec(const volatile void *ident, struct mutex *mtx, int prio,
	    const char *wmesg, uint64_t nsecs);
void	wakeup(const volatile void *ident);
void	wakeup_one(const volatile void *ident);

/*
 * preempt: a preemption point.  The simulated scheduler may switch to
 * another CPU here (fibers), or does nothing (threads, one CPU).  Locks,
 * sleep/wakeup and the pmap call it by themselves; uvm/ places explicit
 * ones where an interrupt or another CPU could come in.
 */
void	preempt(void);

/*
 * sleep_io: the sleep of a synchronous I/O (biowait(9)): the kernel lock
 * is given up meanwhile and taken back after, like any sleep; the I/O
 * completes at a preemption point the scheduler picks (shims/kern_synch.c).
 */
void	sleep_io(const volatile void *ident, const char *wmesg);

/* KERNEL_LOCK: the big lock, recursive per CPU (models __mp_lock). */
void	_kernel_lock(const char *file, int line);
void	_kernel_unlock(void);
int	_kernel_lock_held(void);
#define KERNEL_LOCK()		_kernel_lock(__FILE__, __LINE__)
#define KERNEL_UNLOCK()		_kernel_unlock()
#define KERNEL_ASSERT_LOCKED()	KASSERTMSG(_kernel_lock_held(), "kernel lock not held")
#define KERNEL_ASSERT_UNLOCKED() KASSERTMSG(!_kernel_lock_held(), "kernel lock held")

/*
 * Per-CPU lock accounting: the number of locks (of any kind, KERNEL_LOCK
 * included) the current CPU holds.  uvm_fault() asserts it is back to the
 * value at entry before returning.
 */
int	lock_held_count(void);
/* panics naming every lock the current CPU holds if count differs */
void	lock_assert_none_held_since(int count, const char *where);

#endif /* _SYS_SYSTM_H_ */
