/*
 * test_amap.c: the chunked amap (uvm/uvm_amap.c) with exact, hand-computed
 * expectations: chunk layout and bucket hash of a 300-slot amap, lookups,
 * a failing lazy chunk allocation (INJ_MALLOC), per-page reference counts
 * after amap_splitref and a partial amap_unref, amap_copy (through fork
 * and a fault) sharing the lock and taking anon references, and
 * amap_wipeout freeing everything.
 *
 * Host code (cmocka) linked with libuvm.a and tests/kprobe.o.  The
 * kernel headers cannot be included next to libc's, so the amap, chunk
 * and anon fields, the pools and amap_list are read through
 * tests/kprobe.h (kp_amap_get, kp_chunk_get, kp_anon_get, kp_pool_nout,
 * kp_amap_list), whose kernel side includes the real headers: a layout
 * change is a compile error there, not wrong numbers here.
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
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "uvm/uvm_sim.h"
#include "shims/sim.h"
#include "tests/kprobe.h"

#define PG		((unsigned long)UVM_SIM_PAGE_SIZE)

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

/* the embedded chunk of a small amap */
static struct kp_chunk
small(struct vm_amap *amap)
{
	struct kp_amap ka = kp_amap_get(amap);

	assert_true(ka.nslot <= K_UVM_AMAP_CHUNK);
	return kp_chunk_get(ka.chunks);
}

/* am_ppref[i] of an amap whose ppref is established */
static int
ppref(struct vm_amap *amap, int i)
{
	const int *pp = kp_amap_get(amap).ppref;

	assert_non_null(pp);
	return pp[i];
}

/* a new anon locked by amap's lock, as the fault handler makes them */
static struct vm_anon *
anon_for(struct vm_amap *amap)
{
	struct vm_anon *anon = uvm_analloc();

	assert_non_null(anon);
	assert_int_equal(kp_anon_get(anon).ref, 1);
	assert_null(kp_anon_get(anon).lock);
	kp_anon_set_lock(anon, kp_amap_get(amap).lock);
	return anon;
}

static void
add(struct kp_aref *ar, int slot, struct vm_anon *anon)
{
	assert_int_equal(kp_amap_add(ar, slot * PG, anon, 0), 0);
}

/* items out of the pool named wchan, which must exist */
static long
nout(const char *wchan)
{
	long n = kp_pool_nout(wchan);

	if (n < 0)
		fail_msg("no pool \"%s\"", wchan);
	return n;
}

static long
pools_out(void)
{
	char name[16];
	long n = nout("amappl") + nout("amapchunkpl") + nout("anonpl");
	int i;

	for (i = 1; i <= K_UVM_AMAP_CHUNK; i++) {
		snprintf(name, sizeof(name), "amappl%d", i);
		n += nout(name);
	}
	return n;
}

