/*
 * cffs.h: ExOS's library file system on XN, in the style of C-FFS (Ganger
 * and Kaashoek): inodes embedded in directory entries, the blocks of a
 * directory's small files placed next to the directory block, grouped
 * requests. docs/storage.md ("cffs") describes the layout.
 *
 * Blocks are XN's 512-byte blocks. Two metadata types, registered as XN
 * templates (cffs_udf.c):
 *
 *   DIR  a directory block: a header and CFFS_NENT entries, each a name and
 *        an embedded inode (two direct data pointers, one typed pointer to
 *        the file's TOP block). The file system's XN root is a DIR block
 *        whose entry 0 is the root directory.
 *   IND  an indirect block: a header (child type, key, count) and up to
 *        CFFS_FAN pointers, all of the child type, always a prefix
 *        [0, count). A file's TOP is an IND whose slot k is a subtree of
 *        height k + 1 (k < CFFS_TREES); a subtree's leaves are data blocks
 *        (a file) or DIR blocks (a directory).
 */
#ifndef CFFS_H
#define CFFS_H
#include "exos.h"

#define CFFS_BSIZE   512
#define CFFS_NENT    4          /* entries per DIR block (owns' 64 instructions) */
#define CFFS_NAMEMAX 63
#define CFFS_NDIRECT 2          /* direct data pointers in an inode */
#define CFFS_FAN     19         /* pointers per IND block (owns' 64 instructions) */
#define CFFS_TREES   4          /* subtrees of a TOP: heights 1..4 */
#define CFFS_MAGIC   0x43464653u   /* "CFFS": the root block */
#define CFFS_DMAGIC  0x43464644u   /* "CFFD": another DIR block */

/* Mode bits (the UNIX ones this file system keeps). */
#define CFFS_IFREG 0x8000
#define CFFS_IFDIR 0x4000
#define CFFS_IFMT  0xf000

struct cffs_inode {             /* 24 bytes, inside a directory entry */
	u32 d[CFFS_NDIRECT];    /* direct data blocks (a file's blocks 0, 1); 0: none */
	u32 top, ttype;         /* the TOP IND block and its type (0, 0: none) */
	u32 size;               /* bytes (a directory: its DIR blocks * 512) */
	u16 mode, uid;          /* mode 0: a free entry */
};
struct cffs_dent {              /* 96 bytes */
	struct cffs_inode ino;
	u8 namelen;
	char name[CFFS_NAMEMAX + 8];
};
struct cffs_dir {               /* a DIR block's metadata: 408 bytes */
	u32 magic;
	u32 key;                /* acl: a change needs the credential key (0: any) */
	u32 dirtype, indtype;   /* the root block: the types' ids (others: 0) */
	u32 first, nblocks;     /* the root block: the blocks the file system may use */
	struct cffs_dent e[CFFS_NENT];
};
struct cffs_ind {               /* an IND block's metadata: 88 bytes */
	u32 ctype;              /* the type of every child */
	u32 key;
	u32 count;              /* slots [0, count) are in use */
	u32 slot[CFFS_FAN];
};
#define CFFS_DIR_SIZE  ((u32)sizeof(struct cffs_dir))
#define CFFS_IND_SIZE  ((u32)sizeof(struct cffs_ind))
#define CFFS_DENT_OFF(k) (24u + 96u * (k))

/* cffs_udf.c: the templates. */
extern const struct xn_tmpl cffs_dir_tmpl, cffs_ind_tmpl;

/* Flags of cffs_open. */
#define CFFS_RDONLY 0
#define CFFS_WRONLY 1
#define CFFS_RDWR   2
#define CFFS_ACCMODE 3
#define CFFS_CREAT  0x100
#define CFFS_EXCL   0x200
#define CFFS_TRUNC  0x400
#define CFFS_SEEK_SET 0
#define CFFS_SEEK_CUR 1
#define CFFS_SEEK_END 2
#define CFFS_NFD    16

/* Errors beyond abi.h's (negative results, like them). */
#define CFFS_ENOTDIR  100       /* a path component is not a directory */
#define CFFS_EISDIR   101       /* a directory where a file is wanted */
#define CFFS_EEXIST   102       /* the name exists */
#define CFFS_ENOTEMPTY 103      /* rmdir of a directory with entries */
#define CFFS_EXDEV    104       /* unused since XN moves metadata (rename moves anything) */
#define CFFS_EBADF    105       /* not an open descriptor, or the wrong access */
#define CFFS_ENOSPC   106       /* no free block on the disk */
#define CFFS_EFBIG    107       /* past what the tree can hold */
#define CFFS_ENAMETOOLONG 108

struct cffs_stat { u32 size; u16 mode, uid; u32 blocks; };
struct cffs_dirent { char name[CFFS_NAMEMAX + 1]; u16 mode; u32 size; };
struct cffs_counters {
	u32 rd_reqs, wr_reqs, rd_bytes, wr_bytes, updates, notcached;
	u32 fsync_forced;       /* blocks fsync wrote because XN's rule 1 forced them */
	u32 fsync_whole;        /* fsyncs that wrote everything (the file's way up not known) */
};

/* cffs.c: the calls. One file system mounted per environment. Results are
 * 0 (or a count, a descriptor) or a negative error: abi.h's (-E_NOMEM and
 * -E_QUOTA when XN's table or the budget is full, -E_PERM when the mode bits
 * or XN refuse, -E_NOENT, -E_IO) or CFFS_E* above. */
/* Make a new file system named name on blocks [first, first + n) of the
 * disk (its root block is first) and mount it. */
