/*
 * persist.c: xntest's tests of XN on disk (suite xn-persist, three boots
 * of one image formatted by tools/xn_mkfs.py; docs/storage.md "XN on
 * disk"). Boot 1 (persist_keep): a file system "persist" (a root of wide
 * blocks: three files of 5, 6 and 7 data blocks) is kept with a secret; a
 * second, unkept one and a block allocated but never written must not
 * survive, nor the bytes of a block it wrote and freed; a wide block MOVED
 * (with a data block) is left half moved: linked under file 1, written,
 * still under file 2. Boot 2 (persist_attach): the kernel rebuilt it
 * (MOVED with two pointers, its subtree walked once); a thief cannot
 * attach or take it, and reads that freed block as zeros; with the secret
 * the suite re-attaches, finds every file and byte, finishes the move and
 * changes it. Boots 3 and 4 (refused): the image was damaged between the
 * boots (the root's block free in the map; then a cycle of two metadata
 * blocks); the kernel refused it, and nothing on it can be taken.
 */
#include "xnfs.h"

#define ROOT 1000u
#define NFILES 3
#define TEMP 5000u
#define PENDING (ROOT + 21)
#define MOVED 1100u
#define THIEF_ROOT 3000u
#define KID_ROOT 3500u
#define KID_STAMP 0x5eed5eedu       /* word 1 of the keeper's root, changed after its last write */
#define FREED (ROOT + 150)          /* written, then freed, by the kept file system */

static const u32 secret[4] = { 0x5ec0de01, 0x22, 0x333, 0x4444 };
static u32 imgs[8][2 + WIDE_SLOTS * 2];

extern u32 pa, pc, pb, pbc;
extern struct box *box;
int child_spawn(u32 mode, const u32 *limits);

static u32 file(u32 k) { return ROOT + 1 + 40 * k; }
static u32 file_len(u32 k) { return 5 + k; }

/* Append (blk, type) as slot n of wide block w whose bytes are img. */
static int wadd(u32 *img, u32 w, u32 n, u32 blk, u32 type)
{
	img[0] = n + 1;
	img[2 + 2 * n] = blk;
	img[3 + 2 * n] = type;
	return xn_upd(w, XN_ALLOC, blk, type, 0, 16 + 8 * n, img, 0);
}

/* Free the last slot (n - 1) of wide block w whose bytes are img. */
static int wdrop(u32 *img, u32 w, u32 n)
{
	img[0] = n - 1;
	return xn_upd(w, XN_FREE, img[2 + 2 * (n - 1)], 0, 0, 8, img, 0);
}

/* Write data block b stamped with its number from page A. */
static int write_stamped(u32 b)
{
	((volatile u32 *)BUF_VA)[0] = b;
	((volatile u32 *)BUF_VA)[1] = ~b;
	return xn_do(XN_WRITE, b, pa, pc, 0);
}

/* Read block b into page B: its first word (0xffffffff on an error). */
static u32 read_word_by(u32 op, u32 b, u32 k)
{
	((volatile u32 *)(BUF_VA + PAGE_SIZE))[k] = 0xeeeeeeee;
	return xn_do(op, b, pb, pbc, 0) == 0 ? ((volatile u32 *)(BUF_VA + PAGE_SIZE))[k]
					     : 0xffffffffu;
}
static u32 read_word(u32 b, u32 k) { return read_word_by(XN_READ, b, k); }
/* The same from the disk itself (XN_READ_DISK), not XN's copy. */
static u32 read_disk_word(u32 b, u32 k) { return read_word_by(XN_READ_DISK, b, k); }

/* Everything before reaches the disk: a write of the root, waited for
 * (XN's area changes are queued ahead of it). */
static void sync_root(void)
{
	CHECK(xn_do(XN_WRITE, ROOT, 0, 0, 0) == 0);
}

