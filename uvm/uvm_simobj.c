/*
 * uvm_simobj.c: the object pager, a "simulated vnode".
 *
 * Models sys/uvm/uvm_vnode.c's pager (uvn_get, uvn_flush, uvn_reference,
 * uvn_detach) and the object page tree of sys/uvm/uvm_object.c, for a
 * file-like object of uo_size bytes whose initial contents are
 * uvm_simobj_data(id, off) (see uvm_object.h for the exact formula).
 *
 * The backing store ("the file") is a sparse table, one slot per page,
 * holding the contents of pages written back (PGO_CLEANIT, the
 * pagedaemon); a page never written back reads as its initial contents.
 *
 * Deviations from OpenBSD:
 * - no vnode, no buffer cache, no read-ahead: a synchronous pgo_get reads
 *   only the centre page (as uvn_get without PGO_ALLPAGES);
 * - the "I/O" of a read is an I/O sleep (sleep_io(), biowait: the
 *   kernel lock released, the completion at a point the scheduler
 *   picks) with the object lock dropped and the page busy, and may
 *   answer VM_PAGER_AGAIN through INJ_PAGER_IO; write-back copies under
 *   the object lock, no sleep;
 * - pgo_flush sleeps on busy pages only for PGO_CLEANIT|PGO_SYNCIO (as
 *   uvn_flush), and skips them otherwise;
 * - an object lives as long as it has references; the harness layer
 *   (uvm_sim.c) keeps one per object, as the vnode cache keeps vnodes,
 *   so the last detach happens at a quiescent point.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mman.h>
#include <sys/malloc.h>
#include <sys/rwlock.h>
#include <sys/atomic.h>
#include <sys/inject.h>
#include <machine/cpu.h>

#include "uvm.h"

/* backing store: one slot per page, NULL until written back [o] */
struct simobj_store {
	int		 ss_npages;
	unsigned char	*ss_page[];
};

static boolean_t uvm_simobj_flush(struct uvm_object *, voff_t, voff_t, int);
static int	uvm_simobj_get(struct uvm_object *, voff_t, struct vm_page **,
		    int *, int, vm_prot_t, int, int);
static boolean_t uvm_simobj_releasepg(struct vm_page *, struct vm_page **);

const struct uvm_pagerops uvm_simobj_pager = {
	.pgo_reference = uvm_simobj_reference,
	.pgo_detach = uvm_simobj_detach,
	.pgo_fault = NULL,
	.pgo_flush = uvm_simobj_flush,
	.pgo_get = uvm_simobj_get,
	.pgo_releasepg = uvm_simobj_releasepg,
};

/*
 * uvm_pagecmp: order of the object page tree (by offset, bytes).
 * Models uvm_pagecmp() of sys/uvm/uvm_page.c.
 */
int
uvm_pagecmp(const struct vm_page *a, const struct vm_page *b)
{
	return (a->offset < b->offset ? -1 : a->offset > b->offset);
}

RB_GENERATE(uvm_objtree, vm_page, objt, uvm_pagecmp);

/*
 * uvm_simobj_data: the initial contents of the 8-byte word at byte
 * offset off of object id: splitmix64's finaliser applied to
 * (id << 40) ^ (off >> 3); the formula is spelled out in uvm_object.h.
 */
