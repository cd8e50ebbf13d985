/*
 * uvm_fault.c: the page fault handler.
 *
 * Models sys/uvm/uvm_fault.c of OpenBSD at the end of the lock-reduction
 * series that the seed diff (uvm_fault_check, struct uvm_faultctx) begins:
 * uvm_fault() loops on ERESTART over uvm_fault_check() ->
 * uvm_fault_upper_lookup() -> uvm_fault_upper() (cases 1A/1B) or
 * uvm_fault_lower() (cases 2A/2B), as /work/shared/UVM.md "The fault path"
 * describes.
 *
 * Cases: 1A read, or write with an_ref == 1: map the anon's page; 1B
 * write with an_ref > 1: copy the anon into a new one; 2A map the object's
 * page (read-only through a copy-on-write entry); 2B write through a COW
 * entry, or no object: promote (copy or zero-fill) into a new anon; 0 no
 * amap and no object: EFAULT.
 *
 * Lock order: MAPS -> AMAP (== ANON) -> [KERNEL_LOCK] -> UOBJ -> PAGE
 * QUEUES.  Only PG_BUSY is held across a sleep for I/O; after any sleep
 * the map version (timestamp) and the amap slot are checked again.
 *
 * Locking modes, one source: by default (lock-reduced) the upper layer
 * runs under the map read lock plus the amap lock taken with
 * flt->upper_lock_type (RW_READ for a read fault, RW_WRITE for a write or
 * wiring one; a read-locked fault needing the write lock tries a
 * non-sleeping upgrade, else restarts write-locked), and what touches an
 * object (case 2, pgo_fault, the MADV_SEQUENTIAL object flush) runs under
 * KERNEL_LOCK taken around it.  With UVM_BIGLOCK (the state before the
 * seed) all of uvm_fault() runs under KERNEL_LOCK.
 *
 * Deviations from OpenBSD:
 * - OpenBSD's one uvm_fault.c is three files here (files under ~1000
 *   lines): this one (lookup, checks, the upper layer, uvm_fault()),
 *   uvm_fault_lower.c (case 2) and uvm_fault_wire.c (wiring); what they
 *   share is in uvm_fault_priv.h.
 * - uvmadvice[] is a constant table (OpenBSD computes the same values,
 *   for 4 KiB pages, in uvmfault_init()).
 * - "wired" is recomputed on each pass from the fault type and the entry
 *   (the seed derived it from `narrow', which made every restarted fault
 *   a wired one); access_type is reset on each pass for the same reason.
 * - read faults take the amap lock shared and upgrade without sleeping
 *   (uvm_fault_upper_upgrade, as NetBSD and later OpenBSD); a zero-fill
 *   promotion of a read fault needs the upgrade too.
 * - 1B, 2B and step 9 of uvm_fault_check live in helpers
 *   (uvm_fault_upper_promote, uvm_fault_lower_promote as NetBSD names
 *   them; uvm_fault_check_behind) to keep functions a screen long.
 * - an anon whose swap slot is SWSLOT_BAD fails with EACCES without I/O.
 * - a fault on a wired entry that is not the wiring fault and replaces
 *   the wired mapping of one wired page with another (a 1B or 2B
 *   promotion, e.g. a write to a wired anon that fork left shared) moves
 *   the wiring to the new page (uvmfault_wire_move).  OpenBSD wires only
 *   on VM_FAULT_WIRE: the old page stays wired for good and the new one
 *   is mapped PMAP_WIRED with wire_count 0.
 * - a promotion into a shared amap (2B in uvm_fault_lower.c, 1B in
 *   amap_add) removes only the unwired mappings of the old page
 *   (pmap_page_remove_unwired); OpenBSD removes the wired ones too ("XXX:
 *   PAGE MIGHT BE WIRED!"), also those of entries that do not share the
 *   amap, which stay wired with their pages unmapped, and the old page's
 *   wire count is never dropped.  The faulting entry's own wired mapping
 *   is then replaced by pmap_enter and its wiring moves as above.  The
 *   wired mappings of the old page held by the other sharers of the amap
 *   at that slot move to the new page, wiring included: before the slot
 *   changes, uvmfault_sharers_lock finds them (pmap -> map back pointer,
 *   a model deviation) and try-locks their maps (a busy map: unlock all,
 *   nap, restart); once the slot holds the new anon,
 *   uvmfault_sharers_rewire switches them (uvm_fault_wire.c).  Wired
 *   mappings of the old page through another amap or the object stay.
 * - no submaps, rusage, tracepoints, uvmfault_update_stats (maxrss).
 * - the counters are per-CPU (counters_inc(uvmexp_counters, ...)); a
 *   fault that returns ENOMEM is counted in uvmexp.fltnomem (atomic).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mman.h>
#include <sys/malloc.h>
#include <sys/rwlock.h>
#include <sys/atomic.h>
#include <sys/percpu.h>
#include <machine/cpu.h>

#include "uvm.h"
#include "uvm_fault_priv.h"

/*
 * Fault-ahead, in pages behind and ahead of the faulting page, indexed by
 * MADV_*.  nback + nforw + 1 must fit in UVM_MAXRANGE.
 */
