/*
 * test_madvise.c: madvise(2) MADV_WILLNEED, MADV_DONTNEED and MADV_FREE
 * through uvm_sim_madvise (uvm/uvm_sim.c) and uvm_map_clean
 * (uvm/uvm_map_clean.c), which models OpenBSD's sys_madvise() and
 * uvm_map_clean():
 *   - WILLNEED does nothing (0 after the argument checks);
 *   - DONTNEED deactivates (removing every mapping), contents kept;
 *   - FREE: EFAULT on a hole (nothing done); per anon page of an amap
 *     with one reference: skipped when swapped out or wired, else the
 *     slot is emptied (amap_unadd) and the anon loses a reference, the
 *     last one freeing it with its page and swap slot; an amap with more
 *     references only has its pages deactivated; a writable shared
 *     object mapping has its object pages freed, dirty ones without
 *     being written back (uvn_flush without PGO_CLEANIT);
 *   - SPACEAVAIL and unknown advice: EINVAL.
 *
 * Expected values are worked out by hand in the comment above each test
 * from those rules and the fault handler's (a read fault on anonymous
 * memory without an anon zero-fills one; on a private object mapping it
 * maps the object page; fork with MAP_INHERIT_COPY shares the amap,
 * NEEDSCOPY on both sides, until a write fault copies it).  Each test
 * boots a fresh model and shuts it down, which panics (fails the test)
 * if anything leaked.
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
#include "tests/simfix.h"

#define PG		((uint64_t)UVM_SIM_PAGE_SIZE)
#define RW		3
#define RWX		7
#define INH_COPY	1
#define ADV_NORMAL	0
#define WILLNEED	3
#define DONTNEED	4
#define SPACEAVAIL	5
#define FREE		6
#define BASE		((uint64_t)0x100000)

static struct uvm_sim_stats st;

static void
boot(void)
{
	simfix_boot(1, 64, 4, 64);
}

static void
stats(void)
{
	uvm_sim_stats(&st);
}

static uint64_t
rd(int p, uint64_t addr)
{
	uint64_t v = 0xdead;

	assert_int_equal(uvm_sim_access(p, addr, 0, &v, NULL), 0);
	return v;
}

static void
wr(int p, uint64_t addr, uint64_t v)
{
	assert_int_equal(uvm_sim_access(p, addr, 1, &v, NULL), 0);
}

/* the only amap of the model */
static struct kp_amap
the_amap(void)
{
	struct vm_amap *v[4];

	assert_int_equal(kp_amap_list(v, 4), 1);
	return kp_amap_get(v[0]);
}

/*
 * WILLNEED and DONTNEED never change contents.  4 pages written: 4
 * anons, 4 active pages.  WILLNEED: nothing.  DONTNEED of all 4: every
 * page inactive (active 0, inactive 4), the amap untouched (nused 4).
 * The reads fault the mappings back: 500..503.
 */
