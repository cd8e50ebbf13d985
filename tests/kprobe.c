/*
 * kprobe.c: the kernel side of tests/kprobe.h, for the host-side cmocka
 * tests.  Compiled like uvm/ (-nostdinc -D_KERNEL, shims/include, the
 * variant's flags; see the Makefile) and linked only into the test
 * binaries.
 *
 * It includes the real kernel headers, then kprobe.h: each kernel
 * prototype kprobe.h restates in plain C types meets the kernel's own
 * declaration here (a mismatch is a compile error), each K_<NAME> is
 * defined from the kernel's <NAME>, and the kp_* functions read and set
 * structure fields by their kernel names.  Nothing here models OpenBSD;
 * it is test plumbing.
 *
 * The pools and amap_list of uvm_amap.c and uvm_anon.c have no header
 * declaring them; they are declared below with the kernel's own types
 * (struct pool, the struct vm_amap list), so only their names are
 * restated.
 */

#include "uvm.h"

#include "kprobe.h"

/* ---- constants ---- */

const int	K_ENOMEM = ENOMEM;
const int	K_EACCES = EACCES;
const int	K_EFAULT = EFAULT;
const int	K_EINVAL = EINVAL;
const int	K_EBUSY = EBUSY;
const int	K_ESRCH = ESRCH;
const int	K_EWOULDBLOCK = EWOULDBLOCK;
const int	K_PROT_READ = PROT_READ;
const int	K_PROT_WRITE = PROT_WRITE;
const int	K_M_WAITOK = M_WAITOK;
const int	K_M_NOWAIT = M_NOWAIT;
const int	K_M_TEMP = M_TEMP;
const int	K_PNORELOCK = PNORELOCK;
const uint64_t	K_INFSLP = INFSLP;
const int	K_INJ_MALLOC = INJ_MALLOC;
const int	K_INJ_PMAP_ENTER = INJ_PMAP_ENTER;
const int	K_INJ_PAGEALLOC = INJ_PAGEALLOC;
const int	K_INJ_SWAP_READ = INJ_SWAP_READ;
const int	K_PMAP_WIRED = PMAP_WIRED;
const int	K_PMAP_CANFAIL = PMAP_CANFAIL;
const int	K_UVM_PGA_ZERO = UVM_PGA_ZERO;
const int	K_AMAP_SHARED = AMAP_SHARED;
const int	K_UVM_AMAP_CHUNK = UVM_AMAP_CHUNK;
const int	K_ENXIO = ENXIO;
const int	K_PG_CLEAN = PG_CLEAN;
const int	K_SWSLOT_BAD = SWSLOT_BAD;

/* uvm_amap.c, uvm_anon.c */
extern struct pool	uvm_amap_pool, uvm_amap_chunk_pool, uvm_anon_pool;
extern struct pool	uvm_small_amap_pool[UVM_AMAP_CHUNK];
extern LIST_HEAD(kp_amaphead, vm_amap) amap_list;

/* ---- reading and setting kernel state ---- */

/* kp_cpuid: cpu_number() of the current simulated CPU */
int
kp_cpuid(void)
{
	return cpu_number();
}

/* kp_page_phys: VM_PAGE_TO_PHYS(pg), bytes */
unsigned long
kp_page_phys(struct vm_page *pg)
{
	return VM_PAGE_TO_PHYS(pg);
}

/* kp_streq: a and b are the same string (the shims have no strcmp) */
static int
kp_streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/*
 * kp_pool_nout: pr_nout of the amap or anon pool whose pr_wchan is
 * wchan, or -1 if none is.
 */
long
kp_pool_nout(const char *wchan)
{
	struct pool *pools[UVM_AMAP_CHUNK + 3];
	int i, n = 0;

	pools[n++] = &uvm_amap_pool;
	pools[n++] = &uvm_amap_chunk_pool;
	pools[n++] = &uvm_anon_pool;
	for (i = 0; i < UVM_AMAP_CHUNK; i++)
		pools[n++] = &uvm_small_amap_pool[i];
	for (i = 0; i < n; i++)
		if (pools[i]->pr_wchan != NULL &&
		    kp_streq(pools[i]->pr_wchan, wchan))
			return pools[i]->pr_nout;
	return -1;
}

/* kp_anon_get: the fields of anon */
struct kp_anon
kp_anon_get(struct vm_anon *anon)
{
	struct kp_anon ka = { .lock = anon->an_lock, .page = anon->an_page,
	    .ref = anon->an_ref, .swslot = anon->an_swslot };

	return ka;
}

/* kp_anon_set_lock: anon->an_lock = lock (what the fault handler does) */
void
kp_anon_set_lock(struct vm_anon *anon, struct rwlock *lock)
{
	anon->an_lock = lock;
}

/* kp_anon_set_ref: anon->an_ref = ref */
void
kp_anon_set_ref(struct vm_anon *anon, int ref)
{
	anon->an_ref = ref;
}