const struct uvm_advice uvmadvice[] = {
	[MADV_NORMAL]		= { 3, 4 },
	[MADV_RANDOM]		= { 0, 0 },
	[MADV_SEQUENTIAL]	= { 8, 7 },
};
CTASSERT(3 + 4 + 1 <= UVM_MAXRANGE);
CTASSERT(8 + 7 + 1 <= UVM_MAXRANGE);
#define UVM_NADVICE	(int)(sizeof(uvmadvice) / sizeof(uvmadvice[0]))

/* "try again later" naps sleep here; nobody wakes it up */
int uvm_fault_nowake;

/*
 * uvmfault_unbusy: wake up whoever waits for pg and clear its busy state
 * (PG_BUSY, PG_WANTED, PG_FAKE: the caller filled it).
 * => pg busy and not PG_RELEASED; its owner's lock write-held.
 * Models the unbusy sequence plus UVM_PAGE_OWN(pg, NULL).
 */
void
uvmfault_unbusy(struct vm_page *pg)
{
	KASSERT(PG_FLAGS(pg) & PG_BUSY);
	KASSERT((PG_FLAGS(pg) & PG_RELEASED) == 0);
	KASSERT(pg->uanon == NULL || rw_write_held(pg->uanon->an_lock));
	KASSERT(pg->uobject == NULL || rw_write_held(pg->uobject->vmobjlock));

	if (PG_FLAGS(pg) & PG_WANTED)
		wakeup(pg);
	pg->pg_busy_cpu = -1;
	atomic_clearbits_int(&pg->pg_flags, PG_BUSY | PG_WANTED | PG_FAKE);
}

/*
 * uvmfault_anonflush: deactivate the resident pages of anons[0 .. n-1]
 * (the back pages of an MADV_SEQUENTIAL fault), removing their mappings.
 * Busy and wired pages are skipped; NULL slots are skipped.
 * => the amap holding the anons is locked (any).
 */
static void
uvmfault_anonflush(struct vm_anon **anons, int n)
{
	struct vm_page *pg;
	int lcv;

	for (lcv = 0; lcv < n; lcv++) {
		if (anons[lcv] == NULL)
			continue;
		KASSERT(rw_lock_held(anons[lcv]->an_lock));
		pg = anons[lcv]->an_page;
		if (pg == NULL || (PG_FLAGS(pg) & PG_BUSY) != 0 ||
		    pg->wire_count != 0)
			continue;
		pmap_page_protect(pg, PROT_NONE);
		uvm_lock_pageq();
		uvm_pagedeactivate(pg);
		uvm_unlock_pageq();
	}
}

/*
 * uvmfault_unlockmaps: unlock the map uvmfault_lookup locked (write_locked
 * says how).  Nothing happens when ufi is NULL.
 * => map locked as write_locked says.
 */
void
uvmfault_unlockmaps(struct uvm_faultinfo *ufi, boolean_t write_locked)
{
	if (ufi == NULL)
		return;
	if (write_locked) {
		vm_map_assert_wrlock(ufi->map);
		vm_map_unlock(ufi->map);
	} else {
		vm_map_assert_anylock(ufi->map);
		vm_map_unlock_read(ufi->map);
	}
}

/*
 * uvmfault_unlockall: unlock the object (if uobj), the amap (if amap)
 * and the read-locked map.  Never pass the amap when its lock was already
 * released as an anon lock (BUGS O1).
 * => each of them locked.
 */
void
uvmfault_unlockall(struct uvm_faultinfo *ufi, struct vm_amap *amap,
    struct uvm_object *uobj)
{
	if (uobj != NULL) {
		KASSERT(rw_lock_held(uobj->vmobjlock));
		rw_exit(uobj->vmobjlock);
	}
	if (amap != NULL) {
		KASSERT(rw_lock_held(amap->am_lock));
		amap_unlock(amap);
	}
	uvmfault_unlockmaps(ufi, FALSE);
}

/*
 * uvmfault_lookup: find and lock (read, or write if write_lock) the map
 * entry of ufi->orig_rvaddr; fill ufi->map, ufi->entry, ufi->size (bytes
 * to the end of the entry, at most orig_size) and ufi->mapv (the map's
 * timestamp, for uvmfault_relock).  A wiring fault (uvm_fault_wire) runs
 * with the map unlocked but busied by its caller, uvm_map_pageable():
 * the read lock is taken here as for any fault (holding it across
 * uvm_fault_wire and locking it again here is BUGS O3).
 * => called with the map unlocked.
 * => returns TRUE with the map locked, FALSE (no entry) with it unlocked.
 */
boolean_t
uvmfault_lookup(struct uvm_faultinfo *ufi, boolean_t write_lock)
{
	struct vm_map *map = ufi->orig_map;

	ufi->map = map;
	ufi->size = ufi->orig_size;
	if (ufi->orig_rvaddr < map->min_offset ||
	    ufi->orig_rvaddr >= map->max_offset)
		return FALSE;

	KASSERT(!rw_lock_held(&map->lock));
	if (write_lock)
		vm_map_lock(map);
	else
		vm_map_lock_read(map);

	if (!uvm_map_lookup_entry(map, ufi->orig_rvaddr, &ufi->entry)) {
		uvmfault_unlockmaps(ufi, write_lock);
		return FALSE;
	}
	KASSERT(ufi->entry->start <= ufi->orig_rvaddr &&
	    ufi->orig_rvaddr < ufi->entry->end);
	if (ufi->entry->end - ufi->orig_rvaddr < ufi->size)
		ufi->size = ufi->entry->end - ufi->orig_rvaddr;
	ufi->mapv = map->timestamp;
	return TRUE;
}

