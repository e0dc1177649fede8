/*
 * xn_check.c: kcheck's XN invariants (xn_consistent): the block map
 * against the roots, the entries and the copies; each entry on its own;
 * the pointers counted afresh from every cached metadata copy's owns.
 */
#include "xn_int.h"

#define FAIL(...) do { lib_snprintf(why, len, "xn: " __VA_ARGS__); return false; } while (0)

/* One entry on its own: the disk, the map, the hash, its file system, its
 * type, its copy, its requests. */
static bool entry_ok(int i, char *why, u32 len)
{
	const struct xnb *e = &xn_b[i];
	const struct xroot *r = &xn_roots[e->fs];
	if (e->block >= xn_cover() || disk_in_extent(e->block) || xn_find(e->block) != i ||
	    xn_map[e->block] != (e->orphan ? BM_ORPHAN : e->fs + 1))
		FAIL("entry %d: block %u off the disk, in an extent, twice or not in the map", i,
		     e->block);
	if (e->inflight != disk_xn_requests((u32)i) || (e->orphan && !e->inflight))
		FAIL("entry %d: %u requests counted, %u queued", i, e->inflight,
		     disk_xn_requests((u32)i));
	if ((e->meta >= 0 && (!xn_is_meta(e) || xn_meta_of[e->meta] != i + 1)) ||
	    (xn_is_meta(e) && e->meta < 0 && (e->state & (XN_S_DIRTY | XN_S_TAINTED))))
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
	if (e->wait >= 0 && (e->wait >= XN_MAXBLOCKS || !xn_b[e->wait].used))
		FAIL("entry %d waits for a dead entry", i);
	if (e->unlinked && e->wait < 0)
		FAIL("entry %d: an unlink waiting for nothing", i);
	for (int k = 0; k < 2; k++) {           /* parents: metadata of its own, packed */
		int p = e->up[k];
		if (p >= 0 && (!xn_is_meta(e) || (e->state & XN_S_ROOT) || p >= XN_MAXBLOCKS ||
			       !xn_b[p].used || xn_b[p].orphan || xn_b[p].fs != e->fs ||
			       !xn_is_meta(&xn_b[p]) || (k == 1 && e->up[0] < 0)))
			FAIL("entry %d: parent %d wrong", i, p);
	}
	if (xn_is_meta(e) && !(e->state & (XN_S_ROOT | XN_S_FREEING)) && e->up[0] < 0)
		FAIL("entry %d: metadata with no parent", i);
	return true;
}

/* Are the parents counted for metadata entry i (cp, n of them) its up[],
 * less an unlink's old parent still recorded (all of them a subset, when
 * some copies were let go of)? */
static bool parents_ok(int i, const s16 cp[2], u32 n, bool partial)
{
	const struct xnb *e = &xn_b[i];
	s16 up[2] = { e->up[0], e->up[1] };
	for (u32 k = 0; k < n; k++) {
		int j = up[0] == cp[k] ? 0 : up[1] == cp[k] ? 1 : -1;
		if (j < 0)
			return false;
		up[j] = -1;                     /* matched */
	}
	if (partial || (e->state & XN_S_FREEING))
		return true;
	u32 left = (up[0] >= 0) + (up[1] >= 0);
	return left == (e->unlinked ? 1u : 0u) && (!left || up[0] == e->wait || up[1] == e->wait);
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
		u8 v = xn_map[b];
		if (!v)
			continue;
		if (v == BM_AREA) {
			if (!xn_refused && (b >= xna_area() || !xna_allocated(b)))
				FAIL("block %u marked XN's own outside its area", b);
			continue;
		}
		total++;
		if (b >= xn_cover() || (v != BM_ORPHAN && (v > XN_MAXROOTS || !xn_roots[v - 1].live)))
			FAIL("block %u held by %u, not a live file system", b, v);
		if (v != BM_ORPHAN && xn_roots[v - 1].kept && !xna_allocated(b))
			FAIL("block %u of a kept file system free in the map", b);
		if (v == BM_ORPHAN ? xn_find(b) < 0 : disk_in_extent(b))
			FAIL("block %u: an orphan without an entry, or in an extent", b);
		if (v != BM_ORPHAN)
			per[v - 1]++;
	}
	for (int r = 0; r < XN_MAXROOTS; r++)
		if (per[r] != (xn_roots[r].live ? xn_roots[r].nblocks : 0))
			FAIL("file system %d holds %u blocks, counted %u", r, per[r], xn_roots[r].nblocks);
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		nent += xn_b[i].used;
	for (int m = 0; m < XN_MAXMETA; m++) {
		ncopies += xn_meta_of[m] != 0;
		if (xn_meta_of[m] && (!xn_b[xn_meta_of[m] - 1].used || xn_b[xn_meta_of[m] - 1].meta != m))
			FAIL("copy %d of a dead entry", m);
	}
	if (total != xn_st.blocks || nent != xn_st.entries || ncopies != xn_st.copies)
		FAIL("%u blocks, %u entries, %u copies; counted %u, %u, %u", total, nent, ncopies,
		     xn_st.blocks, xn_st.entries, xn_st.copies);
	return true;
}

