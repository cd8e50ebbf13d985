/*
 * shims/host/host_misc.c: panic output and hook, host memory, spin
 * locks and TSan happens-before annotations for the kernel side.
 *
 * panic: prints "panic: cpuN: <message>" to stderr, keeps the message
 * for shims_last_panic(), calls the hook set by shims_set_panic_hook()
 * on the panicking CPU's own stack (a test may longjmp out of it when
 * it panicked outside sched_run), then abort()s.  A panic while
 * formatting a panic aborts at once; with threads, a second CPU that
 * panics while the first one reports waits for the abort.
 */

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"

#if defined(HOST_TSAN)
#include <sanitizer/tsan_interface.h>
#endif

static shims_panic_hook	panic_hook;
static char		panic_msg[4096];
static int		panic_owner = -1;	/* [atomic] os thread panicking */
static __thread int	panic_depth;

HOST_NOTSAN void
shims_set_panic_hook(shims_panic_hook hook)
{
	panic_hook = hook;
}

HOST_NOTSAN const char *
shims_last_panic(void)
{
	return panic_msg;
}

/* sim_vpanic: the host half of panic(9); see the file comment */
HOST_NOTSAN void
sim_vpanic(const char *fmt, va_list ap)
{
	static int tickets;
	int me, expect = -1;
	shims_panic_hook hook;

	if (panic_depth++ > 0) {
		fputs("panic: recursive panic: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputs("\n", stderr);
		abort();
	}
	me = __atomic_add_fetch(&tickets, 1, __ATOMIC_RELAXED);
	if (!__atomic_compare_exchange_n(&panic_owner, &expect, me, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) && sim_threads()) {
		/* another thread is reporting its panic: let it abort */
		for (;;)
			pause();
	}
	vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
	fprintf(stderr, "panic: cpu%d: %s\n",
	    __atomic_load_n(&host_curid, __ATOMIC_RELAXED), panic_msg);
	fflush(stderr);
	hook = panic_hook;
	panic_depth = 0;
	__atomic_store_n(&panic_owner, -1, __ATOMIC_RELEASE);
	if (hook != NULL)
		hook(panic_msg);
	abort();
}

HOST_NOTSAN int
sim_vsnprintf(char *buf, size_t len, const char *fmt, va_list ap)
{
	return vsnprintf(buf, len, fmt, ap);
}

HOST_NOTSAN void
sim_puts(const char *s)
{
	fputs(s, stderr);
}

/* sim_malloc: host memory; running out of it is fatal */
HOST_NOTSAN void *
sim_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL) {
		fprintf(stderr, "uvmfuzz: out of host memory (%zu bytes)\n",
		    size);
		abort();
	}
	return p;
}

HOST_NOTSAN void
sim_free(void *p)
{
	free(p);
}

/*
 * sim_spin_lock: a test-and-set lock with relaxed atomics and compiler
 * barriers.  TSan models no happens-before through it (the data it
 * protects is itself accessed with relaxed atomics); on amd64 the
 * locked exchange is a full barrier anyway.
 */
HOST_NOTSAN void
sim_spin_lock(volatile int *p)
{
	while (__atomic_exchange_n(p, 1, __ATOMIC_RELAXED) != 0)
		sched_yield();
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

HOST_NOTSAN void
sim_spin_unlock(volatile int *p)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(p, 0, __ATOMIC_RELAXED);
}

/* sim_hb_acquire/release: the happens-before of a real lock or wakeup */
HOST_NOTSAN void
sim_hb_acquire(const volatile void *addr)
{
#if defined(HOST_TSAN)
	__tsan_acquire((void *)(uintptr_t)addr);
#else
	(void)addr;
#endif
}

HOST_NOTSAN void
sim_hb_release(const volatile void *addr)
{
#if defined(HOST_TSAN)
	__tsan_release((void *)(uintptr_t)addr);
#else
	(void)addr;
#endif
}

#if defined(HOST_TSAN)
/*
 * __tsan_default_suppressions: TSan asks for built-in suppressions.
 * clang-14 lets TSan instrument the stores to SanitizerCoverage's inline
 * 8-bit counters (-fsanitize=fuzzer-no-link), and simulated CPUs (fibers
 * switched with no_sync, or threads) bump the same counters without a
 * happens-before edge: false races on libFuzzer's bookkeeping.  The
 * counters have no symbol of their own; the symbolizer names them after
 * the nearest preceding one, __TMC_END__ (crtend's marker), or the
 * section.  Only races on those locations are suppressed.
 */
const char *__tsan_default_suppressions(void);

/* called while TSan initialises: must not be instrumented */
HOST_NOTSAN const char *
__tsan_default_suppressions(void)
{
	return "race:__TMC_END__\n"
	    "race:__sancov_cntrs\n"
	    "race:__start___sancov_cntrs\n";
}

/*
 * __tsan_default_options: TSan's defaults for every binary linked with
 * the shims (TSAN_OPTIONS still overrides them):
 *  - halt_on_error=1: stop at the first report (else libFuzzer goes on
 *    and writes a bogus empty crash at exit);
 *  - report_signal_unsafe=0: a panic abort()s and libFuzzer's SIGABRT
 *    handler mallocs; TSan would report that as signal-unsafe, and its
 *    report path itself deadlocks inside the handler (seen: the fuzzer
 *    hangs instead of saving the crash).
 */
const char *__tsan_default_options(void);

HOST_NOTSAN const char *
__tsan_default_options(void)
{
	return "halt_on_error=1:report_signal_unsafe=0";
}
#endif
