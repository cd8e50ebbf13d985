/*
 * uvm_amap_copy.c: copying amaps: amap_copy() (clearing an entry's
 * NEEDSCOPY), amap_cow_now() (fork of a wired entry) and amap_splitref()
 * (map entry clipping).
 *
 * Models those functions of OpenBSD's sys/uvm/uvm_amap.c; see
 * uvm_amap.c for the amap structure and its locking.
 *
 * Deviations (besides those of uvm_amap.c):
 * - a separate file: OpenBSD has one uvm_amap.c; the model keeps files
 *   under ~1000 lines.  Shared helpers are in uvm_amap_priv.h.
 * - amap_copy undoes a partial copy when a chunk allocation fails
 *   (OpenBSD frees the new amap with am_nused != 0, which would trip the
 *   KASSERT in amap_free).
 * - amap_cow_now never sleeps for memory forever: when the pagedaemon
 *   cannot free a page it write-protects the shared page and leaves the
 *   copy to the fault handler (OpenBSD: XXXCDC, fork should fail).
 * - amap_copy reads the source's am_ref under its lock (OpenBSD reads it
 *   unlocked, a benign race TSan would report).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/pool.h>
#include <sys/atomic.h>

#include "uvm.h"
#include "uvm_amap_priv.h"

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
