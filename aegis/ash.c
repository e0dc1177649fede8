/*
 * ash.c: application-specific safe handlers (ASHs), the kernel's side. See
 * docs/network.md ("ASHs") and abi.h.
 *
 * An environment downloads a dcode program (docs/dcode.md) for one of its
 * DPF filters on a NIC. The kernel checks it (dc_check under the ASH rules:
 * at most ASH_MAXINSNS instructions, ASH_MAXBLOCKS block instructions, the
 * four windows below), compiles it (dc_compile) into a code buffer of its
 * own from a bounded pool, and installs it (dc_install). When that filter
 * accepts a frame, nic.c calls ash_arrive at once, in the receive path,
 * before anything is scheduled: the ASH runs over
 *	ASH_WIN_FRAME  the frame in the kernel's receive buffer (read-only),
 *	ASH_WIN_REGION bytes of a page the owner named at download (read-write;
 *	               re-checked as still held before every run),
 *	ASH_WIN_REPLY  its own reply buffer (read-write kernel memory),
 *	ASH_WIN_INFO   struct ash_info (read-only, on the kernel stack),
 * and its result says whether the frame goes on to the owner's posted
 * buffers and how much of the reply buffer to send on the same NIC.
 *
 * Safety is the engine's (every access bounds-checked against its window,
 * forward jumps only, a block instruction's loop bounded by its window's
 * length, no code address ever computed by the program) and this file's
 * (which windows, and that they are the owner's). A run that faults or
 * returns nonsense is counted against the ASH, the owner's notification
 * word is incremented, and the frame goes on as if there were no ASH.
 *
 * ASHs are a budgeted resource (LIM_ASHS, charged to the owner and its
 * ancestors) and end with their filter: removed (net_dpf_del) or its owner
 * gone (env_destroy removes every filter of the environment).
 */
#include "defs.h"

#define ASH_CODE_WORDS DC_CODE_WORDS_BLK(ASH_MAXINSNS, ASH_MAXBLOCKS)
#define REPLY_SIZE     1536              /* ASH_REPLY_MAX, rounded up to cache lines */

struct ash {
	u8 owner;                        /* env slot + 1; 0: this entry is free */
	u8 nic;
	u16 filter;                      /* the DPF filter's id on that NIC's table */
	u32 rppn, rid, roff, rlen;       /* the region: page, its identity, range; rlen 0: none */
	dc_fn fn;                        /* the compiled program */
	struct ash_stat st;
};
static struct ash ashes[ASH_MAX];
static u8 ash_of[NET_MAXNIC][DPF_MAXFILT];      /* each filter's ASH index + 1, 0: none */
static u8 reply[ASH_MAX][REPLY_SIZE] __attribute__((aligned(32)));
static u32 code[ASH_MAX][ASH_CODE_WORDS] __attribute__((aligned(32)));

static const struct dc_rules ash_rules = {
	ASH_MAXINSNS, 4, { DC_R, DC_R | DC_W, DC_R | DC_W, DC_R }, ASH_MAXBLOCKS
};

/* Take ASH k away: its filter no longer has one, its owner's budget gets
 * the unit back. */
static void ash_remove(u32 k)
{
	struct ash *a = &ashes[k];
	ash_of[a->nic][a->filter] = 0;
	limit_uncharge(&envs[a->owner - 1], LIM_ASHS, 1);
	a->owner = 0;
	a->fn = NULL;
}

void ash_filter_gone(u32 table, u32 filter)
{
	if (table < NET_MAXNIC && filter < DPF_MAXFILT && ash_of[table][filter])
		ash_remove(ash_of[table][filter] - 1u);
}

/* A run of ASH a was aborted for reason why: count it, tell the owner (its
 * notification word); the frame goes on as if there were no ASH (true). */
static bool aborted(struct ash *a, u32 why)
{
	a->st.aborts++;
	a->st.last_abort = why;
	nic_notify(a->owner - 1);
	return true;
}

/* Loops. Two handlers that answer each other's replies (on two NICs of this
 * board, or on two boards) would bounce a frame for ever, each bounce a new
 * interrupt taken as soon as the kernel returns to user mode, so that no
 * environment would run again. So replies are counted while nobody makes
 * progress, and after ASH_REPLY_BURST of them the next is dropped, which
 * ends any loop. Progress: an environment sent a frame itself (net_tx), or
 * the environment a NIC interrupt finds running has moved on since the
 * last NIC interrupt found it (its pc differs). */
