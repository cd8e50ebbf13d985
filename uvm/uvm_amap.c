/*
 * uvm_amap.c: anonymous maps (struct vm_amap), the upper layer of a map
 * entry: one anon slot per page.
 *
 * Models sys/uvm/uvm_amap.c of OpenBSD after the chunked amaps (2016) and
 * the shared amap lock (2021): slots live in chunks of UVM_AMAP_CHUNK; an
 * amap of at most UVM_AMAP_CHUNK slots embeds its chunk, a larger one has
 * a bucket hash over a TAILQ of chunks that are allocated on demand with
 * PR_NOWAIT (so amap_add can fail) and freed when they become empty.
 * Per-page reference counts (am_ppref) are run-length encoded and set up
 * on the first partial reference.  am_lock is a refcounted lock object
 * shared by the amap, its anons and every amap holding the same anons.
 *
 * Deviations:
 * - OpenBSD's one uvm_amap.c is three files here (files under ~1000
 *   lines): this one (allocation, chunks, slots, swap-off),
 *   uvm_amap_copy.c (amap_copy, amap_cow_now, amap_splitref) and
 *   uvm_amap_ref.c (amap_ref/unref, ppref, amap_wiperange); what they
 *   share is in uvm_amap_priv.h.  The invariant checker's view of an
 *   amap (amap_foreach_anon), which OpenBSD does not have, is in
 *   uvm_amap_check.c.
 * - the list of all amaps is protected by the mutex uvm.amap_list_mtx
 *   (OpenBSD: an rwlock), so amap_swap_off try-locks each amap under it.
 * - amap_free takes the amap off the amap list itself, so an amap that
 *   never got a map entry can be freed directly.
 * - amap_count exists for the leak checks between runs.
 * - amap_extend is not modelled (uvm_map never extends amaps here).
 * - amap_add replacing an anon of a shared amap removes only the unwired
 *   mappings of the old page (pmap_page_remove_unwired); OpenBSD removes
 *   them all ("XXX: PAGE MIGHT BE WIRED!"), wired mappings of entries
 *   that still hold the old anon through another amap included, which
 *   leaves those entries wired with pages unmapped.  A wired mapping of
 *   a sharer of this amap stays too: the fault handler, which holds the
 *   sharers' maps, moves it to the new page (uvmfault_sharers_rewire).
 * - amap_share_protect (fork) takes only the write right: OpenBSD
 *   reduces every mapping to the entry's protection less PROT_WRITE,
 *   which for a write-only entry is PROT_NONE and removes the mappings,
 *   wired ones of the entry's sharers included.  A -w- mapping keeps no
 *   right (pmap.c), so it stays, wired or not, and faults on access.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/pool.h>
#include <sys/atomic.h>

#include "uvm.h"
#include "uvm_amap_priv.h"

struct pool uvm_amap_pool;			/* large amaps */
struct pool uvm_small_amap_pool[UVM_AMAP_CHUNK]; /* embedded chunk of n */
struct pool uvm_amap_chunk_pool;
static char amap_small_pool_names[UVM_AMAP_CHUNK][12];
static int amap_pools_ready;

LIST_HEAD(, vm_amap) amap_list;		/* [uvm.amap_list_mtx] */

/* am_flags bit private to this file: the amap is on amap_list */
#define AMAP_ONLIST	0x80

#define AMAP_CHUNK_SIZE							\
	(sizeof(struct vm_amap_chunk) +					\
	    UVM_AMAP_CHUNK * sizeof(struct vm_anon *))

void
amap_list_insert(struct vm_amap *amap)
{
	mtx_enter(&uvm.amap_list_mtx);
	LIST_INSERT_HEAD(&amap_list, amap, am_list);
	amap->am_flags |= AMAP_ONLIST;
	mtx_leave(&uvm.amap_list_mtx);
}

static void
amap_list_remove(struct vm_amap *amap)
{
	mtx_enter(&uvm.amap_list_mtx);
	if (amap->am_flags & AMAP_ONLIST) {
		LIST_REMOVE(amap, am_list);
		amap->am_flags &= ~AMAP_ONLIST;
	}
	mtx_leave(&uvm.amap_list_mtx);
}

