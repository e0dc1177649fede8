/*
 * scale.c: how costs grow with the number of pages involved (issue 11).
 *
 *   tlbsweep_N       N = 16 .. 16384 pages: read one word of each page in turn, over and
 *                    over; per access.  The TLB (16 pairs), QEMU's hidden copies of
 *                    evicted entries, Aegis's STLB (STLB_ENTRIES pairs) and Linux's page
 *                    tables are passed one after the other as N grows.
 *   tlbmiss          one word of every other page of 16384 (one access per pair, 8192
 *                    pairs): on Aegis every access misses TLB and STLB (see run_tlbmiss);
 *                    per access.
 *   protN_N          N = 1 .. 1000: one bench_protect of N pages (as prot100); per page.
 *   unprotN_touch_N  one bench_unprotect of N pages, then a read of each (as
 *                    unprot100_touch); per page.
 *   appel1_N         N = 100 .. 10000: the appel1 pattern over N pages; per page.
 *
 * Every row works in one region of REGION_PAGES pages, allocated and touched on first
 * use and shared by all (regions are never freed): the rows on N pages use its first N
 * pages, so each range starts at the edge of its mapping, as prot100 and unprot100 do.
 * Every row leaves the whole region accessible.
 */
#include "bench.h"

#define REGION_PAGES	16384u	/* the largest sweep: 64 MiB */

static char *region;

/* Address of page i of the region. */
static char *
page(unsigned i)
{
	return region + (unsigned long)i * BENCH_PAGE;
}

/* Allocate the region on first use (bench_alloc_pages touches every page); 0 or -1. */
static int
need_region(const char **why)
{
	if (region)
		return 0;
	region = bench_alloc_pages(REGION_PAGES);
	if (!region) {
		*why = "bench_alloc_pages failed (16384 pages)";
		return -1;
	}
	return 0;
}

/*
 * Read one word of every stride-th page of the region's first npages pages (first word
 * of the page), in address order; passes times.  The loop adds a few instructions per
 * access, the same on every system.
 */
static void
sweep(unsigned npages, unsigned stride, unsigned passes)
{
	const char *end = page(npages);
	unsigned long step = (unsigned long)stride * BENCH_PAGE;
	const char *p;
	unsigned r;

	for (r = 0; r < passes; r++)
		for (p = region; p < end; p += step)
			(void)*(const volatile uint32_t *)p;
}

/* ---------------------------------------------------- tlbsweep, tlbmiss ---- */

/*
 * Sweep the region's first npages pages, one access every stride pages: one untimed pass
 * (so that the timed passes find the TLB, STLB and page tables in their steady state),
 * then as many timed passes as cover iters accesses (rounded up to whole passes).
 * Per access.
 */
static int
timed_sweep(unsigned npages, unsigned stride, unsigned iters, uint64_t *ticks, uint64_t *ops,
	    const char **why)
{
	unsigned per_pass = npages / stride;
	unsigned passes = (iters + per_pass - 1) / per_pass;
	uint32_t t0, t1;

	if (need_region(why))
		return -1;
	sweep(npages, stride, 1);
	t0 = bench_count();
	sweep(npages, stride, passes);
	t1 = bench_count();
	*ticks = (uint32_t)(t1 - t0);
	*ops = (uint64_t)passes * per_pass;
	return 0;
}

/*
 * tlbmiss: one access per pair of pages over the whole region, 8192 consecutive pairs.
 * Aegis's STLB is direct-mapped, pair VPN2 in slot (VPN2 ^ ASID) mod STLB_ENTRIES
 * (stlb_index() in aegis/tlb.c, up to 8192 entries): for any STLB_ENTRIES that divides
 * 8192 (4096 by default, or 1024, ...) each slot serves 8192 / STLB_ENTRIES >= 2 pairs of
 * the sweep in turn, so every access finds the slot holding another pair and evicts it.
 * 8192 pairs are also far more than QEMU's TLB holds (16 entries plus up to 112 hidden
 * copies of evicted ones, kept until a tlbwi discards them): with the default STLB, 99.6%
 * of the accesses reached ExOS (counted once with ExOS's vm_stats).  So an access is the
 * design's whole miss path on Aegis: refill vector, STLB miss, slow path, forward to
 * ExOS, page-table walk, tlbwr.  (With STLB_ENTRIES = 16384 the 8192 pairs fit and the
 * row measures STLB hits instead.)  On Linux it is the same strided sweep: a TLB refill
 * from its page tables per access.
 */
static int
run_tlbmiss(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	return timed_sweep(REGION_PAGES, 2, iters, ticks, ops, why);
}

/* ------------------------------------------------- protN, unprotN_touch ---- */

/*
 * iters times: make the region's first n pages inaccessible with one bench_protect, then
 * accessible again with one bench_unprotect.  With time_unprotect = 0 only the protect is
 * timed (protN_n, like prot100); otherwise the unprotect and a read of each page after it
 * (unprotN_touch_n, like unprot100_touch: work a system leaves to the first access is
 * counted).  Per page.
 */
static int
protect_cycles(unsigned n, int time_unprotect, unsigned iters, uint64_t *ticks, uint64_t *ops,
	       const char **why)
{
	unsigned i;
	uint64_t sum = 0;
	uint32_t t0, t1, t2;

	if (need_region(why))
		return -1;
	for (i = 0; i < iters; i++) {
		t0 = bench_count();
		if (bench_protect(region, n))
			goto fail;
		t1 = bench_count();
		if (bench_unprotect(region, n))
			goto fail;
		if (time_unprotect)
			sweep(n, 1, 1);
		t2 = bench_count();
		sum += time_unprotect ? (uint32_t)(t2 - t1) : (uint32_t)(t1 - t0);
	}
	*ticks = sum;
	*ops = (uint64_t)iters * n;
	return 0;
fail:
	*why = "bench_protect/bench_unprotect failed";
	return -1;
}

