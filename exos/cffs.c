/*
 * cffs.c: the file system's calls (cffs.h; layout in docs/storage.md).
 *
 * Every metadata change is one xn_update of one block (cffs_update), which
 * XN checks with the block's owns before and after; a block is allocated
 * by the update that makes its parent point to it (XN_ALLOC: -E_BUSY when
 * XN or an extent holds it, so the disk's free map is XN's, and cffs only
 * remembers which blocks it holds or found taken). Files grow a block at a
 * time, in order, so every IND's pointers are a prefix and a file is freed
 * from its last block back. Writes reach the disk at cffs_sync (or when
 * the cache needs room): data first, then metadata children before
 * parents, which is the order XN's rule 1 requires.
 *
 * C-FFS: the inode is in the directory entry; a new file's data blocks are
 * allocated from the directory block holding its entry onwards, so a
 * directory block and its small files' blocks lie together on the disk and
 * are read and written in groups of requests.
 */
#include "cffs.h"

struct loc {                    /* an entry: where it is, and a copy of it */
	u32 blk, idx;
	struct cffs_dent d;
};
#define DEPTH 16                /* directories a descriptor remembers: fsync's way up */
struct where { u32 blk, idx; };  /* an entry's place */
struct fd {
	bool used;
	u32 blk, idx, pos;
	int flags;
	u32 ndirs;              /* DEPTH + 1: deeper than dirs holds */
	struct where dirs[DEPTH];       /* the directories opened through, the root first */
};

static u32 root, dirtype, indtype, key, first, nblocks;
static u16 cur_uid;
static struct fd fds[CFFS_NFD];
static u8 *owned, *tried;       /* bitmaps over the disk: ours; found taken since the last sync */
static u32 ndisk;
static u32 frees;               /* blocks freed since the last sync: XN holds them until then */
static struct where trail[DEPTH];       /* the directories the last walk went through */
static u32 ntrail;              /* DEPTH + 1: more than trail holds */

#define BIT(m, b)  ((m)[(b) / 8] & (1u << ((b) % 8)))
#define SET(m, b)  ((m)[(b) / 8] |= (u8)(1u << ((b) % 8)))
#define CLR(m, b)  ((m)[(b) / 8] &= (u8)~(1u << ((b) % 8)))
#define OFF(type, field) ((u32)__builtin_offsetof(type, field))

u32 cffs_root(void) { return root; }
void cffs_setuid(u16 uid) { cur_uid = uid; }

static bool isdir(const struct cffs_dent *d) { return (d->ino.mode & CFFS_IFMT) == CFFS_IFDIR; }

/* May the current user do want (4 read, 2 write, 1 search) to d? */
static bool may(const struct cffs_dent *d, u32 want)
{
	if (cur_uid == 0)
		return true;
	u32 bits = d->ino.uid == cur_uid ? (u32)d->ino.mode >> 6 & 7 : (u32)d->ino.mode & 7;
	return (bits & want) == want;
}

/* --- blocks ----------------------------------------------------------------- */

static int ent_get(u32 blk, u32 idx, struct cffs_dent *d)
{
	int e = 0;
	const u8 *b = cffs_bread(blk, &e);
	if (!b)
		return e;
	__builtin_memcpy(d, b + CFFS_DENT_OFF(idx), sizeof *d);
	return 0;
}

/* Entry l becomes l->d (op on target, as cffs_update). Its block is
 * written late in a sync: after the trees the entry's size may cover. */
static int ent_put(const struct loc *l, u32 op, u32 target, u32 type)
{
	int e = cffs_update(l->blk, op, target, type, CFFS_DENT_OFF(l->idx), sizeof l->d, &l->d, key);
	if (e == 0)
		cffs_mlate(l->blk);
	return e;
}

static int ind_get(u32 blk, struct cffs_ind *n)
{
	int e = 0;
	const u8 *b = cffs_bread(blk, &e);
	if (!b)
		return e;
	__builtin_memcpy(n, b, sizeof *n);
	return 0;
}

/*
 * Allocate a block of type for parent, from hint onwards (wrapping inside
 * the file system's blocks): bytes (len bytes at off of parent) with the
 * word at slot set to the block become the parent's, by XN_ALLOC. A block
 * XN refuses as taken (-E_BUSY) is skipped. 0 with *out, or the error
 * (-CFFS_ENOSPC: no block left; -E_NOMEM or -E_QUOTA: XN's table or the
 * budget is full).
 */
static int alloc_into(u32 parent, u32 off, u32 len, void *bytes, u32 *slot, u32 type, u32 hint,
		      u32 *out)
{
	if (hint < first || hint >= first + nblocks)
		hint = first;
	bool synced = false;
	for (u32 i = 0; i < nblocks; i++) {
		u32 c = first + (hint - first + i) % nblocks;
		if ((c & 7) == 0 && ((owned[c / 8] | tried[c / 8]) == 0xff) && i + 8 < nblocks) {
			i += 7;         /* eight taken at once */
			continue;
		}
		if (BIT(owned, c) || BIT(tried, c))
			continue;
		*slot = c;
		int e = cffs_update(parent, XN_ALLOC, c, type, off, len, bytes, key);
		if (e == 0) {
			SET(owned, c);
			*out = c;
			return 0;
		}
		*slot = 0;
		if ((e == -E_NOMEM || e == -E_QUOTA) && !synced && (frees || cffs_cache_dirty())) {
			/* XN's table or the budget is full, but XN holds blocks cffs
			 * freed (they go once their parents are on disk), or copies
			 * of changed metadata (it lets go of them once written).
			 * Sync, and try c again, once. */
			synced = true;
			if ((e = cffs_sync()) < 0)
				return e;
			i--;
			continue;
		}
		if (e != -E_BUSY) {
			if (e == -E_NOMEM)
				printf("# cffs: XN refused block %u: its table is full (-E_NOMEM)\n", c);
			return e;
		}
		SET(tried, c);
	}
	return -CFFS_ENOSPC;
}

/* A block just allocated: data gets a zeroed dirty buffer; an IND (height
 * h >= 1) or a DIR its header, set by its first update. */
