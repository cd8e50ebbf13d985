/*
 * fuzz/tools/progtool.c: convert and check fault programs.
 *
 *   progtool decode FILE [-o OUT]	binary -> canonical text
 *   progtool encode FILE [-o OUT]	text -> binary
 *   progtool check FILE		parse the text only
 *   progtool canon FILE [-o OUT]	text -> canonical text
 *
 * FILE "-" is standard input; output goes to standard output unless
 * -o OUT is given (encode refuses to write binary to a terminal).
 * Exit status: 0 success; 2 for any error (bad usage, a file that is
 * missing, a directory or unreadable, a malformed text program), with
 * one line on standard error saying what is wrong.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prog.h"

#define MAXINPUT	(16 * 1024 * 1024)	/* larger inputs are refused */

static const char *progname = "progtool";

/* one line: what is wrong, then how to call us; exit 2 */
static void
usage(const char *what)
{
	fprintf(stderr, "%s: %s: usage: %s decode|encode|check|canon FILE "
	    "[-o OUT] (see '%s help')\n", progname, what, progname, progname);
	exit(2);
}

static void
help(void)
{
	printf("usage: %s COMMAND FILE [-o OUT]\n"
	    "  decode FILE   binary fault program -> canonical text\n"
	    "  encode FILE   text fault program -> binary\n"
	    "  check FILE    parse a text fault program, print nothing\n"
	    "  canon FILE    text -> canonical text\n"
	    "FILE - reads standard input; -o OUT writes OUT instead of "
	    "standard output.\nErrors: one line on stderr, exit status 2.\n",
	    progname);
	exit(0);
}

/* read all of path ("-": stdin) into a malloc'ed buffer, or exit 2 */
static uint8_t *
slurp(const char *path, size_t *lenp)
{
	FILE *f;
	struct stat st;
	uint8_t *buf;
	size_t len = 0, cap = 65536, n;

	if (strcmp(path, "-") == 0)
		f = stdin;
	else {
		if (stat(path, &st) == -1) {
			fprintf(stderr, "%s: cannot read %s: %s\n", progname,
			    path, strerror(errno));
			exit(2);
		}
		if (S_ISDIR(st.st_mode)) {
			fprintf(stderr, "%s: %s: is a directory, expected a "
			    "program file\n", progname, path);
			exit(2);
		}
		if ((f = fopen(path, "rb")) == NULL) {
			fprintf(stderr, "%s: cannot read %s: %s\n", progname,
			    path, strerror(errno));
			exit(2);
		}
	}
	if ((buf = malloc(cap)) == NULL) {
		fprintf(stderr, "%s: out of memory\n", progname);
		exit(2);
	}
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			if (cap >= MAXINPUT) {
				fprintf(stderr, "%s: %s: larger than %d bytes, "
				    "not a fault program\n", progname, path,
				    MAXINPUT);
				exit(2);
			}
			cap *= 2;
			if ((buf = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "%s: out of memory\n",
				    progname);
				exit(2);
			}
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error: %s\n", progname, path,
		    strerror(errno));
		exit(2);
	}
	if (f != stdin)
		fclose(f);
	*lenp = len;
	return buf;
}

static FILE *
open_out(const char *out)
{
	FILE *f;

	if (out == NULL)
		return stdout;
	if ((f = fopen(out, "wb")) == NULL) {
		fprintf(stderr, "%s: cannot write %s: %s\n", progname, out,
		    strerror(errno));
		exit(2);
	}
	return f;
}

static void
close_out(FILE *f, const char *out)
{
	if (fflush(f) != 0 || ferror(f) || (f != stdout && fclose(f) != 0)) {
		fprintf(stderr, "%s: %s: write error: %s\n", progname,
		    out ? out : "standard output", strerror(errno));
		exit(2);
	}
}

/*
 * is_text_program: 1 when buf is non-empty printable text that parses
 * as a text program (decoding it would be a mistake: every byte string
 * decodes, into nonsense here).
 */
static int
is_text_program(const uint8_t *buf, size_t len)
{
	static struct prog p;
	char err[256];
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if ((buf[i] < 0x20 || buf[i] > 0x7e) && buf[i] != '\n' &&
		    buf[i] != '\t' && buf[i] != '\r')
			return 0;
	return prog_parse((const char *)buf, len, "", &p, err,
	    sizeof(err)) == 0;
}

/* parse text or exit 2 with the parser's one-line message */
static void
parse_or_die(const uint8_t *buf, size_t len, const char *path,
    struct prog *p)
{
	char err[256];

	if (prog_parse((const char *)buf, len,
	    strcmp(path, "-") == 0 ? "<stdin>" : path, p, err,
	    sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	static struct prog p;
	static uint8_t enc[PROG_ENCODE_MAX];
	char what[128];
	const char *cmd, *path = NULL, *out = NULL;
	uint8_t *buf;
	size_t len, n;
	FILE *f;
	int i;

	if (argc < 2)
		usage("no command");
	cmd = argv[1];
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "--help") == 0)
		help();
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (path == NULL && (argv[i][0] != '-' ||
		    argv[i][1] == '\0'))
			path = argv[i];
		else {
			snprintf(what, sizeof(what), "unexpected argument "
			    "'%s'", argv[i]);
			usage(what);
		}
	}
	if (path == NULL) {
		snprintf(what, sizeof(what), "%s: missing FILE", cmd);
		usage(what);
	}
	if (strcmp(cmd, "decode") != 0 && strcmp(cmd, "encode") != 0 &&
	    strcmp(cmd, "check") != 0 && strcmp(cmd, "canon") != 0) {
		snprintf(what, sizeof(what), "unknown command '%s'", cmd);
		usage(what);
	}
	if (strcmp(cmd, "check") == 0 && out != NULL) {
		fprintf(stderr, "%s: check writes nothing, -o makes no "
		    "sense\n", progname);
		exit(2);
	}
	buf = slurp(path, &len);
	if (strcmp(cmd, "decode") == 0) {
		if (is_text_program(buf, len)) {
			fprintf(stderr, "%s: %s is a text program; decode "
			    "takes the binary form (use canon or encode)\n",
			    progname, path);
			exit(2);
		}
		prog_decode(buf, len, &p);
		f = open_out(out);
		prog_print(f, &p);
		close_out(f, out);
	} else if (strcmp(cmd, "canon") == 0) {
		parse_or_die(buf, len, path, &p);
		f = open_out(out);
		prog_print(f, &p);
		close_out(f, out);
	} else if (strcmp(cmd, "encode") == 0) {
		parse_or_die(buf, len, path, &p);
		if (out == NULL && isatty(STDOUT_FILENO)) {
			fprintf(stderr, "%s: refusing to write binary to a "
			    "terminal; use -o OUT or a redirection\n",
			    progname);
			exit(2);
		}
		n = prog_encode(&p, enc, sizeof(enc));
		f = open_out(out);
		fwrite(enc, 1, n, f);
		close_out(f, out);
	} else
		parse_or_die(buf, len, path, &p);
	free(buf);
	return 0;
}
