/*
 * test_fault.c: the fault handler (uvm/uvm_fault.c) through the public
 * API only (uvm/uvm_sim.h, shims/sim.h): the fault-ahead range of each
 * advice at the start, middle and end of an entry, cases 0/1A/1B/2A/2B,
 * fork + COW, NEEDSCOPY on a private object mapping, swap in, swap read
 * errors, pmap_enter and page allocation failures, mlock/munlock, wired
 * sharers of a shared amap following a promotion.
 *
 * Every expected value is worked out by hand in the comment above its
 * test, from UVM.md "The fault path" and the counters uvm_fault.c bumps
 * (OpenBSD's names: faults, flt_anon (1A), flt_acow (1B), flt_obj (2A),
 * flt_prcopy / flt_przero (2B), flt_namap / flt_nomap (neighbours
 * mapped), ...).  Counters are compared as deltas around one operation.
 * Each test boots a fresh model (1 CPU, 512 pages) and shuts it down,
 * which panics, and so fails the test, if anything leaked.  Kernel
 * constants (errno values, injection points) come from tests/kprobe.h.
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

#define PG		((uint64_t)UVM_SIM_PAGE_SIZE)
#define R		1
#define W		2
#define RW		(R | W)
#define RWX		7
#define INH_COPY	1
#define NORMAL		0
#define RANDOM		1
#define SEQUENTIAL	2
#define BASE		((uint64_t)0x100000)

static struct uvm_sim_stats s0, s1;

/* the change of counter f since snap() */
#define D(f)		((int64_t)(s1.f - s0.f))

static void
snap(void)
{
	uvm_sim_stats(&s0);
}

static void
delta(void)
{
	uvm_sim_stats(&s1);
}

static void
panic_hook(const char *msg)
{
	fail_msg("panic: %s", msg);
}

static int
setup(void **state)
{
	struct uvm_sim_config cfg = {
		.ncpu = 1, .npages = 512, .freetarg = 16, .nswap = 512
	};

	shims_set_panic_hook(panic_hook);
	uvm_sim_boot(&cfg);
	return 0;
}

static int
teardown(void **state)
{
	inject_disarm_all();
	uvm_sim_check();
	uvm_sim_shutdown();
	return 0;
}

/* npages of private anonymous rw memory at addr (fixed), advice adv */
static void
map_anon(int p, uint64_t addr, uint64_t npages, int adv)
{
	uint64_t a = addr;

	assert_int_equal(uvm_sim_mmap(p, &a, npages, RW, RWX,
	    UVM_SIM_MAP_FIXED, INH_COPY, adv, 0, 0), 0);
	assert_true(a == addr);
}

/* npages of object obj from page objoff at addr; shared or private */
static void
map_obj(int p, uint64_t addr, uint64_t npages, int shared, int adv, int obj,
    uint64_t objoff)
{
	uint64_t a = addr;

	assert_int_equal(uvm_sim_mmap(p, &a, npages, RW, RWX,
	    UVM_SIM_MAP_FIXED | UVM_SIM_MAP_OBJECT |
	    (shared ? UVM_SIM_MAP_SHARED : 0), INH_COPY, adv, obj, objoff), 0);
	assert_true(a == addr);
}

static uint64_t
rd(int p, uint64_t addr)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(uvm_sim_access(p, addr, 0, &v, NULL), 0);
	return v;
}

static void
wr(int p, uint64_t addr, uint64_t v)
{
	assert_int_equal(uvm_sim_access(p, addr, 1, &v, NULL), 0);
}

static int
rd_err(int p, uint64_t addr)
{
	uint64_t v = 0;

	return uvm_sim_access(p, addr, 0, &v, NULL);
}

/* faults taken by one read of addr by p */
static int64_t
faults_of_read(int p, uint64_t addr)
{
	snap();
	(void)rd(p, addr);
	delta();
	return D(faults);
}

