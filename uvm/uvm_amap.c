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
 * - the list of all amaps is protected by the mutex uvm.amap_list_mtx
 *   (OpenBSD: an rwlock), so amap_swap_off try-locks each amap under it.
 * - amap_copy undoes a partial copy when a chunk allocation fails
 *   (OpenBSD frees the new amap with am_nused != 0, which would trip the
 *   KASSERT in amap_free).
 * - amap_cow_now never sleeps for memory forever: when the pagedaemon
 *   cannot free a page it write-protects the shared page and leaves the
 *   copy to the fault handler (OpenBSD: XXXCDC, fork should fail).
 * - amap_copy reads the source's am_ref under its lock (OpenBSD reads it
 *   unlocked, a benign race TSan would report).
 * - amap_free takes the amap off the amap list itself, so an amap that
 *   never got a map entry can be freed directly.
 * - amap_foreach_anon/amap_count exist for the invariant checker and the
 *   leak checks; amap_foreach_anon also checks the chunk structure.
 * - amap_extend is not modelled (uvm_map never extends amaps here).
 * - amap_add replacing an anon of a shared amap removes only the unwired
 *   mappings of the old page (pmap_page_remove_unwired); OpenBSD removes
 *   them all ("XXX: PAGE MIGHT BE WIRED!"), wired mappings of entries
 *   that still hold the old anon through another amap included, which
 *   leaves those entries wired with pages unmapped.  A wired mapping of
 *   a sharer of this amap stays too, and is stale: see uvm_fault.c.
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

/* pg_flags is changed with atomic bit operations (pmap too): load it so */
#define PG_FLAGS(pg)	((u_int)atomic_load_int(&(pg)->pg_flags))

struct pool uvm_amap_pool;			/* large amaps */
struct pool uvm_small_amap_pool[UVM_AMAP_CHUNK]; /* embedded chunk of n */
struct pool uvm_amap_chunk_pool;
static char amap_small_pool_names[UVM_AMAP_CHUNK][12];
static int amap_pools_ready;

LIST_HEAD(, vm_amap) amap_list;		/* [uvm.amap_list_mtx] */

/* am_flags bit private to this file: the amap is on amap_list */
#define AMAP_ONLIST	0x80

#define UVM_AMAP_SLOTIDX(slot)	((slot) % UVM_AMAP_CHUNK)
#define AMAP_BASE_SLOT(slot)	(((slot) / UVM_AMAP_CHUNK) * UVM_AMAP_CHUNK)
#define UVM_AMAP_BUCKET(amap, slot)					\
	(((slot) / UVM_AMAP_CHUNK) >> (amap)->am_hashshift)
#define AMAP_CHUNK_FOREACH(chunk, amap)					\
	for ((chunk) = (UVM_AMAP_SMALL(amap) ?				\
	    &(amap)->am_small : TAILQ_FIRST(&(amap)->am_chunks));	\
	    (chunk) != NULL; (chunk) = TAILQ_NEXT((chunk), ac_list))

#define AMAP_CHUNK_SIZE							\
	(sizeof(struct vm_amap_chunk) +					\
	    UVM_AMAP_CHUNK * sizeof(struct vm_anon *))

static inline int
amap_ffs(int map)
{
	return __builtin_ffs(map);
}

static void	amap_pp_establish(struct vm_amap *);
static void	amap_pp_adjref(struct vm_amap *, int, int, int);
static void	amap_wiperange_chunk(struct vm_amap *, struct vm_amap_chunk *,
		    int, int);

static void
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
static struct vm_amap_chunk *
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
static void
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
static struct vm_amap *
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
 * amap_copy_undo: drop the anon references a failed amap_copy took in
 * the new amap (the source still holds each anon, so none reaches 0).
 * => the shared lock write-held.
 */
