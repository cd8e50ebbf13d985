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
 * - uvmadvice[] is a constant table (OpenBSD computes the same values,
 *   for 4 KiB pages, in uvmfault_init()).
 * - "wired" is recomputed on each pass from the fault type and the entry
 *   (the seed derived it from `narrow', which made every restarted fault
 *   a wired one); access_type is reset on each pass for the same reason.
 * - read faults take the amap lock shared and upgrade without sleeping
 *   (uvm_fault_upper_upgrade, as NetBSD and later OpenBSD); a zero-fill
 *   promotion of a read fault needs the upgrade too.
 * - uvm_fault_lower_io() returns the object page unbusied with the object
 *   locked (as NetBSD), so the PGO_LOCKED and the I/O page are treated
 *   alike afterwards.
 * - 1B, 2B and step 9 of uvm_fault_check live in helpers
 *   (uvm_fault_upper_promote, uvm_fault_lower_promote as NetBSD names
 *   them; uvm_fault_check_behind) to keep functions a screen long.
 * - a pager "try again" while uvm_swapisfull() gives ENOMEM (the model's
 *   rule that no input may loop forever); a NOFAULT entry without an amap
 *   cannot zero-fill a pager error and returns EIO.
 * - an anon whose swap slot is SWSLOT_BAD fails with EACCES without I/O.
 * - uvm_fault_unwire_locked() skips mappings that are not wired.
 * - a fault on a wired entry that is not the wiring fault and replaces
 *   the wired mapping of one wired page with another (a 1B or 2B
 *   promotion, e.g. a write to a wired anon that fork left shared) moves
 *   the wiring to the new page (uvmfault_wire_move).  OpenBSD wires only
 *   on VM_FAULT_WIRE: the old page stays wired for good and the new one
 *   is mapped PMAP_WIRED with wire_count 0.
 * - a promotion into a shared amap (2B here, 1B in amap_add) removes only
 *   the unwired mappings of the old page (pmap_page_remove_unwired);
 *   OpenBSD removes the wired ones too ("XXX: PAGE MIGHT BE WIRED!"),
 *   also those of entries that do not share the amap, which stay wired
 *   with their pages unmapped.  The faulting entry's own wired mapping
 *   is then replaced by pmap_enter and its wiring moves as above.  OPEN:
 *   a wired mapping of another sharer of the amap stays too and is then
 *   stale (it should map the new page, wired); the pmap cannot name the
 *   map entry behind a mapping, so the sharers cannot be told apart.
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

/* nothing from the lower object is ever mapped writable through COW */
#define MASK(entry)	(UVM_ET_ISCOPYONWRITE(entry) ? \
			 ~PROT_WRITE : PROT_MASK)

/* pg_flags change with atomic bit operations: read them atomically too */
#define PG_FLAGS(pg)	((u_int)atomic_load_int(&(pg)->pg_flags))

/* "try again later" naps sleep here; nobody wakes it up */
static int uvm_fault_nowake;

#ifdef UVM_BIGLOCK
#define FAULT_OBJ_LOCK()	KERNEL_ASSERT_LOCKED()
#define FAULT_OBJ_UNLOCK()	do { } while (0)
#else
#define FAULT_OBJ_LOCK()	KERNEL_LOCK()
#define FAULT_OBJ_UNLOCK()	KERNEL_UNLOCK()
#endif

/*
 * uvmfault_unbusy: wake up whoever waits for pg and clear its busy state
 * (PG_BUSY, PG_WANTED, PG_FAKE: the caller filled it).
 * => pg busy and not PG_RELEASED; its owner's lock write-held.
 * Models the unbusy sequence plus UVM_PAGE_OWN(pg, NULL).
 */
static void
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
static int
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
static int
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
 * old translation.  Models the 1B half of uvm_fault_upper().
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
	vaddr_t off = ufi->orig_rvaddr - ufi->entry->start;
	boolean_t full;
	int error;

	vm_map_assert_anylock(ufi->map);
	KASSERT(rw_write_held(amap->am_lock) && oanon->an_ref > 1);

	counters_inc(uvmexp_counters, flt_acow);
	error = uvmfault_promote(ufi, oanon->an_page, &anon, npg);
	if (error != 0)
		return error;
	uvmfault_unbusy(*npg);
	if (amap_add(&ufi->entry->aref, off, anon, TRUE) != 0) {
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
 * uvmfault_wired_prev: for a fault on a wired entry that is not the
 * wiring fault itself: the page whose wired mapping at va the new
 * mapping of pg replaces, when that page is another one and wired (a
 * promotion, 1B or 2B, on a wired entry, or the restart of one): the
 * entry's wiring must move from it to pg (uvmfault_wire_move).  NULL
 * otherwise.  Call before pmap_enter().
 * => map read-locked; the amap (if any) locked.
 */
static struct vm_page *
uvmfault_wired_prev(struct uvm_faultinfo *ufi, struct uvm_faultctx *flt,
    vm_fault_t fault_type, struct vm_page *pg)
{
	struct pmap *pmap = ufi->orig_map->pmap;
	struct vm_page *opg;
	paddr_t pa;
	int wired;

	vm_map_assert_anylock(ufi->map);
	if (!flt->wired || fault_type == VM_FAULT_WIRE)
		return NULL;
	if (!pmap_extract(pmap, ufi->orig_rvaddr, &pa) ||
	    pmap_prot(pmap, ufi->orig_rvaddr, &wired) == -1 || !wired)
		return NULL;
	opg = PHYS_TO_VM_PAGE(pa);
	if (opg == NULL || opg == pg || opg->wire_count == 0)
		return NULL;
	return opg;
}

/*
 * uvmfault_wire_move: the mapping of a wired entry now maps pg instead of
 * opg (uvmfault_wired_prev): wire pg, unwire opg.  OpenBSD wires only on
 * VM_FAULT_WIRE, so a write that promotes a page of a wired entry leaves
 * the old page wired for good and maps the new one PMAP_WIRED unwired.
 * => pg's owner write-locked (the amap, or the object for 2A); opg's
 *    owner is locked here when we do not hold it (lock order: amap, then
 *    object).  Page queues unlocked.
 */
static void
uvmfault_wire_move(struct vm_page *opg, struct vm_page *pg)
{
	struct rwlock *lock = NULL;

	KASSERT(pg->uanon != NULL ? rw_write_held(pg->uanon->an_lock) :
	    rw_write_held(pg->uobject->vmobjlock));
	if (opg->uanon != NULL)
		lock = opg->uanon->an_lock;
	else if (opg->uobject != NULL)
		lock = opg->uobject->vmobjlock;
	KASSERT(lock != NULL);
	if (rw_write_held(lock))
		lock = NULL;
	else
		rw_enter(lock, RW_WRITE);
	uvm_lock_pageq();
	uvm_pagewire(pg);
	uvm_pageunwire(opg);
	uvm_unlock_pageq();
	if (lock != NULL)
		rw_exit(lock);
}

/*
 * uvmfault_pmfail_stale: pmap_enter() failed after a promotion (1B, 2B):
 * the slot now holds the new anon, but the old translation at va (the
 * old page, read-only) is still there, so this map would keep reading
 * the old page, and see the writes of its other holder.  OpenBSD's
 * comment says the pmap "threw away the mapping"; make that true.  A
 * wiring the old mapping carried (opg, uvmfault_wired_prev) moves to pg
 * first, so that the restarted fault finds pg wired.
 * => map read-locked; the amap write-locked.
 */
static void
uvmfault_pmfail_stale(struct uvm_faultinfo *ufi, struct vm_page *opg,
    struct vm_page *pg)
{
	struct pmap *pmap = ufi->orig_map->pmap;

	vm_map_assert_anylock(ufi->map);
	if (opg != NULL)
		uvmfault_wire_move(opg, pg);
	pmap_remove(pmap, ufi->orig_rvaddr, ufi->orig_rvaddr + PAGE_SIZE);
	pmap_update(pmap);
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

	if (opg != NULL)
		uvmfault_wire_move(opg, pg);
	uvm_lock_pageq();
	if (fault_type == VM_FAULT_WIRE)
		uvm_pagewire(pg);
	else if (pg->wire_count == 0)
		uvm_pageactivate(pg);
	uvm_unlock_pageq();
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
 * uvm_fault_lower_lookup: lock the object, get its resident idle pages of
 * the range (pgo_get PGO_LOCKED; PGO_DONTCARE slots are skipped) and map
 * those around the faulting page that are not mapped yet, never writable
 * through a copy-on-write entry (MASK).
 * => map read-locked; amap (if any) locked; object unlocked.
 * => returns with the object write-locked as well: the faulting page if
 *    resident (not busy), else NULL.
 */
static struct vm_page *
uvm_fault_lower_lookup(struct uvm_faultinfo *ufi,
    const struct uvm_faultctx *flt, struct vm_page **pages)
{
	struct uvm_object *uobj = ufi->entry->object.uvm_obj;
	struct pmap *pmap = ufi->orig_map->pmap;
	struct vm_page *uobjpage = NULL;
	vaddr_t currva;
	paddr_t pa;
	int lcv, gotpages, entered = 0;

	vm_map_assert_anylock(ufi->map);
	KASSERT(uobj != NULL && !rw_lock_held(uobj->vmobjlock));

	rw_enter(uobj->vmobjlock, flt->lower_lock_type);
	counters_inc(uvmexp_counters, flt_lget);
	gotpages = flt->npages;
	(void)uobj->pgops->pgo_get(uobj,
	    ufi->entry->offset + (flt->startva - ufi->entry->start),
	    pages, &gotpages, flt->centeridx,
	    flt->access_type & MASK(ufi->entry), ufi->entry->advice,
	    PGO_LOCKED);
	if (gotpages == 0)
		return NULL;

	currva = flt->startva;
	for (lcv = 0; lcv < flt->npages; lcv++, currva += PAGE_SIZE) {
		if (pages[lcv] == NULL || pages[lcv] == PGO_DONTCARE)
			continue;
		KASSERT((PG_FLAGS(pages[lcv]) & (PG_BUSY | PG_RELEASED)) == 0);
		KASSERT(pages[lcv]->uobject == uobj);
		if (lcv == flt->centeridx) {
			uobjpage = pages[lcv];
			continue;
		}
		if (pmap_extract(pmap, currva, &pa))
			continue;

		KASSERT(flt->wired == FALSE);	/* wired => narrow */
		if (pages[lcv]->wire_count == 0) {
			uvm_lock_pageq();
			uvm_pageactivate(pages[lcv]);
			uvm_unlock_pageq();
		}
		counters_inc(uvmexp_counters, flt_nomap);
		/* a hint only; the object lock keeps the page from going */
		(void)pmap_enter(pmap, currva,
		    VM_PAGE_TO_PHYS(pages[lcv]) | flt->pa_flags,
		    flt->enter_prot & MASK(ufi->entry), PMAP_CANFAIL);
		entered++;
	}
	if (entered > 0)
		pmap_update(pmap);
	return uobjpage;
}

/*
 * uvm_fault_lower_io: the faulting object page is not resident: unlock
 * the amap and the map, read it with a synchronous pgo_get (sleeps), and
 * lock everything again.  Give up (restart) when the map changed or the
 * amap slot was filled while we slept (BUGS M4).  An UVM_ET_NOFAULT entry
 * turns a pager error into a zero-fill promotion.
 * => map read-locked; amap (if any) locked; object write-locked.
 * => returns 0 with map, amap (write-locked if flt->promote) and, unless
 *    *ruobjpage became PGO_DONTCARE (*ruobj NULL then), the object locked
 *    and *ruobjpage resident, unbusied, activated; otherwise everything
 *    unlocked: ERESTART, ENOMEM (the pager found no memory, nor does the
 *    pagedaemon), EIO (pager error).
 */
static int
uvm_fault_lower_io(struct uvm_faultinfo *ufi, struct uvm_faultctx *flt,
    struct uvm_object **ruobj, struct vm_page **ruobjpage)
{
	struct vm_amap * const amap = ufi->entry->aref.ar_amap;
	struct uvm_object *uobj = *ruobj;
	struct vm_page *pg;
	boolean_t locked, nofault;
	int gotpages, advice, result;
	voff_t uoff;
	vm_prot_t access_type;

	vm_map_assert_anylock(ufi->map);
	KASSERT(amap == NULL || rw_lock_held(amap->am_lock));
	KASSERT(rw_write_held(uobj->vmobjlock));

	/* everything needed from the entry, before it may change */
	uoff = (ufi->orig_rvaddr - ufi->entry->start) + ufi->entry->offset;
	access_type = flt->access_type & MASK(ufi->entry);
	advice = ufi->entry->advice;
	nofault = UVM_ET_ISNOFAULT(ufi->entry);
	uvmfault_unlockall(ufi, amap, NULL);

	counters_inc(uvmexp_counters, flt_get);
	gotpages = 1;
	pg = NULL;
	result = uobj->pgops->pgo_get(uobj, uoff, &pg, &gotpages, 0,
	    access_type, advice, PGO_SYNCIO);	/* unlocks the object */
	if (result != VM_PAGER_OK) {
		KASSERT(result != VM_PAGER_PEND);
		if (result == VM_PAGER_AGAIN) {
			/* the pager waited for memory in vain: give up */
			if (uvm_swapisfull())
				return ENOMEM;
			tsleep_nsec(&uvm_fault_nowake, PVM, "fltagain2",
			    MSEC_TO_NSEC(5));
			return ERESTART;
		}
		/* NOFAULT: zero-fill instead, if there is an amap for it */
		if (!nofault || amap == NULL)
			return EIO;
		pg = PGO_DONTCARE;
		uobj = NULL;
		flt->promote = TRUE;
	}

	locked = uvmfault_relock(ufi);
	if (locked && amap != NULL)
		amap_lock(amap, flt->promote ? RW_WRITE : flt->upper_lock_type);
	if (pg != PGO_DONTCARE) {
		rw_enter(uobj->vmobjlock, RW_WRITE);
		KASSERT(pg->uobject == uobj);
		KASSERT((PG_FLAGS(pg) & (PG_BUSY | PG_RELEASED)) == PG_BUSY);
	}
	/* M4: the slot must still be empty, or an anon won meanwhile */
	if (locked && amap != NULL && amap_lookup(&ufi->entry->aref,
	    ufi->orig_rvaddr - ufi->entry->start) != NULL) {
		uvmfault_unlockall(ufi, amap, NULL);
		locked = FALSE;
	}

	if (pg != PGO_DONTCARE) {
		/* done with the busy state: the object lock holds it now */
		uvm_lock_pageq();
		if (pg->wire_count == 0)
			uvm_pageactivate(pg);
		uvm_unlock_pageq();
		uvmfault_unbusy(pg);
	}
	if (!locked) {
		if (pg != PGO_DONTCARE)
			rw_exit(uobj->vmobjlock);
		return ERESTART;
	}
	*ruobj = uobj;
	*ruobjpage = pg;
	return 0;
}

/*
 * uvm_fault_lower_promote: case 2B: promote the object page uobjpage (a
 * copy; the object is unlocked then, *ruobj NULL) or zeroes (uobjpage
 * PGO_DONTCARE) into a new anon and put it in the empty slot.  When the
 * amap is shared, its other users may map the object page through this
 * slot: those mappings go, except the wired ones (see the file header).
 * Models the 2B half of uvm_fault_lower().
 * => map read-locked; amap write-locked; the object (if any) locked.
 * => returns 0 with the new anon and its busy page in *ranon, *npg, the
 *    map and the amap locked; or ERESTART, ENOMEM, all unlocked.
 */
static int
uvm_fault_lower_promote(struct uvm_faultinfo *ufi, struct vm_page *uobjpage,
    struct uvm_object **ruobj, struct vm_anon **ranon, struct vm_page **npg)
{
	struct vm_amap *amap = ufi->entry->aref.ar_amap;
	struct uvm_object *uobj = *ruobj;
	struct vm_anon *anon;
	vaddr_t off = ufi->orig_rvaddr - ufi->entry->start;
	boolean_t full;
	int error;

	vm_map_assert_anylock(ufi->map);
	KASSERT(amap != NULL && rw_write_held(amap->am_lock));
	KASSERT(uobj == NULL || rw_write_held(uobj->vmobjlock));

	error = uvmfault_promote(ufi, uobjpage, &anon, npg);
	if (error != 0)
		return error;
	if (uobjpage != PGO_DONTCARE) {
		counters_inc(uvmexp_counters, flt_prcopy);
		if (amap_flags(amap) & AMAP_SHARED)
			pmap_page_remove_unwired(uobjpage);
		rw_exit(uobj->vmobjlock);
		*ruobj = NULL;
	} else
		counters_inc(uvmexp_counters, flt_przero);

	if (amap_add(&ufi->entry->aref, off, anon, FALSE) != 0) {
		/* O10: undo with the anon's lock (the amap's) write-held */
		uvmfault_unbusy(*npg);
		anon->an_ref--;
		uvm_anfree(anon);
		counters_inc(uvmexp_counters, flt_noamap);
		full = uvm_swapisfull();
		if (!full)	/* while the entry is still valid */
			amap_populate(&ufi->entry->aref, off);
		uvmfault_unlockall(ufi, amap, NULL);
		return full ? ENOMEM : ERESTART;
	}
	*ranon = anon;
	return 0;
}

/*
 * uvm_fault_lower: case 2, no anon at the faulting page.  Find the object
 * page (resident, or read in by uvm_fault_lower_io), then map it (2A) or
 * promote it, or zero-fill when there is no object, into a new anon (2B).
 * => map read-locked; amap (if any) locked; object unlocked; runs under
 *    KERNEL_LOCK.
 * => returns with everything unlocked: 0, ERESTART, ENOMEM, EIO.
 */
static int
uvm_fault_lower(struct uvm_faultinfo *ufi, struct uvm_faultctx *flt,
    struct vm_page **pages, vm_fault_t fault_type)
{
	struct vm_amap *amap = ufi->entry->aref.ar_amap;
	struct uvm_object *uobj = ufi->entry->object.uvm_obj;
	struct pmap *pmap = ufi->orig_map->pmap;
	struct vm_anon *anon = NULL;
	struct vm_page *uobjpage, *pg, *opg;
	int error;

	vm_map_assert_anylock(ufi->map);
	KASSERT(amap == NULL || rw_lock_held(amap->am_lock));
	KASSERT(uobj == NULL || !rw_lock_held(uobj->vmobjlock));
	KERNEL_ASSERT_LOCKED();

	/* from the access, never the entry protection (L1, "Dirty COW") */
	flt->promote = (uobj == NULL) ||
	    ((flt->access_type & PROT_WRITE) != 0 &&
	    UVM_ET_ISCOPYONWRITE(ufi->entry));
	if (flt->promote) {
		KASSERT(amap != NULL);
		/* before the object lock: amap before uobj */
		error = uvm_fault_upper_upgrade(ufi, flt, amap);
		if (error != 0)
			return error;
	}

	if (uobj == NULL)
		uobjpage = PGO_DONTCARE;
	else {
		uobjpage = uvm_fault_lower_lookup(ufi, flt, pages);
		if (uobjpage == NULL) {
			error = uvm_fault_lower_io(ufi, flt, &uobj, &uobjpage);
			if (error != 0)
				return error;
		} else if (uobjpage->wire_count == 0) {
			uvm_lock_pageq();
			uvm_pageactivate(uobjpage);
			uvm_unlock_pageq();
		}
	}
	KASSERT(uobjpage != NULL);

	if (flt->promote == FALSE) {
		/* 2A: the object's page itself, read-only if COW (M2) */
		counters_inc(uvmexp_counters, flt_obj);
		if (UVM_ET_ISCOPYONWRITE(ufi->entry))
			flt->enter_prot &= ~PROT_WRITE;
		pg = uobjpage;
	} else {
		error = uvm_fault_lower_promote(ufi, uobjpage, &uobj, &anon,
		    &pg);
		if (error != 0)
			return error;
	}

	if (amap != NULL)
		KASSERT(anon == NULL || (rw_write_held(amap->am_lock) &&
		    anon->an_lock == amap->am_lock));
	opg = uvmfault_wired_prev(ufi, flt, fault_type, pg);
	if (pmap_enter(pmap, ufi->orig_rvaddr,
	    VM_PAGE_TO_PHYS(pg) | flt->pa_flags, flt->enter_prot,
	    flt->access_type | PMAP_CANFAIL |
	    (flt->wired ? PMAP_WIRED : 0)) != 0) {
		/* the anon stays; its page must be idle and queued */
		if (anon != NULL) {
			uvmfault_pmfail_stale(ufi, opg, pg);
			if (pg->wire_count == 0) {
				uvm_lock_pageq();
				uvm_pageactivate(pg);
				uvm_unlock_pageq();
			}
			uvmfault_unbusy(pg);
		}
		uvmfault_unlockall(ufi, amap, uobj);
		if (uvm_swapisfull())
			return ENOMEM;
		uvm_wait("flt_pmfail2");
		return ERESTART;
	}

	if (opg != NULL)
		uvmfault_wire_move(opg, pg);
	uvm_lock_pageq();
	if (fault_type == VM_FAULT_WIRE)
		uvm_pagewire(pg);
	else if (pg->wire_count == 0)
		uvm_pageactivate(pg);
	uvm_unlock_pageq();
	if (anon != NULL)
		uvmfault_unbusy(pg);

	/* F1: no ufi->entry, amap or page past this point */
	uvmfault_unlockall(ufi, amap, uobj);
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

/*
 * uvm_fault_wire: fault in and wire every page of [start, end) (bytes,
 * page aligned) with access_type.  On failure the pages wired so far are
 * unwired again (page wire counts; their mappings stay wired while the
 * entry is wired) and the error of uvm_fault() is returned.
 * => map unlocked (uvm_map_pageable busies it meanwhile, so no other CPU
 *    changes it; see uvm_map.h).
 */
int
uvm_fault_wire(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t access_type)
{
	vaddr_t va;
	int error;

	KASSERT((start & PAGE_MASK) == 0 && (end & PAGE_MASK) == 0);
	KASSERT(start <= end);
	KASSERT(!rw_lock_held(&map->lock));

	for (va = start; va < end; va += PAGE_SIZE) {
		error = uvm_fault(map, va, VM_FAULT_WIRE, access_type);
		if (error == 0)
			continue;
		if (va != start)
			uvm_fault_unwire(map, start, va);
		return error;
	}
	return 0;
}

/*
 * uvm_fault_unwire: uvm_fault_unwire_locked with the map read-locked here.
 * => map unlocked.
 */
void
uvm_fault_unwire(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	KASSERT(!rw_lock_held(&map->lock));
	vm_map_lock_read(map);
	uvm_fault_unwire_locked(map, start, end);
	vm_map_unlock_read(map);
}

/* lock/unlock what owns the pages of entry: its amap, then its object */
static void
uvmfault_lock_entry(struct vm_map_entry *entry)
{
	if (entry->aref.ar_amap != NULL)
		amap_lock(entry->aref.ar_amap, RW_WRITE);
	if (entry->object.uvm_obj != NULL)
		rw_enter(entry->object.uvm_obj->vmobjlock, RW_WRITE);
}

static void
uvmfault_unlock_entry(struct vm_map_entry *entry)
{
	if (entry->object.uvm_obj != NULL)
		rw_exit(entry->object.uvm_obj->vmobjlock);
	if (entry->aref.ar_amap != NULL)
		amap_unlock(entry->aref.ar_amap);
}

/*
 * uvm_fault_unwire_locked: unwire the pages mapped wired in [start, end)
 * (bytes): each page's wire count drops by one, and the mapping itself
 * is unwired when its entry is no longer wired.  The walk follows the
 * entries actually present: holes and entries that came and went are
 * skipped, nothing assumes the range is one run of entries (BUGS O7).
 * => map locked (any); no amap or object locked.
 * Models uvm_fault_unwire_locked().
 */
void
uvm_fault_unwire_locked(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *entry, *oentry = NULL;
	struct pmap *pmap = map->pmap;
	struct vm_page *pg;
	vaddr_t va;
	paddr_t pa;
	int wired;

	vm_map_assert_anylock(map);
	KASSERT((map->flags & VM_MAP_INTRSAFE) == 0);
	KASSERT(start >= map->min_offset && end <= map->max_offset);

	if (!uvm_map_lookup_entry(map, start, &entry)) {
		/* start is in a hole: begin with the next entry */
		entry = (entry == NULL) ? uvm_map_entry_first(map) :
		    uvm_map_entry_next(map, entry);
	}
	for (va = start; va < end; va += PAGE_SIZE) {
		while (entry != NULL && va >= entry->end)
			entry = uvm_map_entry_next(map, entry);
		if (entry == NULL)
			break;
		if (va < entry->start)
			continue;
		if (pmap_prot(pmap, va, &wired) == -1 || !wired)
			continue;
		if (!pmap_extract(pmap, va, &pa))
			continue;

		if (entry != oentry) {
			if (oentry != NULL)
				uvmfault_unlock_entry(oentry);
			uvmfault_lock_entry(entry);
			oentry = entry;
		}
		if (!VM_MAPENT_ISWIRED(entry))
			pmap_unwire(pmap, va);
		pg = PHYS_TO_VM_PAGE(pa);
		if (pg != NULL) {
			KASSERT(pg->wire_count > 0);
			uvm_lock_pageq();
			uvm_pageunwire(pg);
			uvm_unlock_pageq();
		}
	}
	if (oentry != NULL)
		uvmfault_unlock_entry(oentry);
}
