/*
 * cffs_cache.c: cffs's buffer cache and its requests to XN (cffs.h).
 *
 * The buffers are 512-byte slices of CFFS_CACHE_PAGES pages this
 * environment owns; every xn_io names the page and offset, so XN's
 * registry (xn_bc) records which page each block last moved through, as XN
 * expects. A data block's bytes are the cache's (written back by sync or
 * when evicted); a metadata block's checked bytes are XN's: the buffer is a
 * copy read with XN_READ and changed alongside each xn_update, and a
 * metadata write sends XN's copy (no page). Which metadata blocks changed
 * since last written is kept apart from the buffers (a bitmap over the
 * disk), so a metadata buffer can be dropped at any time.
 *
 * Requests go in groups: up to 8 queued (the disk's queue), each with its
 * own completion word, then one wait per word. -E_NOTCACHED (XN let go of
 * its copy of a metadata block) from xn_update or xn_io: read the block
 * with XN_READ and try again, at most NC_TRIES times.
 */
#include "cffs.h"

#define NBUF      (CFFS_CACHE_PAGES * 8)
#define NHASH     1024
#define GROUP     8             /* DISK_QUEUE: requests in flight at once */
#define NC_TRIES  4
#define WAIT      (4u * 160000000u)   /* 4 s of Count: a request's limit */
#define DONE_VA   (CFFS_CACHE_VA - PAGE_SIZE)

struct buf {
	u32 blk;
	u8 valid, dirty;         /* dirty: a data block's bytes not yet written */
	u32 stamp;              /* last use, for eviction */
	s16 next;               /* hash chain */
};
static struct buf bufs[NBUF];
static s16 hash[NHASH];
static u32 pname[CFFS_CACHE_PAGES], pcheck[CFFS_CACHE_PAGES], wname, wcheck;
static u32 clock_;
static bool ready;
static u8 *mdirty;              /* bitmap over the disk: metadata changed, not written */
static u8 *mlate;               /* of those, DIR blocks whose entries changed: written last */
static u8 *sel;                 /* bitmap over the disk: what a partial sync writes (fsync) */
static bool any_mdirty;         /* a bit of mdirty may be set */
static bool syncing;            /* inside cffs_cache_sync: no sync to make room */
static bool make_room(void);
static u32 ndisk;
struct cffs_counters cffs_count;
u32 cffs_inject_notcached, cffs_inject_stop;

/* The test hook: while cffs_inject_notcached is nonzero, a metadata update
 * or write answers -E_NOTCACHED without reaching XN (as XN at disk scale
 * will when it has let go of the block's copy). */
static bool injected(void)
{
	if (!cffs_inject_notcached)
		return false;
	cffs_inject_notcached--;
	return true;
}

static u8 *bytes_of(int b) { return (u8 *)(CFFS_CACHE_VA + (u32)b * CFFS_BSIZE); }

int cffs_cache_init(void)
{
	if (ready)
		return 0;
	struct disk_info di;
	int n = sys_disk_info(&di);
	if (n <= 0)
		return n < 0 ? n : -E_NOENT;
	ndisk = (u32)n;
	mdirty = malloc(ndisk / 8 + 1);
	mlate = malloc(ndisk / 8 + 1);
	sel = malloc(ndisk / 8 + 1);
	if (!mdirty || !mlate || !sel)
		return -E_NOMEM;
	for (u32 i = 0; i < ndisk / 8 + 1; i++)
		mdirty[i] = mlate[i] = sel[i] = 0;
	int e = vm_map(DONE_VA, CFFS_CACHE_PAGES + 1, VM_RW);
	if (e < 0)
		return e;
	for (u32 i = 0; i <= CFFS_CACHE_PAGES; i++) {      /* touch: the pages are there */
		*(volatile u32 *)(DONE_VA + i * PAGE_SIZE) = 0;
		u32 nm, ck;
		if ((e = exos_page_cap(DONE_VA + i * PAGE_SIZE, &nm, &ck)) < 0)
			return e;
		if (i == 0)
			wname = nm, wcheck = ck;
		else
			pname[i - 1] = nm, pcheck[i - 1] = ck;
	}
	for (u32 i = 0; i < NHASH; i++)
		hash[i] = -1;
	for (u32 i = 0; i < NBUF; i++)
		bufs[i].valid = 0;
	ready = true;
	return 0;
}