static void
amap_copy_undo(struct vm_amap *amap)
{
	struct vm_amap_chunk *chunk;
	int i;

	KASSERT(rw_write_held(amap->am_lock));
	AMAP_CHUNK_FOREACH(chunk, amap) {
		for (i = 0; i < chunk->ac_nslot; i++) {
			if (chunk->ac_anon[i] == NULL)
				continue;
			KASSERT(chunk->ac_anon[i]->an_ref > 1);
			chunk->ac_anon[i]->an_ref--;
			chunk->ac_anon[i] = NULL;
		}
		chunk->ac_usedmap = 0;
	}
	amap->am_nused = 0;
}

/*
 * amap_copy_slots: copy slots [srcoff, srcoff + slots) of srcamap into
 * slots [0, slots) of amap, taking a reference of every anon.  Returns 0,
 * or ENOMEM when a chunk of amap cannot be allocated.
 * => the lock shared by both amaps write-held.
 */
static int
amap_copy_slots(struct vm_amap *amap, struct vm_amap *srcamap, int srcoff,
    int slots)
{
	struct vm_amap_chunk *chunk, *srcchunk;
	struct vm_anon *anon;
	int lcv, n, i, j, k;

	KASSERT(rw_write_held(srcamap->am_lock));
	KASSERT(amap->am_lock == srcamap->am_lock);
	for (lcv = 0; lcv < slots; lcv += n) {
		i = UVM_AMAP_SLOTIDX(lcv);
		j = UVM_AMAP_SLOTIDX(srcoff + lcv);
		n = UVM_AMAP_CHUNK - (i > j ? i : j);
		if (lcv + n > slots)
			n = slots - lcv;

		srcchunk = amap_chunk_get(srcamap, srcoff + lcv, 0, PR_NOWAIT);
		if (srcchunk == NULL)
			continue;
		chunk = amap_chunk_get(amap, lcv, 1, PR_NOWAIT);
		if (chunk == NULL)
			return (ENOMEM);
		for (k = 0; k < n; i++, j++, k++) {
			anon = srcchunk->ac_anon[j];
			if (anon == NULL)
				continue;
			KASSERT(anon->an_lock == srcamap->am_lock);
			KASSERT(anon->an_ref > 0);
			chunk->ac_anon[i] = anon;
			chunk->ac_usedmap |= 1 << i;
			anon->an_ref++;
			amap->am_nused++;
		}
	}
	return (0);
}

/*
 * amap_copy_new: give entry (NEEDSCOPY, no amap) a new empty amap.  An
 * entry of UVM_AMAP_LARGE slots or more is first clipped to the
 * UVM_AMAP_CHUNK-aligned range around [startva, endva) when canchunk
 * (and it is not a stack); otherwise its amap allocates chunks lazily.
 * => map write-locked.
 */
static void
amap_copy_new(struct vm_map *map, struct vm_map_entry *entry, int waitf,
    boolean_t canchunk, vaddr_t startva, vaddr_t endva)
{
	vaddr_t chunksize;
	int lazyalloc = 0;

	vm_map_assert_wrlock(map);
	if (atop(entry->end - entry->start) >= UVM_AMAP_LARGE) {
		if (canchunk && !UVM_ET_ISSTACK(entry)) {
			chunksize = (vaddr_t)UVM_AMAP_CHUNK << PAGE_SHIFT;
			startva = (startva / chunksize) * chunksize;
			endva = roundup(endva, chunksize);
			if (startva > entry->start)
				uvm_map_clip_start(map, entry, startva);
			/* endva may wrap around */
			if (endva >= startva && endva < entry->end)
				uvm_map_clip_end(map, entry, endva);
		} else
			lazyalloc = 1;
	}
	entry->aref.ar_pageoff = 0;
	entry->aref.ar_amap = amap_alloc(entry->end - entry->start, waitf,
	    lazyalloc);
	if (entry->aref.ar_amap != NULL)
		entry->etype &= ~UVM_ET_NEEDSCOPY;
}

