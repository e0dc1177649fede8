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
 */
#include "bench.h"

static int
run_demux(unsigned nfilters, unsigned mode, unsigned iters, uint64_t *ticks,
	  uint64_t *ops, const char **why)
{
	uint32_t t0, t1;

	if (bench_demux_setup(nfilters) < 0) {
		*why = "installing the filters failed";
		return -1;
	}
	t0 = bench_count();
	int rc = bench_demux_run(mode, iters);
	t1 = bench_count();
	if (rc < 0) {
		*why = "the frame was not classified to its filter";
		return -1;
	}
	*ticks = (uint32_t)(t1 - t0);
	*ops = iters;
	return 0;
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

static const char *na_compiled(void) { return bench_demux_na(BENCH_DEMUX_COMPILED); }
static const char *na_tree(void) { return bench_demux_na(BENCH_DEMUX_TREE); }
static const char *na_linear(void) { return bench_demux_na(BENCH_DEMUX_LINEAR); }

/* The three rows of n filters (the one-by-one rows get fewer iterations, as they grow
 * with n), grouped by n so that each set of filters is installed once. */
#define DEMUX_ENTRIES(n, what, linear_iters) \
	{ "demux_" #n, "classify a frame, " what ", compiled merged tree (ExOS: DPF)", \
	  20000, 10, na_compiled, run_demux_##n }, \
	{ "demux_" #n "_interp", "classify a frame, " what ", the merged tree interpreted " \
	  "(dcode)", 5000, 10, na_tree, run_demux_##n##_interp }, \
	{ "demux_" #n "_linear", "classify a frame, " what ", filters matched one by one", \
	  linear_iters, 10, na_linear, run_demux_##n##_linear }

const struct bench_row bench_rows_demux[] = {
	DEMUX_ENTRIES(1, "1 filter installed", 5000),
	DEMUX_ENTRIES(10, "10 filters installed", 2000),
	DEMUX_ENTRIES(100, "100 filters installed", 500),
	DEMUX_ENTRIES(500, "500 filters installed", 200),
	{ 0, 0, 0, 0, 0, 0 }
};
