/*
 * test_amap.c: the chunked amap (uvm/uvm_amap.c) with exact, hand-computed
 * expectations: chunk layout and bucket hash of a 300-slot amap, lookups,
 * a failing lazy chunk allocation (INJ_MALLOC), per-page reference counts
 * after amap_splitref and a partial amap_unref, amap_copy (through fork
 * and a fault) sharing the lock and taking anon references, and
 * amap_wipeout freeing everything.
 *
 * Host code (cmocka) linked with libuvm.a.  The kernel headers cannot be
 * included next to libc's, so the structures looked at (uvm_amap.h,
 * uvm_anon.h, sys/pool.h) and the prototypes called are
 * restated below in host types (vaddr_t unsigned long, boolean_t int, as
 * shims/include/sys/types.h; libbsd's TAILQ/LIST/RB entries are plain
 * pointers).  Keep them in step with those headers; a layout mismatch
 * shows as wrong numbers in the first test (am_nslot, chunk slots).
 *
 * The 300-slot amap, allocated lazily: 19 chunks (300 / 16 rounded up);
 * 19 has 5 bits, so chunks per bucket is the smallest power of two p with
 * p + 1 >= 5, i.e. 4 (am_hashshift 2), and there are 5 buckets.  Slot s
 * lives in the chunk with base 16 * (s / 16), in bucket (s / 16) >> 2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "uvm/uvm_sim.h"
#include "shims/sim.h"

#define PG		((unsigned long)UVM_SIM_PAGE_SIZE)

/* kernel values: sys/malloc.h, sys/errno.h, sys/rwlock.h, sys/inject.h,
 * uvm_amap.h, uvm_map.h, uvm_page.h */
#define K_M_WAITOK		0x0001
#define K_ENOMEM		12
#define K_RW_WRITE		0x0001
#define K_INJ_MALLOC		0
#define K_AMAP_SHARED		0x1
#define K_AMAP_REFALL		0x2
#define K_UVM_PGA_ZERO		0x0002
#define K_UVM_AMAP_CHUNK	16

/* uvm_anon.h */
struct vm_anon {
	void		*an_lock;
	void		*an_page;
	int		 an_ref;
	int		 an_swslot;
};

/* uvm_amap.h */
struct vm_amap_chunk {
	struct vm_amap_chunk *ac_next, **ac_prev;	/* TAILQ_ENTRY */
	int		 ac_baseslot;
	uint16_t	 ac_usedmap;
	uint16_t	 ac_nslot;
	struct vm_anon	*ac_anon[];
};

struct vm_amap {
	void		*am_lock;
	int		 am_ref;
	int		 am_flags;
	int		 am_nslot;
	int		 am_nused;
	int		*am_ppref;
	struct vm_amap	*am_le_next, **am_le_prev;	/* LIST_ENTRY */
	union {
		struct {
			struct vm_amap_chunk **amn_buckets;
			struct vm_amap_chunk *amn_first, **amn_last;
			int	amn_nbuckets;
			int	amn_ncused;
			int	amn_hashshift;
		} n;
		struct {
			struct vm_amap_chunk ams_chunk;
		} s;
	} am_impl;
};

struct vm_aref {
	int		 ar_pageoff;
	struct vm_amap	*ar_amap;
};

/* sys/pool.h */
struct pool {
	const char	*pr_wchan;
	size_t		 pr_size;
	long		 pr_nout;
	long		 pr_nget, pr_nput, pr_nfail;
};

extern struct pool uvm_amap_pool, uvm_amap_chunk_pool, uvm_anon_pool;
extern struct pool uvm_small_amap_pool[K_UVM_AMAP_CHUNK];
extern struct { struct vm_amap *lh_first; } amap_list;	/* LIST_HEAD */

struct vm_amap	*amap_alloc(unsigned long, int, int);
int		 amap_add(struct vm_aref *, unsigned long, struct vm_anon *,
		    int);
