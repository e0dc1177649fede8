/* utest.h: the user-level test suite's checking macro and test lists. */
#ifndef UTEST_H
#define UTEST_H
#include "exos.h"

extern int failed_checks;

/* CHECK(cond): print the failed condition as a KTAP diagnostic; the test
 * goes on and is reported "not ok". */
#define CHECK(cond) do { if (!(cond)) { \
	printf("    # %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	failed_checks++; } } while (0)

struct utest { const char *name; void (*fn)(void); };

/* Run tests[0..n-1] as the one KTAP subtest name of a program that is the
 * first environment, clearing nwords words at scratch (a page shared with
 * children) before each, and failing a test after which the kernel's
 * invariant checker (kcheck) finds anything. Returns how many failed. */
static inline int utest_run_checked(const char *name, const struct utest *tests, int n,
				    volatile u32 *scratch, u32 nwords)
{
	printf("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: %s\n    1..%d\n", name, n);
	int failed = 0;
	for (int i = 0; i < n; i++) {
		for (u32 w = 0; w < nwords; w++)
			scratch[w] = 0;
		failed_checks = 0;
		tests[i].fn();
		int bad = sys_kcheck(0);
		if (bad != 0) {
			printf("    # kcheck after %s: %d\n", tests[i].name, bad);
			failed_checks++;
		}
		printf("    %s %d %s\n", failed_checks ? "not ok" : "ok", i + 1, tests[i].name);
		failed += failed_checks != 0;
	}
	printf("%s 1 %s\n", failed ? "not ok" : "ok", name);
	return failed;
}

/* A fresh page mapped read-write at va here (checked), described for a
 * child that is to map it at child_va (exos_spawn_with). */
struct exos_share utest_new_shared_page(u32 va, u32 child_va);
extern const struct utest basic_tests[], vm_tests[], exc_tests[], iso_tests[], sched_tests[],
	pct_tests[], revoke_tests[], ipc_tests[],
	proc_tests[], wake_tests[], region_tests[], cap_tests[];
extern const int n_basic_tests, n_vm_tests, n_exc_tests, n_iso_tests, n_sched_tests,
	n_pct_tests, n_revoke_tests, n_ipc_tests,
	n_proc_tests, n_wake_tests, n_region_tests, n_cap_tests;

#endif
