/*
 * uvm_map_wire.c: wiring of map entries: uvm_map_pageable() (mlock,
 * munlock) and the rewiring uvm_map_protect() needs for wired entries.
 *
 * Models uvm_map_pageable() of OpenBSD's sys/uvm/uvm_map.c; see
 * uvm_map.c for the map structure, its locking and the deviations that
 * concern wiring (mlock of a NEEDSCOPY entry, mprotect of a wired entry).
 *
 * Deviations (besides those of uvm_map.c):
 * - a separate file: OpenBSD has one uvm_map.c; the model keeps files
 *   under ~1000 lines.  Shared helpers are in uvm_map_priv.h.
 */

#include "uvm.h"
#include "uvm_map_priv.h"

/*
 * uvm_map_amap_copy_wait: amap_copy(M_WAITOK) over the whole entry until
 * it succeeds (see the file header; failure injection fires a bounded
 * number of times).
 * => map write-locked; entry NEEDSCOPY.
 */
void
uvm_map_amap_copy_wait(struct vm_map *map, struct vm_map_entry *entry,
    boolean_t canchunk)
{
	vm_map_assert_wrlock(map);
	KASSERT(UVM_ET_ISNEEDSCOPY(entry));
	do {
		amap_copy(map, entry, M_WAITOK, canchunk, entry->start,
		    entry->end);
	} while (UVM_ET_ISNEEDSCOPY(entry));
}

/* a wired copy-on-write entry with PROT_WRITE: its pages must be anons */
static inline boolean_t
uvm_map_rewire_needed(struct vm_map_entry *entry)
{
	return VM_MAPENT_ISWIRED(entry) && UVM_ET_ISCOPYONWRITE(entry) &&
	    (entry->protection & PROT_WRITE) != 0;
}

/*
 * uvm_map_protect_rewire: after uvm_map_protect gave PROT_WRITE to wired
 * copy-on-write entries in [first, end), wire their pages again with
 * the new protection, so that every object page is copied into an anon
 * now and the wiring moves to it (FreeBSD's vm_fault_copy_entry for
 * vm_map_protect; see the file header).  As mlock: NEEDSCOPY entries get
 * their amap first, then the map is busied and unlocked; each entry is
 * unwired with the map write-locked again (page wire counts only: the
 * entry stays wired, so do its mappings; no fault may promote a page
 * between the walk of its mappings and their unwiring) and wired again
 * by uvm_fault_wire() with the map unlocked.  Entries that already
 * had PROT_WRITE hold anons only and are wired again unchanged.  When
 * uvm_fault_wire() fails, it has unwired that entry's pages: the entry
 * gets wired_count 0 and its mappings are unwired.
 * => map write-locked; unlocked on return.
 * Returns 0 or the error of uvm_fault_wire().
 */
int
uvm_map_protect_rewire(struct vm_map *map, struct vm_map_entry *first,
    vaddr_t end)
{
	struct vm_map_entry *iter, *failed = NULL;
	unsigned int timestamp_save;
	vaddr_t va;
	int error = 0;

	vm_map_assert_wrlock(map);
	for (iter = first; iter != NULL && iter->start < end;
	    iter = uvm_map_entry_next(map, iter))
		if (uvm_map_rewire_needed(iter) && UVM_ET_ISNEEDSCOPY(iter))
			uvm_map_amap_copy_wait(map, iter,
			    UVM_ET_ISSTACK(iter) ? FALSE : TRUE);

	vm_map_busy(map);
	vm_map_unlock(map);
	timestamp_save = map->timestamp;
	for (iter = first; iter != NULL && iter->start < end;
	    iter = uvm_map_entry_next(map, iter)) {
		if (!uvm_map_rewire_needed(iter))
			continue;
		/* write-locked: no fault on the entry runs meanwhile */
		vm_map_lock(map);
		uvm_fault_unwire_locked(map, iter->start, iter->end);
		vm_map_unlock(map);
		timestamp_save = map->timestamp;
		error = uvm_fault_wire(map, iter->start, iter->end,
		    iter->protection);
		if (error != 0) {
			failed = iter;
			break;
		}
	}
	vm_map_lock(map);
	KASSERTMSG(timestamp_save == map->timestamp,
	    "uvm_map_protect_rewire: stale map");
	vm_map_unbusy(map);

	if (failed != NULL) {
		failed->wired_count = 0;
		for (va = failed->start; va < failed->end; va += PAGE_SIZE)
			pmap_unwire(map->pmap, va);
	}
	vm_map_unlock(map);
	return error;
}

/*
 * uvm_map_pageable_pgon: unwire the wired entries present in [start,
 * end) (bytes): clip the wired ones at the edges, wired_count = 0,
 * uvm_fault_unwire_locked over each entry's own range.  Holes are
 * skipped: the entries are never assumed contiguous (BUGS O7).
 * => map write-locked.  Models uvm_map_pageable_pgon().
 */
static void
uvm_map_pageable_pgon(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *iter;

	vm_map_assert_wrlock(map);
	iter = uvm_map_range_first(map, start);
	if (iter != NULL && VM_MAPENT_ISWIRED(iter))
		uvm_map_clip_start(map, iter, start);
	for (; iter != NULL && iter->start < end;
	    iter = uvm_map_entry_next(map, iter)) {
		if (!VM_MAPENT_ISWIRED(iter))
			continue;
		uvm_map_clip_end(map, iter, end);
		iter->wired_count = 0;
		uvm_fault_unwire_locked(map, iter->start, iter->end);
	}
}

