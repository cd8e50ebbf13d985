/*
 * fuzz/prog.h: fault programs, the input of every harness.
 *
 * One structure (struct prog), two encodings:
 *   - binary (prog_decode/prog_encode, fuzz/prog.c), for the fuzzers:
 *     every byte string decodes to a valid program;
 *   - text (prog_print/prog_parse, fuzz/prog_text.c), for people: one
 *     operation per line, syzkaller-like.
 *
 * A program is: a configuration (CPUs, memory, swap, scheduler seed, a
 * whole-program failure-injection plan), one operation stream per CPU,
 * and the schedule bytes the fiber scheduler consumes (shims/sim.h).
 *
 * Semantics the runner must give the structure (fuzz/run.c):
 *   - uvm_sim_boot() with ncpu, npages, freetarg, nswap; process 0 is
 *     created (uvm_sim_proc_new(0)) before the first operation; no other
 *     process exists at start.
 *   - the whole-program plan cfg.inject[] is armed once, after boot and
 *     before the first operation (inject_arm_nth / inject_arm_pattern).
 *   - ops[] holds every operation in program (file) order; op.cpu says
 *     which CPU runs it.  CPU c runs, in order, the ops whose cpu == c.
 *     prog_cpu_nops() counts them.
 *   - an op with inj_point != PROG_INJ_NOPOINT arms
 *     inject_arm_nth(inj_point, inj_nth) just before it runs (on its CPU).
 *   - cfg.pdpasses > 0 adds one more CPU (id ncpu) that calls
 *     uvm_sim_pagedaemon(cfg.pdpages) pdpasses times, concurrently with
 *     the program CPUs; so sched_config.ncpu = ncpu + (pdpasses > 0).
 *   - sched[0..nsched) are the schedule bytes (sched_config.sched), the
 *     seed is sched_config.seed.
 *   - every field an opcode does not use is 0 (the decoder and the parser
 *     guarantee it; prog_equal relies on it).
 *
 * Values and ranges (the decoder clamps into them, the parser rejects
 * values outside them, so both encodings express the same programs):
 *   ncpu 1..PROG_MAXCPU; npages one of prog_npages_table[]; freetarg
 *   0..npages/2; nswap one of prog_nswap_table[]; seed any; pdpasses
 *   0..PROG_MAXPDPASSES with pdpages 1..PROG_MAXPDPAGES (both 0 when
 *   pdpasses == 0); inject nth 1..PROG_MAXNTH, pattern any uint64;
 *   proc 0..PROG_MAXPROC-1; npages of an op 0..PROG_MAXLEN;
 *   pagedaemon n 0..UVM_SIM_MAXPHYS; obj 0..UVM_SIM_MAXOBJ-1; objoff
 *   0..UVM_SIM_OBJPAGES; addresses and write values any uint64.
 */
#ifndef _FUZZ_PROG_H_
#define _FUZZ_PROG_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uvm_sim.h"

#define PROG_VERSION		2	/* first byte of the binary form */
#define PROG_MAXCPU		4	/* program CPUs (not the pagedaemon's) */
#define PROG_MAXOPS_CPU		64	/* operations per CPU */
#define PROG_MAXOPS		256	/* operations in all */
#define PROG_MAXSCHED		1024	/* schedule bytes */
#define PROG_MAXPROC		UVM_SIM_MAXPROC
#define PROG_MAXLEN		512	/* pages per mmap/munmap/... */
#define PROG_MAXNTH		1000	/* largest fail_nth / nth= */
#define PROG_MAXPDPASSES	7	/* pagedaemon CPU: passes */
#define PROG_MAXPDPAGES		64	/* pagedaemon CPU: pages per pass */
#define PROG_NINJECT		5	/* enum inject_point (sys/inject.h) */
#define PROG_ENCODE_MAX		32768	/* prog_encode never needs more */

