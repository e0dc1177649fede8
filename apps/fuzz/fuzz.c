/*
 * fuzz: a hostile environment making random system calls. Its argument is
 * FUZZ_WITH_BOARD | slot << 24 | seed (24 bits) when started by the fuzzing
 * driver (apps/fuzzd), which maps a board page shared by the round's
 * children, or a bare seed (4000 calls, no board: utest's test_fuzz).
 *
 * Arguments are drawn from valid and nearly valid values, so that calls get
 * past the first check: its own capabilities (and their check fields off by
 * one bit), its siblings' capabilities and ids, its children's ids, stale
 * ids, guaranteed-mapped addresses and page edges, slice positions, budget
 * resources, and plain random words; a quarter of the calls are well formed
 * (well_formed()), so that sequences such as "register a save area, replace
 * its page, free the old one" happen. Every 512 calls it runs the kernel's
 * invariant checker (kcheck), so that a transient inconsistency is seen
 * while it lasts (the kernel counts what every run finds). The kernel must answer every call with
 * a result or an error code; this program may well break itself (it can
 * unmap its own code, or point its upcalls anywhere), which is fine: the
 * driver checks the kernel's tables after it ends. exit, pct_idle, kcheck
 * and destroying itself are left out so that it makes its calls. With a
 * ballast on the board it first takes that many pages (fuzz.h).
 */
#include "fuzz.h"
#include "syscall_nums.h"

static u32 rng;
static u32 next(void) { return xorshift32(&rng); }
static u32 pick(const u32 *v, u32 n) { return v[next() % n]; }

/* What it has learned from its own calls. */
static u32 caps[32][2], ncaps;
static u32 kids[8], nkids;
static u32 srcaps[16][2], nsr;           /* software-region capabilities */
static u32 xcaps[16][3], nx;             /* disk extents: name, check, first block */
static u32 filters[16][2], nf;           /* packet filters it installed: table, id */
static struct fuzz_board *board;

static u32 flip(u32 x) { return next() & 3 ? x : x ^ (1u << (next() % 32)); }

static struct net_info net_info_buf;
static struct disk_info disk_info_buf;
static struct disk_req disk_req_buf;
static struct ash_stat ash_stat_buf;
static const struct dc_insn net_all[] = { DC_INSN(DC_RETI, 0, 0, 0, 1) };
static const struct dc_insn net_none[] = { DC_INSN(DC_RETI, 0, 0, 0, 0) };

/* Fill a[i] (and, for a capability, a[i+1]); returns how many it filled. */
static int one_arg(u32 *a, int i)
{
	static const u32 addrs[] = { USER_TEXT, USER_TEXT | VA_W, 0x7000, 0x7000 | VA_W, 0x7100,
		0x5000, 0x6000, 0x7f000000, 0x7fe00000, 0x7ffef000, 0x7ffff000, 0x7ffffffc,
		0x80000000, 0x7fffffff, 0x10000000, 0x30000000, 0x00000ff0, 0xfffff000 };
	u32 r = next();
	switch (r % 12) {
	case 0:
	case 1:
		if (i < 3 && ncaps) {                   /* one of its own capabilities */
			u32 k = next() % ncaps;
			a[i] = next() & 7 ? caps[k][0] : (caps[k][0] & ~0xfu) | (next() & 0xf);
			a[i + 1] = flip(caps[k][1]);
			return 2;
		}
		/* fall through */
	case 2:
		if (i < 3 && board) {                   /* a sibling's */
			u32 k = next() % FUZZ_MAXKIDS;
			a[i] = board->caps[k][0];
			a[i + 1] = flip(board->caps[k][1]);
			return 2;
		}
		a[i] = r >> 20;
		return 1;
	case 3: {                                       /* environment ids */
		u32 v[4] = { exos_envid, 0, nkids ? kids[next() % nkids] : exos_envid + 256,
			     board ? board->ids[next() % FUZZ_MAXKIDS] : exos_envid - 1 };
		a[i] = pick(v, 4) + (next() % 8 == 0 ? 256 : 0);   /* sometimes stale */
		return 1;
	}
	case 4: a[i] = pick(addrs, ARRAY_SIZE(addrs)) | (next() & 3); return 1;
	case 5: a[i] = next() % 70; return 1;           /* positions, resources, counts */
	case 6: a[i] = ncaps ? caps[next() % ncaps][0] >> 4 : r >> 15;  return 1;   /* page numbers */
	case 7: a[i] = 0x80000000u | (r & 0x3ffffffc); return 1;
	case 8: a[i] = r & 0x7ffff000u; return 1;
	case 9: a[i] = 0xffffffffu; return 1;
	case 10: a[i] = 0; return 1;
	default: a[i] = r; return 1;
	}
}

