/*
 * xntest: XN's tests, run as the first environment by `make test`
 * (init=xntest kcheck, suite xn-direct) on a board with a 4 MiB scratch
 * disk. Prints KTAP: subtest "xntest", one result per test; after every
 * test the kernel's invariant checker (which runs owns on every metadata
 * block) must find nothing. Started with a nonzero argument, the same
 * program is one of the children (hostile.c).
 */
#include "xnfs.h"

int failed_checks;

struct box *box = (struct box *)PARENT_BOX_VA;
static u32 box_ppn, box_check;
static u32 dir;                         /* the directory type's id */
u32 pa, pc, pb, pbc;                    /* two data pages: BUF_VA, BUF_VA + PAGE_SIZE */


#define PAGE_A BUF_VA
#define PAGE_B (BUF_VA + PAGE_SIZE)

/* Directory d's slot k (read through XN into page B). */
static u32 slot_block(u32 d, u32 k)
{
	if (xn_do(XN_READ, d, pb, pbc, 0) != 0)
		return 0xffffffffu;
	return ((volatile u32 *)PAGE_B)[2 + 2 * k];
}

/* Free everything below directory d (one level of subdirectories), then
 * write it: its freed blocks become reusable. */
static void clear_dir(u32 d)
{
	for (u32 k = 0; k < DIR_SLOTS; k++) {
		u32 b = slot_block(d, k);
		if (b == 0 || b == 0xffffffffu)
			continue;
		u32 type = ((volatile u32 *)PAGE_B)[3 + 2 * k];
		if (type != XN_DATA)
			clear_dir(b);
		CHECK(dir_set(d, k, 0, 0, XN_FREE, b, 0) == 0);
	}
	CHECK(xn_do(XN_WRITE, d, 0, 0, 0) == 0);
}

/* The file system rooted at root goes; nothing of XN is left. */
static void teardown(u32 root)
{
	clear_dir(root);
	CHECK(sys_xn_root_free(root) == 0);
	CHECK(xn_used() == 0 && xn_stats().entries == 0);
}

static void test_templates(void)
{
	CHECK((int)(dir = (u32)sys_xn_type_add(&dir_tmpl)) > 0 && dir != XN_DATA);
	CHECK(sys_xn_type_add(&writes_meta_tmpl) == -E_INVAL);   /* stores into the metadata */
	CHECK(sys_xn_type_add(&too_long_tmpl) == -E_INVAL);
	CHECK(sys_xn_type_add(&liar_fixed_tmpl) == -E_INVAL);    /* owns a block on a zero block */
	CHECK(sys_xn_type_add(&size_zero_tmpl) == -E_INVAL);
	struct xn_tmpl t = dir_tmpl;
	t.nowns = 0;
	CHECK(sys_xn_type_add(&t) == -E_INVAL);
	t = dir_tmpl;
	t.nacl = 0xffffffffu;
	CHECK(sys_xn_type_add(&t) == -E_INVAL);
	t = dir_tmpl;
	t.size = (const void *)0x80000000u;
	CHECK(sys_xn_type_add(&t) == -E_FAULT);
	CHECK(sys_xn_type_add((void *)0) == -E_FAULT);
	/* A jump past the end. */
	static struct dc_insn past[2] = { DC_INSN(DC_JA, 0, 0, 5, 0), DC_INSN(DC_RETI, 0, 0, 0, 0) };
	t = dir_tmpl;
	t.acl = past;
	t.nacl = 2;
	CHECK(sys_xn_type_add(&t) == -E_INVAL);
}

static void test_roots(void)
{
	CHECK(xn_mkroot("alpha", DISK_BLOCKS, dir) == -E_INVAL);    /* past the end */
	CHECK(xn_mkroot("alpha", 10, XN_DATA) == -E_INVAL);         /* a root is metadata */
	CHECK(xn_mkroot("alpha", 10, dir + 0x100) == -E_INVAL);     /* a stale id */
	CHECK(xn_mkroot("", 10, dir) == -E_INVAL);
	struct xn_rootreq r = { "ab\0c", 10, dir };
	CHECK(sys_xn_root(&r) == -E_INVAL);                         /* bytes after the NUL */
	CHECK(sys_xn_root((void *)0x7ffffffcu) == -E_FAULT);
	int i = xn_mkroot("alpha", 10, dir);
	CHECK(i >= 0);
	CHECK(xn_mkroot("alpha", 11, dir) == -E_BUSY);              /* the name */
	CHECK(xn_mkroot("beta", 10, dir) == -E_BUSY);               /* the block */
	char name[XN_NAMELEN] = "alpha";
	CHECK(sys_xn_root_find(name) == 10);
	char other[XN_NAMELEN] = "gamma";
	CHECK(sys_xn_root_find(other) == -E_NOENT);
	CHECK(sys_xn_root_find((void *)0) == -E_FAULT);
	struct xn_entry e = xn_entry_of(10);
	CHECK(e.type == dir && (e.state & XN_S_ROOT) && (e.state & XN_S_TAINTED) && e.refs == 0 &&
	      e.owner == (u32)sys_getenvid());
	CHECK(sys_xn_root_free(11) == -E_NOENT);
	teardown(10);
	CHECK(sys_xn_root_find(name) == -E_NOENT);
}

/* A directory with data blocks and a subdirectory: allocated by updates,
 * written from pages, read back; a freed block is reusable once its
 * directory is on disk without it. */
