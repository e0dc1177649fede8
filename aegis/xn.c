/*
 * xn.c: XN, the disk multiplexed among library file systems the kernel does
 * not understand (docs/storage.md). A file system is a root (a named
 * metadata block) and the blocks reached from it through metadata; what a
 * metadata block points to is whatever its type's owns function (a UDF,
 * xn_udf.c) says. Blocks change hands only through metadata updates the
 * kernel checks: owns run before and after on a copy must differ by exactly
 * the block the caller says it allocates, frees, links or unlinks, and the
 * type's acl must allow the change.
 *
 * State, sized for a disk (docs/storage.md, "XN at the scale of a disk"):
 *  - bmap: one byte per block XN covers (XN_MAXDISK): 0 free, r + 1 held by
 *    file system r, BM_ORPHAN held by nobody until its requests are over.
 *    A plain data block (one pointer, written, nothing queued) needs nothing
 *    else;
 *  - xb: a bounded hash table (XN_MAXBLOCKS entries, chained) of the blocks
 *    that need more: every metadata block (its type, update counts, copy),
 *    data blocks that are tainted, freed, linked, queued or waiting, and, as
 *    a cache, data blocks recently moved through a page (the registry's
 *    page); a full table answers -E_NOMEM, never drops needed state;
 *  - meta: XN_MAXMETA copies of metadata blocks, a cache: a clean copy (on
 *    disk as XN last checked it) may be let go of; a call that needs one XN
 *    no longer has answers -E_NOTCACHED, and an xn_io XN_READ of the block
 *    reads the disk and refills it (only XN writes XN's blocks, so the disk
 *    holds what XN checked). Metadata is written to disk from XN's copy,
 *    never from a page.
 *
 * Ordering (so that the disk, written in any order the rules allow, never
 * holds a pointer that is wrong after a crash):
 *  1. a metadata block is not written while it points to a tainted block
 *     (allocated, never written): -E_BUSY;
 *  2. a freed block is not reused (it stays, XN_S_FREEING) until its parent
 *     has been written without the pointer (or was never written), and no
 *     request on it is queued; a block still pointed to cannot be freed;
 *  3. a pointer that a link added must be on disk before another pointer to
 *     that block can be removed (unlink: -E_BUSY until then).
 * The registry (xn_bc) is the entry table itself, readable by everyone.
 */
#include "defs.h"
#include "xn_disk.h"

#define NOPPN 0xffffffffu
#define BM_ORPHAN 0xff
#define BM_AREA 0xfe                    /* XN's own area (or a refused disk) */
#define HASH_BITS 13                    /* XN_MAXBLOCKS chains */

struct xnb {
	u32 block, type;
	u32 mseq, dseq;                /* metadata: updates so far, and the last one on disk */
	u32 wait_seq;                  /* waits for entry wait's write of update wait_seq */
	u32 ppn;                       /* the registry: the page it last moved through */
	u16 off, refs;                 /* ... its offset; pointers to it in metadata */
	s16 wait;                      /* -1: waits for nothing */
	s16 meta;                      /* its copy in meta[], -1: none (data, or let go of) */
	u16 next;                      /* the hash chain: entry + 1, 0: the end */
	u8 used, fs, state, inflight;
	bool orphan;                   /* its file system ended while requests were queued */
	bool listed;                   /* on the settle list */
};
static struct xnb xb[XN_MAXBLOCKS];
static u16 head[1u << HASH_BITS];      /* entry + 1 */
static u8 bmap[XN_MAXDISK];
static u8 meta[XN_MAXMETA][XN_META] __attribute__((aligned(8)));
static u16 meta_of[XN_MAXMETA];         /* entry + 1, 0: a free copy */
static u16 slist[XN_MAXBLOCKS];         /* entries that wait, are freed or orphans */
static u32 nslist, hand, chand;
static struct xn_stat st;
static int pinned = -1;                 /* the entry whose copy an update is using */
static bool refused;                    /* the disk's XN area was refused at boot */

struct xroot {
	bool live;
	bool kept;                     /* on disk (xn_root_keep): outlives its owner and boots */
	u8 owner;                      /* slot + 1; 0: a kept one nobody has attached */
	u32 ownerid, x;                /* the owner's id, the root block's entry */
	u32 nblocks;                   /* blocks it holds, charged to the owner (LIM_XN) */
	u32 hash[2];                   /* a kept one's secret's hash (xn_secret_hash) */
	char name[XN_NAMELEN];
};
static struct xroot roots[XN_MAXROOTS];

static u32 owns_a[XN_MAXOWNS][2], owns_b[XN_MAXOWNS][2];

static bool is_meta(const struct xnb *e) { return e->type != XN_DATA; }
static const u8 *copy_of(const struct xnb *e) { return e->meta >= 0 ? meta[e->meta] : NULL; }

/* Blocks XN covers: the disk's, at most XN_MAXDISK. */
static u32 cover(void)
{
	u32 n = disk_nblocks();
	return n < XN_MAXDISK ? n : XN_MAXDISK;
}

static u32 hash(u32 block) { return (block * 2654435761u) >> (32 - HASH_BITS); }

/* The entry for block, or -1. */
static int find(u32 block)
{
	for (u32 k = head[hash(block)]; k; k = xb[k - 1].next)
		if (xb[k - 1].block == block)
			return (int)k - 1;
	return -1;
}

static void unhash(int i)
{
	u16 *p = &head[hash(xb[i].block)];
	while (*p != i + 1)
		p = &xb[*p - 1].next;
	*p = xb[i].next;
	xb[i].used = 0;
	st.entries--;
}

/* May entry i go, its block staying XN's? A plain data block: one pointer,
 * written, nothing queued or waited for. */
static bool entry_evictable(const struct xnb *e)
{
	return e->used && !e->orphan && !is_meta(e) && e->refs == 1 && !e->state && e->wait < 0 &&
	       !e->inflight && !e->listed;
}

/* A new entry for block (not in the table) of file system fs: refs 0,
 * state 0, no copy. Its index, or -E_NOMEM (every entry needed). */
static int entry_add(u32 block, u32 type, u32 fs)
{
	int i = -1;
	for (u32 n = 0; n < XN_MAXBLOCKS && i < 0; n++, hand = (hand + 1) % XN_MAXBLOCKS)
		if (!xb[hand].used)
			i = (int)hand;
	for (u32 n = 0; n < XN_MAXBLOCKS && i < 0; n++, hand = (hand + 1) % XN_MAXBLOCKS)
		if (entry_evictable(&xb[hand])) {
			i = (int)hand;
			unhash(i);
			st.entry_evictions++;
		}
	if (i < 0)
		return -E_NOMEM;
	u32 h = hash(block);
	xb[i] = (struct xnb){ .block = block, .type = type, .ppn = NOPPN, .wait = -1, .meta = -1,
			      .next = head[h], .used = 1, .fs = (u8)fs };
	head[h] = (u16)(i + 1);
	st.entries++;
	return i;
}

