/*
 * uvm_map.h: address maps (struct vm_map, struct vm_map_entry) and
 * address spaces (struct vmspace).
 *
 * Models sys/uvm/uvm_map.h.  Deviations: entries sit in one red-black
 * tree by address (libbsd's RB_*; OpenBSD has an address tree plus free
 * space trees); address selection for "any address" is first fit in
 * [VM_MIN_ADDRESS, VM_MAX_ADDRESS); there is no kernel map.
 */
#ifndef _UVM_UVM_MAP_H_
#define _UVM_UVM_MAP_H_

#include <sys/types.h>
#include <sys/tree.h>
#include <sys/queue.h>
#include <sys/rwlock.h>
#include <sys/mutex.h>
#include "uvm_amap.h"

struct uvm_object;
struct pmap;

/* the simulated user address range, bytes */
#define VM_MIN_ADDRESS	((vaddr_t)0x1000)
#define VM_MAX_ADDRESS	((vaddr_t)0x40000000)	/* 1 GiB: 262143 pages */

/*
 * Locks: [M] map lock (write to change; read to look), [I] immutable,
 * [K] map lock write-held and VM_MAP_BUSY owned by the current CPU.
 */
struct vm_map_entry {
	RB_ENTRY(vm_map_entry)	 daddrs;	/* [M] address tree */
	TAILQ_ENTRY(vm_map_entry) dfree;	/* dead queue, once out of
						 * the tree (its owner only) */
	vaddr_t			 start;		/* [M] start address */
	vaddr_t			 end;		/* [M] end address (excl.) */
	union {
		struct uvm_object *uvm_obj;	/* [M] lower layer */
	} object;
	voff_t			 offset;	/* [M] offset of start in obj */
	int			 etype;		/* [M] UVM_ET_* */
	vm_prot_t		 protection;	/* [M] */
	vm_prot_t		 max_protection; /* [M] */
	vm_inherit_t		 inheritance;	/* [M] MAP_INHERIT_* */
	int			 advice;	/* [M] MADV_* */
	int			 wired_count;	/* [K] */
	struct vm_aref		 aref;		/* [M] upper layer */
};

#define UVM_ET_OBJ		0x0001	/* it is a uvm_object */
#define UVM_ET_SUBMAP		0x0002	/* it is a vm_map submap */
#define UVM_ET_COPYONWRITE	0x0004	/* copy_on_write */
#define UVM_ET_NEEDSCOPY	0x0008	/* needs_copy */
#define UVM_ET_HOLE		0x0010	/* no backend */
#define UVM_ET_NOFAULT		0x0020	/* don't fault */
#define UVM_ET_STACK		0x0040	/* this is a stack */
#define UVM_ET_WC		0x0080	/* write combining */
#define UVM_ET_CONCEAL		0x0400	/* omit from dumps */
#define UVM_ET_FREEMAPPED	0x8000	/* map entry is on free list */

#define UVM_ET_ISOBJ(E)		(((E)->etype & UVM_ET_OBJ) != 0)
#define UVM_ET_ISCOPYONWRITE(E)	(((E)->etype & UVM_ET_COPYONWRITE) != 0)
#define UVM_ET_ISNEEDSCOPY(E)	(((E)->etype & UVM_ET_NEEDSCOPY) != 0)
#define UVM_ET_ISNOFAULT(E)	(((E)->etype & UVM_ET_NOFAULT) != 0)
#define UVM_ET_ISSTACK(E)	(((E)->etype & UVM_ET_STACK) != 0)
#define UVM_ET_ISWC(E)		(((E)->etype & UVM_ET_WC) != 0)
#define VM_MAPENT_ISWIRED(E)	((E)->wired_count != 0)

RB_HEAD(uvm_map_addr, vm_map_entry);

struct vm_map {
	struct pmap		*pmap;		/* [I] physical map */
	struct rwlock		 lock;		/* "vmmaplk" */
	struct mutex		 mtx;		/* [I] protects flags' BUSY bits */
	struct uvm_map_addr	 addr;		/* [M] entries by address */
	int			 nentries;	/* [M] */
	vsize_t			 size;		/* [M] mapped bytes */
	int			 ref_count;	/* [a] vmspace references */
	int			 flags;		/* [M+mtx] VM_MAP_* */
	unsigned int		 timestamp;	/* [M] bumped at each write unlock */
	int			 busy_cpu;	/* [mtx] VM_MAP_BUSY owner, -1 */
	vaddr_t			 min_offset;	/* [I] lowest address */
	vaddr_t			 max_offset;	/* [I] end of the map (excl.) */
};

#define VM_MAP_PAGEABLE		0x01	/* ro: entries are pageable */
#define VM_MAP_INTRSAFE		0x02
#define VM_MAP_WIREFUTURE	0x04	/* rw: wire future mappings */
#define VM_MAP_BUSY		0x08	/* rw: map is busy */
#define VM_MAP_WANTLOCK		0x10	/* rw: want to write-lock */
#define VM_MAP_GUARDPAGES	0x20
#define VM_MAP_ISVMSPACE	0x40

