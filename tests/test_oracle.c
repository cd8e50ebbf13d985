/*
 * tests/test_oracle.c: the semantic oracle (fuzz/oracle.c) alone, with
 * expectations computed by hand: fork COPY and SHARE, private object
 * read-through and copy on write, shared objects across processes,
 * partial munmap, mprotect denial, mlock, inheritance NONE/ZERO,
 * poisoning and madvise (MADV_FREE's "maybe freed" pages).  The model
 * is not involved.
 *
 * Also the concurrency oracle's rule 3 (fuzz/oracle_mp.h: a CPU never
 * reads a value older than one it saw), fed hand-built event sequences
 * (which CPU began and ended which operation, in which order, and what
 * it returned) without running anything.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "uvm_sim.h"
#include "oracle.h"
#include "oracle_mp.h"
#include "prog.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define PG		4096ULL
#define A		0x10000ULL	/* a mapping address */
#define B		0x80000ULL	/* another one */
#define RW		3
#define RO		1
#define RWX		7
#define PRIV		0
#define SHR		UVM_SIM_MAP_SHARED
#define FIX		UVM_SIM_MAP_FIXED
#define OBJ		UVM_SIM_MAP_OBJECT

/* splitmix64 outputs, computed outside the oracle */
#define OBJ0_W0		0xe220a8397b1dcdafULL	/* object 0, offset 0 */
#define OBJ1_P2_W0	0x89f4c72755e364f3ULL	/* object 1, offset 0x2000 */
#define OBJ1_P2_W1	0x226bff9bba3d20d6ULL	/* object 1, offset 0x2008 */

/* rd: p reads addr; the test fails unless it succeeds */
static uint64_t
rd(int p, uint64_t addr)
{
	struct oracle_pred pd;

	oracle_access_predict(p, addr, 0, &pd);
	assert_int_equal(pd.err, 0);
	oracle_access_done(p, addr, 0, 0, 0);
	return pd.val;
}

/* wr: p writes val at addr; the test fails unless it succeeds */
static void
wr(int p, uint64_t addr, uint64_t val)
{
	struct oracle_pred pd;

	oracle_access_predict(p, addr, 1, &pd);
	assert_int_equal(pd.err, 0);
	oracle_access_done(p, addr, 1, val, 0);
}

/* err: the error an access must return */
static int
err(int p, uint64_t addr, int write)
{
	struct oracle_pred pd;

	oracle_access_predict(p, addr, write, &pd);
	return pd.err;
}

static int
setup(void **state)
{
	oracle_reset();
	assert_int_equal(oracle_proc_new(0), 0);
	return 0;
}

static int
anon(int p, uint64_t addr, int npages, int prot, int flags, int inh)
{
	return oracle_mmap(p, addr, npages, prot, RWX, flags | FIX, inh, 0,
	    0, 0);
}

static void
test_obj_initial(void **state)
{
	assert_int_equal(oracle_obj_initial(0, 0), OBJ0_W0);
	assert_int_equal(oracle_obj_initial(1, 0x2000), OBJ1_P2_W0);
	assert_int_equal(oracle_obj_initial(1, 0x200f), OBJ1_P2_W1);
}

static void
test_fork_copy(void **state)
{
	assert_int_equal(anon(0, A, 4, RW, PRIV, 1), 0);
	wr(0, A, 1);
	wr(0, A + PG, 5);
	assert_int_equal(oracle_fork(0, 1), 0);
	assert_int_equal(rd(1, A), 1);
	wr(1, A, 2);			/* child copies */
	assert_int_equal(rd(0, A), 1);
	assert_int_equal(rd(1, A), 2);
	wr(0, A + PG, 6);		/* parent copies */
	assert_int_equal(rd(1, A + PG), 5);
	assert_int_equal(rd(0, A + PG), 6);
	wr(0, A + 2 * PG + 8, 3);	/* untouched at fork */
	assert_int_equal(rd(1, A + 2 * PG + 8), 0);
	assert_int_equal(rd(0, A + 2 * PG + 8), 3);
	assert_int_equal(oracle_fork(0, 1), EBUSY);
}

static void
test_share(void **state)
{
	assert_int_equal(anon(0, A, 4, RW, PRIV, 1), 0);
	wr(0, A, 1);
	assert_int_equal(oracle_minherit(0, A, 2, 0), 0);
	assert_int_equal(oracle_fork(0, 1), 0);
	wr(1, A, 2);
	assert_int_equal(rd(0, A), 2);
	wr(0, A + PG + 16, 7);		/* untouched before the fork */
	assert_int_equal(rd(1, A + PG + 16), 7);
	wr(0, A + 2 * PG, 9);		/* pages 2-3 stayed COPY */
	assert_int_equal(rd(1, A + 2 * PG), 0);
	/* a COW child of a sharer: the sharers still see each other */
	assert_int_equal(oracle_minherit(0, A, 2, 1), 0);
	assert_int_equal(oracle_fork(0, 2), 0);
	wr(1, A, 3);
	assert_int_equal(rd(0, A), 3);
	assert_int_equal(rd(2, A), 2);
}

