/*
 * uvm_map.c: address maps: map entries, map locking (with the busy
 * protocol), mmap/munmap/mprotect/minherit/madvise/mlock/munlock on a
 * map, and address spaces (uvmspace_alloc/fork/free).
 *
 * Models OpenBSD's sys/uvm/uvm_map.c: uvm_map, uvm_unmap_remove,
 * uvm_unmap_kill_entry, uvm_unmap_detach, uvm_map_clip_start/end
 * (uvm_map_splitentry), uvm_map_protect, uvm_map_advice,
 * uvm_map_inherit, uvm_map_pageable (uvm_map_pageable_wire/_pgon),
 * uvmspace_fork (uvm_mapent_forkshared/forkcopy/forkzero),
 * uvmspace_free and vm_map_lock/_read/unlock/busy/unbusy/downgrade/
 * upgrade.
 *
 * Deviations:
 * - OpenBSD's one uvm_map.c is three files here (files under ~1000
 *   lines): this one, uvm_map_wire.c (uvm_map_pageable and the rewiring
 *   of uvm_map_protect) and uvm_map_fork.c (uvmspace_fork); what they
 *   share is in uvm_map_priv.h.
 * - One red-black tree holds only mapped entries: no free-space entries,
 *   no uvm_addr selectors, no guard pages, no entry merging, no holes
 *   (UVM_ET_HOLE).  "Any address" is the first fit in [min_offset,
 *   max_offset); min_offset is never below VM_MIN_ADDRESS (OpenBSD never
 *   hands out page 0 either).
 * - map->timestamp is bumped when a write-locked period ends
 *   (vm_map_unlock, vm_map_downgrade), as uvm_map.h specifies; OpenBSD
 *   bumps it in vm_map_lock.  Either way a reader that slept sees it.
 * - Busy protocol: VM_MAP_BUSY and busy_cpu change only with the map
 *   write-locked and map->mtx held (OpenBSD unbusies under the read
 *   lock), and VM_MAP_WANTLOCK is never set: a waiter would write
 *   map->flags holding only map->mtx while CPUs holding the read lock
 *   read map->flags, a race TSan rightly reports.  vm_map_unbusy()
 *   therefore always calls wakeup().
 * - UVM_FLAG_FIXED always replaces what was mapped there (UVM_FLAG_UNMAP
 *   is implied: sys_mmap passes both for MAP_FIXED).  A shared
 *   anonymous mapping always gets its amap in uvm_map() (UVM_FLAG_OVERLAY
 *   implied, as uvm_mmapanon does for MAP_SHARED), so sharers share it.
 * - uvm_map() refuses an object range beyond the object (EINVAL).
 * - mlock: uvm_fault_wire() is called only for the entries that became
 *   wired (wired_count 0 -> 1); OpenBSD faults already wired entries
 *   again and so wires their pages twice.  The undo after a failed wire
 *   unwires each entry's own range (OpenBSD passes the failing entry's).
 *   Holes give EFAULT (OpenBSD: EINVAL inside the range).
 * - munlock walks the entries present in the range and ignores holes
 *   (never assumes contiguity, BUGS O7); like uvm_map_pageable_pgon it
 *   sets wired_count to 0.
 * - uvm_map_pageable's lockflags (UVM_LK_ENTER/EXIT) are not modelled.
 * - none in mlock: pass 2 unlocks the map (still busied) across
 *   uvm_fault_wire() and write-locks it again after, as current OpenBSD.
 *   Keeping it read-locked instead (as OpenBSD once did) deadlocks: the
 *   wiring CPU sleeps on a page busied by a CPU that must read-lock the
 *   map again after its I/O, which waits behind a writer queued on the
 *   map lock (tests/test_map.c, test_mlock_io_writer).
 * - fork, MAP_INHERIT_COPY of an entry with an amap that is AMAP_SHARED,
 *   or of a shared (not copy-on-write) entry with an amap: the child's
 *   amap is copied at once and every mapping of the entry's anons is
 *   write-protected (amap_share_protect); the parent's entry is NOT made
 *   NEEDSCOPY (OpenBSD does, so the parent's next write would give it a
 *   private amap and silently end its sharing with the other sharers).
 * - amap_copy(M_WAITOK) is retried until NEEDSCOPY is gone (fork,
 *   mlock): OpenBSD's can still fail on its PR_NOWAIT chunk allocation,
 *   and its callers then go on with NEEDSCOPY set (a SHARE-inherited
 *   entry would later stop being shared).
 * - There is no pmap_copy(): a child starts with an empty pmap.
 * - mprotect of a wired entry.  OpenBSD's uvm_map_protect, when the
 *   pmap protection of a wired entry becomes PROT_NONE, only sets
 *   wired_count to 0 (its TODO asks whether the pmap should be unwired
 *   too) and pmap_protect then removes the wired mappings: the pages stay
 *   wired forever, since munlock finds no mapping to unwire.  Here
 *   uvm_map_protect first unwires the entry (pages and mappings, as
 *   munlock would), then sets wired_count 0 as OpenBSD: the mlock is
 *   dropped, so raising the protection again leaves the entry unwired.
 *   When PROT_WRITE is added to a wired copy-on-write entry, its pages
 *   are unwired and wired again with write access (the object pages are
 *   copied into anons now, as FreeBSD's vm_map_protect does with
 *   vm_fault_copy_entry); OpenBSD instead lets the next fault promote
 *   the page, which leaves the object page wired and unreachable and
 *   maps the new anon PMAP_WIRED with wire_count 0.  If that rewiring
 *   fails, the entry is unwired and mprotect returns the error.
 * - No KERNEL_LOCK around amap and object calls: they lock themselves.
 */