static void test_alloc_write_read(void)
{
	CHECK(xn_mkroot("fs", 100, dir) >= 0);
	CHECK(dir_set(100, 0, 101, XN_DATA, XN_ALLOC, 101, 0) == 0);
	CHECK(dir_set(100, 1, 102, XN_DATA, XN_ALLOC, 102, 0) == 0);
	CHECK(dir_set(100, 2, 103, dir, XN_ALLOC, 103, 0) == 0);
	CHECK(dir_set(103, 0, 104, XN_DATA, XN_ALLOC, 104, 0) == 0);
	struct xn_entry e = xn_entry_of(101);
	CHECK(e.refs == 1 && e.type == XN_DATA && e.state == XN_S_TAINTED);
	CHECK(xn_entry_of(100).state == (XN_S_ROOT | XN_S_TAINTED | XN_S_DIRTY));
	CHECK(xn_used() == 5);
	fill(PAGE_A, 1);
	CHECK(xn_do(XN_WRITE, 101, pa, pc, 0) == 0);
	CHECK(xn_do(XN_WRITE, 102, pa, pc, 512) == 0);
	CHECK(xn_do(XN_WRITE, 104, pa, pc, 3584) == 0);
	CHECK(xn_do(XN_WRITE, 103, 0, 0, 0) == 0);
	CHECK(xn_do(XN_WRITE, 100, 0, 0, 0) == 0);
	e = xn_entry_of(101);
	CHECK(e.state == 0 && e.ppn == pa && e.off == 0);
	CHECK(xn_entry_of(100).state == XN_S_ROOT);
	fill(PAGE_B, 9);
	CHECK(xn_do(XN_READ, 102, pb, pbc, 1024) == 0);
	CHECK(xn_do(XN_READ, 104, pb, pbc, 0) == 0);
	CHECK(differs(PAGE_B + 1024, 512, 1, 512) == 0 && differs(PAGE_B, 512, 1, 3584) == 0);
	CHECK(differs(PAGE_B + 512, 512, 9, 512) == 0);             /* untouched */
	CHECK(slot_block(100, 2) == 103 && ((volatile u32 *)PAGE_B)[7] == dir);
	/* Free 102: it waits for the root's write. */
	CHECK(dir_set(100, 1, 0, 0, XN_FREE, 102, 0) == 0);
	CHECK(xn_entry_of(102).state == XN_S_FREEING);
	CHECK(xn_do(XN_READ, 102, pb, pbc, 0) == -E_NOENT);
	CHECK(dir_set(100, 1, 102, XN_DATA, XN_ALLOC, 102, 0) == -E_BUSY);
	CHECK(sys_kcheck(0) == 0);
	CHECK(xn_do(XN_WRITE, 100, 0, 0, 0) == 0);
	CHECK(xn_entry_of(102).block == 0xffffffffu);
	CHECK(dir_set(100, 1, 102, XN_DATA, XN_ALLOC, 102, 0) == 0);
	CHECK(xn_do(XN_READ, 102, pb, pbc, 0) == -E_PERM);          /* tainted: a former owner's */
	teardown(100);
}

/* Every argument checked. */
static void test_arg_checks(void)
{
	CHECK(xn_mkroot("args", 200, dir) >= 0);
	CHECK(dir_set(200, 0, 201, XN_DATA, XN_ALLOC, 201, 0) == 0);
	u32 z[2] = { 0, 0 };
	CHECK(xn_upd(200, 5, 0, 0, 0, 0, z, 0) == -E_INVAL);               /* op */
	CHECK(xn_upd(200, XN_NONE, 0, 0, 0, 513, z, 0) == -E_INVAL);       /* len */
	CHECK(xn_upd(200, XN_NONE, 0, 0, 510, 4, z, 0) == -E_INVAL);       /* past the block */
	CHECK(xn_upd(200, XN_NONE, 0, 0, 0xfffffffcu, 8, z, 0) == -E_INVAL);
	CHECK(xn_upd(200, XN_NONE, 0, 0, DIR_SIZE - 4, 8, z, 0) == -E_INVAL);  /* past size */
	CHECK(xn_upd(200, XN_NONE, 0, 7, 4, 4, z, 0) == -E_INVAL);         /* type for no alloc */
	CHECK(xn_upd(200, XN_NONE, 5, 0, 4, 4, z, 0) == -E_INVAL);         /* target for none */
	CHECK(xn_upd(201, XN_NONE, 0, 0, 0, 4, z, 0) == -E_INVAL);         /* a data block */
	CHECK(xn_upd(202, XN_NONE, 0, 0, 0, 4, z, 0) == -E_NOENT);
	CHECK(xn_upd(200, XN_NONE, 0, 0, 4, 4, (void *)0x80000000u, 0) == -E_FAULT);
	CHECK(sys_xn_update((void *)0) == -E_FAULT);
	CHECK(xn_upd(200, XN_NONE, 0, 0, 4, 4, z, 0) == 0);                /* the spare word */
	/* xn_io */
	struct xn_io r = { XN_WRITE, 201, CAP_NAME(pa, CAP_RW), pc, 0,
			   CAP_NAME(done_ppn, CAP_RW), done_check, 0 };
	struct xn_io b = r;
	b.op = 0;
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.off = 256;
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.off = 4096;
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.woff = 2;
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.woff = 0x10000;
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.pcheck ^= 1;
	CHECK(sys_xn_io(&b) == -E_BADCAP);
	b = r, b.wcheck ^= 1;
	CHECK(sys_xn_io(&b) == -E_BADCAP);
	b = r, b.block = 200;                                   /* metadata: no page */
	CHECK(sys_xn_io(&b) == -E_INVAL);
	b = r, b.block = 5;
	CHECK(sys_xn_io(&b) == -E_NOENT);
	u64 ro = sys_cap_derive(CAP_NAME(pb, CAP_RW), pbc, CAP_R);
	CHECK(xn_do(XN_WRITE, 201, pa, pc, 0) == 0);
	b = r, b.op = XN_READ, b.pname = (u32)ro, b.pcheck = (u32)(ro >> 32);
	CHECK(sys_xn_io(&b) == -E_BADCAP);                      /* a read needs CAP_RW */
	CHECK(sys_xn_io((void *)0) == -E_FAULT);
	/* xn_bc */
	static struct xn_entry ents[2];
	CHECK(sys_xn_bc(XN_MAXBLOCKS, ents, 1) == -E_INVAL);
	CHECK(sys_xn_bc(1, ents, XN_MAXBLOCKS) == -E_INVAL);
	CHECK(sys_xn_bc(0, ents, 0xffffffffu) == -E_INVAL);
	CHECK(sys_xn_bc(0, (void *)0x7ffffff0u, 2) == -E_FAULT);
	CHECK(sys_xn_bc(0, ents, 2) == 2);
	teardown(200);
}