uint64_t
uvm_simobj_data(int id, voff_t off)
{
	uint64_t z;

	z = ((uint64_t)id << 40) ^ ((uint64_t)off >> 3);
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * uvm_simobj_create: a new object number id of size bytes (rounded up
 * to pages), one reference, no resident page, empty store.  Never fails
 * (M_WAITOK).  Models uvn_attach()/uvm_obj_init().
 */
struct uvm_object *
uvm_simobj_create(int id, vsize_t size)
{
	struct uvm_object *uobj;
	struct simobj_store *ss;
	int npages = atop(round_page(size));

	uobj = malloc(sizeof(*uobj), M_UVMOBJ, M_WAITOK | M_ZERO);
	ss = malloc(sizeof(*ss) + npages * sizeof(ss->ss_page[0]), M_UVMOBJ,
	    M_WAITOK | M_ZERO);
	ss->ss_npages = npages;
	rw_obj_alloc(&uobj->vmobjlock, "uobjlk");
	uobj->pgops = &uvm_simobj_pager;
	RB_INIT(&uobj->memt);
	uobj->uo_npages = 0;
	uobj->uo_refs = 1;
	uobj->uo_id = id;
	uobj->uo_size = ptoa(npages);
	uobj->uo_store = ss;
	return uobj;
}

/*
 * uvm_simobj_reference: add a reference (a map entry).
 * => object not locked by the caller.  Models uvn_reference().
 */
void
uvm_simobj_reference(struct uvm_object *uobj)
{
	rw_assert_unlocked(uobj->vmobjlock);
	rw_enter(uobj->vmobjlock, RW_WRITE);
	KASSERT(uobj->uo_refs > 0);
	uobj->uo_refs++;
	rw_exit(uobj->vmobjlock);
}

/*
 * uvm_simobj_detach: drop a reference; the last one frees every resident
 * page (none may be busy or wired then), the store, the lock and the
 * object.
 * => object not locked by the caller.  Models uvn_detach() (which, for a
 * real vnode, leaves the pages to the vnode cache).
 */
void
uvm_simobj_detach(struct uvm_object *uobj)
{
	struct simobj_store *ss = uobj->uo_store;
	struct vm_page *pg;
	u_int flags;
	int i;

	rw_assert_unlocked(uobj->vmobjlock);
	rw_enter(uobj->vmobjlock, RW_WRITE);
	KASSERT(uobj->uo_refs > 0);
	if (--uobj->uo_refs > 0) {
		rw_exit(uobj->vmobjlock);
		return;
	}
	while ((pg = RB_ROOT(&uobj->memt)) != NULL) {
		flags = atomic_load_int(&pg->pg_flags);
		KASSERTMSG((flags & PG_BUSY) == 0 && pg->wire_count == 0,
		    "uvm_simobj_detach: object %d page %p at 0x%llx busy or "
		    "wired (flags 0x%x wire_count %u)", uobj->uo_id, pg,
		    (long long)pg->offset, flags, pg->wire_count);
		pmap_page_protect(pg, PROT_NONE);
		uvm_pagefree(pg);
	}
	KASSERT(uobj->uo_npages == 0);
	rw_exit(uobj->vmobjlock);
	for (i = 0; i < ss->ss_npages; i++)
		if (ss->ss_page[i] != NULL)
			free(ss->ss_page[i], M_UVMOBJ, PAGE_SIZE);
	free(ss, M_UVMOBJ,
	    sizeof(*ss) + ss->ss_npages * sizeof(ss->ss_page[0]));
	rw_obj_free(uobj->vmobjlock);
	free(uobj, M_UVMOBJ, sizeof(*uobj));
}

/*
 * simobj_read: fill the busy page pg with the object's contents at its
 * offset (store, else initial contents).  => pg busy, owned by us.
 */
static void
simobj_read(struct uvm_object *uobj, struct simobj_store *ss,
    struct vm_page *pg, int slot)
{
	uint64_t *w = (uint64_t *)uvm_page_data(pg);
	size_t i;

	if (ss->ss_page[slot] != NULL) {
		memcpy(w, ss->ss_page[slot], PAGE_SIZE);
		return;
	}
	for (i = 0; i < PAGE_SIZE / sizeof(*w); i++)
		w[i] = uvm_simobj_data(uobj->uo_id,
		    pg->offset + i * sizeof(*w));
}

/*
 * simobj_write: write pg back to the store.
 * => object write-locked.
 */
static void
simobj_write(struct uvm_object *uobj, struct vm_page *pg)
{
	struct simobj_store *ss = uobj->uo_store;
	int slot = atop(pg->offset);

	rw_assert_wrlock(uobj->vmobjlock);
	KASSERT(slot >= 0 && slot < ss->ss_npages);
	if (ss->ss_page[slot] == NULL)
		ss->ss_page[slot] = malloc(PAGE_SIZE, M_UVMOBJ, M_WAITOK);
	memcpy(ss->ss_page[slot], uvm_page_data(pg), PAGE_SIZE);
}

/*
 * uvm_simobj_peek: the current contents of the word at byte offset off:
 * the resident page's, else the store's, else the initial contents.
 * => object not locked; call at a quiescent point (harness, oracle).
 */
uint64_t
uvm_simobj_peek(struct uvm_object *uobj, voff_t off)
{
	struct simobj_store *ss = uobj->uo_store;
	struct vm_page *pg;
	uint64_t v;
	int slot = atop(off);

	off &= ~(voff_t)7;
	rw_assert_unlocked(uobj->vmobjlock);
	rw_enter(uobj->vmobjlock, RW_READ);
	KASSERT(slot >= 0 && slot < ss->ss_npages);
	pg = uvm_pagelookup(uobj, trunc_page(off));
	if (pg != NULL && (atomic_load_int(&pg->pg_flags) & PG_FAKE) == 0)
		v = __atomic_load_n((uint64_t *)(uvm_page_data(pg) +
		    (off & PAGE_MASK)), __ATOMIC_RELAXED);
	else if (ss->ss_page[slot] != NULL)
		v = *(uint64_t *)(ss->ss_page[slot] + (off & PAGE_MASK));
	else
		v = uvm_simobj_data(uobj->uo_id, off);
	rw_exit(uobj->vmobjlock);
	return v;
}

/*
 * simobj_get_locked: the PGO_LOCKED half of pgo_get: every resident page
 * of [offset, offset + *npagesp pages) that is neither busy nor released
 * goes into pages[] (others NULL; PGO_DONTCARE entries are left alone);
 * *npagesp becomes the number found.  Never sleeps, nothing is busied.
 * => object locked (read or write), stays locked.
 */
static int
simobj_get_locked(struct uvm_object *uobj, voff_t offset,
    struct vm_page **pages, int *npagesp)
{
	struct vm_page *pg;
	voff_t off;
	int i, found = 0;

	rw_assert_anylock(uobj->vmobjlock);
	for (i = 0; i < *npagesp; i++) {
		if (pages[i] == PGO_DONTCARE)
			continue;
		pages[i] = NULL;
		off = offset + ptoa(i);
		if (off < 0 || off >= (voff_t)uobj->uo_size)
			continue;
		pg = uvm_pagelookup(uobj, off);
		if (pg == NULL || (atomic_load_int(&pg->pg_flags) &
		    (PG_BUSY | PG_RELEASED)))
			continue;
		pages[i] = pg;
		found++;
	}
	*npagesp = found;
	return VM_PAGER_OK;
}

/*
 * simobj_get_sync: the synchronous half of pgo_get, for the centre page
 * only.  A resident page is waited for if busy, then busied; a missing
 * one is allocated and read from the store with the object unlocked
 * (the I/O sleeps in sleep_io(), releasing the kernel lock, as
 * uvn_get's biowait does: another CPU may run the fault or a flush of
 * this object meanwhile; the page stays busy).
 * => object write-locked on entry; unlocked on return.
 * Returns VM_PAGER_OK with pages[centeridx] busy (PG_FAKE clear),
 * VM_PAGER_AGAIN (no free page: we waited for memory; or INJ_PAGER_IO),
 * VM_PAGER_ERROR (offset outside the object).
 */
static int
simobj_get_sync(struct uvm_object *uobj, voff_t offset,
    struct vm_page **pages, int centeridx)
{
	struct simobj_store *ss = uobj->uo_store;
	struct vm_page *pg;
	voff_t off = offset + ptoa(centeridx);

	rw_assert_wrlock(uobj->vmobjlock);
	if (off < 0 || off >= (voff_t)uobj->uo_size) {
		rw_exit(uobj->vmobjlock);
		return VM_PAGER_ERROR;
	}
	for (;;) {
		pg = uvm_pagelookup(uobj, off);
		if (pg == NULL)
			break;
		if ((atomic_load_int(&pg->pg_flags) & PG_BUSY) == 0) {
			atomic_setbits_int(&pg->pg_flags, PG_BUSY);
			pg->pg_busy_cpu = cpu_number();
			rw_exit(uobj->vmobjlock);
			pages[centeridx] = pg;
			return VM_PAGER_OK;
		}
		uvm_pagewait(pg, uobj->vmobjlock, "uvn_get");
		rw_enter(uobj->vmobjlock, RW_WRITE);
	}

	pg = uvm_pagealloc(uobj, off, NULL, 0);
	if (pg == NULL) {
		rw_exit(uobj->vmobjlock);
		uvm_wait("uvn_getpage");
		return VM_PAGER_AGAIN;
	}
	/* the I/O: the page is busy, the object unlocked, the CPU sleeps */
	rw_exit(uobj->vmobjlock);
	sleep_io(pg, "biowait");
	if (inject_fail(INJ_PAGER_IO)) {
		rw_enter(uobj->vmobjlock, RW_WRITE);
		if (atomic_load_int(&pg->pg_flags) & PG_WANTED)
			wakeup(pg);
		atomic_clearbits_int(&pg->pg_flags, PG_WANTED);
		uvm_pagefree(pg);
		rw_exit(uobj->vmobjlock);
		return VM_PAGER_AGAIN;
	}
	simobj_read(uobj, ss, pg, atop(off));
	atomic_setbits_int(&pg->pg_flags, PG_CLEAN);
	atomic_clearbits_int(&pg->pg_flags, PG_FAKE);
	pages[centeridx] = pg;
	return VM_PAGER_OK;
}

/*
 * uvm_simobj_get: pgo_get.  offset in bytes; *npagesp pages from there;
 * centeridx the faulting one; access_type and advice are unused.
 * PGO_LOCKED: see simobj_get_locked (=> object locked, stays locked).
 * Otherwise: see simobj_get_sync (=> object write-locked, unlocked on
 * return).  Models uvn_get().
 */
static int
uvm_simobj_get(struct uvm_object *uobj, voff_t offset, struct vm_page **pages,
    int *npagesp, int centeridx, vm_prot_t access_type, int advice, int flags)
{
	KASSERT(centeridx >= 0 && centeridx < *npagesp);
	if (flags & PGO_LOCKED)
		return simobj_get_locked(uobj, offset, pages, npagesp);
	return simobj_get_sync(uobj, offset, pages, centeridx);
}

/*
 * simobj_flush_page: apply PGO_DEACTIVATE / PGO_CLEANIT / PGO_FREE to
 * one resident page that is not busy.  Cleaning write-protects every
 * mapping first, so later stores fault and dirty the page again.
 * => object write-locked.
 */
static void
simobj_flush_page(struct uvm_object *uobj, struct vm_page *pg, int flags)
{
	rw_assert_wrlock(uobj->vmobjlock);
	if ((flags & PGO_CLEANIT) &&
	    (atomic_load_int(&pg->pg_flags) & PG_FAKE) == 0) {
		pmap_page_protect(pg, PROT_READ);
		if (pmap_clear_modify(pg) ||
		    (atomic_load_int(&pg->pg_flags) & PG_CLEAN) == 0) {
			simobj_write(uobj, pg);
			atomic_setbits_int(&pg->pg_flags, PG_CLEAN);
		}
	}
	if ((flags & PGO_FREE) && pg->wire_count == 0) {
		pmap_page_protect(pg, PROT_NONE);
		uvm_pagefree(pg);
		return;
	}
	if ((flags & PGO_DEACTIVATE) && pg->wire_count == 0) {
		pmap_clear_reference(pg);
		uvm_lock_pageq();
		uvm_pagedeactivate(pg);
		uvm_unlock_pageq();
	}
}

/*
 * uvm_simobj_flush: pgo_flush: act on the resident pages of [start, stop)
 * (bytes; the whole object with PGO_ALLPAGES): PGO_CLEANIT writes dirty
 * pages to the store, PGO_FREE frees (after removing every mapping;
 * dirty pages not cleaned lose their changes, as uvn_flush's truncation
 * use), PGO_DEACTIVATE moves them to the inactive queue.  Wired pages
 * are cleaned but neither freed nor deactivated.  A busy page is waited
 * for (sleeping, the object lock released, then retaken) with
 * PGO_CLEANIT|PGO_SYNCIO, as uvn_flush does; otherwise skipped.
 * => object write-locked (again, after a sleep).  Returns TRUE.
 * Models uvn_flush().
 */
static boolean_t
uvm_simobj_flush(struct uvm_object *uobj, voff_t start, voff_t stop,
    int flags)
{
	struct vm_page key, *pg, *next;

	rw_assert_wrlock(uobj->vmobjlock);
	if (flags & PGO_ALLPAGES) {
		start = 0;
		stop = uobj->uo_size;
	}
	key.offset = trunc_page(start);
	for (pg = RB_NFIND(uvm_objtree, &uobj->memt, &key);
	    pg != NULL && pg->offset < stop; pg = next) {
		next = RB_NEXT(uvm_objtree, &uobj->memt, pg);
		if ((atomic_load_int(&pg->pg_flags) & PG_BUSY) &&
		    (flags & (PGO_CLEANIT | PGO_SYNCIO)) ==
		    (PGO_CLEANIT | PGO_SYNCIO)) {
			/* wait for it, then look at this offset again */
			key.offset = pg->offset;
			uvm_pagewait(pg, uobj->vmobjlock, "uvn_flsh");
			rw_enter(uobj->vmobjlock, RW_WRITE);
			next = RB_NFIND(uvm_objtree, &uobj->memt, &key);
			continue;
		}
		if (atomic_load_int(&pg->pg_flags) & (PG_BUSY | PG_RELEASED))
			continue;
		simobj_flush_page(uobj, pg, flags);
	}
	return TRUE;
}

/*
 * uvm_simobj_releasepg: free pg, a page of ours marked PG_RELEASED while
 * busy, now that its owner is done with it; *nextpgp (may be NULL) is
 * unused (set to NULL).
 * => object write-locked.  Returns TRUE: the object is still alive.
 * Models uvn_releasepg().
 */
static boolean_t
uvm_simobj_releasepg(struct vm_page *pg, struct vm_page **nextpgp)
{
	struct uvm_object *uobj = pg->uobject;

	KASSERT(uobj != NULL);
	rw_assert_wrlock(uobj->vmobjlock);
	KASSERT(atomic_load_int(&pg->pg_flags) & PG_RELEASED);
	if (nextpgp != NULL)
		*nextpgp = NULL;
	if (atomic_load_int(&pg->pg_flags) & PG_WANTED)
		wakeup(pg);
	pmap_page_protect(pg, PROT_NONE);
	uvm_pagefree(pg);
	return !UVM_OBJ_IS_DEAD(uobj);
}