void		 amap_unadd(struct vm_aref *, unsigned long);
struct vm_anon	*amap_lookup(struct vm_aref *, unsigned long);
void		 amap_lookups(struct vm_aref *, unsigned long,
		    struct vm_anon **, int);
void		 amap_populate(struct vm_aref *, unsigned long);
void		 amap_ref(struct vm_amap *, unsigned long, unsigned long,
		    int);
void		 amap_unref(struct vm_amap *, unsigned long, unsigned long,
		    int);
void		 amap_splitref(struct vm_aref *, struct vm_aref *,
		    unsigned long);
int		 amap_foreach_anon(struct vm_amap *, void *, void *);
int		 amap_count(void);
struct vm_anon	*uvm_analloc(void);
void		 uvm_anfree(struct vm_anon *);
struct vm_page	*uvm_pagealloc(void *, int64_t, struct vm_anon *, int);
void		 uvm_page_unbusy(struct vm_page **, int);
int		 _rw_enter(void *, int, const char *, int);
void		 rw_exit(void *);

#define LOCK(amap)							\
	_rw_enter((amap)->am_lock, K_RW_WRITE, __FILE__, __LINE__)
#define UNLOCK(amap)	rw_exit((amap)->am_lock)

static int
setup(void **state)
{
	struct uvm_sim_config cfg = { .ncpu = 1, .npages = 64,
	    .freetarg = 4, .nswap = 64 };

	uvm_sim_boot(&cfg);
	return 0;
}

static int
teardown(void **state)
{
	uvm_sim_shutdown();
	shims_reset();
	return 0;
}

/* a new anon locked by amap's lock, as the fault handler makes them */
static struct vm_anon *
anon_for(struct vm_amap *amap)
{
	struct vm_anon *anon = uvm_analloc();

	assert_non_null(anon);
	assert_int_equal(anon->an_ref, 1);
	assert_null(anon->an_lock);
	anon->an_lock = amap->am_lock;
	return anon;
}

static void
add(struct vm_aref *ar, int slot, struct vm_anon *anon)
{
	assert_int_equal(amap_add(ar, slot * PG, anon, 0), 0);
}

static long
pools_out(void)
{
	long n = uvm_amap_pool.pr_nout + uvm_amap_chunk_pool.pr_nout +
	    uvm_anon_pool.pr_nout;
	int i;

	for (i = 0; i < K_UVM_AMAP_CHUNK; i++)
		n += uvm_small_amap_pool[i].pr_nout;
	return n;
}

#define FIRST(amap)	((amap)->am_impl.n.amn_first)
#define NEXT(c)		((c)->ac_next)

