/*
 * test_shims.c: the kernel environment (shims/): checking locks,
 * witness, sleep/wakeup, malloc/pool accounting, failure injection,
 * per-CPU counters and the simulated CPUs (fibers and threads).
 *
 * Host code (cmocka) linked with libuvm.a and tests/kprobe.o.  The lock
 * and pool structures come from the kernel headers that only need
 * <sys/types.h> (rwlock.h, mutex.h, pool.h, inject.h, percpu.h); the
 * functions of sys/systm.h, sys/malloc.h and machine/cpu.h used here and
 * the kernel constants (K_*) come from tests/kprobe.h, which
 * tests/kprobe.c checks against the real headers when it is compiled
 * (those headers cannot be included next to libc's).
 *
 * Panics outside sched_run() are caught with the panic hook and
 * longjmp; a panic inside a fiber run is caught in a forked child whose
 * hook sends the message through a pipe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "shims/sim.h"
#include "shims/include/sys/rwlock.h"
#include "shims/include/sys/mutex.h"
#include "shims/include/sys/pool.h"
#include "shims/include/sys/inject.h"
#include "shims/include/sys/percpu.h"

#include "tests/kprobe.h"

/* ---- panic catching ---- */

static jmp_buf	panic_jb;
static int	panic_expected;
static int	panic_pipe = -1;

static void
test_hook(const char *msg)
{
	if (panic_pipe >= 0) {
		(void)!write(panic_pipe, msg, strlen(msg));
		_exit(0);
	}
	if (panic_expected) {
		panic_expected = 0;
		longjmp(panic_jb, 1);
	}
}

/* run stmt outside sched_run; it must panic with a message containing sub */
#define EXPECT_PANIC(stmt, sub) do {					\
	panic_expected = 1;						\
	if (setjmp(panic_jb) == 0) {					\
		stmt;							\
		panic_expected = 0;					\
		fail_msg("no panic from %s", #stmt);			\
	}								\
	if (strstr(shims_last_panic(), (sub)) == NULL)			\
		fail_msg("panic \"%s\" lacks \"%s\"",			\
		    shims_last_panic(), (sub));				\
} while (0)

/*
 * in_child: run fn in a forked child; returns 1 and the panic message in
 * msg if it panicked, 0 if it returned.
 */
static int
in_child(void (*fn)(void), char *msg, size_t len)
{
	int fds[2], status;
	ssize_t n, off = 0;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		panic_pipe = fds[1];
		fn();
		_exit(3);
	}
	close(fds[1]);
	while ((n = read(fds[0], msg + off, len - 1 - off)) > 0)
		off += n;
	msg[off] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status) == 0 && off > 0;
}

static int
setup(void **state)
{
	shims_set_panic_hook(test_hook);
	shims_reset();
	return 0;
}

static int
teardown(void **state)
{
	shims_reset();
	return 0;
}

static struct sched_config
fibers(int ncpu, const uint8_t *bytes, size_t len, uint64_t seed)
{
	struct sched_config c = { .ncpu = ncpu, .backend = SCHED_FIBERS,
	    .sched = bytes, .schedlen = len, .seed = seed };
	return c;
}

/* ---- lock misuse (single CPU) ---- */

static void
test_rw_misuse(void **state)
{
	struct rwlock rwl;

	rw_init(&rwl, "amaplk");
	EXPECT_PANIC(rw_exit(&rwl), "\"amaplk\"");
	EXPECT_PANIC(rw_exit_write(&rwl), "not write-held");
	rw_enter(&rwl, RW_WRITE);
	EXPECT_PANIC(rw_enter(&rwl, RW_WRITE), "recursive write lock");
	EXPECT_PANIC(rw_enter(&rwl, RW_READ), "recursive read lock");
	EXPECT_PANIC(rw_enter(&rwl, RW_UPGRADE), "upgrade by cpu0 without");
	EXPECT_PANIC(rw_exit_read(&rwl), "not read-held");
	assert_int_equal(rw_status(&rwl), RW_WRITE);
	rw_enter(&rwl, RW_DOWNGRADE);
	assert_int_equal(rw_status(&rwl), RW_READ);
	assert_true(rw_read_held(&rwl));
	EXPECT_PANIC(rw_enter(&rwl, RW_DOWNGRADE), "downgrade");
	EXPECT_PANIC(rw_assert_wrlock(&rwl), "not write-locked");
	rw_assert_rdlock(&rwl);
	rw_assert_anylock(&rwl);
	/* sole reader: an upgrade succeeds */
	assert_int_equal(rw_enter(&rwl, RW_UPGRADE | RW_NOSLEEP), 0);
	assert_int_equal(rw_status(&rwl), RW_WRITE);
	rw_exit(&rwl);
	assert_int_equal(rw_status(&rwl), 0);
	rw_assert_unlocked(&rwl);
	EXPECT_PANIC(rw_assert_anylock(&rwl), "not locked by cpu0");
	assert_int_equal(lock_held_count(), 0);
}

