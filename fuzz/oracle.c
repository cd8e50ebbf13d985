/*
 * fuzz/oracle.c: the semantic oracle (see oracle.h for the model).
 *
 * Plain host C, written for obviousness: linear searches over short
 * lists (a space's slots sorted, walked in order: oracle_store.h).  Page
 * contents and anon layers live in fuzz/oracle_store.c (pools reused
 * from one run to the next, so a fuzzing input costs no heap traffic
 * once warm); this file keeps the processes and their regions, and the
 * operations.
 *
 * What the oracle knows of the model's argument rules (uvm/uvm_sim.h,
 * uvm/uvm_map.h) is collected in the *_args() helpers; the runner only
 * compares success against failure for map operations, so the error
 * code chosen among several wrong arguments does not matter.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uvm_sim.h"
#include "oracle.h"
#include "oracle_store.h"

#define OVA_MIN		0x1000ULL	/* VM_MIN_ADDRESS (uvm/uvm_map.h) */
#define OVA_MAX		0x40000000ULL	/* VM_MAX_ADDRESS */

#define OPROT_READ	0x01
#define OPROT_WRITE	0x02
#define OPROT_ALL	0x07
#define OINH_SHARE	0
#define OINH_COPY	1
#define OINH_NONE	2
#define OINH_ZERO	3

/* one mapping; pages [start, end) */
struct oregion {
	uint64_t	start, end;
	int		prot, maxprot;
	int		shared;		/* writes reach the object */
	int		obj;		/* -1: anonymous */
	uint64_t	objoff;		/* object page of start */
	int		inherit, advice, wired;
	int		space;		/* anon layer, 0 for shared object */
	uint64_t	sbase;		/* space index of start */
};

struct oproc {
	int		exists, tainted;
	struct oregion	*r;
	int		nr, cap;
};

static struct oproc procs[UVM_SIM_MAXPROC];
static int swapoff;		/* the swap device is off (swapctl) */
static int objcell[UVM_SIM_MAXOBJ][UVM_SIM_OBJPAGES];
/*
 * Pages: which cell a region's page reads, and which it writes.
 */

/* page_cell: the cell page vpn of r reads now, 0 = untouched */
static int
page_cell(const struct oregion *r, uint64_t vpn)
{
	uint64_t opg;
	int sl;

	if (r->space != 0) {
		sl = ospace_slot(r->space, r->sbase + (vpn - r->start));
		if (sl != 0)
			return SLOT(sl).cell;
	}
	if (r->obj < 0)
		return 0;
	opg = r->objoff + (vpn - r->start);
	return opg < UVM_SIM_OBJPAGES ? objcell[r->obj][opg] : 0;
}

/* anon_cell: the cell of page vpn in r's anon layer, 0 = none */
static int
anon_cell(const struct oregion *r, uint64_t vpn)
{
	int sl;

	if (r->space == 0)
		return 0;
	sl = ospace_slot(r->space, r->sbase + (vpn - r->start));
	return sl != 0 ? SLOT(sl).cell : 0;
}

static uint64_t
page_read(const struct oregion *r, uint64_t vpn, uint32_t idx)
{
	int c = page_cell(r, vpn);

	if (c != 0)
		return ocell_read(c, idx);
	if (r->obj < 0)
		return 0;
	return oracle_obj_initial(r->obj,
	    (r->objoff + (vpn - r->start)) * OPAGE + (uint64_t)idx * 8);
}

/*
 * page_wcell: the cell a store to page vpn of r goes to, made private
 * to r's layer first: a shared object page is the object's cell; an
 * anon or private page gets its own cell in the space, copied from
 * what it read (copy-on-write), zero for untouched anon memory.
 */
