/*
 * test_pmap.c: the fake MMU (uvm/pmap.c): page tables, pv lists,
 * referenced/modified bits, wiring, failure injection, and the per-CPU
 * TLBs with deferred shootdowns.
 *
 * Host code (cmocka) linked with libuvm.a and tests/kprobe.o.  It boots
 * the model through the public API (uvm/uvm_sim.h), then calls the pmap
 * and page allocator directly.  The kernel headers cannot be included
 * next to libc's: the prototypes (in plain C types) and the kernel
 * constants (K_*) come from tests/kprobe.h, which tests/kprobe.c checks
 * against the real headers when it is compiled.  Two-CPU cases run on
 * the fiber scheduler (shims/sim.h): CPU 1 keeps a translation in its
 * TLB while CPU 0 removes or reduces the mapping.
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

#define PROT_RW		(K_PROT_READ | K_PROT_WRITE)
#define PG		((unsigned long)UVM_SIM_PAGE_SIZE)
#define VA		0x10000UL

static int
setup(void **state)
{
	struct uvm_sim_config cfg = { .ncpu = 2, .npages = 64,
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

static struct vm_page *
page_get(unsigned long *pap)
{
	struct vm_page *pg = uvm_pagealloc(NULL, 0, NULL, 0);

	assert_non_null(pg);
	*pap = kp_page_phys(pg);
	assert_ptr_equal(PHYS_TO_VM_PAGE(*pap), pg);
	return pg;
}

/* enter, extract, prot, the ref/mod bits, remove */
static void
test_enter_extract_remove(void **state)
{
	struct pmap *pm = pmap_create();
	struct vm_page *pg;
	unsigned long pa, got = 0;
	uint64_t v;
	int wired = -1, stale = -1;

	pg = page_get(&pa);
	pmap_clear_modify(pg);
	pmap_clear_reference(pg);
	assert_int_equal(pmap_enter(pm, VA, pa, K_PROT_READ, K_PROT_READ), 0);
	assert_true(pmap_extract(pm, VA + 0x123, &got));
	assert_int_equal(got, pa + 0x123);
	assert_false(pmap_extract(pm, VA + PG, NULL));
	assert_int_equal(pmap_prot(pm, VA, &wired), K_PROT_READ);
	assert_int_equal(wired, 0);
	assert_int_equal(pmap_prot(pm, VA + PG, NULL), -1);
	assert_true(pmap_is_referenced(pg));
	assert_false(pmap_is_modified(pg));

	/* a store through a read-only translation is refused */
	v = 7;
	assert_int_equal(pmap_mmu_access(pm, VA, K_PROT_WRITE, &v, &stale),
	    K_EACCES);
	assert_false(pmap_is_modified(pg));
	/* same page again with write: the new protection replaces it */
	assert_int_equal(pmap_enter(pm, VA, pa, PROT_RW, K_PROT_WRITE), 0);
	assert_true(pmap_is_modified(pg));
	assert_int_equal(pmap_mmu_access(pm, VA + 8, K_PROT_WRITE, &v, &stale),
	    0);
	assert_int_equal(stale, 0);
	v = 0;
	assert_int_equal(pmap_mmu_access(pm, VA + 13, K_PROT_READ, &v, &stale),
	    0);
	assert_int_equal(v, 7);		/* aligned down to the word at 8 */

	/* the MMU sets the bits in the pte; they survive the removal */
	assert_true(pmap_clear_modify(pg));
	assert_false(pmap_is_modified(pg));
	assert_int_equal(pmap_mmu_access(pm, VA, K_PROT_READ, &v, &stale), 0);
	assert_false(pmap_is_modified(pg));
	assert_int_equal(pmap_mmu_access(pm, VA + 8, K_PROT_WRITE, &v, &stale),
	    0);
	assert_true(pmap_is_modified(pg));

	/* removal: the current CPU's TLB is flushed at once */
	pmap_remove(pm, VA, VA + PG);
	assert_true(pmap_is_modified(pg));
	assert_true(pmap_clear_reference(pg));
	assert_false(pmap_is_referenced(pg));
	assert_false(pmap_extract(pm, VA, NULL));
	assert_int_equal(pmap_mmu_access(pm, VA, K_PROT_READ, &v, &stale),
	    K_EFAULT);
	assert_int_equal(stale, 0);
	pmap_update(pm);
	pmap_destroy(pm);
	uvm_pagefree(pg);
}

