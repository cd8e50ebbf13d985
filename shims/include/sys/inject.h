/*
 * sys/inject.h: failure injection points (check/model: like NetBSD's
 * fault(4) and Linux's fail_nth; OpenBSD has none).
 *
 * Code that can fail in the kernel asks inject_fail(point) and fails when
 * it answers 1.  A run arms a point from the host side (shims/sim.h):
 * fail the Nth call from now, or each call whose index's bit is set in a
 * 64-bit pattern.  Disarmed points never fail.
 */
#ifndef _SYS_INJECT_H_
#define _SYS_INJECT_H_

enum inject_point {
	INJ_MALLOC = 0,		/* malloc(M_NOWAIT), pool_get(PR_NOWAIT) */
	INJ_PAGEALLOC,		/* uvm_pagealloc */
	INJ_PMAP_ENTER,		/* pmap_enter(PMAP_CANFAIL) */
	INJ_SWAP_READ,		/* swap-in I/O error */
	INJ_PAGER_IO,		/* pager I/O answers "try again" */
	INJ_NPOINTS
};

int	inject_fail(enum inject_point);

#endif /* _SYS_INJECT_H_ */
