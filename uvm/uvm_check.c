/*
 * uvm_check.c: the invariant checker (UVM.md "Invariants").
 *
 * Not in OpenBSD, whose DIAGNOSTIC code checks a few of these piecemeal.
 * Run at a quiescent point (no CPU inside uvm/); walks every map entry,
 * amap, anon, page and pmap mapping reachable from the given address
 * spaces and panics "invariant N: <what> <addresses/slots/va>" on:
 *
 *  0  (translation) a mapping outside every map entry, of a free page,
 *     or of a page other than the one the entry resolves va to (the
 *     slot's anon's page, else the object's page at that offset);
 *  1  an anon whose an_lock is not its amap's am_lock;
 *  2  an_ref != number of amap slots pointing at the anon (all amaps
 *     reachable from all maps, each amap counted once);
 *  3  an anon with an_ref > 1 whose page a pmap of the given address
 *     spaces maps writable (found from the mappings: pg->uanon);
 *  4  a writable mapping inside a NEEDSCOPY entry;
 *  5  a writable mapping of an object page through a COPYONWRITE entry;
 *  6  am_ref != number of map entries referencing the amap; a ppref that
 *     disagrees with the per-slot entry references; am_nused != set
 *     bits of the usedmaps; a used bit without an anon or vice versa;
 *  7  a PMAP_WIRED mapping of a page with wire_count 0 or in an unwired
 *     entry; a page of a wired (accessible) entry not mapped wired; a
 *     wired page that no wired entry reaches (needs all address spaces);
 * 10  a lock held by any CPU, or a busy/released page, at this point;
 * 11  (counter conservation) uvmexp.swpgonly != the number of anons
 *     whose data is only in swap (no page, a valid swap slot), over all
 *     amaps reachable from the given address spaces (needs all of them,
 *     as invariant 7's reverse check does).
 *
 * Invariants 8 (re-validation after sleep) and 9 (causality) are about
 * executions, not states: the oracle and the fault handler's own
 * assertions cover them.
 *
 * Cost: linear in entries + used slots + mappings (hash tables for amaps
 * and anons), no allocation for the usual sizes.  Incremental where it
 * pays: the chunk-structure check of an amap (amap_foreach_anon) runs
 * only when the amap changed since it last passed (a fingerprint of all
 * it reads, see chk_amap_structure).  The maps are read-locked while
 * their entries are collected; everything else is read without locks,
 * which is sound only at a quiescent point.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mman.h>
#include <sys/malloc.h>
#include <sys/rwlock.h>
#include <machine/cpu.h>

#include "uvm.h"

/*
 * The checker's own branches follow the state, not the code under test:
 * keep them out of the fuzzers' coverage feedback (and its cost).
 */
#if defined(__clang__) && __clang_major__ >= 13
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), \
    apply_to = function)
#define CHK_NOCOV_POP
#endif

/* a pointer-keyed open-addressing hash table (amaps and anons) */
struct chk_hash {
	const void	**h_key;
	int		 *h_val;
	u_int		  h_size;	/* power of two */
	u_int		  h_count;	/* keys in use */
};

struct chk_ent {			/* one map entry */
	struct vm_map_entry	*ce_entry;
	struct vmspace		*ce_vm;
};

struct chk_map {			/* one pmap mapping */
	vaddr_t		cm_va;
	paddr_t		cm_pa;
	vm_prot_t	cm_prot;
	int		cm_wired;
};

struct chk_ctx {
	struct chk_ent	*c_ents;
	int		 c_nents, c_maxents;
	struct chk_hash	 c_amaps;	/* amap -> entries referencing it */
	struct chk_hash	 c_anons;	/* anon -> slots pointing at it */
	struct chk_map	*c_maps;	/* mappings of the current pmap */
	int		 c_nmaps, c_maxmaps;
};

/*
 * Scratch memory: static buffers for the usual sizes (a check runs after
 * every operation, and fresh allocations dominate its cost under ASan),
 * malloc beyond them.  Checks never run concurrently (quiescent point).
 */
#define CHK_SCRATCH	(64 * 1024)	/* bytes per buffer */
static char chk_scratch[5][CHK_SCRATCH] __aligned(16);

