/*
 * shims/kern_lock.c: per-CPU lock accounting (check).
 *
 * Models nothing of OpenBSD directly: it is the bookkeeping WITNESS keeps
 * per process (the list of held locks), kept per simulated CPU in
 * cpu_info.ci_held[]/ci_heldname[] so that
 *  - uvm_fault() can assert it returns holding what it held on entry
 *    (lock_held_count, lock_assert_none_held_since),
 *  - witness knows which classes are held when a lock is taken,
 *  - deadlock and leak reports can say who holds what.
 * Each entry also remembers the lock's kind and witness class (in a
 * parallel array here, as struct cpu_info has no room for them).
 *
 * Every field is written only by the CPU owning the entry and read by
 * others only for reports, through relaxed atomics (no race, no
 * happens-before for TSan).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/rwlock.h>
#include <sys/mutex.h>
#include <machine/cpu.h>

#include "shims_internal.h"

struct held_ext {
	int			 kind;		/* SIM_WAIT_* */
	struct lock_class	*cls;		/* witness class */
};

/* [own CPU, atomic] parallel to ci_held[] */
static struct held_ext held_ext[SHIM_MAXCPUS][SHIM_MAXHELD];

static const char *
kind_name(int kind)
{
	switch (kind) {
	case SIM_WAIT_RW:
		return "rwlock";
	case SIM_WAIT_MTX:
		return "mutex";
	case SIM_WAIT_KL:
		return "kernel_lock";
	}
	return "lock";
}

/*
 * lock_push: record that the current CPU now holds lk.
 * => panics when more than SHIM_MAXHELD locks would be held (a lock
 *    leak in a loop, most likely).
 */
void
lock_push(const void *lk, const char *name, int kind, struct lock_class *cls)
{
	struct cpu_info *ci = curcpu();
	int n = SHIM_LOAD(&ci->ci_nlocks);

	if (n >= SHIM_MAXHELD)
		panic("cpu%u holds too many locks (%d) taking %s \"%s\"",
		    ci->ci_cpuid, n, kind_name(kind), name);
	SHIM_STORE(&held_ext[ci->ci_cpuid][n].kind, kind);
	SHIM_STORE(&held_ext[ci->ci_cpuid][n].cls, cls);
	SHIM_STORE(&ci->ci_held[n], (void *)lk);
	SHIM_STORE(&ci->ci_heldname[n], name);
	SHIM_STORE(&ci->ci_nlocks, n + 1);
}

/*
 * lock_pop: forget the most recent entry for lk on the current CPU.
 * => panics "releasing <name> not held" when there is none.
 */
void
lock_pop(const void *lk, const char *name)
{
	struct cpu_info *ci = curcpu();
	int i, n = SHIM_LOAD(&ci->ci_nlocks);

	for (i = n - 1; i >= 0; i--)
		if (SHIM_LOAD(&ci->ci_held[i]) == lk)
			break;
	if (i < 0)
		panic("cpu%u releases lock \"%s\" (%p) it does not hold",
		    ci->ci_cpuid, name, lk);
	for (; i < n - 1; i++) {
		SHIM_STORE(&held_ext[ci->ci_cpuid][i].kind,
		    SHIM_LOAD(&held_ext[ci->ci_cpuid][i + 1].kind));
		SHIM_STORE(&held_ext[ci->ci_cpuid][i].cls,
		    SHIM_LOAD(&held_ext[ci->ci_cpuid][i + 1].cls));
		SHIM_STORE(&ci->ci_held[i], SHIM_LOAD(&ci->ci_held[i + 1]));
		SHIM_STORE(&ci->ci_heldname[i],
		    SHIM_LOAD(&ci->ci_heldname[i + 1]));
	}
	SHIM_STORE(&ci->ci_held[n - 1], NULL);
	SHIM_STORE(&ci->ci_heldname[n - 1], NULL);
	SHIM_STORE(&ci->ci_nlocks, n - 1);
}

/*
 * lock_mutex_held: name of a spin mutex (not `except') the current CPU
 * holds, or NULL.  Used to catch sleeping with a mutex held.
 */
const char *
lock_mutex_held(const void *except)
{
	struct cpu_info *ci = curcpu();
	int i, n = SHIM_LOAD(&ci->ci_nlocks);

	for (i = 0; i < n; i++)
		if (SHIM_LOAD(&held_ext[ci->ci_cpuid][i].kind) == SIM_WAIT_MTX &&
		    SHIM_LOAD(&ci->ci_held[i]) != except)
			return SHIM_LOAD(&ci->ci_heldname[i]);
	return NULL;
}