static u32 quiet_replies;
static u32 last_epc[NENV];

void ash_progress(void)
{
	quiet_replies = 0;
}

void ash_interrupted(int slot, u32 epc)
{
	if (last_epc[slot] != epc) {
		last_epc[slot] = epc;
		quiet_replies = 0;
	}
}

bool ash_arrive(u32 ni, u32 filter, const u8 *frame, u32 len)
{
	if (ni >= NET_MAXNIC || filter >= DPF_MAXFILT || !ash_of[ni][filter])
		return true;
	u32 k = ash_of[ni][filter] - 1u;
	struct ash *a = &ashes[k];
	u32 pa = a->rppn * PAGE_SIZE + a->roff;
	if (a->rlen && !page_still_held(a->rppn, a->owner - 1, a->rid))
		return aborted(a, ASH_ABORT_REGION);
	struct ash_info info = { len, ni, a->st.runs, 0 };
	struct dc_win w[4] = {
		[ASH_WIN_FRAME] = { (uintptr_t)frame, len },
		[ASH_WIN_REGION] = { a->rlen ? (uintptr_t)KADDR(pa) : 0, a->rlen },
		[ASH_WIN_REPLY] = { (uintptr_t)reply[k], ASH_REPLY_MAX },
		[ASH_WIN_INFO] = { (uintptr_t)&info, sizeof info },
	};
	a->st.runs++;
	dcache_user_sync(pa, a->rlen);          /* what the owner wrote, from memory */
	u64 r = a->fn(w);
	dcache_user_sync(pa, a->rlen);          /* and the owner reads what the ASH wrote */
	if (r >> 32)
		return aborted(a, ASH_ABORT_FAULT);
	u32 res = (u32)r, n = ASH_REPLY_LEN(res);
	if ((res & ~(ASH_DELIVER | 0xffffu)) || (n && (n < NET_FRAME_MIN || n > NET_FRAME_MAX)))
		return aborted(a, ASH_ABORT_RESULT);
	if (n && quiet_replies < ASH_REPLY_BURST && nic_send(ni, reply[k], n) == 0) {
		a->st.replies++;
		quiet_replies++;
	} else if (n) {
		a->st.reply_drops++;
	}
	if (res & ASH_DELIVER)
		return true;
	a->st.consumed++;
	return false;
}

u32 ash_count_of(int slot)
{
	u32 n = 0;
	for (u32 k = 0; k < ASH_MAX; k++)
		n += ashes[k].owner == slot + 1;
	return n;
}

bool ash_consistent(char *why, u32 len)
{
	for (u32 k = 0; k < ASH_MAX; k++) {
		const struct ash *a = &ashes[k];
		if (!a->owner)
			continue;
		int o = a->owner - 1;
		if (o >= NENV || envs[o].status == ENV_FREE || !a->fn || a->nic >= nic_count() ||
		    a->filter >= DPF_MAXFILT || nic_filter_owner(a->nic, a->filter) != o ||
		    ash_of[a->nic][a->filter] != k + 1) {
			lib_snprintf(why, len, "ash %u: owner slot %d, nic %u filter %u, not so", k, o,
				     a->nic, a->filter);
			return false;
		}
	}
	for (u32 t = 0; t < NET_MAXNIC; t++)
		for (u32 id = 0; id < DPF_MAXFILT; id++) {
			u32 e = ash_of[t][id];
			if (e && (e > ASH_MAX || ashes[e - 1].owner == 0 || ashes[e - 1].nic != t ||
				  ashes[e - 1].filter != id)) {
				lib_snprintf(why, len, "nic %u filter %u: names ash %u, which is not its", t, id, e);
				return false;
			}
		}
	return true;
}

/* The caller's ASH id, or NULL. */
static struct ash *own_ash(u32 id)
{
	if (id >= ASH_MAX || ashes[id].owner != env_slot(curenv) + 1)
		return NULL;
	return &ashes[id];
}

/* Check the region a download names (capname = capcheck = 0: none, and
 * off_len must be 0): a read-write capability for a page the caller holds,
 * a range of 1..PAGE_SIZE bytes inside it. Fills a's region; 0 or an error. */
static int region_arg(struct ash *a, const struct ash_desc *d)
{
	a->rppn = a->rid = a->roff = a->rlen = 0;
	if (d->capname == 0 && d->capcheck == 0)
		return d->off_len == 0 ? 0 : -E_INVAL;
	int ppn = page_range(d->capname, d->capcheck, CAP_RW, d->off_len, 1, PAGE_SIZE, 1);
	if (ppn < 0)
		return ppn;
	a->rppn = (u32)ppn;
	a->rid = page_identity((u32)ppn);
	a->roff = d->off_len >> 16;
	a->rlen = d->off_len & 0xffff;
	return 0;
}

