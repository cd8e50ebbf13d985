/*
 * uvm_sim.c: the public API of the model (uvm_sim.h) and uvm_init().
 *
 * Models the system-call layer above UVM (sys_mmap, sys_munmap,
 * sys_mprotect, sys_madvise, sys_minherit, sys_mlock/munlock, fork1,
 * exit1, swapctl SWAP_OFF/SWAP_ON of the one swap device), the MMU trap
 * path (trap() -> uvm_fault() -> retry) and the
 * boot code (uvm_init() of sys/uvm/uvm_init.c), for harnesses.  The
 * global VM state (uvm, uvmexp, uvmexp_counters) is defined in
 * uvm_page.c; uvm_init() allocates the counters, uvm_sim_shutdown()
 * frees them (so that nothing is outstanding between runs).
 *
 * Processes are slots of a table holding one vmspace reference each; a
 * call on a process takes its own reference for the duration (as a
 * thread holds its process), so a concurrent exit cannot free the
 * vmspace under it.  Objects are created on first use and keep one
 * reference from the table until shutdown (as the vnode cache keeps
 * vnodes).  Every argument is validated: bad values return EINVAL, a
 * missing process ESRCH; a panic is always a finding.
 *
 * Deviations: no credentials, resource limits or address-space layout
 * randomisation; anonymous shared memory is an amap created at mmap
 * time (UVM_FLAG_OVERLAY, as OpenBSD's uvm_mmapanon does) rather than
 * an aobj; a MAP_FIXED mapping replaces what was there (UVM_FLAG_UNMAP).
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <sys/mman.h>
#include <sys/mutex.h>
#include <sys/atomic.h>
#include <sys/percpu.h>
#include <machine/cpu.h>

#include "uvm.h"
#include "uvm_sim.h"

/* the harness's view; [S] sim_mtx ("simproclk") */
static struct mutex	 sim_mtx;
static int		 sim_mtx_ready;
static struct vmspace	*sim_proc[UVM_SIM_MAXPROC];	/* [S] */
static struct uvm_object *sim_obj[UVM_SIM_MAXOBJ];	/* [S] */
static int		 sim_booted;		/* between boot and shutdown */
static int		 sim_everbooted;

#define SIM_FAULT_TRIES	16	/* faults that succeed before "fault loop" */

CTASSERT(UVM_SIM_PAGE_SIZE == PAGE_SIZE);
CTASSERT(UVM_SIM_MAXPROC > 0 && UVM_SIM_MAXOBJ > 0);

/*
 * uvm_init: boot (or reboot) the VM system: npages physical pages of
 * which the pagedaemon keeps freetarg free, nswap swap slots, ncpu
 * simulated CPUs: page queues, swap, pmap, amaps and anons, map entries
 * and vmspaces, the fault counters.
 * => nothing locked, no VM object alive (the previous run shut down).
 * Models uvm_init() of sys/uvm/uvm_init.c.
 */
void
uvm_init(int npages, int freetarg, int nswap, int ncpu)
{
	KASSERT(lock_held_count() == 0);
	memset(&uvmexp, 0, sizeof(uvmexp));
	uvmexp.pagesize = PAGE_SIZE;
	mtx_init_flags(&uvm.pageqlock, IPL_VM, "pageqlk", 0);
	mtx_init_flags(&uvm.swap_mtx, IPL_VM, "swaplk", 0);
	mtx_init_flags(&uvm.amap_list_mtx, IPL_VM, "amaplstlk", 0);
	uvm_page_init(npages, freetarg);
	uvm_swap_init(nswap);
	pmap_init(ncpu);
	amap_init();
	uvm_map_init();
	if (uvmexp_counters == NULL)
		uvmexp_counters = counters_alloc(exp_ncounters);
	else
		counters_zero(uvmexp_counters, exp_ncounters);
}

static int
sim_clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * uvm_sim_boot: shut down what the previous run left, check that it
 * leaked nothing the kernel side can see (amaps, map entries), and boot
 * with cfg (values clamped into range; NULL: 1 CPU, 256 pages, 16 free,
 * 256 swap slots).  The shims' own pool/malloc
 * leak check is shims_reset(), which the harness calls.
 */