static void *
chk_alloc(int buf, size_t size, int zero)
{
	void *p;

	if (size <= CHK_SCRATCH)
		p = chk_scratch[buf];
	else
		p = malloc(size, M_TEMP, M_WAITOK);
	if (zero)
		memset(p, 0, size);
	return p;
}

static void
chk_free(void *p, size_t size)
{
	if (size > CHK_SCRATCH)
		free(p, M_TEMP, size);
}

/* buffers of chk_scratch */
#define CHK_B_ENTS	0
#define CHK_B_AKEY	1	/* c_amaps keys, then values */
#define CHK_B_NKEY	2	/* c_anons keys, then values */
#define CHK_B_MAPS	3
#define CHK_B_COVER	4

static void
chk_hash_init(struct chk_hash *h, u_int n, int buf)
{
	u_int size = 16;
	char *p;

	while (size < 2 * n)
		size <<= 1;
	h->h_size = size;
	h->h_count = 0;
	p = chk_alloc(buf, size * (sizeof(*h->h_key) + sizeof(*h->h_val)), 1);
	h->h_key = (const void **)p;
	h->h_val = (int *)(p + size * sizeof(*h->h_key));
}

static void
chk_hash_free(struct chk_hash *h)
{
	chk_free(h->h_key, h->h_size * (sizeof(*h->h_key) +
	    sizeof(*h->h_val)));
}

/* the value cell of key, inserted with value 0 if missing */
static int *
chk_hash_get(struct chk_hash *h, const void *key)
{
	u_int i = (u_int)(((uintptr_t)key >> 4) * 2654435761u);

	for (;; i++) {
		i &= h->h_size - 1;
		if (h->h_key[i] == key)
			return &h->h_val[i];
		if (h->h_key[i] == NULL) {
			if (++h->h_count * 4 > h->h_size * 3)
				panic("uvm_check: hash table of %u full: "
				    "counts disagree (am_nused?)", h->h_size);
			h->h_key[i] = key;
			return &h->h_val[i];
		}
	}
}

/* the anon in slot of amap, read without the lock (quiescent) */
static struct vm_anon *
chk_amap_slot(struct vm_amap *amap, int slot)
{
	struct vm_amap_chunk *chunk;

	if (slot < 0 || slot >= amap->am_nslot)
		return NULL;
	if (UVM_AMAP_SMALL(amap))
		return amap->am_small.ac_anon[slot];
	TAILQ_FOREACH(chunk, &amap->am_chunks, ac_list)
		if (slot >= chunk->ac_baseslot &&
		    slot < chunk->ac_baseslot + chunk->ac_nslot)
			return chunk->ac_anon[slot - chunk->ac_baseslot];
	return NULL;
}

/* invariant 10: no CPU holds a lock */
static void
chk_nolocks(void)
{
	struct cpu_info *ci;
	int i;

	CPU_INFO_FOREACH(i, ci) {
		if (ci->ci_nlocks != 0)
			panic("invariant 10: cpu%d holds %d lock(s) at a "
			    "quiescent point, first %s@%p", i, ci->ci_nlocks,
			    ci->ci_heldname[0] ? ci->ci_heldname[0] : "?",
			    ci->ci_held[0]);
	}
}

static void
chk_unlocked(struct rwlock *rwl, const char *what, const void *obj)
{
	if (rwl != NULL && rw_status(rwl) != 0)
		panic("invariant 10: %s %p lock %s@%p held at a quiescent "
		    "point (writer cpu%d, readers 0x%x)", what, obj,
		    rwl->rwl_name, rwl, rwl->rwl_writer, rwl->rwl_readers);
}

