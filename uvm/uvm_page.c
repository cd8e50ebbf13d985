/*
 * uvm_page.c: physical memory: the vm_page array, the free list, the
 * active and inactive page queues, page allocation and freeing, the busy
 * page protocol, page contents, and uvm_wait().
 *
 * Models sys/uvm/uvm_page.c of OpenBSD.  Deviations:
 * - physical memory is a static array of UVM_SIM_MAXPHYS frames with
 *   PAGE_SIZE bytes of real contents each; uvm_page_init(npages) uses the
 *   first npages of them (physical addresses from VM_SIM_PHYSBASE).
 *   A reboot only resets the frames the previous run allocated (they are
 *   listed as they are first taken); every other frame is still in its
 *   boot state, so boot time follows the pages used, not the array.
 * - one free list (OpenBSD: pmemrange) under uvm.pageqlock, first in
 *   first out; the reserve is uvmexp.reserve_kernel pages.
 * - a freed page's contents are poisoned (0xdb), so code that reads a
 *   page it never filled sees garbage deterministically.
 * - uvm_wait() runs one pagedaemon pass on the calling CPU (there is no
 *   pagedaemon thread); when the pass cannot make room for one fault
 *   it sets uvmexp.swapfull, so that uvm_swapisfull() lets the fault
 *   handler fail with ENOMEM instead of waiting or thrashing forever.
 * - uvm_page_unbusy() of a PG_RELEASED anon page calls uvm_anon_release(),
 *   which releases the anon's lock (the caller must not unlock it).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/atomic.h>
#include <machine/cpu.h>

#include "uvm.h"
#include "uvm_sim.h"

/* pg_flags is changed with atomic bit operations (pmap too): load it so */
#define PG_FLAGS(pg)	((u_int)atomic_load_int(&(pg)->pg_flags))

struct uvm uvm;
struct uvmexp uvmexp;
struct cpumem *uvmexp_counters;

#define VM_SIM_PHYSBASE	((paddr_t)0x100000)	/* first frame, bytes */
#define VM_PAGE_POISON	0xdb
/*
 * Pages above the reserve one fault may need at once (object page plus
 * promoted anon page): below that after a pagedaemon pass, the model
 * says swap is full so faults fail instead of thrashing forever.
 */
#define UVM_WAIT_MINFREE	2

static struct vm_page vm_physmem[UVM_SIM_MAXPHYS];	/* [I] array */
static unsigned char vm_physdata[UVM_SIM_MAXPHYS][PAGE_SIZE]
    __aligned(PAGE_SIZE);
static int vm_nphys;					/* [I] frames */
/*
 * Frames allocated since the last boot, each listed once: the next
 * uvm_page_init resets only these; every other frame is in its boot
 * state (vm_page_reset) with poisoned contents.
 */
static unsigned char vm_physdirty[UVM_SIM_MAXPHYS];	/* [Q] listed */
static int vm_dirtylist[UVM_SIM_MAXPHYS];		/* [Q] indices */
static int vm_ndirty;					/* [Q] */
static int vm_physready;		/* every frame reset once (boot) */

/*
 * uvm_page_owner_locked_p: is the lock of pg's owner held by this CPU
 * (for write if exclusive)?  A page without owner counts as locked.
 */
static int
uvm_page_owner_locked_p(struct vm_page *pg, boolean_t exclusive)
{
	struct rwlock *lock = NULL;

	if (pg->uobject != NULL)
		lock = pg->uobject->vmobjlock;
	else if (pg->uanon != NULL)
		lock = pg->uanon->an_lock;
	if (lock == NULL)
		return (1);
	return (exclusive ? rw_write_held(lock) : rw_lock_held(lock));
}

static inline int
vm_page_index(struct vm_page *pg)
{
	int idx = pg - vm_physmem;

	KASSERT(idx >= 0 && idx < vm_nphys);
	return (idx);
}

/*
 * vm_page_reset: put frame i in its boot state: free, owned by nobody,
 * unmapped, unwired, version 0; its contents are poisoned unless
 * uvm_pagefree already did (a frame that was freed last).
 */
