/*
 * uvm_anon.h: anonymous memory (struct vm_anon).
 *
 * Models sys/uvm/uvm_anon.h.  An anon is one page of anonymous memory
 * that lives in memory (an_page) or in swap (an_swslot), referenced by
 * an_ref amap slots.
 */
#ifndef _UVM_UVM_ANON_H_
#define _UVM_UVM_ANON_H_

#include <sys/types.h>
#include <sys/rwlock.h>

struct vm_page;
struct vm_amap;

/*
 * Locks: [A] an_lock, which is the am_lock of the amap(s) holding the
 * anon; changes need it write-held, reads at least read-held.
 */
struct vm_anon {
	struct rwlock	*an_lock;	/* == am_lock; NULL when free/new */
	struct vm_page	*an_page;	/* [A] resident page, or NULL */
	int		 an_ref;	/* [A] amap slots pointing at us */
	int		 an_swslot;	/* [A] swap slot, 0 none */
};

/* uvm_anon_init: boot/reset the anon pool (called by amap_init) */
void		 uvm_anon_init(void);
/*
 * uvm_analloc: allocate an anon with an_ref = 1, no lock, no page, no
 * swap slot.  Returns NULL when INJ_MALLOC fires (PR_NOWAIT).
 */
struct vm_anon	*uvm_analloc(void);
/*
 * uvm_anfree: free an anon whose last reference is gone.
 * => an_lock NULL or write-held; an_ref == 0.
 * A busy page is only marked PG_RELEASED: its busy owner frees it and the
 * anon later with uvm_anon_release().
 */
void		 uvm_anfree(struct vm_anon *);
/*
 * uvm_anon_release: free an anon whose page was PG_RELEASED while busy.
 * => an_lock write-held; the lock is released here (the anon is gone).
 */
void		 uvm_anon_release(struct vm_anon *);
/* drop the anon's swap slot => an_lock write-held */
void		 uvm_anon_dropswap(struct vm_anon *);
/*
 * uvm_anon_pagein: page an anon in (swapoff path) and drop its swap slot.
 * => an_lock (== amap's am_lock) write-held.  Returns FALSE with the lock
 * held (dropped and retaken around a swap read: the caller re-checks the
 * amap), or TRUE when the anon's lock was dropped and the caller must
 * relock and restart.
 */
boolean_t	 uvm_anon_pagein(struct vm_amap *, struct vm_anon *);

#endif /* _UVM_UVM_ANON_H_ */
