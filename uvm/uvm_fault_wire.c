/*
 * uvm_fault_wire.c: wiring in the page fault handler: uvm_fault_wire()
 * and uvm_fault_unwire[_locked](), and the helpers that keep a wired
 * entry's wiring right when a fault replaces the page it maps.
 *
 * Models uvm_fault_wire(), uvm_fault_unwire() and
 * uvm_fault_unwire_locked() of OpenBSD's sys/uvm/uvm_fault.c.
 *
 * Deviations from OpenBSD (besides those of uvm_fault.c):
 * - a separate file: OpenBSD has one uvm_fault.c; the model keeps files
 *   under ~1000 lines.  Shared helpers are in uvm_fault_priv.h.
 * - uvm_fault_unwire_locked() skips mappings that are not wired.
 * - a fault on a wired entry that is not the wiring fault and replaces
 *   the wired mapping of one wired page with another (a 1B or 2B
 *   promotion) moves the wiring to the new page (uvmfault_wire_move);
 *   OpenBSD wires only on VM_FAULT_WIRE.  See uvm_fault.c.
 * - a pmap_enter() failure after such a promotion switches the old wired
 *   mapping to the new page, wiring included (uvmfault_pmfail_stale);
 *   OpenBSD's amd64 pmap keeps the old wired translation of the old page
 *   (still wired), so the process goes on seeing the old page.
 * - model only (OpenBSD has no equivalent, see uvm_fault.c): a promotion
 *   into a shared amap moves the wired mappings of the slot's old page
 *   held by the other sharers of the amap to the new page, wiring
 *   included (uvmfault_sharers_lock/_rewire/_unlock, using the pmap ->
 *   map back pointer pm_map, pmap_page_mappings and pmap_replace_wired,
 *   all model deviations of pmap.c).  OpenBSD removes those mappings
 *   ("XXX: PAGE MIGHT BE WIRED!") and leaves the entries wired with the
 *   old page's wire count never dropped.
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
 * uvmfault_wired_prev: for a fault on a wired entry that is not the
 * wiring fault itself: the page whose wired mapping at va the new
 * mapping of pg replaces, when that page is another one and wired (a
 * promotion, 1B or 2B, on a wired entry, or the restart of one): the
 * entry's wiring must move from it to pg (uvmfault_wire_move).  NULL
 * otherwise.  Call before pmap_enter().
 * => map read-locked; the amap (if any) locked.
 */
struct vm_page *
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
 * uvmfault_wire_move1: move one page wiring from opg to pg (wire pg,
 * unwire opg); with ifwired, only when opg has one (else nothing).
 * => pg's owner write-locked (the amap, or the object for 2A); opg's
 *    owner is locked here when we do not hold it (lock order: amap, then
 *    object).  Page queues unlocked.
 */
static void
uvmfault_wire_move1(struct vm_page *opg, struct vm_page *pg,
    boolean_t ifwired)
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
	if (!ifwired || opg->wire_count > 0) {
		uvm_pagewire(pg);
		uvm_pageunwire(opg);
	}
	uvm_unlock_pageq();
	if (lock != NULL)
		rw_exit(lock);
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
void
uvmfault_wire_move(struct vm_page *opg, struct vm_page *pg)
{
	uvmfault_wire_move1(opg, pg, FALSE);
}

/*
 * uvmfault_page_settle: pg was just entered at the faulting va in place
 * of opg (uvmfault_wired_prev; NULL if none): opg's wiring moves to pg
 * (uvmfault_wire_move), a VM_FAULT_WIRE fault wires pg, and an unwired
 * pg goes on the active queue.  Models the end of uvm_fault_upper() and
 * uvm_fault_lower() (uvm_pagewire / uvm_pageactivate).
 * => pg's owner locked (its anon's lock, else its object's), written
 *    when opg != NULL (see uvmfault_wire_move).  Page queues unlocked.
 */
void
uvmfault_page_settle(struct vm_page *opg, struct vm_page *pg,
    vm_fault_t fault_type)
{
	KASSERT(pg->uanon != NULL ? rw_lock_held(pg->uanon->an_lock) :
	    rw_lock_held(pg->uobject->vmobjlock));
	if (opg != NULL)
		uvmfault_wire_move(opg, pg);
	uvm_lock_pageq();
	if (fault_type == VM_FAULT_WIRE)
		uvm_pagewire(pg);
	else if (pg->wire_count == 0)
		uvm_pageactivate(pg);
	uvm_unlock_pageq();
}

/*
 * uvmfault_pmfail_stale: pmap_enter() failed after a promotion (1B, 2B):
 * the slot now holds the new anon, but the old translation at va (the
 * old page, read-only) is still there, so this map would keep reading
 * the old page, and see the writes of its other holder.  OpenBSD's
 * comment says the pmap "threw away the mapping"; make that true for an
 * ordinary mapping: remove it.  A wired one (opg, uvmfault_wired_prev:
 * the entry is wired and so is opg) must stay, as every page of a wired
 * entry stays mapped wired (the fault may end here with ENOMEM, and a
 * later unwire finds the pages to unwire through their mappings): it is
 * switched to pg in place, still wired, with its protection kept (no
 * write right: opg was shared), and the page wiring moves from opg to pg
 * (pmap_replace_wired cannot fail: nothing is allocated).
 * => map read-locked; the amap write-locked; opg's owner locked or not
 *    (uvmfault_wire_move takes it).
 */
