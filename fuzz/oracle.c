/*
 * fuzz/oracle.c: the semantic oracle (see oracle.h for the model).
 *
 * Plain host C, written for obviousness: linear searches over short
 * lists (a space's slots sorted, walked in order: oracle_store.h).  Page
 * contents and anon layers live in fuzz/oracle_store.c (pools reused
 * from one run to the next, so a fuzzing input costs no heap traffic
 * once warm); the regions of a process (sorted arrays of mappings) in
 * fuzz/oracle_region.c; this file keeps the processes, the object
 * contents and the operations.
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
#include "oracle_region.h"

static struct oproc procs[UVM_SIM_MAXPROC];
static int swapoff;		/* the swap device is off (swapctl) */
static int objcell[UVM_SIM_MAXOBJ][UVM_SIM_OBJPAGES];
static int objtaint[UVM_SIM_MAXOBJ];	/* contents unknown (MADV_FREE) */
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

/* maybe_slot: the slot of page vpn of r if it is maybe freed, else 0 */
static int
maybe_slot(const struct oregion *r, uint64_t vpn)
{
	int sl;

	if (r->space == 0)
		return 0;
	sl = ospace_slot(r->space, r->sbase + (vpn - r->start));
	return sl != 0 && SLOT(sl).alt != 0 ? sl : 0;
}

/* alt_read: word idx of page vpn of r in maybe slot sl's freed branch */
static uint64_t
alt_read(const struct oregion *r, uint64_t vpn, int sl, uint32_t idx)
{
	uint64_t opg;

	if (SLOT(sl).alt > 0)
		return ocell_read(SLOT(sl).alt, idx);
	if (r->obj < 0)
		return 0;
	opg = r->objoff + (vpn - r->start);
	if (objcell[r->obj][opg] != 0)
		return ocell_read(objcell[r->obj][opg], idx);
	return oracle_obj_initial(r->obj, opg * OPAGE + (uint64_t)idx * 8);
}

/* settle_kept: maybe slot sl's anon was kept */
static void
settle_kept(int sl)
{
	if (SLOT(sl).alt > 0)
		ocell_unref(SLOT(sl).alt);
	SLOT(sl).alt = 0;
}

/*
 * settle_alt: maybe slot sl (page vpn of r) was freed: the page is its
 * freed branch's cell, or none (an object page), or a zero-filled anon
 */
static void
settle_alt(const struct oregion *r, uint64_t vpn, int sl)
{
	uint64_t idx = SLOT(sl).idx;
	int a = SLOT(sl).alt;

	SLOT(sl).alt = 0;
	if (a > 0)
		ospace_set(r->space, idx, a);
	else if (r->obj >= 0)
		ospace_del(r->space, idx);
	else
		ospace_set(r->space, idx, ocell_new(-1, 0));
	(void)vpn;
}

/*
 * alt_wcell: the freed branch's own cell of maybe slot sl (page vpn of
 * r), made (from what the page reads without an anon) or made private
 */
static int
alt_wcell(const struct oregion *r, uint64_t vpn, int sl)
{
	uint64_t opg;
	int a = SLOT(sl).alt, n;

	if (a == SLOT_NOANON) {
		opg = r->objoff + (vpn - r->start);
		if (r->obj < 0)
			a = ocell_new(-1, 0);
		else if (objcell[r->obj][opg] != 0)
			a = ocell_copy(objcell[r->obj][opg]);
		else
			a = ocell_new(r->obj, opg);
	} else if (CELL(a).refs > 1) {
		n = ocell_copy(a);
		ocell_unref(a);
		a = n;
	}
	SLOT(sl).alt = a;
	return a;
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
	memset(objtaint, 0, sizeof(objtaint));
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
	if ((flags & UVM_SIM_MAP_FIXED) && region_range_args(addr, npages) != 0)
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
	if (!(flags & UVM_SIM_MAP_FIXED) && region_range_args(addr, npages) != 0)
		return ENOMEM;		/* the model chose a bad range */
	s = addr / OPAGE;
	if (flags & UVM_SIM_MAP_FIXED)
		region_unmap(pr, s, s + npages);
	else if (region_overlaps(pr, s, s + npages))
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
	if (r.obj >= 0 && objtaint[r.obj])
		pr->tainted = 1;
	return 0;
}

