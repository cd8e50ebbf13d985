/*
 * tests/test_prog.c: the fault-program encodings (fuzz/prog.c,
 * fuzz/prog_text.c).
 *
 *   - canonical texts covering every op, flag and config key survive
 *     print(parse(t)) == t, and encode/decode;
 *   - 10000 pseudo-random byte strings (fixed seed) decode, and
 *     decode(encode(parse(print(decode(b))))) == decode(b);
 *   - random valid programs built field by field (raw addresses, absent
 *     processes, any fork target) survive both encodings;
 *   - appending bytes never changes the ops already decoded;
 *   - version 2's swapctl records (swapoff, swapon) against the same
 *     bytes decoded as version 1, by hand, and its madvise advice byte
 *     (b % 7, b % 5 in version 1); random version-2 inputs;
 *   - malformed texts give the exact "file:line:col: expected ..." line.
 */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prog.h"

static uint64_t rng_state;

static uint64_t
rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* prog_print into a malloc'ed string */
static char *
print_str(const struct prog *p)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	assert_non_null(f);
	prog_print(f, p);
	fclose(f);
	return s;
}

static void
parse_ok(const char *text, struct prog *p)
{
	char err[256];

	if (prog_parse(text, strlen(text), "t.prog", p, err,
	    sizeof(err)) != 0)
		fail_msg("parse failed: %s\n--- text:\n%s", err, text);
}

/* decode(encode(p)) == p */
static void
check_binary_roundtrip(const struct prog *p)
{
	static uint8_t buf[PROG_ENCODE_MAX];
	static struct prog q;
	size_t n;

	n = prog_encode(p, buf, sizeof(buf));
	assert_true(n <= sizeof(buf));
	prog_decode(buf, n, &q);
	if (!prog_equal(p, &q)) {
		char *a = print_str(p), *b = print_str(&q);

		fail_msg("binary round trip differs\n--- in:\n%s--- out:\n%s",
		    a, b);
	}
}

/* parse(print(p)) == p */
static void
check_text_roundtrip(const struct prog *p)
{
	static struct prog q;
	char *s = print_str(p);

	parse_ok(s, &q);
	if (!prog_equal(p, &q)) {
		char *t = print_str(&q);

		fail_msg("text round trip differs\n--- in:\n%s--- out:\n%s",
		    s, t);
	}
	free(s);
}