static int
page_wcell(struct oregion *r, uint64_t vpn)
{
	uint64_t idx, opg;
	int c, n;

	opg = r->objoff + (vpn - r->start);
	if (r->space == 0) {
		if (objcell[r->obj][opg] == 0)
			objcell[r->obj][opg] = ocell_new(r->obj, opg);
		return objcell[r->obj][opg];
	}
	idx = r->sbase + (vpn - r->start);
	c = page_cell(r, vpn);
	if (c != 0 && ospace_slot(r->space, idx) != 0) {
		if (CELL(c).refs == 1)
			return c;
		n = ocell_copy(c);
		CELL(n).poison = CELL(c).poison;
	} else if (c != 0) {
		n = ocell_copy(c);		/* object page, current data */
	} else if (r->obj >= 0) {
		n = ocell_new(r->obj, opg);	/* object page, untouched */
	} else {
		n = ocell_new(-1, 0);		/* zero fill */
	}
	ospace_set(r->space, idx, n);
	return n;
}

/*
 * Regions.
 */

static int
proc_ok(int p)
{
	return p >= 0 && p < UVM_SIM_MAXPROC && procs[p].exists;
}

/* the index of the region of p containing page vpn, -1 */
static int
region_find(struct oproc *pr, uint64_t vpn)
{
	int i;

	for (i = 0; i < pr->nr; i++)
		if (pr->r[i].start <= vpn && vpn < pr->r[i].end)
			return i;
	return -1;
}

/* region_insert: room for a region at index i (sorted by start) */
static struct oregion *
region_insert(struct oproc *pr, int i)
{
	if (pr->nr == pr->cap) {
		pr->cap = pr->cap ? pr->cap * 2 : 16;
		pr->r = realloc(pr->r, (size_t)pr->cap * sizeof(*pr->r));
		if (pr->r == NULL)
			abort();
	}
	memmove(&pr->r[i + 1], &pr->r[i], (pr->nr - i) * sizeof(*pr->r));
	pr->nr++;
	return &pr->r[i];
}

static void
region_remove(struct oproc *pr, int i)
{
	ospace_unref(pr->r[i].space);
	memmove(&pr->r[i], &pr->r[i + 1], (pr->nr - i - 1) * sizeof(*pr->r));
	pr->nr--;
}

/* region_add: insert *r in address order (the range must be free) */
static void
region_add(struct oproc *pr, const struct oregion *r)
{
	int i;

	for (i = 0; i < pr->nr && pr->r[i].start < r->start; i++)
		continue;
	*region_insert(pr, i) = *r;
}

/* split: no region of pr straddles page vpn afterwards */
static void
split(struct oproc *pr, uint64_t vpn)
{
	struct oregion *r;
	uint64_t d;
	int i;

	i = region_find(pr, vpn);
	if (i < 0 || pr->r[i].start == vpn)
		return;
	r = region_insert(pr, i + 1);
	*r = pr->r[i];
	d = vpn - r->start;
	r->start = vpn;
	r->objoff += d;
	r->sbase += d;
	pr->r[i].end = vpn;
	if (r->space != 0)
		SPACE(r->space).refs++;
}

/* range_args: a page-aligned, non-empty range inside the user VA */
static int
range_args(uint64_t addr, uint64_t npages)
{
	if (addr % OPAGE != 0 || npages == 0 || addr < OVA_MIN ||
	    npages > (OVA_MAX - addr) / OPAGE || addr >= OVA_MAX)
		return EINVAL;
	return 0;
}

/* covered: [s, e) pages are mapped without a hole */
static int
covered(struct oproc *pr, uint64_t s, uint64_t e)
{
	int i;

	while (s < e) {
		if ((i = region_find(pr, s)) < 0)
			return 0;
		s = pr->r[i].end;
	}
	return 1;
}

/* overlaps: some page of [s, e) is mapped */
static int
overlaps(struct oproc *pr, uint64_t s, uint64_t e)
{
	int i;

	for (i = 0; i < pr->nr; i++)
		if (pr->r[i].start < e && pr->r[i].end > s)
			return 1;
	return 0;
}

/* clip: split at both ends of [s, e); the first index inside, or nr */
static int
clip(struct oproc *pr, uint64_t s, uint64_t e)
{
	int i;

	split(pr, s);
	split(pr, e);
	for (i = 0; i < pr->nr && pr->r[i].end <= s; i++)
		continue;
	return i;
}

