# uvmfuzz: the object-level build.  build.sh drives it (VARIANT=...);
# `make VARIANT=plain` works on its own for development.
#
# uvm/ and the kernel side of shims/ are compiled with -nostdinc: only the
# compiler's own headers, shims/include and libbsd's tree.h/queue.h are
# reachable, so a stray <stdio.h> in uvm/ fails the build.

VARIANT	?= plain
CC	?= clang-14
ifeq ($(origin CC),default)
CC	:= clang-14
endif
O	:= out/obj/$(VARIANT)
RESDIR	:= $(shell $(CC) -print-resource-dir)

# per-variant flags (build.sh may override VARIANT_CFLAGS, e.g. OSS-Fuzz)
CFLAGS_plain	:= -O1 -g
CFLAGS_asan	:= -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -fsanitize=fuzzer-no-link
CFLAGS_tsan	:= -O1 -g -fsanitize=thread -fsanitize=fuzzer-no-link
CFLAGS_cov	:= -O0 -g -fprofile-instr-generate -fcoverage-mapping
VARIANT_CFLAGS	?= $(CFLAGS_$(VARIANT))
MODE_CFLAGS	?=

WARN	:= -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-missing-field-initializers
KERN_INC := -nostdinc -ffreestanding -isystem $(RESDIR)/include -Ishims/include -I$(O)/bsdinc -Iuvm -D_KERNEL
KCFLAGS	:= -std=gnu11 $(WARN) $(KERN_INC) $(VARIANT_CFLAGS) $(MODE_CFLAGS)
HCFLAGS	:= -std=gnu11 $(WARN) -I. -Ishims -Iuvm $(VARIANT_CFLAGS) $(MODE_CFLAGS)

UVM_SRCS	:= $(wildcard uvm/*.c)
SHIM_SRCS	:= $(wildcard shims/*.c)
HOST_SRCS	:= $(wildcard shims/host/*.c)
KOBJS	:= $(patsubst %.c,$(O)/%.o,$(UVM_SRCS) $(SHIM_SRCS))
HOBJS	:= $(patsubst %.c,$(O)/%.o,$(HOST_SRCS))

all: $(O)/libuvm.a

$(O)/bsdinc/bsd/sys/.stamp:
	@mkdir -p $(@D)
	@for h in tree.h queue.h cdefs.h; do ln -sf /usr/include/bsd/sys/$$h $(@D)/$$h; done
	@touch $@

$(O)/uvm/%.o $(O)/shims/%.o: | $(O)/bsdinc/bsd/sys/.stamp
$(O)/uvm/%.o: uvm/%.c $(wildcard uvm/*.h shims/include/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -c $< -o $@
$(O)/shims/host/%.o: shims/host/%.c $(wildcard shims/host/*.h shims/*.h)
	@mkdir -p $(@D)
	$(CC) $(HCFLAGS) -c $< -o $@
$(O)/shims/%.o: shims/%.c $(wildcard shims/*.h shims/include/*/*.h)
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -Ishims -c $< -o $@

$(O)/libuvm.a: $(KOBJS) $(HOBJS)
	@rm -f $@
	ar rcs $@ $^

clean:
	rm -rf out/obj

.PHONY: all clean
