/*
 * uvm_extern.h: uvmexp (statistics) and global UVM state.
 *
 * Models sys/uvm/uvmexp.h and uvm_extern.h.  The fault counters are
 * per-CPU (counters_inc(uvmexp_counters, ...)) as OpenBSD made them once
 * faults left KERNEL_LOCK; the page and swap counts are changed under
 * uvm.pageqlock or with atomic operations, as noted per field.
 */
#ifndef _UVM_UVM_EXTERN_H_
#define _UVM_UVM_EXTERN_H_

#include <sys/types.h>
#include <sys/mutex.h>
#include <sys/percpu.h>
#include <sys/queue.h>

/* Locks: [Q] uvm.pageqlock, [a] atomic, [I] boot-time, [S] swap mutex */
struct uvmexp {
	int	pagesize;	/* [I] */
	int	npages;		/* [I] physical pages */
	int	free;		/* [Q] free pages */
	int	active;		/* [Q] */
	int	inactive;	/* [Q] */
	int	wired;		/* [Q] wired pages */
	int	freemin;	/* [I] */
	int	freetarg;	/* [I] pagedaemon target */
	int	reserve_kernel;	/* [I] pages only UVM_PGA_USERESERVE may take */
	int	anonpages;	/* [a] pages owned by anons */
	int	swpages;	/* [S] swap slots (0 after swapoff) */
	int	swpginuse;	/* [S] slots in use */
	int	swpgonly;	/* [a] anons only in swap */
	int	pdpageouts;	/* [Q] pages written to swap */
	int	pdfreed;	/* [Q] pages freed by the pagedaemon */
	int	pdscans;	/* [Q] */
	int	fltnomem;	/* [a] faults that returned ENOMEM */
	int	swapfull;	/* [a] model: pagedaemon made no progress */
};

extern struct uvmexp uvmexp;

/* per-CPU fault counters (uvmexp_counters), OpenBSD's names */
enum uvm_exp_counters {
	faults,		/* page fault count */
	pageins,	/* pagein operation count */
	flt_noram,	/* number of times fault was out of ram */
	flt_noanon,	/* number of times fault was out of anons */
	flt_noamap,	/* number of times fault was out of amap chunks */
	flt_pgwait,	/* number of times fault had to wait on a page */
	flt_pgrele,	/* number of times fault found a released page */
	flt_relck,	/* number of times fault relock called */
	flt_relckok,	/* number of times fault relock is a success */
	flt_anget,	/* number of times fault gets anon page */
	flt_anretry,	/* number of times fault retrys an anon get */
	flt_amcopy,	/* number of times fault clears "needs copy" */
	flt_namap,	/* number of times fault maps a neighbor anon page */
	flt_nomap,	/* number of times fault maps a neighbor obj page */
	flt_lget,	/* number of times fault does a locked pgo_get */
	flt_get,	/* number of times fault does an unlocked get */
	flt_anon,	/* number of times fault anon (case 1a) */
	flt_acow,	/* number of times fault anon cow (case 1b) */
	flt_obj,	/* number of times fault is on object page (2a) */
	flt_prcopy,	/* number of times fault promotes with copy (2b) */
	flt_przero,	/* number of times fault promotes with zerofill (2b) */
	flt_up,		/* number of times fault upgrades upper lock */
	flt_down,	/* number of times fault downgrades lower lock */
	exp_ncounters
};

extern struct cpumem *uvmexp_counters;

struct vm_page;
struct uvm {
	struct mutex	pageqlock;	/* "pageqlk": page queues */
	struct mutex	swap_mtx;	/* "swaplk": swap slots */
	struct mutex	amap_list_mtx;	/* "amaplstlk" */
	TAILQ_HEAD(, vm_page) page_active;	/* [Q] */
	TAILQ_HEAD(, vm_page) page_inactive;	/* [Q] */
	TAILQ_HEAD(, vm_page) page_free;	/* [Q] model: one free list */
};
extern struct uvm uvm;

/* uvm_init: boot (or reset) the whole VM system */
void	uvm_init(int npages, int freetarg, int nswap, int ncpu);

#endif /* _UVM_UVM_EXTERN_H_ */