/* defaults (empty input, or a text program without a config line) */
#define PROG_DEF_NCPU		1
#define PROG_DEF_NPAGES		128
#define PROG_DEF_FREETARG	8
#define PROG_DEF_NSWAP		256
#define PROG_DEF_SEED		0ULL

/* the sizes the binary form can choose from (16 entries each, 8 swap) */
extern const int prog_npages_table[16];
extern const int prog_nswap_table[8];

enum prog_opcode {
	PROG_MMAP = 0,		/* uvm_sim_mmap */
	PROG_MUNMAP,		/* uvm_sim_munmap */
	PROG_MPROTECT,		/* uvm_sim_mprotect(prot) */
	PROG_MADVISE,		/* uvm_sim_madvise(advice) */
	PROG_MINHERIT,		/* uvm_sim_minherit(inherit) */
	PROG_MLOCK,		/* uvm_sim_mlock */
	PROG_MUNLOCK,		/* uvm_sim_munlock */
	PROG_FORK,		/* uvm_sim_fork(proc, proc2) */
	PROG_EXIT,		/* uvm_sim_exit(proc) */
	PROG_READ,		/* uvm_sim_access(proc, addr, 0) */
	PROG_WRITE,		/* uvm_sim_access(proc, addr, 1, value) */
	PROG_PAGEDAEMON,	/* uvm_sim_pagedaemon(npages) */
	PROG_SWAPOFF,		/* uvm_sim_swapoff() */
	PROG_SWAPON,		/* uvm_sim_swapon() */
	PROG_NOPCODES
};

/* whole-program injection plan, per point (shims/sim.h) */
enum prog_inj_mode {
	PROG_INJ_NONE = 0,	/* not armed */
	PROG_INJ_NTH,		/* inject_arm_nth(point, arg) */
	PROG_INJ_PATTERN	/* inject_arm_pattern(point, arg) */
};

struct prog_inject {
	uint8_t		mode;		/* enum prog_inj_mode */
	uint64_t	arg;		/* nth 1..PROG_MAXNTH, or pattern */
};

struct prog_config {
	int		ncpu;		/* program CPUs, 1..PROG_MAXCPU */
	int		npages;		/* physical pages (prog_npages_table) */
	int		freetarg;	/* pagedaemon free target, pages */
	int		nswap;		/* swap slots (prog_nswap_table) */
	uint64_t	seed;		/* scheduler seed after the bytes */
	int		pdpasses;	/* 0: no pagedaemon CPU */
	int		pdpages;	/* pages per pagedaemon pass */
	struct prog_inject inject[PROG_NINJECT];
};

#define PROG_INJ_NOPOINT	0xff	/* op.inj_point: no marker */

/*
 * One operation.  Addresses are bytes (any uint64: the text form and
 * the binary's raw escape express every value), lengths are pages.
 * Fields an opcode does not use are 0.
 *
 *	op		fields used
 *	mmap		proc addr npages prot maxprot flags inherit advice
 *			[obj objoff when flags & UVM_SIM_MAP_OBJECT]
 *			(addr is 0 unless flags & UVM_SIM_MAP_FIXED)
 *	munmap mlock munlock	proc addr npages
 *	mprotect	proc addr npages prot
 *	madvise		proc addr npages advice (MADV_*, 0..6)
 *	minherit	proc addr npages inherit (MAP_INHERIT_*, 0..3)
 *	fork		proc proc2 (the child)
 *	exit		proc
 *	read		proc addr
 *	write		proc addr value
 *	pagedaemon	npages
 *	swapoff swapon	(none)
 * every op: cpu, inj_point, inj_nth.
 */
