/*
 * test_map.c: address maps (uvm/uvm_map.c) through the public API
 * (uvm/uvm_sim.h): first-fit placement, MAP_FIXED replacement, partial
 * munmap, mprotect, minherit + fork, mlock/munmap/munlock (BUGS O7),
 * exit, and mlock/fork racing other CPUs (fibers, fixed seeds).  Every
 * expected value is worked out by hand in the comments.
 * Each test boots a fresh model and shuts it down, which panics (and so
 * fails the test) if anything leaked; a panic fails the running test.
 * Kernel errno values come from tests/kprobe.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "uvm/uvm_sim.h"
#include "shims/sim.h"
#include "tests/kprobe.h"

#define PG		((uint64_t)UVM_SIM_PAGE_SIZE)
#define R		1
#define W		2
#define RW		(R | W)
#define RWX		7
#define INH_SHARE	0
#define INH_COPY	1
#define INH_NONE	2
#define INH_ZERO	3
#define PRIV		0
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
	uvm_sim_check();
	uvm_sim_shutdown();
	return 0;
}

/* mmap npages private anonymous rw (maxprot rwx), returns the address */
static uint64_t
map_anon(int p, uint64_t npages, int flags, uint64_t addr)
{
	assert_int_equal(uvm_sim_mmap(p, &addr, npages, RW, RWX, flags,
	    INH_COPY, 0, 0, 0), 0);
	return addr;
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

static int
wr_err(int p, uint64_t addr)
{
	uint64_t v = 0x5a5a;

	return uvm_sim_access(p, addr, 1, &v, NULL);
}

/*
 * First fit from VM_MIN_ADDRESS (0x1000): 2 pages at 0x1000, 3 at
 * 0x3000, 1 at 0x6000.  After unmapping the first, 1 page fits at
 * 0x1000; 2 pages no longer fit in [0x2000, 0x3000) and go after the
 * last mapping (0x7000); 1 page then fills 0x2000.
 */
static void
test_mmap_first_fit(void **state)
{
	assert_int_equal(uvm_sim_proc_new(0), 0);
	assert_int_equal(map_anon(0, 2, PRIV, 0), 0x1000);
	assert_int_equal(map_anon(0, 3, PRIV, 0), 0x3000);
	assert_int_equal(map_anon(0, 1, PRIV, 0), 0x6000);
	wr(0, 0x1000, 11);
	assert_int_equal(uvm_sim_munmap(0, 0x1000, 2), 0);
	assert_int_equal(rd_err(0, 0x1000), K_EFAULT);
	assert_int_equal(map_anon(0, 1, PRIV, 0), 0x1000);
	assert_int_equal(rd(0, 0x1000), 0);	/* fresh zero-fill */
	assert_int_equal(map_anon(0, 2, PRIV, 0), 0x7000);
	assert_int_equal(map_anon(0, 1, PRIV, 0), 0x2000);
	uvm_sim_check();
}

/*
 * MAP_FIXED over the middle of a 4-page mapping at 0x1000 replaces pages
 * 1-2 (0x2000, 0x3000) with fresh zero-fill; pages 0 and 3 keep 100 and
 * 103.  A fixed object mapping of object 0 page 5 over 0x3000 shows the
 * object's initial word.  The next first fit is 0x5000.
 */
static void
test_mmap_fixed_replaces(void **state)
{
	uint64_t a, i;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	a = map_anon(0, 4, PRIV, 0);
	assert_int_equal(a, 0x1000);
	for (i = 0; i < 4; i++)
		wr(0, a + i * PG, 100 + i);
	assert_int_equal(map_anon(0, 2, UVM_SIM_MAP_FIXED, a + PG), a + PG);
	assert_int_equal(rd(0, a), 100);
	assert_int_equal(rd(0, a + PG), 0);
	assert_int_equal(rd(0, a + 2 * PG), 0);
	assert_int_equal(rd(0, a + 3 * PG), 103);

	i = a + 2 * PG;
	assert_int_equal(uvm_sim_mmap(0, &i, 1, R, R,
	    UVM_SIM_MAP_FIXED | UVM_SIM_MAP_OBJECT, INH_COPY, 0, 0, 5), 0);
	assert_int_equal(i, a + 2 * PG);
	assert_true(rd(0, a + 2 * PG) == uvm_sim_obj_initial(0, 5 * PG));
	assert_true(rd(0, a + 2 * PG + 8) == uvm_sim_obj_initial(0, 5 * PG + 8));
	assert_int_equal(map_anon(0, 1, PRIV, 0), 0x5000);
	uvm_sim_check();
}

/*
 * munmap of pages 1-2 of a 4-page mapping at 0x1000: pages 0 and 3 keep
 * their values, 0x2000 and 0x3000 fault (EFAULT on read and write).  The
 * hole is then the first fit for a 2-page mapping: 0x2000, zero-filled.
 */
static void
test_munmap_middle(void **state)
{
	uint64_t a, i;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	a = map_anon(0, 4, PRIV, 0);
	for (i = 0; i < 4; i++)
		wr(0, a + i * PG + 8, 200 + i);
	assert_int_equal(uvm_sim_munmap(0, a + PG, 2), 0);
	assert_int_equal(rd(0, a + 8), 200);
	assert_int_equal(rd(0, a + 3 * PG + 8), 203);
	assert_int_equal(rd_err(0, a + PG), K_EFAULT);
	assert_int_equal(wr_err(0, a + PG), K_EFAULT);
	assert_int_equal(rd_err(0, a + 2 * PG + 8), K_EFAULT);
	assert_int_equal(wr_err(0, a + 2 * PG + 8), K_EFAULT);
	uvm_sim_check();
	assert_int_equal(map_anon(0, 2, PRIV, 0), 0x2000);
	assert_int_equal(rd(0, 0x2000 + 8), 0);
	assert_int_equal(rd(0, 0x3000 + 8), 0);
	assert_int_equal(rd(0, a + 3 * PG + 8), 203);
}

/*
 * mprotect: 2 pages rw with 42, 43 written; read-only: writes fail with
 * EACCES, reads still return 42, 43.  Page 0 back to rw: writable again
 * (44), page 1 still EACCES.  PROT_NONE: reads fail too.  prot beyond
 * maxprot: EACCES at mmap and at mprotect.
 */
static void
test_mprotect(void **state)
{
	uint64_t a, b;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	a = map_anon(0, 2, PRIV, 0);
	wr(0, a, 42);
	wr(0, a + PG, 43);
	assert_int_equal(uvm_sim_mprotect(0, a, 2, R), 0);
	assert_int_equal(wr_err(0, a), K_EACCES);
	assert_int_equal(wr_err(0, a + PG), K_EACCES);
	assert_int_equal(rd(0, a), 42);
	assert_int_equal(rd(0, a + PG), 43);
	assert_int_equal(uvm_sim_mprotect(0, a, 1, RW), 0);
	wr(0, a, 44);
	assert_int_equal(rd(0, a), 44);
	assert_int_equal(wr_err(0, a + PG), K_EACCES);
	assert_int_equal(uvm_sim_mprotect(0, a + PG, 1, 0), 0);
	assert_int_equal(rd_err(0, a + PG), K_EACCES);
	assert_int_equal(uvm_sim_mprotect(0, a + PG, 1, R), 0);
	assert_int_equal(rd(0, a + PG), 43);

	b = 0;
	assert_int_equal(uvm_sim_mmap(0, &b, 1, RW, R, PRIV, INH_COPY, 0, 0,
	    0), K_EACCES);
	assert_int_equal(uvm_sim_mmap(0, &b, 1, R, R, PRIV, INH_COPY, 0, 0,
	    0), 0);
	assert_int_equal(uvm_sim_mprotect(0, b, 1, RW), K_EACCES);
	assert_int_equal(wr_err(0, b), K_EACCES);
	uvm_sim_check();
}

/*
 * minherit then fork.  Four 1-page private anon mappings written 1..4:
 * A NONE (child: EFAULT), B SHARE (writes seen both ways), C COPY
 * (private copies both ways), D ZERO (child sees 0, parent keeps 4).
 */
static void
test_minherit_fork(void **state)
{
	uint64_t a, b, c, d;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	a = map_anon(0, 1, PRIV, 0);
	b = map_anon(0, 1, PRIV, 0);
	c = map_anon(0, 1, PRIV, 0);
	d = map_anon(0, 1, PRIV, 0);
	wr(0, a, 1);
	wr(0, b, 2);
	wr(0, c, 3);
	wr(0, d, 4);
	assert_int_equal(uvm_sim_minherit(0, a, 1, INH_NONE), 0);
	assert_int_equal(uvm_sim_minherit(0, b, 1, INH_SHARE), 0);
	assert_int_equal(uvm_sim_minherit(0, d, 1, INH_ZERO), 0);
	assert_int_equal(uvm_sim_minherit(0, a, 1, 9), K_EINVAL);
	assert_int_equal(uvm_sim_fork(0, 1), 0);
	uvm_sim_check();

	assert_int_equal(rd_err(1, a), K_EFAULT);
	assert_int_equal(rd(1, b), 2);
	assert_int_equal(rd(1, c), 3);
	assert_int_equal(rd(1, d), 0);
	assert_int_equal(rd(0, a), 1);
	assert_int_equal(rd(0, d), 4);

	wr(1, b, 20);
	assert_int_equal(rd(0, b), 20);
	wr(0, b, 21);
	assert_int_equal(rd(1, b), 21);

	wr(1, c, 30);
	assert_int_equal(rd(0, c), 3);
	wr(0, c, 31);
	assert_int_equal(rd(1, c), 30);
	assert_int_equal(rd(0, c), 31);
	uvm_sim_check();
}

/*
 * A SHARE-inherited mapping stays shared between p0 and p1 even after p0
 * forks it again with COPY to p2: p0's later write (7) reaches p1, not
 * p2 (which keeps the 5 it was forked with); p2's write (9) reaches
 * nobody.  The same for a MAP_SHARED anonymous mapping forked with COPY.
 */
static void
test_fork_copy_of_shared(void **state)
{
	uint64_t b, s;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	b = map_anon(0, 2, PRIV, 0);
	s = map_anon(0, 1, UVM_SIM_MAP_SHARED, 0);
	wr(0, b, 5);
	wr(0, s, 6);
	assert_int_equal(uvm_sim_minherit(0, b, 2, INH_SHARE), 0);
	assert_int_equal(uvm_sim_fork(0, 1), 0);
	assert_int_equal(uvm_sim_minherit(0, b, 2, INH_COPY), 0);
	assert_int_equal(uvm_sim_fork(0, 2), 0);
	uvm_sim_check();

	wr(0, b, 7);
	assert_int_equal(rd(1, b), 7);
	assert_int_equal(rd(2, b), 5);
	wr(2, b, 9);
	assert_int_equal(rd(0, b), 7);
	assert_int_equal(rd(1, b), 7);
	wr(1, b + PG, 8);
	assert_int_equal(rd(0, b + PG), 8);
	assert_int_equal(rd(2, b + PG), 0);

	/* s: shared anon, inherit COPY: p1 and p2 got private copies */
	assert_int_equal(rd(1, s), 6);
	assert_int_equal(rd(2, s), 6);
	wr(0, s, 60);
	assert_int_equal(rd(1, s), 6);
	assert_int_equal(rd(2, s), 6);
	wr(2, s, 62);
	assert_int_equal(rd(0, s), 60);
	assert_int_equal(rd(1, s), 6);
	uvm_sim_check();
}

/*
 * BUGS O7: mlock 4 pages, munmap page 1, munlock all 4: succeeds (the
 * unwire walks the entries actually present).  Pages 0, 2, 3 keep 300,
 * 302, 303; page 1 faults.  mlock over the hole: EFAULT.  mlock/munlock
 * of pages 2-3 again: fine.
 */
static void
test_mlock_munmap_munlock(void **state)
{
	uint64_t a, i;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	a = map_anon(0, 4, PRIV, 0);
	for (i = 0; i < 4; i++)
		wr(0, a + i * PG, 300 + i);
	assert_int_equal(uvm_sim_mlock(0, a, 4), 0);
	uvm_sim_check();
	assert_int_equal(uvm_sim_munmap(0, a + PG, 1), 0);
	uvm_sim_check();
	assert_int_equal(uvm_sim_munlock(0, a, 4), 0);
	uvm_sim_check();
	assert_int_equal(rd(0, a), 300);
	assert_int_equal(rd_err(0, a + PG), K_EFAULT);
	assert_int_equal(rd(0, a + 2 * PG), 302);
	assert_int_equal(rd(0, a + 3 * PG), 303);
	assert_int_equal(uvm_sim_mlock(0, a, 4), K_EFAULT);
	assert_int_equal(uvm_sim_mlock(0, a + 2 * PG, 2), 0);
	wr(0, a + 3 * PG, 313);
	assert_int_equal(uvm_sim_munlock(0, a + 2 * PG, 2), 0);
	assert_int_equal(rd(0, a + 3 * PG), 313);

	/* a wired private mapping forks: the child's copy is resolved now */
	assert_int_equal(uvm_sim_mlock(0, a + 2 * PG, 2), 0);
	assert_int_equal(uvm_sim_fork(0, 1), 0);
	assert_int_equal(rd(1, a + 3 * PG), 313);
	wr(1, a + 3 * PG, 323);
	assert_int_equal(rd(0, a + 3 * PG), 313);
	wr(0, a + 2 * PG, 322);
	assert_int_equal(rd(1, a + 2 * PG), 302);
	uvm_sim_check();
	/* exit with wired memory: uvmspace_free unwires */
}

/*
 * exit frees everything: three generations with anon, shared and
 * object mappings; after the exits no process is left and the teardown's
 * uvm_sim_shutdown() leak check passes.
 */
static void
test_exit_frees(void **state)
{
	uint64_t a, s, o = 0;

	assert_int_equal(uvm_sim_proc_new(0), 0);
	a = map_anon(0, 8, PRIV, 0);
	s = map_anon(0, 2, UVM_SIM_MAP_SHARED, 0);
	assert_int_equal(uvm_sim_mmap(0, &o, 4, RW, RWX, UVM_SIM_MAP_OBJECT,
	    INH_COPY, 0, 1, 0), 0);
	wr(0, a, 1);
	wr(0, s, 2);
	wr(0, o, 3);
	assert_int_equal(uvm_sim_fork(0, 1), 0);
	wr(1, a + PG, 4);
	wr(1, o + PG, 5);
	assert_int_equal(uvm_sim_fork(1, 2), 0);
	wr(2, a, 6);
	assert_int_equal(uvm_sim_exit(1), 0);
	assert_int_equal(rd(2, a + PG), 4);
	assert_int_equal(rd(0, a), 1);
	assert_int_equal(uvm_sim_exit(0), 0);
	assert_int_equal(uvm_sim_exit(2), 0);
	assert_int_equal(uvm_sim_proc_exists(0), 0);
	assert_int_equal(uvm_sim_proc_exists(1), 0);
	assert_int_equal(uvm_sim_proc_exists(2), 0);
}

/*
 * Two CPUs on one process (fibers, 40 schedules): CPU 0 mlocks and
 * munlocks a 32-page mapping (vm_map_busy, uvm_fault_wire with the map
 * held, BUGS O3) while CPU 1 maps, writes, reads back and unmaps pages
 * elsewhere (vm_map_lock waits for the busy map) and writes into the
 * mapping being wired.  Every operation succeeds; CPU 1 reads back what
 * it wrote; afterwards page i of the wired mapping holds 1000 + i, and
 * the pages CPU 1 wrote hold 2000 + i.
 */
struct conc {
	uint64_t	a;
	int		err[2];
};

static void
conc_cpu(int cpu, void *arg)
{
	struct conc *c = arg;
	uint64_t i, x, v;

	if (cpu == 0) {
		c->err[0] |= uvm_sim_mlock(0, c->a, 32) != 0;
		c->err[0] |= uvm_sim_munlock(0, c->a, 32) != 0;
		c->err[0] |= uvm_sim_mlock(0, c->a + 8 * PG, 8) != 0;
		return;
	}
	for (i = 0; i < 4; i++) {
		x = 0;
		if (uvm_sim_mmap(0, &x, 1, RW, RWX, PRIV, INH_COPY, 0, 0, 0)) {
			c->err[1] |= 1;
			continue;
		}
		v = 77 + i;
		c->err[1] |= uvm_sim_access(0, x, 1, &v, NULL) != 0;
		v = 0;
		c->err[1] |= uvm_sim_access(0, x, 0, &v, NULL) != 0;
		c->err[1] |= (v != 77 + i) << 1;
		c->err[1] |= uvm_sim_munmap(0, x, 1) != 0;
		v = 2000 + i;
		c->err[1] |= uvm_sim_access(0, c->a + i * 8 * PG, 1, &v,
		    NULL) != 0;
	}
}

static void
test_mlock_concurrent(void **state)
{
	struct uvm_sim_config cfg = {
		.ncpu = 2, .npages = 512, .freetarg = 16, .nswap = 512
	};
	struct sched_config sc = { .ncpu = 2, .backend = SCHED_FIBERS };
	struct conc c;
	uint64_t seed, i;

	for (seed = 1; seed <= 40; seed++) {
		uvm_sim_boot(&cfg);
		assert_int_equal(uvm_sim_proc_new(0), 0);
		c.a = map_anon(0, 32, PRIV, 0);
		for (i = 0; i < 32; i++)
			wr(0, c.a + i * PG, 1000 + i);
		c.err[0] = c.err[1] = 0;
		sc.seed = seed;
		assert_int_equal(sched_run(&sc, conc_cpu, &c), SCHED_DONE);
		assert_int_equal(c.err[0], 0);
		assert_int_equal(c.err[1], 0);
		uvm_sim_check();
		for (i = 0; i < 32; i++)
			assert_int_equal(rd(0, c.a + i * PG),
			    (i % 8 == 0 && i < 32) ? 2000 + i / 8 : 1000 + i);
		assert_int_equal(uvm_sim_exit(0), 0);
		uvm_sim_shutdown();
	}
	uvm_sim_boot(&cfg);
}

/*
 * fork racing writes and mlock (fibers, 40 schedules): CPU 0 forks p0
 * into p1 while CPU 1 stores 500 + i into page i of p0's 16-page
 * private mapping (first 1000 + i) and mlocks/munlocks its first half.
 * Afterwards p0 holds 500 + i everywhere; each page of p1 holds the
 * value p0 had when the fork copied it: 1000 + i or 500 + i, and p1's
 * later writes stay private.
 */
struct forkrace {
	uint64_t	a;
	int		err[2];
};

static void
forkrace_cpu(int cpu, void *arg)
{
	struct forkrace *f = arg;
	uint64_t i, v;

	if (cpu == 0) {
		f->err[0] |= uvm_sim_fork(0, 1) != 0;
		return;
	}
	for (i = 0; i < 16; i++) {
		v = 500 + i;
		f->err[1] |= uvm_sim_access(0, f->a + i * PG, 1, &v, NULL) != 0;
		if (i == 4)
			f->err[1] |= uvm_sim_mlock(0, f->a, 8) != 0;
		if (i == 12)
			f->err[1] |= uvm_sim_munlock(0, f->a, 8) != 0;
	}
}

static void
test_fork_concurrent(void **state)
{
	struct uvm_sim_config cfg = {
		.ncpu = 2, .npages = 512, .freetarg = 16, .nswap = 512
	};
	struct sched_config sc = { .ncpu = 2, .backend = SCHED_FIBERS };
	struct forkrace f;
	uint64_t seed, i, v;

	for (seed = 1; seed <= 40; seed++) {
		uvm_sim_boot(&cfg);
		assert_int_equal(uvm_sim_proc_new(0), 0);
		f.a = map_anon(0, 16, PRIV, 0);
		for (i = 0; i < 16; i++)
			wr(0, f.a + i * PG, 1000 + i);
		f.err[0] = f.err[1] = 0;
		sc.seed = seed;
		assert_int_equal(sched_run(&sc, forkrace_cpu, &f), SCHED_DONE);
		assert_int_equal(f.err[0], 0);
		assert_int_equal(f.err[1], 0);
		uvm_sim_check();
		for (i = 0; i < 16; i++) {
			assert_int_equal(rd(0, f.a + i * PG), 500 + i);
			v = rd(1, f.a + i * PG);
			assert_true(v == 1000 + i || v == 500 + i);
			wr(1, f.a + i * PG, 7);
			assert_int_equal(rd(0, f.a + i * PG), 500 + i);
		}
		assert_int_equal(uvm_sim_exit(1), 0);
		assert_int_equal(uvm_sim_exit(0), 0);
		uvm_sim_shutdown();
	}
	uvm_sim_boot(&cfg);
}

/*
 * mlock against object I/O and a writer (3 CPUs, fibers, 100 schedules):
 * CPU 0 mlocks/munlocks a 16-page private read-only mapping of object
 * 0, CPU 1 reads its pages (pager I/O, pages busy meanwhile), CPU 2
 * maps and unmaps elsewhere (vm_map_lock).  With the map read-locked
 * across uvm_fault_wire() (as OpenBSD once did) this deadlocks: CPU 0
 * waits for a page CPU 1 has busy, CPU 1 waits to read-lock the map
 * behind CPU 2's queued write lock, CPU 2 waits for CPU 0.  uvm_map.c
 * unlocks the map there, so it must pass; CPU 1 reads the object's
 * initial words.
 */
struct iorace {
	uint64_t	a;
	int		err[3];
};

static void
iorace_cpu(int cpu, void *arg)
{
	struct iorace *r = arg;
	uint64_t i, v, x;

	switch (cpu) {
	case 0:
		r->err[0] |= uvm_sim_mlock(0, r->a, 16) != 0;
		r->err[0] |= uvm_sim_munlock(0, r->a, 16) != 0;
		break;
	case 1:
		for (i = 0; i < 16; i++) {
			x = (i * 7) % 16;
			r->err[1] |= uvm_sim_access(0, r->a + x * PG, 0, &v,
			    NULL) != 0;
			r->err[1] |= (v != uvm_sim_obj_initial(0, x * PG)) << 1;
		}
		break;
	default:
		for (i = 0; i < 3; i++) {
			x = 0;
			r->err[2] |= uvm_sim_mmap(0, &x, 1, RW, RWX, PRIV,
			    INH_COPY, 0, 0, 0) != 0;
			r->err[2] |= uvm_sim_munmap(0, x, 1) != 0;
		}
		break;
	}
}

static void
test_mlock_io_writer(void **state)
{
	struct uvm_sim_config cfg = {
		.ncpu = 3, .npages = 256, .freetarg = 16, .nswap = 256
	};
	struct sched_config sc = { .ncpu = 3, .backend = SCHED_FIBERS };
	struct iorace r;
	uint64_t seed;

	for (seed = 1; seed <= 100; seed++) {
		uvm_sim_boot(&cfg);
		assert_int_equal(uvm_sim_proc_new(0), 0);
		r.a = 0;
		assert_int_equal(uvm_sim_mmap(0, &r.a, 16, R, RWX,
		    UVM_SIM_MAP_OBJECT, INH_COPY, 0, 0, 0), 0);
		r.err[0] = r.err[1] = r.err[2] = 0;
		sc.seed = seed;
		assert_int_equal(sched_run(&sc, iorace_cpu, &r), SCHED_DONE);
		assert_int_equal(r.err[0], 0);
		assert_int_equal(r.err[1], 0);
		assert_int_equal(r.err[2], 0);
		uvm_sim_check();
		assert_int_equal(uvm_sim_exit(0), 0);
		uvm_sim_shutdown();
	}
	uvm_sim_boot(&cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mmap_first_fit,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmap_fixed_replaces,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_munmap_middle,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_mprotect,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_minherit_fork,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_copy_of_shared,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_mlock_munmap_munlock,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit_frees,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_mlock_concurrent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_concurrent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_mlock_io_writer,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("uvm_map", tests, NULL, NULL);
}