/* unmap pages [s, e) of pr */
static void
unmap(struct oproc *pr, uint64_t s, uint64_t e)
{
	int i;

	i = clip(pr, s, e);
	while (i < pr->nr && pr->r[i].start < e)
		region_remove(pr, i);
}

void
oracle_reset(void)
{
	int p;

	for (p = 0; p < UVM_SIM_MAXPROC; p++) {
		procs[p].nr = 0;
		procs[p].exists = procs[p].tainted = 0;
	}
	oracle_store_reset();
	memset(objcell, 0, sizeof(objcell));
	swapoff = 0;
}

/*
 * swapctl: the device is on at boot; SWAP_OFF of a device that is off
 * is ENXIO, SWAP_ON of one that is on EBUSY.  What a read returns never
 * depends on it.
 */
int
oracle_swapoff(void)
{
	if (swapoff)
		return ENXIO;
	swapoff = 1;
	return 0;
}

void
oracle_swapoff_failed(void)
{
	swapoff = 0;
}

int
oracle_swapon(void)
{
	if (!swapoff)
		return EBUSY;
	swapoff = 0;
	return 0;
}

int
oracle_proc_new(int p)
{
	if (p < 0 || p >= UVM_SIM_MAXPROC)
		return EINVAL;
	if (procs[p].exists)
		return EBUSY;
	procs[p].exists = 1;
	procs[p].tainted = 0;
	procs[p].nr = 0;
	return 0;
}

int
oracle_proc_exists(int p)
{
	return proc_ok(p);
}

int
oracle_exit(int p)
{
	if (!proc_ok(p))
		return ESRCH;
	while (procs[p].nr > 0)
		region_remove(&procs[p], procs[p].nr - 1);
	procs[p].exists = 0;
	return 0;
}

/* fork_region: give child pr the inheritance of parent region r */
static void
fork_region(struct oproc *pr, const struct oregion *r)
{
	struct oregion n = *r;

	n.wired = 0;
	switch (r->inherit) {
	case OINH_NONE:
		return;
	case OINH_SHARE:
		if (n.space != 0)
			SPACE(n.space).refs++;
		break;
	case OINH_COPY:
		/* a wired parent: the child's copies are made now */
		n.shared = 0;
		n.space = r->space != 0 ? ospace_copy(r->space, r->sbase,
		    r->end - r->start, r->wired) : ospace_new();
		n.sbase = 0;
		break;
	case OINH_ZERO:
		n.shared = 0;
		n.obj = -1;
		n.objoff = 0;
		n.space = ospace_new();
		n.sbase = 0;
		break;
	}
	region_add(pr, &n);
}

/*
 * oracle_fork: q gets p's regions per inheritance: SHARE the same
 * layer, COPY a private copy-on-write copy (even of a shared mapping;
 * of a wired region, copies made at once, as amap_cow_now, which
 * matters for poisoning), NONE nothing, ZERO fresh anonymous memory.
 * Wiring is not inherited.
 */
int
oracle_fork(int p, int q)
{
	int i;

	if (!proc_ok(p) || q < 0 || q >= UVM_SIM_MAXPROC)
		return p == q ? EBUSY : ESRCH;
	if (procs[q].exists)
		return EBUSY;
	oracle_proc_new(q);
	procs[q].tainted = procs[p].tainted;
	for (i = 0; i < procs[p].nr; i++)
		fork_region(&procs[q], &procs[p].r[i]);
	return 0;
}

/*
 * mmap_args: the argument rules of uvm_sim_mmap; the address only
 * matters for a FIXED mapping.
 */
static int
mmap_args(uint64_t addr, uint64_t npages, int prot, int maxprot,
    int flags, int inherit, int advice, int obj, uint64_t objoff)
{
	if ((flags & UVM_SIM_MAP_FIXED) && range_args(addr, npages) != 0)
		return EINVAL;
	if (npages == 0 || npages > (OVA_MAX - OVA_MIN) / OPAGE ||
	    (flags & ~0x1f))
		return EINVAL;
	if ((prot & ~OPROT_ALL) || (maxprot & ~OPROT_ALL) ||
	    inherit < 0 || inherit > OINH_ZERO || advice < 0 || advice > 2)
		return EINVAL;
	if (prot & ~maxprot)
		return EACCES;
	if ((flags & UVM_SIM_MAP_OBJECT) && (obj < 0 ||
	    obj >= UVM_SIM_MAXOBJ || objoff > UVM_SIM_OBJPAGES ||
	    npages > UVM_SIM_OBJPAGES - objoff))
		return EINVAL;
	return 0;
}

