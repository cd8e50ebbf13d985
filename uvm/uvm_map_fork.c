/*
 * uvm_map_fork.c: fork of an address space: uvmspace_fork() and the
 * per-inheritance entry copies (share, copy, zero).
 *
 * Models uvmspace_fork(), uvm_mapent_clone(), uvm_mapent_forkshared(),
 * uvm_mapent_forkcopy() and uvm_mapent_forkzero() of OpenBSD's
 * sys/uvm/uvm_map.c; see uvm_map.c for the map structure and locking.
 *
 * Deviations (besides those of uvm_map.c):
 * - a separate file: OpenBSD has one uvm_map.c; the model keeps files
 *   under ~1000 lines.  Shared helpers are in uvm_map_priv.h.
 */

#include "uvm.h"
#include "uvm_map_priv.h"

/*
 * uvm_mapent_clone: a child entry like old_entry at the same addresses,
 * not wired, with a reference of its amap (amap_ref with
 * amap_share_flags) and of its object.
 * => both maps write-locked.  Models uvm_mapent_clone().
 */
static struct vm_map_entry *
uvm_mapent_clone(struct vm_map *dstmap, struct vm_map_entry *old_entry,
    int amap_share_flags)
{
	struct vm_map_entry *new_entry;

	vm_map_assert_wrlock(dstmap);
	new_entry = uvm_mapent_alloc();
	uvm_mapent_copy(old_entry, new_entry);
	new_entry->wired_count = 0;
	if (new_entry->aref.ar_amap != NULL)
		amap_ref(new_entry->aref.ar_amap, new_entry->aref.ar_pageoff,
		    atop(new_entry->end - new_entry->start), amap_share_flags);
	if (UVM_ET_ISOBJ(new_entry) &&
	    new_entry->object.uvm_obj->pgops->pgo_reference != NULL)
		new_entry->object.uvm_obj->pgops->pgo_reference(
		    new_entry->object.uvm_obj);
	uvm_mapent_addr_insert(dstmap, new_entry);
	dstmap->size += new_entry->end - new_entry->start;
	return new_entry;
}

/*
 * MAP_INHERIT_SHARE: the child shares the amap (AMAP_SHARED) and the
 * object.  A NEEDSCOPY parent entry first gets its own amap, else a
 * later write would give parent and child different amaps.
 * => both maps write-locked.  Models uvm_mapent_forkshared/share().
 */
static void
uvm_mapent_forkshared(struct vm_map *new_map, struct vm_map *old_map,
    struct vm_map_entry *old_entry)
{
	vm_map_assert_wrlock(old_map);
	if (UVM_ET_ISNEEDSCOPY(old_entry))
		uvm_map_amap_copy_wait(old_map, old_entry, FALSE);
	uvm_mapent_clone(new_map, old_entry, AMAP_SHARED);
}

/*
 * MAP_INHERIT_COPY: the child's entry is copy-on-write and NEEDSCOPY
 * with a reference of the parent's amap.  Unless the child copies its
 * amap now, the parent's entry becomes NEEDSCOPY too and loses write
 * access in the parent's pmap.  A wired parent entry cannot take faults:
 * the child copies the amap and resolves every COW now (amap_cow_now).
 * A shared amap, or a shared entry: see the file header.
 * => both maps write-locked.  Models uvm_mapent_forkcopy().
 */
static void
uvm_mapent_forkcopy(struct vm_map *new_map, struct vm_map *old_map,
    struct vm_map_entry *old_entry)
{
	struct vm_map_entry *new_entry;
	struct vm_amap *amap = old_entry->aref.ar_amap;
	boolean_t shared, wired;

	vm_map_assert_wrlock(old_map);
	new_entry = uvm_mapent_clone(new_map, old_entry, 0);
	new_entry->etype |= UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY;
	if (amap == NULL)
		return;		/* no pmap_copy: nothing mapped in the child */

