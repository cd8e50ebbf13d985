/*
 * fuzz/tools/progtool.c: convert and check fault programs.
 *
 *   progtool decode FILE [-o OUT [--force]]	binary -> canonical text
 *   progtool encode FILE [-o OUT [--force]]	text -> binary (version 2,
 *						fuzz/prog.c; decode reads
 *						versions 1 and 2)
 *   progtool check FILE			parse the text only
 *   progtool sniff FILE			print how FILE is taken: text
 *						(parses), badtext (starts
 *						like a program, does not
 *						parse) or binary
 *   progtool canon FILE [-o OUT [--force]]	text -> canonical text
 *
 * FILE "-" is standard input; output goes to standard output unless
 * -o OUT is given (encode refuses to write binary to a terminal).
 * -o never replaces an existing regular file unless --force is given,
 * and never writes over its own input (same inode), --force or not.
 * A regular OUT is written to a temporary file in its directory and
 * renamed into place, so a failed write leaves nothing behind; an
 * existing non-regular OUT (a device, a fifo) is written in place.
 * Text commands refuse binary input ("use decode") and NUL bytes;
 * decode refuses text, and reports the parse error of text that starts
 * like a program (prog_looks_text) rather than decoding a typo;
 * every byte echoed in a message that is not printable ASCII is shown
 * as \xNN.
 * Exit status: 0 success; 2 for any error (bad usage, a file that is
 * missing, a directory or unreadable, a malformed text program), with
 * one line on standard error saying what is wrong and what to do.
 */

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prog.h"

#define MAXINPUT	(16 * 1024 * 1024)	/* larger inputs are refused */

static const char *progname = "progtool";
static char tmppath[PATH_MAX];		/* -o: temporary file, or "" */

/*
 * esc: s with every byte outside printable ASCII shown as \xNN, in one
 * of four rotating static buffers (so a message can use several).
 */
static const char *
esc(const char *s)
{
	static char bufs[4][512];
	static int next;
	char *b = bufs[next++ % 4];
	size_t i = 0;
	const unsigned char *c;

	for (c = (const unsigned char *)s; *c != '\0' && i + 8 < 512; c++) {
		if (*c >= 0x20 && *c < 0x7f && *c != '\\')
			b[i++] = (char)*c;
		else if (*c == '\\') {
			b[i++] = '\\';
			b[i++] = '\\';
		} else
			i += (size_t)snprintf(b + i, 512 - i, "\\x%02x", *c);
	}
	if (*c != '\0')
		i += (size_t)snprintf(b + i, 512 - i, "...");
	b[i] = '\0';
	return b;
}

/* one line on stderr, then exit 2 (a temporary output is removed) */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	if (tmppath[0] != '\0')
		unlink(tmppath);
	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* one line: what is wrong, then how to call us; exit 2 */
static void
usage(const char *what)
{
	fprintf(stderr, "%s: %s: usage: %s decode|encode|check|canon|sniff FILE "
	    "[-o OUT [--force]] (see '%s help')\n", progname, what,
	    progname, progname);
	exit(2);
}

static void
help(void)
{
	printf("usage: %s COMMAND FILE [-o OUT [--force]]\n"
	    "  decode FILE   binary fault program -> canonical text\n"
	    "  encode FILE   text fault program -> binary\n"
	    "  check FILE    parse a text fault program, print nothing\n"
	    "  canon FILE    text -> canonical text\n"
	    "  sniff FILE    print text, badtext (starts like a program,\n"
	    "                does not parse) or binary\n"
	    "FILE - reads standard input; -o OUT writes OUT instead of "
	    "standard output.\n"
	    "-o refuses an existing file unless --force is given, and "
	    "never writes over FILE.\n"
	    "Errors: one line on stderr, exit status 2.\n",
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
		if (stat(path, &st) == -1)
			die("cannot read %s: %s: check the name", esc(path),
			    strerror(errno));
		if (S_ISDIR(st.st_mode))
			die("%s: is a directory, expected a program file",
			    esc(path));
		if ((f = fopen(path, "rb")) == NULL)
			die("cannot read %s: %s", esc(path), strerror(errno));
	}
	if ((buf = malloc(cap)) == NULL)
		die("out of memory");
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			if (cap >= MAXINPUT)
				die("%s: larger than %d bytes, not a fault "
				    "program", esc(path), MAXINPUT);
			cap *= 2;
			if ((buf = realloc(buf, cap)) == NULL)
				die("out of memory");
		}
	}
	if (ferror(f))
		die("%s: read error: %s", esc(path), strerror(errno));
	if (f != stdin)
		fclose(f);
	*lenp = len;
	return buf;
}