static int init_new(u32 blk, u32 type, u32 ctype)
{
	int e = 0;
	u8 *b = cffs_bnew(blk, &e);
	if (!b)
		return e;
	if (type == XN_DATA) {
		cffs_bdirty(blk);
		return 0;
	}
	cffs_mdirty(blk);
	if (type == indtype) {
		struct cffs_ind n = { ctype, key, 0, { 0 } };
		return cffs_update(blk, XN_NONE, 0, 0, 0, CFFS_IND_SIZE, &n, key);
	}
	u32 h[2] = { CFFS_DMAGIC, key };
	return cffs_update(blk, XN_NONE, 0, 0, 0, sizeof h, h, key);
}

static u32 pow19(u32 k)
{
	u32 p = 1;
	while (k--)
		p *= CFFS_FAN;
	return p;
}

/*
 * The block holding logical block lb of the inode in l (data for a file,
 * DIR blocks for a directory). With alloc, a missing block is allocated
 * (lb must be the next one: files grow in order) and l->d is kept equal to
 * the entry XN holds. 0 with *out (0: no such block), or an error.
 */
static int bmap(struct loc *l, u32 lb, bool alloc, u32 *out)
{
	bool dir = isdir(&l->d);
	u32 leaf = dir ? dirtype : XN_DATA, ndir = dir ? 0 : CFFS_NDIRECT, x, k, cap = CFFS_FAN;
	*out = 0;
	if (lb < ndir) {
		if (l->d.ino.d[lb] || !alloc) {
			*out = l->d.ino.d[lb];
			return 0;
		}
		int e = alloc_into(l->blk, CFFS_DENT_OFF(l->idx), sizeof l->d, &l->d, &l->d.ino.d[lb],
				   XN_DATA, l->blk, out);
		return e ? e : init_new(*out, XN_DATA, 0);
	}
	x = lb - ndir;
	for (k = 0; k < CFFS_TREES && x >= cap; k++, cap *= CFFS_FAN)
		x -= cap;
	if (k == CFFS_TREES)
		return -CFFS_EFBIG;
	if (!l->d.ino.top) {
		if (!alloc)
			return 0;
		u32 t;
		l->d.ino.ttype = indtype;
		int e = alloc_into(l->blk, CFFS_DENT_OFF(l->idx), sizeof l->d, &l->d, &l->d.ino.top,
				   indtype, l->blk, &t);
		if (e) {
			l->d.ino.ttype = 0;
			return e;
		}
		if ((e = init_new(t, indtype, indtype)) < 0)
			return e;
	}
	u32 node = l->d.ino.top, idx = k, ch = k + 1;     /* ch: the child's height (0: a leaf) */
	for (;;) {
		struct cffs_ind n;
		u32 child;
		int e = ind_get(node, &n);
		if (e)
			return e;
		if (idx < n.count) {
			child = n.slot[idx];
		} else {
			if (!alloc)
				return 0;
			if (idx != n.count)
				return -E_INVAL;        /* a hole: files grow in order */
			n.count = idx + 1;
			e = alloc_into(node, 0, CFFS_IND_SIZE, &n, &n.slot[idx], n.ctype, node, &child);
			if (e)
				return e;
			e = ch ? init_new(child, indtype, ch == 1 ? leaf : indtype)
			       : init_new(child, leaf, 0);
			if (e)
				return e;
		}
		if (ch == 0) {
			*out = child;
			return 0;
		}
		u32 span = pow19(ch - 1);
		idx = x / span;
		x %= span;
		node = child;
		ch--;
	}
}

/* Free child (of type, its subtree of height h first) from IND node, its
 * last pointer. */
static int free_tree(u32 node, u32 h);
static int free_last(u32 node, u32 h)
{
	struct cffs_ind n;
	int e = ind_get(node, &n);
	if (e)
		return e;
	u32 c = n.slot[n.count - 1];
	if (h > 1 && (e = free_tree(c, h - 1)) < 0)
		return e;
	n.count--;
	n.slot[n.count] = 0;
	if ((e = cffs_update(node, XN_FREE, c, 0, 0, CFFS_IND_SIZE, &n, key)) < 0)
		return e;
	frees++;
	cffs_bforget(c);
	CLR(owned, c);
	return 0;
}

/* Free every block below IND node of height h (its pointers, last first). */
static int free_tree(u32 node, u32 h)
{
	struct cffs_ind n;
	for (;;) {
		int e = ind_get(node, &n);
		if (e)
			return e;
		if (!n.count)
			return 0;
		if ((e = free_last(node, h)) < 0)
			return e;
	}
}

static int sync_block(u32 blk);

/* Free every block of the inode in l (it keeps its name): size 0, set
 * first and, when there is a tree to empty, written first (its DIR block
 * alone, sync_block), so that on the disk the size never covers more than
 * the tree, however many of the emptied INDs are written after it (XN
 * needs them written to let go of its copies of them: a 16 MiB file's
 * 1,823 INDs are far more than the 256 it keeps). */
static int free_blocks(struct loc *l)
{
	int e;
	if (l->d.ino.size) {
		l->d.ino.size = 0;
		if ((e = ent_put(l, XN_NONE, 0, 0)) < 0)
			return e;
		if (l->d.ino.top && (e = sync_block(l->blk)) < 0)
			return e;
	}
	if (l->d.ino.top) {
		struct cffs_ind t;
		for (;;) {
			if ((e = ind_get(l->d.ino.top, &t)) < 0)
				return e;
			if (!t.count)
				break;
			if ((e = free_tree(t.slot[t.count - 1], t.count)) < 0 ||
			    (e = free_last(l->d.ino.top, 1)) < 0)
				return e;
		}
		u32 t0 = l->d.ino.top;
		l->d.ino.top = l->d.ino.ttype = 0;
		if ((e = ent_put(l, XN_FREE, t0, 0)) < 0)
			return e;
		frees++;
		cffs_bforget(t0);
		CLR(owned, t0);
	}
	for (int k = CFFS_NDIRECT - 1; k >= 0; k--) {
		u32 b = l->d.ino.d[k];
		if (!b)
			continue;
		l->d.ino.d[k] = 0;
		if ((e = ent_put(l, XN_FREE, b, 0)) == -E_BUSY) {
			/* Another entry points to it too: a rename into another
			 * directory that a crash interrupted left the file under
			 * both names. That one keeps the block. */
			if ((e = ent_put(l, XN_UNLINK, b, 0)) < 0)
				return e;
			continue;
		}
		if (e < 0)
			return e;
		frees++;
		cffs_bforget(b);
		CLR(owned, b);
	}
	return 0;
}