/* collect every entry of every map; count amap references (inv 6) */
static void
chk_collect(struct chk_ctx *c, struct vmspace **vms, int nvms)
{
	struct vm_map_entry *e;
	struct vm_map *map;
	int i, n = 0;

	for (i = 0; i < nvms; i++)
		if (vms[i] != NULL)
			n += vms[i]->vm_map.nentries;
	c->c_maxents = n + 1;
	c->c_ents = chk_alloc(CHK_B_ENTS, c->c_maxents * sizeof(*c->c_ents),
	    0);
	chk_hash_init(&c->c_amaps, n, CHK_B_AKEY);
	c->c_nents = 0;
	for (i = 0; i < nvms; i++) {
		if (vms[i] == NULL)
			continue;
		map = &vms[i]->vm_map;
		chk_unlocked(&map->lock, "map", map);
		vm_map_lock_read(map);
		for (e = uvm_map_entry_first(map); e != NULL;
		    e = uvm_map_entry_next(map, e)) {
			if (c->c_nents == n)
				panic("uvm_check: map %p has more entries than "
				    "nentries %d", map, map->nentries);
			c->c_ents[c->c_nents].ce_entry = e;
			c->c_ents[c->c_nents++].ce_vm = vms[i];
			if (e->aref.ar_amap != NULL)
				(*chk_hash_get(&c->c_amaps,
				    e->aref.ar_amap))++;
			if (UVM_ET_ISOBJ(e) && e->object.uvm_obj != NULL)
				chk_unlocked(e->object.uvm_obj->vmobjlock,
				    "object", e->object.uvm_obj);
		}
		vm_map_unlock_read(map);
	}
}

/* invariant 6, ppref part: per-slot references == covering entries */
static void
chk_ppref(struct chk_ctx *c, struct vm_amap *amap)
{
	int *cover, i, s, slot, ref, len;
	struct vm_map_entry *e;

	cover = chk_alloc(CHK_B_COVER, amap->am_nslot * sizeof(int), 1);
	for (i = 0; i < c->c_nents; i++) {
		e = c->c_ents[i].ce_entry;
		if (e->aref.ar_amap != amap)
			continue;
		for (s = 0; s < (int)atop(e->end - e->start); s++)
			if (e->aref.ar_pageoff + s < amap->am_nslot)
				cover[e->aref.ar_pageoff + s]++;
	}
	for (slot = 0; slot < amap->am_nslot; slot += len) {
		if (amap->am_ppref[slot] > 0) {
			ref = amap->am_ppref[slot] - 1;
			len = 1;
		} else {
			ref = -amap->am_ppref[slot] - 1;
			len = slot + 1 < amap->am_nslot ?
			    amap->am_ppref[slot + 1] : 0;
		}
		if (len <= 0 || slot + len > amap->am_nslot)
			panic("invariant 6: amap %p ppref run at slot %d has "
			    "bad length %d", amap, slot, len);
		for (s = slot; s < slot + len; s++)
			if (cover[s] != ref)
				panic("invariant 6: amap %p slot %d ppref %d "
				    "but %d entries reference it", amap, s,
				    ref, cover[s]);
	}
	chk_free(cover, amap->am_nslot * sizeof(int));
}

/* the anon side of one used slot: invariants 1, 10; count for 2 */
static void
chk_anon_slot(struct chk_ctx *c, struct vm_amap *amap, int slot,
    struct vm_anon *anon)
{
	struct vm_page *pg;

	if (anon->an_lock != amap->am_lock)
		panic("invariant 1: anon %p in amap %p slot %d has an_lock %p "
		    "!= am_lock %p", anon, amap, slot, anon->an_lock,
		    amap->am_lock);
	(*chk_hash_get(&c->c_anons, anon))++;
	if ((pg = anon->an_page) != NULL) {
		if (pg->uanon != anon)
			panic("invariant 1: anon %p (amap %p slot %d) page %p "
			    "has uanon %p", anon, amap, slot, pg, pg->uanon);
		if (pg->pg_flags & (PG_BUSY | PG_RELEASED | PQ_FREE))
			panic("invariant 10: anon %p (amap %p slot %d) page %p "
			    "flags 0x%x at a quiescent point", anon, amap,
			    slot, pg, pg->pg_flags);
	}
}

/*
 * The chunk-structure check (amap_foreach_anon: slot counts, usedmaps,
 * am_nused, am_ncused, bucket reachability) is a pure function of the
 * amap's header, its bucket array and its chunk list.  It is the
 * checker's largest cost (uvm_amap.c is instrumented for the fuzzers),
 * and most operations change few amaps: remember a 64-bit fingerprint
 * of everything it reads for the amaps it passed, and run it again only
 * for an amap whose fingerprint changed since (a new amap, or one the
 * last operation touched).  Direct-mapped by amap address; a collision
 * only costs a check.
 */
#define CHK_MEMO	1024
static struct {
	const struct vm_amap	*m_amap;
	uint64_t		 m_fp;
} chk_memo[CHK_MEMO];

static inline uint64_t
chk_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdULL;
}