/*
 * uvmfault_relock: read-lock the map again after a sleep; fail if it was
 * changed (write-locked) meanwhile, since ufi->entry may be gone then.
 * => called with the map unlocked.
 * => returns TRUE with the map read-locked, FALSE with it unlocked.
 */
boolean_t
uvmfault_relock(struct uvm_faultinfo *ufi)
{
	if (ufi == NULL)
		return TRUE;

	counters_inc(uvmexp_counters, flt_relck);
	KASSERT(!rw_lock_held(&ufi->map->lock));
	vm_map_lock_read(ufi->map);
	if (ufi->mapv != ufi->map->timestamp) {
		vm_map_unlock_read(ufi->map);
		return FALSE;
	}
	counters_inc(uvmexp_counters, flt_relckok);
	return TRUE;
}

/*
 * uvmfault_amapcopy: clear NEEDSCOPY on the entry holding ufi->orig_rvaddr
 * by giving it a private amap (amap_copy, M_NOWAIT, chunked around the
 * faulting page unless a stack).  When that fails (NEEDSCOPY still set)
 * wait for memory.  Either way the caller restarts the fault.
 * => called with the maps unlocked.
 * => returns with the maps unlocked.
 */
static void
uvmfault_amapcopy(struct uvm_faultinfo *ufi)
{
	if (uvmfault_lookup(ufi, TRUE) == FALSE)
		return;
	if (UVM_ET_ISNEEDSCOPY(ufi->entry))
		amap_copy(ufi->map, ufi->entry, M_NOWAIT,
		    UVM_ET_ISSTACK(ufi->entry) ? FALSE : TRUE,
		    ufi->orig_rvaddr, ufi->orig_rvaddr + 1);
	if (UVM_ET_ISNEEDSCOPY(ufi->entry)) {
		uvmfault_unlockmaps(ufi, TRUE);
		uvm_wait("fltamapcopy");
		return;
	}
	counters_inc(uvmexp_counters, flt_amcopy);
	uvmfault_unlockmaps(ufi, TRUE);
}

/*
 * uvmfault_anonget_done: clean up after our swap read into pg (busy,
 * ours) for anon: the anon was freed meanwhile (PG_RELEASED): free both
 * (BUGS O1: the amap lock is the anon lock, released once); the read
 * failed: mark the slot bad, free the page; else activate and unbusy.
 * => lock (the anon's) write-held; the map read-locked if locked.
 * => returns 0 with the locks kept, else ERESTART (anon freed) or EACCES
 *    (read error) with everything unlocked.
 */
static int
uvmfault_anonget_done(struct uvm_faultinfo *ufi, boolean_t locked,
    struct rwlock *lock, struct vm_anon *anon, struct vm_page *pg,
    int slot, int error)
{
	KASSERT(rw_write_held(lock) && anon->an_lock == lock);
	KASSERT(pg->uanon == anon && (PG_FLAGS(pg) & PG_BUSY));
	if (locked && ufi != NULL)
		vm_map_assert_anylock(ufi->map);

	if (PG_FLAGS(pg) & PG_WANTED)
		wakeup(pg);
	if (PG_FLAGS(pg) & PG_RELEASED) {
		KASSERT(anon->an_ref == 0);
		if (locked)
			uvmfault_unlockmaps(ufi, FALSE);
		counters_inc(uvmexp_counters, flt_pgrele);
		if (error != VM_PAGER_OK)
			uvm_swap_onlyswap_gone();
		uvm_anon_release(anon);		/* releases `lock' */
		return ERESTART;
	}
	if (error != VM_PAGER_OK) {
		/* the slot stays allocated, so it is never reused */
		uvm_swap_markbad(slot);
		anon->an_swslot = SWSLOT_BAD;
		/* it was busy all along, so never mapped */
		pg->pg_busy_cpu = -1;
		atomic_clearbits_int(&pg->pg_flags, PG_BUSY | PG_WANTED);
		uvm_pagefree(pg);
		KASSERT(anon->an_page == NULL);
		if (locked)
			uvmfault_unlockmaps(ufi, FALSE);
		rw_exit(lock);
		return EACCES;
	}
	pmap_clear_modify(pg);
	uvm_lock_pageq();
	uvm_pageactivate(pg);
	uvm_unlock_pageq();
	uvmfault_unbusy(pg);
	return 0;
}

/*
 * uvmfault_anonget: make the data of anon resident in a page that is
 * neither busy nor released: wait for a busy page, or read the anon back
 * from swap.  ufi is NULL when no map is involved (swap off).
 * => map read-locked (unless ufi is NULL); amap (== anon lock) locked,
 *    read or write.
 * => returns 0 with everything still locked; ENOLCK (a page must be
 *    allocated but the anon lock is only read-held) with everything still
 *    locked; otherwise with everything unlocked: ERESTART (the world
 *    changed: redo the fault), ENOMEM (out of memory and swap), EACCES
 *    (swap read error, the slot is marked SWSLOT_BAD).
 */
