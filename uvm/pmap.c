/*
 * pmap.c: the fake MMU: page tables, pv lists, per-CPU TLBs.  The
 * page-centred calls (pmap_page_protect and the model's own
 * pmap_page_remove_unwired, pmap_page_mappings, pmap_replace_wired) are
 * in pmap_pv.c.
 *
 * Models the pmap(9) interface as OpenBSD's amd64 pmap provides it to
 * UVM: pmap_enter/remove/protect/page_protect/extract/unwire, the
 * referenced and modified bits of a page, and the hardware side
 * (pmap_mmu_access) that UVM's fault handler serves.
 *
 * Model:
 * - a pmap's page table is a red-black tree of struct pmap_pte keyed by
 *   page-aligned va (pool "pmapptepl"); pv lists hang off vm_page
 *   (pool "pvpl") and record every (pmap, va) mapping a page;
 * - the referenced/modified bits: the MMU sets them in the pte
 *   (pte_attr, atomically: amd64's PG_U/PG_M); a removed pte's bits are
 *   merged into the page's pg_flags (PG_PMAP_REF/PG_PMAP_MOD, as
 *   pmap_sync_flags_pte); pmap_is_modified() & co. look at both, the
 *   ptes through the pv list.  The MMU never writes pg_flags;
 * - each simulated CPU has a direct-mapped TLB of PMAP_TLBSIZE entries
 *   (pmap, va, pa, prot), filled by pmap_mmu_access from the page table.
 *   A removal or protection reduction changes the page table at once,
 *   flushes the current CPU's entry at once and queues a shootdown on
 *   the pmap; pmap_update() completes the queued shootdowns on every
 *   CPU.  Until then another CPU can still use its old translation:
 *   pmap_mmu_access() reports that as "stale" (a detectable event).
 *
 * Locks: pm_mtx ("pmaplk") protects a pmap's page table and shootdown
 * queue; pvlk ("pvlk") protects every pv list; tlblk ("pmtlblk")
 * protects the TLBs.  Order: pmaplk -> pvlk -> pmtlblk.
 * pmap_page_protect, which starts from a page, try-locks pmaplk under
 * pvlk and otherwise backs off (as amd64's pmap_page_remove does).
 *
 * Deviations from amd64:
 * - pmap_page_protect and pmap_destroy complete their shootdowns on every
 *   CPU before returning (amd64 waits for them with pmap_tlb_shootwait);
 *   pmap_remove and pmap_protect defer them to pmap_update (amd64 waits
 *   at the end of the call; the model keeps the window open so a missing
 *   pmap_update is observable).  So that the window cannot reach a page
 *   amd64 would have made unreachable, pmap_page_protect also drops the
 *   still-queued translations of its page from every TLB (a search by
 *   physical address): the pagedaemon on another CPU may free a page
 *   whose last mapping an munmap has removed but not yet shot down.
 * - no page table pages, no PCID/ASIDs: TLB entries are tagged by pmap.
 * - a protection-denied access through a TLB entry drops the entry and
 *   walks the page table, as x86 invalidates a faulting translation.
 * - pm_cow_unsafe is 0: amd64's pmap can enter a COW copy while sibling
 *   threads run (it shoots down before the new PTE is visible).  A
 *   harness may set it to model architectures that cannot.
 * - pmap_page_remove_unwired (no amd64 counterpart) removes the unwired
 *   mappings of a page and keeps the wired ones, for the promotion of a
 *   page into a shared amap (see uvm_fault.c, uvm_amap.c).
 * - pm_map, pmap_page_mappings and pmap_replace_wired (no amd64
 *   counterparts) let the fault handler find the wired mappings of the
 *   other sharers of an amap and move them to the page a promotion put
 *   in the slot (uvm_fault_wire.c).
 * - a protection reduction that leaves a mapping no right (a -w- mapping
 *   write-protected by pmap_page_protect(pg, PROT_READ) or pmap_protect)
 *   keeps it, wired or not, with no rights: an access faults and the
 *   fault handler enters it again.  Only PROT_NONE removes mappings
 *   (uvm_map_protect unwires a wired entry before that).  On amd64 write
 *   implies read, so such a mapping stays readable.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mman.h>
#include <sys/mutex.h>
#include <sys/pool.h>
#include <sys/atomic.h>
#include <sys/inject.h>
#include <machine/cpu.h>

#include "uvm_page.h"
#include "pmap.h"
#include "pmap_priv.h"

struct pmap_tlbent {
	struct pmap	*te_pmap;	/* NULL: invalid */
	vaddr_t		 te_va;
	paddr_t		 te_pa;
	vm_prot_t	 te_prot;
};

