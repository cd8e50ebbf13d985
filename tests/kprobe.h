/*
 * kprobe.h: the kernel as the host-side cmocka tests see it, in plain C
 * types (int, long, unsigned long, uint64_t, opaque struct pointers,
 * plain structs filled by value).  Includable next to libc's headers.
 *
 * tests/kprobe.c is compiled like uvm/ (-nostdinc -D_KERNEL, the kernel
 * headers, the variant's flags) and linked only into the test binaries.
 * It includes this header after the real kernel headers, so nothing here
 * can drift from them without a compile error:
 *  - kernel functions the tests call directly are declared below with
 *    the kernel's own names; in kprobe.c each declaration meets the
 *    kernel header's (vaddr_t and paddr_t are unsigned long, vm_prot_t
 *    and boolean_t int, voff_t int64_t), and a difference is a conflict
 *    (so declare here only what a header kprobe.c includes declares);
 *  - K_<NAME> is the kernel's <NAME> (errno, PROT_*, PMAP_*, M_*,
 *    INJ_*, ...), defined in kprobe.c from the kernel macro;
 *  - structure fields are read by kp_*_get(), which return a plain
 *    struct by value (a copy of the fields now), and the few the tests
 *    set are set by kp_* functions, never through a restated layout;
 *  - calls that take a struct vm_aref take a struct kp_aref here and go
 *    through a kp_* wrapper that copies it in (and, for amap_splitref,
 *    back out).
 */
#ifndef _TESTS_KPROBE_H_
#define _TESTS_KPROBE_H_

#include <stddef.h>
#include <stdint.h>

struct pmap;
struct rwlock;
struct uvm_object;
struct vm_amap;
struct vm_amap_chunk;
struct vm_anon;
struct vm_page;

/* ---- constants: K_<NAME> == the kernel's <NAME> ---- */

/* sys/errno.h */
extern const int	K_ENOMEM, K_EACCES, K_EFAULT, K_EINVAL, K_EBUSY,
			K_EWOULDBLOCK;
extern const int	K_ESRCH;
/* sys/mman.h */
extern const int	K_PROT_READ, K_PROT_WRITE;
/* sys/malloc.h (flags, and the type M_TEMP) */
extern const int	K_M_WAITOK, K_M_NOWAIT, K_M_TEMP;
/* sys/param.h */
extern const int	K_PNORELOCK;
extern const uint64_t	K_INFSLP;
/* sys/inject.h */
extern const int	K_INJ_MALLOC, K_INJ_PMAP_ENTER, K_INJ_PAGEALLOC,
			K_INJ_SWAP_READ;
/* uvm/pmap.h */
extern const int	K_PMAP_WIRED, K_PMAP_CANFAIL;
/* uvm/uvm_page.h */
extern const int	K_UVM_PGA_ZERO;
/* uvm/uvm_amap.h */
extern const int	K_AMAP_SHARED, K_UVM_AMAP_CHUNK;
/* sys/errno.h, uvm/uvm_page.h, uvm/uvm_swap.h (swapoff tests) */
extern const int	K_ENXIO, K_PG_CLEAN, K_SWSLOT_BAD;

/* ---- kernel functions, with their kernel names ---- */

/* sys/systm.h */
int	tsleep_nsec(const volatile void *, int, const char *, uint64_t);
int	rwsleep_nsec(const volatile void *, struct rwlock *, int,
	    const char *, uint64_t);
void	wakeup(const volatile void *);
void	preempt(void);
void	sleep_io(const volatile void *, const char *);
void	_kernel_lock(const char *, int);
void	_kernel_unlock(void);
int	_kernel_lock_held(void);
int	lock_held_count(void);
void	lock_assert_none_held_since(int, const char *);
/* sys/malloc.h */
void	*kern_malloc(size_t, int, int);
void	 kern_free(void *, int, size_t);
/* machine/cpu.h */
int	 ncpus_running(void);

/* uvm/pmap.h: addresses in bytes */
struct pmap	*pmap_create(void);
void		 pmap_destroy(struct pmap *);
int		 pmap_enter(struct pmap *, unsigned long, unsigned long, int,
		    int);
void		 pmap_remove(struct pmap *, unsigned long, unsigned long);
void		 pmap_protect(struct pmap *, unsigned long, unsigned long,
		    int);
void		 pmap_page_protect(struct vm_page *, int);
int		 pmap_extract(struct pmap *, unsigned long, unsigned long *);
void		 pmap_unwire(struct pmap *, unsigned long);
void		 pmap_update(struct pmap *);
int		 pmap_is_modified(struct vm_page *);
int		 pmap_is_referenced(struct vm_page *);
int		 pmap_clear_modify(struct vm_page *);
int		 pmap_clear_reference(struct vm_page *);
int		 pmap_prot(struct pmap *, unsigned long, int *);
int		 pmap_mmu_access(struct pmap *, unsigned long, int,
		    uint64_t *, int *);