/* Call fn(b, arg) for every block below IND node of height h, node first. */
static int each_tree(u32 node, u32 h, void (*fn)(u32, void *), void *arg)
{
	struct cffs_ind n;
	fn(node, arg);
	int e = ind_get(node, &n);
	for (u32 i = 0; !e && i < n.count && i < CFFS_FAN; i++) {
		if (h > 1)
			e = each_tree(n.slot[i], h - 1, fn, arg);
		else
			fn(n.slot[i], arg);
	}
	return e;
}

/* Call fn(b, arg) for every block of the inode in d (direct blocks, TOP,
 * INDs, leaves; parents before children): 0 or an error. */
static int each_block(const struct cffs_dent *d, void (*fn)(u32, void *), void *arg)
{
	for (u32 i = 0; i < CFFS_NDIRECT; i++)
		if (d->ino.d[i])
			fn(d->ino.d[i], arg);
	if (!d->ino.top)
		return 0;
	struct cffs_ind t;
	fn(d->ino.top, arg);
	int e = ind_get(d->ino.top, &t);
	for (u32 i = 0; !e && i < t.count && i < CFFS_TREES; i++)
		e = each_tree(t.slot[i], i + 1, fn, arg);
	return e;
}

/* --- directories -------------------------------------------------------------- */

static bool same_name(const struct cffs_dent *d, const char *name, u32 n)
{
	if (!d->ino.mode || d->namelen != n)
		return false;
	for (u32 i = 0; i < n; i++)
		if (d->name[i] != name[i])
			return false;
	return true;
}

/* Look for name (n bytes) in directory dir: 0 with *out (found), and in any
 * case *freeloc->blk the first free entry's place (0 if none). */
static int dir_find(struct loc *dir, const char *name, u32 n, struct loc *out, struct loc *freeloc)
{
	freeloc->blk = 0;
	u32 nb = dir->d.ino.size / CFFS_BSIZE;
	for (u32 lb = 0; lb < nb; lb++) {
		u32 b;
		int e = bmap(dir, lb, false, &b);
		if (e)
			return e;
		const u8 *bytes = cffs_bread(b, &e);
		if (!bytes)
			return e;
		for (u32 i = 0; i < CFFS_NENT; i++) {
			const struct cffs_dent *d = (const void *)(bytes + CFFS_DENT_OFF(i));
			if (!d->ino.mode && !freeloc->blk)
				freeloc->blk = b, freeloc->idx = i;
			if (same_name(d, name, n)) {
				out->blk = b, out->idx = i;
				__builtin_memcpy(&out->d, d, sizeof *d);
				return 0;
			}
		}
	}
	return -E_NOENT;
}

/* A new entry called name in directory dir: its mode, the current user. */
static int dir_add(struct loc *dir, const char *name, u32 n, u16 mode, struct loc *out)
{
	struct loc found, fl;
	int e = dir_find(dir, name, n, &found, &fl);
	if (e == 0)
		return -CFFS_EEXIST;
	if (e != -E_NOENT)
		return e;
	while (!fl.blk) {               /* a new DIR block, near the last */
		u32 b, lb = dir->d.ino.size / CFFS_BSIZE;
		if ((e = bmap(dir, lb, true, &b)) < 0)
			return e;
		dir->d.ino.size += CFFS_BSIZE;
		if ((e = ent_put(dir, XN_NONE, 0, 0)) < 0)
			return e;
		/* Not new if a crash left it past the size (cffs_cache.c's
		 * rounds): its entries come back into view. */
		const u8 *bytes = cffs_bread(b, &e);
		if (!bytes)
			return e;
		for (u32 i = 0; i < CFFS_NENT && !fl.blk; i++)
			if (!((const struct cffs_dent *)(bytes + CFFS_DENT_OFF(i)))->ino.mode)
				fl.blk = b, fl.idx = i;
	}
	__builtin_memset(&fl.d, 0, sizeof fl.d);
	fl.d.ino.mode = mode;
	fl.d.ino.uid = cur_uid;
	fl.d.namelen = (u8)n;
	__builtin_memcpy(fl.d.name, name, n);
	if ((e = ent_put(&fl, XN_NONE, 0, 0)) < 0)
		return e;
	*out = fl;
	return 0;
}

static int root_loc(struct loc *l)
{
	l->blk = root, l->idx = 0;
	return ent_get(root, 0, &l->d);
}

/* Resolve path but its last component: *dir the directory that holds (or
 * would hold) it, *name and *n the last component ("" for the root). */
static int walk(const char *path, struct loc *dir, const char **name, u32 *n)
{
	if (!root)
		return -E_NOENT;
	int e = root_loc(dir);
	if (e)
		return e;
	trail[0] = (struct where){ root, 0 };
	ntrail = 1;
	for (;;) {
		while (*path == '/')
			path++;
		u32 len = 0;
		while (path[len] && path[len] != '/')
			len++;
		const char *rest = path + len;
		while (*rest == '/')
			rest++;
		if (len > CFFS_NAMEMAX)
			return -CFFS_ENAMETOOLONG;
		if (!*rest) {
			*name = path, *n = len;
			return 0;
		}
		if (!isdir(&dir->d))
			return -CFFS_ENOTDIR;
		if (!may(&dir->d, 1))
			return -E_PERM;
		struct loc next, fl;
		if ((e = dir_find(dir, path, len, &next, &fl)) < 0)
			return e;
		*dir = next;
		if (ntrail < DEPTH)
			trail[ntrail] = (struct where){ next.blk, next.idx };
		ntrail += ntrail <= DEPTH;
		path = rest;
	}
}