#include "uvm.h"
#include "uvm_map_priv.h"

struct pool uvm_map_entry_pool;
struct pool uvm_vmspace_pool;
static int uvm_map_pools_ready;		/* [I] pools initialised */

static const char vmmapbsy[] = "vmmapbsy";

static inline int
uvm_mapentry_addrcmp(const struct vm_map_entry *e1,
    const struct vm_map_entry *e2)
{
	return e1->start < e2->start ? -1 : e1->start > e2->start;
}

RB_GENERATE(uvm_map_addr, vm_map_entry, daddrs, uvm_mapentry_addrcmp);

/*
 * uvm_map_init: (re)create the map entry and vmspace pools at boot or
 * between runs.  pool_destroy() panics if items are still out, which is
 * the leak check of the previous run.
 * => nothing locked, no other CPU running.  Models uvm_map_init().
 */
void
uvm_map_init(void)
{
	if (uvm_map_pools_ready) {
		pool_destroy(&uvm_map_entry_pool);
		pool_destroy(&uvm_vmspace_pool);
	}
	pool_init(&uvm_map_entry_pool, sizeof(struct vm_map_entry), 0,
	    IPL_VM, 0, "vmmpepl", NULL);
	pool_init(&uvm_vmspace_pool, sizeof(struct vmspace), 0,
	    IPL_NONE, 0, "vmsppl", NULL);
	uvm_map_pools_ready = 1;
}

/*
 * uvm_map_entry_count: map entries allocated and not yet freed, over all
 * maps (leak check).  => quiescent.
 */
int
uvm_map_entry_count(void)
{
	if (!uvm_map_pools_ready)
		return 0;
	return (int)atomic_load_long(&uvm_map_entry_pool.pr_nout);
}

/* uvm_mapent_alloc: a zeroed entry (never fails).  Models the same. */
struct vm_map_entry *
uvm_mapent_alloc(void)
{
	KASSERT(uvm_map_pools_ready);
	return pool_get(&uvm_map_entry_pool, PR_WAITOK | PR_ZERO);
}

static void
uvm_mapent_free(struct vm_map_entry *entry)
{
	pool_put(&uvm_map_entry_pool, entry);
}

/* uvm_mapent_copy: copy everything but the tree and dead-queue links */
void
uvm_mapent_copy(const struct vm_map_entry *src, struct vm_map_entry *dst)
{
	dst->start = src->start;
	dst->end = src->end;
	dst->object = src->object;
	dst->offset = src->offset;
	dst->etype = src->etype;
	dst->protection = src->protection;
	dst->max_protection = src->max_protection;
	dst->inheritance = src->inheritance;
	dst->advice = src->advice;
	dst->wired_count = src->wired_count;
	dst->aref = src->aref;
}

/* => map write-locked */
void
uvm_mapent_addr_insert(struct vm_map *map, struct vm_map_entry *entry)
{
	struct vm_map_entry *res;

	vm_map_assert_wrlock(map);
	KASSERT(entry->start < entry->end);
	KASSERT((entry->start & PAGE_MASK) == 0 &&
	    (entry->end & PAGE_MASK) == 0);
	res = RB_INSERT(uvm_map_addr, &map->addr, entry);
	if (res != NULL)
		panic("uvm_mapent_addr_insert: map %p entry 0x%lx-0x%lx "
		    "collides with 0x%lx-0x%lx", map, entry->start, entry->end,
		    res->start, res->end);
	map->nentries++;
}

