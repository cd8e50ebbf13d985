/*
 * uvm_pdaemon.c: the page-out daemon: one scan pass that refills the
 * inactive queue from the active one and pages out inactive pages.
 *
 * Models uvmpd_scan() / uvmpd_scan_inactive() / uvmpd_scan_active() of
 * sys/uvm/uvm_pdaemon.c.  As in OpenBSD the owner's lock is only
 * try-locked (rw_enter RW_NOSLEEP) while uvm.pageqlock is held, since
 * the lock order is the reverse; busy and wired pages are skipped; an
 * anon page is written to a swap slot with the page PG_BUSY and every
 * lock dropped, then freed unless uvm_anfree marked it PG_RELEASED
 * meanwhile (then uvm_anon_release frees page and anon).
 *
 * Deviations: runs on the calling CPU (uvm_wait() or the harness), not
 * as a thread; one page per swap write (no clustering); no second
 * chance for referenced pages (pmap_is_referenced is not consulted), so
 * a page-out request pages out what it can; skipped pages rotate to the
 * tail of their queue, which bounds a pass by the queue length.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/atomic.h>
#include <machine/cpu.h>

#include "uvm.h"

/* pg_flags is changed with atomic bit operations (pmap too): load it so */
#define PG_FLAGS(pg)	((u_int)atomic_load_int(&(pg)->pg_flags))

/*
 * uvmpd_trylockowner: try to write-lock pg's owner (anon or object).
 * Returns the lock, or NULL (no owner, or busy: EBUSY).
 * => uvm.pageqlock held, so the page keeps its owner and the owner's lock
 *    object stays alive while we look.
 */
static struct rwlock *
uvmpd_trylockowner(struct vm_page *pg)
{
	struct rwlock *lock = NULL;

	MUTEX_ASSERT_LOCKED(&uvm.pageqlock);
	if (pg->uobject != NULL)
		lock = pg->uobject->vmobjlock;
	else if (pg->uanon != NULL)
		lock = pg->uanon->an_lock;
	if (lock == NULL)
		return (NULL);
	if (rw_enter(lock, RW_WRITE | RW_NOSLEEP) != 0)
		return (NULL);
	return (lock);
}

/*
 * uvmpd_scan_active: move up to want pages from the head of the active
 * queue to the inactive queue (their mappings removed).  Pages whose
 * owner is busy or that are PG_BUSY rotate to the tail.
 * => uvm.pageqlock held.
 */
static void
uvmpd_scan_active(int want)
{
	struct vm_page *pg;
	struct rwlock *lock;
	int budget = uvmexp.active;

	MUTEX_ASSERT_LOCKED(&uvm.pageqlock);
	while (want > 0 && budget-- > 0 &&
	    (pg = TAILQ_FIRST(&uvm.page_active)) != NULL) {
		TAILQ_REMOVE(&uvm.page_active, pg, pageq);
		TAILQ_INSERT_TAIL(&uvm.page_active, pg, pageq);
		if (PG_FLAGS(pg) & PG_BUSY)
			continue;
		if ((lock = uvmpd_trylockowner(pg)) == NULL)
			continue;
		if ((PG_FLAGS(pg) & PG_BUSY) == 0 && pg->wire_count == 0) {
			uvm_pagedeactivate(pg);
			want--;
		}
		rw_exit(lock);
	}
}

/*
 * uvmpd_pageout_anon: page out pg, an anon page whose an_lock we hold:
 * reuse a clean page's swap copy, or write it to its slot (allocated if
 * needed) with the page busy and every lock dropped, then free it; the
 * anon is now only in swap (uvmexp.swpgonly++).  Returns 1 if the page
 * was freed, 0 if not, -1 if swap is full (stop scanning).
 * => uvm.pageqlock held on entry, released on return; an_lock
 *    write-held on entry, released on return.
 */
