/*
 * fuzz/oracle_mp.c: the concurrency oracle (see oracle_mp.h).
 *
 * The hooks run on the simulated CPUs (fibers of one OS thread switched
 * without TSan synchronisation), so the state they share (the step
 * counter, the records) is touched only in OMP_NOTSAN functions: TSan
 * would otherwise report the oracle's own bookkeeping as races between
 * CPUs.  oracle_mp_finish runs on the caller after sched_run (which
 * orders every CPU before it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uvm_sim.h"
#include "fuzz/prog.h"
#include "fuzz/oracle.h"
#include "fuzz/oracle_mp.h"
#include "fuzz/run.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define OMP_TSAN	1
#endif
#endif
#if defined(OMP_TSAN)
#define OMP_NOTSAN	__attribute__((no_sanitize("thread", "coverage")))
#else
#define OMP_NOTSAN
#endif

#define OMP_PAGE	UVM_SIM_PAGE_SIZE
#define OMP_NOBJWORDS	PROG_MAXOPS

/* one operation of the run */
struct omp_rec {
	uint32_t	begin;		/* step of its begin, 0: never began */
	uint32_t	end;		/* step of its end */
	int		cpu;		/* the CPU that ran it */
	int		done;		/* a result was reported */
	int		err;		/* the model's error */
	uint64_t	val;		/* read: the value */
	uint64_t	addr;		/* mmap: the address chosen */
};

static struct {
	const struct prog *p;
	int		 on;		/* hooks enabled */
	uint32_t	 step;		/* begin/end events so far */
	int		 objs;		/* bit i: the program maps object i */
	int		 replayed, checked, monotonic;
	uint32_t	 pddone;	/* step the pagedaemon CPU ended, 0 */
	struct omp_rec	 rec[PROG_MAXOPS];
	uint32_t	 minb[PROG_MAXOPS];	/* rule 3: src_minbegin */
	int		 order[PROG_MAXOPS];	/* op indices by begin */
	int		 nobjw;
	struct { int obj; uint64_t off; } objw[OMP_NOBJWORDS];
} omp;

static int	omp_trace = -1;		/* UVMFUZZ_TRACE, read once */

void
oracle_mp_start(const struct prog *p)
{
	const char *e;
	int i;

	if (omp_trace < 0) {
		e = getenv("UVMFUZZ_TRACE");
		omp_trace = e != NULL && *e != '\0' && strcmp(e, "0") != 0;
	}
	omp.p = p;
	omp.step = 0;
	omp.pddone = 0;
	omp.objs = 0;
	omp.replayed = omp.checked = omp.monotonic = 0;
	omp.nobjw = 0;
	memset(omp.rec, 0, sizeof(omp.rec[0]) * (p->nops > 0 ? p->nops : 1));
	for (i = 0; i < p->nops; i++)
		if (p->ops[i].op == PROG_MMAP &&
		    (p->ops[i].flags & UVM_SIM_MAP_OBJECT))
			omp.objs |= 1 << p->ops[i].obj;
	omp.on = 1;
}

OMP_NOTSAN void
oracle_mp_stop(void)
{
	omp.on = 0;
}

OMP_NOTSAN void
oracle_mp_begin(int cpu, int op)
{
	char line[160];

	if (!omp.on)
		return;
	omp.rec[op].begin = ++omp.step;
	omp.rec[op].cpu = cpu;
	if (omp_trace) {
		prog_snprint_op(line, sizeof(line), &omp.p->ops[op]);
		fprintf(stderr, "uvmfuzz: trace: step %u cpu%d begin op %d: "
		    "%s\n", omp.step, cpu, op, line);
	}
}

OMP_NOTSAN void
oracle_mp_result(int op, int err, uint64_t val, uint64_t addr)
{
	if (!omp.on)
		return;
	omp.rec[op].done = 1;
	omp.rec[op].err = err;
	omp.rec[op].val = val;
	omp.rec[op].addr = addr;
}

OMP_NOTSAN void
oracle_mp_end(int cpu, int op)
{
	const struct omp_rec *r = &omp.rec[op];

	if (!omp.on)
		return;
	omp.rec[op].end = ++omp.step;
	if (!omp_trace)
		return;
	if (omp.p->ops[op].op == PROG_READ && r->err == 0)
		fprintf(stderr, "uvmfuzz: trace: step %u cpu%d end op %d: "
		    "success =0x%llx\n", omp.step, cpu, op,
		    (unsigned long long)r->val);
	else
		fprintf(stderr, "uvmfuzz: trace: step %u cpu%d end op %d: "
		    "%s\n", omp.step, cpu, op, r->done ?
		    run_errname(r->err) : "done");
}

