/* regiontests.c: software regions and their capability trees (sr_*;
 * docs/regions.md), and the pipe built on them (exos/srpipe.c). */
#include "utest.h"

#define PACK(a, b) ((u32)(a) << 16 | (u32)(b))

struct srcap { u32 name, check; };

/* sys_sr_alloc / sys_sr_derive as a capability; name = the error if < 0. */
static struct srcap sr_alloc(u32 size)
{
	u64 r = sys_sr_alloc(size);
	return (struct srcap){ (u32)r, (u32)(r >> 32) };
}

static struct srcap sr_derive(struct srcap c, u32 lo, u32 hi, u32 rights)
{
	u64 r = sys_sr_derive(c.name, c.check, PACK(lo, hi), rights);
	return (struct srcap){ (u32)r, (u32)(r >> 32) };
}

/* Reads, writes and every check: ranges, rights, forged and stale
 * capabilities, bad buffers; a derived capability never exceeds its parent;
 * revoking a capability kills everything below it and nothing else. */
static void test_sr_checks(void)
{
	CHECK((int)sr_alloc(0).name == -E_INVAL);
	CHECK((int)sr_alloc(SR_MAX_SIZE + 1).name == -E_INVAL);
	struct srcap root = sr_alloc(64);
	CHECK((int)root.name >= 0);
	char buf[16];
	CHECK(sys_sr_write(root.name, root.check, PACK(0, 8), "abcdefgh") == 8);
	CHECK(sys_sr_read(root.name, root.check, PACK(0, 8), buf) == 8 && !lib_memcmp(buf, "abcdefgh", 8));
	CHECK(sys_sr_read(root.name, root.check, PACK(60, 8), buf) == -E_INVAL);   /* past the end */
	CHECK(sys_sr_read(root.name, root.check, PACK(0, 0), buf) == -E_INVAL);
	CHECK(sys_sr_read(root.name, root.check ^ 1, PACK(0, 8), buf) == -E_BADCAP);
	CHECK(sys_sr_read(root.name + (1u << 16), root.check, PACK(0, 8), buf) == -E_BADCAP);
	CHECK(sys_sr_read(root.name, root.check, PACK(0, 8), (void *)0x80000000) == -E_FAULT);
	CHECK(sys_sr_write(root.name, root.check, PACK(0, 8), (const void *)0x3f000000) == -E_FAULT);
	CHECK(sys_sr_read(root.name, root.check, PACK(0, 8), buf) == 8 && !lib_memcmp(buf, "abcdefgh", 8));

	struct srcap ro = sr_derive(root, 2, 6, SR_R);
	CHECK((int)ro.name >= 0);
	CHECK(sys_sr_read(ro.name, ro.check, PACK(2, 4), buf) == 4 && !lib_memcmp(buf, "cdef", 4));
	CHECK(sys_sr_read(ro.name, ro.check, PACK(0, 4), buf) == -E_INVAL);       /* outside [2, 6) */
	CHECK(sys_sr_write(ro.name, ro.check, PACK(2, 1), "X") == -E_PERM);       /* no SR_W */
	CHECK((int)sr_derive(ro, 0, 6, SR_R).name == -E_PERM);                    /* wider */
	CHECK((int)sr_derive(ro, 2, 6, SR_R | SR_W).name == -E_PERM);             /* more rights */
	CHECK((int)sr_derive(ro, 4, 4, SR_R).name == -E_INVAL);                   /* empty */
	CHECK((int)sr_derive(ro, 2, 4, 4).name == -E_INVAL);                      /* unknown right */
	struct srcap below = sr_derive(ro, 3, 5, SR_R), side = sr_derive(root, 8, 16, SR_W);
	CHECK((int)below.name >= 0 && (int)side.name >= 0);
	CHECK(sys_sr_revoke(ro.name, ro.check) == 0);
	CHECK(sys_sr_read(below.name, below.check, PACK(3, 1), buf) == -E_BADCAP);
	CHECK(sys_sr_read(ro.name, ro.check, PACK(2, 1), buf) == 1);              /* it stays */
	CHECK(sys_sr_write(side.name, side.check, PACK(8, 2), "zz") == 2);        /* a sibling too */
	CHECK(sys_sr_free(side.name, side.check) == -E_PERM);                     /* not the root */
	CHECK(sys_sr_free(root.name, root.check) == 0);
	CHECK(sys_sr_read(root.name, root.check, PACK(0, 1), buf) == -E_BADCAP);
	CHECK(sys_sr_write(side.name, side.check, PACK(8, 1), "z") == -E_BADCAP);
	CHECK(sys_kcheck(0) == 0);
}

