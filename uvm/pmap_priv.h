/*
 * pmap_priv.h: what pmap.c and pmap_pv.c share inside the fake MMU.
 * Not for the rest of uvm/: use pmap.h.  Locks as in pmap.c.
 */
#ifndef _UVM_PMAP_PRIV_H_
#define _UVM_PMAP_PRIV_H_

extern struct pool	pmap_pv_pool;	/* struct pv_entry */
extern struct mutex	pmap_pvlk;	/* "pvlk": every pv_list */

/* TLBs: drop pm's translation of va (bytes) on every CPU */
void		 pmap_tlb_flush_all(struct pmap *, vaddr_t);
/* TLBs: drop every translation of pa with more rights than prot */
void		 pmap_tlb_flush_pa(paddr_t, vm_prot_t);
/* flush va on this CPU, queue the shootdown of the others (pm_mtx held) */
void		 pmap_invalidate(struct pmap *, vaddr_t);
/* merge a pte's U/M bits into its page (pm_mtx held) */
void		 pmap_sync_attr(struct vm_page *, struct pmap_pte *);
/* pv lists (pvlk held) */
void		 pmap_pv_insert(struct vm_page *, struct pv_entry *,
		    struct pmap *, struct pmap_pte *);
struct pv_entry	*pmap_pv_remove(struct vm_page *, struct pmap *, vaddr_t);
/* page table (pm_mtx held) */
struct pv_entry	*pmap_pte_unlink(struct pmap *, struct pmap_pte *,
		    struct vm_page *);
struct pmap_pte	*pmap_pte_lookup(struct pmap *, vaddr_t);

#endif /* _UVM_PMAP_PRIV_H_ */
