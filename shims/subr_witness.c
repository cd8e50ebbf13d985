/*
 * shims/subr_witness.c: the lock-order checker (check; models the core
 * of WITNESS, sys/kern/subr_witness.c).
 *
 * A class is a lock name ("vmmaplk", "amaplk", "vmobjlock", "pageqlk",
 * "kernel_lock", "pmaplk", "pvlk", "swaplk", ...).  When a CPU takes a
 * lock of class B while it holds a lock of class A, the edge A -> B is
 * recorded with the place and CPU where it was first seen.  Before a new
 * edge A -> B is recorded, the graph is searched for a path B -> ... -> A;
 * if there is one the order has been reversed and the run panics at once
 * ("lock order reversal: ..."), naming both classes, where the new order
 * is taken and where each edge of the old order was first seen.  No
 * deadlock is needed, only both orders in one run (since shims_reset).
 *
 * Rules, as WITNESS:
 *  - try-locks (RW_NOSLEEP, mtx_enter_try) record no edge into the lock
 *    they take: they cannot deadlock.  Locks taken while holding a
 *    try-locked lock do record edges from it.
 *  - two locks of one class may nest only with RW_DUPOK on the inner
 *    rw_enter, or if the class is DUPOK: any rw_init_flags(RW_DUPOK) of
 *    that name makes it so, and "vmmaplk" is DUPOK from the start because
 *    uvmspace_fork() holds the parent's and the child's map locks, and
 *    the lock-order tree cannot tell two maps apart.
 *  - edges between the kernel lock and an rwlock class are not recorded:
 *    sleeping on an rwlock releases the kernel lock (mi_switch), so both
 *    orders are deadlock-free in OpenBSD.  Edges between the kernel lock
 *    and mutexes are recorded.
 *
 * Deviations: no lock-order lists compiled in (all edges are learned);
 * a reversal panics instead of printing a warning.  The graph is shared
 * by all CPUs; it is updated under a host spin lock that gives TSan no
 * happens-before, and read with relaxed atomics.
 */

#include <sys/param.h>
#include <sys/systm.h>
#include <machine/cpu.h>

#include "shims_internal.h"

#define WITNESS_MAXCLASS	64

struct lock_class {
	const char	*lc_name;	/* [spin] set once */
	int		 lc_flags;	/* [atomic] WITNESS_* */
};

struct witness_edge {
	int		 we_seen;	/* [atomic] the edge exists */
	int		 we_line;	/* [spin] first seen at */
	int		 we_cpu;
	const char	*we_file;
};

static struct lock_class	witness_classes[WITNESS_MAXCLASS];
static int			witness_nclasses;	/* [atomic] */
/* [spin] witness_edges[a][b]: b was taken while a was held */
static struct witness_edge	witness_edges[WITNESS_MAXCLASS][WITNESS_MAXCLASS];
static volatile int		witness_spin;
/* [spin] the edges set since the last reset, so a reset is cheap */
static uint16_t			witness_set[WITNESS_MAXCLASS * WITNESS_MAXCLASS];
static int			witness_nset;

/* classes allowed to nest from the start (see above) */
static const char *const witness_dupok_names[] = { "vmmaplk" };

static int
witness_streq(const char *a, const char *b)
{
	if (a == b)
		return 1;
	if (a == NULL || b == NULL)
		return 0;
	while (*a != '\0' && *a == *b)
		a++, b++;
	return *a == *b;
}

static struct lock_class *
witness_lookup(const char *name)
{
	int i, n = SHIM_LOAD(&witness_nclasses);

	for (i = 0; i < n; i++)
		if (witness_streq(SHIM_LOAD(&witness_classes[i].lc_name), name))
			return &witness_classes[i];
	return NULL;
}

/*
 * witness_class: the class of locks named `name', created on first use
 * with flags WITNESS_SLEEP/SPIN/KERNEL, plus WITNESS_DUPOK (which sticks
 * to the class once given).  Panics when there are more than
 * WITNESS_MAXCLASS names.
 */
