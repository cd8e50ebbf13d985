/*
 * fuzz/prog_text.c: the text form of fault programs (for people).
 *
 * One item per line; '#' starts a comment that runs to the end of the
 * line; blank lines are ignored.  Tokens are separated by blanks.
 * Numbers are decimal or 0x-prefixed hex.  The canonical text (what
 * prog_print writes, and what prog_print(prog_parse(t)) gives back) is:
 *
 *   config cpus=1 pages=128 freetarg=8 swap=256 seed=0x0 pdaemon=none
 *   inject POINT nth=N			(one line per armed point, in
 *   inject POINT pattern=0xHEX		 point order)
 *   cpuC: OP ...			(every op, in program order)
 *   schedule XX XX ...			(16 bytes a line, 2 hex digits)
 *
 * config: every key printed, in this order; pages and swap take the
 * values of prog_npages_table/prog_nswap_table; pdaemon=none or
 * pdaemon=PASSESxPAGES (e.g. 3x16).  In input the line is optional
 * (defaults), must come before the first op, keys in any order.
 * inject lines may come anywhere, one per point.
 * POINT: malloc pagealloc pmap_enter swap_read pager_io.
 *
 * Ops (canonical spelling; [..] only when it applies):
 *   mmap pP ADDR|any NPAGES PROT maxprot=PROT private|shared anon|objN
 *	[off=NPAGES] inherit=INH advice=ADV [stack] [nofault]
 *   munmap pP ADDR NPAGES		mlock pP ADDR NPAGES
 *   munlock pP ADDR NPAGES		mprotect pP ADDR NPAGES PROT
 *   madvise pP ADDR NPAGES ADV		minherit pP ADDR NPAGES INH
 *   fork pP -> pQ			exit pP
 *   read pP ADDR			write pP ADDR =VALUE
 *   pagedaemon N			swapoff
 *   swapon
 * followed by an optional injection marker "(fail_nth: POINT N)".
 * PROT is three characters "rwx" with '-' for a missing right; INH is
 * share copy none zero; ADV is normal random sequential (mmap), plus
 * willneed dontneed spaceavail free (madvise; MADV_* 3..6).  ADDR is
 * printed 0x-hex; VALUE in decimal below 0x10000, else 0x-hex; counts
 * in decimal.
 * In input: the "cpuN:" prefix may be omitted (cpu0; prog_print always
 * writes it); the mmap keywords after PROT may come in any order and
 * be omitted (maxprot=rwx private anon inherit=copy advice=normal);
 * "= VALUE" may be split.
 *
 * Errors: "file:line:col: expected X, got Y" with Y the offending
 * token in quotes or "end of line"; columns count bytes from 1.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "prog.h"

static const char *const inhnames[4] = { "share", "copy", "none", "zero" };
static const char *const advnames[7] = {
	"normal", "random", "sequential", "willneed", "dontneed",
	"spaceavail", "free"
};

/*
 * Printing.
 */

/* a string builder over a caller's buffer: counts past the end */
struct sb {
	char	*buf;
	size_t	 cap;
	size_t	 len;
};

/* append to the builder, counting what does not fit */
static void
sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->len < b->cap ? b->buf + b->len : NULL,
	    b->len < b->cap ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += n;
}

/* PROT_* bits as "rwx" with '-' for a missing right */
static const char *
protstr(int prot, char *s)
{
	s[0] = (prot & 1) ? 'r' : '-';
	s[1] = (prot & 2) ? 'w' : '-';
	s[2] = (prot & 4) ? 'x' : '-';
	s[3] = '\0';
	return s;
}

