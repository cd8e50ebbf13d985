/*
 * fuzz/oracle.c: the semantic oracle (see oracle.h for the model).
 *
 * Plain host C, written for obviousness rather than speed: linear
 * searches over short lists.  All memory lives in pools that grow on
 * demand and are reused from one run to the next (oracle_reset() only
 * empties them), so a fuzzing input costs no heap traffic once warm.
 * Pool objects are named by index (0 = none), never by pointer, since
 * a pool may move when it grows.
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

#define OPAGE		UVM_SIM_PAGE_SIZE
#define OWORDS		(OPAGE / 8)
#define OVA_MIN		0x1000ULL	/* VM_MIN_ADDRESS (uvm/uvm_map.h) */
#define OVA_MAX		0x40000000ULL	/* VM_MAX_ADDRESS */

#define OPROT_READ	0x01
#define OPROT_WRITE	0x02
#define OPROT_ALL	0x07
#define OINH_SHARE	0
#define OINH_COPY	1
#define OINH_NONE	2
#define OINH_ZERO	3

enum { CELL_CLEAN, CELL_MAYBE, CELL_POISONED };

/*
 * Pooled items (ocell, oword, oslot, ospace) start with `next': the
 * free list, or their list's link.
 */

/* a page's contents: base plus the words written since */
struct ocell {
	int		next;	/* free list */
	int		refs;	/* references from slots and objects */
	int		bobj;	/* base: -1 zero, else object bobj's ... */
	uint64_t	bpage;	/* ... page bpage, initial data */
	int		poison;	/* CELL_* */
	int		words;	/* first struct oword, 0 none */
};

struct oword {
	int		next;
	uint32_t	idx;	/* word in the page, 0..OWORDS-1 */
	uint64_t	val;
};

/* one page of an anon space: index -> cell */
struct oslot {
	int		next;
	uint64_t	idx;
	int		cell;
};

/* the anonymous layer shared by one or more regions */
struct ospace {
	int		next;	/* free list */
	int		refs;	/* regions using it */
	int		slots;	/* first struct oslot */
};

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

/* a growable pool of fixed-size items, item 0 unused */
struct opool {
	void		*v;
	int		n, cap, size;
	int		free;	/* free list head */
};

static struct opool cellpool = { .size = sizeof(struct ocell) };
static struct opool wordpool = { .size = sizeof(struct oword) };
static struct opool slotpool = { .size = sizeof(struct oslot) };
static struct opool spacepool = { .size = sizeof(struct ospace) };

static struct oproc procs[UVM_SIM_MAXPROC];
static int objcell[UVM_SIM_MAXOBJ][UVM_SIM_OBJPAGES];

#define CELL(i)		(((struct ocell *)cellpool.v)[i])
#define WORD(i)		(((struct oword *)wordpool.v)[i])
#define SLOT(i)		(((struct oslot *)slotpool.v)[i])
#define SPACE(i)	(((struct ospace *)spacepool.v)[i])

#define ONEXT(pl, i)	(*(int *)((char *)(pl)->v + (size_t)(i) * (pl)->size))

/* opool_get: a new item index (>= 1), from the free list or by growing */
static int
opool_get(struct opool *pl)
{
	int i;

	if ((i = pl->free) != 0) {
		pl->free = ONEXT(pl, i);
		return i;
	}
	if (pl->n == 0)
		pl->n = 1;
	if (pl->n >= pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 256;
		pl->v = realloc(pl->v, (size_t)pl->cap * pl->size);
		if (pl->v == NULL)
			abort();
	}
	return pl->n++;
}

static void
opool_put(struct opool *pl, int i)
{
	ONEXT(pl, i) = pl->free;
	pl->free = i;
}

/* cell_new: a fresh cell, one reference, base zero or an object page */
static int
cell_new(int bobj, uint64_t bpage)
{
	int c = opool_get(&cellpool);

	CELL(c).refs = 1;
	CELL(c).bobj = bobj;
	CELL(c).bpage = bpage;
	CELL(c).poison = CELL_CLEAN;
	CELL(c).words = 0;
	CELL(c).next = 0;
	return c;
}

static void
cell_unref(int c)
{
	int w, nw;

	if (--CELL(c).refs > 0)
		return;
	for (w = CELL(c).words; w != 0; w = nw) {
		nw = WORD(w).next;
		opool_put(&wordpool, w);
	}
	CELL(c).words = 0;
	opool_put(&cellpool, c);
}

/* cell_copy: a new cell (one reference) with the contents of c */
static int
cell_copy(int c)
{
	int n, w, nw;

	n = cell_new(CELL(c).bobj, CELL(c).bpage);
	for (w = CELL(c).words; w != 0; w = WORD(w).next) {
		nw = opool_get(&wordpool);
		WORD(nw).idx = WORD(w).idx;
		WORD(nw).val = WORD(w).val;
		WORD(nw).next = CELL(n).words;
		CELL(n).words = nw;
	}
	return n;
}