static struct pmap_tlbent pmap_tlb[MAXCPUS][PMAP_TLBSIZE]; /* [tlblk] */

static struct pool	pmap_pmap_pool;		/* struct pmap */
static struct pool	pmap_pte_pool;		/* struct pmap_pte */
struct pool		pmap_pv_pool;		/* struct pv_entry */
struct mutex		pmap_pvlk;		/* "pvlk": every pv_list */
static struct mutex	pmap_tlblk;		/* "pmtlblk": pmap_tlb */
static int		pmap_booted;		/* pools and locks set up */
static int		pmap_ncpu;		/* [I] CPUs of this run */
static int		pmap_nextid;		/* [a] pm_id source */

static int
pmap_pte_cmp(const struct pmap_pte *a, const struct pmap_pte *b)
{
	return (a->pte_va < b->pte_va ? -1 : a->pte_va > b->pte_va);
}

RB_GENERATE_STATIC(pmap_ptes, pmap_pte, pte_link, pmap_pte_cmp);

/*
 * TLB helpers.  => tlblk held.
 */
static struct pmap_tlbent *
pmap_tlb_slot(int cpu, struct pmap *pm, vaddr_t va)
{
	u_int h = (u_int)(atop(va) ^ ((u_int)pm->pm_id * 7));

	return &pmap_tlb[cpu][h % PMAP_TLBSIZE];
}

/* drop (pm, va) from cpu's TLB, or every entry of pm when va is -1 */
static void
pmap_tlb_flush_cpu(int cpu, struct pmap *pm, vaddr_t va)
{
	struct pmap_tlbent *te;
	int i;

	MUTEX_ASSERT_LOCKED(&pmap_tlblk);
	if (va != (vaddr_t)-1) {
		te = pmap_tlb_slot(cpu, pm, va);
		if (te->te_pmap == pm && te->te_va == va)
			te->te_pmap = NULL;
		return;
	}
	for (i = 0; i < PMAP_TLBSIZE; i++) {
		te = &pmap_tlb[cpu][i];
		if (te->te_pmap == pm)
			te->te_pmap = NULL;
	}
}

/* drop (pm, va) (or all of pm with -1) from every CPU's TLB */
void
pmap_tlb_flush_all(struct pmap *pm, vaddr_t va)
{
	int cpu;

	mtx_enter(&pmap_tlblk);
	for (cpu = 0; cpu < MAXCPUS; cpu++)
		pmap_tlb_flush_cpu(cpu, pm, va);
	mtx_leave(&pmap_tlblk);
}

/*
 * pmap_tlb_flush_pa: drop, on every CPU, each TLB entry that translates
 * to pa with more rights than prot.  This completes the shootdowns that
 * pmap_remove/pmap_protect of any pmap still have queued for the page:
 * its pv list no longer names those mappings, so the page-based calls
 * cannot find them through it.  amd64 needs no such step because its
 * pmap_remove waits for its shootdowns (see the deviations above).
 */
void
pmap_tlb_flush_pa(paddr_t pa, vm_prot_t prot)
{
	struct pmap_tlbent *te;
	int cpu, i;

	mtx_enter(&pmap_tlblk);
	for (cpu = 0; cpu < MAXCPUS; cpu++) {
		for (i = 0; i < PMAP_TLBSIZE; i++) {
			te = &pmap_tlb[cpu][i];
			if (te->te_pmap != NULL && te->te_pa == pa &&
			    (te->te_prot & ~prot) != 0)
				te->te_pmap = NULL;
		}
	}
	mtx_leave(&pmap_tlblk);
}

/*
 * pmap_invalidate: a translation of pm at va was removed or reduced:
 * flush it from the current CPU's TLB now, queue the other CPUs'
 * shootdown on pm (completed by pmap_update).
 * => pm_mtx held.
 */
