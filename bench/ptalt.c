/*
 * ptalt.c: the Appel-Li rows again with a library OS's alternative page-table
 * structure (the exokernel paper's extensibility section: ExOS with an inverted page
 * table). Row `<base>_inv` runs row `<base>` of appel_li.c, unchanged, in a program
 * whose library OS uses the other structure: the back end starts that program
 * (bench_pt_alt_run), which calls bench_pt_alt_serve and hands the figures back.
 * A system with one page-table structure answers n/a (bench_pt_alt_na).
 */
#include "bench.h"

/* The base rows, by index (the index is what crosses to the other program). */
static const char *const base_rows[] = {
	"dirty", "prot1", "prot100", "unprot100", "trap", "appel1", "appel2",
};
#define NBASE (sizeof(base_rows) / sizeof(base_rows[0]))

static int
same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int
bench_pt_alt_serve(unsigned base, unsigned iters, uint64_t *ticks, uint64_t *ops,
		   const char **why)
{
	const struct bench_row *r;

	*why = "no such base row";
	if (base >= NBASE)
		return -1;
	for (r = bench_rows_appel_li; r->name && !same(r->name, base_rows[base]); r++)
		;
	if (!r->name)
		return -1;
	if (r->na && r->na()) {
		*why = r->na();
		return -1;
	}
	/* Warm-up in this program (as the driver does), then the measured run. */
	if (r->run(iters, ticks, ops, why))
		return -1;
	return r->run(iters, ticks, ops, why);
}

#define PT_ROW(fn, base)                                                           \
	static int fn(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why) \
	{                                                                          \
		return bench_pt_alt_run(base, iters, ticks, ops, why);              \
	}

PT_ROW(run_dirty_inv, 0)
PT_ROW(run_prot1_inv, 1)
PT_ROW(run_prot100_inv, 2)
PT_ROW(run_unprot100_inv, 3)
PT_ROW(run_trap_inv, 4)
PT_ROW(run_appel1_inv, 5)
PT_ROW(run_appel2_inv, 6)

/* Same iterations as the base rows in appel_li.c. */
const struct bench_row bench_rows_ptalt[] = {
	{ "dirty_inv", "dirty, inverted page table", 10000, 20, bench_pt_alt_na, run_dirty_inv },
	{ "prot1_inv", "prot1, inverted page table", 10000, 20, bench_pt_alt_na, run_prot1_inv },
	{ "prot100_inv", "prot100, inverted page table", 2000, 5, bench_pt_alt_na,
	  run_prot100_inv },
	{ "unprot100_inv", "unprot100, inverted page table", 2000, 5, bench_pt_alt_na,
	  run_unprot100_inv },
	{ "trap_inv", "trap, inverted page table", 10000, 20, bench_pt_alt_na, run_trap_inv },
	{ "appel1_inv", "appel1, inverted page table, per page", 10000, 20, bench_pt_alt_na,
	  run_appel1_inv },
	{ "appel2_inv", "appel2, inverted page table, per page", 10000, 100, bench_pt_alt_na,
	  run_appel2_inv },
	{ 0, 0, 0, 0, 0, 0 }
};
