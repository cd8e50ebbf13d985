/*
 * uvm_amap.h: anonymous maps (struct vm_amap): the upper layer of a map
 * entry, an array of anon slots, one per page.
 *
 * Models sys/uvm/uvm_amap.h of OpenBSD (chunked amaps, shared am_lock).
 * Slots live in chunks of UVM_AMAP_CHUNK; an amap of at most
 * UVM_AMAP_CHUNK slots embeds its one chunk, a larger one has a bucket
 * hash over a list of chunks allocated on demand (M_NOWAIT: amap_add can
 * fail) and freed when empty.
 */
#ifndef _UVM_UVM_AMAP_H_
#define _UVM_UVM_AMAP_H_

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/rwlock.h>

struct vm_anon;
struct vm_map;
struct vm_map_entry;

/* a map entry's reference to an amap: slot ar_pageoff maps entry->start */
struct vm_aref {
	int		 ar_pageoff;	/* slots */
	struct vm_amap	*ar_amap;
};

#define UVM_AMAP_LARGE	256	/* slots: amap_copy chunks bigger amaps */
#define UVM_AMAP_CHUNK	16	/* slots per chunk */

/* Locks: [L] am_lock (write-held to modify), [I] immutable. */
struct vm_amap_chunk {
	TAILQ_ENTRY(vm_amap_chunk) ac_list;	/* [L] am_chunks */
	int		 ac_baseslot;		/* [I] first slot */
	uint16_t	 ac_usedmap;		/* [L] bit i: slot base+i used */
	uint16_t	 ac_nslot;		/* [I] slots in this chunk */
	struct vm_anon	*ac_anon[];		/* [L] */
};

struct vm_amap {
	struct rwlock	*am_lock;	/* shared refcounted lock object */
	int		 am_ref;	/* [L] map entry references */
	int		 am_flags;	/* [L] AMAP_* */
	int		 am_nslot;	/* [I] slots */
	int		 am_nused;	/* [L] slots in use */
	int		*am_ppref;	/* [L] per-page refs, PPREF_NONE, or NULL */
	LIST_ENTRY(vm_amap) am_list;	/* [amap_list_lock] all amaps */
	union {
		struct {
			struct vm_amap_chunk **amn_buckets;
			TAILQ_HEAD(, vm_amap_chunk) amn_chunks;
			int	amn_nbuckets;	/* [I] */
			int	amn_ncused;	/* [L] chunks in use */
			int	amn_hashshift;	/* [I] */
		} ami_normal;
		struct {
			struct vm_amap_chunk ams_chunk;	/* embedded, last */
		} ami_small;
	} am_impl;
};

#define am_buckets	am_impl.ami_normal.amn_buckets
#define am_chunks	am_impl.ami_normal.amn_chunks
#define am_nbuckets	am_impl.ami_normal.amn_nbuckets
#define am_ncused	am_impl.ami_normal.amn_ncused
#define am_hashshift	am_impl.ami_normal.amn_hashshift
#define am_small	am_impl.ami_small.ams_chunk

#define UVM_AMAP_SMALL(amap)	((amap)->am_nslot <= UVM_AMAP_CHUNK)
#define PPREF_NONE	((int *)-1)

/* am_flags */
#define AMAP_SHARED	0x1	/* amap is shared */
#define AMAP_REFALL	0x2	/* amap_ref: reference entire amap */
#define AMAP_SWAPOFF	0x4	/* amap_swap_off() is in progress */

/* amap_copy flags (waitf) */
#define AMAP_EXTEND_BACKWARDS	0x1

#define AMAP_B2SLOT(S, B) do {						\
	KASSERT(((B) & (PAGE_SIZE - 1)) == 0);				\
	(S) = (B) >> PAGE_SHIFT;					\
} while (0)

#define amap_lock(amap, lt)	rw_enter((amap)->am_lock, (lt))
#define amap_unlock(amap)	rw_exit((amap)->am_lock)
#define amap_flags(amap)	((amap)->am_flags)
#define amap_refs(amap)		((amap)->am_ref)

void		 amap_init(void);
/*
 * amap_alloc: new amap of sz bytes (sz/PAGE_SIZE slots), am_ref 1, with a
 * new lock object.  waitf M_WAITOK/M_NOWAIT; lazyalloc: chunks of a large
 * amap are allocated on first use.  NULL on failure (M_NOWAIT).
 */
struct vm_amap	*amap_alloc(vaddr_t sz, int waitf, int lazyalloc);
/* amap_free: free an amap with am_ref 0 and am_nused 0 => unlocked */
void		 amap_free(struct vm_amap *);
/*
 * amap_add: put anon in the slot at byte offset off of aref; replace says
 * the slot was set (the old anon's mappings are removed if the amap is
 * shared).  Returns 0 or ENOMEM (chunk allocation failed).
 * => amap write-locked.
 */
int		 amap_add(struct vm_aref *, vaddr_t off, struct vm_anon *,
		    boolean_t replace);
/* amap_unadd: clear the slot at byte offset off => amap write-locked */
void		 amap_unadd(struct vm_aref *, vaddr_t off);
/* amap_lookup(s): anon(s) at byte offset off => amap locked (any) */
struct vm_anon	*amap_lookup(struct vm_aref *, vaddr_t off);
void		 amap_lookups(struct vm_aref *, vaddr_t off, struct vm_anon **,
		    int npages);
/*
 * amap_populate: make sure the chunk for byte offset off exists (M_WAITOK)
 * => amap write-locked.
 */
void		 amap_populate(struct vm_aref *, vaddr_t off);
/*
 * amap_copy: clear NEEDSCOPY on entry by giving it a private amap.
 * => map write-locked.  See UVM.md "amap_copy".  On allocation failure
 * (waitf M_NOWAIT) it returns leaving NEEDSCOPY set.
 */
void		 amap_copy(struct vm_map *, struct vm_map_entry *, int waitf,
		    boolean_t canchunk, vaddr_t startva, vaddr_t endva);
/* amap_cow_now: resolve every COW of a (wired) entry now => map wlocked */
void		 amap_cow_now(struct vm_map *, struct vm_map_entry *);
/* amap_ref/unref: add/drop a map entry reference for slots [off, off+len) */
void		 amap_ref(struct vm_amap *, vaddr_t offslots, vsize_t lenslots,
		    int flags);
void		 amap_unref(struct vm_amap *, vaddr_t offslots, vsize_t lenslots,
		    boolean_t all);
/* amap_splitref: split origref at byte offset off into origref + splitref */
void		 amap_splitref(struct vm_aref *origref, struct vm_aref *splitref,
		    vaddr_t off);
/* amap_wiperange: drop anons of slots [slotoff, slotoff+slots) => wlocked */
void		 amap_wiperange(struct vm_amap *, int slotoff, int slots);
/*
 * amap_wipeout: drop every anon and free the amap (last reference)
 * => amap write-locked, am_ref 0; returns with the lock released.
 */
void		 amap_wipeout(struct vm_amap *);
void		 amap_share_protect(struct vm_map_entry *, vm_prot_t);
boolean_t	 amap_swap_off(int startslot, int endslot);
/* iterate over an amap's used slots (invariant checker) */
int		 amap_foreach_anon(struct vm_amap *,
		    void (*)(struct vm_amap *, int slot, struct vm_anon *, void *),
		    void *);
/* number of live amaps (leak check between runs) */
int		 amap_count(void);

#endif /* _UVM_UVM_AMAP_H_ */