/*
 * Fault-ahead of anonymous memory.  p0 maps 32 pages, writes 1000 + i to
 * page i (every page gets a resident, active anon), sets the advice,
 * forks p1.  p1's first read,
 * at page c, takes one fault: NEEDSCOPY with no object -> amap_copy
 * (flt_amcopy 1) -> restart, then the range is computed (the restart
 * before the range is still wide), the neighbours' anons (resident, not
 * mapped in p1's empty pmap) are entered (flt_namap), the centre is 1A
 * (flt_anon 1).  nback = min(advice back, c), nforw = min(advice forw,
 * 31 - c); MADV_SEQUENTIAL deactivates its back pages (inactive + nback)
 * and does not map them:
 *
 *	advice      c=0       c=16      c=31
 *	NORMAL      0+4 = 4   3+4 = 7   3+0 = 3
 *	RANDOM      0         0         0
 *	SEQUENTIAL  (0)+7=7   (8)+7=7   (8)+0=0
 *
 * Then re-reading a mapped neighbour takes no fault, and the first page
 * outside the mapped range takes one.
 */
struct range_case {
	int	adv, c, nback, nforw, seqback;
};

static void
check_anon_range(const struct range_case *rc)
{
	uint64_t i, v;
	int64_t want_namap;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	map_anon(0, BASE, 32, NORMAL);
	for (i = 0; i < 32; i++)
		wr(0, BASE + i * PG, 1000 + i);
	/* only now: written sequentially it would deactivate as it goes */
	assert_int_equal(uvm_sim_madvise(0, BASE, 32, rc->adv), 0);
	assert_int_equal(uvm_sim_fork(0, 1), 0);

	snap();
	v = rd(1, BASE + rc->c * PG);
	delta();
	assert_true(v == 1000 + (uint64_t)rc->c);
	want_namap = rc->seqback ? rc->nforw : rc->nback + rc->nforw;
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_amcopy), 1);
	assert_int_equal(D(flt_anon), 1);
	assert_int_equal(D(flt_namap), want_namap);
	assert_int_equal(D(flt_acow), 0);
	assert_int_equal(D(inactive), rc->seqback ? rc->nback : 0);

	/* mapped neighbours: no fault, right values */
	for (i = 1; i <= (uint64_t)rc->nforw; i++)
		assert_int_equal(faults_of_read(1, BASE + (rc->c + i) * PG), 0);
	if (!rc->seqback)
		for (i = 1; i <= (uint64_t)rc->nback; i++)
			assert_int_equal(faults_of_read(1,
			    BASE + (rc->c - i) * PG), 0);
	/* just outside: a fault */
	if (rc->c + rc->nforw + 1 < 32)
		assert_int_equal(faults_of_read(1,
		    BASE + (rc->c + rc->nforw + 1) * PG), 1);
	if (rc->seqback && rc->nback > 0) {
		/* dropped back pages are not mapped in p1, nor in p0 */
		assert_int_equal(faults_of_read(1, BASE + (rc->c - 1) * PG), 1);
		assert_int_equal(faults_of_read(0,
		    BASE + (rc->c - rc->nback) * PG), 1);
	} else if (!rc->seqback && rc->c - rc->nback - 1 >= 0)
		assert_int_equal(faults_of_read(1,
		    BASE + (rc->c - rc->nback - 1) * PG), 1);
	for (i = 0; i < 32; i++)
		assert_true(rd(1, BASE + i * PG) == 1000 + i);
	uvm_sim_check();
	assert_int_equal(uvm_sim_exit(1), 0);
	assert_int_equal(uvm_sim_exit(0), 0);
}

