/*
 * uvm_amap_priv.h: what the files of the amap code (uvm_amap.c,
 * uvm_amap_copy.c, uvm_amap_ref.c, and the checker's view in
 * uvm_amap_check.c) share and nothing else uses.
 * OpenBSD keeps all of it static in one sys/uvm/uvm_amap.c; the model
 * splits the file (house rule: files under ~1000 lines), so these
 * helpers lost their `static'.  Include only from those files.
 */

#ifndef _UVM_UVM_AMAP_PRIV_H_
#define _UVM_UVM_AMAP_PRIV_H_

/* pg_flags is changed with atomic bit operations (pmap too): load it so */
#define PG_FLAGS(pg)	((u_int)atomic_load_int(&(pg)->pg_flags))

#define UVM_AMAP_SLOTIDX(slot)	((slot) % UVM_AMAP_CHUNK)
#define AMAP_BASE_SLOT(slot)	(((slot) / UVM_AMAP_CHUNK) * UVM_AMAP_CHUNK)
#define UVM_AMAP_BUCKET(amap, slot)					\
	(((slot) / UVM_AMAP_CHUNK) >> (amap)->am_hashshift)
#define AMAP_CHUNK_FOREACH(chunk, amap)					\
	for ((chunk) = (UVM_AMAP_SMALL(amap) ?				\
	    &(amap)->am_small : TAILQ_FIRST(&(amap)->am_chunks));	\
	    (chunk) != NULL; (chunk) = TAILQ_NEXT((chunk), ac_list))

static inline int
amap_ffs(int map)
{
	return __builtin_ffs(map);
}

/* uvm_amap.c */
struct vm_amap *amap_alloc1(int, int, int);
void	amap_list_insert(struct vm_amap *);
struct vm_amap_chunk *amap_chunk_get(struct vm_amap *, int, int, int);
void	amap_chunk_free(struct vm_amap *, struct vm_amap_chunk *);

/* uvm_amap_ref.c */
void	amap_pp_establish(struct vm_amap *);
void	amap_pp_adjref(struct vm_amap *, int, int, int);
void	amap_adjref_anons(struct vm_amap *, vaddr_t, vsize_t, int,
	    boolean_t);

#endif /* _UVM_UVM_AMAP_PRIV_H_ */
