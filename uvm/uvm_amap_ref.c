/*
 * uvm_amap_ref.c: amap reference counting: the map entry references
 * (amap_ref(), amap_unref()), the per-page counts am_ppref (run-length
 * encoded, set up on the first partial reference) and amap_wiperange(),
 * which drops the anons of slots no entry references any more.
 *
 * Models those functions of OpenBSD's sys/uvm/uvm_amap.c; see
 * uvm_amap.c for the amap structure and its locking.
 *
 * Deviations (besides those of uvm_amap.c):
 * - a separate file: OpenBSD has one uvm_amap.c; the model keeps files
 *   under ~1000 lines.  Shared helpers are in uvm_amap_priv.h.
 * - amap_adjref_anons is a helper of amap_ref/amap_unref (OpenBSD's
 *   amap_adjref_anons has the same role).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/malloc.h>
#include <sys/pool.h>
#include <sys/atomic.h>

#include "uvm.h"
#include "uvm_amap_priv.h"

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
void
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
void
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
 * amap_adjref_anons: add refv to am_ref, and to the per-page counts of
 * slots [off, off + len) (or of all slots); per-page counts reaching 0
 * wipe their anons.  ppref is set up first on a partial reference.
 * => amap write-locked; returns with it released.
 */
void
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