/*
 * oracle_mmap: map npages at addr (chosen by the model unless FIXED,
 * which first unmaps what was there).  Private mappings get an anon
 * space; shared object mappings write the object directly.  Not FIXED
 * with addr 0: the model failed; only check the other arguments.
 */
int
oracle_mmap(int p, uint64_t addr, uint64_t npages, int prot, int maxprot,
    int flags, int inherit, int advice, int obj, uint64_t objoff)
{
	struct oproc *pr = &procs[p];
	struct oregion r;
	uint64_t s;
	int error;

	if (!proc_ok(p))
		return ESRCH;
	error = mmap_args(addr, npages, prot, maxprot, flags, inherit,
	    advice, obj, objoff);
	if (error != 0)
		return error;
	if (!(flags & UVM_SIM_MAP_FIXED) && addr == 0)
		return 0;
	if (!(flags & UVM_SIM_MAP_FIXED) && range_args(addr, npages) != 0)
		return ENOMEM;		/* the model chose a bad range */
	s = addr / OPAGE;
	if (flags & UVM_SIM_MAP_FIXED)
		unmap(pr, s, s + npages);
	else if (overlaps(pr, s, s + npages))
		return ENOMEM;		/* the model chose a used range */
	memset(&r, 0, sizeof(r));
	r.start = s;
	r.end = s + npages;
	r.prot = prot;
	r.maxprot = maxprot;
	r.shared = (flags & UVM_SIM_MAP_SHARED) != 0;
	r.obj = (flags & UVM_SIM_MAP_OBJECT) ? obj : -1;
	r.objoff = (flags & UVM_SIM_MAP_OBJECT) ? objoff : 0;
	r.inherit = inherit;
	r.advice = advice;
	r.space = (r.shared && r.obj >= 0) ? 0 : ospace_new();
	region_add(pr, &r);
	return 0;
}

int
oracle_munmap(int p, uint64_t addr, uint64_t npages)
{
	if (!proc_ok(p))
		return ESRCH;
	if (range_args(addr, npages) != 0)
		return EINVAL;
	unmap(&procs[p], addr / OPAGE, addr / OPAGE + npages);
	return 0;
}

/*
 * wire_fault: fault every page of r in, in address order, with the
 * region's protection as access type (uvm_fault_wire): a writable
 * private page gets its private copy now (a private object page stops
 * following the object), an untouched anonymous page its zero-filled
 * anon even read-only (a read fault promotes it, as a load does).  A
 * poisoned page fails the fault: EACCES, the pages before it stay
 * copied.
 */
static int
wire_fault(struct oregion *r)
{
	uint64_t v;
	int c;

	for (v = r->start; v < r->end; v++) {
		c = page_cell(r, v);
		if (c != 0 && CELL(c).poison == CELL_POISONED)
			return EACCES;
		if ((r->prot & OPROT_WRITE) || (c == 0 && r->obj < 0))
			(void)page_wcell(r, v);
	}
	return 0;
}

enum rfield { RF_PROT, RF_ADVICE, RF_INHERIT, RF_WIRED };

/*
 * range_set: the checks common to the range operations, then set field
 * f of every region in [addr, addr + npages) (split at both ends) to
 * val.  Holes are skipped.
 */