/* Copy slot m goes (its entry keeps its block). */
static void copy_drop(int m)
{
	xb[meta_of[m] - 1].meta = -1;
	meta_of[m] = 0;
	st.copies--;
}

/* A copy slot for entry i (which has none): a free one, or a clean copy of
 * another's let go of. Its index, or -E_NOMEM (every copy dirty, tainted,
 * queued or in use). */
static int copy_get(int i)
{
	int m = -1;
	for (u32 n = 0; n < XN_MAXMETA && m < 0; n++, chand = (chand + 1) % XN_MAXMETA)
		if (!meta_of[chand])
			m = (int)chand;
	for (u32 n = 0; n < XN_MAXMETA && m < 0; n++, chand = (chand + 1) % XN_MAXMETA) {
		const struct xnb *o = &xb[meta_of[chand] - 1];
		if (!(o->state & (XN_S_DIRTY | XN_S_TAINTED)) && !o->inflight &&
		    meta_of[chand] - 1 != pinned) {
			m = (int)chand;
			copy_drop(m);
			st.copy_evictions++;
		}
	}
	if (m < 0)
		return -E_NOMEM;
	meta_of[m] = (u16)(i + 1);
	xb[i].meta = (s16)m;
	st.copies++;
	return m;
}

/* Put entry i on the settle list (it waits, is freed or an orphan). */
static void list(int i)
{
	if (!xb[i].listed) {
		xb[i].listed = true;
		slist[nslist++] = (u16)i;
	}
}

/* A free block becomes file system fs's (its owner is curenv, charged one
 * LIM_XN): tainted, no pointer yet, a metadata block's copy zeros. Its
 * entry, or -E_NOMEM, -E_QUOTA (nothing changed). */
static int block_new(u32 block, u32 type, u32 fs)
{
	int q = limit_charge(curenv, LIM_XN, 1);
	if (q < 0)
		return q;
	int i = entry_add(block, type, fs);
	if (i >= 0 && type != XN_DATA && copy_get(i) < 0) {
		unhash(i);
		i = -E_NOMEM;
	}
	if (i < 0) {
		limit_uncharge(curenv, LIM_XN, 1);
		return i;
	}
	if (type != XN_DATA)
		__builtin_memset(meta[xb[i].meta], 0, XN_META);
	xb[i].state = XN_S_TAINTED;
	if (roots[fs].kept)
		xna_mark(block, true, true);    /* on disk before any pointer to it (xna_flush) */
	bmap[block] = (u8)(fs + 1);
	roots[fs].nblocks++;
	st.blocks++;
	return i;
}

/* Entry i's block leaves XN: its owner's budget back, its copy free, its
 * block tainted for whoever takes it next. */
static void release(int i)
{
	struct xnb *e = &xb[i];
	if (!e->orphan) {
		struct xroot *r = &roots[e->fs];
		r->nblocks--;
		if (r->owner)
			limit_uncharge(&envs[r->owner - 1], LIM_XN, 1);
	}
	if (e->meta >= 0)
		copy_drop(e->meta);
	bmap[e->block] = 0;
	st.blocks--;
	xna_mark(e->block, false, false);       /* no pointer to it is on disk any more */
	disk_taint(e->block, 1);                /* an extent over it reads zeros */
	unhash(i);
}

/* Has what entry e waits for happened: its parent written with update
 * wait_seq; or, for a freed block, the parent never on disk and nothing of
 * it queued (no pointer to e can be on disk)? A link waits for the write:
 * the new pointer must be on disk. */
static bool wait_over(const struct xnb *e)
{
	const struct xnb *p = &xb[e->wait];
	return !p->used || p->dseq >= e->wait_seq ||
	       ((e->state & XN_S_FREEING) && (p->state & XN_S_TAINTED) && !p->inflight);
}

/* Clear the waits that are over; release the freed and orphaned entries
 * that nothing holds any more (each release can end others' waits). Only
 * the entries on the settle list are looked at. */
static void settle(void)
{
	for (bool again = true; again;) {
		again = false;
		for (u32 k = 0; k < nslist;) {
			int i = slist[k];
			struct xnb *e = &xb[i];
			if (e->wait >= 0 && wait_over(e))
				e->wait = -1;
			bool gone = !e->inflight && (e->orphan || ((e->state & XN_S_FREEING) && e->wait < 0));
			if (gone) {
				release(i);
				again = true;
			}
			if (gone || (e->wait < 0 && !(e->state & XN_S_FREEING) && !e->orphan)) {
				e->listed = false;
				slist[k] = slist[--nslist];
			} else {
				k++;
			}
		}
	}
}

/* Is buf, read from the disk for metadata entry e, what XN last checked?
 * Every block its owns reports must be e's file system's, with the type XN
 * knows it by. (Only XN writes XN's blocks, so it is; this guards against
 * a drive that lies.) */
static bool refill_ok(const struct xnb *e, const u8 *buf)
{
	int n = xn_owns(e->type, buf, owns_a);
	for (int k = 0; k < n; k++) {
		u32 c = owns_a[k][0];
		int ci = c < cover() ? find(c) : -1;
		if (c >= cover() || bmap[c] != e->fs + 1 ||
		    (ci >= 0 ? xb[ci].type != owns_a[k][1] : owns_a[k][1] != XN_DATA))
			return false;
	}
	return n >= 0;
}

void xn_io_done(u32 x, u32 op, int status, u32 seq, const u8 *buf)
{
	if (x >= XN_MAXBLOCKS || !xb[x].used)
		return;
	struct xnb *e = &xb[x];
	e->inflight--;
	if (!status && op == XN_WRITE) {
		e->state &= (u8)~XN_S_TAINTED;
		if (xna_allocated(e->block))
			xna_mark(e->block, true, false);
		if (is_meta(e) && seq > e->dseq)
			e->dseq = seq;
		if (is_meta(e) && e->dseq == e->mseq)
			e->state &= (u8)~XN_S_DIRTY;
	}
	/* A read of a metadata block XN let go of, nothing changed since: the
	 * disk's bytes are the copy again. */
	if (!status && op == XN_READ && is_meta(e) && e->meta < 0 && !e->orphan &&
	    !(e->state & (XN_S_TAINTED | XN_S_DIRTY | XN_S_FREEING)) && seq == e->mseq &&
	    e->dseq == e->mseq) {
		if (!refill_ok(e, buf))
			kprintf("[aegis] xn: block %u read back unlike what XN wrote: not taken\n",
				e->block);
		else if (copy_get((int)x) >= 0) {
			__builtin_memcpy(meta[e->meta], buf, XN_META);
			st.refills++;
		}
	}
	settle();
}

/* File system r ends: its root slot is free, its owner's budget back, and
 * its blocks free (tainted), but those with requests queued, which become
 * orphans released by settle() once nothing on them is queued. */