/* map locking (uvm_map.c); each bumps/asserts as OpenBSD's */
void	vm_map_lock(struct vm_map *);		/* write; waits if busy */
void	vm_map_lock_read(struct vm_map *);
void	vm_map_unlock(struct vm_map *);		/* bumps timestamp */
void	vm_map_unlock_read(struct vm_map *);
void	vm_map_busy(struct vm_map *);		/* => write-locked */
void	vm_map_unbusy(struct vm_map *);
/*
 * The busy protocol (uvm_map.c): BUSY and busy_cpu change only with the
 * map write-locked AND map->mtx held, so reading them with the map
 * locked (any) is race-free.  While a CPU owns VM_MAP_BUSY, vm_map_lock()
 * on other CPUs sleeps; vm_map_lock_read() does not wait.
 * uvm_map_pageable() (mlock) busies the map, UNLOCKS it, calls
 * uvm_fault_wire(), then write-locks it again, as current OpenBSD: the
 * wiring faults read-lock the map like any fault (which vm_map_busy does
 * not prevent) while no other CPU can change it.
 * VM_MAP_WANTLOCK is not used: see uvm_map.c.
 */
void	vm_map_downgrade(struct vm_map *);
void	vm_map_upgrade(struct vm_map *);
#define vm_map_assert_wrlock(map)	rw_assert_wrlock(&(map)->lock)
#define vm_map_assert_anylock(map)	rw_assert_anylock(&(map)->lock)

/* entries removed from a map, freed by uvm_unmap_detach() */
TAILQ_HEAD(uvm_map_deadq, vm_map_entry);

struct vmspace {
	struct vm_map	 vm_map;	/* VM address map */
	int		 vm_refcnt;	/* [a] number of references */
	int		 vm_id;		/* harness: process number */
	int		 vm_nthreads;	/* harness: CPUs sharing it (1 = single-threaded) */
};

/* uvm_map flags for uvm_map() */
#define UVM_FLAG_FIXED		0x0010000	/* find space */
#define UVM_FLAG_OVERLAY	0x0020000	/* establish overlay (amap) */
#define UVM_FLAG_NOMERGE	0x0040000
#define UVM_FLAG_COPYONW	0x0080000	/* set copy_on_write flag */
#define UVM_FLAG_STACK		0x0200000
#define UVM_FLAG_UNMAP		0x0800000	/* unmap existing entries */
#define UVM_FLAG_NOFAULT	0x1000000

#define UVM_UNKNOWN_OFFSET	((voff_t)-1)

/*
 * uvm_map: establish a mapping of size bytes at *addr (UVM_FLAG_FIXED) or
 * anywhere (first fit, result in *addr).  uobj NULL for anonymous memory;
 * UVM_FLAG_COPYONW makes it private (COPYONWRITE|NEEDSCOPY).
 * => map unlocked.  Returns 0, ENOMEM (no space), EINVAL (bad args),
 * EACCES (prot > maxprot).  On success the entry holds one reference of
 * uobj (the caller's reference is consumed).
 */
int	uvm_map(struct vm_map *, vaddr_t *addr, vsize_t size,
	    struct uvm_object *uobj, voff_t uoffset, vm_prot_t prot,
	    vm_prot_t maxprot, vm_inherit_t inh, int advice, int flags);
/* uvm_unmap: remove [start, end) (bytes) => map unlocked */
void	uvm_unmap(struct vm_map *, vaddr_t start, vaddr_t end);
/* uvm_map_protect: set prot (or maxprot with set_max) => EACCES, EINVAL */
int	uvm_map_protect(struct vm_map *, vaddr_t, vaddr_t, vm_prot_t,
	    boolean_t set_max);
int	uvm_map_advice(struct vm_map *, vaddr_t, vaddr_t, int advice);
int	uvm_map_inherit(struct vm_map *, vaddr_t, vaddr_t, vm_inherit_t);
/*
 * uvm_map_pageable: wire (new_pageable FALSE: mlock) or unwire [start,end).
 * => map unlocked.  Returns 0, EFAULT (hole in range), EINVAL, ENOMEM.
 * Uses the map-busy protocol around uvm_fault_wire().
 */
int	uvm_map_pageable(struct vm_map *, vaddr_t, vaddr_t,
	    boolean_t new_pageable, int lockflags);
/*
 * uvm_map_clean: deactivate (PGO_DEACTIVATE) or free (PGO_FREE) the pages
 * of [start, end) (bytes), anon layer then object (uvm_map_clean.c).
 * => map unlocked.  Returns 0, EINVAL, EFAULT (hole in range).
 */
int	uvm_map_clean(struct vm_map *, vaddr_t start, vaddr_t end, int flags);
/* uvmspace_alloc/fork/free: address spaces; fork per entry inheritance */
struct vmspace *uvmspace_alloc(vaddr_t min, vaddr_t max, boolean_t pageable);
struct vmspace *uvmspace_fork(struct vmspace *);
void	uvmspace_free(struct vmspace *);
/*
 * uvm_map_lookup_entry: entry containing address, else FALSE and *entry
 * the entry before (or NULL).  => map locked (any).
 */
boolean_t uvm_map_lookup_entry(struct vm_map *, vaddr_t,
	    struct vm_map_entry **);
/* clip entry so it starts at / ends at addr => map write-locked */
void	uvm_map_clip_start(struct vm_map *, struct vm_map_entry *, vaddr_t);
void	uvm_map_clip_end(struct vm_map *, struct vm_map_entry *, vaddr_t);
/* the entry after `entry` (NULL at the end) */
struct vm_map_entry *uvm_map_entry_next(struct vm_map *, struct vm_map_entry *);
struct vm_map_entry *uvm_map_entry_first(struct vm_map *);
int	uvm_map_entry_count(void);		/* live entries (leak check) */
/*
 * uvm_map_init: boot/reset (called by uvm_init): (re)create the map
 * entry and vmspace pools; panics if entries leaked from the last run.
 */
void	uvm_map_init(void);

#endif /* _UVM_UVM_MAP_H_ */
