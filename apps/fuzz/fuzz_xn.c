/*
 * fuzz_xn.c: nearly right XN calls for the fuzzer (docs/storage.md): a
 * template of its own (sometimes with a byte spoiled), roots and blocks in
 * a small range of the scratch disk that every sibling uses, so that they
 * collide, and updates whose bytes, ops, targets and types are drawn from
 * the same few values, so that some allocate, link, unlink and free.
 */
#include "fuzz.h"
#include "syscall_nums.h"

#define XB(r) (700 + (r) % 24)             /* the blocks everyone fights over */

/* owns: slot (m[8], m[12]) if m[8] is not 0; acl: yes; size: 16. */
static const struct dc_insn owns[] = {
	DC_INSN(DC_LDWA, 1, 0, 0, 8), DC_INSN(DC_JEQI, 1, 0, 4, 0), DC_INSN(DC_LDWA, 2, 0, 0, 12),
	DC_INSN(DC_STWA, 1, 0, 1, 0), DC_INSN(DC_STWA, 2, 0, 1, 4), DC_INSN(DC_RETI, 0, 0, 0, 1),
	DC_INSN(DC_RETI, 0, 0, 0, 0),
};
static const struct dc_insn yes[] = { DC_INSN(DC_RETI, 0, 0, 0, 1) };
static const struct dc_insn sixteen[] = { DC_INSN(DC_RETI, 0, 0, 0, 16) };
static struct dc_insn spoiled[7];
static u32 types[4], ntypes;
static u32 mine[8], nmine;                 /* its roots and metadata blocks */
static struct xn_rootreq rr;
static struct xn_upd u;

/* Mostly one of its own metadata blocks, else any of the contested ones. */
static u32 some_block(u32 r)
{
	return nmine && r % 4 ? mine[(r >> 2) % nmine] : XB(r >> 2);
}

u32 fuzz_xn_type(u32 r)
{
	return ntypes && r % 4 ? types[r % ntypes] : r % 3 ? XN_DATA : r;
}

bool fuzz_xn_args(u32 n, u32 *a, u32 cname, u32 ccheck, u32 (*next)(void))
{
	static struct xn_tmpl t;
	static u32 bytes[4];
	static struct xn_io io;
	static struct xn_entry ents[8];
	static struct xn_stat st;
	static struct xn_attach at;
	switch (n) {
	case SYS_xn_type_add:
		t = (struct xn_tmpl){ owns, 7, yes, 1, sixteen, 1 };
		if (next() % 4 == 0) {
			__builtin_memcpy(spoiled, owns, sizeof owns);
			((u8 *)spoiled)[next() % sizeof spoiled] ^= (u8)(1u << (next() % 8));
			t.owns = spoiled;
		}
		a[0] = (u32)&t;
		return true;
	case SYS_xn_root:
	case SYS_xn_root_find:
		__builtin_memset(&rr, 0, sizeof rr);
		rr.name[0] = 'f';
		rr.name[1] = (char)('0' + next() % 4);
		rr.block = XB(next());
		rr.type = fuzz_xn_type(next());
		a[0] = (u32)&rr;
		return true;
	case SYS_xn_root_free: a[0] = some_block(next()); return true;
	case SYS_xn_update:
		bytes[0] = next() % 4 ? XB(next()) : 0;
		bytes[1] = fuzz_xn_type(next());
		bytes[2] = next();
		u = (struct xn_upd){ some_block(next()), next() % 6,
				     next() % 8 ? bytes[0] : XB(next()), 0,
				     next() % 8 ? 8 : next() % 520, next() % 8 ? 8 : next() % 520, bytes,
				     next() % 2 };
		if (u.op == XN_ALLOC)
			u.type = bytes[1];
		if (u.op == XN_NONE && next() % 2)
			u.target = 0;
		a[0] = (u32)&u;
		return true;
	case SYS_xn_io:
		io = (struct xn_io){ 1 + next() % 3,          /* XN_READ, XN_WRITE, XN_READ_DISK */ next() % 2 ? some_block(next()) : XB(next()), next() % 3 ? cname : 0,
				     next() % 3 ? ccheck : 0, next() % 4 ? (next() % 8) * 512 : 0,
				     cname, ccheck, (next() % 1024) * 4 };
		a[0] = (u32)&io;
		return true;
	case SYS_xn_bc: a[0] = next() % 260; a[1] = (u32)ents; a[2] = next() % 10; return true;
	case SYS_xn_stat: a[0] = next() % 8 ? (u32)&st : 0x7ffffff8u; return true;
	case SYS_xn_bc_find: a[0] = some_block(next()); a[1] = (u32)ents; return true;
	case SYS_xn_root_keep:             /* its roots (or others'), a secret it knows */
	case SYS_xn_root_attach:
		__builtin_memset(&at, 0, sizeof at);
		at.name[0] = 'f';
		at.name[1] = (char)('0' + next() % 4);
		at.secret[0] = next() % 4 ? 0x5ec1e7 : next();
		a[0] = n == SYS_xn_root_keep ? some_block(next()) : (u32)&at;
		a[1] = (u32)at.secret;
		return true;
	}
	return false;
}

void fuzz_xn_learn(u32 n, u32 v0)
{
	if (n == SYS_xn_type_add && (s32)v0 > 0 && ntypes < 4)
		types[ntypes++] = v0;
	if (n == SYS_xn_root && (s32)v0 >= 0 && nmine < 8)
		mine[nmine++] = rr.block;
	if (n == SYS_xn_update && (s32)v0 >= 0 && u.op == XN_ALLOC && u.type != XN_DATA && nmine < 8)
		mine[nmine++] = u.target;
}