/* The entry path names (the root for "/"). */
static int lookup(const char *path, struct loc *out, struct loc *parent)
{
	const char *name;
	u32 n;
	struct loc dir, fl;
	int e = walk(path, &dir, &name, &n);
	if (e)
		return e;
	if (parent)
		*parent = dir;
	if (n == 0) {
		*out = dir;
		return 0;
	}
	if (!isdir(&dir.d))
		return -CFFS_ENOTDIR;
	if (!may(&dir.d, 1))
		return -E_PERM;
	return dir_find(&dir, name, n, out, &fl);
}

/* --- mkfs, mount ----------------------------------------------------------------- */

static int setup(void)
{
	int e = cffs_cache_init();
	if (e)
		return e;
	if (!owned) {
		struct disk_info di;
		ndisk = (u32)sys_disk_info(&di);
		owned = malloc(ndisk / 8 + 1);
		tried = malloc(ndisk / 8 + 1);
		if (!owned || !tried)
			return -E_NOMEM;
	}
	for (u32 i = 0; i < ndisk / 8 + 1; i++)
		owned[i] = tried[i] = 0;
	for (u32 i = 0; i < CFFS_NFD; i++)
		fds[i].used = false;
	return 0;
}

/* The types mkfs registers, once per environment, and again after a file
 * system using them is kept: XN binds a kept file system's templates to it
 * and refuses to keep a second one on the same ones (-E_BUSY). */
static u32 mktypes[2];

/* A name as XN wants it: NUL-padded, at most XN_NAMELEN - 1 bytes kept. */
static void xn_name(char nm[XN_NAMELEN], const char *name)
{
	__builtin_memset(nm, 0, XN_NAMELEN);
	for (u32 i = 0; i < XN_NAMELEN - 1 && name[i]; i++)
		nm[i] = name[i];
}

int cffs_mkfs(const char *name, u32 blk, u32 n)
{
	int e = setup();
	if (e)
		return e;
	if (n < 8 || blk + n > ndisk || blk + n < blk)
		return -E_INVAL;
	if (!mktypes[0]) {
		int d = sys_xn_type_add(&cffs_dir_tmpl);
		if (d < 0)
			return d;
		int i = sys_xn_type_add(&cffs_ind_tmpl);
		if (i < 0)
			return i;
		mktypes[0] = (u32)d, mktypes[1] = (u32)i;
	}
	struct xn_rootreq r;
	__builtin_memset(&r, 0, sizeof r);
	xn_name(r.name, name);
	r.block = blk;
	r.type = mktypes[0];
	if ((e = sys_xn_root(&r)) < 0)
		return e;
	root = blk, dirtype = mktypes[0], indtype = mktypes[1], first = blk, nblocks = n;
	key = (read_count() ^ exos_envid << 12 ^ blk * 2654435761u) | 1;
	SET(owned, blk);
	if (!cffs_bnew(blk, &e))
		return e;
	u32 h[6] = { CFFS_MAGIC, key, dirtype, indtype, first, nblocks };
	if ((e = cffs_update(blk, XN_NONE, 0, 0, 0, sizeof h, h, key)) < 0)
		return e;
	struct loc l = { blk, 0, { { { 0, 0 }, 0, 0, 0, CFFS_IFDIR | 0755, 0 }, 1, "/" } };
	if ((e = ent_put(&l, XN_NONE, 0, 0)) < 0)
		return e;
	u32 b;                          /* the root directory's first block */
	if ((e = bmap(&l, 0, true, &b)) < 0)
		return e;
	l.d.ino.size = CFFS_BSIZE;
	if ((e = ent_put(&l, XN_NONE, 0, 0)) < 0)
		return e;
	return cffs_sync();
}

/* Mount the file system whose root block is r (this environment's): its
 * header tells the rest; the caches start empty. */
static int mount_root(u32 r)
{
	int e = setup();
	if (e)
		return e;
	const u32 *h = (const u32 *)cffs_bread(r, &e);
	if (!h)
		return e;
	if (h[0] != CFFS_MAGIC)
		return -E_INVAL;
	root = r, key = h[1], dirtype = h[2], indtype = h[3], first = h[4], nblocks = h[5];
	return 0;
}

int cffs_mount(const char *name)
{
	char nm[XN_NAMELEN];
	xn_name(nm, name);
	int r = sys_xn_root_find(nm);
	return r < 0 ? r : mount_root((u32)r);
}

int cffs_keep(const u32 *secret)
{
	if (!root)
		return -E_NOENT;
	int e = cffs_sync();            /* XN keeps only a root it has written */
	if (e < 0)
		return e;
	for (int t = 0; t < 100; t++) {
		if ((e = sys_xn_root_keep(root, secret)) != -E_AGAIN)
			break;
		sys_yield();            /* the disk's queue is full */
	}
	if (e == 0 && dirtype == mktypes[0])
		mktypes[0] = mktypes[1] = 0;    /* they are this file system's now */
	return e;
}

int cffs_attach(const char *name, const u32 *secret)
{
	struct xn_attach a;
	xn_name(a.name, name);
	for (u32 i = 0; i < 4; i++)
		a.secret[i] = secret[i];
	int r = sys_xn_root_attach(&a);
	return r < 0 ? r : mount_root((u32)r);
}

int cffs_unmount(void)
{
	int e = cffs_drop_cache();
	root = 0;
	return e;
}

int cffs_sync(void)
{
	int e = cffs_cache_sync();
	if (e == 0)
		frees = 0;
	for (u32 i = 0; tried && i < ndisk / 8 + 1; i++)
		tried[i] = 0;           /* freed blocks may be reusable now */
	return e;
}

int cffs_drop_cache(void)
{
	int e = cffs_sync();
	if (e == 0)
		cffs_cache_drop();
	return e;
}

/* --- files ------------------------------------------------------------------------ */

static struct fd *fd_of(int fd)
{
	return fd >= 0 && fd < CFFS_NFD && fds[fd].used ? &fds[fd] : NULL;
}

/* Descriptor fd, unless it was opened with access mode refused, and a
 * fresh copy of its entry. */
