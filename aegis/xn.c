/*
 * xn.c: XN, the disk multiplexed among library file systems the kernel does
 * not understand (docs/storage.md). A file system is a root (a named
 * metadata block) and the blocks reached from it through metadata; what a
 * metadata block points to is whatever its type's owns function (a UDF,
 * xn_udf.c) says. Blocks change hands only through metadata updates the
 * kernel checks: owns run before and after on a copy must differ by exactly
 * the block the caller says it allocates, frees, links or unlinks, and the
 * type's acl must allow the change. The kernel keeps the bytes of every
 * metadata block it checked (meta[]): they are written to disk from there,
 * so nothing an environment scribbles on a page reaches a metadata block.
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
 * The registry (xn_bc) is the block table itself, readable by everyone.
 */
#include "defs.h"

#define NOPPN 0xffffffffu

struct xnb {
	u32 block, type;
	u32 mseq, dseq;                /* metadata: updates so far, and the last one on disk */
	u32 wait_seq;                  /* waits for entry wait's write of update wait_seq */
	u32 ppn, off;                  /* the registry: the page it last moved through */
	u16 refs;                      /* pointers to it in metadata (XN's copies) */
	s16 wait;                      /* -1: waits for nothing */
	s16 meta;                      /* its bytes in meta[], -1: a data block */
	u8 used, fs, payer, state, inflight;
	bool orphan;                   /* its file system ended while requests were queued */
};
static struct xnb xb[XN_MAXBLOCKS];
static u8 meta[XN_MAXMETA][XN_META] __attribute__((aligned(8)));
static bool meta_used[XN_MAXMETA];

struct xroot {
	bool live;
	u8 owner;                      /* slot + 1 */
	u32 ownerid, x;                /* the owner's id, the root block's entry */
	char name[XN_NAMELEN];
};
static struct xroot roots[XN_MAXROOTS];

static u32 owns_a[XN_MAXOWNS][2], owns_b[XN_MAXOWNS][2];

/* The used entry for block, or -1. */
static int find(u32 block)
{
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		if (xb[i].used && xb[i].block == block)
			return i;
	return -1;
}

/* The entry for block of one of the caller's file systems, usable (not
 * freed, not orphaned): its index, -E_NOENT or -E_PERM (another's). */
static int lookup(u32 block)
{
	int i = find(block);
	if (i < 0 || xb[i].orphan || (xb[i].state & XN_S_FREEING))
		return -E_NOENT;
	if (roots[xb[i].fs].ownerid != curenv->id)
		return -E_PERM;
	return i;
}

/* A new entry for free block in file system fs, charged to curenv,
 * tainted, with zeroed bytes if it is metadata (type not XN_DATA): its
 * index, or -E_NOMEM, -E_QUOTA. */
static int new_entry(u32 block, u32 type, u32 fs)
{
	int i = 0, m = -1;
	while (i < XN_MAXBLOCKS && xb[i].used)
		i++;
	if (i == XN_MAXBLOCKS)
		return -E_NOMEM;
	if (type != XN_DATA) {
		for (m = 0; m < XN_MAXMETA && meta_used[m]; m++)
			;
		if (m == XN_MAXMETA)
			return -E_NOMEM;
	}
	int q = limit_charge(curenv, LIM_XN, 1);
	if (q < 0)
		return q;
	if (m >= 0) {
		meta_used[m] = true;
		__builtin_memset(meta[m], 0, XN_META);
	}
	xb[i] = (struct xnb){ .block = block, .type = type, .ppn = NOPPN, .wait = -1,
			      .meta = (s16)m, .used = 1, .fs = (u8)fs,
			      .payer = (u8)(env_slot(curenv) + 1), .state = XN_S_TAINTED };
	return i;
}

/* Entry i goes: its budget back, its bytes' slot free, its block tainted
 * for whoever takes it next. */