static const char *const canon[] = {
	/* the empty program */
	"config cpus=1 pages=128 freetarg=8 swap=256 seed=0x0 pdaemon=none\n",
	/* every op, on several CPUs, with a plan and a schedule */
	"config cpus=4 pages=16 freetarg=8 swap=0 seed=0xdeadbeefcafe "
	"pdaemon=3x16\n"
	"inject malloc nth=1\n"
	"inject pagealloc pattern=0x0\n"
	"inject pmap_enter nth=1000\n"
	"inject swap_read pattern=0xffffffffffffffff\n"
	"inject pager_io nth=7\n"
	"cpu0: mmap p0 0x1000 8 rw- maxprot=rwx private anon inherit=copy "
	"advice=sequential\n"
	"cpu1: mmap p0 any 4 r-- maxprot=r-- shared obj1 off=2 "
	"inherit=share advice=random\n"
	"cpu2: mmap p0 0x200000 512 --x maxprot=--- private obj3 off=512 "
	"inherit=none advice=normal stack nofault\n"
	"cpu3: mmap p0 any 0 --- maxprot=-w- shared anon inherit=zero "
	"advice=normal stack\n"
	"cpu0: munmap p0 0x2000 1\n"
	"cpu0: mprotect p0 0x1000 8 r-x\n"
	"cpu1: madvise p0 0x1000 8 normal\n"
	"cpu1: madvise p0 0x1000 8 random\n"
	"cpu1: madvise p0 0x1000 8 sequential\n"
	"cpu1: madvise p0 0x1000 8 willneed\n"
	"cpu1: madvise p0 0x1000 8 dontneed\n"
	"cpu1: madvise p0 0x1000 8 spaceavail\n"
	"cpu1: madvise p0 0x1000 8 free\n"
	"cpu2: minherit p0 0x1000 8 share\n"
	"cpu2: minherit p0 0x1000 8 copy\n"
	"cpu2: minherit p0 0x1000 8 none\n"
	"cpu2: minherit p0 0x1000 8 zero\n"
	"cpu3: mlock p0 0x1000 8\n"
	"cpu3: munlock p0 0x1000 8\n"
	"cpu0: fork p0 -> p1\n"
	"cpu0: fork p1 -> p7\n"
	"cpu1: exit p1\n"
	"cpu1: read p0 0x3008\n"
	"cpu1: read p5 0xffffffffffffffff\n"
	"cpu2: write p0 0x3000 =7\n"
	"cpu2: write p0 0x3001 =65535\n"
	"cpu2: write p0 0x3000 =0x10000 (fail_nth: pmap_enter 1)\n"
	"cpu3: pagedaemon 0\n"
	"cpu3: pagedaemon 4096 (fail_nth: malloc 1000)\n"
	"cpu0: read p0 0x0 (fail_nth: pagealloc 2)\n"
	"cpu0: read p0 0x0 (fail_nth: swap_read 3)\n"
	"cpu0: read p0 0x0 (fail_nth: pager_io 4)\n"
	"cpu1: swapoff\n"
	"cpu2: swapon\n"
	"cpu3: swapoff (fail_nth: swap_read 1)\n"
	"cpu0: swapon (fail_nth: malloc 2)\n"
	"schedule 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f\n"
	"schedule ff fe\n",
	/* the largest configuration */
	"config cpus=2 pages=4096 freetarg=2048 swap=4096 "
	"seed=0xffffffffffffffff pdaemon=7x64\n"
	"cpu1: mmap p3 0xfffffffffffff000 1 rwx maxprot=rwx shared obj0 "
	"off=0 inherit=copy advice=normal nofault\n"
	"cpu0: pagedaemon 16\n",
};

static void
test_canonical_text(void **state)
{
	static struct prog p;
	size_t i;
	char *s;

	for (i = 0; i < sizeof(canon) / sizeof(canon[0]); i++) {
		parse_ok(canon[i], &p);
		s = print_str(&p);
		assert_string_equal(s, canon[i]);
		free(s);
		check_binary_roundtrip(&p);
	}
}

/* the example: accepted, and printed in canonical spelling */
static void
test_lenient_input(void **state)
{
	static struct prog p;
	const char *in =
	    "# comment\n"
	    "config cpus=2 pages=128 freetarg=8 swap=256 seed=0x1\n"
	    "inject pmap_enter nth=3        \n"
	    "mmap p0 0x1000 8 rw- maxprot=rwx private anon inherit=copy "
	    "advice=sequential\n"
	    "cpu0: write p0 0x3000 = 7   # a comment\n"
	    "\n"
	    "\tcpu1: read p0 0x3008\n"
	    "cpu0: fork p0 -> p1\n"
	    "cpu0: mmap p1 any 4 r-- shared obj1 off=2\n"
	    "cpu0: pagedaemon 16\n"
	    "cpu0: write p0 0x3000 =0x8 (fail_nth: swap_read 1)\n"
	    "schedule 01 00 ff 3";
	const char *out =
	    "config cpus=2 pages=128 freetarg=8 swap=256 seed=0x1 "
	    "pdaemon=none\n"
	    "inject pmap_enter nth=3\n"
	    "cpu0: mmap p0 0x1000 8 rw- maxprot=rwx private anon "
	    "inherit=copy advice=sequential\n"
	    "cpu0: write p0 0x3000 =7\n"
	    "cpu1: read p0 0x3008\n"
	    "cpu0: fork p0 -> p1\n"
	    "cpu0: mmap p1 any 4 r-- maxprot=rwx shared obj1 off=2 "
	    "inherit=copy advice=normal\n"
	    "cpu0: pagedaemon 16\n"
	    "cpu0: write p0 0x3000 =8 (fail_nth: swap_read 1)\n"
	    "schedule 01 00 ff 03\n";
	char *s;

	parse_ok(in, &p);
	s = print_str(&p);
	assert_string_equal(s, out);
	free(s);
	assert_int_equal(prog_cpu_nops(&p, 0), 6);
	assert_int_equal(prog_cpu_nops(&p, 1), 1);
}

