/*
 * xn_int.h: XN's state and helpers, shared by its parts (kernel only):
 * xn.c (blocks, updates, I/O, the registry), xn_keep.c (kept file systems
 * and the boot-time rebuild), xn_check.c (kcheck's invariants). See xn.c
 * for what each table holds and docs/storage.md for the design.
 */
#ifndef AEGIS_XN_INT_H
#define AEGIS_XN_INT_H
#include "defs.h"
#include "xn_disk.h"

#define NOPPN 0xffffffffu
#define BM_ORPHAN 0xff                  /* xn_map: held by nobody until its requests are over */
#define BM_AREA 0xfe                    /* xn_map: XN's own area (or a refused disk) */

struct xnb {                            /* an entry of the table (the registry) */
	u32 block, type;
	u32 mseq, dseq;                /* metadata: updates so far, and the last one on disk */
	u32 wait_seq;                  /* waits for entry wait's write of update wait_seq */
	u32 ppn;                       /* the registry: the page it last moved through */
	u16 off, refs;                 /* ... its offset; pointers to it in metadata */
	s16 wait;                      /* -1: waits for nothing */
	s16 meta;                      /* its copy in xn_meta[], -1: none (data, or let go of) */
	s16 up[2];                     /* metadata: the entries whose bytes, in XN's copy or on
	                                  disk, point to it (a link's new parent, an unlink's or a
	                                  free's old one until written); -1: none (data, a root) */
	u16 next;                      /* the hash chain: entry + 1, 0: the end */
	u8 used, fs, state, inflight;
	bool orphan;                   /* its file system ended while requests were queued */
	bool listed;                   /* on the settle list */
	bool unlinked;                 /* its wait is an unlink's: the old pointer may be on disk */
};

struct xroot {                          /* a file system */
	bool live;
	bool kept;                     /* on disk (xn_root_keep): outlives its owner and boots */
	u8 owner;                      /* slot + 1; 0: a kept one nobody has attached */
	u32 ownerid, x;                /* the owner's id, the root block's entry */
	u32 nblocks;                   /* blocks it holds, charged to the owner (LIM_XN) */
	u32 hash[2];                   /* a kept one's secret's hash (xn_secret_hash) */
	char name[XN_NAMELEN];
};

extern struct xnb xn_b[XN_MAXBLOCKS];
extern u8 xn_map[XN_MAXDISK];           /* 0 free, r + 1 file system r's, BM_* */
extern u8 xn_meta[XN_MAXMETA][XN_META];
extern u16 xn_meta_of[XN_MAXMETA];      /* entry + 1, 0: a free copy */
extern u16 xn_slist[XN_MAXBLOCKS];      /* entries that wait, are freed or orphans */
extern u32 xn_nslist;
extern struct xn_stat xn_st;
extern bool xn_refused;                 /* the disk's XN area was refused at boot */
extern struct xroot xn_roots[XN_MAXROOTS];
extern u32 xn_owns_a[XN_MAXOWNS][2];    /* owns' output, for whoever runs it next */

static inline bool xn_is_meta(const struct xnb *e) { return e->type != XN_DATA; }
static inline const u8 *xn_copy_of(const struct xnb *e)
{
	return e->meta >= 0 ? xn_meta[e->meta] : NULL;
}

/* xn.c */
/* Blocks XN covers: the disk's, at most XN_MAXDISK. */
u32 xn_cover(void);
/* The entry for block, or -1. */
int xn_find(u32 block);
/* A new entry for block (not in the table) of file system fs: refs 0,
 * state 0, no copy. Its index, or -E_NOMEM. */
int xn_entry_add(u32 block, u32 type, u32 fs);
/* A copy slot for entry i (which has none): its index, or -E_NOMEM. */
int xn_copy_get(int i);
/* Clear the waits that are over; release what nothing holds any more. */
void xn_settle(void);
/* File system r ends: its blocks free (or orphans while requests are queued). */
void xn_end_fs(int r);
/* A root's name from user va: 0, -E_FAULT, -E_INVAL. */
int xn_get_name(char name[XN_NAMELEN], u32 va);
/* The live file system called name, or -1. */
int xn_root_named(const char name[XN_NAMELEN]);
/* The entry for block of one of the caller's file systems (made for a plain
 * data block): its index, -E_NOENT, -E_PERM or -E_NOMEM. */
int xn_lookup(u32 block);
/* Is metadata entry a entry b, or above it (reached from b through up[])?
 * Linking a under b would then close a cycle. At most the entries of the
 * file system are visited, each once. */
bool xn_above(int a, int b);
/* Forget every block, entry, copy and root (a refused disk). */
void xn_tables_reset(void);

/* xn_keep.c */
/* Kept root r (entry x, pointing to nothing) ends: 0, -E_BUSY, -E_AGAIN. */
int xn_free_kept(int r, int x);
/* Kept root r's owner has gone: attached to nobody. */
void xn_detach(int r);
#endif
