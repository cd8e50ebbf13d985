/*
 * shims/kern_malloc.c: malloc(9) and free(9) (kern_malloc, kern_free,
 * mallocarray).
 *
 * model over the host allocator, one host allocation per call, so ASan
 * sees overflows, use-after-free and double frees of kernel memory.  A
 * 16-byte header before each allocation records its size and type:
 * free(9) panics when the type differs or the size is not 0 and differs
 * (check), and outstanding allocations are counted per type for
 * shims_outstanding() and the leak check of shims_reset().
 *
 * M_NOWAIT allocations ask the failure-injection point INJ_MALLOC and
 * return NULL when it fires; M_WAITOK ones never fail, may sleep (a
 * preemption point) and so panic if a mutex is held (check).  Exactly
 * one of M_WAITOK and M_NOWAIT must be given (checked, as OpenBSD).
 *
 * Deviations: no per-type limits or statistics beyond the counts; the
 * header hides underflows of less than 16 bytes from ASan.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/inject.h>

#include "shims_internal.h"

#define M_NTYPES	16
#define MALLOC_MAGIC	0x6d616c6cU	/* "mall" */
#define MALLOC_DEAD	0x64656164U

struct malloc_hdr {
	size_t		mh_size;	/* bytes asked for */
	int		mh_type;	/* M_* type */
	unsigned int	mh_magic;
};
CTASSERT(sizeof(struct malloc_hdr) == 16);

static long malloc_nout[M_NTYPES];	/* [atomic] allocations out, per type */

/*
 * kern_malloc: malloc(9): size bytes of type `type'.
 * flags: M_WAITOK (never fails) or M_NOWAIT (may return NULL: failure
 * injection), optionally M_ZERO, M_CANFAIL (accepted).
 * => M_WAITOK: no mutex held (it may sleep).
 */
void *
kern_malloc(size_t size, int type, int flags)
{
	struct malloc_hdr *mh;
	const char *mname;

	if (type < 0 || type >= M_NTYPES)
		panic("malloc: bad type %d", type);
	if (((flags & M_WAITOK) != 0) == ((flags & M_NOWAIT) != 0))
		panic("malloc: flags 0x%x need exactly one of M_WAITOK and "
		    "M_NOWAIT", flags);
	if (flags & M_WAITOK) {
		if ((mname = lock_mutex_held(NULL)) != NULL)
			panic("malloc(M_WAITOK) of %zu bytes may sleep with "
			    "mutex \"%s\" held", size, mname);
		sim_yield();
	} else if (inject_fail(INJ_MALLOC))
		return NULL;
	if (size > ((size_t)1 << 40))
		panic("malloc: absurd size %zu", size);

	mh = sim_malloc(sizeof(*mh) + size);
	mh->mh_size = size;
	mh->mh_type = type;
	mh->mh_magic = MALLOC_MAGIC;
	if (flags & M_ZERO)
		memset(mh + 1, 0, size);
	SHIM_ADD(&malloc_nout[type], 1);
	return mh + 1;
}

/*
 * kern_free: free(9) of addr (NULL is ignored), allocated with `type';
 * size: the size asked for, or 0 if unknown.
 * Panics on a wrong type or size, or an address malloc did not return.
 */
void
kern_free(void *addr, int type, size_t size)
{
	struct malloc_hdr *mh;

	if (addr == NULL)
		return;
	mh = (struct malloc_hdr *)addr - 1;
	if (mh->mh_magic != MALLOC_MAGIC)
		panic("free: %p was not allocated by malloc(9) or was already "
		    "freed", addr);
	if (mh->mh_type != type)
		panic("free: %p of type %d freed as type %d", addr,
		    mh->mh_type, type);
	if (size != 0 && size != mh->mh_size)
		panic("free: %p of %zu bytes freed with size %zu (type %d)",
		    addr, mh->mh_size, size, type);
	mh->mh_magic = MALLOC_DEAD;
	SHIM_ADD(&malloc_nout[type], -1);
	sim_free(mh);
}

/*
 * mallocarray: malloc(9) of nmemb * size bytes; an overflowing product
 * returns NULL with M_CANFAIL and panics otherwise (as OpenBSD).
 */
void *
mallocarray(size_t nmemb, size_t size, int type, int flags)
{
	if (size != 0 && nmemb > SIZE_MAX / size) {
		if (flags & M_CANFAIL)
			return NULL;
		panic("mallocarray: overflow %zu * %zu", nmemb, size);
	}
	return kern_malloc(nmemb * size, type, flags);
}

/*
 * malloc_outstanding: the number of allocations not freed; buf gets
 * "type 1: 3, type 4: 1".
 */
long
malloc_outstanding(char *buf, size_t len)
{
	size_t off = 0;
	long n, total = 0;
	int t;

	buf[0] = '\0';
	for (t = 0; t < M_NTYPES; t++) {
		if ((n = SHIM_LOAD(&malloc_nout[t])) == 0)
			continue;
		total += n;
		if (off < len)
			off += snprintf(buf + off, len - off, "%stype %d: %ld",
			    off ? ", " : "", t, n);
	}
	return total;
}
