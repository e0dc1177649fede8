/*
 * xnfsck: the host's check of an XN disk image (docs/storage.md, "XN on
 * disk"), with the kernel's own dcode interpreter (aegis/dcode.c, built
 * with -DDCODE_HOST) running the file systems' owns programs. Reads the
 * superblock, the templates (each checked with dc_check under XN's rules),
 * the kept roots, and from each root runs owns recursively. Checks:
 *   - every pointer names a block on the disk, outside XN's area;
 *   - no block is owned twice: a block may be reached again only from the
 *     same file system with the same type (a link; its reference count is
 *     the number of pointers found): a data block any number of times, a
 *     metadata block at most twice (a move caught between the link and the
 *     unlink; its subtree is walked once), a root never; and no metadata
 *     block is in a cycle;
 *   - every block reached is allocated in the free map and not tainted;
 *   - every pointer's type is the type the block is reached as, and a
 *     metadata type is a kept template of the same file system;
 *   - allocated blocks nothing points to are leaks (reported, not errors:
 *     a crash may leave them; the kernel reclaims them at boot).
 * Prints KTAP (one result per check, then "N passed, N failed"); exits 0
 * when nothing failed, 1 otherwise, 2 if the image cannot be read.
 *
 *   xnfsck IMAGE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../aegis/dcode.h"
#include "../aegis/xn_disk.h"

#define MAXERR 10

static u8 *img;
static u32 nblk;                        /* blocks in the image */
static struct xn_super sb;
static struct xn_dtype types[XN_MAXTYPES];
static struct dc_insn progs[XN_MAXTYPES][3][XN_UDF_MAXINSNS];
static struct xn_droot roots[XN_MAXROOTS];
static int *owner;                      /* per block: 0 unreached, r + 1 data of root r, -(r + 1) metadata */
static u32 *refs;
static u32 *btype;                      /* per block: the type it was first reached as */
static u32 (*up)[2];                    /* per metadata block: its parents (0: none) */
static u32 npass, nfail;

static const u8 *block(u32 b) { return img + (size_t)b * DISK_BLOCK; }
static bool bit(u32 at, u32 b) { return block(at)[b / 8] >> (b % 8) & 1; }

static void result(bool ok, const char *what, u32 errs)
{
	printf("%s %u %s", ok ? "ok" : "not ok", npass + nfail + 1, what);
	if (!ok)
		printf(" (%u errors)", errs);
	printf("\n");
	*(ok ? &npass : &nfail) += 1;
}

/* The template whose id is id, or -1. */
static int type_index(u32 id)
{
	u32 i = (id & 0xff) - 1;
	return id >> 16 || i >= XN_MAXTYPES || !types[i].live || types[i].id != id ? -1 : (int)i;
}

static bool super_ok(void)
{
	memcpy(&sb, block(0), sizeof sb);
	bool ok = sb.magic == XN_MAGIC && sb.version == XN_VERSION && sb.check == xn_super_check(&sb) &&
		  sb.nblocks <= nblk && sb.nblocks <= XN_MAXDISK &&
		  sb.map_blocks == xn_map_blocks(sb.nblocks) && sb.map_at == XN_MAP_AT &&
		  sb.taint_at == sb.map_at + sb.map_blocks && sb.area == sb.taint_at + sb.map_blocks &&
		  sb.area < sb.nblocks;
	if (!ok)
		printf("# superblock: not an XN disk, or its fields disagree\n");
	return ok;
}

/* Templates: each kept one's programs pass dc_check under XN's rules. */
static u32 check_types(void)
{
	static const struct dc_rules rules[3] = {
		{ XN_UDF_MAXINSNS, 2, { DC_R, DC_W }, 2 },
		{ XN_UDF_MAXINSNS, 3, { DC_R, DC_R, DC_R }, 0 },
		{ XN_UDF_MAXINSNS, 1, { DC_R }, 0 },
	};
	u32 errs = 0;
	for (u32 i = 0; i < XN_MAXTYPES; i++) {
		const u8 *rec = block(XN_TYPES_AT + i * XN_TYPE_BLOCKS);
		memcpy(&types[i], rec, sizeof types[i]);
		memcpy(progs[i], rec + XN_DTYPE_PROGS, sizeof progs[i]);
		if (!types[i].live)
			continue;
		bool ok = (types[i].id & 0xff) == i + 1 && !(types[i].id >> 16) &&
			  types[i].root < XN_MAXROOTS;
		for (u32 u = 0; u < 3 && ok; u++)
			ok = dc_check(progs[i][u], types[i].n[u], &rules[u]) == 0;
		if (!ok) {
			if (errs++ < MAXERR)
				printf("# template %u (id %#x): bad record or program\n", i, types[i].id);
			types[i].live = 0;
		}
	}
	return errs;
}

