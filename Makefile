# Makefile: the one entry point. `make run` boots Aegis through U-Boot on
# QEMU malta and runs ExOS; `make test` runs every test. Both install what
# is missing first (tools/deps.sh).

CROSS   ?= mipsel-linux-gnu-
CC      := $(CROSS)gcc
LD      := $(CROSS)ld
OBJCOPY := $(CROSS)objcopy
NM      := $(CROSS)nm
HOSTCC  ?= cc
PYTHON  ?= python3
BUILD   ?= build
B       := $(BUILD)

# Freestanding MIPS32r2 little-endian, no PIC, no small-data. The kernel is
# soft-float (Aegis never touches the FPU); user code is hard-float, and ExOS
# enables the FPU through Aegis on first use.
ARCHFLAGS := -march=mips32r2 -EL -mno-abicalls -fno-pic -G0
COMMONFLAGS := -ffreestanding -fno-builtin -fno-stack-protector \
	     -fno-asynchronous-unwind-tables -O2 -g -Wall -Wextra -Werror -std=gnu11 \
	     -MMD -MP
CFLAGS    := $(ARCHFLAGS) -msoft-float $(COMMONFLAGS)
UCFLAGS   := $(ARCHFLAGS) $(COMMONFLAGS)
ASFLAGS   := $(ARCHFLAGS) -msoft-float -g -MMD -MP
UASFLAGS  := $(ARCHFLAGS) -g -MMD -MP
LDFLAGS   := -EL -nostdlib -static -no-pie

GEN := $(B)/gen
KINC := -Iaegis -I$(GEN)
UINC := -Iexos -Iaegis -I$(GEN)

KERNEL_SRCS := $(wildcard aegis/*.S) $(filter-out aegis/asmoffsets.c,$(wildcard aegis/*.c))
LIB_SRCS    := lib/printfmt.c lib/string.c lib/cpio.c lib/elf.c lib/mem.c
EXOS_SRCS   := exos/crt0.S exos/upcall.S exos/lrpc.S exos/fork.S $(wildcard exos/*.c)
APPS        := init utest fault isolate fuzz fuzzd spin lrpcsrv lrpccli revokee stride ptinv hostile

KOBJS := $(patsubst %,$(B)/k/%.o,$(KERNEL_SRCS) $(LIB_SRCS)) $(B)/k/gen/syscall_table.c.o
UOBJS := $(patsubst %,$(B)/u/%.o,$(EXOS_SRCS) $(LIB_SRCS)) $(B)/u/gen/syscall_stubs.S.o
APP_BINS := $(patsubst %,$(B)/apps/%,$(APPS))

UBOOT_BIN ?= /usr/lib/u-boot/maltael/u-boot.bin

.PHONY: all deps deps-gdb fuzz fuzz-host run run-direct test qemu-gdb clean bench bench-aegis bench-smoke-aegis docs
all: $(B)/aegis.elf $(B)/aegis.uimg $(B)/initrd.cpio $(B)/initrd.uimg $(B)/u-boot-swap.bin

# Debian packages, by group (tools/deps.sh --list names each and why).
deps:
	@tools/deps.sh
deps-gdb:
	@tools/deps.sh gdb

# --- generated system call tables and stubs ---------------------------------
$(GEN)/syscall_nums.h $(GEN)/syscall_table.c $(GEN)/syscall_stubs.S $(GEN)/syscalls.h &: \
		aegis/syscalls.tbl tools/gensyscalls.py
	@mkdir -p $(GEN)
	$(PYTHON) tools/gensyscalls.py aegis/syscalls.tbl $(GEN)

# Structure offsets for the assembly, from the compiler's own layout.
$(GEN)/asmoffsets.h: aegis/asmoffsets.c aegis/defs.h aegis/abi.h $(GEN)/syscall_nums.h
	@mkdir -p $(GEN)
	$(CC) $(CFLAGS) $(KINC) -S -o $(GEN)/asmoffsets.s $<
	{ echo "/* Generated from aegis/asmoffsets.c. Do not edit. */"; \
	  sed -n 's/.*->\([A-Z_]*\) \([0-9]*\).*/#define \1 \2/p' $(GEN)/asmoffsets.s; } > $@

# --- kernel ------------------------------------------------------------------
$(B)/k/%.c.o: %.c $(GEN)/syscall_nums.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KINC) -c $< -o $@
$(B)/k/%.S.o: %.S $(GEN)/syscall_nums.h $(GEN)/asmoffsets.h
	@mkdir -p $(dir $@)
	$(CC) $(ASFLAGS) $(KINC) -c $< -o $@
$(B)/k/gen/%.c.o: $(GEN)/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(KINC) -c $< -o $@

$(B)/aegis.elf: $(KOBJS) linker.ld
	$(LD) $(LDFLAGS) -T linker.ld -o $@ $(KOBJS)