/* Fill a[] for a call n that passes the kernel's checks more often than not:
 * own pages and capabilities at a few colliding addresses, its own upcall
 * entries, its children. Returns false for calls it has no template for. */
static bool well_formed(u32 n, u32 *a)
{
	static const u32 vas[] = { 0x30000000, 0x30001000, 0x30002000, 0x7000, 0x5000, 0x7fe00000 };
	u32 va = pick(vas, ARRAY_SIZE(vas)), k = ncaps ? next() % ncaps : 0;
	u32 kid = nkids ? kids[next() % nkids] : 0;
	u32 cname = ncaps ? caps[k][0] : 0, ccheck = ncaps ? caps[k][1] : 0;
	switch (n) {
	case SYS_page_alloc: a[0] = PAGE_ANY; return true;
	case SYS_page_unref: a[0] = cname >> 4; return true;
	case SYS_page_vital: a[0] = cname >> 4; return true;
	case SYS_page_grant: a[0] = next() & 1 ? kid : 0; a[1] = cname; a[2] = ccheck; return true;
	case SYS_gmap_add: a[0] = next() & 1 ? kid : 0; a[1] = va | (next() & 1); a[2] = cname;
		a[3] = ccheck; return true;
	case SYS_gmap_del: a[0] = next() & 1 ? kid : 0; a[1] = va; return true;
	case SYS_tlbwr: a[0] = va | (next() & 3); a[1] = cname; a[2] = ccheck; return true;
	case SYS_tlbvadelete: a[0] = va; return true;
	case SYS_tlb_range: a[0] = va; a[1] = next() % 8; a[2] = next() & 1; return true;
	case SYS_tlbwr_vec: {               /* own capabilities, at colliding addresses */
		static struct tlbwr_req v[8];
		for (u32 i = 0; i < 8; i++) {
			u32 j = ncaps ? next() % ncaps : 0;
			v[i] = (struct tlbwr_req){ pick(vas, ARRAY_SIZE(vas)) | (next() & 3),
						   ncaps ? caps[j][0] : 0, ncaps ? flip(caps[j][1]) : 0 };
		}
		a[0] = (u32)v;
		a[1] = next() % 10;
		return true;
	}
	case SYS_wk_sleep:                  /* short predicates over own pages and the time; */
	case SYS_wk_sleep_again: {          /* again: the same address, its bytes maybe changed */
		static const u8 ops[] = { DC_LDWA, DC_LDB, DC_LDWNA, DC_ADDI, DC_SUB, DC_JGEI,
					  DC_JA, DC_STWA, DC_LDI, DC_RET, 0xff };
		static struct dc_insn p[8];
		static struct wk_page pg[WK_MAXPAGES];
		u32 n = 1 + next() % 8;
		for (u32 i = 0; i + 1 < n; i++)
			p[i] = (struct dc_insn){ ops[next() % sizeof ops], (u8)(next() & 0x77),
						 (u16)(next() % 5), next() % 4200 };
		/* Mostly a predicate that holds (the call returns at once); else
		 * whatever r0 holds, which may keep the child asleep until the
		 * driver destroys it. */
		p[n - 1] = next() % 4 ? (struct dc_insn)DC_INSN(DC_RETI, 0, 0, 0, 1)
				      : (struct dc_insn)DC_INSN(DC_RET, 0, 0, 0, 0);
		for (u32 i = 0; i < WK_MAXPAGES; i++) {
			u32 j = ncaps ? next() % ncaps : 0;
			pg[i] = (struct wk_page){ ncaps ? caps[j][0] : 0, ncaps ? flip(caps[j][1]) : 0 };
		}
		a[0] = (u32)p;
		a[1] = next() % 8 ? n : next() % 70;
		a[2] = (u32)pg;
		a[3] = next() % 5;
		return true;
	}
	case SYS_sr_alloc: a[0] = next() % 1100; return true;
	case SYS_sr_derive:
	case SYS_sr_revoke:
	case SYS_sr_free:
	case SYS_sr_read:
	case SYS_sr_write: {                /* its own region capabilities, nearly right ranges */
		static const u32 bufs[] = { 0x7000, 0x7fe00000, 0x80000000, 0x3f000000 };
		u32 j = nsr ? next() % nsr : 0;
		a[0] = nsr ? srcaps[j][0] : next();
		a[1] = nsr ? flip(srcaps[j][1]) : next();
		a[2] = (next() % 1100) << 16 | (next() % 1100);
		a[3] = n == SYS_sr_derive ? next() % 4 : pick(bufs, ARRAY_SIZE(bufs)) + (next() & 0xfff);
		return true;
	}
	case SYS_set_upcalls:
		a[0] = (u32)exos_exc_entry;
		a[1] = (u32)exos_tlb_entry;
		a[2] = va + (next() & 1 ? 0 : 0x100);
		return true;
	case SYS_env_start: a[0] = kid; a[1] = USER_TEXT + 4 * (next() % 64); a[2] = 0x7fff0000;
		a[3] = next(); return true;
	case SYS_env_limit: a[0] = kid; a[1] = next() % 3; a[2] = next() % 8; return true;
	case SYS_revoke: a[0] = kid; a[1] = 1 + next() % 4; return true;
	case SYS_revoke_slices: a[0] = kid; a[1] = 1; return true;
	case SYS_slice_alloc: a[0] = next() & 1 ? 0xffffffffu : next() % 64; return true;
	case SYS_slice_free: a[0] = next() % 64; return true;
	case SYS_fpu: a[0] = next() & 1; return true;
	case SYS_cap_derive: a[0] = cname; a[1] = ccheck; a[2] = CAP_R; return true;
	case SYS_cap_new:                   /* below its own capabilities (roots or derived) */
		a[0] = cname;
		a[1] = next() & 7 ? ccheck : flip(ccheck);
		a[2] = next() & 3 ? CAP_R + (next() & 2) : next() % 8;
		return true;
	case SYS_cap_revoke:
	case SYS_cap_drop: {                /* its own page or region capabilities */
		bool sr = nsr && (next() & 1);
		u32 j = sr ? next() % nsr : k;
		a[0] = sr ? srcaps[j][0] : cname;
		a[1] = flip(sr ? srcaps[j][1] : ccheck);
		return true;
	}
	case SYS_set_prologue: {            /* bad entries, or its own code at its slice starts */
		static const u32 entries[] = { 0x80000000, 0x80000180, 0xbfc00480, 0xfffffffc,
			0x7ffffffe, USER_TEXT + 2, USER_TEXT + 1, 0x3f000000 /* unmapped */,
			KINFO_VA /* the public page: data */, 0x7fe00000, 0 };
		a[0] = next() & 1 ? pick(entries, ARRAY_SIZE(entries)) : USER_TEXT + 4 * (next() % 1024);
		return true;
	}
	/* The network (make fuzz boots with two NICs on one wire): filters that
	 * take everything or nothing, buffers and frames in its own pages. */
	case SYS_net_info: a[0] = next() % 3; a[1] = (u32)&net_info_buf; return true;
	case SYS_net_filter: a[0] = next() % 3; a[1] = (u32)(next() & 1 ? net_all : net_none);
		a[2] = next() & 3 ? 1 : 0; return true;
	case SYS_net_post:
	case SYS_net_post_ring: a[0] = next() % 3; a[1] = cname; a[2] = ccheck;
		a[3] = NET_OFFLEN((next() % 16) * 256, 64 + next() % 300); return true;
	case SYS_net_unpost: a[0] = next() % 3; return true;
	case SYS_net_tx: a[0] = next() % 3; a[1] = cname; a[2] = ccheck;
		a[3] = NET_OFFLEN(next() & 3 ? (next() % 8) * 256 : next() % 4096, 14 + next() % 1501);
		return true;
	case SYS_net_notify: a[0] = cname; a[1] = ccheck; a[2] = (next() % 1024) * 4; return true;
	/* The disk (make fuzz boots with a scratch disk): extents near the
	 * start of the disk and past its end, requests with its own
	 * capabilities and blocks near its extents' edges. */
	case SYS_disk_info: a[0] = next() & 3 ? (u32)&disk_info_buf : 0x80000000u; return true;
	case SYS_disk_alloc: a[0] = next() & 7 ? next() % 600 : 8192 - next() % 16;
		a[1] = next() & 7 ? 1 + next() % 32 : next(); return true;
	case SYS_disk_derive:
	case SYS_disk_free: {
		u32 j = nx ? next() % nx : 0;
		a[0] = nx ? xcaps[j][0] : next();
		a[1] = nx ? flip(xcaps[j][1]) : next();
		return true;
	}
	case SYS_disk_rw: {
		u32 j = nx ? next() % nx : 0;
		bool good = next() & 1;          /* mostly right, or nearly */
		disk_req_buf = (struct disk_req){
			good || next() & 7 ? 1 + (next() & 1) : next() % 4,
			nx ? xcaps[j][0] : next(), nx ? (good ? xcaps[j][1] : flip(xcaps[j][1])) : next(),
			(nx ? xcaps[j][2] : 0) + (good ? next() % 2 : next() % 40 - (next() & 7 ? 0 : 1)),
			good || next() & 7 ? 1 + next() % (good ? 2 : 8) : next() % 12,
			cname, good ? ccheck : flip(ccheck),
			good || next() & 7 ? (next() % 8) * 512 : next() % 4200,
			cname, good ? ccheck : flip(ccheck),
			good || next() & 7 ? (next() % 1024) * 4 : next() % 4200 };
		a[0] = (u32)&disk_req_buf;
		return true;
	}
	/* Packet filters: ExOS's port filters (so that some overlap and are
	 * refused; half for the frames broadcast_page makes), sometimes with a
	 * field spoiled; removing ids near the
	 * ones in use; classifying frames in its own pages, a few times. */
	case SYS_net_dpf_add: {
		static struct dpf_filter f;
		u32 port = next() & 1 ? next() % 16 : next() % 64;      /* half: broadcast_page's */
		exos_dpf_port_filter(&f, port < 16 ? (port & 1 ? 6 : 17) : next() & 1 ? 17 : 6, port);
		if (next() % 4 == 0)
			((u8 *)&f)[next() % sizeof f] ^= (u8)(1u << (next() % 8));
		a[0] = next() % 6; a[1] = (u32)&f; return true;
	}
	case SYS_net_dpf_del: a[0] = next() % 6; a[1] = next() % 80; return true;
	/* ASHs: ExOS's echo or a random program (often refused: stores into
	 * the frame, too many blocks), on filter ids near the ones in use,
	 * with a nearly right region of its own page or none. */
	case SYS_ash_add: {
		static struct dc_insn prog[40];
		static struct ash_desc d;
		struct dc_rules r;
		bool region = next() & 1;
		d = (struct ash_desc){ prog, next() & 1 ? exos_ash_udp_echo_prog(prog)
						     : dc_random_program(prog, 40, &r, &rng),
				       region ? cname : 0, region ? flip(ccheck) : 0,
				       region ? NET_OFFLEN(next() % 4096, 1 + next() % 600) : 0 };
		u32 fk = nf ? next() % nf : 0;
		bool known = nf && next() % 4;
		a[0] = known ? filters[fk][0] : next() % 3;
		a[1] = known ? filters[fk][1] : next() % 80;
		a[2] = (u32)&d;
		return true;
	}
	case SYS_ash_del: a[0] = next() % (ASH_MAX + 4); return true;
	case SYS_ash_status: a[0] = next() % (ASH_MAX + 4);
		a[1] = next() & 3 ? (u32)&ash_stat_buf : 0x80000000u; return true;
	case SYS_net_demux: a[0] = next() % 6 | (next() % 4) << 8 | (next() % 5) << 16;
		a[1] = cname; a[2] = ccheck;
		a[3] = NET_OFFLEN(next() % 4096, next() % 1600); return true;
	}
	return fuzz_xn_args(n, a, cname, ccheck, next);
}

