/*
 * uvm_sim.h: the public API of the model, for harnesses and tests.
 *
 * Host code (fuzz/, tests/) includes only this header and shims/sim.h:
 * plain C types, no kernel headers.  Processes are numbered 0..
 * UVM_SIM_MAXPROC-1; objects 0..UVM_SIM_MAXOBJ-1 (created on first use,
 * UVM_SIM_OBJPAGES pages each).  Addresses are bytes, lengths are pages.
 *
 * Every call runs on the current simulated CPU (shims/sim.h) and returns
 * with no lock held.  Errors are returned as positive errno values
 * (EINVAL, ENOMEM, EFAULT, EACCES, ESRCH for a process that does not
 * exist), never by panicking; panics are findings.
 */
#ifndef _UVM_UVM_SIM_H_
#define _UVM_UVM_SIM_H_

#include <stdint.h>

#define UVM_SIM_MAXPROC		8
#define UVM_SIM_MAXOBJ		4
#define UVM_SIM_OBJPAGES	512
#define UVM_SIM_MAXPHYS		4096	/* largest physical memory, pages */
#define UVM_SIM_PAGE_SIZE	4096

/* mmap flags */
#define UVM_SIM_MAP_SHARED	0x01	/* else private (copy-on-write) */
#define UVM_SIM_MAP_FIXED	0x02	/* *addrp is the address */
#define UVM_SIM_MAP_OBJECT	0x04	/* backed by object `obj`, else anon */
#define UVM_SIM_MAP_STACK	0x08
#define UVM_SIM_MAP_NOFAULT	0x10

struct uvm_sim_config {
	int	ncpu;		/* simulated CPUs 1..MAXCPUS */
	int	npages;		/* physical pages, 16..UVM_SIM_MAXPHYS */
	int	freetarg;	/* pagedaemon free target, pages */
	int	nswap;		/* swap slots */
};

/* counters, summed over CPUs (uvmexp and its per-CPU fault counters) */
struct uvm_sim_stats {
	uint64_t faults, flt_anon, flt_acow, flt_obj, flt_prcopy, flt_przero;
	uint64_t flt_amcopy, flt_noram, flt_noanon, flt_noamap, flt_pgwait;
	uint64_t flt_pgrele, flt_anget, flt_anretry, flt_namap, flt_nomap;
	uint64_t flt_lget, flt_get, flt_up, flt_relck, flt_relckok, pageins;
	int64_t	 free, active, inactive, wired, swpginuse, swpgonly;
	int64_t	 pdpageouts, pdfreed, fltnomem, anonpages;
	int64_t	 swpages;	/* slots of the configured device, 0: none */
	int	 swapon;	/* the device is enabled (not being removed) */
};

/*
 * uvm_sim_boot: reset everything (processes, objects, pages, swap,
 * pools, counters) and boot with cfg.  Panics if anything leaked from
 * the previous run.  Cheap: microseconds.
 */
void	uvm_sim_boot(const struct uvm_sim_config *cfg);
/* uvm_sim_shutdown: free every process and object (leak check) */
void	uvm_sim_shutdown(void);

/* process p gets a new empty address space; EBUSY if it exists */
int	uvm_sim_proc_new(int p);
int	uvm_sim_proc_exists(int p);
/* fork p into q (q must not exist): uvmspace_fork */
int	uvm_sim_fork(int p, int q);
/* exit: free p's vmspace */
int	uvm_sim_exit(int p);
/* threads: how many CPUs run p (pmap COW-safety, 1B) */
void	uvm_sim_set_threads(int p, int nthreads);

/*
 * mmap npages at *addrp (FIXED) or anywhere (result in *addrp).
 * prot/maxprot PROT_* bits (1 r, 2 w, 4 x); inherit MAP_INHERIT_*
 * (0 share, 1 copy, 2 none, 3 zero); advice MADV_* (0 normal, 1 random,
 * 2 sequential); obj/objoff (pages) with UVM_SIM_MAP_OBJECT.
 */
int	uvm_sim_mmap(int p, uint64_t *addrp, uint64_t npages, int prot,
	    int maxprot, int flags, int inherit, int advice, int obj,
	    uint64_t objoff);
int	uvm_sim_munmap(int p, uint64_t addr, uint64_t npages);
int	uvm_sim_mprotect(int p, uint64_t addr, uint64_t npages, int prot);
/*
 * madvise: advice MADV_* 0..2 set the entries' advice; 3 willneed does
 * nothing; 4 dontneed deactivates, 6 free frees the private anon pages
 * (uvm_map_clean); 5 spaceavail and others EINVAL; a hole: EFAULT for 4
 * and 6.
 */
int	uvm_sim_madvise(int p, uint64_t addr, uint64_t npages, int advice);
int	uvm_sim_minherit(int p, uint64_t addr, uint64_t npages, int inherit);
int	uvm_sim_mlock(int p, uint64_t addr, uint64_t npages);
int	uvm_sim_munlock(int p, uint64_t addr, uint64_t npages);

/*
 * uvm_sim_access: the current CPU, running process p, loads (write 0) or
 * stores (write 1) the 8-byte word at addr (aligned down to 8): MMU, then
 * uvm_fault() on a miss, then retry.  Returns 0 (*valp read or written),
 * EFAULT or EACCES (the program gets SIGSEGV), ENOMEM (killed: out of
 * memory).  *stalep (may be NULL) is set when the access used a stale
 * TLB entry.
 */
int	uvm_sim_access(int p, uint64_t addr, int write, uint64_t *valp,
	    int *stalep);
/* pagedaemon: page out up to n pages; returns pages freed */
int	uvm_sim_pagedaemon(int n);
/*
 * swapctl(2) on the one swap device (on at boot, nswap slots).
 * uvm_sim_swapoff pages every anon in and removes the device: 0, or
 * ENXIO (it is off), ENOMEM (memory too short; it stays on), EBUSY
 * (slots still in use: anons moved behind the walk by concurrent
 * operations; it stays on).  While it is off the pagedaemon cannot
 * page anons out.  uvm_sim_swapon adds it back, every slot free: 0, or
 * EBUSY (it is on).
 */
int	uvm_sim_swapoff(void);
int	uvm_sim_swapon(void);
/* check every invariant (panics on violation) */
void	uvm_sim_check(void);
void	uvm_sim_stats(struct uvm_sim_stats *);
/* current contents of object obj's word at byte offset off */
uint64_t uvm_sim_obj_peek(int obj, uint64_t off);
/* initial contents of object obj's word at byte offset off */
uint64_t uvm_sim_obj_initial(int obj, uint64_t off);
/* which locking mode this build runs: "lock-reduced" or "big-lock" */
const char *uvm_sim_locking_mode(void);

#endif /* _UVM_UVM_SIM_H_ */