/* pv lists: every mapping of a page, reduced or removed at once */
static void
test_page_protect(void **state)
{
	struct pmap *pm1 = pmap_create(), *pm2 = pmap_create();
	struct vm_page *pg, *pg2;
	unsigned long pa, pa2;

	pg = page_get(&pa);
	pg2 = page_get(&pa2);
	assert_int_equal(pmap_enter(pm1, VA, pa, PROT_RW, 0), 0);
	assert_int_equal(pmap_enter(pm1, VA + 4 * PG, pa, PROT_RW, 0), 0);
	assert_int_equal(pmap_enter(pm2, VA, pa, PROT_RW, K_PMAP_WIRED), 0);
	assert_int_equal(pmap_enter(pm2, VA + PG, pa2, PROT_RW, 0), 0);

	pmap_page_protect(pg, K_PROT_READ);
	assert_int_equal(pmap_prot(pm1, VA, NULL), K_PROT_READ);
	assert_int_equal(pmap_prot(pm1, VA + 4 * PG, NULL), K_PROT_READ);
	assert_int_equal(pmap_prot(pm2, VA, NULL), K_PROT_READ);
	assert_int_equal(pmap_prot(pm2, VA + PG, NULL), PROT_RW);

	/* replacing pm1's VA with pg2 takes it off pg's pv list */
	assert_int_equal(pmap_enter(pm1, VA, pa2, PROT_RW, 0), 0);
	pmap_page_protect(pg, 0);
	assert_false(pmap_extract(pm1, VA + 4 * PG, NULL));
	assert_false(pmap_extract(pm2, VA, NULL));	/* wired too */
	assert_true(pmap_extract(pm1, VA, NULL));
	assert_true(pmap_extract(pm2, VA + PG, NULL));
	uvm_pagefree(pg);		/* panics if a pv entry were left */

	pmap_page_protect(pg2, 0);
	assert_false(pmap_extract(pm1, VA, NULL));
	assert_false(pmap_extract(pm2, VA + PG, NULL));
	uvm_pagefree(pg2);
	pmap_destroy(pm1);
	pmap_destroy(pm2);
}

/* wiring and pmap_protect; pmap_destroy removes what is left */
static void
test_wire_protect(void **state)
{
	struct pmap *pm = pmap_create();
	struct vm_page *pg;
	unsigned long pa, va;
	uint64_t v = 1;
	int wired = 0, stale;

	pg = page_get(&pa);
	for (va = VA; va < VA + 3 * PG; va += PG)
		assert_int_equal(pmap_enter(pm, va, pa, PROT_RW,
		    K_PMAP_WIRED), 0);
	assert_int_equal(pmap_prot(pm, VA + PG, &wired), PROT_RW);
	assert_int_equal(wired, 1);
	pmap_unwire(pm, VA + PG);
	pmap_prot(pm, VA + PG, &wired);
	assert_int_equal(wired, 0);
	pmap_unwire(pm, VA + 9 * PG);		/* unmapped: ignored */

	assert_int_equal(pmap_mmu_access(pm, VA + PG, K_PROT_WRITE, &v,
	    &stale), 0);
	pmap_protect(pm, VA + PG, VA + 2 * PG, K_PROT_READ);
	assert_int_equal(pmap_mmu_access(pm, VA + PG, K_PROT_WRITE, &v,
	    &stale), K_EACCES);
	assert_int_equal(pmap_mmu_access(pm, VA + PG, K_PROT_READ, &v,
	    &stale), 0);
	assert_int_equal(v, 1);
	assert_int_equal(pmap_prot(pm, VA, NULL), PROT_RW);
	pmap_protect(pm, VA, VA + 3 * PG, 0);	/* PROT_NONE removes */
	assert_false(pmap_extract(pm, VA, NULL));
	assert_false(pmap_extract(pm, VA + 2 * PG, NULL));

	assert_int_equal(pmap_enter(pm, VA, pa, PROT_RW, K_PMAP_WIRED), 0);
	pmap_destroy(pm);
	uvm_pagefree(pg);		/* the pv entry went with the pmap */
}

/* PMAP_CANFAIL: an injected failure returns ENOMEM and maps nothing */
static void
test_enter_canfail(void **state)
{
	struct pmap *pm = pmap_create();
	struct vm_page *pg;
	unsigned long pa;

	pg = page_get(&pa);
	inject_arm_nth(K_INJ_PMAP_ENTER, 1);
	assert_int_equal(pmap_enter(pm, VA, pa, PROT_RW, K_PMAP_CANFAIL),
	    K_ENOMEM);
	assert_false(pmap_extract(pm, VA, NULL));
	assert_int_equal(inject_nfired(K_INJ_PMAP_ENTER), 1);
	assert_int_equal(pmap_enter(pm, VA, pa, PROT_RW, K_PMAP_CANFAIL), 0);
	assert_true(pmap_extract(pm, VA, NULL));
	inject_disarm_all();
	pmap_destroy(pm);
	uvm_pagefree(pg);
}

/*
 * Two CPUs.  CPU 1 caches the translation; CPU 0 changes the page table
 * (remove, protect or page_protect, chosen by `op').  The steps are
 * sequenced by `step' (each CPU spins on preempt() for its turn).
 */
struct tlbcase {
	struct pmap	*pm;
	struct vm_page	*pg;
	unsigned long	 pa;
	int		 op;	/* 0 remove, 1 protect RO, 2 page_protect */
	int		 step;
	int		 err[6], stale[6];
	uint64_t	 val[6];
};

static void
wait_step(struct tlbcase *tc, int n)
{
	while (__atomic_load_n(&tc->step, __ATOMIC_SEQ_CST) != n)
		preempt();
}