/*
 * amap_copy: clear entry's NEEDSCOPY by giving it a private amap.  No
 * amap: a new empty one (see amap_copy_new; canchunk, startva and endva
 * only matter there).  Sole reference: keep it.  Otherwise copy the
 * entry's slots into a new amap sharing the source's lock object, each
 * anon gaining a reference; the source loses the entry's reference.  On
 * allocation failure (waitf M_NOWAIT) NEEDSCOPY stays set.  Models
 * amap_copy().
 * => map write-locked; entry's amap unlocked.
 */
void
amap_copy(struct vm_map *map, struct vm_map_entry *entry, int waitf,
    boolean_t canchunk, vaddr_t startva, vaddr_t endva)
{
	struct vm_amap *amap, *srcamap;
	int slots, lazyalloc = 0;

	vm_map_assert_wrlock(map);

	if (entry->aref.ar_amap == NULL) {
		amap_copy_new(map, entry, waitf, canchunk, startva, endva);
		return;
	}

	/*
	 * Sole reference: take the amap over.  (OpenBSD reads am_ref
	 * unlocked here; other maps may change it under the lock, so the
	 * model looks under the lock to stay race-free.)
	 */
	srcamap = entry->aref.ar_amap;
	amap_lock(srcamap, RW_WRITE);
	if (srcamap->am_ref == 1) {
		entry->etype &= ~UVM_ET_NEEDSCOPY;
		amap_unlock(srcamap);
		return;
	}
	amap_unlock(srcamap);

	AMAP_B2SLOT(slots, entry->end - entry->start);
	if (!UVM_AMAP_SMALL(srcamap) && srcamap->am_hashshift != 0)
		lazyalloc = 1;
	amap = amap_alloc1(slots, waitf, lazyalloc);
	if (amap == NULL)
		return;

	amap->am_lock = srcamap->am_lock;
	rw_obj_hold(amap->am_lock);
	amap_lock(srcamap, RW_WRITE);

	/* the other references may have gone while we allocated */
	if (srcamap->am_ref == 1) {
		entry->etype &= ~UVM_ET_NEEDSCOPY;
		amap_unlock(srcamap);
		amap->am_ref--;
		amap_free(amap);
		return;
	}

	if (amap_copy_slots(amap, srcamap, entry->aref.ar_pageoff,
	    slots) != 0) {
		amap_copy_undo(amap);
		amap_unlock(srcamap);
		amap->am_ref--;
		amap_free(amap);
		return;
	}

	/* am_ref > 1 was checked under the lock: it cannot reach 0 here */
	srcamap->am_ref--;
	KASSERT(srcamap->am_ref > 0);
	if (srcamap->am_ref == 1)
		srcamap->am_flags &= ~AMAP_SHARED;
	if (srcamap->am_ppref != NULL && srcamap->am_ppref != PPREF_NONE)
		amap_pp_adjref(srcamap, entry->aref.ar_pageoff, slots, -1);

	/* nothing in common with the source: a lock object of our own */
	if (amap->am_nused == 0) {
		rw_obj_free(amap->am_lock);
		amap->am_lock = NULL;
	}
	amap_unlock(srcamap);
	if (amap->am_lock == NULL)
		rw_obj_alloc(&amap->am_lock, "amaplk");

	entry->aref.ar_pageoff = 0;
	entry->aref.ar_amap = amap;
	entry->etype &= ~UVM_ET_NEEDSCOPY;
	amap_list_insert(amap);
}

/*
 * amap_cow_now_slot: resolve the copy-on-write of one anon of a wired
 * entry: a new anon (locked by am_lock before anyone can see it, BUGS.md
 * N1) with a copy of the page replaces it in the slot.  Returns 0, or
 * ERESTART after dropping the amap lock (page busy, or no memory) so
 * that the caller starts over.
 * => amap write-locked.
 */