static void
test_mtx_kl_misuse(void **state)
{
	struct mutex mtx;
	struct rwlock rwl;

	mtx_init_flags(&mtx, IPL_VM, "pvlk", 0);
	rw_init(&rwl, "vmmaplk");
	EXPECT_PANIC(mtx_leave(&mtx), "\"pvlk\"");
	mtx_enter(&mtx);
	assert_true(mtx_owned(&mtx));
	EXPECT_PANIC(mtx_enter(&mtx), "recursive mtx_enter");
	EXPECT_PANIC(mtx_enter_try(&mtx), "recursive");
	/* sleeping with a mutex held */
	EXPECT_PANIC(tsleep_nsec(&mtx, 0, "nap", 1000), "mutex \"pvlk\" held");
	EXPECT_PANIC(rw_enter(&rwl, RW_READ), "may sleep with mutex \"pvlk\"");
	EXPECT_PANIC(kern_malloc(8, K_M_TEMP, K_M_WAITOK), "\"pvlk\" held");
	mtx_leave(&mtx);
	assert_int_equal(mtx_enter_try(&mtx), 1);
	mtx_leave(&mtx);

	/* KERNEL_LOCK: recursive per CPU, each level counted */
	EXPECT_PANIC(_kernel_unlock(), "KERNEL_UNLOCK by cpu0");
	_kernel_lock(__FILE__, __LINE__);
	_kernel_lock(__FILE__, __LINE__);
	assert_true(_kernel_lock_held());
	assert_int_equal(lock_held_count(), 2);
	_kernel_unlock();
	assert_true(_kernel_lock_held());
	_kernel_unlock();
	assert_false(_kernel_lock_held());
	assert_int_equal(lock_held_count(), 0);
}

static void
test_held_since(void **state)
{
	struct rwlock a;
	int n;

	rw_init(&a, "amaplk");
	n = lock_held_count();
	rw_enter(&a, RW_READ);
	EXPECT_PANIC(lock_assert_none_held_since(n, "uvm_fault"),
	    "uvm_fault: returns holding 1 lock(s), 0 on entry: amaplk");
	rw_exit(&a);
	lock_assert_none_held_since(n, "uvm_fault");
}

/* ---- witness ---- */

static void
test_witness_reversal(void **state)
{
	struct rwlock map, amap;

	rw_init(&map, "vmmaplk");
	rw_init(&amap, "amaplk");
	rw_enter(&map, RW_READ);
	rw_enter(&amap, RW_WRITE);		/* vmmaplk -> amaplk */
	rw_exit(&amap);
	rw_exit(&map);

	rw_enter(&amap, RW_WRITE);
	/* a try-lock records no edge and cannot report a reversal */
	assert_int_equal(rw_enter(&map, RW_READ | RW_NOSLEEP), 0);
	rw_exit(&map);
	EXPECT_PANIC(rw_enter(&map, RW_READ), "lock order reversal");
	assert_non_null(strstr(shims_last_panic(),
	    "\"amaplk\" -> \"vmmaplk\""));
	assert_non_null(strstr(shims_last_panic(),
	    "\"vmmaplk\" -> \"amaplk\" first seen at"));
	assert_non_null(strstr(shims_last_panic(), "test_shims.c"));
	rw_exit(&amap);

	/* shims_reset forgets the order: the reverse is now fine */
	shims_reset();
	rw_enter(&amap, RW_WRITE);
	rw_enter(&map, RW_READ);
	rw_exit(&map);
	rw_exit(&amap);
}

