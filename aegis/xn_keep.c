/*
 * xn_keep.c: XN's kept file systems (docs/storage.md, "XN on disk"): a
 * file system kept with a secret outlives its owner (detached, attached to
 * nobody) and the boot; xn_root_attach with the secret takes it back. At
 * boot the kernel loads XN's area (xn_area.c) and rebuilds every kept file
 * system by running owns from its root over the blocks on disk, checking
 * each pointer against the maps, or refuses the whole disk.
 */
#include "xn_int.h"

/* ---- kept file systems (docs/storage.md, "XN on disk") ---- */

/* Root r's record on disk: live with its name, block, type and hash, or
 * cleared. */
static void write_record(int r)
{
	struct xn_droot d = { { 0 }, 0, 0, 0, { 0, 0 }, { 0 } };
	if (xn_roots[r].live && xn_roots[r].kept) {
		__builtin_memcpy(d.name, xn_roots[r].name, XN_NAMELEN);
		d.live = 1;
		d.block = xn_b[xn_roots[r].x].block;
		d.type = xn_b[xn_roots[r].x].type;
		d.hash[0] = xn_roots[r].hash[0];
		d.hash[1] = xn_roots[r].hash[1];
	}
	xna_set_root((u32)r, &d);
}

/* Kept root r, whose entry x points to nothing on disk or in XN, ends: its
 * record is cleared on disk first (a request of entry x, which stays, an
 * orphan, until that write is over: only then can its block be reused),
 * then its blocks go as any file system's. 0, -E_AGAIN (nothing changed). */
int xn_free_kept(int r, int x)
{
	if (xn_b[x].state & XN_S_DIRTY)
		return -E_BUSY;                 /* on disk it may still point to blocks */
	if (xna_flush() < 0)
		return -E_AGAIN;
	xn_roots[r].kept = false;
	write_record(r);
	xn_b[x].inflight++;             /* before: its write may be over at once */
	if (xna_flush_roots((u32)x) < 0) {
		xn_b[x].inflight--;
		xn_roots[r].kept = true;
		write_record(r);
		return -E_AGAIN;
	}
	xn_types_unbind(r);
	xn_end_fs(r);
	xn_settle();
	return 0;
}

/* Kept root r's owner has gone: the file system stays, attached to nobody
 * (its blocks and templates charged to nobody) until xn_root_attach. */
void xn_detach(int r)
{
	struct xroot *rt = &xn_roots[r];
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
	int x = xn_lookup(tf->regs[R_A0]);
	if (x < 0)
		return (u32)x;
	if (!xna_present())
		return (u32)-E_NOENT;
	struct xnb *e = &xn_b[x];
	if (!(e->state & XN_S_ROOT))
		return (u32)-E_INVAL;
	if (get_secret(secret, tf->regs[R_A1]) < 0)
		return (u32)-E_FAULT;
	if (e->state & XN_S_TAINTED)
		return (u32)-E_BUSY;
	int r = e->fs;
	for (int i = 0; i < XN_MAXBLOCKS; i++)  /* its templates: every metadata block's */
		if (xn_b[i].used && !xn_b[i].orphan && xn_b[i].fs == r && xn_is_meta(&xn_b[i]) &&
		    xn_type_root(xn_b[i].type) >= 0 && xn_type_root(xn_b[i].type) != r)
			return (u32)-E_BUSY;
	if (xna_flush() < 0)
		return (u32)-E_AGAIN;
	for (int i = 0; i < XN_MAXBLOCKS; i++)
		if (xn_b[i].used && !xn_b[i].orphan && xn_b[i].fs == r && xn_is_meta(&xn_b[i]))
			xn_type_bind(xn_b[i].type, r);
	for (u32 b = 0; b < xn_cover(); b++)       /* its blocks, in the maps */
		if (xn_map[b] == r + 1) {
			int i = xn_find(b);
			xna_mark(b, true, i >= 0 && (xn_b[i].state & XN_S_TAINTED));
		}
	xn_roots[r].kept = true;
	xn_secret_hash(xn_roots[r].name, secret, xn_roots[r].hash);
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
	int err = xn_get_name(a.name, tf->regs[R_A0]);
	if (err < 0)
		return (u32)err;
	int r = xn_root_named(a.name);
	if (r < 0 || !xn_roots[r].kept)
		return (u32)-E_NOENT;
	if (xn_roots[r].owner)
		return (u32)-E_BUSY;
	u32 h[2];
	xn_secret_hash(xn_roots[r].name, a.secret, h);
	if (h[0] != xn_roots[r].hash[0] || h[1] != xn_roots[r].hash[1])
		return (u32)cap_failed();
	u32 n = xn_roots[r].nblocks + xn_types_count(r);
	int q = limit_charge(curenv, LIM_XN, n);
	if (q < 0)
		return (u32)q;
	xn_types_attach(r, curenv);
	xn_roots[r].owner = (u8)(env_slot(curenv) + 1);
	xn_roots[r].ownerid = curenv->id;
	return xn_b[xn_roots[r].x].block;
}

/* ---- boot: the kept file systems, rebuilt from their roots ---- */

static char why_buf[120];
#define WHY(...) (lib_snprintf(why_buf, sizeof why_buf, __VA_ARGS__), why_buf)

/* Metadata block x (of file system r) read from the disk: every block its
 * owns reports becomes r's, each new metadata block pushed on stack (so
 * its owns runs once). A block reached again from r with the same type is
 * one more reference: a data block's link, or a metadata block caught
 * between the link and the unlink of a move (at most two pointers: its
 * second parent recorded in up[1]). NULL, or why the disk cannot be
 * trusted. */
