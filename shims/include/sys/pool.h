/*
 * sys/pool.h: pool(9) resource allocator.
 * model over the host allocator, one item per allocation (so ASan sees
 * use-after-free of pool items).  PR_NOWAIT allocations go through the
 * failure-injection point INJ_MALLOC and may return NULL; PR_WAITOK ones
 * never fail.  The pool counts items out; pool_put of an item from another
 * pool or of more items than were taken panics (check); pool_destroy with
 * items out panics (a leak between fuzz inputs).
 */
#ifndef _SYS_POOL_H_
#define _SYS_POOL_H_

#include <sys/types.h>

struct pool {
	const char	*pr_wchan;	/* name */
	size_t		 pr_size;	/* item size, bytes */
	long		 pr_nout;	/* items handed out */
	long		 pr_nget, pr_nput, pr_nfail;
};

#define PR_WAITOK	0x0001
#define PR_NOWAIT	0x0002
#define PR_LIMITFAIL	0x0004
#define PR_ZERO		0x0008
#define PR_WAITOK_ZERO	(PR_WAITOK | PR_ZERO)

void	 pool_init(struct pool *, size_t size, u_int align, int ipl, int flags,
	    const char *wchan, void *palloc);
void	 pool_destroy(struct pool *);
void	*pool_get(struct pool *, int flags);
void	 pool_put(struct pool *, void *);

#endif /* _SYS_POOL_H_ */