static void
vm_page_reset(int i)
{
	struct vm_page *pg = &vm_physmem[i];
	int freed = pg->pg_flags == PQ_FREE;

	memset(pg, 0, sizeof(*pg));
	pg->phys_addr = VM_SIM_PHYSBASE + ptoa(i);
	pg->pg_busy_cpu = -1;
	pg->pg_flags = PQ_FREE;
	if (!freed)
		memset(vm_physdata[i], VM_PAGE_POISON, PAGE_SIZE);
}

/*
 * uvm_page_init: boot (or reboot) physical memory with npages frames, all
 * free and on the free list in physical address order; the pagedaemon
 * keeps freetarg free.  Resets the page queues and the page counts of
 * uvmexp.  The first call resets every frame; later ones only the frames
 * allocated since the previous boot (the others never left their boot
 * state).  Every page of the previous run must have been freed, and no
 * CPU may run in uvm/.  Models uvm_page_init().
 * => no lock held.
 */
void
uvm_page_init(int npages, int freetarg)
{
	int i;

	KASSERT(lock_held_count() == 0);
	if (npages < 1 || npages > UVM_SIM_MAXPHYS)
		panic("uvm_page_init: %d pages (1..%d)", npages,
		    UVM_SIM_MAXPHYS);
	mtx_init_flags(&uvm.pageqlock, IPL_VM, "pageqlk", 0);
	TAILQ_INIT(&uvm.page_free);
	TAILQ_INIT(&uvm.page_active);
	TAILQ_INIT(&uvm.page_inactive);

	if (!vm_physready) {
		/* a frame's flags are 0 here: vm_page_reset poisons it */
		for (i = 0; i < UVM_SIM_MAXPHYS; i++)
			vm_page_reset(i);
		vm_physready = 1;
	} else {
		for (i = 0; i < vm_ndirty; i++) {
			vm_page_reset(vm_dirtylist[i]);
			vm_physdirty[vm_dirtylist[i]] = 0;
		}
	}
	vm_ndirty = 0;
	vm_nphys = npages;
	for (i = 0; i < npages; i++)
		TAILQ_INSERT_TAIL(&uvm.page_free, &vm_physmem[i], pageq);

	uvmexp.pagesize = PAGE_SIZE;
	uvmexp.npages = npages;
	uvmexp.free = npages;
	uvmexp.active = uvmexp.inactive = uvmexp.wired = 0;
	uvmexp.anonpages = 0;
	uvmexp.pdpageouts = uvmexp.pdfreed = uvmexp.pdscans = 0;
	uvmexp.fltnomem = uvmexp.swapfull = 0;
	uvmexp.reserve_kernel = npages / 16 < 2 ? 2 :
	    (npages / 16 > 8 ? 8 : npages / 16);
	uvmexp.freemin = uvmexp.reserve_kernel;
	uvmexp.freetarg = freetarg < uvmexp.freemin ? uvmexp.freemin :
	    freetarg;
}

/*
 * uvm_pagealloc: take a free page for object obj at byte offset off
 * (inserted in its tree), or for anon (anon->an_page set, PQ_ANON), or
 * for nobody.  It comes PG_BUSY|PG_CLEAN|PG_FAKE, owned by this CPU, not
 * on a page queue; with UVM_PGA_ZERO it is zeroed, PG_FAKE and PG_CLEAN
 * cleared (it has no backing copy).  Returns NULL when only the reserve
 * is left (unless UVM_PGA_USERESERVE) or INJ_PAGEALLOC fires.  Models
 * uvm_pagealloc().
 * => obj write-locked; anon's lock NULL (new anon) or write-held.
 */