/* --- requests -------------------------------------------------------------- */

struct req { u32 op, blk; int buf; int err; };   /* buf -1: a metadata write (XN's copy) */

/* Queue r[0..n) (n <= GROUP), then wait for each: r[i].err is its status. */
static void submit_group(struct req *r, u32 n)
{
	volatile u32 *word = (volatile u32 *)DONE_VA;
	for (u32 i = 0; i < n; i++) {
		int b = r[i].buf;
		struct xn_io x = { r[i].op, r[i].blk, b < 0 ? 0 : pname[b / 8], b < 0 ? 0 : pcheck[b / 8],
				   b < 0 ? 0 : (u32)(b % 8) * CFFS_BSIZE, wname, wcheck, 4 * i };
		word[i] = 0;
		u32 start = read_count();
		int e = x.op != XN_READ && b < 0 && injected() ? -E_NOTCACHED : sys_xn_io(&x);
		while (e == -E_AGAIN && read_count() - start < WAIT) {   /* the queue is full */
			sys_yield();
			e = sys_xn_io(&x);
		}
		r[i].err = e < 0 ? e : 1;             /* 1: queued */
		if (e >= 0) {
			if (r[i].op == XN_WRITE)
				cffs_count.wr_reqs++, cffs_count.wr_bytes += CFFS_BSIZE;
			else
				cffs_count.rd_reqs++, cffs_count.rd_bytes += CFFS_BSIZE;
		}
	}
	for (u32 i = 0; i < n; i++) {
		if (r[i].err != 1)
			continue;
		u32 start = read_count();
		while (!word[i] && read_count() - start < WAIT)
			exos_wait_changed_cap(&word[i], wname, wcheck, 0, WAIT - (read_count() - start));
		r[i].err = word[i] & DISK_DONE ? DISK_STATUS(word[i]) : -E_IO;
	}
}

/* A fresh copy of metadata block blk from XN (its answer to -E_NOTCACHED),
 * into blk's buffer (taken if it has none). A dirty data buffer is never
 * overwritten. */
static int buf_find(u32 blk);
static int buf_take(u32 blk, int *err);
static void unhash(int b);
static void refetch(u32 blk)
{
	int err, b = buf_find(blk);
	if (b >= 0 && bufs[b].dirty)
		return;
	if (b < 0 && (b = buf_take(blk, &err)) < 0)
		return;
	struct req r = { XN_READ, blk, b, 0 };
	cffs_count.notcached++;
	submit_group(&r, 1);
	if (r.err == -E_NOMEM && make_room())   /* no copy XN can let go of: write some */
		submit_group(&r, 1);
	if (r.err < 0)
		unhash(b);
}

/* Run r[0..n) in groups of GROUP, retrying each -E_NOTCACHED after a fresh
 * read of its block. Returns the first error, or 0. */
static int run_reqs(struct req *r, u32 n)
{
	int first = 0;
	for (u32 i = 0; i < n; i += GROUP) {
		u32 k = n - i < GROUP ? n - i : GROUP;
		submit_group(r + i, k);
		for (u32 j = i; j < i + k; j++) {
			for (int t = 0; r[j].err == -E_NOTCACHED && t < NC_TRIES; t++) {
				if (t > 0)
					make_room();
				refetch(r[j].blk);
				submit_group(r + j, 1);
			}
			if (r[j].err == -E_NOMEM && make_room())
				submit_group(r + j, 1);
			if (r[j].err < 0 && !first)
				first = r[j].err;
		}
	}
	return first;
}

