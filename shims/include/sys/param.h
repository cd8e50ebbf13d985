/*
 * sys/param.h: machine-independent constants (amd64 page size).
 * shims: stub (definitions only).
 */
#ifndef _SYS_PARAM_H_
#define _SYS_PARAM_H_

#include <sys/types.h>
#include <sys/errno.h>

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)	/* bytes */
#define PAGE_MASK	(PAGE_SIZE - 1)

#define trunc_page(x)	((vaddr_t)(x) & ~PAGE_MASK)
#define round_page(x)	(((vaddr_t)(x) + PAGE_MASK) & ~PAGE_MASK)
#define atop(x)		((vaddr_t)(x) >> PAGE_SHIFT)	/* bytes -> pages */
#define ptoa(x)		((vaddr_t)(x) << PAGE_SHIFT)	/* pages -> bytes */

#define MAXCPUS		8	/* simulated CPUs, including the pagedaemon */

#define min(a, b)	((a) < (b) ? (a) : (b))
#define max(a, b)	((a) > (b) ? (a) : (b))
#define MIN(a, b)	min(a, b)
#define MAX(a, b)	max(a, b)
#define howmany(x, y)	(((x) + ((y) - 1)) / (y))
#define roundup(x, y)	((((x) + ((y) - 1)) / (y)) * (y))

/* sleep priorities; only PNORELOCK changes behaviour in the shims */
#define PVM		4
#define PSWP		0
#define PNORELOCK	0x200

#define INFSLP		UINT64_MAX	/* tsleep_nsec: no timeout */
#define MSEC_TO_NSEC(ms)	((uint64_t)(ms) * 1000000ULL)

#endif /* _SYS_PARAM_H_ */