bool xn_consistent(char *why, u32 len)
{
	static u16 refs[XN_MAXBLOCKS];
	static s16 parent[XN_MAXBLOCKS][2];    /* the first two counted */
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
		parent[i][0] = parent[i][1] = -1;
		if (xn_b[i].used && !entry_ok(i, why, len))
			return false;
		if (xn_b[i].used && !xn_b[i].orphan && xn_is_meta(&xn_b[i]) && xn_b[i].meta < 0)
			partial[xn_b[i].fs] = true;
	}
	for (u32 k = 0; k < xn_nslist; k++)
		if (!xn_b[xn_slist[k]].used || !xn_b[xn_slist[k]].listed)
			FAIL("settle list entry %u dead", xn_slist[k]);
	for (u32 i = 0; i < XN_MAXTYPES; i++) {
		int r = xn_type_bound(i);
		if (r >= 0 && (r >= XN_MAXROOTS || !xn_roots[r].live || !xn_roots[r].kept))
			FAIL("template %u bound to root %d, not a kept file system", i, r);
	}
	/* Pointers, counted afresh from every cached metadata block's owns. */
	for (int i = 0; i < XN_MAXBLOCKS; i++) {
		const struct xnb *e = &xn_b[i];
		if (!e->used || e->orphan || !xn_copy_of(e))
			continue;
		int n = xn_owns(e->type, xn_copy_of(e), xn_owns_a);
		if (n < 0)
			FAIL("owns of block %u faults", e->block);
		for (int k = 0; k < n; k++) {
			u32 b = xn_owns_a[k][0];
			int c = b < xn_cover() ? xn_find(b) : -1;
			if (b >= xn_cover() || xn_map[b] != e->fs + 1 ||
			    (c >= 0 ? xn_b[c].type != xn_owns_a[k][1] ||
					      (xn_b[c].state & (XN_S_FREEING | XN_S_ROOT)) :
				      xn_owns_a[k][1] != XN_DATA || (seen[b >> 5] >> (b & 31) & 1)))
				FAIL("block %u points to %u (type %x), not a live block of its own",
				     e->block, b, xn_owns_a[k][1]);
			seen[b >> 5] |= 1u << (b & 31);
			if (c >= 0) {
				if (refs[c] < 2)
					parent[c][refs[c]] = (s16)i;
				refs[c]++;
			}
		}
	}
	for (u32 b = 0; b < xn_cover(); b++)       /* a plain block nothing points to */
		if (xn_map[b] && xn_map[b] <= XN_MAXROOTS && !partial[xn_map[b] - 1] && xn_find(b) < 0 &&
		    !(seen[b >> 5] >> (b & 31) & 1))
			FAIL("block %u held but not pointed to", b);
	for (int i = 0; i < XN_MAXBLOCKS; i++) {
		const struct xnb *e = &xn_b[i];
		if (!e->used || e->orphan)
			continue;
		if (xn_is_meta(e) && (refs[i] > 2 || !parents_ok(i, parent[i], refs[i], partial[e->fs])))
			FAIL("block %u: pointed to by %u blocks, not its parents %d, %d", e->block,
			     refs[i], e->up[0], e->up[1]);
		if (e->up[1] >= 0 && (xn_above(i, e->up[0]) || xn_above(i, e->up[1])))
			FAIL("block %u is in a cycle", e->block);
		if (partial[e->fs]) {           /* some parents unseen: a lower bound */
			if (refs[i] > e->refs)
				FAIL("block %u: %u pointers, counted %u", e->block, e->refs, refs[i]);
			continue;
		}
		bool pointed = !(e->state & (XN_S_ROOT | XN_S_FREEING));
		if (refs[i] != e->refs || (pointed != (refs[i] > 0)))
			FAIL("block %u: %u pointers, counted %u", e->block, e->refs, refs[i]);
		int p = i, steps = 0;                   /* reachable from its root */
		while (p >= 0 && !(xn_b[p].state & XN_S_ROOT) && steps++ < XN_MAXBLOCKS)
			p = parent[p][0];
		if (!(e->state & XN_S_FREEING) && (p < 0 || !(xn_b[p].state & XN_S_ROOT)))
			FAIL("block %u not reachable from a root", e->block);
	}
	return true;
}