int cffs_update(u32 block, u32 op, u32 target, u32 type, u32 off, u32 len, const void *bytes,
		u32 cred)
{
	struct xn_upd u = { block, op, target, type, off, len, bytes, cred };
	int e = injected() ? -E_NOTCACHED : sys_xn_update(&u);
	for (int t = 0; e == -E_NOTCACHED && t < NC_TRIES; t++) {
		if (t > 0)
			make_room();    /* XN refills a copy only over a clean one */
		refetch(block);
		if (target && t > 0)
			refetch(target);        /* XN may need the target's copy too (a freed IND) */
		e = injected() ? -E_NOTCACHED : sys_xn_update(&u);
	}
	if (e == -E_NOMEM && op != XN_ALLOC && make_room())
		e = sys_xn_update(&u);  /* an allocation's caller decides (cffs.c) */
	cffs_count.updates++;
	if (e < 0)
		return e;
	int b = buf_find(block);
	if (b >= 0)
		for (u32 i = 0; i < len; i++)
			bytes_of(b)[off + i] = ((const u8 *)bytes)[i];
	cffs_mdirty(block);
	return 0;
}

/* --- buffers --------------------------------------------------------------- */

/* Is blk in the bitmap want (NULL: every block is)? */
static bool wanted(const u8 *want, u32 blk)
{
	return !want || (blk < ndisk && (want[blk / 8] & (1u << (blk % 8))));
}

/* Write every dirty data buffer whose block is in want (NULL: all), GROUP
 * requests at a time: 0 or the first error. */
static int flush_data(const u8 *want)
{
	struct req r[GROUP];
	for (;;) {
		u32 k = 0;
		for (int b = 0; b < NBUF && k < GROUP; b++)
			if (bufs[b].valid && bufs[b].dirty && wanted(want, bufs[b].blk))
				r[k++] = (struct req){ XN_WRITE, bufs[b].blk, b, 0 };
		if (!k)
			return 0;
		int e = run_reqs(r, k);
		for (u32 j = 0; j < k; j++)
			if (r[j].err >= 0)
				bufs[r[j].buf].dirty = 0;
		if (e < 0)
			return e;
	}
}

static int buf_find(u32 blk)
{
	for (int b = hash[blk % NHASH]; b >= 0; b = bufs[b].next)
		if (bufs[b].valid && bufs[b].blk == blk) {
			bufs[b].stamp = ++clock_;
			return b;
		}
	return -1;
}

static void unhash(int b)
{
	s16 *p = &hash[bufs[b].blk % NHASH];
	while (*p >= 0 && *p != b)
		p = &bufs[*p].next;
	if (*p == b)
		*p = bufs[b].next;
	bufs[b].valid = 0;
}

/* A buffer for blk, not yet valid: an invalid one, or the least recently
 * used, written first if dirty. Returns -1 with *err if that write failed. */
static int buf_take(u32 blk, int *err)
{
	int best = -1;
	for (int b = 0; b < NBUF; b++) {
		if (!bufs[b].valid) {
			best = b;
			break;
		}
		if (best < 0 || bufs[b].stamp < bufs[best].stamp)
			best = b;
	}
	if (bufs[best].valid) {
		if (bufs[best].dirty) {         /* write behind: every dirty block, in groups */
			int e = flush_data(NULL);
			if (e < 0) {
				*err = e;
				return -1;
			}
		}
		unhash(best);
	}
	struct buf *p = &bufs[best];
	p->blk = blk;
	p->valid = 1;
	p->dirty = 0;
	p->stamp = ++clock_;
	p->next = hash[blk % NHASH];
	hash[blk % NHASH] = (s16)best;
	return best;
}

u8 *cffs_bread(u32 blk, int *err)
{
	int b = buf_find(blk);
	if (b >= 0)
		return bytes_of(b);
	if ((b = buf_take(blk, err)) < 0)
		return NULL;
	struct req r = { XN_READ, blk, b, 0 };
	int e = run_reqs(&r, 1);
	if (e < 0) {
		unhash(b);
		*err = e;
		return NULL;
	}
	return bytes_of(b);
}