struct prog_op {
	uint8_t		op;		/* enum prog_opcode */
	uint8_t		cpu;		/* 0..ncpu-1 */
	uint8_t		proc;		/* 0..PROG_MAXPROC-1 */
	uint8_t		proc2;		/* fork: the child */
	uint8_t		prot;		/* PROT_* bits, 0..7 */
	uint8_t		maxprot;	/* mmap: PROT_* bits, 0..7 */
	uint8_t		flags;		/* mmap: UVM_SIM_MAP_* */
	uint8_t		inherit;	/* MAP_INHERIT_* 0..3 */
	uint8_t		advice;		/* MADV_* 0..2 (mmap), 0..6 */
	uint8_t		obj;		/* mmap object 0..UVM_SIM_MAXOBJ-1 */
	uint8_t		inj_point;	/* inject point, or PROG_INJ_NOPOINT */
	uint32_t	inj_nth;	/* 1..PROG_MAXNTH (0 when no point) */
	uint64_t	addr;		/* bytes */
	uint64_t	npages;		/* pages (pagedaemon: n) */
	uint64_t	objoff;		/* mmap: offset in the object, pages */
	uint64_t	value;		/* write: the stored word */
};

struct prog {
	struct prog_config cfg;
	int		nops;
	struct prog_op	ops[PROG_MAXOPS];	/* program order */
	size_t		nsched;
	uint8_t		sched[PROG_MAXSCHED];
};

/* prog.c: the binary form */

/* prog_init: the empty program with the default configuration */
void	 prog_init(struct prog *);
/*
 * prog_decode: decode any byte string (total: never fails; empty input
 * is the empty program).  The layout is documented in fuzz/prog.c.
 */
void	 prog_decode(const uint8_t *buf, size_t len, struct prog *);
/*
 * prog_encode: encode p into buf (at most cap bytes); returns the size
 * of the whole encoding (> cap: truncated, like snprintf).  For every p
 * that prog_decode or prog_parse can produce,
 * prog_decode(prog_encode(p)) equals p.  Never more than PROG_ENCODE_MAX.
 */
size_t	 prog_encode(const struct prog *p, uint8_t *buf, size_t cap);
/* prog_equal: 1 when a and b are the same program, else 0 */
int	 prog_equal(const struct prog *a, const struct prog *b);
/* ops of cpu, in order */
int	 prog_cpu_nops(const struct prog *, int cpu);

/* names, for printing (NULL-safe: unknown values give "?") */
const char *prog_opname(int op);
const char *prog_injname(int point);	/* "malloc", "pmap_enter", ... */

/* prog_text.c: the text form */

/*
 * prog_print: the canonical text of p (grammar in fuzz/prog_text.c).
 * prog_parse(prog_print(p)) == p, and prog_print(prog_parse(t)) == t
 * for canonical text t.
 */
void	 prog_print(FILE *, const struct prog *);
/* prog_print_op: one op's canonical line ("cpu1: write p0 ..."), no newline */
void	 prog_print_op(FILE *, const struct prog_op *);
/* the same into buf (always NUL-terminated); returns the full length */
int	 prog_snprint_op(char *buf, size_t len, const struct prog_op *);
/*
 * prog_parse: parse text[0..len) into p.  Returns 0, or -1 with err set
 * to one line "filename:line:col: expected X, got Y" (no newline).
 */
int	 prog_parse(const char *text, size_t len, const char *filename,
	    struct prog *p, char *err, size_t errlen);
/*
 * prog_looks_text: 1 when buf[0..len), the contents of the file named
 * name (a path, or NULL), is text (printable bytes, tab, CR, LF, bytes
 * >= 0x80 for UTF-8 comments) whose first line that is not blank
 * starts like a line of a program: a comment ('#'), "config", "inject",
 * "cpu" or an operation's name.  Such input is meant as a text program,
 * so one that does not parse is an error, not a binary program.  A file
 * named as a fuzzer's binary output (*.bin, or a basename starting
 * crash-, leak-, oom-, timeout-, slow-unit- or id:) is never text-like:
 * a found input must always replay, however it happens to look.
 */
int	 prog_looks_text(const char *name, const uint8_t *buf, size_t len);

#endif /* _FUZZ_PROG_H_ */