static int
uvmpd_pageout_anon(struct vm_page *pg, struct rwlock *lock)
{
	struct vm_anon *anon = pg->uanon;
	int slot;

	MUTEX_ASSERT_LOCKED(&uvm.pageqlock);
	KASSERT(rw_write_held(lock) && anon->an_lock == lock);
	KASSERT(anon->an_page == pg);

	pmap_page_protect(pg, PROT_NONE);
	if (pmap_is_modified(pg))
		atomic_clearbits_int(&pg->pg_flags, PG_CLEAN);
	if (anon->an_swslot > 0 && (PG_FLAGS(pg) & PG_CLEAN)) {
		/* the swap copy is current: just drop the page */
		uvm_unlock_pageq();
		uvm_pagefree(pg);
		atomic_inc_int(&uvmexp.swpgonly);
		rw_exit(lock);
		return (1);
	}
	if (anon->an_swslot == 0 || anon->an_swslot == SWSLOT_BAD) {
		slot = uvm_swap_alloc();
		if (slot == 0) {
			uvm_unlock_pageq();
			rw_exit(lock);
			return (-1);
		}
		anon->an_swslot = slot;
	}
	slot = anon->an_swslot;
	atomic_setbits_int(&pg->pg_flags, PG_BUSY);
	pg->pg_busy_cpu = cpu_number();
	uvm_unlock_pageq();
	rw_exit(lock);

	uvm_swap_put(pg, slot);		/* sleeps */

	/* the lock object survives: the amap or uvm_anfree holds it */
	rw_enter(lock, RW_WRITE);
	if (PG_FLAGS(pg) & PG_RELEASED) {
		/* the anon was freed while we wrote it */
		uvm_anon_release(anon);		/* unlocks */
		return (1);
	}
	KASSERT(anon->an_page == pg && anon->an_swslot == slot);
	uvm_lock_pageq();
	uvmexp.pdpageouts++;
	uvm_unlock_pageq();
	if (PG_FLAGS(pg) & PG_WANTED)
		wakeup(pg);
	/* busy all along, so nobody mapped or changed it */
	pmap_page_protect(pg, PROT_NONE);
	uvm_pagefree(pg);
	atomic_inc_int(&uvmexp.swpgonly);
	rw_exit(lock);
	return (1);
}

/*
 * uvmpd_pageout_obj: page out pg, a page of an object whose vmobjlock we
 * hold: a dirty page is cleaned and freed by the pager (pgo_flush with
 * PGO_CLEANIT | PGO_FREE), a clean one is freed.  Returns 1 if the page
 * was freed, else 0.
 * => uvm.pageqlock held on entry, released on return; vmobjlock
 *    write-held on entry, released on return.
 */
static int
uvmpd_pageout_obj(struct vm_page *pg, struct rwlock *lock)
{
	struct uvm_object *uobj = pg->uobject;
	voff_t off = pg->offset;
	int freed;

	MUTEX_ASSERT_LOCKED(&uvm.pageqlock);
	KASSERT(rw_write_held(lock) && uobj->vmobjlock == lock);

	pmap_page_protect(pg, PROT_NONE);
	/* the pmap keeps the modified bit in pg_flags across removal */
	if (pmap_is_modified(pg) || (PG_FLAGS(pg) & PG_CLEAN) == 0) {
		uvm_unlock_pageq();
		uobj->pgops->pgo_flush(uobj, off, off + PAGE_SIZE,
		    PGO_CLEANIT | PGO_FREE);
		/* the object stayed locked: its tree tells */
		freed = (uvm_pagelookup(uobj, off) != pg);
		if (freed) {
			uvm_lock_pageq();
			uvmexp.pdpageouts++;
			uvm_unlock_pageq();
		}
	} else {
		uvm_unlock_pageq();
		uvm_pagefree(pg);
		freed = 1;
	}
	rw_exit(lock);
	return (freed);
}

/*
 * uvmpd_scan: one pagedaemon pass: move active pages to the inactive
 * queue until it holds maxpages, then page out inactive pages until
 * maxpages were freed, swap is full, or every inactive page was looked
 * at once.  Returns the number of pages freed.  Models uvmpd_scan().
 * Called with no amap or object lock held (they are try-locked).
 * => uvm.pageqlock not held.
 */
int
uvmpd_scan(int maxpages)
{
	struct vm_page *pg;
	struct rwlock *lock;
	int freed = 0, budget, rv;

	MUTEX_ASSERT_UNLOCKED(&uvm.pageqlock);
	if (maxpages <= 0)
		return (0);

	uvm_lock_pageq();
	uvmexp.pdscans++;
	if (uvmexp.inactive < maxpages)
		uvmpd_scan_active(maxpages - uvmexp.inactive);
	budget = uvmexp.inactive;
	uvm_unlock_pageq();

	while (freed < maxpages && budget-- > 0) {
		uvm_lock_pageq();
		pg = TAILQ_FIRST(&uvm.page_inactive);
		if (pg == NULL) {
			uvm_unlock_pageq();
			break;
		}
		TAILQ_REMOVE(&uvm.page_inactive, pg, pageq);
		TAILQ_INSERT_TAIL(&uvm.page_inactive, pg, pageq);
		if ((PG_FLAGS(pg) & PG_BUSY) != 0 ||
		    (lock = uvmpd_trylockowner(pg)) == NULL) {
			uvm_unlock_pageq();
			continue;
		}
		if ((PG_FLAGS(pg) & (PG_BUSY | PG_RELEASED)) != 0 ||
		    pg->wire_count != 0) {
			uvm_unlock_pageq();
			rw_exit(lock);
			continue;
		}
		if (pg->uobject != NULL)
			rv = uvmpd_pageout_obj(pg, lock);
		else
			rv = uvmpd_pageout_anon(pg, lock);
		if (rv < 0)
			break;
		freed += rv;
	}

	uvm_lock_pageq();
	uvmexp.pdfreed += freed;
	uvm_unlock_pageq();
	return (freed);
}