static int fd_get(int fd, int refused, struct fd **fp, struct loc *l)
{
	struct fd *f = *fp = fd_of(fd);
	if (!f || (f->flags & CFFS_ACCMODE) == refused)
		return -CFFS_EBADF;
	l->blk = f->blk, l->idx = f->idx;
	return ent_get(f->blk, f->idx, &l->d);
}

int cffs_open(const char *path, int flags, u32 mode)
{
	struct loc dir, l, fl;
	const char *name;
	u32 n;
	int e = walk(path, &dir, &name, &n), acc = flags & CFFS_ACCMODE;
	if (e)
		return e;
	if (n == 0) {
		l = dir;                /* the root */
	} else {
		if (!isdir(&dir.d))
			return -CFFS_ENOTDIR;
		if (!may(&dir.d, 1))
			return -E_PERM;
		e = dir_find(&dir, name, n, &l, &fl);
	}
	if (e == -E_NOENT && (flags & CFFS_CREAT)) {
		if (!may(&dir.d, 3))
			return -E_PERM;
		if ((e = dir_add(&dir, name, n, (u16)(CFFS_IFREG | (mode & 0777)), &l)) < 0)
			return e;
	} else if (e) {
		return e;
	} else if ((flags & CFFS_CREAT) && (flags & CFFS_EXCL)) {
		return -CFFS_EEXIST;
	} else {
		if (isdir(&l.d) && acc != CFFS_RDONLY)
			return -CFFS_EISDIR;
		if ((acc != CFFS_WRONLY && !may(&l.d, 4)) || (acc != CFFS_RDONLY && !may(&l.d, 2)))
			return -E_PERM;
		if ((flags & CFFS_TRUNC) && acc != CFFS_RDONLY && (e = free_blocks(&l)) < 0)
			return e;
	}
	for (int i = 0; i < CFFS_NFD; i++)
		if (!fds[i].used) {
			fds[i] = (struct fd){ true, l.blk, l.idx, 0, flags, n ? ntrail : 0, { { 0, 0 } } };
			for (u32 k = 0; k < fds[i].ndirs && k < DEPTH; k++)
				fds[i].dirs[k] = trail[k];
			return i;
		}
	return -E_NOMEM;
}

int cffs_close(int fd)
{
	struct fd *f = fd_of(fd);
	if (!f)
		return -CFFS_EBADF;
	f->used = false;
	return 0;
}

/* --- fsync: one file -------------------------------------------------------------- */

static void pick(u32 blk, void *arg)
{
	(void)arg;
	cffs_sel_add(blk);
}

/* The pointers of metadata block blk as its owns reports them (a DIR
 * block's direct and TOP pointers, an IND's slots [0, count)) into out (at
 * most CFFS_FAN): how many, or an error. */
static int children(u32 blk, u32 *out)
{
	int e = 0, n = 0;
	const u8 *b = cffs_bread(blk, &e);
	if (!b)
		return e;
	const struct cffs_dir *d = (const void *)b;
	const struct cffs_ind *x = (const void *)b;
	if (d->magic == CFFS_MAGIC || d->magic == CFFS_DMAGIC) {
		for (u32 i = 0; i < CFFS_NENT; i++) {
			const struct cffs_inode *ino = &d->e[i].ino;
			u32 p[3] = { ino->d[0], ino->d[1], ino->top };
			for (u32 k = 0; k < 3; k++)
				if (p[k])
					out[n++] = p[k];
		}
	} else {        /* an IND: word 0 is a type id (low byte: index + 1 <= 16), never a magic */
		for (u32 i = 0; x->count <= CFFS_FAN && i < x->count; i++)
			out[n++] = x->slot[i];
	}
	return n;
}

/* Whether DIR block leaf is below IND node of height h (0: a TOP, whose
 * slot i has height i + 1); if so node and the INDs on the way down are
 * selected. 1, 0, or an error. */
static int pick_down(u32 node, u32 h, u32 leaf)
{
	struct cffs_ind n;
	int e = ind_get(node, &n);
	for (u32 i = 0; !e && i < n.count && i < (h ? CFFS_FAN : CFFS_TREES); i++) {
		u32 ch = h ? h - 1 : i + 1;     /* the child's height (0: a leaf) */
		e = ch ? pick_down(n.slot[i], ch, leaf) : n.slot[i] == leaf;
	}
	if (e > 0)
		cffs_sel_add(node);
	return e;
}

/* Select f's entry's DIR block and every block above it: in each directory
 * f was opened through (its own first, the root last), the TOP and INDs
 * over the DIR block below, and the DIR block holding that directory's
 * entry. 0; 1 if the way is not where f remembers it (deeper than DEPTH,
 * or the file moved: cffs_fsync then writes everything); or an error. */
static int pick_path(const struct fd *f)
{
	u32 blk = f->blk;
	if (f->ndirs > DEPTH)
		return 1;
	cffs_sel_add(blk);
	for (u32 k = f->ndirs; k-- > 0;) {
		struct cffs_dent d;
		int e = ent_get(f->dirs[k].blk, f->dirs[k].idx, &d);
		if (e)
			return e;
		if (!isdir(&d) || !d.ino.top || (e = pick_down(d.ino.top, 0, blk)) <= 0)
			return e < 0 ? e : 1;
		blk = f->dirs[k].blk;
		cffs_sel_add(blk);
	}
	return blk == root ? 0 : 1;
}

/* Select what XN's rule 1 forces before metadata block blk is written:
 * every tainted block it points to that is not selected yet, and, since
 * that one is written too, the tainted blocks it points to, down to the
 * leaves (XN's registry says which are tainted). Counts them in *n. */
static int pick_forced(u32 blk, u32 *n)
{
	u32 c[CFFS_FAN];
	int k = children(blk, c);
	for (int i = 0; i < k; i++) {
		struct xn_entry x;
		if (cffs_sel_has(c[i]) || sys_xn_bc_find(c[i], &x) < 0 || !(x.state & XN_S_TAINTED))
			continue;
		cffs_sel_add(c[i]);
		(*n)++;
		int e = x.type == XN_DATA ? 0 : pick_forced(c[i], n);
		if (e < 0)
			return e;
	}
	return k < 0 ? k : 0;
}