static int
amap_cow_now_slot(struct vm_amap *amap, struct vm_amap_chunk *chunk,
    int slot)
{
	struct vm_anon *anon = chunk->ac_anon[slot], *nanon;
	struct vm_page *pg = anon->an_page, *npg = NULL;

	KASSERT(rw_write_held(amap->am_lock));
	if (PG_FLAGS(pg) & PG_BUSY) {
		uvm_pagewait(pg, amap->am_lock, "cownow");
		return (ERESTART);
	}

	nanon = uvm_analloc();
	if (nanon != NULL) {
		nanon->an_lock = amap->am_lock;
		npg = uvm_pagealloc(NULL, 0, nanon, 0);
	}
	if (nanon == NULL || npg == NULL) {
		if (nanon != NULL) {
			nanon->an_lock = NULL;
			nanon->an_ref--;
			KASSERT(nanon->an_ref == 0);
			uvm_anfree(nanon);
		}
		amap_unlock(amap);
		uvm_wait("cownowpage");
		return (uvm_swapisfull() ? ENOMEM : ERESTART);
	}

	uvm_pagecopy(pg, npg);
	anon->an_ref--;
	KASSERT(anon->an_ref > 0);
	chunk->ac_anon[slot] = nanon;

	/* the new page was never unbusied: nobody waits for it */
	atomic_clearbits_int(&npg->pg_flags, PG_BUSY | PG_FAKE);
	npg->pg_busy_cpu = -1;
	uvm_lock_pageq();
	uvm_pageactivate(npg);
	uvm_unlock_pageq();
	return (0);
}

/*
 * amap_cow_giveup: out of memory in amap_cow_now: write-protect every page
 * the amap still shares, so that a write takes the ordinary COW fault
 * (invariant 3 holds) instead of waiting for memory forever.
 * => amap unlocked.
 */
static void
amap_cow_giveup(struct vm_amap *amap)
{
	struct vm_amap_chunk *chunk;
	struct vm_anon *anon;
	int i;

	amap_lock(amap, RW_WRITE);
	AMAP_CHUNK_FOREACH(chunk, amap) {
		for (i = 0; i < chunk->ac_nslot; i++) {
			anon = chunk->ac_anon[i];
			if (anon != NULL && anon->an_ref > 1 &&
			    anon->an_page != NULL)
				pmap_page_protect(anon->an_page, PROT_READ);
		}
	}
	amap_unlock(amap);
}

/*
 * amap_cow_now: at fork of a wired entry, give the child (entry) private
 * copies of every anon it shares, so the parent's wired pages need not
 * be write-protected.  Models amap_cow_now().
 * => map (the child's) write-locked; entry's amap unlocked.
 */
void
amap_cow_now(struct vm_map *map, struct vm_map_entry *entry)
{
	struct vm_amap *amap = entry->aref.ar_amap;
	struct vm_amap_chunk *chunk;
	struct vm_anon *anon;
	int i, map_bits, slot, error;

	vm_map_assert_wrlock(map);
restart:
	amap_lock(amap, RW_WRITE);
	AMAP_CHUNK_FOREACH(chunk, amap) {
		map_bits = chunk->ac_usedmap;
		for (i = amap_ffs(map_bits); i != 0; i = amap_ffs(map_bits)) {
			slot = i - 1;
			map_bits ^= 1 << slot;
			anon = chunk->ac_anon[slot];
			KASSERT(anon->an_lock == amap->am_lock);
			/*
			 * Ours alone (maybe a copy made before a restart,
			 * which uvm_wait may even have paged out since).
			 */
			if (anon->an_ref <= 1)
				continue;
			/* shared with the wired parent: resident */
			KASSERT(anon->an_page != NULL);
			error = amap_cow_now_slot(amap, chunk, slot);
			if (error == ERESTART)
				goto restart;
			if (error != 0) {
				amap_cow_giveup(amap);
				return;
			}
		}
	}
	amap_unlock(amap);
}

