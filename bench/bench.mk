# bench.mk: the benchmark suite's Linux baseline and report, included by the top-level
# Makefile (paths are relative to the repository root, where make runs).
#
# Targets
#   bench-linux        fetch Debian's mipsel malta kernel + busybox, build the static
#                      benchmark binary and the initramfs, boot it under QEMU with -icount,
#                      write $(BUILD)/bench/linux.txt.  ROWS=prot1,trap runs only those rows;
#                      BENCH_ARGS=--reps=9 passes extra driver options.
#   bench-smoke-linux  same, with --smoke, into $(BUILD)/bench/linux-smoke.txt, then a KTAP
#                      report of which rows printed sane values (used by `make test`).
#   bench-report       tables, plots and docs/results.md from $(BUILD)/bench/{linux,aegis}.txt
#   bench-deps         install the Debian packages `make bench` needs (tools/deps.sh bench)
#   bench-http         HTTP requests per second from a host client (HOST time), both systems
#                      side by side, into bench/results/http.csv (tools/bench_http.py; a
#                      system without a server is n/a). A full `make bench` runs it too
#                      (BENCH_HTTP=0 leaves it out); its failure never fails make bench.
#   bench-linux-bin, bench-linux-initramfs, bench-linux-fetch: the steps, separately.

BUILD ?= build
CROSS ?= mipsel-linux-gnu-
PYTHON ?= python3

BENCH_SRCS := bench/main.c bench/envs.c bench/appel_li.c bench/crossings.c bench/matmul.c \
	bench/ipc.c bench/scale.c bench/ptalt.c bench/demux.c bench/udp.c bench/fs.c
BENCH_HDRS := bench/bench.h
# The benchmark code is compiled with the same flags for both systems (the ExOS
# build in the top-level Makefile uses BENCH_CFLAGS too): non-PIC code, as both
# programs are static executables, hard float. Linux's static glibc is PIC
# code; ld warns that it links abicalls and non-abicalls objects, which is
# harmless in a static executable.
BENCH_CFLAGS := -O2 -march=mips32r2 -mno-abicalls -fno-pic -G0 -Wall -Wextra
BENCH_LINUX_CFLAGS := $(BENCH_CFLAGS) -static
BENCH_LINUX_BIN := $(BUILD)/bench/bench-linux
BENCH_LINUX_INITRD := $(BUILD)/baseline/initramfs.cpio.gz
BENCH_LINUX_OUT := $(BUILD)/bench/linux.txt
BENCH_LINUX_SMOKE := $(BUILD)/bench/linux-smoke.txt
BENCH_LINUX_TIMEOUT ?= 900
BENCH_SMOKE_TIMEOUT ?= 180
BENCH_ARGS ?=
ROWS ?=

.PHONY: bench-linux bench-smoke-linux bench-report bench-deps bench-http \
	bench-linux-fetch bench-linux-bin bench-linux-initramfs

bench-deps:
	@tools/deps.sh bench

# Quiet and quick when the kernel and busybox are already there.
bench-linux-fetch:
	@BUILD=$(BUILD) sh tools/baseline/fetch.sh

bench-linux-bin: $(BENCH_LINUX_BIN)

BENCH_POSIX_SRCS := bench/backend_posix.c bench/udp_posix.c bench/demux_posix.c bench/fs_posix.c
$(BENCH_LINUX_BIN): $(BENCH_SRCS) $(BENCH_POSIX_SRCS) $(BENCH_HDRS) bench/bench.mk
	@mkdir -p $(dir $@)
	$(CROSS)gcc $(BENCH_LINUX_CFLAGS) -o $@ $(BENCH_SRCS) $(BENCH_POSIX_SRCS)

bench-linux-initramfs: $(BENCH_LINUX_INITRD)

$(BENCH_LINUX_INITRD): $(BENCH_LINUX_BIN) tools/baseline/mkinitramfs.sh \
		tools/baseline/mkcpio.py tools/baseline/init.sh bench/www/index.html | bench-linux-fetch
	BUILD=$(BUILD) sh tools/baseline/mkinitramfs.sh $(BENCH_LINUX_BIN) $@

bench-linux: bench-linux-fetch $(BENCH_LINUX_INITRD)
	$(PYTHON) tools/baseline/run.py --build $(BUILD) --out $(BENCH_LINUX_OUT) \
		--timeout $(BENCH_LINUX_TIMEOUT) -- $(BENCH_ARGS) $(ROWS)

# The checker always runs, so a failed boot still yields a KTAP report (and a failure).
# --host-rtc: quick boot (about 6 s instead of 55 s); fine since nothing here is timed.
bench-smoke-linux: bench-linux-fetch $(BENCH_LINUX_INITRD)
	@rm -f $(BENCH_LINUX_SMOKE)
	@$(PYTHON) tools/baseline/run.py --build $(BUILD) --out $(BENCH_LINUX_SMOKE) \
		--host-rtc --timeout $(BENCH_SMOKE_TIMEOUT) -- --smoke $(ROWS) >&2 || true
	@$(PYTHON) tools/baseline/smoke_check.py $(BENCH_LINUX_SMOKE) linux

bench-report:
	$(PYTHON) tools/bench_report.py --build $(BUILD)

bench-http: bench-linux-fetch $(BENCH_LINUX_INITRD)
	$(PYTHON) tools/bench_http.py --build $(BUILD) --out bench/results/http.csv
