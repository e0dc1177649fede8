/*
 * crossings.c: the cost of crossing into a procedure, the kernel, and a user-level
 * exception handler (the exokernel paper's "null procedure call", "null system call" and
 * exception-dispatch tables).
 *
 * Every row here times a batch of iters operations with one pair of counter readings,
 * so the loop overhead (a few instructions per iteration) is included, identically on
 * every system.
 */
#include "bench.h"

/* ---------------------------------------------------------- nullproc ---- */

__attribute__((noinline)) static void
null_proc(void)
{
	__asm__ __volatile__("" ::: "memory");
}

/* Called through a volatile pointer so that the compiler can neither inline nor hoist it. */
static void (*volatile null_proc_ptr)(void) = null_proc;

static int
run_nullproc(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	unsigned i;
	uint32_t t0, t1;

	(void)why;
	t0 = bench_count();
	for (i = 0; i < iters; i++)
		null_proc_ptr();
	t1 = bench_count();
	*ticks = (uint32_t)(t1 - t0);
	*ops = iters;
	return 0;
}

/* ---------------------------------------------------------- nullsys ---- */

/* iters calls of call(), timed as one batch, loop included. */
static int
run_calls(void (*call)(void), unsigned iters, uint64_t *ticks, uint64_t *ops)
{
	unsigned i;
	uint32_t t0, t1;

	t0 = bench_count();
	for (i = 0; i < iters; i++)
		call();
	t1 = bench_count();
	*ticks = (uint32_t)(t1 - t0);
	*ops = iters;
	return 0;
}

static int
run_nullsys(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	(void)why;
	return run_calls(bench_null_syscall, iters, ticks, ops);
}

static int
run_nullsys_slow(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	(void)why;
	return run_calls(bench_null_syscall_slow, iters, ticks, ops);
}

/* ------------------------------------------------- exception dispatch ---- */

static int
run_exc(enum bench_exc kind, unsigned iters, uint64_t *ticks, uint64_t *ops,
	const char **why)
{
	unsigned i;
	uint32_t t0, t1;
	unsigned long n;

	if (bench_exc_setup(kind)) {
		*why = "bench_exc_setup failed";
		return -1;
	}
	t0 = bench_count();
	for (i = 0; i < iters; i++)
		bench_exc_raise(kind);
	t1 = bench_count();
	n = bench_exc_count();
	bench_exc_teardown(kind);
	if (n != iters) {
		*why = "handler count differs from the number of exceptions raised";
		return -1;
	}
	*ticks = (uint32_t)(t1 - t0);
	*ops = iters;
	return 0;
}

#define EXC_ROW(fn, kind)                                                          \
	static const char *fn##_na(void) { return bench_exc_na(kind); }            \
	static int fn(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why) \
	{                                                                          \
		return run_exc(kind, iters, ticks, ops, why);                      \
	}

EXC_ROW(run_unalign, BENCH_EXC_UNALIGN)
EXC_ROW(run_overflow, BENCH_EXC_OVERFLOW)
EXC_ROW(run_coproc, BENCH_EXC_COPROC)
EXC_ROW(run_prot, BENCH_EXC_PROT)
EXC_ROW(run_unalign_light, BENCH_EXC_UNALIGN_LIGHT)

const struct bench_row bench_rows_crossings[] = {
	{ "nullproc", "null procedure call (through a pointer)", 1000000, 100, 0,
	  run_nullproc },
	{ "nullsys", "null system call", 100000, 20, 0, run_nullsys },
	{ "nullsys_slow", "null system call on the kernel's general path (Aegis: null_slow; "
	  "Linux: the same call as nullsys, its only path)", 100000, 20, 0, run_nullsys_slow },
	{ "exc_unalign", "unaligned load, dispatched to a user handler and back", 10000, 20,
	  run_unalign_na, run_unalign },
	{ "exc_overflow", "add overflow, dispatched to a user handler and back", 10000, 20,
	  run_overflow_na, run_overflow },
	{ "exc_coproc", "coprocessor unusable, dispatched to a user handler and back", 10000,
	  20, run_coproc_na, run_coproc },
	{ "exc_prot", "store to a protected page, to a user handler and back", 10000, 20,
	  run_prot_na, run_prot },
	{ "exc_unalign_light", "unaligned load, to an application-specific handler that only "
	  "counts it and steps over it (ExOS: exos_set_exception_skip, no frame; Linux: n/a)",
	  10000, 20, run_unalign_light_na, run_unalign_light },
	{ 0, 0, 0, 0, 0, 0 }
};