void
uvmfault_pmfail_stale(struct uvm_faultinfo *ufi, struct vm_page *opg,
    struct vm_page *pg)
{
	struct pmap *pmap = ufi->orig_map->pmap;
	int error;

	vm_map_assert_anylock(ufi->map);
	KASSERT(pg->uanon != NULL && rw_write_held(pg->uanon->an_lock));
	if (opg != NULL) {
		/* it mapped opg wired under our locks: it still does */
		error = pmap_replace_wired(pmap, ufi->orig_rvaddr, opg, pg);
		KASSERT(error == 0);
		uvmfault_wire_move(opg, pg);
		return;
	}
	pmap_remove(pmap, ufi->orig_rvaddr, ufi->orig_rvaddr + PAGE_SIZE);
	pmap_update(pmap);
}

/*
 * uvmfault_sharer_match: does va of map (an address of a mapping of the
 * page a promotion replaced) lie in an entry that reaches slot of amap?
 * => map locked (any).
 */
static boolean_t
uvmfault_sharer_match(struct vm_map *map, vaddr_t va, struct vm_amap *amap,
    int slot)
{
	struct vm_map_entry *entry;
	int eslot;

	vm_map_assert_anylock(map);
	if (!uvm_map_lookup_entry(map, va, &entry) ||
	    entry->aref.ar_amap != amap)
		return FALSE;
	AMAP_B2SLOT(eslot, va - entry->start);
	return (eslot + entry->aref.ar_pageoff == slot);
}

/*
 * uvmfault_sharers_lock: before a promotion puts a new anon in slot
 * (pages) of the shared amap, find the wired mappings of opg, the page
 * the slot resolves to now (the old anon's page, 1B; the object's page,
 * 2B), that belong to other entries sharing the amap at that slot, and
 * read-lock their maps (try-locks: we hold our map and the amap, and
 * MAPS -> AMAP forbids waiting for a map here), so that
 * uvmfault_sharers_rewire can move them to the new page once the slot
 * holds it.  The faulting mapping itself (ufi->orig_rvaddr) is the
 * fault's own business.  Wired mappings of opg through another amap or
 * the object stay as they are.  The pmaps and maps named by opg's pv
 * list stay allocated while we look: their teardown (uvmspace_free)
 * removes the mappings, then waits for opg's owner lock (amap_unref or
 * pgo_detach), which we hold, before it frees them.
 * => ufi->map read-locked; amap write-locked; opg's owner write-locked
 *    (its anon's lock, the amap's, for 1B; its object's lock for 2B).
 * => returns 0 with the sharers' maps read-locked as sh lists them
 *    (release with uvmfault_sharers_unlock or _rewire), else with no more
 *    than on entry locked: EBUSY (a sharer's map is locked: unlock all
 *    and restart the fault) or ENOMEM (no memory for the lists).
 * Model only: OpenBSD's pmap cannot name the map behind a mapping
 * (pm_map is a model deviation, see pmap.h).
 */
int
uvmfault_sharers_lock(struct uvm_faultinfo *ufi, struct vm_amap *amap,
    int slot, struct vm_page *opg, struct uvmfault_sharers *sh)
{
	struct pmap *pmap = ufi->orig_map->pmap, **pms;
	struct uvmfault_sharer *us;
	struct vm_map *map;
	vaddr_t *vas;
	paddr_t pa;
	int i, j, n, m, wired, error = 0;

	vm_map_assert_anylock(ufi->map);
	KASSERT(rw_write_held(amap->am_lock));
	KASSERT(opg->uanon != NULL ? rw_write_held(opg->uanon->an_lock) :
	    rw_write_held(opg->uobject->vmobjlock));
	sh->sh_list = NULL;
	sh->sh_n = sh->sh_max = 0;
	n = pmap_page_mappings(opg, NULL, NULL, 0);
	if (n == 0)
		return 0;
	pms = mallocarray(n, sizeof(*pms), M_TEMP, M_NOWAIT);
	vas = mallocarray(n, sizeof(*vas), M_TEMP, M_NOWAIT);
	sh->sh_list = mallocarray(n, sizeof(*sh->sh_list), M_TEMP, M_NOWAIT);
	sh->sh_max = n;
	if (pms == NULL || vas == NULL || sh->sh_list == NULL) {
		error = ENOMEM;
		goto out;
	}
	/* mapping opg takes its owner's lock: the list cannot grow */
	m = pmap_page_mappings(opg, pms, vas, n);
	KASSERT(m <= n);
	for (i = 0; i < m; i++) {
		if (pms[i] == pmap && vas[i] == ufi->orig_rvaddr)
			continue;
		if (pmap_prot(pms[i], vas[i], &wired) == -1 || !wired ||
		    !pmap_extract(pms[i], vas[i], &pa) ||
		    pa != VM_PAGE_TO_PHYS(opg))
			continue;
		map = (pms[i] == pmap) ? ufi->map : pms[i]->pm_map;
		if (map == NULL)
			continue;
		for (j = 0; j < sh->sh_n; j++)
			if (sh->sh_list[j].us_map == map)
				break;
		us = &sh->sh_list[sh->sh_n];
		us->us_locked = (map != ufi->map && j == sh->sh_n);
		if (us->us_locked &&
		    rw_enter(&map->lock, RW_READ | RW_NOSLEEP) != 0) {
			error = EBUSY;
			break;
		}
		if (!uvmfault_sharer_match(map, vas[i], amap, slot)) {
			if (us->us_locked)
				vm_map_unlock_read(map);
			continue;
		}
		us->us_pmap = pms[i];
		us->us_map = map;
		us->us_va = vas[i];
		sh->sh_n++;
	}
out:
	if (pms != NULL)
		free(pms, M_TEMP, n * sizeof(*pms));
	if (vas != NULL)
		free(vas, M_TEMP, n * sizeof(*vas));
	if (error != 0)
		uvmfault_sharers_unlock(sh);
	return error;
}