/*
 * open_out: the stream for -o out (stdout when out is NULL).  Refuses
 * a directory, the input file itself (same device and inode), and an
 * existing regular file without --force.  A regular (or new) out is
 * written to a temporary file next to it, which close_out renames into
 * place; a device or fifo is written directly.
 */
static FILE *
open_out(const char *out, const char *in, int force)
{
	struct stat ost, ist;
	char dir[PATH_MAX], *slash;
	FILE *f;
	int fd, exists;

	if (out == NULL)
		return stdout;
	exists = stat(out, &ost) == 0;
	if (exists && S_ISDIR(ost.st_mode))
		die("%s: is a directory: give a file name for -o", esc(out));
	if (exists && (strcmp(in, "-") == 0 ? fstat(STDIN_FILENO, &ist) :
	    stat(in, &ist)) == 0 && S_ISREG(ist.st_mode) &&
	    ist.st_dev == ost.st_dev && ist.st_ino == ost.st_ino)
		die("%s: is the input file: write to another file", esc(out));
	if (exists && !S_ISREG(ost.st_mode)) {
		if ((f = fopen(out, "wb")) == NULL)
			die("cannot write %s: %s", esc(out), strerror(errno));
		return f;
	}
	if (exists && !force)
		die("%s: exists: choose another name or pass --force",
		    esc(out));
	/* a symbolic link: replace the file it names, not the link */
	if (exists && realpath(out, dir) != NULL)
		snprintf(tmppath, sizeof(tmppath), "%s", dir);
	else
		snprintf(tmppath, sizeof(tmppath), "%s", out);
	slash = strrchr(tmppath, '/');
	snprintf(dir, sizeof(dir), "%.*s.%s.XXXXXX",
	    slash ? (int)(slash - tmppath + 1) : 0, tmppath,
	    slash ? slash + 1 : tmppath);
	if (strlen(dir) + 1 >= sizeof(dir))
		die("%s: name too long", esc(out));
	snprintf(tmppath, sizeof(tmppath), "%s", dir);
	if ((fd = mkstemp(tmppath)) == -1) {
		tmppath[0] = '\0';
		die("cannot write %s: %s", esc(out), strerror(errno));
	}
	if ((f = fdopen(fd, "wb")) == NULL)
		die("cannot write %s: %s", esc(out), strerror(errno));
	return f;
}

/* flush and close; rename a temporary file onto out; exit 2 on error */
static void
close_out(FILE *f, const char *out)
{
	char target[PATH_MAX];
	struct stat st;

	if (fflush(f) != 0 || ferror(f) || (f != stdout && fclose(f) != 0))
		die("%s: write error: %s", out ? esc(out) : "standard output",
		    strerror(errno));
	if (tmppath[0] == '\0')
		return;
	/* same target open_out chose: the file a symbolic link names */
	if (lstat(out, &st) == 0 && S_ISLNK(st.st_mode) &&
	    realpath(out, target) != NULL)
		out = target;
	if (rename(tmppath, out) == -1)
		die("cannot write %s: %s", esc(out), strerror(errno));
	tmppath[0] = '\0';
}

/* a byte a text program may hold (UTF-8 in comments included) */
static int
textbyte(uint8_t c)
{
	return (c >= 0x20 && c != 0x7f) || c == '\n' || c == '\t' ||
	    c == '\r';
}

/*
 * is_text_program: 1 when buf is non-empty text that parses as a text
 * program (decoding it would be a mistake: every byte string decodes,
 * into nonsense here).  fuzz/engine/replay.c uses the same test.
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
		if (!textbyte(buf[i]))
			return 0;
	return prog_parse((const char *)buf, len, "", &p, err,
	    sizeof(err)) == 0;
}

/*
 * not_text_or_die: exit 2 when a text command got binary input: "is a
 * binary program" when over a quarter of its bytes are not text (over
 * a sixteenth when one is a NUL), else the line and column of a NUL.
 */