int
uvmfault_anonget(struct uvm_faultinfo *ufi, struct vm_amap *amap,
    struct vm_anon *anon)
{
	struct rwlock *lock = anon->an_lock;
	struct vm_page *pg;
	boolean_t we_own, locked;
	int lock_type, slot = 0, error;

	KASSERT(lock != NULL && rw_lock_held(lock));
	KASSERT(amap == NULL || amap->am_lock == lock);
	if (ufi != NULL)
		vm_map_assert_anylock(ufi->map);
	lock_type = rw_write_held(lock) ? RW_WRITE : RW_READ;

	counters_inc(uvmexp_counters, flt_anget);
	for (;;) {
		we_own = FALSE;
		error = VM_PAGER_OK;
		pg = anon->an_page;
		if (pg != NULL) {
			KASSERT((PG_FLAGS(pg) & PQ_ANON) && pg->uanon == anon);
			if ((PG_FLAGS(pg) & (PG_BUSY | PG_RELEASED)) == 0)
				return 0;
			counters_inc(uvmexp_counters, flt_pgwait);
			/* the map first; the sleep drops the anon lock */
			uvmfault_unlockmaps(ufi, FALSE);
			uvm_pagewait(pg, lock, "anonget2");
		} else {
			if (lock_type != RW_WRITE)
				return ENOLCK;
			slot = anon->an_swslot;
			KASSERT(slot != 0);
			if (slot != SWSLOT_BAD)
				pg = uvm_pagealloc(NULL, 0, anon, 0);
			uvmfault_unlockmaps(ufi, FALSE);
			rw_exit(lock);
			if (slot == SWSLOT_BAD)
				return EACCES;
			if (pg == NULL) {
				counters_inc(uvmexp_counters, flt_noram);
				if (uvm_swapisfull())
					return ENOMEM;
				uvm_wait("flt_noram1");
				return ERESTART;
			}
			/* PG_BUSY keeps the anon (and its lock object) alive */
			we_own = TRUE;
			counters_inc(uvmexp_counters, pageins);
			error = uvm_swap_get(pg, slot);
		}

		/* relock: the map (checking its version), then the anon */
		locked = uvmfault_relock(ufi);
		if (we_own) {
			rw_enter(lock, RW_WRITE);
			error = uvmfault_anonget_done(ufi, locked, lock, anon,
			    pg, slot, error);
			if (error != 0)
				return error;
		} else if (locked) {
			/* the anon may be gone: lock through the amap */
			lock = (amap != NULL) ? amap->am_lock : anon->an_lock;
			rw_enter(lock, lock_type);
		}
		if (!locked) {
			if (we_own)
				rw_exit(lock);
			return ERESTART;
		}
		/* the amap slot must still hold this anon (invariant 8) */
		if (ufi != NULL && amap_lookup(&ufi->entry->aref,
		    ufi->orig_rvaddr - ufi->entry->start) != anon) {
			uvmfault_unlockmaps(ufi, FALSE);
			rw_exit(lock);
			return ERESTART;
		}
		counters_inc(uvmexp_counters, flt_anretry);
	}
	/* NOTREACHED */
}

/*
 * uvmfault_promote: allocate a new anon and page for 1B and 2B and fill
 * the page: a copy of uobjpage (an anon's or an object's page), or zeroes
 * when uobjpage is PGO_DONTCARE.  The anon gets an_lock = am_lock before
 * anything can see it (BUGS N1); the page is returned busy, dirty, on no
 * queue.  The caller publishes the anon with amap_add().
 * => map read-locked; amap write-locked; uobjpage's object locked.
 * => returns 0 with everything locked, or with everything unlocked
 *    ERESTART (memory was waited for) or ENOMEM (out of memory and swap).
 */
int
uvmfault_promote(struct uvm_faultinfo *ufi, struct vm_page *uobjpage,
    struct vm_anon **nanon, struct vm_page **npg)
{
	struct vm_amap *amap = ufi->entry->aref.ar_amap;
	struct uvm_object *uobj = NULL;
	struct vm_anon *anon;
	struct vm_page *pg = NULL;
	boolean_t noanon;

	vm_map_assert_anylock(ufi->map);
	KASSERT(amap != NULL && rw_write_held(amap->am_lock));
	if (uobjpage != PGO_DONTCARE)
		uobj = uobjpage->uobject;
	KASSERT(uobj == NULL || rw_lock_held(uobj->vmobjlock));

	anon = uvm_analloc();
	if (anon != NULL) {
		anon->an_lock = amap->am_lock;
		pg = uvm_pagealloc(NULL, 0, anon,
		    (uobjpage == PGO_DONTCARE) ? UVM_PGA_ZERO : 0);
	}
	if (anon == NULL || pg == NULL) {
		noanon = (anon == NULL);
		if (noanon)
			counters_inc(uvmexp_counters, flt_noanon);
		else {
			/* never published: undo it alone */
			anon->an_lock = NULL;
			anon->an_ref--;
			uvm_anfree(anon);
			counters_inc(uvmexp_counters, flt_noram);
		}
		uvmfault_unlockall(ufi, amap, uobj);
		if (uvm_swapisfull())
			return ENOMEM;
		uvm_wait(noanon ? "flt_noanon" : "flt_noram3");
		return ERESTART;
	}

