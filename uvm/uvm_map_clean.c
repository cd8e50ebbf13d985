/*
 * uvm_map_clean.c: uvm_map_clean(), the map walk behind madvise
 * MADV_DONTNEED (PGO_DEACTIVATE) and MADV_FREE (PGO_FREE).
 *
 * Models uvm_map_clean() of OpenBSD's sys/uvm/uvm_map.c (the walk of
 * rev. 1.250, with the amap write lock around the anon loop and the
 * object lock around pgo_flush that the amap/object locking added): a
 * first pass under the map read lock refuses a range with a hole
 * (EFAULT); then, entry by entry, the anon pages of the amap are
 * deactivated or freed under the amap lock, and the object pages are
 * flushed with pgo_flush under the object lock:
 *   - an anon without a resident page (swapped out) is skipped;
 *   - a wired page is skipped (neither deactivated nor freed);
 *   - PGO_DEACTIVATE: every mapping of the page is removed and the page
 *     goes to the inactive queue; contents are kept;
 *   - PGO_FREE: when the amap has more than one reference (shared by a
 *     fork, a split or MAP_INHERIT_SHARE) the page is only deactivated;
 *     otherwise the slot is emptied (amap_unadd) and the anon loses that
 *     reference; the last reference frees the anon with its page and
 *     swap slot (uvm_anfree: a busy page is marked PG_RELEASED and freed
 *     by its busy owner).  An anon still referenced by another amap (a
 *     fork's copy) keeps its page;
 *   - the object is flushed with the same flags (no PGO_CLEANIT, so
 *     PGO_FREE discards dirty object pages, as uvn_flush) unless PGO_FREE
 *     is asked of an entry without PROT_WRITE in its max_protection or of
 *     a copy-on-write entry.
 *
 * Deviations from OpenBSD:
 * - a separate file (house rule: files under ~1000 lines);
 * - the model's map has no free-space entries: "a hole" is any page of
 *   [start, end) no entry maps, which is what OpenBSD's first pass
 *   (UVM_ET_ISHOLE, VMMAP_FREE_END) finds;
 * - the map read lock is held for the whole walk, as rev. 1.250 does
 *   (newer OpenBSD may instead busy the map and drop the read lock
 *   before the walk; the walk never sleeps here: the simulated pager's
 *   flush does not sleep without PGO_CLEANIT|PGO_SYNCIO);
 * - PGO_CLEANIT (msync) is accepted and passed to pgo_flush, but only
 *   madvise calls this function in the model;
 * - PGO_FREE removes every mapping of the page before amap_unadd.
 *   OpenBSD does not: when the anon is still referenced by another
 *   amap (fork, then the child's write fault copied the amap), an_ref
 *   drops to 1, uvm_anfree does not run, and this map's pmap keeps its
 *   read-only mapping of a page that now belongs to the other process
 *   alone.  That process's next write to it is a case 1A fault (an_ref
 *   1: no copy), so its new data shows through the stale mapping: a
 *   leak between processes (invariant 0 of uvm_check.c, "va maps page
 *   ... but entry resolves it to ...", reports the stale mapping at the
 *   next check).  Scenario: map(A), W(A), fork, child W(A + 1 page),
 *   parent R(A), parent madvise(A, FREE), child W(A) = x, parent R(A)
 *   returns x (the faithful code panics with invariant 0 right after
 *   the FREE).  The model removes the mappings (as the PGO_DEACTIVATE
 *   case does) so that the rest of the rig can run past it.
 */

#include "uvm.h"
#include "uvm_map_priv.h"

/*
 * uvm_map_clean_anons: the amap half of uvm_map_clean for the pages
 * [start, end) (bytes, inside entry) of entry.
 * => map read-locked; amap unlocked (locked and released here).
 */
