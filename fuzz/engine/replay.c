/*
 * fuzz/engine/replay.c: a plain main() for any harness, no fuzzing
 * engine: run LLVMFuzzerTestOneInput once per input.
 *
 *	usage: <harness> [file | directory] ...
 *
 * A directory stands for the regular files directly in it (not
 * recursively), in name order.  A file whose name ends in ".prog" is a
 * text program: it is parsed (prog_parse) and encoded (prog_encode)
 * first, so regression cases kept as text replay directly.  With
 * UVMFUZZ_PRINT=1 the decoded program of each input is printed.
 * Prints "replayed N inputs" at the end.  Errors (missing file, bad
 * text program): one line, exit status 2.  A finding aborts, as under
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

static void __attribute__((noreturn))
fail(const char *what, const char *path, const char *why)
{
	fprintf(stderr, "%s: %s %s: %s\n", progname, what, path, why);
	exit(2);
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
is_text(const char *path)
{
	size_t n = strlen(path);

	return n >= 5 && strcmp(path + n - 5, ".prog") == 0;
}

/* replay_file: one input */
static void
replay_file(const char *path)
{
	const uint8_t *in;
	size_t len;
	char err[256];

	len = readfile(path);
	in = buf;
	if (is_text(path)) {
		if (prog_parse((const char *)buf, len, path, &prog, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "%s: %s\n", progname, err);
			exit(2);
		}
		len = prog_encode(&prog, enc, sizeof(enc));
		if (len > sizeof(enc))
			fail("cannot encode", path, "program too large");
		in = enc;
	}
	if (print) {
		prog_decode(in, len, &prog);
		printf("# %s\n", path);
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
		fprintf(stderr, "usage: %s file|directory ...\n", progname);
		return 2;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	e = getenv("UVMFUZZ_PRINT");
	print = e != NULL && strcmp(e, "1") == 0;
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0)
			fail("cannot open", argv[i], strerror(errno));
		if (S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay_file(argv[i]);
	}
	printf("replayed %d inputs\n", nreplayed);
	return 0;
}
