/*
 * fuzz/oracle_store.c: the semantic oracle's storage, cells and anon
 * spaces in pools (see oracle_store.h; split from fuzz/oracle.c).
 *
 * Plain host C: linear lists; a space's slots are kept sorted by page
 * index, with a search hint, so that the walks by increasing index
 * (wiring, fork, doubt) cost one step per slot.  Models nothing of
 * OpenBSD by itself: it is the reference model's memory (the oracle's
 * "pages" and "amaps").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "uvm_sim.h"
#include "oracle.h"
#include "oracle_store.h"

struct opool ocellpool = { .size = sizeof(struct ocell) };
struct opool owordpool = { .size = sizeof(struct oword) };
struct opool oslotpool = { .size = sizeof(struct oslot) };
struct opool ospacepool = { .size = sizeof(struct ospace) };

void
oracle_store_reset(void)
{
	ocellpool.n = owordpool.n = oslotpool.n = ospacepool.n = 0;
	ocellpool.free = owordpool.free = oslotpool.free = ospacepool.free = 0;
}

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

/* ocell_new: a fresh cell, one reference, base zero or an object page */
int
ocell_new(int bobj, uint64_t bpage)
{
	int c = opool_get(&ocellpool);

	CELL(c).refs = 1;
	CELL(c).bobj = bobj;
	CELL(c).bpage = bpage;
	CELL(c).poison = CELL_CLEAN;
	CELL(c).words = 0;
	CELL(c).next = 0;
	return c;
}

void
ocell_unref(int c)
{
	int w, nw;

	if (--CELL(c).refs > 0)
		return;
	for (w = CELL(c).words; w != 0; w = nw) {
		nw = WORD(w).next;
		opool_put(&owordpool, w);
	}
	CELL(c).words = 0;
	opool_put(&ocellpool, c);
}

/* ocell_copy: a new cell (one reference) with the contents of c */
int
ocell_copy(int c)
{
	int n, w, nw;

	n = ocell_new(CELL(c).bobj, CELL(c).bpage);
	for (w = CELL(c).words; w != 0; w = WORD(w).next) {
		nw = opool_get(&owordpool);
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

uint64_t
ocell_read(int c, uint32_t idx)
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

void
ocell_write(int c, uint32_t idx, uint64_t val)
{
	int w;

	for (w = CELL(c).words; w != 0; w = WORD(w).next)
		if (WORD(w).idx == idx) {
			WORD(w).val = val;
			return;
		}
	w = opool_get(&owordpool);
	WORD(w).idx = idx;
	WORD(w).val = val;
	WORD(w).next = CELL(c).words;
	CELL(c).words = w;
}

/*
 * Anon spaces.
 */

int
ospace_new(void)
{
	int s = opool_get(&ospacepool);

	SPACE(s).refs = 1;
	SPACE(s).slots = 0;
	SPACE(s).hint = 0;
	SPACE(s).next = 0;
	return s;
}

void
ospace_unref(int s)
{
	int sl, nsl;

	if (s == 0 || --SPACE(s).refs > 0)
		return;
	for (sl = SPACE(s).slots; sl != 0; sl = nsl) {
		nsl = SLOT(sl).next;
		ocell_unref(SLOT(sl).cell);
		if (SLOT(sl).alt > 0)
			ocell_unref(SLOT(sl).alt);
		opool_put(&oslotpool, sl);
	}
	SPACE(s).slots = SPACE(s).hint = 0;
	opool_put(&ospacepool, s);
}

/*
 * ospace_prev: the last slot of s with index <= idx, 0 if none (idx
 * would go first).  Searches on from the hint when it is not past idx,
 * else from the head; the slot found becomes the hint.
 */
static int
ospace_prev(int s, uint64_t idx)
{
	int sl, prev = 0;

	sl = SPACE(s).hint;
	if (sl != 0 && SLOT(sl).idx <= idx)
		prev = sl;
	else
		sl = SPACE(s).slots;
	for (; sl != 0 && SLOT(sl).idx <= idx; sl = SLOT(sl).next)
		prev = sl;
	if (prev != 0)
		SPACE(s).hint = prev;
	return prev;
}

/* the slot holding index idx of space s, 0 if none */
int
ospace_slot(int s, uint64_t idx)
{
	int sl = ospace_prev(s, idx);

	return sl != 0 && SLOT(sl).idx == idx ? sl : 0;
}

/* ospace_first: the first slot of s with index >= idx, 0 if none */
int
ospace_first(int s, uint64_t idx)
{
	int sl = ospace_prev(s, idx);

	if (sl == 0)
		return SPACE(s).slots;
	return SLOT(sl).idx == idx ? sl : SLOT(sl).next;
}

/* ospace_set: index idx of s now holds cell c (the caller's reference) */
void
ospace_set(int s, uint64_t idx, int c)
{
	int prev = ospace_prev(s, idx), sl;

	if (prev != 0 && SLOT(prev).idx == idx) {
		ocell_unref(SLOT(prev).cell);
		SLOT(prev).cell = c;
		return;
	}
	sl = opool_get(&oslotpool);
	SLOT(sl).idx = idx;
	SLOT(sl).cell = c;
	SLOT(sl).alt = 0;
	if (prev != 0) {
		SLOT(sl).next = SLOT(prev).next;
		SLOT(prev).next = sl;
	} else {
		SLOT(sl).next = SPACE(s).slots;
		SPACE(s).slots = sl;
	}
	SPACE(s).hint = sl;
}

/*
 * ospace_copy: a new space with s's cells of [from, from+n) at 0..,
 * shared copy-on-write, or (now) copied at once (amap_cow_now).
 */
int
ospace_copy(int s, uint64_t from, uint64_t n, int now)
{
	int ns, sl, nsl, c, a;

	ns = ospace_new();
	for (sl = ospace_first(s, from); sl != 0 && SLOT(sl).idx - from < n;
	    sl = SLOT(sl).next) {
		c = SLOT(sl).cell;
		if (now)
			c = ocell_copy(c);
		else
			CELL(c).refs++;
		ospace_set(ns, SLOT(sl).idx - from, c);
		if ((a = SLOT(sl).alt) != 0) {
			if (a > 0 && now)
				a = ocell_copy(a);
			else if (a > 0)
				CELL(a).refs++;
			nsl = ospace_slot(ns, SLOT(sl).idx - from);
			SLOT(nsl).alt = a;
		}
	}
	return ns;
}

/* ospace_del: index idx of s holds nothing */
void
ospace_del(int s, uint64_t idx)
{
	int sl, prev = 0;

	for (sl = SPACE(s).slots; sl != 0 && SLOT(sl).idx < idx;
	    sl = SLOT(sl).next)
		prev = sl;
	if (sl == 0 || SLOT(sl).idx != idx)
		return;
	if (prev != 0)
		SLOT(prev).next = SLOT(sl).next;
	else
		SPACE(s).slots = SLOT(sl).next;
	SPACE(s).hint = 0;
	ocell_unref(SLOT(sl).cell);
	if (SLOT(sl).alt > 0)
		ocell_unref(SLOT(sl).alt);
	opool_put(&oslotpool, sl);
}