static int
range_set(int p, uint64_t addr, uint64_t npages, enum rfield f, int val)
{
	struct oproc *pr = &procs[p];
	struct oregion *r;
	uint64_t s = addr / OPAGE, e = s + npages;
	int i;

	if (!proc_ok(p))
		return ESRCH;
	if (range_args(addr, npages) != 0)
		return EINVAL;
	for (i = clip(pr, s, e); i < pr->nr && pr->r[i].start < e; i++) {
		r = &pr->r[i];
		if (f == RF_PROT)
			r->prot = val;
		else if (f == RF_ADVICE)
			r->advice = val;
		else if (f == RF_INHERIT)
			r->inherit = val;
		else
			r->wired = val;
	}
	return 0;
}

/*
 * oracle_mprotect: set the protection of every mapped page in range;
 * EACCES (and no change) if it exceeds a region's maxprot.  Wired
 * regions, as the model (uvm/uvm_map.c, header): one whose protection
 * is lowered so that its pages could no longer be mapped (PROT_NONE, or
 * -w- for a private one) is unwired; a private one given PROT_WRITE is
 * wired again with write access (wire_fault: its pages are copied now),
 * a failure unwiring it and failing the call.
 */
int
oracle_mprotect(int p, uint64_t addr, uint64_t npages, int prot)
{
	struct oproc *pr = &procs[p];
	struct oregion *r;
	uint64_t s = addr / OPAGE, e = s + npages;
	int i, old, mask, rewire = 0, error;

	if (prot & ~OPROT_ALL)
		return EINVAL;
	for (i = 0; proc_ok(p) && i < pr->nr; i++)
		if (pr->r[i].start < e && pr->r[i].end > s &&
		    (prot & ~pr->r[i].maxprot))
			return EACCES;
	if ((error = range_args(addr, npages)) != 0 || !proc_ok(p))
		return error ? error : ESRCH;
	for (i = clip(pr, s, e); i < pr->nr && pr->r[i].start < e; i++) {
		r = &pr->r[i];
		old = r->prot;
		r->prot = prot;
		mask = r->shared ? OPROT_ALL : OPROT_ALL & ~OPROT_WRITE;
		if ((old & ~prot) && (prot & mask) == 0)
			r->wired = 0;
		if (r->wired && !r->shared && (prot & ~old & OPROT_WRITE))
			rewire = 1;
	}
	for (i = clip(pr, s, e); rewire && i < pr->nr && pr->r[i].start < e;
	    i++) {
		r = &pr->r[i];
		if (!r->wired || r->shared || !(r->prot & OPROT_WRITE))
			continue;
		if ((error = wire_fault(r)) != 0) {
			r->wired = 0;
			return error;
		}
	}
	return 0;
}

/* oracle_madvise: NORMAL, RANDOM, SEQUENTIAL (else EINVAL, as the model) */
int
oracle_madvise(int p, uint64_t addr, uint64_t npages, int advice)
{
	if (advice < 0 || advice > 2)
		return EINVAL;
	return range_set(p, addr, npages, RF_ADVICE, advice);
}

int
oracle_minherit(int p, uint64_t addr, uint64_t npages, int inherit)
{
	if (inherit < 0 || inherit > OINH_ZERO)
		return EINVAL;
	return range_set(p, addr, npages, RF_INHERIT, inherit);
}

/* oracle_munlock: unwire what is mapped in the range (holes are fine) */
int
oracle_munlock(int p, uint64_t addr, uint64_t npages)
{
	return range_set(p, addr, npages, RF_WIRED, 0);
}

/*
 * oracle_mlock: wire [addr, addr+npages): EFAULT if the range has a
 * hole (no change).  The regions not wired yet are faulted in
 * (wire_fault); PROT_NONE regions are skipped and stay unwired.  A
 * failure undoes the wiring.
 */
int
oracle_mlock(int p, uint64_t addr, uint64_t npages)
{
	struct oproc *pr = &procs[p];
	uint64_t s = addr / OPAGE, e = s + npages;
	int i, error;

	if (!proc_ok(p))
		return ESRCH;
	if (range_args(addr, npages) != 0)
		return EINVAL;
	if (!covered(pr, s, e))
		return EFAULT;
	for (i = clip(pr, s, e); i < pr->nr && pr->r[i].start < e; i++)
		if (pr->r[i].prot != 0 && !pr->r[i].wired &&
		    (error = wire_fault(&pr->r[i])) != 0)
			return error;
	for (i = clip(pr, s, e); i < pr->nr && pr->r[i].start < e; i++)
		pr->r[i].wired = pr->r[i].wired || pr->r[i].prot != 0;
	return 0;
}

