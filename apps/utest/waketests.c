/* waketests.c: wakeup predicates (wk_sleep; docs/wakeup.md). */
#include "utest.h"

#define SHARE_VA  0x30f00000u
#define WATCH_VA  0x30f02000u
#define CHILD_SHARE 0x6000u     /* where spin mode 7 finds the shared page */

/* The shared page of spin mode 7 (see apps/spin/spin.c). */
struct wk_box { u32 watch_name, watch_check, r1, done1, r2, done2; };

/* Yield until cond holds, at most 2000 times; true if it did. */
#define YIELD_UNTIL(cond) ({ int _n = 0; while (!(cond) && _n++ < 2000) sys_yield(); (cond); })

/* A predicate that holds at once: the call returns 0 without sleeping. */
static void test_true_at_once(void)
{
	const struct dc_insn yes[] = { DC_INSN(DC_RETI, 0, 0, 0, 1) };
	CHECK(sys_wk_sleep(yes, 1, NULL, 0) == 0);
	CHECK(sys_env_status(exos_envid) == 1);
}

/* Every malformed request is refused with the right error, and nothing
 * sleeps. */
static void test_checks(void)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 ppn = (u32)r, check = (u32)(r >> 32);
	struct wk_page pg = { CAP_NAME(ppn, CAP_RW), check };
	const struct dc_insn yes[] = { DC_INSN(DC_RETI, 0, 0, 0, 1) };
	const struct dc_insn no_ret[] = { DC_INSN(DC_LDI, 0, 0, 0, 1) };
	const struct dc_insn far_jump[] = { DC_INSN(DC_JA, 0, 0, 5, 0), DC_INSN(DC_RETI, 0, 0, 0, 1) };
	const struct dc_insn win1[] = { DC_INSN(DC_LDWA, 0, 0, 1, 0), DC_INSN(DC_RET, 0, 0, 0, 0) };
	const struct dc_insn store[] = { DC_INSN(DC_STWA, 0, 0, 0, 0), DC_INSN(DC_RETI, 0, 0, 0, 1) };
	const struct dc_insn edge[] = { DC_INSN(DC_LDWA, 0, 0, 0, 4093), DC_INSN(DC_RET, 0, 0, 0, 0) };
	const struct dc_insn kinfo_past[] = { DC_INSN(DC_LDWA, 0, 0, WK_KINFO_WIN, 8),
					      DC_INSN(DC_RET, 0, 0, 0, 0) };
	static struct dc_insn long_prog[WK_MAXINSNS + 1];
	for (u32 i = 0; i <= WK_MAXINSNS; i++)
		long_prog[i] = (struct dc_insn)DC_INSN(DC_RETI, 0, 0, 0, 1);

	CHECK(sys_wk_sleep(yes, 0, NULL, 0) == -E_INVAL);
	CHECK(sys_wk_sleep(long_prog, WK_MAXINSNS + 1, NULL, 0) == -E_INVAL);
	CHECK(sys_wk_sleep(long_prog, WK_MAXINSNS, NULL, 0) == 0);
	CHECK(sys_wk_sleep(yes, 1, &pg, WK_MAXPAGES + 1) == -E_INVAL);
	CHECK(sys_wk_sleep(no_ret, 1, NULL, 0) == -E_INVAL);
	CHECK(sys_wk_sleep(far_jump, 2, NULL, 0) == -E_INVAL);
	CHECK(sys_wk_sleep(win1, 2, &pg, 1) == -E_INVAL);        /* window 1 not given */
	CHECK(sys_wk_sleep(store, 2, &pg, 1) == -E_INVAL);       /* windows are read-only */
	CHECK(sys_wk_sleep((const void *)0x80001000, 1, NULL, 0) == -E_FAULT);
	CHECK(sys_wk_sleep((const void *)0x7ffffffc, 1, NULL, 0) == -E_FAULT);
	CHECK(sys_wk_sleep(yes, 1, (const void *)0x80000000, 1) == -E_FAULT);
	CHECK(sys_wk_sleep(yes, 1, NULL, 1) == -E_FAULT);
	struct wk_page forged = { CAP_NAME(ppn, CAP_RW), check ^ 1 };
	CHECK(sys_wk_sleep(yes, 1, &forged, 1) == -E_BADCAP);
	/* The kernel keeps the last compiled predicate: the same program with
	 * fewer pages must be checked again, not reused. */
	const struct dc_insn rd0[] = { DC_INSN(DC_LDWA, 0, 0, 0, 0), DC_INSN(DC_RET, 0, 0, 0, 0) };
	CHECK(sys_wk_sleep(rd0, 2, &forged, 1) == -E_BADCAP);
	CHECK(sys_wk_sleep(rd0, 2, NULL, 0) == -E_INVAL);
	struct wk_page kernel_page = { CAP_NAME(1, CAP_R), 0 };
	CHECK(sys_wk_sleep(yes, 1, &kernel_page, 1) == -E_BADCAP);
	CHECK(sys_wk_sleep(edge, 2, &pg, 1) == -E_FAULT);        /* a word at 4093 crosses the end */
	CHECK(sys_wk_sleep(kinfo_past, 2, NULL, 0) == -E_FAULT);
	CHECK(sys_env_status(exos_envid) == 1);
	CHECK(sys_page_unref(ppn) == 0);
}

