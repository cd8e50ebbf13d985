/*
 * uvm_page.h: physical pages (struct vm_page), page queues, allocation.
 *
 * Models sys/uvm/uvm_page.h.  Deviations: physical memory is a fixed
 * array of frames allocated once at boot (uvm_page_init), each with real
 * PAGE_SIZE bytes of contents reachable through uvm_page_data(); there is
 * one free list; the pagedaemon runs when a CPU asks (uvm_wait, or the
 * harness's pagedaemon operation) instead of as a kernel thread.
 */
#ifndef _UVM_UVM_PAGE_H_
#define _UVM_UVM_PAGE_H_

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>
#include <sys/mutex.h>

struct vm_anon;
struct uvm_object;
struct pv_entry;

/*
 * Locks: [O] owner's lock (uobject->vmobjlock, or uanon->an_lock),
 * [Q] uvm.pageqlock, [P] pmap's pv lock (pmap.c), [a] atomic bit ops,
 * [I] immutable after boot.
 */
struct vm_page {
	TAILQ_ENTRY(vm_page)	 pageq;		/* [Q] free/active/inactive queue */
	RB_ENTRY(vm_page)	 objt; 		/* [O] object's page tree */
	struct vm_anon		*uanon;		/* [O] anon owning the page */
	struct uvm_object	*uobject;	/* [O] object owning the page */
	voff_t			 offset;	/* [O] offset in uobject, bytes */
	u_int			 pg_flags;	/* [a] PG_*, PQ_* */
	u_int			 wire_count;	/* [O] wired down map refs */
	int			 pg_busy_cpu;	/* [a] CPU that set PG_BUSY, -1 */
	paddr_t			 phys_addr;	/* [I] physical address */
	struct pv_entry		*pv_list;	/* [P] mappings of this page */
	u_int			 pg_version;	/* [O] bumped on every free (debug) */
};

/* pg_flags: page state */
#define PG_BUSY		0x00000001	/* page is locked */
#define PG_WANTED	0x00000002	/* someone is waiting for page */
#define PG_TABLED	0x00000004	/* page is in VP table */
#define PG_CLEAN	0x00000008	/* page has not been modified */
#define PG_PAGEOUT	0x00000010	/* page to be freed for pagedaemon */
#define PG_RELEASED	0x00000020	/* page to be freed when unbusied */
#define PG_FAKE		0x00000040	/* page is not yet initialized */
#define PG_RDONLY	0x00000080	/* page must be mapped read-only */
#define PG_ZERO		0x00000100	/* page is pre-zero'd */
#define PG_DEV		0x00000200	/* page is in device space */
#define PG_PMAP_MOD	0x00010000	/* pmap: modified bit */
#define PG_PMAP_REF	0x00020000	/* pmap: referenced bit */
/* pg_flags: queues */
#define PQ_FREE		0x00100000	/* page is on free list */
#define PQ_INACTIVE	0x00200000	/* page is in inactive list */
#define PQ_ACTIVE	0x00400000	/* page is in active list */
#define PQ_ANON		0x01000000	/* page is part of an anon */
#define PQ_AOBJ		0x02000000	/* page is part of an anonymous uvm_object */
#define PQ_SWAPBACKED	(PQ_ANON | PQ_AOBJ)

/* uvm_pagealloc flags */
#define UVM_PGA_USERESERVE	0x0001	/* ok to use reserve pages */
#define UVM_PGA_ZERO		0x0002	/* returned page must be zero'd */

TAILQ_HEAD(pglist, vm_page);

/*
 * uvm_page_init: boot physical memory: npages frames (pages), of which the
 * pagedaemon keeps freetarg free.  Allocates host memory for the largest
 * configuration once; later calls reset every frame to free.
 */
void		 uvm_page_init(int npages, int freetarg);
/*
 * uvm_pagealloc: allocate a free page for (obj, off) or for anon (exactly
 * one of them non-NULL, or both NULL).  Returns it PG_BUSY|PG_CLEAN|PG_FAKE
 * (zeroed with UVM_PGA_ZERO, PG_FAKE and PG_CLEAN cleared then), not on a
 * queue, or NULL when free pages are at the reserve or INJ_PAGEALLOC fires.
 * => obj's lock / anon's lock held (write) by the caller.
 */
struct vm_page	*uvm_pagealloc(struct uvm_object *obj, voff_t off,
		    struct vm_anon *anon, int flags);
/*
 * uvm_pagefree: free a page: removes its mappings' pv entries must already
 * be gone (pmap_page_protect(pg, PROT_NONE) first), dequeues it, detaches
 * it from its owner and returns it to the free list; a wired page is
 * unwired (uvmexp.wired), a waiter on a busy one woken.
 * => the owner's lock held (write); uvm.pageqlock not held.
 */
void		 uvm_pagefree(struct vm_page *);
/*
 * uvm_page_unbusy: unbusy pages (NULL/PGO_DONTCARE skipped), waking
 * waiters; PG_RELEASED ones are freed: object pages via pgo_releasepg,
 * anon pages (an_ref 0) via uvm_anon_release, which RELEASES the anon's
 * lock.  => owner write-locked.
 */
void		 uvm_page_unbusy(struct vm_page **, int);
void		 uvm_pagecopy(struct vm_page *src, struct vm_page *dst);
void		 uvm_pagezero(struct vm_page *);
void		 uvm_pageactivate(struct vm_page *);	/* => pageq locked */
void		 uvm_pagedeactivate(struct vm_page *);	/* => pageq locked */
void		 uvm_pagewire(struct vm_page *);	/* => pageq locked */
void		 uvm_pageunwire(struct vm_page *);	/* => pageq locked */
void		 uvm_pagedequeue(struct vm_page *);	/* => pageq locked */
/*
 * uvm_pagewait: sleep until pg is no longer busy.  Sets PG_WANTED and
 * sleeps releasing lock (the page owner's lock, held on entry); returns
 * with lock released.
 */
void		 uvm_pagewait(struct vm_page *pg, struct rwlock *lock,
		    const char *wmesg);
struct vm_page	*uvm_pagelookup(struct uvm_object *, voff_t);
/* the page's contents: PAGE_SIZE bytes */
unsigned char	*uvm_page_data(struct vm_page *);
struct vm_page	*PHYS_TO_VM_PAGE(paddr_t);
#define VM_PAGE_TO_PHYS(pg)	((pg)->phys_addr)
/*
 * uvm_wait: wait for free memory (models waking the pagedaemon and
 * sleeping on uvmexp.free).  Runs a pagedaemon pass on the calling CPU.
 * When that pass frees nothing, the model declares swap full (see
 * uvm_swapisfull()) so that callers return ENOMEM instead of looping.
 * => called with no locks held.
 */
void		 uvm_wait(const char *wmesg);

#define uvm_lock_pageq()	mtx_enter(&uvm.pageqlock)
#define uvm_unlock_pageq()	mtx_leave(&uvm.pageqlock)

#endif /* _UVM_UVM_PAGE_H_ */
