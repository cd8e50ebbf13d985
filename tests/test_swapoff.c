/*
 * test_swapoff.c: swapctl of the swap device (uvm/uvm_swap.c
 * uvm_swap_off/uvm_swap_on through uvm_sim_swapoff/uvm_sim_swapon):
 * amap_swap_off (uvm/uvm_amap.c) paging every anon in with
 * uvm_anon_pagein (uvm/uvm_anon.c), the device's enable state, a swap
 * read error during swapoff (SWSLOT_BAD, success as OpenBSD's
 * swd_npginuse == swd_npgbad gives), memory too short (ENOMEM, device
 * on again), and swapoff racing the exit of the last reference of an
 * amap it is paging in (AMAP_SWAPOFF: amap_wipeout defers to
 * amap_swap_off) on two fiber CPUs.
 *
 * Expected values are worked out by hand in the comment above each test
 * from the facts in uvm/uvm_swap.c's header (OpenBSD's swap_off()): the
 * pagedaemon pages every unwired anon page out (one slot each), swapoff
 * pages each back in as a dirty page without a slot, and removes the
 * device (swpages 0).  Kernel constants and anon/page fields come from
 * tests/kprobe.h.  Each test boots a fresh model and shuts it down,
 * which panics (fails the test) if anything leaked.
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
#define RANDOM		1
#define BASE		((uint64_t)0x100000)

static struct uvm_sim_stats st;

static void
boot(int npages, int nswap)
{
	simfix_boot(2, npages, 8, nswap);
}

static void
stats(void)
{
	uvm_sim_stats(&st);
}

static int
rd_err(int p, uint64_t addr, uint64_t *vp)
{
	*vp = 0;
	return uvm_sim_access(p, addr, 0, vp, NULL);
}

/* the anons of every amap, by state */
struct census {
	int	dirty;		/* resident, not PG_CLEAN, no slot */
	int	slotted;	/* holding a swap slot (> 0) */
	int	bad;		/* SWSLOT_BAD, no page */
	int	total;
};

static void
census(struct census *c)
{
	struct vm_amap *am[64];
	struct kp_amap a;
	struct kp_chunk ch;
	struct kp_anon an;
	struct vm_amap_chunk *cp;
	int n, i, s;

	memset(c, 0, sizeof(*c));
	n = kp_amap_list(am, 64);
	for (i = 0; i < n; i++) {
		a = kp_amap_get(am[i]);
		for (cp = a.chunks; cp != NULL; cp = ch.next) {
			ch = kp_chunk_get(cp);
			for (s = 0; s < ch.nslot; s++) {
				if (!(ch.usedmap & (1U << s)))
					continue;
				an = kp_anon_get(ch.anon[s]);
				c->total++;
				if (an.swslot > 0)
					c->slotted++;
				else if (an.swslot == K_SWSLOT_BAD &&
				    an.page == NULL)
					c->bad++;
				else if (an.swslot == 0 && an.page != NULL &&
				    !(kp_page_flags(an.page) & K_PG_CLEAN))
					c->dirty++;
			}
			if (a.nslot <= K_UVM_AMAP_CHUNK)
				break;		/* the embedded chunk only */
		}
	}
}

/*
 * 512 pages, 512 slots.  p0 writes 4 pages: 4 anons; the pagedaemon
 * pages all 4 out (4 slots: swpginuse 4, swpgonly 4).  swapoff: 0; the
 * 4 anons are resident and dirty without a slot, swpginuse 0,
 * swpgonly 0, the device is gone (swpages 0, not enabled).  A second
 * swapoff: ENXIO.  A pagedaemon pass now frees nothing (no anon page
 * can get a slot, there are no object pages).  The values read back
 * (1A on the resident anons: no page-in).  swapon: 0, swpages 512,
 * enabled; again: EBUSY.  A pass then pages the 4 out again.
 */