/* The caller lies, or its UDFs do: owns must differ by exactly the block
 * claimed, with its type; each refused and nothing changed. */
static void test_owns_mismatch(void)
{
	CHECK(xn_mkroot("liar", 300, dir) >= 0);
	CHECK(dir_set(300, 0, 301, XN_DATA, XN_ALLOC, 301, 0) == 0);
	CHECK(xn_do(XN_WRITE, 301, pa, pc, 0) == 0);
	u32 used = xn_used();
	CHECK(dir_set(300, 1, 302, XN_DATA, XN_ALLOC, 303, 0) == -E_INVAL);  /* points elsewhere */
	CHECK(dir_set(300, 1, 302, 0x999, XN_ALLOC, 302, 0) == -E_INVAL);   /* no such type */
	{       /* the type owns reports is not the one claimed */
		u32 e[2] = { 302, dir };
		CHECK(xn_upd(300, XN_ALLOC, 302, XN_DATA, 16, 8, e, 0) == -E_INVAL);
	}
	CHECK(dir_set(300, 1, 302, XN_DATA, XN_NONE, 0, 0) == -E_INVAL);    /* a pointer for nothing */
	CHECK(dir_set(300, 1, 301, XN_DATA, XN_NONE, 0, 0) == -E_INVAL);    /* a second one, unsaid */
	CHECK(dir_set(300, 1, 0, 0, XN_FREE, 301, 0) == -E_INVAL);          /* 301 is still there */
	CHECK(dir_set(300, 0, 302, XN_DATA, XN_ALLOC, 302, 0) == -E_INVAL); /* and 301 goes, unsaid */
	CHECK(dir_set(300, 1, 301, XN_DATA, XN_ALLOC, 301, 0) == -E_BUSY);  /* already XN's */
	CHECK(xn_used() == used && xn_entry_of(301).refs == 1);
	/* Lying and unsafe UDFs: owns reporting one block more than the bytes
	 * hold, owns faulting, size past the block. */
	u32 plus1 = (u32)sys_xn_type_add(&liar_plus1_tmpl);
	u32 faulter = (u32)sys_xn_type_add(&faulter_tmpl);
	u32 sizer = (u32)sys_xn_type_add(&size_liar_tmpl);
	CHECK((int)plus1 > 0 && (int)faulter > 0 && (int)sizer > 0);
	CHECK(dir_set(300, 2, 310, plus1, XN_ALLOC, 310, 0) == 0);
	CHECK(dir_set(300, 3, 311, faulter, XN_ALLOC, 311, 0) == 0);
	CHECK(dir_set(300, 4, 312, sizer, XN_ALLOC, 312, 0) == 0);
	CHECK(dir_set(310, 0, 320, XN_DATA, XN_ALLOC, 320, 0) == -E_INVAL);   /* owns says 320, 321 */
	CHECK(dir_set(310, 0, 320, XN_DATA, XN_ALLOC, 321, 0) == -E_INVAL);
	u32 far = 100000;
	CHECK(xn_upd(311, XN_NONE, 0, 0, 8, 4, &far, 0) == -E_INVAL);        /* owns faults */
	u32 one = 1;
	CHECK(xn_upd(312, XN_NONE, 0, 0, 4, 4, &one, 0) == 0);               /* size was honest */
	CHECK(xn_upd(312, XN_NONE, 0, 0, 4, 4, &one, 0) == -E_INVAL);        /* now 5000 */
	CHECK(xn_used() == used + 3);
	CHECK(xn_do(XN_READ, 310, pb, pbc, 0) == 0 && ((volatile u32 *)PAGE_B)[2] == 0);
	CHECK(xn_do(XN_READ, 311, pb, pbc, 0) == 0 && ((volatile u32 *)PAGE_B)[2] == 0);
	u32 zero = 0;
	CHECK(sys_kcheck(0) == 0);
	CHECK(dir_set(300, 4, 0, 0, XN_FREE, 312, 0) == 0);
	CHECK(xn_upd(312, XN_NONE, 0, 0, 4, 4, &zero, 0) == -E_NOENT);     /* freed */
	teardown(300);
}

/* Ordering rule 1: nothing that points to a tainted (never written) block
 * is written; a tainted data block cannot be read. */
static void test_tainted(void)
{
	CHECK(xn_mkroot("taint", 400, dir) >= 0);
	CHECK(xn_do(XN_WRITE, 400, 0, 0, 0) == 0);
	CHECK(dir_set(400, 0, 401, XN_DATA, XN_ALLOC, 401, 0) == 0);
	CHECK(dir_set(400, 1, 402, dir, XN_ALLOC, 402, 0) == 0);
	CHECK(xn_do(XN_WRITE, 400, 0, 0, 0) == -E_BUSY);
	CHECK(xn_do(XN_READ, 401, pb, pbc, 0) == -E_PERM);
	CHECK(xn_do(XN_READ, 402, pb, pbc, 0) == 0);            /* XN's copy: zeros */
	CHECK(xn_entry_of(401).state == XN_S_TAINTED);
	fill(PAGE_A, 4);
	CHECK(xn_do(XN_WRITE, 401, pa, pc, 0) == 0);
	CHECK(xn_do(XN_WRITE, 400, 0, 0, 0) == -E_BUSY);        /* 402 still */
	CHECK(dir_set(402, 0, 403, XN_DATA, XN_ALLOC, 403, 0) == 0);
	CHECK(xn_do(XN_WRITE, 402, 0, 0, 0) == -E_BUSY);        /* 403 */
	CHECK(xn_do(XN_WRITE, 403, pa, pc, 512) == 0);
	CHECK(xn_do(XN_WRITE, 402, 0, 0, 0) == 0);
	CHECK(xn_do(XN_WRITE, 400, 0, 0, 0) == 0);
	CHECK(xn_entry_of(400).state == XN_S_ROOT && xn_entry_of(401).state == 0);
	CHECK(xn_do(XN_READ, 401, pb, pbc, 0) == 0 && differs(PAGE_B, 512, 4, 0) == 0);
	teardown(400);
}