static void
test_witness_transitive_dupok(void **state)
{
	struct rwlock m1, m2, a1, a2;
	struct mutex pq;

	rw_init(&m1, "vmmaplk");
	rw_init(&m2, "vmmaplk");
	rw_init(&a1, "amaplk");
	rw_init(&a2, "amaplk");
	mtx_init_flags(&pq, IPL_VM, "pageqlk", 0);

	/* two map locks nest (uvmspace_fork): vmmaplk is DUPOK */
	rw_enter(&m1, RW_WRITE);
	rw_enter(&m2, RW_WRITE);
	rw_exit(&m2);
	rw_exit(&m1);
	/* two amap locks do not, unless the rw_enter says RW_DUPOK */
	rw_enter(&a1, RW_WRITE);
	EXPECT_PANIC(rw_enter(&a2, RW_WRITE), "duplicate lock of class "
	    "\"amaplk\"");
	rw_enter(&a2, RW_WRITE | RW_DUPOK);
	rw_exit(&a2);

	/* amaplk -> pageqlk, then pageqlk -> ... -> amaplk transitively */
	mtx_enter(&pq);
	mtx_leave(&pq);
	rw_exit(&a1);
	_kernel_lock(__FILE__, __LINE__);	/* mutex vs kernel lock counts */
	mtx_enter(&pq);				/* kernel_lock -> pageqlk */
	mtx_leave(&pq);
	_kernel_unlock();
	mtx_enter(&pq);
	EXPECT_PANIC(_kernel_lock(__FILE__, __LINE__), "lock order reversal: "
	    "\"pageqlk\" -> \"kernel_lock\"");
	mtx_leave(&pq);

	/* vmmaplk -> amaplk -> vmobjlock; then vmobjlock -> vmmaplk */
	rw_init(&a2, "vmobjlock");
	rw_enter(&m1, RW_READ);
	rw_enter(&a1, RW_WRITE);
	rw_exit(&m1);
	rw_enter(&a2, RW_WRITE);
	rw_exit(&a2);
	rw_exit(&a1);
	rw_enter(&a2, RW_WRITE);
	EXPECT_PANIC(rw_enter(&m1, RW_READ), "\"vmobjlock\" -> \"vmmaplk\"");
	assert_non_null(strstr(shims_last_panic(), "established order is "
	    "\"vmmaplk\" -> \"amaplk\" first seen at"));
	assert_non_null(strstr(shims_last_panic(), "\"amaplk\" -> "
	    "\"vmobjlock\" first seen at"));
	rw_exit(&a2);

	/* kernel lock and rwlocks: both orders are fine (sleep drops it) */
	_kernel_lock(__FILE__, __LINE__);
	rw_enter(&m1, RW_READ);
	rw_exit(&m1);
	_kernel_unlock();
	rw_enter(&m1, RW_READ);
	_kernel_lock(__FILE__, __LINE__);
	_kernel_unlock();
	rw_exit(&m1);
}

/* ---- sleep outside runs ---- */

static void
test_sleep_solo(void **state)
{
	struct rwlock rwl;
	int chan;

	rw_init(&rwl, "swaplk");
	assert_int_equal(tsleep_nsec(&chan, 0, "nap", 1000), K_EWOULDBLOCK);
	rw_enter(&rwl, RW_WRITE);
	assert_int_equal(rwsleep_nsec(&chan, &rwl, 0, "nap", 1000),
	    K_EWOULDBLOCK);
	assert_int_equal(rw_status(&rwl), RW_WRITE);
	assert_int_equal(rwsleep_nsec(&chan, &rwl, K_PNORELOCK, "nap", 1),
	    K_EWOULDBLOCK);
	assert_int_equal(rw_status(&rwl), 0);
	EXPECT_PANIC(tsleep_nsec(&chan, 0, "forever", K_INFSLP),
	    "deadlock: cpu0 sleeps on");
	assert_non_null(strstr(shims_last_panic(), "\"forever\""));
	wakeup(&chan);
	preempt();
	assert_int_equal(ncpus_running(), 1);
}

/* ---- malloc, pool, injection ---- */

