/* schedtests.c: the processor as time slices. An environment that never
 * yields cannot keep the CPU; one that ignores its slice ends is aborted;
 * yield_to hands the rest of a slice to a named environment. (If preemption
 * did not work, these tests would never return and the run's time limit
 * would fail them.) */
#include "utest.h"

/* A spinner without an epilogue: the kernel switches it out at its slice
 * end, and this environment runs again and can destroy it. */
static void test_spinner_preempted(void)
{
	int child = exos_spawn("spin", 1);
	CHECK(child > 0);
	for (int i = 0; i < 3; i++)
		CHECK(sys_yield() == 0);        /* the spinner runs; we come back */
	CHECK(sys_env_status((u32)child) == 1);
	CHECK(sys_env_destroy((u32)child) == 0);
	int status = 0;
	CHECK(exos_wait((u32)child, &status) == 0 && status == -2);
}

/* A spinner whose epilogue never calls slice_done: each slice end is an
 * overrun; past the limit the kernel aborts it. */
static void test_overrun_aborted(void)
{
	int child = exos_spawn("spin", 2);
	CHECK(child > 0);
	int status = 0;
	CHECK(exos_wait((u32)child, &status) == 0);
	CHECK(status == -3);                    /* EXIT_ABORTED */
}

/* This environment's own slice ends reach ExOS's epilogue, which gives the
 * processor back with slice_done; the program goes on undisturbed. */
static void test_epilogue_runs(void)
{
	u32 before = exos_epilogues, t0 = read_count();
	volatile u32 work = 0;
	while (read_count() - t0 < 4 * 100000u)  /* four slices of spinning */
		work++;
	CHECK(exos_epilogues >= before + 2);
	CHECK(work > 0);
}

/* yield_to: a child hands the processor back 100 times; each time this
 * environment hands it over again. A slice end during the exchange can also
 * run the child (or this environment) once without a handoff, so the count
 * is 100 give or take the few slice ends the exchange spans. */
static void test_yield_to(void)
{
	int child = exos_spawn("spin", 3 | exos_envid << 8);
	CHECK(child > 0);
	int handoffs = 0, status = 0;
	while (sys_env_status((u32)child) == 1 && handoffs < 1000) {
		CHECK(sys_yield_to((u32)child) == 0);
		handoffs++;
	}
	CHECK(exos_wait((u32)child, &status) == 0 && status == 100);
	if (handoffs < 90 || handoffs > 110)
		printf("    # handoffs %d\n", handoffs);
	CHECK(handoffs >= 90 && handoffs <= 110);
	CHECK(sys_yield_to(0x7fff) == -E_NOENT);
}

/* Slice positions are allocated by name, like pages. */
static void test_slice_alloc(void)
{
	int mine = sys_slice_alloc(0xffffffffu);        /* any free position */
	CHECK(mine >= 0 && mine < 64);
	CHECK(sys_slice_alloc((u32)mine) == -E_BUSY);
	CHECK(sys_slice_free((u32)mine) == 0);
	CHECK(sys_slice_free((u32)mine) == -E_PERM);    /* not ours any more */
	CHECK(sys_slice_alloc(64) == -E_INVAL);
	CHECK(sys_slice_free(0xffffffffu) == -E_INVAL);
	CHECK(sys_slice_alloc((u32)mine) == mine);      /* by position */
	CHECK(sys_slice_free((u32)mine) == 0);
}

const struct utest sched_tests[] = {
	{ "sched_spinner_preempted", test_spinner_preempted },
	{ "sched_overrun_aborted", test_overrun_aborted },
	{ "sched_epilogue_runs", test_epilogue_runs },
	{ "sched_yield_to", test_yield_to },
	{ "sched_slice_alloc", test_slice_alloc },
};
const int n_sched_tests = ARRAY_SIZE(sched_tests);