/* kp_chunk_get: the fields of chunk; next is NULL for the last one */
struct kp_chunk
kp_chunk_get(struct vm_amap_chunk *chunk)
{
	struct kp_chunk kc = { .baseslot = chunk->ac_baseslot,
	    .nslot = chunk->ac_nslot, .usedmap = chunk->ac_usedmap,
	    .next = TAILQ_NEXT(chunk, ac_list), .anon = chunk->ac_anon };

	return kc;
}

/*
 * kp_amap_get: the fields of amap; the bucket hash only for a large
 * amap (its union member), zeros for a small one.
 */
struct kp_amap
kp_amap_get(struct vm_amap *amap)
{
	struct kp_amap ka = { .lock = amap->am_lock, .ref = amap->am_ref,
	    .flags = amap->am_flags, .nslot = amap->am_nslot,
	    .nused = amap->am_nused, .ppref = amap->am_ppref };

	if (UVM_AMAP_SMALL(amap)) {
		ka.chunks = &amap->am_small;
		return ka;
	}
	ka.chunks = TAILQ_FIRST(&amap->am_chunks);
	ka.buckets = amap->am_buckets;
	ka.nbuckets = amap->am_nbuckets;
	ka.ncused = amap->am_ncused;
	ka.hashshift = amap->am_hashshift;
	return ka;
}

/* kp_amap_lock: amap_lock(amap, RW_WRITE) */
void
kp_amap_lock(struct vm_amap *amap)
{
	amap_lock(amap, RW_WRITE);
}

/* kp_amap_unlock: amap_unlock(amap) => amap locked */
void
kp_amap_unlock(struct vm_amap *amap)
{
	KASSERT(rw_lock_held(amap->am_lock));
	amap_unlock(amap);
}

/*
 * kp_amap_list: the first n amaps of amap_list (newest first) into v,
 * read under uvm.amap_list_mtx; returns how many.
 */
int
kp_amap_list(struct vm_amap **v, int n)
{
	struct vm_amap *am;
	int i = 0;

	mtx_enter(&uvm.amap_list_mtx);
	LIST_FOREACH(am, &amap_list, am_list) {
		if (i == n)
			break;
		v[i++] = am;
	}
	mtx_leave(&uvm.amap_list_mtx);
	return i;
}

/* kp_amap_nanon: amap_foreach_anon with no callback: used slots */
int
kp_amap_nanon(struct vm_amap *amap)
{
	return amap_foreach_anon(amap, NULL, NULL);
}

/* ---- the amap calls on a struct vm_aref ---- */

static void
kp_aref_in(struct vm_aref *ar, const struct kp_aref *kar)
{
	ar->ar_pageoff = kar->pageoff;
	ar->ar_amap = kar->amap;
}

static void
kp_aref_out(struct kp_aref *kar, const struct vm_aref *ar)
{
	kar->pageoff = ar->ar_pageoff;
	kar->amap = ar->ar_amap;
}

/* kp_amap_add: amap_add => amap write-locked (checked by amap_add) */
int
kp_amap_add(struct kp_aref *kar, unsigned long off, struct vm_anon *anon,
    int replace)
{
	struct vm_aref ar;

	kp_aref_in(&ar, kar);
	return amap_add(&ar, off, anon, replace);
}

/* kp_amap_unadd: amap_unadd => amap write-locked (checked by amap_unadd) */
void
kp_amap_unadd(struct kp_aref *kar, unsigned long off)
{
	struct vm_aref ar;

	kp_aref_in(&ar, kar);
	amap_unadd(&ar, off);
}

/* kp_amap_lookup: amap_lookup => amap locked (checked by amap_lookup) */
struct vm_anon *
kp_amap_lookup(struct kp_aref *kar, unsigned long off)
{
	struct vm_aref ar;

	kp_aref_in(&ar, kar);
	return amap_lookup(&ar, off);
}

/* kp_amap_lookups: amap_lookups => amap locked (checked by amap_lookups) */
void
kp_amap_lookups(struct kp_aref *kar, unsigned long off,
    struct vm_anon **anons, int npages)
{
	struct vm_aref ar;

	kp_aref_in(&ar, kar);
	amap_lookups(&ar, off, anons, npages);
}

/* kp_amap_populate: amap_populate => amap write-locked (amap_populate) */
void
kp_amap_populate(struct kp_aref *kar, unsigned long off)
{
	struct vm_aref ar;

	kp_aref_in(&ar, kar);
	amap_populate(&ar, off);
}

/* kp_amap_splitref: amap_splitref of orig into orig + split at byte off */
void
kp_amap_splitref(struct kp_aref *korig, struct kp_aref *ksplit,
    unsigned long off)
{
	struct vm_aref orig, split;

	kp_aref_in(&orig, korig);
	kp_aref_in(&split, ksplit);
	amap_splitref(&orig, &split, off);
	kp_aref_out(korig, &orig);
	kp_aref_out(ksplit, &split);
}

/* kp_page_flags: pg->pg_flags now (atomic load) */
int
kp_page_flags(struct vm_page *pg)
{
	return (int)atomic_load_int(&pg->pg_flags);
}