/* uvm/uvm_page.h */
struct vm_page	*uvm_pagealloc(struct uvm_object *, int64_t,
		    struct vm_anon *, int);
void		 uvm_pagefree(struct vm_page *);
void		 uvm_page_unbusy(struct vm_page **, int);
struct vm_page	*PHYS_TO_VM_PAGE(unsigned long);

/* uvm/uvm_anon.h */
struct vm_anon	*uvm_analloc(void);
void		 uvm_anfree(struct vm_anon *);

/* uvm/uvm_amap.h: sizes and offsets in bytes (sz, off), else slots */
struct vm_amap	*amap_alloc(unsigned long, int, int);
void		 amap_ref(struct vm_amap *, unsigned long, unsigned long,
		    int);
void		 amap_unref(struct vm_amap *, unsigned long, unsigned long,
		    int);
int		 amap_count(void);

/* ---- reading and setting kernel state ---- */

/* the current CPU's id (machine/cpu.h cpu_number()) */
int	kp_cpuid(void);

/* VM_PAGE_TO_PHYS(pg): the page's physical address, bytes */
unsigned long	kp_page_phys(struct vm_page *);

/*
 * Items handed out (pr_nout) by the amap or anon pool named wchan
 * ("amappl", "amappl1".."amappl<UVM_AMAP_CHUNK>", "amapchunkpl",
 * "anonpl"); -1 if there is no such pool.
 */
long	kp_pool_nout(const char *wchan);

/* struct vm_anon */
struct kp_anon {
	struct rwlock	*lock;		/* an_lock */
	struct vm_page	*page;		/* an_page */
	int		 ref;		/* an_ref */
	int		 swslot;	/* an_swslot */
};
struct kp_anon	kp_anon_get(struct vm_anon *);
void	kp_anon_set_lock(struct vm_anon *, struct rwlock *);
void	kp_anon_set_ref(struct vm_anon *, int);

/* struct vm_amap_chunk */
struct kp_chunk {
	int		 baseslot;	/* ac_baseslot */
	int		 nslot;		/* ac_nslot */
	unsigned int	 usedmap;	/* ac_usedmap */
	struct vm_amap_chunk *next;	/* next on am_chunks, or NULL */
	struct vm_anon *const *anon;	/* ac_anon[0..nslot) */
};
struct kp_chunk	kp_chunk_get(struct vm_amap_chunk *);

/* struct vm_amap */
struct kp_amap {
	struct rwlock		*lock;		/* am_lock */
	int			 ref;		/* am_ref */
	int			 flags;		/* am_flags */
	int			 nslot;		/* am_nslot */
	int			 nused;		/* am_nused */
	const int		*ppref;		/* am_ppref: NULL,
						   PPREF_NONE or nslot ints */
	struct vm_amap_chunk	*chunks;	/* the first chunk: am_small
						   of a small amap, else the
						   head of am_chunks */
	/* large amaps (am_nslot > UVM_AMAP_CHUNK) only, else 0 / NULL */
	struct vm_amap_chunk *const *buckets;	/* am_buckets[] */
	int			 nbuckets;	/* am_nbuckets */
	int			 ncused;	/* am_ncused */
	int			 hashshift;	/* am_hashshift */
};
struct kp_amap	kp_amap_get(struct vm_amap *);
/* amap_lock(amap, RW_WRITE) and amap_unlock(amap) */
void	kp_amap_lock(struct vm_amap *);
void	kp_amap_unlock(struct vm_amap *);
/* the amaps on amap_list, newest first: at most n into v, returns how many */
int	kp_amap_list(struct vm_amap **v, int n);
/* amap_foreach_anon(amap, NULL, NULL): the number of used slots */
int	kp_amap_nanon(struct vm_amap *);
/* pg->pg_flags (PG_* bits) now */
int	kp_page_flags(struct vm_page *);

/* struct vm_aref, and the amap calls that take one */
struct kp_aref {
	int		 pageoff;	/* ar_pageoff, slots */
	struct vm_amap	*amap;		/* ar_amap */
};
int		 kp_amap_add(struct kp_aref *, unsigned long off,
		    struct vm_anon *, int replace);
void		 kp_amap_unadd(struct kp_aref *, unsigned long off);
struct vm_anon	*kp_amap_lookup(struct kp_aref *, unsigned long off);
void		 kp_amap_lookups(struct kp_aref *, unsigned long off,
		    struct vm_anon **, int npages);
void		 kp_amap_populate(struct kp_aref *, unsigned long off);
void		 kp_amap_splitref(struct kp_aref *orig,
		    struct kp_aref *split, unsigned long off);

#endif /* _TESTS_KPROBE_H_ */
