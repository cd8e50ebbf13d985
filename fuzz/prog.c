/*
 * fuzz/prog.c: the binary form of fault programs (for the fuzzers).
 *
 * Properties:
 *   TOTAL: every byte string decodes to a valid program.  Values are
 *     clamped or wrapped into their ranges (fuzz/prog.h), never rejected;
 *     a missing byte (the input ended) takes its default value, so the
 *     empty input is the empty program with the default configuration.
 *   VERSIONED: byte 0 is the format version.  2 (PROG_VERSION, what
 *     prog_encode writes) decodes as version 2; every other value as
 *     version 1, exactly as before version 2 existed.  Version 2 differs
 *     in two places: bit 0x80 of a pagedaemon record's header, ignored
 *     by version 1, makes it a swapctl record (below); a madvise advice
 *     byte is b % 7 (MADV_FREE 6 reachable) instead of b % 5.
 *     Version 1 ignored byte 0, so a version-1 input that starts with
 *     0x02 changes meaning: its byte 0 must be made 0x01.
 *   STABLE: decoding is one pass from the front, and nothing depends on
 *     the input's length or its end: appending bytes never changes how
 *     the earlier bytes decode.  Schedule bytes are therefore carried by
 *     schedule records inside the op stream (opcode 15), not by a
 *     trailing section.
 *   BIASED: addresses are mostly (region, page, word) relative to the
 *     regions the program mapped so far in that process (a tracker kept
 *     identically by the decoder and the encoder), with an escape for a
 *     raw address; process numbers mostly pick an existing process.
 *
 * Layout (LE = little endian; varint = LEB128, at most 10 bytes, a
 * truncated varint is the value read so far):
 *
 *   header, fixed:
 *	0	version: 2 (version 2), anything else version 1
 *	1	ncpu = 1 + (b & 3)
 *	2	npages = prog_npages_table[b & 15]		(default 128)
 *	3,4	freetarg = (LE16) % (npages / 2 + 1)		(default 8)
 *	5	nswap = prog_nswap_table[b & 7]			(default 256)
 *	6..13	seed, LE64					(default 0)
 *	14	pdpasses = b & 7
 *	15	pdpages = 1 + b % PROG_MAXPDPAGES (0 when pdpasses is 0)
 *	16	inject mask: bit i arms point i (i < PROG_NINJECT)
 *   then per armed point, in point order: mode byte (b & 1: 0 nth, 1
 *   pattern), varint v: nth = 1 + v % PROG_MAXNTH, pattern = v.
 *
 *   op records, until the input ends; first byte h:
 *	h & 15	opcode: 0..11 enum prog_opcode, 12 write, 13 read, 14
 *		mmap, 15 schedule record
 *	h >> 4 & 3	cpu (modulo ncpu)
 *	h & 0x40	an injection marker follows the op's fields
 *	h & 0x80	ignored; in version 2, on opcode 11 (pagedaemon): a
 *		swapctl record instead, whose one field is a sub-op byte
 *		b: swapoff if b % 8 == 0, else swapon (so a random input
 *		holds a swapoff in about 1 of 256 records: it pages
 *		everything in).  The injection marker (h & 0x40) follows
 *		it as for any op.
 *   schedule record: length byte L, then L schedule bytes (beyond
 *   PROG_MAXSCHED they are consumed and dropped).
 *   op fields (PROC, ADDR, WADDR below):
 *	mmap		PROC, flags byte (UVM_SIM_MAP_* bits 0..4), npages
 *			varint % (PROG_MAXLEN + 1), prot byte (prot = b & 7;
 *			maxprot = b >> 3 & 7 if b & 0x40, else 7), misc byte
 *			(inherit = b & 3, advice = (b >> 2 & 3) % 3, obj =
 *			b >> 4 & 3), objoff varint % (UVM_SIM_OBJPAGES + 1)
 *			if OBJECT, ADDR if FIXED
 *	munmap mlock munlock	PROC, ADDR, npages varint
 *	mprotect madvise minherit	same, then one byte: prot b & 7,
 *			advice b % 5 (version 1) or b % 7 (version 2: 5
 *			is MADV_SPACEAVAIL, EINVAL; 6 MADV_FREE),
 *			inherit b & 3
 *	fork		PROC, child byte (b & 0x80: b & 7; else the lowest
 *			process number not in use, b & 7 if none is free)
 *	exit		PROC
 *	read		PROC, WADDR
 *	write		PROC, WADDR, value varint
 *	pagedaemon	n varint % (UVM_SIM_MAXPHYS + 1)
 *	swapoff swapon	(version 2) sub-op byte, see h & 0x80
 *   injection marker: point byte % PROG_NINJECT, varint v, nth = 1 +
 *   v % PROG_MAXNTH.
 *   PROC: b & 0x80 or no process exists: b & 7; else the (b % n)th of
 *   the n existing processes, in increasing order.
 *   ADDR (page granular): form byte f; f & 0x80: a raw varint address;
 *   else region R = f % nregions, page byte (signed): R.start + page *
 *   PAGE_SIZE.
 *   WADDR (word granular): form byte as ADDR; region form: page byte %
 *   min(R.npages + 1, 256), word byte: R.start + page * PAGE_SIZE +
 *   word * 8.
 *   A process with no region uses the pseudo region [0x1000, 16 pages).
 *
 * The region tracker (trk_*): per process, the [start, npages) ranges
 * the program mmapped, in order (at most TRK_NREG, the oldest replaced);
 * an mmap anywhere is guessed first fit from 0x1000 among them (the
 * model's policy; the guess need not be right); munmap forgets regions
 * it covers whole; fork copies the parent's list; exit empties it.  It
 * only biases the encoding: the program itself holds raw addresses.
 * Ops beyond the per-CPU or total bound are decoded and dropped, and do
 * not touch the tracker.
 */

