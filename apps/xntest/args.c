/*
 * args.c: xntest's hostile arguments to XN's newest calls and the edges of
 * the old ones (xntest/hostile_args): blocks at and past the disk's end and
 * XN_MAXDISK, template ids out of range, offsets and lengths at XN_META,
 * bytes and buffers in kernel memory or running off a mapped page, and a
 * child's pages (valid capabilities, not the caller's) as the victim. Every
 * call refused with its error, nothing of XN changed (kcheck after the
 * test), and the holder child's page untouched. And xntest/roots_table:
 * XN's table of file systems filled by a child, recovered when it goes.
 */
#include "xnfs.h"

#define R      2500u                  /* the test's root */
#define EXT    2600u                  /* an extent beside it */
#define EDGE_VA 0x31200000u           /* a page whose next page is unmapped */

extern u32 pa, pc, pb, pbc;
static u64 ext;                       /* the extent over EXT (name, check) */
extern struct box *box;
int child_spawn(u32 mode, const u32 *limits);

/* C_HOLDER: hold a page of its own, filled with 0x77, its capability in the
 * box (blocks[0], blocks[1]) until step 2; then exit 0 if it is unchanged. */
int holder_child(void)
{
	struct box *b = (struct box *)BOX_VA;
	u32 p, c;
	if (!new_page(BUF_VA, &p, &c))
		return 90;
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		((volatile u32 *)BUF_VA)[i] = 0x77777777u;
	b->blocks[0] = p;
	b->blocks[1] = c;
	b->step = 1;
	while (b->step < 2)
		sys_yield();
	u32 changed = 0;
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		changed += ((volatile u32 *)BUF_VA)[i] != 0x77777777u;
	return (int)changed;
}

/* xn_update's block, target, type, offset and length at their edges. */
static void update_edges(u32 dir)
{
	u32 z[2] = { 0, 0 };
	static const u32 far[] = { DISK_BLOCKS, XN_MAXDISK - 1, XN_MAXDISK, 0x80000000u, 0xffffffffu };
	for (u32 i = 0; i < ARRAY_SIZE(far); i++) {
		CHECK(xn_upd(far[i], XN_NONE, 0, 0, 8, 4, z, 0) == -E_NOENT);
		CHECK(dir_set(R, 1, far[i], XN_DATA, XN_ALLOC, far[i], 0) == -E_INVAL);
		CHECK(dir_set(R, 1, far[i], dir, XN_ALLOC, far[i], 0) == -E_INVAL);
		CHECK(dir_set(R, 0, 0, 0, XN_FREE, far[i], 0) == -E_INVAL);
		CHECK(sys_xn_root_free(far[i]) == -E_NOENT);
		struct xn_entry e;
		CHECK(sys_xn_bc_find(far[i], &e) == -E_NOENT);
	}
	const u32 types[] = { (dir & 0xff) | 0xff00, dir | 0x10000, 0xffffffffu,
				     XN_MAXTYPES + 1, 0x100 | (XN_MAXTYPES + 1), XN_DATA + 0x100 };
	for (u32 i = 0; i < ARRAY_SIZE(types); i++)
		CHECK(dir_set(R, 1, R + 5, types[i], XN_ALLOC, R + 5, 0) == -E_INVAL);
	CHECK(dir_set(R, 1, EXT, XN_DATA, XN_ALLOC, EXT, 0) == -E_BUSY);    /* an extent's */
	CHECK(xn_upd(R, XN_NONE, 0, 0, XN_META, 0, z, 0) == -E_INVAL);      /* past size */
	CHECK(xn_upd(R, XN_NONE, 0, 0, XN_META + 1, 0, z, 0) == -E_INVAL);
	CHECK(xn_upd(R, XN_NONE, 0, 0, 0, 0xffffffffu, z, 0) == -E_INVAL);
	CHECK(xn_upd(R, XN_NONE, 0, 0, 4, 0xfffffffcu, z, 0) == -E_INVAL);
	CHECK(xn_upd(R, XN_NONE, 0, 0, 4, 0, (void *)0x80000000u, 0) == 0);  /* no bytes: none read */
	static const u32 bad_va[] = { 0x80000000u, 0xa0000000u, 0xfffffffcu, 0x7ffffffcu };
	for (u32 i = 0; i < ARRAY_SIZE(bad_va); i++)
		CHECK(xn_upd(R, XN_NONE, 0, 0, 4, 4, (void *)bad_va[i], 0) == -E_FAULT);
	u32 *edge = (u32 *)(EDGE_VA + PAGE_SIZE - 4);
	*edge = 5;
	CHECK(xn_upd(R, XN_NONE, 0, 0, 4, 4, edge, 0) == 0);              /* inside: fine */
	CHECK(xn_upd(R, XN_NONE, 0, 0, 4, 8, edge, 0) == -E_FAULT);       /* runs off the page */
	struct xn_upd *u = (struct xn_upd *)(EDGE_VA + PAGE_SIZE - 8);
	CHECK(sys_xn_update(u) == -E_FAULT);
	struct xn_io *io = (struct xn_io *)(EDGE_VA + PAGE_SIZE - 8);
	CHECK(sys_xn_io(io) == -E_FAULT);
	struct xn_rootreq *rq = (struct xn_rootreq *)(EDGE_VA + PAGE_SIZE - 8);
	CHECK(sys_xn_root(rq) == -E_FAULT);
	CHECK(sys_xn_stat((void *)(EDGE_VA + PAGE_SIZE - 8)) == -E_FAULT);
	CHECK(sys_xn_bc_find(R, (void *)(EDGE_VA + PAGE_SIZE - 8)) == -E_FAULT);
	CHECK(sys_xn_bc_find(R, (void *)0x80000000u) == -E_FAULT);
}