/* Rules 2 and 3: a block still pointed to cannot be freed; a link must be
 * on disk before another pointer to the block goes; a freed block is not
 * reused before its parent is on disk without it. */
static void test_pointers(void)
{
	CHECK(xn_mkroot("ptrs", 500, dir) >= 0);
	CHECK(dir_set(500, 0, 501, XN_DATA, XN_ALLOC, 501, 0) == 0);
	CHECK(dir_set(500, 1, 502, dir, XN_ALLOC, 502, 0) == 0);
	CHECK(xn_do(XN_WRITE, 501, pa, pc, 0) == 0 && xn_do(XN_WRITE, 502, 0, 0, 0) == 0);
	CHECK(xn_do(XN_WRITE, 500, 0, 0, 0) == 0);
	/* "Rename" 501 from 500 to 502: link first. */
	CHECK(dir_set(502, 0, 501, XN_DATA, XN_LINK, 501, 0) == 0);
	CHECK(xn_entry_of(501).refs == 2);
	CHECK(dir_set(500, 0, 0, 0, XN_FREE, 501, 0) == -E_BUSY);     /* still pointed to */
	CHECK(dir_set(500, 0, 0, 0, XN_UNLINK, 501, 0) == -E_BUSY);   /* the link is not on disk */
	CHECK(dir_set(500, 2, 501, XN_DATA, XN_LINK, 501, 0) == -E_BUSY);  /* one pending link */
	CHECK(dir_set(500, 1, 0, 0, XN_FREE, 502, 0) == -E_BUSY);     /* 502 points to 501 */
	CHECK(xn_mkroot("ptrs2", 510, dir) >= 0);                     /* another of its own */
	CHECK(dir_set(510, 0, 501, XN_DATA, XN_LINK, 501, 0) == -E_PERM);
	CHECK(sys_xn_root_free(510) == 0);
	CHECK(sys_xn_root_free(500) == -E_BUSY);
	CHECK(sys_kcheck(0) == 0);
	CHECK(xn_do(XN_WRITE, 502, 0, 0, 0) == 0);
	CHECK(dir_set(500, 0, 0, 0, XN_FREE, 501, 0) == -E_BUSY);     /* two pointers, none waiting */
	CHECK(dir_set(500, 0, 0, 0, XN_UNLINK, 501, 0) == 0);
	CHECK(xn_entry_of(501).refs == 1);
	CHECK(dir_set(502, 0, 0, 0, XN_UNLINK, 501, 0) == -E_BUSY);   /* the last: free it */
	/* The unlink's old pointer is on disk until 500 is written: 501 is
	 * not freed, linked or unlinked meanwhile (freed from 502 and released
	 * once 502 is written, 500 on disk would point to a free block). */
	CHECK(dir_set(502, 0, 0, 0, XN_FREE, 501, 0) == -E_BUSY);
	CHECK(dir_set(502, 1, 501, XN_DATA, XN_LINK, 501, 0) == -E_BUSY);
	CHECK(xn_do(XN_WRITE, 500, 0, 0, 0) == 0);
	/* Free 501 (its parent 502 is on disk with the pointer): not reusable
	 * until 502 is written again. */
	CHECK(dir_set(502, 0, 0, 0, XN_FREE, 501, 0) == 0);
	CHECK(dir_set(500, 0, 501, XN_DATA, XN_ALLOC, 501, 0) == -E_BUSY);
	CHECK(xn_do(XN_WRITE, 500, 0, 0, 0) == 0);                    /* not its parent */
	CHECK(dir_set(500, 0, 501, XN_DATA, XN_ALLOC, 501, 0) == -E_BUSY);
	CHECK(xn_do(XN_WRITE, 502, 0, 0, 0) == 0);
	CHECK(dir_set(500, 0, 501, XN_DATA, XN_ALLOC, 501, 0) == 0);
	/* A block freed from a parent never written is reusable at once. */
	CHECK(dir_set(502, 1, 503, dir, XN_ALLOC, 503, 0) == 0);
	CHECK(dir_set(503, 0, 504, XN_DATA, XN_ALLOC, 504, 0) == 0);
	CHECK(dir_set(503, 0, 0, 0, XN_FREE, 504, 0) == 0);
	CHECK(xn_entry_of(504).block == 0xffffffffu);
	teardown(500);
}

/* Write directory d (children first: all written already). */
static void wr(u32 d)
{
	CHECK(xn_do(XN_WRITE, d, 0, 0, 0) == 0);
}

/* A metadata block moved between parents (rule 3, as for data): linked
 * under the new parent, which is written, then unlinked from the old one;
 * never under itself or its subtree (also through a parent that a pending
 * unlink leaves on disk); at most two pointers; across file systems, with
 * a lying owns or the wrong type refused. The tree: root R, directories
 * A and B under it, C under A, G under C, a data block under each of A,
 * C and G. */
