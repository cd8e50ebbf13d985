/*
 * shims/subr_inject.c: failure injection points (sys/inject.h), armed
 * from the host side (inject_arm_nth, inject_arm_pattern of shims/sim.h).
 *
 * check/model in the spirit of NetBSD's fault(4) and Linux's fail_nth;
 * OpenBSD has none.  Each point counts its calls since it was last armed
 * or disarmed; an armed point fails the nth call (once) or every call
 * whose 0-based index has its bit set in a 64-bit pattern.  The counters
 * are relaxed atomics: CPUs racing for one call index each get their own
 * index, and TSan sees no synchronisation through them.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/inject.h>

#include "shims_internal.h"
#include "sim.h"

#define INJ_OFF		0
#define INJ_NTH		1
#define INJ_PATTERN	2

struct inject_state {
	int		is_mode;	/* [atomic] INJ_OFF/NTH/PATTERN */
	unsigned int	is_nth;		/* [atomic] 1 = the next call */
	uint64_t	is_pattern;	/* [atomic] bit i: call i fails */
	uint64_t	is_ncalls;	/* [atomic] calls since (dis)arming */
	uint64_t	is_nfired;	/* [atomic] failures injected */
};

static struct inject_state inject_points[INJ_NPOINTS];

static struct inject_state *
inject_point(int point, const char *fn)
{
	if (point < 0 || point >= INJ_NPOINTS)
		panic("%s: no injection point %d (0..%d)", fn, point,
		    INJ_NPOINTS - 1);
	return &inject_points[point];
}

/*
 * inject_fail: 1 if this call of `point' must fail, else 0.  Models the
 * "should I fail?" question of fault(4).
 */
int
inject_fail(enum inject_point point)
{
	struct inject_state *is = inject_point(point, "inject_fail");
	uint64_t i;
	int fail = 0;

	i = SHIM_ADD(&is->is_ncalls, 1) - 1;
	switch (SHIM_LOAD(&is->is_mode)) {
	case INJ_NTH:
		fail = (i + 1 == SHIM_LOAD(&is->is_nth));
		break;
	case INJ_PATTERN:
		fail = i < 64 && ((SHIM_LOAD(&is->is_pattern) >> i) & 1);
		break;
	}
	if (fail)
		SHIM_ADD(&is->is_nfired, 1);
	return fail;
}

static void
inject_set(struct inject_state *is, int mode, unsigned int nth,
    uint64_t pattern)
{
	SHIM_STORE(&is->is_mode, INJ_OFF);
	SHIM_STORE(&is->is_nth, nth);
	SHIM_STORE(&is->is_pattern, pattern);
	SHIM_STORE(&is->is_ncalls, 0);
	SHIM_STORE(&is->is_nfired, 0);
	SHIM_STORE(&is->is_mode, mode);
}

/* inject_arm_nth: the nth call from now (1 = next) fails, once; 0 disarms */
void
inject_arm_nth(int point, unsigned int nth)
{
	inject_set(inject_point(point, "inject_arm_nth"),
	    nth ? INJ_NTH : INJ_OFF, nth, 0);
}

/* inject_arm_pattern: call i from now (0-based, < 64) fails if bit i set */
void
inject_arm_pattern(int point, uint64_t pattern)
{
	inject_set(inject_point(point, "inject_arm_pattern"),
	    pattern ? INJ_PATTERN : INJ_OFF, 0, pattern);
}

/* inject_disarm_all: no point fails; counts start again from 0 */
void
inject_disarm_all(void)
{
	int p;

	for (p = 0; p < INJ_NPOINTS; p++)
		inject_set(&inject_points[p], INJ_OFF, 0, 0);
}

/* inject_ncalls: calls of `point' since it was last armed or disarmed */
uint64_t
inject_ncalls(int point)
{
	return SHIM_LOAD(&inject_point(point, "inject_ncalls")->is_ncalls);
}

/* inject_nfired: failures injected at `point' since then */
uint64_t
inject_nfired(int point)
{
	return SHIM_LOAD(&inject_point(point, "inject_nfired")->is_nfired);
}