static void release(int i)
{
	struct xnb *e = &xb[i];
	if (e->payer)
		limit_uncharge(&envs[e->payer - 1], LIM_XN, 1);
	if (e->meta >= 0)
		meta_used[e->meta] = false;
	e->used = 0;
	e->payer = 0;
	disk_taint(e->block, 1);                /* an extent over it reads zeros */
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
 * that nothing holds any more (each release can end others' waits). */
static void settle(void)
{
	for (bool again = true; again;) {
		again = false;
		for (int i = 0; i < XN_MAXBLOCKS; i++) {
			struct xnb *e = &xb[i];
			if (!e->used)
				continue;
			if (e->wait >= 0 && wait_over(e))
				e->wait = -1;
			if (!e->inflight && (e->orphan || ((e->state & XN_S_FREEING) && e->wait < 0))) {
				release(i);
				again = true;
			}
		}
	}
}

void xn_io_done(u32 x, u32 op, int status, u32 seq)
{
	if (x >= XN_MAXBLOCKS || !xb[x].used)
		return;
	struct xnb *e = &xb[x];
	e->inflight--;
	if (!status && op == XN_WRITE) {
		e->state &= (u8)~XN_S_TAINTED;
		if (e->meta >= 0 && seq > e->dseq)
			e->dseq = seq;
		if (e->meta >= 0 && e->dseq == e->mseq)
			e->state &= (u8)~XN_S_DIRTY;
	}
	settle();
}

/* File system r ends: its root slot is free, and what is left of its
 * blocks (all of them when its owner goes; freed blocks still waiting when
 * its root is freed) become orphans, charged to nobody, released by
 * settle() once nothing on them is queued. */
static void end_fs(int r)
{
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		if (xb[i].used && !xb[i].orphan && xb[i].fs == r) {
			if (xb[i].payer)
				limit_uncharge(&envs[xb[i].payer - 1], LIM_XN, 1);
			xb[i].payer = 0;
			xb[i].orphan = true;
		}
	roots[r].live = false;
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
 * until first written, charged to LIM_XN. Returns the root's index. -E_NOENT: no disk; -E_FAULT; -E_INVAL: a
 * bad name, a block past the disk's end, a type not the caller's; -E_BUSY:
 * the name is taken, or the block is XN's or in an extent; -E_NOMEM: a
 * table is full; -E_QUOTA: over LIM_XN. */
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
	if (rq.block >= disk_nblocks() || xn_type_payer(rq.type) != env_slot(curenv))
		return (u32)-E_INVAL;
	if (root_named(rq.name) >= 0 || find(rq.block) >= 0 || disk_in_extent(rq.block))
		return (u32)-E_BUSY;
	int r = 0;
	while (r < XN_MAXROOTS && roots[r].live)
		r++;
	if (r == XN_MAXROOTS)
		return (u32)-E_NOMEM;
	int x = new_entry(rq.block, rq.type, (u32)r);
	if (x < 0)
		return (u32)x;
	xb[x].state |= XN_S_ROOT;
	roots[r] = (struct xroot){ true, (u8)(env_slot(curenv) + 1), curenv->id, (u32)x, { 0 } };
	__builtin_memcpy(roots[r].name, rq.name, XN_NAMELEN);
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

/* xn_root_free(block): the caller's file system whose root is block ends;
 * its root must point to nothing. -E_NOENT; -E_PERM: not the caller's;
 * -E_INVAL: not a root; -E_BUSY: it points to blocks, or a request on it
 * is queued. */
u32 sys_xn_root_free(struct trapframe *tf)
{
	int x = lookup(tf->regs[R_A0]);
	if (x < 0)
		return (u32)x;
	struct xnb *e = &xb[x];
	if (!(e->state & XN_S_ROOT))
		return (u32)-E_INVAL;
	if (e->inflight || xn_owns(e->type, meta[e->meta], owns_a) != 0)
		return (u32)-E_BUSY;
	end_fs(e->fs);
	settle();
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
	const struct xnb *m = &xb[p];
	bool adds = u->op == XN_ALLOC || u->op == XN_LINK;
	if (u->op == XN_NONE)
		return nadd || nrem ? -E_INVAL : 0;
	if (nadd != adds || nrem != !adds || (adds ? add[0] : rem[0]) != u->target)
		return -E_INVAL;
	if (u->op == XN_ALLOC) {
		if (add[1] != u->type || u->target >= disk_nblocks() ||
		    (u->type != XN_DATA && xn_type_payer(u->type) != env_slot(curenv)))
			return -E_INVAL;
		if (find(u->target) >= 0 || disk_in_extent(u->target))
			return -E_BUSY;
		*t = new_entry(u->target, u->type, m->fs);
		return *t < 0 ? *t : 0;
	}
	*t = lookup(u->target);
	if (*t < 0)
		return *t;
	const struct xnb *c = &xb[*t];
	if (c->fs != m->fs)
		return -E_PERM;
	if ((adds ? add[1] : rem[1]) != c->type || (u->op != XN_FREE && c->meta >= 0))
		return -E_INVAL;
	if (u->op == XN_LINK)
		return c->wait >= 0 || c->refs == 0xffff ? -E_BUSY : 0;
	if (u->op == XN_UNLINK)
		return c->refs < 2 || c->wait >= 0 ? -E_BUSY : 0;
	/* XN_FREE: the last pointer, and a metadata block must point to nothing. */
	if (c->refs != 1 || (c->meta >= 0 && xn_owns(c->type, meta[c->meta], owns_a) != 0))
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
 * -E_NOMEM, -E_QUOTA: no entry for a new block. */
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
	if (m->meta < 0)
		return (u32)-E_INVAL;
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
	int err = check_op(&u, p, nadd, add, nrem, rem, &t);
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
	}
	settle();
	return 0;
}

/* ---- I/O and the registry ---- */

/* xn_io(req): move block `block` of one of the caller's file systems
 * (struct xn_io) between the disk and bytes [off, off + DISK_BLOCK) of a
 * page the caller holds, through the disk's queue; the completion word is
 * set as for disk_rw. A metadata block is read from XN's copy at once (no
 * disk request) and written from it (pname, pcheck and off must be 0). The
 * registry records the page. XN_READ_DISK reads a metadata block's bytes
 * as they are on disk, through the queue (a library file system checking
 * what reached the disk; -E_INVAL for a data block, -E_PERM while it has
 * never been written). -E_FAULT; -E_INVAL: bad fields; -E_NOENT,
 * -E_PERM: not the caller's block; -E_BADCAP, -E_PERM: pages as for
 * disk_rw; -E_PERM: a read of a tainted data block (its bytes are a former
 * owner's); -E_BUSY: a metadata block that points to a tainted block;
 * -E_AGAIN: the queue is full. */
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
	if (disk_copy && e->meta < 0)
		return (u32)-E_INVAL;
	if (disk_copy && (e->state & XN_S_TAINTED))
		return (u32)-E_PERM;
	if (disk_copy)
		r.op = XN_READ;
	bool wmeta = e->meta >= 0 && r.op == XN_WRITE;
	if (wmeta && (r.pname || r.pcheck || r.off))
		return (u32)-E_INVAL;
	if (!wmeta && r.op == XN_READ && e->meta < 0 && (e->state & XN_S_TAINTED))
		return (u32)-E_PERM;
	u32 ppn, wppn;
	int err = disk_req_pages(r.op, r.pname, r.pcheck, r.off, wmeta ? 0 : DISK_BLOCK, r.wname,
				 r.wcheck, r.woff, &ppn, &wppn);
	if (err < 0)
		return (u32)err;
	if (e->meta >= 0 && r.op == XN_READ && !disk_copy) {
		u32 pa = ppn * PAGE_SIZE + r.off, wpa = wppn * PAGE_SIZE + r.woff;
		dcache_user_sync(pa, DISK_BLOCK);
		__builtin_memcpy(KADDR(pa), meta[e->meta], DISK_BLOCK);
		dcache_user_sync(pa, DISK_BLOCK);
		dcache_user_sync(wpa, 4);
		*(volatile u32 *)KADDR(wpa) = DISK_DONE;
		dcache_user_sync(wpa, 4);
	} else {
		if (wmeta) {
			int n = xn_owns(e->type, meta[e->meta], owns_a);
			for (int k = 0; k < n; k++) {
				int c = find(owns_a[k][0]);
				if (c >= 0 && (xb[c].state & XN_S_TAINTED))
					return (u32)-E_BUSY;
			}
		}
		err = disk_queue_xn(r.op, e->block, (u32)x, e->mseq, ppn, r.off, wppn, r.woff,
				    wmeta ? meta[e->meta] : NULL);
		if (err < 0)
			return (u32)err;
		e->inflight++;
	}
	if (!wmeta) {
		e->ppn = ppn;
		e->off = r.off;
	}
	return 0;
}

/* xn_bc(first, buf, n): entries [first, first + n) of the buffer-cache
 * registry (struct xn_entry each) into buf; anyone may read them. Returns
 * n. -E_INVAL: past XN_MAXBLOCKS; -E_FAULT. */
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
			v = (struct xn_entry){ e->block, e->type, e->refs,
					       e->state | (e->inflight ? XN_S_INFLIGHT : 0),
					       e->orphan ? 0 : roots[e->fs].ownerid, e->ppn, e->off };
		if (copyout(buf + i * (u32)sizeof v, &v, sizeof v) < 0)
			return (u32)-E_FAULT;
	}
	return n;
}