void test_persist_keep(void)
{
	u32 w = (u32)sys_xn_type_add(&wide_tmpl);
	CHECK((int)w > 0);
	CHECK(xn_stats().area > 0 && xn_stats().blocks == 0);
	CHECK(xn_mkroot("persist", 5, w) == -E_BUSY);           /* XN's area */
	CHECK((int)(u32)sys_disk_alloc(0, 1) == -E_BUSY);
	CHECK(xn_mkroot("persist", ROOT, w) >= 0);
	CHECK(sys_xn_root_keep(ROOT, secret) == -E_BUSY);        /* never written */
	for (u32 k = 0; k < NFILES; k++) {
		CHECK(wadd(imgs[0], ROOT, k, file(k), w) == 0);
		for (u32 d = 0; d < file_len(k); d++) {
			CHECK(wadd(imgs[1 + k], file(k), d, file(k) + 1 + d, XN_DATA) == 0);
			CHECK(write_stamped(file(k) + 1 + d) == 0);
		}
		CHECK(xn_do(XN_WRITE, file(k), 0, 0, 0) == 0);
	}
	/* A move caught between its link (on disk) and its unlink. */
	CHECK(wadd(imgs[3], file(2), file_len(2), MOVED, w) == 0);
	CHECK(wadd(imgs[6], MOVED, 0, MOVED + 1, XN_DATA) == 0);
	CHECK(write_stamped(MOVED + 1) == 0 && xn_do(XN_WRITE, MOVED, 0, 0, 0) == 0);
	CHECK(xn_do(XN_WRITE, file(2), 0, 0, 0) == 0);
	imgs[2][0] = file_len(1) + 1;
	imgs[2][2 + 2 * file_len(1)] = MOVED;
	imgs[2][3 + 2 * file_len(1)] = w;
	CHECK(xn_upd(file(1), XN_LINK, MOVED, 0, 0, 16 + 8 * file_len(1), imgs[2], 0) == 0);
	CHECK(xn_do(XN_WRITE, file(1), 0, 0, 0) == 0);
	CHECK(xn_entry_of(MOVED).refs == 2);
	sync_root();
	CHECK(sys_xn_root_keep(file(0), secret) == -E_INVAL);    /* not a root */
	CHECK(sys_xn_root_keep(ROOT, (void *)0) == -E_FAULT);
	CHECK(sys_xn_root_keep(ROOT, secret) == 0);
	/* A block the kept file system writes and frees: whoever takes it in
	 * a later boot must not read its bytes (the thief, boot 2). */
	CHECK(wadd(imgs[2], file(1), file_len(1) + 1, FREED, XN_DATA) == 0);   /* after MOVED */
	CHECK(write_stamped(FREED) == 0);
	CHECK(wdrop(imgs[2], file(1), file_len(1) + 2) == 0);
	CHECK(xn_do(XN_WRITE, file(1), 0, 0, 0) == 0);
	CHECK(xn_entry_of(FREED).block == 0xffffffffu);         /* released: free */
	/* An unkept file system, and a block never written: gone after a boot. */
	CHECK(xn_mkroot("temp", TEMP, w) >= 0);
	CHECK(wadd(imgs[5], TEMP, 0, TEMP + 1, XN_DATA) == 0);
	CHECK(write_stamped(TEMP + 1) == 0 && xn_do(XN_WRITE, TEMP, 0, 0, 0) == 0);
	CHECK(wadd(imgs[1], file(0), file_len(0), PENDING, XN_DATA) == 0);
	/* Another environment cannot keep or attach it. */
	box->step = 1;
	int child = child_spawn(C_THIEF, NULL);
	CHECK(child > 0 && kid_wait(child) == 0);
	/* A kept file system outlives its owner: a child keeps one and exits;
	 * it is still there, attached to nobody, until the secret takes it. */
	child = child_spawn(C_KEEPER, NULL);
	CHECK(child > 0 && kid_wait(child) == 0);
	char kid[XN_NAMELEN] = "kid";
	CHECK(sys_xn_root_find(kid) == (int)KID_ROOT && xn_entry_of(KID_ROOT).owner == 0);
	/* Its root was changed and not written: attached to nobody, anyone may
	 * write it (XN's copy, as a flush daemon would), nothing else. */
	CHECK(xn_entry_of(KID_ROOT).state & XN_S_DIRTY);
	CHECK(xn_do(XN_READ, KID_ROOT, pb, pbc, 0) == -E_PERM);
	CHECK(xn_do(XN_READ_DISK, KID_ROOT, pb, pbc, 0) == -E_PERM);
	CHECK(xn_do(XN_WRITE, KID_ROOT, pb, pbc, 0) == -E_INVAL);  /* only XN's copy */
	CHECK(xn_upd(KID_ROOT, XN_NONE, 0, 0, 4, 4, imgs[7], 0) == -E_PERM);
	CHECK(xn_do(XN_WRITE, KID_ROOT, 0, 0, 0) == 0);
	CHECK(!(xn_entry_of(KID_ROOT).state & XN_S_DIRTY));
	CHECK(xn_do(XN_WRITE, ROOT, 0, 0, 0) == 0);              /* ours: as always */
	struct xn_attach a = { "kid", { secret[0], secret[1], secret[2], secret[3] } };
	CHECK(sys_xn_root_attach(&a) == (int)KID_ROOT);
	CHECK(xn_entry_of(KID_ROOT).owner == (u32)sys_getenvid());
	CHECK(read_disk_word(KID_ROOT, 1) == KID_STAMP);         /* the flush reached the disk */
	CHECK(sys_xn_root_free(KID_ROOT) == 0);                 /* its record cleared first */
	CHECK(sys_xn_root_find(kid) == -E_NOENT);
	sync_root();
	CHECK(sys_kcheck(0) == 0);
	printf("    # kept: %u blocks held, %u area blocks still to write\n", xn_stats().blocks,
	       xn_stats().dirty);
}