/*
 * amap_small_size: bytes of an amap whose embedded chunk has n slots.
 * Never less than the whole structure, so no field is ever out of bounds.
 */
static size_t
amap_small_size(int n)
{
	size_t sz;

	sz = offsetof(struct vm_amap, am_small.ac_anon) +
	    n * sizeof(struct vm_anon *);
	return (sz < sizeof(struct vm_amap) ? sizeof(struct vm_amap) : sz);
}

/*
 * amap_init: boot (or reset between runs) the amap and anon pools and the
 * amap list.  Pools left from the previous run are destroyed first, which
 * panics if an amap, chunk or anon leaked.  Models amap_init().
 * => called with no locks held, no CPU running in uvm/.
 */
void
amap_init(void)
{
	int i;

	KASSERT(lock_held_count() == 0);
	if (amap_pools_ready) {
		pool_destroy(&uvm_amap_pool);
		for (i = 0; i < UVM_AMAP_CHUNK; i++)
			pool_destroy(&uvm_small_amap_pool[i]);
		pool_destroy(&uvm_amap_chunk_pool);
	}
	pool_init(&uvm_amap_pool, sizeof(struct vm_amap), 0, IPL_MPFLOOR,
	    PR_WAITOK, "amappl", NULL);
	for (i = 0; i < UVM_AMAP_CHUNK; i++) {
		snprintf(amap_small_pool_names[i],
		    sizeof(amap_small_pool_names[i]), "amappl%d", i + 1);
		pool_init(&uvm_small_amap_pool[i], amap_small_size(i + 1), 0,
		    IPL_MPFLOOR, PR_WAITOK, amap_small_pool_names[i], NULL);
	}
	pool_init(&uvm_amap_chunk_pool, AMAP_CHUNK_SIZE, 0, IPL_MPFLOOR,
	    PR_WAITOK, "amapchunkpl", NULL);
	amap_pools_ready = 1;

	mtx_init_flags(&uvm.amap_list_mtx, IPL_MPFLOOR, "amaplstlk", 0);
	LIST_INIT(&amap_list);

	uvm_anon_init();
}

/*
 * amap_chunk_get: the chunk holding slot; with create, allocate it (zeroed,
 * with pool flags waitf) if it does not exist yet.  Returns NULL when it
 * does not exist (or cannot be allocated).
 * => amap locked, write-locked with create (or not yet published: no
 *    lock object yet, amap_alloc1).
 */
struct vm_amap_chunk *
amap_chunk_get(struct vm_amap *amap, int slot, int create, int waitf)
{
	struct vm_amap_chunk *chunk, *newchunk, *last = NULL;
	int bucket, baseslot, n;

	KASSERT(amap->am_lock == NULL || (create ?
	    rw_write_held(amap->am_lock) : rw_lock_held(amap->am_lock)));
	KASSERT(slot >= 0 && slot < amap->am_nslot);
	if (UVM_AMAP_SMALL(amap))
		return (&amap->am_small);

	bucket = UVM_AMAP_BUCKET(amap, slot);
	baseslot = AMAP_BASE_SLOT(slot);
	/* a bucket's chunks are consecutive on am_chunks, from its head */
	for (chunk = amap->am_buckets[bucket]; chunk != NULL;
	    chunk = TAILQ_NEXT(chunk, ac_list)) {
		if (UVM_AMAP_BUCKET(amap, chunk->ac_baseslot) != bucket)
			break;
		if (chunk->ac_baseslot == baseslot)
			return (chunk);
		last = chunk;
	}
	if (!create)
		return (NULL);

	n = amap->am_nslot - baseslot;
	if (n > UVM_AMAP_CHUNK)
		n = UVM_AMAP_CHUNK;
	newchunk = pool_get(&uvm_amap_chunk_pool, waitf | PR_ZERO);
	if (newchunk == NULL)
		return (NULL);
	newchunk->ac_baseslot = baseslot;
	newchunk->ac_nslot = n;

	if (last == NULL) {
		KASSERT(amap->am_buckets[bucket] == NULL);
		amap->am_buckets[bucket] = newchunk;
		TAILQ_INSERT_TAIL(&amap->am_chunks, newchunk, ac_list);
	} else
		TAILQ_INSERT_AFTER(&amap->am_chunks, last, newchunk, ac_list);
	amap->am_ncused++;
	return (newchunk);
}

