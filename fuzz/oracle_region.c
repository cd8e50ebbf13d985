/*
 * fuzz/oracle_region.c: the oracle's regions (fuzz/oracle_region.h):
 * insertion, lookup, splitting and unmapping of a process's sorted
 * array of mappings.  Plain host C, linear walks over short arrays.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uvm_sim.h"
#include "oracle_store.h"
#include "oracle_region.h"

/* the index of the region of p containing page vpn, -1 */
int
region_find(struct oproc *pr, uint64_t vpn)
{
	int i;

	for (i = 0; i < pr->nr; i++)
		if (pr->r[i].start <= vpn && vpn < pr->r[i].end)
			return i;
	return -1;
}

/* region_insert: room for a region at index i (sorted by start) */
struct oregion *
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

void
region_remove(struct oproc *pr, int i)
{
	ospace_unref(pr->r[i].space);
	memmove(&pr->r[i], &pr->r[i + 1], (pr->nr - i - 1) * sizeof(*pr->r));
	pr->nr--;
}

/* region_add: insert *r in address order (the range must be free) */
void
region_add(struct oproc *pr, const struct oregion *r)
{
	int i;

	for (i = 0; i < pr->nr && pr->r[i].start < r->start; i++)
		continue;
	*region_insert(pr, i) = *r;
}

/* split: no region of pr straddles page vpn afterwards */
void
region_split(struct oproc *pr, uint64_t vpn)
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
int
region_range_args(uint64_t addr, uint64_t npages)
{
	if (addr % OPAGE != 0 || npages == 0 || addr < OVA_MIN ||
	    npages > (OVA_MAX - addr) / OPAGE || addr >= OVA_MAX)
		return EINVAL;
	return 0;
}

/* covered: [s, e) pages are mapped without a hole */
int
region_covered(struct oproc *pr, uint64_t s, uint64_t e)
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
int
region_overlaps(struct oproc *pr, uint64_t s, uint64_t e)
{
	int i;

	for (i = 0; i < pr->nr; i++)
		if (pr->r[i].start < e && pr->r[i].end > s)
			return 1;
	return 0;
}

/* clip: split at both ends of [s, e); the first index inside, or nr */
int
region_clip(struct oproc *pr, uint64_t s, uint64_t e)
{
	int i;

	region_split(pr, s);
	region_split(pr, e);
	for (i = 0; i < pr->nr && pr->r[i].end <= s; i++)
		continue;
	return i;
}

/* unmap pages [s, e) of pr */
void
region_unmap(struct oproc *pr, uint64_t s, uint64_t e)
{
	int i;

	i = region_clip(pr, s, e);
	while (i < pr->nr && pr->r[i].start < e)
		region_remove(pr, i);
}