static void
test_range_anon(void **state)
{
	static const struct range_case rcs[] = {
		{ NORMAL, 0, 0, 4, 0 }, { NORMAL, 16, 3, 4, 0 },
		{ NORMAL, 31, 3, 0, 0 },
		{ RANDOM, 0, 0, 0, 0 }, { RANDOM, 16, 0, 0, 0 },
		{ RANDOM, 31, 0, 0, 0 },
		{ SEQUENTIAL, 0, 0, 7, 1 }, { SEQUENTIAL, 16, 8, 7, 1 },
		{ SEQUENTIAL, 31, 8, 0, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(rcs) / sizeof(rcs[0]); i++)
		check_anon_range(&rcs[i]);
}

/*
 * Fault-ahead of object pages.  p0 reads all 32 pages of a shared
 * mapping of object 0 (all resident, active).  p1 (a new process) maps
 * the same pages shared and reads page c: no amap, so the lower layer:
 * pgo_get(PGO_LOCKED) finds every page resident (flt_lget 1), the
 * neighbours are entered (flt_nomap as for anons above), the centre is
 * 2A (flt_obj 1), no I/O (flt_get 0).  MADV_SEQUENTIAL flushes its back
 * pages with PGO_DEACTIVATE (inactive + nback) and does not map them.
 */
static void
check_obj_range(const struct range_case *rc)
{
	uint64_t i;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	assert_int_equal(uvm_sim_proc_new(1), 0);
	map_obj(0, BASE, 32, 1, RANDOM, 0, 0);
	for (i = 0; i < 32; i++)
		assert_true(rd(0, BASE + i * PG) ==
		    uvm_sim_obj_initial(0, i * PG));
	map_obj(1, BASE, 32, 1, rc->adv, 0, 0);

	snap();
	assert_true(rd(1, BASE + rc->c * PG) ==
	    uvm_sim_obj_initial(0, rc->c * PG));
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_lget), 1);
	assert_int_equal(D(flt_get), 0);
	assert_int_equal(D(flt_obj), 1);
	assert_int_equal(D(flt_nomap), rc->seqback ? rc->nforw :
	    rc->nback + rc->nforw);
	assert_int_equal(D(inactive), rc->seqback ? rc->nback : 0);
	for (i = 1; i <= (uint64_t)rc->nforw; i++)
		assert_int_equal(faults_of_read(1, BASE + (rc->c + i) * PG), 0);
	if (rc->c + rc->nforw + 1 < 32)
		assert_int_equal(faults_of_read(1,
		    BASE + (rc->c + rc->nforw + 1) * PG), 1);
	uvm_sim_check();
	assert_int_equal(uvm_sim_exit(1), 0);
	assert_int_equal(uvm_sim_exit(0), 0);
}

static void
test_range_obj(void **state)
{
	static const struct range_case rcs[] = {
		{ NORMAL, 0, 0, 4, 0 }, { NORMAL, 16, 3, 4, 0 },
		{ NORMAL, 31, 3, 0, 0 },
		{ RANDOM, 16, 0, 0, 0 },
		{ SEQUENTIAL, 0, 0, 7, 1 }, { SEQUENTIAL, 16, 8, 7, 1 },
		{ SEQUENTIAL, 31, 8, 0, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(rcs) / sizeof(rcs[0]); i++)
		check_obj_range(&rcs[i]);
}

/*
 * Case 0 and protection.  Every entry the public API can create has an
 * amap or an object by the time it faults (private anonymous memory
 * gets its amap from the first fault's amap_copy, shared anonymous
 * memory at mmap time), so "nothing there" is the no-entry EFAULT: one
 * uvm_fault() call, EFAULT.  A write to a read-only mapping: EACCES from
 * the protection check, nothing mapped, no promotion.
 */
static void
test_case0_and_protection(void **state)
{
	uint64_t a = BASE, v = 1;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	snap();
	assert_int_equal(rd_err(0, BASE), K_EFAULT);
	delta();
	assert_int_equal(D(faults), 1);

	assert_int_equal(uvm_sim_mmap(0, &a, 1, R, RWX, UVM_SIM_MAP_FIXED,
	    INH_COPY, RANDOM, 0, 0), 0);
	snap();
	assert_int_equal(uvm_sim_access(0, BASE, 1, &v, NULL), K_EACCES);
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_przero), 0);
	assert_int_equal(D(flt_amcopy), 0);
	assert_true(rd(0, BASE) == 0);		/* zero-fill, read-only */
	assert_int_equal(uvm_sim_access(0, BASE, 1, &v, NULL), K_EACCES);
}

