/*
 * uvm_fault_lower.c: the lower layer of the page fault handler, case 2
 * (no anon at the faulting page): map the object's page (2A) or promote
 * it, or zeroes, into a new anon (2B).
 *
 * Models the lower half of sys/uvm/uvm_fault.c of OpenBSD:
 * uvm_fault_lower_lookup(), uvm_fault_lower_io() and uvm_fault_lower(),
 * with the 2B half in uvm_fault_lower_promote() (NetBSD's name).  Runs
 * under KERNEL_LOCK (taken by uvm_fault() around it), the map read lock
 * and the amap lock; see uvm_fault.c for the whole path, the lock order
 * and the locking modes.
 *
 * Deviations from OpenBSD (besides those of uvm_fault.c):
 * - a separate file: OpenBSD has one uvm_fault.c; the model keeps files
 *   under ~1000 lines.  Shared helpers are in uvm_fault_priv.h.
 * - uvm_fault_lower_io() returns the object page unbusied with the object
 *   locked (as NetBSD), so the PGO_LOCKED and the I/O page are treated
 *   alike afterwards.
 * - a pager "try again" while uvm_swapisfull() gives ENOMEM; a NOFAULT
 *   entry without an amap cannot zero-fill a pager error and returns EIO.
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
 * slot: those mappings go, except the wired ones; the wired ones of the
 * amap's other sharers at this slot move to the new page
 * (uvmfault_sharers_lock before amap_add, uvmfault_sharers_rewire after;
 * a sharer's busy map means ERESTART).  See uvm_fault.c's header.
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
	struct uvmfault_sharers sh = { NULL, 0, 0 };
	vaddr_t off = ufi->orig_rvaddr - ufi->entry->start;
	boolean_t full;
	int error, slot;

	vm_map_assert_anylock(ufi->map);
	KASSERT(amap != NULL && rw_write_held(amap->am_lock));
	KASSERT(uobj == NULL || rw_write_held(uobj->vmobjlock));

	error = uvmfault_promote(ufi, uobjpage, &anon, npg);
	if (error != 0)
		return error;
	AMAP_B2SLOT(slot, off);
	slot += ufi->entry->aref.ar_pageoff;
	if (uobjpage != PGO_DONTCARE && (amap_flags(amap) & AMAP_SHARED) &&
	    uvmfault_sharers_lock(ufi, amap, slot, uobjpage, &sh) != 0) {
		/* the sharers' wired mappings cannot follow now: retry */
		uvmfault_unbusy(*npg);
		anon->an_ref--;
		uvm_anfree(anon);
		uvmfault_unlockall(ufi, amap, uobj);
		uvmfault_sharers_wait(ufi);
		return ERESTART;
	}
	if (uobjpage != PGO_DONTCARE) {
		counters_inc(uvmexp_counters, flt_prcopy);
		if (amap_flags(amap) & AMAP_SHARED)
			pmap_page_remove_unwired(uobjpage);
		rw_exit(uobj->vmobjlock);
		*ruobj = NULL;
	} else
		counters_inc(uvmexp_counters, flt_przero);

	if (amap_add(&ufi->entry->aref, off, anon, FALSE) != 0) {
		uvmfault_sharers_unlock(&sh);
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
	if (sh.sh_n > 0)
		uvmfault_sharers_rewire(ufi, &sh, uobjpage, *npg);
	else
		uvmfault_sharers_unlock(&sh);
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
int
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

	uvmfault_page_settle(opg, pg, fault_type);
	if (anon != NULL)
		uvmfault_unbusy(pg);

	/* F1: no ufi->entry, amap or page past this point */
	uvmfault_unlockall(ufi, amap, uobj);
	pmap_update(pmap);
	return 0;
}