void
uvm_sim_boot(const struct uvm_sim_config *cfg)
{
	static const struct uvm_sim_config defcfg = {
		.ncpu = 1, .npages = 256, .freetarg = 16, .nswap = 256
	};
	int ncpu, npages, freetarg, nswap;

	if (cfg == NULL)
		cfg = &defcfg;
	if (!sim_mtx_ready) {
		mtx_init_flags(&sim_mtx, IPL_NONE, "simproclk", 0);
		sim_mtx_ready = 1;
	}
	if (sim_booted)
		uvm_sim_shutdown();
	if (sim_everbooted) {
		KASSERTMSG(amap_count() == 0, "uvm_sim_boot: %d amaps leaked",
		    amap_count());
		KASSERTMSG(uvm_map_entry_count() == 0,
		    "uvm_sim_boot: %d map entries leaked",
		    uvm_map_entry_count());
	}
	sim_everbooted = 1;

	ncpu = sim_clamp(cfg->ncpu, 1, MAXCPUS);
	npages = sim_clamp(cfg->npages, 16, UVM_SIM_MAXPHYS);
	freetarg = sim_clamp(cfg->freetarg, 0, npages / 2);
	nswap = sim_clamp(cfg->nswap, 0, 1 << 16);
	uvm_init(npages, freetarg, nswap, ncpu);
	memset(sim_proc, 0, sizeof(sim_proc));
	memset(sim_obj, 0, sizeof(sim_obj));
	sim_booted = 1;
}

/*
 * uvm_sim_shutdown: free every process and object; then nothing may be
 * left: no amap, no map entry, no swap slot in use, every page free.
 * The fault counters are freed too (uvm_init allocates them again).
 * => no CPU inside uvm/.
 */
void
uvm_sim_shutdown(void)
{
	struct vmspace *vm;
	struct uvm_object *uobj;
	int i;

	if (!sim_booted)
		return;
	KASSERT(lock_held_count() == 0);
	for (i = 0; i < UVM_SIM_MAXPROC; i++) {
		mtx_enter(&sim_mtx);
		vm = sim_proc[i];
		sim_proc[i] = NULL;
		mtx_leave(&sim_mtx);
		if (vm != NULL)
			uvmspace_free(vm);
	}
	for (i = 0; i < UVM_SIM_MAXOBJ; i++) {
		mtx_enter(&sim_mtx);
		uobj = sim_obj[i];
		sim_obj[i] = NULL;
		mtx_leave(&sim_mtx);
		if (uobj != NULL)
			uobj->pgops->pgo_detach(uobj);
	}
	KASSERTMSG(amap_count() == 0, "uvm_sim_shutdown: %d amaps leaked",
	    amap_count());
	KASSERTMSG(uvm_map_entry_count() == 0,
	    "uvm_sim_shutdown: %d map entries leaked", uvm_map_entry_count());
	KASSERTMSG(uvmexp.swpginuse == 0,
	    "uvm_sim_shutdown: %d swap slots leaked", uvmexp.swpginuse);
	KASSERTMSG(uvmexp.free == uvmexp.npages,
	    "uvm_sim_shutdown: %d of %d pages not free", uvmexp.npages -
	    uvmexp.free, uvmexp.npages);
	if (uvmexp_counters != NULL) {
		counters_free(uvmexp_counters, exp_ncounters);
		uvmexp_counters = NULL;
	}
	sim_booted = 0;
}

/* process p's vmspace with a reference for the caller, or NULL */
static struct vmspace *
sim_proc_hold(int p)
{
	struct vmspace *vm;

	mtx_enter(&sim_mtx);
	vm = sim_proc[p];
	if (vm != NULL)
		atomic_inc_int(&vm->vm_refcnt);
	mtx_leave(&sim_mtx);
	return vm;
}

/* install vm as process p unless p exists: 0 or EBUSY */
static int
sim_proc_install(int p, struct vmspace *vm)
{
	int error = 0;

	mtx_enter(&sim_mtx);
	if (sim_proc[p] != NULL)
		error = EBUSY;
	else
		sim_proc[p] = vm;
	mtx_leave(&sim_mtx);
	if (error)
		uvmspace_free(vm);
	return error;
}

