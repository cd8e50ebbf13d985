/*
 * fuzz/harness/fault_threads.c: fault programs on real threads.
 *
 * The same programs as fault_mp (2..4 program CPUs plus the optional
 * pagedaemon CPU; a one-CPU stream is spread round-robin, see
 * fault_mp.c), run on the SCHED_THREADS backend: every simulated CPU is
 * a pthread the shims create once and reuse.  Real concurrency, so a run
 * is not reproducible and the schedule bytes are ignored; the
 * concurrency oracle is off (it needs the fibers' step order).  Kernel
 * assertions, lock checks, the deadlock watch, the invariant checker at
 * the end and the sanitizers (replay-tsan, replay-asan) judge it.  Use:
 * confirm on real threads a race found with fibers (replay the input
 * many times), and the baseline of the mutant benchmark.
 *
 * Stress mode (the libFuzzer builds, which call LLVMFuzzerInitialize
 * before parsing their own flags; the replay main rejects any option
 * first): out/libfuzzer-tsan/fault_threads --random N [--seed S]
 * runs N random inputs (16..1024 bytes each, input k drawn from a
 * splitmix64 PRNG seeded with S + k, S 0 by default), no coverage
 * guidance, prints "stress: N runs, 0 findings, T s" and exits 0.  A
 * finding aborts as usual after the runner's report, which is followed
 * by "stress: finding on input k, saved as stress-<S+k>.bin" (in the
 * current directory, never over an existing file; reproduce with
 * --random 1 --seed S+k, or replay the file).  A sanitizer report (which
 * exits without SIGABRT) saves it too, through the sanitizer's death
 * callback.
 */
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fuzz/prog.h"
#include "fuzz/run.h"

#define STRESS_MAXLEN	1024

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);
/* sanitizer_common: called before a sanitizer report ends the process */
void	__sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

static uint8_t	stress_buf[STRESS_MAXLEN];
static size_t	stress_len;
static char	stress_name[64];	/* stress-<seed>.bin */
static char	stress_msg[128];	/* printed on abort */
static int	stress_msglen;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct prog p;		/* big: not on the stack */
	static struct run_opts opts;

	prog_decode(data, size, &p);
	run_force_multicpu(&p);
	opts.backend = SCHED_THREADS;
	(void)run_prog(&p, &opts);
	return 0;
}

static uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * A finding: save the input that caused it (never over an existing file:
 * the same name is the same seed, so the same bytes) and say so.
 */
static void
stress_save(void)
{
	int fd;

	fd = open(stress_name, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd >= 0) {
		(void)!write(fd, stress_buf, stress_len);
		close(fd);
	}
	(void)!write(2, stress_msg, stress_msglen);
}

/* a finding of the runner or an assertion: abort() */
static void
stress_abort(int sig)
{
	stress_save();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
stress(unsigned long long n, unsigned long long seed)
{
	struct timespec t0, t1;
	unsigned long long k;
	uint64_t s, x;
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	signal(SIGABRT, stress_abort);
	/* ASan and TSan end the process without raising SIGABRT */
	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(stress_save);
	for (k = 0; k < n; k++) {
		s = seed + k;
		stress_len = 16 + splitmix(&s) % (STRESS_MAXLEN - 15);
		for (i = 0; i < stress_len; i += 8) {
			x = splitmix(&s);
			memcpy(stress_buf + i, &x, stress_len - i < 8 ?
			    stress_len - i : 8);
		}
		snprintf(stress_name, sizeof(stress_name), "stress-%llu.bin",
		    seed + k);
		stress_msglen = snprintf(stress_msg, sizeof(stress_msg),
		    "stress: finding on input %llu, saved as %s (reproduce: "
		    "--random 1 --seed %llu)\n", k, stress_name, seed + k);
		LLVMFuzzerTestOneInput(stress_buf, stress_len);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "stress: %llu runs, 0 findings, %.1f s\n", n,
	    (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	exit(0);
}

/* --random N [--seed S]: stress mode (see the file comment) */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned long long n = 0, seed = 0;
	char **av = *argv, *end;
	int i, random = 0;

	for (i = 1; i < *argc; i++) {
		if (strcmp(av[i], "--random") == 0 && i + 1 < *argc) {
			n = strtoull(av[++i], &end, 0);
			random = *end == '\0';
			if (!random)
				break;
		} else if (strcmp(av[i], "--seed") == 0 && i + 1 < *argc) {
			seed = strtoull(av[++i], &end, 0);
			if (*end != '\0')
				break;
		}
	}
	if (i < *argc || (seed != 0 && !random)) {
		fprintf(stderr, "%s: usage: --random N [--seed S], N and S "
		    "numbers\n", av[0]);
		exit(2);
	}
	if (random)
		stress(n, seed);
	return 0;
}
