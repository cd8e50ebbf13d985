/*
 * shims/subr_pool.c: the pool(9) resource allocator.
 *
 * model over the host allocator, one host allocation per item (so ASan
 * sees use-after-free of pool items).  Each item has a 16-byte header
 * naming its pool: pool_put of an item of another pool, of a NULL or
 * foreign pointer, or twice, panics (check); so does pool_destroy with
 * items out.  PR_NOWAIT gets ask the failure-injection point INJ_MALLOC
 * and return NULL when it fires (pr_nfail counts them); PR_WAITOK ones
 * never fail, may sleep (a preemption point) and panic if a mutex is
 * held.  Initialised pools are registered so that the leak check of
 * shims_reset() can name the pools with items out.
 *
 * Deviations: no pages, caches, limits or hiwat; align, ipl, flags and
 * palloc are accepted and ignored; the counters are relaxed atomics
 * (OpenBSD's sit under pr_mtx; a mutex here would give TSan
 * happens-before edges between any two CPUs allocating).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/pool.h>
#include <sys/inject.h>

#include "shims_internal.h"

#define POOL_MAGIC	0x706f6f6cU	/* "pool" */
#define POOL_DEAD	0x64656164U
#define POOL_MAXPOOLS	64

struct pool_item_hdr {
	struct pool	*ph_pool;
	unsigned int	 ph_magic;
	unsigned int	 ph_pad;
};
CTASSERT(sizeof(struct pool_item_hdr) == 16);

static struct pool	*pool_registry[POOL_MAXPOOLS];	/* [spin] */
static volatile int	 pool_spin;

/*
 * pool_init: initialise pp for items of `size' bytes named `wchan'.
 * Models pool_init(9); re-initialising a registered pool is allowed
 * (a new boot) only when it has no items out.
 */
void
pool_init(struct pool *pp, size_t size, u_int align, int ipl, int flags,
    const char *wchan, void *palloc)
{
	int i, slot = -1;

	sim_spin_lock(&pool_spin);
	for (i = 0; i < POOL_MAXPOOLS; i++) {
		if (SHIM_LOAD(&pool_registry[i]) == pp) {
			if (SHIM_LOAD(&pp->pr_nout) != 0) {
				sim_spin_unlock(&pool_spin);
				panic("pool_init: pool \"%s\" re-initialised "
				    "with %ld items out", pp->pr_wchan,
				    pp->pr_nout);
			}
			slot = i;
			break;
		}
		if (slot < 0 && SHIM_LOAD(&pool_registry[i]) == NULL)
			slot = i;
	}
	if (slot < 0) {
		sim_spin_unlock(&pool_spin);
		panic("pool_init: more than %d pools (\"%s\")", POOL_MAXPOOLS,
		    wchan);
	}
	pp->pr_wchan = wchan;
	pp->pr_size = size;
	SHIM_STORE(&pp->pr_nout, 0);
	SHIM_STORE(&pp->pr_nget, 0);
	SHIM_STORE(&pp->pr_nput, 0);
	SHIM_STORE(&pp->pr_nfail, 0);
	SHIM_STORE(&pool_registry[slot], pp);
	sim_spin_unlock(&pool_spin);
}

/*
 * pool_destroy: forget pp.  => no item out (panics: a leak).
 */
void
pool_destroy(struct pool *pp)
{
	int i;

	if (SHIM_LOAD(&pp->pr_nout) != 0)
		panic("pool_destroy: pool \"%s\" has %ld item(s) out",
		    pp->pr_wchan, SHIM_LOAD(&pp->pr_nout));
	sim_spin_lock(&pool_spin);
	for (i = 0; i < POOL_MAXPOOLS; i++)
		if (SHIM_LOAD(&pool_registry[i]) == pp)
			SHIM_STORE(&pool_registry[i], NULL);
	sim_spin_unlock(&pool_spin);
}

/*
 * pool_get: an item of pp.  flags: PR_WAITOK (never fails; may sleep, so
 * no mutex may be held) or PR_NOWAIT (NULL when injection fires),
 * optionally PR_ZERO, PR_LIMITFAIL (accepted).
 */
void *
pool_get(struct pool *pp, int flags)
{
	struct pool_item_hdr *ph;
	const char *mname;

	if (((flags & PR_WAITOK) != 0) == ((flags & PR_NOWAIT) != 0))
		panic("pool_get: pool \"%s\": flags 0x%x need exactly one of "
		    "PR_WAITOK and PR_NOWAIT", pp->pr_wchan, flags);
	if (flags & PR_WAITOK) {
		if ((mname = lock_mutex_held(NULL)) != NULL)
			panic("pool_get(\"%s\", PR_WAITOK) may sleep with "
			    "mutex \"%s\" held", pp->pr_wchan, mname);
		sim_yield();
	} else if (inject_fail(INJ_MALLOC)) {
		SHIM_ADD(&pp->pr_nfail, 1);
		return NULL;
	}
	ph = sim_malloc(sizeof(*ph) + pp->pr_size);
	ph->ph_pool = pp;
	ph->ph_magic = POOL_MAGIC;
	if (flags & PR_ZERO)
		memset(ph + 1, 0, pp->pr_size);
	SHIM_ADD(&pp->pr_nout, 1);
	SHIM_ADD(&pp->pr_nget, 1);
	return ph + 1;
}

/*
 * pool_put: give item v back to pp.  Panics if v is NULL, not a live
 * item, or an item of another pool.
 */
void
pool_put(struct pool *pp, void *v)
{
	struct pool_item_hdr *ph;

	if (v == NULL)
		panic("pool_put: NULL item to pool \"%s\"", pp->pr_wchan);
	ph = (struct pool_item_hdr *)v - 1;
	if (ph->ph_magic != POOL_MAGIC)
		panic("pool_put: %p is not a live item (put twice?) of pool "
		    "\"%s\"", v, pp->pr_wchan);
	if (ph->ph_pool != pp)
		panic("pool_put: item %p of pool \"%s\" put to pool \"%s\"",
		    v, ph->ph_pool->pr_wchan, pp->pr_wchan);
	if (SHIM_ADD(&pp->pr_nout, -1) < 0)
		panic("pool_put: pool \"%s\": more items put than taken",
		    pp->pr_wchan);
	SHIM_ADD(&pp->pr_nput, 1);
	ph->ph_magic = POOL_DEAD;
	sim_free(ph);
}

/*
 * pool_outstanding: items out over all registered pools; buf gets
 * "\"amappl\": 2, \"anonpl\": 5".
 */
long
pool_outstanding(char *buf, size_t len)
{
	struct pool *pp;
	size_t off = 0;
	long n, total = 0;
	int i;

	buf[0] = '\0';
	sim_spin_lock(&pool_spin);
	for (i = 0; i < POOL_MAXPOOLS; i++) {
		if ((pp = SHIM_LOAD(&pool_registry[i])) == NULL ||
		    (n = SHIM_LOAD(&pp->pr_nout)) == 0)
			continue;
		total += n;
		if (off < len)
			off += snprintf(buf + off, len - off, "%s\"%s\": %ld",
			    off ? ", " : "", pp->pr_wchan, n);
	}
	sim_spin_unlock(&pool_spin);
	return total;
}