static void
test_private_object(void **state)
{
	assert_int_equal(oracle_mmap(0, A, 4, RW, RWX, PRIV | FIX | OBJ, 1, 0,
	    1, 0), 0);
	assert_int_equal(oracle_mmap(0, B, 4, RW, RWX, SHR | FIX | OBJ, 1, 0,
	    1, 0), 0);
	assert_int_equal(rd(0, A + 2 * PG), OBJ1_P2_W0);
	wr(0, B + 2 * PG, 7);		/* through the shared mapping */
	assert_int_equal(rd(0, A + 2 * PG), 7);	/* read-through */
	wr(0, A + 2 * PG + 8, 9);	/* private copy of the page now */
	wr(0, B + 2 * PG, 8);
	assert_int_equal(rd(0, A + 2 * PG), 7);
	assert_int_equal(rd(0, A + 2 * PG + 8), 9);
	assert_int_equal(rd(0, B + 2 * PG + 8), OBJ1_P2_W1);
	assert_int_equal(oracle_obj_word(1, 0x2000), 8);
	assert_int_equal(oracle_obj_word(1, 0x2008), OBJ1_P2_W1);
}

static void
test_shared_object(void **state)
{
	assert_int_equal(oracle_proc_new(1), 0);
	assert_int_equal(oracle_mmap(0, A, 2, RW, RWX, SHR | FIX | OBJ, 1, 0,
	    0, 0), 0);
	assert_int_equal(oracle_mmap(1, B, 2, RW, RWX, SHR | FIX | OBJ, 1, 0,
	    0, 0), 0);
	assert_int_equal(rd(1, B), OBJ0_W0);
	wr(0, A + 8, 42);
	assert_int_equal(rd(1, B + 8), 42);
	/* a COPY child of a shared mapping is private */
	assert_int_equal(oracle_fork(1, 2), 0);
	wr(2, B + 8, 43);
	assert_int_equal(rd(0, A + 8), 42);
	/* the object outlives its mappings */
	assert_int_equal(oracle_exit(0), 0);
	assert_int_equal(oracle_exit(1), 0);
	assert_int_equal(oracle_obj_word(0, 8), 42);
}

static void
test_partial_munmap(void **state)
{
	int i;

	assert_int_equal(anon(0, A, 4, RW, PRIV, 1), 0);
	for (i = 0; i < 4; i++)
		wr(0, A + i * PG, 10 + i);
	assert_int_equal(oracle_munmap(0, A + PG, 2), 0);
	assert_int_equal(err(0, A + PG, 0), EFAULT);
	assert_int_equal(err(0, A + 2 * PG, 1), EFAULT);
	assert_int_equal(rd(0, A), 10);
	assert_int_equal(rd(0, A + 3 * PG), 13);
	assert_int_equal(anon(0, A + PG, 1, RW, PRIV, 1), 0);
	assert_int_equal(rd(0, A + PG), 0);
	/* FIXED replaces */
	assert_int_equal(anon(0, A, 2, RW, PRIV, 1), 0);
	assert_int_equal(rd(0, A), 0);
	assert_int_equal(rd(0, A + 3 * PG), 13);
	assert_int_equal(oracle_munmap(0, A + 1, 1), EINVAL);
	assert_int_equal(oracle_munmap(0, A, 0), EINVAL);
}

static void
test_mprotect(void **state)
{
	struct oracle_pred pd;

	assert_int_equal(oracle_mmap(0, A, 4, RO, RO, PRIV | FIX, 1, 0, 0,
	    0), 0);
	assert_int_equal(err(0, A, 1), EACCES);
	assert_int_equal(oracle_mprotect(0, A, 4, RW), EACCES);
	assert_int_equal(err(0, A, 1), EACCES);
	assert_int_equal(anon(0, B, 4, RW, PRIV, 1), 0);
	wr(0, B + PG, 5);
	assert_int_equal(oracle_mprotect(0, B + PG, 1, RO), 0);
	assert_int_equal(err(0, B + PG, 1), EACCES);
	assert_int_equal(rd(0, B + PG), 5);
	wr(0, B, 1);
	wr(0, B + 2 * PG, 1);
	assert_int_equal(oracle_mprotect(0, B, 4, 0), 0);
	assert_int_equal(err(0, B, 0), EACCES);
	/* above maxprot anywhere in the range: no change at all */
	assert_int_equal(oracle_mprotect(0, A - 4 * PG, 0x78, RW), EACCES);
	assert_int_equal(err(0, B, 0), EACCES);
	assert_int_equal(err(0, B - PG, 0), EFAULT);
	assert_int_equal(err(0, 0, 0), EFAULT);
	/* a load from write-only memory: EACCES or the value */
	assert_int_equal(oracle_mprotect(0, B, 1, 2), 0);
	wr(0, B, 6);
	oracle_access_predict(0, B, 0, &pd);
	assert_true(pd.flags & ORACLE_EACCESOK);
	assert_int_equal(oracle_access_check(&pd, 0, EACCES, 0, 0), 1);
	assert_int_equal(oracle_access_check(&pd, 0, 0, 6, 0), 1);
	assert_int_equal(oracle_access_check(&pd, 0, 0, 5, 0), 0);
}