/*
 * amap_splitref: split the reference origref into two at byte offset off
 * (map entry clipping): splitref (a copy of origref) then refers to the
 * slots from off on.  Sets up ppref first so per-page counts stay exact.
 * Called by map entry clipping, which holds origref's map write-locked
 * (the map is not visible here).  Models amap_splitref().
 * => amap unlocked (taken here).
 */
void
amap_splitref(struct vm_aref *origref, struct vm_aref *splitref, vaddr_t off)
{
	struct vm_amap *amap = origref->ar_amap;
	int leftslots;

	KASSERT(splitref->ar_amap == amap);
	AMAP_B2SLOT(leftslots, off);
	if (leftslots == 0)
		panic("amap_splitref: split at zero offset");

	amap_lock(amap, RW_WRITE);
	if (amap->am_nslot - origref->ar_pageoff - leftslots <= 0)
		panic("amap_splitref: map size check failed");
	if (amap->am_ppref == NULL)
		amap_pp_establish(amap);
	amap->am_ref++;
	splitref->ar_amap = amap;
	splitref->ar_pageoff = origref->ar_pageoff + leftslots;
	amap_unlock(amap);
}

/*
 * ppref encoding (facts from OpenBSD): runs of equal counts; a run of
 * length 1 stores ref + 1, a longer run stores -(ref + 1) and its length
 * in the next int.
 */
static inline void
pp_getreflen(int *ppref, int slot, int *refp, int *lenp)
{
	if (ppref[slot] > 0) {
		*refp = ppref[slot] - 1;
		*lenp = 1;
	} else {
		*refp = -ppref[slot] - 1;
		*lenp = ppref[slot + 1];
	}
}

static inline void
pp_setreflen(int *ppref, int slot, int ref, int len)
{
	if (len == 1)
		ppref[slot] = ref + 1;
	else {
		ppref[slot] = -(ref + 1);
		ppref[slot + 1] = len;
	}
}

/*
 * amap_pp_establish: set up ppref with every slot at am_ref, or
 * PPREF_NONE if the M_NOWAIT allocation fails.
 * => amap write-locked.
 */
static void
amap_pp_establish(struct vm_amap *amap)
{
	KASSERT(rw_write_held(amap->am_lock));
	amap->am_ppref = mallocarray(amap->am_nslot, sizeof(int), M_UVMAMAP,
	    M_NOWAIT | M_ZERO);
	if (amap->am_ppref == NULL) {
		amap->am_ppref = PPREF_NONE;
		return;
	}
	pp_setreflen(amap->am_ppref, 0, amap->am_ref, amap->am_nslot);
}

/* amap_pp_split: make a run start at slot (0 < slot < am_nslot) */
static void
amap_pp_split(int *ppref, int slot, int *prevp)
{
	int lcv, ref, len;

	*prevp = -1;
	for (lcv = 0; lcv < slot; lcv += len) {
		pp_getreflen(ppref, lcv, &ref, &len);
		if (lcv + len > slot) {
			pp_setreflen(ppref, lcv, ref, slot - lcv);
			pp_setreflen(ppref, slot, ref, lcv + len - slot);
			len = slot - lcv;
		}
		*prevp = lcv;
	}
}

/*
 * amap_pp_adjref: add adjval to the per-page counts of slots [curslot,
 * curslot + slotlen); anons of slots whose count reaches 0 are wiped.
 * Runs are split at both ends and merged with the run before.
 * => amap write-locked; ppref established (not PPREF_NONE).
 */