static void
uvm_map_clean_anons(struct vm_map *map, struct vm_map_entry *entry,
    vaddr_t start, vaddr_t end, int flags)
{
	struct vm_amap *amap = entry->aref.ar_amap;
	struct vm_anon *anon;
	struct vm_page *pg;
	vaddr_t va;

	vm_map_assert_anylock(map);
	KASSERT(start >= entry->start && end <= entry->end);
	amap_lock(amap, RW_WRITE);
	for (va = start; va < end; va += PAGE_SIZE) {
		anon = amap_lookup(&entry->aref, va - entry->start);
		if (anon == NULL)
			continue;
		KASSERT(anon->an_lock == amap->am_lock);
		pg = anon->an_page;
		if (pg == NULL)
			continue;		/* only in swap */
		KASSERT(atomic_load_int(&pg->pg_flags) & PQ_ANON);

		if ((flags & (PGO_CLEANIT | PGO_FREE | PGO_DEACTIVATE)) ==
		    PGO_FREE && amap_refs(amap) == 1) {
			if (pg->wire_count != 0)
				continue;
			/* not OpenBSD: see the file header */
			pmap_page_protect(pg, PROT_NONE);
			amap_unadd(&entry->aref, va - entry->start);
			if (--anon->an_ref == 0)
				uvm_anfree(anon);
			continue;
		}
		/* deactivate: PGO_DEACTIVATE, or a shared amap */
		if (pg->wire_count != 0)
			continue;
		uvm_lock_pageq();
		KASSERT(pg->uanon == anon);
		pmap_page_protect(pg, PROT_NONE);
		uvm_pagedeactivate(pg);
		uvm_unlock_pageq();
	}
	amap_unlock(amap);
}

/*
 * uvm_map_clean: deactivate (PGO_DEACTIVATE) or free (PGO_FREE) the
 * pages of [start, end) (bytes, page aligned) of map, anon layer first,
 * then the object layer through pgo_flush (see the file header for the
 * exact rules).  flags: PGO_DEACTIVATE or PGO_FREE (not both), optionally
 * PGO_CLEANIT / PGO_SYNCIO for the object.
 * => map unlocked (read-locked here); amaps and objects unlocked.
 * Returns 0, EINVAL (range outside the map, start > end), EFAULT (a page
 * of the range is not mapped; nothing is done; or pgo_flush failed).
 * Models uvm_map_clean().
 */
int
uvm_map_clean(struct vm_map *map, vaddr_t start, vaddr_t end, int flags)
{
	struct vm_map_entry *first, *entry;
	struct uvm_object *uobj;
	vaddr_t cp_start, cp_end, cur;
	int error;

	KASSERT(!rw_lock_held(&map->lock));
	KASSERT((flags & (PGO_FREE | PGO_DEACTIVATE)) !=
	    (PGO_FREE | PGO_DEACTIVATE));
	KASSERT((start & PAGE_MASK) == 0 && (end & PAGE_MASK) == 0);
	if (start > end || start < map->min_offset || end > map->max_offset)
		return EINVAL;

	vm_map_lock_read(map);
	first = uvm_map_range_first(map, start);

	/* first pass: no holes */
	cur = start;
	for (entry = first; entry != NULL && entry->start < end;
	    entry = uvm_map_entry_next(map, entry)) {
		if (entry->start > cur)
			break;
		cur = entry->end;
	}
	if (cur < end) {
		vm_map_unlock_read(map);
		return EFAULT;
	}

	error = 0;
	for (entry = first; entry != NULL && entry->start < end;
	    entry = uvm_map_entry_next(map, entry)) {
		cp_start = MAX(entry->start, start);
		cp_end = MIN(entry->end, end);
		if (entry->aref.ar_amap != NULL &&
		    (flags & (PGO_DEACTIVATE | PGO_FREE)) != 0)
			uvm_map_clean_anons(map, entry, cp_start, cp_end,
			    flags);

		uobj = UVM_ET_ISOBJ(entry) ? entry->object.uvm_obj : NULL;
		if (uobj != NULL && ((flags & PGO_FREE) == 0 ||
		    ((entry->max_protection & PROT_WRITE) != 0 &&
		    !UVM_ET_ISCOPYONWRITE(entry)))) {
			rw_enter(uobj->vmobjlock, RW_WRITE);
			if (!uobj->pgops->pgo_flush(uobj,
			    cp_start - entry->start + entry->offset,
			    cp_end - entry->start + entry->offset, flags))
				error = EFAULT;
			rw_exit(uobj->vmobjlock);
		}
	}
	vm_map_unlock_read(map);
	return error;
}