/* Issue system call n with four arguments, bypassing the stubs; v1 comes
 * back in *hi. */
static u32 raw(u32 n, const u32 *a, u32 *hi)
{
	register u32 v0 __asm__("$2") = n, v1 __asm__("$3") = 0;
	register u32 a0 __asm__("$4") = a[0], a1 __asm__("$5") = a[1], a2 __asm__("$6") = a[2],
		a3 __asm__("$7") = a[3];
	__asm__ volatile(".set push\n\t.set noreorder\n\tjal 1f\n\tnop\n\tb 2f\n\tnop\n"
			 "1:\tsyscall\n2:\n\t.set pop"
			 : "+r"(v0), "+r"(v1), "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3)
			 :: "$31", "memory");
	*hi = v1;
	return v0;
}

/* Make page ppn's frames broadcast: the destination of a frame sent from
 * any 256-byte boundary k of it is ff:ff:ff:ff:ff:ff, so the NICs take them
 * in and the filters (its own and its siblings') claim them; and they are
 * IPv4 (header length 5) to port k of UDP (k even) or TCP, so that ExOS's
 * port filters for ports 0..15, and their ASHs, take some. */
#define FUZZ_SCRATCH_VA 0x30400000u
static void broadcast_page(u32 ppn, u32 check)
{
	if (sys_tlbwr(FUZZ_SCRATCH_VA | VA_W, CAP_NAME(ppn, CAP_RW), check) != 0)
		return;
	for (u32 k = 0; k < PAGE_SIZE / 256; k++) {
		volatile u8 *f = (volatile u8 *)FUZZ_SCRATCH_VA + k * 256;
		for (u32 i = 0; i < 6; i++)
			f[i] = 0xff;
		f[12] = 0x08, f[13] = 0x00, f[14] = 0x45, f[23] = k & 1 ? 6 : 17;
		f[36] = 0, f[37] = (u8)k;
	}
	sys_tlbvadelete(FUZZ_SCRATCH_VA);
}