static void
test_mlock(void **state)
{
	assert_int_equal(oracle_mmap(0, A, 2, RW, RWX, PRIV | FIX | OBJ, 1, 0,
	    1, 2), 0);
	assert_int_equal(oracle_mmap(0, B, 4, RW, RWX, SHR | FIX | OBJ, 1, 0,
	    1, 0), 0);
	assert_int_equal(oracle_mlock(0, A, 3), EFAULT);	/* hole */
	wr(0, B + 2 * PG, 7);
	assert_int_equal(oracle_mlock(0, A, 2), 0);	/* copies now */
	wr(0, B + 2 * PG, 8);
	assert_int_equal(rd(0, A), 7);
	assert_int_equal(oracle_munlock(0, A, 3), 0);	/* holes are fine */
	/* a wired read-only private mapping given PROT_WRITE: copied now */
	assert_int_equal(oracle_mmap(0, A, 1, RO, RWX, PRIV | FIX | OBJ, 1, 0,
	    1, 3), 0);
	assert_int_equal(oracle_mlock(0, A, 1), 0);
	wr(0, B + 3 * PG, 11);
	assert_int_equal(rd(0, A), 11);
	assert_int_equal(oracle_mprotect(0, A, 1, RW), 0);
	wr(0, B + 3 * PG, 12);
	assert_int_equal(rd(0, A), 11);
	/* PROT_NONE drops the wiring: no copy when write comes back */
	assert_int_equal(oracle_mmap(0, A, 1, RO, RWX, PRIV | FIX | OBJ, 1, 0,
	    1, 3), 0);
	assert_int_equal(oracle_mlock(0, A, 1), 0);
	assert_int_equal(oracle_mprotect(0, A, 1, 0), 0);
	assert_int_equal(oracle_mprotect(0, A, 1, RW), 0);
	wr(0, B + 3 * PG, 13);
	assert_int_equal(rd(0, A), 13);
}

static void
test_inherit_none_zero(void **state)
{
	assert_int_equal(anon(0, A, 1, RW, PRIV, 2), 0);
	assert_int_equal(oracle_mmap(0, B, 1, RW, RWX, SHR | FIX | OBJ, 3, 0,
	    0, 0), 0);
	wr(0, A, 1);
	wr(0, B, 2);
	assert_int_equal(oracle_fork(0, 1), 0);
	assert_int_equal(err(1, A, 0), EFAULT);
	assert_int_equal(rd(1, B), 0);			/* fresh zero */
	wr(1, B, 3);
	assert_int_equal(rd(0, B), 2);
}

static void
test_poison(void **state)
{
	struct oracle_pred pd;

	assert_int_equal(anon(0, A, 2, RW, PRIV, 1), 0);
	wr(0, A, 1);
	wr(0, A + PG, 2);
	assert_int_equal(oracle_fork(0, 1), 0);
	/* without an injected error, EACCES is a finding */
	oracle_access_predict(1, A, 0, &pd);
	assert_int_equal(oracle_access_check(&pd, 0, EACCES, 0, 0), 0);
	assert_int_equal(oracle_access_check(&pd, 0, 0, 2, 0), 0);
	assert_int_equal(oracle_access_check(&pd, 0, 0, 1, 0), 1);
	/* with one, it poisons the page shared by parent and child */
	assert_int_equal(oracle_access_check(&pd, 0, EACCES, 0, 1), 1);
	oracle_access_done(1, A, 0, 0, EACCES);
	assert_int_equal(err(0, A, 0), EACCES);
	assert_int_equal(err(0, A, 1), EACCES);
	assert_int_equal(err(1, A, 1), EACCES);
	assert_int_equal(rd(0, A + PG), 2);
	/* a copy made before the error is not poisoned */
	wr(1, A + PG, 3);
	oracle_access_predict(0, A + PG, 0, &pd);
	assert_int_equal(oracle_access_check(&pd, 0, EACCES, 0, 1), 1);
	oracle_access_done(0, A + PG, 0, 0, EACCES);
	assert_int_equal(err(0, A + PG, 0), EACCES);
	assert_int_equal(rd(1, A + PG), 3);
	/* fork of a wired region copies at once: poisoning stays apart */
	assert_int_equal(anon(1, B, 1, RW, PRIV, 1), 0);
	wr(1, B, 7);
	assert_int_equal(oracle_mlock(1, B, 1), 0);
	assert_int_equal(oracle_fork(1, 2), 0);
	oracle_access_predict(2, B, 0, &pd);
	assert_int_equal(oracle_access_check(&pd, 0, EACCES, 0, 1), 1);
	oracle_access_done(2, B, 0, 0, EACCES);
	assert_int_equal(err(2, B, 0), EACCES);
	assert_int_equal(rd(1, B), 7);
	/* "maybe poisoned": either outcome, then settled */
	wr(1, A + PG + 8, 4);
	oracle_maybe_poison(1, A + PG, 1);
	oracle_access_predict(1, A + PG, 0, &pd);
	assert_true(pd.flags & ORACLE_MAYPOISON);
	assert_int_equal(oracle_access_check(&pd, 0, EACCES, 0, 0), 1);
	assert_int_equal(oracle_access_check(&pd, 0, 0, 3, 0), 1);
	oracle_access_done(1, A + PG, 0, 0, 0);
	oracle_access_predict(1, A + PG, 0, &pd);
	assert_false(pd.flags & ORACLE_MAYPOISON);
}