struct lock_class *
witness_class(const char *name, int flags)
{
	struct lock_class *lc;
	unsigned int i;
	int n;

	if (name == NULL)
		name = "(unnamed)";
	if ((lc = witness_lookup(name)) == NULL) {
		sim_spin_lock(&witness_spin);
		if ((lc = witness_lookup(name)) == NULL) {
			n = SHIM_LOAD(&witness_nclasses);
			if (n == WITNESS_MAXCLASS) {
				sim_spin_unlock(&witness_spin);
				panic("witness: more than %d lock classes "
				    "(taking \"%s\")", WITNESS_MAXCLASS, name);
			}
			lc = &witness_classes[n];
			for (i = 0; i < nitems(witness_dupok_names); i++)
				if (witness_streq(witness_dupok_names[i], name))
					flags |= WITNESS_DUPOK;
			SHIM_STORE(&lc->lc_flags, flags);
			SHIM_STORE(&lc->lc_name, name);
			SHIM_STORE(&witness_nclasses, n + 1);
		}
		sim_spin_unlock(&witness_spin);
	}
	if ((SHIM_LOAD(&lc->lc_flags) & flags) != flags)
		__atomic_or_fetch(&lc->lc_flags, flags, __ATOMIC_RELAXED);
	return lc;
}

/*
 * witness_index: the index of a class in witness_classes (and in the
 * edge matrix).  Computed from the address, never stored: a class is
 * published to other CPUs with relaxed stores only (no happens-before,
 * see shims_internal.h), so a plain field set at creation would be a
 * data race between the creating CPU and a CPU that looks it up.
 */
static int
witness_index(const struct lock_class *lc)
{
	return (int)(lc - witness_classes);
}

/* witness_class_name: the name of a class, for messages */
const char *
witness_class_name(struct lock_class *lc)
{
	return lc != NULL ? SHIM_LOAD(&lc->lc_name) : "?";
}

/* an edge between the kernel lock and an rwlock is never a reversal */
static int
witness_exempt(struct lock_class *a, struct lock_class *b)
{
	int fa = SHIM_LOAD(&a->lc_flags), fb = SHIM_LOAD(&b->lc_flags);

	return ((fa & WITNESS_KERNEL) && (fb & WITNESS_SLEEP)) ||
	    ((fb & WITNESS_KERNEL) && (fa & WITNESS_SLEEP));
}

/*
 * witness_path: breadth-first search for a path from -> ... -> to in the
 * edge graph; fills prev[] (class index -> predecessor) and returns 1 if
 * found.  [spin]
 */
static int
witness_path(int from, int to, int *prev)
{
	int queue[WITNESS_MAXCLASS], head = 0, tail = 0, a, b, n;
	uint64_t seen = 1ULL << from;

	n = SHIM_LOAD(&witness_nclasses);
	queue[tail++] = from;
	while (head < tail) {
		a = queue[head++];
		for (b = 0; b < n; b++) {
			if ((seen & (1ULL << b)) ||
			    !SHIM_LOAD(&witness_edges[a][b].we_seen))
				continue;
			prev[b] = a;
			if (b == to)
				return 1;
			seen |= 1ULL << b;
			queue[tail++] = b;
		}
	}
	return 0;
}

static const char *
witness_file(const char *file)
{
	return file != NULL ? file : "?";
}