/*
 * amap_chunk_free: unlink and free an (empty) chunk of a large amap; the
 * bucket head moves to the next chunk of the same bucket, if any.
 * => amap write-locked.
 */
void
amap_chunk_free(struct vm_amap *amap, struct vm_amap_chunk *chunk)
{
	struct vm_amap_chunk *next;
	int bucket;

	KASSERT(rw_write_held(amap->am_lock));
	if (UVM_AMAP_SMALL(amap))
		return;
	KASSERT(chunk->ac_usedmap == 0);

	bucket = UVM_AMAP_BUCKET(amap, chunk->ac_baseslot);
	next = TAILQ_NEXT(chunk, ac_list);
	TAILQ_REMOVE(&amap->am_chunks, chunk, ac_list);
	if (amap->am_buckets[bucket] == chunk) {
		if (next != NULL &&
		    UVM_AMAP_BUCKET(amap, next->ac_baseslot) == bucket)
			amap->am_buckets[bucket] = next;
		else
			amap->am_buckets[bucket] = NULL;
	}
	pool_put(&uvm_amap_chunk_pool, chunk);
	amap->am_ncused--;
}

/*
 * amap_hashshift: log2 of the chunks per bucket of a lazily allocated
 * amap of nchunks chunks: the smallest power of two p with p + 1 not
 * below the number of bits of nchunks (a bucket holds about as many
 * chunks as a balanced tree of chunked entries would be deep).
 */
static int
amap_hashshift(int nchunks)
{
	int bits, shift;

	for (bits = 1; (nchunks >> bits) > 0; bits++)
		continue;
	for (shift = 0; (1 << shift) + 1 < bits; shift++)
		continue;
	return (shift);
}

/*
 * amap_alloc1: allocate an amap of slots slots with am_ref 1, no lock, not
 * on the amap list.  lazyalloc: chunks come on demand (bucket hash with
 * several chunks per bucket); otherwise every chunk is allocated now, one
 * per bucket.  waitf M_WAITOK or M_NOWAIT.  NULL on failure.
 */
struct vm_amap *
amap_alloc1(int slots, int waitf, int lazyalloc)
{
	struct vm_amap *amap;
	struct vm_amap_chunk *chunk, *tmp;
	int pwaitf = (waitf & M_WAITOK) ? PR_WAITOK : PR_NOWAIT;
	int nchunks, shift = 0, nbuckets, i;

	KASSERT(slots > 0);
	nchunks = howmany((unsigned int)slots, UVM_AMAP_CHUNK);
	if (lazyalloc)
		shift = amap_hashshift(nchunks);

	if (slots <= UVM_AMAP_CHUNK)
		amap = pool_get(&uvm_small_amap_pool[slots - 1],
		    pwaitf | PR_ZERO);
	else
		amap = pool_get(&uvm_amap_pool, pwaitf | PR_ZERO);
	if (amap == NULL)
		return (NULL);

	amap->am_lock = NULL;
	amap->am_ref = 1;
	amap->am_flags = 0;
	amap->am_ppref = NULL;
	amap->am_nslot = slots;
	amap->am_nused = 0;
	if (UVM_AMAP_SMALL(amap)) {
		/* BUGS.md O6: the embedded chunk's slot count */
		amap->am_small.ac_baseslot = 0;
		amap->am_small.ac_usedmap = 0;
		amap->am_small.ac_nslot = slots;
		TAILQ_NEXT(&amap->am_small, ac_list) = NULL;
		return (amap);
	}

	TAILQ_INIT(&amap->am_chunks);
	amap->am_ncused = 0;
	amap->am_hashshift = shift;
	nbuckets = howmany(nchunks, 1 << shift);
	amap->am_buckets = mallocarray(nbuckets, sizeof(*amap->am_buckets),
	    M_UVMAMAP, waitf | M_ZERO);
	if (amap->am_buckets == NULL)
		goto fail;
	amap->am_nbuckets = nbuckets;

	if (!lazyalloc) {
		for (i = 0; i < nbuckets; i++) {
			chunk = amap_chunk_get(amap, i * UVM_AMAP_CHUNK, 1,
			    pwaitf);
			if (chunk == NULL)
				goto fail;
		}
	}
	return (amap);

fail:
	TAILQ_FOREACH_SAFE(chunk, &amap->am_chunks, ac_list, tmp)
		pool_put(&uvm_amap_chunk_pool, chunk);
	if (amap->am_buckets != NULL)
		free(amap->am_buckets, M_UVMAMAP,
		    nbuckets * sizeof(*amap->am_buckets));
	pool_put(&uvm_amap_pool, amap);
	return (NULL);
}

