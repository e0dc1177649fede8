/*
 * demux.c: the cost of demultiplexing one received frame (issue 10's
 * `demux` rows): which of n installed packet filters accepts it, for n = 1,
 * 10, 100, 500. The filters are UDP destination ports 1000..1000+n-1 (each
 * the Ethernet type, the IP protocol and the port, found through the IP
 * header length) and the frame is for the last port, so the one-by-one
 * interpreter meets its worst case. ExOS installs them on Aegis's filter
 * table that has no NIC and has the kernel classify a frame held in one of
 * its pages `iters` times inside one system call (net_demux), so the timed
 * region is the classification itself with one kernel crossing spread
 * over all of them: the compiled tree, the same tree interpreted by dcode,
 * and the filters one by one (bench/README.md, docs/network.md).
 *
 * Linux runs its socket filters only on frames that go through its receive
 * path, so its rows are a difference of two timed paths: frames sent through
 * the loopback device with the n filter sockets in the path, then without
 * them (bench_demux_unhook); the second path alone is the demux_base row.
 */
#include "bench.h"

/*
 * One repetition: install n filters for mode, time iters classifications; where the
 * back end cannot time them alone (bench_demux_unhook, Linux), time the same path
 * again without the filters and report the difference.
 */
static int
run_demux(unsigned nfilters, unsigned mode, unsigned iters, uint64_t *ticks,
	  uint64_t *ops, const char **why)
{
	uint32_t t0, t1, base = 0;
	int rc, unhooked;

	if (bench_demux_setup(nfilters, mode) < 0) {
		*why = "installing the filters failed";
		return -1;
	}
	t0 = bench_count();
	rc = bench_demux_run(mode, iters);
	t1 = bench_count();
	if (rc < 0) {
		*why = "the frame was not classified to its filter";
		return -1;
	}
	unhooked = bench_demux_unhook();
	if (unhooked == 0) {
		uint32_t t2 = bench_count();
		rc = bench_demux_run(mode, iters);
		base = bench_count() - t2;
	}
	if (unhooked < 0 || rc < 0) {
		*why = "the path without the filters failed";
		return -1;
	}
	if (base >= t1 - t0) {
		*why = "the path without the filters took as long as with them";
		return -1;
	}
	*ticks = (uint32_t)(t1 - t0 - base);
	*ops = iters;
	return 0;
}

/* The base path alone (Linux: the frame sent through the loopback device with the
 * filters out of its path), the figure the rows above have subtracted. */
static int
run_demux_base(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	uint32_t t0;
	int rc;

	if (bench_demux_setup(1, BENCH_DEMUX_BASE) < 0 || bench_demux_unhook() != 0) {
		*why = "installing and unhooking the filter failed";
		return -1;
	}
	t0 = bench_count();
	rc = bench_demux_run(BENCH_DEMUX_BASE, iters);
	*ticks = (uint32_t)(bench_count() - t0);
	*ops = iters;
	if (rc < 0)
		*why = "the path without the filters failed";
	return rc;
}

#define DEMUX_ROW(n, mode, suffix) \
	static int run_demux_##n##suffix(unsigned iters, uint64_t *ticks, uint64_t *ops, \
					 const char **why) \
	{ return run_demux(n, mode, iters, ticks, ops, why); }
#define DEMUX_ROWS(n) DEMUX_ROW(n, BENCH_DEMUX_COMPILED, ) \
	DEMUX_ROW(n, BENCH_DEMUX_TREE, _interp) DEMUX_ROW(n, BENCH_DEMUX_LINEAR, _linear)
DEMUX_ROWS(1)
DEMUX_ROWS(10)
DEMUX_ROWS(100)
DEMUX_ROWS(500)
DEMUX_ROW(100, BENCH_DEMUX_REJECT, _reject)

static const char *na_compiled(void) { return bench_demux_na(BENCH_DEMUX_COMPILED); }
static const char *na_tree(void) { return bench_demux_na(BENCH_DEMUX_TREE); }
static const char *na_linear(void) { return bench_demux_na(BENCH_DEMUX_LINEAR); }
static const char *na_base(void) { return bench_demux_na(BENCH_DEMUX_BASE); }
static const char *na_reject(void) { return bench_demux_na(BENCH_DEMUX_REJECT); }

/* The three rows of n filters, grouped by n. The compiled and one-by-one rows get
 * fewer iterations as n grows: Linux's cost grows with n there (its filters run one
 * after the other; with 20000 frames demux_500 would take minutes of host time).
 * Their smoke runs keep enough frames (100 at n = 1) that Linux's difference of two
 * paths stays above a timer interrupt's worth of noise. */
#define DEMUX_ENTRIES(n, what, compiled_iters, linear_iters) \
	{ "demux_" #n, "classify a frame, " what ", compiled merged tree (ExOS: DPF; " \
	  "Linux: its filters JIT-compiled, one after the other)", \
	  compiled_iters, compiled_iters / 100, na_compiled, run_demux_##n }, \
	{ "demux_" #n "_interp", "classify a frame, " what ", the merged tree interpreted " \
	  "(dcode)", 5000, 10, na_tree, run_demux_##n##_interp }, \
	{ "demux_" #n "_linear", "classify a frame, " what ", filters matched one by one " \
	  "(Linux: its filters interpreted, JIT off)", \
	  linear_iters, linear_iters / 50, na_linear, run_demux_##n##_linear }

const struct bench_row bench_rows_demux[] = {
	DEMUX_ENTRIES(1, "1 filter installed", 10000, 5000),
	DEMUX_ENTRIES(10, "10 filters installed", 5000, 2000),
	DEMUX_ENTRIES(100, "100 filters installed", 1000, 500),
	DEMUX_ENTRIES(500, "500 filters installed", 400, 200),
	{ "demux_100_reject", "as demux_100 with filters that reject every frame at once "
	  "(Linux: one BPF instruction each, JIT on: what its filters cost beyond the "
	  "predicates; ExOS: n/a)", 1000, 10, na_reject, run_demux_100_reject },
	{ "demux_base", "the path the demux rows subtract where they are a difference of "
	  "two timed paths (Linux: a frame sent through the loopback device, its filter "
	  "sockets unhooked)", 5000, 10, na_base, run_demux_base },
	{ 0, 0, 0, 0, 0, 0 }
};
