/*
 * xnfs.h: the small library file system the XN tests use (apps/xntest),
 * and the helpers its tests share. Its one metadata type is a directory:
 *
 *   offset 0: key    acl allows a change when the key is 0 or the
 *                    caller's credential equals it
 *   offset 4: spare
 *   offset 8 + 8k (k = 0..DIR_SLOTS-1): block, type  (block 0: empty)
 *
 * so a directory points to data blocks and to other directories; size
 * says DIR_SIZE bytes are metadata.
 */
#ifndef XNFS_H
#define XNFS_H
#include "../utest/utest.h"
#include "../utest/kids.h"
#include "dcode.h"

#define DIR_SLOTS   6
#define DIR_SIZE    (8 + 8 * DIR_SLOTS)
#define SECOND      160000000u        /* CP0 Count ticks (160 MHz) */
#define DISK_BLOCKS 131072            /* the runner's image: 64 MiB */
#define WIDE_SLOTS  XN_MAXOWNS        /* a wide block's pointers */
#define WIDE_SIZE   (8 + 8 * WIDE_SLOTS)
#define BOX_VA        0x00006000u     /* the shared page in a child */
#define PARENT_BOX_VA 0x30f00000u     /* ... and in the suite */
#define BUF_VA        0x31000000u     /* data pages (a few) */
#define DONE_VA       0x31100000u     /* completion words */

/* What the suite and a child share. */
struct box {
	volatile u32 step;
	volatile u32 type, root, data, sub;   /* the suite's file system, for attacks */
	volatile u32 count, err;              /* a child's count of takes, refusal */
	volatile u32 blocks[8];               /* blocks a child held */
};

/* udfs.c: the templates (struct xn_tmpl) */
extern const struct xn_tmpl dir_tmpl;         /* the directory above */
extern const struct xn_tmpl liar_plus1_tmpl;  /* owns: entry 0's block and the next one */
extern const struct xn_tmpl liar_fixed_tmpl;  /* owns: block 100 whatever the bytes */
extern const struct xn_tmpl faulter_tmpl;     /* owns reads at the offset in entry 0 */
extern const struct xn_tmpl size_liar_tmpl;   /* size: 5000 once word 1 is 1 */
extern const struct xn_tmpl size_zero_tmpl;   /* size: 0 */
extern const struct xn_tmpl writes_meta_tmpl; /* owns stores into the metadata */
extern const struct xn_tmpl too_long_tmpl;    /* owns of XN_UDF_MAXINSNS + 1 */
extern const struct xn_tmpl wide_tmpl;        /* a count and up to WIDE_SLOTS pairs */

/* xnfs.c: the library's calls */
extern u32 done_ppn, done_check;
/* Set slot k of directory dir to (blk, type) with op (XN_ALLOC ...) about
 * target (the block that appears or goes), credential cred: xn_update's
 * result. */
int dir_set(u32 dir, u32 k, u32 blk, u32 type, u32 op, u32 target, u32 cred);
/* A raw xn_update. */
int xn_upd(u32 block, u32 op, u32 target, u32 type, u32 off, u32 len, const void *bytes,
	   u32 cred);
/* Move block through bytes [off, off + 512) of page (ppn, check), or for a
 * metadata write ppn 0 (no page), and sleep until it is over: its status. */
int xn_do(u32 op, u32 block, u32 ppn, u32 check, u32 off);
/* The registry's entry for block (block 0xffffffff if XN does not hold it). */
struct xn_entry xn_entry_of(u32 block);
/* XN's table sizes (xn_stat). */
struct xn_stat xn_stats(void);
/* How many blocks XN holds. */
u32 xn_used(void);
/* Register a root called name at block of type: the root's index. */
int xn_mkroot(const char *name, u32 block, u32 type);
/* Fill the page at va with a pattern of seq. */
void fill(u32 va, u32 seq);
/* Bytes of [va, va + len) that differ from fill(seq)'s at offset off. */
u32 differs(u32 va, u32 len, u32 seq, u32 off);

/* hostile.c: the children (exos_arg says which) */
enum { C_HOSTILE = 1, C_LEAVER, C_TYPES, C_QUOTA, C_WALK, C_SCALE, C_THIEF, C_KEEPER, C_HOLDER,
       C_ROOTS };
int hostile_child(void);
int leaver_child(void);
int types_child(void);
int quota_child(void);
int walk_child(void);
int scale_child(void);

/* args.c: hostile arguments at the edges (test hostile_args, dir the
 * directory type), and its child holding the victim page */
void test_hostile_args(u32 dir);
int holder_child(void);
/* ... and XN's root table filled by a child, recovered when it goes */
void test_roots_table(void);
int roots_child(void);

/* persist.c: XN on disk (suite xn-persist), and its thief child */
void test_persist_keep(void);
void test_persist_attach(void);
void test_refused(void);
int thief_child(void);
int keeper_child(void);

/* crash.c: the crash suite's boots (xn-crash) */
void test_crash_verify(void);
void crash_workload(void) __attribute__((noreturn));

#endif
