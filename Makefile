# uvmfuzz: the build.  build.sh drives it; `make` works on its own.
#
#   make VARIANT=plain             out/obj/plain/libuvm.a (one variant)
#   make VARIANT=plain out/obj/plain/uvm/uvm_amap.o
#   make -j2 world                 every output below
#   make -j2 fuzzers | replay | tests | tools | cov
#
# uvm/ and the kernel side of shims/ are compiled with -nostdinc: only the
# compiler's own headers, shims/include and libbsd's tree.h/queue.h are
# reachable, so a stray <stdio.h> in uvm/ fails the build.
#
# Object variants (out/obj/<variant>/): plain, asan (ASan+UBSan, coverage
# for libFuzzer), tsan (TSan, coverage), tsanr (TSan without coverage, for
# replay: no false races on the coverage counters), cov (source coverage),
# afl (afl-clang-fast, AFL_USE_ASAN=1, UBSan).  Each has a -biglock twin
# compiled with -DUVM_BIGLOCK (the whole fault under KERNEL_LOCK).
#
# Outputs, one binary per harness fuzz/harness/<name>.c:
#   out/libfuzzer-asan/<name>  libFuzzer, ASan+UBSan
#   out/libfuzzer-tsan/<name>  libFuzzer, TSan
#   out/afl-asan/<name>        AFL++ (libAFLDriver), ASan+UBSan
#   out/replay/<name>          plain replay main (fuzz/engine/replay.c)
#   out/replay-asan/<name>     ASan+UBSan replay
#   out/replay-tsan/<name>     TSan replay (no coverage instrumentation)
#   out/cov/<name>             source-coverage replay
#   and out/<kind>-biglock/<name> for each of them;
#   out/tools/<tool>           fuzz/tools/<tool>.c (plain)
#   out/tests/<variant>/test_<x>  tests/test_<x>.c with cmocka
#
# OSS-Fuzz (build.sh): VARIANT=ossfuzz-<hash> VARIANT_CFLAGS="$CFLAGS"
# LIB_FUZZING_ENGINE=... make out/ossfuzz-<hash>/<name>.

VARIANT	?= plain
CC	?= clang-14
ifeq ($(origin CC),default)
CC	:= clang-14
endif
AFL_CC	?= afl-clang-fast
O	:= out/obj/$(VARIANT)
RESDIR	:= $(shell $(CC) -print-resource-dir)
LDLIBS	?= -lpthread
LIB_FUZZING_ENGINE ?= -fsanitize=fuzzer

# per-variant compile flags
SAN_ASAN	:= -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
CFLAGS_plain	:= -O1 -g
CFLAGS_asan	:= -O1 -g $(SAN_ASAN) -fsanitize=fuzzer-no-link
# no stack-depth coverage under TSan: its TLS __sancov_lowest_stack is
# written by every fiber of the one OS thread (a false race)
CFLAGS_tsan	:= -O1 -g -fsanitize=thread -fsanitize=fuzzer-no-link -fno-sanitize-coverage=stack-depth
CFLAGS_tsanr	:= -O1 -g -fsanitize=thread
CFLAGS_cov	:= -O0 -g -fprofile-instr-generate -fcoverage-mapping
CFLAGS_afl	:= -O1 -g -fsanitize=undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer

BASE_VARIANTS	:= plain asan tsan tsanr cov afl
VARIANTS	:= $(BASE_VARIANTS) $(addsuffix -biglock,$(BASE_VARIANTS))
ifneq ($(filter-out $(VARIANTS),$(VARIANT)),)
VARIANTS	+= $(VARIANT)
endif

# vbase(v): variant without -biglock; vflags(v): its compile flags
vbase	= $(patsubst %-biglock,%,$1)
VARIANT_CFLAGS	?= $(CFLAGS_$(call vbase,$(VARIANT)))
MODE_CFLAGS	?=
vmode	= $(if $(filter %-biglock,$1),-DUVM_BIGLOCK)
vflags	= $(if $(filter $1,$(VARIANT)),$(VARIANT_CFLAGS) $(MODE_CFLAGS),$(CFLAGS_$(call vbase,$1))) $(call vmode,$1)
vcc	= $(if $(filter afl afl-biglock,$1),AFL_USE_ASAN=1 AFL_QUIET=1 $(AFL_CC),$(CC))

