/*
 * hostile: the hostile test suite, run as the first environment by
 * `make test` (init=hostile kcheck) on both boot paths. Prints KTAP: subtest
 * "hostile", one result per attack; after every attack the kernel's
 * invariant checker (kcheck) must find nothing inconsistent. Started with a
 * nonzero argument, the same program is one of the attacking children.
 */
#include "hostile.h"

int failed_checks;
struct box *box = (struct box *)PARENT_BOX_VA;
static u32 box_ppn, box_check;

int child_spawn(u32 mode, const u32 *limits)
{
	struct exos_share share = { BOX_VA, box_ppn, box_check };
	return exos_spawn_opts("hostile", mode, &share, 1, limits);
}

int child_wait(int child)
{
	int status = 0x7fffffff;
	if (child <= 0 || exos_wait((u32)child, &status) < 0)
		return 0x7fffffff;
	return status;
}

bool wait_step(volatile u32 *step, u32 s, u32 n)
{
	for (u32 i = 0; i < n && *step < s; i++)
		sys_yield();
	return *step >= s;
}

int main(void)
{
	if (exos_arg)
		return child_main(exos_arg & 0xff);
	u64 r = sys_page_alloc(PAGE_ANY);
	box_ppn = (u32)r;
	box_check = (u32)(r >> 32);
	if ((int)box_ppn < 0 || vm_map_page(PARENT_BOX_VA, box_ppn, box_check, VM_RW) < 0) {
		printf("hostile: no box page\n");
		return 1;
	}
	printf("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: hostile\n    1..%d\n",
	       n_hostile_tests);
	int failed = 0;
	for (int i = 0; i < n_hostile_tests; i++) {
		for (u32 w = 0; w < sizeof *box / 4; w++)
			((volatile u32 *)box)[w] = 0;
		failed_checks = 0;
		hostile_tests[i].fn();
		int bad = sys_kcheck(0);
		if (bad != 0) {
			printf("    # kcheck after %s: %d\n", hostile_tests[i].name, bad);
			failed_checks++;
		}
		printf("    %s %d %s\n", failed_checks ? "not ok" : "ok", i + 1, hostile_tests[i].name);
		failed += failed_checks != 0;
	}
	printf("%s 1 hostile\n", failed ? "not ok" : "ok");
	return failed;
}