static void test_move_meta(void)
{
	enum { R = 1200, A, B, C, G, DA, DC, DG, P, S };
	CHECK(xn_mkroot("move", R, dir) >= 0);
	CHECK(dir_set(R, 0, A, dir, XN_ALLOC, A, 0) == 0 && dir_set(R, 1, B, dir, XN_ALLOC, B, 0) == 0);
	CHECK(dir_set(A, 0, C, dir, XN_ALLOC, C, 0) == 0 && dir_set(C, 0, G, dir, XN_ALLOC, G, 0) == 0);
	CHECK(dir_set(A, 1, DA, XN_DATA, XN_ALLOC, DA, 0) == 0);
	CHECK(dir_set(C, 1, DC, XN_DATA, XN_ALLOC, DC, 0) == 0);
	CHECK(dir_set(G, 0, DG, XN_DATA, XN_ALLOC, DG, 0) == 0);
	fill(PAGE_A, 12);
	CHECK(xn_do(XN_WRITE, DA, pa, pc, 0) == 0 && xn_do(XN_WRITE, DC, pa, pc, 512) == 0 &&
	      xn_do(XN_WRITE, DG, pa, pc, 1024) == 0);
	wr(G), wr(C), wr(A), wr(B), wr(R);
	/* Cycles: A under itself, its child, its grandchild; the root (above
	 * every block of its file system). */
	CHECK(dir_set(A, 2, A, dir, XN_LINK, A, 0) == -E_INVAL);
	CHECK(dir_set(C, 2, A, dir, XN_LINK, A, 0) == -E_INVAL);
	CHECK(dir_set(G, 1, A, dir, XN_LINK, A, 0) == -E_INVAL);
	CHECK(dir_set(B, 0, R, dir, XN_LINK, R, 0) == -E_INVAL);
	/* Lies: the wrong type, another block than claimed, an owns that
	 * reports one more block. */
	CHECK(dir_set(B, 0, C, XN_DATA, XN_LINK, C, 0) == -E_INVAL);
	CHECK(dir_set(B, 0, A, dir, XN_LINK, C, 0) == -E_INVAL);
	u32 plus1 = (u32)sys_xn_type_add(&liar_plus1_tmpl);
	CHECK((int)plus1 > 0 && dir_set(R, 2, P, plus1, XN_ALLOC, P, 0) == 0);
	CHECK(dir_set(P, 0, C, dir, XN_LINK, C, 0) == -E_INVAL);
	CHECK(dir_set(R, 2, 0, 0, XN_FREE, P, 0) == 0);
	/* Another file system of the caller's cannot take C. */
	CHECK(xn_mkroot("move2", S, dir) >= 0);
	CHECK(dir_set(S, 0, C, dir, XN_LINK, C, 0) == -E_PERM);
	CHECK(sys_xn_root_free(S) == 0);
	CHECK(xn_entry_of(A).refs == 1 && xn_entry_of(C).refs == 1 && xn_entry_of(R).refs == 0);
	CHECK(sys_kcheck(0) == 0);
	/* Move C (and G below it) from A to B. */
	CHECK(dir_set(B, 0, C, dir, XN_LINK, C, 0) == 0);
	CHECK(xn_entry_of(C).refs == 2);
	CHECK(sys_kcheck(0) == 0);                      /* two parents are legitimate */
	CHECK(dir_set(R, 3, C, dir, XN_LINK, C, 0) == -E_BUSY);     /* a second move */
	CHECK(dir_set(A, 0, 0, 0, XN_UNLINK, C, 0) == -E_BUSY);     /* the link is not on disk */
	CHECK(dir_set(A, 0, 0, 0, XN_FREE, C, 0) == -E_BUSY);
	CHECK(dir_set(G, 1, B, dir, XN_LINK, B, 0) == -E_INVAL);    /* B is above G through C */
	wr(B);
	CHECK(dir_set(R, 3, C, dir, XN_LINK, C, 0) == -E_BUSY);     /* a third pointer */
	CHECK(dir_set(A, 0, 0, 0, XN_FREE, C, 0) == -E_BUSY);       /* two, none waiting */
	CHECK(dir_set(A, 0, 0, 0, XN_UNLINK, C, 0) == 0);
	CHECK(xn_entry_of(C).refs == 1);
	CHECK(dir_set(B, 0, 0, 0, XN_UNLINK, C, 0) == -E_BUSY);     /* the last: a free */
	/* A still points to C on disk until written: A under G would close a
	 * cycle there (A, C, G, A), and C moves nowhere meanwhile. */
	CHECK(dir_set(G, 1, A, dir, XN_LINK, A, 0) == -E_INVAL);
	CHECK(dir_set(R, 3, C, dir, XN_LINK, C, 0) == -E_BUSY);
	wr(A);
	CHECK(sys_kcheck(0) == 0);
	CHECK(slot_block(B, 0) == C && slot_block(A, 0) == 0 && slot_block(C, 0) == G);
	CHECK(xn_do(XN_READ_DISK, A, pb, pbc, 0) == 0 && ((volatile u32 *)PAGE_B)[2] == 0);
	CHECK(xn_do(XN_READ_DISK, B, pb, pbc, 0) == 0 && ((volatile u32 *)PAGE_B)[2] == C);
	CHECK(xn_do(XN_READ, DG, pb, pbc, 0) == 0 && differs(PAGE_B, 512, 12, 1024) == 0);
	/* Now A may go under G (no cycle any more); and back; C back to A. */
	CHECK(dir_set(G, 1, A, dir, XN_LINK, A, 0) == 0);
	CHECK(dir_set(R, 0, 0, 0, XN_UNLINK, A, 0) == -E_BUSY);
	wr(G);
	CHECK(dir_set(R, 0, 0, 0, XN_UNLINK, A, 0) == 0);
	wr(R);
	CHECK(dir_set(R, 0, A, dir, XN_LINK, A, 0) == 0);
	wr(R);
	CHECK(dir_set(G, 1, 0, 0, XN_UNLINK, A, 0) == 0);
	wr(G);
	CHECK(dir_set(A, 0, C, dir, XN_LINK, C, 0) == 0);
	wr(A);
	CHECK(dir_set(B, 0, 0, 0, XN_UNLINK, C, 0) == 0);
	wr(B);
	CHECK(slot_block(A, 0) == C && slot_block(B, 0) == 0 && slot_block(R, 0) == A &&
	      slot_block(G, 1) == 0);
	CHECK(xn_entry_of(A).refs == 1 && xn_entry_of(C).refs == 1);
	CHECK(sys_kcheck(0) == 0);
	teardown(R);
}