#include <string.h>

#include "prog.h"

#define PAGE		UVM_SIM_PAGE_SIZE
#define TRK_NREG	16
#define TRK_BASE	0x1000ULL	/* first address mmap-anywhere uses */
#define TRK_PSEUDOLEN	16		/* pages of the pseudo region */
#define HDR_FIXED	17		/* bytes of the fixed header */

const int prog_npages_table[16] = {
	16, 24, 32, 48, 64, 96, 128, 192,
	256, 384, 512, 768, 1024, 1536, 2048, UVM_SIM_MAXPHYS
};
const int prog_nswap_table[8] = { 0, 16, 64, 128, 256, 512, 1024, 4096 };

#define DEF_NPAGES_IDX	6	/* prog_npages_table[6] == 128 */
#define DEF_NSWAP_IDX	4	/* prog_nswap_table[4] == 256 */

static const char *const opnames[PROG_NOPCODES] = {
	"mmap", "munmap", "mprotect", "madvise", "minherit", "mlock",
	"munlock", "fork", "exit", "read", "write", "pagedaemon",
	"swapoff", "swapon"
};
static const char *const injnames[PROG_NINJECT] = {
	"malloc", "pagealloc", "pmap_enter", "swap_read", "pager_io"
};

struct region {
	uint64_t	start;		/* bytes */
	uint64_t	npages;
};

struct trk {
	int		exists[PROG_MAXPROC];
	int		nreg[PROG_MAXPROC];
	int		next[PROG_MAXPROC];	/* slot replaced when full */
	struct region	reg[PROG_MAXPROC][TRK_NREG];
};

/* a cursor over the input; reads past the end give the default */
struct rd {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 pos;
};

/* an output buffer; writes past cap are counted, not stored */
struct wr {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 pos;
};

/* the text name of an opcode */
const char *
prog_opname(int op)
{
	if (op < 0 || op >= PROG_NOPCODES)
		return "?";
	return opnames[op];
}

/* the text name of an injection point */
const char *
prog_injname(int point)
{
	if (point < 0 || point >= PROG_NINJECT)
		return "?";
	return injnames[point];
}

/* the empty program, default configuration (see prog.h) */
void
prog_init(struct prog *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->cfg.ncpu = PROG_DEF_NCPU;
	p->cfg.npages = PROG_DEF_NPAGES;
	p->cfg.freetarg = PROG_DEF_FREETARG;
	p->cfg.nswap = PROG_DEF_NSWAP;
	p->cfg.seed = PROG_DEF_SEED;
	for (i = 0; i < PROG_NINJECT; i++)
		p->cfg.inject[i].mode = PROG_INJ_NONE;
}

/* how many of p's ops run on cpu */
int
prog_cpu_nops(const struct prog *p, int cpu)
{
	int i, n = 0;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].cpu == cpu)
			n++;
	return n;
}

/*
 * Byte-level helpers.
 */