/* => map write-locked */
static void
uvm_mapent_addr_remove(struct vm_map *map, struct vm_map_entry *entry)
{
	vm_map_assert_wrlock(map);
	if (RB_REMOVE(uvm_map_addr, &map->addr, entry) != entry)
		panic("uvm_mapent_addr_remove: map %p entry %p", map, entry);
	map->nentries--;
}

/* the entry with the highest start <= addr, or NULL => map locked */
static struct vm_map_entry *
uvm_map_entrybyaddr(struct vm_map *map, vaddr_t addr)
{
	struct vm_map_entry *iter, *prev = NULL;

	iter = RB_ROOT(&map->addr);
	while (iter != NULL) {
		if (addr < iter->start)
			iter = RB_LEFT(iter, daddrs);
		else {
			prev = iter;
			if (addr < iter->end)
				break;
			iter = RB_RIGHT(iter, daddrs);
		}
	}
	return prev;
}

/*
 * uvm_map_lookup_entry: find the entry containing address (bytes).
 * Returns TRUE with *entry that entry; else FALSE with *entry the entry
 * before address, or NULL.
 * => map locked (any) by this CPU.  Models uvm_map_lookup_entry().
 */
boolean_t
uvm_map_lookup_entry(struct vm_map *map, vaddr_t address,
    struct vm_map_entry **entry)
{
	vm_map_assert_anylock(map);
	*entry = uvm_map_entrybyaddr(map, address);
	return *entry != NULL && (*entry)->start <= address &&
	    address < (*entry)->end;
}

/* uvm_map_entry_first/next: walk the entries by address => map locked */
struct vm_map_entry *
uvm_map_entry_first(struct vm_map *map)
{
	return RB_MIN(uvm_map_addr, &map->addr);
}

struct vm_map_entry *
uvm_map_entry_next(struct vm_map *map, struct vm_map_entry *entry)
{
	return RB_NEXT(uvm_map_addr, &map->addr, entry);
}

/* the first entry that ends after addr (contains it or follows it) */
struct vm_map_entry *
uvm_map_range_first(struct vm_map *map, vaddr_t addr)
{
	struct vm_map_entry *entry;

	if (uvm_map_lookup_entry(map, addr, &entry))
		return entry;
	if (entry == NULL)
		return uvm_map_entry_first(map);
	return uvm_map_entry_next(map, entry);
}

/*
 * uvm_map_splitentry: orig [start, end) becomes orig [start, split) and
 * next [split, end); next (fresh, unlinked) is filled in and linked.  The
 * amap reference is split (amap_splitref), the object gains a reference.
 * => map write-locked; amap and object unlocked.
 * Models uvm_map_splitentry().
 */
static void
uvm_map_splitentry(struct vm_map *map, struct vm_map_entry *orig,
    struct vm_map_entry *next, vaddr_t split)
{
	vsize_t adj;

	vm_map_assert_wrlock(map);
	KASSERT((split & PAGE_MASK) == 0);
	KASSERT(orig->start < split && split < orig->end);

	adj = split - orig->start;
	uvm_mapent_copy(orig, next);
	orig->end = next->start = split;
	if (next->aref.ar_amap != NULL)
		amap_splitref(&orig->aref, &next->aref, adj);
	if (UVM_ET_ISOBJ(orig)) {
		if (next->object.uvm_obj->pgops->pgo_reference != NULL)
			next->object.uvm_obj->pgops->pgo_reference(
			    next->object.uvm_obj);
		next->offset += adj;
	}
	uvm_mapent_addr_insert(map, next);
}

/*
 * uvm_map_clip_start: if addr (bytes) is inside entry, split it there so
 * that entry becomes the part starting at addr (the part before it is a
 * new entry).  Nothing happens if addr is not inside (after start).
 * => map write-locked.  Models uvm_map_clip_start (UVM_MAP_CLIP_START).
 */
void
uvm_map_clip_start(struct vm_map *map, struct vm_map_entry *entry,
    vaddr_t addr)
{
	struct vm_map_entry *tmp;

	vm_map_assert_wrlock(map);
	if (addr <= entry->start || addr >= entry->end)
		return;
	/* entry keeps its address (callers hold it); tmp takes the front */
	tmp = uvm_mapent_alloc();
	uvm_mapent_copy(entry, tmp);
	uvm_mapent_addr_remove(map, entry);
	uvm_mapent_addr_insert(map, tmp);
	uvm_map_splitentry(map, tmp, entry, addr);
}

