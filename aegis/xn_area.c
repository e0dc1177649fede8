/*
 * xn_area.c: XN's own area on the disk (aegis/xn_disk.h, docs/storage.md
 * "XN on disk"): the superblock, the kept roots' records, the kept
 * templates' records, the free map and the taint map. The kernel keeps the
 * whole area in memory (an image of each block, and which blocks changed
 * since they were last queued) and writes changed blocks through the
 * disk's queue (xna_flush), which serves requests in order: whatever XN
 * changed in its area before a request is queued reaches the disk before
 * that request does. xn.c decides what changes and when to flush.
 */
#include "defs.h"
#include "xn_disk.h"

#define AREA_MAX (XN_MAP_AT + 2 * (XN_MAXDISK / XN_MAP_BITS))

static bool present;
static struct xn_super sb;
static u8 roots_img[DISK_BLOCK] __attribute__((aligned(8)));
static u8 types_img[XN_MAXTYPES][XN_TYPE_BLOCKS * DISK_BLOCK] __attribute__((aligned(8)));
static u8 map_img[XN_MAXDISK / 8], taint_img[XN_MAXDISK / 8];
static u32 dirty[(AREA_MAX + 31) / 32];

bool xna_present(void) { return present; }
u32 xna_area(void) { return present ? sb.area : 0; }

static void mark_dirty(u32 blk) { dirty[blk >> 5] |= 1u << (blk & 31); }

/* The image of area block blk. */
static const u8 *image(u32 blk)
{
	if (blk == XN_ROOTS_AT)
		return roots_img;
	if (blk >= XN_TYPES_AT && blk < XN_MAP_AT)
		return types_img[(blk - XN_TYPES_AT) / XN_TYPE_BLOCKS] +
		       (blk - XN_TYPES_AT) % XN_TYPE_BLOCKS * DISK_BLOCK;
	if (blk >= sb.map_at && blk < sb.taint_at)
		return map_img + (blk - sb.map_at) * DISK_BLOCK;
	return taint_img + (blk - sb.taint_at) * DISK_BLOCK;
}

/* Read the area at boot (polled). 0: loaded; -E_NOENT: no XN area (no
 * superblock); -E_INVAL: a superblock that does not fit this disk; -E_IO:
 * the area unreadable (the caller refuses the disk either way). */
int xna_load(u32 disk_blocks)
{
	static u8 buf[DISK_BLOCK] __attribute__((aligned(8)));
	if (disk_read_sync(0, buf) < 0)
		return -E_IO;
	__builtin_memcpy(&sb, buf, sizeof sb);
	if (sb.magic != XN_MAGIC)
		return -E_NOENT;
	u32 n = disk_blocks < XN_MAXDISK ? disk_blocks : XN_MAXDISK;
	if (sb.version != XN_VERSION || sb.check != xn_super_check(&sb) || sb.nblocks != n ||
	    sb.map_at != XN_MAP_AT || sb.map_blocks != xn_map_blocks(n) ||
	    sb.taint_at != sb.map_at + sb.map_blocks || sb.area != sb.taint_at + sb.map_blocks ||
	    sb.area >= n)
		return -E_INVAL;
	for (u32 b = XN_ROOTS_AT; b < sb.area; b++) {
		if (disk_read_sync(b, buf) < 0)
			return -E_IO;
		__builtin_memcpy((u8 *)image(b), buf, DISK_BLOCK);
	}
	present = true;
	return 0;
}

bool xna_allocated(u32 b) { return map_img[b >> 3] >> (b & 7) & 1; }
bool xna_tainted(u32 b) { return taint_img[b >> 3] >> (b & 7) & 1; }

void xna_mark(u32 b, bool alloc, bool taint)
{
	if (!present || b >= sb.nblocks || (xna_allocated(b) == alloc && xna_tainted(b) == taint))
		return;
	u8 bit = (u8)(1u << (b & 7));
	map_img[b >> 3] = (u8)(alloc ? map_img[b >> 3] | bit : map_img[b >> 3] & ~bit);
	taint_img[b >> 3] = (u8)(taint ? taint_img[b >> 3] | bit : taint_img[b >> 3] & ~bit);
	mark_dirty(sb.map_at + b / XN_MAP_BITS);
	mark_dirty(sb.taint_at + b / XN_MAP_BITS);
}

void xna_root(u32 r, struct xn_droot *out)
{
	__builtin_memcpy(out, roots_img + r * sizeof *out, sizeof *out);
}

void xna_set_root(u32 r, const struct xn_droot *d)
{
	__builtin_memcpy(roots_img + r * sizeof *d, d, sizeof *d);
	mark_dirty(XN_ROOTS_AT);
}

const u8 *xna_type(u32 i) { return types_img[i]; }

void xna_set_type(u32 i, const struct xn_dtype *h, const void *progs, u32 len)
{
	__builtin_memset(types_img[i], 0, sizeof types_img[i]);
	__builtin_memcpy(types_img[i], h, sizeof *h);
	if (progs)
		__builtin_memcpy(types_img[i] + XN_DTYPE_PROGS, progs, len);
	for (u32 k = 0; k < XN_TYPE_BLOCKS; k++)
		mark_dirty(XN_TYPES_AT + i * XN_TYPE_BLOCKS + k);
}

/* Queue area block blk's image (a request of XN entry xn, or of nobody if
 * xn is XNA_NOENTRY): 0, -E_AGAIN. */
static int queue(u32 blk, u32 xn)
{
	int e = disk_queue_area(blk, image(blk), xn);
	if (!e)
		dirty[blk >> 5] &= ~(1u << (blk & 31));
	return e;
}

/* Queue every changed block of the area, the maps first, the templates,
 * then the roots (a record is never on disk before the blocks it names
 * are allocated there). 0, or -E_AGAIN: the queue filled first (the rest
 * stay changed; the caller's own request must wait). */
int xna_flush(void)
{
	if (!present)
		return 0;
	u32 ranges[3][2] = { { sb.map_at, sb.area }, { XN_TYPES_AT, XN_MAP_AT },
			     { XN_ROOTS_AT, XN_ROOTS_AT + 1 } };
	for (u32 k = 0; k < 3; k++)
		for (u32 b = ranges[k][0]; b < ranges[k][1]; b++)
			if ((dirty[b >> 5] >> (b & 31) & 1) && queue(b, XNA_NOENTRY) < 0)
				return -E_AGAIN;
	return 0;
}

int xna_flush_roots(u32 xn)
{
	return queue(XN_ROOTS_AT, xn);
}

u32 xna_dirty_blocks(void)
{
	u32 n = 0;
	for (u32 b = 0; present && b < sb.area; b++)
		n += dirty[b >> 5] >> (b & 31) & 1;
	return n;
}
