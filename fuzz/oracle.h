/*
 * fuzz/oracle.h: the semantic oracle, a reference model of what user
 * programs observe through uvm/uvm_sim.h.
 *
 * The oracle is deliberately simple and independent of uvm/: it never
 * includes a uvm/ header besides uvm_sim.h (for the public constants)
 * and never calls the model.  It keeps, per process, a sorted list of
 * regions (the mappings), and the contents of every page as a "cell":
 * a base (zero, or an object page's initial data) plus the 8-byte words
 * written since, stored sparsely.  Cells are reference counted and
 * copied on the first write through a reference that shares them
 * (fork COPY), so two processes see the same cell until one writes.
 *
 * Layers, as a user sees them:
 *   - an "anon space" holds the cells of the anonymous layer of one or
 *     more regions (several when the region was split or inherited with
 *     MAP_INHERIT_SHARE: every sharer sees the same slots);
 *   - an object holds the cells of its pages written through shared
 *     mappings (untouched pages read the initial data);
 *   - a private object mapping reads the object's current page until
 *     its first write, which copies the whole page into its space.
 *
 * Usage (fuzz/run.c): every map operation is called on the oracle with
 * the same arguments as on the model and returns the error the model
 * must return (the runner compares only success vs failure for map
 * operations, see fuzz/run.c).  An access is split in two: predict
 * (no state change), then done (apply the outcome the model produced).
 *
 * Errors are errno values: EFAULT (nothing mapped), EACCES (protection
 * or poisoned page), EINVAL (bad arguments), ESRCH (no such process),
 * EBUSY (process exists; swapon of a device that is on), ENXIO
 * (swapoff of a device that is off).
 */
#ifndef _FUZZ_ORACLE_H_
#define _FUZZ_ORACLE_H_

#include <stdint.h>

/* struct oracle_pred flags */
#define ORACLE_MAYPOISON	0x01	/* EACCES acceptable: maybe poisoned */
#define ORACLE_NOCHECK		0x02	/* process tainted: do not compare */
#define ORACLE_EACCESOK		0x04	/* load without PROT_READ: EACCES ok */
#define ORACLE_MAYFREED		0x08	/* MADV_FREE: success with val2 ok */

/* what an access must do */
struct oracle_pred {
	int		err;	/* 0, EFAULT, EACCES or ESRCH */
	uint64_t	val;	/* read: the value it must return */
	uint64_t	val2;	/* ORACLE_MAYFREED: a read may return this */
	int		flags;	/* ORACLE_* */
	int		obj;	/* object behind the word, -1: none ... */
	uint64_t	objoff;	/* ... its byte offset (err 0 or EACCES) */
};

/* forget everything (between runs); keeps its memory for reuse */
void	oracle_reset(void);

/* process management, as uvm_sim_proc_new/fork/exit */
int	oracle_proc_new(int p);
int	oracle_proc_exists(int p);
int	oracle_fork(int p, int q);
int	oracle_exit(int p);

/*
 * Map operations, arguments as uvm_sim.h (addresses bytes, lengths
 * pages).  oracle_mmap takes the address the model chose when the
 * mapping is not FIXED; it fails with ENOMEM if that range is in use.
 */
int	oracle_mmap(int p, uint64_t addr, uint64_t npages, int prot,
	    int maxprot, int flags, int inherit, int advice, int obj,
	    uint64_t objoff);
int	oracle_munmap(int p, uint64_t addr, uint64_t npages);
int	oracle_mprotect(int p, uint64_t addr, uint64_t npages, int prot);
/*
 * oracle_madvise: NORMAL/RANDOM/SEQUENTIAL set the advice; WILLNEED and
 * DONTNEED change nothing a read sees (DONTNEED: EFAULT on a hole);
 * FREE (EFAULT on a hole) makes every anon page of an anon layer no
 * other process uses, in a region not wired, "maybe freed" (the model
 * skips pages swapped out or in an amap with several references, which
 * the oracle does not know): a read returns the
 * page's value or what it reads without its anon (zero, or the
 * object's current word), and the first read that tells them apart
 * settles which; a store goes to both.  Other processes' pages never
 * change (a fork's copy-on-write copies are theirs).  A writable shared
 * object mapping drops its object pages, dirty or not (uvn_flush
 * without PGO_CLEANIT): when one was written, the object's contents
 * become unknown (oracle_obj_tainted) and every process mapping it is
 * tainted.  SPACEAVAIL and others EINVAL.
 */