/* ---------------------------------------------------------------- appel1_N ---- */

/* appel1 over the region's first n pages (appel_li.c's bench_appel1_cycle). */
static int
appel1_over(unsigned n, unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	if (need_region(why))
		return -1;
	return bench_appel1_cycle(page(0), n, iters, ticks, ops, why);
}

/* ------------------------------------------------------------------ table ---- */

#define ROW_FN(fn, call)                                                              \
	static int fn(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why) \
	{                                                                             \
		return call;                                                          \
	}
ROW_FN(run_tlbsweep_16, timed_sweep(16, 1, iters, ticks, ops, why))
ROW_FN(run_tlbsweep_64, timed_sweep(64, 1, iters, ticks, ops, why))
ROW_FN(run_tlbsweep_256, timed_sweep(256, 1, iters, ticks, ops, why))
ROW_FN(run_tlbsweep_1024, timed_sweep(1024, 1, iters, ticks, ops, why))
ROW_FN(run_tlbsweep_4096, timed_sweep(4096, 1, iters, ticks, ops, why))
ROW_FN(run_tlbsweep_16384, timed_sweep(16384, 1, iters, ticks, ops, why))
ROW_FN(run_protn_1, protect_cycles(1, 0, iters, ticks, ops, why))
ROW_FN(run_protn_10, protect_cycles(10, 0, iters, ticks, ops, why))
ROW_FN(run_protn_100, protect_cycles(100, 0, iters, ticks, ops, why))
ROW_FN(run_protn_1000, protect_cycles(1000, 0, iters, ticks, ops, why))
ROW_FN(run_unprotn_touch_1, protect_cycles(1, 1, iters, ticks, ops, why))
ROW_FN(run_unprotn_touch_10, protect_cycles(10, 1, iters, ticks, ops, why))
ROW_FN(run_unprotn_touch_100, protect_cycles(100, 1, iters, ticks, ops, why))
ROW_FN(run_unprotn_touch_1000, protect_cycles(1000, 1, iters, ticks, ops, why))
ROW_FN(run_appel1_100, appel1_over(100, iters, ticks, ops, why))
ROW_FN(run_appel1_1000, appel1_over(1000, iters, ticks, ops, why))
ROW_FN(run_appel1_10000, appel1_over(10000, iters, ticks, ops, why))

/*
 * Iteration counts: accesses for the sweeps (rounded up to whole passes; --smoke: one
 * pass), calls for protN/unprotN_touch (the figure is per page: ops = calls x N), pages
 * for appel1_N (appel1_10000 makes one whole lap).
 */
const struct bench_row bench_rows_scale[] = {
	{ "tlbsweep_16", "read a word of each of 16 pages in turn, per access",
	  262144, 1, 0, run_tlbsweep_16 },
	{ "tlbsweep_64", "read a word of each of 64 pages in turn, per access",
	  262144, 1, 0, run_tlbsweep_64 },
	{ "tlbsweep_256", "read a word of each of 256 pages in turn, per access",
	  262144, 1, 0, run_tlbsweep_256 },
	{ "tlbsweep_1024", "read a word of each of 1024 pages in turn, per access",
	  262144, 1, 0, run_tlbsweep_1024 },
	{ "tlbsweep_4096", "read a word of each of 4096 pages in turn, per access",
	  262144, 1, 0, run_tlbsweep_4096 },
	{ "tlbsweep_16384", "read a word of each of 16384 pages in turn, per access",
	  262144, 1, 0, run_tlbsweep_16384 },
	{ "tlbmiss", "read a word of every other page of 16384 (8192 pairs; Aegis: an STLB "
	  "miss each time), per access", 32768, 1, 0, run_tlbmiss },
	{ "protN_1", "read-protect 1 page (one call), per page",
	  10000, 20, 0, run_protn_1 },
	{ "protN_10", "read-protect 10 pages (one call), per page",
	  4000, 10, 0, run_protn_10 },
	{ "protN_100", "read-protect 100 pages (one call), per page",
	  2000, 5, 0, run_protn_100 },
	{ "protN_1000", "read-protect 1000 pages (one call), per page",
	  300, 2, 0, run_protn_1000 },
	{ "unprotN_touch_1", "unprotect 1 page (one call), then read it, per page",
	  10000, 20, 0, run_unprotn_touch_1 },
	{ "unprotN_touch_10", "unprotect 10 pages (one call), then read each, per page",
	  4000, 10, 0, run_unprotn_touch_10 },
	{ "unprotN_touch_100", "unprotect 100 pages (one call), then read each, per page",
	  2000, 5, 0, run_unprotn_touch_100 },
	{ "unprotN_touch_1000", "unprotect 1000 pages (one call), then read each, per page",
	  300, 2, 0, run_unprotn_touch_1000 },
	{ "appel1_100", "prot1+trap+unprot cycling over 100 pages, per page",
	  2000, 20, 0, run_appel1_100 },
	{ "appel1_1000", "prot1+trap+unprot cycling over 1000 pages, per page",
	  2000, 20, 0, run_appel1_1000 },
	{ "appel1_10000", "prot1+trap+unprot cycling over 10000 pages, per page",
	  10000, 20, 0, run_appel1_10000 },
	{ 0, 0, 0, 0, 0, 0 }
};
