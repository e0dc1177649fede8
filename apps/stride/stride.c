/*
 * stride: an application-level stride scheduler (Waldspurger's stride
 * scheduling) in one environment, as in the exokernel paper: it is the only
 * owner of slices among its workers, and gives the processor to them with
 * yield_to in proportion to their tickets.
 *
 * Three workers (spin mode 5) give up their own slice positions and add up
 * the processor time they receive in a page shared with the scheduler. Each time the
 * scheduler runs, it picks the worker with the smallest pass and yields to
 * it; the time the worker actually ran (Count ticks until the scheduler runs
 * again) advances that worker's pass by stride = L / tickets, so partial
 * slices are charged exactly. After the run the time received must split as
 * the tickets do, within 5%. Exit status 0 if it does.
 */
#include "exos.h"

#define SHARE_VA 0x00006000u     /* within the workers' reach of $zero, unused */
#define NWORK    3
#define RUN_TICKS (400u * 100000u)  /* about 400 slices of work in all */

int main(void)
{
	static const u32 tickets[NWORK] = { 100, 200, 300 };
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 ppn = (u32)r, check = (u32)(r >> 32);
	if ((int)ppn < 0 || vm_map_page(0x30000000u, ppn, check, VM_RW) < 0)
		return 2;
	volatile u32 *counts = (volatile u32 *)0x30000000u;
	struct exos_share share = { SHARE_VA, ppn, check };
	int worker[NWORK];
	u64 pass[NWORK];
	u32 stride[NWORK];
	for (int i = 0; i < NWORK; i++) {
		counts[i] = 0;
		stride[i] = 1000000u / tickets[i];
		pass[i] = stride[i];
		worker[i] = exos_spawn_with("spin", 5 | (u32)i << 8, &share, 1);
		if (worker[i] < 0)
			return 3;
	}
	/* Let the workers give up their own slices before the run starts. */
	for (int i = 0; i < NWORK; i++)
		sys_yield_to((u32)worker[i]);
	for (int i = 0; i < NWORK; i++)
		counts[i] = 0;
	u32 start = read_count(), next_report = 10 * 100000u;
	while (read_count() - start < RUN_TICKS) {
		if (read_count() - start >= next_report) {
			/* Cumulative processor time of each worker so far, for the plot
			 * of shares over time (tools/stride_plot.py). */
			printf("STRIDE t=%u w0=%u w1=%u w2=%u\n", (read_count() - start) / 1000,
			       counts[0] / 1000, counts[1] / 1000, counts[2] / 1000);
			next_report += 10 * 100000u;
		}
		int k = 0;
		for (int i = 1; i < NWORK; i++)
			if (pass[i] < pass[k])
				k = i;
		u32 t0 = read_count();
		sys_yield_to((u32)worker[k]);
		u32 ran = read_count() - t0;           /* at most about a slice */
		pass[k] += stride[k] * (ran < 400000u ? ran : 400000u) / 1000u;
	}
	/* Times in units of 10,000 ticks keep the arithmetic in 32 bits. */
	u32 got[NWORK], total = 0, ttotal = 0;
	for (int i = 0; i < NWORK; i++) {
		got[i] = counts[i] / 10000;
		total += got[i];
		ttotal += tickets[i];
		sys_env_destroy((u32)worker[i]);
	}
	int bad = 0;
	printf("stride: tickets 100:200:300, shares");
	for (int i = 0; i < NWORK; i++) {
		/* share / expected, in thousandths */
		u32 ratio = total ? got[i] * ttotal / tickets[i] * 1000 / total : 0;
		printf(" %u.%03u", ratio / 1000, ratio % 1000);
		bad += ratio < 950 || ratio > 1050;
	}
	printf(" of their ticket shares (must be within 5%%)\n");
	return bad;
}