/* Select metadata block b unless it is already: counts it in *n if it is
 * new and dirty (a clean one is on the disk as it is: nothing to write). */
static void pick_new(u32 b, u32 *n)
{
	if (b && !cffs_sel_has(b)) {
		cffs_sel_add(b);
		*n += cffs_is_mdirty(b);
	}
}

/* Select the INDs (not the leaves) below IND node of height h, node
 * first, counting the new dirty ones in *n. */
static int pick_inds(u32 node, u32 h, u32 *n)
{
	struct cffs_ind x;
	pick_new(node, n);
	int e = h > 1 ? ind_get(node, &x) : 0;
	for (u32 i = 0; !e && h > 1 && i < x.count && i < CFFS_FAN; i++)
		e = pick_inds(x.slot[i], h - 1, n);
	return e;
}

/* What a selected DIR block blk needs written with it, beside rule 1's
 * tainted blocks: the TOP and INDs of every file and directory whose entry
 * it holds. An entry holds a size and a tree the blocks it covers, and the
 * two rounds of a sync keep a size on the disk from covering more than the
 * tree on the disk only if the tree is written in the same sync (a
 * neighbour that grew since the last sync: cffscrash found it). Counts the
 * new dirty ones in *n. */
static int pick_neighbours(u32 blk, u32 *n)
{
	int e = 0;
	const struct cffs_dir *d = (const void *)cffs_bread(blk, &e);
	if (!d)
		return e;
	if (d->magic != CFFS_MAGIC && d->magic != CFFS_DMAGIC)
		return 0;                       /* an IND */
	u32 tops[CFFS_NENT];
	for (u32 i = 0; i < CFFS_NENT; i++)
		tops[i] = d->e[i].ino.mode ? d->e[i].ino.top : 0;
	for (u32 i = 0; !e && i < CFFS_NENT; i++) {
		struct cffs_ind t;
		if (!tops[i])
			continue;
		pick_new(tops[i], n);
		e = ind_get(tops[i], &t);
		for (u32 k = 0; !e && k < t.count && k < CFFS_TREES; k++)
			e = pick_inds(t.slot[k], k + 1, n);
	}
	return e;
}

/* Add to the selection what its blocks need: their DIR blocks'
 * neighbours' trees, and what XN's rule 1 adds; again, until nothing is
 * added (each pass goes by block number, and what it adds may lie below).
 * Counts the dirty blocks added in *forced. 0 or an error. */
static int pick_needed(u32 *forced)
{
	u32 added;
	do {
		added = 0;
		for (u32 b = cffs_sel_next(0); b != ~0u; b = cffs_sel_next(b + 1)) {
			int e = pick_neighbours(b, &added);
			if (e < 0 || (e = pick_forced(b, &added)) < 0)
				return e;
		}
		*forced += added;
	} while (added);
	return 0;
}

/* Write metadata block blk and what it needs (as fsync would write it):
 * 0 or an error. */
static int sync_block(u32 blk)
{
	u32 forced = 0;
	cffs_sel_clear();
	cffs_sel_add(blk);
	int e = pick_needed(&forced);
	return e < 0 ? e : cffs_cache_sync_sel();
}

int cffs_fsync(int fd)
{
	struct fd *f;
	struct loc l;
	int e = fd_get(fd, -1, &f, &l);
	if (e)
		return e;
	cffs_sel_clear();
	if ((e = each_block(&l.d, pick, NULL)) < 0)      /* the file's own blocks */
		return e;
	if ((e = pick_path(f)) != 0) {                   /* its entry, up to the root */
		cffs_count.fsync_whole += e > 0;
		return e < 0 ? e : cffs_sync();
	}
	u32 forced = 0;
	if ((e = pick_needed(&forced)) < 0)
		return e;
	cffs_count.fsync_forced += forced;
	return cffs_cache_sync_sel();
}

int cffs_lseek(int fd, s32 off, int whence)
{
	struct fd *f;
	struct loc l;
	int e = fd_get(fd, -1, &f, &l);
	if (e)
		return e;
	s32 base = whence == CFFS_SEEK_SET ? 0 : whence == CFFS_SEEK_CUR ? (s32)f->pos :
		   whence == CFFS_SEEK_END ? (s32)l.d.ino.size : -1;
	if (base < 0 || base + off < 0)
		return -E_INVAL;
	f->pos = (u32)(base + off);
	return (int)f->pos;
}

/* C-FFS's grouped read: the direct blocks of every file whose entry is in
 * DIR block blk (a directory's small files, placed together after it), in
 * one group of requests. A failure only means they are read later. */
static void read_neighbours(u32 blk)
{
	u32 grp[CFFS_NENT * CFFS_NDIRECT], g = 0;
	int e;
	const u8 *b = cffs_bread(blk, &e);
	if (!b)
		return;
	for (u32 i = 0; i < CFFS_NENT; i++) {
		const struct cffs_dent *x = (const void *)(b + CFFS_DENT_OFF(i));
		for (u32 k = 0; k < CFFS_NDIRECT; k++)
			if ((x->ino.mode & CFFS_IFMT) == CFFS_IFREG && x->ino.d[k])
				grp[g++] = x->ino.d[k];
	}
	cffs_bread_group(grp, g);
}

int cffs_read(int fd, void *buf, u32 n)
{
	struct fd *f;
	struct loc l;
	int e = fd_get(fd, CFFS_WRONLY, &f, &l);
	if (e)
		return e;
	if (f->pos >= l.d.ino.size)
		return 0;
	if (n > l.d.ino.size - f->pos)
		n = l.d.ino.size - f->pos;
	if (!l.d.ino.top)
		read_neighbours(l.blk);
	u32 done = 0;
	while (done < n) {
		/* Up to 64 blocks' worth: mapped, read in groups, then copied. */
		u32 lb0 = (f->pos + done) / CFFS_BSIZE, lbn = (f->pos + n - 1) / CFFS_BSIZE + 1;
		u32 list[64], k = 0;
		if (lbn - lb0 > 64)
			lbn = lb0 + 64;
		for (u32 lb = lb0; lb < lbn; lb++) {
			if ((e = bmap(&l, lb, false, &list[k])) < 0)
				return e;
			if (!list[k])
				return -E_IO;   /* the size says there is a block */
			k++;
		}
		if ((e = cffs_bread_group(list, k)) < 0)
			return e;
		for (u32 i = 0; i < k && done < n; i++) {
			const u8 *b = cffs_bread(list[i], &e);
			if (!b)
				return e;
			u32 at = (f->pos + done) % CFFS_BSIZE, m = CFFS_BSIZE - at;
			if (m > n - done)
				m = n - done;
			__builtin_memcpy((u8 *)buf + done, b + at, m);
			done += m;
		}
	}
	f->pos += n;
	return (int)n;
}