/* chunks of a 300-slot amap after adds at slots 0, 15, 16, 299 */
static void
test_layout_300(void **state)
{
	struct vm_amap *amap = amap_alloc(300 * PG, K_M_WAITOK, 1);
	struct vm_aref ar;
	struct vm_anon *a0, *a15, *a16, *a299, *got[14];
	struct vm_amap_chunk *c0, *c16, *c288;
	int i;

	assert_non_null(amap);
	assert_int_equal(amap->am_nslot, 300);
	assert_int_equal(amap->am_ref, 1);
	assert_int_equal(amap->am_impl.n.amn_hashshift, 2);
	assert_int_equal(amap->am_impl.n.amn_nbuckets, 5);
	assert_int_equal(amap->am_impl.n.amn_ncused, 0);
	assert_null(FIRST(amap));
	assert_int_equal(amap_count(), 1);

	ar.ar_pageoff = 0;
	ar.ar_amap = amap;
	LOCK(amap);
	a0 = anon_for(amap);
	a15 = anon_for(amap);
	a16 = anon_for(amap);
	a299 = anon_for(amap);
	add(&ar, 0, a0);
	add(&ar, 15, a15);
	add(&ar, 16, a16);
	add(&ar, 299, a299);

	assert_int_equal(amap->am_nused, 4);
	assert_int_equal(amap->am_impl.n.amn_ncused, 3);
	/* list order: bucket 0's chunks (0, then 16), then bucket 4's */
	c0 = FIRST(amap);
	assert_non_null(c0);
	c16 = NEXT(c0);
	assert_non_null(c16);
	c288 = NEXT(c16);
	assert_non_null(c288);
	assert_null(NEXT(c288));
	assert_int_equal(c0->ac_baseslot, 0);
	assert_int_equal(c0->ac_nslot, 16);
	assert_int_equal(c0->ac_usedmap, 0x8001);
	assert_int_equal(c16->ac_baseslot, 16);
	assert_int_equal(c16->ac_nslot, 16);
	assert_int_equal(c16->ac_usedmap, 0x0001);
	assert_int_equal(c288->ac_baseslot, 288);
	assert_int_equal(c288->ac_nslot, 12);
	assert_int_equal(c288->ac_usedmap, 0x0800);
	assert_ptr_equal(c288->ac_anon[11], a299);
	assert_ptr_equal(amap->am_impl.n.amn_buckets[0], c0);
	for (i = 1; i <= 3; i++)
		assert_null(amap->am_impl.n.amn_buckets[i]);
	assert_ptr_equal(amap->am_impl.n.amn_buckets[4], c288);

	/* lookups, including slots whose chunk does not exist */
	assert_ptr_equal(amap_lookup(&ar, 0), a0);
	assert_ptr_equal(amap_lookup(&ar, 15 * PG), a15);
	assert_ptr_equal(amap_lookup(&ar, 16 * PG), a16);
	assert_null(amap_lookup(&ar, 17 * PG));
	assert_null(amap_lookup(&ar, 100 * PG));
	assert_ptr_equal(amap_lookup(&ar, 299 * PG), a299);
	amap_lookups(&ar, 14 * PG, got, 4);
	assert_null(got[0]);
	assert_ptr_equal(got[1], a15);
	assert_ptr_equal(got[2], a16);
	assert_null(got[3]);
	memset(got, 0xa5, sizeof(got));
	amap_lookups(&ar, 286 * PG, got, 14);	/* chunks 272 (none), 288 */
	for (i = 0; i < 13; i++)
		assert_null(got[i]);
	assert_ptr_equal(got[13], a299);
	/* an aref into the middle: slot 290 + 9 = 299 */
	ar.ar_pageoff = 290;
	assert_ptr_equal(amap_lookup(&ar, 9 * PG), a299);
	ar.ar_pageoff = 0;
	assert_int_equal(amap_foreach_anon(amap, NULL, NULL), 4);

	/*
	 * Emptying bucket 0's first chunk must leave the bucket pointing
	 * at its second one (BUGS.md O6).
	 */
	amap_unadd(&ar, 0);
	amap_unadd(&ar, 15 * PG);
	assert_int_equal(amap->am_nused, 2);
	assert_int_equal(amap->am_impl.n.amn_ncused, 2);
	assert_ptr_equal(amap->am_impl.n.amn_buckets[0], c16);
	assert_ptr_equal(FIRST(amap), c16);
	assert_ptr_equal(amap_lookup(&ar, 16 * PG), a16);
	assert_int_equal(amap_foreach_anon(amap, NULL, NULL), 2);
	a0->an_ref = a15->an_ref = 0;
	uvm_anfree(a0);
	uvm_anfree(a15);
	UNLOCK(amap);

	amap_unref(amap, 0, 300, 1);
	assert_int_equal(amap_count(), 0);
	assert_int_equal(pools_out(), 0);
}