/* The type's acl decides who may change a directory: here, the holder of
 * its key. */
static void test_acl(void)
{
	CHECK(xn_mkroot("acl", 600, dir) >= 0);
	u32 key = 7;
	CHECK(xn_upd(600, XN_NONE, 0, 0, 0, 4, &key, 0) == 0);
	CHECK(dir_set(600, 0, 601, XN_DATA, XN_ALLOC, 601, 8) == -E_PERM);
	CHECK(dir_set(600, 0, 601, XN_DATA, XN_ALLOC, 601, 0) == -E_PERM);
	CHECK(xn_entry_of(601).block == 0xffffffffu);
	CHECK(dir_set(600, 0, 601, XN_DATA, XN_ALLOC, 601, 7) == 0);
	CHECK(dir_set(600, 0, 0, 0, XN_FREE, 601, 7) == 0);
	key = 0;
	CHECK(xn_upd(600, XN_NONE, 0, 0, 0, 4, &key, 7) == 0);
	teardown(600);
}

/* Metadata reaches the disk from XN's copy, never from a page the owner
 * could scribble on: once the file system is gone, an extent over its old
 * root reads what XN checked. */
static void test_meta_copy(void)
{
	CHECK(xn_mkroot("copy", 700, dir) >= 0);
	CHECK(dir_set(700, 0, 701, XN_DATA, XN_ALLOC, 701, 0) == 0);
	CHECK(xn_do(XN_WRITE, 701, pa, pc, 0) == 0);
	CHECK(xn_do(XN_READ_DISK, 701, pb, pbc, 0) == -E_INVAL);  /* a data block */
	CHECK(xn_do(XN_READ_DISK, 700, pb, pbc, 0) == -E_PERM);   /* never written */
	CHECK(xn_do(XN_READ, 700, pb, pbc, 0) == 0);
	CHECK(((volatile u32 *)PAGE_B)[2] == 701);
	((volatile u32 *)PAGE_B)[4] = 4000;                    /* scribble: a pointer to 4000 */
	CHECK(xn_do(XN_WRITE, 700, 0, 0, 0) == 0);
	CHECK(dir_set(700, 0, 0, 0, XN_FREE, 701, 0) == 0);
	CHECK(xn_do(XN_READ, 700, pb, pbc, 0) == 0 && ((volatile u32 *)PAGE_B)[4] == 0);
	volatile u32 *w = (volatile u32 *)PAGE_B;
	w[2] = w[3] = w[4] = 0xeeeeeeee;
	CHECK(xn_do(XN_READ_DISK, 700, pb, pbc, 0) == 0);         /* what is on disk */
	CHECK(w[2] == 701 && w[3] == XN_DATA && w[4] == 0);       /* XN's copy, not the scribble */
	CHECK(sys_xn_root_free(700) == 0);                      /* 701 waits for nothing now */
	CHECK(xn_used() == 0);
	/* The blocks are free: whoever takes them reads zeros, not the file
	 * system's bytes (disk.c's taint). */
	u64 x = sys_disk_alloc(700, 2);
	CHECK((int)(u32)x >= 0);
	w[0] = w[1] = w[2] = 0xeeeeeeee;
	struct disk_req r = { DISK_READ, (u32)x, (u32)(x >> 32), 700, 1, CAP_NAME(pb, CAP_RW), pbc, 0,
			      CAP_NAME(done_ppn, CAP_RW), done_check, 0 };
	CHECK(exos_disk_rw_wait(&r, (volatile u32 *)DONE_VA, 2 * SECOND) == 0);
	CHECK(w[0] == 0 && w[1] == 0 && w[2] == 0);
	CHECK(sys_disk_free((u32)x, (u32)(x >> 32)) == 0);
}

/* One try of root_free_in_flight: whether the write was still queued when
 * the root was freed (QEMU's disk may finish 57 sectors' worth of
 * interrupts between two system calls: then the try says nothing). */
static bool free_root_with_write_queued(void)
{
	CHECK(xn_mkroot("busy", 900, dir) >= 0);
	CHECK(dir_set(900, 0, 901, XN_DATA, XN_ALLOC, 901, 0) == 0);
	CHECK(xn_do(XN_WRITE, 901, pa, pc, 0) == 0 && xn_do(XN_WRITE, 900, 0, 0, 0) == 0);
	u64 x = sys_disk_alloc(6100, 56);
	CHECK((int)(u32)x >= 0);
	volatile u32 *words = (volatile u32 *)DONE_VA;
	for (u32 k = 0; k < 8; k++)
		words[1 + k] = 0;
	for (u32 k = 0; k < DISK_QUEUE / 2 - 1; k++) {   /* long reads first (with the write:
	                                                   its share), so the write waits */
		struct disk_req r = { DISK_READ, (u32)x, (u32)(x >> 32), 6100 + 8 * k, 8,
				      CAP_NAME(pb, CAP_RW), pbc, 0, CAP_NAME(done_ppn, CAP_RW),
				      done_check, 4 * (1 + k) };
		CHECK(sys_disk_rw(&r) == 0);
	}
	struct xn_io w = { XN_WRITE, 901, CAP_NAME(pa, CAP_RW), pc, 0, CAP_NAME(done_ppn, CAP_RW),
			   done_check, 32 };
	CHECK(sys_xn_io(&w) == 0);
	CHECK(dir_set(900, 0, 0, 0, XN_FREE, 901, 0) == 0);
	CHECK(sys_xn_root_free(900) == 0);
	bool queued = words[8] == 0;
	struct xn_entry e = xn_entry_of(901);   /* gone only once the write is over */
	CHECK(e.block == 0xffffffffu ? words[8] == DISK_DONE :
	      e.block == 901 && e.owner == 0 && (e.state & XN_S_INFLIGHT));
	CHECK(sys_kcheck(0) == 0);
	exos_wait_changed_cap(&words[8], CAP_NAME(done_ppn, CAP_RW), done_check, 0, 2 * SECOND);
	CHECK(words[8] == DISK_DONE);
	CHECK(xn_used() == 0);
	CHECK(sys_disk_free((u32)x, (u32)(x >> 32)) == 0);
	return queued;
}