static void
amap_pp_adjref(struct vm_amap *amap, int curslot, int slotlen, int adjval)
{
	int *ppref = amap->am_ppref;
	int stopslot = curslot + slotlen, lcv, ref, len, dummy;
	int prevlcv, prevref = -1, prevlen = 0;

	KASSERT(rw_write_held(amap->am_lock));
	KASSERT(ppref != NULL && ppref != PPREF_NONE);
	KASSERT(curslot >= 0 && slotlen > 0 && stopslot <= amap->am_nslot);

	if (stopslot < amap->am_nslot)
		amap_pp_split(ppref, stopslot, &dummy);
	amap_pp_split(ppref, curslot, &prevlcv);
	if (prevlcv >= 0)
		pp_getreflen(ppref, prevlcv, &prevref, &prevlen);

	for (lcv = curslot; lcv < stopslot; lcv += len) {
		pp_getreflen(ppref, lcv, &ref, &len);
		KASSERT(lcv + len <= stopslot);
		ref += adjval;
		if (ref < 0)
			panic("amap_pp_adjref: negative reference count");
		if (prevlcv >= 0 && prevlcv + prevlen == lcv &&
		    prevref == ref) {
			prevlen += len;
			pp_setreflen(ppref, prevlcv, ref, prevlen);
		} else {
			pp_setreflen(ppref, lcv, ref, len);
			prevlcv = lcv;
			prevref = ref;
			prevlen = len;
		}
		if (ref == 0)
			amap_wiperange(amap, lcv, len);
	}
}

/*
 * amap_wiperange_chunk: drop the anons of chunk that lie in [slotoff,
 * slotoff + slots).
 * => amap write-locked.
 */
static void
amap_wiperange_chunk(struct vm_amap *amap, struct vm_amap_chunk *chunk,
    int slotoff, int slots)
{
	struct vm_anon *anon;
	int startbase, endbase, map, i, slot;

	KASSERT(rw_write_held(amap->am_lock));
	startbase = AMAP_BASE_SLOT(slotoff);
	endbase = AMAP_BASE_SLOT(slotoff + slots - 1);
	map = chunk->ac_usedmap;
	if (startbase == chunk->ac_baseslot)
		map &= ~((1 << (slotoff - startbase)) - 1);
	if (endbase == chunk->ac_baseslot)
		map &= (1 << (slotoff + slots - endbase)) - 1;

	for (i = amap_ffs(map); i != 0; i = amap_ffs(map)) {
		slot = i - 1;
		map ^= 1 << slot;
		anon = chunk->ac_anon[slot];
		KASSERT(anon != NULL && anon->an_lock == amap->am_lock);
		chunk->ac_usedmap &= ~(1 << slot);
		chunk->ac_anon[slot] = NULL;
		amap->am_nused--;
		if (--anon->an_ref == 0)
			uvm_anfree(anon);
	}
}

/*
 * amap_wiperange: drop the anons of slots [slotoff, slotoff + slots),
 * freeing chunks that become empty; the amap stays.  Only chunks that
 * overlap the range are touched (BUGS.md O6), found by bucket or by the
 * chunk list, whichever is shorter.  The callers also hold the map.
 * Models amap_wiperange().
 * => amap write-locked.
 */
void
amap_wiperange(struct vm_amap *amap, int slotoff, int slots)
{
	struct vm_amap_chunk *chunk, *next;
	int bucket, startbucket, endbucket;

	KASSERT(rw_write_held(amap->am_lock));
	KASSERT(slotoff >= 0 && slots > 0 && slotoff + slots <= amap->am_nslot);

	if (UVM_AMAP_SMALL(amap)) {
		amap_wiperange_chunk(amap, &amap->am_small, slotoff, slots);
		return;
	}

	startbucket = UVM_AMAP_BUCKET(amap, slotoff);
	endbucket = UVM_AMAP_BUCKET(amap, slotoff + slots - 1);
	if (endbucket + 1 - startbucket >= amap->am_ncused) {
		TAILQ_FOREACH_SAFE(chunk, &amap->am_chunks, ac_list, next) {
			if (chunk->ac_baseslot + chunk->ac_nslot <= slotoff ||
			    chunk->ac_baseslot >= slotoff + slots)
				continue;
			amap_wiperange_chunk(amap, chunk, slotoff, slots);
			if (chunk->ac_usedmap == 0)
				amap_chunk_free(amap, chunk);
		}
		return;
	}
	for (bucket = startbucket; bucket <= endbucket; bucket++) {
		for (chunk = amap->am_buckets[bucket]; chunk != NULL;
		    chunk = next) {
			next = TAILQ_NEXT(chunk, ac_list);
			if (UVM_AMAP_BUCKET(amap, chunk->ac_baseslot) != bucket)
				break;
			if (chunk->ac_baseslot + chunk->ac_nslot <= slotoff ||
			    chunk->ac_baseslot >= slotoff + slots)
				continue;
			amap_wiperange_chunk(amap, chunk, slotoff, slots);
			if (chunk->ac_usedmap == 0)
				amap_chunk_free(amap, chunk);
		}
	}
}