/* Remember what a successful call gave it. */
static void learn(u32 n, const u32 *a, u32 v0, u32 v1)
{
	if ((s32)v0 < 0)
		return;
	fuzz_xn_learn(n, v0);
	if ((n == SYS_page_alloc || n == SYS_cap_derive || n == SYS_cap_new) && ncaps < 32) {
		caps[ncaps][0] = n == SYS_page_alloc ? CAP_NAME(v0, CAP_RW) : v0;
		caps[ncaps][1] = v1;
		ncaps++;
		if (n == SYS_page_alloc)
			broadcast_page(v0, v1);
	} else if (n == SYS_net_dpf_add && v0 < DPF_MAXFILT && nf < 16) {
		filters[nf][0] = a[0];
		filters[nf][1] = v0;
		nf++;
	} else if (n == SYS_env_alloc && nkids < 8) {
		kids[nkids++] = v0;
	} else if ((n == SYS_disk_alloc || n == SYS_disk_derive) && nx < 16) {
		xcaps[nx][0] = v0;
		xcaps[nx][1] = v1;
		xcaps[nx][2] = n == SYS_disk_alloc ? a[0] : nx ? xcaps[nx - 1][2] : 0;
		nx++;
	} else if ((n == SYS_sr_alloc || n == SYS_sr_derive) && nsr < 16) {
		srcaps[nsr][0] = v0;
		srcaps[nsr][1] = v1;
		nsr++;
	}
}