static void
not_text_or_die(const uint8_t *buf, size_t len, const char *path)
{
	const uint8_t *nul, *bol;
	size_t i, bad = 0;
	int line = 1;

	for (i = 0; i < len; i++)
		if (!textbyte(buf[i]))
			bad++;
	nul = memchr(buf, '\0', len);
	if (bad * 4 > len || (nul != NULL && bad * 16 > len))
		die("%s is a binary program: use decode", esc(path));
	if (nul == NULL)
		return;
	for (bol = buf, i = 0; buf + i < nul; i++)
		if (buf[i] == '\n') {
			line++;
			bol = buf + i + 1;
		}
	die("%s:%d:%d: NUL byte in a text program: remove it (a binary "
	    "program takes decode)", esc(path), line, (int)(nul - bol) + 1);
}

/* parse text or exit 2 with the parser's one-line message, escaped */
static void
parse_or_die(const uint8_t *buf, size_t len, const char *path,
    struct prog *p)
{
	char err[256];

	not_text_or_die(buf, len, path);
	if (prog_parse((const char *)buf, len,
	    strcmp(path, "-") == 0 ? "<stdin>" : path, p, err,
	    sizeof(err)) < 0) {
		/* the parser's message starts "FILE:": no progname */
		fprintf(stderr, "%s\n", esc(err));
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	static struct prog p;
	static uint8_t enc[PROG_ENCODE_MAX];
	char what[600];
	const char *cmd, *path = NULL, *out = NULL;
	uint8_t *buf;
	size_t len, n;
	FILE *f;
	int i, force = 0;

	if (argc < 2)
		usage("no command");
	cmd = argv[1];
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "--help") == 0)
		help();
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--force") == 0 ||
		    strcmp(argv[i], "-f") == 0)
			force = 1;
		else if (path == NULL && (argv[i][0] != '-' ||
		    argv[i][1] == '\0'))
			path = argv[i];
		else {
			snprintf(what, sizeof(what), "unexpected argument "
			    "'%s'", esc(argv[i]));
			usage(what);
		}
	}
	if (strcmp(cmd, "decode") != 0 && strcmp(cmd, "encode") != 0 &&
	    strcmp(cmd, "check") != 0 && strcmp(cmd, "canon") != 0 &&
	    strcmp(cmd, "sniff") != 0) {
		snprintf(what, sizeof(what), "unknown command '%s'",
		    esc(cmd));
		usage(what);
	}
	if (path == NULL) {
		snprintf(what, sizeof(what), "%s: missing FILE", cmd);
		usage(what);
	}
	if ((strcmp(cmd, "check") == 0 || strcmp(cmd, "sniff") == 0) &&
	    (out != NULL || force))
		die("%s writes nothing: drop -o and --force", cmd);
	if (force && out == NULL)
		die("--force without -o: give -o OUT too, or drop --force");
	buf = slurp(path, &len);
	if (strcmp(cmd, "sniff") == 0) {
		printf("%s\n", is_text_program(buf, len) ? "text" :
		    prog_looks_text(path, buf, len) ? "badtext" : "binary");
	} else if (strcmp(cmd, "decode") == 0) {
		if (is_text_program(buf, len))
			die("%s is a text program; decode takes the binary "
			    "form (use canon or encode)", esc(path));
		if (prog_looks_text(path, buf, len))
			parse_or_die(buf, len, path, &p);
		prog_decode(buf, len, &p);
		f = open_out(out, path, force);
		prog_print(f, &p);
		close_out(f, out);
	} else if (strcmp(cmd, "canon") == 0) {
		parse_or_die(buf, len, path, &p);
		f = open_out(out, path, force);
		prog_print(f, &p);
		close_out(f, out);
	} else if (strcmp(cmd, "encode") == 0) {
		parse_or_die(buf, len, path, &p);
		if (out == NULL && isatty(STDOUT_FILENO))
			die("refusing to write binary to a terminal; use -o "
			    "OUT or a redirection");
		n = prog_encode(&p, enc, sizeof(enc));
		f = open_out(out, path, force);
		fwrite(enc, 1, n, f);
		close_out(f, out);
	} else
		parse_or_die(buf, len, path, &p);
	free(buf);
	return 0;
}
