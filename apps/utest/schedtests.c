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

int yield_marked(u32 target);

/* yield_to: a child hands the processor back 100 times; each time this
 * environment hands it over again. A slice end during the exchange can also
 * run the child (or this environment) once without a handoff, so the count
 * is 100 give or take the few slice ends the exchange spans. No register of
 * one side reaches the other: this one yields with marks in every register
 * a call need not keep (yield_marked), and the child checks its own after
 * every hand-off (exit 100 if it never saw one). */
static void test_yield_to(void)
{
	int child = exos_spawn("spin", 3 | exos_envid << 8);
	CHECK(child > 0);
	int handoffs = 0, status = 0;
	while (sys_env_status((u32)child) == 1 && handoffs < 1000) {
		CHECK(yield_marked((u32)child) == 0);   /* the child must see none of our registers */
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

/* The start-of-slice notification (set_prologue, exos_set_slice_start). */
static volatile u32 starts;
static void count_start(void) { starts++; }

/* With a spinner holding the other slice position, each of this
 * environment's slices begins with its prologue: over several slices, one
 * slice start per slice end (epilogue), give or take the slice running at
 * each edge of the measurement. */
static void test_prologue_each_slice(void)
{
	int child = exos_spawn("spin", 1);
	CHECK(child > 0);
	CHECK(exos_set_slice_start(count_start) == 0);
	u32 s0 = starts, e0 = exos_epilogues, t0 = read_count();
	while (exos_epilogues - e0 < 6 && read_count() - t0 < 100 * 100000u)
		;
	u32 ns = starts - s0, ne = exos_epilogues - e0;
	CHECK(exos_set_slice_start(NULL) == 0);
	u32 s1 = starts, e1 = exos_epilogues;
	while (exos_epilogues - e1 < 2 && read_count() - t0 < 200 * 100000u)
		;
	if (ns + 1 < ne || ns > ne + 1)
		printf("    # %u slice starts for %u slice ends\n", ns, ne);
	CHECK(ne >= 6 && ns + 1 >= ne && ns <= ne + 1);
	CHECK(starts == s1);                    /* withdrawn: no more */
	CHECK(sys_env_destroy((u32)child) == 0);
	int status = 0;
	CHECK(exos_wait((u32)child, &status) == 0 && status == -2);
}

/* Every register is the program's again after slice ends and starts. */
int slice_regs_kept(volatile u32 *counter, u32 target, u32 start, u32 max);
static void test_prologue_regs_kept(void)
{
	CHECK(exos_set_slice_start(count_start) == 0);
	u32 s0 = starts;
	int r = slice_regs_kept(&starts, s0 + 3, read_count(), 50 * 100000u);
	if (r)
		printf("    # register %d changed\n", r);
	CHECK(r == 0);
	CHECK(starts >= s0 + 3);
	CHECK(exos_set_slice_start(NULL) == 0);
}

/* A child whose critical range is a spin loop gets prologues outside it and
 * none while its PC is in it (spin mode 12: exit 10 + prologues inside). */
static void test_prologue_not_in_critical(void)
{
	int child = exos_spawn("spin", 12), status = -1;
	CHECK(child > 0);
	CHECK(exos_wait((u32)child, &status) == 0);
	if (status != 10)
		printf("    # spin 12 exited %d\n", status);
	CHECK(status == 10);
}

static void test_prologue_bad_args(void)
{
	CHECK(sys_set_prologue(1) == -E_INVAL);             /* unaligned */
	CHECK(sys_set_prologue(0x80000000u) == -E_INVAL);   /* kernel */
	CHECK(sys_set_prologue(0xfffffffcu) == -E_INVAL);
	CHECK(sys_set_prologue(0x7ffffffeu) == -E_INVAL);
	CHECK(sys_set_prologue(0) == 0);                     /* none */
}

/* Prologues that never return (a raw entry without an epilogue; an ExOS
 * handler with ExOS's epilogue) keep the processor no longer than their
 * slice: this environment runs again, and can destroy them. */
static void test_prologue_hostile(void)
{
	for (u32 mode = 13; mode <= 14; mode++) {
		int child = exos_spawn("spin", mode);
		CHECK(child > 0);
		for (int i = 0; i < 40; i++)
			CHECK(sys_yield() == 0);
		u32 t0 = read_count();
		while (read_count() - t0 < 10 * 100000u)    /* slices of both */
			;
		CHECK(sys_env_status((u32)child) == 1);
		CHECK(sys_env_destroy((u32)child) == 0);
		int status = 0;
		CHECK(exos_wait((u32)child, &status) == 0 && status == -2);
	}
}

const struct utest sched_tests[] = {
	{ "sched_spinner_preempted", test_spinner_preempted },
	{ "sched_overrun_aborted", test_overrun_aborted },
	{ "sched_epilogue_runs", test_epilogue_runs },
	{ "sched_yield_to", test_yield_to },
	{ "sched_slice_alloc", test_slice_alloc },
	{ "sched_prologue_each_slice", test_prologue_each_slice },
	{ "sched_prologue_regs_kept", test_prologue_regs_kept },
	{ "sched_prologue_not_in_critical", test_prologue_not_in_critical },
	{ "sched_prologue_bad_args", test_prologue_bad_args },
	{ "sched_prologue_hostile", test_prologue_hostile },
};
const int n_sched_tests = ARRAY_SIZE(sched_tests);