OMP_NOTSAN void
oracle_mp_pdaemon_done(void)
{
	if (!omp.on)
		return;
	omp.pddone = ++omp.step;
	if (omp_trace)
		fprintf(stderr, "uvmfuzz: trace: step %u pagedaemon CPU "
		    "done\n", omp.step);
}

/* undo y = z ^ (z >> s) */
static uint64_t
unxorshift(uint64_t y, int s)
{
	uint64_t z = y;
	int k;

	for (k = s; k < 64; k += s)
		z ^= y >> k;
	return z;
}

/* the inverse of odd a modulo 2^64 (Newton's iteration) */
static uint64_t
inverse64(uint64_t a)
{
	uint64_t x = a;
	int i;

	for (i = 0; i < 6; i++)
		x *= 2 - a * x;
	return x;
}

/*
 * is_obj_initial: v is the initial data of a word of a mapped object
 * at byte offset pgoff in its page (oracle_obj_initial inverted).
 */
static int
is_obj_initial(uint64_t v, uint64_t pgoff)
{
	uint64_t z, x, word;
	int obj;

	if (omp.objs == 0)
		return 0;
	z = unxorshift(v, 31) * inverse64(0x94d049bb133111ebULL);
	z = unxorshift(z, 27) * inverse64(0xbf58476d1ce4e5b9ULL);
	x = unxorshift(z, 30) - 0x9e3779b97f4a7c15ULL;
	obj = (int)(x >> 40);
	word = x & ((1ULL << 40) - 1);
	if (obj >= UVM_SIM_MAXOBJ || !(omp.objs & (1 << obj)) ||
	    word >= (uint64_t)UVM_SIM_OBJPAGES * (OMP_PAGE / 8) ||
	    (word * 8) % OMP_PAGE != pgoff)
		return 0;
	return oracle_obj_initial(obj, word * 8) == v;
}

/* rule 1 for read r: returns 0 or -1 with *f set */
static int
check_provenance(int r, struct oracle_mp_finding *f)
{
	const struct prog_op *rd = &omp.p->ops[r], *w;
	uint64_t v = omp.rec[r].val, a = rd->addr & ~7ULL;
	int i;

	omp.checked++;
	if (v == 0 || is_obj_initial(v, a % OMP_PAGE))
		return 0;
	for (i = 0; i < omp.p->nops; i++) {
		w = &omp.p->ops[i];
		if (w->op != PROG_WRITE || w->value != v ||
		    !omp.rec[i].done || omp.rec[i].err != 0 ||
		    omp.rec[i].begin > omp.rec[r].end)
			continue;
		if ((w->addr & ~7ULL) == a || (omp.objs != 0 &&
		    (w->addr & ~7ULL) % OMP_PAGE == a % OMP_PAGE))
			return 0;
	}
	f->op = r;
	f->reason = "read returned a value nobody wrote";
	snprintf(f->detail, sizeof(f->detail), "got 0x%llx: not 0, not an "
	    "object's initial data, not the value of a write to this word "
	    "that began before the read ended", (unsigned long long)v);
	return -1;
}

/*
 * Rule 3: a CPU never reads a value older than one it already saw.
 *
 * Every write is known by the interval [begin, end] of steps in which
 * it ran.  Write k "overwrites" write s of a word when s ended before k
 * began: from k's end on, the word holds k's value or a later one, in
 * every correct execution, until the mapping is replaced.  A CPU that
 * has observed a write w on page P of process p (it performed w, or
 * read w's value from P) and w began after k ended, can know that k is
 * in P: everything P holds is at least as new as k.  A later read by
 * that CPU of k's word must not return s, nor the word's initial value
 * (0 or the object's data), which k also overwrote.
 *
 * Values are the program's and need not be unique, so the source of a
 * value is a set of candidates: the writes of that value to an aliasing
 * word (as in rule 1) that began before the read ended, plus "the
 * initial data" when the value is 0 or an object's initial word.  The
 * read is rejected only when every candidate is overwritten; an
 * observation counts only when every candidate source of the value it
 * saw began after k ended.  Writes by other CPUs that overlap k or w
 * in time are concurrent: they never make anything older.
 *
 * Replacing the mapping resets a word: an mmap, munmap, madvise or exit
 * of p (MADV_FREE of any process, which may drop object pages), an
 * access of p that failed with ENOMEM (the model killed p), or a fork
 * creating p, that ends after k begins (and begins before the
 * read ends) cancels k as an overwrite.  Runs with failure
 * injection are not judged (an injected pager or swap error may turn a
 * page into zeros).
 */

