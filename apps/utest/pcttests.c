/* pcttests.c: protected control transfer and ExOS's LRPC on it. */
#include "utest.h"
#include "../acallee/acallee.h"

/* Transfers that cannot happen fail with an error, and nothing moves. */
static void test_pct_errors(void)
{
	CHECK(sys_scall(0x7fff, 0, 0, 0) == -E_NOENT);
	CHECK(sys_acall(0x7fff, 0, 0, 0) == -E_NOENT);
	CHECK(sys_scall(exos_envid, 0, 0, 0) == -E_INVAL);       /* itself */
	int noentry = exos_spawn("spin", 1);                     /* no entry point */
	int running = exos_spawn("spin", 4);                     /* never waits */
	CHECK(noentry > 0 && running > 0);
	/* Let each run its start-up (ExOS registers an entry point, which the
	 * first then withdraws) before it is called. */
	sys_yield_to((u32)noentry);
	sys_yield_to((u32)running);
	/* Until it has run far enough to withdraw ExOS's entry point the answer
	 * is -E_BUSY (it runs); then it must be -E_INVAL, for good. */
	int r = 0;
	for (int i = 0; i < 1000 && (r = sys_scall((u32)noentry, 0, 0, 0)) == -E_BUSY; i++)
		sys_yield_to((u32)noentry);
	CHECK(r == -E_INVAL);
	CHECK(sys_scall((u32)noentry, 0, 0, 0) == -E_INVAL);
	CHECK(sys_acall((u32)noentry, 0, 0, 0) == -E_INVAL);
	CHECK(sys_scall((u32)running, 0, 0, 0) == -E_BUSY);
	CHECK(sys_acall((u32)running, 0, 0, 0) == -E_BUSY);
	CHECK(sys_acall(exos_envid, 0, 0, 0) == -E_INVAL);      /* itself */
	CHECK(sys_pct_entry(0x80000000u) == -E_INVAL);
	CHECK(sys_pct_entry(0x00400002u) == -E_INVAL);
	sys_env_destroy((u32)noentry);
	sys_env_destroy((u32)running);
	int st;
	exos_wait((u32)noentry, &st);
	exos_wait((u32)running, &st);
}

static int acallee = -1;
static volatile struct acallee_box *abox;
static const u32 abox_va = 0x30f00000;

/* Start apps/acallee with a shared page (abox) and wait until it waits at
 * its protected entry. */
static void start_acallee(void)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 ppn = (u32)r, check = (u32)(r >> 32);
	CHECK(vm_map_page(abox_va, ppn, check, VM_RW) == 0);
	abox = (volatile struct acallee_box *)abox_va;
	struct exos_share share = { ACALLEE_BOX, ppn, check };
	acallee = exos_spawn_with("acallee", 0, &share, 1);
	for (int i = 0; acallee > 0 && i < 1000 && sys_env_status((u32)acallee) != 3; i++)
		sys_yield();
	CHECK(acallee > 0 && sys_env_status((u32)acallee) == 3);
}

/* A successful acall: the callee starts at its protected entry with the
 * caller's registers as arguments (a0 = its own id, v0 = the caller's id
 * from the kernel) and runs while the caller stays runnable; when it waits
 * again the processor comes back to the caller, whose acall returns 0 with
 * its own state intact. */
static void test_acall_semantics(void)
{
	start_acallee();
	volatile u32 live = 0x5eed;            /* must survive the transfer */
	sys_slice_done();                      /* a fresh slice: nothing ends it below */
	CHECK(sys_acall((u32)acallee, 0x1111, 0x2222, ACALLEE_RECORD) == 0);
	CHECK(abox->calls == 1);                        /* it ran before we went on */
	CHECK(abox->caller == exos_envid && abox->self == (u32)acallee);
	CHECK(abox->a1 == 0x1111 && abox->a2 == 0x2222 && abox->a3 == ACALLEE_RECORD);
	CHECK(abox->caller_status == 1);                /* we were runnable, not waiting */
	CHECK(live == 0x5eed);
	CHECK(sys_env_status((u32)acallee) == 3);       /* waiting at its entry again */
}

/* Timing, on Count (make test boots under -icount, but on host time a
 * host hiccup can end a slice anywhere: each property must hold in one of
 * a few tries).
 * At once: warm, the callee's entry follows the call within 2,000 ticks
 * and the caller resumes within 5,000 after it. The rest of the slice: the
 * caller starts a fresh slice, spends 60,000 of its 100,000 ticks and
 * acalls a callee that runs until the slice ends: it gets the remaining
 * ~40,000 (under 45,000: not a slice of its own; over 20,000: not cut
 * short), and the caller resumes only after it. Then the callee is gone
 * and a call fails. */
