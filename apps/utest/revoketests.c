/* revoketests.c: visible revocation, the abort protocol and vital pages. */
#include "utest.h"

static void test_vital_limits(void)
{
	u32 ppns[9];
	for (int i = 0; i < 9; i++)
		ppns[i] = (u32)sys_page_alloc(PAGE_ANY);
	for (int i = 0; i < 8; i++)
		CHECK(sys_page_vital(ppns[i]) == 0);
	CHECK(sys_page_vital(ppns[0]) == 0);            /* again: no-op */
	CHECK(sys_page_vital(ppns[8]) == -E_NOMEM);      /* ninth */
	CHECK(sys_page_vital(0x100) == -E_PERM);         /* not held */
	for (int i = 0; i < 9; i++)
		CHECK(sys_page_unref(ppns[i]) == 0);         /* also un-vitals */
	CHECK(sys_revoke(exos_envid, 1) == -E_PERM);     /* only a parent may */
	CHECK(sys_revoke(0x7fff, 1) == -E_NOENT);
}

/* Start a revokee, let it set up, ask for 8 pages, return its status. */
static int revoke_child(u32 mode)
{
	int child = exos_spawn("revokee", mode);
	CHECK(child > 0);
	for (int i = 0; i < 50; i++)
		sys_yield();
	CHECK(sys_revoke((u32)child, 0) == -E_INVAL);
	CHECK(sys_revoke((u32)child, 8) == 0);
	/* Bounded: a revokee that is never made to give its pages back (say,
	 * asleep with its deadline standing still) fails the test, not the run. */
	for (int i = 0; i < 400000 && sys_env_status((u32)child) > 0; i++)
		sys_yield();
	if (sys_env_status((u32)child) > 0) {
		printf("    # revokee still running: destroyed\n");
		CHECK(sys_env_destroy((u32)child) == 0);
	}
	int status = -1;
	CHECK(exos_wait((u32)child, &status) == 0);
	if (status != 811)
		printf("    # revokee status %d\n", status);
	return status;
}

/* A cooperative environment chooses the pages and gives them back: 8 pages,
 * exactly 8 more free pages, vital pages intact. */
static void test_revoke_complies(void)
{
	CHECK(revoke_child(1) == 811);
}

/* An environment that ignores the request loses exactly 8 pages by force,
 * its library OS is told which (8 page-table entries cleared), and its
 * vital pages stay. */
static void test_revoke_abort_protocol(void)
{
	CHECK(revoke_child(2) == 811);
}

/* An environment that ignores the request and yields all the time is
 * almost never the one running when a slice ends; its deadline passes all
 * the same (its slices count as they pass), while this one spins without
 * giving it the processor. */
static void test_revoke_yielder(void)
{
	int child = exos_spawn("revokee", 2);
	CHECK(child > 0);
	for (int i = 0; i < 50; i++)
		sys_yield();
	u32 before = (u32)sys_env_usage((u32)child, LIM_PAGES);
	CHECK(sys_revoke((u32)child, 8) == 0);
	u32 t0 = read_count();
	while (read_count() - t0 < 12 * 100000u &&
	       (u32)sys_env_usage((u32)child, LIM_PAGES) + 8 > before)
		;                                   /* spin: no yield */
	CHECK((u32)sys_env_usage((u32)child, LIM_PAGES) + 8 <= before);
	int status = -1;
	CHECK(exos_wait((u32)child, &status) == 0);
	CHECK(status == 811);
}

/* The same two while the environment sleeps on a wakeup predicate that
 * never holds: the request wakes it to comply; and ignoring it, its
 * deadline passes while it sleeps and the pages are taken all the same. */
static void test_revoke_sleeper(void)
{
	CHECK(revoke_child(5) == 811);
	CHECK(revoke_child(6) == 811);
}