/*
 * A store failing (injected swap-read error) on a page still shared
 * copy-on-write: the read that failed may have been the fault's own
 * copy's (case 1B put it in the amap before pmap_enter failed and the
 * pagedaemon paged it out), so the writer's page is lost and the other
 * sharers' only maybe; their first access settles it for all of them.
 * A store failing on a page shared through MAP_INHERIT_SHARE (one anon,
 * no copy-on-write) poisons it for every sharer.
 */
static void
test_poison_cow_write(void **state)
{
	struct oracle_pred pd;

	assert_int_equal(anon(0, A, 2, RW, PRIV, 1), 0);
	wr(0, A, 3);
	wr(0, A + PG, 4);
	assert_int_equal(oracle_fork(0, 1), 0);
	assert_int_equal(oracle_fork(0, 2), 0);
	oracle_access_predict(1, A, 1, &pd);
	assert_int_equal(pd.err, 0);
	assert_int_equal(pd.flags, 0);
	assert_int_equal(oracle_access_check(&pd, 1, EACCES, 0, 1), 1);
	oracle_access_done(1, A, 1, 9, EACCES);
	assert_int_equal(err(1, A, 0), EACCES);
	assert_int_equal(err(1, A, 1), EACCES);
	assert_int_equal(rd(1, A + PG), 4);
	/* p0 and p2 still share the page: maybe poisoned */
	oracle_access_predict(2, A, 0, &pd);
	assert_int_equal(pd.err, 0);
	assert_int_equal(pd.flags, ORACLE_MAYPOISON);
	oracle_access_predict(0, A, 0, &pd);
	assert_int_equal(pd.err, 0);
	assert_int_equal(pd.flags, ORACLE_MAYPOISON);
	assert_int_equal(pd.val, 3);
	assert_int_equal(oracle_access_check(&pd, 0, EACCES, 0, 0), 1);
	assert_int_equal(oracle_access_check(&pd, 0, 0, 3, 0), 1);
	assert_int_equal(oracle_access_check(&pd, 0, 0, 9, 0), 0);
	/* p0's read succeeds: intact for p2 too; p1 stays poisoned */
	oracle_access_done(0, A, 0, 0, 0);
	oracle_access_predict(2, A, 0, &pd);
	assert_int_equal(pd.flags, 0);
	assert_int_equal(pd.val, 3);
	assert_int_equal(err(1, A, 0), EACCES);
	/* the other way: p1's write fails, then p2's read: lost for p0 */
	oracle_access_predict(1, A + PG, 1, &pd);
	assert_int_equal(oracle_access_check(&pd, 1, EACCES, 0, 1), 1);
	oracle_access_done(1, A + PG, 1, 9, EACCES);
	oracle_access_predict(2, A + PG, 0, &pd);
	assert_int_equal(pd.flags, ORACLE_MAYPOISON);
	assert_int_equal(oracle_access_check(&pd, 0, EACCES, 0, 0), 1);
	oracle_access_done(2, A + PG, 0, 0, EACCES);
	assert_int_equal(err(0, A + PG, 0), EACCES);
	assert_int_equal(err(0, A + PG, 1), EACCES);
	assert_int_equal(err(1, A + PG, 0), EACCES);
	assert_int_equal(rd(0, A), 3);
	/* MAP_INHERIT_SHARE: one page for both, poisoned for both */
	assert_int_equal(anon(0, B, 1, RW, PRIV, 0), 0);
	wr(0, B, 5);
	assert_int_equal(oracle_fork(0, 3), 0);
	oracle_access_predict(3, B, 1, &pd);
	assert_int_equal(oracle_access_check(&pd, 1, EACCES, 0, 1), 1);
	oracle_access_done(3, B, 1, 6, EACCES);
	assert_int_equal(err(3, B, 0), EACCES);
	assert_int_equal(err(0, B, 0), EACCES);
}

/*
 * Wiring a read-only anonymous range zero-fills its anons (a read fault
 * promotes): after munlock and fork, parent and child share them, so a
 * swap-read error in the parent's next mlock makes the child's pages
 * maybe poisoned too.  A read-only private object page is not copied
 * by wiring: it still follows the object.
 */
static void
test_wire_readonly_anon(void **state)
{
	struct oracle_pred pd;

	assert_int_equal(anon(0, A, 2, RO, PRIV, 1), 0);
	assert_int_equal(oracle_mlock(0, A, 2), 0);
	assert_int_equal(oracle_munlock(0, A, 2), 0);
	assert_int_equal(oracle_fork(0, 1), 0);
	assert_int_equal(oracle_doubt(1, A, 2), 0);
	oracle_maybe_poison(0, A, 2);
	assert_int_equal(oracle_doubt(1, A, 2), 1);
	oracle_access_predict(1, A + PG, 0, &pd);
	assert_int_equal(pd.err, 0);
	assert_int_equal(pd.flags, ORACLE_MAYPOISON);
	assert_int_equal(pd.val, 0);
	/* untouched and not wired: nothing shared, nothing in doubt */
	assert_int_equal(anon(0, B, 1, RO, PRIV, 1), 0);
	assert_int_equal(oracle_fork(0, 2), 0);
	oracle_maybe_poison(0, B, 1);
	assert_int_equal(oracle_doubt(2, B, 1), 0);
	/* a read-only private object mapping wired: no copy */
	assert_int_equal(oracle_mmap(0, B, 1, RO, RWX, PRIV | FIX | OBJ, 1, 0,
	    1, 0), 0);
	assert_int_equal(oracle_mmap(0, B + PG, 1, RW, RWX, SHR | FIX | OBJ, 1,
	    0, 1, 0), 0);
	assert_int_equal(oracle_mlock(0, B, 1), 0);
	wr(0, B + PG, 9);
	assert_int_equal(rd(0, B), 9);
}