WARN	:= -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
DEPF	:= -MMD -MP
# -ffreestanding drops unwind tables; sanitizer and libFuzzer stack
# traces need them to walk from panic() back into uvm/
KERN_INC = -nostdinc -ffreestanding -fasynchronous-unwind-tables -isystem $(RESDIR)/include -Ishims/include -Iuvm -D_KERNEL
HOST_INC := -I. -Ishims -Iuvm

UVM_SRCS	:= $(wildcard uvm/*.c)
SHIM_SRCS	:= $(wildcard shims/*.c)
HOST_SRCS	:= $(wildcard shims/host/*.c)
FUZZ_SRCS	:= $(wildcard fuzz/*.c)
HARNESSES	:= $(basename $(notdir $(wildcard fuzz/harness/*.c)))
TOOLS		:= $(basename $(notdir $(wildcard fuzz/tools/*.c)))
TESTS		:= $(basename $(notdir $(wildcard tests/test_*.c)))

# SanitizerCoverage scope of the fuzzing variants (those compiled with
# -fsanitize=fuzzer-no-link, OSS-Fuzz's included): feedback comes from
# the code under test.
# - NOCOV_SRCS, the rig code that only judges or prints a run (the
#   oracles, the runner, the text form, the invariant checker), gets no
#   coverage at all: its loops over pages and slots gave libFuzzer
#   thousands of features that say nothing about uvm/, and entropic's
#   per-feature bookkeeping was the largest cost of an execution.
# - uvm/ and shims/ keep edge coverage without comparison tracing: the
#   values they compare (addresses, slots, counts, lock state) never
#   appear verbatim in an input, which the decoder clamps, wraps and
#   makes region-relative; tracing them cost a fifth of the CPU time.
# - fuzz/prog.c (the decoder, where input bytes are compared) and the
#   harnesses keep everything.
# A/B measurements: README "Measured".
NOCOV_SRCS	:= fuzz/oracle.c fuzz/oracle_mp.c fuzz/oracle_store.c \
		   fuzz/oracle_region.c \
		   fuzz/run.c fuzz/prog_text.c uvm/uvm_check.c \
		   uvm/uvm_amap_check.c
NOCMP_DIRS	:= uvm/% shims/%
# covscope(variant, source): the coverage flags of one source file
covscope = $(if $(findstring fuzzer-no-link,$(call vflags,$1)),$(if $(filter $(NOCOV_SRCS),$2),-fno-sanitize=fuzzer-no-link,$(if $(filter $(NOCMP_DIRS),$2),-fno-sanitize-coverage=trace-cmp)))

# output kind -> object variant, link flags, engine object
KINDS		:= libfuzzer-asan libfuzzer-tsan afl-asan replay replay-asan replay-tsan cov
OBJ_libfuzzer-asan	:= asan
OBJ_libfuzzer-tsan	:= tsan
OBJ_afl-asan		:= afl
OBJ_replay		:= plain
OBJ_replay-asan		:= asan
OBJ_replay-tsan		:= tsanr
OBJ_cov			:= cov
LINK_libfuzzer-asan	:= -fsanitize=fuzzer $(SAN_ASAN)
LINK_libfuzzer-tsan	:= -fsanitize=fuzzer,thread
LINK_afl-asan		:= -fsanitize=fuzzer -fsanitize=undefined
LINK_replay		:=
LINK_replay-asan	:= $(SAN_ASAN)
LINK_replay-tsan	:= -fsanitize=thread
LINK_cov		:= -fprofile-instr-generate -fcoverage-mapping
ENGINE_replay		:= fuzz/engine/replay.c
ENGINE_replay-asan	:= fuzz/engine/replay.c
ENGINE_replay-tsan	:= fuzz/engine/replay.c
ENGINE_cov		:= fuzz/engine/replay.c

all: $(O)/libuvm.a

# objects and libraries of variant $1
define variant_rules
$1_KOBJS := $$(patsubst %.c,out/obj/$1/%.o,$$(UVM_SRCS) $$(SHIM_SRCS))
$1_HOBJS := $$(patsubst %.c,out/obj/$1/%.o,$$(HOST_SRCS))
$1_FOBJS := $$(patsubst %.c,out/obj/$1/%.o,$$(FUZZ_SRCS))

# the compiler and flags of $1: objects are rebuilt when they change
out/obj/$1/.flags: FORCE
	@mkdir -p $$(@D)
	@echo '$$(call vcc,$1) $$(call vflags,$1) $$(KERN_INC) nocov: $$(NOCOV_SRCS) nocmp: $$(NOCMP_DIRS)' | cmp -s - $$@ || \
	    echo '$$(call vcc,$1) $$(call vflags,$1) $$(KERN_INC) nocov: $$(NOCOV_SRCS) nocmp: $$(NOCMP_DIRS)' > $$@

out/obj/$1/bsdinc/bsd/sys/.stamp:
	@mkdir -p $$(@D)
	@for h in tree.h queue.h cdefs.h; do ln -sf /usr/include/bsd/sys/$$$$h $$(@D)/$$$$h; done
	@touch $$@

out/obj/$1/uvm/%.o: uvm/%.c out/obj/$1/.flags | out/obj/$1/bsdinc/bsd/sys/.stamp
	@mkdir -p $$(@D)
	$$(call vcc,$1) -std=gnu11 $$(WARN) $$(DEPF) $$(KERN_INC) -Iout/obj/$1/bsdinc $$(call vflags,$1) $$(call covscope,$1,$$<) -c $$< -o $$@
out/obj/$1/shims/host/%.o: shims/host/%.c out/obj/$1/.flags
	@mkdir -p $$(@D)
	$$(call vcc,$1) -std=gnu11 $$(WARN) $$(DEPF) $$(HOST_INC) $$(call vflags,$1) $$(call covscope,$1,$$<) -c $$< -o $$@
out/obj/$1/shims/%.o: shims/%.c out/obj/$1/.flags | out/obj/$1/bsdinc/bsd/sys/.stamp
	@mkdir -p $$(@D)
	$$(call vcc,$1) -std=gnu11 $$(WARN) $$(DEPF) $$(KERN_INC) -Iout/obj/$1/bsdinc -Ishims $$(call vflags,$1) $$(call covscope,$1,$$<) -c $$< -o $$@
out/obj/$1/fuzz/%.o: fuzz/%.c out/obj/$1/.flags
	@mkdir -p $$(@D)
	$$(call vcc,$1) -std=gnu11 $$(WARN) $$(DEPF) $$(HOST_INC) -Ifuzz $$(call vflags,$1) $$(call covscope,$1,$$<) -c $$< -o $$@
out/obj/$1/tests/%.o: tests/%.c out/obj/$1/.flags
	@mkdir -p $$(@D)
	$$(call vcc,$1) -std=gnu11 $$(WARN) $$(DEPF) $$(HOST_INC) -Ifuzz $$(call vflags,$1) -c $$< -o $$@
# the tests' probe of the kernel (tests/kprobe.h): compiled like uvm/
out/obj/$1/tests/kprobe.o: tests/kprobe.c out/obj/$1/.flags | out/obj/$1/bsdinc/bsd/sys/.stamp
	@mkdir -p $$(@D)
	$$(call vcc,$1) -std=gnu11 $$(WARN) $$(DEPF) $$(KERN_INC) -Iout/obj/$1/bsdinc $$(call vflags,$1) -c $$< -o $$@

out/obj/$1/libuvm.a: $$($1_KOBJS) $$($1_HOBJS)
	@rm -f $$@
	ar rcs $$@ $$^
out/obj/$1/libfuzzprog.a: $$($1_FOBJS)
	@rm -f $$@
	ar rcs $$@ $$^

-include $$(wildcard out/obj/$1/*/*.d out/obj/$1/*/*/*.d)
endef