/*
 * Cases 1A, 1B, 2B (zero-fill), fork + write.  One page, MADV_RANDOM.
 *  p0 W 7:  NEEDSCOPY, no object -> amap_copy (flt_amcopy 1), restart,
 *           no anon: 2B zero-fill (flt_przero 1), one fault.
 *  fork p1; p1 R: amap_copy again (the amap has 2 references), then 1A
 *           (flt_anon 1), mapped read-only: an_ref is 2.  Reads 7.
 *  p1 W 8:  the read-only mapping faults: an_ref 2 -> 1B (flt_acow 1).
 *  p0 R:    p0's mapping is still there (write-protected): no fault, 7.
 *  p0 W 9:  NEEDSCOPY (fork set it) -> amap_copy just clears it (am_ref
 *           1 now), the old anon's an_ref is 1 since p1's 1B: 1A write
 *           (flt_anon 1, flt_acow 0).
 *  Each then sees its own value: p0 9, p1 8.
 */
static void
test_cases_1a_1b_fork(void **state)
{
	assert_int_equal(uvm_sim_proc_new(0), 0);
	map_anon(0, BASE, 1, RANDOM);

	snap();
	wr(0, BASE, 7);
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_amcopy), 1);
	assert_int_equal(D(flt_przero), 1);
	assert_int_equal(D(flt_anon) + D(flt_acow) + D(flt_obj), 0);

	assert_int_equal(uvm_sim_fork(0, 1), 0);
	snap();
	assert_true(rd(1, BASE) == 7);
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_amcopy), 1);
	assert_int_equal(D(flt_anon), 1);

	snap();
	wr(1, BASE, 8);
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_acow), 1);
	assert_int_equal(D(flt_anon), 0);

	assert_int_equal(faults_of_read(0, BASE), 0);
	assert_true(rd(0, BASE) == 7);
	snap();
	wr(0, BASE, 9);
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_anon), 1);
	assert_int_equal(D(flt_acow), 0);

	assert_true(rd(0, BASE) == 9);
	assert_true(rd(1, BASE) == 8);
	uvm_sim_check();
}

/*
 * Case 2A and 2B (copy) on objects, and NEEDSCOPY on a private object
 * mapping (BUGS M2, L1).
 *  shared map of object 0, p0 R page 0: not resident -> pgo_get I/O
 *     (flt_get 1), 2A (flt_obj 1), entered with the entry's rw: the
 *     following write takes no fault and reaches the object.
 *  private map of object 1, p0 R page 0: NEEDSCOPY kept (read of an
 *     object entry), I/O, 2A read-only.  p0 W: faults (read-only),
 *     amap_copy (flt_amcopy 1), the page is resident (flt_get 0), 2B
 *     copy (flt_prcopy 1).  The object keeps its initial word.
 */
static void
test_cases_2a_2b_object(void **state)
{
	uint64_t init0 = uvm_sim_obj_initial(0, 0);
	uint64_t init1 = uvm_sim_obj_initial(1, 0);

	assert_int_equal(uvm_sim_proc_new(0), 0);
	map_obj(0, BASE, 4, 1, RANDOM, 0, 0);
	map_obj(0, BASE + 16 * PG, 4, 0, RANDOM, 1, 0);

	snap();
	assert_true(rd(0, BASE) == init0);
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_get), 1);
	assert_int_equal(D(flt_obj), 1);
	snap();
	wr(0, BASE, 0x1234);
	delta();
	assert_int_equal(D(faults), 0);
	assert_true(uvm_sim_obj_peek(0, 0) == 0x1234);

	snap();
	assert_true(rd(0, BASE + 16 * PG) == init1);
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_get), 1);
	assert_int_equal(D(flt_obj), 1);
	assert_int_equal(D(flt_amcopy), 0);

	snap();
	wr(0, BASE + 16 * PG, 0x5678);
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_amcopy), 1);
	assert_int_equal(D(flt_get), 0);
	assert_int_equal(D(flt_lget), 1);
	assert_int_equal(D(flt_prcopy), 1);
	assert_int_equal(D(flt_obj), 0);
	assert_true(rd(0, BASE + 16 * PG) == 0x5678);
	assert_true(rd(0, BASE + 16 * PG + 8) ==
	    uvm_sim_obj_initial(1, 8));		/* copied */
	assert_true(uvm_sim_obj_peek(1, 0) == init1);	/* untouched */
	uvm_sim_check();
}