/* xn_io with a child's page and completion word (valid capabilities, not
 * the caller's), and offsets at their edges. */
static void io_edges(u32 victim, u32 vcheck)
{
	u32 vname = CAP_NAME(victim, CAP_RW);
	struct xn_io r = { XN_READ, R + 1, CAP_NAME(pa, CAP_RW), pc, 0, CAP_NAME(done_ppn, CAP_RW),
			   done_check, 0 };
	struct xn_io b = r;
	b.pname = vname, b.pcheck = vcheck;
	CHECK(sys_xn_io(&b) == -E_PERM);                    /* into the child's page */
	b = r, b.op = XN_WRITE, b.pname = vname, b.pcheck = vcheck;
	CHECK(sys_xn_io(&b) == -E_PERM);                    /* from it */
	b = r, b.wname = vname, b.wcheck = vcheck;
	CHECK(sys_xn_io(&b) == -E_PERM);                    /* its completion word */
	b = r, b.op = XN_READ_DISK, b.block = R, b.pname = vname, b.pcheck = vcheck;
	CHECK(sys_xn_io(&b) == -E_PERM);
	b = r, b.off = PAGE_SIZE - DISK_BLOCK + 1;
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.off = 0xfffffe00u;
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.woff = PAGE_SIZE - 2;
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.woff = 0xfffffffcu;
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.op = XN_READ_DISK;
	CHECK(sys_xn_io(&b) == -E_INVAL);                   /* a data block */
	b = r, b.op = XN_READ_DISK + 1;
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.op = XN_WRITE, b.block = R, b.off = DISK_BLOCK;
	b.pname = b.pcheck = 0;
	CHECK(sys_xn_io(&b) == -E_INVAL);                   /* metadata: no offset */
	b = r, b.block = EXT;
	CHECK(sys_xn_io(&b) == -E_NOENT);                   /* an extent's block */
	/* disk_rw into the child's page, or with its completion word. */
	u64 x = ext;
	struct disk_req d = { DISK_READ, (u32)x, (u32)(x >> 32), EXT, 1, vname, vcheck, 0,
			      CAP_NAME(done_ppn, CAP_RW), done_check, 0 };
	CHECK(sys_disk_rw(&d) == -E_PERM);
	d.op = DISK_WRITE;
	CHECK(sys_disk_rw(&d) == -E_PERM);
	d = (struct disk_req){ DISK_READ, (u32)x, (u32)(x >> 32), EXT, 1, CAP_NAME(pb, CAP_RW), pbc,
			       0, vname, vcheck, 0 };
	CHECK(sys_disk_rw(&d) == -E_PERM);
	d.wname = CAP_NAME(done_ppn, CAP_RW), d.wcheck = done_check;
	d.off = PAGE_SIZE - DISK_BLOCK, d.count = 2;
	CHECK(sys_disk_rw(&d) == -E_INVAL);                 /* runs off the page */
	d.off = 0, d.count = 0xffffffffu;
	CHECK(sys_disk_rw(&d) == -E_INVAL);
	d.count = 0x00800001u;                              /* count * 512 wraps to 512 */
	CHECK(sys_disk_rw(&d) == -E_INVAL);
	d.count = 1, d.block = EXT + 1;
	CHECK(sys_disk_rw(&d) == -E_PERM);                  /* past the extent */
	d.block = EXT - 1;
	CHECK(sys_disk_rw(&d) == -E_PERM);
	d.block = EXT, d.xname = (u32)x + (1u << 16);        /* the next generation's name */
	CHECK(sys_disk_rw(&d) == -E_BADCAP);
	CHECK((int)(u32)sys_disk_alloc(R, 1) == -E_BUSY);    /* XN's */
	CHECK((int)(u32)sys_disk_alloc(DISK_BLOCKS - 1, 2) == -E_INVAL);
	CHECK((int)(u32)sys_disk_alloc(1, 0xffffffffu) == -E_INVAL);
	CHECK((int)(u32)sys_disk_alloc(EXT, 1) == -E_BUSY);
}