/*
 * uvmfault_sharers_unlock: release what uvmfault_sharers_lock took: the
 * maps it read-locked and the list.
 * => the maps sh lists read-locked by us (or ufi->map).
 */
void
uvmfault_sharers_unlock(struct uvmfault_sharers *sh)
{
	int i;

	for (i = 0; i < sh->sh_n; i++) {
		if (!sh->sh_list[i].us_locked)
			continue;
		KASSERT(rw_read_held(&sh->sh_list[i].us_map->lock));
		vm_map_unlock_read(sh->sh_list[i].us_map);
	}
	if (sh->sh_list != NULL)
		free(sh->sh_list, M_TEMP, sh->sh_max * sizeof(*sh->sh_list));
	sh->sh_list = NULL;
	sh->sh_n = sh->sh_max = 0;
}

/*
 * uvmfault_sharers_rewire: the promotion is done, the slot holds npg's
 * anon: each wired mapping uvmfault_sharers_lock found maps npg instead
 * of opg, still wired (pmap_replace_wired: it cannot fail, and shoots
 * the old translation down on every CPU), and its page wiring moves from
 * opg to npg; then the maps are unlocked.  A mapping that went away
 * before its map was locked is skipped.  A wired mapping of opg does not
 * always hold a wiring of opg: while its entry's wiring is in progress
 * (mlock's pass 2, mprotect's rewire: the sharer's map is busy and
 * unlocked, so its read lock is ours), the mapping may be one an ordinary
 * fault entered PMAP_WIRED, or one whose page wiring mprotect dropped
 * before wiring again; the wiring fault to come wires the page the slot
 * holds then (npg).  So a wiring moves only while opg has one (opg's
 * wire count is the sum over its wired mappings; all of them here end
 * on npg, so which one held it does not matter).  Not handled: opg also
 * wired through an entry of another amap (an_ref > 1) while such an
 * uncounted mapping is moved: that wiring would move too.
 * => as for uvmfault_sharers_lock, the maps sh lists read-locked, and
 *    npg's anon (the amap's lock) write-locked; opg's object, for 2B,
 *    may be unlocked (uvmfault_wire_move takes it).
 */
void
uvmfault_sharers_rewire(struct uvm_faultinfo *ufi,
    struct uvmfault_sharers *sh, struct vm_page *opg, struct vm_page *npg)
{
	struct uvmfault_sharer *us;
	int i;

	vm_map_assert_anylock(ufi->map);
	KASSERT(npg->uanon != NULL && rw_write_held(npg->uanon->an_lock));
	for (i = 0; i < sh->sh_n; i++) {
		us = &sh->sh_list[i];
		KASSERT(us->us_map == ufi->map ||
		    rw_read_held(&us->us_map->lock));
		if (pmap_replace_wired(us->us_pmap, us->us_va, opg, npg) != 0)
			continue;
		/* not counted yet when its entry's wiring is in progress */
		uvmfault_wire_move1(opg, npg, TRUE);
	}
	uvmfault_sharers_unlock(sh);
}

/*
 * uvmfault_sharers_wait: uvmfault_sharers_lock failed (a sharer's map
 * was locked, or no memory) and the caller unlocked the map, amap and
 * object: nap briefly so the holder can go on, then the caller restarts
 * the fault.  KERNEL_LOCK, if held, is released while asleep.
 * => ufi->map unlocked.
 */
void
uvmfault_sharers_wait(struct uvm_faultinfo *ufi)
{
	KASSERT(!rw_lock_held(&ufi->map->lock));
	tsleep_nsec(&uvm_fault_nowake, PVM, "fltshare", MSEC_TO_NSEC(1));
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
 * A mapping is read again once its entry's amap and object are locked:
 * a sharer's promotion may have moved it to another page meanwhile
 * (uvmfault_sharers_rewire; our map may be read-locked by both).
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
			/* a sharer's promotion may have moved it meanwhile */
			if (pmap_prot(pmap, va, &wired) == -1 || !wired ||
			    !pmap_extract(pmap, va, &pa))
				continue;
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