static void end_fs(int r)
{
	struct xroot *rt = &roots[r];
	if (rt->owner)
		limit_uncharge(&envs[rt->owner - 1], LIM_XN, rt->nblocks);
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		if (xb[i].used && !xb[i].orphan && xb[i].fs == r) {
			xb[i].orphan = true;
			bmap[xb[i].block] = BM_ORPHAN;
			list(i);
		}
	for (u32 b = 0; b < cover(); b++)
		if (bmap[b] == r + 1) {         /* plain data blocks: no entry */
			bmap[b] = 0;
			xna_mark(b, false, false);
			st.blocks--;
			disk_taint(b, 1);
		}
	rt->nblocks = 0;
	rt->live = false;
	st.roots--;
}

/* ---- roots ---- */

/* Copy a root's name from user va into name: 0, -E_FAULT, or -E_INVAL
 * (empty, or something after its NUL). */
static int get_name(char name[XN_NAMELEN], u32 va)
{
	if (copyin(name, va, XN_NAMELEN) < 0)
		return -E_FAULT;
	u32 n = (u32)lib_strnlen(name, XN_NAMELEN);
	for (u32 k = n; k < XN_NAMELEN; k++)
		if (name[k])
			return -E_INVAL;
	return n ? 0 : -E_INVAL;
}

static int root_named(const char name[XN_NAMELEN])
{
	for (int r = 0; r < XN_MAXROOTS; r++)
		if (roots[r].live && !lib_memcmp(roots[r].name, name, XN_NAMELEN))
			return r;
	return -1;
}

/* xn_root(req): a new file system (struct xn_rootreq): the free block
 * becomes its root, a metadata block of the caller's type: zeros, tainted
 * until first written, charged to LIM_XN. Returns the root's index.
 * -E_NOENT: no disk; -E_FAULT; -E_INVAL: a bad name, a block past the
 * disk's end (or XN_MAXDISK), a type not the caller's; -E_BUSY: the name is
 * taken, or the block is XN's or in an extent; -E_NOMEM: a table is full;
 * -E_QUOTA: over LIM_XN. */
u32 sys_xn_root(struct trapframe *tf)
{
	struct xn_rootreq rq;
	if (!disk_nblocks())
		return (u32)-E_NOENT;
	if (copyin(&rq, tf->regs[R_A0], sizeof rq) < 0)
		return (u32)-E_FAULT;
	int err = get_name(rq.name, tf->regs[R_A0]);
	if (err < 0)
		return (u32)err;
	if (rq.block >= cover() || xn_type_payer(rq.type) != env_slot(curenv))
		return (u32)-E_INVAL;
	if (root_named(rq.name) >= 0 || bmap[rq.block] || disk_in_extent(rq.block))
		return (u32)-E_BUSY;
	int r = 0;
	while (r < XN_MAXROOTS && roots[r].live)
		r++;
	if (r == XN_MAXROOTS)
		return (u32)-E_NOMEM;
	roots[r] = (struct xroot){ .live = true, .owner = (u8)(env_slot(curenv) + 1),
				   .ownerid = curenv->id };
	int x = block_new(rq.block, rq.type, (u32)r);
	if (x < 0) {
		roots[r].live = false;
		return (u32)x;
	}
	xb[x].state |= XN_S_ROOT;
	roots[r].x = (u32)x;
	__builtin_memcpy(roots[r].name, rq.name, XN_NAMELEN);
	st.roots++;
	return (u32)r;
}

/* xn_root_find(name): the root block of the file system called name (16
 * bytes, NUL-padded). -E_FAULT; -E_INVAL: a bad name; -E_NOENT. */
u32 sys_xn_root_find(struct trapframe *tf)
{
	char name[XN_NAMELEN];
	int err = get_name(name, tf->regs[R_A0]);
	if (err < 0)
		return (u32)err;
	int r = root_named(name);
	return r < 0 ? (u32)-E_NOENT : xb[roots[r].x].block;
}

/* The entry for block of one of the caller's file systems, usable (not
 * freed, not orphaned), made for a plain data block that has none: its
 * index, -E_NOENT, -E_PERM (another's) or -E_NOMEM (no entry free). */
static int lookup(u32 block)
{
	if (block >= cover() || !bmap[block] || bmap[block] > XN_MAXROOTS)
		return -E_NOENT;
	u32 fs = bmap[block] - 1u;
	if (roots[fs].ownerid != curenv->id)
		return -E_PERM;
	int i = find(block);
	if (i < 0) {                            /* a plain data block */
		i = entry_add(block, XN_DATA, fs);
		if (i >= 0)
			xb[i].refs = 1;
	}
	if (i >= 0 && (xb[i].state & XN_S_FREEING))
		return -E_NOENT;
	return i;
}

static int free_kept(int r, int x);

/* xn_root_free(block): the caller's file system whose root is block ends;
 * its root must point to nothing. -E_NOENT; -E_PERM: not the caller's;
 * -E_INVAL: not a root; -E_BUSY: it points to blocks, or a request on it
 * is queued; -E_NOTCACHED: XN let go of the root's copy (read it). */
u32 sys_xn_root_free(struct trapframe *tf)
{
	int x = lookup(tf->regs[R_A0]);
	if (x < 0)
		return (u32)x;
	struct xnb *e = &xb[x];
	if (!(e->state & XN_S_ROOT))
		return (u32)-E_INVAL;
	if (!copy_of(e))
		return (u32)-E_NOTCACHED;
	if (e->inflight || xn_owns(e->type, copy_of(e), owns_a) != 0)
		return (u32)-E_BUSY;
	int r = e->fs;
	if (roots[r].kept)
		return (u32)free_kept(r, x);
	end_fs(r);
	settle();
	return 0;
}

/* ---- kept file systems (docs/storage.md, "XN on disk") ---- */

/* Root r's record on disk: live with its name, block, type and hash, or
 * cleared. */
static void write_record(int r)
{
	struct xn_droot d = { { 0 }, 0, 0, 0, { 0, 0 }, { 0 } };
	if (roots[r].live && roots[r].kept) {
		__builtin_memcpy(d.name, roots[r].name, XN_NAMELEN);
		d.live = 1;
		d.block = xb[roots[r].x].block;
		d.type = xb[roots[r].x].type;
		d.hash[0] = roots[r].hash[0];
		d.hash[1] = roots[r].hash[1];
	}
	xna_set_root((u32)r, &d);
}

/* Kept root r, whose entry x points to nothing on disk or in XN, ends: its
 * record is cleared on disk first (a request of entry x, which stays, an
 * orphan, until that write is over: only then can its block be reused),
 * then its blocks go as any file system's. 0, -E_AGAIN (nothing changed). */
static int free_kept(int r, int x)
{
	if (xb[x].state & XN_S_DIRTY)
		return -E_BUSY;                 /* on disk it may still point to blocks */
	if (xna_flush() < 0)
		return -E_AGAIN;
	roots[r].kept = false;
	write_record(r);
	if (xna_flush_roots((u32)x) < 0) {
		roots[r].kept = true;
		write_record(r);
		return -E_AGAIN;
	}
	xb[x].inflight++;
	xn_types_unbind(r);
	end_fs(r);
	settle();
	return 0;
}