/*
 * uvm_map_clip_end: if addr (bytes) is inside entry, split it there so
 * that entry ends at addr (the rest is a new entry after it).
 * => map write-locked.  Models uvm_map_clip_end (UVM_MAP_CLIP_END).
 */
void
uvm_map_clip_end(struct vm_map *map, struct vm_map_entry *entry,
    vaddr_t addr)
{
	struct vm_map_entry *tmp;

	vm_map_assert_wrlock(map);
	if (addr <= entry->start || addr >= entry->end)
		return;
	tmp = uvm_mapent_alloc();
	uvm_map_splitentry(map, entry, tmp, addr);
}

/*
 * Map locking.  vm_map_lock: take the write lock, but never while
 * another CPU owns VM_MAP_BUSY: sleep on &map->flags until it unbusies,
 * and back out if the map was busied while we waited for the lock.
 * => map not locked by this CPU.  Models vm_map_lock_ln().
 */
void
vm_map_lock(struct vm_map *map)
{
	int me = cpu_number();

	KASSERT(!rw_lock_held(&map->lock));
	for (;;) {
		mtx_enter(&map->mtx);
		while ((map->flags & VM_MAP_BUSY) != 0 && map->busy_cpu != me)
			msleep_nsec(&map->flags, &map->mtx, PVM, vmmapbsy,
			    INFSLP);
		mtx_leave(&map->mtx);

		/*
		 * RW_SLEEPFAIL, as OpenBSD: if we had to sleep (e.g. while
		 * the busy owner downgraded), look at the busy state again
		 * instead of waiting with "write wanted" set, which would
		 * keep the readers out that the busy owner may wait for.
		 */
		if (rw_enter(&map->lock, RW_WRITE | RW_SLEEPFAIL) != 0)
			continue;

		mtx_enter(&map->mtx);
		if ((map->flags & VM_MAP_BUSY) == 0 || map->busy_cpu == me) {
			mtx_leave(&map->mtx);
			break;
		}
		mtx_leave(&map->mtx);
		/* busied while we waited: not a write period, no bump */
		rw_exit_write(&map->lock);
	}
}

/* vm_map_lock_read: => map not locked by this CPU.  Never waits for busy. */
void
vm_map_lock_read(struct vm_map *map)
{
	KASSERT(!rw_lock_held(&map->lock));
	rw_enter_read(&map->lock);
}

/* vm_map_unlock: end a write period: bump the timestamp => write-locked */
void
vm_map_unlock(struct vm_map *map)
{
	vm_map_assert_wrlock(map);
	map->timestamp++;
	rw_exit_write(&map->lock);
}

/* vm_map_unlock_read: => read-locked by this CPU */
void
vm_map_unlock_read(struct vm_map *map)
{
	rw_assert_rdlock(&map->lock);
	rw_exit_read(&map->lock);
}

/*
 * vm_map_busy: mark the map busy, owned by this CPU: other CPUs'
 * vm_map_lock() waits until vm_map_unbusy().
 * => map write-locked, not busy.  Models vm_map_busy_ln().
 */
void
vm_map_busy(struct vm_map *map)
{
	vm_map_assert_wrlock(map);
	mtx_enter(&map->mtx);
	KASSERT((map->flags & VM_MAP_BUSY) == 0);
	map->flags |= VM_MAP_BUSY;
	map->busy_cpu = cpu_number();
	mtx_leave(&map->mtx);
}

/*
 * vm_map_unbusy: release the busy mark and wake the waiters.
 * => map write-locked (stricter than OpenBSD, see the file header),
 *    busy and owned by this CPU.  Models vm_map_unbusy_ln().
 */
void
vm_map_unbusy(struct vm_map *map)
{
	vm_map_assert_wrlock(map);
	mtx_enter(&map->mtx);
	KASSERT((map->flags & VM_MAP_BUSY) != 0);
	KASSERT(map->busy_cpu == cpu_number());
	map->flags &= ~(VM_MAP_BUSY | VM_MAP_WANTLOCK);
	map->busy_cpu = -1;
	mtx_leave(&map->mtx);
	wakeup(&map->flags);
}

/* vm_map_downgrade: write -> read; ends a write period => write-locked */
void
vm_map_downgrade(struct vm_map *map)
{
	vm_map_assert_wrlock(map);
	map->timestamp++;
	rw_enter(&map->lock, RW_DOWNGRADE);
}

/*
 * vm_map_upgrade: read -> write.  As OpenBSD, not atomic: the read lock
 * is dropped first, so the map may change unless this CPU has it busy.
 * => read-locked by this CPU.  Models vm_map_upgrade_ln().
 */