	amap_lock(amap, RW_READ);
	shared = (amap_flags(amap) & AMAP_SHARED) != 0 ||
	    !UVM_ET_ISCOPYONWRITE(old_entry);
	amap_unlock(amap);
	wired = VM_MAPENT_ISWIRED(old_entry);
	if (shared || wired)
		uvm_map_amap_copy_wait(new_map, new_entry, FALSE);

	if (wired) {
		amap_cow_now(new_map, new_entry);
	} else if (shared) {
		if (old_entry->max_protection & PROT_WRITE) {
			amap_lock(amap, RW_WRITE);
			amap_share_protect(old_entry,
			    old_entry->protection & ~PROT_WRITE);
			amap_unlock(amap);
		}
	} else if (!UVM_ET_ISNEEDSCOPY(old_entry)) {
		if (old_entry->max_protection & PROT_WRITE) {
			pmap_protect(old_map->pmap, old_entry->start,
			    old_entry->end,
			    old_entry->protection & ~PROT_WRITE);
			pmap_update(old_map->pmap);
		}
		old_entry->etype |= UVM_ET_NEEDSCOPY;
	}
}

/*
 * MAP_INHERIT_ZERO: the child gets fresh zero-fill anonymous memory with
 * the same protection, no amap and no object.
 * => child map write-locked.  Models uvm_mapent_forkzero().
 */
static void
uvm_mapent_forkzero(struct vm_map *new_map, struct vm_map_entry *old_entry)
{
	struct vm_map_entry *new_entry;

	vm_map_assert_wrlock(new_map);
	new_entry = uvm_mapent_alloc();
	uvm_mapent_copy(old_entry, new_entry);
	new_entry->wired_count = 0;
	new_entry->object.uvm_obj = NULL;
	new_entry->offset = 0;
	new_entry->aref.ar_amap = NULL;
	new_entry->aref.ar_pageoff = 0;
	new_entry->etype &= ~UVM_ET_OBJ;
	new_entry->etype |= UVM_ET_COPYONWRITE | UVM_ET_NEEDSCOPY;
	uvm_mapent_addr_insert(new_map, new_entry);
	new_map->size += new_entry->end - new_entry->start;
}

/*
 * uvmspace_fork: a child address space from vm1, entry by entry per
 * inheritance (NONE: skipped; SHARE, COPY, ZERO as above).  Locks the
 * parent map, then the (new, unreachable) child map, both for write,
 * always in that order.
 * => vm1's map unlocked.  Models uvmspace_fork().
 */
struct vmspace *
uvmspace_fork(struct vmspace *vm1)
{
	struct vm_map *old_map = &vm1->vm_map, *new_map;
	struct vm_map_entry *old_entry;
	struct vmspace *vm2;

	KASSERT(!rw_lock_held(&old_map->lock));
	vm_map_lock(old_map);
	vm2 = uvmspace_alloc(old_map->min_offset, old_map->max_offset,
	    (old_map->flags & VM_MAP_PAGEABLE) != 0);
	new_map = &vm2->vm_map;
	/* same lock class as the parent's: a new map nobody else can see */
	rw_enter(&new_map->lock, RW_WRITE | RW_DUPOK);
	RB_FOREACH(old_entry, uvm_map_addr, &old_map->addr) {
		if (!UVM_ET_ISCOPYONWRITE(old_entry) &&
		    UVM_ET_ISNEEDSCOPY(old_entry))
			panic("fork: non-copy_on_write map entry marked "
			    "needs_copy (illegal)");
		switch (old_entry->inheritance) {
		case MAP_INHERIT_SHARE:
			uvm_mapent_forkshared(new_map, old_map, old_entry);
			break;
		case MAP_INHERIT_COPY:
			uvm_mapent_forkcopy(new_map, old_map, old_entry);
			break;
		case MAP_INHERIT_ZERO:
			uvm_mapent_forkzero(new_map, old_entry);
			break;
		default:
			break;
		}
	}
	vm_map_unlock(new_map);
	vm_map_unlock(old_map);
	return vm2;
}
