/*
 * shims/kern_shims.c: panic(9), the cpu_info structures, and the reset
 * between runs (shims_reset, shims_outstanding of shims/sim.h).
 *
 * panic: check.  Formats the message and hands it to the host layer,
 * which prints "panic: cpuN: <msg>", calls the run's hook and aborts.
 * printf, snprintf and the mem* routines are libc's, resolved at link
 * time (stub: nothing to model).
 *
 * cpu_info: model.  One structure per simulated CPU; curcpu() (host
 * layer) points at the one of the running fiber or thread.  ci_wchan and
 * ci_wmesg are set while the CPU sleeps; ci_sched is unused (the host
 * layer keeps its scheduler state in its own per-CPU array).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/inject.h>
#include <machine/cpu.h>

#include "shims_internal.h"
#include "sim.h"

#define CI(n)	{ .ci_cpuid = (n) }
static struct cpu_info cpu_info_store[SHIM_MAXCPUS] = {
	CI(0), CI(1), CI(2), CI(3), CI(4), CI(5), CI(6), CI(7)
};
CTASSERT(SHIM_MAXCPUS == MAXCPUS);
CTASSERT(SHIM_MAXHELD == nitems(cpu_info_store[0].ci_held));

/*
 * panic: print the message with the current CPU, call the panic hook,
 * abort.  Never returns.
 */
void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_vpanic(fmt, ap);
	/* NOTREACHED */
}

/*
 * cpu_info_get: the cpu_info of simulated CPU cpuid (0..MAXCPUS-1),
 * whether or not it runs now; NULL when out of range.
 */
struct cpu_info *
cpu_info_get(int cpuid)
{
	if (cpuid < 0 || cpuid >= SHIM_MAXCPUS)
		return NULL;
	return &cpu_info_store[cpuid];
}

/*
 * shims_cpu_exit_check: a CPU's function returned (end of its part of a
 * run): it must hold no lock.  Panics naming what it holds.
 */
void
shims_cpu_exit_check(void)
{
	struct cpu_info *ci = curcpu();
	char buf[512];

	if (SHIM_LOAD(&ci->ci_nlocks) == 0)
		return;
	shims_cpu_held_describe(ci, buf, sizeof(buf));
	panic("cpu%u: its function returned holding %d lock(s): %s",
	    ci->ci_cpuid, SHIM_LOAD(&ci->ci_nlocks), buf);
}

/*
 * shims_reset: between runs.  Disarms failure injection, forgets the
 * learned lock order, then checks that no CPU holds a lock and that no
 * kern_malloc allocation or pool item is outstanding; panics listing
 * what leaked.  => outside sched_run.
 */
void
shims_reset(void)
{
	char buf[512], mbuf[512], pbuf[512];
	long nm, np;
	int i;

	if (sim_in_run())
		panic("shims_reset called inside sched_run");
	inject_disarm_all();
	witness_reset();
	for (i = 0; i < SHIM_MAXCPUS; i++) {
		if (SHIM_LOAD(&cpu_info_store[i].ci_nlocks) == 0)
			continue;
		shims_cpu_held_describe(&cpu_info_store[i], buf, sizeof(buf));
		panic("shims_reset: cpu%d still holds %s", i, buf);
	}
	if (SHIM_LOAD(&kernel_lock.mpl_cpu) != -1)
		panic("shims_reset: kernel_lock still held by cpu%d",
		    SHIM_LOAD(&kernel_lock.mpl_cpu));
	nm = malloc_outstanding(mbuf, sizeof(mbuf));
	np = pool_outstanding(pbuf, sizeof(pbuf));
	if (nm != 0 || np != 0)
		panic("shims_reset: leak: %ld malloc(9) allocation(s) out%s%s; "
		    "%ld pool item(s) out%s%s", nm, nm ? ": " : "", mbuf, np,
		    np ? ": " : "", pbuf);
}

/* shims_outstanding: kern_malloc allocations plus pool items out */
long
shims_outstanding(void)
{
	char buf[8];

	return malloc_outstanding(buf, sizeof(buf)) +
	    pool_outstanding(buf, sizeof(buf));
}
