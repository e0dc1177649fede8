/*
 * appel_li.c: the virtual-memory primitives of Appel and Li (ASPLOS 1991) as run by the
 * exokernel paper: dirty, prot1, prot100, unprot100, trap, appel1, appel2; with the
 * _mid positions and the _touch rows that count work left to the first access.
 *
 * All rows share one region of REGION_PAGES pages, allocated on first use and touched so
 * that every page is present.  Rows that work on 100 pages use pages 0..NPAGES-1 of it, so
 * the range never covers the whole region (the same on every system).
 */
#include "bench.h"

#define NPAGES		100	/* pages used by prot100/unprot100/appel1/appel2 */
#define REGION_PAGES	128

static char *region;

static volatile unsigned long faults;	/* calls of the current fault handler */

static char *
page(unsigned i)
{
	return region + (unsigned long)i * BENCH_PAGE;
}

static int
need_region(const char **why)
{
	unsigned i;

	if (region)
		return 0;
	region = bench_alloc_pages(REGION_PAGES);
	if (!region) {
		*why = "bench_alloc_pages failed";
		return -1;
	}
	for (i = 0; i < REGION_PAGES; i++)
		((volatile char *)page(i))[0] = 1;
	return 0;
}

/* Store one byte to addr (volatile: the compiler must do the store). */
static void
touch(char *addr)
{
	*(volatile char *)addr = 1;
}

/* ----------------------------------------------------------------- dirty ---- */

static const char *
dirty_na(void)
{
	return bench_dirty_na();
}

/* Ask iters times whether one (written) page is dirty. */
static int
run_dirty(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	unsigned i;
	int d = 0;
	uint32_t t0, t1;

	if (need_region(why))
		return -1;
	touch(page(0));
	t0 = bench_count();
	for (i = 0; i < iters; i++)
		d |= bench_is_dirty(page(0));
	t1 = bench_count();
	if (d != 1) {
		*why = "bench_is_dirty did not report a written page as dirty";
		return -1;
	}
	*ticks = (uint32_t)(t1 - t0);
	*ops = iters;
	return 0;
}

/* -------------------------------------------------- prot1, prot100, unprot100 ---- */

/*
 * Where in the region a row works.  Linux's cost depends on it (a range at the edge of
 * its mapping splits it in two, one in the middle in three), ExOS's does not: every row
 * runs at the edge (the range starts at the region's first page) and, as the _mid rows,
 * in the middle, so that Aegis is compared with Linux's better position.
 */
#define EDGE	0
#define MID1	(REGION_PAGES / 2)			/* prot1_mid's page */
#define MID100	((REGION_PAGES - NPAGES) / 2)		/* first page of the _mid ranges */

/*
 * prot1: read-protect one accessible page.  Each iteration times one bench_protect of a
 * page that is accessible, then (untimed) makes it accessible again.
 */
static int
prot1_at(unsigned first, unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	unsigned i;
	uint64_t sum = 0;
	uint32_t t0, t1;

	if (need_region(why))
		return -1;
	for (i = 0; i < iters; i++) {
		t0 = bench_count();
		if (bench_protect(page(first), 1))
			goto fail;
		t1 = bench_count();
		if (bench_unprotect(page(first), 1))
			goto fail;
		sum += (uint32_t)(t1 - t0);
	}
	*ticks = sum;
	*ops = iters;
	return 0;
fail:
	*why = "bench_protect/bench_unprotect failed";
	return -1;
}

/* prot100: read-protect 100 accessible pages with one call. */
static int
prot100_at(unsigned first, unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	unsigned i;
	uint64_t sum = 0;
	uint32_t t0, t1;

	if (need_region(why))
		return -1;
	for (i = 0; i < iters; i++) {
		t0 = bench_count();
		if (bench_protect(page(first), NPAGES))
			goto fail;
		t1 = bench_count();
		if (bench_unprotect(page(first), NPAGES))
			goto fail;
		sum += (uint32_t)(t1 - t0);
	}
	*ticks = sum;
	*ops = iters;
	return 0;
fail:
	*why = "bench_protect/bench_unprotect failed";
	return -1;
}

/*
 * unprot100: make 100 protected pages accessible with one call.  With touch, the timed
 * region also reads one word of each page afterwards, so that work a system leaves to
 * the first access (a translation installed on a miss) is counted.
 */
static int
unprot100_at(unsigned first, int touch_after, unsigned iters, uint64_t *ticks, uint64_t *ops,
	     const char **why)
{
	unsigned i, j;
	uint64_t sum = 0;
	uint32_t t0, t1;

	if (need_region(why))
		return -1;
	for (i = 0; i < iters; i++) {
		if (bench_protect(page(first), NPAGES))
			goto fail;
		t0 = bench_count();
		if (bench_unprotect(page(first), NPAGES))
			goto fail;
		for (j = 0; touch_after && j < NPAGES; j++)
			(void)*(volatile char *)page(first + j);
		t1 = bench_count();
		sum += (uint32_t)(t1 - t0);
	}
	*ticks = sum;
	*ops = iters;
	return 0;
fail:
	*why = "bench_protect/bench_unprotect failed";
	return -1;
}