static void
test_willneed_dontneed(void **state)
{
	struct kp_amap a;
	int i;

	boot();
	simfix_map_written(0, BASE, 4, ADV_NORMAL);
	stats();
	assert_int_equal(st.active, 4);
	assert_int_equal(st.inactive, 0);
	assert_int_equal(uvm_sim_madvise(0, BASE, 4, WILLNEED), 0);
	stats();
	assert_int_equal(st.active, 4);
	assert_int_equal(uvm_sim_madvise(0, BASE, 4, DONTNEED), 0);
	stats();
	assert_int_equal(st.active, 0);
	assert_int_equal(st.inactive, 4);
	a = the_amap();
	assert_int_equal(a.nused, 4);
	assert_int_equal(kp_pool_nout("anonpl"), 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(rd(0, BASE + i * PG), 500 + i);
}

/*
 * FREE of pages 1 and 2 of 4 resident private anon pages (amap ref 1):
 * amap_unadd empties both slots (nused 4 -> 2), their anons are freed
 * (anon pool 4 -> 2, anonpages 2).  Pages 0 and 3 read 500 and 503;
 * page 1 reads 0 (a new zero-filled anon: nused 3), page 2 takes a
 * store of 9 at word 1 on a new zero page: word 0 reads 0.
 */
static void
test_free_private_anon(void **state)
{
	struct kp_amap a;

	boot();
	simfix_map_written(0, BASE, 4, ADV_NORMAL);
	assert_int_equal(uvm_sim_madvise(0, BASE + PG, 2, FREE), 0);
	a = the_amap();
	assert_int_equal(a.ref, 1);
	assert_int_equal(a.nused, 2);
	assert_int_equal(kp_pool_nout("anonpl"), 2);
	stats();
	assert_int_equal(st.anonpages, 2);
	assert_int_equal(rd(0, BASE), 500);
	assert_int_equal(rd(0, BASE + 3 * PG), 503);
	assert_int_equal(rd(0, BASE + PG), 0);
	assert_int_equal(the_amap().nused, 3);
	wr(0, BASE + 2 * PG + 8, 9);
	assert_int_equal(rd(0, BASE + 2 * PG), 0);
	assert_int_equal(rd(0, BASE + 2 * PG + 8), 9);
	assert_int_equal(the_amap().nused, 4);
}

/*
 * The argument and hole checks.  Mapped: [BASE, BASE + 4 pages).
 * DONTNEED and FREE of [BASE + 2 pages, + 4 pages) reach 2 unmapped
 * pages: EFAULT, and nothing is freed (nused stays 4).  WILLNEED there:
 * 0 (sys_madvise returns at once).  SPACEAVAIL, 7, -1: EINVAL; npages
 * 0, an unaligned address: EINVAL; a process that does not exist:
 * ESRCH.
 */
static void
test_errors(void **state)
{
	boot();
	simfix_map_written(0, BASE, 4, ADV_NORMAL);
	assert_int_equal(uvm_sim_madvise(0, BASE + 2 * PG, 4, DONTNEED),
	    K_EFAULT);
	assert_int_equal(uvm_sim_madvise(0, BASE + 2 * PG, 4, FREE),
	    K_EFAULT);
	assert_int_equal(uvm_sim_madvise(0, BASE - PG, 2, FREE), K_EFAULT);
	assert_int_equal(the_amap().nused, 4);
	assert_int_equal(uvm_sim_madvise(0, BASE + 2 * PG, 4, WILLNEED), 0);
	assert_int_equal(uvm_sim_madvise(0, BASE, 4, SPACEAVAIL), K_EINVAL);
	assert_int_equal(uvm_sim_madvise(0, BASE, 4, 7), K_EINVAL);
	assert_int_equal(uvm_sim_madvise(0, BASE, 4, -1), K_EINVAL);
	assert_int_equal(uvm_sim_madvise(0, BASE, 0, FREE), K_EINVAL);
	assert_int_equal(uvm_sim_madvise(0, BASE + 8, 1, FREE), K_EINVAL);
	assert_int_equal(uvm_sim_madvise(3, BASE, 1, FREE), K_ESRCH);
	assert_int_equal(rd(0, BASE + 3 * PG), 503);
}

/*
 * FREE after fork.  p0 writes pages 0 and 1 (500, 501), forks p1 (COPY:
 * one amap, ref 2, NEEDSCOPY on both sides).  FREE in p0 of both
 * pages: amap_refs 2, only deactivated: nused 2, 2 anons.  p0 reads
 * both (500, 501): a fault on a NEEDSCOPY anonymous entry copies the
 * amap even for a read, so p0 gets a new amap holding both anons
 * (an_ref 2 each), p1 keeps the old one (ref 1).  p1 writes page 0
 * (=900): copy-on-write, p1's page 0 is a new anon; the old one is
 * p0's only (an_ref 1): 3 anons.  FREE in p0 of both pages: page 0's
 * anon is freed, page 1's slot emptied with an_ref 2 -> 1, kept by p1:
 * 2 anons, p0's amap empty, p1's holds 2.  p1 reads 900 and 501.  p0
 * reads 0 on both (every mapping of a freed page is removed first: the
 * model's deviation, see uvm/uvm_map_clean.c; OpenBSD would leave p0's
 * read-only mapping of page 1 and return 501).  p1's store of 1234 to
 * page 1 (an_ref 1 now: written in place) is not seen by p0 (0), and
 * p0's store of 7 to page 1 word 1 is not seen by p1.
 */
static void
test_free_after_fork(void **state)
{
	struct vm_amap *v[4];
	struct kp_amap a0, a1;

	boot();
	simfix_map_written(0, BASE, 2, ADV_NORMAL);
	assert_int_equal(uvm_sim_fork(0, 1), 0);
	assert_int_equal(uvm_sim_madvise(0, BASE, 2, FREE), 0);
	a0 = the_amap();
	assert_int_equal(a0.ref, 2);
	assert_int_equal(a0.nused, 2);
	assert_int_equal(kp_pool_nout("anonpl"), 2);
	assert_int_equal(rd(0, BASE), 500);
	assert_int_equal(rd(0, BASE + PG), 501);
	assert_int_equal(kp_amap_list(v, 4), 2);

	wr(1, BASE, 900);
	assert_int_equal(kp_pool_nout("anonpl"), 3);
	assert_int_equal(uvm_sim_madvise(0, BASE, 2, FREE), 0);
	assert_int_equal(kp_pool_nout("anonpl"), 2);
	assert_int_equal(kp_amap_list(v, 4), 2);
	a0 = kp_amap_get(v[0]);
	a1 = kp_amap_get(v[1]);
	assert_int_equal(a0.ref, 1);
	assert_int_equal(a1.ref, 1);
	/* one of them is p0's, now empty; p1's holds both pages */
	assert_int_equal(a0.nused + a1.nused, 2);
	assert_true(a0.nused == 0 || a1.nused == 0);
	assert_int_equal(rd(1, BASE), 900);
	assert_int_equal(rd(1, BASE + PG), 501);
	assert_int_equal(rd(0, BASE), 0);
	assert_int_equal(rd(0, BASE + PG), 0);
	wr(1, BASE + PG, 1234);
	assert_int_equal(rd(0, BASE + PG), 0);
	wr(0, BASE + PG + 8, 7);
	assert_int_equal(rd(0, BASE + PG + 8), 7);
	assert_int_equal(rd(1, BASE + PG), 1234);
	assert_int_equal(rd(1, BASE + PG + 8), 0);
}

/*
 * FREE of a wired range: mlock wires the 3 pages; FREE skips wired
 * pages (nused 3, wired 3), contents kept.  After munlock the same FREE
 * frees all 3 (nused 0, anon pool 0).
 */
static void
test_free_wired(void **state)
{
	int i;

	boot();
	simfix_map_written(0, BASE, 3, ADV_NORMAL);
	assert_int_equal(uvm_sim_mlock(0, BASE, 3), 0);
	stats();
	assert_int_equal(st.wired, 3);
	assert_int_equal(uvm_sim_madvise(0, BASE, 3, FREE), 0);
	assert_int_equal(the_amap().nused, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(rd(0, BASE + i * PG), 500 + i);
	assert_int_equal(uvm_sim_munlock(0, BASE, 3), 0);
	assert_int_equal(uvm_sim_madvise(0, BASE, 3, FREE), 0);
	assert_int_equal(the_amap().nused, 0);
	assert_int_equal(kp_pool_nout("anonpl"), 0);
}

/*
 * FREE of swapped-out pages: DONTNEED makes the 4 pages inactive, the
 * pagedaemon writes all 4 out (swpgonly 4: only in swap).  FREE skips
 * anons without a page: nused 4, swpgonly 4.  Reading pages 0 and 1
 * pages them in (500, 501; each keeps its slot: swpginuse 4, swpgonly
 * 2).  FREE again: pages 0 and 1 are resident and freed with their
 * slots (swpginuse 2), pages 2 and 3 still skipped (nused 2); they read
 * 502 and 503.
 */
static void
test_free_swapped(void **state)
{
	boot();
	simfix_map_written(0, BASE, 4, ADV_NORMAL);
	assert_int_equal(uvm_sim_madvise(0, BASE, 4, DONTNEED), 0);
	assert_int_equal(uvm_sim_pagedaemon(4), 4);
	stats();
	assert_int_equal(st.swpgonly, 4);
	assert_int_equal(uvm_sim_madvise(0, BASE, 4, FREE), 0);
	assert_int_equal(the_amap().nused, 4);
	stats();
	assert_int_equal(st.swpgonly, 4);
	assert_int_equal(rd(0, BASE), 500);
	assert_int_equal(rd(0, BASE + PG), 501);
	stats();
	assert_int_equal(st.swpginuse, 4);
	assert_int_equal(st.swpgonly, 2);
	assert_int_equal(uvm_sim_madvise(0, BASE, 4, FREE), 0);
	assert_int_equal(the_amap().nused, 2);
	stats();
	assert_int_equal(st.swpginuse, 2);
	assert_int_equal(st.swpgonly, 2);
	assert_int_equal(rd(0, BASE), 0);
	assert_int_equal(rd(0, BASE + 2 * PG), 502);
	assert_int_equal(rd(0, BASE + 3 * PG), 503);
}

/*
 * FREE of a private object mapping (object 0, pages 0..1 at BASE): the
 * store of 5 to page 0 promotes it into an anon; FREE frees that anon
 * (nused 0) and, the entry being copy-on-write, does not flush the
 * object: page 0 reads the object's initial word again.
 */
static void
test_free_private_object(void **state)
{
	uint64_t a = BASE;

	boot();
	assert_int_equal(uvm_sim_mmap(0, &a, 2, RW, RWX,
	    UVM_SIM_MAP_FIXED | UVM_SIM_MAP_OBJECT, INH_COPY, ADV_NORMAL, 0,
	    0), 0);
	wr(0, BASE + 16, 5);
	assert_int_equal(rd(0, BASE + 16), 5);
	assert_int_equal(uvm_sim_madvise(0, BASE, 2, FREE), 0);
	assert_int_equal(the_amap().nused, 0);
	assert_int_equal(rd(0, BASE + 16), uvm_sim_obj_initial(0, 16));
	assert_int_equal(rd(0, BASE + PG), uvm_sim_obj_initial(0, PG));
}

/*
 * FREE of a shared writable object mapping (object 1, 2 pages): the
 * store of 9 dirties object page 0 (never written back: the pagedaemon
 * did not run); FREE flushes the object with PGO_FREE and no
 * PGO_CLEANIT: the dirty page is freed, its change lost, as OpenBSD's
 * uvn_flush.  The word reads the object's initial data again, and
 * uvm_sim_obj_peek agrees.  DONTNEED before that kept the 9.
 */
static void
test_free_shared_object(void **state)
{
	uint64_t a = BASE;

	boot();
	assert_int_equal(uvm_sim_mmap(0, &a, 2, RW, RWX,
	    UVM_SIM_MAP_FIXED | UVM_SIM_MAP_OBJECT | UVM_SIM_MAP_SHARED,
	    INH_COPY, ADV_NORMAL, 1, 0), 0);
	wr(0, BASE + 24, 9);
	assert_int_equal(uvm_sim_madvise(0, BASE, 2, DONTNEED), 0);
	assert_int_equal(rd(0, BASE + 24), 9);
	assert_int_equal(uvm_sim_madvise(0, BASE, 2, FREE), 0);
	assert_int_equal(uvm_sim_obj_peek(1, 24), uvm_sim_obj_initial(1, 24));
	assert_int_equal(rd(0, BASE + 24), uvm_sim_obj_initial(1, 24));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_willneed_dontneed, simfix_teardown),
		cmocka_unit_test_teardown(test_free_private_anon, simfix_teardown),
		cmocka_unit_test_teardown(test_errors, simfix_teardown),
		cmocka_unit_test_teardown(test_free_after_fork, simfix_teardown),
		cmocka_unit_test_teardown(test_free_wired, simfix_teardown),
		cmocka_unit_test_teardown(test_free_swapped, simfix_teardown),
		cmocka_unit_test_teardown(test_free_private_object,
		    simfix_teardown),
		cmocka_unit_test_teardown(test_free_shared_object, simfix_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
