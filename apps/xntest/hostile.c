/*
 * hostile.c: the children of xntest: a hostile library file system that
 * attacks the suite's, one that leaves with requests in flight, and ones
 * that try to fill XN's tables. Each returns 0 if all went as the suite
 * expects (a hostile child: the number of checks that failed).
 */
#include "xnfs.h"

#define CBOX ((struct box *)BOX_VA)
#define MY_ROOT 3000

/* Attack the suite's file system (its blocks and type in the box). */
int hostile_child(void)
{
	struct box *b = CBOX;
	u32 pa, pc;
	if (!new_page(BUF_VA, &pa, &pc) || !new_page(DONE_VA, &done_ppn, &done_check))
		return 90;
	u32 mine = (u32)sys_xn_type_add(&dir_tmpl);
	CHECK((int)mine > 0 && mine != b->type);
	CHECK(xn_mkroot("hostile", MY_ROOT, mine) >= 0);
	/* Claim the suite's blocks: as a root, by allocation, by a link. */
	CHECK(xn_mkroot("grab", b->root, mine) == -E_BUSY);
	CHECK(xn_mkroot("grab", MY_ROOT + 1, b->type) == -E_INVAL);        /* its type */
	CHECK(dir_set(MY_ROOT, 0, b->data, XN_DATA, XN_ALLOC, b->data, 0) == -E_BUSY);
	CHECK(dir_set(MY_ROOT, 0, b->sub, mine, XN_ALLOC, b->sub, 0) == -E_BUSY);
	CHECK(dir_set(MY_ROOT, 0, MY_ROOT + 1, b->type, XN_ALLOC, MY_ROOT + 1, 0) == -E_INVAL);
	CHECK(dir_set(MY_ROOT, 0, b->data, XN_DATA, XN_LINK, b->data, 0) == -E_PERM);
	CHECK(dir_set(MY_ROOT, 0, b->sub, b->type, XN_LINK, b->sub, 0) == -E_PERM);  /* a move */
	CHECK(xn_entry_of(MY_ROOT + 1).block == 0xffffffffu);
	u64 x = sys_disk_alloc(b->root, 4);                                 /* as an extent */
	CHECK((int)(u32)x == -E_BUSY);
	/* Change the suite's metadata: its pointers, its bytes. */
	CHECK(dir_set(b->root, 2, MY_ROOT + 2, XN_DATA, XN_ALLOC, MY_ROOT + 2, 0) == -E_PERM);
	CHECK(dir_set(b->root, 0, 0, 0, XN_FREE, b->data, 0) == -E_PERM);
	u32 junk = 0xdeadbeef;
	CHECK(xn_upd(b->root, XN_NONE, 0, 0, 4, 4, &junk, 0) == -E_PERM);
	CHECK(sys_xn_root_free(b->root) == -E_PERM);
	/* Write (or read) a block it does not own. */
	fill(BUF_VA, 66);
	CHECK(xn_do(XN_WRITE, b->data, pa, pc, 0) == -E_PERM);
	CHECK(xn_do(XN_READ, b->data, pa, pc, 0) == -E_PERM);
	CHECK(xn_do(XN_WRITE, b->root, 0, 0, 0) == -E_PERM);
	CHECK(xn_do(XN_READ, b->sub, pa, pc, 0) == -E_PERM);
	/* The registry is readable by all: it sees the suite's blocks. */
	struct xn_entry e = xn_entry_of(b->data);
	CHECK(e.block == b->data && e.owner != (u32)sys_getenvid() && e.refs == 1);
	/* Its own file system works, and ends with it. */
	CHECK(dir_set(MY_ROOT, 0, MY_ROOT + 3, XN_DATA, XN_ALLOC, MY_ROOT + 3, 0) == 0);
	CHECK(xn_do(XN_WRITE, MY_ROOT + 3, pa, pc, 0) == 0);
	return failed_checks;
}

/* A file system of 1 root and 4 data blocks (+ a type): writes of the last
 * two queued behind 2 long reads of an extent (its fair share of the disk's
 * queue is 4 requests; so that they are still
 * queued when it goes), then exit at once: how many of the writes were not
 * over just before in err. */
int leaver_child(void)
{
	struct box *b = CBOX;
	u32 pa, pc;
	if (!new_page(BUF_VA, &pa, &pc) || !new_page(DONE_VA, &done_ppn, &done_check))
		return 90;
	u32 t = (u32)sys_xn_type_add(&dir_tmpl);
	b->blocks[0] = 3100;
	if ((int)t < 0 || xn_mkroot("leaver", 3100, t) < 0)
		return 91;
	for (u32 k = 1; k < 5; k++) {
		b->blocks[k] = 3100 + k;
		if (dir_set(3100, k - 1, 3100 + k, XN_DATA, XN_ALLOC, 3100 + k, 0) < 0)
			return 92;
	}
	u64 x = sys_disk_alloc(6000, 48);
	for (u32 k = 0; k < DISK_QUEUE / 2 - 2 && (int)(u32)x >= 0; k++) {
		struct disk_req r = { DISK_READ, (u32)x, (u32)(x >> 32), 6000 + 8 * k, 8,
				      CAP_NAME(pa, CAP_RW), pc, 0, CAP_NAME(done_ppn, CAP_RW),
				      done_check, 64 + 4 * k };
		sys_disk_rw(&r);
	}
	volatile u32 *words = (volatile u32 *)DONE_VA;
	for (u32 k = 3; k < 5; k++) {
		words[k] = 0;
		struct xn_io r = { XN_WRITE, 3100 + k, CAP_NAME(pa, CAP_RW), pc, 0,
				   CAP_NAME(done_ppn, CAP_RW), done_check, 4 * k };
		if (sys_xn_io(&r) < 0)
			return 93;
	}
	b->err = (words[3] == 0) + (words[4] == 0);
	b->count = (u32)sys_env_usage(0, LIM_XN);
	b->step = 1;
	return 0;
}