/* the initial data: 0 or an object's word at this offset in its page */
static int
is_initial(uint64_t v, uint64_t pgoff)
{
	return v == 0 || is_obj_initial(v, pgoff);
}

/* aliases: a write to word w may be what a read of word a sees */
static int
aliases(uint64_t w, uint64_t a)
{
	return w == a || (omp.objs != 0 && w % OMP_PAGE == a % OMP_PAGE);
}

/* good_write: operation i is a write that stored its value */
static int
good_write(int i)
{
	return omp.p->ops[i].op == PROG_WRITE && omp.rec[i].done &&
	    omp.rec[i].err == 0 && omp.rec[i].begin != 0;
}

/*
 * src_minbegin: the earliest begin step of a candidate source of the
 * value read (or written) by operation o; 0 when the initial data is a
 * candidate (nothing is known to be newer).
 */
static uint32_t
src_minbegin(int o)
{
	const struct prog_op *op = &omp.p->ops[o];
	uint64_t v, a = op->addr & ~7ULL;
	uint32_t m = 0;
	int i;

	if (op->op == PROG_WRITE)
		return omp.rec[o].begin;
	v = omp.rec[o].val;
	if (is_initial(v, a % OMP_PAGE))
		return 0;
	for (i = 0; i < omp.p->nops; i++) {
		if (!good_write(i) || omp.p->ops[i].value != v ||
		    omp.rec[i].begin > omp.rec[o].end ||
		    !aliases(omp.p->ops[i].addr & ~7ULL, a))
			continue;
		if (m == 0 || omp.rec[i].begin < m)
			m = omp.rec[i].begin;
	}
	return m;
}

/* resets: operation i may replace process pr's pages */
static int
resets(int i, int pr)
{
	const struct prog_op *op = &omp.p->ops[i];

	switch (op->op) {
	case PROG_MADVISE:
		/* MADV_FREE drops object pages every process may map */
		return op->proc == pr || op->advice == 6;
	case PROG_MMAP:
	case PROG_MUNMAP:
	case PROG_EXIT:
		return op->proc == pr;
	case PROG_FORK:
		return op->proc2 == pr;
	case PROG_READ:
	case PROG_WRITE:
		/* ENOMEM: the model killed the process (fuzz/run.c) */
		return op->proc == pr && omp.rec[i].done &&
		    omp.rec[i].err == ENOMEM;
	default:
		return 0;
	}
}

/* rule 3 for read r: returns 0 or -1 with *f set */
static int
check_monotonic(int r, struct oracle_mp_finding *f)
{
	const struct prog_op *rd = &omp.p->ops[r], *op;
	const struct omp_rec *rr = &omp.rec[r];
	uint64_t a = rd->addr & ~7ULL, pg = a / OMP_PAGE, v = rr->val;
	uint32_t seen = 0, lastreset = 0, kill = 0, m;
	int i, obs = -1, k = -1;

	/* what this CPU saw on the page before: the newest known write */
	for (i = 0; i < omp.p->nops; i++) {
		op = &omp.p->ops[i];
		if (i == r || omp.rec[i].cpu != rr->cpu ||
		    omp.rec[i].end == 0 || omp.rec[i].end > rr->begin ||
		    !omp.rec[i].done || omp.rec[i].err != 0 ||
		    op->proc != rd->proc ||
		    (op->addr & ~7ULL) / OMP_PAGE != pg ||
		    (op->op != PROG_READ && op->op != PROG_WRITE))
			continue;
		if ((m = omp.minb[i]) > seen) {
			seen = m;
			obs = i;
		}
	}
	if (seen == 0)
		return 0;
	/* the last replacement of the process's pages before the read */
	for (i = 0; i < omp.p->nops; i++)
		if (omp.rec[i].begin != 0 && omp.rec[i].begin < rr->end &&
		    resets(i, rd->proc) && omp.rec[i].end > lastreset)
			lastreset = omp.rec[i].end;
	/* the latest-starting write of the word that the CPU knows of */
	for (i = 0; i < omp.p->nops; i++)
		if (good_write(i) && omp.p->ops[i].proc == rd->proc &&
		    (omp.p->ops[i].addr & ~7ULL) == a &&
		    omp.rec[i].end < seen && omp.rec[i].begin > lastreset &&
		    omp.rec[i].begin > kill) {
			kill = omp.rec[i].begin;
			k = i;
		}
	if (k < 0)
		return 0;
	/*
	 * every candidate source of the value read must be overwritten
	 * (the initial data is: it ended before the first step)
	 */
	omp.monotonic++;
	for (i = 0; i < omp.p->nops; i++)
		if (good_write(i) && omp.p->ops[i].value == v &&
		    omp.rec[i].begin <= rr->end &&
		    aliases(omp.p->ops[i].addr & ~7ULL, a) &&
		    (omp.rec[i].end == 0 || omp.rec[i].end >= kill))
			return 0;
	f->op = r;
	f->reason = "read returned a value older than one this CPU saw";
	snprintf(f->detail, sizeof(f->detail), "cpu%d got 0x%llx, but op %d "
	    "(steps %u-%u) overwrote it before a write this CPU saw on the "
	    "page began (step %u, seen by op %d)", rr->cpu,
	    (unsigned long long)v, k, omp.rec[k].begin, omp.rec[k].end,
	    seen, obs);
	return -1;
}

