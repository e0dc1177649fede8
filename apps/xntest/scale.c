/*
 * scale.c: xntest's child for XN at the scale of the storage benchmarks'
 * disk (64 MiB): one file of 16 MiB (32,768 data blocks) under a tree of
 * wide blocks (a root, 32 middle blocks, 1,024 leaves, each pointing to 32
 * blocks: 1,057 metadata blocks, four times XN's copies), written and read
 * back; XN lets go of clean copies and refills them from the disk, and
 * never takes one from anywhere else; then a second file system fills the
 * registry with tainted blocks until XN answers -E_NOMEM, changing nothing.
 * Returns the number of checks that failed.
 */
#include "xnfs.h"

#define CBOX ((struct box *)BOX_VA)
#define ROOT   10000u                    /* the file: blocks ROOT .. ROOT + 33824 */
#define ROOT2  50000u                    /* the filler */
#define FANOUT WIDE_SLOTS
#define NDATA  (FANOUT * FANOUT * FANOUT) /* 32,768 */

static u32 pa, pc, pb, pbc, wtype;
#define PA BUF_VA
#define PB (BUF_VA + PAGE_SIZE)

/* Images of the wide blocks being filled, one per level. */
static u32 imgs[3][2 + WIDE_SLOTS * 2];
static u32 *img_of(u32 lvl) { return imgs[lvl]; }

/* Append (blk, type) as slot n of wide block w (whose bytes are img[lvl])
 * with XN_ALLOC. */
static int wide_add(u32 lvl, u32 w, u32 n, u32 blk, u32 type)
{
	u32 *img = img_of(lvl);
	img[0] = n + 1;
	img[2 + 2 * n] = blk;
	img[3 + 2 * n] = type;
	return xn_upd(w, XN_ALLOC, blk, type, 0, 16 + 8 * n, img, 0);
}

/* The blocks of leaf l (0..1023) and data block d of it. */
static u32 mid_of(u32 m) { return ROOT + 1 + m * (1 + FANOUT * (1 + FANOUT)); }
static u32 leaf_of(u32 m, u32 l) { return mid_of(m) + 1 + l * (1 + FANOUT); }

/* Write data blocks [first, first + 32), each stamped with its number in
 * its first word, BATCH requests at a time from page A (the share of the
 * disk's queue an environment alone gets); wait for each batch's last (an
 * environment's requests are served in order). 0 or the first error. */
#define BATCH (DISK_QUEUE / 2)
static int write_data(u32 first)
{
	volatile u32 *words = (volatile u32 *)DONE_VA;
	for (u32 b = 0; b < FANOUT; b += BATCH) {
		for (u32 k = 0; k < BATCH; k++) {
			((volatile u32 *)(PA + 512 * k))[0] = first + b + k;
			words[1 + k] = 0;
			struct xn_io r = { XN_WRITE, first + b + k, CAP_NAME(pa, CAP_RW), pc, 512 * k,
					   CAP_NAME(done_ppn, CAP_RW), done_check, 4 * (1 + k) };
			int e = sys_xn_io(&r);
			if (e < 0)
				return e;
		}
		/* Generous: on a loaded host the guest's clock runs on. */
		exos_wait_changed_cap(&words[BATCH], CAP_NAME(done_ppn, CAP_RW), done_check, 0,
				      20 * SECOND);
		for (u32 k = 0; k < BATCH; k++)
			if (words[1 + k] != DISK_DONE)
				return -E_IO;
	}
	return 0;
}

/* Build the file: every block allocated by a checked update, every data
 * block written before its leaf, every leaf before its middle block. */