/*
 * amap_swap_off: page in every anon whose swap slot is in [startslot,
 * endslot) and drop its slot.  Walks the amap list with a marker; amaps
 * are try-locked under the list mutex (a busy one makes us back off and
 * retry).  Returns TRUE if it gave up (out of memory).  Models
 * amap_swap_off().
 * => called with no locks held.
 */
boolean_t
amap_swap_off(int startslot, int endslot)
{
	struct vm_amap *am, *am_next, marker;
	struct vm_amap_chunk *chunk;
	struct vm_anon *anon;
	boolean_t rv = FALSE;
	int i, map, slot;

	KASSERT(lock_held_count() == 0);
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
					/* in memory, no slot, still locked */
					am->am_flags &= ~AMAP_SWAPOFF;
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
				if (uvm_swapisfull()) {
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
 * removed so no sharer keeps seeing it (BUGS.md M7; the wired ones stay,
 * see the file header).  Returns 0, or ENOMEM when the
 * slot's chunk cannot be allocated (the amap is unchanged).  Models
 * amap_add() (which returns 1 on failure).
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
 * amap_adjref_anons: add refv to am_ref, and to the per-page counts of
 * slots [off, off + len) (or of all slots); per-page counts reaching 0
 * wipe their anons.  ppref is set up first on a partial reference.
 * => amap write-locked; returns with it released.
 */
static void
amap_adjref_anons(struct vm_amap *amap, vaddr_t off, vsize_t len, int refv,
    boolean_t all)
{
	KASSERT(rw_write_held(amap->am_lock));

	if (amap->am_ppref == NULL && !all && len != (vsize_t)amap->am_nslot)
		amap_pp_establish(amap);
	amap->am_ref += refv;
	if (amap->am_ppref != NULL && amap->am_ppref != PPREF_NONE) {
		if (all)
			amap_pp_adjref(amap, 0, amap->am_nslot, refv);
		else
			amap_pp_adjref(amap, (int)off, (int)len, refv);
	}
	amap_unlock(amap);
}

/*
 * amap_ref: add a map entry reference for slots [offslots, offslots +
 * lenslots) (flags AMAP_REFALL: the whole amap; AMAP_SHARED: the new
 * reference shares the amap, as for MAP_INHERIT_SHARE).  Models
 * amap_ref().  The caller holds the new entry's map.
 * => amap unlocked (taken here).
 */
void
amap_ref(struct vm_amap *amap, vaddr_t offslots, vsize_t lenslots, int flags)
{
	amap_lock(amap, RW_WRITE);
	if (flags & AMAP_SHARED)
		amap->am_flags |= AMAP_SHARED;
	amap_adjref_anons(amap, offslots, lenslots, 1,
	    (flags & AMAP_REFALL) != 0);
}

/*
 * amap_unref: drop a map entry reference for slots [offslots, offslots +
 * lenslots) (all: the whole amap).  The last reference wipes the amap
 * out.  Models amap_unref().
 * => amap unlocked; the pmap mappings of the range already removed.
 */
void
amap_unref(struct vm_amap *amap, vaddr_t offslots, vsize_t lenslots,
    boolean_t all)
{
	amap_lock(amap, RW_WRITE);
	KASSERT(amap->am_ref > 0);
	if (amap->am_ref == 1) {
		amap->am_ref--;
		amap_wipeout(amap);
		return;
	}
	if (amap->am_ref == 2 && (amap->am_flags & AMAP_SHARED) != 0)
		amap->am_flags &= ~AMAP_SHARED;
	amap_adjref_anons(amap, offslots, lenslots, -1, all);
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
 * amap_check_chunk: panic unless chunk is consistent and, for a large
 * amap, reachable from its bucket (BUGS.md O6).  Returns its used slots.
 */
static int
amap_check_chunk(struct vm_amap *amap, struct vm_amap_chunk *chunk)
{
	struct vm_amap_chunk *c;
	int i, n = 0, bucket;

	if (chunk->ac_nslot < 1 || chunk->ac_nslot > UVM_AMAP_CHUNK ||
	    chunk->ac_baseslot + chunk->ac_nslot > amap->am_nslot ||
	    (chunk->ac_usedmap >> chunk->ac_nslot) != 0)
		panic("invariant 6: amap %p chunk %p base %d nslot %d "
		    "usedmap 0x%x", amap, chunk, chunk->ac_baseslot,
		    chunk->ac_nslot, chunk->ac_usedmap);
	for (i = 0; i < UVM_AMAP_CHUNK; i++) {
		if (((chunk->ac_usedmap >> i) & 1) !=
		    (i < chunk->ac_nslot && chunk->ac_anon[i] != NULL))
			panic("invariant 6: amap %p slot %d usedmap/anon "
			    "disagree", amap, chunk->ac_baseslot + i);
		n += (chunk->ac_usedmap >> i) & 1;
	}
	if (UVM_AMAP_SMALL(amap))
		return (n);
	bucket = UVM_AMAP_BUCKET(amap, chunk->ac_baseslot);
	for (c = amap->am_buckets[bucket]; c != NULL && c != chunk;
	    c = TAILQ_NEXT(c, ac_list))
		if (UVM_AMAP_BUCKET(amap, c->ac_baseslot) != bucket)
			break;
	if (c != chunk)
		panic("invariant 6: amap %p chunk base %d lost from bucket %d",
		    amap, chunk->ac_baseslot, bucket);
	return (n);
}

/*
 * amap_foreach_anon: call fn(amap, slot, anon, arg) for every used slot,
 * after checking the chunk structure (slot counts, usedmaps against
 * anons, am_nused, am_ncused, bucket reachability).  Returns the number
 * of anons visited.  Not in OpenBSD: the invariant checker's view.
 * Call it with the amap locked, or with the system quiescent (no CPU in
 * uvm/); neither can be asserted here.
 */
int
amap_foreach_anon(struct vm_amap *amap,
    void (*fn)(struct vm_amap *, int, struct vm_anon *, void *), void *arg)
{
	struct vm_amap_chunk *chunk;
	int used = 0, nchunks = 0, i;

	AMAP_CHUNK_FOREACH(chunk, amap) {
		used += amap_check_chunk(amap, chunk);
		nchunks++;
	}
	if (used != amap->am_nused)
		panic("invariant 6: amap %p am_nused %d, usedmaps say %d",
		    amap, amap->am_nused, used);
	if (!UVM_AMAP_SMALL(amap) && nchunks != amap->am_ncused)
		panic("invariant 6: amap %p am_ncused %d, %d chunks listed",
		    amap, amap->am_ncused, nchunks);

	if (fn == NULL)
		return (used);
	AMAP_CHUNK_FOREACH(chunk, amap) {
		for (i = 0; i < chunk->ac_nslot; i++)
			if (chunk->ac_anon[i] != NULL)
				(*fn)(amap, chunk->ac_baseslot + i,
				    chunk->ac_anon[i], arg);
	}
	return (used);
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