/*
 * lock_held_classes: fill cls[]/lks[] with the witness classes and
 * addresses of the locks the current CPU holds, oldest first; returns
 * how many.
 */
int
lock_held_classes(struct lock_class **cls, const void **lks, int max)
{
	struct cpu_info *ci = curcpu();
	int i, n = SHIM_LOAD(&ci->ci_nlocks);

	for (i = 0; i < n && i < max; i++) {
		cls[i] = SHIM_LOAD(&held_ext[ci->ci_cpuid][i].cls);
		lks[i] = SHIM_LOAD(&ci->ci_held[i]);
	}
	return i;
}

/* lock_reset_cpu: forget every entry of a CPU (after an abandoned run) */
void
lock_reset_cpu(int cpuid)
{
	struct cpu_info *ci = cpu_info_get(cpuid);
	int i;

	for (i = 0; i < SHIM_MAXHELD; i++) {
		SHIM_STORE(&ci->ci_held[i], NULL);
		SHIM_STORE(&ci->ci_heldname[i], NULL);
	}
	SHIM_STORE(&ci->ci_nlocks, 0);
}

/*
 * lock_held_count: the number of lock holds of the current CPU (a
 * KERNEL_LOCK recursion counts once per level).
 */
int
lock_held_count(void)
{
	return SHIM_LOAD(&curcpu()->ci_nlocks);
}

/*
 * lock_assert_none_held_since: check the current CPU holds exactly
 * `count' locks, as it did at `where''s entry; panics naming every lock
 * it holds otherwise (the F2 bug class: an error path returning locked).
 */
void
lock_assert_none_held_since(int count, const char *where)
{
	struct cpu_info *ci = curcpu();
	char buf[512];

	if (SHIM_LOAD(&ci->ci_nlocks) == count)
		return;
	shims_cpu_held_describe(ci, buf, sizeof(buf));
	panic("%s: returns holding %d lock(s), %d on entry: %s", where,
	    SHIM_LOAD(&ci->ci_nlocks), count, buf);
}

/*
 * shims_cpu_held_describe: "vmmaplk(rwlock@0x..), amaplk(...)" for the
 * locks ci holds, or "nothing".
 */
void
shims_cpu_held_describe(struct cpu_info *ci, char *buf, size_t len)
{
	size_t off = 0;
	int i, n = SHIM_LOAD(&ci->ci_nlocks);

	buf[0] = '\0';
	if (n == 0) {
		snprintf(buf, len, "nothing");
		return;
	}
	for (i = 0; i < n && off < len; i++) {
		off += snprintf(buf + off, len - off, "%s%s(%s@%p)",
		    i ? ", " : "", SHIM_LOAD(&ci->ci_heldname[i]),
		    kind_name(SHIM_LOAD(&held_ext[ci->ci_cpuid][i].kind)),
		    SHIM_LOAD(&ci->ci_held[i]));
	}
}

static void
cpus_describe(unsigned int mask, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < SHIM_MAXCPUS && off < len; i++)
		if (mask & (1U << i))
			off += snprintf(buf + off, len - off, "%scpu%d",
			    off ? "," : "", i);
}

/*
 * shims_lock_describe: what a lock is and who holds it, for deadlock
 * reports: `rwlock "vmmaplk"@0x.. write-held by cpu1'.
 */
void
shims_lock_describe(const void *lk, int kind, char *buf, size_t len)
{
	const struct rwlock *rwl;
	const struct mutex *mtx;
	char cpus[64];
	int owner;

	switch (kind) {
	case SIM_WAIT_RW:
		rwl = lk;
		owner = SHIM_LOAD(&rwl->rwl_writer);
		if (owner >= 0) {
			snprintf(buf, len, "rwlock \"%s\"@%p write-held by "
			    "cpu%d", rwl->rwl_name, lk, owner);
			return;
		}
		cpus_describe(SHIM_LOAD(&rwl->rwl_readers), cpus,
		    sizeof(cpus));
		snprintf(buf, len, "rwlock \"%s\"@%p read-held by %s",
		    rwl->rwl_name, lk, cpus[0] ? cpus : "nobody");
		return;
	case SIM_WAIT_MTX:
		mtx = lk;
		snprintf(buf, len, "mutex \"%s\"@%p held by cpu%d",
		    mtx->mtx_name, lk, SHIM_LOAD(&mtx->mtx_owner));
		return;
	case SIM_WAIT_KL:
		snprintf(buf, len, "kernel_lock held by cpu%d (depth %d)",
		    SHIM_LOAD(&kernel_lock.mpl_cpu),
		    SHIM_LOAD(&kernel_lock.mpl_count));
		return;
	}
	snprintf(buf, len, "lock@%p", lk);
}