	if (uobjpage != PGO_DONTCARE)
		uvm_pagecopy(uobjpage, pg);
	/* its only copy is in memory now */
	atomic_clearbits_int(&pg->pg_flags, PG_CLEAN | PG_FAKE);
	*nanon = anon;
	*npg = pg;
	return 0;
}

/*
 * uvm_fault_check_behind: step 9 of uvm_fault_check for MADV_SEQUENTIAL:
 * deactivate the nback pages behind the faulting one (anon pages, then
 * object pages with pgo_flush(PGO_DEACTIVATE)) and drop them from the
 * range: *ranons, startva and npages move past them.
 * => map read-locked; amap (if any) locked; object unlocked.
 */
static void
uvm_fault_check_behind(struct uvm_faultinfo *ufi, struct uvm_faultctx *flt,
    struct vm_anon ***ranons, int nback)
{
	struct vm_map_entry *entry = ufi->entry;
	struct vm_amap *amap = entry->aref.ar_amap;
	struct uvm_object *uobj = entry->object.uvm_obj;
	voff_t uoff;

	vm_map_assert_anylock(ufi->map);
	KASSERT(amap == NULL || rw_lock_held(amap->am_lock));
	KASSERT(nback > 0 && nback < flt->npages && flt->centeridx == nback);

	if (amap != NULL)
		uvmfault_anonflush(*ranons, nback);
	if (uobj != NULL) {
		uoff = (flt->startva - entry->start) + entry->offset;
		FAULT_OBJ_LOCK();
		rw_enter(uobj->vmobjlock, RW_WRITE);
		(void)uobj->pgops->pgo_flush(uobj, uoff, uoff + ptoa(nback),
		    PGO_DEACTIVATE);
		rw_exit(uobj->vmobjlock);
		FAULT_OBJ_UNLOCK();
	}
	if (amap != NULL)
		*ranons += nback;
	flt->startva += ptoa(nback);
	flt->npages -= nback;
	flt->centeridx = 0;
}

/*
 * uvm_fault_check: steps 1-9 of UVM.md "The fault path": look the entry
 * up, check the protection, set enter_prot/pa_flags/wired, clear or honour
 * NEEDSCOPY, catch case 0, choose the fault-ahead range (npages pages from
 * startva, the faulting page at centeridx), lock the amap with
 * flt->upper_lock_type and copy the range's anons into *ranons, and for
 * MADV_SEQUENTIAL deactivate and drop the back pages.
 * => called with nothing locked.
 * => returns 0 with the map read-locked and the amap (if any) locked;
 *    otherwise with everything unlocked: EFAULT (no entry, case 0), EACCES
 *    (protection), ERESTART (NEEDSCOPY was cleared: redo).
 */
static int
uvm_fault_check(struct uvm_faultinfo *ufi, struct uvm_faultctx *flt,
    struct vm_anon ***ranons)
{
	struct vm_map_entry *entry;
	struct vm_amap *amap;
	struct uvm_object *uobj;
	int nback, nforw;

	if (uvmfault_lookup(ufi, FALSE) == FALSE)
		return EFAULT;
	entry = ufi->entry;
	if ((ufi->map->flags & VM_MAP_PAGEABLE) == 0)
		panic("uvm_fault: fault on non-pageable map (%p, 0x%lx)",
		    ufi->map, ufi->orig_rvaddr);

	if ((entry->protection & flt->access_type) != flt->access_type) {
		uvmfault_unlockmaps(ufi, FALSE);
		return EACCES;
	}

	/* the protection to enter pages with; wired faults get it all */
	flt->enter_prot = entry->protection;
	flt->pa_flags = UVM_ET_ISWC(entry) ? PMAP_WC : 0;
	if (VM_MAPENT_ISWIRED(entry) || flt->wired) {
		flt->wired = TRUE;
		flt->access_type = flt->enter_prot;
		flt->narrow = TRUE;		/* no neighbours (O11) */
		flt->upper_lock_type = RW_WRITE;
	}
	if (flt->access_type & PROT_WRITE)
		flt->upper_lock_type = RW_WRITE;

	if (UVM_ET_ISNEEDSCOPY(entry)) {
		if ((flt->access_type & PROT_WRITE) ||
		    entry->object.uvm_obj == NULL) {
			uvmfault_unlockmaps(ufi, FALSE);
			uvmfault_amapcopy(ufi);
			return ERESTART;
		}
		/* still shared with the object's other users: read-only */
		flt->enter_prot &= ~PROT_WRITE;
	}

	amap = entry->aref.ar_amap;
	uobj = entry->object.uvm_obj;
	if (amap == NULL && uobj == NULL) {
		uvmfault_unlockmaps(ufi, FALSE);
		return EFAULT;
	}

	/* likely 2B: the neighbours are mapped already, don't bother */
	if (uobj != NULL && amap != NULL &&
	    (flt->access_type & PROT_WRITE) != 0)
		flt->narrow = TRUE;