void
vm_map_upgrade(struct vm_map *map)
{
	rw_assert_rdlock(&map->lock);
	rw_exit_read(&map->lock);
	vm_map_lock(map);
}

/*
 * uvm_map_findspace: first fit of sz bytes in [min_offset, max_offset).
 * Returns 0 with *addrp, or ENOMEM.  => map locked.
 */
static int
uvm_map_findspace(struct vm_map *map, vsize_t sz, vaddr_t *addrp)
{
	struct vm_map_entry *iter;
	vaddr_t cur = map->min_offset;

	vm_map_assert_anylock(map);
	RB_FOREACH(iter, uvm_map_addr, &map->addr) {
		if (iter->start >= cur && iter->start - cur >= sz)
			break;
		if (iter->end > cur)
			cur = iter->end;
	}
	if (cur > map->max_offset || map->max_offset - cur < sz)
		return ENOMEM;
	*addrp = cur;
	return 0;
}

/*
 * uvm_unmap_kill_entry: unwire the entry (wired_count 0 first, so the
 * pmap is told) and remove its mappings.
 * => map write-locked; entry still in the map.
 * Models uvm_unmap_kill_entry().
 */
static void
uvm_unmap_kill_entry(struct vm_map *map, struct vm_map_entry *entry)
{
	vm_map_assert_wrlock(map);
	if (VM_MAPENT_ISWIRED(entry)) {
		entry->wired_count = 0;
		uvm_fault_unwire_locked(map, entry->start, entry->end);
	}
	pmap_remove(map->pmap, entry->start, entry->end);
}

/*
 * uvm_unmap_remove: take [start, end) (bytes) out of the map: clip,
 * unwire, pmap_remove, unlink; the entries go on dead (their amap and
 * object references are dropped later by uvm_unmap_detach, with the map
 * unlocked).  pmap_update() before returning.
 * => map write-locked.  Models uvm_unmap_remove(markfree TRUE).
 */
static void
uvm_unmap_remove(struct vm_map *map, vaddr_t start, vaddr_t end,
    struct uvm_map_deadq *dead)
{
	struct vm_map_entry *entry, *next;

	vm_map_assert_wrlock(map);
	start = MAX(start, map->min_offset);
	end = MIN(end, map->max_offset);
	if (start >= end)
		return;

	entry = uvm_map_range_first(map, start);
	if (entry != NULL)
		uvm_map_clip_start(map, entry, start);
	for (; entry != NULL && entry->start < end; entry = next) {
		uvm_map_clip_end(map, entry, end);
		KASSERT(entry->start >= start && entry->end <= end);
		next = uvm_map_entry_next(map, entry);
		uvm_unmap_kill_entry(map, entry);
		map->size -= entry->end - entry->start;
		uvm_mapent_addr_remove(map, entry);
		TAILQ_INSERT_TAIL(dead, entry, dfree);
	}
	pmap_update(map->pmap);
}

/*
 * uvm_unmap_detach: drop the amap (amap_unref of the entry's slots) and
 * object references of dead entries and free them.
 * => no map locked (amap_unref and pgo_detach lock what they need).
 * Models uvm_unmap_detach().
 */
static void
uvm_unmap_detach(struct uvm_map_deadq *dead)
{
	struct vm_map_entry *entry;

	while ((entry = TAILQ_FIRST(dead)) != NULL) {
		TAILQ_REMOVE(dead, entry, dfree);
		if (entry->aref.ar_amap != NULL)
			amap_unref(entry->aref.ar_amap, entry->aref.ar_pageoff,
			    atop(entry->end - entry->start), FALSE);
		if (UVM_ET_ISOBJ(entry) &&
		    entry->object.uvm_obj->pgops->pgo_detach != NULL)
			entry->object.uvm_obj->pgops->pgo_detach(
			    entry->object.uvm_obj);
		uvm_mapent_free(entry);
	}
}

/* uvm_map's argument checks: 0, EINVAL or EACCES */
static int
uvm_map_checkargs(struct vm_map *map, vaddr_t start, vsize_t sz,
    struct uvm_object *uobj, voff_t uoffset, vm_prot_t prot,
    vm_prot_t maxprot, vm_inherit_t inh, int advice, int flags)
{
	if (sz == 0 || (sz & PAGE_MASK) != 0 ||
	    (prot & ~PROT_MASK) != 0 || (maxprot & ~PROT_MASK) != 0)
		return EINVAL;
	if (inh < MAP_INHERIT_SHARE || inh > MAP_INHERIT_ZERO ||
	    advice < MADV_NORMAL || advice > MADV_SEQUENTIAL)
		return EINVAL;
	if ((flags & UVM_FLAG_FIXED) && ((start & PAGE_MASK) != 0 ||
	    start < map->min_offset || start > map->max_offset ||
	    sz > map->max_offset - start))
		return EINVAL;
	if (uobj != NULL && (uoffset < 0 || (uoffset & PAGE_MASK) != 0 ||
	    (vsize_t)uoffset > uobj->uo_size ||
	    sz > uobj->uo_size - (vsize_t)uoffset))
		return EINVAL;
	if ((prot & maxprot) != prot)
		return EACCES;
	return 0;
}

