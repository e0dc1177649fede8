/*
 * ktap.h: what every host-side unit test program shares: CHECK, and the
 * runner that prints KTAP and the closing line `N passed, N failed`.
 */
#ifndef TESTS_KTAP_H
#define TESTS_KTAP_H
#include <stdio.h>

static int failed_checks;
/* CHECK(cond): print a failed condition and fail the current test; it goes on. */
#define CHECK(cond) do { if (!(cond)) { \
	printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	failed_checks++; } } while (0)

struct unit_test { const char *name; void (*fn)(void); };

/* Run t[0..n-1] in order, one KTAP result each. Returns the exit status:
 * 1 if any test failed, else 0. */
static inline int ktap_run(const struct unit_test *t, int n)
{
	int bad = 0;
	printf("KTAP version 1\n1..%d\n", n);
	for (int i = 0; i < n; i++) {
		failed_checks = 0;
		t[i].fn();
		printf("%s %d %s\n", failed_checks ? "not ok" : "ok", i + 1, t[i].name);
		bad += failed_checks != 0;
	}
	printf("%d passed, %d failed\n", n - bad, bad);
	return bad != 0;
}
#endif
