/*
 * envs.c: environments as the work grows (issue 11).
 *
 *   envs_N   N = 10, 100, 1000: N times in a row, create a child environment (a fork of
 *            the benchmark), let it run (it exits at once with status 0) and destroy it
 *            (wait for it and reap it); per environment.  ExOS: exos_fork, exit,
 *            exos_wait; Linux: fork, _exit, waitpid.
 *
 * The table runs first in the program, so the process being forked is the same small one
 * on both systems whatever rows follow (the other rows map regions they keep).  A cost
 * that grows with N would show a table that is walked per environment ever made; the
 * figures are per environment, so a flat line is the expected result.
 */
#include "bench.h"

static int
run_envs(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why)
{
	uint32_t t0 = bench_count();
	for (unsigned i = 0; i < iters; i++)
		if (bench_env_cycle()) {
			*why = "a child was not created, did not exit with 0, or was not reaped";
			return -1;
		}
	*ticks = (uint32_t)(bench_count() - t0);
	*ops = iters;
	return 0;
}

const struct bench_row bench_rows_envs[] = {
	{ "envs_10", "create, run and destroy 10 environments one after another (ExOS: "
	  "exos_fork, exit, exos_wait; Linux: fork, _exit, waitpid); per environment",
	  10, 2, bench_env_na, run_envs },
	{ "envs_100", "the same with 100 environments; per environment", 100, 2,
	  bench_env_na, run_envs },
	{ "envs_1000", "the same with 1000 environments; per environment", 1000, 2,
	  bench_env_na, run_envs },
	{ 0, 0, 0, 0, 0, 0 }
};