/* ---- environments and the checker ---- */

void xn_env_gone(struct env *e)
{
	int slot = env_slot(e);
	for (int r = 0; r < XN_MAXROOTS; r++)
		if (roots[r].live && roots[r].owner == slot + 1)
			end_fs(r);
	xn_types_env_gone(e);
	settle();
}

bool xn_range_used(u32 start, u32 count)
{
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		if (xb[i].used && xb[i].block - start < count)
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
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		n += xb[i].used && xb[i].payer == slot + 1;
	return n;
}

#define FAIL(...) do { lib_snprintf(why, len, "xn: " __VA_ARGS__); return false; } while (0)

/* One entry on its own: the disk, its file system, its type, its bytes'
 * slot, its requests. */
static bool entry_ok(int i, char *why, u32 len)
{
	const struct xnb *e = &xb[i];
	const struct xroot *r = &roots[e->fs];
	if (e->block >= disk_nblocks() || disk_in_extent(e->block) || find(e->block) != i)
		FAIL("entry %d: block %u off the disk, in an extent or twice", i, e->block);
	if (e->inflight != disk_xn_requests((u32)i) || (e->orphan && !e->inflight))
		FAIL("entry %d: %u requests counted, %u queued", i, e->inflight,
		     disk_xn_requests((u32)i));
	if ((e->meta >= 0) != (e->type != XN_DATA) || (e->meta >= 0 && !meta_used[e->meta]))
		FAIL("entry %d: type %x and bytes %d disagree", i, e->type, e->meta);
	if (e->orphan && e->payer)
		FAIL("orphan %d charged", i);
	if (e->orphan)
		return true;
	if (e->fs >= XN_MAXROOTS || !r->live || e->payer != r->owner ||
	    envs[r->owner - 1].id != r->ownerid || envs[r->owner - 1].status == ENV_FREE)
		FAIL("entry %d: file system %u not live or not its payer's", i, e->fs);
	if (e->type != XN_DATA && xn_type_payer(e->type) != r->owner - 1)
		FAIL("entry %d: type %x not its owner's", i, e->type);
	if ((e->state & XN_S_ROOT) != (r->x == (u32)i ? XN_S_ROOT : 0))
		FAIL("entry %d: root flag wrong", i);
	if (e->wait >= 0 && (e->wait >= XN_MAXBLOCKS || !xb[e->wait].used))
		FAIL("entry %d waits for a dead entry", i);
	return true;
}

