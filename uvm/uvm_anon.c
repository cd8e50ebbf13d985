/*
 * uvm_anon.c: anonymous memory (struct vm_anon): allocation, freeing,
 * release of anons whose page was busy, swap slot handling, page-in for
 * swapoff.
 *
 * Models sys/uvm/uvm_anon.c of OpenBSD with the amap lock shared by the
 * anons (an_lock).  Deviations: uvm_anon_pagein does its own swap read
 * instead of calling uvmfault_anonget (which is private to uvm_fault.c
 * here) and keeps the lock held when it succeeds (see uvm_anon.h); there
 * is no pool_cache and no uvm_anfree_list batching.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/pool.h>
#include <sys/atomic.h>

#include "uvm.h"

/* pg_flags is changed with atomic bit operations (pmap too): load it so */
#define PG_FLAGS(pg)	((u_int)atomic_load_int(&(pg)->pg_flags))

struct pool uvm_anon_pool;
static int uvm_anon_pool_ready;

/*
 * uvm_anon_init: boot (or reset) the anon pool; the pool of the previous
 * run is destroyed first, which panics if an anon leaked.  Called by
 * amap_init().  Models uvm_anon_init().
 */
void
uvm_anon_init(void)
{
	if (uvm_anon_pool_ready)
		pool_destroy(&uvm_anon_pool);
	pool_init(&uvm_anon_pool, sizeof(struct vm_anon), 0, IPL_MPFLOOR,
	    PR_WAITOK, "anonpl", NULL);
	uvm_anon_pool_ready = 1;
}

/*
 * uvm_analloc: a new anon: an_ref 1, no lock, no page, no swap slot.
 * Returns NULL when the PR_NOWAIT allocation fails (INJ_MALLOC).
 * Models uvm_analloc().
 */
struct vm_anon *
uvm_analloc(void)
{
	struct vm_anon *anon;

	anon = pool_get(&uvm_anon_pool, PR_NOWAIT);
	if (anon != NULL) {
		anon->an_lock = NULL;
		anon->an_ref = 1;
		anon->an_page = NULL;
		anon->an_swslot = 0;
	}
	return (anon);
}

/*
 * uvm_anfree: free an anon nobody references any more, with its page and
 * swap slot.  A busy page (someone does I/O on it with the lock dropped)
 * is only marked PG_RELEASED and the anon stays: the busy owner frees
 * both with uvm_anon_release(), holding an extra reference of the lock
 * object taken here so that the lock outlives the amap.  An anon that was
 * only in swap stops counting in uvmexp.swpgonly.  Models uvm_anfree().
 * => an_lock NULL (never published) or write-held; an_ref == 0.
 */
void
uvm_anfree(struct vm_anon *anon)
{
	struct vm_page *pg = anon->an_page;

	KASSERT(anon->an_lock == NULL || rw_write_held(anon->an_lock));
	KASSERT(anon->an_ref == 0);

	if (pg != NULL) {
		KASSERT(pg->uanon == anon);
		if (PG_FLAGS(pg) & PG_BUSY) {
			KASSERT(anon->an_lock != NULL);
			atomic_setbits_int(&pg->pg_flags, PG_RELEASED);
			rw_obj_hold(anon->an_lock);
			return;
		}
		pmap_page_protect(pg, PROT_NONE);
		uvm_pagefree(pg);
		KASSERT(anon->an_page == NULL);
	} else if (anon->an_swslot != 0 && anon->an_swslot != SWSLOT_BAD) {
		/* it was only in swap */
		KASSERT(atomic_load_int(&uvmexp.swpgonly) > 0);
		atomic_dec_int(&uvmexp.swpgonly);
	}
	uvm_anon_dropswap(anon);
	anon->an_lock = NULL;
	KASSERT(anon->an_page == NULL && anon->an_swslot == 0);
	pool_put(&uvm_anon_pool, anon);
}

/*
 * uvm_anon_release: free an anon (an_ref 0) whose page was marked
 * PG_RELEASED by uvm_anfree while busy: the page, the swap slot, the anon,
 * then unlock and drop the lock object reference uvm_anfree took.
 * Models uvm_anon_release().
 * => an_lock write-held; released here.
 */