static void
test_malloc_pool(void **state)
{
	struct pool pl;
	void *a, *b;

	a = kern_malloc(24, K_M_TEMP, K_M_WAITOK);
	assert_int_equal(shims_outstanding(), 1);
	EXPECT_PANIC(kern_free(a, K_M_TEMP, 23), "freed with size 23");
	EXPECT_PANIC(kern_free(a, 3, 24), "freed as type 3");
	EXPECT_PANIC(kern_malloc(8, K_M_TEMP, 0), "exactly one of");
	EXPECT_PANIC(shims_reset(), "leak: 1 malloc(9) allocation(s) out: "
	    "type 0: 1");
	kern_free(a, K_M_TEMP, 24);

	pool_init(&pl, 40, 0, IPL_NONE, 0, "anonpl", NULL);
	a = pool_get(&pl, PR_WAITOK | PR_ZERO);
	b = pool_get(&pl, PR_NOWAIT);
	assert_non_null(b);
	assert_int_equal(((char *)a)[39], 0);
	assert_int_equal(pl.pr_nout, 2);
	assert_int_equal(shims_outstanding(), 2);
	EXPECT_PANIC(pool_destroy(&pl), "has 2 item(s) out");
	pool_put(&pl, a);
	EXPECT_PANIC(shims_reset(), "1 pool item(s) out: \"anonpl\": 1");
	pool_put(&pl, b);
	assert_int_equal(shims_outstanding(), 0);
	shims_reset();
	pool_destroy(&pl);
}

static void
test_inject(void **state)
{
	struct pool pl;
	void *p;
	int i, fails[6];

	inject_arm_nth(INJ_MALLOC, 3);
	for (i = 0; i < 5; i++) {
		p = kern_malloc(8, K_M_TEMP, K_M_NOWAIT);
		fails[i] = p == NULL;
		kern_free(p, K_M_TEMP, 8);
	}
	assert_int_equal(fails[0] + fails[1] + fails[3] + fails[4], 0);
	assert_int_equal(fails[2], 1);
	assert_int_equal(inject_ncalls(INJ_MALLOC), 5);
	assert_int_equal(inject_nfired(INJ_MALLOC), 1);

	/* pattern 0b100101: calls 0, 2, 5 fail; WAITOK never asks */
	pool_init(&pl, 16, 0, IPL_NONE, 0, "amappl", NULL);
	inject_arm_pattern(INJ_MALLOC, 0x25);
	for (i = 0; i < 6; i++) {
		p = pool_get(&pl, PR_NOWAIT);
		fails[i] = p == NULL;
		if (p != NULL)
			pool_put(&pl, p);
		pool_put(&pl, pool_get(&pl, PR_WAITOK));
	}
	assert_int_equal(fails[0], 1);
	assert_int_equal(fails[1], 0);
	assert_int_equal(fails[2], 1);
	assert_int_equal(fails[3] + fails[4], 0);
	assert_int_equal(fails[5], 1);
	assert_int_equal(pl.pr_nfail, 3);
	assert_int_equal(inject_nfired(INJ_MALLOC), 3);
	assert_int_equal(inject_ncalls(INJ_MALLOC), 6);
	inject_disarm_all();
	assert_int_equal(inject_ncalls(INJ_MALLOC), 0);
	assert_int_equal(inject_fail(INJ_PAGEALLOC), 0);
	pool_destroy(&pl);
}

/* ---- fibers ---- */

static struct rwlock	share_lk, lk_a, lk_b;
static int		max_readers;
static int		both_read;
static unsigned int	trace[512];
static int		ntrace;

static void
cpu_readers(int cpu, void *arg)
{
	int i, n;

	rw_enter(&share_lk, RW_READ);
	for (i = 0; i < 4; i++) {
		n = rw_status(&share_lk) == RW_READ ?
		    __atomic_load_n(&share_lk.rwl_nreaders, __ATOMIC_RELAXED) :
		    0;
		if (n > __atomic_load_n(&max_readers, __ATOMIC_RELAXED))
			__atomic_store_n(&max_readers, n, __ATOMIC_RELAXED);
		preempt();
	}
	rw_exit(&share_lk);
}

static void
test_fiber_read_sharing(void **state)
{
	static const uint8_t alt[] = { 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 };
	struct sched_config c = fibers(2, alt, sizeof(alt), 1);

	rw_init(&share_lk, "amaplk");
	max_readers = 0;
	assert_int_equal(sched_run(&c, cpu_readers, NULL), SCHED_DONE);
	assert_int_equal(max_readers, 2);
	assert_true(sched_switches() >= 2);
	assert_int_equal(rw_status(&share_lk), 0);
}