# binaries of output kind $1 built from object variant $2, suffix $3
define kind_rules
out/$1$3/%: out/obj/$2$3/fuzz/harness/%.o $$(if $$(ENGINE_$1),out/obj/$2$3/fuzz/engine/replay.o) out/obj/$2$3/libfuzzprog.a out/obj/$2$3/libuvm.a
	@mkdir -p $$(@D)
	$$(call vcc,$2) $$(call vflags,$2$3) $$(LINK_$1) $$^ $$(LDLIBS) -o $$@
endef

$(foreach v,$(VARIANTS),$(eval $(call variant_rules,$(v))))
$(foreach k,$(KINDS),$(eval $(call kind_rules,$(k),$(OBJ_$(k)),)))
$(foreach k,$(KINDS),$(eval $(call kind_rules,$(k),$(OBJ_$(k)),-biglock)))

# OSS-Fuzz: objects of $(VARIANT) linked with $(LIB_FUZZING_ENGINE)
out/ossfuzz/$(VARIANT)/%: out/obj/$(VARIANT)/fuzz/harness/%.o out/obj/$(VARIANT)/libfuzzprog.a out/obj/$(VARIANT)/libuvm.a
	@mkdir -p $(@D)
	$(CC) $(VARIANT_CFLAGS) $^ $(LIB_FUZZING_ENGINE) $(LDLIBS) -o $@