/* the etype of a new entry of uvm_map() */
static int
uvm_map_etype(struct uvm_object *uobj, int flags)
{
	int etype = 0;

	if (uobj != NULL)
		etype |= UVM_ET_OBJ;
	if (flags & UVM_FLAG_STACK)
		etype |= UVM_ET_STACK;
	if (flags & UVM_FLAG_NOFAULT)
		etype |= UVM_ET_NOFAULT;
	if (flags & UVM_FLAG_COPYONW) {
		etype |= UVM_ET_COPYONWRITE;
		if ((flags & UVM_FLAG_OVERLAY) == 0)
			etype |= UVM_ET_NEEDSCOPY;
	}
	return etype;
}

/*
 * uvm_map: establish a mapping of sz bytes at *addr (UVM_FLAG_FIXED:
 * replacing whatever was mapped there) or at the first fit (result in
 * *addr).  uobj NULL: anonymous memory.  UVM_FLAG_COPYONW: private
 * (COPYONWRITE|NEEDSCOPY, the amap comes with the first write fault);
 * UVM_FLAG_OVERLAY: amap now (implied for shared anonymous memory).
 * UVM_FLAG_STACK / UVM_FLAG_NOFAULT set UVM_ET_STACK / UVM_ET_NOFAULT.
 * uoffset: bytes into uobj.
 * => map unlocked.
 * Returns 0; EINVAL (bad size, address, prot, inheritance, advice or
 * object range); EACCES (prot exceeds maxprot); ENOMEM (no space).  On
 * success the entry owns the caller's reference of uobj; on failure the
 * caller keeps it.  Models uvm_map() / uvm_mapanon().
 */
int
uvm_map(struct vm_map *map, vaddr_t *addr, vsize_t sz,
    struct uvm_object *uobj, voff_t uoffset, vm_prot_t prot,
    vm_prot_t maxprot, vm_inherit_t inh, int advice, int flags)
{
	struct uvm_map_deadq dead;
	struct vm_map_entry *entry;
	vaddr_t start = 0;
	int error = 0;

	KASSERT(!rw_lock_held(&map->lock));
	if ((error = uvm_map_checkargs(map, *addr, sz, uobj, uoffset, prot,
	    maxprot, inh, advice, flags)) != 0)
		return error;
	if (flags & UVM_FLAG_FIXED) {
		start = *addr;
		flags |= UVM_FLAG_UNMAP;
	}
	if (uobj == NULL) {
		uoffset = 0;
		if ((flags & UVM_FLAG_COPYONW) == 0)
			flags |= UVM_FLAG_OVERLAY;
	}

	/* allocate before locking, as OpenBSD */
	entry = uvm_mapent_alloc();
	TAILQ_INIT(&dead);
	vm_map_lock(map);
	if (flags & UVM_FLAG_FIXED)
		uvm_unmap_remove(map, start, start + sz, &dead);
	else if ((error = uvm_map_findspace(map, sz, &start)) != 0)
		goto unlock;

	entry->start = start;
	entry->end = start + sz;
	entry->object.uvm_obj = uobj;
	entry->offset = uoffset;
	entry->protection = prot;
	entry->max_protection = maxprot;
	entry->inheritance = inh;
	entry->advice = advice;
	entry->wired_count = 0;
	entry->etype = uvm_map_etype(uobj, flags);
	if (flags & UVM_FLAG_OVERLAY) {
		entry->aref.ar_pageoff = 0;
		entry->aref.ar_amap = amap_alloc(sz, M_WAITOK, 0);
	}
	uvm_mapent_addr_insert(map, entry);
	map->size += sz;
	*addr = start;
	entry = NULL;

unlock:
	vm_map_unlock(map);
	uvm_unmap_detach(&dead);
	if (entry != NULL)
		uvm_mapent_free(entry);
	return error;
}

/*
 * uvm_unmap: remove [start, end) (bytes, page aligned) from the map;
 * unmapped parts of the range are ignored.
 * => map unlocked.  Models uvm_unmap().
 */
