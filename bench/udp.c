/*
 * udp.c: issue 10's udp_rtt rows. The round trip of a BENCH_UDP_BYTES-byte
 * UDP datagram to an echo partner on the same board, over the boot's two NICs
 * on one virtual wire (the back end sets the partner up; bench.h), timed like
 * the IPC rows: the partner and any competitors start in setup and stop in
 * teardown, outside the timed region, and every round trip is checked.
 *
 *   udp_rtt              the partner replies from user space, nothing beside
 *   udp_rtt_load{N}      the same beside N compute-bound competitors (0..8)
 *   udp_rtt_ash          the partner's reply sent by an ASH in the kernel
 *   udp_rtt_ash_load{N}  the same beside N competitors
 *
 * Figures are per round trip. These rows need the two NICs: the runners
 * (tools/baseline/run.py, tools/bench_aegis.py) boot them separately with
 * tools/qemu.py nics(2) on both systems.
 */
#include "bench.h"

/* iters round trips beside `competitors`; 0, or -1 with *why. */
static int
run_udp(enum bench_udp_mode mode, unsigned competitors, unsigned iters,
	uint64_t *ticks, uint64_t *ops, const char **why)
{
	unsigned i, bad = 0;
	uint32_t t0, t1;

	if (bench_udp_setup(mode, competitors)) {
		*why = "bench_udp_setup failed";
		return -1;
	}
	t0 = bench_count();
	for (i = 0; i < iters; i++)
		bad += bench_udp_rtt() != 0;
	t1 = bench_count();
	bench_udp_teardown();
	if (bad) {
		*why = "a round trip failed (no echo, or a wrong one)";
		return -1;
	}
	*ticks = (uint32_t)(t1 - t0);
	*ops = iters;
	return 0;
}

static const char *na_plain(void) { return bench_udp_na(BENCH_UDP_PLAIN); }
static const char *na_ash(void) { return bench_udp_na(BENCH_UDP_ASH); }

#define UDP_ROW(fn, mode, n) \
	static int fn(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why) \
	{ return run_udp(mode, n, iters, ticks, ops, why); }
/* The row alone and its sweep over the competitors. */
#define UDP_ROWS(fn, mode) UDP_ROW(fn, mode, 0) UDP_ROW(fn##_0, mode, 0) \
	UDP_ROW(fn##_1, mode, 1) UDP_ROW(fn##_2, mode, 2) UDP_ROW(fn##_4, mode, 4) \
	UDP_ROW(fn##_8, mode, 8)
UDP_ROWS(run_plain, BENCH_UDP_PLAIN)
UDP_ROWS(run_ash, BENCH_UDP_ASH)

/* With competitors the client waits for their whole slices now and then (a
 * slice is about 70 round trips long): 1,000 round trips a repetition span
 * many turns of the slice vector, so the mean is the steady state and
 * repeats (at 100, a repetition held one turn or two, and the rows were
 * bimodal). The sweep's 0 uses the same count as its other points. */
#define LOAD_ENTRY(base, n, na, fn) \
	{ base "_load" #n, base " beside " #n " compute-bound competitors", 1000, 3, na, fn }
#define SWEEP(base, na, fn) LOAD_ENTRY(base, 0, na, fn##_0), \
	LOAD_ENTRY(base, 1, na, fn##_1), LOAD_ENTRY(base, 2, na, fn##_2), \
	LOAD_ENTRY(base, 4, na, fn##_4), LOAD_ENTRY(base, 8, na, fn##_8)
const struct bench_row bench_rows_udp[] = {
	{ "udp_rtt", "UDP round trip of 32 bytes to an echo partner over two NICs on one "
	  "virtual wire (ExOS: user-level stacks; Linux: a process in another network "
	  "namespace)", 2000, 20, na_plain, run_plain },
	SWEEP("udp_rtt", na_plain, run_plain),
	{ "udp_rtt_ash", "udp_rtt with the partner's reply sent by an ASH in the kernel "
	  "(Linux: n/a)", 2000, 20, na_ash, run_ash },
	SWEEP("udp_rtt_ash", na_ash, run_ash),
	{ 0, 0, 0, 0, 0, 0 }
};