/*
 * amap_alloc: a new amap for sz bytes (sz / PAGE_SIZE slots) with am_ref
 * 1, a new lock object "amaplk", on the amap list.  waitf M_WAITOK or
 * M_NOWAIT; lazyalloc: chunks allocated on first use.  Returns NULL when
 * an M_NOWAIT allocation fails.  Models amap_alloc().
 * => returned unlocked.
 */
struct vm_amap *
amap_alloc(vaddr_t sz, int waitf, int lazyalloc)
{
	struct vm_amap *amap;
	vaddr_t slots;

	AMAP_B2SLOT(slots, sz);
	if (slots == 0 || slots > 0x7fffffff)
		return (NULL);

	amap = amap_alloc1((int)slots, waitf, lazyalloc);
	if (amap != NULL) {
		rw_obj_alloc(&amap->am_lock, "amaplk");
		amap_list_insert(amap);
	}
	return (amap);
}

/*
 * amap_free: free an amap that has no reference and no anon, its chunks,
 * ppref, and its reference to the lock object.  Models amap_free().
 * => amap unlocked (its lock object may be shared and held by nobody
 *    else; freeing a held lock would panic).
 */
void
amap_free(struct vm_amap *amap)
{
	struct vm_amap_chunk *chunk, *tmp;

	KASSERT(amap->am_ref == 0 && amap->am_nused == 0);
	KASSERT((amap->am_flags & AMAP_SWAPOFF) == 0);

	amap_list_remove(amap);
	if (amap->am_lock != NULL) {
		KASSERT(!rw_lock_held(amap->am_lock));
		rw_obj_free(amap->am_lock);
		amap->am_lock = NULL;
	}
	if (amap->am_ppref != NULL && amap->am_ppref != PPREF_NONE)
		free(amap->am_ppref, M_UVMAMAP, amap->am_nslot * sizeof(int));

	if (UVM_AMAP_SMALL(amap)) {
		pool_put(&uvm_small_amap_pool[amap->am_nslot - 1], amap);
		return;
	}
	TAILQ_FOREACH_SAFE(chunk, &amap->am_chunks, ac_list, tmp)
		pool_put(&uvm_amap_chunk_pool, chunk);
	free(amap->am_buckets, M_UVMAMAP,
	    amap->am_nbuckets * sizeof(*amap->am_buckets));
	pool_put(&uvm_amap_pool, amap);
}

/*
 * amap_wipeout: drop the amap's reference of every anon (freeing those
 * that reach an_ref 0), then free the amap.  Called by amap_unref for the
 * last reference.  If amap_swap_off is working on the amap it only
 * unlocks: amap_swap_off calls us again.  Models amap_wipeout().
 * => amap write-locked, am_ref == 0; returns with the lock released.
 */