/* object o (created on first use), with a new reference for the caller */
static struct uvm_object *
sim_obj_get(int o)
{
	struct uvm_object *uobj, *nobj = NULL;

	mtx_enter(&sim_mtx);
	uobj = sim_obj[o];
	mtx_leave(&sim_mtx);
	if (uobj == NULL) {
		nobj = uvm_simobj_create(o, ptoa(UVM_SIM_OBJPAGES));
		mtx_enter(&sim_mtx);
		if ((uobj = sim_obj[o]) == NULL) {
			uobj = sim_obj[o] = nobj;
			nobj = NULL;
		}
		mtx_leave(&sim_mtx);
		if (nobj != NULL)
			uvm_simobj_detach(nobj);
	}
	uobj->pgops->pgo_reference(uobj);
	return uobj;
}

/* a process number in range: EINVAL otherwise */
#define SIM_CHECK_P(p) do {						\
	if ((p) < 0 || (p) >= UVM_SIM_MAXPROC || !sim_booted)		\
		return EINVAL;						\
} while (0)

/*
 * a page range [addr, addr + npages pages) inside the user address
 * space: start and end in bytes, or EINVAL
 */
static int
sim_range(uint64_t addr, uint64_t npages, vaddr_t *startp, vaddr_t *endp)
{
	if ((addr & PAGE_MASK) != 0 || npages == 0 ||
	    addr < VM_MIN_ADDRESS || addr >= VM_MAX_ADDRESS ||
	    npages > atop(VM_MAX_ADDRESS - addr))
		return EINVAL;
	*startp = addr;
	*endp = addr + ptoa(npages);
	return 0;
}

/*
 * uvm_sim_proc_new: process p gets a new, empty address space.
 * Returns 0, EINVAL (p out of range), EBUSY (p exists).
 * Models uvmspace_alloc() at exec.
 */
int
uvm_sim_proc_new(int p)
{
	struct vmspace *vm;

	SIM_CHECK_P(p);
	if (uvm_sim_proc_exists(p))
		return EBUSY;
	vm = uvmspace_alloc(VM_MIN_ADDRESS, VM_MAX_ADDRESS, TRUE);
	vm->vm_id = p;
	vm->vm_nthreads = 1;
	return sim_proc_install(p, vm);
}

/* uvm_sim_proc_exists: 1 if process p exists, else 0 */
int
uvm_sim_proc_exists(int p)
{
	int exists;

	if (p < 0 || p >= UVM_SIM_MAXPROC || !sim_booted)
		return 0;
	mtx_enter(&sim_mtx);
	exists = sim_proc[p] != NULL;
	mtx_leave(&sim_mtx);
	return exists;
}

/*
 * uvm_sim_fork: process q gets a copy of p's address space, entry by
 * entry per inheritance.  Returns 0, EINVAL, ESRCH (no p), EBUSY (q
 * exists), ENOMEM.  Models fork1() -> uvmspace_fork().
 */
int
uvm_sim_fork(int p, int q)
{
	struct vmspace *vm, *nvm;
	int nlocks = lock_held_count();

	SIM_CHECK_P(p);
	SIM_CHECK_P(q);
	if ((vm = sim_proc_hold(p)) == NULL)
		return ESRCH;
	if (p == q || uvm_sim_proc_exists(q)) {
		uvmspace_free(vm);
		return EBUSY;
	}
	nvm = uvmspace_fork(vm);
	uvmspace_free(vm);
	lock_assert_none_held_since(nlocks, "uvm_sim_fork");
	if (nvm == NULL)
		return ENOMEM;
	nvm->vm_id = q;
	nvm->vm_nthreads = 1;
	return sim_proc_install(q, nvm);
}

/*
 * uvm_sim_exit: process p goes away; its address space is freed when
 * the last call using it returns.  Returns 0, EINVAL, ESRCH.
 * Models exit1() -> uvmspace_free().
 */
int
uvm_sim_exit(int p)
{
	struct vmspace *vm;
	int nlocks = lock_held_count();

	SIM_CHECK_P(p);
	mtx_enter(&sim_mtx);
	vm = sim_proc[p];
	sim_proc[p] = NULL;
	mtx_leave(&sim_mtx);
	if (vm == NULL)
		return ESRCH;
	uvmspace_free(vm);
	lock_assert_none_held_since(nlocks, "uvm_sim_exit");
	return 0;
}