/*
 * maybe: what a read of p at addr may return after MADV_FREE: the kept
 * value k or the freed one f (ORACLE_MAYFREED), nothing else
 */
static void
maybe(int p, uint64_t addr, uint64_t k, uint64_t f)
{
	struct oracle_pred pd;

	oracle_access_predict(p, addr, 0, &pd);
	assert_int_equal(pd.err, 0);
	assert_true(pd.flags & ORACLE_MAYFREED);
	assert_int_equal(pd.val, k);
	assert_int_equal(pd.val2, f);
	assert_true(oracle_access_check(&pd, 0, 0, k, 0));
	assert_true(oracle_access_check(&pd, 0, 0, f, 0));
	assert_false(oracle_access_check(&pd, 0, 0, k + f + 1, 0));
}

/* exact: a read of p at addr must return v, and did */
static void
exact(int p, uint64_t addr, uint64_t v)
{
	struct oracle_pred pd;

	oracle_access_predict(p, addr, 0, &pd);
	assert_int_equal(pd.err, 0);
	assert_false(pd.flags & ORACLE_MAYFREED);
	assert_int_equal(pd.val, v);
	oracle_access_done(p, addr, 0, v, 0);
}

/* seen: p read v at addr (accepted), applied */
static void
seen(int p, uint64_t addr, uint64_t v)
{
	struct oracle_pred pd;

	oracle_access_predict(p, addr, 0, &pd);
	assert_true(oracle_access_check(&pd, 0, 0, v, 0));
	oracle_access_done(p, addr, 0, v, 0);
}

/*
 * MADV_FREE of private anonymous memory: page 0 holds 5 (word 0), page
 * 1 holds 6 (word 1).  After FREE each reads its value or 0; reading 0
 * settles page 0 as freed (5 is wrong afterwards), reading 6 settles
 * page 1 as kept (0 is wrong).  FREE again: page 0 (now a zero anon)
 * reads 0 either way; a store of 8 to its word 2 goes to both
 * branches; page 1 is maybe again (6 or 0).  Errors: a hole is EFAULT
 * for DONTNEED and FREE, not for WILLNEED; SPACEAVAIL (5) and 7 EINVAL.
 * WILLNEED and DONTNEED leave page 1 exact.
 */
static void
test_madv_free_anon(void **state)
{
	assert_int_equal(oracle_mmap(0, A, 2, RW, RWX, PRIV | FIX, 1, 0, 0,
	    0), 0);
	wr(0, A, 5);
	wr(0, A + PG + 8, 6);
	assert_int_equal(oracle_madvise(0, A, 2, 3), 0);
	assert_int_equal(oracle_madvise(0, A, 2, 4), 0);
	exact(0, A + PG + 8, 6);
	assert_int_equal(oracle_madvise(0, A, 3, 4), EFAULT);
	assert_int_equal(oracle_madvise(0, A, 3, 6), EFAULT);
	assert_int_equal(oracle_madvise(0, A, 3, 3), 0);
	assert_int_equal(oracle_madvise(0, A, 2, 5), EINVAL);
	assert_int_equal(oracle_madvise(0, A, 2, 7), EINVAL);
	exact(0, A, 5);			/* the EFAULT freed nothing */

	assert_int_equal(oracle_madvise(0, A, 2, 6), 0);
	maybe(0, A, 5, 0);
	maybe(0, A + PG + 8, 6, 0);
	seen(0, A, 0);
	exact(0, A, 0);
	seen(0, A + PG + 8, 6);
	exact(0, A + PG + 8, 6);

	assert_int_equal(oracle_madvise(0, A, 2, 6), 0);
	maybe(0, A, 0, 0);
	wr(0, A + 16, 8);
	maybe(0, A + 16, 8, 8);
	maybe(0, A + PG + 8, 6, 0);
	assert_false(oracle_tainted(0));
}

/*
 * MADV_FREE and other processes.  p0's page holds 5; fork COPY to p1:
 * p0's FREE leaves p1 exact (5) while p0 may read 5 or 0.  With the
 * layer shared (MAP_INHERIT_SHARE, fork to p2) nothing is freed: exact.
 * A wired region is exact too.
 */