void
uvm_unmap(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct uvm_map_deadq dead;

	KASSERT(!rw_lock_held(&map->lock));
	KASSERT((start & PAGE_MASK) == 0 && (end & PAGE_MASK) == 0);
	TAILQ_INIT(&dead);
	vm_map_lock(map);
	uvm_unmap_remove(map, start, end, &dead);
	vm_map_unlock(map);
	uvm_unmap_detach(&dead);
}

/*
 * uvm_map_protect: set the protection (set_max: the maximum protection,
 * which also caps the protection) of [start, end) (bytes).  Unmapped
 * parts are ignored.  Lowering a protection reduces the existing
 * mappings with pmap_protect; for copy-on-write entries PROT_WRITE is
 * never given to the pmap (and pmap_protect only ever reduces).
 * A wired entry whose pmap protection becomes PROT_NONE is unwired
 * first; a wired copy-on-write entry that gains PROT_WRITE is wired
 * again with write access (uvm_map_protect_rewire).  See the file
 * header.
 * => map unlocked.
 * Returns 0; EINVAL (bad prot or range); EACCES (prot exceeds some
 * entry's max_protection: nothing is changed); an error of
 * uvm_fault_wire() when rewiring failed (the protection is changed, the
 * entry that failed is unwired).  Models uvm_map_protect().
 */
int
uvm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t new_prot, boolean_t set_max)
{
	struct vm_map_entry *first, *iter;
	vm_prot_t old_prot, mask;
	boolean_t rewire = FALSE;
	int error = 0;

	KASSERT(!rw_lock_held(&map->lock));
	if ((new_prot & ~PROT_MASK) != 0 || start > end ||
	    (start & PAGE_MASK) != 0 || (end & PAGE_MASK) != 0)
		return EINVAL;
	start = MAX(start, map->min_offset);
	end = MIN(end, map->max_offset);
	if (start >= end)
		return 0;

	vm_map_lock(map);
	first = uvm_map_range_first(map, start);
	for (iter = first; iter != NULL && iter->start < end;
	    iter = uvm_map_entry_next(map, iter)) {
		if ((new_prot & iter->max_protection) != new_prot) {
			error = EACCES;
			goto out;
		}
	}
	if (first != NULL)
		uvm_map_clip_start(map, first, start);
	for (iter = first; iter != NULL && iter->start < end;
	    iter = uvm_map_entry_next(map, iter)) {
		uvm_map_clip_end(map, iter, end);
		old_prot = iter->protection;
		if (set_max) {
			iter->max_protection = new_prot;
			iter->protection &= new_prot;
		} else
			iter->protection = new_prot;
		if ((old_prot & ~iter->protection) != 0) {
			mask = UVM_ET_ISCOPYONWRITE(iter) ?
			    ~PROT_WRITE : PROT_MASK;
			if ((iter->protection & mask) == PROT_NONE &&
			    VM_MAPENT_ISWIRED(iter)) {
				/* OpenBSD's TODO: unwire, not just forget */
				iter->wired_count = 0;
				uvm_fault_unwire_locked(map, iter->start,
				    iter->end);
			}
			pmap_protect(map->pmap, iter->start, iter->end,
			    iter->protection & mask);
		}
		if (VM_MAPENT_ISWIRED(iter) && UVM_ET_ISCOPYONWRITE(iter) &&
		    (iter->protection & ~old_prot & PROT_WRITE) != 0)
			rewire = TRUE;
	}
	pmap_update(map->pmap);
	if (rewire)
		return uvm_map_protect_rewire(map, first, end);
out:
	vm_map_unlock(map);
	return error;
}

/*
 * uvm_map_setattr: set the advice (inherit FALSE) or the inheritance
 * (inherit TRUE) of the entries in [start, end) (bytes, page aligned),
 * clipping them to the range; unmapped parts are ignored.
 * => map unlocked.  Returns 0 or EINVAL (range).
 */
static int
uvm_map_setattr(struct vm_map *map, vaddr_t start, vaddr_t end,
    boolean_t inherit, int value)
{
	struct vm_map_entry *iter;

	KASSERT(!rw_lock_held(&map->lock));
	if (start > end || (start & PAGE_MASK) != 0 || (end & PAGE_MASK) != 0)
		return EINVAL;
	start = MAX(start, map->min_offset);
	end = MIN(end, map->max_offset);
	if (start >= end)
		return 0;

	vm_map_lock(map);
	iter = uvm_map_range_first(map, start);
	if (iter != NULL)
		uvm_map_clip_start(map, iter, start);
	for (; iter != NULL && iter->start < end;
	    iter = uvm_map_entry_next(map, iter)) {
		uvm_map_clip_end(map, iter, end);
		if (inherit)
			iter->inheritance = value;
		else
			iter->advice = value;
	}
	vm_map_unlock(map);
	return 0;
}