/* A root freed while a block freed from it still has a write queued: the
 * block is left to nobody until the write is over, then goes (tried until
 * the write was caught queued, at most 200 times: by DMA the drive may
 * finish the requests between two system calls). */
static void test_root_free_in_flight(void)
{
	u32 tries = 0;
	bool caught = false;
	while (!caught && tries < 200) {
		tries++;
		caught = free_root_with_write_queued();
	}
	printf("    # the write was caught queued on try %u\n", tries);
	CHECK(caught);                          /* the test tests */
}

int child_spawn(u32 mode, const u32 *limits);
int child_spawn(u32 mode, const u32 *limits)
{
	struct exos_share share = { BOX_VA, box_ppn, box_check };
	return exos_spawn_opts("xntest", mode, &share, 1, limits);
}

/* A hostile library file system (another environment, hostile.c) attacks
 * this one's blocks: each attack refused; this one's blocks unchanged. */
static void test_hostile(void)
{
	CHECK(xn_mkroot("victim", 800, dir) >= 0);
	CHECK(dir_set(800, 0, 801, XN_DATA, XN_ALLOC, 801, 0) == 0);
	CHECK(dir_set(800, 1, 802, dir, XN_ALLOC, 802, 0) == 0);
	fill(PAGE_A, 8);
	CHECK(xn_do(XN_WRITE, 801, pa, pc, 0) == 0 && xn_do(XN_WRITE, 802, 0, 0, 0) == 0);
	CHECK(xn_do(XN_WRITE, 800, 0, 0, 0) == 0);
	box->type = dir;
	box->root = 800;
	box->data = 801;
	box->sub = 802;
	int child = child_spawn(C_HOSTILE, NULL);
	CHECK(child > 0 && kid_wait(child) == 0);
	CHECK(xn_do(XN_READ, 801, pb, pbc, 0) == 0 && differs(PAGE_B, 512, 8, 0) == 0);
	CHECK(slot_block(800, 0) == 801 && slot_block(800, 1) == 802 && slot_block(800, 2) == 0);
	CHECK(xn_entry_of(801).refs == 1 && xn_entry_of(800).state == XN_S_ROOT);
	CHECK(xn_used() == 3);                  /* the child's file system went with it */
	teardown(800);
}

static void test_hostile_args_dir(void) { test_hostile_args(dir); }

/* Yield until the disk's queue is empty (the drive takes environments in
 * turns: a request of ours may be over before a gone child's), two seconds
 * at most: whether it is. */
static bool wait_disk_idle(void)
{
	struct disk_info in;
	u32 start = read_count();
	while (sys_disk_info(&in) > 0 && in.queued && read_count() - start < 2 * SECOND)
		sys_yield();
	return sys_disk_info(&in) > 0 && in.queued == 0;
}

/* A file system ends with its environment: a child leaves with writes to
 * its blocks in flight; once they are over its entries are gone, and its
 * blocks can be allocated again. */
static void test_env_gone(void)
{
	u32 tries = 0;
	do {                                    /* until writes were caught queued (100 tries) */
		box->step = 0;
		int child = child_spawn(C_LEAVER, NULL);
		CHECK(kid_left(child, &box->step, true));
		printf("    # %u writes in flight when the child left, %u entries still held when it had gone\n",
		       box->err, xn_used());
		CHECK(box->count == 6);
		CHECK(sys_kcheck(0) == 0);
		u64 x = sys_disk_alloc(5000, 1);        /* a request of ours, then the queue empty */
		CHECK((int)(u32)x >= 0);
		struct disk_req r = { DISK_READ, (u32)x, (u32)(x >> 32), 5000, 1, CAP_NAME(pb, CAP_RW),
				      pbc, 0, CAP_NAME(done_ppn, CAP_RW), done_check, 0 };
		CHECK(exos_disk_rw_wait(&r, (volatile u32 *)DONE_VA, 2 * SECOND) == 0);
		CHECK(wait_disk_idle());
		CHECK(sys_disk_free((u32)x, (u32)(x >> 32)) == 0);
		CHECK(xn_used() == 0);
	} while (box->err == 0 && ++tries < 100);
	CHECK(box->err > 0);                    /* the test tests */
	CHECK(xn_mkroot("after", box->blocks[0], dir) >= 0);
	for (u32 k = 1; k < 5; k++)
		CHECK(dir_set(box->blocks[0], k - 1, box->blocks[k], XN_DATA, XN_ALLOC,
			      box->blocks[k], 0) == 0);
	teardown(box->blocks[0]);
}

/* XN's tables are budgeted: a child with a budget of 6 gets a type, a root
 * and 4 blocks, then -E_QUOTA; a child with ExOS's default budget fills
 * the type table (-E_NOMEM) and its types go with it. */