void test_persist_attach(void)
{
	struct xn_stat s = xn_stats();
	u32 nblocks = 1 + NFILES + 5 + 6 + 7 + 2;
	CHECK(s.roots == 1 && s.blocks == nblocks && s.area > 0 && !s.refused);
	char name[XN_NAMELEN] = "persist", temp[XN_NAMELEN] = "temp";
	CHECK(sys_xn_root_find(name) == ROOT && sys_xn_root_find(temp) == -E_NOENT);
	struct xn_entry e = xn_entry_of(ROOT);
	u32 w = e.type;
	CHECK(e.owner == 0 && e.state == XN_S_ROOT && w != XN_DATA);
	CHECK(xn_entry_of(PENDING).block == 0xffffffffu && xn_entry_of(TEMP).block == 0xffffffffu);
	CHECK(xn_entry_of(MOVED).refs == 2 && xn_entry_of(MOVED + 1).refs == 1);  /* walked once */
	u32 spare = 1;
	CHECK(xn_upd(ROOT, XN_NONE, 0, 0, 4, 4, &spare, 0) == -E_PERM);   /* not attached */
	box->step = 2;
	int child = child_spawn(C_THIEF, NULL);
	CHECK(child > 0 && kid_wait(child) == 0);
	struct xn_attach a = { "persist", { secret[0], secret[1], secret[2], secret[3] ^ 1 } };
	CHECK(sys_xn_root_attach(&a) == -E_BADCAP);
	struct xn_attach none = { "nothing", { 0, 0, 0, 0 } };
	CHECK(sys_xn_root_attach(&none) == -E_NOENT);
	CHECK(sys_xn_root_attach((void *)0) == -E_FAULT);
	a.secret[3] = secret[3];
	CHECK(sys_xn_root_attach(&a) == (int)ROOT);
	CHECK(sys_xn_root_attach(&a) == -E_BUSY);
	CHECK(xn_entry_of(ROOT).owner == (u32)sys_getenvid());
	/* Every file and byte where it was. */
	CHECK(read_word(ROOT, 0) == NFILES);
	u32 bad = 0;
	for (u32 k = 0; k < NFILES; k++) {
		bad += read_word(ROOT, 2 + 2 * k) != file(k) || read_word(ROOT, 3 + 2 * k) != w;
		bad += read_word(file(k), 0) != file_len(k) + (k > 0);     /* and MOVED */
		for (u32 d = 0; d < file_len(k); d++)
			bad += read_word(file(k) + 1 + d, 0) != file(k) + 1 + d ||
			       read_word(file(k) + 1 + d, 1) != ~(file(k) + 1 + d);
	}
	bad += read_word(file(1), 2 + 2 * file_len(1)) != MOVED || read_word(MOVED + 1, 0) != MOVED + 1;
	CHECK(bad == 0);
	CHECK(sys_kcheck(0) == 0);
	/* Change it: the move ends (MOVED unlinked from file 2), file 2 goes
	 * (its blocks first), a new file of 2 blocks comes. */
	u32 *img = imgs[3];
	CHECK(xn_do(XN_READ, file(2), pb, pbc, 0) == 0);
	for (u32 i = 0; i < 2 + 2 * WIDE_SLOTS; i++)
		img[i] = ((volatile u32 *)(BUF_VA + PAGE_SIZE))[i];
	img[0] = file_len(2);
	CHECK(xn_upd(file(2), XN_UNLINK, MOVED, 0, 0, 8, img, 0) == 0);
	CHECK(xn_entry_of(MOVED).refs == 1);
	for (u32 n = file_len(2); n > 0; n--)
		CHECK(wdrop(img, file(2), n) == 0);
	CHECK(xn_do(XN_WRITE, file(2), 0, 0, 0) == 0);
	CHECK(xn_do(XN_READ, ROOT, pb, pbc, 0) == 0);
	for (u32 i = 0; i < 2 + 2 * WIDE_SLOTS; i++)
		imgs[0][i] = ((volatile u32 *)(BUF_VA + PAGE_SIZE))[i];
	CHECK(wdrop(imgs[0], ROOT, NFILES) == 0);
	sync_root();
	CHECK(wadd(imgs[0], ROOT, NFILES - 1, 1200, w) == 0);
	for (u32 d = 0; d < 2; d++) {
		CHECK(wadd(imgs[4], 1200, d, 1201 + d, XN_DATA) == 0);
		CHECK(write_stamped(1201 + d) == 0);
	}
	CHECK(xn_do(XN_WRITE, 1200, 0, 0, 0) == 0);
	sync_root();
	CHECK(xn_stats().blocks == nblocks - 8 + 3);
	CHECK(read_word(MOVED + 1, 0) == MOVED + 1);
	CHECK(sys_kcheck(0) == 0);
}