static int type_one(u32 k)
{
	(void)k;
	return sys_xn_type_add(&dir_tmpl);
}

/* Register types until refused. */
int types_child(void)
{
	kid_take_until_refused(type_one, 2 * XN_MAXTYPES, &CBOX->count, &CBOX->err);
	return 0;
}

static int alloc_one(u32 k)
{
	return dir_set(3200, k, 3201 + k, XN_DATA, XN_ALLOC, 3201 + k, 0);
}

/* A type, a root, then blocks until refused. */
int quota_child(void)
{
	u32 t = (u32)sys_xn_type_add(&dir_tmpl);
	if ((int)t < 0 || xn_mkroot("quota", 3200, t) < 0)
		return 91;
	kid_take_until_refused(alloc_one, DIR_SLOTS, &CBOX->count, &CBOX->err);
	return 0;
}

/* A random walk over its own file system: NWALK updates (allocations,
 * frees, links, unlinks of random slots and blocks), reads and writes,
 * drawn from a fixed seed; kcheck every 64 steps. Returns how many
 * results were not among the expected codes, plus kcheck's findings, plus
 * the kinds of step that never succeeded. */
#define NWALK 3000
#define WALK_BASE 3300

int walk_child(void)
{
	u32 pa, pc, seed = 0x5eed1234u, dirs[16] = { WALK_BASE }, ndirs = 1, bad = 0, ok[8] = { 0 };
	if (!new_page(BUF_VA, &pa, &pc) || !new_page(DONE_VA, &done_ppn, &done_check))
		return 90;
	u32 t = (u32)sys_xn_type_add(&dir_tmpl);
	if ((int)t < 0 || xn_mkroot("walk", WALK_BASE, t) < 0)
		return 91;
	fill(BUF_VA, 5);
	for (u32 i = 0; i < NWALK; i++) {
		u32 r = xorshift32(&seed), d = dirs[r % ndirs], k = (r >> 4) % DIR_SLOTS;
		u32 b = WALK_BASE + 1 + (r >> 8) % 40, op = (r >> 16) % 8;
		int e;
		if (op == 2 || op == 4) {               /* free or unlink what slot k holds */
			u32 cur = 0;
			if (xn_do(XN_READ, d, pa, pc, 2048) == 0)
				cur = ((volatile u32 *)(BUF_VA + 2048))[2 + 2 * k];
			e = dir_set(d, k, 0, 0, op == 2 ? XN_FREE : XN_UNLINK, cur, 0);
		} else if (op < 4) {                    /* allocate data or a directory, or link */
			u32 type = op == 1 ? t : op == 3 ? xn_entry_of(b).type : XN_DATA;
			e = dir_set(d, k, b, type, op == 3 ? XN_LINK : XN_ALLOC, b, 0);
			if (e == 0 && op == 1 && ndirs < 16)
				dirs[ndirs++] = b;
		} else if (op == 5 || op == 6) {        /* write or read a block */
			u32 x = r & 1 ? d : b;
			bool meta = xn_entry_of(x).type != XN_DATA;
			e = xn_do(op == 5 ? XN_WRITE : XN_READ, x, meta && op == 5 ? 0 : pa,
				  meta && op == 5 ? 0 : pc, 0);
		} else {
			u32 v = r;
			e = xn_upd(d, XN_NONE, 0, 0, 4, 4, &v, 0);
		}
		if (e != 0 && e != -E_INVAL && e != -E_BUSY && e != -E_NOENT && e != -E_PERM &&
		    bad++ < 5)
			printf("    # walk step %u (op %u, block %u, dir %u): %d\n", i, op, b, d, e);
		ok[op] += e == 0;
		if (i % 64 == 63)
			bad += (u32)sys_kcheck(0);
	}
	printf("    # walk: done by kind (data, dir, free, link, unlink, write, read, bytes):"
	       " %u %u %u %u %u %u %u %u\n", ok[0], ok[1], ok[2], ok[3], ok[4], ok[5], ok[6], ok[7]);
	for (u32 k = 0; k < 8; k++)
		bad += ok[k] == 0;                      /* every kind happened */
	CBOX->count = xn_used();
	return (int)bad;
}