int cffs_mkfs(const char *name, u32 first, u32 n);
/* Mount the file system called name (xn_root_find), of this environment
 * (a kept one attached to nobody: -E_PERM, XN's answer; cffs_attach). */
int cffs_mount(const char *name);
/* Keep the mounted file system on a disk formatted for XN (xn_root_keep):
 * synced first, then it outlives this environment and the boot, with its
 * own templates (the next cffs_mkfs registers new ones). secret: 4 words,
 * the credential cffs_attach will need. -E_NOENT: nothing mounted, or the
 * disk has no XN area; XN's -E_BUSY (a template of it already another
 * kept file system's), -E_FAULT (secret unreadable); a sync's errors. */
int cffs_keep(const u32 *secret);
/* Mount the kept file system called name, attached to nobody (after a
 * boot, or its keeper gone): xn_root_attach with secret, then its header
 * from the root block; the caches start empty. -E_NOENT: no kept file
 * system of that name; -E_BADCAP: the wrong secret; -E_BUSY: attached
 * (also to this environment: cffs_mount it); -E_INVAL: not a cffs. */
int cffs_attach(const char *name, const u32 *secret);
/* Write everything, forget every cached block. */
int cffs_unmount(void);
int cffs_open(const char *path, int flags, u32 mode);
int cffs_read(int fd, void *buf, u32 n);
int cffs_write(int fd, const void *buf, u32 n);
int cffs_lseek(int fd, s32 off, int whence);
int cffs_close(int fd);
/* Make fd's file durable: its dirty blocks (data, its INDs; a directory's
 * DIR blocks), and every dirty block from its entry's DIR block up to the
 * root, with what XN's rule 1 forces (tainted blocks those point to). Other
 * dirty blocks stay dirty (docs/storage.md, "fsync"). */
int cffs_fsync(int fd);
int cffs_unlink(const char *path);
int cffs_mkdir(const char *path, u32 mode);
int cffs_rmdir(const char *path);
/* Entry *cookie onwards of directory path (start with 0): 1 with *d and
 * *cookie advanced, 0 at the end. */
int cffs_readdir(const char *path, u32 *cookie, struct cffs_dirent *d);
int cffs_rename(const char *from, const char *to);
int cffs_stat(const char *path, struct cffs_stat *st);
/* Everything written to the file system so far reaches the disk. */
int cffs_sync(void);
/* cffs_sync, then forget every cached block (the next reads go to disk). */
int cffs_drop_cache(void);
/* The user id the mode bits are checked against (0: all allowed). */
void cffs_setuid(u16 uid);
/* The root block (0 if nothing is mounted), the block of a path's entry and
 * its index, and the blocks a file holds (data and metadata), for tests. */
u32 cffs_root(void);
int cffs_where(const char *path, u32 *blk, u32 *idx);
int cffs_blocks(const char *path, u32 *out, u32 max);
extern struct cffs_counters cffs_count;
/* Tests: the next n metadata updates or writes answer -E_NOTCACHED before
 * reaching XN (today's XN never does), to exercise the retry. */
extern u32 cffs_inject_notcached;
/* Tests: nonzero n, the next sync stops (-E_IO, as the board might) after
 * n - 1 metadata writes; what it did not write stays to write. */
extern u32 cffs_inject_stop;

/* cffs_cache.c: the buffer cache (pages of this environment, which XN's
 * registry records as each block moves through them) and XN's calls with
 * the -E_NOTCACHED retry. */
#define CFFS_CACHE_VA  0x68000000u
#define CFFS_CACHE_PAGES 64     /* 512 buffers */
int cffs_cache_init(void);
/* The cached bytes of block blk (read with XN_READ if missing; meta: a
 * metadata block, whose copy is XN's); NULL with *err. */
u8 *cffs_bread(u32 blk, int *err);
/* A buffer for blk without reading it (a new block: zeroed). */
u8 *cffs_bnew(u32 blk, int *err);
/* Read the blocks of list[0..n) that are not cached in one group of
 * requests (at most 8 queued at once). */
int cffs_bread_group(const u32 *list, u32 n);
void cffs_bdirty(u32 blk);       /* a data block's bytes changed */
void cffs_mdirty(u32 blk);       /* a metadata block changed (xn_update) */
void cffs_bforget(u32 blk);      /* blk was freed: drop it, clean */
/* DIR block blk's entries changed: a sync writes it after the trees. */
void cffs_mlate(u32 blk);
/* xn_update with the retry; on success the cached copy is changed too. */
int cffs_update(u32 block, u32 op, u32 target, u32 type, u32 off, u32 len, const void *bytes,
		u32 cred);
/* Write every dirty data block, then every dirty metadata block, children
 * before their parents (XN's rule 1), the DIR blocks marked late last. */
int cffs_cache_sync(void);
/* Whether metadata changed since the last cffs_cache_sync. */
bool cffs_cache_dirty(void);
/* Whether metadata block blk changed since it was last written. */
bool cffs_is_mdirty(u32 blk);
/* The selection a partial sync writes: emptied, a block added, a test. */
void cffs_sel_clear(void);
void cffs_sel_add(u32 blk);
bool cffs_sel_has(u32 blk);
/* Write the dirty blocks of the selection as cffs_cache_sync does (data,
 * then metadata children before parents); every other block stays dirty.
 * -E_BUSY if a selected block points to a tainted one not selected. */
int cffs_cache_sync_sel(void);
/* The first selected, dirty metadata block from blk on; ~0u: none. */
u32 cffs_sel_next(u32 blk);
/* Forget every buffer (after cffs_cache_sync). */
void cffs_cache_drop(void);

#endif