/* injected: the run has failure injection (rule 3 does not apply) */
static int
injected(void)
{
	int i;

	for (i = 0; i < PROG_NINJECT; i++)
		if (omp.p->cfg.inject[i].mode != PROG_INJ_NONE)
			return 1;
	for (i = 0; i < omp.p->nops; i++)
		if (omp.p->ops[i].inj_point != PROG_INJ_NOPOINT)
			return 1;
	return 0;
}

/* the pagedaemon CPU had not finished when operation r began */
static int
pdaemon_running(const struct omp_rec *r)
{
	return omp.p->cfg.pdpasses > 0 && (omp.pddone == 0 ||
	    omp.pddone > r->begin);
}

/*
 * sequential: 1 when rule 2 applies: every operation ran, none
 * overlapped another, no injection, no ENOMEM.  Fills omp.order.
 */
static int
sequential(void)
{
	const struct prog *p = omp.p;
	int i, j, k;

	for (i = 0; i < PROG_NINJECT; i++)
		if (p->cfg.inject[i].mode != PROG_INJ_NONE)
			return 0;
	for (i = 0; i < p->nops; i++) {
		if (p->ops[i].inj_point != PROG_INJ_NOPOINT ||
		    omp.rec[i].begin == 0 || omp.rec[i].end == 0 ||
		    omp.rec[i].err == ENOMEM)
			return 0;
		/* insertion sort by begin step */
		for (j = i; j > 0 && omp.rec[omp.order[j - 1]].begin >
		    omp.rec[i].begin; j--)
			omp.order[j] = omp.order[j - 1];
		omp.order[j] = i;
	}
	for (k = 1; k < p->nops; k++)
		if (omp.rec[omp.order[k - 1]].end > omp.rec[omp.order[k]].begin)
			return 0;
	return 1;
}

static int
mismatch(struct oracle_mp_finding *f, int op, const char *reason,
    int oerr, int merr)
{
	f->op = op;
	f->reason = reason;
	snprintf(f->detail, sizeof(f->detail), "sequential replay in the "
	    "order the CPUs ran: expected %s, got %s", run_errname(oerr),
	    run_errname(merr));
	return -1;
}

/* replay_access: one load or store of the sequential run */
static int
replay_access(int i, const struct prog_op *op, struct oracle_mp_finding *f)
{
	const struct omp_rec *r = &omp.rec[i];
	struct oracle_pred pd;
	int write = op->op == PROG_WRITE;

	oracle_access_predict(op->proc, op->addr, write, &pd);
	if (pd.obj >= 0 && omp.nobjw < OMP_NOBJWORDS) {
		omp.objw[omp.nobjw].obj = pd.obj;
		omp.objw[omp.nobjw++].off = pd.objoff;
	}
	if (!oracle_access_check(&pd, write, r->err, r->val, 0)) {
		if (pd.err != r->err)
			return mismatch(f, i, write ? "write outcome differs" :
			    "read outcome differs", pd.err, r->err);
		f->op = i;
		f->reason = "read returned a wrong value";
		snprintf(f->detail, sizeof(f->detail), "sequential replay "
		    "in the order the CPUs ran: expected 0x%llx, got 0x%llx",
		    (unsigned long long)pd.val, (unsigned long long)r->val);
		return -1;
	}
	oracle_access_done(op->proc, op->addr, write,
	    write ? op->value : r->val, r->err);
	return 0;
}

