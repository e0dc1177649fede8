/*
 * hostile.c: a hostile library file system of cffs's own kind, run by
 * cffstest/hostile_kind in another environment. It registers cffs's own
 * DIR and IND templates (exos/cffs_udf.c), makes a cffs-format root of its
 * own on the same disk, and attacks the suite's live cffs (whose blocks,
 * types and key are in the box): claiming cffs's blocks, entries whose
 * owns says more than the update claims, an IND whose count hides its
 * pointers, a TOP's type changed, a parent written before its new child,
 * a block freed while still pointed to, cffs's blocks read and written,
 * and templates that lie. Each refusal is a check; it returns how many
 * failed. docs/storage.md ("A hostile file system of cffs's kind") names
 * the XN rule behind each.
 */
#include "cffstest.h"

#define CBOX  ((struct box *)BOX_VA)
#define EVIL  7000u             /* its blocks: 7000.. of the 4 MiB disk, none of them cffs's */
#define EKEY  0x5eed5eedu       /* its own key */
#define I(op, dst, src, off, imm) DC_INSN(DC_##op, dst, src, off, imm)

static struct cffs_dent ent;    /* the entry being written */
static struct cffs_ind ind;     /* the IND being written */

/* Entry k of DIR block blk becomes ent, by xn_update op of target. */
static int put(u32 blk, u32 k, u32 op, u32 target, u32 type)
{
	struct xn_upd u = { blk, op, target, type, CFFS_DENT_OFF(k), sizeof ent, &ent, EKEY };
	return sys_xn_update(&u);
}

/* IND block blk becomes ind, by xn_update op of target. */
static int put_ind(u32 blk, u32 op, u32 target, u32 type)
{
	struct xn_upd u = { blk, op, target, type, 0, CFFS_IND_SIZE, &ind, EKEY };
	return sys_xn_update(&u);
}

/* cffs's block blk is still the suite's: held by another environment, one pointer. */
static bool still_cffs(u32 blk)
{
	struct xn_entry x;
	return sys_xn_bc_find(blk, &x) == 0 && x.owner != (u32)sys_getenvid() && x.refs == 1;
}

/* Its own file system, in cffs's format: cffs's templates, a root block
 * with cffs's header. The type ids in *dt, *it. */
static bool make_own(u32 *dt, u32 *it)
{
	struct box *b = CBOX;
	int d = sys_xn_type_add(&cffs_dir_tmpl), i = sys_xn_type_add(&cffs_ind_tmpl);
	CHECK(d > 0 && i > 0 && (u32)d != b->dirtype && (u32)i != b->indtype);
	*dt = (u32)d, *it = (u32)i;
	struct xn_rootreq r = { "evil", EVIL, *dt };
	CHECK(sys_xn_root(&r) >= 0);
	u32 h[6] = { CFFS_MAGIC, EKEY, *dt, *it, EVIL, 100 };
	struct xn_upd u = { EVIL, XN_NONE, 0, 0, 0, sizeof h, h, EKEY };
	return sys_xn_update(&u) == 0;
}

/* Its blocks are not cffs's: as a root, by allocation in an entry or a
 * slot, by a link, as an extent; cffs's types are not its. */
static void claim(u32 it)
{
	struct box *b = CBOX;
	struct xn_rootreq r = { "cffs", EVIL + 50, it };
	CHECK(sys_xn_root(&r) == -E_BUSY);                      /* the name */
	r = (struct xn_rootreq){ "evil2", b->root, it };
	CHECK(sys_xn_root(&r) == -E_BUSY);                      /* the block */
	r = (struct xn_rootreq){ "evil2", EVIL + 50, b->dirtype };
	CHECK(sys_xn_root(&r) == -E_INVAL);                     /* the type */
	__builtin_memset(&ent, 0, sizeof ent);
	ent.ino.mode = CFFS_IFREG | 0644;
	ent.ino.d[0] = b->data;
	CHECK(put(EVIL, 1, XN_ALLOC, b->data, XN_DATA) == -E_BUSY);
	CHECK(put(EVIL, 1, XN_LINK, b->data, 0) == -E_PERM);
	ent.ino.d[0] = 0, ent.ino.top = b->top, ent.ino.ttype = it;
	CHECK(put(EVIL, 1, XN_ALLOC, b->top, it) == -E_BUSY);
	ent.ino.top = EVIL + 1, ent.ino.ttype = b->indtype;
	CHECK(put(EVIL, 1, XN_ALLOC, EVIL + 1, b->indtype) == -E_INVAL);
	ent.ino.ttype = it;                                     /* its own TOP, then a slot */
	CHECK(put(EVIL, 1, XN_ALLOC, EVIL + 1, it) == 0);
	ind = (struct cffs_ind){ XN_DATA, EKEY, 0, { 0 } };
	CHECK(put_ind(EVIL + 1, XN_NONE, 0, 0) == 0);
	ind.count = 1, ind.slot[0] = b->data;
	CHECK(put_ind(EVIL + 1, XN_ALLOC, b->data, XN_DATA) == -E_BUSY);
	u64 x = sys_disk_alloc(b->data, 1);
	CHECK((int)(u32)x == -E_BUSY);
	CHECK(still_cffs(b->data) && still_cffs(b->top));
}

