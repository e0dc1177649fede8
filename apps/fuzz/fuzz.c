/*
 * fuzz: system calls with random arguments, seeded by the parent (a1). The
 * kernel must answer every one with a result or an error code; this program
 * may well break itself (it can drop its own pages or upcalls), which is
 * fine: the parent checks that the kernel survives and reclaims everything.
 * exit, the destruction of itself and pct_idle (which would make it wait for
 * ever) are left out so it runs to the end.
 */
#include "exos.h"
#include "syscall_nums.h"

static u32 rng;
static u32 next_rand(void) { return xorshift32(&rng); }

/* An argument: small numbers, page numbers, user and kernel addresses,
 * capability-shaped words and all-ones, in about equal measure. */
static u32 rand_arg(void)
{
	u32 r = next_rand();
	switch (r % 8) {
	case 0: return r >> 28;
	case 1: return (r >> 8) & 0x1ffff;                 /* page numbers, some too big */
	case 2: return 0x80000000u | (r & 0x3fffffff);      /* kernel addresses */
	case 3: return r & 0x7ffff000u;                     /* user page addresses */
	case 4: return CAP_NAME((r >> 12) & 0xffff, r & 3);
	case 5: return 0xffffffffu;
	case 6: return 0;
	default: return r;
	}
}

/* Issue system call n with four arguments, bypassing the stubs. */
static u32 raw(u32 n, u32 a, u32 b, u32 c, u32 d)
{
	register u32 v0 __asm__("$2") = n;
	register u32 a0 __asm__("$4") = a, a1 __asm__("$5") = b, a2 __asm__("$6") = c,
		a3 __asm__("$7") = d;
	__asm__ volatile(".set push\n\t.set noreorder\n\tjal 1f\n\tnop\n\tb 2f\n\tnop\n"
			 "1:\tsyscall\n2:\n\t.set pop"
			 : "+r"(v0), "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3)
			 :: "$3", "$31", "memory");
	return v0;
}

int main(void)
{
	rng = exos_arg | 1;
	u32 calls = 0, errors = 0;
	for (int i = 0; i < 4000; i++) {
		u32 n = next_rand() % (NSYSCALLS + 4);
		u32 a = rand_arg(), b = rand_arg(), c = rand_arg(), d = rand_arg();
		if (n == SYS_exit || n == SYS_pct_idle)
			continue;
		if (n == SYS_env_destroy && (a == 0 || a == exos_envid))
			continue;
		if (n == SYS_cputs)
			a |= 0x80000000u;         /* keep random bytes off the console */
		if (n == SYS_yield && (next_rand() & 7))
			continue;
		errors += (s32)raw(n, a, b, c, d) < 0;
		if (++calls % 500 == 0)
			printf("    # fuzz: %u calls made, %u refused\n", calls, errors);
	}
	printf("    # fuzz: all %u calls made, %u refused\n", calls, errors);
	return 0;
}
