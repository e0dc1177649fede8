/*
 * xn_disk.h: XN's own area on a disk (docs/storage.md, "XN on disk"),
 * shared by the kernel (xn_persist.c), the host fsck (tools/xnfsck.c) and,
 * by its numbers, tools/xn_mkfs.py. All words little-endian.
 *
 *   block 0                  the superblock (struct xn_super)
 *   block XN_ROOTS_AT        XN_MAXROOTS root records (struct xn_droot)
 *   blocks XN_TYPES_AT ...   XN_MAXTYPES template records, XN_TYPE_BLOCKS each
 *   blocks map_at ...        the free map: bit b (byte b / 8, bit b % 8) set:
 *                            block b is allocated (XN's area included)
 *   blocks taint_at ...      the taint map: bit b set: block b was allocated
 *                            and had not been written when this was written
 * Blocks [0, area) are XN's; a library file system never gets them.
 */
#ifndef AEGIS_XN_DISK_H
#define AEGIS_XN_DISK_H
#include "types.h"
#include "abi.h"

#define XN_MAGIC       0x314e5841u   /* "AXN1" */
#define XN_VERSION     1
#define XN_ROOTS_AT    1
#define XN_TYPES_AT    2
#define XN_TYPE_BLOCKS 4
#define XN_MAP_AT      (XN_TYPES_AT + XN_MAXTYPES * XN_TYPE_BLOCKS)
#define XN_MAP_BITS    (DISK_BLOCK * 8)     /* blocks one map block covers */

struct xn_super {
	u32 magic, version;
	u32 nblocks;            /* blocks XN covers (the disk's, at most XN_MAXDISK) */
	u32 area;               /* blocks [0, area) are XN's own */
	u32 map_at, taint_at, map_blocks;
	u32 check;              /* XN_MAGIC ^ the words above, xor'ed */
};

struct xn_droot {               /* 64 bytes; XN_MAXROOTS in block XN_ROOTS_AT */
	char name[XN_NAMELEN];
	u32 live;               /* 1: a kept file system */
	u32 block;              /* its root block */
	u32 type;               /* the root's type id */
	u32 hash[2];            /* xn_secret_hash of its secret */
	u32 pad[7];
};

struct xn_dtype {               /* the head of a template record; the programs follow */
	u32 live;               /* 1: a kept template */
	u32 id;                 /* its type id (gen << 8 | index + 1): metadata holds it */
	u32 root;               /* the record of the file system it belongs to */
	u32 n[3];               /* owns, acl, size: instructions */
	/* then struct dc_insn prog[3][XN_UDF_MAXINSNS] (8 bytes each) */
};
#define XN_DTYPE_PROGS 24       /* byte offset of the programs in a record */

/* The superblock's check word. */
static inline u32 xn_super_check(const struct xn_super *s)
{
	return XN_MAGIC ^ s->magic ^ s->version ^ s->nblocks ^ s->area ^ s->map_at ^ s->taint_at ^
	       s->map_blocks;
}

/* Map blocks for n blocks. */
static inline u32 xn_map_blocks(u32 n) { return (n + XN_MAP_BITS - 1) / XN_MAP_BITS; }

/* The hash of a root's 16-byte secret kept on disk: two 32-bit FNV-1a
 * sums (different offsets) over the name and the secret. Not a
 * cryptographic hash: XN's area is read by nobody but XN (no extent, no
 * xn_io reaches it); it only spares the disk the secret itself. */
static inline void xn_secret_hash(const char name[XN_NAMELEN], const u32 secret[4], u32 out[2])
{
	u32 h[2] = { 0x811c9dc5u, 0x050c5d1fu };
	for (u32 k = 0; k < 2; k++) {
		for (u32 i = 0; i < XN_NAMELEN; i++)
			h[k] = (h[k] ^ (u8)name[i]) * 0x01000193u;
		for (u32 i = 0; i < 16; i++)
			h[k] = (h[k] ^ (u8)(secret[i / 4] >> (8 * (i % 4)))) * 0x01000193u;
	}
	out[0] = h[0];
	out[1] = h[1];
}
#endif