static void
test_madv_free_fork(void **state)
{
	assert_int_equal(oracle_mmap(0, A, 1, RW, RWX, PRIV | FIX, 1, 0, 0,
	    0), 0);
	wr(0, A, 5);
	assert_int_equal(oracle_fork(0, 1), 0);
	assert_int_equal(oracle_madvise(0, A, 1, 6), 0);
	exact(1, A, 5);
	maybe(0, A, 5, 0);
	seen(0, A, 0);
	exact(1, A, 5);

	assert_int_equal(oracle_mmap(0, B, 1, RW, RWX, PRIV | FIX, 1, 0, 0,
	    0), 0);
	wr(0, B, 7);
	assert_int_equal(oracle_minherit(0, B, 1, 0), 0);
	assert_int_equal(oracle_fork(0, 2), 0);
	assert_int_equal(oracle_madvise(0, B, 1, 6), 0);
	exact(0, B, 7);
	exact(2, B, 7);

	assert_int_equal(oracle_mlock(1, A, 1), 0);
	assert_int_equal(oracle_madvise(1, A, 1, 6), 0);
	exact(1, A, 5);
}

/*
 * MADV_FREE of object mappings.  Private (object 0): the page written
 * (5) may read 5 or the object's word again.  Shared writable (object
 * 1) after a store: the object's dirty pages are dropped without being
 * written back, their contents are unknown: object 1 and every process
 * mapping it are tainted; a shared mapping never written (object 2)
 * taints nothing (its pages hold their initial data everywhere).
 */
static void
test_madv_free_object(void **state)
{
	assert_int_equal(oracle_mmap(0, A, 1, RW, RWX, PRIV | FIX | OBJ, 1,
	    0, 0, 0), 0);
	wr(0, A, 5);
	assert_int_equal(oracle_madvise(0, A, 1, 6), 0);
	maybe(0, A, 5, OBJ0_W0);
	seen(0, A, OBJ0_W0);
	exact(0, A, OBJ0_W0);

	assert_int_equal(oracle_mmap(0, B, 1, RW, RWX, SHR | FIX | OBJ, 1,
	    0, 2, 0), 0);
	assert_int_equal(oracle_madvise(0, B, 1, 6), 0);
	assert_false(oracle_tainted(0));
	assert_false(oracle_obj_tainted(2));
	wr(0, B, 9);
	assert_int_equal(oracle_fork(0, 1), 0);
	assert_int_equal(oracle_madvise(0, B, 1, 6), 0);
	assert_true(oracle_tainted(0));
	assert_true(oracle_tainted(1));
	assert_true(oracle_obj_tainted(2));
	assert_false(oracle_obj_tainted(0));
}

static void
test_reset(void **state)
{
	assert_int_equal(anon(0, A, 1, RW, PRIV, 1), 0);
	wr(0, A, 5);
	oracle_reset();
	assert_int_equal(oracle_proc_exists(0), 0);
	assert_int_equal(oracle_proc_new(0), 0);
	assert_int_equal(err(0, A, 0), EFAULT);
	assert_int_equal(oracle_mmap(0, A, 1, RW, RO, PRIV | FIX, 1, 0, 0, 0),
	    EACCES);
	assert_int_equal(oracle_mmap(0, A, 1, RW, RW, OBJ | FIX, 1, 0, 0,
	    UVM_SIM_OBJPAGES), EINVAL);
	assert_int_equal(oracle_mmap(0, A, 1, RW, RW, OBJ | FIX, 1, 0, 0,
	    UVM_SIM_OBJPAGES - 1), 0);
}

/*
 * Rule 3.  Program (2 CPUs, one anon page of p0 at 0x10000):
 *	op0 cpu0 mmap		op3 cpu1 write 0x10008 =3 (w)
 *	op1 cpu0 write =1 (s)	op4 cpu0 read 0x10008 (sees w)
 *	op2 cpu1 write =2 (k)	op5 cpu0 read 0x10000
 * plus, in test_mp_reset, op6 cpu1 munmap and op7 cpu1 mmap again.
 */
static const char mp_text[] =
    "config cpus=2\n"
    "cpu0: mmap p0 0x10000 1 rw- private anon\n"
    "cpu0: write p0 0x10000 =1\n"
    "cpu1: write p0 0x10000 =2\n"
    "cpu1: write p0 0x10008 =3\n"
    "cpu0: read p0 0x10008\n"
    "cpu0: read p0 0x10000\n"
    "cpu1: munmap p0 0x10000 1\n"
    "cpu1: mmap p0 0x10000 1 rw- private anon\n";

static struct prog mp_prog;

/* an event of a hand-built run: +op begins, -op ends (op >= 1: op - 1) */
struct mp_ev {
	int		ev;
	uint64_t	val;		/* a read's value, at its end */
};

/*
 * mp_run: feed the events of ops 0..nops-1 of mp_text to the oracle in
 * order (op k on cpu k's CPU, every operation succeeds; an mmap
 * returns 0x10000) and judge.  Returns oracle_mp_finish's result.
 */
static int
mp_run(int nops, const struct mp_ev *ev, int nev,
    struct oracle_mp_finding *f)
{
	char err[256];
	int i, op;

	if (prog_parse(mp_text, strlen(mp_text), "mp.prog", &mp_prog, err,
	    sizeof(err)) != 0)
		fail_msg("parse: %s", err);
	assert_int_equal(mp_prog.nops, 8);
	mp_prog.nops = nops;
	oracle_mp_start(&mp_prog);
	for (i = 0; i < nev; i++) {
		op = (ev[i].ev > 0 ? ev[i].ev : -ev[i].ev) - 1;
		assert_true(op >= 0 && op < nops);
		if (ev[i].ev > 0)
			oracle_mp_begin(mp_prog.ops[op].cpu, op);
		else {
			oracle_mp_result(op, 0, ev[i].val,
			    mp_prog.ops[op].op == PROG_MMAP ? 0x10000 : 0);
			oracle_mp_end(mp_prog.ops[op].cpu, op);
		}
	}
	memset(f, 0, sizeof(*f));
	return oracle_mp_finish(f);
}