struct vm_page *
uvm_pagealloc(struct uvm_object *obj, voff_t off, struct vm_anon *anon,
    int flags)
{
	struct vm_page *pg, *dupe;
	int idx;

	KASSERT(obj == NULL || anon == NULL);
	KASSERT(anon == NULL || off == 0);
	KASSERT(off == (voff_t)trunc_page(off));
	KASSERT(obj == NULL || rw_write_held(obj->vmobjlock));
	KASSERT(anon == NULL || anon->an_lock == NULL ||
	    rw_write_held(anon->an_lock));
	KASSERT(anon == NULL || anon->an_page == NULL);

	if (inject_fail(INJ_PAGEALLOC))
		return (NULL);

	uvm_lock_pageq();
	if (uvmexp.free <= uvmexp.reserve_kernel &&
	    (flags & UVM_PGA_USERESERVE) == 0) {
		uvm_unlock_pageq();
		return (NULL);
	}
	pg = TAILQ_FIRST(&uvm.page_free);
	if (pg == NULL) {
		uvm_unlock_pageq();
		return (NULL);
	}
	TAILQ_REMOVE(&uvm.page_free, pg, pageq);
	uvmexp.free--;
	idx = vm_page_index(pg);
	if (!vm_physdirty[idx]) {		/* reset by the next boot */
		vm_physdirty[idx] = 1;
		vm_dirtylist[vm_ndirty++] = idx;
	}
	uvm_unlock_pageq();

	KASSERT(PG_FLAGS(pg) == PQ_FREE && pg->wire_count == 0);
	KASSERT(pg->pv_list == NULL);
	pg->uobject = obj;
	pg->uanon = anon;
	pg->offset = off;
	pg->pg_busy_cpu = cpu_number();
	atomic_store_int(&pg->pg_flags, PG_BUSY | PG_CLEAN | PG_FAKE);
	if (anon != NULL) {
		anon->an_page = pg;
		atomic_setbits_int(&pg->pg_flags, PQ_ANON);
		atomic_inc_int(&uvmexp.anonpages);
	} else if (obj != NULL) {
		dupe = RB_INSERT(uvm_objtree, &obj->memt, pg);
		if (dupe != NULL)
			panic("uvm_pagealloc: object %p offset 0x%llx "
			    "already has page %p", obj, (long long)off, dupe);
		atomic_setbits_int(&pg->pg_flags, PG_TABLED);
		obj->uo_npages++;
	}
	if (flags & UVM_PGA_ZERO) {
		uvm_pagezero(pg);
		atomic_clearbits_int(&pg->pg_flags, PG_FAKE);
	}
	return (pg);
}

/*
 * uvm_pagefree: free pg: off its page queue, unwired, out of its
 * object's tree or its anon (an_page = NULL), contents poisoned, then on
 * the free list.  A waiter on a busy page being freed is woken.  Models
 * uvm_pagefree() / uvm_pageclean().
 * => every mapping already removed (pmap_page_protect(pg, PROT_NONE));
 *    the owner's lock write-held (or the anon not yet published);
 *    uvm.pageqlock not held.
 */
void
uvm_pagefree(struct vm_page *pg)
{
	int idx = vm_page_index(pg);

	KASSERT((PG_FLAGS(pg) & PQ_FREE) == 0);
	KASSERT(uvm_page_owner_locked_p(pg, TRUE));
	KASSERTMSG(pg->pv_list == NULL, "uvm_pagefree: page %p still mapped",
	    pg);
	MUTEX_ASSERT_UNLOCKED(&uvm.pageqlock);

	if (PG_FLAGS(pg) & PG_WANTED)
		wakeup(pg);

	uvm_lock_pageq();
	uvm_pagedequeue(pg);
	if (pg->wire_count != 0) {
		pg->wire_count = 0;
		uvmexp.wired--;
	}
	uvm_unlock_pageq();

	if (PG_FLAGS(pg) & PG_TABLED) {
		RB_REMOVE(uvm_objtree, &pg->uobject->memt, pg);
		pg->uobject->uo_npages--;
	}
	if (pg->uanon != NULL) {
		KASSERT(pg->uanon->an_page == pg);
		pg->uanon->an_page = NULL;
		atomic_dec_int(&uvmexp.anonpages);
	}
	pg->uobject = NULL;
	pg->uanon = NULL;
	pg->offset = 0;
	pg->pg_version++;
	pg->pg_busy_cpu = -1;
	memset(vm_physdata[idx], VM_PAGE_POISON, PAGE_SIZE);
	atomic_store_int(&pg->pg_flags, PQ_FREE);

	uvm_lock_pageq();
	TAILQ_INSERT_TAIL(&uvm.page_free, pg, pageq);
	uvmexp.free++;
	if (uvmexp.free >= uvmexp.reserve_kernel + UVM_WAIT_MINFREE &&
	    atomic_load_int(&uvmexp.swapfull))
		atomic_store_int(&uvmexp.swapfull, 0);
	uvm_unlock_pageq();
}