/* Alone on the board, sleeping until a time: the kernel idles and wakes it
 * once the time has come, not before. It idles by waiting for an interrupt
 * (wk_idle): for a timer it arms itself, as nothing else will interrupt;
 * since one wait lasts at most a slice (100,000 ticks), this sleep takes at
 * least two. A kernel that waited without arming the timer would never wake
 * it; one that spun would not count the waits. */
static void test_sleep_ticks(void)
{
	const volatile struct kinfo *k = exos_kinfo();
	u32 waits = k->idle_waits, t0 = read_count();
	CHECK(exos_sleep_ticks(200000) == 0);
	CHECK(read_count() - t0 >= 200000);
	CHECK(k->idle_waits - waits >= 2);
	CHECK(exos_sleep_ticks(0) == 0);
}

/* A child sleeps until a word of a page it does not even map changes
 * (named by a capability); it wakes once the word is written, with nothing
 * sent to it. Then it sleeps again and the capability dies under it: it
 * wakes with -E_BADCAP and the predicate never reads the page again. With
 * derived false the child has the page's root capability and the page is
 * freed; with derived true it has a capability derived below the root
 * (cap_new), which the parent revokes while the page lives on. */
static void wake_then_lose(bool derived)
{
	struct exos_share share = utest_new_shared_page(SHARE_VA, CHILD_SHARE);
	struct exos_share w = utest_new_shared_page(WATCH_VA, 0);
	u32 root = CAP_NAME(w.ppn, CAP_RW);
	volatile u32 *watch = (volatile u32 *)WATCH_VA;
	volatile struct wk_box *box = (volatile struct wk_box *)SHARE_VA;
	watch[0] = watch[1] = 0;
	u64 d = derived ? sys_cap_new(root, w.check, CAP_R) : (u64)w.check << 32 | root;
	box->watch_name = (u32)d;
	box->watch_check = (u32)(d >> 32);
	box->r1 = box->r2 = 77;
	box->done1 = box->done2 = 0;
	int child = exos_spawn_with("spin", 7 | exos_envid << 8, &share, 1);
	CHECK(child > 0);
	CHECK(YIELD_UNTIL(sys_env_status((u32)child) == 4));    /* asleep */
	CHECK(box->done1 == 0);
	watch[0] = 1;
	CHECK(YIELD_UNTIL(box->done1 == 1));
	CHECK(box->r1 == 0);
	CHECK(YIELD_UNTIL(sys_env_status((u32)child) == 4));    /* asleep on watch[1] */
	if (derived)
		CHECK(sys_cap_revoke(root, w.check) == 0);
	else
		CHECK(vm_unmap(WATCH_VA, 1, true) == 0);         /* the last holder: freed */
	CHECK(YIELD_UNTIL(box->done2 == 1));
	CHECK((int)box->r2 == -E_BADCAP);
	int st = -1;
	CHECK(exos_wait((u32)child, &st) == 0 && st == 0);
	CHECK(sys_kcheck(0) == 0);
	if (derived)
		CHECK(watch[0] == 1 && vm_unmap(WATCH_VA, 1, true) == 0);
	vm_unmap(SHARE_VA, 1, true);
}

static void test_wakes_on_write(void) { wake_then_lose(false); }
static void test_wakes_on_revoke(void) { wake_then_lose(true); }

/* A wake-up is not delayed by environments that only compute: the rest of
 * a slice given up by sleeping goes first to a sleeper whose predicate has
 * come true. A spinner takes the slot between this environment and a child
 * asleep on a word; at the start of a fresh slice this one writes the word
 * and sleeps until the child says it ran. The child runs at once, and this
 * one again right after it (both woken), long before the spinner's
 * rest-of-slice would have ended (100,000 ticks). */