int cffs_write(int fd, const void *buf, u32 n)
{
	struct fd *f;
	struct loc l;
	int e = fd_get(fd, CFFS_RDONLY, &f, &l);
	if (e)
		return e;
	if (f->pos + n < f->pos)
		return -CFFS_EFBIG;
	u32 size = l.d.ino.size, end = f->pos + n;
	u32 at = f->pos < size ? f->pos : size;   /* zeros fill [size, pos) */
	while (at < end) {
		u32 lb = at / CFFS_BSIZE, o = at % CFFS_BSIZE, m = CFFS_BSIZE - o, blk;
		if (m > end - at)
			m = end - at;
		u8 *b;
		bool have = lb < (size + CFFS_BSIZE - 1) / CFFS_BSIZE;
		if ((e = bmap(&l, lb, !have, &blk)) < 0)
			break;
		if (!have || (o == 0 && m == CFFS_BSIZE))
			b = cffs_bnew(blk, &e);         /* new, or all overwritten */
		else
			b = cffs_bread(blk, &e);
		if (!b)
			break;
		/* [at, pos) is the gap past the old end (zeros), then the caller's bytes. */
		u32 z = at < f->pos ? (f->pos - at < m ? f->pos - at : m) : 0;
		__builtin_memset(b + o, 0, z);
		if (m > z)
			__builtin_memcpy(b + o + z, (const u8 *)buf + (at + z - f->pos), m - z);
		cffs_bdirty(blk);
		at += m;
		if (at > size)
			size = at;
	}
	/* The size covers what was written, also when an error stopped the
	 * write: no byte written is lost, and the error is the result. */
	if (size != l.d.ino.size) {
		l.d.ino.size = size;
		int e2 = ent_put(&l, XN_NONE, 0, 0);
		if (!e)
			e = e2;
	}
	if (e)
		return e;
	f->pos = end;
	return (int)n;
}

int cffs_unlink(const char *path)
{
	struct loc l, dir;
	int e = lookup(path, &l, &dir);
	if (e)
		return e;
	if (l.blk == root && l.idx == 0)
		return -E_PERM;
	if (isdir(&l.d))
		return -CFFS_EISDIR;
	if (!may(&dir.d, 3))
		return -E_PERM;
	for (int i = 0; i < CFFS_NFD; i++)
		if (fds[i].used && fds[i].blk == l.blk && fds[i].idx == l.idx)
			return -E_BUSY;         /* no orphan inodes: close it first */
	if ((e = free_blocks(&l)) < 0)
		return e;
	__builtin_memset(&l.d, 0, sizeof l.d);
	return ent_put(&l, XN_NONE, 0, 0);
}

int cffs_mkdir(const char *path, u32 mode)
{
	struct loc dir, l;
	const char *name;
	u32 n;
	int e = walk(path, &dir, &name, &n);
	if (e)
		return e;
	if (n == 0)
		return -CFFS_EEXIST;
	if (!isdir(&dir.d))
		return -CFFS_ENOTDIR;
	if (!may(&dir.d, 3))
		return -E_PERM;
	return dir_add(&dir, name, n, (u16)(CFFS_IFDIR | (mode & 0777)), &l);
}

int cffs_rmdir(const char *path)
{
	struct loc l, dir;
	int e = lookup(path, &l, &dir);
	if (e)
		return e;
	if (!isdir(&l.d))
		return -CFFS_ENOTDIR;
	if (l.blk == root && l.idx == 0)
		return -E_PERM;
	if (!may(&dir.d, 3))
		return -E_PERM;
	u32 nb = l.d.ino.size / CFFS_BSIZE;
	for (u32 lb = 0; lb < nb; lb++) {
		u32 b;
		if ((e = bmap(&l, lb, false, &b)) < 0)
			return e;
		const u8 *bytes = cffs_bread(b, &e);
		if (!bytes)
			return e;
		for (u32 i = 0; i < CFFS_NENT; i++)
			if (((const struct cffs_dent *)(bytes + CFFS_DENT_OFF(i)))->ino.mode)
				return -CFFS_ENOTEMPTY;
	}
	if ((e = free_blocks(&l)) < 0)
		return e;
	__builtin_memset(&l.d, 0, sizeof l.d);
	return ent_put(&l, XN_NONE, 0, 0);
}

int cffs_readdir(const char *path, u32 *cookie, struct cffs_dirent *d)
{
	struct loc l;
	int e = lookup(path, &l, NULL);
	if (e)
		return e;
	if (!isdir(&l.d))
		return -CFFS_ENOTDIR;
	if (!may(&l.d, 4))
		return -E_PERM;
	u32 nb = l.d.ino.size / CFFS_BSIZE;
	for (u32 c = *cookie; c / CFFS_NENT < nb; c++) {
		u32 b;
		if ((e = bmap(&l, c / CFFS_NENT, false, &b)) < 0)
			return e;
		const u8 *bytes = cffs_bread(b, &e);
		if (!bytes)
			return e;
		const struct cffs_dent *x = (const void *)(bytes + CFFS_DENT_OFF(c % CFFS_NENT));
		if (!x->ino.mode)
			continue;
		__builtin_memcpy(d->name, x->name, x->namelen);
		d->name[x->namelen] = 0;
		d->mode = x->ino.mode;
		d->size = x->ino.size;
		*cookie = c + 1;
		return 1;
	}
	*cookie = nb * CFFS_NENT;
	return 0;
}