/*
 * uvm_page_unbusy: end the busy state of npgs pages (NULL and PGO_DONTCARE
 * entries skipped): wake waiters; a PG_RELEASED page is freed through
 * its owner (object: pgo_releasepg; anon with an_ref 0: uvm_anon_release,
 * which also unlocks the anon).  Models uvm_page_unbusy().
 * => the pages' owner write-locked; pages PG_BUSY and not PG_FAKE
 *    (unless released).
 */
void
uvm_page_unbusy(struct vm_page **pgs, int npgs)
{
	struct vm_page *pg;
	struct uvm_object *uobj;
	int i;

	for (i = 0; i < npgs; i++) {
		pg = pgs[i];
		if (pg == NULL || pg == PGO_DONTCARE)
			continue;
		KASSERT(uvm_page_owner_locked_p(pg, TRUE));
		KASSERT(PG_FLAGS(pg) & PG_BUSY);

		if (PG_FLAGS(pg) & PG_WANTED)
			wakeup(pg);
		if (PG_FLAGS(pg) & PG_RELEASED) {
			uobj = pg->uobject;
			if (uobj != NULL) {
				pmap_page_protect(pg, PROT_NONE);
				uobj->pgops->pgo_releasepg(pg, NULL);
			} else {
				KASSERT(pg->uanon != NULL &&
				    pg->uanon->an_ref == 0);
				uvm_anon_release(pg->uanon);
			}
			continue;
		}
		KASSERT((PG_FLAGS(pg) & PG_FAKE) == 0);
		pg->pg_busy_cpu = -1;
		atomic_clearbits_int(&pg->pg_flags, PG_WANTED | PG_BUSY);
	}
}

/*
 * uvm_pagewait: sleep until pg stops being busy: set PG_WANTED, sleep on
 * pg releasing lock (PNORELOCK).  Models uvm_pagewait().
 * => pg PG_BUSY; lock (the owner's) held by this CPU; returns unlocked.
 */
void
uvm_pagewait(struct vm_page *pg, struct rwlock *lock, const char *wmesg)
{
	KASSERT(rw_lock_held(lock));
	KASSERT(PG_FLAGS(pg) & PG_BUSY);
	KASSERT(pg->pg_busy_cpu != cpu_number());

	atomic_setbits_int(&pg->pg_flags, PG_WANTED);
	rwsleep_nsec(pg, lock, PVM | PNORELOCK, wmesg, INFSLP);
}

/*
 * uvm_pagecopy: copy src's contents to dst; dst is dirty now.  Models
 * uvm_pagecopy() (pmap_copy_page).  src may still be mapped writable
 * by other CPUs (a shared object page copied into a private anon): their
 * stores (pmap_mmu_access, relaxed atomics) race with the copy by
 * design, as user stores race with pmap_copy_page, so src is read with
 * relaxed atomic loads, one word at a time.
 * => dst busy (owned by the caller); src's owner locked, or src busy
 *    and owned by this CPU.
 */
