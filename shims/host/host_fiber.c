/*
 * shims/host/host_fiber.c: fibers for the SCHED_FIBERS backend.
 *
 * A fiber is a stack (mmap'ed once, with a guard page, reused across
 * runs) and a saved stack pointer.  The switch is a hand-rolled amd64
 * routine that saves the callee-saved registers, MXCSR and the x87
 * control word on the old stack and restores them from the new one: no
 * signal mask system call as swapcontext(3) makes.
 *
 * Sanitizers:
 *  - TSan: each fiber has a TSan fiber context, created once and kept
 *    (destroying one that never ran corrupts TSan).  fiber_switch()
 *    calls __tsan_switch_to_fiber() right before the register switch,
 *    with __tsan_switch_to_fiber_no_sync unless the caller asks for a
 *    synchronising switch (run start/end only).  fiber_switch is not
 *    inlined and is entered and left on the same fiber, so TSan's
 *    shadow stack of each fiber stays balanced; a fiber never returns
 *    from its entry function.  A fiber abandoned mid-run (step limit)
 *    has frames left on its shadow stack: it gets a new TSan context
 *    (the old one has run, so destroying it is safe).
 *  - ASan: __sanitizer_start_switch_fiber / finish around every switch,
 *    so ASan knows which stack is current; an abandoned stack is
 *    unpoisoned before reuse.
 *
 * Deviations: amd64 only (other machines would need their own switch
 * routine or ucontext).
 */

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "host.h"

#if defined(HOST_TSAN)
#include <sanitizer/tsan_interface.h>
#endif
#if defined(HOST_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if !defined(__x86_64__)
#error "shims/host/host_fiber.c: the fiber switch is written for amd64 only"
#endif

#define FIBER_STACK	(512 * 1024)	/* bytes, plus a guard page */
#define FIBER_GUARD	4096

/* host_ctx_switch(&save_sp, new_sp): save here, resume there */
void	host_ctx_switch(void **save_sp, void *new_sp);
__asm__(
	".text\n"
	".globl host_ctx_switch\n"
	".type host_ctx_switch,@function\n"
	"host_ctx_switch:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	subq $8, %rsp\n"
	"	stmxcsr (%rsp)\n"
	"	fnstcw 4(%rsp)\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	ldmxcsr (%rsp)\n"
	"	fldcw 4(%rsp)\n"
	"	addq $8, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".size host_ctx_switch, .-host_ctx_switch\n"
	".section .note.GNU-stack,\"\",@progbits\n"
	".text\n");

/* the fiber we switched away from, for ASan's bookkeeping */
static struct fiber *fiber_prev;

/*
 * fiber_main_init: the calling thread's own context becomes the "main"
 * fiber that sched_run() switches from and back to.
 */
HOST_NOTSAN void
fiber_main_init(struct fiber *f)
{
#if defined(HOST_TSAN)
	f->f_tsan = __tsan_get_current_fiber();
#endif
	f->f_started = 1;
}

/*
 * fiber_prepare: make f ready to start at entry() on its next switch:
 * map its stack the first time; rebuild a dirty (abandoned) one.  A
 * clean fiber that already ran is left alone: it resumes where it
 * switched away at the end of its last run.
 */
HOST_NOTSAN void
fiber_prepare(struct fiber *f, void (*entry)(void))
{
	uint64_t *sp;
	char *top;

	if (f->f_map != NULL && !f->f_dirty)
		return;
	if (f->f_map == NULL) {
		f->f_mapsize = FIBER_STACK + FIBER_GUARD;
		f->f_map = mmap(NULL, f->f_mapsize, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (f->f_map == MAP_FAILED) {
			perror("uvmfuzz: mmap of a fiber stack");
			abort();
		}
		if (mprotect(f->f_map, FIBER_GUARD, PROT_NONE) != 0) {
			perror("uvmfuzz: mprotect of a fiber guard page");
			abort();
		}
		f->f_bottom = (char *)f->f_map + FIBER_GUARD;
		f->f_size = FIBER_STACK;
	}
#if defined(HOST_ASAN)
	if (f->f_dirty)
		__asan_unpoison_memory_region((void *)f->f_bottom, f->f_size);
#endif
#if defined(HOST_TSAN)
	if (f->f_tsan != NULL && f->f_started)
		__tsan_destroy_fiber(f->f_tsan);
	if (f->f_tsan == NULL || f->f_started) {
		f->f_tsan = __tsan_create_fiber(0);
		if (f->f_name != NULL)
			__tsan_set_fiber_name(f->f_tsan, f->f_name);
	}
#endif
	f->f_started = 0;
	f->f_dirty = 0;
	f->f_fake = NULL;

	top = (char *)f->f_bottom + f->f_size;
	sp = (uint64_t *)((uintptr_t)top & ~(uintptr_t)15);
	*--sp = 0;				/* entry's return address */
	*--sp = (uint64_t)(uintptr_t)entry;	/* host_ctx_switch returns here */
	*--sp = 0;				/* rbp */
	*--sp = 0;				/* rbx */
	*--sp = 0;				/* r12 */
	*--sp = 0;				/* r13 */
	*--sp = 0;				/* r14 */
	*--sp = 0;				/* r15 */
	*--sp = 0x037f00001f80ULL;		/* x87 cw << 32 | mxcsr */
	f->f_sp = sp;
}

/*
 * fiber_switch: save the current context in `from' and resume `to'.
 * sync: give TSan a happens-before edge from -> to (run start/end
 * only; never between CPUs).  Returns when something switches back.
 */
HOST_NOINLINE HOST_NOTSAN void
fiber_switch(struct fiber *from, struct fiber *to, int sync)
{
#if defined(HOST_ASAN)
	const void *bottom;
	size_t size;
#endif

	fiber_prev = from;
#if defined(HOST_ASAN)
	__sanitizer_start_switch_fiber(&from->f_fake, to->f_bottom, to->f_size);
#endif
#if defined(HOST_TSAN)
	__tsan_switch_to_fiber(to->f_tsan,
	    sync ? 0 : __tsan_switch_to_fiber_no_sync);
#else
	(void)sync;
#endif
	host_ctx_switch(&from->f_sp, to->f_sp);
#if defined(HOST_ASAN)
	/* resumed: fiber_prev is the fiber that switched back to us */
	__sanitizer_finish_switch_fiber(from->f_fake, &bottom, &size);
	if (fiber_prev != NULL && fiber_prev->f_map == NULL) {
		fiber_prev->f_bottom = bottom;
		fiber_prev->f_size = size;
	}
#endif
}

/* fiber_started: first thing a fiber does on its new stack */
HOST_NOTSAN void
fiber_started(struct fiber *self)
{
#if defined(HOST_ASAN)
	const void *bottom;
	size_t size;

	__sanitizer_finish_switch_fiber(NULL, &bottom, &size);
	if (fiber_prev != NULL && fiber_prev->f_map == NULL) {
		fiber_prev->f_bottom = bottom;
		fiber_prev->f_size = size;
	}
#endif
	self->f_started = 1;
}