/* the fields of an mmap line, in canonical order */
static void
sb_mmap(struct sb *b, const struct prog_op *op)
{
	char p1[4], p2[4];

	if (op->flags & UVM_SIM_MAP_FIXED)
		sb_printf(b, " 0x%llx", (unsigned long long)op->addr);
	else
		sb_printf(b, " any");
	sb_printf(b, " %llu %s maxprot=%s %s",
	    (unsigned long long)op->npages, protstr(op->prot, p1),
	    protstr(op->maxprot, p2),
	    (op->flags & UVM_SIM_MAP_SHARED) ? "shared" : "private");
	if (op->flags & UVM_SIM_MAP_OBJECT)
		sb_printf(b, " obj%d off=%llu", op->obj,
		    (unsigned long long)op->objoff);
	else
		sb_printf(b, " anon");
	sb_printf(b, " inherit=%s advice=%s", inhnames[op->inherit & 3],
	    op->advice < 7 ? advnames[op->advice] : "?");
	if (op->flags & UVM_SIM_MAP_STACK)
		sb_printf(b, " stack");
	if (op->flags & UVM_SIM_MAP_NOFAULT)
		sb_printf(b, " nofault");
}

/* one op's canonical line, "cpuN: " prefix included */
static void
sb_op(struct sb *b, const struct prog_op *op)
{
	char ps[4];

	sb_printf(b, "cpu%d: %s", op->cpu, prog_opname(op->op));
	if (op->op != PROG_PAGEDAEMON && op->op != PROG_SWAPOFF &&
	    op->op != PROG_SWAPON)
		sb_printf(b, " p%d", op->proc);
	switch (op->op) {
	case PROG_MMAP:
		sb_mmap(b, op);
		break;
	case PROG_MUNMAP: case PROG_MPROTECT: case PROG_MADVISE:
	case PROG_MINHERIT: case PROG_MLOCK: case PROG_MUNLOCK:
		sb_printf(b, " 0x%llx %llu", (unsigned long long)op->addr,
		    (unsigned long long)op->npages);
		if (op->op == PROG_MPROTECT)
			sb_printf(b, " %s", protstr(op->prot, ps));
		else if (op->op == PROG_MADVISE)
			sb_printf(b, " %s",
			    op->advice < 7 ? advnames[op->advice] : "?");
		else if (op->op == PROG_MINHERIT)
			sb_printf(b, " %s", inhnames[op->inherit & 3]);
		break;
	case PROG_FORK:
		sb_printf(b, " -> p%d", op->proc2);
		break;
	case PROG_READ:
		sb_printf(b, " 0x%llx", (unsigned long long)op->addr);
		break;
	case PROG_WRITE:
		sb_printf(b, " 0x%llx", (unsigned long long)op->addr);
		sb_printf(b, op->value < 0x10000 ? " =%llu" : " =0x%llx",
		    (unsigned long long)op->value);
		break;
	case PROG_PAGEDAEMON:
		sb_printf(b, " %llu", (unsigned long long)op->npages);
		break;
	}
	if (op->inj_point != PROG_INJ_NOPOINT)
		sb_printf(b, " (fail_nth: %s %u)", prog_injname(op->inj_point),
		    op->inj_nth);
}

/* see prog.h */
int
prog_snprint_op(char *buf, size_t len, const struct prog_op *op)
{
	struct sb b = { buf, len, 0 };

	if (len > 0)
		buf[0] = '\0';
	sb_op(&b, op);
	return (int)b.len;
}

/* see prog.h */
void
prog_print_op(FILE *f, const struct prog_op *op)
{
	char line[256];

	prog_snprint_op(line, sizeof(line), op);
	fputs(line, f);
}

/* the canonical text of p (grammar above) */
void
prog_print(FILE *f, const struct prog *p)
{
	const struct prog_config *c = &p->cfg;
	size_t i;
	int k;

	fprintf(f, "config cpus=%d pages=%d freetarg=%d swap=%d seed=0x%llx",
	    c->ncpu, c->npages, c->freetarg, c->nswap,
	    (unsigned long long)c->seed);
	if (c->pdpasses > 0)
		fprintf(f, " pdaemon=%dx%d\n", c->pdpasses, c->pdpages);
	else
		fprintf(f, " pdaemon=none\n");
	for (k = 0; k < PROG_NINJECT; k++) {
		if (c->inject[k].mode == PROG_INJ_NTH)
			fprintf(f, "inject %s nth=%llu\n", prog_injname(k),
			    (unsigned long long)c->inject[k].arg);
		else if (c->inject[k].mode == PROG_INJ_PATTERN)
			fprintf(f, "inject %s pattern=0x%llx\n",
			    prog_injname(k),
			    (unsigned long long)c->inject[k].arg);
	}
	for (k = 0; k < p->nops; k++) {
		prog_print_op(f, &p->ops[k]);
		fputc('\n', f);
	}
	for (i = 0; i < p->nsched; i++)
		fprintf(f, "%s%02x%s", i % 16 == 0 ? "schedule " : "",
		    p->sched[i],
		    (i % 16 == 15 || i + 1 == p->nsched) ? "\n" : " ");
}