u8 *cffs_bnew(u32 blk, int *err)
{
	int b = buf_find(blk);
	if (b < 0 && (b = buf_take(blk, err)) < 0)
		return NULL;
	u32 *w = (u32 *)bytes_of(b);
	for (u32 i = 0; i < CFFS_BSIZE / 4; i++)
		w[i] = 0;
	return bytes_of(b);
}

/* Read the group r[0..k): buffers of failed reads are dropped. */
static int read_group(struct req *r, u32 k)
{
	int e = run_reqs(r, k);
	for (u32 j = 0; j < k; j++)
		if (r[j].err < 0)
			unhash(r[j].buf);
	return e;
}

int cffs_bread_group(const u32 *list, u32 n)
{
	struct req r[GROUP];
	u32 k = 0;
	int first = 0;
	for (u32 i = 0; i < n; i++) {
		if (buf_find(list[i]) >= 0)
			continue;
		int e = 0, b = buf_take(list[i], &e);
		if (b < 0)
			return e;
		r[k++] = (struct req){ XN_READ, list[i], b, 0 };
		if (k == GROUP || i == n - 1) {
			if ((e = read_group(r, k)) < 0 && !first)
				first = e;
			k = 0;
		}
	}
	if (k) {
		int e = read_group(r, k);
		if (e < 0 && !first)
			first = e;
	}
	return first;
}

void cffs_bdirty(u32 blk)
{
	int b = buf_find(blk);
	if (b >= 0)
		bufs[b].dirty = 1;
}

void cffs_mdirty(u32 blk)
{
	if (blk < ndisk)
		mdirty[blk / 8] |= (u8)(1u << (blk % 8));
	any_mdirty = true;
}

void cffs_mlate(u32 blk)
{
	if (blk < ndisk)
		mlate[blk / 8] |= (u8)(1u << (blk % 8));
}

bool cffs_cache_dirty(void) { return any_mdirty; }

bool cffs_is_mdirty(u32 blk) { return blk < ndisk && (mdirty[blk / 8] & (1u << (blk % 8))); }

void cffs_sel_clear(void)
{
	for (u32 i = 0; sel && i < ndisk / 8 + 1; i++)
		sel[i] = 0;
}

void cffs_sel_add(u32 blk)
{
	if (sel && blk < ndisk)
		sel[blk / 8] |= (u8)(1u << (blk % 8));
}

bool cffs_sel_has(u32 blk) { return sel && blk < ndisk && (sel[blk / 8] & (1u << (blk % 8))); }

u32 cffs_sel_next(u32 blk)
{
	for (; sel && blk < ndisk; blk++) {
		if (!(sel[blk / 8] & mdirty[blk / 8])) {
			blk |= 7;
			continue;
		}
		if (cffs_sel_has(blk) && cffs_is_mdirty(blk))
			return blk;
	}
	return ~0u;
}

/* XN answered -E_NOMEM: its copies may all be of changed metadata, which
 * it cannot let go of until they are written. Write them (once, not from
 * inside a sync): whether anything was. */
static bool make_room(void)
{
	if (syncing || !any_mdirty)
		return false;
	return cffs_cache_sync() == 0;
}

void cffs_bforget(u32 blk)
{
	int b = buf_find(blk);
	if (b >= 0)
		unhash(b);
	if (blk < ndisk) {
		mdirty[blk / 8] &= (u8)~(1u << (blk % 8));
		mlate[blk / 8] &= (u8)~(1u << (blk % 8));
	}
}

/* --- sync ------------------------------------------------------------------ */

struct pass { u32 done, left; int first; };

/* Write the metadata blocks of r[0..k) from XN's copies; count them in p:
 * written (no longer dirty), left for a later pass (-E_BUSY: one of their
 * children is still tainted), or the first other error. */
