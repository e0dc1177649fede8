/*
 * xnfs.c: the test file system's side of XN (xnfs.h): updates of its
 * directories, requests that sleep until they are over, the registry.
 */
#include "xnfs.h"

u32 done_ppn, done_check;

int xn_upd(u32 block, u32 op, u32 target, u32 type, u32 off, u32 len, const void *bytes,
	   u32 cred)
{
	struct xn_upd u = { block, op, target, type, off, len, bytes, cred };
	return sys_xn_update(&u);
}

int dir_set(u32 dir, u32 k, u32 blk, u32 type, u32 op, u32 target, u32 cred)
{
	u32 e[2] = { blk, type };
	return xn_upd(dir, op, target, op == XN_ALLOC ? type : 0, 8 + 8 * k, 8, e, cred);
}

int xn_do(u32 op, u32 block, u32 ppn, u32 check, u32 off)
{
	struct xn_io r = { op, block, ppn ? CAP_NAME(ppn, CAP_RW) : 0, ppn ? check : 0, off,
			   CAP_NAME(done_ppn, CAP_RW), done_check, 0 };
	return exos_xn_io_wait(&r, (volatile u32 *)DONE_VA, 2 * SECOND);
}

struct xn_entry xn_entry_of(u32 block)
{
	struct xn_entry e = { 0xffffffffu, 0, 0, 0, 0, 0, 0 };
	if (sys_xn_bc_find(block, &e) < 0)
		e.block = 0xffffffffu;
	return e;
}

struct xn_stat xn_stats(void)
{
	struct xn_stat s = { 0 };
	if (sys_xn_stat(&s) < 0)
		s.blocks = s.entries = 0xffffffffu;
	return s;
}

u32 xn_used(void)
{
	return xn_stats().blocks;
}

int xn_mkroot(const char *name, u32 block, u32 type)
{
	struct xn_rootreq r;
	for (u32 i = 0; i < XN_NAMELEN; i++)
		r.name[i] = 0;
	for (u32 i = 0; i < XN_NAMELEN - 1 && name[i]; i++)
		r.name[i] = name[i];
	r.block = block;
	r.type = type;
	return sys_xn_root(&r);
}

static u8 pattern(u32 seq, u32 i) { return (u8)(seq * 37 + i * 7 + 1); }

void fill(u32 va, u32 seq)
{
	for (u32 i = 0; i < PAGE_SIZE; i++)
		((volatile u8 *)va)[i] = pattern(seq, i);
}

u32 differs(u32 va, u32 len, u32 seq, u32 off)
{
	u32 bad = 0;
	for (u32 i = 0; i < len; i++)
		bad += ((volatile u8 *)va)[i] != pattern(seq, off + i);
	return bad;
}