/* a lazy chunk whose allocation fails: ENOMEM, amap unchanged */
static void
test_add_enomem(void **state)
{
	struct vm_amap *amap = amap_alloc(300 * PG, K_M_WAITOK, 1);
	struct vm_aref ar = { 0, amap };
	struct vm_anon *a1, *a40;

	LOCK(amap);
	a1 = anon_for(amap);
	a40 = anon_for(amap);
	add(&ar, 1, a1);
	assert_int_equal(amap->am_impl.n.amn_ncused, 1);

	inject_arm_nth(K_INJ_MALLOC, 1);
	assert_int_equal(amap_add(&ar, 40 * PG, a40, 0), K_ENOMEM);
	assert_int_equal(inject_nfired(K_INJ_MALLOC), 1);
	assert_int_equal(amap->am_nused, 1);
	assert_int_equal(amap->am_impl.n.amn_ncused, 1);
	assert_null(amap_lookup(&ar, 40 * PG));
	assert_int_equal(amap_foreach_anon(amap, NULL, NULL), 1);

	/* an existing chunk needs no allocation: armed, but no failure */
	inject_arm_nth(K_INJ_MALLOC, 1);
	assert_int_equal(amap_add(&ar, 2 * PG, a40, 0), 0);
	assert_int_equal(inject_nfired(K_INJ_MALLOC), 0);
	amap_unadd(&ar, 2 * PG);
	/* populated (M_WAITOK) first, the add cannot fail */
	amap_populate(&ar, 40 * PG);
	assert_int_equal(amap->am_impl.n.amn_ncused, 2);
	assert_int_equal(amap_add(&ar, 40 * PG, a40, 0), 0);
	assert_int_equal(inject_nfired(K_INJ_MALLOC), 0);
	inject_disarm_all();
	assert_int_equal(amap->am_nused, 2);
	assert_ptr_equal(amap_lookup(&ar, 40 * PG), a40);
	UNLOCK(amap);

	amap_unref(amap, 0, 300, 1);
	assert_int_equal(pools_out(), 0);
}

/* ppref after amap_splitref and unmapping the right part */
static void
test_ppref_split(void **state)
{
	struct vm_amap *amap = amap_alloc(8 * PG, K_M_WAITOK, 0);
	struct vm_aref left = { 0, amap }, right;
	struct vm_anon *a[8];
	int i;

	/* a small amap: its embedded chunk knows its 8 slots (O6) */
	assert_int_equal(amap->am_impl.s.ams_chunk.ac_nslot, 8);
	assert_int_equal(amap->am_impl.s.ams_chunk.ac_baseslot, 0);
	LOCK(amap);
	for (i = 0; i < 8; i++) {
		a[i] = anon_for(amap);
		add(&left, i, a[i]);
	}
	assert_int_equal(amap->am_impl.s.ams_chunk.ac_usedmap, 0xff);
	UNLOCK(amap);
	assert_null(amap->am_ppref);

	right = left;			/* what entry clipping does */
	amap_splitref(&left, &right, 3 * PG);
	assert_int_equal(amap->am_ref, 2);
	assert_int_equal(right.ar_pageoff, 3);
	/* one run: 8 slots at 1 reference: -(1 + 1), 8 */
	assert_non_null(amap->am_ppref);
	assert_int_equal(amap->am_ppref[0], -2);
	assert_int_equal(amap->am_ppref[1], 8);

	/* unmap the right part: slots 3..7 drop to 0 and are wiped */
	amap_unref(amap, 3, 5, 0);
	assert_int_equal(amap->am_ref, 1);
	assert_int_equal(amap->am_ppref[0], -2);	/* slots 0-2 at 1 */
	assert_int_equal(amap->am_ppref[1], 3);
	assert_int_equal(amap->am_ppref[3], -1);	/* slots 3-7 at 0 */
	assert_int_equal(amap->am_ppref[4], 5);
	assert_int_equal(amap->am_nused, 3);
	assert_int_equal(amap->am_impl.s.ams_chunk.ac_usedmap, 0x07);
	assert_int_equal(uvm_anon_pool.pr_nout, 3);
	LOCK(amap);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(amap_lookup(&left, i * PG), a[i]);
	for (i = 3; i < 8; i++)
		assert_null(amap_lookup(&left, i * PG));
	UNLOCK(amap);

	/* a partial unref of slot 1 alone splits the run in three */
	amap_ref(amap, 1, 1, 0);
	assert_int_equal(amap->am_ref, 2);
	assert_int_equal(amap->am_ppref[0], 2);		/* slot 0 at 1 */
	assert_int_equal(amap->am_ppref[1], 3);		/* slot 1 at 2 */
	assert_int_equal(amap->am_ppref[2], 2);		/* slot 2 at 1 */
	amap_unref(amap, 1, 1, 0);
	/*
	 * Slot 1 back at 1 merges with the run before it (as OpenBSD's
	 * amap_pp_adjref: only backwards): runs (0-1 at 1) and (2 at 1).
	 */
	assert_int_equal(amap->am_ref, 1);
	assert_int_equal(amap->am_ppref[0], -2);
	assert_int_equal(amap->am_ppref[1], 2);
	assert_int_equal(amap->am_ppref[2], 2);
	assert_int_equal(amap->am_nused, 3);

	amap_unref(amap, 0, 3, 0);			/* last reference */
	assert_int_equal(amap_count(), 0);
	assert_int_equal(pools_out(), 0);
}