void
amap_wipeout(struct vm_amap *amap)
{
	struct vm_amap_chunk *chunk;
	struct vm_anon *anon;
	int map, i, slot;

	KASSERT(rw_write_held(amap->am_lock));
	KASSERT(amap->am_ref == 0);

	if (__predict_false((amap->am_flags & AMAP_SWAPOFF) != 0)) {
		amap_unlock(amap);
		return;
	}
	amap_list_remove(amap);

	AMAP_CHUNK_FOREACH(chunk, amap) {
		map = chunk->ac_usedmap;
		for (i = amap_ffs(map); i != 0; i = amap_ffs(map)) {
			slot = i - 1;
			map ^= 1 << slot;
			anon = chunk->ac_anon[slot];
			if (anon == NULL || anon->an_ref == 0)
				panic("amap_wipeout: corrupt amap %p slot %d",
				    amap, chunk->ac_baseslot + slot);
			KASSERT(anon->an_lock == amap->am_lock);
			chunk->ac_anon[slot] = NULL;
			if (--anon->an_ref == 0)
				uvm_anfree(anon);
		}
		chunk->ac_usedmap = 0;
	}
	amap->am_nused = 0;
	amap_unlock(amap);
	amap_free(amap);
}

/*
 * amap_swap_off: page in every anon whose swap slot is in [startslot,
 * endslot) and drop its slot.  Walks the amap list with a marker; amaps
 * are try-locked under the list mutex (a busy one makes us back off and
 * retry).  Returns TRUE if it gave up: a page-in had to drop the lock
 * and the pagedaemon pass uvm_wait ran could not make room
 * (uvmexp.swapfull; the model's deviation: OpenBSD's uvm_anon_pagein
 * waits for memory forever).  Models amap_swap_off().
 * => called with swap_syscall_lock write-held (uvm_swap_off), nothing
 *    else.
 */
boolean_t
amap_swap_off(int startslot, int endslot)
{
	struct vm_amap *am, *am_next, marker;
	struct vm_amap_chunk *chunk;
	struct vm_anon *anon;
	boolean_t rv = FALSE;
	int i, map, slot;

	KASSERT(uvm_swap_syscall_held() && lock_held_count() == 1);
	memset(&marker, 0, sizeof(marker));
	mtx_enter(&uvm.amap_list_mtx);
	for (am = LIST_FIRST(&amap_list); am != NULL && !rv; am = am_next) {
		if (am == &marker || am->am_lock == NULL) {
			am_next = LIST_NEXT(am, am_list);
			continue;
		}
		if (rw_enter(am->am_lock, RW_WRITE | RW_NOSLEEP) != 0) {
			/* busy: let its holder run, then try it again */
			LIST_INSERT_BEFORE(am, &marker, am_list);
			mtx_leave(&uvm.amap_list_mtx);
			preempt();
			mtx_enter(&uvm.amap_list_mtx);
			am_next = LIST_NEXT(&marker, am_list);
			LIST_REMOVE(&marker, am_list);
			continue;
		}
		if (am->am_nused == 0) {
			amap_unlock(am);
			am_next = LIST_NEXT(am, am_list);
			continue;
		}
		LIST_INSERT_AFTER(am, &marker, am_list);
		mtx_leave(&uvm.amap_list_mtx);
again:
		AMAP_CHUNK_FOREACH(chunk, am) {
			map = chunk->ac_usedmap;
			for (i = amap_ffs(map); i != 0; i = amap_ffs(map)) {
				slot = i - 1;
				map ^= 1 << slot;
				anon = chunk->ac_anon[slot];
				if (anon->an_swslot < startslot ||
				    anon->an_swslot >= endslot ||
				    anon->an_swslot <= 0)
					continue;
				am->am_flags |= AMAP_SWAPOFF;
				if (!uvm_anon_pagein(am, anon)) {
					/*
					 * In memory, no slot, locked; but the
					 * swap read dropped the lock, and the
					 * last reference may have gone then
					 * (amap_wipeout deferred to us).
					 */
					am->am_flags &= ~AMAP_SWAPOFF;
					if (amap_refs(am) == 0) {
						amap_wipeout(am);
						am = NULL;
						goto next;
					}
					goto again;
				}
				/* the lock was dropped: relock, restart */
				amap_lock(am, RW_WRITE);
				am->am_flags &= ~AMAP_SWAPOFF;
				if (amap_refs(am) == 0) {
					amap_wipeout(am);
					am = NULL;
					goto next;
				}
				if (atomic_load_int(&uvmexp.swapfull) != 0) {
					rv = TRUE;
					goto next;
				}
				goto again;
			}
		}
next:
		if (am != NULL)
			amap_unlock(am);
		mtx_enter(&uvm.amap_list_mtx);
		am_next = LIST_NEXT(&marker, am_list);
		LIST_REMOVE(&marker, am_list);
	}
	mtx_leave(&uvm.amap_list_mtx);
	return (rv);
}