/*
 * uvm_map_advice: set the advice (MADV_NORMAL/RANDOM/SEQUENTIAL) of
 * [start, end) (bytes); unmapped parts are ignored.
 * => map unlocked.  Returns 0 or EINVAL.  Models uvm_map_advice().
 */
int
uvm_map_advice(struct vm_map *map, vaddr_t start, vaddr_t end, int advice)
{
	KASSERT(!rw_lock_held(&map->lock));
	if (advice < MADV_NORMAL || advice > MADV_SEQUENTIAL)
		return EINVAL;
	return uvm_map_setattr(map, start, end, FALSE, advice);
}

/*
 * uvm_map_inherit: set the inheritance (MAP_INHERIT_SHARE/COPY/NONE/
 * ZERO) of [start, end) (bytes); unmapped parts are ignored.
 * => map unlocked.  Returns 0 or EINVAL.  Models uvm_map_inherit().
 */
int
uvm_map_inherit(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_inherit_t new_inheritance)
{
	KASSERT(!rw_lock_held(&map->lock));
	switch (new_inheritance) {
	case MAP_INHERIT_NONE:
	case MAP_INHERIT_COPY:
	case MAP_INHERIT_SHARE:
	case MAP_INHERIT_ZERO:
		return uvm_map_setattr(map, start, end, TRUE,
		    new_inheritance);
	default:
		return EINVAL;
	}
}

/* uvm_map_setup: an empty map of [min, max) => not yet visible */
static void
uvm_map_setup(struct vm_map *map, vaddr_t min, vaddr_t max, int flags)
{
	RB_INIT(&map->addr);
	rw_init_flags(&map->lock, "vmmaplk", RW_DUPOK);
	mtx_init_flags(&map->mtx, IPL_VM, "vmmapmtx", 0);
	map->min_offset = MAX(min, VM_MIN_ADDRESS);
	map->max_offset = max;
	map->nentries = 0;
	map->size = 0;
	map->ref_count = 1;
	map->flags = flags;
	map->timestamp = 0;
	map->busy_cpu = -1;
}

/*
 * uvmspace_alloc: a new address space for [min, max) (bytes; min is
 * raised to VM_MIN_ADDRESS), a new pmap, one reference, one thread.
 * => nothing locked.  Models uvmspace_alloc().
 */
struct vmspace *
uvmspace_alloc(vaddr_t min, vaddr_t max, boolean_t pageable)
{
	struct vmspace *vm;

	KASSERT((min & PAGE_MASK) == 0 && (max & PAGE_MASK) == 0);
	KASSERT(min < max && max <= VM_MAX_ADDRESS);
	if (!uvm_map_pools_ready)
		uvm_map_init();
	vm = pool_get(&uvm_vmspace_pool, PR_WAITOK | PR_ZERO);
	uvm_map_setup(&vm->vm_map, min, max,
	    VM_MAP_ISVMSPACE | (pageable ? VM_MAP_PAGEABLE : 0));
	vm->vm_map.pmap = pmap_create();
	vm->vm_map.pmap->pm_map = &vm->vm_map;	/* model only: see pmap.h */
	vm->vm_refcnt = 1;
	vm->vm_nthreads = 1;
	return vm;
}

/*
 * uvmspace_free: drop a reference; the last one unmaps everything
 * (unwiring, dropping amap and object references), destroys the pmap
 * and frees the vmspace.
 * => map unlocked.  Models uvmspace_free() / uvm_map_teardown().
 */
void
uvmspace_free(struct vmspace *vm)
{
	struct vm_map *map = &vm->vm_map;
	struct uvm_map_deadq dead;

	KASSERT(!rw_lock_held(&map->lock));
	if (atomic_dec_int_nv(&vm->vm_refcnt) > 0)
		return;
	TAILQ_INIT(&dead);
	vm_map_lock(map);
	uvm_unmap_remove(map, map->min_offset, map->max_offset, &dead);
	KASSERT(RB_EMPTY(&map->addr) && map->nentries == 0 && map->size == 0);
	vm_map_unlock(map);
	uvm_unmap_detach(&dead);
	pmap_destroy(map->pmap);
	map->pmap = NULL;
	pool_put(&uvm_vmspace_pool, vm);
}