/* witness_reversal: panic describing the old path b -> ... -> a */
__dead static void
witness_reversal(struct lock_class *a, struct lock_class *b, int *prev,
    const char *file, int line)
{
	char buf[768];
	struct witness_edge *we;
	int chain[WITNESS_MAXCLASS], n = 0, i, c;
	size_t off = 0;

	for (c = witness_index(a); c != witness_index(b); c = prev[c])
		chain[n++] = c;
	chain[n++] = witness_index(b);
	/* chain: a, ..., b; print from b */
	buf[0] = '\0';
	for (i = n - 1; i > 0 && off < sizeof(buf); i--) {
		we = &witness_edges[chain[i]][chain[i - 1]];
		off += snprintf(buf + off, sizeof(buf) - off,
		    "%s\"%s\" -> \"%s\" first seen at %s:%d on cpu%d",
		    i == n - 1 ? "" : ", ",
		    witness_class_name(&witness_classes[chain[i]]),
		    witness_class_name(&witness_classes[chain[i - 1]]),
		    witness_file(SHIM_LOAD(&we->we_file)),
		    SHIM_LOAD(&we->we_line), SHIM_LOAD(&we->we_cpu));
	}
	sim_spin_unlock(&witness_spin);
	panic("lock order reversal: \"%s\" -> \"%s\" taken at %s:%d on cpu%d, "
	    "but the established order is %s", witness_class_name(a),
	    witness_class_name(b),
	    witness_file(file), line, cpu_number(), buf);
}

/* witness_add: record held -> lc unless known; check for a reversal */
static void
witness_add(struct lock_class *held, struct lock_class *lc,
    const char *file, int line)
{
	struct witness_edge *we;
	int prev[WITNESS_MAXCLASS], n;

	we = &witness_edges[witness_index(held)][witness_index(lc)];
	if (SHIM_LOAD(&we->we_seen))
		return;
	sim_spin_lock(&witness_spin);
	if (!SHIM_LOAD(&we->we_seen)) {
		if (witness_path(witness_index(lc), witness_index(held), prev))
			witness_reversal(held, lc, prev, file, line);
		SHIM_STORE(&we->we_file, file);
		SHIM_STORE(&we->we_line, line);
		SHIM_STORE(&we->we_cpu, cpu_number());
		SHIM_STORE(&we->we_seen, 1);
		n = SHIM_LOAD(&witness_nset);
		SHIM_STORE(&witness_set[n], (uint16_t)(witness_index(held) *
		    WITNESS_MAXCLASS + witness_index(lc)));
		SHIM_STORE(&witness_nset, n + 1);
	}
	sim_spin_unlock(&witness_spin);
}

/*
 * witness_checkorder: the current CPU is about to block for lock `lk' of
 * class lc (at file:line, NULL if unknown).  Records an edge from the
 * class of every lock it holds; panics on a same-class nesting without
 * DUPOK and on a lock-order reversal.  Not called for try-locks.
 */
void
witness_checkorder(struct lock_class *lc, const void *lk, int dupok,
    const char *file, int line)
{
	struct lock_class *held[SHIM_MAXHELD];
	const void *lks[SHIM_MAXHELD];
	int i, n;

	n = lock_held_classes(held, lks, SHIM_MAXHELD);
	for (i = 0; i < n; i++) {
		if (held[i] == NULL)
			continue;
		if (held[i] == lc) {
			if (dupok || (SHIM_LOAD(&lc->lc_flags) & WITNESS_DUPOK))
				continue;
			panic("witness: acquiring duplicate lock of class "
			    "\"%s\" (%p, already holding %p) at %s:%d on "
			    "cpu%d", witness_class_name(lc), lk, lks[i],
			    witness_file(file), line, cpu_number());
		}
		if (witness_exempt(held[i], lc))
			continue;
		witness_add(held[i], lc, file, line);
	}
}

/* witness_reset: forget every learned edge (classes stay) */
void
witness_reset(void)
{
	int i, e;

	sim_spin_lock(&witness_spin);
	for (i = 0; i < SHIM_LOAD(&witness_nset); i++) {
		e = SHIM_LOAD(&witness_set[i]);
		SHIM_STORE(&witness_edges[e / WITNESS_MAXCLASS]
		    [e % WITNESS_MAXCLASS].we_seen, 0);
	}
	SHIM_STORE(&witness_nset, 0);
	sim_spin_unlock(&witness_spin);
}