/*
 * s ends (step 4) before k begins (5); k ends (6) before w begins (7);
 * cpu0's op4 overlaps w (no sequential replay) and reads 3: cpu0 knows
 * k.  op5 then reads s's 1: rejected, at op 5.  Reading k's 2 instead
 * is accepted.
 */
static void
test_mp_stale_rejected(void **state)
{
	struct mp_ev ev[] = {
		{ 1, 0 }, { -1, 0 }, { 2, 0 }, { -2, 0 }, { 3, 0 }, { -3, 0 },
		{ 4, 0 }, { 5, 0 }, { -4, 0 }, { -5, 3 }, { 6, 0 }, { -6, 1 },
	};
	struct oracle_mp_finding f;

	assert_int_equal(mp_run(6, ev, nitems(ev), &f), -1);
	assert_int_equal(f.op, 5);
	assert_string_equal(f.reason,
	    "read returned a value older than one this CPU saw");
	assert_string_equal(f.detail, "cpu0 got 0x1, but op 2 (steps 5-6) "
	    "overwrote it before a write this CPU saw on the page began "
	    "(step 7, seen by op 4)");
	assert_int_equal(oracle_mp_replayed(), 0);
	assert_int_equal(oracle_mp_monotonic(), 1);

	ev[11].val = 2;
	assert_int_equal(mp_run(6, ev, nitems(ev), &f), 0);
	assert_int_equal(oracle_mp_monotonic(), 1);
}

/* the initial 0 is older than any write: rejected the same way */
static void
test_mp_stale_initial(void **state)
{
	struct mp_ev ev[] = {
		{ 1, 0 }, { -1, 0 }, { 2, 0 }, { -2, 0 }, { 3, 0 }, { -3, 0 },
		{ 4, 0 }, { 5, 0 }, { -4, 0 }, { -5, 3 }, { 6, 0 }, { -6, 0 },
	};
	struct oracle_mp_finding f;

	assert_int_equal(mp_run(6, ev, nitems(ev), &f), -1);
	assert_int_equal(f.op, 5);
	assert_string_equal(f.reason,
	    "read returned a value older than one this CPU saw");
}

/*
 * s and k overlap (k begins at 4, s ends at 5): they are concurrent,
 * either may be last; reading s's 1 after seeing w is accepted.
 */
static void
test_mp_concurrent_accepted(void **state)
{
	const struct mp_ev ev[] = {
		{ 1, 0 }, { -1, 0 }, { 2, 0 }, { 3, 0 }, { -2, 0 }, { -3, 0 },
		{ 4, 0 }, { 5, 0 }, { -4, 0 }, { -5, 3 }, { 6, 0 }, { -6, 1 },
	};
	struct oracle_mp_finding f;

	assert_int_equal(mp_run(6, ev, nitems(ev), &f), 0);
	assert_int_equal(oracle_mp_monotonic(), 1);
}

/*
 * w begins (6) before k ends (7): seeing w tells cpu0 nothing about k;
 * reading 1 is accepted (the only write cpu0 knows overwrote the word,
 * before step 6, is s itself, its own op1).
 */
static void
test_mp_unseen_accepted(void **state)
{
	const struct mp_ev ev[] = {
		{ 1, 0 }, { -1, 0 }, { 2, 0 }, { -2, 0 }, { 3, 0 }, { 4, 0 },
		{ -3, 0 }, { 5, 0 }, { -4, 0 }, { -5, 3 }, { 6, 0 }, { -6, 1 },
	};
	struct oracle_mp_finding f;

	assert_int_equal(mp_run(6, ev, nitems(ev), &f), 0);
	assert_int_equal(oracle_mp_monotonic(), 1);
}

/*
 * cpu1 unmaps and maps the page again after w (ops 6, 7, steps 11-14),
 * before cpu0's op5 (15-16) reads 0: the new page's 0 is accepted.
 * Without the munmap/mmap (first run, 6 ops) the same 0 is rejected.
 */
static void
test_mp_reset_accepted(void **state)
{
	const struct mp_ev ev[] = {
		{ 1, 0 }, { -1, 0 }, { 2, 0 }, { -2, 0 }, { 3, 0 }, { -3, 0 },
		{ 4, 0 }, { 5, 0 }, { -4, 0 }, { -5, 3 }, { 7, 0 }, { -7, 0 },
		{ 8, 0 }, { -8, 0 }, { 6, 0 }, { -6, 0 },
	};
	const struct mp_ev ev6[] = {
		{ 1, 0 }, { -1, 0 }, { 2, 0 }, { -2, 0 }, { 3, 0 }, { -3, 0 },
		{ 4, 0 }, { 5, 0 }, { -4, 0 }, { -5, 3 }, { 6, 0 }, { -6, 0 },
	};
	struct oracle_mp_finding f;

	assert_int_equal(mp_run(6, ev6, nitems(ev6), &f), -1);
	assert_int_equal(mp_run(8, ev, nitems(ev), &f), 0);
}