static int build(void)
{
	int e = xn_mkroot("big", ROOT, wtype);
	for (u32 m = 0; m < FANOUT && e >= 0; m++) {
		e = wide_add(0, ROOT, m, mid_of(m), wtype);
		for (u32 l = 0; l < FANOUT && e >= 0; l++) {
			u32 leaf = leaf_of(m, l);
			e = wide_add(1, mid_of(m), l, leaf, wtype);
			for (u32 d = 0; d < FANOUT && e >= 0; d++)
				e = wide_add(2, leaf, d, leaf + 1 + d, XN_DATA);
			if (e >= 0)
				e = write_data(leaf + 1);
			if (e >= 0)
				e = xn_do(XN_WRITE, leaf, 0, 0, 0);
		}
		if (e >= 0)
			e = xn_do(XN_WRITE, mid_of(m), 0, 0, 0);
	}
	if (e >= 0)
		e = xn_do(XN_WRITE, ROOT, 0, 0, 0);
	if (e < 0)
		printf("    # building the file: %d\n", e);
	return e;
}

/* Leaf's first pointer as XN (or the disk, op XN_READ_DISK) says, read into
 * page B. */
static u32 first_ptr(u32 op, u32 leaf)
{
	volatile u32 *w = (volatile u32 *)PB;
	w[0] = w[2] = 0xeeeeeeee;
	if (xn_do(op, leaf, pb, pbc, 0) != 0)
		return 0xffffffffu;
	return w[0] == FANOUT ? w[2] : 0xfffffffeu;
}

/* The copies: an early leaf has been let go of; an update needs it back
 * (-E_NOTCACHED); the block cannot be written around XN; reading every
 * leaf back refills each (and lets the early one go again); a page holding
 * the leaf's image with a forged pointer, the very page the registry says
 * it last went through, is not a copy; the read that refills it is. */
static void check_copies(void)
{
	u32 leaf = leaf_of(0, 0), spare = 1;
	struct xn_stat s = xn_stats();
	CHECK(s.copy_evictions > 0 && s.copies <= XN_MAXMETA && s.entries <= XN_MAXBLOCKS);
	CHECK(xn_entry_of(leaf).type == wtype && xn_entry_of(leaf + 1).block == leaf + 1);
	CHECK(xn_upd(leaf, XN_NONE, 0, 0, 4, 4, &spare, 0) == -E_NOTCACHED);
	CHECK(xn_do(XN_WRITE, leaf, 0, 0, 0) == -E_NOTCACHED);     /* on disk already */
	CHECK((int)(u32)sys_disk_alloc(leaf, 1) == -E_BUSY);       /* no writing around XN */
	u32 bad = 0;
	for (u32 m = 0; m < FANOUT; m++)
		for (u32 l = 0; l < FANOUT; l++)
			bad += first_ptr(XN_READ, leaf_of(m, l)) != leaf_of(m, l) + 1;
	CHECK(bad == 0);
	u32 refills = xn_stats().refills;
	CHECK(refills >= s.refills + FANOUT * FANOUT - XN_MAXMETA);
	struct xn_entry e = xn_entry_of(leaf);
	CHECK(e.ppn == pb && e.off == 0);
	/* The leaf has been let go of again; page B, where it was read, says it
	 * points to block 7 (nobody's). */
	volatile u32 *w = (volatile u32 *)PB;
	w[0] = FANOUT;
	w[2] = 7;
	w[3] = XN_DATA;
	CHECK(xn_upd(leaf, XN_NONE, 0, 0, 4, 4, &spare, 0) == -E_NOTCACHED);
	CHECK(sys_kcheck(0) == 0);
	CHECK(first_ptr(XN_READ, leaf) == leaf + 1);
	CHECK(xn_stats().refills == refills + 1);
	CHECK(xn_upd(leaf, XN_NONE, 0, 0, 4, 4, &spare, 0) == 0);
	CHECK(first_ptr(XN_READ, leaf) == leaf + 1);
	CHECK(xn_do(XN_WRITE, leaf, 0, 0, 0) == 0);
	CHECK(first_ptr(XN_READ_DISK, leaf) == leaf + 1);
}