int
oracle_munmap(int p, uint64_t addr, uint64_t npages)
{
	if (!proc_ok(p))
		return ESRCH;
	if (region_range_args(addr, npages) != 0)
		return EINVAL;
	region_unmap(&procs[p], addr / OPAGE, addr / OPAGE + npages);
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
	if (region_range_args(addr, npages) != 0)
		return EINVAL;
	for (i = region_clip(pr, s, e); i < pr->nr && pr->r[i].start < e; i++) {
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
	if ((error = region_range_args(addr, npages)) != 0 || !proc_ok(p))
		return error ? error : ESRCH;
	for (i = region_clip(pr, s, e); i < pr->nr && pr->r[i].start < e; i++) {
		r = &pr->r[i];
		old = r->prot;
		r->prot = prot;
		mask = r->shared ? OPROT_ALL : OPROT_ALL & ~OPROT_WRITE;
		if ((old & ~prot) && (prot & mask) == 0)
			r->wired = 0;
		if (r->wired && !r->shared && (prot & ~old & OPROT_WRITE))
			rewire = 1;
	}
	for (i = region_clip(pr, s, e); rewire && i < pr->nr && pr->r[i].start < e;
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

/*
 * obj_written: a page of obj in [from, to) was written (else it holds
 * its initial data, in memory and in the store alike)
 */
static int
obj_written(int obj, uint64_t from, uint64_t to)
{
	uint64_t pg;

	for (pg = from; pg < to && pg < UVM_SIM_OBJPAGES; pg++)
		if (objcell[obj][pg] != 0 && CELL(objcell[obj][pg]).words != 0)
			return 1;
	return 0;
}

/* space_foreign: a region of another process than p uses space sp */
static int
space_foreign(int p, int sp)
{
	int q, i;

	for (q = 0; q < UVM_SIM_MAXPROC; q++)
		for (i = 0; q != p && procs[q].exists && i < procs[q].nr; i++)
			if (procs[q].r[i].space == sp)
				return 1;
	return 0;
}

/*
 * madv_free: MADV_FREE of pages [s, e) of p (no hole; regions are not
 * split: the model's uvm_map_clean clips nothing).  See oracle.h.  The
 * model frees an anon only when its amap has one reference: never when
 * another process shares the layer (MAP_INHERIT_SHARE); a layer split
 * between regions of p may be one amap (refs 2, nothing freed) or one
 * per region (the amaps were made after the split), so maybe.  A page
 * already maybe freed whose freed branch has its own page (a store
 * made one) would have three outcomes: p is tainted instead.
 */
static void
madv_free(int p, uint64_t s, uint64_t e)
{
	struct oproc *pr = &procs[p];
	struct oregion *r;
	uint64_t lo, hi;
	int i, q, k, sl;

	for (i = 0; i < pr->nr; i++) {
		r = &pr->r[i];
		lo = r->start > s ? r->start : s;
		hi = r->end < e ? r->end : e;
		if (lo >= hi)
			continue;
		if (r->obj >= 0 && r->shared && (r->maxprot & OPROT_WRITE) &&
		    obj_written(r->obj, r->objoff + (lo - r->start),
		    r->objoff + (hi - r->start))) {
			/* pgo_flush(PGO_FREE): dirty object pages dropped */
			objtaint[r->obj] = 1;
			for (q = 0; q < UVM_SIM_MAXPROC; q++)
				for (k = 0; procs[q].exists &&
				    k < procs[q].nr; k++)
					if (procs[q].r[k].obj == r->obj)
						procs[q].tainted = 1;
		}
		if (r->space == 0 || r->wired || space_foreign(p, r->space))
			continue;
		for (sl = ospace_first(r->space, r->sbase + (lo - r->start));
		    sl != 0 && SLOT(sl).idx < r->sbase + (hi - r->start);
		    sl = SLOT(sl).next) {
			if (SLOT(sl).alt == 0)
				SLOT(sl).alt = SLOT_NOANON;
			else if (SLOT(sl).alt != SLOT_NOANON)
				pr->tainted = 1;
		}
	}
}

/*
 * oracle_madvise: NORMAL, RANDOM, SEQUENTIAL set the advice; WILLNEED
 * nothing; DONTNEED and FREE EFAULT on a hole, FREE as madv_free; else
 * EINVAL (SPACEAVAIL too), as the model.
 */
int
oracle_madvise(int p, uint64_t addr, uint64_t npages, int advice)
{
	uint64_t s = addr / OPAGE;

	if (advice >= 0 && advice <= 2)
		return range_set(p, addr, npages, RF_ADVICE, advice);
	if (advice != 3 && advice != 4 && advice != 6)
		return EINVAL;
	if (!proc_ok(p))
		return ESRCH;
	if (region_range_args(addr, npages) != 0)
		return EINVAL;
	if (advice == 3)
		return 0;
	if (!region_covered(&procs[p], s, s + npages))
		return EFAULT;
	if (advice == 6)
		madv_free(p, s, s + npages);
	return 0;
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
	if (region_range_args(addr, npages) != 0)
		return EINVAL;
	if (!region_covered(pr, s, e))
		return EFAULT;
	for (i = region_clip(pr, s, e); i < pr->nr && pr->r[i].start < e; i++)
		if (pr->r[i].prot != 0 && !pr->r[i].wired &&
		    (error = wire_fault(&pr->r[i])) != 0)
			return error;
	for (i = region_clip(pr, s, e); i < pr->nr && pr->r[i].start < e; i++)
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
	int i, c, sl, need;

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
	if ((sl = maybe_slot(r, vpn)) != 0) {
		pd->flags |= ORACLE_MAYFREED;
		if (!write)
			pd->val2 = alt_read(r, vpn, sl, (addr % OPAGE) / 8);
	}
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
	if ((pd->flags & ORACLE_MAYFREED) && err == 0 &&
	    (write || val == pd->val2))
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
	uint32_t idx = (addr % OPAGE) / 8;
	int i, c, sl, kept, need;

	if (!proc_ok(p) || (i = region_find(pr, vpn)) < 0)
		return;
	r = &pr->r[i];
	need = write ? OPROT_WRITE : OPROT_READ;
	if ((sl = maybe_slot(r, vpn)) != 0 && err == EACCES) {
		/*
		 * With the right, the freed branch cannot fail; without it
		 * (a load through -w- or --x) either branch may: still
		 * maybe.
		 */
		if ((r->prot & need) == need)
			settle_kept(sl);
	} else if (sl != 0 && err == 0) {
		c = SLOT(sl).cell;
		kept = CELL(c).poison != CELL_POISONED &&
		    (write || ocell_read(c, idx) == wval);
		if (!kept)
			settle_alt(r, vpn, sl);
		else if (write)		/* both branches take the store */
			ocell_write(alt_wcell(r, vpn, sl), idx, wval);
		else if (alt_read(r, vpn, sl, idx) != wval)
			settle_kept(sl);
	}
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

int
oracle_obj_tainted(int obj)
{
	return obj >= 0 && obj < UVM_SIM_MAXOBJ && objtaint[obj];
}