/*
 * prot100_touch: read-protect 100 pages with one call, then store to each; every store
 * must reach the fault handler, which unprotects that page.  So nothing a system left
 * undone in the protect call can go unnoticed or untimed.  Per 100 pages.
 */
static void
unprotect_handler(void *addr)
{
	faults++;
	bench_unprotect((char *)((unsigned long)addr & ~(unsigned long)(BENCH_PAGE - 1)), 1);
}

static int
run_prot100_touch(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	unsigned i, j;
	uint32_t t0, t1;

	if (need_region(why))
		return -1;
	faults = 0;
	bench_set_fault_handler(unprotect_handler);
	t0 = bench_count();
	for (i = 0; i < iters; i++) {
		if (bench_protect(page(EDGE), NPAGES))
			break;
		for (j = 0; j < NPAGES; j++)
			touch(page(EDGE + j));
	}
	t1 = bench_count();
	bench_set_fault_handler(0);
	if (i != iters) {
		*why = "bench_protect failed";
		return -1;
	}
	if (faults != (unsigned long)iters * NPAGES) {
		*why = "fault handler call count differs from the number of pages touched";
		return -1;
	}
	*ticks = (uint32_t)(t1 - t0);
	*ops = iters;
	return 0;
}

#define AT_ROW(fn, call)                                                              \
	static int fn(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why) \
	{                                                                             \
		return call;                                                          \
	}
AT_ROW(run_prot1, prot1_at(EDGE, iters, ticks, ops, why))
AT_ROW(run_prot1_mid, prot1_at(MID1, iters, ticks, ops, why))
AT_ROW(run_prot100, prot100_at(EDGE, iters, ticks, ops, why))
AT_ROW(run_prot100_mid, prot100_at(MID100, iters, ticks, ops, why))
AT_ROW(run_unprot100, unprot100_at(EDGE, 0, iters, ticks, ops, why))
AT_ROW(run_unprot100_mid, unprot100_at(MID100, 0, iters, ticks, ops, why))
AT_ROW(run_unprot100_touch, unprot100_at(EDGE, 1, iters, ticks, ops, why))

/* ------------------------------------------------------------------ trap ---- */

/*
 * trap: from just before a store to a protected page until the user-level handler runs.
 * The handler reads the counter first thing, then (untimed) unprotects the page so that
 * the store completes.
 */
static volatile uint32_t trap_t1;
static char *trap_page;

static void
trap_handler(void *addr)
{
	trap_t1 = bench_count();
	(void)addr;
	faults++;
	bench_unprotect(trap_page, 1);
}

static int
run_trap(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	unsigned i;
	uint64_t sum = 0;
	uint32_t t0;

	if (need_region(why))
		return -1;
	faults = 0;
	bench_set_fault_handler(trap_handler);
	for (i = 0; i < iters; i++) {
		trap_page = page(i % NPAGES);
		if (bench_protect(trap_page, 1)) {
			bench_set_fault_handler(0);
			*why = "bench_protect failed";
			return -1;
		}
		t0 = bench_count();
		touch(trap_page);
		sum += (uint32_t)(trap_t1 - t0);
	}
	bench_set_fault_handler(0);
	if (faults != iters) {
		*why = "fault handler call count differs from the number of traps";
		return -1;
	}
	*ticks = sum;
	*ops = iters;
	return 0;
}

/* ---------------------------------------------------------------- appel1 ---- */

/*
 * appel1 (prot1 + trap + unprot) over the n pages at base (n >= 2, each present): all
 * protected but the last; store to pages 0, 1, ... n-1, 0, ... in turn, iters stores in
 * all, each faulting once; the handler protects the previously touched page (the only
 * accessible one) and unprotects the faulting one.  The loop is timed as a whole; the
 * figure is per page.  Set-up and the final unprotect of all n pages are untimed.  Used
 * by the appel1 row (NPAGES pages) and by scale.c's appel1_N rows.
 */
static char *appel1_prev;
static volatile unsigned long appel1_faults;

static void
appel1_handler(void *addr)
{
	char *p = (char *)((unsigned long)addr & ~(unsigned long)(BENCH_PAGE - 1));

	appel1_faults++;
	bench_protect(appel1_prev, 1);
	bench_unprotect(p, 1);
	appel1_prev = p;
}