static void test_acall_timing(void)
{
	const u32 slice = 100000, spent = 60000;        /* SLICE_TICKS, our share */
	bool at_once = false, rest = false;
	for (int k = 0; k < 4 && !at_once; k++) {
		u32 n = abox->calls;
		sys_slice_done();
		u32 t0 = read_count();
		CHECK(sys_acall((u32)acallee, k, 0, ACALLEE_RECORD) == 0);
		u32 t1 = read_count();
		at_once = abox->calls == n + 1 && abox->t_entry - t0 < 2000 &&
			  t1 - abox->t_entry < 5000;
	}
	CHECK(at_once);
	for (int k = 0; k < 3 && !rest; k++) {
		u32 n = abox->calls;
		sys_slice_done();
		u32 t0 = read_count();
		while (read_count() - t0 < spent)
			;
		CHECK(sys_acall((u32)acallee, 0, 0, ACALLEE_SPIN) == 0);
		u32 back = read_count();
		for (int i = 0; i < 1000 && abox->calls != n + 1; i++)
			sys_yield();
		u32 ran = abox->ran;
		rest = abox->calls == n + 1 && ran > (slice - spent) / 2 &&
		       ran < slice - spent + 5000 && back - abox->t_entry >= ran;
		if (!rest)
			printf("    # try %d: the callee ran %u ticks, the caller resumed %u after its entry\n",
			       k, ran, back - abox->t_entry);
	}
	CHECK(rest);
	sys_env_destroy((u32)acallee);
	int st;
	exos_wait((u32)acallee, &st);
	CHECK(sys_acall((u32)acallee, 0, 0, ACALLEE_RECORD) == -E_NOENT);
	vm_unmap(abox_va, 1, true);
}

static int server;

/* Start the LRPC server and wait until it waits at its entry point. */
static int start_server(void)
{
	int s = exos_spawn("lrpcsrv", 0);
	for (int i = 0; s > 0 && i < 1000 && sys_env_status((u32)s) != 3; i++)
		sys_yield();
	return s;
}

static void test_lrpc_basic(void)
{
	server = start_server();
	CHECK(server > 0 && sys_env_status((u32)server) == 3);
	CHECK(lrpc_call((u32)server, 5, 7, 0) == 12);
	u32 bad = 0;
	for (u32 i = 0; i < 1000; i++)
		bad += (u32)lrpc_call((u32)server, i, i * 7, 0) != i * 8;
	CHECK(bad == 0);
	CHECK(sys_env_status((u32)server) == 3);                 /* waiting again */
}

/* The callee learns the caller's id from the kernel (v0), so a caller cannot
 * pose as another: whatever it puts in its registers. */
static void test_caller_identity(void)
{
	CHECK((u32)lrpc_call((u32)server, 0x100, 0x101, 0xcafe) == exos_envid);
}

/* Trusted LRPC does not save s0..s7/fp: the server preserves them. Many
 * live values across the calls check that they come back intact. */
static void test_lrpc_trusted(void)
{
	u32 acc[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, bad = 0;
	for (u32 i = 0; i < 500; i++) {
		u32 r = (u32)lrpc_call_trusted((u32)server, acc[i & 7], i, 0);
		bad += r != acc[i & 7] + i;
		acc[i & 7] = r & 0xffff;
	}
	CHECK(bad == 0);
}

/* Two more clients call the server at the same time as this one: every
 * answer is right (busy calls are retried). */
static void test_lrpc_concurrent(void)
{
	int c1 = exos_spawn("lrpccli", (u32)server), c2 = exos_spawn("lrpccli", (u32)server);
	CHECK(c1 > 0 && c2 > 0);
	u32 bad = 0, done = 0, rng = 77;
	while (done < 300) {
		u32 x = xorshift32(&rng) & 0xffff, y = xorshift32(&rng);
		int r = lrpc_call((u32)server, x, y, 2);
		if (r == -E_BUSY) {
			sys_yield();
			continue;
		}
		bad += (u32)r != x * 3 + (y ^ 0x5a5a);
		done++;
	}
	int s1 = -1, s2 = -1;
	CHECK(exos_wait((u32)c1, &s1) == 0 && s1 == 0);
	CHECK(exos_wait((u32)c2, &s2) == 0 && s2 == 0);
	CHECK(bad == 0);
	sys_env_destroy((u32)server);
	int st;
	exos_wait((u32)server, &st);
}

const struct utest pct_tests[] = {
	{ "pct_errors", test_pct_errors },
	{ "acall_semantics", test_acall_semantics },
	{ "acall_timing", test_acall_timing },
	{ "lrpc_basic", test_lrpc_basic },
	{ "pct_caller_identity", test_caller_identity },
	{ "lrpc_trusted", test_lrpc_trusted },
	{ "lrpc_concurrent", test_lrpc_concurrent },
};
const int n_pct_tests = ARRAY_SIZE(pct_tests);