int main(void)
{
	u32 slot = 0, calls = 4000;
	rng = (exos_arg & 0xffffff) | 1;
	if (exos_arg & FUZZ_WITH_BOARD) {
		board = (struct fuzz_board *)FUZZ_BOARD_VA;
		slot = (exos_arg >> 24) & (FUZZ_MAXKIDS - 1);
		calls = board->calls;
		u64 r = sys_page_alloc(PAGE_ANY);         /* one capability to share */
		board->caps[slot][0] = CAP_NAME((u32)r, CAP_RW);
		board->caps[slot][1] = (u32)(r >> 32);
		board->ids[slot] = exos_envid;
		for (u32 i = 0; i < board->ballast && i < 65536; i++)   /* held, never mapped */
			if ((int)(u32)sys_page_alloc(PAGE_ANY) < 0)
				break;
		board->ready[slot] = 1;
		for (u32 i = 0; board->ballast && !board->go && i < 100000; i++)
			sys_yield();            /* all hold theirs before anyone calls */
	}
	u32 made = 0, refused = 0;
	while (made < calls) {
		u32 n = next() % (NSYSCALLS + 4), a[5] = { 0 }, v1;
		if (n == SYS_exit || n == SYS_pct_idle || n == SYS_kcheck)
			continue;
		if (next() % 4 || !well_formed(n, a))
			for (int i = 0; i < 4;)
				i += one_arg(a, i);
		if (n == SYS_env_destroy && (a[0] == 0 || a[0] == exos_envid))
			continue;
		if (n == SYS_cputs)
			a[0] |= 0x80000000u;         /* keep random bytes off the console */
		if ((n == SYS_yield || n == SYS_slice_done) && (next() & 7))
			continue;
		u32 v0 = raw(n, a, &v1);
		refused += (s32)v0 < 0;
		learn(n, a, v0, v1);
		made++;
		if (board) {
			board->made[slot] = made;
			if (made % 512 == 0)
				sys_kcheck(0);
		}
	}
	if (board)
		board->made[slot] = made;
	else
		printf("    # fuzz: all %u calls made, %u refused\n", made, refused);
	return 0;
}
