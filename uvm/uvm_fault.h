/*
 * uvm_fault.h: the page fault handler.
 *
 * Models sys/uvm/uvm_fault.h and the split of uvm_fault() that the seed
 * diff begins (uvm_fault_check, struct uvm_faultctx, upper/lower layers).
 *
 * Locking modes, chosen at build time:
 *   default          lock-reduced: the upper layer (cases 1A/1B) runs
 *                    under the map read lock and the amap lock only; the
 *                    lower layer (case 2) takes KERNEL_LOCK.
 *   -DUVM_BIGLOCK    the state before the seed: uvm_fault() runs entirely
 *                    under KERNEL_LOCK.
 */
#ifndef _UVM_UVM_FAULT_H_
#define _UVM_UVM_FAULT_H_

#include <sys/types.h>

struct vm_map;
struct vm_map_entry;

#define VM_FAULT_INVALID	((vm_fault_t)0x0)	/* invalid mapping */
#define VM_FAULT_PROTECT	((vm_fault_t)0x1)	/* protection */
#define VM_FAULT_WIRE		((vm_fault_t)0x2)	/* wire mapping */

#define UVM_MAXRANGE	16	/* must be max() of nback+nforw+1 */

struct uvm_advice {
	int	nback;		/* pages */
	int	nforw;		/* pages */
};

/* fault-ahead ranges per MADV_*, 4 KiB pages: NORMAL, RANDOM, SEQUENTIAL */
extern const struct uvm_advice uvmadvice[];

struct uvm_faultinfo {
	/* IN */
	struct vm_map		*orig_map;
	vaddr_t			 orig_rvaddr;	/* page aligned */
	vsize_t			 orig_size;	/* bytes */
	/* OUT */
	struct vm_map		*map;
	unsigned int		 mapv;		/* map timestamp at lookup */
	struct vm_map_entry	*entry;
	vsize_t			 size;
};

struct uvm_faultctx {
	/* set up by uvm_fault_check() and read-only after that */
	vm_prot_t	enter_prot;	/* PROT_* to enter pages with */
	vm_prot_t	access_type;
	vaddr_t		startva;	/* first page of the range */
	int		npages;		/* pages in the range */
	int		centeridx;	/* index of the faulting page */
	boolean_t	narrow;		/* only the faulting page */
	boolean_t	wired;
	paddr_t		pa_flags;	/* PMAP_WC */
	boolean_t	promote;
	int		upper_lock_type;	/* RW_READ or RW_WRITE (amap) */
	int		lower_lock_type;	/* RW_READ or RW_WRITE (uobj) */
};

/*
 * uvm_fault: resolve a fault at vaddr of orig_map.
 * => called with nothing locked; returns with nothing locked (checked:
 *    the CPU holds as many locks as on entry).
 * Returns 0, EFAULT (no entry / case 0), EACCES (protection, or swap
 * read error), ENOMEM (out of memory and swap), EIO (pager error).
 */
int	uvm_fault(struct vm_map *orig_map, vaddr_t vaddr, vm_fault_t fault_type,
	    vm_prot_t access_type);
/*
 * uvm_fault_wire: fault in and wire [start, end) with access_type.
 * => map unlocked, and busied by the caller (uvm_map_pageable) so that no
 *    other CPU changes it; each page's fault takes the map read lock as
 *    any fault does (holding the lock across this call instead, and so
 *    taking it twice, was BUGS O3).
 * Returns 0 or an errno; on failure what was wired is unwired.
 */
int	uvm_fault_wire(struct vm_map *, vaddr_t start, vaddr_t end,
	    vm_prot_t access_type);
/* uvm_fault_unwire(_locked): unwire [start, end) => map locked (_locked) */
void	uvm_fault_unwire(struct vm_map *, vaddr_t start, vaddr_t end);
void	uvm_fault_unwire_locked(struct vm_map *, vaddr_t start, vaddr_t end);

/*
 * The fault handler's helpers, for other users (uvm_anon_pagein may call
 * uvmfault_anonget(NULL, NULL, anon) with the anon write-locked; it
 * returns 0 with the lock held, or ERESTART/ENOMEM/EACCES with it
 * released).  See uvm_fault.c for each contract.
 */
struct vm_amap;
struct vm_anon;
struct uvm_object;
boolean_t uvmfault_lookup(struct uvm_faultinfo *, boolean_t write_lock);
boolean_t uvmfault_relock(struct uvm_faultinfo *);
void	uvmfault_unlockall(struct uvm_faultinfo *, struct vm_amap *,
	    struct uvm_object *);
int	uvmfault_anonget(struct uvm_faultinfo *, struct vm_amap *,
	    struct vm_anon *);

#endif /* _UVM_UVM_FAULT_H_ */