uint64_t
oracle_obj_initial(int obj, uint64_t off)
{
	uint64_t z;

	z = (((uint64_t)obj << 40) ^ ((off & ~7ULL) >> 3)) +
	    0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
cell_read(int c, uint32_t idx)
{
	int w;

	for (w = CELL(c).words; w != 0; w = WORD(w).next)
		if (WORD(w).idx == idx)
			return WORD(w).val;
	if (CELL(c).bobj < 0)
		return 0;
	return oracle_obj_initial(CELL(c).bobj,
	    CELL(c).bpage * OPAGE + (uint64_t)idx * 8);
}

static void
cell_write(int c, uint32_t idx, uint64_t val)
{
	int w;

	for (w = CELL(c).words; w != 0; w = WORD(w).next)
		if (WORD(w).idx == idx) {
			WORD(w).val = val;
			return;
		}
	w = opool_get(&wordpool);
	WORD(w).idx = idx;
	WORD(w).val = val;
	WORD(w).next = CELL(c).words;
	CELL(c).words = w;
}

/*
 * Anon spaces.
 */

static int
space_new(void)
{
	int s = opool_get(&spacepool);

	SPACE(s).refs = 1;
	SPACE(s).slots = 0;
	SPACE(s).next = 0;
	return s;
}

static void
space_unref(int s)
{
	int sl, nsl;

	if (s == 0 || --SPACE(s).refs > 0)
		return;
	for (sl = SPACE(s).slots; sl != 0; sl = nsl) {
		nsl = SLOT(sl).next;
		cell_unref(SLOT(sl).cell);
		opool_put(&slotpool, sl);
	}
	SPACE(s).slots = 0;
	opool_put(&spacepool, s);
}

/* the slot holding index idx of space s, 0 if none */
static int
space_slot(int s, uint64_t idx)
{
	int sl;

	for (sl = SPACE(s).slots; sl != 0; sl = SLOT(sl).next)
		if (SLOT(sl).idx == idx)
			return sl;
	return 0;
}

/* space_set: index idx of s now holds cell c (the caller's reference) */
static void
space_set(int s, uint64_t idx, int c)
{
	int sl = space_slot(s, idx);

	if (sl != 0) {
		cell_unref(SLOT(sl).cell);
		SLOT(sl).cell = c;
		return;
	}
	sl = opool_get(&slotpool);
	SLOT(sl).idx = idx;
	SLOT(sl).cell = c;
	SLOT(sl).next = SPACE(s).slots;
	SPACE(s).slots = sl;
}

/*
 * space_copy: a new space with s's cells of [from, from+n) at 0..,
 * shared copy-on-write, or (now) copied at once (amap_cow_now).
 */
static int
space_copy(int s, uint64_t from, uint64_t n, int now)
{
	int ns, sl, c;

	ns = space_new();
	for (sl = SPACE(s).slots; sl != 0; sl = SLOT(sl).next) {
		if (SLOT(sl).idx < from || SLOT(sl).idx >= from + n)
			continue;
		c = SLOT(sl).cell;
		if (now)
			c = cell_copy(c);
		else
			CELL(c).refs++;
		space_set(ns, SLOT(sl).idx - from, c);
	}
	return ns;
}

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
		sl = space_slot(r->space, r->sbase + (vpn - r->start));
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
	sl = space_slot(r->space, r->sbase + (vpn - r->start));
	return sl != 0 ? SLOT(sl).cell : 0;
}

static uint64_t
page_read(const struct oregion *r, uint64_t vpn, uint32_t idx)
{
	int c = page_cell(r, vpn);

	if (c != 0)
		return cell_read(c, idx);
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
			objcell[r->obj][opg] = cell_new(r->obj, opg);
		return objcell[r->obj][opg];
	}
	idx = r->sbase + (vpn - r->start);
	c = page_cell(r, vpn);
	if (c != 0 && space_slot(r->space, idx) != 0) {
		if (CELL(c).refs == 1)
			return c;
		n = cell_copy(c);
		CELL(n).poison = CELL(c).poison;
	} else if (c != 0) {
		n = cell_copy(c);		/* object page, current data */
	} else if (r->obj >= 0) {
		n = cell_new(r->obj, opg);	/* object page, untouched */
	} else {
		n = cell_new(-1, 0);		/* zero fill */
	}
	space_set(r->space, idx, n);
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
	space_unref(pr->r[i].space);
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
	cellpool.n = wordpool.n = slotpool.n = spacepool.n = 0;
	cellpool.free = wordpool.free = slotpool.free = spacepool.free = 0;
	memset(objcell, 0, sizeof(objcell));
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
		n.space = r->space != 0 ? space_copy(r->space, r->sbase,
		    r->end - r->start, r->wired) : space_new();
		n.sbase = 0;
		break;
	case OINH_ZERO:
		n.shared = 0;
		n.obj = -1;
		n.objoff = 0;
		n.space = space_new();
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
	r.space = (r.shared && r.obj >= 0) ? 0 : space_new();
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
 * following the object).  A poisoned page fails the fault: EACCES, the
 * pages before it stay copied.
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
		if (r->prot & OPROT_WRITE)
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
		cell_write(page_wcell(r, vpn), (addr % OPAGE) / 8, wval);
	else if (c == 0 && r->obj < 0)
		(void)page_wcell(r, vpn);	/* zero-fill anon, as UVM */
}

/*
 * range_doubt: walk the pages of p in [s, e) (all when e == 0).  mark:
 * the anons the operation may have faulted in, those of anonymous
 * pages (a wiring read fault zero-fills them) and of writable private
 * pages (promoted), get their cell now, as the model's anons exist
 * now, and every cell in range becomes "maybe poisoned".  Returns
 * whether some cell in range was maybe poisoned (before marking).
 */
static int
range_doubt(int p, uint64_t s, uint64_t e, int mark)
{
	struct oproc *pr = &procs[p];
	struct oregion *r;
	uint64_t v;
	int i, c, doubt = 0;

	for (i = 0; proc_ok(p) && i < pr->nr; i++) {
		r = &pr->r[i];
		for (v = r->start; v < r->end; v++) {
			if (e != 0 && (v < s || v >= e))
				continue;
			c = anon_cell(r, v);
			if (c == 0 && mark && r->space != 0 && r->prot != 0 &&
			    (r->obj < 0 || (r->prot & OPROT_WRITE)))
				c = page_wcell(r, v);
			if (c == 0)
				continue;
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
		return cell_read(objcell[obj][pg], (off % OPAGE) / 8);
	return oracle_obj_initial(obj, off);
}