static void
test_empty_input(void **state)
{
	static struct prog p, q;

	prog_decode(NULL, 0, &p);
	prog_init(&q);
	assert_true(prog_equal(&p, &q));
	assert_int_equal(p.cfg.ncpu, 1);
	assert_int_equal(p.cfg.npages, 128);
	assert_int_equal(p.nops, 0);
	parse_ok("", &q);
	assert_true(prog_equal(&p, &q));
	parse_ok("# nothing\n\n", &q);
	assert_true(prog_equal(&p, &q));
}

/* a short header keeps the defaults; any version decodes as 1 */
static void
test_header(void **state)
{
	static struct prog p, q;
	static const uint8_t two[] = { 0x01, 0x01 };
	static const uint8_t v1[] = { 0x01, 0x03, 0x00, 0x04, 0x00, 0x01,
	    0x2a, 0, 0, 0, 0, 0, 0, 0, 0x03, 0x0f, 0x04, 0x00, 0x00,
	    0x0a, 0x00, 0x00, 0x00, 0x00, 0x07 };
	uint8_t v9[sizeof(v1)];

	prog_decode(two, sizeof(two), &p);
	assert_int_equal(p.cfg.ncpu, 2);
	assert_int_equal(p.cfg.npages, PROG_DEF_NPAGES);
	assert_int_equal(p.cfg.freetarg, PROG_DEF_FREETARG);
	assert_int_equal(p.cfg.nswap, PROG_DEF_NSWAP);
	assert_int_equal(p.nops, 0);

	prog_decode(v1, sizeof(v1), &p);
	assert_int_equal(p.cfg.ncpu, 4);
	assert_int_equal(p.cfg.npages, 16);
	assert_int_equal(p.cfg.freetarg, 4);
	assert_int_equal(p.cfg.nswap, 16);
	assert_int_equal(p.cfg.seed, 0x2a);
	assert_int_equal(p.cfg.pdpasses, 3);
	assert_int_equal(p.cfg.pdpages, 16);
	assert_int_equal(p.cfg.inject[2].mode, PROG_INJ_NTH);
	assert_int_equal(p.cfg.inject[2].arg, 1);
	assert_int_equal(p.nops, 1);
	assert_int_equal(p.ops[0].op, PROG_WRITE);
	assert_int_equal(p.ops[0].addr, 0x1000);
	assert_int_equal(p.ops[0].value, 7);

	memcpy(v9, v1, sizeof(v1));
	v9[0] = 9;
	prog_decode(v9, sizeof(v9), &q);
	assert_true(prog_equal(&p, &q));
}

static size_t
random_bytes(uint8_t *b, size_t max)
{
	size_t i, n = rng() % max;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)rng();
	return n;
}

static void
test_random_bytes(void **state)
{
	static struct prog p, q;
	static uint8_t b[2048], enc[PROG_ENCODE_MAX];
	size_t n, m;
	char *s;
	int i;

	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < 10000; i++) {
		n = random_bytes(b, sizeof(b));
		prog_decode(b, n, &p);
		assert_true(p.cfg.ncpu >= 1 && p.cfg.ncpu <= PROG_MAXCPU);
		assert_true(p.nops <= PROG_MAXOPS);
		/* print, parse, encode, decode: the same program */
		s = print_str(&p);
		parse_ok(s, &q);
		free(s);
		assert_true(prog_equal(&p, &q));
		m = prog_encode(&q, enc, sizeof(enc));
		prog_decode(enc, m, &q);
		if (!prog_equal(&p, &q)) {
			char *x = print_str(&p), *y = print_str(&q);

			fail_msg("input %d differs\n--- decoded:\n%s"
			    "--- after the round trip:\n%s", i, x, y);
		}
	}
}