/* Kept root r's owner has gone: the file system stays, attached to nobody
 * (its blocks and templates charged to nobody) until xn_root_attach. */
static void detach(int r)
{
	struct xroot *rt = &roots[r];
	limit_uncharge(&envs[rt->owner - 1], LIM_XN, rt->nblocks);
	xn_types_detach(r);
	rt->owner = 0;
	rt->ownerid = 0;
}

/* Copy a 16-byte secret from user va: 0 or -E_FAULT. */
static int get_secret(u32 secret[4], u32 va)
{
	return copyin(secret, va, 16) < 0 ? -E_FAULT : 0;
}

/* xn_root_keep(block, secret): the caller's file system whose root is
 * block is kept on disk: its record (name, root block, type, the hash of
 * the 16-byte secret), its templates and its blocks in the free map reach
 * XN's area before any later write; it outlives its owner (attached to
 * nobody) and the boot, and whoever presents the secret to xn_root_attach
 * gets it. Keeping a kept one again changes the secret. -E_NOENT: no XN
 * area on this disk (tools/xn_mkfs.py), or no such block; -E_PERM: not the
 * caller's; -E_INVAL: not a root; -E_BUSY: the root not yet written, or a
 * template of it another kept file system's; -E_FAULT; -E_AGAIN: the disk's
 * queue is full (try again). */
u32 sys_xn_root_keep(struct trapframe *tf)
{
	u32 secret[4];
	int x = lookup(tf->regs[R_A0]);
	if (x < 0)
		return (u32)x;
	if (!xna_present())
		return (u32)-E_NOENT;
	struct xnb *e = &xb[x];
	if (!(e->state & XN_S_ROOT))
		return (u32)-E_INVAL;
	if (get_secret(secret, tf->regs[R_A1]) < 0)
		return (u32)-E_FAULT;
	if (e->state & XN_S_TAINTED)
		return (u32)-E_BUSY;
	int r = e->fs;
	for (int i = 0; i < XN_MAXBLOCKS; i++)  /* its templates: every metadata block's */
		if (xb[i].used && !xb[i].orphan && xb[i].fs == r && is_meta(&xb[i]) &&
		    xn_type_root(xb[i].type) >= 0 && xn_type_root(xb[i].type) != r)
			return (u32)-E_BUSY;
	if (xna_flush() < 0)
		return (u32)-E_AGAIN;
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		if (xb[i].used && !xb[i].orphan && xb[i].fs == r && is_meta(&xb[i]))
			xn_type_bind(xb[i].type, r);
	for (u32 b = 0; b < cover(); b++)       /* its blocks, in the maps */
		if (bmap[b] == r + 1) {
			int i = find(b);
			xna_mark(b, true, i >= 0 && (xb[i].state & XN_S_TAINTED));
		}
	roots[r].kept = true;
	xn_secret_hash(roots[r].name, secret, roots[r].hash);
	write_record(r);
	xna_flush();                            /* the rest goes before the next write */
	return 0;
}

/* xn_root_attach(req): struct xn_attach (name, secret): the kept file
 * system of that name, attached to nobody, becomes the caller's (its
 * blocks and templates charged to its LIM_XN): its root block. -E_FAULT;
 * -E_INVAL: a bad name; -E_NOENT: no kept file system of that name;
 * -E_BUSY: it is attached; -E_BADCAP: the wrong secret (counted as a
 * failed capability); -E_QUOTA: over LIM_XN. */
u32 sys_xn_root_attach(struct trapframe *tf)
{
	struct xn_attach a;
	if (copyin(&a, tf->regs[R_A0], sizeof a) < 0)
		return (u32)-E_FAULT;
	int err = get_name(a.name, tf->regs[R_A0]);
	if (err < 0)
		return (u32)err;
	int r = root_named(a.name);
	if (r < 0 || !roots[r].kept)
		return (u32)-E_NOENT;
	if (roots[r].owner)
		return (u32)-E_BUSY;
	u32 h[2];
	xn_secret_hash(roots[r].name, a.secret, h);
	if (h[0] != roots[r].hash[0] || h[1] != roots[r].hash[1])
		return (u32)cap_failed();
	u32 n = roots[r].nblocks + xn_types_count(r);
	int q = limit_charge(curenv, LIM_XN, n);
	if (q < 0)
		return (u32)q;
	xn_types_attach(r, curenv);
	roots[r].owner = (u8)(env_slot(curenv) + 1);
	roots[r].ownerid = curenv->id;
	return xb[roots[r].x].block;
}

/* ---- metadata updates ---- */

/* How many pairs of a[0..na) are not matched by a pair of b[0..nb) (as
 * multisets); the first of them in out. */
static int unmatched(u32 a[][2], int na, u32 b[][2], int nb, u32 out[2])
{
	u32 taken = 0;                                  /* bit k: b[k] matched */
	int n = 0;
	for (int i = 0; i < na; i++) {
		int k = 0;
		while (k < nb && ((taken >> k & 1) || a[i][0] != b[k][0] || a[i][1] != b[k][1]))
			k++;
		if (k < nb) {
			taken |= 1u << k;
		} else if (n++ == 0) {
			out[0] = a[i][0];
			out[1] = a[i][1];
		}
	}
	return n;
}

/* Is the change of parent p by u what owns says (one pair added: nadd,
 * add; or removed: nrem, rem), and allowed for the target? 0 (for
 * XN_ALLOC, *t = the new entry), or an error. */
static int check_op(const struct xn_upd *u, int p, int nadd, const u32 add[2], int nrem,
		    const u32 rem[2], int *t)
{
	const struct xnb *m = &xb[p];
	bool adds = u->op == XN_ALLOC || u->op == XN_LINK;
	if (u->op == XN_NONE)
		return nadd || nrem ? -E_INVAL : 0;
	if (nadd != adds || nrem != !adds || (adds ? add[0] : rem[0]) != u->target)
		return -E_INVAL;
	if (u->op == XN_ALLOC) {
		if (add[1] != u->type || u->target >= cover() ||
		    (u->type != XN_DATA && xn_type_payer(u->type) != env_slot(curenv)))
			return -E_INVAL;
		if (bmap[u->target] || disk_in_extent(u->target))
			return -E_BUSY;
		if (roots[m->fs].kept && u->type != XN_DATA && xn_type_bind(u->type, m->fs) < 0)
			return -E_INVAL;                /* another kept file system's template */
		*t = block_new(u->target, u->type, m->fs);
		return *t < 0 ? *t : 0;
	}
	*t = lookup(u->target);
	if (*t < 0)
		return *t;
	const struct xnb *c = &xb[*t];
	if (c->fs != m->fs)
		return -E_PERM;
	if ((adds ? add[1] : rem[1]) != c->type || (u->op != XN_FREE && is_meta(c)))
		return -E_INVAL;
	if (u->op == XN_LINK)
		return c->wait >= 0 || c->refs == 0xffff ? -E_BUSY : 0;
	if (u->op == XN_UNLINK)
		return c->refs < 2 || c->wait >= 0 ? -E_BUSY : 0;
	/* XN_FREE: the last pointer, and a metadata block must point to nothing. */
	if (is_meta(c) && !copy_of(c))
		return -E_NOTCACHED;
	if (c->refs != 1 || (is_meta(c) && xn_owns(c->type, copy_of(c), owns_a) != 0))
		return -E_BUSY;
	return 0;
}