/*
 * uvm_sim_set_threads: process p runs nthreads threads (clamped to
 * 1..MAXCPUS): the fault handler's P_HASSIBLING.  No-op for a bad p.
 */
void
uvm_sim_set_threads(int p, int nthreads)
{
	struct vmspace *vm;

	if (p < 0 || p >= UVM_SIM_MAXPROC || !sim_booted)
		return;
	if ((vm = sim_proc_hold(p)) == NULL)
		return;
	atomic_store_int(&vm->vm_nthreads, sim_clamp(nthreads, 1, MAXCPUS));
	uvmspace_free(vm);
}

/* uvm_map flags for an mmap of the given UVM_SIM_MAP_* flags */
static int
sim_mmap_flags(int flags)
{
	int uflags = 0;

	if (flags & UVM_SIM_MAP_FIXED)
		uflags |= UVM_FLAG_FIXED | UVM_FLAG_UNMAP;
	if ((flags & UVM_SIM_MAP_SHARED) == 0)
		uflags |= UVM_FLAG_COPYONW;
	else if ((flags & UVM_SIM_MAP_OBJECT) == 0)
		uflags |= UVM_FLAG_OVERLAY;	/* shared anonymous memory */
	if (flags & UVM_SIM_MAP_STACK)
		uflags |= UVM_FLAG_STACK;
	if (flags & UVM_SIM_MAP_NOFAULT)
		uflags |= UVM_FLAG_NOFAULT;
	return uflags;
}

/*
 * uvm_sim_mmap: map npages pages at *addrp (UVM_SIM_MAP_FIXED; bytes,
 * page aligned) or anywhere (the address is returned in *addrp).
 * Returns 0, EINVAL (bad argument), ESRCH, ENOMEM (no space), EACCES
 * (prot beyond maxprot).  Models sys_mmap() -> uvm_mmapanon/uvm_mmapfile.
 */
int
uvm_sim_mmap(int p, uint64_t *addrp, uint64_t npages, int prot, int maxprot,
    int flags, int inherit, int advice, int obj, uint64_t objoff)
{
	struct vmspace *vm;
	struct uvm_object *uobj = NULL;
	vaddr_t start = 0, end;
	int error, nlocks = lock_held_count();

	SIM_CHECK_P(p);
	if (addrp == NULL || (prot & ~PROT_MASK) || (maxprot & ~PROT_MASK) ||
	    (flags & ~0x1f) || inherit < MAP_INHERIT_SHARE ||
	    inherit > MAP_INHERIT_ZERO || advice < MADV_NORMAL ||
	    advice > MADV_SEQUENTIAL)
		return EINVAL;
	if (flags & UVM_SIM_MAP_FIXED) {
		if ((error = sim_range(*addrp, npages, &start, &end)) != 0)
			return error;
	} else if (npages == 0 ||
	    npages > atop(VM_MAX_ADDRESS - VM_MIN_ADDRESS))
		return EINVAL;
	if ((flags & UVM_SIM_MAP_OBJECT) && (obj < 0 ||
	    obj >= UVM_SIM_MAXOBJ || objoff > UVM_SIM_OBJPAGES ||
	    npages > UVM_SIM_OBJPAGES - objoff))
		return EINVAL;
	if ((vm = sim_proc_hold(p)) == NULL)
		return ESRCH;
	if (flags & UVM_SIM_MAP_OBJECT)
		uobj = sim_obj_get(obj);
	error = uvm_map(&vm->vm_map, &start, ptoa(npages), uobj,
	    uobj != NULL ? (voff_t)ptoa(objoff) : UVM_UNKNOWN_OFFSET, prot,
	    maxprot, inherit, advice, sim_mmap_flags(flags));
	if (error == 0)
		*addrp = start;
	else if (uobj != NULL)
		uobj->pgops->pgo_detach(uobj);
	uvmspace_free(vm);
	lock_assert_none_held_since(nlocks, "uvm_sim_mmap");
	return error;
}

/*
 * uvm_sim_munmap: remove [addr, addr + npages pages).  Returns 0,
 * EINVAL, ESRCH.  Models sys_munmap() -> uvm_unmap().
 */
