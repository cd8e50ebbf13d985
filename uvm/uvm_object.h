/*
 * uvm_object.h: the lower layer, memory objects with a pager.
 *
 * Models sys/uvm/uvm_object.h and the pager interface of uvm_pager.h
 * with one concrete pager, the "simulated vnode" (uvm_simobj.c): a
 * file-like object of a fixed size whose initial contents are a
 * deterministic function of (object id, offset) (uvm_simobj_data()),
 * writable through shared mappings, whose I/O "sleeps" and may answer
 * VM_PAGER_AGAIN (INJ_PAGER_IO).  Deviation: there is no vnode and no
 * buffer cache; written-back pages are kept in the object's backing
 * store so contents survive page-out.
 */
#ifndef _UVM_UVM_OBJECT_H_
#define _UVM_UVM_OBJECT_H_

#include <sys/types.h>
#include <sys/tree.h>
#include <sys/rwlock.h>

struct vm_page;
struct uvm_faultinfo;

RB_HEAD(uvm_objtree, vm_page);
/*
 * The object page tree, ordered by vm_page offset (uvm_pagecmp).  As in
 * OpenBSD (uvm_object.c), RB_GENERATE for it, and uvm_pagecmp, live in
 * uvm_simobj.c, the one object file of the model (one definition only);
 * uvm_page.c uses RB_INSERT/RB_REMOVE/RB_FIND through this prototype.
 */
int	uvm_pagecmp(const struct vm_page *, const struct vm_page *);
RB_PROTOTYPE(uvm_objtree, vm_page, objt, uvm_pagecmp);

/* Locks: [o] vmobjlock. */
struct uvm_object {
	struct rwlock		*vmobjlock;	/* lock on object */
	const struct uvm_pagerops *pgops;	/* pager ops */
	struct uvm_objtree	 memt;		/* [o] resident pages */
	int			 uo_npages;	/* [o] resident pages */
	int			 uo_refs;	/* [o] map entry references */
	int			 uo_id;		/* object number (harness) */
	vsize_t			 uo_size;	/* bytes */
	void			*uo_store;	/* [o] backing store (pager) */
};

/* pager return values */
#define VM_PAGER_OK	0
#define VM_PAGER_BAD	1
#define VM_PAGER_FAIL	2
#define VM_PAGER_PEND	3
#define VM_PAGER_AGAIN	5

/* pgo_get / pgo_flush flags */
#define PGO_LOCKED	0x0001	/* fault data structures are locked */
#define PGO_SYNCIO	0x0002	/* use sync I/O */
#define PGO_ALLPAGES	0x0010	/* flush whole object / get all pages */
#define PGO_CLEANIT	0x0020	/* write dirty pages */
#define PGO_DEACTIVATE	0x0040	/* deactivate flushed pages */
#define PGO_FREE	0x0080	/* free flushed pages */

#define PGO_DONTCARE	((struct vm_page *)-1L)	/* [get only]: no page */

struct uvm_pagerops {
	void	(*pgo_reference)(struct uvm_object *);
	void	(*pgo_detach)(struct uvm_object *);
	/* NULL for the simulated vnode: the fault handler uses pgo_get */
	int	(*pgo_fault)(struct uvm_faultinfo *, vaddr_t, struct vm_page **,
		    int, int, vm_fault_t, vm_prot_t, int);
	/*
	 * pgo_flush: act (PGO_*) on pages in [start, stop) bytes.
	 * => object write-locked.  Returns TRUE on success.
	 */
	boolean_t (*pgo_flush)(struct uvm_object *, voff_t start, voff_t stop,
		    int flags);
	/*
	 * pgo_get: get pages for offset (bytes) .. npages (*npagesp), center
	 * centeridx.  PGO_LOCKED: only resident, non-busy pages, never
	 * sleeps, object stays locked, pages[] entries not found stay NULL;
	 * returns VM_PAGER_OK or VM_PAGER_UNLOCK... (VM_PAGER_OK only here).
	 * Otherwise (PGO_SYNCIO): => object write-locked on entry, unlocked
	 * on return; returns pages[centeridx] busy, read from the backing
	 * store (sleeps), VM_PAGER_OK, VM_PAGER_AGAIN (try again later) or
	 * VM_PAGER_ERROR.
	 */
	int	(*pgo_get)(struct uvm_object *, voff_t offset,
		    struct vm_page **pages, int *npagesp, int centeridx,
		    vm_prot_t access_type, int advice, int flags);
	/* pgo_releasepg: free a PG_RELEASED page of the object */
	boolean_t (*pgo_releasepg)(struct vm_page *, struct vm_page **);
};
#define VM_PAGER_ERROR	4

#define UVM_OBJ_IS_DEAD(uobj)	((uobj)->uo_refs == 0)

/* uvm_objinit-like: id, size in bytes; one reference */
struct uvm_object *uvm_simobj_create(int id, vsize_t size);
void		   uvm_simobj_reference(struct uvm_object *);
void		   uvm_simobj_detach(struct uvm_object *);
/*
 * initial contents of word `off` (bytes, 8-aligned) of object id.  The
 * exact formula (the oracle reimplements it independently):
 *	x = ((uint64_t)id << 40) ^ ((uint64_t)off >> 3)
 *	z = x + 0x9e3779b97f4a7c15
 *	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
 *	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
 *	data = z ^ (z >> 31)
 * i.e. splitmix64's output function applied once to x (all arithmetic
 * uint64_t, wrapping; off is first aligned down to a multiple of 8).
 */
uint64_t	   uvm_simobj_data(int id, voff_t off);
/* current contents (resident or backing store) of word off (harness) */
uint64_t	   uvm_simobj_peek(struct uvm_object *, voff_t off);
extern const struct uvm_pagerops uvm_simobj_pager;

#endif /* _UVM_UVM_OBJECT_H_ */