/* Slice positions: the child owns 5 (its budget) and is asked for 3. */
static int revoke_slices_child(u32 mode)
{
	static const u32 limits[NLIMITS] = { LIMIT_NONE, 5, LIMIT_NONE };
	int child = exos_spawn_opts("revokee", mode, NULL, 0, limits);
	CHECK(child > 0);
	for (int i = 0; i < 50; i++)
		sys_yield();
	CHECK(sys_revoke_slices((u32)child, 0) == -E_INVAL);
	CHECK(sys_revoke_slices((u32)child, 6) == -E_INVAL);        /* more than it owns */
	/* Numbers that are negative as ints: once taken for "fewer than it
	 * owns", then a loop of 2^31 takings in the kernel at the deadline. */
	CHECK(sys_revoke_slices((u32)child, 0x80000000u) == -E_INVAL);
	CHECK(sys_revoke_slices((u32)child, 0xffffffffu) == -E_INVAL);
	CHECK(sys_revoke_slices(exos_envid, 1) == -E_PERM);
	CHECK(sys_revoke_slices((u32)child, 3) == 0);
	int status = -1;
	CHECK(exos_wait((u32)child, &status) == 0);
	if (status != 21 && status != 23)
		printf("    # revokee (slices) status %d\n", status);
	return status;
}

/* A cooperative environment gives 3 positions back and keeps 2. */
static void test_revoke_slices_complies(void)
{
	CHECK(revoke_slices_child(3) == 21);
}

/* One that ignores the request has 3 taken and is told so. */
static void test_revoke_slices_taken(void)
{
	CHECK(revoke_slices_child(4) == 23);
}

/* Revocation started by the kernel when memory runs low (aegis/mempress.c).
 * Two revokee hogs (modes 7 and 8) hold most of memory; then this
 * environment asks for every free page and 1,000 more. The kernel asks the
 * hogs (the largest holders, never the requester) for pages back: one
 * complies, the other loses pages to the abort protocol. This environment
 * gets all its pages, retrying after -E_NOMEM, and the tables are sound. */
#define HOG_SHARE_VA 0x30f10000u
#define HOG_CHILD_VA 0x6000u      /* where revokee finds it */
struct hog_box {
	u32 done;
	struct { u32 ready, told, given, lost; } hog[2];
};
static u32 hog_ppns[12000];

static int spawn_hogs(volatile struct hog_box *box, const struct exos_share *share, int hogs[2])
{
	u32 free = (u32)sys_pages_free();
	u32 n = (free - 6000) / 2;          /* leave free pages above the mark (4,096) */
	if (n > 28000)                       /* ExOS's page table maps at most 64 x 512 */
		n = 28000;
	const u32 limits[NLIMITS] = { n + 200, 1, 16 };
	for (u32 k = 0; k < 2; k++) {
		hogs[k] = exos_spawn_opts("revokee", (7 + k) | k << 4 | n << 8, share, 1, limits);
		if (hogs[k] <= 0)
			return -1;
	}
	for (int i = 0; i < 400000 && !(box->hog[0].ready && box->hog[1].ready); i++)
		sys_yield();
	return box->hog[0].ready && box->hog[1].ready ? 0 : -1;
}