void
pmap_invalidate(struct pmap *pm, vaddr_t va)
{
	int i;

	MUTEX_ASSERT_LOCKED(&pm->pm_mtx);
	mtx_enter(&pmap_tlblk);
	pmap_tlb_flush_cpu(cpu_number(), pm, va);
	mtx_leave(&pmap_tlblk);
	if (pm->pm_shootall)
		return;
	for (i = 0; i < pm->pm_nshoot; i++)
		if (pm->pm_shootva[i] == va)
			return;
	if (pm->pm_nshoot == PMAP_SHOOTMAX) {
		pm->pm_shootall = 1;
		pm->pm_nshoot = 0;
		return;
	}
	pm->pm_shootva[pm->pm_nshoot++] = va;
}

/*
 * pmap_sync_attr: merge pte's U/M bits into its page (the pte is going
 * away or changing page).  Models pmap_sync_flags_pte().
 */
void
pmap_sync_attr(struct vm_page *pg, struct pmap_pte *pte)
{
	u_int attr = atomic_load_int(&pte->pte_attr) &
	    (PG_PMAP_REF | PG_PMAP_MOD);

	if (attr != 0)
		atomic_setbits_int(&pg->pg_flags, attr);
}

/* the U/M bits an access of type `access' sets */
static u_int
pmap_access_attr(vm_prot_t access)
{
	if (access & PROT_WRITE)
		return PG_PMAP_REF | PG_PMAP_MOD;
	if (access & PROT_MASK)
		return PG_PMAP_REF;
	return 0;
}

/*
 * pv list helpers.  => pvlk held.
 */
void
pmap_pv_insert(struct vm_page *pg, struct pv_entry *pve, struct pmap *pm,
    struct pmap_pte *pte)
{
	MUTEX_ASSERT_LOCKED(&pmap_pvlk);
	pve->pv_pmap = pm;
	pve->pv_va = pte->pte_va;
	pve->pv_pte = pte;
	pve->pv_next = pg->pv_list;
	pg->pv_list = pve;
}

/* unlink (pm, va) from pg's pv list; returns the entry (caller frees) */
struct pv_entry *
pmap_pv_remove(struct vm_page *pg, struct pmap *pm, vaddr_t va)
{
	struct pv_entry *pve, **prevp;

	MUTEX_ASSERT_LOCKED(&pmap_pvlk);
	for (prevp = &pg->pv_list; (pve = *prevp) != NULL;
	    prevp = &pve->pv_next) {
		if (pve->pv_pmap == pm && pve->pv_va == va) {
			*prevp = pve->pv_next;
			return pve;
		}
	}
	panic("pmap_pv_remove: no pv for pmap %p va 0x%lx page %p",
	    pm, va, pg);
}

/*
 * pmap_pte_unlink: remove pte from pm's page table and, for a managed
 * page pg (NULL otherwise), its pv entry from pg's list; invalidate the
 * translation (current CPU now, others queued) and free the pte.
 * Returns the pv entry for the caller to free, or NULL.
 * => pm_mtx held; pvlk held if pg != NULL.
 */
struct pv_entry *
pmap_pte_unlink(struct pmap *pm, struct pmap_pte *pte, struct vm_page *pg)
{
	struct pv_entry *pve = NULL;

	MUTEX_ASSERT_LOCKED(&pm->pm_mtx);
	if (pg != NULL) {
		MUTEX_ASSERT_LOCKED(&pmap_pvlk);
		pve = pmap_pv_remove(pg, pm, pte->pte_va);
		pmap_sync_attr(pg, pte);
	}
	RB_REMOVE(pmap_ptes, &pm->pm_ptes, pte);
	pm->pm_resident--;
	if (pte->pte_wired)
		pm->pm_wired--;
	pmap_invalidate(pm, pte->pte_va);
	pool_put(&pmap_pte_pool, pte);
	return pve;
}

/* pmap_pte_drop: pmap_pte_unlink taking pvlk itself => pm_mtx held */
static struct pv_entry *
pmap_pte_drop(struct pmap *pm, struct pmap_pte *pte)
{
	struct vm_page *pg;
	struct pv_entry *pve;

	pg = PHYS_TO_VM_PAGE(pte->pte_pa);
	if (pg == NULL)
		return pmap_pte_unlink(pm, pte, NULL);
	mtx_enter(&pmap_pvlk);
	pve = pmap_pte_unlink(pm, pte, pg);
	mtx_leave(&pmap_pvlk);
	return pve;
}