void
uvm_anon_release(struct vm_anon *anon)
{
	struct vm_page *pg = anon->an_page;
	struct rwlock *lock = anon->an_lock;

	KASSERT(lock != NULL && rw_write_held(lock));
	KASSERT(pg != NULL && pg->uanon == anon && pg->uobject == NULL);
	KASSERT((PG_FLAGS(pg) & (PG_RELEASED | PG_BUSY)) ==
	    (PG_RELEASED | PG_BUSY));
	KASSERT(anon->an_ref == 0);

	if (PG_FLAGS(pg) & PG_WANTED)
		wakeup(pg);
	pmap_page_protect(pg, PROT_NONE);
	uvm_pagefree(pg);
	KASSERT(anon->an_page == NULL);
	uvm_anon_dropswap(anon);
	anon->an_lock = NULL;
	pool_put(&uvm_anon_pool, anon);
	rw_exit(lock);
	rw_obj_free(lock);
}

/*
 * uvm_anon_dropswap: free the anon's swap slot (SWSLOT_BAD and 0 are
 * simply cleared).  The caller keeps uvmexp.swpgonly right: the anon
 * must be resident or going away.  Models uvm_anon_dropswap().
 * => an_lock write-held, or an_ref == 0 (being freed).
 */
void
uvm_anon_dropswap(struct vm_anon *anon)
{
	KASSERT(anon->an_ref == 0 || rw_write_held(anon->an_lock));

	if (anon->an_swslot == 0)
		return;
	uvm_swap_free(anon->an_swslot);
	anon->an_swslot = 0;
}

/*
 * uvm_anon_pagein_read: read the anon's page back from its swap slot
 * into a new page.  Returns FALSE with the page resident and the lock
 * held, or TRUE with the lock released (no memory, the anon was freed
 * meanwhile, or the read failed and the slot was marked bad).
 * => an_lock write-held; anon not resident.
 */
static boolean_t
uvm_anon_pagein_read(struct vm_anon *anon)
{
	struct rwlock *lock = anon->an_lock;
	struct vm_page *pg;
	int slot = anon->an_swslot, rv;

	KASSERT(lock != NULL && rw_write_held(lock));
	KASSERT(anon->an_page == NULL && slot > 0);
	pg = uvm_pagealloc(NULL, 0, anon, 0);
	if (pg == NULL) {
		rw_exit(lock);
		uvm_wait("anpagein");
		return (TRUE);
	}
	rw_exit(lock);
	rv = uvm_swap_get(pg, slot);	/* sleeps; the page stays busy */
	rw_enter(lock, RW_WRITE);

	if (PG_FLAGS(pg) & PG_RELEASED) {
		if (rv != VM_PAGER_OK)
			uvm_swap_onlyswap_gone();
		uvm_anon_release(anon);		/* unlocks */
		return (TRUE);
	}
	if (rv != VM_PAGER_OK) {
		/* never unbusied, hence never mapped */
		if (PG_FLAGS(pg) & PG_WANTED)
			wakeup(pg);
		anon->an_swslot = SWSLOT_BAD;
		uvm_swap_markbad(slot);
		uvm_pagefree(pg);
		rw_exit(lock);
		return (TRUE);
	}
	atomic_clearbits_int(&pg->pg_flags, PG_FAKE);
	uvm_page_unbusy(&pg, 1);
	return (FALSE);
}

/*
 * uvm_anon_pagein: make an anon resident for swapoff and drop its swap
 * slot (the page becomes dirty: its only copy is in memory now).
 * Returns FALSE when done, the lock held (but released and taken back
 * around the swap read if there was one: the amap's last reference may
 * have gone meanwhile, the caller checks amap_refs); TRUE when the lock
 * had to be released (busy page, no memory, the anon freed during the
 * read, read error): the caller relocks and starts over.  Models
 * uvm_anon_pagein().
 * => an_lock == amap's am_lock, write-held.
 */
boolean_t
uvm_anon_pagein(struct vm_amap *amap, struct vm_anon *anon)
{
	struct vm_page *pg;

	KASSERT(anon->an_lock != NULL && rw_write_held(anon->an_lock));
	KASSERT(anon->an_lock == amap->am_lock);

	pg = anon->an_page;
	if (pg != NULL && (PG_FLAGS(pg) & PG_BUSY)) {
		uvm_pagewait(pg, anon->an_lock, "anpagein");
		return (TRUE);
	}
	if (pg == NULL) {
		if (anon->an_swslot == SWSLOT_BAD)
			return (FALSE);		/* the data is lost */
		KASSERT(anon->an_swslot > 0);
		if (uvm_anon_pagein_read(anon))
			return (TRUE);
		pg = anon->an_page;
	}
	uvm_anon_dropswap(anon);
	atomic_clearbits_int(&pg->pg_flags, PG_CLEAN);
	if (pg->wire_count == 0) {
		uvm_lock_pageq();
		uvm_pagedeactivate(pg);
		uvm_unlock_pageq();
	}
	return (FALSE);
}