/*
 * Version 2 (fuzz/prog.c "VERSIONED"): the same bytes after the header,
 * decoded as version 1 and as version 2.  Header (17 bytes, no plan):
 * 1 CPU, 128 pages, freetarg 8, 256 swap slots.  Records, by hand:
 *   8b 10	h = 0x80 | 11: v1 pagedaemon n=16 (0x80 ignored);
 *		v2 swapctl, sub-op 0x10 % 8 == 0: swapoff
 *   0b 05	pagedaemon n=5 in both
 *   8b 03	v1 pagedaemon 3; v2 swapon (3 % 8 != 0)
 *   cb 08 03 02  h = 0x80 | 0x40 | 11: v1 pagedaemon 8, v2 swapoff;
 *		then the marker: point 3 (swap_read), nth 1 + 2 = 3
 *   9b 01	cpu (h >> 4 & 3) = 1 % 1 = 0: v1 pagedaemon 1, v2 swapon
 * Version 1 is what every byte-0 value but 2 gives (here 1 and 0x7f).
 */
static void
test_version2(void **state)
{
	static const uint8_t hdr[17] = { 0x01, 0x00, 0x06, 0x08, 0x00,
	    0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00 };
	static const uint8_t rec[] = { 0x8b, 0x10, 0x0b, 0x05, 0x8b, 0x03,
	    0xcb, 0x08, 0x03, 0x02, 0x9b, 0x01 };
	static const int v1n[5] = { 16, 5, 3, 8, 1 };
	static const int v2op[5] = { PROG_SWAPOFF, PROG_PAGEDAEMON,
	    PROG_SWAPON, PROG_SWAPOFF, PROG_SWAPON };
	static struct prog p, q;
	static uint8_t b[sizeof(hdr) + sizeof(rec)], enc[PROG_ENCODE_MAX];
	size_t m;
	int i, v;

	memcpy(b, hdr, sizeof(hdr));
	memcpy(b + sizeof(hdr), rec, sizeof(rec));
	for (v = 0; v < 2; v++) {
		b[0] = v == 0 ? 0x01 : 0x7f;
		prog_decode(b, sizeof(b), &p);
		assert_int_equal(p.nops, 5);
		for (i = 0; i < 5; i++) {
			assert_int_equal(p.ops[i].op, PROG_PAGEDAEMON);
			assert_int_equal(p.ops[i].npages, v1n[i]);
			assert_int_equal(p.ops[i].cpu, 0);
			assert_int_equal(p.ops[i].inj_point, i == 3 ? 3 :
			    PROG_INJ_NOPOINT);
			assert_int_equal(p.ops[i].inj_nth, i == 3 ? 3 : 0);
		}
	}
	b[0] = 0x02;
	prog_decode(b, sizeof(b), &p);
	assert_int_equal(p.nops, 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(p.ops[i].op, v2op[i]);
		assert_int_equal(p.ops[i].npages, i == 1 ? 5 : 0);
		assert_int_equal(p.ops[i].inj_point, i == 3 ? 3 :
		    PROG_INJ_NOPOINT);
		assert_int_equal(p.ops[i].inj_nth, i == 3 ? 3 : 0);
	}
	/* the encoder writes version 2 and the swapctl records */
	m = prog_encode(&p, enc, sizeof(enc));
	assert_int_equal(m, sizeof(b));
	assert_memory_equal(enc, b, 6);
	assert_int_equal(enc[sizeof(hdr)], 0x8b);
	assert_int_equal(enc[sizeof(hdr) + 1], 0x00);
	prog_decode(enc, m, &q);
	assert_true(prog_equal(&p, &q));
}