/*
 * the fingerprint of what amap_foreach_anon reads; 0 (never stored)
 * when the chunk list is too odd to walk safely: then always check.
 */
static uint64_t
chk_amap_fp(struct vm_amap *amap)
{
	struct vm_amap_chunk *chunk;
	uint64_t h = 0x84222325cbf29ce4ULL;
	int i, n = 0, maxchunks = amap->am_nslot / UVM_AMAP_CHUNK + 1;

	h = chk_mix(h, (uintptr_t)amap);
	h = chk_mix(h, ((uint64_t)(u_int)amap->am_nslot << 32) |
	    (u_int)amap->am_nused);
	if (!UVM_AMAP_SMALL(amap)) {
		h = chk_mix(h, (uintptr_t)amap->am_buckets);
		h = chk_mix(h, ((uint64_t)(u_int)amap->am_nbuckets << 40) |
		    ((uint64_t)(u_int)amap->am_hashshift << 32) |
		    (u_int)amap->am_ncused);
		if (amap->am_buckets == NULL || amap->am_nbuckets < 0 ||
		    amap->am_nbuckets > maxchunks)
			return 0;
		for (i = 0; i < amap->am_nbuckets; i++)
			h = chk_mix(h, (uintptr_t)amap->am_buckets[i]);
	}
	for (chunk = UVM_AMAP_SMALL(amap) ? &amap->am_small :
	    TAILQ_FIRST(&amap->am_chunks); chunk != NULL;
	    chunk = TAILQ_NEXT(chunk, ac_list)) {
		if (++n > maxchunks || chunk->ac_nslot < 1 ||
		    chunk->ac_nslot > UVM_AMAP_CHUNK)
			return 0;
		h = chk_mix(h, (uintptr_t)chunk);
		h = chk_mix(h, ((uint64_t)(u_int)chunk->ac_baseslot << 32) |
		    ((uint64_t)chunk->ac_usedmap << 16) | chunk->ac_nslot);
		for (i = 0; i < chunk->ac_nslot; i++)
			h = chk_mix(h, (uintptr_t)chunk->ac_anon[i]);
	}
	return h == 0 ? 1 : h;
}

/*
 * uvm_check_reset: forget the amaps whose structure passed (chk_memo),
 * so that a run's checks depend on that run alone (the fuzzers' coverage
 * of uvm_amap.c included).  Not in OpenBSD.
 * => called at a quiescent point (between runs).
 */
void
uvm_check_reset(void)
{
	KASSERT(lock_held_count() == 0);
	memset(chk_memo, 0, sizeof(chk_memo));
}

/* amap_foreach_anon's structure check, unless it passed on this state */
static void
chk_amap_structure(struct vm_amap *amap)
{
	uint64_t fp = chk_amap_fp(amap);
	u_int i = (u_int)(((uintptr_t)amap >> 4) * 2654435761u) %
	    CHK_MEMO;

	if (fp != 0 && chk_memo[i].m_amap == amap && chk_memo[i].m_fp == fp)
		return;
	(void)amap_foreach_anon(amap, NULL, NULL);
	chk_memo[i].m_amap = amap;
	chk_memo[i].m_fp = fp;
}

/*
 * one amap: invariants 6 and 10, its chunk structure, then its anons
 * (1, 10, and counts for 2)
 */