/*
 * A write to a private object mapping that was never read: NEEDSCOPY ->
 * amap_copy, restart narrow (object and amap, write), the page is not
 * resident: pgo_get I/O (flt_get 1) after dropping amap and map, relock,
 * the slot is still empty, 2B copy (flt_prcopy 1).  The object is not
 * written (promote comes from the access type: BUGS L1).
 */
static void
test_private_object_write_first(void **state)
{
	uint64_t init = uvm_sim_obj_initial(2, 3 * PG + 16);

	assert_int_equal(uvm_sim_proc_new(0), 0);
	map_obj(0, BASE, 8, 0, NORMAL, 2, 0);
	snap();
	wr(0, BASE + 3 * PG, 77);
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_amcopy), 1);
	assert_int_equal(D(flt_get), 1);
	assert_int_equal(D(flt_prcopy), 1);
	assert_int_equal(D(flt_nomap), 0);	/* narrow */
	assert_true(rd(0, BASE + 3 * PG) == 77);
	assert_true(rd(0, BASE + 3 * PG + 16) == init);
	assert_true(uvm_sim_obj_peek(2, 3 * PG) ==
	    uvm_sim_obj_initial(2, 3 * PG));
}

/* p0: 4 pages of anon memory (RANDOM), page i holds 500 + i; paged out */
static void
four_pages_swapped(void)
{
	uint64_t i;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	map_anon(0, BASE, 4, RANDOM);
	for (i = 0; i < 4; i++)
		wr(0, BASE + i * PG, 500 + i);
	snap();
	assert_int_equal(uvm_sim_pagedaemon(64), 4);
	delta();
	assert_int_equal(D(pdpageouts), 4);
	assert_int_equal(D(swpgonly), 4);
}

/*
 * Swap in.  Each read of a paged-out page: the amap is read-locked (read
 * fault), the anon has no page: ENOLCK -> non-sleeping upgrade (flt_up
 * 1) -> anonget again (flt_anget 2 in all), page allocated, swap read
 * (pageins 1), map relocked (flt_relck 1, flt_relckok 1), slot checked,
 * loop (flt_anretry 1), resident -> 1A (flt_anon 1).  The data is back.
 */
static void
test_swap_in(void **state)
{
	uint64_t i;

	four_pages_swapped();
	snap();
	for (i = 0; i < 4; i++)
		assert_true(rd(0, BASE + i * PG) == 500 + i);
	delta();
	assert_int_equal(D(faults), 4);
	assert_int_equal(D(pageins), 4);
	assert_int_equal(D(flt_up), 4);
	assert_int_equal(D(flt_anget), 8);
	assert_int_equal(D(flt_anretry), 4);
	assert_int_equal(D(flt_relck), 4);
	assert_int_equal(D(flt_relckok), 4);
	assert_int_equal(D(flt_anon), 4);
	uvm_sim_check();
}

/*
 * Swap read error (INJ_SWAP_READ on the next read): EACCES, the slot is
 * marked bad, the page freed.  A second read fails at once (no I/O:
 * pageins 0).  The other pages still come back.
 */
