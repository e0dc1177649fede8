/*
 * crash.c: xntest on the crash suite's disk (xn-crash, tools/runtests.py):
 * the host formatted it with a kept file system "crash" (an empty wide
 * root at CRASH_ROOT, the wide template, a secret both sides know). Each
 * boot, crash_verify re-attaches it and checks every file: each data block
 * a file points to holds its own number (it was written before the file
 * that points to it). Then crash_workload creates and deletes files of 1 to
 * 8 stamped blocks, as fast as it can, until the runner stops the board at
 * a random moment; the next boot (the kernel's rebuild) and the host's
 * fsck must accept whatever the disk then holds.
 */
#include "xnfs.h"

#define CRASH_ROOT 1000u
#define WIDE_WORDS (2 + 2 * WIDE_SLOTS)

extern u32 pa, pc, pb, pbc;
static const u32 secret[4] = { 0xc4a5c4a5, 1, 2, 3 };
static u32 root, w, seed;
static u32 rimg[WIDE_WORDS], fimg[WIDE_WORDS];

/* Read wide block b into img: whether it could. */
static bool load(u32 b, u32 *img)
{
	if (xn_do(XN_READ, b, pb, pbc, 0) != 0)
		return false;
	for (u32 i = 0; i < WIDE_WORDS; i++)
		img[i] = ((volatile u32 *)(BUF_VA + PAGE_SIZE))[i];
	return true;
}

/* Append a new block of type to wide block parent (bytes img), a free one
 * drawn at random: the block, or 0 if none was found in 20 draws. */
static u32 add_new(u32 *img, u32 parent, u32 type)
{
	u32 n = img[0];
	for (u32 tries = 0; tries < 20; tries++) {
		u32 b = 2000 + xorshift32(&seed) % 100000;
		img[0] = n + 1;
		img[2 + 2 * n] = b;
		img[3 + 2 * n] = type;
		if (xn_upd(parent, XN_ALLOC, b, type, 0, 16 + 8 * n, img, 0) == 0)
			return b;
	}
	img[0] = n;
	return 0;
}

/* Free the last pointer of wide block parent (bytes img): its status. */
static int drop_last(u32 *img, u32 parent)
{
	u32 n = img[0];
	img[0] = n - 1;
	int e = xn_upd(parent, XN_FREE, img[2 + 2 * (n - 1)], 0, 0, 8, img, 0);
	if (e)
		img[0] = n;
	return e;
}

static int write_stamped(u32 b)
{
	((volatile u32 *)BUF_VA)[0] = b;
	((volatile u32 *)BUF_VA)[1] = ~b;
	return xn_do(XN_WRITE, b, pa, pc, 0);
}

void test_crash_verify(void)
{
	struct xn_attach a = { "crash", { secret[0], secret[1], secret[2], secret[3] } };
	root = (u32)sys_xn_root_attach(&a);
	CHECK(root == CRASH_ROOT);
	w = xn_entry_of(root).type;
	CHECK(load(root, rimg));
	u32 blocks = 0, bad = 0;
	for (u32 k = 0; k < rimg[0] && k < WIDE_SLOTS; k++) {
		u32 f = rimg[2 + 2 * k];
		bad += rimg[3 + 2 * k] != w || !load(f, fimg);
		for (u32 d = 0; d < fimg[0] && d < WIDE_SLOTS; d++, blocks++) {
			u32 b = fimg[2 + 2 * d];
			((volatile u32 *)(BUF_VA + PAGE_SIZE))[0] = 0;
			bad += xn_do(XN_READ, b, pb, pbc, 0) != 0 ||
			       ((volatile u32 *)(BUF_VA + PAGE_SIZE))[0] != b ||
			       ((volatile u32 *)(BUF_VA + PAGE_SIZE))[1] != ~b;
		}
	}
	printf("    # crash: %u files, %u data blocks, %u wrong\n", rimg[0], blocks, bad);
	CHECK(bad == 0);
	CHECK(sys_kcheck(0) == 0);
}

/* Create a file of 1..8 stamped blocks: each block written before the
 * file, the file before the root. */
static int create_file(void)
{
	u32 f = add_new(rimg, root, w);
	if (!f)
		return -E_BUSY;
	for (u32 i = 0; i < WIDE_WORDS; i++)
		fimg[i] = 0;
	int e = 0;
	for (u32 d = 0, k = 1 + xorshift32(&seed) % 8; d < k && !e; d++) {
		u32 b = add_new(fimg, f, XN_DATA);
		e = b ? write_stamped(b) : -E_BUSY;
	}
	if (!e)
		e = xn_do(XN_WRITE, f, 0, 0, 0);
	return e ? e : xn_do(XN_WRITE, root, 0, 0, 0);
}

/* Delete the last file: its blocks, then the file written, then the root. */
static int delete_file(void)
{
	u32 f = rimg[2 + 2 * (rimg[0] - 1)];
	int e = load(f, fimg) ? 0 : -E_IO;
	while (!e && fimg[0])
		e = drop_last(fimg, f);
	if (!e)
		e = xn_do(XN_WRITE, f, 0, 0, 0);
	if (!e)
		e = drop_last(rimg, root);
	return e ? e : xn_do(XN_WRITE, root, 0, 0, 0);
}

void crash_workload(void)
{
	seed = read_count() | 1;
	for (u32 step = 0;; step++) {
		int e = rimg[0] && (rimg[0] >= 12 || !(xorshift32(&seed) & 3)) ? delete_file()
										 : create_file();
		if (e)
			printf("    # crash workload: step %u failed: %d\n", step, e);
		if (step % 20 == 0)
			printf("    # crash workload: step %u, %u files\n", step, rimg[0]);
	}
}