int
uvm_sim_munmap(int p, uint64_t addr, uint64_t npages)
{
	struct vmspace *vm;
	vaddr_t start, end;
	int error, nlocks = lock_held_count();

	SIM_CHECK_P(p);
	if ((error = sim_range(addr, npages, &start, &end)) != 0)
		return error;
	if ((vm = sim_proc_hold(p)) == NULL)
		return ESRCH;
	uvm_unmap(&vm->vm_map, start, end);
	uvmspace_free(vm);
	lock_assert_none_held_since(nlocks, "uvm_sim_munmap");
	return 0;
}

/* the shared body of mprotect/madvise/minherit/mlock/munlock */
enum sim_rangeop { SIM_PROTECT, SIM_ADVISE, SIM_INHERIT, SIM_LOCK, SIM_UNLOCK,
	SIM_CLEAN, SIM_NOP };

static int
sim_rangeop(int p, uint64_t addr, uint64_t npages, enum sim_rangeop op,
    int arg, const char *where)
{
	struct vmspace *vm;
	struct vm_map *map;
	vaddr_t start, end;
	int error, nlocks = lock_held_count();

	SIM_CHECK_P(p);
	if ((error = sim_range(addr, npages, &start, &end)) != 0)
		return error;
	if ((vm = sim_proc_hold(p)) == NULL)
		return ESRCH;
	map = &vm->vm_map;
	switch (op) {
	case SIM_PROTECT:
		error = uvm_map_protect(map, start, end, arg, FALSE);
		break;
	case SIM_ADVISE:
		error = uvm_map_advice(map, start, end, arg);
		break;
	case SIM_INHERIT:
		error = uvm_map_inherit(map, start, end, arg);
		break;
	case SIM_LOCK:
		error = uvm_map_pageable(map, start, end, FALSE, 0);
		break;
	case SIM_UNLOCK:
		error = uvm_map_pageable(map, start, end, TRUE, 0);
		break;
	case SIM_CLEAN:
		error = uvm_map_clean(map, start, end, arg);
		break;
	case SIM_NOP:
		error = 0;
		break;
	}
	uvmspace_free(vm);
	lock_assert_none_held_since(nlocks, where);
	return error;
}

/* uvm_sim_mprotect: models sys_mprotect() -> uvm_map_protect() */
int
uvm_sim_mprotect(int p, uint64_t addr, uint64_t npages, int prot)
{
	if (prot & ~PROT_MASK)
		return EINVAL;
	return sim_rangeop(p, addr, npages, SIM_PROTECT, prot,
	    "uvm_sim_mprotect");
}

/*
 * uvm_sim_madvise: models sys_madvise(): NORMAL/RANDOM/SEQUENTIAL ->
 * uvm_map_advice(); WILLNEED returns 0 doing nothing (OpenBSD's "XXX
 * IMPLEMENT ME"); DONTNEED -> uvm_map_clean(PGO_DEACTIVATE); FREE ->
 * uvm_map_clean(PGO_FREE); SPACEAVAIL and unknown advice EINVAL.
 * Returns 0, EINVAL, ESRCH, EFAULT (hole, DONTNEED and FREE only).
 */
int
uvm_sim_madvise(int p, uint64_t addr, uint64_t npages, int advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
		return sim_rangeop(p, addr, npages, SIM_ADVISE, advice,
		    "uvm_sim_madvise");
	case MADV_WILLNEED:
		return sim_rangeop(p, addr, npages, SIM_NOP, 0,
		    "uvm_sim_madvise");
	case MADV_DONTNEED:
		return sim_rangeop(p, addr, npages, SIM_CLEAN,
		    PGO_DEACTIVATE, "uvm_sim_madvise");
	case MADV_FREE:
		return sim_rangeop(p, addr, npages, SIM_CLEAN, PGO_FREE,
		    "uvm_sim_madvise");
	default:
		return EINVAL;
	}
}

/* uvm_sim_minherit: models sys_minherit() -> uvm_map_inherit() */
int
uvm_sim_minherit(int p, uint64_t addr, uint64_t npages, int inherit)
{
	if (inherit < MAP_INHERIT_SHARE || inherit > MAP_INHERIT_ZERO)
		return EINVAL;
	return sim_rangeop(p, addr, npages, SIM_INHERIT, inherit,
	    "uvm_sim_minherit");
}