static void
chk_amap(struct chk_ctx *c, struct vm_amap *amap, int nrefs)
{
	struct vm_amap_chunk *chunk;
	int i, nused = 0, used;

	chk_unlocked(amap->am_lock, "amap", amap);
	if (amap->am_ref != nrefs)
		panic("invariant 6: amap %p am_ref %d but %d map entries "
		    "reference it", amap, amap->am_ref, nrefs);
	if (UVM_AMAP_SMALL(amap) &&
	    amap->am_small.ac_nslot != amap->am_nslot)
		panic("invariant 6: amap %p embedded chunk ac_nslot %d != "
		    "am_nslot %d", amap, amap->am_small.ac_nslot,
		    amap->am_nslot);
	for (chunk = UVM_AMAP_SMALL(amap) ? &amap->am_small :
	    TAILQ_FIRST(&amap->am_chunks); chunk != NULL;
	    chunk = UVM_AMAP_SMALL(amap) ? NULL :
	    TAILQ_NEXT(chunk, ac_list)) {
		for (i = 0; i < chunk->ac_nslot; i++) {
			used = (chunk->ac_usedmap >> i) & 1;
			nused += used;
			if (used != (chunk->ac_anon[i] != NULL))
				panic("invariant 6: amap %p slot %d usedmap "
				    "bit %d but anon %p", amap,
				    chunk->ac_baseslot + i, used,
				    chunk->ac_anon[i]);
		}
	}
	if (nused != amap->am_nused)
		panic("invariant 6: amap %p am_nused %d but %d usedmap bits "
		    "set", amap, amap->am_nused, nused);
	chk_amap_structure(amap);
	for (chunk = UVM_AMAP_SMALL(amap) ? &amap->am_small :
	    TAILQ_FIRST(&amap->am_chunks); chunk != NULL;
	    chunk = UVM_AMAP_SMALL(amap) ? NULL :
	    TAILQ_NEXT(chunk, ac_list))
		for (i = 0; i < chunk->ac_nslot; i++)
			if (chunk->ac_anon[i] != NULL)
				chk_anon_slot(c, amap, chunk->ac_baseslot + i,
				    chunk->ac_anon[i]);
	if (amap->am_ppref != NULL && amap->am_ppref != PPREF_NONE)
		chk_ppref(c, amap);
}

/* invariant 2 for one anon counted in c_anons */
static void
chk_anon(struct vm_anon *anon, int nslots)
{
	if (anon->an_ref != nslots)
		panic("invariant 2: anon %p an_ref %d but %d amap slots point "
		    "at it", anon, anon->an_ref, nslots);
}

static void
chk_map_cb(struct pmap *pm, vaddr_t va, paddr_t pa, vm_prot_t prot, int wired,
    void *arg)
{
	struct chk_ctx *c = arg;

	if (c->c_nmaps == c->c_maxmaps)
		panic("uvm_check: pmap %p has more than pm_resident %d "
		    "mappings", pm, c->c_maxmaps);
	c->c_maps[c->c_nmaps].cm_va = va;
	c->c_maps[c->c_nmaps].cm_pa = pa;
	c->c_maps[c->c_nmaps].cm_prot = prot;
	c->c_maps[c->c_nmaps++].cm_wired = wired;
}

/*
 * one mapping (va -> pg) inside entry e: invariants 0, 4, 5, 7.
 */
static void
chk_mapping(struct vm_map_entry *e, struct chk_map *m, struct vm_page *pg)
{
	struct uvm_object *uobj = UVM_ET_ISOBJ(e) ? e->object.uvm_obj : NULL;
	struct vm_anon *anon = NULL;
	voff_t off;

	if (e->aref.ar_amap != NULL)
		anon = chk_amap_slot(e->aref.ar_amap,
		    e->aref.ar_pageoff + atop(m->cm_va - e->start));
	off = e->offset + (m->cm_va - e->start);
	if (anon != NULL) {
		if (anon->an_page != pg)
			panic("invariant 0: va 0x%lx maps page %p but its anon "
			    "%p has page %p (entry %p)", m->cm_va, pg, anon,
			    anon->an_page, e);
	} else if (uobj == NULL || pg->uobject != uobj || pg->offset != off)
		panic("invariant 0: va 0x%lx maps page %p (obj %p off 0x%llx "
		    "anon %p) but entry %p resolves it to obj %p off 0x%llx",
		    m->cm_va, pg, pg->uobject, (long long)pg->offset,
		    pg->uanon, e, uobj, (long long)off);
	if ((m->cm_prot & PROT_WRITE) && pg->uanon != NULL &&
	    pg->uanon->an_ref > 1)
		panic("invariant 3: anon %p an_ref %d page %p mapped writable "
		    "at va 0x%lx (entry %p)", pg->uanon, pg->uanon->an_ref, pg,
		    m->cm_va, e);
	if ((m->cm_prot & PROT_WRITE) && UVM_ET_ISNEEDSCOPY(e))
		panic("invariant 4: va 0x%lx mapped writable (page %p) in "
		    "NEEDSCOPY entry %p [0x%lx, 0x%lx)", m->cm_va, pg, e,
		    e->start, e->end);
	if ((m->cm_prot & PROT_WRITE) && UVM_ET_ISCOPYONWRITE(e) &&
	    anon == NULL)
		panic("invariant 5: va 0x%lx maps object page %p (obj %p off "
		    "0x%llx) writable through COW entry %p", m->cm_va, pg,
		    pg->uobject, (long long)pg->offset, e);
	if (m->cm_wired && (pg->wire_count == 0 || !VM_MAPENT_ISWIRED(e)))
		panic("invariant 7: PMAP_WIRED mapping va 0x%lx of page %p "
		    "wire_count %u in entry %p wired_count %d", m->cm_va, pg,
		    pg->wire_count, e, e->wired_count);
}

