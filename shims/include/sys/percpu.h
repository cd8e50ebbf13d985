/*
 * sys/percpu.h: per-CPU counters (counters_alloc(9)).
 * model: one row of counters per simulated CPU; counters_inc() touches
 * only the current CPU's row, so concurrent faults never race on it (this
 * is how OpenBSD made uvmexp's fault counters MP-safe).  counters_read()
 * sums the rows; call it at a quiescent point.
 */
#ifndef _SYS_PERCPU_H_
#define _SYS_PERCPU_H_

#include <sys/types.h>

struct cpumem;

struct cpumem	*counters_alloc(unsigned int n);
void		 counters_free(struct cpumem *, unsigned int n);
void		 counters_inc(struct cpumem *, unsigned int c);
void		 counters_dec(struct cpumem *, unsigned int c);
void		 counters_add(struct cpumem *, unsigned int c, uint64_t v);
void		 counters_read(struct cpumem *, uint64_t *out, unsigned int n,
		    uint64_t *scratch);
void		 counters_zero(struct cpumem *, unsigned int n);

#endif /* _SYS_PERCPU_H_ */