/* uvm_sim_mlock: models sys_mlock() -> uvm_map_pageable(FALSE) */
int
uvm_sim_mlock(int p, uint64_t addr, uint64_t npages)
{
	return sim_rangeop(p, addr, npages, SIM_LOCK, 0, "uvm_sim_mlock");
}

/* uvm_sim_munlock: models sys_munlock() -> uvm_map_pageable(TRUE) */
int
uvm_sim_munlock(int p, uint64_t addr, uint64_t npages)
{
	return sim_rangeop(p, addr, npages, SIM_UNLOCK, 0, "uvm_sim_munlock");
}

/*
 * uvm_sim_access: the current CPU, in process p, loads (write 0) or
 * stores (write 1) the word at addr (bytes, aligned down to 8).  The MMU
 * (pmap_mmu_access) first; on EFAULT/EACCES, uvm_fault() with
 * VM_FAULT_INVALID/VM_FAULT_PROTECT and retry.  A fault that succeeds
 * SIM_FAULT_TRIES times without the access then succeeding panics
 * "fault loop".  Returns 0, EINVAL, ESRCH, or the fault's error (EFAULT,
 * EACCES, ENOMEM, EIO).  Models trap() -> uvm_fault() on amd64.
 */
int
uvm_sim_access(int p, uint64_t addr, int write, uint64_t *valp, int *stalep)
{
	struct vmspace *vm;
	vm_prot_t access = write ? PROT_WRITE : PROT_READ;
	vaddr_t va = addr & ~(uint64_t)7;
	int error, tries, stale = 0, nlocks = lock_held_count();

	SIM_CHECK_P(p);
	if (valp == NULL)
		return EINVAL;
	if (stalep != NULL)
		*stalep = 0;
	if (va < VM_MIN_ADDRESS || va >= VM_MAX_ADDRESS)
		return EFAULT;
	if ((vm = sim_proc_hold(p)) == NULL)
		return ESRCH;
	for (tries = 0;; tries++) {
		error = pmap_mmu_access(vm->vm_map.pmap, va, access, valp,
		    &stale);
		if (error == 0)
			break;
		if (tries == SIM_FAULT_TRIES)
			panic("fault loop: process %d %s at va 0x%lx: "
			    "uvm_fault succeeded %d times but the MMU still "
			    "says %d", p, write ? "write" : "read", va, tries,
			    error);
		error = uvm_fault(&vm->vm_map, trunc_page(va),
		    error == EFAULT ? VM_FAULT_INVALID : VM_FAULT_PROTECT,
		    access);
		if (error != 0)
			break;
	}
	uvmspace_free(vm);
	lock_assert_none_held_since(nlocks, "uvm_sim_access");
	if (stalep != NULL)
		*stalep = stale;
	return error;
}

/*
 * uvm_sim_pagedaemon: one pagedaemon pass paging out at most n pages (n
 * clamped at 0).  Returns pages freed.  Models the pagedaemon thread.
 */
int
uvm_sim_pagedaemon(int n)
{
	int freed, nlocks = lock_held_count();

	if (!sim_booted)
		return 0;
	freed = uvmpd_scan(n < 0 ? 0 : n);
	lock_assert_none_held_since(nlocks, "uvm_sim_pagedaemon");
	return freed;
}

/*
 * uvm_sim_swapoff: swapctl(SWAP_OFF) of the swap device: page every
 * anon in and remove the device.  Returns 0, ENXIO (the device is off),
 * ENOMEM (memory too short to page everything in) or EBUSY (slots still
 * in use after the walk); on an error the device stays on.  Models
 * sys_swapctl(SWAP_OFF) -> swap_off() (uvm_swap_off).
 */
int
uvm_sim_swapoff(void)
{
	int error, nlocks = lock_held_count();

	if (!sim_booted)
		return ENXIO;
	error = uvm_swap_off();
	lock_assert_none_held_since(nlocks, "uvm_sim_swapoff");
	return error;
}

/*
 * uvm_sim_swapon: swapctl(SWAP_ON) of the swap device, every slot free.
 * Returns 0, or EBUSY when it is on.  Models sys_swapctl(SWAP_ON)
 * (uvm_swap_on).
 */