void
uvm_pagecopy(struct vm_page *src, struct vm_page *dst)
{
	uint64_t *d = (uint64_t *)vm_physdata[vm_page_index(dst)];
	uint64_t *s = (uint64_t *)vm_physdata[vm_page_index(src)];
	size_t i;

	KASSERT(PG_FLAGS(dst) & PG_BUSY);
	KASSERT(uvm_page_owner_locked_p(src, FALSE) ||
	    ((PG_FLAGS(src) & PG_BUSY) &&
	    src->pg_busy_cpu == cpu_number()));
	atomic_clearbits_int(&dst->pg_flags, PG_CLEAN);
	for (i = 0; i < PAGE_SIZE / sizeof(*d); i++)
		__atomic_store_n(&d[i], __atomic_load_n(&s[i],
		    __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

/*
 * uvm_pagezero: zero pg's contents; it is dirty now.  Models
 * uvm_pagezero() (pmap_zero_page).
 * => pg busy (owned by the caller).
 */
void
uvm_pagezero(struct vm_page *pg)
{
	KASSERT(PG_FLAGS(pg) & PG_BUSY);
	atomic_clearbits_int(&pg->pg_flags, PG_CLEAN);
	memset(vm_physdata[vm_page_index(pg)], 0, PAGE_SIZE);
}

/*
 * uvm_pagedequeue: take pg off the active or inactive queue.  Models
 * uvm_pagedequeue().
 * => uvm.pageqlock held.
 */
void
uvm_pagedequeue(struct vm_page *pg)
{
	MUTEX_ASSERT_LOCKED(&uvm.pageqlock);

	if (PG_FLAGS(pg) & PQ_ACTIVE) {
		TAILQ_REMOVE(&uvm.page_active, pg, pageq);
		atomic_clearbits_int(&pg->pg_flags, PQ_ACTIVE);
		uvmexp.active--;
	}
	if (PG_FLAGS(pg) & PQ_INACTIVE) {
		TAILQ_REMOVE(&uvm.page_inactive, pg, pageq);
		atomic_clearbits_int(&pg->pg_flags, PQ_INACTIVE);
		uvmexp.inactive--;
	}
}

/*
 * uvm_pageactivate: put pg at the tail of the active queue (unless it is
 * wired).  Models uvm_pageactivate().
 * => uvm.pageqlock held; pg's owner locked.
 */
void
uvm_pageactivate(struct vm_page *pg)
{
	MUTEX_ASSERT_LOCKED(&uvm.pageqlock);
	KASSERT(uvm_page_owner_locked_p(pg, FALSE));
	KASSERT((PG_FLAGS(pg) & PQ_FREE) == 0);

	uvm_pagedequeue(pg);
	if (pg->wire_count == 0) {
		TAILQ_INSERT_TAIL(&uvm.page_active, pg, pageq);
		atomic_setbits_int(&pg->pg_flags, PQ_ACTIVE);
		uvmexp.active++;
	}
}

/*
 * uvm_pagedeactivate: move pg to the inactive queue, removing its
 * mappings and clearing its referenced bit; PG_CLEAN is dropped if the
 * pmap saw a store.  Models uvm_pagedeactivate().
 * => uvm.pageqlock held; pg's owner locked; pg not wired.
 */
void
uvm_pagedeactivate(struct vm_page *pg)
{
	MUTEX_ASSERT_LOCKED(&uvm.pageqlock);
	KASSERT(uvm_page_owner_locked_p(pg, FALSE));
	KASSERT((PG_FLAGS(pg) & PQ_FREE) == 0);

	if (PG_FLAGS(pg) & PQ_INACTIVE)
		return;
	KASSERT(pg->wire_count == 0);
	pmap_page_protect(pg, PROT_NONE);
	if (PG_FLAGS(pg) & PQ_ACTIVE) {
		TAILQ_REMOVE(&uvm.page_active, pg, pageq);
		atomic_clearbits_int(&pg->pg_flags, PQ_ACTIVE);
		uvmexp.active--;
	}
	TAILQ_INSERT_TAIL(&uvm.page_inactive, pg, pageq);
	atomic_setbits_int(&pg->pg_flags, PQ_INACTIVE);
	uvmexp.inactive++;
	pmap_clear_reference(pg);
	if ((PG_FLAGS(pg) & PG_CLEAN) != 0 && pmap_is_modified(pg))
		atomic_clearbits_int(&pg->pg_flags, PG_CLEAN);
}

/*
 * uvm_pagewire: add a wiring of pg; the first takes it off the page
 * queues (the pagedaemon never sees wired pages).  Models uvm_pagewire().
 * => uvm.pageqlock held; pg's owner write-locked.
 */
void
uvm_pagewire(struct vm_page *pg)
{
	MUTEX_ASSERT_LOCKED(&uvm.pageqlock);
	KASSERT(uvm_page_owner_locked_p(pg, TRUE));
	KASSERT((PG_FLAGS(pg) & PQ_FREE) == 0);

	if (pg->wire_count == 0) {
		uvm_pagedequeue(pg);
		uvmexp.wired++;
	}
	pg->wire_count++;
}

/*
 * uvm_pageunwire: drop a wiring of pg; the last puts it back on the
 * active queue.  Models uvm_pageunwire().
 * => uvm.pageqlock held; pg's owner write-locked; pg wired.
 */
void
uvm_pageunwire(struct vm_page *pg)
{
	MUTEX_ASSERT_LOCKED(&uvm.pageqlock);
	KASSERT(uvm_page_owner_locked_p(pg, TRUE));
	KASSERTMSG(pg->wire_count > 0, "uvm_pageunwire: page %p not wired",
	    pg);

	if (--pg->wire_count == 0) {
		uvm_pageactivate(pg);
		uvmexp.wired--;
	}
}

/*
 * uvm_pagelookup: obj's page at byte offset off, or NULL.  Models
 * uvm_pagelookup().
 * => obj locked (read or write).
 */
struct vm_page *
uvm_pagelookup(struct uvm_object *obj, voff_t off)
{
	struct vm_page key, *pg;

	KASSERT(rw_lock_held(obj->vmobjlock));
	key.offset = off;
	pg = RB_FIND(uvm_objtree, &obj->memt, &key);
	KASSERT(pg == NULL || obj->uo_npages != 0);
	KASSERT(pg == NULL || (PG_FLAGS(pg) & PG_RELEASED) == 0 ||
	    (PG_FLAGS(pg) & PG_BUSY) != 0);
	return (pg);
}

/*
 * uvm_page_data: pg's PAGE_SIZE bytes of contents.  Not in OpenBSD (the
 * direct map): the MMU model and the pagers read and write through it.
 */
unsigned char *
uvm_page_data(struct vm_page *pg)
{
	return (vm_physdata[vm_page_index(pg)]);
}

/*
 * PHYS_TO_VM_PAGE: the page of physical address pa (bytes), or NULL if pa
 * is not in the booted memory.  Models PHYS_TO_VM_PAGE().
 */
struct vm_page *
PHYS_TO_VM_PAGE(paddr_t pa)
{
	paddr_t idx;

	if (pa < VM_SIM_PHYSBASE)
		return (NULL);
	idx = atop(pa - VM_SIM_PHYSBASE);
	if (idx >= (paddr_t)vm_nphys)
		return (NULL);
	return (&vm_physmem[idx]);
}

/*
 * uvm_wait: wait for free memory.  Models waking the pagedaemon and
 * sleeping on uvmexp.free (uvm_wait() of uvm_pdaemon.c) by running one
 * pagedaemon pass here, asking for enough pages to reach freetarg.  A
 * pass that leaves less than UVM_WAIT_MINFREE pages above the reserve
 * (room for one fault) sets uvmexp.swapfull, so uvm_swapisfull()
 * answers TRUE and the callers return ENOMEM instead of retrying
 * forever, e.g. thrashing on the one page the pagedaemon can still free
 * (no input may hang the model); freeing pages past that clears it.
 * Called with no amap or object lock held (only PG_BUSY pages and, for
 * uvm_fault_wire, the busied map): the pass try-locks them.
 * => uvm.pageqlock not held.
 */
void
uvm_wait(const char *wmesg)
{
	int want, free;

	MUTEX_ASSERT_UNLOCKED(&uvm.pageqlock);

	uvm_lock_pageq();
	want = uvmexp.freetarg - uvmexp.free;
	uvm_unlock_pageq();
	if (want < 1)
		want = 1;

	(void)uvmpd_scan(want);

	uvm_lock_pageq();
	free = uvmexp.free;
	uvm_unlock_pageq();
	if (free < uvmexp.reserve_kernel + UVM_WAIT_MINFREE)
		atomic_store_int(&uvmexp.swapfull, 1);
	else
		atomic_store_int(&uvmexp.swapfull, 0);
	preempt();
}