bool xn_consistent(char *why, u32 len)
{
	static u16 refs[XN_MAXBLOCKS];
	static s16 parent[XN_MAXBLOCKS];
	if (!xn_types_consistent(why, len))
		return false;
	u32 nmeta = 0;
	for (int i = 0; i < XN_MAXBLOCKS; i++) {
		refs[i] = 0;
		parent[i] = -1;
		if (xb[i].used && !entry_ok(i, why, len))
			return false;
		nmeta += xb[i].used && xb[i].meta >= 0;
	}
	u32 nused = 0;
	for (int m = 0; m < XN_MAXMETA; m++)
		nused += meta_used[m];
	if (nused != nmeta)
		FAIL("%u metadata blocks, %u copies", nmeta, nused);
	/* Pointers, counted afresh from every metadata block's owns. */
	for (int i = 0; i < XN_MAXBLOCKS; i++) {
		const struct xnb *e = &xb[i];
		if (!e->used || e->orphan || e->meta < 0)
			continue;
		int n = xn_owns(e->type, meta[e->meta], owns_a);
		if (n < 0)
			FAIL("owns of block %u faults", e->block);
		for (int k = 0; k < n; k++) {
			int c = find(owns_a[k][0]);
			if (c < 0 || xb[c].orphan || xb[c].fs != e->fs || xb[c].type != owns_a[k][1] ||
			    (xb[c].state & (XN_S_FREEING | XN_S_ROOT)))
				FAIL("block %u points to %u (type %x), not a live block of its own",
				     e->block, owns_a[k][0], owns_a[k][1]);
			refs[c]++;
			parent[c] = (s16)i;
		}
	}
	for (int i = 0; i < XN_MAXBLOCKS; i++) {
		const struct xnb *e = &xb[i];
		if (!e->used || e->orphan)
			continue;
		bool pointed = !(e->state & (XN_S_ROOT | XN_S_FREEING));
		if (refs[i] != e->refs || (pointed != (refs[i] > 0)) || (e->meta >= 0 && refs[i] > 1))
			FAIL("block %u: %u pointers, counted %u", e->block, e->refs, refs[i]);
		int p = i, steps = 0;                   /* reachable from its root */
		while (p >= 0 && !(xb[p].state & XN_S_ROOT) && steps++ < XN_MAXBLOCKS)
			p = parent[p];
		if (!(e->state & XN_S_FREEING) && (p < 0 || !(xb[p].state & XN_S_ROOT)))
			FAIL("block %u not reachable from a root", e->block);
	}
	return true;
}