/* chunks of a 300-slot amap after adds at slots 0, 15, 16, 299 */
static void
test_layout_300(void **state)
{
	struct vm_amap *amap = amap_alloc(300 * PG, K_M_WAITOK, 1);
	struct kp_aref ar;
	struct vm_anon *a0, *a15, *a16, *a299, *got[14];
	struct vm_amap_chunk *c0, *c16, *c288;
	int i;

	assert_non_null(amap);
	assert_int_equal(kp_amap_get(amap).nslot, 300);
	assert_int_equal(kp_amap_get(amap).ref, 1);
	assert_int_equal(kp_amap_get(amap).hashshift, 2);
	assert_int_equal(kp_amap_get(amap).nbuckets, 5);
	assert_int_equal(kp_amap_get(amap).ncused, 0);
	assert_null(kp_amap_get(amap).chunks);
	assert_int_equal(amap_count(), 1);

	ar.pageoff = 0;
	ar.amap = amap;
	kp_amap_lock(amap);
	a0 = anon_for(amap);
	a15 = anon_for(amap);
	a16 = anon_for(amap);
	a299 = anon_for(amap);
	add(&ar, 0, a0);
	add(&ar, 15, a15);
	add(&ar, 16, a16);
	add(&ar, 299, a299);

	assert_int_equal(kp_amap_get(amap).nused, 4);
	assert_int_equal(kp_amap_get(amap).ncused, 3);
	/* list order: bucket 0's chunks (0, then 16), then bucket 4's */
	c0 = kp_amap_get(amap).chunks;
	assert_non_null(c0);
	c16 = kp_chunk_get(c0).next;
	assert_non_null(c16);
	c288 = kp_chunk_get(c16).next;
	assert_non_null(c288);
	assert_null(kp_chunk_get(c288).next);
	assert_int_equal(kp_chunk_get(c0).baseslot, 0);
	assert_int_equal(kp_chunk_get(c0).nslot, 16);
	assert_int_equal(kp_chunk_get(c0).usedmap, 0x8001);
	assert_int_equal(kp_chunk_get(c16).baseslot, 16);
	assert_int_equal(kp_chunk_get(c16).nslot, 16);
	assert_int_equal(kp_chunk_get(c16).usedmap, 0x0001);
	assert_int_equal(kp_chunk_get(c288).baseslot, 288);
	assert_int_equal(kp_chunk_get(c288).nslot, 12);
	assert_int_equal(kp_chunk_get(c288).usedmap, 0x0800);
	assert_ptr_equal(kp_chunk_get(c288).anon[11], a299);
	assert_ptr_equal(kp_amap_get(amap).buckets[0], c0);
	for (i = 1; i <= 3; i++)
		assert_null(kp_amap_get(amap).buckets[i]);
	assert_ptr_equal(kp_amap_get(amap).buckets[4], c288);

	/* lookups, including slots whose chunk does not exist */
	assert_ptr_equal(kp_amap_lookup(&ar, 0), a0);
	assert_ptr_equal(kp_amap_lookup(&ar, 15 * PG), a15);
	assert_ptr_equal(kp_amap_lookup(&ar, 16 * PG), a16);
	assert_null(kp_amap_lookup(&ar, 17 * PG));
	assert_null(kp_amap_lookup(&ar, 100 * PG));
	assert_ptr_equal(kp_amap_lookup(&ar, 299 * PG), a299);
	kp_amap_lookups(&ar, 14 * PG, got, 4);
	assert_null(got[0]);
	assert_ptr_equal(got[1], a15);
	assert_ptr_equal(got[2], a16);
	assert_null(got[3]);
	memset(got, 0xa5, sizeof(got));
	kp_amap_lookups(&ar, 286 * PG, got, 14); /* chunks 272 (none), 288 */
	for (i = 0; i < 13; i++)
		assert_null(got[i]);
	assert_ptr_equal(got[13], a299);
	/* an aref into the middle: slot 290 + 9 = 299 */
	ar.pageoff = 290;
	assert_ptr_equal(kp_amap_lookup(&ar, 9 * PG), a299);
	ar.pageoff = 0;
	assert_int_equal(kp_amap_nanon(amap), 4);

	/*
	 * Emptying bucket 0's first chunk must leave the bucket pointing
	 * at its second one (BUGS.md O6).
	 */
	kp_amap_unadd(&ar, 0);
	kp_amap_unadd(&ar, 15 * PG);
	assert_int_equal(kp_amap_get(amap).nused, 2);
	assert_int_equal(kp_amap_get(amap).ncused, 2);
	assert_ptr_equal(kp_amap_get(amap).buckets[0], c16);
	assert_ptr_equal(kp_amap_get(amap).chunks, c16);
	assert_ptr_equal(kp_amap_lookup(&ar, 16 * PG), a16);
	assert_int_equal(kp_amap_nanon(amap), 2);
	kp_anon_set_ref(a0, 0);
	kp_anon_set_ref(a15, 0);
	uvm_anfree(a0);
	uvm_anfree(a15);
	kp_amap_unlock(amap);

	amap_unref(amap, 0, 300, 1);
	assert_int_equal(amap_count(), 0);
	assert_int_equal(pools_out(), 0);
}