static void meta_group(struct req *r, u32 k, struct pass *p)
{
	run_reqs(r, k);
	for (u32 j = 0; j < k; j++) {
		if (r[j].err >= 0) {
			mdirty[r[j].blk / 8] &= (u8)~(1u << (r[j].blk % 8));
			mlate[r[j].blk / 8] &= (u8)~(1u << (r[j].blk % 8));
			p->done++;
		} else if (r[j].err == -E_BUSY) {
			p->left++;
		} else if (!p->first) {
			p->first = r[j].err;
		}
	}
}

static int cache_sync(const u8 *want);

/* cache_sync(want) once the cache is set up, marked as a sync (so that no
 * sync starts inside it to make room). */
static int sync_of(const u8 *want)
{
	if (!ready)
		return 0;
	syncing = true;
	int e = cache_sync(want);
	syncing = false;
	return e;
}

int cffs_cache_sync(void)
{
	int e = sync_of(NULL);
	if (e == 0)
		any_mdirty = false;
	return e;
}

int cffs_cache_sync_sel(void) { return sync_of(sel); }

/* Whether metadata block blk waits for the late round of a sync: a DIR
 * block with a changed entry, unless XN still holds it tainted (a new
 * block: nothing on disk points to it yet, and its parent waits for it). */
static bool late(u32 blk)
{
	struct xn_entry x;
	if (!(mlate[blk / 8] & (1u << (blk % 8))))
		return false;
	return sys_xn_bc_find(blk, &x) < 0 || !(x.state & XN_S_TAINTED);
}

/* Write the changed metadata (in the early round, not the late blocks), in
 * passes: a block that points to one still tainted (its child queued in
 * this pass, or not yet written) waits for the next pass, so children
 * reach the disk before their parents. 0, -E_BUSY (nothing moved: a child
 * that cannot be written yet), or another error. */
static int meta_round(bool early, const u8 *want)
{
	for (int pass = 0; pass < 64; pass++) {
		struct pass p = { 0, 0, 0 };
		struct req r[GROUP];
		u32 k = 0;
		for (u32 blk = 0; blk < ndisk; blk++) {
			if (!(mdirty[blk / 8] & (want ? want[blk / 8] : 0xff))) {
				blk |= 7;       /* the next byte */
				continue;
			}
			if (!cffs_is_mdirty(blk) || !wanted(want, blk) || (early && late(blk)))
				continue;
			if (cffs_inject_stop && --cffs_inject_stop == 0) {
				if (k)
					meta_group(r, k, &p);
				return -E_IO;   /* the test hook: the board stops here */
			}
			r[k++] = (struct req){ XN_WRITE, blk, -1, 0 };
			if (k == GROUP)
				meta_group(r, k, &p), k = 0;
		}
		if (k)
			meta_group(r, k, &p);
		if (p.first)
			return p.first;
		if (!p.left)
			return 0;
		if (!p.done)
			return -E_BUSY;
	}
	return -E_BUSY;
}

/*
 * Data first; then metadata in two rounds: the trees (IND blocks, and new
 * DIR blocks), then the DIR blocks whose entries changed. An entry holds a
 * file's size and the tree holds its blocks, so on the disk a size never
 * covers a block its tree does not point to yet: a crash between the
 * rounds leaves a tree reaching past its size (cffs reuses those blocks as
 * the file grows), never the reverse. A file shrinks the other way round:
 * its entry's size first, and the trees it frees are not written (cffs.c).
 * Only the blocks in want (NULL: every one; fsync's selection).
 */
static int cache_sync(const u8 *want)
{
	int e = flush_data(want);
	if (e < 0)
		return e;
	if ((e = meta_round(true, want)) < 0 && e != -E_BUSY)
		return e;
	return meta_round(false, want);
}

void cffs_cache_drop(void)
{
	for (int b = 0; b < NBUF; b++)
		if (bufs[b].valid)
			unhash(b);
}