/* xn_root_keep and xn_root_attach on a disk with no XN area, the root
 * another's or no root; xn_root at the edges. */
static void keep_edges(u32 dir)
{
	u32 secret[4] = { 1, 2, 3, 4 };
	CHECK(sys_xn_root_keep(R, secret) == -E_NOENT);                 /* no XN area */
	CHECK(sys_xn_root_keep(R, (void *)0x80000000u) == -E_NOENT);
	CHECK(sys_xn_root_keep(R + 1, secret) == -E_NOENT);
	CHECK(sys_xn_root_keep(0xffffffffu, secret) == -E_NOENT);
	struct xn_attach a = { "args", { 1, 2, 3, 4 } };
	CHECK(sys_xn_root_attach(&a) == -E_NOENT);              /* live, but not kept */
	struct xn_attach full = { "0123456789abcdef", { 0, 0, 0, 0 } };
	CHECK(sys_xn_root_attach(&full) == -E_NOENT);
	CHECK(sys_xn_root_find(full.name) == -E_NOENT);
	CHECK(xn_mkroot("args", R + 2, dir) == -E_BUSY);        /* the name */
	CHECK(xn_mkroot("xargs", EXT, dir) == -E_BUSY);         /* an extent's block */
	CHECK(xn_mkroot("xargs", XN_MAXDISK, dir) == -E_INVAL);
	CHECK(xn_mkroot("xargs", 0xffffffffu, dir) == -E_INVAL);
	struct xn_rootreq full_name = { "0123456789abcdef", R + 3, dir };
	CHECK(sys_xn_root(&full_name) >= 0);                    /* 16 bytes, no NUL: a name */
	CHECK(sys_xn_root_find(full_name.name) == (int)(R + 3));
	CHECK(sys_xn_root_free(R + 3) == 0);
}

void test_hostile_args(u32 dir)
{
	CHECK(xn_mkroot("args", R, dir) >= 0);
	CHECK(dir_set(R, 0, R + 1, XN_DATA, XN_ALLOC, R + 1, 0) == 0);
	CHECK(xn_do(XN_WRITE, R + 1, pa, pc, 0) == 0);          /* neither tainted: reads */
	CHECK(xn_do(XN_WRITE, R, 0, 0, 0) == 0);                /* are checked for pages */
	u32 ep, ec;
	CHECK(new_page(EDGE_VA, &ep, &ec));
	ext = sys_disk_alloc(EXT, 1);                           /* in an extent: not XN's */
	CHECK((int)(u32)ext >= 0);
	box->step = 0;
	int child = child_spawn(C_HOLDER, NULL);
	CHECK(child > 0);
	for (u32 i = 0; i < 100000 && box->step < 1; i++)
		sys_yield();
	CHECK(box->step == 1);
	u32 used = xn_used();
	update_edges(dir);
	io_edges(box->blocks[0], box->blocks[1]);
	keep_edges(dir);
	CHECK(sys_disk_free((u32)ext, (u32)(ext >> 32)) == 0);
	CHECK(xn_used() == used);                               /* nothing taken or lost */
	box->step = 2;
	CHECK(kid_wait(child) == 0);                            /* its page untouched */
	CHECK(vm_unmap(EDGE_VA, 1, true) == 0);
	CHECK(dir_set(R, 0, 0, 0, XN_FREE, R + 1, 0) == 0);
	CHECK(xn_do(XN_WRITE, R, 0, 0, 0) == 0);
	CHECK(sys_xn_root_free(R) == 0);
	CHECK(xn_used() == 0);
}

#define CBOX_TYPE (((struct box *)BOX_VA)->type)

static int root_one(u32 k)
{
	char name[8] = "roots0";
	name[5] = (char)('0' + k % 10);
	name[6] = (char)('0' + k / 10);
	return xn_mkroot(name, 2700 + k, CBOX_TYPE);
}

/* C_ROOTS: a template, then roots until refused: how many, and the error. */
int roots_child(void)
{
	struct box *b = (struct box *)BOX_VA;
	b->type = (u32)sys_xn_type_add(&dir_tmpl);
	if ((int)b->type <= 0)
		return 91;
	kid_take_until_refused(root_one, 2 * XN_MAXROOTS, &b->count, &b->err);
	return 0;
}

/* XN's root table (XN_MAXROOTS file systems, all environments) filled by a
 * child: it stops at the table's size with -E_NOMEM, and once it has gone
 * every slot is free again (a second child gets as many). */
void test_roots_table(void)
{
	CHECK(xn_stats().roots == 0);
	for (u32 round = 0; round < 2; round++) {
		box->count = box->err = 0;
		CHECK(kid_wait(child_spawn(C_ROOTS, NULL)) == 0);
		CHECK(box->count == XN_MAXROOTS && box->err == E_NOMEM);
		CHECK(xn_stats().roots == 0 && xn_used() == 0);
	}
}