/*
 * Rule 5 (swapctl order).  Program: op0 cpu0 swapon, op1 cpu1 swapoff
 * (with an injection marker: the rule holds in every run), op2 cpu0
 * swapon.  sw_run feeds "+op" (begin) and "-op" (end, with err) events.
 */
static const char sw_text[] =
    "config cpus=2\n"
    "cpu0: swapon\n"
    "cpu1: swapoff (fail_nth: malloc 2)\n"
    "cpu0: swapon\n";

struct sw_ev {
	int		ev;		/* +op begins, -op ends (op - 1) */
	int		err;		/* at its end */
};

static int
sw_run(const struct sw_ev *ev, int nev, struct oracle_mp_finding *f)
{
	static struct prog sp;
	char err[256];
	int i, op;

	if (prog_parse(sw_text, strlen(sw_text), "sw.prog", &sp, err,
	    sizeof(err)) != 0)
		fail_msg("parse: %s", err);
	assert_int_equal(sp.nops, 3);
	oracle_mp_start(&sp);
	for (i = 0; i < nev; i++) {
		op = (ev[i].ev > 0 ? ev[i].ev : -ev[i].ev) - 1;
		if (ev[i].ev > 0)
			oracle_mp_begin(sp.ops[op].cpu, op);
		else {
			oracle_mp_result(op, ev[i].err, 0, 0);
			oracle_mp_end(sp.ops[op].cpu, op);
		}
	}
	memset(f, 0, sizeof(*f));
	return oracle_mp_finish(f);
}

/*
 * In turn: swapon while on EBUSY, swapoff success (off), swapon success
 * (on): accepted.  The first swapon succeeding instead: rejected at op
 * 0.  The swapoff giving ENXIO while on: rejected at op 1.
 */
static void
test_mp_swapctl_order(void **state)
{
	struct sw_ev ev[] = {
		{ 1, 0 }, { -1, EBUSY }, { 2, 0 }, { -2, 0 }, { 3, 0 }, { -3, 0 },
	};
	struct oracle_mp_finding f;

	assert_int_equal(sw_run(ev, nitems(ev), &f), 0);
	ev[1].err = 0;
	assert_int_equal(sw_run(ev, nitems(ev), &f), -1);
	assert_int_equal(f.op, 0);
	assert_string_equal(f.reason, "swapon outcome differs");
	assert_string_equal(f.detail, "the swap device was on (swapctl "
	    "operations in the order they ran), got success");
	ev[1].err = EBUSY;
	ev[3].err = ENXIO;
	assert_int_equal(sw_run(ev, nitems(ev), &f), -1);
	assert_int_equal(f.op, 1);
	assert_string_equal(f.reason, "swapoff outcome differs");
	/* ENOMEM leaves it on: the last swapon must then be EBUSY */
	ev[3].err = ENOMEM;
	assert_int_equal(sw_run(ev, nitems(ev), &f), -1);
	assert_int_equal(f.op, 2);
	ev[5].err = EBUSY;
	assert_int_equal(sw_run(ev, nitems(ev), &f), 0);
}

/*
 * The swapoff overlaps the second swapon (either may have taken the
 * lock first): the check stops after op 0, so a success of op 2 is not
 * judged; op 0 still is.
 */
static void
test_mp_swapctl_overlap(void **state)
{
	struct sw_ev ev[] = {
		{ 1, 0 }, { -1, EBUSY }, { 2, 0 }, { 3, 0 }, { -3, EBUSY },
		{ -2, 0 },
	};
	struct oracle_mp_finding f;

	assert_int_equal(sw_run(ev, nitems(ev), &f), 0);
	ev[4].err = 0;
	assert_int_equal(sw_run(ev, nitems(ev), &f), 0);
	ev[1].err = 0;
	assert_int_equal(sw_run(ev, nitems(ev), &f), -1);
	assert_int_equal(f.op, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_obj_initial, setup),
		cmocka_unit_test_setup(test_fork_copy, setup),
		cmocka_unit_test_setup(test_share, setup),
		cmocka_unit_test_setup(test_private_object, setup),
		cmocka_unit_test_setup(test_shared_object, setup),
		cmocka_unit_test_setup(test_partial_munmap, setup),
		cmocka_unit_test_setup(test_mprotect, setup),
		cmocka_unit_test_setup(test_mlock, setup),
		cmocka_unit_test_setup(test_inherit_none_zero, setup),
		cmocka_unit_test_setup(test_poison, setup),
		cmocka_unit_test_setup(test_poison_cow_write, setup),
		cmocka_unit_test_setup(test_wire_readonly_anon, setup),
		cmocka_unit_test_setup(test_madv_free_anon, setup),
		cmocka_unit_test_setup(test_madv_free_fork, setup),
		cmocka_unit_test_setup(test_madv_free_object, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test(test_mp_stale_rejected),
		cmocka_unit_test(test_mp_stale_initial),
		cmocka_unit_test(test_mp_concurrent_accepted),
		cmocka_unit_test(test_mp_unseen_accepted),
		cmocka_unit_test(test_mp_reset_accepted),
		cmocka_unit_test(test_mp_swapctl_order),
		cmocka_unit_test(test_mp_swapctl_overlap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