/* replay_op: operation i through the single-CPU oracle */
static int
replay_op(int i, struct oracle_mp_finding *f)
{
	const struct prog_op *op = &omp.p->ops[i];
	const struct omp_rec *r = &omp.rec[i];
	uint64_t addr;
	int o;

	switch (op->op) {
	case PROG_MMAP:
		addr = (op->flags & UVM_SIM_MAP_FIXED) ? op->addr :
		    r->err == 0 ? r->addr : 0;
		o = oracle_mmap(op->proc, addr, op->npages, op->prot,
		    op->maxprot, op->flags, op->inherit, op->advice,
		    (op->flags & UVM_SIM_MAP_OBJECT) ? op->obj : 0,
		    op->objoff);
		if (r->err == 0 && o == ENOMEM &&
		    !(op->flags & UVM_SIM_MAP_FIXED))
			return mismatch(f, i, "mmap chose a used range", o,
			    r->err);
		break;
	case PROG_MUNMAP:
		o = oracle_munmap(op->proc, op->addr, op->npages);
		break;
	case PROG_MPROTECT:
		o = oracle_mprotect(op->proc, op->addr, op->npages, op->prot);
		break;
	case PROG_MADVISE:
		o = oracle_madvise(op->proc, op->addr, op->npages,
		    op->advice);
		break;
	case PROG_MINHERIT:
		o = oracle_minherit(op->proc, op->addr, op->npages,
		    op->inherit);
		break;
	case PROG_MLOCK:
		o = oracle_mlock(op->proc, op->addr, op->npages);
		break;
	case PROG_MUNLOCK:
		o = oracle_munlock(op->proc, op->addr, op->npages);
		break;
	case PROG_FORK:
		o = oracle_fork(op->proc, op->proc2);
		break;
	case PROG_EXIT:
		o = oracle_exit(op->proc);
		break;
	case PROG_READ:
	case PROG_WRITE:
		return replay_access(i, op, f);
	case PROG_SWAPOFF:
	case PROG_SWAPON:
		/* exact: no ENOMEM here (no replay); EBUSY see rule 4 */
		o = op->op == PROG_SWAPOFF ? oracle_swapoff() :
		    oracle_swapon();
		if (op->op == PROG_SWAPOFF && o == 0 && r->err == EBUSY &&
		    pdaemon_running(r)) {
			oracle_swapoff_failed();
			return 0;
		}
		if (o != r->err)
			return mismatch(f, i, op->op == PROG_SWAPOFF ?
			    "swapoff outcome differs" :
			    "swapon outcome differs", o, r->err);
		return 0;
	default:
		return 0;		/* pagedaemon: contents unchanged */
	}
	if ((o == 0) != (r->err == 0))
		return mismatch(f, i, r->err == 0 ?
		    "operation should have failed" :
		    "operation should have succeeded", o, r->err);
	return 0;
}

/* replay: rule 2, then the object words the replay touched */
static int
replay(struct oracle_mp_finding *f)
{
	uint64_t want, got;
	int k;

	omp.replayed = 1;
	oracle_reset();
	(void)oracle_proc_new(0);
	for (k = 0; k < omp.p->nops; k++)
		if (replay_op(omp.order[k], f) != 0)
			return -1;
	for (k = 0; k < omp.nobjw; k++) {
		if (oracle_obj_tainted(omp.objw[k].obj))
			continue;	/* MADV_FREE dropped dirty pages */
		want = oracle_obj_word(omp.objw[k].obj, omp.objw[k].off);
		got = uvm_sim_obj_peek(omp.objw[k].obj, omp.objw[k].off);
		if (want == got)
			continue;
		f->op = -1;
		f->reason = "object contents differ";
		snprintf(f->detail, sizeof(f->detail), "object %d offset "
		    "0x%llx: expected 0x%llx, got 0x%llx", omp.objw[k].obj,
		    (unsigned long long)omp.objw[k].off,
		    (unsigned long long)want, (unsigned long long)got);
		return -1;
	}
	return 0;
}

/*
 * check_swapoff: a swapoff that failed with EBUSY must have overlapped
 * another program operation (a fork, amap copy or split can move an
 * anon that holds a slot behind amap_swap_off's walk; an anon freed
 * during a swap read keeps its slot, in no amap, until the reader
 * releases it), or begun while the pagedaemon CPU still ran (an anon
 * freed while its page was being written out, PG_RELEASED, holds its
 * slot in no amap until the pagedaemon releases it).  Returns 0 or -1
 * with *f set.
 */