/* cpu0 upgrades with RW_NOSLEEP while cpu1 also reads: EBUSY */
static void
cpu_upgrade(int cpu, void *arg)
{
	int error;

	rw_enter(&share_lk, RW_READ);
	if (cpu == 0) {
		while (__atomic_load_n(&share_lk.rwl_nreaders,
		    __ATOMIC_RELAXED) < 2)
			preempt();
		error = rw_enter(&share_lk, RW_UPGRADE | RW_NOSLEEP);
		assert_int_equal(error, K_EBUSY);
		assert_true(rw_read_held(&share_lk));
		__atomic_store_n(&both_read, 1, __ATOMIC_RELAXED);
	} else {
		while (!__atomic_load_n(&both_read, __ATOMIC_RELAXED))
			preempt();
	}
	rw_exit(&share_lk);
}

static void
test_fiber_upgrade_busy(void **state)
{
	struct sched_config c = fibers(2, NULL, 0, 7);

	rw_init(&share_lk, "amaplk");
	both_read = 0;
	assert_int_equal(sched_run(&c, cpu_upgrade, NULL), SCHED_DONE);
	assert_int_equal(both_read, 1);
	assert_int_equal(rw_status(&share_lk), 0);
}

static void
cpu_trace(int cpu, void *arg)
{
	int i, n;

	for (i = 0; i < 20; i++) {
		n = __atomic_fetch_add(&ntrace, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&trace[n], kp_cpuid(), __ATOMIC_RELAXED);
		if (i % 5 == 4) {
			rw_enter(&share_lk, RW_WRITE);
			preempt();
			rw_exit(&share_lk);
		} else
			preempt();
	}
}

static uint64_t
run_trace(const uint8_t *bytes, size_t len, uint64_t seed,
    unsigned int *out)
{
	struct sched_config c = fibers(3, bytes, len, seed);

	rw_init(&share_lk, "amaplk");
	ntrace = 0;
	assert_int_equal(sched_run(&c, cpu_trace, NULL), SCHED_DONE);
	assert_int_equal(ntrace, 60);
	memcpy(out, trace, sizeof(unsigned int) * 60);
	return sched_switches();
}

static void
test_fiber_determinism(void **state)
{
	static const uint8_t b1[] = { 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9,
	    7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7 };
	static const uint8_t zero[64];
	unsigned int t1[60], t2[60], t3[60];
	uint64_t s1, s2, s3;
	int i;

	s1 = run_trace(b1, sizeof(b1), 42, t1);
	s2 = run_trace(b1, sizeof(b1), 42, t2);
	assert_int_equal(s1, s2);
	assert_memory_equal(t1, t2, sizeof(t1));
	/* bytes all 0: always the lowest runnable id, cpu0 runs first */
	s3 = run_trace(zero, sizeof(zero), 42, t3);
	for (i = 0; i < 20; i++)
		assert_int_equal(t3[i], 0);
	assert_true(s3 > 0);
	/* other bytes, or another seed once bytes run out, differ */
	s3 = run_trace(b1, 4, 43, t3);
	s2 = run_trace(b1, 4, 44, t2);
	assert_true(s3 != s2 || memcmp(t2, t3, sizeof(t2)) != 0);
}

/* sleep/wakeup between fibers, and a timed sleep nobody ends */
static int	chan, flag;

static void
cpu_sleepers(int cpu, void *arg)
{
	if (cpu == 0) {
		rw_enter(&share_lk, RW_WRITE);
		while (!__atomic_load_n(&flag, __ATOMIC_RELAXED))
			assert_int_equal(rwsleep_nsec(&chan, &share_lk, 0,
			    "wait", K_INFSLP), 0);
		rw_exit(&share_lk);
		assert_int_equal(tsleep_nsec(&flag, 0, "tmo", 1000000),
		    K_EWOULDBLOCK);
	} else {
		rw_enter(&share_lk, RW_WRITE);
		__atomic_store_n(&flag, 1, __ATOMIC_RELAXED);
		wakeup(&chan);
		rw_exit(&share_lk);
	}
}

static void
test_fiber_sleep_wakeup(void **state)
{
	struct sched_config c = fibers(2, NULL, 0, 3);
	uint8_t b[2] = { 0, 0 };
	int seed;

	for (seed = 0; seed < 8; seed++) {
		c = fibers(2, b, seed & 1 ? 2 : 0, seed);
		rw_init(&share_lk, "uobjlk");
		flag = 0;
		assert_int_equal(sched_run(&c, cpu_sleepers, NULL), SCHED_DONE);
	}
}