/* The bounds: trees at most 8 deep, 32 capabilities per region, 8 regions
 * per environment; each refused cleanly and everything comes back. */
static void test_sr_limits(void)
{
	u32 pages0 = (u32)sys_env_usage(0, LIM_PAGES);
	struct srcap root = sr_alloc(32), c = root;
	CHECK((u32)sys_env_usage(0, LIM_PAGES) == pages0 + 1);
	int depth = 0;
	while ((int)(c = sr_derive(c, 0, 32, SR_R)).name >= 0)
		depth++;
	CHECK(depth == 7 && (int)c.name == -E_NOMEM);
	CHECK(sys_sr_revoke(root.name, root.check) == 0);
	int n = 1;
	while ((int)sr_derive(root, 0, 1, SR_R).name >= 0)
		n++;
	CHECK(n == 32);
	struct srcap more[8];
	int k = 0;
	while (k < 8 && (int)(more[k] = sr_alloc(16)).name >= 0)
		k++;
	CHECK(k == 7 && (int)more[7].name == -E_QUOTA);
	for (int i = 0; i < k; i++)
		CHECK(sys_sr_free(more[i].name, more[i].check) == 0);
	CHECK(sys_sr_free(root.name, root.check) == 0);
	CHECK((u32)sys_env_usage(0, LIM_PAGES) == pages0);
	CHECK(sys_kcheck(0) == 0);
}

/* A region made by a child is read by its parent through a capability the
 * child derived for it; when the child ends, the region and every
 * capability of it go. */
static void test_sr_between_environments(void)
{
	const u32 share_va = 0x30f04000;
	struct exos_share share = utest_new_shared_page(share_va, 0x6000);
	volatile u32 *box = (volatile u32 *)share_va;
	box[0] = box[1] = box[2] = 0;
	int child = exos_spawn_with("spin", 10 | exos_envid << 8, &share, 1);
	CHECK(child > 0);
	for (int i = 0; i < 2000 && !box[2]; i++)
		sys_yield();
	CHECK(box[2] == 1);
	char buf[4] = { 0 };
	CHECK(sys_sr_read(box[0], box[1], PACK(0, 2), buf) == 2 && buf[0] == 'h' && buf[1] == 'i');
	CHECK(sys_sr_read(box[0], box[1], PACK(0, 3), buf) == -E_INVAL);     /* it gave [0, 2) */
	CHECK(sys_sr_write(box[0], box[1], PACK(0, 1), "X") == -E_PERM);     /* read-only */
	CHECK(sys_env_destroy((u32)child) == 0);
	int st;
	exos_wait((u32)child, &st);
	CHECK(sys_sr_read(box[0], box[1], PACK(0, 2), buf) == -E_BADCAP);
	CHECK(sys_kcheck(0) == 0);
	vm_unmap(share_va, 1, true);
}

/* The pipe in a software region: data goes through in order, wrapping
 * round the ring; neither end can write the other's index. */
static void test_srpipe(void)
{
	struct srpipe_end rd, wr;
	u32 rn, rc;
	CHECK(srpipe_create(&rd, &wr, &rn, &rc) == 0);
	static u8 out[700], in[700];
	u32 total = 0, bad = 0;
	for (int round = 0; round < 12; round++) {
		u32 n = 300 + (u32)round * 31;
		for (u32 i = 0; i < n; i++)
			out[i] = (u8)(total + i);
		CHECK(srpipe_write(&wr, out, n) == (int)n);
		CHECK(srpipe_read(&rd, in, n) == (int)n);
		for (u32 i = 0; i < n; i++)
			bad += in[i] != out[i];
		total += n;
	}
	CHECK(bad == 0);
	CHECK(srpipe_read(&rd, in, 10) == 0);                                    /* empty */
	u32 lie = 12345;
	CHECK(sys_sr_write(rd.data_name, rd.data_check, PACK(4, 4), &lie) == -E_PERM);  /* head */
	CHECK(sys_sr_write(wr.idx_name, wr.idx_check, PACK(0, 4), &lie) == -E_PERM);    /* tail */
	CHECK(sys_sr_free(rn, rc) == 0);
	CHECK(srpipe_write(&wr, out, 1) == -E_BADCAP);
}

const struct utest region_tests[] = {
	{ "sr_checks", test_sr_checks },
	{ "sr_limits", test_sr_limits },
	{ "sr_between_environments", test_sr_between_environments },
	{ "sr_pipe", test_srpipe },
};
const int n_region_tests = ARRAY_SIZE(region_tests);