/* Is directory entry x path's directory, or one on the way to it (so that
 * x renamed to path would go under itself)? -E_INVAL if so, 0 if not, or
 * an error (-CFFS_ENAMETOOLONG: a path past 255 bytes). */
static int under_itself(const struct loc *x, const char *path)
{
	static char pre[256];
	for (u32 i = 1; path[i - 1]; i++) {
		if (path[i] != '/')
			continue;
		if (i >= sizeof pre)
			return -CFFS_ENAMETOOLONG;
		__builtin_memcpy(pre, path, i);
		pre[i] = 0;
		struct loc l;
		int e = lookup(pre, &l, NULL);
		if (e == -E_NOENT)
			return 0;               /* the last name, with a '/' after it */
		if (e)
			return e;
		if (l.blk == x->blk && l.idx == x->idx)
			return -E_INVAL;
	}
	return 0;
}

/* Entry t points to src's blocks too, by XN_LINK each (the direct blocks,
 * and the TOP with its tree: a large file's or a directory's); then t
 * reaches the disk (a sync), as XN requires before an unlink (rule 3). */
static int link_all(struct loc *t, const struct loc *src)
{
	int e;
	for (u32 k = 0; k < CFFS_NDIRECT; k++) {
		if (!src->d.ino.d[k])
			continue;
		t->d.ino.d[k] = src->d.ino.d[k];
		if ((e = ent_put(t, XN_LINK, src->d.ino.d[k], 0)) < 0)
			return e;
	}
	if (src->d.ino.top) {
		t->d.ino.top = src->d.ino.top;
		t->d.ino.ttype = src->d.ino.ttype;
		if ((e = ent_put(t, XN_LINK, src->d.ino.top, 0)) < 0)
			return e;
	}
	if ((e = ent_put(t, XN_NONE, 0, 0)) < 0)
		return e;
	return cffs_sync();
}

/* Entry src lets go of its blocks (XN_UNLINK each: t points to them, on
 * disk) and is cleared; then that reaches the disk too, so that XN lets
 * the blocks be freed or moved again. */
static int unlink_all(struct loc *src)
{
	int e;
	for (u32 k = 0; k < CFFS_NDIRECT; k++) {
		u32 b = src->d.ino.d[k];
		if (!b)
			continue;
		src->d.ino.d[k] = 0;
		if ((e = ent_put(src, XN_UNLINK, b, 0)) < 0)
			return e;
	}
	if (src->d.ino.top) {
		u32 b = src->d.ino.top;
		src->d.ino.top = src->d.ino.ttype = 0;
		if ((e = ent_put(src, XN_UNLINK, b, 0)) < 0)
			return e;
	}
	__builtin_memset(&src->d, 0, sizeof src->d);
	if ((e = ent_put(src, XN_NONE, 0, 0)) < 0)
		return e;
	return cffs_sync();
}

int cffs_rename(const char *from, const char *to)
{
	struct loc src, sdir, tdir, t, fl;
	const char *name;
	u32 n;
	int e = lookup(from, &src, &sdir);
	if (e)
		return e;
	if (src.blk == root && src.idx == 0)
		return -E_PERM;
	if ((e = walk(to, &tdir, &name, &n)) < 0)
		return e;
	if (n == 0)
		return -CFFS_EEXIST;
	if (!isdir(&tdir.d))
		return -CFFS_ENOTDIR;
	if (!may(&sdir.d, 3) || !may(&tdir.d, 3))
		return -E_PERM;
	e = dir_find(&tdir, name, n, &t, &fl);
	if (e == 0) {
		if (t.blk == src.blk && t.idx == src.idx)
			return 0;
		if (isdir(&t.d) || isdir(&src.d))
			return -CFFS_EEXIST;
		if ((e = cffs_unlink(to)) < 0)
			return e;
	} else if (e != -E_NOENT) {
		return e;
	}
	if (tdir.blk == sdir.blk && tdir.idx == sdir.idx) {     /* a new name, in place */
		__builtin_memset(src.d.name, 0, sizeof src.d.name);
		__builtin_memcpy(src.d.name, name, n);
		src.d.namelen = (u8)n;
		return ent_put(&src, XN_NONE, 0, 0);
	}
	/* Another directory: the entry moves, so its pointers do, the new one
	 * on disk before the old one goes (rule 3); a directory not under
	 * itself (XN would refuse the link as a cycle). */
	if (isdir(&src.d) && (e = under_itself(&src, to)) < 0)
		return e;
	if ((e = dir_add(&tdir, name, n, src.d.ino.mode, &t)) < 0)
		return e;
	t.d.ino.uid = src.d.ino.uid;
	t.d.ino.size = src.d.ino.size;
	if ((e = link_all(&t, &src)) < 0)
		return e;
	for (int i = 0; i < CFFS_NFD; i++)
		if (fds[i].used && fds[i].blk == src.blk && fds[i].idx == src.idx)
			fds[i].blk = t.blk, fds[i].idx = t.idx;
	return unlink_all(&src);
}

int cffs_stat(const char *path, struct cffs_stat *st)
{
	struct loc l;
	int e = lookup(path, &l, NULL);
	if (e)
		return e;
	st->size = l.d.ino.size;
	st->mode = l.d.ino.mode;
	st->uid = l.d.ino.uid;
	st->blocks = (l.d.ino.size + CFFS_BSIZE - 1) / CFFS_BSIZE;
	return 0;
}

int cffs_where(const char *path, u32 *blk, u32 *idx)
{
	struct loc l;
	int e = lookup(path, &l, NULL);
	if (e)
		return e;
	*blk = l.blk, *idx = l.idx;
	return 0;
}

struct blist { u32 *out, k, max; };
static void blist_add(u32 blk, void *arg)
{
	struct blist *b = arg;
	if (b->k < b->max)
		b->out[b->k] = blk;
	b->k++;
}

int cffs_blocks(const char *path, u32 *out, u32 max)
{
	struct loc l;
	int e = lookup(path, &l, NULL);
	if (e)
		return e;
	struct blist b = { out, 0, max };
	e = each_block(&l.d, blist_add, &b);
	return e < 0 ? e : (int)b.k;
}
