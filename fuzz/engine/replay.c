/*
 * fuzz/engine/replay.c: a plain main() for any harness, no fuzzing
 * engine: run LLVMFuzzerTestOneInput once per input.
 *
 *	usage: <harness> [file | directory] ...
 *
 * A directory stands for the regular files directly in it (not
 * recursively), in name order.  A file is a text program when its
 * content is text that parses (prog_parse; the same test progtool
 * uses): it is encoded (prog_encode) first, so regression cases kept as
 * text replay directly.  Anything else is fed as binary (every byte
 * string is a binary program), except text that starts like a program
 * (prog_looks_text: a typo must not replay silently as some binary
 * program) and a file named *.prog, which must
 * parse: its parse error is reported.  A directory with no regular file
 * in it, and a run that replays nothing, is an error.  With
 * UVMFUZZ_PRINT=1 the decoded program of each input is printed.
 * Prints "replayed N inputs" at the end.  Errors (missing file, bad
 * text program, empty directory, unknown option): one line, exit
 * status 2; -h/--help prints the usage.  Names are echoed with
 * non-printable bytes as \xNN.  A finding aborts, as under
 * the fuzzers.
 */
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/prog.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static const char *progname = "replay";
static uint8_t *buf;			/* input file contents */
static size_t bufcap;
static uint8_t enc[PROG_ENCODE_MAX];	/* a text program, encoded */
static struct prog prog;
static int print;
static int nreplayed;

/* esc: s with bytes outside printable ASCII as \xNN (static buffer) */
static const char *
esc(const char *s)
{
	static char b[1024];
	const unsigned char *c;
	size_t i = 0;

	for (c = (const unsigned char *)s; *c != '\0' && i + 8 < sizeof(b);
	    c++) {
		if (*c >= 0x20 && *c < 0x7f)
			b[i++] = (char)*c;
		else
			i += (size_t)snprintf(b + i, sizeof(b) - i, "\\x%02x",
			    *c);
	}
	b[i] = '\0';
	return b;
}

static void __attribute__((noreturn))
fail(const char *what, const char *path, const char *why)
{
	fprintf(stderr, "%s: %s %s: %s\n", progname, what, esc(path), why);
	exit(2);
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-h] file|directory ...\n"
	    "Runs the harness once per input: a file (a text program, or "
	    "else binary),\nor every regular file directly in a directory.  "
	    "UVMFUZZ_PRINT=1 prints each\nprogram.  Errors: one line, exit "
	    "status 2.\n", progname);
}

/* readfile: path's contents into buf; returns the length */
static size_t
readfile(const char *path)
{
	FILE *f;
	size_t n = 0, r;

	if ((f = fopen(path, "rb")) == NULL)
		fail("cannot open", path, strerror(errno));
	for (;;) {
		if (n == bufcap) {
			bufcap = bufcap ? bufcap * 2 : 65536;
			if ((buf = realloc(buf, bufcap + 1)) == NULL)
				fail("cannot read", path, "out of memory");
		}
		r = fread(buf + n, 1, bufcap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f))
		fail("cannot read", path, strerror(errno));
	fclose(f);
	return n;
}

static int
named_prog(const char *path)
{
	size_t n = strlen(path);

	return n >= 5 && strcmp(path + n - 5, ".prog") == 0;
}

/*
 * is_text_program: 1 when buf[0..len) is non-empty text (printable,
 * blanks, newlines, bytes >= 0x80 for UTF-8 comments; no other control
 * byte) that parses into prog.  Same test as fuzz/tools/progtool.c.
 */
static int
is_text_program(const uint8_t *b, size_t len)
{
	char err[256];
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if ((b[i] < 0x20 || b[i] == 0x7f) && b[i] != '\n' &&
		    b[i] != '\t' && b[i] != '\r')
			return 0;
	return prog_parse((const char *)b, len, "", &prog, err,
	    sizeof(err)) == 0;
}

/* replay_file: one input */
static void
replay_file(const char *path)
{
	const uint8_t *in;
	size_t len;
	char err[256];
	int text;

	len = readfile(path);
	in = buf;
	text = is_text_program(buf, len);
	if (!text && len > 0 && (named_prog(path) ||
	    prog_looks_text(path, buf, len))) {
		if (memchr(buf, '\0', len) != NULL ||
		    prog_parse((const char *)buf, len, path, &prog, err,
		    sizeof(err)) == 0)
			fail("cannot replay", path, "a NUL or control byte "
			    "in a text program: remove it (or rename the file "
			    "if it is binary)");
		fprintf(stderr, "%s: %s (%s)\n", progname, esc(err),
		    named_prog(path) ? "fix it, or rename the file if it is "
		    "binary" : "fix it: it starts like a text program");
		exit(2);
	}
	if (text) {
		len = prog_encode(&prog, enc, sizeof(enc));
		if (len > sizeof(enc))
			fail("cannot encode", path, "program too large");
		in = enc;
	}
	if (print) {
		prog_decode(in, len, &prog);
		printf("# %s\n", esc(path));
		prog_print(stdout, &prog);
		fflush(stdout);
	}
	LLVMFuzzerTestOneInput(in, len);
	nreplayed++;
}

static int
namecmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* replay_dir: every regular file directly in dir, in name order */
static void
replay_dir(const char *dir)
{
	struct dirent *de;
	struct stat st;
	char **names = NULL, *path;
	size_t n = 0, cap = 0, i, len;
	int before = nreplayed;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		fail("cannot open", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = realloc(names, cap * sizeof(*names));
		}
		len = strlen(dir) + strlen(de->d_name) + 2;
		if (names == NULL || (names[n] = malloc(len)) == NULL)
			fail("cannot list", dir, "out of memory");
		snprintf(names[n++], len, "%s/%s", dir, de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), namecmp);
	for (i = 0; i < n; i++) {
		path = names[i];
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			replay_file(path);
		free(path);
	}
	free(names);
	if (nreplayed == before)
		fail("no inputs in", dir, "give a directory holding "
		    "program files");
}

int
main(int argc, char **argv)
{
	struct stat st;
	const char *e;
	int i;

	if (argc > 0 && argv[0] != NULL) {
		progname = strrchr(argv[0], '/');
		progname = progname != NULL ? progname + 1 : argv[0];
	}
	if (argc < 2) {
		fprintf(stderr, "%s: no input: usage: %s [-h] "
		    "file|directory ...\n", progname, progname);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (argv[i][0] == '-') {
			fprintf(stderr, "%s: unknown option %s: usage: %s "
			    "[-h] file|directory ... (name a file ./-x)\n",
			    progname, esc(argv[i]), progname);
			return 2;
		}
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	e = getenv("UVMFUZZ_PRINT");
	print = e != NULL && strcmp(e, "1") == 0;
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0)
			fail("cannot open", argv[i], strerror(errno));
		else if (S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay_file(argv[i]);
	}
	printf("replayed %d inputs\n", nreplayed);
	return 0;
}