static void test_revoke_low_memory(void)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 sppn = (u32)r, scheck = (u32)(r >> 32);
	CHECK(vm_map_page(HOG_SHARE_VA, sppn, scheck, VM_RW) == 0);
	volatile struct hog_box *box = (volatile struct hog_box *)HOG_SHARE_VA;
	for (u32 i = 0; i < sizeof *box / 4; i++)
		((volatile u32 *)box)[i] = 0;
	struct exos_share share = { HOG_CHILD_VA, sppn, scheck };
	int hogs[2] = { 0, 0 };
	CHECK(spawn_hogs(box, &share, hogs) == 0);
	u32 want = (u32)sys_pages_free() + 1000, got = 0, nomem = 0;
	CHECK(want <= ARRAY_SIZE(hog_ppns));
	for (u32 tries = 0; got < want && want <= ARRAY_SIZE(hog_ppns) && tries < 2000000; tries++) {
		int p = (int)(u32)sys_page_alloc(PAGE_ANY);
		if (p >= 0) {
			hog_ppns[got++] = (u32)p;
			continue;
		}
		nomem += p == -E_NOMEM;
		sys_yield();                     /* let the hogs give pages back */
	}
	/* The hog that ignores its request loses pages after REVOKE_SLICES of
	 * its own slice ends, however soon the other gave enough back. */
	for (int i = 0; i < 400000 && box->hog[1].lost == 0; i++)
		sys_yield();
	printf("    # got %u of %u pages (%u -E_NOMEM); hogs told %u/%u, gave %u, lost %u\n",
	       got, want, nomem, box->hog[0].told, box->hog[1].told, box->hog[0].given,
	       box->hog[1].lost);
	CHECK(got == want);      /* with or without -E_NOMEM first: how fast the hogs give back */
	CHECK(box->hog[0].told > 0 && box->hog[0].given > 0);
	CHECK(box->hog[1].told > 0 && box->hog[1].lost > 0);
	for (u32 i = 0; i < got; i++)
		CHECK(sys_page_unref(hog_ppns[i]) == 0);
	box->done = 1;
	for (int k = 0; k < 2; k++) {
		int status = -1;
		CHECK(hogs[k] > 0 && exos_wait((u32)hogs[k], &status) == 0 && status == 0);
	}
	CHECK(vm_unmap(HOG_SHARE_VA, 1, true) == 0);
	CHECK(sys_kcheck(0) == 0);
}

/* revoke() answers -E_BUSY while the child's last repossession notice is
 * on its way, instead of overwriting it with a new request (the child would
 * never learn which pages it lost). revokee mode 9 waits in its critical
 * range, where no upcall reaches it, while its deadline passes and a page is
 * taken; only once it has left the range and heard the notice does a
 * revoke work again. */
static void test_revoke_busy(void)
{
	const u32 share_va = 0x30e08000, tries = 5000;   /* yields: a slice or so each */
	struct exos_share share = utest_new_shared_page(share_va, 0x6000);
	volatile u32 *box = (volatile u32 *)share_va;   /* ready, go, lost, done */
	box[0] = box[1] = box[2] = box[3] = 0;
	int child = exos_spawn_with("revokee", 9, &share, 1);
	CHECK(child > 0);
	for (u32 i = 0; i < tries && !box[0]; i++)
		sys_yield();
	CHECK(box[0] == 1);
	u32 before = (u32)sys_env_usage((u32)child, LIM_PAGES);
	CHECK(sys_revoke((u32)child, 1) == 0);
	/* Its deadline passes while it waits in its critical range. */
	for (u32 i = 0; i < tries && (u32)sys_env_usage((u32)child, LIM_PAGES) + 1 > before; i++)
		sys_yield();
	CHECK((u32)sys_env_usage((u32)child, LIM_PAGES) + 1 == before);   /* one taken */
	CHECK(box[2] == 0);                            /* and it has not been told */
	CHECK(sys_revoke((u32)child, 1) == -E_BUSY);
	CHECK(sys_revoke((u32)child, 4) == -E_BUSY);
	box[1] = 1;                                    /* leave the critical range */
	for (u32 i = 0; i < tries && box[2] == 0; i++)
		sys_yield();
	CHECK(box[2] == 1);                            /* told of the one page */
	CHECK(sys_revoke((u32)child, 1) == 0);         /* a request may go out again */
	box[3] = 1;
	int st = -1;
	CHECK(exos_wait((u32)child, &st) == 0 && st == 0);
	CHECK(vm_unmap(share_va, 1, true) == 0);
	CHECK(sys_kcheck(0) == 0);
}

const struct utest revoke_tests[] = {
	{ "revoke_vital_limits", test_vital_limits },
	{ "revoke_complies", test_revoke_complies },
	{ "revoke_abort_protocol", test_revoke_abort_protocol },
	{ "revoke_sleeper", test_revoke_sleeper },
	{ "revoke_yielder", test_revoke_yielder },
	{ "revoke_slices_complies", test_revoke_slices_complies },
	{ "revoke_slices_taken", test_revoke_slices_taken },
	{ "revoke_low_memory", test_revoke_low_memory },
	{ "revoke_busy", test_revoke_busy },
};
const int n_revoke_tests = ARRAY_SIZE(revoke_tests);
