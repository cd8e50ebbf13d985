/*
 * pmap.h: the machine-dependent layer, a fake MMU.
 *
 * Models the pmap(9) interface as x86's pmap implements it: a page table
 * per pmap (VA page -> physical page, protection, wired), pv lists per
 * page (all mappings of a page), referenced/modified bits, and per-CPU
 * TLBs that keep a translation until it is shot down.  Removals and
 * protection reductions invalidate the pmap's own page table at once and
 * queue a shootdown of other CPUs' TLB entries; pmap_update() completes
 * the queued shootdowns (x86 defers them the same way).  Until then
 * another CPU may still use its stale translation: pmap_mmu_access() tells
 * the harness when that happens (a detectable event, not a crash).
 *
 * Locks: each pmap has a mutex "pmaplk" for its page table, and pv lists
 * are protected by the mutex "pvlk"; both are leaves in the lock order.
 * Every pmap call is a preemption point.
 */
#ifndef _UVM_PMAP_H_
#define _UVM_PMAP_H_

#include <sys/types.h>
#include <sys/tree.h>
#include <sys/mutex.h>

struct vm_page;
struct vm_map;

/* pmap_enter flags (low bits: the access type, PROT_*) */
#define PMAP_WIRED	0x00000010	/* wired mapping */
#define PMAP_CANFAIL	0x00000020	/* can fail if resource shortage */
#define PMAP_MD0	0x00000100
#define PMAP_WC		0x1		/* pa flag: write combining */
#define PMAP_PA_MASK	(~(paddr_t)PAGE_MASK)

#define PMAP_SHOOTMAX	16	/* queued shootdowns before "flush all" */
#define PMAP_TLBSIZE	16	/* entries per simulated CPU TLB */

struct pmap_pte;
RB_HEAD(pmap_ptes, pmap_pte);

/* Locks: [P] the pmap's pm_mtx, [V] pvlk, [a] atomic, [I] immutable */
struct pmap_pte {
	RB_ENTRY(pmap_pte)	 pte_link;	/* [P] */
	vaddr_t			 pte_va;	/* [P] page-aligned */
	paddr_t			 pte_pa;	/* [P] */
	vm_prot_t		 pte_prot;	/* [P] */
	int			 pte_wired;	/* [P] */
	u_int			 pte_attr;	/* [a] PG_PMAP_REF|PG_PMAP_MOD:
						 * the MMU's U/M bits */
};

struct pmap {
	struct mutex		 pm_mtx;	/* "pmaplk" */
	struct pmap_ptes	 pm_ptes;	/* [P] page table */
	int			 pm_refs;	/* [a] */
	long			 pm_resident;	/* [P] mapped pages */
	long			 pm_wired;	/* [P] wired mappings */
	int			 pm_id;		/* [I] TLB tag */
	int			 pm_cow_unsafe;	/* [I] can't safely enter COW
						 * copies while threads run
						 * (see 1B) */
	struct vm_map		*pm_map;	/* [I] model only: the map
						 * of this pmap (NULL: none),
						 * set by uvmspace_alloc */
	/* queued TLB shootdowns, completed by pmap_update() [pm_mtx] */
	vaddr_t			 pm_shootva[PMAP_SHOOTMAX];
	int			 pm_nshoot;	/* entries in pm_shootva */
	int			 pm_shootall;	/* overflowed: flush all */
};

struct pv_entry {				/* all [V] */
	struct pv_entry		*pv_next;
	struct pmap		*pv_pmap;
	vaddr_t			 pv_va;
	struct pmap_pte		*pv_pte;	/* its pte (freed after pv) */
};

void		 pmap_init(int ncpu);	/* boot / reset: TLBs, pv pool */
struct pmap	*pmap_create(void);
void		 pmap_reference(struct pmap *);
void		 pmap_destroy(struct pmap *);
/*
 * pmap_enter: map va to pa with prot.  flags: the access type that caused
 * it, PMAP_WIRED, PMAP_CANFAIL.  Returns 0, or ENOMEM with PMAP_CANFAIL
 * when the pv/pte allocation fails (INJ_PMAP_ENTER); without
 * PMAP_CANFAIL failure waits.  Sets the referenced (and, for a write
 * access, modified) bit of the page.
 */
int		 pmap_enter(struct pmap *, vaddr_t va, paddr_t pa,
		    vm_prot_t prot, int flags);
/* pmap_remove: unmap [sva, eva) bytes (shootdown queued) */
void		 pmap_remove(struct pmap *, vaddr_t sva, vaddr_t eva);
/* pmap_protect: reduce to prot in [sva, eva); PROT_NONE removes */
void		 pmap_protect(struct pmap *, vaddr_t sva, vaddr_t eva,
		    vm_prot_t prot);
/* pmap_page_protect: reduce every mapping of pg; PROT_NONE removes all */
void		 pmap_page_protect(struct vm_page *, vm_prot_t);
/* pmap_page_remove_unwired: remove the mappings of pg that are not wired */
void		 pmap_page_remove_unwired(struct vm_page *);
/* model only, for wired sharers of an amap (uvm_fault_wire.c): */
/* pmap_page_mappings: snapshot of pg's mappings; returns their number */
int		 pmap_page_mappings(struct vm_page *, struct pmap **,
		    vaddr_t *, int max);
/* pmap_replace_wired: va's wired mapping of opg maps npg; 0 or ENOENT */
int		 pmap_replace_wired(struct pmap *, vaddr_t va,
		    struct vm_page *opg, struct vm_page *npg);
/* pmap_extract: TRUE and *pap if va is mapped */
boolean_t	 pmap_extract(struct pmap *, vaddr_t va, paddr_t *pap);
void		 pmap_unwire(struct pmap *, vaddr_t va);
/* pmap_update: complete queued TLB shootdowns of this pmap */
void		 pmap_update(struct pmap *);
boolean_t	 pmap_clear_modify(struct vm_page *);
boolean_t	 pmap_clear_reference(struct vm_page *);
boolean_t	 pmap_is_modified(struct vm_page *);
boolean_t	 pmap_is_referenced(struct vm_page *);
/* the protection of va in pmap's page table, or -1 (invariant checks) */
int		 pmap_prot(struct pmap *, vaddr_t va, int *wiredp);
/* walk every mapping of a pmap (invariant checks) */
void		 pmap_foreach(struct pmap *,
		    void (*)(struct pmap *, vaddr_t, paddr_t, vm_prot_t, int, void *),
		    void *);

/*
 * pmap_mmu_access: the hardware.  The current CPU loads (access
 * PROT_READ) or stores (PROT_WRITE) the 8-byte word at va: TLB, then the
 * page table (filling the TLB).  Returns 0 with *valp read or stored,
 * EFAULT when there is no translation, EACCES when it forbids the access;
 * the caller then runs uvm_fault() and retries.  *stalep is set when the
 * access went through a TLB entry whose page table entry is already gone
 * or reduced (a pending shootdown).
 */
int		 pmap_mmu_access(struct pmap *, vaddr_t va, vm_prot_t access,
		    uint64_t *valp, int *stalep);
/* drop every TLB entry of the current CPU (context switch to pmap) */
void		 pmap_activate(struct pmap *);

#endif /* _UVM_PMAP_H_ */
