/*
 * tests/simfix.h: the cmocka fixture of the tests that drive the model
 * through uvm_sim.h (boot, teardown with a full check, anonymous
 * memory filled with known values, reads and writes that must succeed).
 * Include after <cmocka.h>, "uvm/uvm_sim.h" and "shims/sim.h".
 */
#ifndef _TESTS_SIMFIX_H_
#define _TESTS_SIMFIX_H_

#define SIMFIX_PG	((uint64_t)UVM_SIM_PAGE_SIZE)

/* a kernel panic fails the running test with its message */
static void
simfix_panic_hook(const char *msg)
{
	fail_msg("panic: %s", msg);
}

/* boot the model (sizes in pages) with process 0 */
static void
simfix_boot(int ncpu, int npages, int freetarg, int nswap)
{
	struct uvm_sim_config cfg = {
		.ncpu = ncpu, .npages = npages, .freetarg = freetarg,
		.nswap = nswap
	};

	shims_set_panic_hook(simfix_panic_hook);
	uvm_sim_boot(&cfg);
	assert_int_equal(uvm_sim_proc_new(0), 0);
}

/* cmocka teardown: disarm injection, check every invariant, shut down */
static int
simfix_teardown(void **state)
{
	(void)state;
	inject_disarm_all();
	uvm_sim_check();
	uvm_sim_shutdown();
	return 0;
}

/*
 * npages of private anonymous rw- memory (maxprot rwx, inherit copy,
 * advice adv) at the fixed address addr (bytes) of process p; page i
 * holds 500 + i in its first word
 */
static void
simfix_map_written(int p, uint64_t addr, uint64_t npages, int adv)
{
	uint64_t a = addr, i, v;

	assert_int_equal(uvm_sim_mmap(p, &a, npages, 3, 7,
	    UVM_SIM_MAP_FIXED, 1, adv, 0, 0), 0);
	for (i = 0; i < npages; i++) {
		v = 500 + i;
		assert_int_equal(uvm_sim_access(p, addr + i * SIMFIX_PG, 1,
		    &v, NULL), 0);
	}
}

#endif /* _TESTS_SIMFIX_H_ */