	if (flt->narrow == FALSE) {
		KASSERT(entry->advice >= 0 && entry->advice < UVM_NADVICE);
		nback = min(uvmadvice[entry->advice].nback,
		    (ufi->orig_rvaddr - entry->start) >> PAGE_SHIFT);
		flt->startva = ufi->orig_rvaddr - ptoa(nback);
		/* -1: the faulting page is not a forward page */
		nforw = min(uvmadvice[entry->advice].nforw,
		    ((entry->end - ufi->orig_rvaddr) >> PAGE_SHIFT) - 1);
		flt->npages = nback + nforw + 1;
		flt->centeridx = nback;
		flt->narrow = TRUE;	/* a restart is a narrow fault */
	} else {
		nback = nforw = 0;
		flt->startva = ufi->orig_rvaddr;
		flt->npages = 1;
		flt->centeridx = 0;
	}
	KASSERT(flt->npages >= 1 && flt->npages <= UVM_MAXRANGE);

	if (amap != NULL) {
		amap_lock(amap, flt->upper_lock_type);
		amap_lookups(&entry->aref, flt->startva - entry->start,
		    *ranons, flt->npages);
	} else
		*ranons = NULL;

	/* MADV_SEQUENTIAL: deactivate what is behind us, then forget it */
	if (entry->advice == MADV_SEQUENTIAL && nback != 0)
		uvm_fault_check_behind(ufi, flt, ranons, nback);
	return 0;
}

/*
 * uvm_fault_upper_lookup: map the resident, idle anon pages around the
 * faulting page whose VA is not mapped yet (read-only when the anon is
 * shared, an_ref > 1: invariant 3), and set up pages[] for the lower
 * layer: PGO_DONTCARE where an anon shadows the object, NULL elsewhere.
 * => map read-locked; amap (if any) locked.
 * Returns TRUE when the faulting page has an anon (case 1).
 */
static boolean_t
uvm_fault_upper_lookup(struct uvm_faultinfo *ufi,
    const struct uvm_faultctx *flt, struct vm_anon **anons,
    struct vm_page **pages)
{
	struct vm_amap *amap = ufi->entry->aref.ar_amap;
	struct pmap *pmap = ufi->orig_map->pmap;
	struct vm_anon *anon;
	struct vm_page *pg;
	boolean_t shadowed = FALSE;
	vaddr_t currva;
	paddr_t pa;
	int lcv, entered = 0;

	vm_map_assert_anylock(ufi->map);
	KASSERT(amap == NULL || rw_lock_held(amap->am_lock));

	currva = flt->startva;
	for (lcv = 0; lcv < flt->npages; lcv++, currva += PAGE_SIZE) {
		if (amap == NULL || anons[lcv] == NULL) {
			pages[lcv] = NULL;
			continue;
		}
		pages[lcv] = PGO_DONTCARE;
		if (lcv == flt->centeridx) {
			shadowed = TRUE;
			continue;
		}
		anon = anons[lcv];
		KASSERT(anon->an_lock == amap->am_lock);
		pg = anon->an_page;
		if (pg == NULL || (PG_FLAGS(pg) & (PG_BUSY | PG_RELEASED)) ||
		    pmap_extract(pmap, currva, &pa))
			continue;

		KASSERT(flt->wired == FALSE);	/* wired => narrow */
		if (pg->wire_count == 0) {
			uvm_lock_pageq();
			uvm_pageactivate(pg);
			uvm_unlock_pageq();
		}
		counters_inc(uvmexp_counters, flt_namap);
		/* only a hint: a failure here costs a fault later */
		(void)pmap_enter(pmap, currva,
		    VM_PAGE_TO_PHYS(pg) | flt->pa_flags,
		    (anon->an_ref > 1) ? (flt->enter_prot & ~PROT_WRITE) :
		    flt->enter_prot, PMAP_CANFAIL);
		entered++;
	}
	if (entered > 0)
		pmap_update(pmap);
	return shadowed;
}

/*
 * uvm_fault_upper_upgrade: make the amap lock write-held for an operation
 * that needs it (allocating a page for an anon, adding an anon) by a
 * non-sleeping upgrade; when another reader is in the way, unlock all and
 * restart the fault write-locked instead (a sleeping upgrade would
 * deadlock against the other reader doing the same: BUGS M10).
 * => map read-locked; amap locked; no object locked.
 * => returns 0 with the amap write-held, or ERESTART with all unlocked.
 */
int
uvm_fault_upper_upgrade(struct uvm_faultinfo *ufi, struct uvm_faultctx *flt,
    struct vm_amap *amap)
{
	vm_map_assert_anylock(ufi->map);
	KASSERT(rw_lock_held(amap->am_lock));
	KASSERT(ufi->entry->object.uvm_obj == NULL ||
	    !rw_lock_held(ufi->entry->object.uvm_obj->vmobjlock));

	if (rw_write_held(amap->am_lock))
		return 0;
	if (rw_enter(amap->am_lock, RW_UPGRADE | RW_NOSLEEP) == 0) {
		counters_inc(uvmexp_counters, flt_up);
		return 0;
	}
	flt->upper_lock_type = RW_WRITE;
	uvmfault_unlockall(ufi, amap, NULL);
	return ERESTART;
}

