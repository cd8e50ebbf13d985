/*
 * uvm_fault_priv.h: what the files of the fault handler (uvm_fault.c,
 * uvm_fault_lower.c, uvm_fault_wire.c) share and nothing else uses.
 * OpenBSD keeps all of it static in one sys/uvm/uvm_fault.c; the model
 * splits the file (house rule: files under ~1000 lines), so these
 * helpers lost their `static'.  Include only from those files.
 */

#ifndef _UVM_UVM_FAULT_PRIV_H_
#define _UVM_UVM_FAULT_PRIV_H_

/* nothing from the lower object is ever mapped writable through COW */
#define MASK(entry)	(UVM_ET_ISCOPYONWRITE(entry) ? \
			 ~PROT_WRITE : PROT_MASK)

/* pg_flags change with atomic bit operations: read them atomically too */
#define PG_FLAGS(pg)	((u_int)atomic_load_int(&(pg)->pg_flags))

#ifdef UVM_BIGLOCK
#define FAULT_OBJ_LOCK()	KERNEL_ASSERT_LOCKED()
#define FAULT_OBJ_UNLOCK()	do { } while (0)
#else
#define FAULT_OBJ_LOCK()	KERNEL_LOCK()
#define FAULT_OBJ_UNLOCK()	KERNEL_UNLOCK()
#endif

/* "try again later" naps sleep here; nobody wakes it up (uvm_fault.c) */
extern int uvm_fault_nowake;

/* uvm_fault.c */
void	uvmfault_unbusy(struct vm_page *);
int	uvmfault_promote(struct uvm_faultinfo *, struct vm_page *,
	    struct vm_anon **, struct vm_page **);
int	uvm_fault_upper_upgrade(struct uvm_faultinfo *,
	    struct uvm_faultctx *, struct vm_amap *);

/* uvm_fault_lower.c */
int	uvm_fault_lower(struct uvm_faultinfo *, struct uvm_faultctx *,
	    struct vm_page **, vm_fault_t);

/* uvm_fault_wire.c */
struct vm_page *uvmfault_wired_prev(struct uvm_faultinfo *,
	    struct uvm_faultctx *, vm_fault_t, struct vm_page *);
void	uvmfault_wire_move(struct vm_page *, struct vm_page *);
void	uvmfault_page_settle(struct vm_page *, struct vm_page *,
	    vm_fault_t);
void	uvmfault_pmfail_stale(struct uvm_faultinfo *, struct vm_page *,
	    struct vm_page *);

/*
 * the wired mappings of the other sharers of an amap slot that a
 * promotion must move to its new page (uvmfault_sharers_lock)
 */
struct uvmfault_sharer {
	struct pmap	*us_pmap;
	struct vm_map	*us_map;	/* read-locked by us or ufi->map */
	vaddr_t		 us_va;
	int		 us_locked;	/* we took us_map's lock for it */
};

struct uvmfault_sharers {
	struct uvmfault_sharer	*sh_list;	/* M_TEMP, sh_max long */
	int			 sh_n;
	int			 sh_max;
};

int	uvmfault_sharers_lock(struct uvm_faultinfo *, struct vm_amap *, int,
	    struct vm_page *, struct uvmfault_sharers *);
void	uvmfault_sharers_unlock(struct uvmfault_sharers *);
void	uvmfault_sharers_wait(struct uvm_faultinfo *);
void	uvmfault_sharers_rewire(struct uvm_faultinfo *,
	    struct uvmfault_sharers *, struct vm_page *, struct vm_page *);

#endif /* _UVM_UVM_FAULT_PRIV_H_ */