struct pmap_pte *
pmap_pte_lookup(struct pmap *pm, vaddr_t va)
{
	struct pmap_pte key;

	MUTEX_ASSERT_LOCKED(&pm->pm_mtx);
	key.pte_va = trunc_page(va);
	return RB_FIND(pmap_ptes, &pm->pm_ptes, &key);
}

/*
 * pmap_init: boot or reset the pmap module for a run of ncpu CPUs:
 * pools and the pv/TLB locks the first time, every TLB emptied.
 * => no pmap exists (the previous run destroyed all).
 * Models pmap_init() of amd64 (pools; TLBs are hardware there).
 */
void
pmap_init(int ncpu)
{
	if (!pmap_booted) {
		pool_init(&pmap_pmap_pool, sizeof(struct pmap), 0, IPL_VM, 0,
		    "pmappl", NULL);
		pool_init(&pmap_pte_pool, sizeof(struct pmap_pte), 0, IPL_VM,
		    0, "pmapptepl", NULL);
		pool_init(&pmap_pv_pool, sizeof(struct pv_entry), 0, IPL_VM,
		    0, "pvpl", NULL);
		mtx_init_flags(&pmap_pvlk, IPL_VM, "pvlk", 0);
		mtx_init_flags(&pmap_tlblk, IPL_VM, "pmtlblk", 0);
		pmap_booted = 1;
	}
	KASSERT(ncpu >= 1 && ncpu <= MAXCPUS);
	KASSERTMSG(pmap_pmap_pool.pr_nout == 0, "pmap_init: %ld pmaps leaked",
	    pmap_pmap_pool.pr_nout);
	pmap_ncpu = ncpu;
	memset(pmap_tlb, 0, sizeof(pmap_tlb));
	pmap_nextid = 0;
}

/*
 * pmap_create: a new, empty pmap with one reference.  Never fails
 * (PR_WAITOK).  Models pmap_create().
 */
struct pmap *
pmap_create(void)
{
	struct pmap *pm;

	preempt();
	pm = pool_get(&pmap_pmap_pool, PR_WAITOK | PR_ZERO);
	mtx_init_flags(&pm->pm_mtx, IPL_VM, "pmaplk", 0);
	RB_INIT(&pm->pm_ptes);
	pm->pm_refs = 1;
	pm->pm_id = atomic_inc_int_nv(&pmap_nextid);
	pm->pm_cow_unsafe = 0;
	return pm;
}

/* pmap_reference: add a reference to pm.  Models pmap_reference(). */
void
pmap_reference(struct pmap *pm)
{
	preempt();
	atomic_inc_int(&pm->pm_refs);
}

/*
 * pmap_destroy: drop a reference; the last one removes every mapping
 * (and its TLB entries on every CPU) and frees the pmap.
 * => pm_mtx not held.  Models pmap_destroy().
 */
void
pmap_destroy(struct pmap *pm)
{
	struct pmap_pte *pte;
	struct pv_entry *pve;

	preempt();
	if (atomic_dec_int_nv(&pm->pm_refs) > 0)
		return;
	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	mtx_enter(&pm->pm_mtx);
	while ((pte = RB_ROOT(&pm->pm_ptes)) != NULL) {
		pve = pmap_pte_drop(pm, pte);
		if (pve != NULL)
			pool_put(&pmap_pv_pool, pve);
	}
	KASSERT(pm->pm_resident == 0 && pm->pm_wired == 0);
	mtx_leave(&pm->pm_mtx);
	pmap_tlb_flush_all(pm, (vaddr_t)-1);
	pool_put(&pmap_pmap_pool, pm);
}

/*
 * pmap_enter: map the page at pa (bytes; PMAP_WC and other low bits are
 * flags) at va (bytes, page aligned) with prot in pm.  flags: the access
 * type (PROT_*) that caused it, PMAP_WIRED, PMAP_CANFAIL.  An existing
 * mapping of another page at va is replaced (its pv entry removed, its
 * TLB entries invalidated); an existing mapping of the same page gets
 * the new prot and wiring.  The access type sets the pte's U/M bits.
 * => pm_mtx, pvlk not held.
 * Returns 0, or ENOMEM with PMAP_CANFAIL when the pte/pv allocation fails
 * (INJ_PMAP_ENTER, or INJ_MALLOC through pool_get(PR_NOWAIT)); without
 * PMAP_CANFAIL the allocations wait and never fail.
 * Models amd64's pmap_enter().
 */