/* a lazy chunk whose allocation fails: ENOMEM, amap unchanged */
static void
test_add_enomem(void **state)
{
	struct vm_amap *amap = amap_alloc(300 * PG, K_M_WAITOK, 1);
	struct kp_aref ar = { 0, amap };
	struct vm_anon *a1, *a40;

	kp_amap_lock(amap);
	a1 = anon_for(amap);
	a40 = anon_for(amap);
	add(&ar, 1, a1);
	assert_int_equal(kp_amap_get(amap).ncused, 1);

	inject_arm_nth(K_INJ_MALLOC, 1);
	assert_int_equal(kp_amap_add(&ar, 40 * PG, a40, 0), K_ENOMEM);
	assert_int_equal(inject_nfired(K_INJ_MALLOC), 1);
	assert_int_equal(kp_amap_get(amap).nused, 1);
	assert_int_equal(kp_amap_get(amap).ncused, 1);
	assert_null(kp_amap_lookup(&ar, 40 * PG));
	assert_int_equal(kp_amap_nanon(amap), 1);

	/* an existing chunk needs no allocation: armed, but no failure */
	inject_arm_nth(K_INJ_MALLOC, 1);
	assert_int_equal(kp_amap_add(&ar, 2 * PG, a40, 0), 0);
	assert_int_equal(inject_nfired(K_INJ_MALLOC), 0);
	kp_amap_unadd(&ar, 2 * PG);
	/* populated (M_WAITOK) first, the add cannot fail */
	kp_amap_populate(&ar, 40 * PG);
	assert_int_equal(kp_amap_get(amap).ncused, 2);
	assert_int_equal(kp_amap_add(&ar, 40 * PG, a40, 0), 0);
	assert_int_equal(inject_nfired(K_INJ_MALLOC), 0);
	inject_disarm_all();
	assert_int_equal(kp_amap_get(amap).nused, 2);
	assert_ptr_equal(kp_amap_lookup(&ar, 40 * PG), a40);
	kp_amap_unlock(amap);

	amap_unref(amap, 0, 300, 1);
	assert_int_equal(pools_out(), 0);
}