$(B)/aegis.bin: $(B)/aegis.elf
	$(OBJCOPY) -O binary $< $@
# Legacy uImage for U-Boot's bootm: loaded at and entered through _start.
$(B)/aegis.uimg: $(B)/aegis.bin $(B)/aegis.elf
	mkimage -A mips -O linux -T kernel -C none -a 0x80100000 \
		-e 0x$$($(NM) $(B)/aegis.elf | awk '$$3 == "_start" {print $$1}') \
		-n aegis -d $< $@ >/dev/null

# --- ExOS and the programs -----------------------------------------------------
$(B)/u/%.c.o: %.c $(GEN)/syscalls.h
	@mkdir -p $(dir $@)
	$(CC) $(UCFLAGS) $(UINC) -c $< -o $@
$(B)/u/%.S.o: %.S $(GEN)/syscall_nums.h
	@mkdir -p $(dir $@)
	$(CC) $(UASFLAGS) $(UINC) -c $< -o $@
$(B)/u/gen/%.S.o: $(GEN)/%.S
	@mkdir -p $(dir $@)
	$(CC) $(UASFLAGS) $(UINC) -c $< -o $@
$(B)/libexos.a: $(filter-out %/crt0.S.o,$(UOBJS))
	rm -f $@
	$(CROSS)ar rcs $@ $^
