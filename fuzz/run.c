/*
 * fuzz/run.c: the runner (see run.h): one program, model and oracle.
 *
 * Comparison rules with the oracle (one program CPU only):
 *   - accesses: the error (0, EFAULT, EACCES) and a read's value must
 *     match exactly.  Exceptions: an access during which an injected
 *     swap-read error fired may fail with EACCES (the page is then
 *     poisoned in the oracle too); ENOMEM means the model killed the
 *     process for lack of memory: it is exited in both, not a finding.
 *   - map operations: only success against failure is compared (which
 *     errno the model picks among several bad arguments is its own
 *     business).  ENOMEM from the model is a resource failure, never a
 *     finding: the oracle is not told about the operation (mmap, fork).
 *     mlock faults pages in, and so does mprotect giving PROT_WRITE to a
 *     wired private mapping, so they may also fail on a poisoned page: a
 *     failure for lack of memory, from a swap-read error during it, or
 *     on a "maybe poisoned" page is accepted and taints the process
 *     (its private object pages may have been copied at an unknown
 *     point: its reads are no longer compared, nor its mlocks).  A
 *     swap-read error during mlock or fork makes the pages involved
 *     "maybe poisoned": a later access may fail with EACCES (then they
 *     are poisoned) or succeed (then they are not).
 *   - swapoff/swapon (swapctl of the one swap device) never change
 *     what a read returns.  swapon: EBUSY exactly when the oracle's
 *     device is on.  swapoff: ENXIO exactly when it is off; else
 *     success, or ENOMEM (memory too short to page everything in: the
 *     device stays on, not a finding); EBUSY only if the pagedaemon
 *     CPU was still running when it began (an anon freed while its
 *     page was being written out holds its slot outside every amap
 *     until the pagedaemon releases it; the pagedaemon creates no
 *     amap, so nothing else can leave a slot behind the walk with one
 *     program CPU).  An injected
 *     swap-read error during swapoff loses the data of one anon, any
 *     process's: every anon page of every process becomes "maybe
 *     poisoned", as a swap-read error during fork does for the parent.
 *   - madvise(MADV_FREE) makes pages "maybe freed" (fuzz/oracle.h): a
 *     read may return either value, and the value it returned settles
 *     the page in the oracle (oracle_access_done gets it).
 *   - at the end, every object word the program touched must hold what
 *     the oracle says (a private write leaking into the object), except
 *     in an object whose dirty pages a MADV_FREE dropped.
 * With several program CPUs (fibers) the concurrency oracle judges
 * the run (fuzz/oracle_mp.h: provenance of every value read; exact
 * comparison when the CPUs' operations did not overlap); with threads
 * only panics, invariants and livelocks are findings.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uvm_sim.h"
#include "uvm_check.h"
#include "sim.h"
#include "fuzz/prog.h"
#include "fuzz/oracle.h"
#include "fuzz/oracle_mp.h"
#include "fuzz/run.h"

#define INJ_SWAP_READ_POINT	3	/* enum inject_point INJ_SWAP_READ */
#define RUN_MAXCPU		(PROG_MAXCPU + 1)	/* + pagedaemon CPU */
#define RUN_MAXOBJWORDS		PROG_MAXOPS	/* one per access at most */

/* the run in progress (read by the panic hook) */
static struct {
	const struct prog *p;
	struct run_opts	*o;
	int		 oracle;	/* compare with the oracle */
	int		 mp;		/* several CPUs: oracle_mp */
	int		 opcheck;	/* uvm_sim_check after each op */
	int		 ncpu;		/* program CPUs */
	int		 pddone;	/* the pagedaemon CPU finished */
	volatile int	 cur[RUN_MAXCPU]; /* op running per CPU, -1 none */
	int		 nthreads[PROG_MAXPROC];
	int		 nobjwords;	/* object words accessed ... */
	struct { int obj; uint64_t off; } objwords[RUN_MAXOBJWORDS];
} run;