/*
 * Parsing.
 */

struct tok {
	const char	*s;		/* not NUL-terminated */
	size_t		 n;		/* 0: end of line */
	int		 col;		/* 1-based */
};

struct pstate {
	const char	*fname;
	int		 line;
	const char	*bol;		/* beginning of the line */
	const char	*cur;
	const char	*eol;		/* '\n', '#' or the end of text */
	char		*err;
	size_t		 errlen;
	int		 sawop;		/* an op line was parsed */
	int		 sawconfig;
	int		 percpu[PROG_MAXCPU];
};

/* token separators */
static int
isblank_(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* the next token of the line: a run up to a blank, '(' or ')' */
static struct tok
tok_next(struct pstate *ps)
{
	struct tok t;

	while (ps->cur < ps->eol && isblank_(*ps->cur))
		ps->cur++;
	t.s = ps->cur;
	t.col = (int)(ps->cur - ps->bol) + 1;
	if (ps->cur < ps->eol && (*ps->cur == '(' || *ps->cur == ')'))
		ps->cur++;
	else
		while (ps->cur < ps->eol && !isblank_(*ps->cur) &&
		    *ps->cur != '(' && *ps->cur != ')')
			ps->cur++;
	t.n = (size_t)(ps->cur - t.s);
	return t;
}

/* t is exactly s */
static int
tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && memcmp(t->s, s, t->n) == 0;
}

/* a sub-token: the part of t after its first `skip` bytes */
static struct tok
tok_tail(const struct tok *t, size_t skip)
{
	struct tok r = { t->s + skip, t->n - skip, t->col + (int)skip };

	return r;
}

/* report "expected what, got <t>"; returns -1 */
static int
perr(struct pstate *ps, const struct tok *t, const char *what)
{
	char got[48];

	if (t->n == 0)
		snprintf(got, sizeof(got), "end of line");
	else if (t->n > 32)
		snprintf(got, sizeof(got), "'%.29s...'", t->s);
	else
		snprintf(got, sizeof(got), "'%.*s'", (int)t->n, t->s);
	snprintf(ps->err, ps->errlen, "%s:%d:%d: expected %s, got %s",
	    ps->fname, ps->line, t->col, what, got);
	return -1;
}

