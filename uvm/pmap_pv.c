/*
 * pmap_pv.c: the page-centred half of the fake MMU (see pmap.c for the
 * model, its locks and its deviations from amd64): the calls that start
 * from a page and walk its pv list, taking each mapping's pmap lock
 * against the lock order (pmaplk -> pvlk) with the try-lock and
 * back-off of amd64's pmap_page_remove: pmap_page_protect, and the
 * model's own pmap_page_remove_unwired, pmap_page_mappings and
 * pmap_replace_wired (no amd64 counterparts; see pmap.c).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mman.h>
#include <sys/mutex.h>
#include <sys/pool.h>
#include <sys/atomic.h>
#include <machine/cpu.h>

#include "uvm_page.h"
#include "pmap.h"
#include "pmap_priv.h"

/*
 * pmap_pv_lockpmap: with pvlk held and pve on pg's list, take the lock of
 * pve's pmap.  pmaplk comes before pvlk, so when the try-lock fails the
 * pmap is held by a reference, pvlk dropped, both taken in order, and
 * the mapping looked for again.  Returns the pmap with pm_mtx and pvlk
 * held and *slowp set when a reference was taken (drop it with
 * pmap_destroy once nothing is locked); the mapping may be gone then
 * (the caller re-checks).  Returns NULL, pvlk held, when the pmap is
 * being destroyed (its last reference is gone): the caller restarts.
 * Models amd64's pmap_page_remove locking dance.
 */
static struct pmap *
pmap_pv_lockpmap(struct pv_entry *pve, int *slowp)
{
	struct pmap *pm = pve->pv_pmap;
	int refs;

	MUTEX_ASSERT_LOCKED(&pmap_pvlk);
	*slowp = 0;
	if (mtx_enter_try(&pm->pm_mtx))
		return pm;
	for (;;) {
		refs = atomic_load_int(&pm->pm_refs);
		if (refs == 0) {
			/* pmap_destroy is emptying it: let it finish */
			mtx_leave(&pmap_pvlk);
			preempt();
			mtx_enter(&pmap_pvlk);
			return NULL;
		}
		if (atomic_cas_uint(&pm->pm_refs, refs, refs + 1) == refs)
			break;
	}
	*slowp = 1;
	mtx_leave(&pmap_pvlk);
	mtx_enter(&pm->pm_mtx);
	mtx_enter(&pmap_pvlk);
	return pm;
}

/* is (pm, va) still on pg's pv list? => pvlk held */
static struct pv_entry *
pmap_pv_find(struct vm_page *pg, struct pmap *pm, vaddr_t va)
{
	struct pv_entry *pve;

	MUTEX_ASSERT_LOCKED(&pmap_pvlk);
	for (pve = pg->pv_list; pve != NULL; pve = pve->pv_next)
		if (pve->pv_pmap == pm && pve->pv_va == va)
			return pve;
	return NULL;
}

/* drop the reference pmap_pv_lockpmap took => pvlk held, dropped/retaken */
static void
pmap_pv_unref(struct pmap *pm)
{
	mtx_leave(&pmap_pvlk);
	pmap_destroy(pm);
	mtx_enter(&pmap_pvlk);
}

/*
 * pmap_pv_foreach: call fn(pm, pte, pg, va, prot) for every mapping of
 * pg, with pvlk and the mapping's pmap lock held (taken as
 * pmap_pv_lockpmap does, against the lock order).  fn returns non-zero
 * when it took the mapping off pg's pv list; the walk then starts over
 * from the list's head, as it does whenever pvlk had to be dropped.
 * => pvlk and the pmaps' locks not held.
 */
static void
pmap_pv_foreach(struct vm_page *pg, int (*fn)(struct pmap *,
    struct pmap_pte *, struct vm_page *, vaddr_t, vm_prot_t), vm_prot_t prot)
{
	struct pv_entry *pve, *next;
	struct pmap_pte *pte;
	struct pmap *pm;
	vaddr_t va;
	int slow, unlinked;

	MUTEX_ASSERT_UNLOCKED(&pmap_pvlk);
	mtx_enter(&pmap_pvlk);
restart:
	for (pve = pg->pv_list; pve != NULL; pve = next) {
		va = pve->pv_va;
		if ((pm = pmap_pv_lockpmap(pve, &slow)) == NULL)
			goto restart;
		if (slow && pmap_pv_find(pg, pm, va) != pve) {
			mtx_leave(&pm->pm_mtx);
			pmap_pv_unref(pm);
			goto restart;
		}
		pte = pmap_pte_lookup(pm, va);
		KASSERTMSG(pte != NULL && pte->pte_pa == pg->phys_addr,
		    "pv of page %p names pmap %p va 0x%lx not mapping it",
		    pg, pm, va);
		next = pve->pv_next;
		unlinked = (*fn)(pm, pte, pg, va, prot);
		mtx_leave(&pm->pm_mtx);
		if (slow)
			pmap_pv_unref(pm);
		if (slow || unlinked)	/* the list may have changed */
			goto restart;
	}
	mtx_leave(&pmap_pvlk);
}

/* pv_remove: remove the mapping, shot down on all CPUs */
static int
pv_remove(struct pmap *pm, struct pmap_pte *pte, struct vm_page *pg,
    vaddr_t va, vm_prot_t prot)
{
	pool_put(&pmap_pv_pool, pmap_pte_unlink(pm, pte, pg));
	pmap_tlb_flush_all(pm, va);
	return (1);
}