/* xn_update(upd): change bytes [off, off + len) of metadata block `block`
 * (struct xn_upd) of one of the caller's file systems, with op saying what
 * happens to target: XN_NONE (no pointer changes), XN_ALLOC (a pointer to
 * free block target of type `type` appears: it becomes this file system's,
 * tainted), XN_FREE (the only pointer to target goes: it is freed once the
 * parent is on disk without it), XN_LINK (another pointer to data block
 * target appears), XN_UNLINK (one of several goes). The type's size must
 * cover the bytes, its acl must allow the change, and owns before and after
 * must differ by exactly that one pointer. -E_FAULT; -E_NOENT, -E_PERM: the
 * block or target is not one of the caller's (or in another file system);
 * -E_INVAL: bad fields, a data block, owns faulting, or owns not agreeing
 * with op; -E_PERM: acl refuses; -E_BUSY: target not free (XN's, an
 * extent's, or freed but not yet reusable), still pointed to elsewhere, a
 * metadata block that points to blocks, or a link not yet on disk;
 * -E_NOTCACHED: XN let go of the copy of the block (or of a metadata
 * target being freed): read it with xn_io and try again; -E_NOMEM: no
 * entry or copy free for the block; -E_QUOTA: over LIM_XN. */
u32 sys_xn_update(struct trapframe *tf)
{
	struct xn_upd u;
	static struct xn_change ch;
	static u8 after[XN_META];
	static struct xn_cred cred;
	if (copyin(&u, tf->regs[R_A0], sizeof u) < 0)
		return (u32)-E_FAULT;
	if (u.op > XN_UNLINK || u.len > XN_META || u.off > XN_META - u.len ||
	    (u.op != XN_ALLOC && u.type) || (u.op == XN_NONE && u.target))
		return (u32)-E_INVAL;
	int p = lookup(u.block);
	if (p < 0)
		return (u32)p;
	struct xnb *m = &xb[p];
	if (!is_meta(m))
		return (u32)-E_INVAL;
	if (m->meta < 0)
		return (u32)-E_NOTCACHED;
	__builtin_memset(&ch, 0, sizeof ch);
	if (u.len && copyin(ch.bytes, (u32)(uintptr_t)u.bytes, u.len) < 0)
		return (u32)-E_FAULT;
	u8 *before = meta[m->meta];
	int sz = xn_size(m->type, before);
	if (sz < 0 || u.off + u.len > (u32)sz)
		return (u32)-E_INVAL;
	ch.op = u.op;
	ch.target = u.target;
	ch.type = u.type;
	ch.off = u.off;
	ch.len = u.len;
	cred = (struct xn_cred){ curenv->id, u.cred };
	if (!xn_acl(m->type, before, &ch, &cred))
		return (u32)-E_PERM;
	__builtin_memcpy(after, before, XN_META);
	__builtin_memcpy(after + u.off, ch.bytes, u.len);
	int nb = xn_owns(m->type, before, owns_b), na = xn_owns(m->type, after, owns_a);
	if (nb < 0 || na < 0)
		return (u32)-E_INVAL;
	u32 add[2] = { 0, 0 }, rem[2] = { 0, 0 };
	int nadd = unmatched(owns_a, na, owns_b, nb, add);
	int nrem = unmatched(owns_b, nb, owns_a, na, rem);
	int t = -1;
	pinned = p;                             /* a new block's copy must not take p's */
	int err = check_op(&u, p, nadd, add, nrem, rem, &t);
	pinned = -1;
	if (err < 0)
		return (u32)err;
	__builtin_memcpy(before, after, XN_META);
	m->mseq++;
	m->state |= XN_S_DIRTY;
	struct xnb *c = t >= 0 ? &xb[t] : NULL;
	if (u.op == XN_ALLOC || u.op == XN_LINK)
		c->refs++;
	else if (u.op == XN_UNLINK || u.op == XN_FREE)
		c->refs--;
	if (u.op == XN_FREE)
		c->state |= XN_S_FREEING;
	if (u.op == XN_FREE || u.op == XN_LINK) {
		c->wait = (s16)p;
		c->wait_seq = m->mseq;
		list(t);
	}
	settle();
	return 0;
}

/* ---- I/O and the registry ---- */

/* xn_io(req): move block `block` of one of the caller's file systems
 * (struct xn_io) between the disk and bytes [off, off + DISK_BLOCK) of a
 * page the caller holds, through the disk's queue; the completion word is
 * set as for disk_rw. A metadata block is read from XN's copy at once (no
 * disk request), or, if XN let go of it, from the disk, which refills the
 * copy when the read is over; it is written from XN's copy (pname, pcheck
 * and off must be 0). The registry records the page. XN_READ_DISK reads a
 * metadata block's bytes as they are on disk, through the queue (a library
 * file system checking what reached the disk; -E_INVAL for a data block,
 * -E_PERM while it has never been written). -E_FAULT; -E_INVAL: bad
 * fields; -E_NOENT, -E_PERM: not the caller's block; -E_BADCAP, -E_PERM:
 * pages as for disk_rw; -E_PERM: a read of a tainted data block (its bytes
 * are a former owner's); -E_BUSY: a metadata block that points to a
 * tainted block; -E_NOTCACHED: a metadata write whose copy XN let go of (it
 * is on disk already); -E_NOMEM: no entry free; -E_AGAIN: the queue is
 * full. */