int
pmap_enter(struct pmap *pm, vaddr_t va, paddr_t pa, vm_prot_t prot, int flags)
{
	struct pmap_pte *pte, *npte;
	struct pv_entry *npve, *opve = NULL;
	struct vm_page *pg, *opg;
	int wired = (flags & PMAP_WIRED) != 0;
	int pflags;

	preempt();
	KASSERT((va & PAGE_MASK) == 0);
	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	pa &= PMAP_PA_MASK;
	pg = PHYS_TO_VM_PAGE(pa);

	if (flags & PMAP_CANFAIL) {
		if (inject_fail(INJ_PMAP_ENTER))
			return ENOMEM;
		pflags = PR_NOWAIT;
	} else
		pflags = PR_WAITOK;
	npte = pool_get(&pmap_pte_pool, pflags | PR_ZERO);
	npve = pool_get(&pmap_pv_pool, pflags | PR_ZERO);
	if (npte == NULL || npve == NULL) {
		if (npte != NULL)
			pool_put(&pmap_pte_pool, npte);
		if (npve != NULL)
			pool_put(&pmap_pv_pool, npve);
		KASSERT(flags & PMAP_CANFAIL);
		return ENOMEM;
	}

	mtx_enter(&pm->pm_mtx);
	pte = pmap_pte_lookup(pm, va);
	if (pte != NULL && pte->pte_pa == pa) {
		/* same page: new protection and wiring */
		if (pte->pte_prot & ~prot)
			pmap_invalidate(pm, va);
		pte->pte_prot = prot;
		if (wired && !pte->pte_wired)
			pm->pm_wired++;
		else if (!wired && pte->pte_wired)
			pm->pm_wired--;
		pte->pte_wired = wired;
		atomic_setbits_int(&pte->pte_attr, pmap_access_attr(flags));
		mtx_leave(&pm->pm_mtx);
		pool_put(&pmap_pte_pool, npte);
		pool_put(&pmap_pv_pool, npve);
		return 0;
	}
	if (pte != NULL) {
		/* another page: drop the old pv, invalidate, reuse the pte */
		opg = PHYS_TO_VM_PAGE(pte->pte_pa);
		if (opg != NULL) {
			mtx_enter(&pmap_pvlk);
			opve = pmap_pv_remove(opg, pm, va);
			pmap_sync_attr(opg, pte);
			mtx_leave(&pmap_pvlk);
		}
		pmap_invalidate(pm, va);
		if (pte->pte_wired)
			pm->pm_wired--;
	} else {
		pte = npte;
		npte = NULL;
		pte->pte_va = va;
		RB_INSERT(pmap_ptes, &pm->pm_ptes, pte);
		pm->pm_resident++;
	}
	pte->pte_pa = pa;
	pte->pte_prot = prot;
	pte->pte_wired = wired;
	atomic_store_int(&pte->pte_attr, pmap_access_attr(flags));
	if (wired)
		pm->pm_wired++;
	if (pg != NULL) {
		mtx_enter(&pmap_pvlk);
		pmap_pv_insert(pg, npve, pm, pte);
		mtx_leave(&pmap_pvlk);
		npve = NULL;
	}
	mtx_leave(&pm->pm_mtx);

	if (npte != NULL)
		pool_put(&pmap_pte_pool, npte);
	if (npve != NULL)
		pool_put(&pmap_pv_pool, npve);
	if (opve != NULL)
		pool_put(&pmap_pv_pool, opve);
	return 0;
}

/*
 * pmap_remove: remove every mapping of pm in [sva, eva) (bytes).  The
 * current CPU's TLB entries go at once; other CPUs' at pmap_update().
 * => pm_mtx, pvlk not held.  Models pmap_remove().
 */
