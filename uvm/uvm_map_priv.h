/*
 * uvm_map_priv.h: what the files of the map code (uvm_map.c,
 * uvm_map_wire.c, uvm_map_fork.c) share and nothing else uses.
 * OpenBSD keeps all of it static in one sys/uvm/uvm_map.c; the model
 * splits the file (house rule: files under ~1000 lines), so these
 * helpers lost their `static'.  Include only from those files.
 */

#ifndef _UVM_UVM_MAP_PRIV_H_
#define _UVM_UVM_MAP_PRIV_H_

RB_PROTOTYPE(uvm_map_addr, vm_map_entry, daddrs, uvm_mapentry_addrcmp);

/* uvm_map.c */
struct vm_map_entry *uvm_mapent_alloc(void);
void	uvm_mapent_copy(const struct vm_map_entry *, struct vm_map_entry *);
void	uvm_mapent_addr_insert(struct vm_map *, struct vm_map_entry *);
struct vm_map_entry *uvm_map_range_first(struct vm_map *, vaddr_t);

/* uvm_map_wire.c */
void	uvm_map_amap_copy_wait(struct vm_map *, struct vm_map_entry *,
	    boolean_t);
int	uvm_map_protect_rewire(struct vm_map *, struct vm_map_entry *,
	    vaddr_t);

#endif /* _UVM_UVM_MAP_PRIV_H_ */
