/*
 * uvm_amap_check.c: the invariant checker's view of an amap (not in
 * OpenBSD): amap_foreach_anon walks an amap's slots after checking its
 * chunk structure (invariant 6 of UVM.md: slot counts, usedmaps against
 * anons, am_nused, am_ncused, bucket reachability of a large amap's
 * chunks).  It lives apart from uvm_amap.c, the model of OpenBSD's
 * sys/uvm/uvm_amap.c, because it is the rig's code: its panics fire only
 * on a broken amap, and it is called by uvm_check.c and the tests.
 */

#include <sys/param.h>
#include <sys/systm.h>

#include "uvm.h"
#include "uvm_amap_priv.h"

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
