/*
 * cffstest.h: what the cffs tests (cffstest.c, fsync.c) and their
 * children (kids.c, hostile.c) share: the page they both map, the file
 * patterns, raw XN requests, and the children's entry points.
 */
#ifndef CFFSTEST_H
#define CFFSTEST_H
#include "../utest/utest.h"
#include "../utest/kids.h"
#include "cffs.h"

#define SECOND        160000000u
#define BOX_VA        0x00006000u     /* the shared page in a child */
#define PARENT_BOX_VA 0x30f00000u     /* ... and in the suite */
#define TBUF_VA       0x31000000u     /* a page for raw requests */
#define TDONE_VA      0x31100000u     /* their completion word */
#define FS_NAME       "cffs"
#define FS_FIRST      16              /* cffs's blocks: [16, 16 + 4000) of the 4 MiB disk */
#define FS_BLOCKS     4000

struct box {
	volatile u32 step;
	volatile u32 root, data, dirblk;      /* cffs's, for the children to attack */
	volatile u32 troot, tdata;            /* the trivial file system's */
	volatile u32 fails;                   /* a child's failed checks */
	volatile u32 top, ind;                /* cffs's: a file's TOP and its IND */
	volatile u32 dirtype, indtype, key;   /* cffs's types and key */
};

/* cffstest.c: the patterns files are made of, and the suite's shared page. */
extern u8 wbuf[65536], rbuf[65536];
u8 pat(u32 seed, u32 i);
void fill(u8 *b, u32 n, u32 seed);
u32 bad_bytes(const u8 *b, u32 n, u32 seed, u32 off);   /* bytes not pattern seed from off */
bool make_file(const char *path, u32 n, u32 seed, u32 step);
bool file_is(const char *path, u32 n, u32 seed, u32 step);
extern struct box *box;
extern u32 box_ppn, box_check;

/* fsync.c: the tests of cffs_fsync. */
void test_fsync(void);
void test_fsync_one(void);
void test_fsync_path(void);
void test_fsync_forced(void);

enum { C_INTRUDER = 1, C_TRIV, C_REUSE, C_HOSTILE };
int intruder_child(void);
int hostile_kind_child(void);   /* hostile.c */
int triv_child(void);
int reuse_child(void);

/* kids.c: raw XN requests through the page at TBUF_VA. */
extern u32 tbuf_ppn, tbuf_check, tdone_ppn, tdone_check;
bool raw_pages(void);
int raw_io(u32 op, u32 block, u32 off);       /* TBUF_VA + off; metadata write: off ~0 */
/* Registry entries held by environment envid, and whether block is in it. */
u32 xn_held_by(u32 envid);
bool xn_has(u32 block);
struct xn_entry xn_entry(u32 block);          /* block ~0u: none */

#endif