/* ash_add(nic, filter, desc): download an ASH (struct ash_desc, abi.h) for
 * the caller's DPF filter `filter` on NIC nic; it runs on every frame that
 * filter accepts from now on, until ash_del, the filter's removal or the
 * caller's end. Returns its id (0..ASH_MAX-1). -E_INVAL: no such NIC, no
 * such filter installed, n out of 1..ASH_MAXINSNS, dc_check refused the
 * program, or a bad region range; -E_PERM: the filter is another
 * environment's, or the region's page is not the caller's; -E_BADCAP: the
 * region's capability is not a valid read-write one; -E_BUSY: the filter
 * has an ASH already; -E_FAULT: desc or the program not readable; -E_QUOTA:
 * over the caller's LIM_ASHS budget; -E_NOMEM: ASH_MAX ASHs exist. */
u32 sys_ash_add(struct trapframe *tf)
{
	u32 ni = tf->regs[R_A0], filter = tf->regs[R_A1], ud = tf->regs[R_A2];
	if (ni >= nic_count() || filter >= DPF_MAXFILT)
		return (u32)-E_INVAL;
	int owner = nic_filter_owner(ni, filter), slot = env_slot(curenv);
	if (owner < 0)
		return (u32)-E_INVAL;
	if (owner != slot)
		return (u32)-E_PERM;
	if (ash_of[ni][filter])
		return (u32)-E_BUSY;
	struct ash_desc d;
	static struct dc_insn prog[ASH_MAXINSNS];       /* the kernel runs one call at a time */
	if (!user_range_ok(ud, sizeof d) || copyin(&d, ud, sizeof d) < 0)
		return (u32)-E_FAULT;
	if (d.n == 0 || d.n > ASH_MAXINSNS)
		return (u32)-E_INVAL;
	u32 up = (u32)(uintptr_t)d.prog, bytes = d.n * (u32)sizeof prog[0];
	if (!user_range_ok(up, bytes) || copyin(prog, up, bytes) < 0)
		return (u32)-E_FAULT;
	if (dc_check(prog, d.n, &ash_rules) < 0)         /* on the kernel's copy */
		return (u32)-E_INVAL;
	struct ash a = { 0 };
	int err = region_arg(&a, &d);
	if (err < 0)
		return (u32)err;
	u32 k = 0;
	while (k < ASH_MAX && ashes[k].owner)
		k++;
	err = limit_charge(curenv, LIM_ASHS, 1);
	if (err < 0)
		return (u32)err;
	int words = k < ASH_MAX ? dc_compile(prog, d.n, code[k], ASH_CODE_WORDS) : -E_NOMEM;
	if (words < 0) {
		limit_uncharge(curenv, LIM_ASHS, 1);
		return (u32)-E_NOMEM;
	}
	a.owner = (u8)(slot + 1);
	a.nic = (u8)ni;
	a.filter = (u16)filter;
	a.st.nic = ni;
	a.st.filter = filter;
	a.fn = dc_install(code[k], (u32)words);
	__builtin_memset(reply[k], 0, sizeof reply[k]);
	ashes[k] = a;
	ash_of[ni][filter] = (u8)(k + 1);
	return k;
}

/* ash_del(id): remove the caller's ASH id; its filter stays. -E_INVAL: no
 * such ASH of the caller's. */
u32 sys_ash_del(struct trapframe *tf)
{
	struct ash *a = own_ash(tf->regs[R_A0]);
	if (!a)
		return (u32)-E_INVAL;
	ash_remove((u32)(a - ashes));
	return 0;
}

/* ash_status(id, buf): copy the caller's ASH id's counters (struct
 * ash_stat) to buf. -E_INVAL: no such ASH of the caller's; -E_FAULT: buf
 * not writable. */
u32 sys_ash_status(struct trapframe *tf)
{
	struct ash *a = own_ash(tf->regs[R_A0]);
	u32 buf = tf->regs[R_A1];
	if (!a)
		return (u32)-E_INVAL;
	if (!user_range_ok(buf, sizeof a->st) || copyout(buf, &a->st, sizeof a->st) < 0)
		return (u32)-E_FAULT;
	return 0;
}
