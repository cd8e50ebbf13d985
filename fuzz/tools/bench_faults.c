/*
 * fuzz/tools/bench_faults.c: single-CPU page faults per second of the
 * model, for a fixed workload, in the locking mode this binary was built
 * with (out/tools/bench_faults: lock-reduced; out/tools-biglock/
 * bench_faults: big-lock).  A benchmark, not a test: it prints numbers.
 *
 * Workload, per round: boot (512 physical pages, 1024 swap slots), map
 * 64 private anonymous pages and 32 pages of a private object mapping,
 * write every anon page (zero-fill, 1A neighbours), fork, write every
 * anon page in the child (1B) and read every object page in both (2A
 * with fault-ahead), write half the object pages in the child (2B), then
 * tear everything down.  It prints rounds, faults (uvmexp's counter),
 * seconds and faults per second.
 *
 * usage: bench_faults [SECONDS]	(default 3)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "sim.h"
#include "uvm_sim.h"

#define PG	4096ULL

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
must(int err, const char *what)
{
	if (err != 0) {
		fprintf(stderr, "bench_faults: %s failed (%d)\n", what, err);
		exit(1);
	}
}

/* one round of the workload; returns the faults it took */
static uint64_t
round_once(void)
{
	struct uvm_sim_config cfg = { 1, 512, 16, 1024 };
	struct uvm_sim_stats st;
	uint64_t a = 0, o = 0, v, i;

	uvm_sim_boot(&cfg);
	must(uvm_sim_proc_new(0), "proc_new");
	must(uvm_sim_mmap(0, &a, 64, 3, 7, 0, 1, 0, 0, 0), "mmap anon");
	must(uvm_sim_mmap(0, &o, 32, 3, 7, UVM_SIM_MAP_OBJECT, 1, 0, 0, 0),
	    "mmap object");
	for (i = 0; i < 64; i++)
		must(uvm_sim_access(0, a + i * PG, 1, &(uint64_t){ i }, NULL),
		    "write");
	must(uvm_sim_fork(0, 1), "fork");
	for (i = 0; i < 64; i++)
		must(uvm_sim_access(1, a + i * PG, 1, &(uint64_t){ i + 1 },
		    NULL), "child write");
	for (i = 0; i < 32; i++) {
		must(uvm_sim_access(0, o + i * PG, 0, &v, NULL), "read");
		must(uvm_sim_access(1, o + i * PG, 0, &v, NULL), "child read");
	}
	for (i = 0; i < 32; i += 2)
		must(uvm_sim_access(1, o + i * PG, 1, &(uint64_t){ i }, NULL),
		    "child object write");
	uvm_sim_stats(&st);
	uvm_sim_shutdown();
	shims_reset();
	return st.faults;
}

int
main(int argc, char **argv)
{
	double secs = 3, t0, t;
	uint64_t faults = 0, rounds = 0;
	char *end;

	if (argc > 2 || (argc == 2 && ((secs = strtod(argv[1], &end)) <= 0 ||
	    *end != '\0'))) {
		fprintf(stderr, "bench_faults: usage: bench_faults "
		    "[SECONDS > 0]\n");
		return 2;
	}
	t0 = now();
	do {
		faults += round_once();
		rounds++;
	} while ((t = now() - t0) < secs);
	printf("%s: %llu rounds, %llu faults in %.2f s: %.0f faults/s\n",
	    uvm_sim_locking_mode(), (unsigned long long)rounds,
	    (unsigned long long)faults, t, faults / t);
	return 0;
}