/*
 * oracle_access_predict: EFAULT outside every region; EACCES without
 * the protection (read needs PROT_READ, write PROT_WRITE) or on a
 * poisoned page; else success, and a read's value.  A load from a
 * region with rights but not PROT_READ (-w-, --x) may go either way:
 * uvm_fault refuses it, but the MMU, like x86's, lets a load through
 * any valid translation (one entered by a write or wire fault).
 */
void
oracle_access_predict(int p, uint64_t addr, int write,
    struct oracle_pred *pd)
{
	struct oproc *pr = &procs[p];
	struct oregion *r;
	uint64_t vpn = addr / OPAGE;
	int i, c, need;

	memset(pd, 0, sizeof(*pd));
	pd->obj = -1;
	if (addr < OVA_MIN || addr >= OVA_MAX) {
		pd->err = EFAULT;	/* outside the user VA: checked first */
		return;
	}
	if (!proc_ok(p)) {
		pd->err = ESRCH;
		return;
	}
	if (pr->tainted)
		pd->flags |= ORACLE_NOCHECK;
	if ((i = region_find(pr, vpn)) < 0) {
		pd->err = EFAULT;
		return;
	}
	r = &pr->r[i];
	need = write ? OPROT_WRITE : OPROT_READ;
	if ((r->prot & need) != need && (write || r->prot == 0)) {
		pd->err = EACCES;
		return;
	}
	if ((r->prot & need) != need)
		pd->flags |= ORACLE_EACCESOK;	/* load, -w- or --x */
	if (r->obj >= 0) {
		pd->obj = r->obj;
		pd->objoff = (r->objoff + (vpn - r->start)) * OPAGE +
		    (addr % OPAGE & ~7ULL);
	}
	c = page_cell(r, vpn);
	if (c != 0 && CELL(c).poison == CELL_POISONED) {
		pd->err = EACCES;
		return;
	}
	if (c != 0 && CELL(c).poison == CELL_MAYBE)
		pd->flags |= ORACLE_MAYPOISON;
	if (!write)
		pd->val = page_read(r, vpn, (addr % OPAGE) / 8);
}

int
oracle_access_check(const struct oracle_pred *pd, int write, int err,
    uint64_t val, int swapfail)
{
	if (pd->flags & ORACLE_NOCHECK)
		return 1;
	if (err == EACCES && pd->err == 0 && (swapfail ||
	    (pd->flags & (ORACLE_MAYPOISON | ORACLE_EACCESOK))))
		return 1;
	if (err != pd->err)
		return 0;
	return err != 0 || write || val == pd->val;
}

void
oracle_access_done(int p, uint64_t addr, int write, uint64_t wval, int err)
{
	struct oproc *pr = &procs[p];
	struct oregion *r;
	uint64_t vpn = addr / OPAGE;
	int i, c;

	if (!proc_ok(p) || (i = region_find(pr, vpn)) < 0)
		return;
	r = &pr->r[i];
	c = anon_cell(r, vpn);
	if (err == EACCES) {
		/*
		 * Predicted success (else nothing changes): poisoned.  The
		 * anon may be one the fault itself created (zero fill, or
		 * a write's promotion) and the pagedaemon paged out while
		 * the fault waited for memory: create its cell.
		 */
		if (!(r->prot & (write ? OPROT_WRITE : OPROT_READ)))
			return;
		if (write && c != 0 && CELL(c).refs > 1) {
			/*
			 * A store to a page still shared copy-on-write:
			 * the read that failed was the shared anon's, or
			 * the fault's own copy's (case 1B put the copy in
			 * the amap, pmap_enter failed, the pagedaemon
			 * paged the copy out while the fault waited, the
			 * restarted fault read it back).  p's page is lost
			 * either way; the other sharers' maybe.
			 */
			if (CELL(c).poison == CELL_CLEAN)
				CELL(c).poison = CELL_MAYBE;
			c = page_wcell(r, vpn);
		}
		if (c == 0 && r->space != 0 && (write || r->obj < 0))
			c = page_wcell(r, vpn);
		if (c != 0)
			CELL(c).poison = CELL_POISONED;
		return;
	}
	if (err != 0)
		return;
	if (c != 0 && CELL(c).poison == CELL_MAYBE)
		CELL(c).poison = CELL_CLEAN;
	if (write)
		ocell_write(page_wcell(r, vpn), (addr % OPAGE) / 8, wval);
	else if (c == 0 && r->obj < 0)
		(void)page_wcell(r, vpn);	/* zero-fill anon, as UVM */
}