/* pv_remove_unwired: remove the mapping unless it is wired */
static int
pv_remove_unwired(struct pmap *pm, struct pmap_pte *pte, struct vm_page *pg,
    vaddr_t va, vm_prot_t prot)
{
	if (pte->pte_wired)
		return (0);
	return (pv_remove(pm, pte, pg, va, prot));
}

/* pv_reduce: reduce the mapping to prot, shot down on all CPUs */
static int
pv_reduce(struct pmap *pm, struct pmap_pte *pte, struct vm_page *pg,
    vaddr_t va, vm_prot_t prot)
{
	if (pte->pte_prot & ~prot) {
		pte->pte_prot &= prot;
		pmap_invalidate(pm, va);
		pmap_tlb_flush_all(pm, va);
	}
	return (0);
}

/*
 * pmap_page_protect: reduce every mapping of pg (in every pmap) to prot;
 * PROT_NONE removes them all.  The TLB entries of every CPU are shot
 * down before it returns, including those of mappings that a
 * pmap_remove or pmap_protect took away without its pmap_update yet (so
 * a page freed after pmap_page_protect(pg, PROT_NONE) is unreachable).
 * => pvlk and the pmaps' locks not held (the page's owner lock usually
 *    is, which comes before them).
 * Models pmap_page_protect() (pmap_page_remove/pmap_clear_attrs).
 */
void
pmap_page_protect(struct vm_page *pg, vm_prot_t prot)
{
	preempt();
	MUTEX_ASSERT_UNLOCKED(&pmap_pvlk);
	if ((prot & PROT_MASK) == PROT_NONE)
		pmap_pv_foreach(pg, pv_remove, prot);
	else if ((prot & PROT_MASK) != PROT_MASK)
		pmap_pv_foreach(pg, pv_reduce, prot);
	else
		return;
	pmap_tlb_flush_pa(pg->phys_addr, prot & PROT_MASK);
}

/*
 * pmap_page_remove_unwired: remove every mapping of pg that is not wired,
 * shot down on every CPU before it returns; the wired ones stay (their
 * entries hold the page wired, so nothing may take them away: see the
 * users in uvm_fault_lower_promote and amap_add).  amd64 has no such
 * call: OpenBSD removes them all (pmap_page_protect(pg, PROT_NONE),
 * "XXX: PAGE MIGHT BE WIRED!").
 * => pvlk and the pmaps' locks not held.
 */
void
pmap_page_remove_unwired(struct vm_page *pg)
{
	preempt();
	pmap_pv_foreach(pg, pv_remove_unwired, PROT_NONE);
}

/*
 * pmap_page_mappings: the mappings of pg, a snapshot: the first max of
 * them as (pms[i], vas[i]) pairs (va in bytes); returns how many there
 * are, which may exceed max.  The pmaps are not referenced: the caller
 * keeps them alive by other means (see uvmfault_sharers_lock).  No amd64
 * counterpart (model only, with pm_map: the fault handler's search for
 * the wired mappings of the sharers of an amap).
 * => pvlk and the pmaps' locks not held.
 */
int
pmap_page_mappings(struct vm_page *pg, struct pmap **pms, vaddr_t *vas,
    int max)
{
	struct pv_entry *pve;
	int n = 0;

	preempt();
	MUTEX_ASSERT_UNLOCKED(&pmap_pvlk);
	mtx_enter(&pmap_pvlk);
	for (pve = pg->pv_list; pve != NULL; pve = pve->pv_next, n++) {
		if (n < max) {
			pms[n] = pve->pv_pmap;
			vas[n] = pve->pv_va;
		}
	}
	mtx_leave(&pmap_pvlk);
	return n;
}

/*
 * pmap_replace_wired: if va (bytes) of pm maps opg wired, make it map npg
 * instead, with the same protection, still wired, its U/M bits merged
 * into opg and cleared; its TLB entries are dropped on every CPU before
 * it returns.  The pte and the pv entry are reused (amd64's pmap_enter
 * reuses the pv entry of the mapping it replaces the same way), so
 * nothing is allocated and it cannot fail.  Returns 0, or ENOENT
 * (nothing changed) when va does not map opg wired.  No amd64
 * counterpart (model only: moving a wired sharer of an amap to the
 * page a promotion put in its slot, uvm_fault_wire.c).
 * => pm_mtx, pvlk not held.
 */
int
pmap_replace_wired(struct pmap *pm, vaddr_t va, struct vm_page *opg,
    struct vm_page *npg)
{
	struct pmap_pte *pte;
	struct pv_entry *pve;

	preempt();
	KASSERT((va & PAGE_MASK) == 0 && opg != npg);
	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	mtx_enter(&pm->pm_mtx);
	pte = pmap_pte_lookup(pm, va);
	if (pte == NULL || pte->pte_pa != opg->phys_addr || !pte->pte_wired) {
		mtx_leave(&pm->pm_mtx);
		return ENOENT;
	}
	mtx_enter(&pmap_pvlk);
	pve = pmap_pv_remove(opg, pm, va);
	KASSERT(pve != NULL && pve->pv_pte == pte);
	pmap_sync_attr(opg, pte);
	atomic_store_int(&pte->pte_attr, 0);
	pte->pte_pa = npg->phys_addr;
	pmap_pv_insert(npg, pve, pm, pte);
	mtx_leave(&pmap_pvlk);
	pmap_tlb_flush_all(pm, va);
	mtx_leave(&pm->pm_mtx);
	return 0;
}