static void test_budget(void)
{
	u32 limits[NLIMITS] = { [LIM_PAGES] = (u32)sys_pages_free() / 2, [LIM_SLICES] = 1,
				[LIM_ENVS] = 16, [LIM_FILTERS] = DPF_MAXFILT / 4,
				[LIM_EXTENTS] = DISK_MAXEXT / 4, [LIM_ASHS] = ASH_MAX / 4, [LIM_XN] = 6 };
	int child = child_spawn(C_QUOTA, limits);
	CHECK(child > 0 && kid_wait(child) == 0);
	CHECK(box->count == 4 && box->err == E_QUOTA);
	u32 mine = (u32)sys_env_usage(0, LIM_XN);
	CHECK(mine >= 1 && mine < XN_MAXTYPES);
	child = child_spawn(C_TYPES, NULL);
	CHECK(child > 0 && kid_wait(child) == 0);
	CHECK(box->count == XN_MAXTYPES - mine && box->err == E_NOMEM);
	CHECK(xn_used() == 0 && (u32)sys_env_usage(0, LIM_XN) == mine);
	u32 t = (u32)sys_xn_type_add(&dir_tmpl);               /* room again */
	CHECK((int)t > 0);
}

/* A child makes 3000 random updates, reads and writes on its own file
 * system (hostile.c walk_child): every result an expected one, kcheck
 * clean every 64 steps; its file system goes with it. */
static void test_random_walk(void)
{
	u32 limits[NLIMITS] = { [LIM_PAGES] = (u32)sys_pages_free() / 2, [LIM_SLICES] = 1,
				[LIM_ENVS] = 16, [LIM_FILTERS] = DPF_MAXFILT / 4,
				[LIM_EXTENTS] = DISK_MAXEXT / 4, [LIM_ASHS] = ASH_MAX / 4,
				[LIM_XN] = XN_MAXBLOCKS / 4 };
	box->count = 0;
	int child = child_spawn(C_WALK, limits);
	CHECK(child > 0 && kid_wait(child) == 0);
	printf("    # %u blocks held at the end of the walk\n", box->count);
	CHECK(box->count > 1);
	CHECK(xn_used() == 0);
}

/* XN at the scale of a 64 MiB disk (scale.c): a child builds a 16 MiB
 * file of 33,825 blocks, reads it back through copies let go of and
 * refilled, and fills the registry (-E_NOMEM); everything goes with it. */
static void test_scale(void)
{
	u32 limits[NLIMITS] = { [LIM_PAGES] = (u32)sys_pages_free() / 2, [LIM_SLICES] = 1,
				[LIM_ENVS] = 16, [LIM_FILTERS] = DPF_MAXFILT / 4,
				[LIM_EXTENTS] = DISK_MAXEXT / 4, [LIM_ASHS] = ASH_MAX / 4,
				[LIM_XN] = LIMIT_NONE };
	box->count = 0;
	int child = child_spawn(C_SCALE, limits);
	CHECK(child > 0 && kid_wait(child) == 0);
	printf("    # %u blocks held at the end\n", box->count);
	CHECK(box->count > 33825);
	CHECK(xn_used() == 0 && xn_stats().entries == 0 && xn_stats().copies == 0);
}

static const struct utest tests[] = {
	{ "templates", test_templates },
	{ "roots", test_roots },
	{ "alloc_write_read", test_alloc_write_read },
	{ "arg_checks", test_arg_checks },
	{ "owns_mismatch", test_owns_mismatch },
	{ "tainted", test_tainted },
	{ "pointers", test_pointers },
	{ "move_meta", test_move_meta },
	{ "acl", test_acl },
	{ "meta_copy", test_meta_copy },
	{ "root_free_in_flight", test_root_free_in_flight },
	{ "hostile", test_hostile },
	{ "hostile_args", test_hostile_args_dir },
	{ "roots_table", test_roots_table },
	{ "env_gone", test_env_gone },
	{ "budget", test_budget },
	{ "random_walk", test_random_walk },
	{ "scale", test_scale },
};

/* On a disk formatted for XN (suite xn-persist), one boot's tests. */
static const struct utest keep_tests[] = { { "persist_keep", test_persist_keep } };
static const struct utest attach_tests[] = { { "persist_attach", test_persist_attach } };
static const struct utest refused_tests[] = { { "refused", test_refused } };
static const struct utest crash_tests[] = { { "crash_verify", test_crash_verify } };

int main(void)
{
	switch (exos_arg & 0xff) {
	case 0: break;
	case C_HOSTILE: return hostile_child();
	case C_LEAVER: return leaver_child();
	case C_TYPES: return types_child();
	case C_QUOTA: return quota_child();
	case C_WALK: return walk_child();
	case C_SCALE: return scale_child();
	case C_THIEF: return thief_child();
	case C_KEEPER: return keeper_child();
	case C_HOLDER: return holder_child();
	case C_ROOTS: return roots_child();
	default: return 99;
	}
	u64 r = sys_page_alloc(PAGE_ANY);
	box_ppn = (u32)r;
	box_check = (u32)(r >> 32);
	if ((int)box_ppn < 0 || vm_map_page(PARENT_BOX_VA, box_ppn, box_check, VM_RW) < 0 ||
	    !new_page(DONE_VA, &done_ppn, &done_check) || !new_page(PAGE_A, &pa, &pc) ||
	    !new_page(PAGE_B, &pb, &pbc)) {
		printf("xntest: no pages\n");
		return 1;
	}
	const struct utest *run = tests;
	int n = (int)(sizeof tests / sizeof tests[0]);
	struct xn_stat s = xn_stats();
	char kept[XN_NAMELEN] = "persist", crash[XN_NAMELEN] = "crash";
	if (sys_xn_root_find(crash) >= 0) {     /* the crash suite: verify, then work until stopped */
		utest_run_checked("xntest", crash_tests, 1, (volatile u32 *)box, sizeof *box / 4);
		crash_workload();
	}
	if (s.refused)
		run = refused_tests, n = 1;
	else if (sys_xn_root_find(kept) >= 0)
		run = attach_tests, n = 1;
	else if (s.area)
		run = keep_tests, n = 1;
	return utest_run_checked("xntest", run, n, (volatile u32 *)box, sizeof *box / 4);
}