/* a number (decimal or 0x hex) in [lo, hi] */
static int
p_num(struct pstate *ps, const struct tok *t, uint64_t lo, uint64_t hi,
    const char *what, uint64_t *vp)
{
	uint64_t v = 0, d;
	size_t i = 0;
	int base = 10;

	if (t->n > 2 && t->s[0] == '0' && (t->s[1] == 'x' || t->s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i >= t->n)
		return perr(ps, t, what);
	for (; i < t->n; i++) {
		char c = t->s[i];

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return perr(ps, t, what);
		if (v > (UINT64_MAX - d) / base)
			return perr(ps, t, what);
		v = v * base + d;
	}
	if (v < lo || v > hi)
		return perr(ps, t, what);
	*vp = v;
	return 0;
}

/* the next token as a number in [lo, hi] */
static int
p_numtok(struct pstate *ps, uint64_t lo, uint64_t hi, const char *what,
    uint64_t *vp)
{
	struct tok t = tok_next(ps);

	return p_num(ps, &t, lo, hi, what, vp);
}

/* index of t in names[0..n), or -1 */
static int
p_name(const struct tok *t, const char *const *names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (tok_is(t, names[i]))
			return i;
	return -1;
}

/* pN, N < PROG_MAXPROC */
static int
p_proc(struct pstate *ps, uint8_t *pp)
{
	struct tok t = tok_next(ps);

	if (t.n != 2 || t.s[0] != 'p' || t.s[1] < '0' ||
	    t.s[1] >= '0' + PROG_MAXPROC)
		return perr(ps, &t, "a process p0..p7");
	*pp = (uint8_t)(t.s[1] - '0');
	return 0;
}

/* "rwx" with '-' for a missing right */
static int
p_prot(struct pstate *ps, const struct tok *t, uint8_t *pp)
{
	if (t->n != 3 || (t->s[0] != 'r' && t->s[0] != '-') ||
	    (t->s[1] != 'w' && t->s[1] != '-') ||
	    (t->s[2] != 'x' && t->s[2] != '-'))
		return perr(ps, t, "a protection like rw- or r-x");
	*pp = (t->s[0] == 'r') | (t->s[1] == 'w') << 1 | (t->s[2] == 'x') << 2;
	return 0;
}

/* an address: any uint64 */
static int
p_addr(struct pstate *ps, uint64_t *ap)
{
	return p_numtok(ps, 0, UINT64_MAX, "an address", ap);
}

/* a length in pages, 0..PROG_MAXLEN */
static int
p_len(struct pstate *ps, uint64_t *np)
{
	return p_numtok(ps, 0, PROG_MAXLEN, "a length in pages 0..512", np);
}

/* one of a set of names, the next token or t */
static int
p_enum(struct pstate *ps, const struct tok *t, const char *const *names,
    int n, const char *what, uint8_t *vp)
{
	int i = p_name(t, names, n);

	if (i < 0)
		return perr(ps, t, what);
	*vp = (uint8_t)i;
	return 0;
}

#define ADV_MMAP	"advice normal, random or sequential"
#define ADV_ALL		"advice normal, random, sequential, willneed, " \
			"dontneed, spaceavail or free"
#define INH_ALL		"inheritance share, copy, none or zero"

/* the keywords of an mmap after PROT, any order, up to the marker */
static int
p_mmap_opts(struct pstate *ps, struct prog_op *op)
{
	struct tok t, v, offtok = { NULL, 0, 0 };
	const char *save;

	for (;;) {
		save = ps->cur;
		t = tok_next(ps);
		if (t.n == 0 || tok_is(&t, "(")) {
			ps->cur = save;
			break;
		}
		if (t.n > 8 && memcmp(t.s, "maxprot=", 8) == 0) {
			v = tok_tail(&t, 8);
			if (p_prot(ps, &v, &op->maxprot) < 0)
				return -1;
		} else if (tok_is(&t, "private"))
			op->flags &= ~UVM_SIM_MAP_SHARED;
		else if (tok_is(&t, "shared"))
			op->flags |= UVM_SIM_MAP_SHARED;
		else if (tok_is(&t, "anon")) {
			op->flags &= ~UVM_SIM_MAP_OBJECT;
			op->obj = 0;
		} else if (t.n == 4 && memcmp(t.s, "obj", 3) == 0 &&
		    t.s[3] >= '0' && t.s[3] < '0' + UVM_SIM_MAXOBJ) {
			op->flags |= UVM_SIM_MAP_OBJECT;
			op->obj = (uint8_t)(t.s[3] - '0');
		} else if (t.n > 4 && memcmp(t.s, "off=", 4) == 0) {
			offtok = t;
			v = tok_tail(&t, 4);
			if (p_num(ps, &v, 0, UVM_SIM_OBJPAGES,
			    "an object offset in pages 0..512", &op->objoff) < 0)
				return -1;
		} else if (t.n > 8 && memcmp(t.s, "inherit=", 8) == 0) {
			v = tok_tail(&t, 8);
			if (p_enum(ps, &v, inhnames, 4, INH_ALL,
			    &op->inherit) < 0)
				return -1;
		} else if (t.n > 7 && memcmp(t.s, "advice=", 7) == 0) {
			v = tok_tail(&t, 7);
			if (p_enum(ps, &v, advnames, 3, ADV_MMAP,
			    &op->advice) < 0)
				return -1;
		} else if (tok_is(&t, "stack"))
			op->flags |= UVM_SIM_MAP_STACK;
		else if (tok_is(&t, "nofault"))
			op->flags |= UVM_SIM_MAP_NOFAULT;
		else
			return perr(ps, &t, "an mmap option (maxprot=, "
			    "private, shared, anon, objN, off=, inherit=, "
			    "advice=, stack, nofault)");
	}
	if (offtok.n > 0 && (op->flags & UVM_SIM_MAP_OBJECT) == 0)
		return perr(ps, &offtok, "off= only with an objN mapping");
	return 0;
}

static int
p_mmap(struct pstate *ps, struct prog_op *op)
{
	struct tok t;

	if (p_proc(ps, &op->proc) < 0)
		return -1;
	t = tok_next(ps);
	if (tok_is(&t, "any"))
		op->addr = 0;
	else {
		if (p_num(ps, &t, 0, UINT64_MAX, "an address or any",
		    &op->addr) < 0)
			return -1;
		op->flags |= UVM_SIM_MAP_FIXED;
	}
	if (p_len(ps, &op->npages) < 0)
		return -1;
	t = tok_next(ps);
	if (p_prot(ps, &t, &op->prot) < 0)
		return -1;
	op->maxprot = 7;
	op->inherit = 1;	/* MAP_INHERIT_COPY */
	return p_mmap_opts(ps, op);
}

/* the fields after the opcode */
static int
p_fields(struct pstate *ps, struct prog_op *op)
{
	struct tok t;

	switch (op->op) {
	case PROG_MMAP:
		return p_mmap(ps, op);
	case PROG_MUNMAP: case PROG_MPROTECT: case PROG_MADVISE:
	case PROG_MINHERIT: case PROG_MLOCK: case PROG_MUNLOCK:
		if (p_proc(ps, &op->proc) < 0 || p_addr(ps, &op->addr) < 0 ||
		    p_len(ps, &op->npages) < 0)
			return -1;
		if (op->op == PROG_MUNMAP || op->op == PROG_MLOCK ||
		    op->op == PROG_MUNLOCK)
			return 0;
		t = tok_next(ps);
		if (op->op == PROG_MPROTECT)
			return p_prot(ps, &t, &op->prot);
		if (op->op == PROG_MADVISE)
			return p_enum(ps, &t, advnames, 7, ADV_ALL,
			    &op->advice);
		return p_enum(ps, &t, inhnames, 4, INH_ALL, &op->inherit);
	case PROG_FORK:
		if (p_proc(ps, &op->proc) < 0)
			return -1;
		t = tok_next(ps);
		if (!tok_is(&t, "->"))
			return perr(ps, &t, "'->'");
		return p_proc(ps, &op->proc2);
	case PROG_EXIT:
		return p_proc(ps, &op->proc);
	case PROG_READ:
		if (p_proc(ps, &op->proc) < 0)
			return -1;
		return p_addr(ps, &op->addr);
	case PROG_WRITE:
		if (p_proc(ps, &op->proc) < 0 || p_addr(ps, &op->addr) < 0)
			return -1;
		t = tok_next(ps);
		if (t.n == 0 || t.s[0] != '=')
			return perr(ps, &t, "=VALUE");
		t = t.n == 1 ? tok_next(ps) : tok_tail(&t, 1);
		return p_num(ps, &t, 0, UINT64_MAX, "a value", &op->value);
	case PROG_PAGEDAEMON:
		return p_numtok(ps, 0, UVM_SIM_MAXPHYS,
		    "a page count 0..4096", &op->npages);
	}
	return 0;
}

#define INJ_ALL	"an injection point (malloc, pagealloc, pmap_enter, " \
		"swap_read, pager_io)"

static int
p_point(struct pstate *ps, const struct tok *t, uint8_t *pp)
{
	int i;

	for (i = 0; i < PROG_NINJECT; i++)
		if (tok_is(t, prog_injname(i))) {
			*pp = (uint8_t)i;
			return 0;
		}
	return perr(ps, t, INJ_ALL);
}

/* "(fail_nth: POINT N)" if the line has one */
static int
p_marker(struct pstate *ps, struct prog_op *op)
{
	struct tok t;
	const char *save = ps->cur;
	uint64_t v;

	op->inj_point = PROG_INJ_NOPOINT;
	t = tok_next(ps);
	if (!tok_is(&t, "(")) {
		ps->cur = save;
		return 0;
	}
	t = tok_next(ps);
	if (!tok_is(&t, "fail_nth:"))
		return perr(ps, &t, "'fail_nth:'");
	t = tok_next(ps);
	if (p_point(ps, &t, &op->inj_point) < 0)
		return -1;
	if (p_numtok(ps, 1, PROG_MAXNTH, "a count 1..1000", &v) < 0)
		return -1;
	op->inj_nth = (uint32_t)v;
	t = tok_next(ps);
	if (!tok_is(&t, ")"))
		return perr(ps, &t, "')'");
	return 0;
}

/* the rest of the line must be empty */
static int
p_eol(struct pstate *ps)
{
	struct tok t = tok_next(ps);

	if (t.n != 0)
		return perr(ps, &t, "end of line");
	return 0;
}

/* an op line; t is its first token ("cpuN:" or the opcode) */
static int
p_opline(struct pstate *ps, struct tok t, struct prog *p)
{
	struct prog_op op;
	char what[64];
	int i;

	memset(&op, 0, sizeof(op));
	if (t.n == 5 && memcmp(t.s, "cpu", 3) == 0 && t.s[4] == ':') {
		if (t.s[3] < '0' || t.s[3] >= '0' + p->cfg.ncpu) {
			if (p->cfg.ncpu == 1)
				snprintf(what, sizeof(what), "cpu0: (config "
				    "cpus=1)");
			else
				snprintf(what, sizeof(what), "cpu0: .. cpu%d: "
				    "(config cpus=%d)", p->cfg.ncpu - 1,
				    p->cfg.ncpu);
			return perr(ps, &t, what);
		}
		op.cpu = (uint8_t)(t.s[3] - '0');
		t = tok_next(ps);
	}
	for (i = 0; i < PROG_NOPCODES; i++)
		if (tok_is(&t, prog_opname(i)))
			break;
	if (i == PROG_NOPCODES)
		return perr(ps, &t, "an operation (mmap, munmap, mprotect, "
		    "madvise, minherit, mlock, munlock, fork, exit, read, "
		    "write, pagedaemon, swapoff, swapon)");
	op.op = (uint8_t)i;
	if (p->nops >= PROG_MAXOPS)
		return perr(ps, &t, "at most 256 operations");
	if (ps->percpu[op.cpu] >= PROG_MAXOPS_CPU) {
		snprintf(what, sizeof(what), "at most %d operations on cpu%d",
		    PROG_MAXOPS_CPU, op.cpu);
		return perr(ps, &t, what);
	}
	if (p_fields(ps, &op) < 0 || p_marker(ps, &op) < 0 || p_eol(ps) < 0)
		return -1;
	ps->percpu[op.cpu]++;
	ps->sawop = 1;
	p->ops[p->nops++] = op;
	return 0;
}

/* a number that must be one of tab[0..n) */
static int
p_table(struct pstate *ps, const struct tok *t, const int *tab, int n,
    const char *what, int *vp)
{
	uint64_t v;
	int i;

	if (p_num(ps, t, 0, UINT64_MAX, what, &v) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((uint64_t)tab[i] == v) {
			*vp = tab[i];
			return 0;
		}
	return perr(ps, t, what);
}

/* pdaemon=none or pdaemon=PASSESxPAGES */
static int
p_pdaemon(struct pstate *ps, const struct tok *t, struct prog_config *c)
{
	const char *what = "none or PASSESxPAGES (1..7 x 1..64)";
	struct tok a, b;
	uint64_t x, y;
	size_t i;

	if (tok_is(t, "none")) {
		c->pdpasses = c->pdpages = 0;
		return 0;
	}
	for (i = 0; i < t->n && t->s[i] != 'x'; i++)
		;
	if (i == t->n)
		return perr(ps, t, what);
	a = *t;
	a.n = i;
	b = tok_tail(t, i + 1);
	if (p_num(ps, &a, 1, PROG_MAXPDPASSES, what, &x) < 0 ||
	    p_num(ps, &b, 1, PROG_MAXPDPAGES, what, &y) < 0)
		return -1;
	c->pdpasses = (int)x;
	c->pdpages = (int)y;
	return 0;
}

/* config key=value ..., once, before the first op */
static int
p_config(struct pstate *ps, const struct tok *kw, struct prog_config *c)
{
	struct tok t, v, ft = { NULL, 0, 0 };
	uint64_t x;
	int r = 0;

	if (ps->sawop || ps->sawconfig)
		return perr(ps, kw, ps->sawop ? "config before the first "
		    "operation" : "one config line");
	ps->sawconfig = 1;
	while ((t = tok_next(ps)).n != 0) {
		if (t.n > 5 && memcmp(t.s, "cpus=", 5) == 0) {
			v = tok_tail(&t, 5);
			r = p_num(ps, &v, 1, PROG_MAXCPU, "cpus 1..4", &x);
			c->ncpu = (int)x;
		} else if (t.n > 6 && memcmp(t.s, "pages=", 6) == 0) {
			v = tok_tail(&t, 6);
			r = p_table(ps, &v, prog_npages_table, 16, "pages 16, "
			    "24, 32, 48, 64, 96, 128, 192, 256, 384, 512, "
			    "768, 1024, 1536, 2048 or 4096", &c->npages);
		} else if (t.n > 9 && memcmp(t.s, "freetarg=", 9) == 0) {
			ft = v = tok_tail(&t, 9);
			r = p_num(ps, &v, 0, UVM_SIM_MAXPHYS / 2,
			    "freetarg 0..pages/2", &x);
			c->freetarg = (int)x;
		} else if (t.n > 5 && memcmp(t.s, "swap=", 5) == 0) {
			v = tok_tail(&t, 5);
			r = p_table(ps, &v, prog_nswap_table, 8, "swap 0, 16, "
			    "64, 128, 256, 512, 1024 or 4096", &c->nswap);
		} else if (t.n > 5 && memcmp(t.s, "seed=", 5) == 0) {
			v = tok_tail(&t, 5);
			r = p_num(ps, &v, 0, UINT64_MAX, "a seed", &c->seed);
		} else if (t.n > 8 && memcmp(t.s, "pdaemon=", 8) == 0) {
			v = tok_tail(&t, 8);
			r = p_pdaemon(ps, &v, c);
		} else
			r = perr(ps, &t, "a config key (cpus=, pages=, "
			    "freetarg=, swap=, seed=, pdaemon=)");
		if (r < 0)
			return -1;
	}
	if (c->freetarg > c->npages / 2)
		return perr(ps, ft.n ? &ft : kw, "freetarg 0..pages/2");
	return 0;
}

/* inject POINT nth=N | pattern=BITS, once per point */
static int
p_inject(struct pstate *ps, struct prog_config *c)
{
	struct tok t = tok_next(ps), v;
	uint8_t pt;

	if (p_point(ps, &t, &pt) < 0)
		return -1;
	if (c->inject[pt].mode != PROG_INJ_NONE)
		return perr(ps, &t, "an injection point not yet armed");
	t = tok_next(ps);
	if (t.n > 4 && memcmp(t.s, "nth=", 4) == 0) {
		v = tok_tail(&t, 4);
		c->inject[pt].mode = PROG_INJ_NTH;
		if (p_num(ps, &v, 1, PROG_MAXNTH, "a count 1..1000",
		    &c->inject[pt].arg) < 0)
			return -1;
	} else if (t.n > 8 && memcmp(t.s, "pattern=", 8) == 0) {
		v = tok_tail(&t, 8);
		c->inject[pt].mode = PROG_INJ_PATTERN;
		if (p_num(ps, &v, 0, UINT64_MAX, "a 64-bit pattern",
		    &c->inject[pt].arg) < 0)
			return -1;
	} else
		return perr(ps, &t, "nth=N or pattern=BITS");
	return p_eol(ps);
}

/* the value of a hex digit, or -1 */
static int
hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* schedule bytes: one or two hex digits each, no 0x */
static int
p_schedule(struct pstate *ps, struct prog *p)
{
	const char *what = "a schedule byte (2 hex digits)";
	struct tok t;
	int hi, lo;

	while ((t = tok_next(ps)).n != 0) {
		if (t.n > 2)
			return perr(ps, &t, what);
		hi = t.n == 2 ? hexdigit(t.s[0]) : 0;
		lo = hexdigit(t.s[t.n - 1]);
		if (hi < 0 || lo < 0)
			return perr(ps, &t, what);
		if (p->nsched >= PROG_MAXSCHED)
			return perr(ps, &t, "at most 1024 schedule bytes");
		p->sched[p->nsched++] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* one line, [ps->bol, ps->eol) */
static int
p_line(struct pstate *ps, struct prog *p)
{
	struct tok t = tok_next(ps);

	if (t.n == 0)
		return 0;
	if (tok_is(&t, "config"))
		return p_config(ps, &t, &p->cfg);
	if (tok_is(&t, "inject"))
		return p_inject(ps, &p->cfg);
	if (tok_is(&t, "schedule"))
		return p_schedule(ps, p);
	return p_opline(ps, t, p);
}

/* see prog.h; line by line, the first error stops */
int
prog_parse(const char *text, size_t len, const char *filename,
    struct prog *p, char *err, size_t errlen)
{
	struct pstate ps;
	const char *end = text + len, *nl;

	memset(&ps, 0, sizeof(ps));
	ps.fname = filename ? filename : "<input>";
	ps.err = err;
	ps.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	prog_init(p);
	for (ps.bol = text; ps.bol < end || ps.line == 0; ps.bol = nl + 1) {
		ps.line++;
		nl = memchr(ps.bol, '\n', (size_t)(end - ps.bol));
		if (nl == NULL)
			nl = end;
		ps.eol = memchr(ps.bol, '#', (size_t)(nl - ps.bol));
		if (ps.eol == NULL)
			ps.eol = nl;
		ps.cur = ps.bol;
		if (p_line(&ps, p) < 0)
			return -1;
		if (nl == end)
			break;
	}
	return 0;
}

int
prog_looks_text(const char *name, const uint8_t *buf, size_t len)
{
	static const char *const first[] = { "#", "config", "inject", "cpu" };
#define NFIRST	4
	static const char *const binname[] = { "crash-", "leak-", "oom-",
	    "timeout-", "slow-unit-", "id:" };
	const char *w, *base;
	size_t i, j, n;
	int op;

	if (name != NULL) {
		base = strrchr(name, '/') != NULL ? strrchr(name, '/') + 1 :
		    name;
		n = strlen(base);
		if (n >= 4 && strcmp(base + n - 4, ".bin") == 0)
			return 0;
		for (j = 0; j < sizeof(binname) / sizeof(binname[0]); j++)
			if (strncmp(base, binname[j], strlen(binname[j])) == 0)
				return 0;
	}

	for (i = 0; i < len; i++)
		if ((buf[i] < 0x20 || buf[i] == 0x7f) && buf[i] != '\n' &&
		    buf[i] != '\t' && buf[i] != '\r')
			return 0;
	for (i = 0; i < len && (buf[i] == ' ' || buf[i] == '\t' ||
	    buf[i] == '\r' || buf[i] == '\n'); i++)
		continue;
	for (j = 0; j < NFIRST + PROG_NOPCODES; j++) {
		op = (int)j - NFIRST;
		w = op < 0 ? first[j] : prog_opname(op);
		n = strlen(w);
		if (len - i >= n && memcmp(buf + i, w, n) == 0)
			return 1;
	}
	return 0;
}
