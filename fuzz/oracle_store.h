/*
 * fuzz/oracle_store.h: the semantic oracle's storage (private to
 * fuzz/oracle.c and fuzz/oracle_store.c): page contents ("cells") and
 * anonymous layers ("spaces") kept in index-named pools.
 *
 * A cell is a base (zero, or an object page's initial data) plus the
 * 8-byte words written since, stored sparsely; cells are reference
 * counted (anon slots and object pages refer to them) and copied on
 * write by the caller.  A space maps page indexes to cells; regions
 * refer to spaces, counted.  All memory lives in pools that grow on
 * demand and are reused from one run to the next (oracle_store_reset()
 * only empties them); pool items are named by index (0 = none), never
 * by pointer, since a pool moves when it grows.
 */
#ifndef _FUZZ_ORACLE_STORE_H_
#define _FUZZ_ORACLE_STORE_H_

#include <stdint.h>

#define OPAGE		UVM_SIM_PAGE_SIZE
#define OWORDS		(OPAGE / 8)

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

/*
 * one page of an anon space: index -> cell.  After MADV_FREE the page
 * is "maybe freed" (alt != 0): its anon was kept (cell) or freed, and
 * then the page reads alt: a cell (the freed branch's own page, once a
 * store made one) or SLOT_NOANON (what the page reads without an anon:
 * zero, or the object).
 */
#define SLOT_NOANON	(-1)
struct oslot {
	int		next;
	uint64_t	idx;
	int		cell;
	int		alt;	/* 0, a cell, or SLOT_NOANON */
};

/* the anonymous layer shared by one or more regions */
struct ospace {
	int		next;	/* free list */
	int		refs;	/* regions using it */
	int		slots;	/* first struct oslot, by increasing idx */
	int		hint;	/* a slot to search on from, 0 none */
};

/* a growable pool of fixed-size items, item 0 unused */
struct opool {
	void		*v;
	int		n, cap, size;
	int		free;	/* free list head */
};

extern struct opool ocellpool;
extern struct opool owordpool;
extern struct opool oslotpool;
extern struct opool ospacepool;

/* the pooled items, by index */
#define CELL(i)		(((struct ocell *)ocellpool.v)[i])
#define WORD(i)		(((struct oword *)owordpool.v)[i])
#define SLOT(i)		(((struct oslot *)oslotpool.v)[i])
#define SPACE(i)	(((struct ospace *)ospacepool.v)[i])

#define ONEXT(pl, i)	(*(int *)((char *)(pl)->v + (size_t)(i) * (pl)->size))

/* oracle_store_reset: empty every pool (nothing is freed) */
void	oracle_store_reset(void);
/*
 * ocell_new: a fresh cell, one reference, base zero (bobj -1) or page
 * bpage of object bobj
 */
int	ocell_new(int bobj, uint64_t bpage);
/* ocell_unref: drop a reference; the last one frees the cell */
void	ocell_unref(int c);
/* ocell_copy: a new cell (one reference) with the contents of c */
int	ocell_copy(int c);
/* ocell_read/ocell_write: word idx (0..OWORDS-1) of cell c */
uint64_t ocell_read(int c, uint32_t idx);
void	ocell_write(int c, uint32_t idx, uint64_t val);
/* ospace_new: an empty space, one reference */
int	ospace_new(void);
/* ospace_unref: drop a reference (s 0: none); the last one frees it */
void	ospace_unref(int s);
/*
 * ospace_slot: the slot holding page index idx of space s, 0 if none.
 * Slots are kept sorted and the last one found is remembered, so a walk
 * by increasing index costs one step per slot passed.
 */
int	ospace_slot(int s, uint64_t idx);
/* ospace_first: s's first slot with index >= idx, 0 if none (then .next) */
int	ospace_first(int s, uint64_t idx);
/*
 * ospace_set: index idx of s now holds cell c (the caller's ref); an
 * existing slot keeps its alt, a new one has none
 */
void	ospace_set(int s, uint64_t idx, int c);
/* ospace_del: index idx of s holds nothing (its cells are unreferenced) */
void	ospace_del(int s, uint64_t idx);
/*
 * ospace_copy: a new space with s's cells of [from, from+n) (page
 * indexes) at 0.., shared copy-on-write, or (now) copied at once; the
 * maybe-freed state (alt) goes with them.
 */
int	ospace_copy(int s, uint64_t from, uint64_t n, int now);

#endif /* _FUZZ_ORACLE_STORE_H_ */