int
bench_appel1_cycle(char *base, unsigned n, unsigned iters, uint64_t *ticks, uint64_t *ops,
		   const char **why)
{
	unsigned i, j;
	uint32_t t0, t1;
	char *last = base + (unsigned long)(n - 1) * BENCH_PAGE;

	if (bench_protect(base, n - 1) || bench_unprotect(last, 1)) {
		*why = "bench_protect failed";
		return -1;
	}
	appel1_prev = last;
	appel1_faults = 0;
	bench_set_fault_handler(appel1_handler);
	t0 = bench_count();
	for (i = 0, j = 0; i < iters; i++) {
		*(volatile char *)(base + (unsigned long)j * BENCH_PAGE) = 1;
		if (++j == n)
			j = 0;
	}
	t1 = bench_count();
	bench_set_fault_handler(0);
	if (bench_unprotect(base, n)) {
		*why = "bench_unprotect failed";
		return -1;
	}
	if (appel1_faults != iters) {
		*why = "fault handler call count differs from the number of pages touched";
		return -1;
	}
	*ticks = (uint32_t)(t1 - t0);
	*ops = iters;
	return 0;
}

static int
run_appel1(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	if (need_region(why))
		return -1;
	return bench_appel1_cycle(page(0), NPAGES, iters, ticks, ops, why);
}

/* ---------------------------------------------------------------- appel2 ---- */

/*
 * appel2 (protN + trap + unprot): protect NPAGES pages with one call, then touch each
 * once in a random order; the handler unprotects the faulting page.  The protect call,
 * the traps and the unprotects are all timed; the figure is per page.  iters is the
 * number of pages and is rounded up to a multiple of NPAGES.  The order is a fixed
 * pseudo-random permutation, the same on every system.
 */
static unsigned short appel2_order[NPAGES];

static void
appel2_handler(void *addr)
{
	char *p = (char *)((unsigned long)addr & ~(unsigned long)(BENCH_PAGE - 1));

	faults++;
	bench_unprotect(p, 1);
}

static void
make_order(void)
{
	uint32_t x = 12345;
	unsigned i, j;
	unsigned short t;

	for (i = 0; i < NPAGES; i++)
		appel2_order[i] = (unsigned short)i;
	for (i = NPAGES - 1; i > 0; i--) {
		x = x * 1103515245u + 12345u;
		j = (x >> 16) % (i + 1);
		t = appel2_order[i];
		appel2_order[i] = appel2_order[j];
		appel2_order[j] = t;
	}
}

static int
run_appel2(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	unsigned r, i, rounds = (iters + NPAGES - 1) / NPAGES;
	uint32_t t0, t1;

	if (need_region(why))
		return -1;
	make_order();
	faults = 0;
	bench_set_fault_handler(appel2_handler);
	t0 = bench_count();
	for (r = 0; r < rounds; r++) {
		if (bench_protect(page(0), NPAGES))
			break;
		for (i = 0; i < NPAGES; i++)
			touch(page(appel2_order[i]));
	}
	t1 = bench_count();
	bench_set_fault_handler(0);
	if (r != rounds) {
		*why = "bench_protect failed";
		return -1;
	}
	if (faults != (unsigned long)rounds * NPAGES) {
		*why = "fault handler call count differs from the number of pages touched";
		return -1;
	}
	*ticks = (uint32_t)(t1 - t0);
	*ops = (uint64_t)rounds * NPAGES;
	return 0;
}

const struct bench_row bench_rows_appel_li[] = {
	{ "dirty", "ask whether one page is dirty", 10000, 20, dirty_na, run_dirty },
	{ "prot1", "read-protect one page (at the edge of its mapping)", 10000, 20, 0, run_prot1 },
	{ "prot1_mid", "read-protect one page (in the middle of its mapping)", 10000, 20, 0,
	  run_prot1_mid },
	{ "prot100", "read-protect 100 pages (one call; at the edge of their mapping)", 2000, 5,
	  0, run_prot100 },
	{ "prot100_mid", "read-protect 100 pages (one call; in the middle of their mapping)",
	  2000, 5, 0, run_prot100_mid },
	{ "unprot100", "unprotect 100 pages (one call; at the edge of their mapping)", 2000, 5,
	  0, run_unprot100 },
	{ "unprot100_mid", "unprotect 100 pages (one call; in the middle of their mapping)",
	  2000, 5, 0, run_unprot100_mid },
	{ "prot100_touch", "read-protect 100 pages, then store to each (a fault each; the "
	  "handler unprotects the page), per 100 pages", 200, 2, 0, run_prot100_touch },
	{ "unprot100_touch", "unprotect 100 pages, then read each, per 100 pages", 2000, 5, 0,
	  run_unprot100_touch },
	{ "trap", "store to a protected page until the user handler runs", 10000, 20, 0,
	  run_trap },
	{ "appel1", "prot1+trap+unprot, per page", 10000, 20, 0, run_appel1 },
	{ "appel2", "protN+trap+unprot (N=100, random order), per page", 10000, 100, 0,
	  run_appel2 },
	{ 0, 0, 0, 0, 0, 0 }
};
