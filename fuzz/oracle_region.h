/*
 * fuzz/oracle_region.h: the oracle's processes and their regions (the
 * reference model's view of a vm_map: a sorted array of mappings per
 * process, with no free-space entries), shared by fuzz/oracle.c and
 * fuzz/oracle_region.c.  Pages are numbered (vpn = address / OPAGE).
 */
#ifndef _FUZZ_ORACLE_REGION_H_
#define _FUZZ_ORACLE_REGION_H_

#include <stdint.h>

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

/* the index of the region of pr containing page vpn, -1 */
int	region_find(struct oproc *pr, uint64_t vpn);
/* room for a region at index i (sorted by start): returns it */
struct oregion *region_insert(struct oproc *pr, int i);
/* drop region i (and its anon layer reference) */
void	region_remove(struct oproc *pr, int i);
/* insert *r in address order (the range must be free) */
void	region_add(struct oproc *pr, const struct oregion *r);
/* no region of pr straddles page vpn afterwards */
void	region_split(struct oproc *pr, uint64_t vpn);
/* 0 or EINVAL: a page-aligned, non-empty range (bytes, pages) in user VA */
int	region_range_args(uint64_t addr, uint64_t npages);
/* pages [s, e) are mapped without a hole */
int	region_covered(struct oproc *pr, uint64_t s, uint64_t e);
/* some page of [s, e) is mapped */
int	region_overlaps(struct oproc *pr, uint64_t s, uint64_t e);
/* split at both ends of [s, e); the first index inside, or nr */
int	region_clip(struct oproc *pr, uint64_t s, uint64_t e);
/* unmap pages [s, e) of pr */
void	region_unmap(struct oproc *pr, uint64_t s, uint64_t e);

#endif /* _FUZZ_ORACLE_REGION_H_ */
