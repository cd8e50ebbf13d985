/*
 * uvm_check.h: the invariant checker (UVM.md "Invariants" 1-7 and 10).
 *
 * Not part of OpenBSD (whose DIAGNOSTIC code checks some of these
 * piecemeal).  Run at a quiescent point: no CPU inside uvm/, no lock
 * held.  A violation panics naming the invariant ("invariant 3: ...")
 * and the object (address, slot, va).
 */
#ifndef _UVM_UVM_CHECK_H_
#define _UVM_UVM_CHECK_H_

struct vmspace;

/*
 * check every invariant over the given address spaces: all live ones
 * (invariant 7 counts every wired page against them); NULLs skipped
 */
void	uvm_check_invariants(struct vmspace **vms, int nvms);
/*
 * forget what the checker remembers between checks (the amaps whose
 * chunk structure passed): a run that starts with it executes the same
 * checks, whatever ran before
 */
void	uvm_check_reset(void);

#endif /* _UVM_UVM_CHECK_H_ */