ossfuzz: $(addprefix out/ossfuzz/$(VARIANT)/,$(HARNESSES))

# tools (plain) and cmocka tests (plain, asan and their biglock twins)
out/tools/%: out/obj/plain/fuzz/tools/%.o out/obj/plain/libfuzzprog.a out/obj/plain/libuvm.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_plain) $^ $(LDLIBS) -o $@
out/tools-biglock/%: out/obj/plain-biglock/fuzz/tools/%.o out/obj/plain-biglock/libfuzzprog.a out/obj/plain-biglock/libuvm.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_plain) $^ $(LDLIBS) -o $@

TEST_VARIANTS	:= plain asan plain-biglock asan-biglock
TLINK_plain	:=
TLINK_asan	:= $(SAN_ASAN)
define test_rules
out/tests/$1/%: out/obj/$1/tests/%.o out/obj/$1/tests/kprobe.o out/obj/$1/libfuzzprog.a out/obj/$1/libuvm.a
	@mkdir -p $$(@D)
	$$(CC) $$(call vflags,$1) $$(TLINK_$$(call vbase,$1)) $$^ -lcmocka $$(LDLIBS) -o $$@
endef
$(foreach v,$(TEST_VARIANTS),$(eval $(call test_rules,$(v))))

FUZZ_KINDS	:= libfuzzer-asan libfuzzer-tsan afl-asan
REPLAY_KINDS	:= replay replay-asan replay-tsan
bins	= $(foreach k,$1,$(addprefix out/$(k)/,$(HARNESSES)) $(addprefix out/$(k)-biglock/,$(HARNESSES)))

fuzzers: $(call bins,$(FUZZ_KINDS))
replay: $(call bins,$(REPLAY_KINDS))
cov: $(call bins,cov)
tools: $(addprefix out/tools/,$(TOOLS)) out/tools-biglock/bench_faults
tests: $(foreach v,$(TEST_VARIANTS),$(addprefix out/tests/$(v)/,$(TESTS)))
world: tools replay fuzzers cov tests
libs: $(foreach v,$(VARIANTS),out/obj/$(v)/libuvm.a)

# list what `world` would build (for build.sh and the tests)
print-%:
	@echo $($*)

clean:
	rm -rf out/obj

FORCE:

.PHONY: all clean world fuzzers replay cov tools tests libs ossfuzz FORCE
.SECONDARY:
.DELETE_ON_ERROR:
