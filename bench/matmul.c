/*
 * matmul.c: a 150x150 double-precision matrix multiply, the exokernel paper's check that
 * application-level virtual memory costs an ordinary compute-bound program nothing.
 * One operation = one full multiply C = A x B (3.4 million multiply-adds).
 */
#include "bench.h"

#define N 150

static double a[N][N], b[N][N], c[N][N];

static void
fill(void)
{
	int i, j;

	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++) {
			a[i][j] = (double)(i + j) / N;
			b[i][j] = (double)(i - j) / N;
		}
}

__attribute__((noinline)) static void
multiply(void)
{
	int i, j, k;
	double s;

	for (i = 0; i < N; i++)
		for (j = 0; j < N; j++) {
			s = 0.0;
			for (k = 0; k < N; k++)
				s += a[i][k] * b[k][j];
			c[i][j] = s;
		}
}

static int
run_matmul(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	unsigned i;
	uint64_t sum = 0;
	uint32_t t0, t1;
	double expect;
	int k;

	fill();
	for (i = 0; i < iters; i++) {
		t0 = bench_count();
		multiply();
		t1 = bench_count();
		sum += (uint32_t)(t1 - t0);
	}
	/* Check one element: c[1][2] = sum_k (1+k)(k-2) / N^2. */
	expect = 0.0;
	for (k = 0; k < N; k++)
		expect += (double)(1 + k) / N * ((double)(k - 2) / N);
	if (iters && (c[1][2] - expect > 1e-9 || expect - c[1][2] > 1e-9)) {
		*why = "wrong result";
		return -1;
	}
	*ticks = sum;
	*ops = iters;
	return 0;
}

const struct bench_row bench_rows_matmul[] = {
	{ "matmul", "150x150 double matrix multiply", 5, 1, 0, run_matmul },
	{ 0, 0, 0, 0, 0, 0 }
};
