/*
 * kids.c: the children of cffstest, and the raw XN requests the tests use
 * to look past cffs. An intruder (another environment, without the file
 * system's ownership or key) tries to mount, read and change cffs; a
 * trivial second library file system (one metadata type: a list of up to
 * four data blocks) lives beside cffs on the same disk, and each attacks
 * the other's blocks. Each child returns how many of its checks failed.
 */
#include "cffstest.h"

#define CBOX ((struct box *)BOX_VA)
#define I(op, dst, src, off, imm) DC_INSN(DC_##op, dst, src, off, imm)

u32 tbuf_ppn, tbuf_check, tdone_ppn, tdone_check;

bool raw_pages(void)
{
	return new_page(TBUF_VA, &tbuf_ppn, &tbuf_check) && new_page(TDONE_VA, &tdone_ppn, &tdone_check);
}

int raw_io(u32 op, u32 block, u32 off)
{
	bool page = off != ~0u;
	struct xn_io r = { op, block, page ? CAP_NAME(tbuf_ppn, CAP_RW) : 0, page ? tbuf_check : 0,
			   page ? off : 0, CAP_NAME(tdone_ppn, CAP_RW), tdone_check, 0 };
	return exos_xn_io_wait(&r, (volatile u32 *)TDONE_VA, 2 * SECOND);
}

/* Call fn on every entry of XN's registry, read 32 at a time, until it
 * returns true: that entry, or one with block ~0u. */
static struct xn_entry registry_find(bool (*fn)(const struct xn_entry *, u32), u32 arg)
{
	static struct xn_entry chunk[32];
	struct xn_entry none = { ~0u, 0, 0, 0, 0, ~0u, 0 };
	for (u32 first = 0; first < XN_MAXBLOCKS; first += 32) {
		u32 n = XN_MAXBLOCKS - first < 32 ? XN_MAXBLOCKS - first : 32;
		if (sys_xn_bc(first, chunk, n) != (int)n)
			break;
		for (u32 i = 0; i < n; i++)
			if (fn(&chunk[i], arg))
				return chunk[i];
	}
	return none;
}

static u32 held;
static bool count_owner(const struct xn_entry *e, u32 envid)
{
	held += e->block != ~0u && e->owner == envid;
	return false;
}

u32 xn_held_by(u32 envid)
{
	held = 0;
	registry_find(count_owner, envid);
	return held;
}

static bool is_block(const struct xn_entry *e, u32 block) { return e->block == block; }

struct xn_entry xn_entry(u32 block)
{
	return registry_find(is_block, block);
}

bool xn_has(u32 block)
{
	return xn_entry(block).block == block;
}

/* Another environment: cffs's blocks are not its own, whatever it passes. */
int intruder_child(void)
{
	struct box *b = CBOX;
	if (!raw_pages())
		return 90;
	CHECK(cffs_mount(FS_NAME) == -E_PERM);          /* finds the root, cannot read it */
	CHECK(raw_io(XN_READ, b->root, 0) == -E_PERM);
	CHECK(raw_io(XN_READ, b->data, 0) == -E_PERM);
	CHECK(raw_io(XN_READ_DISK, b->dirblk, 0) == -E_PERM);
	CHECK(raw_io(XN_WRITE, b->data, 0) == -E_PERM);
	u32 junk = 0x12345678;
	for (u32 cred = 0; cred < 4; cred++) {
		struct xn_upd u = { b->root, XN_NONE, 0, 0, 4, 4, &junk, cred };
		CHECK(sys_xn_update(&u) == -E_PERM);
	}
	return failed_checks;
}

/* The trivial file system's one type: key 0, count (<= 4), blocks[4]. */
static const struct dc_insn list_owns[] = {
	I(LDWA, 0, 0, 0, 4), I(JLEI, 0, 0, 1, 4), I(RETI, 0, 0, 0, 0),
	I(LDWA, 1, 0, 0, 8), I(STWA, 1, 0, 1, 0), I(LDWA, 1, 0, 0, 12), I(STWA, 1, 0, 1, 8),
	I(LDWA, 1, 0, 0, 16), I(STWA, 1, 0, 1, 16), I(LDWA, 1, 0, 0, 20), I(STWA, 1, 0, 1, 24),
	I(RET, 0, 0, 0, 0),
};
static const struct dc_insn list_acl[] = { I(RETI, 0, 0, 0, 1) };
static const struct dc_insn list_size[] = { I(RETI, 0, 0, 0, 24) };
static const struct xn_tmpl list_tmpl = { list_owns, 12, list_acl, 1, list_size, 1 };

static bool pattern_is(u32 seed)
{
	for (u32 i = 0; i < 128; i++)
		if (((volatile u32 *)TBUF_VA)[i] != seed * 7919 + i)
			return false;
	return true;
}

/* A second file system beside cffs: it works, and neither can take or
 * touch the other's blocks. */
int triv_child(void)
{
	struct box *b = CBOX;
	if (!raw_pages())
		return 90;
	int t = sys_xn_type_add(&list_tmpl);
	CHECK(t > 0);
	/* Its blocks: the first free ones after cffs's directory block, where
	 * cffs looks first for its next file's blocks. */
	u32 root = b->dirblk + 1, data;
	struct xn_rootreq r = { "triv", root, (u32)t };
	while (sys_xn_root(&r) == -E_BUSY && root < b->dirblk + 64)
		r.block = ++root;
	u32 list[6] = { 0, 1, 0, 0, 0, 0 };
	struct xn_upd u = { root, XN_ALLOC, 0, XN_DATA, 0, 24, list, 0 };
	int e = -E_BUSY;
	for (data = root + 1; e == -E_BUSY && data < root + 64; data += e == -E_BUSY)
		list[2] = u.target = data, e = sys_xn_update(&u);
	CHECK(e == 0 && xn_has(root));
	for (u32 i = 0; i < 128; i++)
		((volatile u32 *)TBUF_VA)[i] = 5 * 7919 + i;
	CHECK(raw_io(XN_WRITE, data, 0) == 0);
	CHECK(raw_io(XN_WRITE, root, ~0u) == 0);
	/* cffs's blocks: not to be taken, read, written or changed. */
	list[1] = 2, list[3] = b->data;
	u = (struct xn_upd){ root, XN_ALLOC, b->data, XN_DATA, 0, 24, list, 0 };
	CHECK(sys_xn_update(&u) == -E_BUSY);
	list[3] = b->dirblk;
	u = (struct xn_upd){ root, XN_ALLOC, b->dirblk, XN_DATA, 0, 24, list, 0 };
	CHECK(sys_xn_update(&u) == -E_BUSY);
	CHECK(raw_io(XN_READ, b->data, 0) == -E_PERM);
	CHECK(raw_io(XN_WRITE, b->data, 0) == -E_PERM);
	CHECK(raw_io(XN_WRITE, b->dirblk, ~0u) == -E_PERM);
	b->troot = root, b->tdata = data;
	b->step = 1;
	CHECK(wait_step(&b->step, 2, 1000000));            /* cffs attacks, and works */
	for (u32 i = 0; i < 128; i++)
		((volatile u32 *)TBUF_VA)[i] = 0;
	CHECK(raw_io(XN_READ, data, 0) == 0 && pattern_is(5));
	CHECK(raw_io(XN_READ, root, 0) == 0 && ((volatile u32 *)TBUF_VA)[2] == data);
	b->fails = (u32)failed_checks;
	return failed_checks;
}