u32 sys_xn_io(struct trapframe *tf)
{
	struct xn_io r;
	if (copyin(&r, tf->regs[R_A0], sizeof r) < 0)
		return (u32)-E_FAULT;
	if ((r.op != XN_READ && r.op != XN_WRITE && r.op != XN_READ_DISK) || r.off >= PAGE_SIZE ||
	    r.woff >= PAGE_SIZE)
		return (u32)-E_INVAL;
	int x = lookup(r.block);
	if (x < 0)
		return (u32)x;
	struct xnb *e = &xb[x];
	bool disk_copy = r.op == XN_READ_DISK;
	if (disk_copy && !is_meta(e))
		return (u32)-E_INVAL;
	if (disk_copy && (e->state & XN_S_TAINTED))
		return (u32)-E_PERM;
	if (disk_copy)
		r.op = XN_READ;
	bool wmeta = is_meta(e) && r.op == XN_WRITE;
	if (wmeta && (r.pname || r.pcheck || r.off))
		return (u32)-E_INVAL;
	if (wmeta && !copy_of(e))
		return (u32)-E_NOTCACHED;
	if (!wmeta && r.op == XN_READ && !is_meta(e) && (e->state & XN_S_TAINTED))
		return (u32)-E_PERM;
	u32 ppn, wppn;
	int err = disk_req_pages(r.op, r.pname, r.pcheck, r.off, wmeta ? 0 : DISK_BLOCK, r.wname,
				 r.wcheck, r.woff, &ppn, &wppn);
	if (err < 0)
		return (u32)err;
	if (copy_of(e) && r.op == XN_READ && !disk_copy) {
		u32 pa = ppn * PAGE_SIZE + r.off, wpa = wppn * PAGE_SIZE + r.woff;
		dcache_user_sync(pa, DISK_BLOCK);
		__builtin_memcpy(KADDR(pa), copy_of(e), DISK_BLOCK);
		dcache_user_sync(pa, DISK_BLOCK);
		dcache_user_sync(wpa, 4);
		*(volatile u32 *)KADDR(wpa) = DISK_DONE;
		dcache_user_sync(wpa, 4);
	} else {
		if (wmeta) {
			int n = xn_owns(e->type, copy_of(e), owns_a);
			for (int k = 0; k < n; k++) {
				int c = find(owns_a[k][0]);
				if (c >= 0 && (xb[c].state & XN_S_TAINTED))
					return (u32)-E_BUSY;
			}
		}
		/* The read of a copy let go of refills it (xn_io_done) if it is
		 * over with nothing changed: seq is the update it must match. */
		/* XN's area changes so far reach the disk before this write
		 * (the queue is FIFO): the blocks its pointers name are
		 * allocated and no longer tainted there. */
		if (r.op == XN_WRITE && xna_flush() < 0)
			return (u32)-E_AGAIN;
		err = disk_queue_xn(r.op, e->block, (u32)x, disk_copy ? 0xffffffffu : e->mseq, ppn,
				    r.off, wppn, r.woff, wmeta ? copy_of(e) : NULL);
		if (err < 0)
			return (u32)err;
		e->inflight++;
	}
	if (!wmeta) {
		e->ppn = ppn;
		e->off = (u16)r.off;
	}
	return 0;
}

/* The registry's view of entry e. */
static struct xn_entry entry_view(const struct xnb *e)
{
	return (struct xn_entry){ e->block, e->type, e->refs,
				  e->state | (e->inflight ? XN_S_INFLIGHT : 0),
				  e->orphan ? 0 : roots[e->fs].ownerid, e->ppn, e->off };
}

/* xn_bc(first, buf, n): entries [first, first + n) of the buffer-cache
 * registry (struct xn_entry each) into buf; anyone may read them. A plain
 * data block (one pointer, written, nothing queued) may have no entry: see
 * xn_bc_find. Returns n. -E_INVAL: past XN_MAXBLOCKS; -E_FAULT. */
u32 sys_xn_bc(struct trapframe *tf)
{
	u32 first = tf->regs[R_A0], buf = tf->regs[R_A1], n = tf->regs[R_A2];
	if (first > XN_MAXBLOCKS || n > XN_MAXBLOCKS - first)
		return (u32)-E_INVAL;
	if (!user_range_ok(buf, n * (u32)sizeof(struct xn_entry)))
		return (u32)-E_FAULT;
	for (u32 i = 0; i < n; i++) {
		const struct xnb *e = &xb[first + i];
		struct xn_entry v = { 0xffffffffu, 0, 0, 0, 0, NOPPN, 0 };
		if (e->used)
			v = entry_view(e);
		if (copyout(buf + i * (u32)sizeof v, &v, sizeof v) < 0)
			return (u32)-E_FAULT;
	}
	return n;
}

/* xn_bc_find(block, buf): the registry's entry for block (struct
 * xn_entry) into buf, also for a plain data block with no entry (one
 * reference, state 0, no page); anyone may ask. Returns 0. -E_NOENT: XN
 * does not hold the block; -E_FAULT. */
u32 sys_xn_bc_find(struct trapframe *tf)
{
	u32 block = tf->regs[R_A0], buf = tf->regs[R_A1];
	if (block >= cover() || !bmap[block] || bmap[block] == BM_AREA)
		return (u32)-E_NOENT;
	int i = find(block);
	struct xn_entry v = { block, XN_DATA, 1, 0, 0, NOPPN, 0 };
	if (bmap[block] <= XN_MAXROOTS)
		v.owner = roots[bmap[block] - 1].ownerid;
	if (i >= 0)
		v = entry_view(&xb[i]);
	if (!user_range_ok(buf, sizeof v) || copyout(buf, &v, sizeof v) < 0)
		return (u32)-E_FAULT;
	return 0;
}

/* xn_stat(buf): struct xn_stat (the sizes of XN's tables in use, and how
 * often it let go of entries and copies) into buf. Returns 0. -E_FAULT. */
u32 sys_xn_stat(struct trapframe *tf)
{
	u32 buf = tf->regs[R_A0];
	st.dirty = 0;
	st.area = xna_area();
	st.refused = refused;
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		st.dirty += xb[i].used && (xb[i].state & XN_S_DIRTY);
	if (!user_range_ok(buf, sizeof st) || copyout(buf, &st, sizeof st) < 0)
		return (u32)-E_FAULT;
	return 0;
}

/* ---- boot: the kept file systems, rebuilt from their roots ---- */

static char why_buf[120];
#define WHY(...) (lib_snprintf(why_buf, sizeof why_buf, __VA_ARGS__), why_buf)

/* Metadata block x (of file system r) read from the disk: every block its
 * owns reports becomes r's (a data block a second time: one more
 * reference), each new metadata block pushed on stack. NULL, or why the
 * disk cannot be trusted. */
static const char *reach(int x, u16 *stack, u32 *top)
{
	static u8 buf[XN_META] __attribute__((aligned(8)));
	struct xnb *e = &xb[x];
	u32 r = e->fs;
	if (disk_read_sync(e->block, buf) < 0)
		return WHY("block %u unreadable", e->block);
	int n = xn_owns(e->type, buf, owns_a);
	if (n < 0)
		return WHY("owns of block %u (type %x) faults", e->block, e->type);
	if (copy_get(x) >= 0)
		__builtin_memcpy(meta[e->meta], buf, XN_META);
	for (int k = 0; k < n; k++) {
		u32 c = owns_a[k][0], ct = owns_a[k][1];
		if (c < xna_area() || c >= cover())
			return WHY("block %u points to %u: XN's area or off the disk", e->block, c);
		if (!xna_allocated(c) || xna_tainted(c))
			return WHY("block %u points to %u, %s in the map", e->block, c,
				   xna_allocated(c) ? "tainted" : "free");
		if (ct != XN_DATA && xn_type_root(ct) != (int)r)
			return WHY("block %u points to %u as type %x, not its file system's", e->block,
				   c, ct);
		int ci = find(c);
		if (bmap[c]) {                  /* a second pointer: a link of a data block */
			if (ct != XN_DATA || bmap[c] != r + 1 || (ci >= 0 && is_meta(&xb[ci])))
				return WHY("block %u owned twice (again from %u)", c, e->block);
			if (ci < 0 && (ci = entry_add(c, XN_DATA, r)) >= 0)
				xb[ci].refs = 1;
			if (ci < 0)
				return WHY("more linked blocks than registry entries");
			xb[ci].refs++;
			continue;
		}
		bmap[c] = (u8)(r + 1);
		roots[r].nblocks++;
		st.blocks++;
		if (ct == XN_DATA)
			continue;
		int y = entry_add(c, ct, r);
		if (y < 0)
			return WHY("more metadata blocks than registry entries (%u)", XN_MAXBLOCKS);
		xb[y].refs = 1;
		stack[(*top)++] = (u16)y;
	}
	return NULL;
}

