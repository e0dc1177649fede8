/* proctests.c: processes: fork with copy-on-write, exit and wait. */
#include "utest.h"

static volatile u32 global = 5;

/* The child sees the parent's memory as it was; each side's writes after
 * the fork stay its own (copy-on-write pages, copied data and stack). */
static void test_fork_cow(void)
{
	const u32 va = 0x31000000;
	CHECK(vm_map(va, 4, VM_RW) == 0);
	volatile u32 *p = (volatile u32 *)va;
	for (u32 i = 0; i < 4; i++)
		p[i * 1024] = 0x1000 + i;
	u32 local = 77;
	int pid = exos_fork();
	if (pid == 0) {
		u32 bad = 0;
		for (u32 i = 0; i < 4; i++)
			bad += p[i * 1024] != 0x1000 + i;
		bad += local != 77 || global != 5;
		p[0] = 0xc0ffee;                 /* copy-on-write in the child */
		global = 6;
		bad += p[0] != 0xc0ffee || global != 6;
		exit((int)bad);
	}
	CHECK(pid > 0);
	p[1024] = 0xbeef;                        /* copy-on-write in the parent */
	int status = -1;
	CHECK(exos_wait((u32)pid, &status) == 0 && status == 0);
	CHECK(p[0] == 0x1000);                   /* the child's write is not seen */
	CHECK(p[1024] == 0xbeef && p[2048] == 0x1002);
	CHECK(global == 5 && local == 77);
	vm_unmap(va, 4, true);
}

/* Several generations: a child forks a grandchild; statuses come back. */
static void test_fork_nested(void)
{
	int pid = exos_fork();
	if (pid == 0) {
		int gc = exos_fork();
		if (gc == 0)
			exit(3);
		int st = -1;
		exit(exos_wait((u32)gc, &st) == 0 && st == 3 ? 4 : 1);
	}
	int status = -1;
	CHECK(pid > 0 && exos_wait((u32)pid, &status) == 0 && status == 4);
}

const struct utest proc_tests[] = {
	{ "proc_fork_cow", test_fork_cow },
	{ "proc_fork_nested", test_fork_nested },
};
const int n_proc_tests = ARRAY_SIZE(proc_tests);