/* two CPUs take two map locks in opposite orders: a deadlock */
static void
cpu_abba(int cpu, void *arg)
{
	struct rwlock *first = cpu == 0 ? &lk_a : &lk_b;
	struct rwlock *second = cpu == 0 ? &lk_b : &lk_a;

	rw_enter(first, RW_WRITE);
	preempt();
	rw_enter(second, RW_WRITE);
	rw_exit(second);
	rw_exit(first);
}

static void
child_abba(void)
{
	/* cpu0 takes A, switches at its preempt to cpu1 which takes B */
	static const uint8_t b[] = { 0, 0, 1, 1, 1, 1 };
	struct sched_config c = fibers(2, b, sizeof(b), 0);

	rw_init(&lk_a, "vmmaplk");	/* same class: witness is silent */
	rw_init(&lk_b, "vmmaplk");
	sched_run(&c, cpu_abba, NULL);
}

static void
test_fiber_deadlock(void **state)
{
	char msg[4096], want[128];

	assert_int_equal(in_child(child_abba, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "deadlock: no CPU can run"));
	rw_init(&lk_a, "vmmaplk");	/* the child's addresses are ours */
	rw_init(&lk_b, "vmmaplk");
	snprintf(want, sizeof(want), "cpu0: waits for rwlock \"vmmaplk\"@%p "
	    "write-held by cpu1", (void *)&lk_b);
	assert_non_null(strstr(msg, want));
	snprintf(want, sizeof(want), "cpu1: waits for rwlock \"vmmaplk\"@%p "
	    "write-held by cpu0", (void *)&lk_a);
	assert_non_null(strstr(msg, want));
	assert_non_null(strstr(msg, "holds vmmaplk(rwlock@"));
}

/* a livelock: cpu0 spins waiting for cpu1, which never comes */
static void
cpu_spin(int cpu, void *arg)
{
	if (cpu == 0)
		for (;;)
			preempt();
}

static void
test_fiber_steplimit(void **state)
{
	struct sched_config c = fibers(2, NULL, 0, 5);

	c.max_steps = 5000;
	assert_int_equal(sched_run(&c, cpu_spin, NULL), SCHED_STEPLIMIT);
	/* the fibers are rebuilt: the next run is normal */
	c.max_steps = 0;
	rw_init(&share_lk, "amaplk");
	max_readers = 0;
	assert_int_equal(sched_run(&c, cpu_readers, NULL), SCHED_DONE);
}

/* KERNEL_LOCK is dropped while sleeping on an rwlock */
static void
cpu_kl(int cpu, void *arg)
{
	if (cpu == 0) {
		_kernel_lock(__FILE__, __LINE__);
		rw_enter(&share_lk, RW_WRITE);	/* cpu1 holds it */
		assert_true(_kernel_lock_held());
		rw_exit(&share_lk);
		_kernel_unlock();
	} else {
		rw_enter(&share_lk, RW_WRITE);
		preempt();
		_kernel_lock(__FILE__, __LINE__);
		_kernel_unlock();
		rw_exit(&share_lk);
	}
}

static void
test_fiber_kernel_lock_sleep(void **state)
{
	/* cpu1 first and takes the lock; at its preempt cpu0 runs */
	static const uint8_t b[] = { 1, 1, 0, 0, 0 };
	struct sched_config c = fibers(2, b, sizeof(b), 9);

	rw_init(&share_lk, "vmmaplk");
	assert_int_equal(sched_run(&c, cpu_kl, NULL), SCHED_DONE);
	assert_false(_kernel_lock_held());
}

/*
 * sleep_io (the model of biowait) releases KERNEL_LOCK, at any depth,
 * for the I/O and takes it back.  cpu1 sleeps until cpu0 has started
 * its I/O (or finished it), then takes KERNEL_LOCK.  When the schedule
 * switches to cpu1 during the I/O, cpu1 gets the lock while cpu0 is
 * still inside sleep_io (cpu0 cannot leave it without the lock); when
 * it lets the I/O end at once, cpu1 gets it afterwards.  Were the I/O a
 * plain preemption point with the lock held, no schedule could give
 * cpu1 the lock during it.
 */
