/*
 * dpf_rand.c: random filters and frames for the tests of the packet
 * filters (tests/test_dpf.c on the host, ktest on the board). Filters are
 * drawn from small pools of Ethernet/IPv4/UDP/TCP-like atoms and random
 * ones, so that sets share prefixes (the merged tree has something to
 * merge) and often overlap (the lie check has something to refuse).
 */
#include "dpf.h"

static u32 rnd(u32 *s)
{
	u32 x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

static void set_atom(struct dpf_atom *a, u32 off, u32 w, u32 mask, u32 val, u32 flags)
{
	a->off = (u16)off;
	a->width = (u8)w;
	a->flags = (u8)flags;
	a->mask = mask;
	a->val = val & mask;
}

void dpf_random_filter(struct dpf_filter *f, u32 *seed)
{
	static const u32 types[3] = { 0x0800, 0x0806, 0x86dd };
	*f = (struct dpf_filter){ 0 };
	u32 n = 0, r = rnd(seed);
	if (r % 8 != 0)
		set_atom(&f->atoms[n++], 12, 2, 0xffff, types[r % 3 ? 0 : (r >> 3) % 3], 0);
	if (rnd(seed) % 4 != 0)
		set_atom(&f->atoms[n++], 23, 1, 0xff, rnd(seed) % 3 ? 17 : 6, 0);
	if (rnd(seed) % 4 == 0)
		set_atom(&f->atoms[n++], 30, 4, 0xffffffffu, 0x0a000001u + rnd(seed) % 4, 0);
	if (rnd(seed) % 3 != 0) {              /* a port, after the IP header */
		f->ind_off = 14;
		f->ind_mask = 0x0f;
		f->ind_shift = 2;
		u32 which = rnd(seed) % 2 * 2;     /* source or destination port */
		set_atom(&f->atoms[n++], 14 + which, 2, rnd(seed) % 8 ? 0xffff : 0xff00,
			 1000 + rnd(seed) % 48, DPF_IND);
	}
	u32 extra = rnd(seed) % 3;
	for (u32 i = 0; i < extra && n < DPF_MAXATOMS; i++) {
		u32 w = 1u << (rnd(seed) % 3), off = rnd(seed) % 48;
		u32 mask = rnd(seed) % 2 ? 0xffffffffu : rnd(seed) | 1;
		if (w < 4)
			mask &= (1u << (8 * w)) - 1;
		if (mask == 0)
			mask = 1;
		u32 flags = f->ind_mask && rnd(seed) % 4 == 0 ? DPF_IND : 0;
		set_atom(&f->atoms[n++], off, w, mask, rnd(seed) % 4, flags);
	}
	if (n == 0)
		set_atom(&f->atoms[n++], rnd(seed) % 20, 1, 0xff, rnd(seed) % 4, 0);
	f->natoms = (u8)n;
}

u32 dpf_random_frame(u8 *frame, u32 max, const struct dpf_filter *f, u32 *seed)
{
	u32 len = 14 + rnd(seed) % 100;
	if (rnd(seed) % 16 == 0)
		len = 14 + rnd(seed) % (NET_FRAME_MAX - 13);
	if (f && len < 160)
		len = 160 + rnd(seed) % 64;            /* room for every atom of the pools */
	if (len > max)
		len = max;
	for (u32 i = 0; i < len; i++)
		frame[i] = (u8)(rnd(seed) % 4 ? rnd(seed) : rnd(seed) % 4);
	if (f) {
		u32 base = 0;
		if (f->ind_mask && f->ind_off < len) {
			frame[f->ind_off] = (u8)(0x40 | (5 + rnd(seed) % 11));
			base = (u32)(frame[f->ind_off] & f->ind_mask) << f->ind_shift;
		}
		for (u32 i = 0; i < f->natoms; i++) {
			const struct dpf_atom *a = &f->atoms[i];
			u32 at = a->off + (a->flags & DPF_IND ? base : 0);
			u32 v = (rnd(seed) & ~a->mask) | a->val;
			for (u32 k = 0; k < a->width; k++)
				if (at + k < len)
					frame[at + k] = (u8)(v >> 8 * (a->width - 1 - k));
		}
	}
	if (rnd(seed) % 8 == 0)                         /* truncated */
		len = len > 14 ? 14 + rnd(seed) % (len - 13) : len;
	if (rnd(seed) % 8 == 0)                         /* one byte changed */
		frame[rnd(seed) % len] ^= (u8)(1u << (rnd(seed) % 8));
	return len;
}