static void
test_swap_read_error(void **state)
{
	uint64_t i;

	four_pages_swapped();
	inject_arm_nth(K_INJ_SWAP_READ, 1);
	snap();
	assert_int_equal(rd_err(0, BASE), K_EACCES);
	delta();
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(pageins), 1);
	assert_int_equal((int)inject_nfired(K_INJ_SWAP_READ), 1);
	uvm_sim_check();

	snap();
	assert_int_equal(rd_err(0, BASE), K_EACCES);
	delta();
	assert_int_equal(D(pageins), 0);
	for (i = 1; i < 4; i++)
		assert_true(rd(0, BASE + i * PG) == 500 + i);
	uvm_sim_check();
}

/*
 * pmap_enter failure (INJ_PMAP_ENTER, the first call from now: the
 * centre's, there are no neighbours with one page): the first write of a
 * fresh page promotes (2B zero-fill, flt_przero 1), pmap_enter fails, the
 * anon stays in the amap, uvm_wait, restart: the centre now has an anon:
 * 1A (flt_anon 1).  One uvm_fault() call, the value is stored.  (uvm_wait
 * may page the new page out meanwhile; 1A then reads it back first.)
 */
static void
test_pmap_enter_failure(void **state)
{
	assert_int_equal(uvm_sim_proc_new(0), 0);
	map_anon(0, BASE, 1, RANDOM);
	inject_arm_nth(K_INJ_PMAP_ENTER, 1);
	snap();
	wr(0, BASE, 31);
	delta();
	assert_int_equal((int)inject_nfired(K_INJ_PMAP_ENTER), 1);
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_przero), 1);
	assert_int_equal(D(flt_anon), 1);
	assert_true(rd(0, BASE) == 31);
	uvm_sim_check();
}

/*
 * Page allocation failure (INJ_PAGEALLOC).
 *  Zero-fill: the first uvm_pagealloc is uvmfault_promote's: flt_noram
 *  1, uvm_wait (nothing to page out), restart, 2B (flt_przero 1 in all).
 *  Swap in: p0 page 0 paged out again, read: ENOLCK, upgrade (flt_up),
 *  anonget's allocation fails: flt_noram 1, restart, then as in
 *  test_swap_in: flt_up 2 in all, pageins 1.
 */
static void
test_pagealloc_failure(void **state)
{
	assert_int_equal(uvm_sim_proc_new(0), 0);
	map_anon(0, BASE, 1, RANDOM);
	inject_arm_nth(K_INJ_PAGEALLOC, 1);
	snap();
	wr(0, BASE, 41);
	delta();
	assert_int_equal((int)inject_nfired(K_INJ_PAGEALLOC), 1);
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_noram), 1);
	assert_int_equal(D(flt_przero), 1);
	assert_true(rd(0, BASE) == 41);

	assert_int_equal(uvm_sim_pagedaemon(64), 1);
	inject_arm_nth(K_INJ_PAGEALLOC, 1);
	snap();
	assert_true(rd(0, BASE) == 41);
	delta();
	assert_int_equal((int)inject_nfired(K_INJ_PAGEALLOC), 1);
	assert_int_equal(D(faults), 1);
	assert_int_equal(D(flt_noram), 1);
	assert_int_equal(D(flt_up), 2);
	assert_int_equal(D(pageins), 1);
	assert_int_equal(D(flt_anon), 1);
	uvm_sim_check();
}

/*
 * mlock wires, munlock unwires.  mlock of 4 fresh pages: pass 1 gives
 * the entry its amap, uvm_fault_wire faults each page with the entry's
 * full protection (rw): 2B zero-fill, page wired (wired + 4), mapped
 * writable: the writes take no fault.  The pagedaemon cannot take wired
 * pages (0 freed).  munlock: wired - 4; now all 4 can be paged out and
 * read back.
 */