void test_refused(void)
{
	struct xn_stat s = xn_stats();
	CHECK(s.refused == 1 && s.blocks == 0 && s.roots == 0);
	char name[XN_NAMELEN] = "persist";
	CHECK(sys_xn_root_find(name) == -E_NOENT);
	struct xn_attach a = { "persist", { secret[0], secret[1], secret[2], secret[3] } };
	CHECK(sys_xn_root_attach(&a) == -E_NOENT);
	u32 w = (u32)sys_xn_type_add(&wide_tmpl);
	CHECK((int)w > 0);
	CHECK(xn_mkroot("again", 2000, w) == -E_BUSY);
	CHECK((int)(u32)sys_disk_alloc(2000, 1) == -E_BUSY);
	CHECK((int)(u32)sys_disk_alloc(ROOT, 1) == -E_BUSY);
}

/* The thief (another environment): cannot keep the suite's root, attach it
 * while attached (boot 1) or with a guessed secret (boot 2), or take its
 * blocks; in boot 2 it takes the block the kept file system freed in boot 1
 * as an extent and must read zeros (taint survives the boot). */
int thief_child(void)
{
	struct box *b = (struct box *)BOX_VA;
	u32 p, c;
	if (!new_page(BUF_VA, &p, &c) || !new_page(DONE_VA, &done_ppn, &done_check))
		return 90;
	u32 guess[4] = { 0, 0, 0, 0 };
	CHECK(sys_xn_root_keep(ROOT, guess) == -E_PERM);
	struct xn_attach a = { "persist", { 0, 0, 0, 0 } };
	if (b->step == 1) {
		for (u32 i = 0; i < 4; i++)
			a.secret[i] = secret[i];        /* even the right one: it is attached */
		CHECK(sys_xn_root_attach(&a) == -E_BUSY);
	} else {
		for (u32 i = 0; i < 3; i++) {
			CHECK(sys_xn_root_attach(&a) == -E_BADCAP);
			a.secret[i] = secret[i];        /* all but the last word right */
		}
	}
	u32 w = (u32)sys_xn_type_add(&wide_tmpl);
	CHECK((int)w > 0 && xn_mkroot("thief", THIEF_ROOT, w) >= 0);
	CHECK(wadd(imgs[0], THIEF_ROOT, 0, file(0) + 1, XN_DATA) == -E_BUSY);
	CHECK(wadd(imgs[0], THIEF_ROOT, 0, ROOT, w) == -E_BUSY);
	CHECK((int)(u32)sys_disk_alloc(ROOT, 40) == -E_BUSY);
	CHECK((int)(u32)sys_disk_alloc(3, 1) == -E_BUSY);           /* XN's area */
	CHECK(xn_do(XN_READ, file(0) + 1, p, c, 0) == -E_PERM);
	if (b->step == 1) {             /* kept, but attached: owned, not the thief's to write */
		CHECK(xn_do(XN_WRITE, ROOT, 0, 0, 0) == -E_PERM);
		CHECK(xn_do(XN_WRITE, file(0), 0, 0, 0) == -E_PERM);
	}
	if (b->step == 2) {
		u64 x = sys_disk_alloc(FREED, 1);
		CHECK((int)(u32)x >= 0);
		volatile u32 *got = (volatile u32 *)BUF_VA;
		got[0] = got[1] = 0xeeeeeeeeu;
		struct disk_req r = { DISK_READ, (u32)x, (u32)(x >> 32), FREED, 1, CAP_NAME(p, CAP_RW),
				      c, 0, CAP_NAME(done_ppn, CAP_RW), done_check, 0 };
		CHECK(exos_disk_rw_wait(&r, (volatile u32 *)DONE_VA, 2 * SECOND) == 0);
		if (got[0] || got[1])
			printf("    # thief read %08x %08x from block %u\n", got[0], got[1], FREED);
		CHECK(got[0] == 0 && got[1] == 0);
		CHECK(sys_disk_free((u32)x, (u32)(x >> 32)) == 0);
	}
	return failed_checks;
}

/* The keeper (another environment, boot 1): keeps a file system of one
 * written root, and exits. */
int keeper_child(void)
{
	u32 p, c;
	if (!new_page(BUF_VA, &p, &c) || !new_page(DONE_VA, &done_ppn, &done_check))
		return 90;
	u32 w = (u32)sys_xn_type_add(&wide_tmpl);
	CHECK((int)w > 0 && xn_mkroot("kid", KID_ROOT, w) >= 0);
	CHECK(xn_do(XN_WRITE, KID_ROOT, 0, 0, 0) == 0);
	CHECK(sys_xn_root_keep(KID_ROOT, secret) == 0);
	CHECK(xn_do(XN_WRITE, KID_ROOT, 0, 0, 0) == 0);         /* the area before it */
	u32 stamp = KID_STAMP;                                  /* changed, left unwritten */
	CHECK(xn_upd(KID_ROOT, XN_NONE, 0, 0, 4, 4, &stamp, 0) == 0);
	return failed_checks;
}