/* Updates whose owns says more (or other) than they claim: two pointers
 * for one allocation, a hidden one beside a claimed one, a TOP's type
 * changed, an IND count past CFFS_FAN (owns reports nothing) to drop
 * three pointers at once or to hide and then show one of cffs's. */
static void lie(u32 dt, u32 it)
{
	struct box *b = CBOX;
	ent.ino.d[0] = EVIL + 2, ent.ino.d[1] = EVIL + 3;
	CHECK(put(EVIL, 1, XN_ALLOC, EVIL + 2, XN_DATA) == -E_INVAL);
	ent.ino.d[1] = b->data;
	CHECK(put(EVIL, 1, XN_ALLOC, EVIL + 2, XN_DATA) == -E_INVAL);
	ent.ino.d[1] = 0;
	CHECK(put(EVIL, 1, XN_ALLOC, EVIL + 2, XN_DATA) == 0);
	ent.ino.d[1] = b->data;
	CHECK(put(EVIL, 1, XN_NONE, 0, 0) == -E_INVAL);
	ent.ino.d[1] = 0;
	ent.ino.ttype = dt;                                     /* the TOP's type changed */
	CHECK(put(EVIL, 1, XN_NONE, 0, 0) == -E_INVAL);
	ent.ino.ttype = b->indtype;
	CHECK(put(EVIL, 1, XN_NONE, 0, 0) == -E_INVAL);
	ent.ino.ttype = it;
	/* Its TOP gets three data blocks; a count of 20 would drop all three. */
	ind = (struct cffs_ind){ XN_DATA, EKEY, 0, { 0 } };
	for (u32 k = 0; k < 3; k++) {
		ind.count = k + 1, ind.slot[k] = EVIL + 4 + k;
		CHECK(put_ind(EVIL + 1, XN_ALLOC, EVIL + 4 + k, XN_DATA) == 0);
	}
	ind.count = CFFS_FAN + 1;
	CHECK(put_ind(EVIL + 1, XN_FREE, EVIL + 4, 0) == -E_INVAL);
	CHECK(put_ind(EVIL + 1, XN_NONE, 0, 0) == -E_INVAL);
	ind.count = 3;
	/* A second TOP (entry 2) hides cffs's block behind a count of 20:
	 * owns reports nothing, so XN counts no pointer; showing it is a
	 * claim, refused. */
	struct cffs_dent keep = ent;
	__builtin_memset(&ent, 0, sizeof ent);
	ent.ino.mode = CFFS_IFREG | 0644, ent.ino.top = EVIL + 7, ent.ino.ttype = it;
	CHECK(put(EVIL, 2, XN_ALLOC, EVIL + 7, it) == 0);
	struct cffs_ind hide = { XN_DATA, EKEY, CFFS_FAN + 1, { b->data } };
	struct xn_upd u = { EVIL + 7, XN_NONE, 0, 0, 0, CFFS_IND_SIZE, &hide, EKEY };
	CHECK(sys_xn_update(&u) == 0);
	hide.count = 1;
	CHECK(sys_xn_update(&u) == -E_INVAL);
	u = (struct xn_upd){ EVIL + 7, XN_ALLOC, b->data, XN_DATA, 0, CFFS_IND_SIZE, &hide, EKEY };
	CHECK(sys_xn_update(&u) == -E_BUSY);
	CHECK(still_cffs(b->data) && raw_io(XN_READ, b->data, 0) == -E_PERM);
	ent = keep;
}

/* Rule 1: a parent written before its new children; rule 2 and reference
 * counts: a block freed while another pointer remains, an IND freed while
 * it points to blocks, its root freed while it points to blocks. Then it
 * writes in the right order, which XN lets through. */