/* the amaps on amap_list (newest first), at most n */
static int
amaps(struct vm_amap **v, int n)
{
	struct vm_amap *am;
	int i = 0;

	for (am = amap_list.lh_first; am != NULL && i < n;
	    am = am->am_le_next)
		v[i++] = am;
	return i;
}

/*
 * amap_copy, reached the way the kernel reaches it: a private anonymous
 * mapping of 4 written pages is forked (the child's entry references the
 * same amap, NEEDSCOPY), then the child's first access copies the amap:
 * the copy shares the lock object and every anon goes from 1 to 2
 * references; the source drops to one reference.  A write then replaces
 * the child's anon (1B) and the old one goes back to 1.
 */
static void
test_copy_share(void **state)
{
	struct vm_amap *v[4], *src, *dst;
	struct vm_anon *a[4];
	uint64_t addr = 0x100000, val;
	int i;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	assert_int_equal(uvm_sim_mmap(0, &addr, 4, 3, 7, UVM_SIM_MAP_FIXED,
	    1, 0, 0, 0), 0);
	for (i = 0; i < 4; i++) {
		val = 100 + i;
		assert_int_equal(uvm_sim_access(0, addr + i * PG, 1, &val,
		    NULL), 0);
	}
	assert_int_equal(amaps(v, 4), 1);
	src = v[0];
	assert_int_equal(src->am_ref, 1);
	assert_int_equal(src->am_nused, 4);
	assert_int_equal(src->am_impl.s.ams_chunk.ac_nslot, 4);
	assert_int_equal(src->am_impl.s.ams_chunk.ac_usedmap, 0xf);
	for (i = 0; i < 4; i++) {
		a[i] = src->am_impl.s.ams_chunk.ac_anon[i];
		assert_non_null(a[i]);
		assert_int_equal(a[i]->an_ref, 1);
		assert_ptr_equal(a[i]->an_lock, src->am_lock);
	}

	assert_int_equal(uvm_sim_fork(0, 1), 0);
	assert_int_equal(amaps(v, 4), 1);	/* referenced, not copied */
	assert_int_equal(src->am_ref, 2);
	for (i = 0; i < 4; i++)
		assert_int_equal(a[i]->an_ref, 1);

	val = 0;
	assert_int_equal(uvm_sim_access(1, addr + 2 * PG, 0, &val, NULL), 0);
	assert_int_equal(val, 102);
	assert_int_equal(amaps(v, 4), 2);
	dst = v[0];					/* the newest */
	assert_ptr_equal(v[1], src);
	assert_ptr_equal(dst->am_lock, src->am_lock);
	assert_int_equal(dst->am_ref, 1);
	assert_int_equal(src->am_ref, 1);
	assert_int_equal(src->am_flags & K_AMAP_SHARED, 0);
	assert_int_equal(dst->am_nused, 4);
	assert_int_equal(dst->am_impl.s.ams_chunk.ac_usedmap, 0xf);
	for (i = 0; i < 4; i++) {
		assert_ptr_equal(dst->am_impl.s.ams_chunk.ac_anon[i], a[i]);
		assert_int_equal(a[i]->an_ref, 2);
	}

	/* the child writes page 0: a new anon in its amap, a[0] back to 1 */
	val = 7;
	assert_int_equal(uvm_sim_access(1, addr, 1, &val, NULL), 0);
	assert_ptr_not_equal(dst->am_impl.s.ams_chunk.ac_anon[0], a[0]);
	assert_int_equal(dst->am_impl.s.ams_chunk.ac_anon[0]->an_ref, 1);
	assert_ptr_equal(dst->am_impl.s.ams_chunk.ac_anon[0]->an_lock,
	    dst->am_lock);
	assert_int_equal(a[0]->an_ref, 1);
	assert_int_equal(amap_foreach_anon(dst, NULL, NULL), 4);
	assert_int_equal(amap_foreach_anon(src, NULL, NULL), 4);
	val = 0;
	assert_int_equal(uvm_sim_access(0, addr, 0, &val, NULL), 0);
	assert_int_equal(val, 100);

	assert_int_equal(uvm_sim_exit(1), 0);
	assert_int_equal(amaps(v, 4), 1);
	for (i = 0; i < 4; i++)
		assert_int_equal(a[i]->an_ref, 1);
	assert_int_equal(uvm_sim_exit(0), 0);
	assert_int_equal(amap_count(), 0);
	assert_int_equal(pools_out(), 0);
}

