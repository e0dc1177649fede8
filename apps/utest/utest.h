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