/*
 * The madvise advice byte: b % 5 in version 1, b % 7 in version 2.
 * Same header as test_version2; five records "03 80 00 00 04 B": h 3
 * (madvise, cpu 0), PROC 0x80 (raw p0), ADDR form 0 (the pseudo region
 * [0x1000, 16 pages)) page 0: 0x1000, npages 4, advice byte B:
 *   B	5	6	11	13	33
 *   v1	0	1	1	3	3
 *   v2	5	6	4	6	5
 */
static void
test_version2_madvise(void **state)
{
	static const uint8_t hdr[17] = { 0x01, 0x00, 0x06, 0x08, 0x00,
	    0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x00 };
	static const uint8_t advb[5] = { 5, 6, 11, 13, 33 };
	static const int v1adv[5] = { 0, 1, 1, 3, 3 };
	static const int v2adv[5] = { 5, 6, 4, 6, 5 };
	static struct prog p, q;
	static uint8_t b[sizeof(hdr) + 5 * 6], enc[PROG_ENCODE_MAX];
	size_t m;
	int i, v;

	memcpy(b, hdr, sizeof(hdr));
	for (i = 0; i < 5; i++) {
		b[sizeof(hdr) + 6 * i] = 0x03;
		b[sizeof(hdr) + 6 * i + 1] = 0x80;
		b[sizeof(hdr) + 6 * i + 2] = 0x00;
		b[sizeof(hdr) + 6 * i + 3] = 0x00;
		b[sizeof(hdr) + 6 * i + 4] = 0x04;
		b[sizeof(hdr) + 6 * i + 5] = advb[i];
	}
	for (v = 0; v < 3; v++) {
		b[0] = v == 0 ? 0x01 : v == 1 ? 0x7f : 0x02;
		prog_decode(b, sizeof(b), &p);
		assert_int_equal(p.nops, 5);
		for (i = 0; i < 5; i++) {
			assert_int_equal(p.ops[i].op, PROG_MADVISE);
			assert_int_equal(p.ops[i].proc, 0);
			assert_int_equal(p.ops[i].addr, 0x1000);
			assert_int_equal(p.ops[i].npages, 4);
			assert_int_equal(p.ops[i].advice,
			    v == 2 ? v2adv[i] : v1adv[i]);
		}
	}
	/* version 2 round trip: the encoder writes the advice itself */
	m = prog_encode(&p, enc, sizeof(enc));
	assert_int_equal(m, sizeof(b));
	for (i = 0; i < 5; i++)
		assert_int_equal(enc[sizeof(hdr) + 6 * i + 5], v2adv[i]);
	prog_decode(enc, m, &q);
	assert_true(prog_equal(&p, &q));
}

/*
 * Random version-2 inputs: swapctl records show up (swapon more often
 * than swapoff: 7 sub-op values in 8) and survive both round trips.
 */
static void
test_random_bytes_v2(void **state)
{
	static struct prog p, q;
	static uint8_t b[2048], enc[PROG_ENCODE_MAX];
	size_t n, m;
	char *s;
	int i, k, noff = 0, non = 0;

	rng_state = 0x5eed5eed5eedULL;
	for (i = 0; i < 5000; i++) {
		n = random_bytes(b, sizeof(b));
		if (n > 0)
			b[0] = 2;
		prog_decode(b, n, &p);
		for (k = 0; k < p.nops; k++) {
			noff += p.ops[k].op == PROG_SWAPOFF;
			non += p.ops[k].op == PROG_SWAPON;
		}
		s = print_str(&p);
		parse_ok(s, &q);
		free(s);
		assert_true(prog_equal(&p, &q));
		m = prog_encode(&q, enc, sizeof(enc));
		prog_decode(enc, m, &q);
		assert_true(prog_equal(&p, &q));
	}
	assert_true(noff > 0 && non > 3 * noff);
}

/* the configurations of a and b are the same */
static int
config_equal(const struct prog *a, const struct prog *b)
{
	static struct prog x, y;

	prog_init(&x);
	prog_init(&y);
	x.cfg = a->cfg;
	y.cfg = b->cfg;
	return prog_equal(&x, &y);
}

