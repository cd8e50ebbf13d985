/*
 * machine/cpu.h: the simulated CPUs.
 * model: curcpu() is the CPU (fiber or thread) running the caller; uvm/
 * never knows which backend runs it.
 */
#ifndef _MACHINE_CPU_H_
#define _MACHINE_CPU_H_

#include <sys/types.h>

struct cpu_info {
	u_int		 ci_cpuid;	/* 0 .. ncpus-1 */
	const char	*ci_wmesg;	/* what it sleeps/waits on, or NULL */
	const volatile void *ci_wchan;
	void		*ci_tlb;	/* pmap: this CPU's TLB */
	int		 ci_nlocks;	/* locks held (lock_held_count) */
	void		*ci_held[16];	/* held locks, for messages */
	const char	*ci_heldname[16];
	void		*ci_sched;	/* scheduler backend state */
};

struct cpu_info	*curcpu(void);
#define cpu_number()	((int)curcpu()->ci_cpuid)
int		 ncpus_running(void);	/* CPUs of the current run */
struct cpu_info	*cpu_info_get(int cpuid);

#define CPU_INFO_FOREACH(i, ci)						\
	for ((i) = 0; (i) < ncpus_running() && ((ci) = cpu_info_get(i)); (i)++)

#endif /* _MACHINE_CPU_H_ */