/* Read back every 97th data block: its stamp. */
static void check_data(void)
{
	u32 bad = 0, n = 0;
	for (u32 m = 0; m < FANOUT; m++)
		for (u32 l = 0; l < FANOUT; l++)
			for (u32 d = (m * FANOUT + l) % 4; d < FANOUT; d += 4, n++) {
				u32 b = leaf_of(m, l) + 1 + d;
				((volatile u32 *)PB)[0] = 0;
				bad += xn_do(XN_READ, b, pb, pbc, 0) != 0 || ((volatile u32 *)PB)[0] != b;
			}
	printf("    # %u data blocks read back, %u wrong\n", n, bad);
	CHECK(bad == 0 && n == NDATA / 4);
}

/* A second file system allocates data blocks and writes none of them: each
 * needs an entry (tainted) until XN has none left: -E_NOMEM, nothing
 * changed; once some are written (plain blocks, whose entries XN may let go
 * of), the allocation goes through. */
static void check_table_full(void)
{
	CHECK(xn_mkroot("filler", ROOT2, wtype) >= 0);
	u32 next = ROOT2 + 1, mid = 0, leaf = 0, nm = 0, nl = FANOUT, nd = FANOUT;
	u32 lvl = 0, w = 0, slot = 0, blk = 0, type = 0;         /* the last update tried */
	int e = 0;
	struct xn_stat before = { 0 };
	while (e >= 0 && next < ROOT2 + 20000) {
		if (nd == FANOUT && nl == FANOUT) {          /* a new middle block */
			lvl = 0, w = ROOT2, slot = nm++, blk = mid = next++, type = wtype, nl = 0;
		} else if (nd == FANOUT) {                   /* a new leaf */
			lvl = 1, w = mid, slot = nl++, blk = leaf = next++, type = wtype, nd = 0;
		} else {
			lvl = 2, w = leaf, slot = nd++, blk = next++, type = XN_DATA;
		}
		before = xn_stats();
		e = wide_add(lvl, w, slot, blk, type);
	}
	struct xn_stat after = xn_stats();
	printf("    # -E_NOMEM after %u blocks: %u entries, %u copies\n", next - ROOT2 - 1,
	       after.entries, after.copies);
	CHECK(e == -E_NOMEM);
	if (e != -E_NOMEM)
		return;
	CHECK(after.blocks == before.blocks && after.entries == XN_MAXBLOCKS);
	CHECK(xn_entry_of(blk).block == 0xffffffffu);               /* the refused block */
	CHECK(sys_kcheck(0) == 0);
	/* Write the last leaf's data blocks: their entries can go, and the
	 * refused block can come. */
	u32 ndata = w == leaf ? slot : FANOUT;
	for (u32 k = 0; k < ndata; k++)
		CHECK(xn_do(XN_WRITE, leaf + 1 + k, pa, pc, 0) == 0);
	CHECK(wide_add(lvl, w, slot, blk, type) == 0);
	CHECK(xn_stats().entry_evictions > after.entry_evictions);
	CHECK(sys_kcheck(0) == 0);
}

int scale_child(void)
{
	if (!new_page(PA, &pa, &pc) || !new_page(PB, &pb, &pbc) ||
	    !new_page(DONE_VA, &done_ppn, &done_check))
		return 90;
	wtype = (u32)sys_xn_type_add(&wide_tmpl);
	CHECK((int)wtype > 0);
	u32 t0 = read_count();
	CHECK(build() == 0);
	struct xn_stat s = xn_stats();
	printf("    # built in %u ms: %u blocks, %u entries, %u copies, %u copies and %u entries let go of\n",
	       (read_count() - t0) / (SECOND / 1000), s.blocks, s.entries, s.copies,
	       s.copy_evictions, s.entry_evictions);
	CHECK(s.blocks == 1 + FANOUT + FANOUT * FANOUT + NDATA);
	CHECK(sys_kcheck(0) == 0);
	if (failed_checks)
		return failed_checks;
	check_copies();
	check_data();
	CHECK(sys_kcheck(0) == 0);
	check_table_full();
	CBOX->count = xn_used();
	return failed_checks;
}
