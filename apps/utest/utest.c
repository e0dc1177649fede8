/*
 * utest: the user-level test suite, run as the first environment by
 * `make test` (init=utest ktest). Prints a KTAP subtest "utest"; the kernel
 * prints its result line from the exit status (the number of failed tests).
 */
#include "utest.h"

int failed_checks;

/* Issue system call number n with no arguments, bypassing the stubs. */
static int raw_syscall(u32 n)
{
	register u32 v0 __asm__("$2") = n;
	/* jal sets ra to the "b 2f"; the kernel returns there. */
	__asm__ volatile(".set push\n\t.set noreorder\n\tjal 1f\n\tnop\n\tb 2f\n\tnop\n"
			 "1:\tsyscall\n2:\n\t.set pop"
			 : "+r"(v0) :: "$31", "memory");
	return (int)v0;
}

struct exos_share utest_new_shared_page(u32 va, u32 child_va)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	struct exos_share share = { child_va, (u32)r, (u32)(r >> 32) };
	CHECK(vm_map_page(va, share.ppn, share.check, VM_RW) == 0);
	return share;
}

static u32 data_word = 0x12345678;
static u32 bss_words[1024];

static void test_null_syscall(void)
{
	CHECK(sys_null() == 0);
}

static void test_getenvid(void)
{
	CHECK(sys_getenvid() == (int)exos_envid);
	CHECK(exos_envid != 0);
}

static void test_unknown_syscall(void)
{
	CHECK(raw_syscall(5) == -E_NOSYS);      /* a hole in the table */
	CHECK(raw_syscall(12345) == -E_NOSYS);
	CHECK(raw_syscall(0xffffffff) == -E_NOSYS);
}

static void test_cputs_checks(void)
{
	CHECK(sys_cputs((const char *)0x80000000, 4) == -E_FAULT);     /* kernel */
	CHECK(sys_cputs((const char *)0x7ffffffe, 4) == -E_FAULT);     /* crosses */
	CHECK(sys_cputs((const char *)0x00001000, 4) == -E_FAULT);     /* unmapped */
	CHECK(sys_cputs("x", 5000) == -E_INVAL);                       /* too long */
	CHECK(sys_cputs("", 0) == 0);
	static const char msg[] = "    # cputs from a static buffer\n";
	CHECK(sys_cputs(msg, sizeof msg - 1) == (int)sizeof msg - 1);
}

static void test_data_bss(void)
{
	CHECK(data_word == 0x12345678);
	u32 sum = 0;
	for (int i = 0; i < 1024; i++)
		sum |= bss_words[i];
	CHECK(sum == 0);
	for (int i = 0; i < 1024; i++)
		bss_words[i] = (u32)i * 3;
	CHECK(bss_words[1023] == 3069);
}

static u32 deep(int n)
{
	volatile u32 frame[240];   /* ~1 KiB per level */
	frame[0] = (u32)n;
	return n == 0 ? frame[0] : frame[0] + deep(n - 1);
}

static void test_stack_pages(void)
{
	/* 24 levels of ~1 KiB: touches six of the eight stack pages. */
	CHECK(deep(24) == 300);
}

static void test_yield_alone(void)
{
	CHECK(sys_yield() == 0);
}

static void test_read_count(void)
{
	u32 a = read_count();
	for (volatile int i = 0; i < 1000; i++)
		;
	u32 b = read_count();
	CHECK(b != a);
}

const struct utest basic_tests[] = {
	{ "null_syscall", test_null_syscall },
	{ "getenvid", test_getenvid },
	{ "unknown_syscall", test_unknown_syscall },
	{ "cputs_checks", test_cputs_checks },
	{ "data_bss", test_data_bss },
	{ "stack_pages", test_stack_pages },
	{ "yield_alone", test_yield_alone },
	{ "read_count", test_read_count },
};
const int n_basic_tests = ARRAY_SIZE(basic_tests);

int main(void)
{
	static const struct { const struct utest *t; const int *n; } lists[] = {
		{ basic_tests, &n_basic_tests }, { vm_tests, &n_vm_tests },
		{ exc_tests, &n_exc_tests }, { iso_tests, &n_iso_tests },
		{ sched_tests, &n_sched_tests }, { pct_tests, &n_pct_tests },
		{ revoke_tests, &n_revoke_tests }, { ipc_tests, &n_ipc_tests },
		{ proc_tests, &n_proc_tests }, { wake_tests, &n_wake_tests },
		{ region_tests, &n_region_tests },
		{ cap_tests, &n_cap_tests },
	};
	int total = 0, k = 0, failed = 0;
	for (u32 l = 0; l < ARRAY_SIZE(lists); l++)
		total += *lists[l].n;
	printf("    KTAP version 1\n    # Subtest: utest\n    1..%d\n", total);
	for (u32 l = 0; l < ARRAY_SIZE(lists); l++)
		for (int i = 0; i < *lists[l].n; i++) {
			failed_checks = 0;
			lists[l].t[i].fn();
			printf("    %s %d %s\n", failed_checks ? "not ok" : "ok", ++k, lists[l].t[i].name);
			failed += failed_checks != 0;
		}
	return failed;
}