static void order(void)
{
	CHECK(raw_io(XN_WRITE, EVIL, ~0u) == -E_BUSY);          /* points to tainted EVIL+1, +2, +7 */
	CHECK(raw_io(XN_WRITE, EVIL + 1, ~0u) == -E_BUSY);      /* to tainted EVIL+4.. */
	CHECK(raw_io(XN_READ, EVIL + 2, 0) == -E_PERM);         /* a tainted data block */
	struct cffs_dent keep = ent;
	__builtin_memset(&ent, 0, sizeof ent);
	ent.ino.mode = CFFS_IFREG | 0644, ent.ino.d[0] = EVIL + 2;
	CHECK(put(EVIL, 3, XN_LINK, EVIL + 2, 0) == 0);          /* a second pointer */
	ent = keep;
	ent.ino.d[0] = 0;
	CHECK(put(EVIL, 1, XN_FREE, EVIL + 2, 0) == -E_BUSY);    /* not its last */
	ent.ino.d[0] = EVIL + 2, ent.ino.top = 0, ent.ino.ttype = 0;
	CHECK(put(EVIL, 1, XN_FREE, EVIL + 1, 0) == -E_BUSY);    /* it points to three */
	CHECK(sys_xn_root_free(EVIL) == -E_BUSY);
	for (u32 i = 0; i < 128; i++)
		((volatile u32 *)TBUF_VA)[i] = i;
	CHECK(raw_io(XN_WRITE, EVIL + 2, 0) == 0 && raw_io(XN_WRITE, EVIL + 4, 0) == 0 &&
	      raw_io(XN_WRITE, EVIL + 5, 0) == 0 && raw_io(XN_WRITE, EVIL + 6, 0) == 0);
	CHECK(raw_io(XN_WRITE, EVIL + 1, ~0u) == 0 && raw_io(XN_WRITE, EVIL + 7, ~0u) == 0);
	CHECK(raw_io(XN_WRITE, EVIL, ~0u) == 0);
}

/* cffs's blocks, whatever it passes: not its to read, write or change,
 * even with cffs's key; nor is cffs's root its to free. */
static void touch(void)
{
	struct box *b = CBOX;
	CHECK(raw_io(XN_READ, b->data, 0) == -E_PERM && raw_io(XN_WRITE, b->data, 0) == -E_PERM);
	CHECK(raw_io(XN_READ, b->top, 0) == -E_PERM && raw_io(XN_WRITE, b->top, ~0u) == -E_PERM);
	CHECK(raw_io(XN_READ_DISK, b->dirblk, 0) == -E_PERM);
	__builtin_memset(&ent, 0, sizeof ent);
	struct xn_upd u = { b->dirblk, XN_NONE, 0, 0, CFFS_DENT_OFF(3), sizeof ent, &ent, b->key };
	CHECK(sys_xn_update(&u) == -E_PERM);
	u = (struct xn_upd){ b->ind, XN_FREE, b->data, 0, 0, CFFS_IND_SIZE, &ind, b->key };
	CHECK(sys_xn_update(&u) == -E_PERM);
	CHECK(sys_xn_root_free(b->root) == -E_PERM);
}

/* Templates that lie: an owns that names cffs's root on an empty block is
 * refused at registration; one that names nothing (blind to pointers)
 * registers, and bytes naming cffs's block then are no pointer at all. */
static void lying_templates(void)
{
	struct box *b = CBOX;
	struct dc_insn grab[] = { I(LDI, 1, 0, 0, b->root), I(STWA, 1, 0, 1, 0), I(RETI, 0, 0, 0, 1) };
	struct xn_tmpl t = cffs_dir_tmpl;
	t.owns = grab, t.nowns = 3;
	CHECK(sys_xn_type_add(&t) == -E_INVAL);
	static const struct dc_insn blind[] = { I(RETI, 0, 0, 0, 0) };
	t.owns = blind, t.nowns = 1;
	int bt = sys_xn_type_add(&t);
	CHECK(bt > 0);
	struct xn_rootreq r = { "blind", EVIL + 20, (u32)bt };
	CHECK(sys_xn_root(&r) >= 0);
	__builtin_memset(&ent, 0, sizeof ent);
	ent.ino.mode = CFFS_IFREG | 0644, ent.ino.d[0] = b->data;
	CHECK(put(EVIL + 20, 0, XN_NONE, 0, 0) == 0);            /* bytes, not a pointer */
	CHECK(still_cffs(b->data) && raw_io(XN_READ, b->data, 0) == -E_PERM);
}

int hostile_kind_child(void)
{
	u32 dt = 0, it = 0;
	if (!raw_pages())
		return 90;
	CHECK(make_own(&dt, &it));
	claim(it);
	lie(dt, it);
	order();
	touch();
	lying_templates();
	CHECK(sys_kcheck(0) == 0);
	return failed_checks;
}