int	oracle_madvise(int p, uint64_t addr, uint64_t npages, int advice);
int	oracle_minherit(int p, uint64_t addr, uint64_t npages, int inherit);
int	oracle_mlock(int p, uint64_t addr, uint64_t npages);
int	oracle_munlock(int p, uint64_t addr, uint64_t npages);

/*
 * oracle_access_predict: what a load (write 0) or store (write 1) of the
 * word at addr by process p must do.  No state change.
 */
void	oracle_access_predict(int p, uint64_t addr, int write,
	    struct oracle_pred *);
/*
 * oracle_access_check: does the model's outcome (err, and for a read
 * val) agree with pred?  swapfail: an injected swap-read error fired
 * during the access (then EACCES is acceptable).  Returns 1 if it does.
 */
int	oracle_access_check(const struct oracle_pred *, int write, int err,
	    uint64_t val, int swapfail);
/*
 * oracle_access_done: apply an access whose outcome was accepted: a
 * successful store writes wval (a successful load: wval is the value
 * it returned, which settles a maybe-freed page); EACCES where success
 * was predicted
 * poisons the page's cell for everyone sharing it (a store to a cell
 * shared copy-on-write: p's own copy, the shared cell becomes maybe
 * poisoned); a success on a maybe-poisoned cell clears the doubt.
 */
void	oracle_access_done(int p, uint64_t addr, int write, uint64_t wval,
	    int err);

/*
 * Doubt, for outcomes the oracle cannot predict exactly:
 * oracle_maybe_poison: an injected swap-read error fired during a map
 * operation (mlock, fork): every cell in [addr, addr + npages) of p
 * (npages 0: all of p) may now be poisoned.
 * oracle_taint: p's reads are no longer compared (its private object
 * pages may have been copied at an unknown time, e.g. by an mlock that
 * failed half way for lack of memory).
 */
void	oracle_maybe_poison(int p, uint64_t addr, uint64_t npages);
/*
 * oracle_maybe_poison_anons: an injected swap-read error fired during
 * swapoff, which pages in every anon of every process: every anon cell
 * (and every page of an anonymous region) of every process may now be
 * poisoned; pages still reading an object are not anons and stay.
 */
void	oracle_maybe_poison_anons(void);
/* oracle_doubt: some page in the range is maybe poisoned */
int	oracle_doubt(int p, uint64_t addr, uint64_t npages);
void	oracle_taint(int p);
int	oracle_tainted(int p);

/*
 * swapctl of the one swap device (on at boot): oracle_swapoff returns
 * ENXIO if it is off, else 0 and it is off; oracle_swapoff_failed: the
 * model's swapoff failed (ENOMEM, EBUSY), it is on again;
 * oracle_swapon returns EBUSY if it is on, else 0 and it is on.
 * Swapping never changes what a read returns.
 */
int	oracle_swapoff(void);
void	oracle_swapoff_failed(void);
int	oracle_swapon(void);

/*
 * Object contents: oracle_obj_word is the value the object's word at
 * byte offset off must hold now; oracle_obj_initial the formula of
 * uvm/uvm_object.h, reimplemented.
 */
uint64_t oracle_obj_word(int obj, uint64_t off);
/* oracle_obj_tainted: obj's contents are unknown (MADV_FREE dropped them) */
int	oracle_obj_tainted(int obj);
uint64_t oracle_obj_initial(int obj, uint64_t off);

#endif /* _FUZZ_ORACLE_H_ */