/* the same op: every field shows in its canonical line */
static int
op_same(const struct prog_op *a, const struct prog_op *b)
{
	char x[256], y[256];

	prog_snprint_op(x, sizeof(x), a);
	prog_snprint_op(y, sizeof(y), b);
	return strcmp(x, y) == 0;
}

/* appending bytes keeps every op but a possibly truncated last one */
static void
test_append_stable(void **state)
{
	static struct prog p, q;
	static uint8_t b[1024];
	size_t n, m, j;
	int i, k;

	rng_state = 0x1234567;
	for (i = 0; i < 3000; i++) {
		n = random_bytes(b, 512);
		prog_decode(b, n, &p);
		m = n + 1 + rng() % 64;
		for (j = n; j < m; j++)
			b[j] = (uint8_t)rng();
		prog_decode(b, m, &q);
		/* header (17) + the longest injection plan (5 * 11) */
		if (n >= 17 + 5 * 11)
			assert_true(config_equal(&p, &q));
		assert_true(q.nops >= p.nops - 1);
		for (k = 0; k + 1 < p.nops; k++)
			assert_true(op_same(&p.ops[k], &q.ops[k]));
		assert_true(q.nsched >= p.nsched);
		assert_true(memcmp(p.sched, q.sched, p.nsched) == 0);
	}
}

/* a random valid program, field by field */
static void
random_prog(struct prog *p)
{
	static const uint64_t addrs[] = {
		0, 0x1000, 0x1008, 0x3000, 0x7fff8, 0x10000000,
		0xfffffffffffff000ULL, 0xffffffffffffffffULL
	};
	int percpu[PROG_MAXCPU] = { 0 };
	struct prog_op *op;
	int i, n, pt;

	prog_init(p);
	p->cfg.ncpu = 1 + rng() % PROG_MAXCPU;
	p->cfg.npages = prog_npages_table[rng() % 16];
	p->cfg.freetarg = rng() % (p->cfg.npages / 2 + 1);
	p->cfg.nswap = prog_nswap_table[rng() % 8];
	p->cfg.seed = rng();
	p->cfg.pdpasses = rng() % (PROG_MAXPDPASSES + 1);
	p->cfg.pdpages = p->cfg.pdpasses ? 1 + rng() % PROG_MAXPDPAGES : 0;
	for (pt = 0; pt < PROG_NINJECT; pt++) {
		p->cfg.inject[pt].mode = rng() % 3;
		if (p->cfg.inject[pt].mode == PROG_INJ_NTH)
			p->cfg.inject[pt].arg = 1 + rng() % PROG_MAXNTH;
		else if (p->cfg.inject[pt].mode == PROG_INJ_PATTERN)
			p->cfg.inject[pt].arg = rng();
	}
	n = rng() % (PROG_MAXOPS + 1);
	for (i = 0; i < n; i++) {
		op = &p->ops[p->nops];
		memset(op, 0, sizeof(*op));
		op->cpu = rng() % p->cfg.ncpu;
		if (percpu[op->cpu] >= PROG_MAXOPS_CPU)
			continue;
		percpu[op->cpu]++;
		p->nops++;
		op->op = rng() % PROG_NOPCODES;
		op->inj_point = PROG_INJ_NOPOINT;
		if (rng() % 4 == 0) {
			op->inj_point = rng() % PROG_NINJECT;
			op->inj_nth = 1 + rng() % PROG_MAXNTH;
		}
		if (op->op != PROG_PAGEDAEMON && op->op != PROG_SWAPOFF &&
		    op->op != PROG_SWAPON)
			op->proc = rng() % PROG_MAXPROC;
		switch (op->op) {
		case PROG_MMAP:
			op->flags = rng() & 0x1f;
			op->npages = rng() % (PROG_MAXLEN + 1);
			op->prot = rng() & 7;
			op->maxprot = rng() & 7;
			op->inherit = rng() & 3;
			op->advice = rng() % 3;
			if (op->flags & UVM_SIM_MAP_OBJECT) {
				op->obj = rng() % UVM_SIM_MAXOBJ;
				op->objoff = rng() % (UVM_SIM_OBJPAGES + 1);
			}
			if (op->flags & UVM_SIM_MAP_FIXED)
				op->addr = rng() % 2 ? rng() :
				    addrs[rng() % 8];
			break;
		case PROG_FORK:
			op->proc2 = rng() % PROG_MAXPROC;
			break;
		case PROG_EXIT:
			break;
		case PROG_PAGEDAEMON:
			op->npages = rng() % (UVM_SIM_MAXPHYS + 1);
			break;
		case PROG_SWAPOFF:
		case PROG_SWAPON:
			break;
		default:	/* range ops, read, write */
			op->addr = rng() % 2 ? rng() : addrs[rng() % 8] +
			    (rng() % 64) * 8;
			if (op->op == PROG_READ || op->op == PROG_WRITE) {
				if (op->op == PROG_WRITE)
					op->value = rng() >> (rng() % 64);
				break;
			}
			op->npages = rng() % (PROG_MAXLEN + 1);
			if (op->op == PROG_MPROTECT)
				op->prot = rng() & 7;
			if (op->op == PROG_MADVISE)
				op->advice = rng() % 7;
			if (op->op == PROG_MINHERIT)
				op->inherit = rng() & 3;
			break;
		}
	}
	p->nsched = rng() % (PROG_MAXSCHED + 1);
	for (i = 0; i < (int)p->nsched; i++)
		p->sched[i] = (uint8_t)rng();
}