/*
 * range_doubt: walk the pages of p in [s, e) (all when e == 0).  mark
 * 2 (swapoff) is mark 1 without the writable private object pages
 * (only their copies, which exist, are anons).  mark:
 * the anons the operation may have faulted in, those of anonymous
 * pages (a wiring read fault zero-fills them) and of writable private
 * pages (promoted), get their cell now, as the model's anons exist
 * now, and every cell in range becomes "maybe poisoned".  Returns
 * whether some cell in range was maybe poisoned (before marking).
 * Where no cell is created, only the cells that exist are visited.
 */
static int
range_doubt(int p, uint64_t s, uint64_t e, int mark)
{
	struct oproc *pr = &procs[p];
	struct oregion *r;
	uint64_t v, lo, hi;
	int i, c, sl, doubt = 0;

	for (i = 0; proc_ok(p) && i < pr->nr; i++) {
		r = &pr->r[i];
		lo = r->start;
		hi = r->end;
		if (e != 0) {
			lo = lo > s ? lo : s;
			hi = hi < e ? hi : e;
		}
		if (lo >= hi || r->space == 0)
			continue;
		if (mark && r->prot != 0 && (r->obj < 0 ||
		    (mark == 1 && (r->prot & OPROT_WRITE)))) {
			for (v = lo; v < hi; v++) {
				c = anon_cell(r, v);
				if (c == 0)
					c = page_wcell(r, v);
				doubt |= CELL(c).poison == CELL_MAYBE;
				if (CELL(c).poison == CELL_CLEAN)
					CELL(c).poison = CELL_MAYBE;
			}
			continue;
		}
		for (sl = ospace_first(r->space, r->sbase + (lo - r->start));
		    sl != 0 && SLOT(sl).idx < r->sbase + (hi - r->start);
		    sl = SLOT(sl).next) {
			c = SLOT(sl).cell;
			doubt |= CELL(c).poison == CELL_MAYBE;
			if (mark && CELL(c).poison == CELL_CLEAN)
				CELL(c).poison = CELL_MAYBE;
		}
	}
	return doubt;
}

void
oracle_maybe_poison(int p, uint64_t addr, uint64_t npages)
{
	(void)range_doubt(p, addr / OPAGE, npages ? addr / OPAGE + npages :
	    0, 1);
}

void
oracle_maybe_poison_anons(void)
{
	int p;

	for (p = 0; p < UVM_SIM_MAXPROC; p++)
		(void)range_doubt(p, 0, 0, 2);
}

int
oracle_doubt(int p, uint64_t addr, uint64_t npages)
{
	return range_doubt(p, addr / OPAGE, addr / OPAGE + npages, 0);
}

void
oracle_taint(int p)
{
	if (proc_ok(p))
		procs[p].tainted = 1;
}

int
oracle_tainted(int p)
{
	return proc_ok(p) && procs[p].tainted;
}

uint64_t
oracle_obj_word(int obj, uint64_t off)
{
	uint64_t pg = off / OPAGE;

	if (obj < 0 || obj >= UVM_SIM_MAXOBJ || pg >= UVM_SIM_OBJPAGES)
		return 0;
	if (objcell[obj][pg] != 0)
		return ocell_read(objcell[obj][pg], (off % OPAGE) / 8);
	return oracle_obj_initial(obj, off);
}
