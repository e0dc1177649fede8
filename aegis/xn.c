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
 *  - xn_map: one byte per block XN covers (XN_MAXDISK): 0 free, r + 1 held by
 *    file system r, BM_ORPHAN held by nobody until its requests are over.
 *    A plain data block (one pointer, written, nothing queued) needs nothing
 *    else;
 *  - xn_b: a bounded hash table (XN_MAXBLOCKS entries, chained) of the blocks
 *    that need more: every metadata block (its type, update counts, copy),
 *    data blocks that are tainted, freed, linked, queued or waiting, and, as
 *    a cache, data blocks recently moved through a page (the registry's
 *    page); a full table answers -E_NOMEM, never drops needed state;
 *  - xn_meta: XN_MAXMETA copies of metadata blocks, a cache: a clean copy (on
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
 *     that block can be removed (unlink: -E_BUSY until then), and the
 *     pointer an unlink removed must be off the disk (its parent written)
 *     before the block is linked, unlinked or freed again. A metadata block
 *     may be linked too (a directory moved), at most two pointers at once,
 *     never under itself or its own subtree (xn_above, over up[]).
 * The registry (xn_bc) is the entry table itself, readable by everyone.
 * Kept file systems and the boot-time rebuild are in xn_keep.c, kcheck's
 * invariants in xn_check.c; the state they share is declared in xn_int.h.
 */
#include "xn_int.h"

#define HASH_BITS 13                    /* XN_MAXBLOCKS chains */

struct xnb xn_b[XN_MAXBLOCKS];
static u16 head[1u << HASH_BITS];      /* entry + 1 */
u8 xn_map[XN_MAXDISK];
u8 xn_meta[XN_MAXMETA][XN_META] __attribute__((aligned(8)));
u16 xn_meta_of[XN_MAXMETA];
u16 xn_slist[XN_MAXBLOCKS];
u32 xn_nslist;
static u32 hand, chand;                 /* clock hands over the entries and the copies */
struct xn_stat xn_st;
static int pinned = -1;                 /* the entry whose copy an update is using */
bool xn_refused;
struct xroot xn_roots[XN_MAXROOTS];
u32 xn_owns_a[XN_MAXOWNS][2];
static u32 xn_owns_b[XN_MAXOWNS][2];


/* Blocks XN covers: the disk's, at most XN_MAXDISK. */
u32 xn_cover(void)
{
	u32 n = disk_nblocks();
	return n < XN_MAXDISK ? n : XN_MAXDISK;
}

static u32 hash(u32 block) { return (block * 2654435761u) >> (32 - HASH_BITS); }

/* The entry for block, or -1. */
int xn_find(u32 block)
{
	for (u32 k = head[hash(block)]; k; k = xn_b[k - 1].next)
		if (xn_b[k - 1].block == block)
			return (int)k - 1;
	return -1;
}

static void unhash(int i)
{
	u16 *p = &head[hash(xn_b[i].block)];
	while (*p != i + 1)
		p = &xn_b[*p - 1].next;
	*p = xn_b[i].next;
	xn_b[i].used = 0;
	xn_st.entries--;
}

/* May entry i go, its block staying XN's? A plain data block: one pointer,
 * written, nothing queued or waited for. */
static bool entry_evictable(const struct xnb *e)
{
	return e->used && !e->orphan && !xn_is_meta(e) && e->refs == 1 && !e->state && e->wait < 0 &&
	       !e->inflight && !e->listed;
}

/* A new entry for block (not in the table) of file system fs: refs 0,
 * state 0, no copy. Its index, or -E_NOMEM (every entry needed). */
int xn_entry_add(u32 block, u32 type, u32 fs)
{
	int i = -1;
	for (u32 n = 0; n < XN_MAXBLOCKS && i < 0; n++, hand = (hand + 1) % XN_MAXBLOCKS)
		if (!xn_b[hand].used)
			i = (int)hand;
	for (u32 n = 0; n < XN_MAXBLOCKS && i < 0; n++, hand = (hand + 1) % XN_MAXBLOCKS)
		if (entry_evictable(&xn_b[hand])) {
			i = (int)hand;
			unhash(i);
			xn_st.entry_evictions++;
		}
	if (i < 0)
		return -E_NOMEM;
	u32 h = hash(block);
	xn_b[i] = (struct xnb){ .block = block, .type = type, .ppn = NOPPN, .wait = -1, .meta = -1,
			      .up = { -1, -1 }, .next = head[h], .used = 1, .fs = (u8)fs };
	head[h] = (u16)(i + 1);
	xn_st.entries++;
	return i;
}

/* Copy slot m goes (its entry keeps its block). */
static void copy_drop(int m)
{
	xn_b[xn_meta_of[m] - 1].meta = -1;
	xn_meta_of[m] = 0;
	xn_st.copies--;
}

/* A copy slot for entry i (which has none): a free one, or a clean copy of
 * another's let go of. Its index, or -E_NOMEM (every copy dirty, tainted,
 * queued or in use). */
int xn_copy_get(int i)
{
	int m = -1;
	for (u32 n = 0; n < XN_MAXMETA && m < 0; n++, chand = (chand + 1) % XN_MAXMETA)
		if (!xn_meta_of[chand])
			m = (int)chand;
	for (u32 n = 0; n < XN_MAXMETA && m < 0; n++, chand = (chand + 1) % XN_MAXMETA) {
		const struct xnb *o = &xn_b[xn_meta_of[chand] - 1];
		if (!(o->state & (XN_S_DIRTY | XN_S_TAINTED)) && !o->inflight &&
		    xn_meta_of[chand] - 1 != pinned) {
			m = (int)chand;
			copy_drop(m);
			xn_st.copy_evictions++;
		}
	}
	if (m < 0)
		return -E_NOMEM;
	xn_meta_of[m] = (u16)(i + 1);
	xn_b[i].meta = (s16)m;
	xn_st.copies++;
	return m;
}

/* Put entry i on the settle list (it waits, is freed or an orphan). */
static void list(int i)
{
	if (!xn_b[i].listed) {
		xn_b[i].listed = true;
		xn_slist[xn_nslist++] = (u16)i;
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
	int i = xn_entry_add(block, type, fs);
	if (i >= 0 && type != XN_DATA && xn_copy_get(i) < 0) {
		unhash(i);
		i = -E_NOMEM;
	}
	if (i < 0) {
		limit_uncharge(curenv, LIM_XN, 1);
		return i;
	}
	if (type != XN_DATA)
		__builtin_memset(xn_meta[xn_b[i].meta], 0, XN_META);
	xn_b[i].state = XN_S_TAINTED;
	if (xn_roots[fs].kept)
		xna_mark(block, true, true);    /* on disk before any pointer to it (xna_flush) */
	xn_map[block] = (u8)(fs + 1);
	xn_roots[fs].nblocks++;
	xn_st.blocks++;
	return i;
}

/* Entry i's block leaves XN: its owner's budget back, its copy free, its
 * block tainted for whoever takes it next. */
static void release(int i)
{
	struct xnb *e = &xn_b[i];
	if (!e->orphan) {
		struct xroot *r = &xn_roots[e->fs];
		r->nblocks--;
		if (r->owner)
			limit_uncharge(&envs[r->owner - 1], LIM_XN, 1);
	}
	if (e->meta >= 0)
		copy_drop(e->meta);
	xn_map[e->block] = 0;
	xn_st.blocks--;
	xna_mark(e->block, false, false);       /* no pointer to it is on disk any more */
	disk_taint(e->block, 1);                /* an extent over it reads zeros */
	unhash(i);
}

/* Has what entry e waits for happened: its parent written with update
 * wait_seq; or, for a freed or unlinked block, the parent never on disk and
 * nothing of it queued (no pointer to e can be on disk)? A link waits for
 * the write: the new pointer must be on disk. */
static bool wait_over(const struct xnb *e)
{
	const struct xnb *p = &xn_b[e->wait];
	return !p->used || p->dseq >= e->wait_seq ||
	       (((e->state & XN_S_FREEING) || e->unlinked) && (p->state & XN_S_TAINTED) &&
		!p->inflight);
}

/* Metadata entry e's parent entry p: one more (up[] is packed). */
static void up_add(struct xnb *e, int p)
{
	e->up[e->up[0] >= 0] = (s16)p;
}

/* One of metadata entry e's parents that is p goes (an unlink's or a
 * free's old pointer, now off the disk: p may be released after this). */
static void up_drop(struct xnb *e, int p)
{
	if (e->up[1] == p)
		e->up[1] = -1;
	else if (e->up[0] == p) {
		e->up[0] = e->up[1];
		e->up[1] = -1;
	}
}

/* Is metadata entry a entry b, or above it: reached from b by going up
 * (up[]: every parent in XN's copies, and an unlink's old one until it is
 * off the disk, so a cycle on disk is caught as well as one in XN's
 * copies)? Each entry is pushed once (a mark per entry), so the walk
 * visits at most the metadata entries of b's file system (XN_MAXBLOCKS),
 * and where no block has two parents only b's ancestors (its depth). */
bool xn_above(int a, int b)
{
	static u32 seen[XN_MAXBLOCKS / 32];
	static u16 stack[XN_MAXBLOCKS];
	u32 top = 0;
	__builtin_memset(seen, 0, sizeof seen);
	seen[b >> 5] = 1u << (b & 31);
	stack[top++] = (u16)b;
	while (top) {
		int x = stack[--top];
		if (x == a)
			return true;
		for (int k = 0; k < 2; k++) {
			int y = xn_b[x].up[k];
			if (y >= 0 && !(seen[y >> 5] >> (y & 31) & 1)) {
				seen[y >> 5] |= 1u << (y & 31);
				stack[top++] = (u16)y;
			}
		}
	}
	return false;
}

/* Would xn_settle do anything for entry i: is it listed with its wait
 * over, or releasable? */
static bool settles(int i)
{
	const struct xnb *e = &xn_b[i];
	if (!e->listed)
		return false;
	if (e->wait >= 0 && wait_over(e))
		return true;
	return !e->inflight && (e->orphan || ((e->state & XN_S_FREEING) && e->wait < 0));
}

/* Clear the waits that are over; release the freed and orphaned entries
 * that nothing holds any more (each release can end others' waits). Only
 * the entries on the settle list are looked at. A scan of the whole list:
 * callers that changed one entry only ask settles() first (a write of a
 * data block or a new wait ends no other entry's wait), or the list of a
 * large file's freed blocks is scanned at every update and request. */
void xn_settle(void)
{
	for (bool again = true; again;) {
		again = false;
		for (u32 k = 0; k < xn_nslist;) {
			int i = xn_slist[k];
			struct xnb *e = &xn_b[i];
			if (e->wait >= 0 && wait_over(e)) {
				if (e->unlinked || (e->state & XN_S_FREEING))
					up_drop(e, e->wait);    /* the old pointer is off the disk */
				e->unlinked = false;
				e->wait = -1;
			}
			bool gone = !e->inflight && (e->orphan || ((e->state & XN_S_FREEING) && e->wait < 0));
			if (gone) {
				release(i);
				again = true;
			}
			if (gone || (e->wait < 0 && !(e->state & XN_S_FREEING) && !e->orphan)) {
				e->listed = false;
				xn_slist[k] = xn_slist[--xn_nslist];
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
	int n = xn_owns(e->type, buf, xn_owns_a);
	for (int k = 0; k < n; k++) {
		u32 c = xn_owns_a[k][0];
		int ci = c < xn_cover() ? xn_find(c) : -1;
		if (c >= xn_cover() || xn_map[c] != e->fs + 1 ||
		    (ci >= 0 ? xn_b[ci].type != xn_owns_a[k][1] : xn_owns_a[k][1] != XN_DATA))
			return false;
	}
	return n >= 0;
}

void xn_io_done(u32 x, u32 op, int status, u32 seq, const u8 *buf)
{
	if (x >= XN_MAXBLOCKS || !xn_b[x].used)
		return;
	struct xnb *e = &xn_b[x];
	e->inflight--;
	if (!status && op == XN_WRITE) {
		e->state &= (u8)~XN_S_TAINTED;
		if (xna_allocated(e->block))
			xna_mark(e->block, true, false);
		if (xn_is_meta(e) && seq > e->dseq)
			e->dseq = seq;
		if (xn_is_meta(e) && e->dseq == e->mseq)
			e->state &= (u8)~XN_S_DIRTY;
	}
	/* A read of a metadata block XN let go of, nothing changed since: the
	 * disk's bytes are the copy again. */
	if (!status && op == XN_READ && xn_is_meta(e) && e->meta < 0 && !e->orphan &&
	    !(e->state & (XN_S_TAINTED | XN_S_DIRTY | XN_S_FREEING)) && seq == e->mseq &&
	    e->dseq == e->mseq) {
		if (!refill_ok(e, buf))
			kprintf("[aegis] xn: block %u read back unlike what XN wrote: not taken\n",
				e->block);
		else if (xn_copy_get((int)x) >= 0) {
			__builtin_memcpy(xn_meta[e->meta], buf, XN_META);
			xn_st.refills++;
		}
	}
	/* Only a metadata block's write can end other entries' waits (they
	 * wait for their parent's write); otherwise only e itself may settle. */
	if ((op == XN_WRITE && xn_is_meta(e)) || settles((int)x))
		xn_settle();
}

/* File system r ends: its root slot is free, its owner's budget back, and
 * its blocks free (tainted), but those with requests queued, which become
 * orphans released by xn_settle() once nothing on them is queued. */
void xn_end_fs(int r)
{
	struct xroot *rt = &xn_roots[r];
	if (rt->owner)
		limit_uncharge(&envs[rt->owner - 1], LIM_XN, rt->nblocks);
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		if (xn_b[i].used && !xn_b[i].orphan && xn_b[i].fs == r) {
			xn_b[i].orphan = true;
			xn_map[xn_b[i].block] = BM_ORPHAN;
			list(i);
		}
	for (u32 b = 0; b < xn_cover(); b++)
		if (xn_map[b] == r + 1) {         /* plain data blocks: no entry */
			xn_map[b] = 0;
			xna_mark(b, false, false);
			xn_st.blocks--;
			disk_taint(b, 1);
		}
	rt->nblocks = 0;
	rt->live = false;
	xn_st.roots--;
}

void xn_tables_reset(void)
{
	__builtin_memset(xn_b, 0, sizeof xn_b);
	__builtin_memset(head, 0, sizeof head);
	__builtin_memset(xn_meta_of, 0, sizeof xn_meta_of);
	__builtin_memset(xn_roots, 0, sizeof xn_roots);
	xn_st = (struct xn_stat){ 0 };
	xn_nslist = 0;
}

/* ---- roots ---- */

/* Copy a root's name from user va into name: 0, -E_FAULT, or -E_INVAL
 * (empty, or something after its NUL). */
int xn_get_name(char name[XN_NAMELEN], u32 va)
{
	if (copyin(name, va, XN_NAMELEN) < 0)
		return -E_FAULT;
	u32 n = (u32)lib_strnlen(name, XN_NAMELEN);
	for (u32 k = n; k < XN_NAMELEN; k++)
		if (name[k])
			return -E_INVAL;
	return n ? 0 : -E_INVAL;
}

int xn_root_named(const char name[XN_NAMELEN])
{
	for (int r = 0; r < XN_MAXROOTS; r++)
		if (xn_roots[r].live && !lib_memcmp(xn_roots[r].name, name, XN_NAMELEN))
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
	int err = xn_get_name(rq.name, tf->regs[R_A0]);
	if (err < 0)
		return (u32)err;
	if (rq.block >= xn_cover() || xn_type_payer(rq.type) != env_slot(curenv))
		return (u32)-E_INVAL;
	if (xn_root_named(rq.name) >= 0 || xn_map[rq.block] || disk_in_extent(rq.block))
		return (u32)-E_BUSY;
	int r = 0;
	while (r < XN_MAXROOTS && xn_roots[r].live)
		r++;
	if (r == XN_MAXROOTS)
		return (u32)-E_NOMEM;
	xn_roots[r] = (struct xroot){ .live = true, .owner = (u8)(env_slot(curenv) + 1),
				   .ownerid = curenv->id };
	int x = block_new(rq.block, rq.type, (u32)r);
	if (x < 0) {
		xn_roots[r].live = false;
		return (u32)x;
	}
	xn_b[x].state |= XN_S_ROOT;
	xn_roots[r].x = (u32)x;
	__builtin_memcpy(xn_roots[r].name, rq.name, XN_NAMELEN);
	xn_st.roots++;
	return (u32)r;
}

/* xn_root_find(name): the root block of the file system called name (16
 * bytes, NUL-padded). -E_FAULT; -E_INVAL: a bad name; -E_NOENT. */
u32 sys_xn_root_find(struct trapframe *tf)
{
	char name[XN_NAMELEN];
	int err = xn_get_name(name, tf->regs[R_A0]);
	if (err < 0)
		return (u32)err;
	int r = xn_root_named(name);
	return r < 0 ? (u32)-E_NOENT : xn_b[xn_roots[r].x].block;
}

/* The entry for block of one of the caller's file systems, usable (not
 * freed, not orphaned), made for a plain data block that has none: its
 * index, -E_NOENT, -E_PERM (another's) or -E_NOMEM (no entry free). */
int xn_lookup(u32 block)
{
	if (block >= xn_cover() || !xn_map[block] || xn_map[block] > XN_MAXROOTS)
		return -E_NOENT;
	u32 fs = xn_map[block] - 1u;
	if (xn_roots[fs].ownerid != curenv->id)
		return -E_PERM;
	int i = xn_find(block);
	if (i < 0) {                            /* a plain data block */
		i = xn_entry_add(block, XN_DATA, fs);
		if (i >= 0)
			xn_b[i].refs = 1;
	}
	if (i >= 0 && (xn_b[i].state & XN_S_FREEING))
		return -E_NOENT;
	return i;
}

/* xn_root_free(block): the caller's file system whose root is block ends;
 * its root must point to nothing. -E_NOENT; -E_PERM: not the caller's;
 * -E_INVAL: not a root; -E_BUSY: it points to blocks, or a request on it
 * is queued; -E_NOTCACHED: XN let go of the root's copy (read it). */
u32 sys_xn_root_free(struct trapframe *tf)
{
	int x = xn_lookup(tf->regs[R_A0]);
	if (x < 0)
		return (u32)x;
	struct xnb *e = &xn_b[x];
	if (!(e->state & XN_S_ROOT))
		return (u32)-E_INVAL;
	if (!xn_copy_of(e))
		return (u32)-E_NOTCACHED;
	if (e->inflight || xn_owns(e->type, xn_copy_of(e), xn_owns_a) != 0)
		return (u32)-E_BUSY;
	int r = e->fs;
	if (xn_roots[r].kept)
		return (u32)xn_free_kept(r, x);
	xn_end_fs(r);
	xn_settle();
	return 0;
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
	const struct xnb *m = &xn_b[p];
	bool adds = u->op == XN_ALLOC || u->op == XN_LINK;
	if (u->op == XN_NONE)
		return nadd || nrem ? -E_INVAL : 0;
	if (nadd != adds || nrem != !adds || (adds ? add[0] : rem[0]) != u->target)
		return -E_INVAL;
	if (u->op == XN_ALLOC) {
		if (add[1] != u->type || u->target >= xn_cover() ||
		    (u->type != XN_DATA && xn_type_payer(u->type) != env_slot(curenv)))
			return -E_INVAL;
		if (xn_map[u->target] || disk_in_extent(u->target))
			return -E_BUSY;
		if (xn_roots[m->fs].kept && u->type != XN_DATA && xn_type_bind(u->type, m->fs) < 0)
			return -E_INVAL;                /* another kept file system's template */
		*t = block_new(u->target, u->type, m->fs);
		return *t < 0 ? *t : 0;
	}
	*t = xn_lookup(u->target);
	if (*t < 0)
		return *t;
	const struct xnb *c = &xn_b[*t];
	if (c->fs != m->fs)
		return -E_PERM;
	if ((adds ? add[1] : rem[1]) != c->type)
		return -E_INVAL;
	/* A metadata block linked: not under itself or its subtree (after the
	 * old pointer went, a cycle would be held but unreachable; a root is
	 * above every block of its file system); at most two pointers, so one
	 * move at a time. */
	if (u->op == XN_LINK && xn_is_meta(c) && xn_above(*t, p))
		return -E_INVAL;
	if (u->op == XN_LINK)
		return c->wait >= 0 || c->refs >= (xn_is_meta(c) ? 2 : 0xffff) ? -E_BUSY : 0;
	if (u->op == XN_UNLINK)
		return c->refs < 2 || c->wait >= 0 ? -E_BUSY : 0;
	/* XN_FREE: the last pointer, no unlink still on disk, and a metadata
	 * block must point to nothing. */
	if (xn_is_meta(c) && !xn_copy_of(c))
		return -E_NOTCACHED;
	if (c->refs != 1 || c->wait >= 0 ||
	    (xn_is_meta(c) && xn_owns(c->type, xn_copy_of(c), xn_owns_a) != 0))
		return -E_BUSY;
	return 0;
}

/* xn_update(upd): change bytes [off, off + len) of metadata block `block`
 * (struct xn_upd) of one of the caller's file systems, with op saying what
 * happens to target: XN_NONE (no pointer changes), XN_ALLOC (a pointer to
 * free block target of type `type` appears: it becomes this file system's,
 * tainted), XN_FREE (the only pointer to target goes: it is freed once the
 * parent is on disk without it), XN_LINK (another pointer to target
 * appears: a data block, or a metadata block being moved, which then has
 * two), XN_UNLINK (one of several goes; the block waits until the parent
 * is on disk without it). The type's size must cover the bytes, its acl
 * must allow the change, and owns before and after must differ by exactly
 * that one pointer. -E_FAULT; -E_NOENT, -E_PERM: the block or target is
 * not one of the caller's (or in another file system); -E_INVAL: bad
 * fields, a data block, owns faulting, owns not agreeing with op, or a
 * link of a root or of a metadata block under itself or its own subtree;
 * -E_PERM: acl refuses; -E_BUSY: target not free (XN's, an extent's, or
 * freed but not yet reusable), still pointed to elsewhere, a metadata
 * block that points to blocks or already has two pointers, a link not yet
 * on disk, or an unlink whose parent is not yet written;
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
	int p = xn_lookup(u.block);
	if (p < 0)
		return (u32)p;
	struct xnb *m = &xn_b[p];
	if (!xn_is_meta(m))
		return (u32)-E_INVAL;
	if (m->meta < 0)
		return (u32)-E_NOTCACHED;
	__builtin_memset(&ch, 0, sizeof ch);
	if (u.len && copyin(ch.bytes, (u32)(uintptr_t)u.bytes, u.len) < 0)
		return (u32)-E_FAULT;
	u8 *before = xn_meta[m->meta];
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
	int nb = xn_owns(m->type, before, xn_owns_b), na = xn_owns(m->type, after, xn_owns_a);
	if (nb < 0 || na < 0)
		return (u32)-E_INVAL;
	u32 add[2] = { 0, 0 }, rem[2] = { 0, 0 };
	int nadd = unmatched(xn_owns_a, na, xn_owns_b, nb, add);
	int nrem = unmatched(xn_owns_b, nb, xn_owns_a, na, rem);
	int t = -1;
	pinned = p;                             /* a new block's copy must not take p's */
	int err = check_op(&u, p, nadd, add, nrem, rem, &t);
	pinned = -1;
	if (err < 0)
		return (u32)err;
	__builtin_memcpy(before, after, XN_META);
	m->mseq++;
	m->state |= XN_S_DIRTY;
	struct xnb *c = t >= 0 ? &xn_b[t] : NULL;
	if (u.op == XN_ALLOC || u.op == XN_LINK)
		c->refs++;
	else if (u.op == XN_UNLINK || u.op == XN_FREE)
		c->refs--;
	if (c && xn_is_meta(c) && (u.op == XN_ALLOC || u.op == XN_LINK))
		up_add(c, p);
	if (u.op == XN_FREE)
		c->state |= XN_S_FREEING;
	if (u.op != XN_NONE && u.op != XN_ALLOC) {      /* waits for p's write */
		c->wait = (s16)p;
		c->wait_seq = m->mseq;
		c->unlinked = u.op == XN_UNLINK;
		list(t);
		if (settles(t))                 /* a parent never written: over at once */
			xn_settle();
	}
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
/* The entry of metadata block block if it is a kept file system's that
 * nobody has attached (its owner ended, or a boot rebuilt it), else -1.
 * Anyone may write such a block (the seeds' "unowned disk blocks written
 * by anyone", for flush daemons): the write sends XN's own copy, checked
 * at every update and held to rule 1 like its owner's write, so it can
 * only bring the disk to what XN has already accepted. */
static int unowned_meta(u32 block)
{
	if (block >= xn_cover() || !xn_map[block] || xn_map[block] > XN_MAXROOTS)
		return -1;
	const struct xroot *rt = &xn_roots[xn_map[block] - 1u];
	int i = xn_find(block);
	if (!rt->live || !rt->kept || rt->owner || i < 0 || !xn_is_meta(&xn_b[i]) ||
	    (xn_b[i].state & XN_S_FREEING))
		return -1;
	return i;
}

u32 sys_xn_io(struct trapframe *tf)
{
	struct xn_io r;
	if (copyin(&r, tf->regs[R_A0], sizeof r) < 0)
		return (u32)-E_FAULT;
	if ((r.op != XN_READ && r.op != XN_WRITE && r.op != XN_READ_DISK) || r.off >= PAGE_SIZE ||
	    r.woff >= PAGE_SIZE)
		return (u32)-E_INVAL;
	int x = xn_lookup(r.block), u;
	if (x == -E_PERM && r.op == XN_WRITE && (u = unowned_meta(r.block)) >= 0)
		x = u;                          /* a flush of an unowned block */
	if (x < 0)
		return (u32)x;
	struct xnb *e = &xn_b[x];
	bool disk_copy = r.op == XN_READ_DISK;
	if (disk_copy && !xn_is_meta(e))
		return (u32)-E_INVAL;
	if (disk_copy && (e->state & XN_S_TAINTED))
		return (u32)-E_PERM;
	if (disk_copy)
		r.op = XN_READ;
	bool wmeta = xn_is_meta(e) && r.op == XN_WRITE;
	if (wmeta && (r.pname || r.pcheck || r.off))
		return (u32)-E_INVAL;
	if (wmeta && !xn_copy_of(e))
		return (u32)-E_NOTCACHED;
	if (!wmeta && r.op == XN_READ && !xn_is_meta(e) && (e->state & XN_S_TAINTED))
		return (u32)-E_PERM;
	u32 ppn, wppn;
	int err = disk_req_pages(r.op, r.pname, r.pcheck, r.off, wmeta ? 0 : DISK_BLOCK, r.wname,
				 r.wcheck, r.woff, &ppn, &wppn);
	if (err < 0)
		return (u32)err;
	if (xn_copy_of(e) && r.op == XN_READ && !disk_copy) {
		u32 pa = ppn * PAGE_SIZE + r.off, wpa = wppn * PAGE_SIZE + r.woff;
		dcache_user_sync(pa, DISK_BLOCK);
		__builtin_memcpy(KADDR(pa), xn_copy_of(e), DISK_BLOCK);
		dcache_user_sync(pa, DISK_BLOCK);
		dcache_user_sync(wpa, 4);
		*(volatile u32 *)KADDR(wpa) = DISK_DONE;
		dcache_user_sync(wpa, 4);
	} else {
		if (wmeta) {
			int n = xn_owns(e->type, xn_copy_of(e), xn_owns_a);
			for (int k = 0; k < n; k++) {
				int c = xn_find(xn_owns_a[k][0]);
				if (c >= 0 && (xn_b[c].state & XN_S_TAINTED))
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
		/* Counted before it is queued: a request the drive fails at
		 * once is over (xn_io_done) before disk_queue_xn returns. */
		e->inflight++;
		err = disk_queue_xn(r.op, e->block, (u32)x, disk_copy ? 0xffffffffu : e->mseq, ppn,
				    r.off, wppn, r.woff, wmeta ? xn_copy_of(e) : NULL);
		if (err < 0) {
			e->inflight--;
			return (u32)err;
		}
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
				  e->orphan ? 0 : xn_roots[e->fs].ownerid, e->ppn, e->off };
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
		const struct xnb *e = &xn_b[first + i];
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
	if (block >= xn_cover() || !xn_map[block] || xn_map[block] == BM_AREA)
		return (u32)-E_NOENT;
	int i = xn_find(block);
	struct xn_entry v = { block, XN_DATA, 1, 0, 0, NOPPN, 0 };
	if (xn_map[block] <= XN_MAXROOTS)
		v.owner = xn_roots[xn_map[block] - 1].ownerid;
	if (i >= 0)
		v = entry_view(&xn_b[i]);
	if (!user_range_ok(buf, sizeof v) || copyout(buf, &v, sizeof v) < 0)
		return (u32)-E_FAULT;
	return 0;
}

/* xn_stat(buf): struct xn_stat (the sizes of XN's tables in use, and how
 * often it let go of entries and copies) into buf. Returns 0. -E_FAULT. */
u32 sys_xn_stat(struct trapframe *tf)
{
	u32 buf = tf->regs[R_A0];
	xn_st.dirty = 0;
	xn_st.area = xna_area();
	xn_st.refused = xn_refused;
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		xn_st.dirty += xn_b[i].used && (xn_b[i].state & XN_S_DIRTY);
	if (!user_range_ok(buf, sizeof xn_st) || copyout(buf, &xn_st, sizeof xn_st) < 0)
		return (u32)-E_FAULT;
	return 0;
}

/* ---- environments and the checker ---- */

void xn_env_gone(struct env *e)
{
	int slot = env_slot(e);
	for (int r = 0; r < XN_MAXROOTS; r++)
		if (xn_roots[r].live && xn_roots[r].owner == slot + 1) {
			if (xn_roots[r].kept)
				xn_detach(r);
			else
				xn_end_fs(r);
		}
	xn_types_env_gone(e);
	xn_settle();
}

bool xn_range_used(u32 start, u32 count)
{
	for (u32 b = start; b - start < count && b < xn_cover(); b++)
		if (xn_map[b])
			return true;
	return false;
}

bool xn_entry_live(u32 x)
{
	return x < XN_MAXBLOCKS && xn_b[x].used;
}

u32 xn_entries_of(int slot)
{
	u32 n = xn_types_of(slot);
	for (int r = 0; r < XN_MAXROOTS; r++)
		if (xn_roots[r].live && xn_roots[r].owner == slot + 1)
			n += xn_roots[r].nblocks;
	return n;
}