/* every mapping of one address space against its entries */
static void
chk_pmap(struct chk_ctx *c, struct vmspace *vm, int first, int last)
{
	struct pmap *pm = vm->vm_map.pmap;
	struct vm_map_entry *e = NULL;
	struct vm_page *pg;
	struct chk_map *m;
	int i, ei = first, nwired = 0;

	c->c_nmaps = 0;
	c->c_maxmaps = pm->pm_resident;
	c->c_maps = chk_alloc(CHK_B_MAPS, (c->c_maxmaps + 1) *
	    sizeof(*c->c_maps), 0);
	pmap_foreach(pm, chk_map_cb, c);
	for (i = 0; i < c->c_nmaps; i++) {
		m = &c->c_maps[i];
		while (ei < last && c->c_ents[ei].ce_entry->end <= m->cm_va) {
			e = c->c_ents[ei].ce_entry;
			if (VM_MAPENT_ISWIRED(e) &&
			    e->protection != PROT_NONE &&
			    nwired != (int)atop(e->end - e->start))
				goto unwired;
			ei++;
			nwired = 0;
		}
		e = ei < last ? c->c_ents[ei].ce_entry : NULL;
		if (e == NULL || m->cm_va < e->start)
			panic("invariant 0: pmap %p maps va 0x%lx (pa 0x%lx) "
			    "outside every map entry of vmspace %p", pm,
			    m->cm_va, m->cm_pa, vm);
		pg = PHYS_TO_VM_PAGE(m->cm_pa);
		if (pg == NULL || (pg->pg_flags & PQ_FREE))
			panic("invariant 0: va 0x%lx of pmap %p maps free or "
			    "unmanaged page pa 0x%lx", m->cm_va, pm, m->cm_pa);
		chk_mapping(e, m, pg);
		nwired += m->cm_wired;
	}
	for (; ei < last; ei++, nwired = 0) {
		e = c->c_ents[ei].ce_entry;
		if (VM_MAPENT_ISWIRED(e) && e->protection != PROT_NONE &&
		    nwired != (int)atop(e->end - e->start))
			goto unwired;
	}
	chk_free(c->c_maps, (c->c_maxmaps + 1) * sizeof(*c->c_maps));
	return;
unwired:
	panic("invariant 7: wired entry %p [0x%lx, 0x%lx) of vmspace %p has "
	    "%d of %lu pages mapped wired", e, e->start, e->end, vm, nwired,
	    atop(e->end - e->start));
}

/*
 * invariant 7, the other way round: every wired page (uvmexp.wired of
 * them) is reachable through a wired entry, as its anon's page or its
 * object's page.  A wiring that outlives every wired entry is a leak
 * (e.g. an unwire that skipped a page whose mapping was gone).
 * Costs nothing while no page is wired.
 */
static void
chk_wired_pages(struct chk_ctx *c)
{
	struct vm_map_entry *e;
	struct vm_anon *anon;
	struct vm_page *pg, key;
	struct chk_hash seen;
	vaddr_t va;
	int i, n = 0, *cnt;

	if (uvmexp.wired == 0)
		return;
	for (i = 0; i < c->c_nents; i++) {
		e = c->c_ents[i].ce_entry;
		if (VM_MAPENT_ISWIRED(e))
			n += atop(e->end - e->start);
	}
	chk_hash_init(&seen, n, CHK_B_COVER);
	for (i = 0; i < c->c_nents; i++) {
		e = c->c_ents[i].ce_entry;
		if (!VM_MAPENT_ISWIRED(e))
			continue;
		for (va = e->start; va < e->end; va += PAGE_SIZE) {
			anon = e->aref.ar_amap == NULL ? NULL :
			    chk_amap_slot(e->aref.ar_amap,
			    e->aref.ar_pageoff + atop(va - e->start));
			pg = NULL;
			if (anon != NULL)
				pg = anon->an_page;
			else if (UVM_ET_ISOBJ(e) && e->object.uvm_obj != NULL) {
				key.offset = e->offset + (va - e->start);
				pg = RB_FIND(uvm_objtree,
				    &e->object.uvm_obj->memt, &key);
			}
			if (pg != NULL && pg->wire_count > 0) {
				cnt = chk_hash_get(&seen, pg);
				(*cnt)++;
			}
		}
	}
	n = seen.h_count;
	chk_hash_free(&seen);
	if (n != uvmexp.wired)
		panic("invariant 7: %d pages wired (uvmexp.wired) but %d "
		    "reachable through wired map entries", uvmexp.wired, n);
}