void
pmap_remove(struct pmap *pm, vaddr_t sva, vaddr_t eva)
{
	struct pmap_pte key, *pte, *next;
	struct pv_entry *pve, *freelist = NULL;

	preempt();
	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	mtx_enter(&pm->pm_mtx);
	key.pte_va = trunc_page(sva);
	for (pte = RB_NFIND(pmap_ptes, &pm->pm_ptes, &key);
	    pte != NULL && pte->pte_va < eva; pte = next) {
		next = RB_NEXT(pmap_ptes, &pm->pm_ptes, pte);
		pve = pmap_pte_drop(pm, pte);
		if (pve != NULL) {
			pve->pv_next = freelist;
			freelist = pve;
		}
	}
	mtx_leave(&pm->pm_mtx);
	while ((pve = freelist) != NULL) {
		freelist = pve->pv_next;
		pool_put(&pmap_pv_pool, pve);
	}
}

/*
 * pmap_protect: reduce the protection of pm's mappings in [sva, eva)
 * (bytes) to at most prot; PROT_NONE removes them.  Shootdowns as
 * pmap_remove.
 * => pm_mtx not held.  Models pmap_protect() (pmap_write_protect).
 */
void
pmap_protect(struct pmap *pm, vaddr_t sva, vaddr_t eva, vm_prot_t prot)
{
	struct pmap_pte key, *pte;

	if ((prot & PROT_MASK) == PROT_NONE) {
		pmap_remove(pm, sva, eva);
		return;
	}
	preempt();
	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	mtx_enter(&pm->pm_mtx);
	key.pte_va = trunc_page(sva);
	for (pte = RB_NFIND(pmap_ptes, &pm->pm_ptes, &key);
	    pte != NULL && pte->pte_va < eva;
	    pte = RB_NEXT(pmap_ptes, &pm->pm_ptes, pte)) {
		if ((pte->pte_prot & ~prot) == 0)
			continue;
		pte->pte_prot &= prot;
		pmap_invalidate(pm, pte->pte_va);
	}
	mtx_leave(&pm->pm_mtx);
}


/*
 * pmap_extract: if va (bytes) is mapped in pm, set *pap (may be NULL) to
 * its physical address and return TRUE.
 * => pm_mtx not held.  Models pmap_extract().
 */
boolean_t
pmap_extract(struct pmap *pm, vaddr_t va, paddr_t *pap)
{
	struct pmap_pte *pte;
	paddr_t pa = 0;

	preempt();
	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	mtx_enter(&pm->pm_mtx);
	pte = pmap_pte_lookup(pm, va);
	if (pte != NULL)
		pa = pte->pte_pa | (va & PAGE_MASK);
	mtx_leave(&pm->pm_mtx);
	if (pte != NULL && pap != NULL)
		*pap = pa;
	return pte != NULL;
}

/*
 * pmap_unwire: clear the wired attribute of the mapping at va (bytes).
 * A missing or unwired mapping is ignored (amd64 only complains).
 * => pm_mtx not held.  Models pmap_unwire().
 */
void
pmap_unwire(struct pmap *pm, vaddr_t va)
{
	struct pmap_pte *pte;

	preempt();
	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	mtx_enter(&pm->pm_mtx);
	pte = pmap_pte_lookup(pm, va);
	if (pte != NULL && pte->pte_wired) {
		pte->pte_wired = 0;
		pm->pm_wired--;
	}
	mtx_leave(&pm->pm_mtx);
}

/*
 * pmap_update: complete the TLB shootdowns queued on pm: after it, no
 * CPU holds a translation of pm that was removed or reduced before it.
 * => pm_mtx not held.  Models pmap_update() (pmap_tlb_shootwait).
 */
void
pmap_update(struct pmap *pm)
{
	int cpu, i;

	preempt();
	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	mtx_enter(&pm->pm_mtx);
	if (pm->pm_shootall || pm->pm_nshoot > 0) {
		mtx_enter(&pmap_tlblk);
		for (cpu = 0; cpu < MAXCPUS; cpu++) {
			if (pm->pm_shootall)
				pmap_tlb_flush_cpu(cpu, pm, (vaddr_t)-1);
			else
				for (i = 0; i < pm->pm_nshoot; i++)
					pmap_tlb_flush_cpu(cpu, pm,
					    pm->pm_shootva[i]);
		}
		mtx_leave(&pmap_tlblk);
		pm->pm_nshoot = 0;
		pm->pm_shootall = 0;
	}
	mtx_leave(&pm->pm_mtx);
}

/*
 * pmap_test_attr: is bit (PG_PMAP_REF or PG_PMAP_MOD) set for pg, in its
 * pg_flags or in any pte mapping it?  With clear, clear it everywhere
 * and return whether it was set.  A cleared bit is set again by the next
 * access through any translation (the model's MMU updates the pte on
 * every access, cached or not), so no shootdown is needed.
 * => pvlk not held.
 */
