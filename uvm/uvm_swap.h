/*
 * uvm_swap.h: the simulated swap device.
 *
 * Models the part of sys/uvm/uvm_swap.c the fault path sees: slots
 * 1..nslots (0 = none), SWSLOT_BAD marks a slot whose read failed, page
 * I/O that sleeps (a preemption point, locks dropped by the caller) and
 * whose reads can fail (INJ_SWAP_READ), and swapctl's SWAP_OFF/SWAP_ON
 * of the device (uvm_swap_off pages everything in).  Deviation: one
 * device, no encryption, no clustering.
 */
#ifndef _UVM_UVM_SWAP_H_
#define _UVM_UVM_SWAP_H_

#include <sys/types.h>

struct vm_page;

#define SWSLOT_BAD	(-1)

void	uvm_swap_init(int nslots);	/* boot / reset */
/* allocate one slot; 0 when full.  Counts uvmexp.swpginuse. */
int	uvm_swap_alloc(void);
/* free a slot (SWSLOT_BAD and 0 ignored) */
void	uvm_swap_free(int slot);
/* mark a slot bad after a read error */
void	uvm_swap_markbad(int slot);
void	uvm_swap_onlyswap_gone(void);
/* page I/O; returns VM_PAGER_OK or VM_PAGER_ERROR => page PG_BUSY */
int	uvm_swap_get(struct vm_page *, int slot);
int	uvm_swap_put(struct vm_page *, int slot);
/* TRUE when no slot is free (or the pagedaemon made no progress) */
boolean_t uvm_swapisfull(void);
/* swapctl SWAP_OFF / SWAP_ON of the device: 0 or ENXIO, ENOMEM, EBUSY */
int	uvm_swap_off(void);
int	uvm_swap_on(void);
boolean_t uvm_swap_enabled(void);
boolean_t uvm_swap_syscall_held(void);

#endif /* _UVM_UVM_SWAP_H_ */