# Each program is apps/NAME/*.c and *.S, linked after crt0 and before libexos.a.
define APP_RULE
$(B)/apps/$(1): $(patsubst %,$(B)/u/%.o,$(wildcard apps/$(1)/*.c apps/$(1)/*.S)) $(B)/u/exos/crt0.S.o $(B)/libexos.a exos/user.ld
	@mkdir -p $$(dir $$@)
	$(LD) $(LDFLAGS) -T exos/user.ld -o $$@ $(B)/u/exos/crt0.S.o $$(filter-out %crt0.S.o,$$(filter %.o,$$^)) $(B)/libexos.a
endef
$(foreach a,$(APPS),$(eval $(call APP_RULE,$(a))))

# The benchmark suite as an ExOS program: bench/'s shared sources with the
# ExOS back end (bench/backend_exos.c), in the initrd as `bench`.
BENCH_EXOS_SRCS := bench/main.c bench/appel_li.c bench/crossings.c bench/matmul.c bench/ipc.c bench/backend_exos.c
$(B)/bx/%.c.o: %.c $(GEN)/syscalls.h bench/bench.mk
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -EL -fno-stack-protector -g -MMD -MP $(UINC) -Ibench -c $< -o $@
$(B)/apps/bench: $(patsubst %,$(B)/bx/%.o,$(BENCH_EXOS_SRCS)) $(B)/u/exos/crt0.S.o $(B)/libexos.a exos/user.ld
	@mkdir -p $(dir $@)
	$(LD) $(LDFLAGS) -T exos/user.ld -o $@ $(B)/u/exos/crt0.S.o $(filter %.c.o,$^) $(B)/libexos.a

# --- initrd and firmware images -------------------------------------------------
# The initrd holds stripped copies (symbols stay in build/apps/ for gdb).
$(B)/initrd/%: $(B)/apps/%
	@mkdir -p $(dir $@)
	$(CROSS)strip -o $@ $<
$(B)/initrd.cpio: $(patsubst %,$(B)/initrd/%,$(APPS) bench)
	cd $(B)/initrd && printf '%s\n' $(APPS) bench | cpio --quiet -o -H newc > ../initrd.cpio
$(B)/initrd.uimg: $(B)/initrd.cpio
	mkimage -A mips -O linux -T ramdisk -C none -a 0 -e 0 -n initrd -d $< $@ >/dev/null
# Debian's maltael U-Boot, its EJTAG debug vector forwarded to Aegis and
# word-swapped for QEMU's little-endian flash (tools/patch_uboot.py).
$(B)/u-boot-swap.bin: $(UBOOT_BIN) tools/patch_uboot.py
	@mkdir -p $(B)
	$(PYTHON) tools/patch_uboot.py $< $@

# --- running ------------------------------------------------------------------
# APPEND: kernel command line (init=NAME selects the first program).
# QEMU_LOG=file adds `-d int,guest_errors -D file`.
APPEND ?=
run: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) tools/boot.py --path uboot --interactive --append "$(APPEND)" $(if $(QEMU_LOG),--qemu-log $(QEMU_LOG))
run-direct: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) tools/boot.py --path direct --interactive --append "$(APPEND)" $(if $(QEMU_LOG),--qemu-log $(QEMU_LOG))

# gdb on a port derived from the user id, so users on one host do not clash.
GDBPORT ?= $(shell expr 26000 + $$(id -u) % 5000)
qemu-gdb: deps-gdb
	@$(MAKE) --no-print-directory all
	@echo "*** QEMU waits for gdb: gdb-multiarch $(B)/aegis.elf -ex 'target remote :$(GDBPORT)'"
	$(PYTHON) tools/boot.py --path direct --interactive --gdb $(GDBPORT) --append "$(APPEND)"

# --- tests --------------------------------------------------------------------
HOST_TESTS := $(B)/host/test_lib
$(B)/host/test_lib: tests/test_lib.c lib/printfmt.c lib/string.c lib/cpio.c lib/elf.c lib/lib.h
	@mkdir -p $(dir $@)
	$(HOSTCC) -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -o $@ \
		tests/test_lib.c lib/printfmt.c lib/string.c lib/cpio.c lib/elf.c

test: deps
	@$(MAKE) --no-print-directory all $(HOST_TESTS)
	$(PYTHON) tools/runtests.py --build $(B)

# The system-call fuzzer on the real kernel (apps/fuzzd, tools/fuzz.py):
# FUZZ_CALLS random calls from hostile environments, the kernel's tables
# checked after each; FUZZ_SEED replays a run (default: a new seed, printed).
FUZZ_CALLS ?= 1000000
FUZZ_KIDS ?= 4
fuzz: deps
	@$(MAKE) --no-print-directory all
	$(PYTHON) tools/fuzz.py --build $(B) --calls $(FUZZ_CALLS) --kids $(FUZZ_KIDS) \
		$(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

# The readers of untrusted images (lib/cpio.c, lib/elf.c) fuzzed natively
# under AddressSanitizer: FUZZ_HOST_CASES mutated images per seed, seeded
# from a built archive and ELF and from the initrd and every program in it.
FUZZ_HOST_CASES ?= 2000000
fuzz-host: deps
	@$(MAKE) --no-print-directory all $(HOST_TESTS)
	$(B)/host/test_lib --fuzz $(FUZZ_HOST_CASES) $(B)/initrd.cpio

# --- benchmarks -----------------------------------------------------------------
# `make bench` runs the suite on both systems under the same QEMU options and
# writes bench/results/ and docs/results.md. SYSTEM=aegis or SYSTEM=linux runs
# one system (the report then pairs it with the other's last full run).
# ROWS=a,b runs only those rows: a partial run never touches the full results;
# its files and report go to build/bench/partial/.
include bench/bench.mk
SYSTEM ?= both
BENCH_OUT := $(if $(ROWS),$(B)/bench/partial,$(B)/bench)
BENCH_AEGIS_OUT ?= $(B)/bench/aegis.txt
BENCH_REPORT_ARGS := $(if $(ROWS),--results $(BENCH_OUT) --docs $(BENCH_OUT)/results.md \
	$(foreach s,$(if $(filter both,$(SYSTEM)),linux aegis,$(SYSTEM)),--system $(s)=$(BENCH_OUT)/$(s).txt))

bench: bench-deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(BENCH_OUT)
ifneq ($(SYSTEM),aegis)
	@echo "bench: Linux, $(if $(ROWS),rows $(ROWS),every row) ..."
	@$(MAKE) --no-print-directory bench-linux BENCH_LINUX_OUT=$(BENCH_OUT)/linux.txt
endif
ifneq ($(SYSTEM),linux)
	@echo "bench: Aegis/ExOS, $(if $(ROWS),rows $(ROWS),every row) ..."
	@$(MAKE) --no-print-directory bench-aegis BENCH_AEGIS_OUT=$(BENCH_OUT)/aegis.txt
	$(if $(ROWS),,$(PYTHON) tools/stride_plot.py --build $(B) --results bench/results)
endif
	$(PYTHON) tools/bench_report.py --build $(B) $(BENCH_REPORT_ARGS)
	@$(if $(ROWS),cat $(BENCH_OUT)/results.md)

bench-aegis: all
	$(PYTHON) tools/bench_aegis.py --build $(B) --out $(BENCH_AEGIS_OUT) -- $(BENCH_ARGS) $(ROWS)

# A quick run of every row on Aegis (used by make test: values, not timing).
bench-smoke-aegis: all
	@rm -f $(B)/bench/aegis-smoke.txt
	@$(PYTHON) tools/bench_aegis.py --build $(B) --out $(B)/bench/aegis-smoke.txt --host-rtc \
		--timeout 120 -- --smoke $(ROWS) >&2 || true
	@$(PYTHON) tools/baseline/smoke_check.py $(B)/bench/aegis-smoke.txt aegis

# Documents generated from the code (make test checks they are current).
docs: $(B)/aegis.elf
	$(PYTHON) tools/pathlen.py --elf $(B)/aegis.elf --markdown > docs/pathlengths.md

clean:
	rm -rf $(B)

-include $(shell find $(B)/k $(B)/u $(B)/bx -type f -name '*.d' 2>/dev/null)
