/*
 * hostile: the hostile test suite, run as the first environment by
 * `make test` (init=hostile kcheck) on both boot paths. Prints KTAP: subtest
 * "hostile", one result per attack; after every attack the kernel's
 * invariant checker (kcheck) must find nothing inconsistent (attacks.c: the
 * protection properties; calls.c: hostile arguments to the newest system
 * calls). Started with a nonzero argument, the same program is one of the
 * attacking children.
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
	/* attacks.c's tests, then calls.c's, as one KTAP subtest. */
	static struct utest all[64];
	int n = 0;
	for (int i = 0; i < n_hostile_tests && n < (int)ARRAY_SIZE(all); i++)
		all[n++] = hostile_tests[i];
	for (int i = 0; i < n_call_tests && n < (int)ARRAY_SIZE(all); i++)
		all[n++] = call_tests[i];
	return utest_run_checked("hostile", all, n, (volatile u32 *)box, sizeof *box / 4);
}