static void
test_swapoff_pagein(void **state)
{
	struct census c;
	uint64_t i, v;

	boot(512, 512);
	simfix_map_written(0, BASE, 4, RANDOM);
	assert_int_equal(uvm_sim_pagedaemon(64), 4);
	stats();
	assert_int_equal(st.swpginuse, 4);
	assert_int_equal(st.swpgonly, 4);
	assert_int_equal(st.swpages, 512);
	assert_int_equal(st.swapon, 1);

	assert_int_equal(uvm_sim_swapoff(), 0);
	stats();
	assert_int_equal(st.swpginuse, 0);
	assert_int_equal(st.swpgonly, 0);
	assert_int_equal(st.swpages, 0);
	assert_int_equal(st.swapon, 0);
	census(&c);
	assert_int_equal(c.total, 4);
	assert_int_equal(c.dirty, 4);
	uvm_sim_check();

	assert_int_equal(uvm_sim_swapoff(), K_ENXIO);
	assert_int_equal(uvm_sim_pagedaemon(64), 0);
	stats();
	assert_int_equal(st.swpginuse, 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(rd_err(0, BASE + i * PG, &v), 0);
		assert_true(v == 500 + i);
	}
	stats();
	assert_int_equal(st.pageins, 0);

	assert_int_equal(uvm_sim_swapon(), 0);
	assert_int_equal(uvm_sim_swapon(), K_EBUSY);
	stats();
	assert_int_equal(st.swpages, 512);
	assert_int_equal(st.swapon, 1);
	assert_int_equal(uvm_sim_pagedaemon(64), 4);
	stats();
	assert_int_equal(st.swpginuse, 4);
	assert_int_equal(st.swpgonly, 4);
	uvm_sim_check();
}

/*
 * A swap read error during swapoff (INJ_SWAP_READ on the first read):
 * amap_swap_off pages slots in order, so page 0's anon fails: its slot
 * is marked bad (an_swslot SWSLOT_BAD, no page, no longer in swpginuse
 * or swpgonly), the other 3 come in.  swapoff: 0 (a bad slot is not in
 * use: OpenBSD's swd_npginuse == swd_npgbad).  Page 0 reads EACCES (no
 * I/O: SWSLOT_BAD), pages 1..3 read back.  swapon: 0, the bad slot is
 * forgotten with the old device, the pagedaemon pages the 3 resident
 * anons out again (3 slots).
 */
static void
test_swapoff_read_error(void **state)
{
	struct census c;
	uint64_t i, v;

	boot(512, 512);
	simfix_map_written(0, BASE, 4, RANDOM);
	assert_int_equal(uvm_sim_pagedaemon(64), 4);
	inject_arm_nth(K_INJ_SWAP_READ, 1);
	assert_int_equal(uvm_sim_swapoff(), 0);
	assert_int_equal((int)inject_nfired(K_INJ_SWAP_READ), 1);
	stats();
	assert_int_equal(st.swpginuse, 0);
	assert_int_equal(st.swpgonly, 0);
	census(&c);
	assert_int_equal(c.total, 4);
	assert_int_equal(c.bad, 1);
	assert_int_equal(c.dirty, 3);
	uvm_sim_check();

	assert_int_equal(rd_err(0, BASE, &v), K_EACCES);
	for (i = 1; i < 4; i++) {
		assert_int_equal(rd_err(0, BASE + i * PG, &v), 0);
		assert_true(v == 500 + i);
	}
	assert_int_equal(uvm_sim_swapon(), 0);
	assert_int_equal(uvm_sim_pagedaemon(64), 3);
	stats();
	assert_int_equal(st.swpginuse, 3);
	assert_int_equal(st.swpgonly, 3);
	uvm_sim_check();
	assert_int_equal(uvm_sim_exit(0), 0);
}

/*
 * Memory short.  32 pages: the reserve is 2 (npages / 16), so at most
 * 30 pages go to anons.  p0 writes 40 pages (the pagedaemon, run by
 * uvm_wait, pages earlier ones out to make room), then a pass pages
 * out every resident one: 40 anons in swap, 32 pages free.  swapoff
 * pages anons in while a page can be had: 30 of them (free 2 == the
 * reserve); the 31st allocation fails, uvm_wait's pass can free nothing
 * (every resident anon page is dirty and the device disabled), so
 * uvmexp.swapfull is set and amap_swap_off gives up: ENOMEM, 10 slots
 * still in use (and only in swap), the device enabled again (swpages
 * 64).  Unmapping pages 0..19 (resident) frees 20 pages: swapoff now
 * pages the 10 in: 0, nothing left in swap.  Page 39 reads back.
 */