static void
set_step(struct tlbcase *tc, int n)
{
	__atomic_store_n(&tc->step, n, __ATOMIC_SEQ_CST);
}

static void
tlb_cpu(int cpu, void *arg)
{
	struct tlbcase *tc = arg;
	int wr = tc->op == 1 ? K_PROT_WRITE : K_PROT_READ;

	if (cpu == 1) {
		tc->val[0] = 42;
		tc->err[0] = pmap_mmu_access(tc->pm, VA, K_PROT_WRITE,
		    &tc->val[0], &tc->stale[0]);
		set_step(tc, 1);
		wait_step(tc, 2);
		tc->val[2] = 43;	/* a store for op 1, else a load */
		tc->err[2] = pmap_mmu_access(tc->pm, VA, wr, &tc->val[2],
		    &tc->stale[2]);
		set_step(tc, 3);
		wait_step(tc, 4);
		tc->err[4] = pmap_mmu_access(tc->pm, VA, wr, &tc->val[4],
		    &tc->stale[4]);
		set_step(tc, 5);
		return;
	}
	wait_step(tc, 1);
	tc->err[1] = pmap_mmu_access(tc->pm, VA, K_PROT_READ, &tc->val[1],
	    &tc->stale[1]);			/* CPU 0's TLB too */
	if (tc->op == 0)
		pmap_remove(tc->pm, VA, VA + PG);
	else if (tc->op == 1)
		pmap_protect(tc->pm, VA, VA + PG, K_PROT_READ);
	else
		pmap_page_protect(tc->pg, 0);
	tc->err[3] = pmap_mmu_access(tc->pm, VA, wr, &tc->val[3],
	    &tc->stale[3]);			/* flushed at once here */
	set_step(tc, 2);
	wait_step(tc, 3);
	pmap_update(tc->pm);
	set_step(tc, 4);
	wait_step(tc, 5);
}

static void
run_tlbcase(struct tlbcase *tc, int op)
{
	static const uint8_t sched[] = { 0, 1, 1, 0, 1, 0 };
	struct sched_config sc = { .ncpu = 2, .backend = SCHED_FIBERS,
	    .sched = sched, .schedlen = sizeof(sched), .seed = 1 };

	memset(tc, 0, sizeof(*tc));
	tc->op = op;
	tc->pm = pmap_create();
	tc->pg = page_get(&tc->pa);
	assert_int_equal(pmap_enter(tc->pm, VA, tc->pa, PROT_RW, 0), 0);
	assert_int_equal(sched_run(&sc, tlb_cpu, tc), SCHED_DONE);
	assert_int_equal(tc->err[0], 0);
	assert_int_equal(tc->stale[0], 0);
	assert_int_equal(tc->err[1], 0);
	assert_int_equal(tc->val[1], 42);
}

static void
tlbcase_done(struct tlbcase *tc)
{
	pmap_destroy(tc->pm);
	pmap_page_protect(tc->pg, 0);
	uvm_pagefree(tc->pg);
}

/* pmap_remove: CPU 1 keeps its stale translation until pmap_update */
static void
test_tlb_remove(void **state)
{
	struct tlbcase tc;

	run_tlbcase(&tc, 0);
	assert_int_equal(tc.err[3], K_EFAULT);	/* CPU 0: gone at once */
	assert_int_equal(tc.stale[3], 0);
	assert_int_equal(tc.err[2], 0);		/* CPU 1: stale hit */
	assert_int_equal(tc.stale[2], 1);
	assert_int_equal(tc.val[2], 42);
	assert_int_equal(tc.err[4], K_EFAULT);	/* after pmap_update */
	assert_int_equal(tc.stale[4], 0);
	tlbcase_done(&tc);
}

/* pmap_protect to read-only: CPU 1 can still store until pmap_update */
static void
test_tlb_protect(void **state)
{
	struct tlbcase tc;
	uint64_t v = 0;
	int stale;

	run_tlbcase(&tc, 1);
	assert_int_equal(tc.err[3], K_EACCES);
	assert_int_equal(tc.err[2], 0);
	assert_int_equal(tc.stale[2], 1);
	assert_int_equal(tc.err[4], K_EACCES);
	assert_int_equal(pmap_mmu_access(tc.pm, VA, K_PROT_READ, &v, &stale),
	    0);
	assert_int_equal(v, 43);		/* the stale store landed */
	tlbcase_done(&tc);
}

/* pmap_page_protect shoots down every CPU before returning */
static void
test_tlb_page_protect(void **state)
{
	struct tlbcase tc;

	run_tlbcase(&tc, 2);
	assert_int_equal(tc.err[3], K_EFAULT);
	assert_int_equal(tc.err[2], K_EFAULT);
	assert_int_equal(tc.stale[2], 0);
	assert_int_equal(tc.err[4], K_EFAULT);
	tlbcase_done(&tc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enter_extract_remove,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_protect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wire_protect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_enter_canfail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tlb_remove, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tlb_protect, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tlb_page_protect, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