int
uvm_sim_swapon(void)
{
	int error, nlocks = lock_held_count();

	if (!sim_booted)
		return EBUSY;
	error = uvm_swap_on();
	lock_assert_none_held_since(nlocks, "uvm_sim_swapon");
	return error;
}

/*
 * uvm_sim_check: the invariant checker over every live process.
 * => a quiescent point (no CPU inside uvm/, nothing locked).
 */
void
uvm_sim_check(void)
{
	struct vmspace *vms[UVM_SIM_MAXPROC];
	int i;

	if (!sim_booted)
		return;
	mtx_enter(&sim_mtx);
	for (i = 0; i < UVM_SIM_MAXPROC; i++)
		vms[i] = sim_proc[i];
	mtx_leave(&sim_mtx);
	uvm_check_invariants(vms, UVM_SIM_MAXPROC);
}

/* uvm_sim_stats: uvmexp and the per-CPU fault counters, summed */
void
uvm_sim_stats(struct uvm_sim_stats *st)
{
	uint64_t c[exp_ncounters], scratch[exp_ncounters];

	memset(st, 0, sizeof(*st));
	if (!sim_booted || uvmexp_counters == NULL)
		return;
	counters_read(uvmexp_counters, c, exp_ncounters, scratch);
	st->faults = c[faults];
	st->flt_anon = c[flt_anon];
	st->flt_acow = c[flt_acow];
	st->flt_obj = c[flt_obj];
	st->flt_prcopy = c[flt_prcopy];
	st->flt_przero = c[flt_przero];
	st->flt_amcopy = c[flt_amcopy];
	st->flt_noram = c[flt_noram];
	st->flt_noanon = c[flt_noanon];
	st->flt_noamap = c[flt_noamap];
	st->flt_pgwait = c[flt_pgwait];
	st->flt_pgrele = c[flt_pgrele];
	st->flt_anget = c[flt_anget];
	st->flt_anretry = c[flt_anretry];
	st->flt_namap = c[flt_namap];
	st->flt_nomap = c[flt_nomap];
	st->flt_lget = c[flt_lget];
	st->flt_get = c[flt_get];
	st->flt_up = c[flt_up];
	st->flt_relck = c[flt_relck];
	st->flt_relckok = c[flt_relckok];
	st->pageins = c[pageins];
	st->free = uvmexp.free;
	st->active = uvmexp.active;
	st->inactive = uvmexp.inactive;
	st->wired = uvmexp.wired;
	st->swpginuse = uvmexp.swpginuse;
	st->swpgonly = atomic_load_int(&uvmexp.swpgonly);
	st->pdpageouts = uvmexp.pdpageouts;
	st->pdfreed = uvmexp.pdfreed;
	st->fltnomem = atomic_load_int(&uvmexp.fltnomem);
	st->anonpages = atomic_load_int(&uvmexp.anonpages);
	st->swpages = uvmexp.swpages;
	st->swapon = uvm_swap_enabled();
}

/*
 * uvm_sim_obj_peek: the current contents of object obj's word at byte
 * offset off (its initial contents if the object was never used; 0 for
 * a bad obj or off).  => a quiescent point.
 */
uint64_t
uvm_sim_obj_peek(int obj, uint64_t off)
{
	struct uvm_object *uobj;

	if (obj < 0 || obj >= UVM_SIM_MAXOBJ || !sim_booted ||
	    off >= ptoa(UVM_SIM_OBJPAGES))
		return 0;
	mtx_enter(&sim_mtx);
	uobj = sim_obj[obj];
	mtx_leave(&sim_mtx);
	if (uobj == NULL)
		return uvm_simobj_data(obj, off & ~(uint64_t)7);
	return uvm_simobj_peek(uobj, off);
}

/* uvm_sim_obj_initial: uvm_simobj_data(obj, off aligned down to 8) */
uint64_t
uvm_sim_obj_initial(int obj, uint64_t off)
{
	return uvm_simobj_data(obj, off & ~(uint64_t)7);
}

/* uvm_sim_locking_mode: the fault handler's locking, per build flags */
const char *
uvm_sim_locking_mode(void)
{
#ifdef UVM_BIGLOCK
	return "big-lock";
#else
	return "lock-reduced";
#endif
}