static void
test_swapoff_memory_short(void **state)
{
	struct census c;
	uint64_t v;

	boot(32, 64);
	simfix_map_written(0, BASE, 40, RANDOM);
	(void)uvm_sim_pagedaemon(64);
	stats();
	assert_int_equal(st.swpginuse, 40);
	assert_int_equal(st.swpgonly, 40);
	assert_int_equal(st.free, 32);

	assert_int_equal(uvm_sim_swapoff(), K_ENOMEM);
	stats();
	assert_int_equal(st.swpginuse, 10);
	assert_int_equal(st.swpgonly, 10);
	assert_int_equal(st.free, 2);
	assert_int_equal(st.swpages, 64);
	assert_int_equal(st.swapon, 1);
	census(&c);
	assert_int_equal(c.total, 40);
	assert_int_equal(c.dirty, 30);
	assert_int_equal(c.slotted, 10);
	uvm_sim_check();

	assert_int_equal(uvm_sim_munmap(0, BASE, 20), 0);
	assert_int_equal(uvm_sim_swapoff(), 0);
	stats();
	assert_int_equal(st.swpginuse, 0);
	assert_int_equal(st.swpgonly, 0);
	assert_int_equal(st.free, 12);
	assert_int_equal(rd_err(0, BASE + 39 * PG, &v), 0);
	assert_true(v == 539);
	uvm_sim_check();
}

/*
 * AMAP_SWAPOFF on two fiber CPUs.  p1 (a fork of the empty p0) maps 3
 * anon pages, writes them, the pagedaemon pages them out; then CPU 0
 * runs swapoff while CPU 1 exits p1.  For every schedule (the bytes
 * put CPU 1's exit at each of the first 48 preemption points after k of
 * CPU 0's), swapoff returns 0 (p1's amap is the only one; an exit moves
 * nothing behind the walk), and after the run no amap and no slot is
 * left: the wipeout amap_wipeout deferred to amap_swap_off happened
 * (shutdown's leak check and the counts below).  Whether the exit fell
 * during a page-in is the schedule's business; among these schedules
 * it does for some (corpus/regress/mp-swapoff-exit-deferred-wipeout.prog
 * is one, k = 220 there).
 */
struct race {
	int	swapoff_err;
	int	exit_err;
};

static void
race_cpu(int cpu, void *arg)
{
	struct race *r = arg;

	if (cpu == 0)
		r->swapoff_err = uvm_sim_swapoff();
	else
		r->exit_err = uvm_sim_exit(1);
}

static void
test_swapoff_vs_exit(void **state)
{
	struct sched_config sc = { .ncpu = 2, .backend = SCHED_FIBERS };
	uint8_t sched[256];
	struct race r;
	uint64_t a, i, v;
	int k;

	for (k = 0; k < 48; k++) {
		boot(64, 64);
		assert_int_equal(uvm_sim_fork(0, 1), 0);
		a = BASE;
		assert_int_equal(uvm_sim_mmap(1, &a, 3, RW, RWX,
		    UVM_SIM_MAP_FIXED, INH_COPY, RANDOM, 0, 0), 0);
		for (i = 0; i < 3; i++) {
			v = 7 + i;
			assert_int_equal(uvm_sim_access(1, BASE + i * PG, 1,
			    &v, NULL), 0);
		}
		assert_int_equal(uvm_sim_pagedaemon(64), 3);
		memset(sched, 0, sizeof(sched));
		sched[k] = 1;
		sc.sched = sched;
		sc.schedlen = (size_t)k + 1;
		sc.seed = (uint64_t)k;
		r.swapoff_err = r.exit_err = -1;
		assert_int_equal(sched_run(&sc, race_cpu, &r), SCHED_DONE);
		assert_int_equal(r.swapoff_err, 0);
		assert_int_equal(r.exit_err, 0);
		stats();
		assert_int_equal(st.swpginuse, 0);
		assert_int_equal(st.swpgonly, 0);
		assert_int_equal(amap_count(), 0);
		uvm_sim_check();
		simfix_teardown(NULL);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_swapoff_pagein, simfix_teardown),
		cmocka_unit_test_teardown(test_swapoff_read_error, simfix_teardown),
		cmocka_unit_test_teardown(test_swapoff_memory_short,
		    simfix_teardown),
		cmocka_unit_test(test_swapoff_vs_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