static int
check_swapoff(int i, struct oracle_mp_finding *f)
{
	const struct omp_rec *r = &omp.rec[i], *o;
	int j;

	if (!r->done || r->err != EBUSY)
		return 0;
	if (pdaemon_running(r))
		return 0;
	for (j = 0; j < omp.p->nops; j++) {
		o = &omp.rec[j];
		if (j != i && o->begin != 0 && o->begin < r->end &&
		    (o->end == 0 || o->end > r->begin))
			return 0;
	}
	f->op = i;
	f->reason = "swapoff busy with no concurrent operation";
	snprintf(f->detail, sizeof(f->detail), "no operation ran on "
	    "another CPU between its begin (step %u) and end (step %u), "
	    "no pagedaemon CPU ran", r->begin, r->end);
	return -1;
}

/*
 * check_swapctl: rule 5.  swapoff and swapon hold swap_syscall_lock
 * from start to end, so while none of them overlaps another in time,
 * their begin order is the order they ran in, and their outcomes follow
 * the swap device's state from boot (on): swapon gives EBUSY when it is
 * on, else success (on); swapoff gives ENXIO when it is off, else
 * success (off), ENOMEM or EBUSY (still on).  Injection and the other
 * operations never change that state, so this holds in every run.  The
 * check ends at the first swapctl operation that overlaps the next one
 * or has no result (the order or the state after it is unknown).
 * Returns 0 or -1 with *f set.
 */
static int
check_swapctl(struct oracle_mp_finding *f)
{
	const struct omp_rec *r;
	int ord[PROG_MAXOPS], n = 0, i, k, off, on = 1, ok;

	for (i = 0; i < omp.p->nops; i++) {
		if ((omp.p->ops[i].op != PROG_SWAPOFF &&
		    omp.p->ops[i].op != PROG_SWAPON) || omp.rec[i].begin == 0)
			continue;
		for (k = n++; k > 0 &&
		    omp.rec[ord[k - 1]].begin > omp.rec[i].begin; k--)
			ord[k] = ord[k - 1];
		ord[k] = i;
	}
	for (k = 0; k < n; k++) {
		r = &omp.rec[ord[k]];
		if (!r->done || r->end == 0 ||
		    (k + 1 < n && omp.rec[ord[k + 1]].begin < r->end))
			return 0;
		off = omp.p->ops[ord[k]].op == PROG_SWAPOFF;
		if (off)
			ok = on ? (r->err == 0 || r->err == ENOMEM ||
			    r->err == EBUSY) : r->err == ENXIO;
		else
			ok = on ? r->err == EBUSY : r->err == 0;
		if (!ok) {
			f->op = ord[k];
			f->reason = off ? "swapoff outcome differs" :
			    "swapon outcome differs";
			snprintf(f->detail, sizeof(f->detail), "the swap device "
			    "was %s (swapctl operations in the order they "
			    "ran), got %s", on ? "on" : "off",
			    run_errname(r->err));
			return -1;
		}
		if (r->err == 0)
			on = !off;
	}
	return 0;
}

int
oracle_mp_finish(struct oracle_mp_finding *f)
{
	int i;

	oracle_mp_stop();
	for (i = 0; i < omp.p->nops; i++)
		if (omp.p->ops[i].op == PROG_SWAPOFF &&
		    check_swapoff(i, f) != 0)
			return -1;
	if (check_swapctl(f) != 0)
		return -1;
	for (i = 0; i < omp.p->nops; i++)
		if (omp.p->ops[i].op == PROG_READ && omp.rec[i].done &&
		    omp.rec[i].err == 0 && check_provenance(i, f) != 0)
			return -1;
	if (!injected()) {
		for (i = 0; i < omp.p->nops; i++)
			omp.minb[i] = omp.rec[i].done && omp.rec[i].err == 0 &&
			    (omp.p->ops[i].op == PROG_READ ||
			    omp.p->ops[i].op == PROG_WRITE) ? src_minbegin(i) : 0;
		for (i = 0; i < omp.p->nops; i++)
			if (omp.p->ops[i].op == PROG_READ &&
			    omp.rec[i].done && omp.rec[i].err == 0 &&
			    omp.rec[i].end != 0 && check_monotonic(i, f) != 0)
				return -1;
	}
	if (sequential())
		return replay(f);
	return 0;
}

int
oracle_mp_replayed(void)
{
	return omp.replayed;
}

int
oracle_mp_checked(void)
{
	return omp.checked;
}

int
oracle_mp_monotonic(void)
{
	return omp.monotonic;
}