/* ppref after amap_splitref and unmapping the right part */
static void
test_ppref_split(void **state)
{
	struct vm_amap *amap = amap_alloc(8 * PG, K_M_WAITOK, 0);
	struct kp_aref left = { 0, amap }, right;
	struct vm_anon *a[8];
	int i;

	/* a small amap: its embedded chunk knows its 8 slots (O6) */
	assert_int_equal(small(amap).nslot, 8);
	assert_int_equal(small(amap).baseslot, 0);
	kp_amap_lock(amap);
	for (i = 0; i < 8; i++) {
		a[i] = anon_for(amap);
		add(&left, i, a[i]);
	}
	assert_int_equal(small(amap).usedmap, 0xff);
	kp_amap_unlock(amap);
	assert_null(kp_amap_get(amap).ppref);

	right = left;			/* what entry clipping does */
	kp_amap_splitref(&left, &right, 3 * PG);
	assert_int_equal(kp_amap_get(amap).ref, 2);
	assert_int_equal(right.pageoff, 3);
	/* one run: 8 slots at 1 reference: -(1 + 1), 8 */
	assert_non_null(kp_amap_get(amap).ppref);
	assert_int_equal(ppref(amap, 0), -2);
	assert_int_equal(ppref(amap, 1), 8);

	/* unmap the right part: slots 3..7 drop to 0 and are wiped */
	amap_unref(amap, 3, 5, 0);
	assert_int_equal(kp_amap_get(amap).ref, 1);
	assert_int_equal(ppref(amap, 0), -2);	/* slots 0-2 at 1 */
	assert_int_equal(ppref(amap, 1), 3);
	assert_int_equal(ppref(amap, 3), -1);	/* slots 3-7 at 0 */
	assert_int_equal(ppref(amap, 4), 5);
	assert_int_equal(kp_amap_get(amap).nused, 3);
	assert_int_equal(small(amap).usedmap, 0x07);
	assert_int_equal(nout("anonpl"), 3);
	kp_amap_lock(amap);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(kp_amap_lookup(&left, i * PG), a[i]);
	for (i = 3; i < 8; i++)
		assert_null(kp_amap_lookup(&left, i * PG));
	kp_amap_unlock(amap);

	/* a partial unref of slot 1 alone splits the run in three */
	amap_ref(amap, 1, 1, 0);
	assert_int_equal(kp_amap_get(amap).ref, 2);
	assert_int_equal(ppref(amap, 0), 2);	/* slot 0 at 1 */
	assert_int_equal(ppref(amap, 1), 3);	/* slot 1 at 2 */
	assert_int_equal(ppref(amap, 2), 2);	/* slot 2 at 1 */
	amap_unref(amap, 1, 1, 0);
	/*
	 * Slot 1 back at 1 merges with the run before it (as OpenBSD's
	 * amap_pp_adjref: only backwards): runs (0-1 at 1) and (2 at 1).
	 */
	assert_int_equal(kp_amap_get(amap).ref, 1);
	assert_int_equal(ppref(amap, 0), -2);
	assert_int_equal(ppref(amap, 1), 2);
	assert_int_equal(ppref(amap, 2), 2);
	assert_int_equal(kp_amap_get(amap).nused, 3);

	amap_unref(amap, 0, 3, 0);			/* last reference */
	assert_int_equal(amap_count(), 0);
	assert_int_equal(pools_out(), 0);
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
	assert_int_equal(kp_amap_list(v, 4), 1);
	src = v[0];
	assert_int_equal(kp_amap_get(src).ref, 1);
	assert_int_equal(kp_amap_get(src).nused, 4);
	assert_int_equal(small(src).nslot, 4);
	assert_int_equal(small(src).usedmap, 0xf);
	for (i = 0; i < 4; i++) {
		a[i] = small(src).anon[i];
		assert_non_null(a[i]);
		assert_int_equal(kp_anon_get(a[i]).ref, 1);
		assert_ptr_equal(kp_anon_get(a[i]).lock, kp_amap_get(src).lock);
	}

	assert_int_equal(uvm_sim_fork(0, 1), 0);
	/* referenced, not copied */
	assert_int_equal(kp_amap_list(v, 4), 1);
	assert_int_equal(kp_amap_get(src).ref, 2);
	for (i = 0; i < 4; i++)
		assert_int_equal(kp_anon_get(a[i]).ref, 1);

	val = 0;
	assert_int_equal(uvm_sim_access(1, addr + 2 * PG, 0, &val, NULL), 0);
	assert_int_equal(val, 102);
	assert_int_equal(kp_amap_list(v, 4), 2);
	dst = v[0];					/* the newest */
	assert_ptr_equal(v[1], src);
	assert_ptr_equal(kp_amap_get(dst).lock, kp_amap_get(src).lock);
	assert_int_equal(kp_amap_get(dst).ref, 1);
	assert_int_equal(kp_amap_get(src).ref, 1);
	assert_int_equal(kp_amap_get(src).flags & K_AMAP_SHARED, 0);
	assert_int_equal(kp_amap_get(dst).nused, 4);
	assert_int_equal(small(dst).usedmap, 0xf);
	for (i = 0; i < 4; i++) {
		assert_ptr_equal(small(dst).anon[i], a[i]);
		assert_int_equal(kp_anon_get(a[i]).ref, 2);
	}

	/* the child writes page 0: a new anon in its amap, a[0] back to 1 */
	val = 7;
	assert_int_equal(uvm_sim_access(1, addr, 1, &val, NULL), 0);
	assert_ptr_not_equal(small(dst).anon[0], a[0]);
	assert_int_equal(kp_anon_get(small(dst).anon[0]).ref, 1);
	assert_ptr_equal(kp_anon_get(small(dst).anon[0]).lock,
	    kp_amap_get(dst).lock);
	assert_int_equal(kp_anon_get(a[0]).ref, 1);
	assert_int_equal(kp_amap_nanon(dst), 4);
	assert_int_equal(kp_amap_nanon(src), 4);
	val = 0;
	assert_int_equal(uvm_sim_access(0, addr, 0, &val, NULL), 0);
	assert_int_equal(val, 100);

	assert_int_equal(uvm_sim_exit(1), 0);
	assert_int_equal(kp_amap_list(v, 4), 1);
	for (i = 0; i < 4; i++)
		assert_int_equal(kp_anon_get(a[i]).ref, 1);
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
	struct kp_aref ar;
	struct vm_anon *anon;
	struct vm_page *pg;
	long out0 = shims_outstanding();
	int i;

	uvm_sim_stats(&st0);
	amap = amap_alloc(300 * PG, K_M_WAITOK, 1);
	ar.pageoff = 0;
	ar.amap = amap;
	kp_amap_lock(amap);
	for (i = 0; i < 6; i++) {
		anon = anon_for(amap);
		add(&ar, slots[i], anon);
		if (i % 2 == 0) {
			pg = uvm_pagealloc(NULL, 0, anon, K_UVM_PGA_ZERO);
			assert_non_null(pg);
			assert_ptr_equal(kp_anon_get(anon).page, pg);
			uvm_page_unbusy(&pg, 1);
		}
	}
	kp_amap_unlock(amap);
	assert_int_equal(kp_amap_get(amap).nused, 6);
	/* chunks 0, 16, 96, 240, 288 */
	assert_int_equal(kp_amap_get(amap).ncused, 5);
	assert_int_equal(nout("amapchunkpl"), 5);
	assert_int_equal(nout("anonpl"), 6);
	uvm_sim_stats(&st);
	assert_int_equal(st.free, st0.free - 3);
	assert_int_equal(st.anonpages, 3);

	/* a partial reference establishes ppref too */
	amap_ref(amap, 10, 20, 0);
	assert_non_null(kp_amap_get(amap).ppref);
	amap_unref(amap, 10, 20, 0);
	assert_int_equal(kp_amap_get(amap).nused, 6);
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