/*
 * invariant 11: uvmexp.swpgonly counts the anons whose only copy is in
 * swap (an_page NULL, an_swslot neither 0 nor SWSLOT_BAD): every anon
 * the pagedaemon paged out and nobody swapped in or freed since.  Each
 * anon counted once (c_anons holds the distinct anons of all amaps).
 * A lost update of a plain ++/-- on it (BUGS.md O8) or a path that
 * forgets to count shows here.
 */
static void
chk_swpgonly(struct chk_ctx *c)
{
	const struct vm_anon *anon;
	int n = 0, want;
	u_int k;

	for (k = 0; k < c->c_anons.h_size; k++) {
		anon = c->c_anons.h_key[k];
		if (anon != NULL && anon->an_page == NULL &&
		    anon->an_swslot != 0 && anon->an_swslot != SWSLOT_BAD)
			n++;
	}
	want = atomic_load_int(&uvmexp.swpgonly);
	if (n != want)
		panic("invariant 11: uvmexp.swpgonly %d but %d anons are only "
		    "in swap", want, n);
}

/*
 * uvm_check_invariants: check invariants 0-7, 10 and 11 (see the top of this
 * file) over the address spaces vms[0..nvms-1] (NULL ones skipped).
 * => called at a quiescent point: no CPU inside uvm/, no lock held
 *    (itself invariant 10, checked).
 * Panics "invariant N: ..." on the first violation.
 */
void
uvm_check_invariants(struct vmspace **vms, int nvms)
{
	struct chk_ctx c;
	struct vm_amap *amap;
	int i, first, nslots;
	u_int k;

	chk_nolocks();
	memset(&c, 0, sizeof(c));
	chk_collect(&c, vms, nvms);

	nslots = 0;
	for (k = 0; k < c.c_amaps.h_size; k++)
		if (c.c_amaps.h_key[k] != NULL)
			nslots += ((const struct vm_amap *)
			    c.c_amaps.h_key[k])->am_nused;
	chk_hash_init(&c.c_anons, nslots, CHK_B_NKEY);
	for (k = 0; k < c.c_amaps.h_size; k++) {
		amap = (struct vm_amap *)c.c_amaps.h_key[k];
		if (amap != NULL)
			chk_amap(&c, amap, c.c_amaps.h_val[k]);
	}
	for (k = 0; k < c.c_anons.h_size; k++)
		if (c.c_anons.h_key[k] != NULL)
			chk_anon((struct vm_anon *)c.c_anons.h_key[k],
			    c.c_anons.h_val[k]);

	for (first = i = 0; i <= c.c_nents; i++) {
		if (i < c.c_nents && c.c_ents[i].ce_vm == c.c_ents[first].ce_vm)
			continue;
		if (i > first)
			chk_pmap(&c, c.c_ents[first].ce_vm, first, i);
		first = i;
	}
	chk_wired_pages(&c);
	chk_swpgonly(&c);
	/* address spaces without entries must have no mappings */
	for (i = 0; i < nvms; i++)
		if (vms[i] != NULL && vms[i]->vm_map.nentries == 0)
			chk_pmap(&c, vms[i], 0, 0);

	chk_hash_free(&c.c_anons);
	chk_hash_free(&c.c_amaps);
	chk_free(c.c_ents, c.c_maxents * sizeof(*c.c_ents));
	chk_nolocks();
}

#ifdef CHK_NOCOV_POP
#pragma clang attribute pop
#endif