static void
test_mlock_munlock(void **state)
{
	uint64_t i;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	map_anon(0, BASE, 4, NORMAL);
	snap();
	assert_int_equal(uvm_sim_mlock(0, BASE, 4), 0);
	delta();
	assert_int_equal(D(wired), 4);
	assert_int_equal(D(faults), 4);
	assert_int_equal(D(flt_przero), 4);
	assert_int_equal(D(flt_namap) + D(flt_nomap), 0);
	uvm_sim_check();

	snap();
	for (i = 0; i < 4; i++)
		wr(0, BASE + i * PG, 600 + i);
	delta();
	assert_int_equal(D(faults), 0);
	assert_int_equal(uvm_sim_pagedaemon(64), 0);

	snap();
	assert_int_equal(uvm_sim_munlock(0, BASE, 4), 0);
	delta();
	assert_int_equal(D(wired), -4);
	uvm_sim_check();
	assert_int_equal(uvm_sim_pagedaemon(64), 4);
	for (i = 0; i < 4; i++)
		assert_true(rd(0, BASE + i * PG) == 600 + i);
	uvm_sim_check();
}

/*
 * A 1B promotion in a shared amap moves the wired mapping of another
 * sharer to the new page, wiring included (uvmfault_sharers_rewire).
 * p0 and p1 share the amap of 4 pages (inherit share); p2 (inherit copy
 * after minherit) holds the same 4 anons through its own amap.  p1 and
 * p2 wire the range read-only: 4 pages, each wired twice, so wired = 4.
 * p0 writes page 0: an_ref 2, so 1B; the shared amap's slot 0 gets a
 * new page.  p1 reaches it through the shared amap and must read 77 and
 * keep it wired; p2 keeps the old page (value 10), wired: the old page
 * loses one wiring (2 -> 1), the new page gains one (0 -> 1), so wired
 * grows by exactly 1 and no fault is needed for p1's read.  munlock p1:
 * the new page's only wiring goes (-1); pages 1-3 stay wired by p2 (2 ->
 * 1): wired -1 in all.  munlock p2: the 4 old pages go: -4.
 */
static void
test_wired_sharer_promotion(void **state)
{
	uint64_t a = BASE;
	int i;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	assert_int_equal(uvm_sim_mmap(0, &a, 4, RW, RWX, UVM_SIM_MAP_FIXED,
	    0 /* share */, NORMAL, 0, 0), 0);
	for (i = 0; i < 4; i++)
		wr(0, BASE + i * PG, 10 + i);
	assert_int_equal(uvm_sim_fork(0, 1), 0);
	assert_int_equal(uvm_sim_minherit(0, BASE, 4, INH_COPY), 0);
	assert_int_equal(uvm_sim_fork(0, 2), 0);
	assert_int_equal(uvm_sim_mprotect(1, BASE, 4, R), 0);
	assert_int_equal(uvm_sim_mprotect(2, BASE, 4, R), 0);
	snap();
	assert_int_equal(uvm_sim_mlock(1, BASE, 4), 0);
	assert_int_equal(uvm_sim_mlock(2, BASE, 4), 0);
	delta();
	assert_int_equal(D(wired), 4);

	snap();
	wr(0, BASE, 77);
	delta();
	assert_int_equal(D(flt_acow), 1);
	assert_int_equal(D(wired), 1);
	uvm_sim_check();
	snap();
	assert_true(rd(1, BASE) == 77);
	assert_true(rd(2, BASE) == 10);
	delta();
	assert_int_equal(D(faults), 0);

	snap();
	assert_int_equal(uvm_sim_munlock(1, BASE, 4), 0);
	delta();
	assert_int_equal(D(wired), -1);
	uvm_sim_check();
	snap();
	assert_int_equal(uvm_sim_munlock(2, BASE, 4), 0);
	delta();
	assert_int_equal(D(wired), -4);
	assert_true(rd(1, BASE) == 77);
	assert_true(rd(2, BASE) == 10);
	for (i = 1; i < 4; i++)
		assert_true(rd(1, BASE + i * PG) == 10 + i);
	uvm_sim_check();
	for (i = 2; i >= 0; i--)
		assert_int_equal(uvm_sim_exit(i), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_range_anon,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_range_obj,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_case0_and_protection,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cases_1a_1b_fork,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_cases_2a_2b_object,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_object_write_first,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_in,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pmap_enter_failure,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pagealloc_failure,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_mlock_munlock,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_read_error,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_wired_sharer_promotion,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