/*
 * uvm_fault_upper_promote: case 1B, a write to an anon shared with other
 * amaps (an_ref > 1): copy it into a new anon, put that in the slot and
 * drop the old anon's reference (BUGS M5: with the write lock).  A pmap
 * that cannot switch a COW page under running sibling threads gets the
 * copy read-only: the write faults again (1A) once every CPU dropped the
 * old translation.  In a shared amap the other sharers' wired mappings
 * of the old page follow to the new one (uvmfault_sharers_lock before
 * amap_add, uvmfault_sharers_rewire after; a sharer's busy map means
 * ERESTART).  Models the 1B half of uvm_fault_upper().
 * => map read-locked; amap write-locked.
 * => returns 0 and the new anon's page in *npg, everything locked; or
 *    ERESTART, ENOMEM with everything unlocked.
 */
static int
uvm_fault_upper_promote(struct uvm_faultinfo *ufi, struct uvm_faultctx *flt,
    struct vm_anon **ranon, struct vm_page **npg)
{
	struct vm_amap *amap = ufi->entry->aref.ar_amap;
	struct vm_anon *anon, *oanon = *ranon;
	struct vmspace *vm = (struct vmspace *)ufi->orig_map;
	struct uvmfault_sharers sh = { NULL, 0, 0 };
	vaddr_t off = ufi->orig_rvaddr - ufi->entry->start;
	boolean_t full;
	int error, slot;

	vm_map_assert_anylock(ufi->map);
	KASSERT(rw_write_held(amap->am_lock) && oanon->an_ref > 1);

	counters_inc(uvmexp_counters, flt_acow);
	error = uvmfault_promote(ufi, oanon->an_page, &anon, npg);
	if (error != 0)
		return error;
	uvmfault_unbusy(*npg);
	/* the other sharers' wired mappings of the old page must follow */
	AMAP_B2SLOT(slot, off);
	slot += ufi->entry->aref.ar_pageoff;
	if ((amap_flags(amap) & AMAP_SHARED) != 0 && uvmfault_sharers_lock(ufi,
	    amap, slot, oanon->an_page, &sh) != 0) {
		anon->an_ref--;
		uvm_anfree(anon);
		uvmfault_unlockall(ufi, amap, NULL);
		uvmfault_sharers_wait(ufi);
		return ERESTART;
	}
	if (amap_add(&ufi->entry->aref, off, anon, TRUE) != 0) {
		uvmfault_sharers_unlock(&sh);
		/* undo under the lock the anon was set up with */
		anon->an_ref--;
		uvm_anfree(anon);
		counters_inc(uvmexp_counters, flt_noamap);
		full = uvm_swapisfull();
		if (!full)
			amap_populate(&ufi->entry->aref, off);
		uvmfault_unlockall(ufi, amap, NULL);
		return full ? ENOMEM : ERESTART;
	}
	uvmfault_sharers_rewire(ufi, &sh, oanon->an_page, *npg);
	/* it was > 1: this cannot drop it to zero */
	KASSERT(oanon->an_ref > 1);
	oanon->an_ref--;
	*ranon = anon;

	if (ufi->orig_map->pmap->pm_cow_unsafe &&
	    (ufi->orig_map->flags & VM_MAP_ISVMSPACE) != 0 &&
	    atomic_load_int(&vm->vm_nthreads) > 1) {
		flt->enter_prot &= ~PROT_WRITE;
		flt->access_type &= ~PROT_WRITE;
	}
	return 0;
}

/*
 * uvm_fault_upper: case 1, the faulting page has an anon.  Make its data
 * resident (uvmfault_anonget), copy it for a write to a shared anon (1B)
 * or use it (1A), and enter the mapping.
 * => map read-locked; amap locked (read or write).
 * => returns with everything unlocked: 0, ERESTART, ENOMEM or EACCES.
 */
static int
uvm_fault_upper(struct uvm_faultinfo *ufi, struct uvm_faultctx *flt,
    struct vm_anon **anons, vm_fault_t fault_type)
{
	struct vm_amap *amap = ufi->entry->aref.ar_amap;
	struct pmap *pmap = ufi->orig_map->pmap;
	struct vm_anon *anon = anons[flt->centeridx];
	struct vm_page *pg, *opg;
	boolean_t promoted;
	int error;

	vm_map_assert_anylock(ufi->map);
	KASSERT(amap != NULL && rw_lock_held(amap->am_lock));
	KASSERT(anon->an_lock == amap->am_lock);

	while ((error = uvmfault_anonget(ufi, amap, anon)) == ENOLCK) {
		error = uvm_fault_upper_upgrade(ufi, flt, amap);
		if (error != 0)
			return error;
	}
	if (error != 0)
		return error;
	KASSERT(anon->an_page != NULL);

	promoted = (flt->access_type & PROT_WRITE) != 0 && anon->an_ref > 1;
	if (promoted) {
		error = uvm_fault_upper_promote(ufi, flt, &anon, &pg);
		if (error != 0)
			return error;
	} else {
		/* 1A: the anon's own page, read-only while shared (M1) */
		counters_inc(uvmexp_counters, flt_anon);
		pg = anon->an_page;
		if (anon->an_ref > 1)
			flt->enter_prot &= ~PROT_WRITE;
	}