/*
 * amap_lookup: the anon in the slot at byte offset off of aref, or NULL.
 * Models amap_lookup().
 * => amap locked (read or write).
 */
struct vm_anon *
amap_lookup(struct vm_aref *aref, vaddr_t off)
{
	struct vm_amap *amap = aref->ar_amap;
	struct vm_amap_chunk *chunk;
	int slot;

	KASSERT(rw_lock_held(amap->am_lock));
	AMAP_B2SLOT(slot, off);
	slot += aref->ar_pageoff;
	KASSERT(slot >= 0 && slot < amap->am_nslot);

	chunk = amap_chunk_get(amap, slot, 0, PR_NOWAIT);
	if (chunk == NULL)
		return (NULL);
	return (chunk->ac_anon[UVM_AMAP_SLOTIDX(slot)]);
}

/*
 * amap_lookups: the anons of npages slots from byte offset off of aref
 * into anons[] (NULL for empty slots).  Models amap_lookups().
 * => amap locked (read or write).
 */
void
amap_lookups(struct vm_aref *aref, vaddr_t off, struct vm_anon **anons,
    int npages)
{
	struct vm_amap *amap = aref->ar_amap;
	struct vm_amap_chunk *chunk;
	int i, lcv, n, slot;

	KASSERT(rw_lock_held(amap->am_lock));
	AMAP_B2SLOT(slot, off);
	slot += aref->ar_pageoff;
	KASSERT(npages > 0 && slot >= 0 && slot + npages <= amap->am_nslot);

	for (i = 0, lcv = slot; lcv < slot + npages; i += n, lcv += n) {
		n = UVM_AMAP_CHUNK - UVM_AMAP_SLOTIDX(lcv);
		if (lcv + n > slot + npages)
			n = slot + npages - lcv;
		chunk = amap_chunk_get(amap, lcv, 0, PR_NOWAIT);
		if (chunk == NULL)
			memset(&anons[i], 0, n * sizeof(*anons));
		else
			memcpy(&anons[i],
			    &chunk->ac_anon[UVM_AMAP_SLOTIDX(lcv)],
			    n * sizeof(*anons));
	}
}

/*
 * amap_populate: make sure the chunk for byte offset off of aref exists,
 * allocating it with PR_WAITOK (never fails), so that a following
 * amap_add of that slot cannot fail.  Models amap_populate().
 * => amap write-locked.
 */
void
amap_populate(struct vm_aref *aref, vaddr_t off)
{
	struct vm_amap *amap = aref->ar_amap;
	struct vm_amap_chunk *chunk;
	int slot;

	KASSERT(rw_write_held(amap->am_lock));
	AMAP_B2SLOT(slot, off);
	slot += aref->ar_pageoff;
	KASSERT(slot >= 0 && slot < amap->am_nslot);

	chunk = amap_chunk_get(amap, slot, 1, PR_WAITOK);
	KASSERT(chunk != NULL);
}

/*
 * amap_add: put anon in the slot at byte offset off of aref.  replace:
 * the slot holds an anon that anon replaces (the caller drops its
 * reference); on a shared amap the old page's unwired mappings are
 * removed so no sharer keeps seeing it (BUGS.md M7; the wired ones stay
 * for the caller to move, see the file header).  Returns 0, or ENOMEM
 * when the slot's chunk cannot be allocated (the amap is unchanged).
 * Models amap_add() (which returns 1 on failure).
 * => amap write-locked; anon->an_lock == am_lock.
 */