/*
 * uvm_map_pageable_undo: take back the wiring of [first, stop) after
 * uvm_fault_wire() failed on entry failed.  The entries before it were
 * wired by us: unwire them.  uvm_fault_wire() already unwired the pages
 * of the failed entry but left their mappings wired (the entry was
 * wired then): only the pmap is told about those.  The entries after it
 * were never faulted by us, but another CPU's fault on them while they
 * were wired (the map was unlocked) entered PMAP_WIRED mappings without
 * wiring their pages (only VM_FAULT_WIRE wires): unwire those mappings
 * too.  OpenBSD only drops these entries' wired_count and leaves such
 * mappings wired in an unwired entry.
 * => map write-locked.
 */
static void
uvm_map_pageable_undo(struct vm_map *map, struct vm_map_entry *first,
    struct vm_map_entry *stop, struct vm_map_entry *failed)
{
	struct vm_map_entry *iter;
	boolean_t past = FALSE;
	vaddr_t va;

	vm_map_assert_wrlock(map);
	for (iter = first; iter != stop; iter = uvm_map_entry_next(map, iter)) {
		if (iter == failed)
			past = TRUE;
		if (iter->protection == PROT_NONE)
			continue;
		iter->wired_count--;
		if (VM_MAPENT_ISWIRED(iter))
			continue;
		if (!past)
			uvm_fault_unwire_locked(map, iter->start, iter->end);
		else
			for (va = iter->start; va < iter->end; va += PAGE_SIZE)
				pmap_unwire(map->pmap, va);
	}
}

/*
 * uvm_map_pageable_wire: wire the entries from first (which contains
 * start) to the one containing end - 1; the range has no holes.
 * Pass 1 (write lock): clip unwired edge entries, give entries that
 * need it their amap (amap_copy, as vm_map_lookup would), bump
 * wired_count.  Pass 2: busy the map and unlock it, then
 * uvm_fault_wire() each newly wired entry: no other CPU can write-lock
 * the map while it is busy, and each fault read-locks it as usual.  Then
 * write-lock it again, unbusy; on failure undo the wiring.
 * => map write-locked; unlocked on return.
 * Returns 0 or uvm_fault_wire()'s error.  Models uvm_map_pageable_wire().
 */
static int
uvm_map_pageable_wire(struct vm_map *map, struct vm_map_entry *first,
    vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *iter, *last, *stop, *failed = NULL;
	unsigned int timestamp_save;
	int error = 0;

	vm_map_assert_wrlock(map);
	if (!VM_MAPENT_ISWIRED(first))
		uvm_map_clip_start(map, first, start);
	for (last = first; last->end < end;
	    last = uvm_map_entry_next(map, last))
		KASSERT(last->end == uvm_map_entry_next(map, last)->start);
	if (!VM_MAPENT_ISWIRED(last))
		uvm_map_clip_end(map, last, end);
	stop = uvm_map_entry_next(map, last);

	/* pass 1 */
	for (iter = first; iter != stop; iter = uvm_map_entry_next(map, iter)) {
		if (iter->protection == PROT_NONE)
			continue;
		if (!VM_MAPENT_ISWIRED(iter) && UVM_ET_ISNEEDSCOPY(iter) &&
		    ((iter->protection & PROT_WRITE) != 0 ||
		    iter->object.uvm_obj == NULL))
			uvm_map_amap_copy_wait(map, iter,
			    UVM_ET_ISSTACK(iter) ? FALSE : TRUE);
		iter->wired_count++;
	}

	/* pass 2 */
	vm_map_busy(map);
	vm_map_unlock(map);
	timestamp_save = map->timestamp;
	for (iter = first; iter != stop; iter = uvm_map_entry_next(map, iter)) {
		if (iter->protection == PROT_NONE || iter->wired_count != 1)
			continue;
		error = uvm_fault_wire(map, iter->start, iter->end,
		    iter->protection);
		if (error != 0) {
			failed = iter;
			break;
		}
	}
	vm_map_lock(map);
	KASSERTMSG(timestamp_save == map->timestamp,
	    "uvm_map_pageable_wire: stale map");
	vm_map_unbusy(map);

	if (error != 0)
		uvm_map_pageable_undo(map, first, stop, failed);
	vm_map_unlock(map);
	return error;
}

/*
 * uvm_map_pageable: wire (new_pageable FALSE: mlock) or unwire (TRUE:
 * munlock) [start, end) (bytes, rounded to pages).  Wiring needs the
 * whole range mapped; unwiring unwires what is there.  lockflags must
 * be 0 (UVM_LK_ENTER/EXIT are not modelled).
 * => map unlocked.
 * Returns 0; EINVAL (end before start, or beyond the map); EFAULT (start
 * below the map, or a hole in the range when wiring); ENOMEM and other
 * errors of uvm_fault_wire().  Models uvm_map_pageable().
 */
int
uvm_map_pageable(struct vm_map *map, vaddr_t start, vaddr_t end,
    boolean_t new_pageable, int lockflags)
{
	struct vm_map_entry *first, *iter, *next;

	KASSERT(!rw_lock_held(&map->lock));
	KASSERT(lockflags == 0);
	start = trunc_page(start);
	end = round_page(end);
	if (start > end)
		return EINVAL;
	if (start == end)
		return 0;
	if (start < map->min_offset)
		return EFAULT;
	if (end > map->max_offset)
		return EINVAL;

	vm_map_lock(map);
	KASSERT(map->flags & VM_MAP_PAGEABLE);
	if (new_pageable) {
		uvm_map_pageable_pgon(map, start, end);
		vm_map_unlock(map);
		return 0;
	}
	if (!uvm_map_lookup_entry(map, start, &first))
		goto hole;
	for (iter = first; iter->end < end; iter = next) {
		next = uvm_map_entry_next(map, iter);
		if (next == NULL || next->start != iter->end)
			goto hole;
	}
	return uvm_map_pageable_wire(map, first, start, end);
hole:
	vm_map_unlock(map);
	return EFAULT;
}