static struct run_opts run_defopts;

/* report: the operation, or where each CPU was */
static void
report_where(int opidx)
{
	int c;

	if (opidx >= 0) {
		fprintf(stderr, "uvmfuzz: op %d: ", opidx);
		prog_print_op(stderr, &run.p->ops[opidx]);
		fputc('\n', stderr);
		return;
	}
	/* atomics: the panicking CPU reads the others' (TSan) */
	for (c = 0; c < RUN_MAXCPU; c++) {
		if ((opidx = __atomic_load_n(&run.cur[c], __ATOMIC_RELAXED)) < 0)
			continue;
		fprintf(stderr, "uvmfuzz: cpu%d at op %d: ", c, opidx);
		prog_print_op(stderr, &run.p->ops[opidx]);
		fputc('\n', stderr);
	}
}

static void
report_prog(void)
{
	fprintf(stderr, "uvmfuzz: program:\n");
	prog_print(stderr, run.p);
	fflush(stderr);
}

/*
 * finding: print the report (kind, reason, the operation, the detail
 * line, the program) and abort.  opidx -1: the end of the run.
 */
static void __attribute__((noreturn, format(printf, 4, 5)))
finding(const char *kind, const char *reason, int opidx,
    const char *detailfmt, ...)
{
	va_list ap;

	fprintf(stderr, "uvmfuzz: finding: %s: %s\n", kind, reason);
	if (opidx >= 0)
		report_where(opidx);
	else
		fprintf(stderr, "uvmfuzz: at the end of the run\n");
	if (detailfmt != NULL) {
		fprintf(stderr, "uvmfuzz: ");
		va_start(ap, detailfmt);
		vfprintf(stderr, detailfmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	report_prog();
	abort();
}

/*
 * panic_hook: the shims call it on panic (KASSERT, lock checks,
 * deadlock, invariant violation) before aborting: classify the message
 * and print where each CPU was and the program.
 */
static void
panic_hook(const char *msg)
{
	const char *kind = "panic";

	if (run.p == NULL)
		return;
	if (strncmp(msg, "invariant", 9) == 0)
		kind = "invariant";
	else if (strstr(msg, "deadlock") != NULL)
		kind = "deadlock";
	else if (strstr(msg, "lock order") != NULL ||
	    strncmp(msg, "witness", 7) == 0)
		kind = "lock-order";
	fprintf(stderr, "uvmfuzz: finding: %s: %s\n", kind, msg);
	report_where(-1);
	report_prog();
}

const char *
run_errname(int err)
{
	switch (err) {
	case 0:		return "success";
	case EFAULT:	return "EFAULT";
	case EACCES:	return "EACCES";
	case ENOMEM:	return "ENOMEM";
	case EINVAL:	return "EINVAL";
	case ESRCH:	return "ESRCH";
	case EBUSY:	return "EBUSY";
	case ENXIO:	return "ENXIO";
	default:	return "an error";
	}
}

/* mapop_compare: success vs failure of a map operation */
static void
mapop_compare(int i, int merr, int oerr)
{
	if ((merr == 0) == (oerr == 0))
		return;
	finding("oracle", merr == 0 ? "operation should have failed" :
	    "operation should have succeeded", i,
	    "expected %s, got %s", run_errname(oerr), run_errname(merr));
}

static void
op_mmap(int i, const struct prog_op *op)
{
	uint64_t addr = (op->flags & UVM_SIM_MAP_FIXED) ? op->addr : 0;
	int obj = (op->flags & UVM_SIM_MAP_OBJECT) ? op->obj : 0;
	int merr, oerr;

	merr = uvm_sim_mmap(op->proc, &addr, op->npages, op->prot,
	    op->maxprot, op->flags, op->inherit, op->advice, obj, op->objoff);
	oracle_mp_result(i, merr, 0, addr);
	if (!run.oracle || merr == ENOMEM)
		return;
	/* a failed "anywhere" mmap: the oracle checks the arguments only */
	if (merr != 0 && !(op->flags & UVM_SIM_MAP_FIXED))
		addr = 0;
	oerr = oracle_mmap(op->proc, addr, op->npages, op->prot, op->maxprot,
	    op->flags, op->inherit, op->advice, obj, op->objoff);
	if (merr == 0 && oerr == ENOMEM && !(op->flags & UVM_SIM_MAP_FIXED))
		finding("oracle", "mmap chose a used range", i,
		    "got address 0x%llx", (unsigned long long)addr);
	mapop_compare(i, merr, oerr);
}

/*
 * op_wire: mlock, or mprotect (which wires again a wired private
 * mapping given PROT_WRITE): both fault pages in.  A failure for lack
 * of memory, from an injected swap-read error, or on a page that may
 * be poisoned is accepted: the process is tainted and the range maybe
 * poisoned.  A tainted process's wiring is not compared (its poisoning
 * is unknown).
 */
static void
op_wire(int i, const struct prog_op *op)
{
	uint64_t nf = inject_nfired(INJ_SWAP_READ_POINT);
	int merr, oerr, swapfail, doubt, mlock = op->op == PROG_MLOCK;

	if (mlock)
		merr = uvm_sim_mlock(op->proc, op->addr, op->npages);
	else
		merr = uvm_sim_mprotect(op->proc, op->addr, op->npages,
		    op->prot);
	swapfail = inject_nfired(INJ_SWAP_READ_POINT) != nf;
	oracle_mp_result(i, merr, 0, 0);
	if (!run.oracle)
		return;
	/* the anon that failed was read before any copy: doubt first */
	if (swapfail)
		oracle_maybe_poison(op->proc, op->addr, op->npages);
	doubt = oracle_tainted(op->proc) ||
	    oracle_doubt(op->proc, op->addr, op->npages);
	oerr = mlock ? oracle_mlock(op->proc, op->addr, op->npages) :
	    oracle_mprotect(op->proc, op->addr, op->npages, op->prot);
	if (merr != 0 && oerr == 0 && (merr == ENOMEM || swapfail || doubt)) {
		oracle_taint(op->proc);
		return;
	}
	/* the oracle's failure on a page that may be poisoned is a guess */
	if (merr == 0 && oerr != 0 && doubt) {
		oracle_taint(op->proc);
		return;
	}
	mapop_compare(i, merr, oerr);
}

static void
op_fork(int i, const struct prog_op *op)
{
	int merr, oerr;

	merr = uvm_sim_fork(op->proc, op->proc2);
	oracle_mp_result(i, merr, 0, 0);
	if (merr == 0 && run.nthreads[op->proc2] > 1)
		uvm_sim_set_threads(op->proc2, run.nthreads[op->proc2]);
	if (!run.oracle || merr == ENOMEM)
		return;
	oerr = oracle_fork(op->proc, op->proc2);
	mapop_compare(i, merr, oerr);
}

/*
 * op_access: a load or store, predicted by the oracle, done by the
 * model, compared, then applied to the oracle.
 */
static void
op_access(int i, const struct prog_op *op, int write)
{
	struct oracle_pred pd;
	uint64_t val = write ? op->value : 0, nf;
	int err, nocheck;

	if (run.oracle) {
		oracle_access_predict(op->proc, op->addr, write, &pd);
		if (pd.obj >= 0 && run.nobjwords < RUN_MAXOBJWORDS) {
			run.objwords[run.nobjwords].obj = pd.obj;
			run.objwords[run.nobjwords++].off = pd.objoff;
		}
	}
	nf = inject_nfired(INJ_SWAP_READ_POINT);
	err = uvm_sim_access(op->proc, op->addr, write, &val, NULL);
	oracle_mp_result(i, err, val, 0);
	if (err == ENOMEM) {
		/* killed for lack of memory (one CPU: nobody else in it) */
		if (run.ncpu == 1) {
			(void)uvm_sim_exit(op->proc);
			if (run.oracle)
				(void)oracle_exit(op->proc);
		}
		return;
	}
	if (!run.oracle)
		return;
	/* judged as if untainted; a tainted process's mismatch is let go */
	nocheck = pd.flags & ORACLE_NOCHECK;
	pd.flags &= ~ORACLE_NOCHECK;
	if (!oracle_access_check(&pd, write, err, val,
	    inject_nfired(INJ_SWAP_READ_POINT) != nf)) {
		if (nocheck)
			return;		/* keep the oracle's view */
		if (pd.err != err)
			finding("oracle", write ? "write outcome differs" :
			    "read outcome differs", i, "expected %s, got %s",
			    run_errname(pd.err), run_errname(err));
		finding("oracle", "read returned a wrong value", i,
		    "expected 0x%llx, got 0x%llx",
		    (unsigned long long)pd.val, (unsigned long long)val);
	}
	if (run.o != NULL && !nocheck)
		run.o->compared++;
	oracle_access_done(op->proc, op->addr, write,
	    write ? op->value : val, err);
}

/*
 * op_swapctl: swapoff or swapon, judged as the header says.  A failed
 * swapoff leaves the oracle's device on.
 */
static void
op_swapctl(int i, const struct prog_op *op)
{
	uint64_t nf = inject_nfired(INJ_SWAP_READ_POINT);
	int m, o, off = op->op == PROG_SWAPOFF, pdrun;

	pdrun = run.p->cfg.pdpasses > 0 &&
	    !__atomic_load_n(&run.pddone, __ATOMIC_RELAXED);
	m = off ? uvm_sim_swapoff() : uvm_sim_swapon();
	oracle_mp_result(i, m, 0, 0);
	if (!run.oracle)
		return;
	if (off && inject_nfired(INJ_SWAP_READ_POINT) != nf)
		oracle_maybe_poison_anons();
	o = off ? oracle_swapoff() : oracle_swapon();
	if (off && o == 0 && (m == ENOMEM || (m == EBUSY && pdrun))) {
		oracle_swapoff_failed();
		return;
	}
	if (m != o)
		finding("oracle", off ? (m == EBUSY ? "swapoff busy with no "
		    "concurrent operation or pagedaemon" :
		    "swapoff outcome differs") :
		    "swapon outcome differs", i, "expected %s, got %s",
		    run_errname(o), run_errname(m));
}

/* run_op: operation i, on its CPU */
static void
run_op(int i)
{
	const struct prog_op *op = &run.p->ops[i];
	uint64_t nf = 0;
	int m, o = 0;

	if (op->inj_point != PROG_INJ_NOPOINT)
		inject_arm_nth(op->inj_point, op->inj_nth);
	if (run.oracle)
		nf = inject_nfired(INJ_SWAP_READ_POINT);
	switch (op->op) {
	case PROG_MMAP:
		op_mmap(i, op);
		return;
	case PROG_MUNMAP:
		m = uvm_sim_munmap(op->proc, op->addr, op->npages);
		if (run.oracle)
			o = oracle_munmap(op->proc, op->addr, op->npages);
		break;
	case PROG_MPROTECT:
		op_wire(i, op);
		return;
	case PROG_MADVISE:
		m = uvm_sim_madvise(op->proc, op->addr, op->npages,
		    op->advice);
		if (run.oracle)
			o = oracle_madvise(op->proc, op->addr, op->npages,
			    op->advice);
		break;
	case PROG_MINHERIT:
		m = uvm_sim_minherit(op->proc, op->addr, op->npages,
		    op->inherit);
		if (run.oracle)
			o = oracle_minherit(op->proc, op->addr, op->npages,
			    op->inherit);
		break;
	case PROG_MLOCK:
		op_wire(i, op);
		return;
	case PROG_MUNLOCK:
		m = uvm_sim_munlock(op->proc, op->addr, op->npages);
		if (run.oracle)
			o = oracle_munlock(op->proc, op->addr, op->npages);
		break;
	case PROG_FORK:
		op_fork(i, op);
		if (run.oracle && inject_nfired(INJ_SWAP_READ_POINT) != nf)
			oracle_maybe_poison(op->proc, 0, 0);
		return;
	case PROG_EXIT:
		m = uvm_sim_exit(op->proc);
		if (run.oracle)
			o = oracle_exit(op->proc);
		break;
	case PROG_READ:
	case PROG_WRITE:
		op_access(i, op, op->op == PROG_WRITE);
		return;
	case PROG_PAGEDAEMON:
		(void)uvm_sim_pagedaemon((int)op->npages);
		return;
	case PROG_SWAPOFF:
	case PROG_SWAPON:
		op_swapctl(i, op);
		return;
	default:
		return;
	}
	oracle_mp_result(i, m, 0, 0);
	if (run.oracle)
		mapop_compare(i, m, o);
}

/* faults taken so far (uvm_fault() counts every entry first thing) */
static uint64_t
run_nfaults(void)
{
	struct uvm_sim_stats st;

	uvm_sim_stats(&st);
	return st.faults;
}

/*
 * run_cpu: one simulated CPU's stream (or the pagedaemon CPU's).  With
 * one CPU the invariants are checked after every operation that could
 * change what they look at: every operation but a read or write that
 * the MMU served without entering uvm_fault() (it changes only the
 * MMU's referenced/modified bits and TLB, which no invariant reads).
 * The check at the end of the run is always complete.
 */
static void
run_cpu(int cpu, void *arg)
{
	const struct prog *p = run.p;
	uint64_t nfaults = 0;
	int i, access;

	if (cpu == p->cfg.ncpu) {
		for (i = 0; i < p->cfg.pdpasses; i++)
			(void)uvm_sim_pagedaemon(p->cfg.pdpages);
		__atomic_store_n(&run.pddone, 1, __ATOMIC_RELAXED);
		oracle_mp_pdaemon_done();
		return;
	}
	for (i = 0; i < p->nops; i++) {
		if (p->ops[i].cpu != cpu)
			continue;
		__atomic_store_n(&run.cur[cpu], i, __ATOMIC_RELAXED);
		access = p->ops[i].op == PROG_READ ||
		    p->ops[i].op == PROG_WRITE;
		if (run.opcheck && access)
			nfaults = run_nfaults();
		oracle_mp_begin(cpu, i);
		run_op(i);
		oracle_mp_end(cpu, i);
		if (run.opcheck && !(access && run_nfaults() == nfaults))
			uvm_sim_check();
	}
	__atomic_store_n(&run.cur[cpu], -1, __ATOMIC_RELAXED);
}

/* count_threads: how many program CPUs act on each process */
static void
count_threads(const struct prog *p)
{
	unsigned int seen[PROG_MAXPROC];
	int i, q;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < p->nops; i++)
		if (p->ops[i].proc < PROG_MAXPROC)
			seen[p->ops[i].proc] |= 1U << p->ops[i].cpu;
	for (q = 0; q < PROG_MAXPROC; q++)
		run.nthreads[q] = __builtin_popcount(seen[q]);
}

/* check_objects: every object word touched holds the oracle's value */
static void
check_objects(void)
{
	uint64_t off, want, got;
	int i, obj;

	for (i = 0; i < run.nobjwords; i++) {
		obj = run.objwords[i].obj;
		off = run.objwords[i].off;
		if (oracle_obj_tainted(obj))
			continue;	/* MADV_FREE dropped dirty pages */
		want = oracle_obj_word(obj, off);
		got = uvm_sim_obj_peek(obj, off);
		if (want != got)
			finding("oracle", "object contents differ", -1,
			    "object %d offset 0x%llx: expected 0x%llx, "
			    "got 0x%llx", obj, (unsigned long long)off,
			    (unsigned long long)want, (unsigned long long)got);
	}
}

/* boot: the model with p's configuration, process 0, the plan armed */
static void
boot(const struct prog *p)
{
	struct uvm_sim_config cfg;
	int k;

	memset(&cfg, 0, sizeof(cfg));
	cfg.ncpu = p->cfg.ncpu + (p->cfg.pdpasses > 0);
	cfg.npages = p->cfg.npages;
	cfg.freetarg = p->cfg.freetarg;
	cfg.nswap = p->cfg.nswap;
	uvm_sim_boot(&cfg);
	uvm_check_reset();
	(void)uvm_sim_proc_new(0);
	if (run.oracle) {
		oracle_reset();
		(void)oracle_proc_new(0);
	}
	if (p->cfg.ncpu > 1 && run.nthreads[0] > 1)
		uvm_sim_set_threads(0, run.nthreads[0]);
	for (k = 0; k < PROG_NINJECT; k++) {
		if (p->cfg.inject[k].mode == PROG_INJ_NTH)
			inject_arm_nth(k, (unsigned int)p->cfg.inject[k].arg);
		else if (p->cfg.inject[k].mode == PROG_INJ_PATTERN)
			inject_arm_pattern(k, p->cfg.inject[k].arg);
	}
}

int
run_prog(const struct prog *p, struct run_opts *o)
{
	struct sched_config sc;
	struct oracle_mp_finding f;
	int c, single;

	if (o == NULL)
		o = &run_defopts;
	run.p = p;
	run.o = o;
	run.ncpu = p->cfg.ncpu;
	run.pddone = 0;
	for (c = 0; c < RUN_MAXCPU; c++)
		run.cur[c] = -1;
	single = p->cfg.ncpu == 1 && p->cfg.pdpasses == 0;
	run.oracle = p->cfg.ncpu == 1 && !o->no_oracle;
	/* uvm_sim_check needs a quiescent model: no other CPU running */
	run.opcheck = single && !o->no_opcheck;
	run.mp = p->cfg.ncpu > 1 && o->backend == SCHED_FIBERS &&
	    !o->no_oracle;
	o->compared = 0;
	o->switches = 0;
	run.nobjwords = 0;
	count_threads(p);
	shims_set_panic_hook(panic_hook);
	boot(p);

	if (single) {
		run_cpu(0, NULL);
	} else {
		memset(&sc, 0, sizeof(sc));
		sc.ncpu = p->cfg.ncpu + (p->cfg.pdpasses > 0);
		sc.backend = o->backend;
		sc.sched = p->sched;
		sc.schedlen = p->nsched;
		sc.seed = p->cfg.seed;
		sc.max_steps = o->max_steps;
		if (run.mp)
			oracle_mp_start(p);
		if (sched_run(&sc, run_cpu, NULL) == SCHED_STEPLIMIT)
			finding("livelock", "scheduler step limit reached", -1,
			    "%llu context switches",
			    (unsigned long long)sched_switches());
		o->switches = sched_switches();
		if (run.mp && oracle_mp_finish(&f) != 0)
			finding("oracle", f.reason, f.op, "%s", f.detail);
	}
	uvm_sim_check();
	if (run.oracle)
		check_objects();
	uvm_sim_shutdown();
	shims_reset();
	run.p = NULL;
	return 0;
}

void
run_force_ncpu1(struct prog *p)
{
	int i;

	p->cfg.ncpu = 1;
	for (i = 0; i < p->nops; i++)
		p->ops[i].cpu = 0;
}

void
run_force_multicpu(struct prog *p)
{
	int i, onecpu = 1;

	for (i = 1; i < p->nops; i++)
		if (p->ops[i].cpu != p->ops[0].cpu)
			onecpu = 0;
	if (p->cfg.ncpu < 2)
		p->cfg.ncpu = 2;
	if (!onecpu)
		return;
	for (i = 0; i < p->nops; i++)
		p->ops[i].cpu = i % p->cfg.ncpu;
}