static boolean_t
pmap_test_attr(struct vm_page *pg, u_int bit, int clear)
{
	struct pv_entry *pve;
	boolean_t was;

	preempt();
	MUTEX_ASSERT_UNLOCKED(&pmap_pvlk);
	was = (atomic_load_int(&pg->pg_flags) & bit) != 0;
	if (was && !clear)
		return TRUE;
	if (clear)
		atomic_clearbits_int(&pg->pg_flags, bit);
	mtx_enter(&pmap_pvlk);
	for (pve = pg->pv_list; pve != NULL; pve = pve->pv_next) {
		if ((atomic_load_int(&pve->pv_pte->pte_attr) & bit) == 0)
			continue;
		was = TRUE;
		if (!clear)
			break;
		atomic_clearbits_int(&pve->pv_pte->pte_attr, bit);
	}
	mtx_leave(&pmap_pvlk);
	return was;
}

/*
 * pmap_clear_modify, pmap_clear_reference: clear the page's modified /
 * referenced bit, returning its old value.  pmap_is_modified,
 * pmap_is_referenced: the bit.  The bits are the pages' PG_PMAP_* flags
 * plus the ptes' U/M bits (see pmap_test_attr).
 * => pvlk not held.  Model the amd64 functions of the same names.
 */
boolean_t
pmap_clear_modify(struct vm_page *pg)
{
	return pmap_test_attr(pg, PG_PMAP_MOD, 1);
}

boolean_t
pmap_clear_reference(struct vm_page *pg)
{
	return pmap_test_attr(pg, PG_PMAP_REF, 1);
}

boolean_t
pmap_is_modified(struct vm_page *pg)
{
	return pmap_test_attr(pg, PG_PMAP_MOD, 0);
}

boolean_t
pmap_is_referenced(struct vm_page *pg)
{
	return pmap_test_attr(pg, PG_PMAP_REF, 0);
}

/*
 * pmap_prot: the protection of va (bytes) in pm's page table, or -1 when
 * unmapped; *wiredp (may be NULL) gets the wired attribute.  For the
 * invariant checker (not in OpenBSD), which runs at a quiescent point:
 * no explicit preempt() (taking pm_mtx still is one).
 * => pm_mtx not held.
 */
int
pmap_prot(struct pmap *pm, vaddr_t va, int *wiredp)
{
	struct pmap_pte *pte;
	int prot = -1, wired = 0;

	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	mtx_enter(&pm->pm_mtx);
	pte = pmap_pte_lookup(pm, va);
	if (pte != NULL) {
		prot = pte->pte_prot;
		wired = pte->pte_wired;
	}
	mtx_leave(&pm->pm_mtx);
	if (wiredp != NULL)
		*wiredp = wired;
	return prot;
}

/*
 * pmap_foreach: call fn(pm, va, pa, prot, wired, arg) for every mapping
 * of pm in address order.  fn must not call into the pmap.  For the
 * invariant checker (not in OpenBSD); no explicit preempt(), as
 * pmap_prot.  => pm_mtx not held.
 */
void
pmap_foreach(struct pmap *pm,
    void (*fn)(struct pmap *, vaddr_t, paddr_t, vm_prot_t, int, void *),
    void *arg)
{
	struct pmap_pte *pte;

	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	mtx_enter(&pm->pm_mtx);
	RB_FOREACH(pte, pmap_ptes, &pm->pm_ptes)
		(*fn)(pm, pte->pte_va, pte->pte_pa, pte->pte_prot,
		    pte->pte_wired, arg);
	mtx_leave(&pm->pm_mtx);
}

/*
 * pmap_activate: the current CPU switches to pm: drop every TLB entry it
 * holds (the model has no ASIDs).  Models pmap_activate() without PCID.
 */
void
pmap_activate(struct pmap *pm)
{
	preempt();
	mtx_enter(&pmap_tlblk);
	memset(pmap_tlb[cpu_number()], 0, sizeof(pmap_tlb[0]));
	mtx_leave(&pmap_tlblk);
}