static void
test_random_programs(void **state)
{
	static struct prog p;
	int i;

	rng_state = 0xabcdef12345ULL;
	for (i = 0; i < 2000; i++) {
		random_prog(&p);
		check_binary_roundtrip(&p);
		check_text_roundtrip(&p);
	}
}

/* mapped regions bias the decoder's addresses towards them */
static void
test_address_bias(void **state)
{
	static struct prog p;
	static uint8_t enc[PROG_ENCODE_MAX];
	size_t n;

	parse_ok("mmap p0 0x40000 8 rw-\n"
	    "write p0 0x41010 =5\n"
	    "fork p0 -> p1\n"
	    "read p1 0x41010\n"
	    "munmap p0 0x40000 1\n", &p);
	n = prog_encode(&p, enc, sizeof(enc));
	/*
	 * header 17; mmap: 1 + proc + flags + npages + prot + misc + ADDR
	 * (pseudo region 0x1000 + 63 pages: 2); write: 1 + proc + WADDR
	 * (region 0, page 1, word 2: 3) + value; fork 3; read in the
	 * child's copy of the region: 1 + proc + 3; munmap: 1 + proc +
	 * ADDR 2 + npages.  No raw address anywhere.
	 */
	assert_int_equal(n, 17 + 8 + 6 + 3 + 5 + 5);
	check_binary_roundtrip(&p);
}

struct errcase {
	const char *text;
	const char *err;
};