static const char *reach(int x, u16 *stack, u32 *top)
{
	static u8 buf[XN_META] __attribute__((aligned(8)));
	struct xnb *e = &xn_b[x];
	u32 r = e->fs;
	if (disk_read_sync(e->block, buf) < 0)
		return WHY("block %u unreadable", e->block);
	int n = xn_owns(e->type, buf, xn_owns_a);
	if (n < 0)
		return WHY("owns of block %u (type %x) faults", e->block, e->type);
	if (xn_copy_get(x) >= 0)
		__builtin_memcpy(xn_meta[e->meta], buf, XN_META);
	for (int k = 0; k < n; k++) {
		u32 c = xn_owns_a[k][0], ct = xn_owns_a[k][1];
		if (c < xna_area() || c >= xn_cover())
			return WHY("block %u points to %u: XN's area or off the disk", e->block, c);
		if (!xna_allocated(c) || xna_tainted(c))
			return WHY("block %u points to %u, %s in the map", e->block, c,
				   xna_allocated(c) ? "tainted" : "free");
		if (ct != XN_DATA && xn_type_root(ct) != (int)r)
			return WHY("block %u points to %u as type %x, not its file system's", e->block,
				   c, ct);
		int ci = xn_find(c);
		if (xn_map[c]) {                  /* another pointer: a link */
			if (xn_map[c] != r + 1 || (ci >= 0 ? xn_b[ci].type != ct : ct != XN_DATA) ||
			    (ct != XN_DATA && (xn_b[ci].refs >= 2 || (xn_b[ci].state & XN_S_ROOT))))
				return WHY("block %u owned twice (again from %u)", c, e->block);
			if (ct != XN_DATA) {      /* a metadata block being moved */
				xn_b[ci].refs++;
				xn_b[ci].up[1] = (s16)x;
				continue;
			}
			if (ci < 0 && (ci = xn_entry_add(c, XN_DATA, r)) >= 0)
				xn_b[ci].refs = 1;
			if (ci < 0)
				return WHY("more linked blocks than registry entries");
			xn_b[ci].refs++;
			continue;
		}
		xn_map[c] = (u8)(r + 1);
		xn_roots[r].nblocks++;
		xn_st.blocks++;
		if (ct == XN_DATA)
			continue;
		int y = xn_entry_add(c, ct, r);
		if (y < 0)
			return WHY("more metadata blocks than registry entries (%u)", XN_MAXBLOCKS);
		xn_b[y].refs = 1;
		xn_b[y].up[0] = (s16)x;
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
		xn_map[b] = BM_AREA;
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
		if (!n || d.block < xna_area() || d.block >= xn_cover() || xn_type_root(d.type) != r ||
		    xn_map[d.block] || !xna_allocated(d.block) || xna_tainted(d.block))
			return WHY("root record %d (block %u, type %x) does not fit", r, d.block, d.type);
		xn_roots[r] = (struct xroot){ .live = true, .kept = true, .hash = { d.hash[0], d.hash[1] } };
		__builtin_memcpy(xn_roots[r].name, d.name, XN_NAMELEN);
		if (xn_root_named(d.name) != r)
			return WHY("two xn_roots named %s", d.name);
		int x = xn_entry_add(d.block, d.type, (u32)r);
		if (x < 0)
			return WHY("registry full");
		xn_b[x].state = XN_S_ROOT;
		xn_roots[r].x = (u32)x;
		xn_map[d.block] = (u8)(r + 1);
		xn_roots[r].nblocks = 1;
		xn_st.blocks++;
		xn_st.roots++;
		u32 top = 0;
		stack[top++] = (u16)x;
		while (top) {
			const char *why = reach(stack[--top], stack, &top);
			if (why)
				return why;
		}
		for (int i = 0; i < XN_MAXBLOCKS; i++)  /* a cycle goes through a block with two */
			if (xn_b[i].used && xn_b[i].fs == r && xn_b[i].up[1] >= 0 &&
			    (xn_above(i, xn_b[i].up[0]) || xn_above(i, xn_b[i].up[1])))
				return WHY("block %u is in a cycle of metadata blocks", xn_b[i].block);
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
	const char *why = e == -E_IO ? "its area could not be read" :
			  e < 0 ? "its superblock does not fit this disk" : rebuild();
	if (why) {
		kprintf("[aegis] xn: disk refused: %s; XN and extents will not use it\n", why);
		xn_tables_reset();
		xn_types_reset();
		__builtin_memset(xn_map, BM_AREA, xn_cover());
		xn_refused = true;
		return;
	}
	/* Every block XN covers that no kept file system holds is tainted
	 * (disk.c: it reads as zeros until next written): a kept file system
	 * may have freed it in an earlier boot (the in-memory taint of that
	 * free is gone), or a crash may have leaked it after its owner wrote
	 * it, so it may hold bytes whose owner outlived the boot. Without this
	 * an extent over it reads them (xntest/persist_attach's thief). */
	u32 leaks = 0;
	for (u32 b = xna_area(); b < xn_cover(); b++) {
		if (xn_map[b])
			continue;
		disk_taint(b, 1);
		if (xna_allocated(b) || xna_tainted(b)) {
			leaks += xna_allocated(b);
			xna_mark(b, false, false);  /* allocated, but nothing on disk points to it */
		}
	}
	kprintf("[aegis] xn: area of %u blocks; %u kept file systems, %u blocks, %u metadata copies; %u leaked blocks reclaimed\n",
		xna_area(), xn_st.roots, xn_st.blocks, xn_st.copies, leaks);
}