/* may the access type `access' use a translation with prot? */
static int
pmap_prot_allows(vm_prot_t prot, vm_prot_t access)
{
	if (access & PROT_WRITE)
		return (prot & PROT_WRITE) != 0;
	return (prot & PROT_MASK) != 0;
}

/*
 * pmap_mmu_translate: the TLB, then the page table.  Returns 0 with *pap,
 * EFAULT or EACCES.  Sets *stalep when a TLB entry was used whose page
 * table entry is gone, points elsewhere or has lost rights.  *ptep is the
 * pte whose U/M bits the access sets (NULL when the translation used is
 * no longer in the page table).
 * => pm_mtx held.
 */
static int
pmap_mmu_translate(struct pmap *pm, vaddr_t va, vm_prot_t access,
    paddr_t *pap, int *stalep, struct pmap_pte **ptep)
{
	struct pmap_pte *pte;
	struct pmap_tlbent *te;
	int error = 0;

	MUTEX_ASSERT_LOCKED(&pm->pm_mtx);
	pte = pmap_pte_lookup(pm, va);
	*ptep = NULL;
	mtx_enter(&pmap_tlblk);
	te = pmap_tlb_slot(cpu_number(), pm, va);
	if (te->te_pmap == pm && te->te_va == va) {
		if (pmap_prot_allows(te->te_prot, access)) {
			*pap = te->te_pa;
			*stalep = pte == NULL || pte->pte_pa != te->te_pa ||
			    (te->te_prot & ~pte->pte_prot) != 0;
			if (pte != NULL && pte->pte_pa == te->te_pa)
				*ptep = pte;
			goto out;
		}
		te->te_pmap = NULL;	/* a faulting access drops it */
	}
	if (pte == NULL)
		error = EFAULT;
	else if (!pmap_prot_allows(pte->pte_prot, access))
		error = EACCES;
	else {
		te->te_pmap = pm;
		te->te_va = va;
		te->te_pa = pte->pte_pa;
		te->te_prot = pte->pte_prot;
		*pap = pte->pte_pa;
		*ptep = pte;
	}
out:
	mtx_leave(&pmap_tlblk);
	return error;
}

/*
 * pmap_mmu_access: the current CPU loads (access PROT_READ or PROT_EXEC)
 * or stores (PROT_WRITE) the 8-byte word at va (bytes, aligned down to
 * 8): TLB first, then the page table, filling the TLB.  A store needs
 * PROT_WRITE, a load any protection.  The referenced bit, and for a
 * store the modified bit, of the pte are set (not the page's pg_flags:
 * UVM reads those without the pmap's locks).
 * => pm_mtx not held; the access happens with it held, so that it is
 *    atomic with respect to shootdowns (as an instruction is to an IPI).
 * Returns 0 (*valp loaded or stored), EFAULT (no translation) or EACCES
 * (the translation forbids it); *stalep (may be NULL) tells whether a
 * stale TLB entry was used.  The user data is accessed with relaxed
 * atomics: user-level races between simulated threads are not findings.
 * Not in OpenBSD: this is the MMU.
 */
int
pmap_mmu_access(struct pmap *pm, vaddr_t va, vm_prot_t access,
    uint64_t *valp, int *stalep)
{
	struct pmap_pte *pte;
	struct vm_page *pg;
	uint64_t *word;
	paddr_t pa;
	int error, stale = 0;

	preempt();
	MUTEX_ASSERT_UNLOCKED(&pm->pm_mtx);
	mtx_enter(&pm->pm_mtx);
	error = pmap_mmu_translate(pm, trunc_page(va), access, &pa, &stale,
	    &pte);
	if (error == 0) {
		pg = PHYS_TO_VM_PAGE(pa);
		KASSERTMSG(pg != NULL, "pmap_mmu_access: pa 0x%lx unmanaged",
		    pa);
		word = (uint64_t *)(uvm_page_data(pg) +
		    (va & PAGE_MASK & ~(vaddr_t)7));
		if (access & PROT_WRITE)
			__atomic_store_n(word, *valp, __ATOMIC_RELAXED);
		else
			*valp = __atomic_load_n(word, __ATOMIC_RELAXED);
		if (pte != NULL)
			atomic_setbits_int(&pte->pte_attr,
			    pmap_access_attr(access));
	}
	mtx_leave(&pm->pm_mtx);
	if (stalep != NULL)
		*stalep = stale;
	return error;
}