static int	io_state;	/* 0 before cpu0's I/O, 1 in it, 2 after */
static int	io_seen;	/* io_state when cpu1 got KERNEL_LOCK */

static void
io_set(int state)
{
	rw_enter(&share_lk, RW_WRITE);
	__atomic_store_n(&io_state, state, __ATOMIC_RELAXED);
	wakeup(&io_state);
	rw_exit(&share_lk);
}

static void
cpu_io(int cpu, void *arg)
{
	if (cpu == 0) {
		_kernel_lock(__FILE__, __LINE__);
		_kernel_lock(__FILE__, __LINE__);
		io_set(1);
		sleep_io(&chan, "biowait");
		assert_true(_kernel_lock_held());
		io_set(2);
		_kernel_unlock();
		assert_true(_kernel_lock_held());	/* depth 2 restored */
		_kernel_unlock();
	} else {
		rw_enter(&share_lk, RW_WRITE);
		while (__atomic_load_n(&io_state, __ATOMIC_RELAXED) == 0)
			assert_int_equal(rwsleep_nsec(&io_state, &share_lk, 0,
			    "wait", K_INFSLP), 0);
		rw_exit(&share_lk);
		_kernel_lock(__FILE__, __LINE__);
		io_seen = __atomic_load_n(&io_state, __ATOMIC_RELAXED);
		_kernel_unlock();
	}
}

static void
test_fiber_sleep_io(void **state)
{
	struct sched_config c;
	int seed, during = 0;

	for (seed = 0; seed < 16; seed++) {
		c = fibers(2, NULL, 0, seed);
		rw_init(&share_lk, "uobjlk");
		io_state = io_seen = 0;
		assert_int_equal(sched_run(&c, cpu_io, NULL), SCHED_DONE);
		assert_true(io_seen == 1 || io_seen == 2);
		during += io_seen == 1;
		assert_false(_kernel_lock_held());
	}
	assert_true(during > 0);
}

/* ---- threads ---- */

static long	counter;

static void
cpu_count(int cpu, void *arg)
{
	int i;

	for (i = 0; i < 2000; i++) {
		rw_enter(&share_lk, RW_WRITE);
		counter++;
		rw_exit(&share_lk);
		if (i % 100 == 0) {
			rw_enter(&share_lk, RW_READ);
			preempt();
			rw_exit(&share_lk);
		}
	}
}

static void
test_threads(void **state)
{
	struct sched_config c = { .ncpu = 4, .backend = SCHED_THREADS };
	int run;

	rw_init(&share_lk, "amaplk");
	for (run = 0; run < 3; run++) {
		counter = 0;
		assert_int_equal(sched_run(&c, cpu_count, NULL), SCHED_DONE);
		assert_int_equal(counter, 8000);
	}
	c.ncpu = 2;
	flag = 0;
	rw_init(&share_lk, "uobjlk");
	assert_int_equal(sched_run(&c, cpu_sleepers, NULL), SCHED_DONE);
}

/* ---- per-CPU counters ---- */

static struct cpumem *cm;

static void
cpu_counters(int cpu, void *arg)
{
	int i;

	for (i = 0; i < 100; i++) {
		counters_inc(cm, 0);
		counters_add(cm, 2, 3);
		preempt();
	}
	counters_dec(cm, 0);
}

static void
test_percpu(void **state)
{
	struct sched_config c = fibers(3, NULL, 0, 11);
	uint64_t out[3];

	cm = counters_alloc(3);
	assert_int_equal(sched_run(&c, cpu_counters, NULL), SCHED_DONE);
	counters_read(cm, out, 3, NULL);
	assert_int_equal(out[0], 297);
	assert_int_equal(out[1], 0);
	assert_int_equal(out[2], 900);
	counters_zero(cm, 3);
	counters_read(cm, out, 3, NULL);
	assert_int_equal(out[2], 0);
	counters_free(cm, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rw_misuse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_mtx_kl_misuse, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_held_since, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_witness_reversal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_witness_transitive_dupok,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_sleep_solo, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_malloc_pool, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_inject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fiber_read_sharing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fiber_upgrade_busy, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fiber_determinism, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fiber_sleep_wakeup, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fiber_deadlock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fiber_steplimit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fiber_kernel_lock_sleep,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fiber_sleep_io, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_percpu, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