static void test_woken_runs_first(void)
{
	struct exos_share share = utest_new_shared_page(SHARE_VA, CHILD_SHARE);
	struct exos_share w = utest_new_shared_page(WATCH_VA, 0);
	volatile u32 *watch = (volatile u32 *)WATCH_VA;
	volatile struct wk_box *box = (volatile struct wk_box *)SHARE_VA;
	watch[0] = watch[1] = 0;
	box->watch_name = CAP_NAME(w.ppn, CAP_RW);
	box->watch_check = w.check;
	box->done1 = box->done2 = 0;
	int hog = exos_spawn("spin", 4);                     /* its slot comes first */
	int child = exos_spawn_with("spin", 7 | exos_envid << 8, &share, 1);
	CHECK(hog > 0 && child > 0 && (child & 0xff) > (hog & 0xff));   /* slot numbers */
	CHECK(YIELD_UNTIL(sys_env_status((u32)child) == 4));
	bool fast = false;
	sys_slice_done();                                   /* a fresh slice of ours */
	u32 t0 = read_count();
	watch[0] = 1;
	CHECK(exos_wait_word(&box->done1, 1, true) == 0);
	fast = read_count() - t0 < 50000;
	CHECK(box->done1 == 1 && fast);
	watch[1] = 1;                                       /* let the child finish */
	int st = -1;
	CHECK(exos_wait((u32)child, &st) == 0 && st == 0);
	CHECK(sys_env_destroy((u32)hog) == 0);
	exos_wait((u32)hog, &st);
	CHECK(sys_kcheck(0) == 0);
	vm_unmap(WATCH_VA, 1, true);
	vm_unmap(SHARE_VA, 1, true);
}

/* A child asleep on a predicate that never holds is destroyed: the kernel's
 * tables stay consistent and the slot is reusable. */
static void test_destroy_sleeper(void)
{
	int child = exos_spawn_with("spin", 8 | exos_envid << 8, NULL, 0);
	CHECK(child > 0);
	CHECK(YIELD_UNTIL(sys_env_status((u32)child) == 4));
	CHECK(sys_yield_to((u32)child) == -E_NOENT);             /* its predicate does not hold */
	CHECK(sys_kcheck(0) == 0);
	CHECK(sys_env_destroy((u32)child) == 0);
	int st;
	exos_wait((u32)child, &st);
	CHECK(sys_env_status((u32)child) == -E_NOENT);
	CHECK(sys_kcheck(0) == 0);
}

/* The kernel's public page: readable at KINFO_VA without asking, and what
 * it says is what the kernel's tables say (kcheck compares them too). */
static void test_public_page(void)
{
	const volatile struct kinfo *k = exos_kinfo();
	CHECK(k->version == KINFO_VERSION);
	CHECK(k->env[exos_envid & 0xff].id == exos_envid);
	CHECK(k->pages_free == (u32)sys_pages_free());
	CHECK(k->env[exos_envid & 0xff].pages == (u32)sys_env_usage(0, LIM_PAGES));
	CHECK(k->pages_total >= k->pages_free && k->pages_total > 60000);
	int child = exos_spawn_with("spin", 8 | exos_envid << 8, NULL, 0);
	CHECK(child > 0);
	CHECK(k->env[child & 0xff].id == (u32)child);
	CHECK(k->env[child & 0xff].parent == exos_envid);
	CHECK(k->env[child & 0xff].pages == (u32)sys_env_usage((u32)child, LIM_PAGES));
	CHECK(sys_kcheck(0) == 0);
	CHECK(sys_env_destroy((u32)child) == 0);
	int st;
	exos_wait((u32)child, &st);
	CHECK(k->env[child & 0xff].id == 0);
	CHECK(sys_kcheck(0) == 0);
}

/* A store to the public page is a fault: the environment that tries dies,
 * and the page is unchanged. */
static void test_public_page_read_only(void)
{
	const volatile struct kinfo *k = exos_kinfo();
	int child = exos_spawn_with("spin", 9 | exos_envid << 8, NULL, 0), st = 0;
	CHECK(child > 0);
	CHECK(exos_wait((u32)child, &st) == 0);
	CHECK(st == EXIT_EXCEPTION(1));        /* TLB Modified: the mapping is read-only */
	CHECK(k->version == KINFO_VERSION);
}

/* exos_wait sleeps on a predicate over the public page: a child that takes
 * a while to end is waited for without the parent running in between. */
static void test_wait_asleep(void)
{
	int child = exos_spawn_with("spin", 3 | exos_envid << 8, NULL, 0), st = -1;
	CHECK(child > 0);
	CHECK(exos_wait((u32)child, &st) == 0);
	CHECK(st == 100);
}

const struct utest wake_tests[] = {
	{ "kinfo_public_page", test_public_page },
	{ "kinfo_read_only", test_public_page_read_only },
	{ "wk_wait_child", test_wait_asleep },
	{ "wk_true_at_once", test_true_at_once },
	{ "wk_checks", test_checks },
	{ "wk_sleep_ticks", test_sleep_ticks },
	{ "wk_wakes_on_write", test_wakes_on_write },
	{ "wk_wakes_on_revoke", test_wakes_on_revoke },
	{ "wk_woken_runs_first", test_woken_runs_first },
	{ "wk_destroy_sleeper", test_destroy_sleeper },
};
const int n_wake_tests = ARRAY_SIZE(wake_tests);