/* Load the kept templates and roots and walk each file system: NULL, or
 * why the disk cannot be trusted. */
static const char *rebuild(void)
{
	static u16 stack[XN_MAXBLOCKS];
	for (u32 b = 0; b < xna_area(); b++)
		bmap[b] = BM_AREA;
	for (u32 i = 0; i < XN_MAXTYPES; i++) {
		const u8 *rec = xna_type(i);
		if (rec[0] && xn_type_restore(i, rec) < 0)
			return WHY("template record %u malformed or refused by dc_check", i);
	}
	for (int r = 0; r < XN_MAXROOTS; r++) {
		struct xn_droot d;
		xna_root((u32)r, &d);
		if (!d.live) {
			xn_types_forget(r);     /* recorded before a root that never was */
			continue;
		}
		u32 n = (u32)lib_strnlen(d.name, XN_NAMELEN);
		for (u32 k = n; k < XN_NAMELEN; k++)
			if (d.name[k])
				n = 0;
		if (!n || d.block < xna_area() || d.block >= cover() || xn_type_root(d.type) != r ||
		    bmap[d.block] || !xna_allocated(d.block) || xna_tainted(d.block))
			return WHY("root record %d (block %u, type %x) does not fit", r, d.block, d.type);
		roots[r] = (struct xroot){ .live = true, .kept = true, .hash = { d.hash[0], d.hash[1] } };
		__builtin_memcpy(roots[r].name, d.name, XN_NAMELEN);
		if (root_named(d.name) != r)
			return WHY("two roots named %s", d.name);
		int x = entry_add(d.block, d.type, (u32)r);
		if (x < 0)
			return WHY("registry full");
		xb[x].state = XN_S_ROOT;
		roots[r].x = (u32)x;
		bmap[d.block] = (u8)(r + 1);
		roots[r].nblocks = 1;
		st.blocks++;
		st.roots++;
		u32 top = 0;
		stack[top++] = (u16)x;
		while (top) {
			const char *why = reach(stack[--top], stack, &top);
			if (why)
				return why;
		}
	}
	return NULL;
}

void xn_boot(void)
{
	if (!disk_nblocks())
		return;
	int e = xna_load(disk_nblocks());
	if (e == -E_NOENT)
		return;                         /* no XN area: XN lives in memory only */
	const char *why = e < 0 ? "its superblock does not fit this disk" : rebuild();
	if (why) {
		kprintf("[aegis] xn: disk refused: %s; XN and extents will not use it\n", why);
		__builtin_memset(xb, 0, sizeof xb);
		__builtin_memset(head, 0, sizeof head);
		__builtin_memset(meta_of, 0, sizeof meta_of);
		__builtin_memset(roots, 0, sizeof roots);
		st = (struct xn_stat){ 0 };
		xn_types_reset();
		__builtin_memset(bmap, BM_AREA, cover());
		refused = true;
		return;
	}
	u32 leaks = 0;
	for (u32 b = xna_area(); b < cover(); b++)
		if (!bmap[b] && (xna_allocated(b) || xna_tainted(b))) {
			leaks += xna_allocated(b);
			xna_mark(b, false, false);  /* allocated, but nothing on disk points to it */
		}
	kprintf("[aegis] xn: area of %u blocks; %u kept file systems, %u blocks, %u metadata copies; %u leaked blocks reclaimed\n",
		xna_area(), st.roots, st.blocks, st.copies, leaks);
}

/* ---- environments and the checker ---- */

void xn_env_gone(struct env *e)
{
	int slot = env_slot(e);
	for (int r = 0; r < XN_MAXROOTS; r++)
		if (roots[r].live && roots[r].owner == slot + 1) {
			if (roots[r].kept)
				detach(r);
			else
				end_fs(r);
		}
	xn_types_env_gone(e);
	settle();
}

bool xn_range_used(u32 start, u32 count)
{
	for (u32 b = start; b - start < count && b < cover(); b++)
		if (bmap[b])
			return true;
	return false;
}

bool xn_entry_live(u32 x)
{
	return x < XN_MAXBLOCKS && xb[x].used;
}

u32 xn_entries_of(int slot)
{
	u32 n = xn_types_of(slot);
	for (int r = 0; r < XN_MAXROOTS; r++)
		if (roots[r].live && roots[r].owner == slot + 1)
			n += roots[r].nblocks;
	return n;
}

#define FAIL(...) do { lib_snprintf(why, len, "xn: " __VA_ARGS__); return false; } while (0)

/* One entry on its own: the disk, the map, the hash, its file system, its
 * type, its copy, its requests. */
static bool entry_ok(int i, char *why, u32 len)
{
	const struct xnb *e = &xb[i];
	const struct xroot *r = &roots[e->fs];
	if (e->block >= cover() || disk_in_extent(e->block) || find(e->block) != i ||
	    bmap[e->block] != (e->orphan ? BM_ORPHAN : e->fs + 1))
		FAIL("entry %d: block %u off the disk, in an extent, twice or not in the map", i,
		     e->block);
	if (e->inflight != disk_xn_requests((u32)i) || (e->orphan && !e->inflight))
		FAIL("entry %d: %u requests counted, %u queued", i, e->inflight,
		     disk_xn_requests((u32)i));
	if ((e->meta >= 0 && (!is_meta(e) || meta_of[e->meta] != i + 1)) ||
	    (is_meta(e) && e->meta < 0 && (e->state & (XN_S_DIRTY | XN_S_TAINTED))))
		FAIL("entry %d: type %x and copy %d disagree", i, e->type, e->meta);
	if ((e->wait >= 0 || (e->state & XN_S_FREEING) || e->orphan) && !e->listed)
		FAIL("entry %d waits but is not listed", i);
	if (e->orphan)
		return true;
	if (e->fs >= XN_MAXROOTS || !r->live ||
	    (r->owner ? envs[r->owner - 1].id != r->ownerid || envs[r->owner - 1].status == ENV_FREE :
			!r->kept || r->ownerid))
		FAIL("entry %d: file system %u not live", i, e->fs);
	if (e->type != XN_DATA && (xn_type_payer(e->type) != r->owner - 1 ||
				   (r->kept && xn_type_root(e->type) != e->fs)))
		FAIL("entry %d: type %x not its owner's", i, e->type);
	if (r->kept && (!xna_allocated(e->block) ||
			xna_tainted(e->block) != !!(e->state & XN_S_TAINTED)))
		FAIL("entry %d: block %u's bits in the free and taint maps wrong", i, e->block);
	if ((e->state & XN_S_ROOT) != (r->x == (u32)i ? XN_S_ROOT : 0))
		FAIL("entry %d: root flag wrong", i);
	if (e->wait >= 0 && (e->wait >= XN_MAXBLOCKS || !xb[e->wait].used))
		FAIL("entry %d waits for a dead entry", i);
	return true;
}

