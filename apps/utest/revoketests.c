/* revoketests.c: visible revocation, the abort protocol and vital pages. */
#include "utest.h"

static void test_vital_limits(void)
{
	u32 ppns[9];
	for (int i = 0; i < 9; i++)
		ppns[i] = (u32)sys_page_alloc(PAGE_ANY);
	for (int i = 0; i < 8; i++)
		CHECK(sys_page_vital(ppns[i]) == 0);
	CHECK(sys_page_vital(ppns[0]) == 0);            /* again: no-op */
	CHECK(sys_page_vital(ppns[8]) == -E_NOMEM);      /* ninth */
	CHECK(sys_page_vital(0x100) == -E_PERM);         /* not held */
	for (int i = 0; i < 9; i++)
		CHECK(sys_page_unref(ppns[i]) == 0);         /* also un-vitals */
	CHECK(sys_revoke(exos_envid, 1) == -E_PERM);     /* only a parent may */
	CHECK(sys_revoke(0x7fff, 1) == -E_NOENT);
}

/* Start a revokee, let it set up, ask for 8 pages, return its status. */
static int revoke_child(u32 mode)
{
	int child = exos_spawn("revokee", mode);
	CHECK(child > 0);
	for (int i = 0; i < 50; i++)
		sys_yield();
	CHECK(sys_revoke((u32)child, 0) == -E_INVAL);
	CHECK(sys_revoke((u32)child, 8) == 0);
	/* Bounded: a revokee that is never made to give its pages back (say,
	 * asleep with its deadline standing still) fails the test, not the run. */
	for (int i = 0; i < 400000 && sys_env_status((u32)child) > 0; i++)
		sys_yield();
	if (sys_env_status((u32)child) > 0) {
		printf("    # revokee still running: destroyed\n");
		CHECK(sys_env_destroy((u32)child) == 0);
	}
	int status = -1;
	CHECK(exos_wait((u32)child, &status) == 0);
	if (status != 811)
		printf("    # revokee status %d\n", status);
	return status;
}

/* A cooperative environment chooses the pages and gives them back: 8 pages,
 * exactly 8 more free pages, vital pages intact. */
static void test_revoke_complies(void)
{
	CHECK(revoke_child(1) == 811);
}

/* An environment that ignores the request loses exactly 8 pages by force,
 * its library OS is told which (8 page-table entries cleared), and its
 * vital pages stay. */
static void test_revoke_abort_protocol(void)
{
	CHECK(revoke_child(2) == 811);
}

/* The same two while the environment sleeps on a wakeup predicate that
 * never holds: the request wakes it to comply; and ignoring it, its
 * deadline passes while it sleeps and the pages are taken all the same. */
static void test_revoke_sleeper(void)
{
	CHECK(revoke_child(5) == 811);
	CHECK(revoke_child(6) == 811);
}

/* Slice positions: the child owns 5 (its budget) and is asked for 3. */
static int revoke_slices_child(u32 mode)
{
	static const u32 limits[NLIMITS] = { LIMIT_NONE, 5, LIMIT_NONE };
	int child = exos_spawn_opts("revokee", mode, NULL, 0, limits);
	CHECK(child > 0);
	for (int i = 0; i < 50; i++)
		sys_yield();
	CHECK(sys_revoke_slices((u32)child, 0) == -E_INVAL);
	CHECK(sys_revoke_slices((u32)child, 6) == -E_INVAL);        /* more than it owns */
	CHECK(sys_revoke_slices(exos_envid, 1) == -E_PERM);
	CHECK(sys_revoke_slices((u32)child, 3) == 0);
	int status = -1;
	CHECK(exos_wait((u32)child, &status) == 0);
	if (status != 21 && status != 23)
		printf("    # revokee (slices) status %d\n", status);
	return status;
}

/* A cooperative environment gives 3 positions back and keeps 2. */
static void test_revoke_slices_complies(void)
{
	CHECK(revoke_slices_child(3) == 21);
}

/* One that ignores the request has 3 taken and is told so. */
static void test_revoke_slices_taken(void)
{
	CHECK(revoke_slices_child(4) == 23);
}

const struct utest revoke_tests[] = {
	{ "revoke_vital_limits", test_vital_limits },
	{ "revoke_complies", test_revoke_complies },
	{ "revoke_abort_protocol", test_revoke_abort_protocol },
	{ "revoke_sleeper", test_revoke_sleeper },
	{ "revoke_slices_complies", test_revoke_slices_complies },
	{ "revoke_slices_taken", test_revoke_slices_taken },
};
const int n_revoke_tests = ARRAY_SIZE(revoke_tests);