static u32 check_roots(void)
{
	u32 errs = 0;
	memcpy(roots, block(XN_ROOTS_AT), sizeof roots);
	for (u32 r = 0; r < XN_MAXROOTS; r++) {
		if (!roots[r].live)
			continue;
		int t = type_index(roots[r].type);
		if (roots[r].block < sb.area || roots[r].block >= sb.nblocks || t < 0 ||
		    types[t].root != r || !roots[r].name[0]) {
			if (errs++ < MAXERR)
				printf("# root %u: block %u, type %#x: not a block of the disk or not its template\n",
				       r, roots[r].block, roots[r].type);
			roots[r].live = 0;
		}
	}
	return errs;
}

struct counts { u32 reached, bad_ptr, twice, unalloc, tainted, bad_type, faults; };

static void report(u32 *n, const char *fmt, u32 a, u32 b)
{
	if ((*n)++ < MAXERR) {
		printf("# ");
		printf(fmt, a, b);
		printf("\n");
	}
}

/* Walk file system r from its root: owns of every metadata block. */
static void walk(u32 r, struct counts *c)
{
	u32 *stack = malloc(sizeof(u32) * 2 * sb.nblocks), top = 0;
	static u32 out[XN_MAXOWNS][2];
	stack[top++] = roots[r].block;
	stack[top++] = roots[r].type;
	owner[roots[r].block] = -(int)(r + 1);
	btype[roots[r].block] = roots[r].type;
	refs[roots[r].block] = XN_MAXOWNS;     /* no pointer may reach a root */
	c->reached++;
	while (top) {
		u32 type = stack[--top], b = stack[--top];
		int t = type_index(type);
		if (!bit(sb.map_at, b))
			report(&c->unalloc, "block %u (metadata) reached but free in the map%s", b, 0);
		if (bit(sb.taint_at, b))
			report(&c->tainted, "block %u (metadata) reached but tainted%s", b, 0);
		memset(out, 0, sizeof out);
		struct dc_win w[2] = { { (uintptr_t)block(b), XN_META }, { (uintptr_t)out, sizeof out } };
		u64 v = dc_interp(progs[t][0], types[t].n[0], w);
		if (v >> 32 || (u32)v > XN_MAXOWNS) {
			report(&c->faults, "owns of block %u faults or reports %u pairs", b, (u32)v);
			continue;
		}
		for (u32 k = 0; k < (u32)v; k++) {
			u32 cb = out[k][0], ct = out[k][1];
			if (cb < sb.area || cb >= sb.nblocks) {
				report(&c->bad_ptr, "block %u points to %u: XN's area or off the disk", b, cb);
				continue;
			}
			int cti = ct == XN_DATA ? -1 : type_index(ct);
			if (ct != XN_DATA && (cti < 0 || types[cti].root != r)) {
				report(&c->bad_type, "block %u points to %u as an unknown type or another's", b, cb);
				continue;
			}
			if (owner[cb]) {
				bool meta = ct != XN_DATA;
				if (owner[cb] != (meta ? -(int)(r + 1) : (int)(r + 1)) || btype[cb] != ct ||
				    (meta && refs[cb] >= 2)) {
					report(&c->twice, "block %u owned twice (again from %u)", cb, b);
				} else {
					if (meta)
						up[cb][1] = b;  /* a move between link and unlink */
					refs[cb]++;             /* a link */
				}
				continue;
			}
			c->reached++;
			owner[cb] = ct == XN_DATA ? (int)(r + 1) : -(int)(r + 1);
			refs[cb] = 1;
			btype[cb] = ct;
			up[cb][0] = b;
			if (ct == XN_DATA) {
				if (!bit(sb.map_at, cb))
					report(&c->unalloc, "block %u (data) reached but free in the map%s", cb, 0);
				if (bit(sb.taint_at, cb))
					report(&c->tainted, "block %u (data) pointed to but tainted (from %u)", cb, b);
			} else {
				stack[top++] = cb;
				stack[top++] = ct;
			}
		}
	}
	free(stack);
}