/* The map against the roots and the entries: each block held by a live
 * file system or an orphan entry; counts per file system; copies. */
static bool map_ok(char *why, u32 len)
{
	static u32 per[XN_MAXROOTS];
	u32 total = 0, nent = 0, ncopies = 0;
	for (int r = 0; r < XN_MAXROOTS; r++)
		per[r] = 0;
	for (u32 b = 0; b < XN_MAXDISK; b++) {
		u8 v = bmap[b];
		if (!v)
			continue;
		if (v == BM_AREA) {
			if (!refused && (b >= xna_area() || !xna_allocated(b)))
				FAIL("block %u marked XN's own outside its area", b);
			continue;
		}
		total++;
		if (b >= cover() || (v != BM_ORPHAN && (v > XN_MAXROOTS || !roots[v - 1].live)))
			FAIL("block %u held by %u, not a live file system", b, v);
		if (v != BM_ORPHAN && roots[v - 1].kept && !xna_allocated(b))
			FAIL("block %u of a kept file system free in the map", b);
		if (v == BM_ORPHAN ? find(b) < 0 : disk_in_extent(b))
			FAIL("block %u: an orphan without an entry, or in an extent", b);
		if (v != BM_ORPHAN)
			per[v - 1]++;
	}
	for (int r = 0; r < XN_MAXROOTS; r++)
		if (per[r] != (roots[r].live ? roots[r].nblocks : 0))
			FAIL("file system %d holds %u blocks, counted %u", r, per[r], roots[r].nblocks);
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		nent += xb[i].used;
	for (int m = 0; m < XN_MAXMETA; m++) {
		ncopies += meta_of[m] != 0;
		if (meta_of[m] && (!xb[meta_of[m] - 1].used || xb[meta_of[m] - 1].meta != m))
			FAIL("copy %d of a dead entry", m);
	}
	if (total != st.blocks || nent != st.entries || ncopies != st.copies)
		FAIL("%u blocks, %u entries, %u copies; counted %u, %u, %u", total, nent, ncopies,
		     st.blocks, st.entries, st.copies);
	return true;
}

bool xn_consistent(char *why, u32 len)
{
	static u16 refs[XN_MAXBLOCKS];
	static s16 parent[XN_MAXBLOCKS];
	static u32 seen[XN_MAXDISK / 32];       /* a plain data block already pointed to */
	static bool partial[XN_MAXROOTS];       /* a metadata copy of it let go of */
	if (!xn_types_consistent(why, len) || !map_ok(why, len))
		return false;
	for (int r = 0; r < XN_MAXROOTS; r++)
		partial[r] = false;
	for (u32 k = 0; k < XN_MAXDISK / 32; k++)
		seen[k] = 0;
	for (int i = 0; i < XN_MAXBLOCKS; i++) {
		refs[i] = 0;
		parent[i] = -1;
		if (xb[i].used && !entry_ok(i, why, len))
			return false;
		if (xb[i].used && !xb[i].orphan && is_meta(&xb[i]) && xb[i].meta < 0)
			partial[xb[i].fs] = true;
	}
	for (u32 k = 0; k < nslist; k++)
		if (!xb[slist[k]].used || !xb[slist[k]].listed)
			FAIL("settle list entry %u dead", slist[k]);
	for (u32 i = 0; i < XN_MAXTYPES; i++) {
		int r = xn_type_bound(i);
		if (r >= 0 && (r >= XN_MAXROOTS || !roots[r].live || !roots[r].kept))
			FAIL("template %u bound to root %d, not a kept file system", i, r);
	}
	/* Pointers, counted afresh from every cached metadata block's owns. */
	for (int i = 0; i < XN_MAXBLOCKS; i++) {
		const struct xnb *e = &xb[i];
		if (!e->used || e->orphan || !copy_of(e))
			continue;
		int n = xn_owns(e->type, copy_of(e), owns_a);
		if (n < 0)
			FAIL("owns of block %u faults", e->block);
		for (int k = 0; k < n; k++) {
			u32 b = owns_a[k][0];
			int c = b < cover() ? find(b) : -1;
			if (b >= cover() || bmap[b] != e->fs + 1 ||
			    (c >= 0 ? xb[c].type != owns_a[k][1] ||
					      (xb[c].state & (XN_S_FREEING | XN_S_ROOT)) :
				      owns_a[k][1] != XN_DATA || (seen[b >> 5] >> (b & 31) & 1)))
				FAIL("block %u points to %u (type %x), not a live block of its own",
				     e->block, b, owns_a[k][1]);
			seen[b >> 5] |= 1u << (b & 31);
			if (c >= 0) {
				refs[c]++;
				parent[c] = (s16)i;
			}
		}
	}
	for (u32 b = 0; b < cover(); b++)       /* a plain block nothing points to */
		if (bmap[b] && bmap[b] <= XN_MAXROOTS && !partial[bmap[b] - 1] && find(b) < 0 &&
		    !(seen[b >> 5] >> (b & 31) & 1))
			FAIL("block %u held but not pointed to", b);
	for (int i = 0; i < XN_MAXBLOCKS; i++) {
		const struct xnb *e = &xb[i];
		if (!e->used || e->orphan)
			continue;
		if (partial[e->fs]) {           /* some parents unseen: a lower bound */
			if (refs[i] > e->refs)
				FAIL("block %u: %u pointers, counted %u", e->block, e->refs, refs[i]);
			continue;
		}
		bool pointed = !(e->state & (XN_S_ROOT | XN_S_FREEING));
		if (refs[i] != e->refs || (pointed != (refs[i] > 0)) || (is_meta(e) && refs[i] > 1))
			FAIL("block %u: %u pointers, counted %u", e->block, e->refs, refs[i]);
		int p = i, steps = 0;                   /* reachable from its root */
		while (p >= 0 && !(xb[p].state & XN_S_ROOT) && steps++ < XN_MAXBLOCKS)
			p = parent[p];
		if (!(e->state & XN_S_FREEING) && (p < 0 || !(xb[p].state & XN_S_ROOT)))
			FAIL("block %u not reachable from a root", e->block);
	}
	return true;
}