/* the next input byte, or def when the input has ended */
static uint8_t
rd_byte(struct rd *r, uint8_t def)
{
	if (r->pos >= r->len)
		return def;
	return r->buf[r->pos++];
}

/* a LEB128 varint; a truncated one is the value read so far */
static uint64_t
rd_varint(struct rd *r)
{
	uint64_t v = 0;
	uint8_t b;
	int i;

	for (i = 0; i < 10 && r->pos < r->len; i++) {
		b = r->buf[r->pos++];
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0)
			break;
	}
	return v;
}

/* append one byte */
static void
wr_byte(struct wr *w, uint8_t b)
{
	if (w->pos < w->cap)
		w->buf[w->pos] = b;
	w->pos++;
}

/* append v as a minimal LEB128 varint */
static void
wr_varint(struct wr *w, uint64_t v)
{
	while (v >= 0x80) {
		wr_byte(w, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	wr_byte(w, (uint8_t)v);
}

/*
 * The region tracker.
 */

/* at start only process 0 exists, with no region */
static void
trk_init(struct trk *t)
{
	memset(t, 0, sizeof(*t));
	t->exists[0] = 1;	/* the runner creates process 0 */
}

/* remember [start, npages) for p; replace the oldest when full */
static void
trk_add(struct trk *t, int p, uint64_t start, uint64_t npages)
{
	int slot;

	if (npages == 0)
		return;
	if (t->nreg[p] < TRK_NREG)
		slot = t->nreg[p]++;
	else {
		slot = t->next[p];
		t->next[p] = (slot + 1) % TRK_NREG;
	}
	t->reg[p][slot].start = start;
	t->reg[p][slot].npages = npages;
}

/* forget p's regions that [start, start + npages pages) covers whole */
static void
trk_remove(struct trk *t, int p, uint64_t start, uint64_t npages)
{
	uint64_t end = start + npages * PAGE;
	struct region *r;
	int i, j;

	for (i = j = 0; i < t->nreg[p]; i++) {
		r = &t->reg[p][i];
		if (r->start >= start && r->start + r->npages * PAGE <= end &&
		    end > start)
			continue;
		t->reg[p][j++] = *r;
	}
	if (j != t->nreg[p]) {
		t->nreg[p] = j;
		t->next[p] = 0;
	}
}

/* first fit from TRK_BASE among p's known regions: a guess */
static uint64_t
trk_guess(const struct trk *t, int p, uint64_t npages)
{
	uint64_t cand = TRK_BASE, end, rend;
	const struct region *r;
	int i, moved, pass;

	for (pass = 0; pass <= TRK_NREG; pass++) {
		moved = 0;
		end = cand + npages * PAGE;
		for (i = 0; i < t->nreg[p]; i++) {
			r = &t->reg[p][i];
			rend = r->start + r->npages * PAGE;
			if (r->start < end && cand < rend) {
				cand = rend;
				moved = 1;
				break;
			}
		}
		if (!moved)
			break;
	}
	return cand;
}

/* region i of p's list, or the pseudo region when p has none */
static struct region
trk_region(const struct trk *t, int p, unsigned int i)
{
	struct region r = { TRK_BASE, TRK_PSEUDOLEN };

	if (t->nreg[p] > 0)
		r = t->reg[p][i % t->nreg[p]];
	return r;
}

/* how many regions ADDR/WADDR choose from (>= 1) */
static int
trk_nregions(const struct trk *t, int p)
{
	return t->nreg[p] > 0 ? t->nreg[p] : 1;
}

/* how many processes exist */
static int
trk_nexist(const struct trk *t)
{
	int i, n = 0;

	for (i = 0; i < PROG_MAXPROC; i++)
		n += t->exists[i];
	return n;
}

/* the lowest free process number, or -1 */
static int
trk_freeproc(const struct trk *t)
{
	int i;

	for (i = 0; i < PROG_MAXPROC; i++)
		if (!t->exists[i])
			return i;
	return -1;
}

/* update the tracker with a kept op */
static void
trk_apply(struct trk *t, const struct prog_op *op)
{
	int p = op->proc, q = op->proc2;

	switch (op->op) {
	case PROG_MMAP:
		if (op->flags & UVM_SIM_MAP_FIXED)
			trk_add(t, p, op->addr, op->npages);
		else
			trk_add(t, p, trk_guess(t, p, op->npages),
			    op->npages);
		break;
	case PROG_MUNMAP:
		trk_remove(t, p, op->addr, op->npages);
		break;
	case PROG_FORK:
		if (t->exists[p] && !t->exists[q]) {
			t->exists[q] = 1;
			t->nreg[q] = t->nreg[p];
			t->next[q] = t->next[p];
			memcpy(t->reg[q], t->reg[p], sizeof(t->reg[p]));
		}
		break;
	case PROG_EXIT:
		t->exists[p] = 0;
		t->nreg[p] = 0;
		t->next[p] = 0;
		break;
	}
}

/*
 * Decoding of the biased fields.
 */

/* PROC: mostly an existing process, 0x80 escapes to b & 7 */
static uint8_t
dec_proc(struct rd *r, const struct trk *t)
{
	uint8_t b = rd_byte(r, 0);
	int i, k, n = trk_nexist(t);

	if ((b & 0x80) || n == 0)
		return b & 7;
	k = b % n;
	for (i = 0; i < PROG_MAXPROC; i++)
		if (t->exists[i] && k-- == 0)
			break;
	return (uint8_t)i;
}

/* the child of a fork: the lowest free number, or raw */
static uint8_t
dec_child(struct rd *r, const struct trk *t)
{
	uint8_t b = rd_byte(r, 0);
	int q;

	if (b & 0x80)
		return b & 7;
	q = trk_freeproc(t);
	return q < 0 ? (b & 7) : (uint8_t)q;
}

/* ADDR (word == 0) or WADDR (word == 1) of process p */
static uint64_t
dec_addr(struct rd *r, const struct trk *t, int p, int word)
{
	uint8_t f = rd_byte(r, 0), pg, w;
	struct region reg;
	uint64_t m;

	if (f & 0x80)
		return rd_varint(r);
	reg = trk_region(t, p, f % trk_nregions(t, p));
	pg = rd_byte(r, 0);
	if (!word)
		return reg.start + (uint64_t)(int64_t)(int8_t)pg * PAGE;
	w = rd_byte(r, 0);
	m = reg.npages + 1 < 256 ? reg.npages + 1 : 256;
	return reg.start + (pg % m) * PAGE + (uint64_t)w * 8;
}

/* the header: fixed part, then the injection plan; returns the version */
static int
dec_config(struct rd *r, struct prog_config *c)
{
	uint8_t b;
	int i, version;

	/* 2 is version 2; every other byte decodes as version 1 */
	version = rd_byte(r, PROG_VERSION) == 2 ? 2 : 1;
	c->ncpu = 1 + (rd_byte(r, PROG_DEF_NCPU - 1) & 3);
	c->npages = prog_npages_table[rd_byte(r, DEF_NPAGES_IDX) & 15];
	b = rd_byte(r, PROG_DEF_FREETARG & 0xff);
	c->freetarg = (b | rd_byte(r, PROG_DEF_FREETARG >> 8) << 8) %
	    (c->npages / 2 + 1);
	c->nswap = prog_nswap_table[rd_byte(r, DEF_NSWAP_IDX) & 7];
	c->seed = 0;
	for (i = 0; i < 8; i++)
		c->seed |= (uint64_t)rd_byte(r,
		    (uint8_t)(PROG_DEF_SEED >> (8 * i))) << (8 * i);
	c->pdpasses = rd_byte(r, 0) & 7;
	b = rd_byte(r, 0);
	c->pdpages = c->pdpasses ? 1 + b % PROG_MAXPDPAGES : 0;
	b = rd_byte(r, 0);
	for (i = 0; i < PROG_NINJECT; i++) {
		c->inject[i].mode = PROG_INJ_NONE;
		c->inject[i].arg = 0;
		if ((b & (1 << i)) == 0)
			continue;
		if (rd_byte(r, 0) & 1) {
			c->inject[i].mode = PROG_INJ_PATTERN;
			c->inject[i].arg = rd_varint(r);
		} else {
			c->inject[i].mode = PROG_INJ_NTH;
			c->inject[i].arg = 1 + rd_varint(r) % PROG_MAXNTH;
		}
	}
	return version;
}

/* the fields of an mmap record */
static void
dec_mmap(struct rd *r, const struct trk *t, struct prog_op *op)
{
	uint8_t b;

	op->proc = dec_proc(r, t);
	op->flags = rd_byte(r, 0) & 0x1f;
	op->npages = rd_varint(r) % (PROG_MAXLEN + 1);
	b = rd_byte(r, 0);
	op->prot = b & 7;
	op->maxprot = (b & 0x40) ? (b >> 3) & 7 : 7;
	b = rd_byte(r, 0);
	op->inherit = b & 3;
	op->advice = ((b >> 2) & 3) % 3;
	if (op->flags & UVM_SIM_MAP_OBJECT) {
		op->obj = (b >> 4) & 3;
		op->objoff = rd_varint(r) % (UVM_SIM_OBJPAGES + 1);
	}
	if (op->flags & UVM_SIM_MAP_FIXED)
		op->addr = dec_addr(r, t, op->proc, 0);
}

/* the fields of one op (opcode and cpu already set) */
static void
dec_fields(struct rd *r, const struct trk *t, struct prog_op *op,
    int version)
{
	switch (op->op) {
	case PROG_MMAP:
		dec_mmap(r, t, op);
		break;
	case PROG_MUNMAP: case PROG_MPROTECT: case PROG_MADVISE:
	case PROG_MINHERIT: case PROG_MLOCK: case PROG_MUNLOCK:
		op->proc = dec_proc(r, t);
		op->addr = dec_addr(r, t, op->proc, 0);
		op->npages = rd_varint(r) % (PROG_MAXLEN + 1);
		if (op->op == PROG_MPROTECT)
			op->prot = rd_byte(r, 0) & 7;
		else if (op->op == PROG_MADVISE)
			op->advice = rd_byte(r, 0) % (version >= 2 ? 7 : 5);
		else if (op->op == PROG_MINHERIT)
			op->inherit = rd_byte(r, 0) & 3;
		break;
	case PROG_FORK:
		op->proc = dec_proc(r, t);
		op->proc2 = dec_child(r, t);
		break;
	case PROG_EXIT:
		op->proc = dec_proc(r, t);
		break;
	case PROG_READ:
	case PROG_WRITE:
		op->proc = dec_proc(r, t);
		op->addr = dec_addr(r, t, op->proc, 1);
		if (op->op == PROG_WRITE)
			op->value = rd_varint(r);
		break;
	case PROG_PAGEDAEMON:
		op->npages = rd_varint(r) % (UVM_SIM_MAXPHYS + 1);
		break;
	}
}

/* a schedule record: length byte, then that many bytes */
static void
dec_sched(struct rd *r, struct prog *p)
{
	int i, n = rd_byte(r, 0);
	uint8_t b;

	for (i = 0; i < n && r->pos < r->len; i++) {
		b = rd_byte(r, 0);
		if (p->nsched < PROG_MAXSCHED)
			p->sched[p->nsched++] = b;
	}
}

/* decode buf[0..len) into p: total, stable (layout above) */
void
prog_decode(const uint8_t *buf, size_t len, struct prog *p)
{
	static const uint8_t opmap[16] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
		PROG_WRITE, PROG_READ, PROG_MMAP, 0xff
	};
	struct rd r = { buf, len, 0 };
	int percpu[PROG_MAXCPU] = { 0 };
	struct prog_op op;
	struct trk t;
	uint8_t h;
	int version;

	prog_init(p);
	trk_init(&t);
	version = dec_config(&r, &p->cfg);
	while (r.pos < r.len) {
		h = rd_byte(&r, 0);
		if (opmap[h & 15] == 0xff) {
			dec_sched(&r, p);
			continue;
		}
		memset(&op, 0, sizeof(op));
		op.op = opmap[h & 15];
		op.cpu = ((h >> 4) & 3) % p->cfg.ncpu;
		op.inj_point = PROG_INJ_NOPOINT;
		if (version >= 2 && op.op == PROG_PAGEDAEMON && (h & 0x80))
			op.op = rd_byte(&r, 0) % 8 == 0 ? PROG_SWAPOFF :
			    PROG_SWAPON;
		else
			dec_fields(&r, &t, &op, version);
		if (h & 0x40) {
			op.inj_point = rd_byte(&r, 0) % PROG_NINJECT;
			op.inj_nth = 1 + rd_varint(&r) % PROG_MAXNTH;
		}
		if (p->nops >= PROG_MAXOPS ||
		    percpu[op.cpu] >= PROG_MAXOPS_CPU)
			continue;	/* over the bounds: dropped */
		percpu[op.cpu]++;
		p->ops[p->nops++] = op;
		trk_apply(&t, &op);
	}
}

/*
 * Encoding: the inverse, choosing the biased forms when they give the
 * same value and the raw escapes otherwise.
 */

/* PROC: the index among existing processes, else raw */
static void
enc_proc(struct wr *w, const struct trk *t, int p)
{
	int i, k = 0;

	if (!t->exists[p]) {
		wr_byte(w, 0x80 | p);
		return;
	}
	for (i = 0; i < p; i++)
		k += t->exists[i];
	wr_byte(w, (uint8_t)k);
}

/* the fork child: 0 for "the lowest free", else raw */
static void
enc_child(struct wr *w, const struct trk *t, int q)
{
	if (trk_freeproc(t) == q)
		wr_byte(w, 0);
	else
		wr_byte(w, 0x80 | q);
}

/* ADDR/WADDR: the first region that expresses a, else raw */
static void
enc_addr(struct wr *w, const struct trk *t, int p, int word, uint64_t a)
{
	struct region reg;
	uint64_t off, pg, m;
	int64_t soff;
	int i;

	for (i = 0; i < trk_nregions(t, p); i++) {
		reg = trk_region(t, p, i);
		off = a - reg.start;
		if (!word) {
			soff = (int64_t)off;
			if (soff % PAGE != 0 || soff / PAGE < -128 ||
			    soff / PAGE > 127)
				continue;
			wr_byte(w, (uint8_t)i);
			wr_byte(w, (uint8_t)(int8_t)(soff / PAGE));
			return;
		}
		pg = off / PAGE;
		m = reg.npages + 1 < 256 ? reg.npages + 1 : 256;
		if (off % 8 != 0 || off % PAGE >= 256 * 8 || pg >= m)
			continue;
		wr_byte(w, (uint8_t)i);
		wr_byte(w, (uint8_t)pg);
		wr_byte(w, (uint8_t)(off % PAGE / 8));
		return;
	}
	wr_byte(w, 0x80);
	wr_varint(w, a);
}

/* the header; the inverse of dec_config */
static void
enc_config(struct wr *w, const struct prog_config *c)
{
	int i, k;
	uint8_t mask = 0;

	wr_byte(w, PROG_VERSION);
	wr_byte(w, (uint8_t)(c->ncpu - 1));
	for (k = 0; k < 15 && prog_npages_table[k] != c->npages; k++)
		;
	wr_byte(w, (uint8_t)k);
	wr_byte(w, (uint8_t)c->freetarg);
	wr_byte(w, (uint8_t)(c->freetarg >> 8));
	for (k = 0; k < 7 && prog_nswap_table[k] != c->nswap; k++)
		;
	wr_byte(w, (uint8_t)k);
	for (i = 0; i < 8; i++)
		wr_byte(w, (uint8_t)(c->seed >> (8 * i)));
	wr_byte(w, (uint8_t)c->pdpasses);
	wr_byte(w, (uint8_t)(c->pdpasses ? c->pdpages - 1 : 0));
	for (i = 0; i < PROG_NINJECT; i++)
		if (c->inject[i].mode != PROG_INJ_NONE)
			mask |= 1 << i;
	wr_byte(w, mask);
	for (i = 0; i < PROG_NINJECT; i++) {
		if (c->inject[i].mode == PROG_INJ_PATTERN) {
			wr_byte(w, 1);
			wr_varint(w, c->inject[i].arg);
		} else if (c->inject[i].mode == PROG_INJ_NTH) {
			wr_byte(w, 0);
			wr_varint(w, c->inject[i].arg - 1);
		}
	}
}

/* the fields of one op; the inverse of dec_fields */
static void
enc_fields(struct wr *w, const struct trk *t, const struct prog_op *op)
{
	switch (op->op) {
	case PROG_MMAP:
		enc_proc(w, t, op->proc);
		wr_byte(w, op->flags);
		wr_varint(w, op->npages);
		wr_byte(w, op->prot | (op->maxprot << 3) | 0x40);
		wr_byte(w, op->inherit | (op->advice << 2) | (op->obj << 4));
		if (op->flags & UVM_SIM_MAP_OBJECT)
			wr_varint(w, op->objoff);
		if (op->flags & UVM_SIM_MAP_FIXED)
			enc_addr(w, t, op->proc, 0, op->addr);
		break;
	case PROG_MUNMAP: case PROG_MPROTECT: case PROG_MADVISE:
	case PROG_MINHERIT: case PROG_MLOCK: case PROG_MUNLOCK:
		enc_proc(w, t, op->proc);
		enc_addr(w, t, op->proc, 0, op->addr);
		wr_varint(w, op->npages);
		if (op->op == PROG_MPROTECT)
			wr_byte(w, op->prot);
		else if (op->op == PROG_MADVISE)
			wr_byte(w, op->advice);
		else if (op->op == PROG_MINHERIT)
			wr_byte(w, op->inherit);
		break;
	case PROG_FORK:
		enc_proc(w, t, op->proc);
		enc_child(w, t, op->proc2);
		break;
	case PROG_EXIT:
		enc_proc(w, t, op->proc);
		break;
	case PROG_READ:
	case PROG_WRITE:
		enc_proc(w, t, op->proc);
		enc_addr(w, t, op->proc, 1, op->addr);
		if (op->op == PROG_WRITE)
			wr_varint(w, op->value);
		break;
	case PROG_PAGEDAEMON:
		wr_varint(w, op->npages);
		break;
	}
}

/* encode p; the size of the whole encoding is returned */
size_t
prog_encode(const struct prog *p, uint8_t *buf, size_t cap)
{
	struct wr w = { buf, cap, 0 };
	const struct prog_op *op;
	struct trk t;
	size_t i, n;
	int k;
	uint8_t inj;

	trk_init(&t);
	enc_config(&w, &p->cfg);
	for (k = 0; k < p->nops; k++) {
		op = &p->ops[k];
		inj = op->inj_point != PROG_INJ_NOPOINT ? 0x40 : 0;
		if (op->op == PROG_SWAPOFF || op->op == PROG_SWAPON) {
			/* version 2's swapctl record */
			wr_byte(&w, PROG_PAGEDAEMON | (op->cpu << 4) | inj |
			    0x80);
			wr_byte(&w, op->op == PROG_SWAPOFF ? 0 : 1);
		} else {
			wr_byte(&w, op->op | (op->cpu << 4) | inj);
			enc_fields(&w, &t, op);
		}
		if (op->inj_point != PROG_INJ_NOPOINT) {
			wr_byte(&w, op->inj_point);
			wr_varint(&w, op->inj_nth - 1);
		}
		trk_apply(&t, op);
	}
	for (i = 0; i < p->nsched; i += n) {
		n = p->nsched - i < 255 ? p->nsched - i : 255;
		wr_byte(&w, 15);
		wr_byte(&w, (uint8_t)n);
		for (k = 0; k < (int)n; k++)
			wr_byte(&w, p->sched[i + k]);
	}
	return w.pos;
}

/* field by field (unused fields are 0 on both sides) */
static int
op_equal(const struct prog_op *a, const struct prog_op *b)
{
	return a->op == b->op && a->cpu == b->cpu && a->proc == b->proc &&
	    a->proc2 == b->proc2 && a->prot == b->prot &&
	    a->maxprot == b->maxprot && a->flags == b->flags &&
	    a->inherit == b->inherit && a->advice == b->advice &&
	    a->obj == b->obj && a->inj_point == b->inj_point &&
	    a->inj_nth == b->inj_nth && a->addr == b->addr &&
	    a->npages == b->npages && a->objoff == b->objoff &&
	    a->value == b->value;
}

/* the same configuration, ops and schedule */
int
prog_equal(const struct prog *a, const struct prog *b)
{
	const struct prog_config *x = &a->cfg, *y = &b->cfg;
	int i;

	if (x->ncpu != y->ncpu || x->npages != y->npages ||
	    x->freetarg != y->freetarg || x->nswap != y->nswap ||
	    x->seed != y->seed || x->pdpasses != y->pdpasses ||
	    x->pdpages != y->pdpages)
		return 0;
	for (i = 0; i < PROG_NINJECT; i++)
		if (x->inject[i].mode != y->inject[i].mode ||
		    x->inject[i].arg != y->inject[i].arg)
			return 0;
	if (a->nops != b->nops || a->nsched != b->nsched ||
	    memcmp(a->sched, b->sched, a->nsched) != 0)
		return 0;
	for (i = 0; i < a->nops; i++)
		if (!op_equal(&a->ops[i], &b->ops[i]))
			return 0;
	return 1;
}