/* the last unref frees anons, pages, chunks, ppref, the amap, its lock */
static void
test_wipeout(void **state)
{
	static const int slots[] = { 0, 5, 17, 100, 255, 299 };
	struct uvm_sim_stats st0, st;
	struct vm_amap *amap;
	struct vm_aref ar;
	struct vm_anon *anon;
	struct vm_page *pg;
	long out0 = shims_outstanding();
	int i;

	uvm_sim_stats(&st0);
	amap = amap_alloc(300 * PG, K_M_WAITOK, 1);
	ar.ar_pageoff = 0;
	ar.ar_amap = amap;
	LOCK(amap);
	for (i = 0; i < 6; i++) {
		anon = anon_for(amap);
		add(&ar, slots[i], anon);
		if (i % 2 == 0) {
			pg = uvm_pagealloc(NULL, 0, anon, K_UVM_PGA_ZERO);
			assert_non_null(pg);
			assert_ptr_equal(anon->an_page, pg);
			uvm_page_unbusy(&pg, 1);
		}
	}
	UNLOCK(amap);
	assert_int_equal(amap->am_nused, 6);
	/* chunks 0, 16, 96, 240, 288 */
	assert_int_equal(amap->am_impl.n.amn_ncused, 5);
	assert_int_equal(uvm_amap_chunk_pool.pr_nout, 5);
	assert_int_equal(uvm_anon_pool.pr_nout, 6);
	uvm_sim_stats(&st);
	assert_int_equal(st.free, st0.free - 3);
	assert_int_equal(st.anonpages, 3);

	/* a partial reference establishes ppref too */
	amap_ref(amap, 10, 20, 0);
	assert_non_null(amap->am_ppref);
	amap_unref(amap, 10, 20, 0);
	assert_int_equal(amap->am_nused, 6);
	amap_unref(amap, 0, 300, 1);

	assert_int_equal(amap_count(), 0);
	assert_int_equal(pools_out(), 0);
	assert_int_equal(shims_outstanding(), out0);
	uvm_sim_stats(&st);
	assert_int_equal(st.free, st0.free);
	assert_int_equal(st.anonpages, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_layout_300, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_add_enomem, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_ppref_split, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copy_share, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wipeout, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