static const struct errcase errcases[] = {
	{ "read p0 0x10\nmmap p9 any 4 r--\n",
	  "t.prog:2:6: expected a process p0..p7, got 'p9'" },
	{ "cpu1: read p0 0x10\n",
	  "t.prog:1:1: expected cpu0: (config cpus=1), got 'cpu1:'" },
	{ "config cpus=2\ncpu2: read p0 0x10\n",
	  "t.prog:2:1: expected cpu0: .. cpu1: (config cpus=2), "
	  "got 'cpu2:'" },
	{ "\n\n  write p0 0x3000 7\n",
	  "t.prog:3:19: expected =VALUE, got '7'" },
	{ "write p0 0x3000\n",
	  "t.prog:1:16: expected =VALUE, got end of line" },
	{ "mmap p0 any 4 rw- off=3\n",
	  "t.prog:1:19: expected off= only with an objN mapping, "
	  "got 'off=3'" },
	{ "write p0 0x1000 =1 (fail_nth: foo 1)\n",
	  "t.prog:1:31: expected an injection point (malloc, pagealloc, "
	  "pmap_enter, swap_read, pager_io), got 'foo'" },
	{ "read p0 0x10 extra # comment\n",
	  "t.prog:1:14: expected end of line, got 'extra'" },
	{ "config cpus=2 pages=100\n",
	  "t.prog:1:21: expected pages 16, 24, 32, 48, 64, 96, 128, 192, "
	  "256, 384, 512, 768, 1024, 1536, 2048 or 4096, got '100'" },
	{ "config pages=16 freetarg=9\n",
	  "t.prog:1:26: expected freetarg 0..pages/2, got '9'" },
	{ "read p0 0x10\nconfig cpus=2\n",
	  "t.prog:2:1: expected config before the first operation, "
	  "got 'config'" },
	{ "schedule 00 1g\n",
	  "t.prog:1:13: expected a schedule byte (2 hex digits), got '1g'" },
	{ "mmap p0 any 513 rw-\n",
	  "t.prog:1:13: expected a length in pages 0..512, got '513'" },
	{ "mprotect p0 0x1000 1 rwz\n",
	  "t.prog:1:22: expected a protection like rw- or r-x, got 'rwz'" },
	{ "fork p0 p1\n",
	  "t.prog:1:9: expected '->', got 'p1'" },
	{ "mmap p0 any 1 rw- advice=willneed\n",
	  "t.prog:1:26: expected advice normal, random or sequential, "
	  "got 'willneed'" },
	{ "read p0 0x10 (fail_nth: malloc 0)\n",
	  "t.prog:1:32: expected a count 1..1000, got '0'" },
	{ "read p0 0x10 (fail_nth: malloc 1\n",
	  "t.prog:1:33: expected ')', got end of line" },
	{ "inject malloc nth=1\ninject malloc nth=2\n",
	  "t.prog:2:8: expected an injection point not yet armed, "
	  "got 'malloc'" },
	{ "frob p0\n",
	  "t.prog:1:1: expected an operation (mmap, munmap, mprotect, "
	  "madvise, minherit, mlock, munlock, fork, exit, read, write, "
	  "pagedaemon, swapoff, swapon), got 'frob'" },
	{ "swapoff p0\n",
	  "t.prog:1:9: expected end of line, got 'p0'" },
	{ "read p0 0x10000000000000000\n",
	  "t.prog:1:9: expected an address, got '0x10000000000000000'" },
	{ "config pdaemon=8x1\n",
	  "t.prog:1:16: expected none or PASSESxPAGES (1..7 x 1..64), "
	  "got '8'" },
};

static void
test_parse_errors(void **state)
{
	static struct prog p;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(errcases) / sizeof(errcases[0]); i++) {
		assert_int_equal(prog_parse(errcases[i].text,
		    strlen(errcases[i].text), "t.prog", &p, err,
		    sizeof(err)), -1);
		assert_string_equal(err, errcases[i].err);
	}
}

/* per-CPU and total bounds are enforced by the parser */
static void
test_bounds(void **state)
{
	static struct prog p;
	static char text[65536];
	char err[256];
	size_t n = 0;
	int i;

	for (i = 0; i < PROG_MAXOPS_CPU; i++)
		n += snprintf(text + n, sizeof(text) - n, "read p0 0x1000\n");
	parse_ok(text, &p);
	assert_int_equal(p.nops, PROG_MAXOPS_CPU);
	snprintf(text + n, sizeof(text) - n, "read p0 0x1000\n");
	assert_int_equal(prog_parse(text, strlen(text), "t.prog", &p, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "t.prog:65:1: expected at most 64 "
	    "operations on cpu0, got 'read'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_text),
		cmocka_unit_test(test_lenient_input),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_version2),
		cmocka_unit_test(test_version2_madvise),
		cmocka_unit_test(test_random_bytes_v2),
		cmocka_unit_test(test_append_stable),
		cmocka_unit_test(test_random_programs),
		cmocka_unit_test(test_address_bias),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