/* Is metadata block a block b, or above it (reached from b through the
 * parents found)? Each block is looked at once (mark: a pass number). */
static bool above(u32 a, u32 b)
{
	static u32 *mark, pass, *stack;
	if (!mark) {
		mark = calloc(sb.nblocks, sizeof *mark);
		stack = malloc(sizeof *stack * sb.nblocks);
	}
	u32 top = 0;
	pass++;
	mark[b] = pass;
	stack[top++] = b;
	while (top) {
		u32 x = stack[--top];
		if (x == a)
			return true;
		for (int k = 0; k < 2; k++)
			if (up[x][k] && mark[up[x][k]] != pass) {
				mark[up[x][k]] = pass;
				stack[top++] = up[x][k];
			}
	}
	return false;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: xnfsck IMAGE\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	nblk = (u32)(size / DISK_BLOCK);
	img = calloc((size_t)nblk + 1, DISK_BLOCK);
	if (!img || fread(img, DISK_BLOCK, nblk, f) != nblk) {
		fprintf(stderr, "xnfsck: cannot read %s\n", argv[1]);
		return 2;
	}
	fclose(f);
	printf("KTAP version 1\n");
	if (nblk < 1 || !super_ok()) {
		printf("1..1\nnot ok 1 superblock\n0 passed, 1 failed\n");
		return 1;
	}
	printf("1..8\n");
	result(true, "superblock", 0);
	u32 e = check_types();
	result(!e, "templates", e);
	e = check_roots();
	result(!e, "roots", e);
	owner = calloc(sb.nblocks, sizeof *owner);
	refs = calloc(sb.nblocks, sizeof *refs);
	btype = calloc(sb.nblocks, sizeof *btype);
	up = calloc(sb.nblocks, sizeof *up);
	struct counts c = { 0 };
	u32 nroots = 0;
	for (u32 r = 0; r < XN_MAXROOTS; r++)
		if (roots[r].live) {
			if (owner[roots[r].block])
				report(&c.twice, "root %u's block %u owned twice", r, roots[r].block);
			else
				walk(r, &c);
			nroots++;
		}
	u32 moved = 0;
	for (u32 b = 0; b < sb.nblocks; b++)      /* a cycle goes through a block with two parents */
		if (up[b][1]) {
			moved++;
			if (above(b, up[b][0]) || above(b, up[b][1]))
				report(&c.twice, "block %u is in a cycle of metadata blocks (a parent: %u)", b,
				       up[b][1]);
		}
	printf("# %u blocks reached from %u roots; %u metadata blocks with two pointers (a move)\n",
	       c.reached, nroots, moved);
	result(!c.bad_ptr && !c.bad_type && !c.faults, "pointers (on the disk, typed, owns runs)",
	       c.bad_ptr + c.bad_type + c.faults);
	result(!c.twice, "no block owned twice, no cycle", c.twice);
	result(!c.unalloc, "every block reached is allocated in the free map", c.unalloc);
	result(!c.tainted, "no pointer to a tainted block", c.tainted);
	u32 leaks = 0, area_free = 0, links = 0;
	for (u32 b = 0; b < sb.nblocks; b++) {
		if (b < sb.area) {
			area_free += !bit(sb.map_at, b);
			continue;
		}
		if (bit(sb.map_at, b) && !owner[b] && leaks++ < MAXERR)
			printf("# leak: block %u allocated, nothing points to it\n", b);
		links += owner[b] > 0 && refs[b] > 1;
	}
	printf("# %u leaked blocks (a crash may leave them: the kernel reclaims them at boot), "
	       "%u data blocks with several pointers\n", leaks, links);
	result(!area_free, "XN's area allocated in the map", area_free);
	printf("%u passed, %u failed\n", npass, nfail);
	return nfail ? 1 : 0;
}