int
amap_add(struct vm_aref *aref, vaddr_t off, struct vm_anon *anon,
    boolean_t replace)
{
	struct vm_amap *amap = aref->ar_amap;
	struct vm_amap_chunk *chunk;
	struct vm_anon *oanon;
	int slot;

	KASSERT(rw_write_held(amap->am_lock));
	KASSERT(anon != NULL && anon->an_lock == amap->am_lock);
	AMAP_B2SLOT(slot, off);
	slot += aref->ar_pageoff;
	KASSERT(slot >= 0 && slot < amap->am_nslot);

	chunk = amap_chunk_get(amap, slot, 1, PR_NOWAIT);
	if (chunk == NULL)
		return (ENOMEM);

	slot = UVM_AMAP_SLOTIDX(slot);
	if (replace) {
		oanon = chunk->ac_anon[slot];
		KASSERT(oanon != NULL);
		KASSERT(chunk->ac_usedmap & (1 << slot));
		if (oanon->an_page != NULL &&
		    (amap->am_flags & AMAP_SHARED) != 0)
			pmap_page_remove_unwired(oanon->an_page);
	} else {
		if (chunk->ac_anon[slot] != NULL)
			panic("amap_add: slot in use");
		chunk->ac_usedmap |= 1 << slot;
		amap->am_nused++;
	}
	chunk->ac_anon[slot] = anon;
	return (0);
}

/*
 * amap_unadd: empty the slot at byte offset off of aref (the caller owns
 * the anon's reference); an emptied chunk is freed.  Models amap_unadd().
 * => amap write-locked.
 */
void
amap_unadd(struct vm_aref *aref, vaddr_t off)
{
	struct vm_amap *amap = aref->ar_amap;
	struct vm_amap_chunk *chunk;
	int slot;

	KASSERT(rw_write_held(amap->am_lock));
	AMAP_B2SLOT(slot, off);
	slot += aref->ar_pageoff;
	KASSERT(slot >= 0 && slot < amap->am_nslot);
	chunk = amap_chunk_get(amap, slot, 0, PR_NOWAIT);
	KASSERT(chunk != NULL);

	slot = UVM_AMAP_SLOTIDX(slot);
	KASSERT(chunk->ac_anon[slot] != NULL);
	chunk->ac_anon[slot] = NULL;
	chunk->ac_usedmap &= ~(1 << slot);
	amap->am_nused--;
	if (chunk->ac_usedmap == 0)
		amap_chunk_free(amap, chunk);
}

/*
 * amap_share_protect: write-protect every mapping of the resident pages
 * of entry's slots (with pmap_page_protect: the maps sharing the amap
 * cannot be found from it); prot (without PROT_WRITE) is entry's
 * protection less PROT_WRITE, only the write right is taken (see the
 * file header).  The caller holds entry's map.  Models
 * amap_share_protect().
 * => amap write-locked.
 */
void
amap_share_protect(struct vm_map_entry *entry, vm_prot_t prot)
{
	struct vm_amap *amap = entry->aref.ar_amap;
	struct vm_amap_chunk *chunk;
	int slots, start, stop, i, slot;

	KASSERT(rw_write_held(amap->am_lock));
	KASSERT((prot & PROT_WRITE) == 0);
	prot |= PROT_READ | PROT_EXEC;		/* never PROT_NONE */
	AMAP_B2SLOT(slots, entry->end - entry->start);
	start = entry->aref.ar_pageoff;
	stop = start + slots;

	AMAP_CHUNK_FOREACH(chunk, amap) {
		if (chunk->ac_baseslot + chunk->ac_nslot <= start ||
		    chunk->ac_baseslot >= stop)
			continue;
		for (i = 0; i < chunk->ac_nslot; i++) {
			slot = chunk->ac_baseslot + i;
			if (slot < start || slot >= stop ||
			    chunk->ac_anon[i] == NULL)
				continue;
			if (chunk->ac_anon[i]->an_page != NULL)
				pmap_page_protect(chunk->ac_anon[i]->an_page,
				    prot);
		}
	}
}

/*
 * amap_count: the number of amaps on the amap list (every amap in use by
 * a map entry).  For the leak check between runs.
 * => uvm.amap_list_mtx not held (taken here).
 */
int
amap_count(void)
{
	struct vm_amap *am;
	int n = 0;

	if (!amap_pools_ready)
		return (0);		/* before the first boot */
	mtx_enter(&uvm.amap_list_mtx);
	LIST_FOREACH(am, &amap_list, am_list)
		n++;
	mtx_leave(&uvm.amap_list_mtx);
	return (n);
}