	opg = uvmfault_wired_prev(ufi, flt, fault_type, pg);
	if (pmap_enter(pmap, ufi->orig_rvaddr,
	    VM_PAGE_TO_PHYS(pg) | flt->pa_flags, flt->enter_prot,
	    flt->access_type | PMAP_CANFAIL |
	    (flt->wired ? PMAP_WIRED : 0)) != 0) {
		/* nothing to undo, but the page must be on a queue */
		if (promoted)
			uvmfault_pmfail_stale(ufi, opg, pg);
		if (pg->wire_count == 0) {
			uvm_lock_pageq();
			uvm_pageactivate(pg);
			uvm_unlock_pageq();
		}
		uvmfault_unlockall(ufi, amap, NULL);
		if (uvm_swapisfull())
			return ENOMEM;
		uvm_wait("flt_pmfail1");
		return ERESTART;
	}

	uvmfault_page_settle(opg, pg, fault_type);
	if (fault_type == VM_FAULT_WIRE || opg != NULL) {
		/* it stays in memory: its swap slot can go, it is dirty */
		KASSERT(rw_write_held(amap->am_lock));
		atomic_clearbits_int(&pg->pg_flags, PG_CLEAN);
		if (anon->an_swslot != 0)
			uvm_anon_dropswap(anon);
	}

	/* F1: no ufi->entry, amap or anon past this point */
	uvmfault_unlockall(ufi, amap, NULL);
	pmap_update(pmap);
	return 0;
}

/*
 * uvm_fault_pgo_fault: let an object with its own fault routine
 * (pgo_fault) handle case 2; it enters the mappings and unlocks all.
 * Returns 0, ERESTART (VM_PAGER_AGAIN) or EACCES.  No pager of the model
 * has one; kept for the structure of OpenBSD's uvm_fault().
 * => map read-locked; amap (if any) locked; under KERNEL_LOCK.
 */
static int
uvm_fault_pgo_fault(struct uvm_faultinfo *ufi, struct uvm_faultctx *flt,
    struct vm_page **pages, vm_fault_t fault_type)
{
	struct uvm_object *uobj = ufi->entry->object.uvm_obj;
	int result;

	KERNEL_ASSERT_LOCKED();
	vm_map_assert_anylock(ufi->map);
	result = uobj->pgops->pgo_fault(ufi, flt->startva, pages, flt->npages,
	    flt->centeridx, fault_type, flt->access_type, PGO_LOCKED);
	if (result == VM_PAGER_OK)
		return 0;
	if (result == VM_PAGER_AGAIN)
		return ERESTART;
	return EACCES;
}

/*
 * uvm_fault: resolve a fault of access_type (PROT_*) at vaddr (bytes) of
 * orig_map; fault_type VM_FAULT_WIRE wires the page (uvm_fault_wire).
 * Each pass of the loop is a fresh attempt ("ReFault"); a pass that had
 * to let go of its locks returns ERESTART and the next one is narrow.
 * => called with nothing locked, except for a VM_FAULT_WIRE fault on a
 *    map the current CPU busied and holds read-locked (uvm_map_pageable).
 * => returns holding exactly the locks held on entry (checked, BUGS F2):
 *    0, EFAULT (no entry, case 0), EACCES (protection, swap read error),
 *    ENOMEM (out of memory and swap), EIO (pager error).
 */
int
uvm_fault(struct vm_map *orig_map, vaddr_t vaddr, vm_fault_t fault_type,
    vm_prot_t access_type)
{
	struct uvm_faultinfo ufi;
	struct uvm_faultctx flt;
	struct vm_anon *anons_store[UVM_MAXRANGE], **anons;
	struct vm_page *pages[UVM_MAXRANGE];
	struct uvm_object *uobj;
	boolean_t shadowed;
	int error, nlocks;

	nlocks = lock_held_count();
#ifdef UVM_BIGLOCK
	KERNEL_LOCK();
#endif
	counters_inc(uvmexp_counters, faults);

	ufi.orig_map = orig_map;
	ufi.orig_rvaddr = trunc_page(vaddr);
	ufi.orig_size = PAGE_SIZE;
	flt.narrow = FALSE;
	flt.upper_lock_type = RW_READ;
	flt.lower_lock_type = RW_WRITE;

	error = ERESTART;
	while (error == ERESTART) {
		/* the seed's review point: start from anons_store again */
		anons = anons_store;
		flt.access_type = access_type;
		flt.wired = (fault_type == VM_FAULT_WIRE);
		flt.promote = FALSE;

		error = uvm_fault_check(&ufi, &flt, &anons);
		if (error != 0)
			continue;

		shadowed = uvm_fault_upper_lookup(&ufi, &flt, anons, pages);
		if (shadowed) {
			error = uvm_fault_upper(&ufi, &flt, anons, fault_type);
			continue;
		}
		uobj = ufi.entry->object.uvm_obj;
		FAULT_OBJ_LOCK();
		if (uobj != NULL && uobj->pgops->pgo_fault != NULL)
			error = uvm_fault_pgo_fault(&ufi, &flt, pages,
			    fault_type);
		else
			error = uvm_fault_lower(&ufi, &flt, pages, fault_type);
		FAULT_OBJ_UNLOCK();
	}

	if (error == ENOMEM)
		atomic_inc_int(&uvmexp.fltnomem);
#ifdef UVM_BIGLOCK
	KERNEL_UNLOCK();
#endif
	lock_assert_none_held_since(nlocks, "uvm_fault");
	return error;
}
