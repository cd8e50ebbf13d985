/*
 * shims/subr_percpu.c: per-CPU counters, counters_alloc(9).
 *
 * model of sys/kern/subr_percpu.c: one row of n 64-bit counters per
 * simulated CPU, each row on its own cache lines.  counters_inc/dec/add
 * touch only the current CPU's row, so faults on several CPUs never race
 * on a counter (this is how OpenBSD made the uvmexp fault counters
 * MP-safe); counters_read sums the rows and belongs at a quiescent
 * point.  Row words are accessed with relaxed atomics (plain moves on
 * amd64): a read during a run is not a TSan race, and it gives no
 * happens-before either.
 *
 * Deviations: no generation numbers (counters_enter/leave); rows exist
 * for all MAXCPUS CPUs.  The memory is a kern_malloc allocation, counted
 * by the leak check: counters_free() it before shims_reset().
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/percpu.h>
#include <machine/cpu.h>

#include "shims_internal.h"

struct cpumem {
	unsigned int	cm_n;		/* [I] counters per row */
	unsigned int	cm_stride;	/* [I] row length, counters */
	uint64_t	cm_rows[];	/* [own CPU] rows */
};

static uint64_t *
counters_row(struct cpumem *cm, unsigned int c)
{
	if (c >= cm->cm_n)
		panic("counters: counter %u of %u", c, cm->cm_n);
	return &cm->cm_rows[(size_t)cpu_number() * cm->cm_stride + c];
}

/* counters_alloc: n zeroed counters per CPU; never fails (M_WAITOK) */
struct cpumem *
counters_alloc(unsigned int n)
{
	struct cpumem *cm;
	unsigned int stride = roundup(n ? n : 1, 8);

	cm = malloc(sizeof(*cm) + sizeof(uint64_t) * stride * MAXCPUS,
	    M_TEMP, M_WAITOK | M_ZERO);
	cm->cm_n = n;
	cm->cm_stride = stride;
	return cm;
}

/* counters_free: free counters allocated for n (checked) */
void
counters_free(struct cpumem *cm, unsigned int n)
{
	if (cm == NULL)
		return;
	if (n != cm->cm_n)
		panic("counters_free: %u counters freed as %u", cm->cm_n, n);
	free(cm, M_TEMP, 0);
}

/* counters_inc/dec/add: change counter c of the current CPU's row */
void
counters_inc(struct cpumem *cm, unsigned int c)
{
	uint64_t *p = counters_row(cm, c);

	SHIM_STORE(p, SHIM_LOAD(p) + 1);
}

void
counters_dec(struct cpumem *cm, unsigned int c)
{
	uint64_t *p = counters_row(cm, c);

	SHIM_STORE(p, SHIM_LOAD(p) - 1);
}

void
counters_add(struct cpumem *cm, unsigned int c, uint64_t v)
{
	uint64_t *p = counters_row(cm, c);

	SHIM_STORE(p, SHIM_LOAD(p) + v);
}

/*
 * counters_read: out[c] = the sum of counter c over every CPU, for c <
 * n (checked against the allocation).  scratch is unused (OpenBSD needs
 * it for the generation protocol) and may be NULL.
 */
void
counters_read(struct cpumem *cm, uint64_t *out, unsigned int n,
    uint64_t *scratch)
{
	unsigned int c, i;

	if (n > cm->cm_n)
		panic("counters_read: %u counters of %u", n, cm->cm_n);
	for (c = 0; c < n; c++) {
		out[c] = 0;
		for (i = 0; i < MAXCPUS; i++)
			out[c] += SHIM_LOAD(&cm->cm_rows[(size_t)i *
			    cm->cm_stride + c]);
	}
}

/* counters_zero: zero every CPU's row (quiescent point) */
void
counters_zero(struct cpumem *cm, unsigned int n)
{
	size_t i;

	for (i = 0; i < (size_t)cm->cm_stride * MAXCPUS; i++)
		SHIM_STORE(&cm->cm_rows[i], 0);
}
