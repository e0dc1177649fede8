/*
 * wakeup.c: Xok's wakeup predicates. An environment that has nothing to do
 * until some memory changes (a pipe fills, a child writes a flag) or until
 * a time comes downloads a predicate and sleeps (wk_sleep). The predicate is
 * a dcode program (dcode.h), checked and compiled to MIPS when it is
 * downloaded; the scheduler runs it whenever it considers the sleeper, so a
 * sleeping library OS costs nothing but its predicate until the predicate
 * holds. Nothing but the predicate wakes it: no one has to send a wake-up.
 *
 * What a predicate may read (its windows, all read-only):
 *   0..npages-1   pages named by capabilities the sleeper presented (any
 *                 capability with read rights); each evaluation first checks
 *                 that the capability is still valid, so a page freed (and
 *                 its secret redrawn) since is never read again;
 *   WK_PUBLIC_WIN the kernel's public page (struct kinfo, kinfo.c): which
 *                 environments exist, what they hold, the slice vector;
 *   WK_KINFO_WIN  struct wk_kinfo: the time (CP0 Count) and the sleeper's id.
 *
 * Where predicates run: next_owner (slice.c) when a sleeper's slice position
 * comes up, sched (env.c) when it looks for someone to run, and yield_to
 * naming a sleeper. The cost is bounded: at most WK_MAXINSNS dcode
 * instructions, forward jumps only, per evaluation.
 *
 * A sleeper wakes, with wk_sleep returning:
 *   0         the predicate held;
 *   -E_FAULT  the predicate read outside its windows;
 *   -E_BADCAP a window's capability is no longer valid;
 *   -E_AGAIN  a revocation upcall waits for it (it must run to comply).
 */
#include "defs.h"
#include "dcode.h"

#define WK_CODE_WORDS DC_CODE_WORDS(WK_MAXINSNS)

/* One sleeper's predicate: its compiled code and the pages it reads. The
 * last program compiled for the slot is kept (prog, n, its code in code[]),
 * so that sleeping again on the same predicate, as a loop does, skips the
 * checker and the compiler. */
struct wk_pred {
	dc_fn fn;                       /* NULL: not asleep */
	dc_fn compiled;                 /* code[slot] holds prog[0..n-1] compiled; NULL: nothing */
	unsigned n;
	unsigned checked_npages;        /* the npages prog was checked for (its windows) */
	struct dc_insn prog[WK_MAXINSNS];
	u32 npages;
	const struct ppage *page[WK_MAXPAGES];  /* the pages of windows 0..npages-1 ... */
	const u32 *secret[WK_MAXPAGES]; /* ... their secret for the rights presented ... */
	u32 check[WK_MAXPAGES];         /* ... and the check presented */
	u32 uprog;                      /* the user address prog was last given from */
	struct dc_win win[DC_MAXWIN];   /* the windows, ready for the code */
	bool timed;                     /* reads the kernel window (the time can make it true) */
};

static struct wk_pred preds[NENV];
static u32 code[NENV][WK_CODE_WORDS] __attribute__((aligned(32)));
static struct wk_kinfo kinfo;

/* Does program p read window win? */
static bool reads_window(const struct dc_insn *p, unsigned n, unsigned win)
{
	for (unsigned i = 0; i < n; i++)
		if (dc_is_load(p[i].op) && p[i].off == win)
			return true;
	return false;
}

/* Evaluate e's predicate as at Count = now: 1 if it holds, 0 if not, or
 * the negative error wk_sleep is to return. */
static int evaluate_at(struct env *e, const struct wk_pred *w, u32 now)
{
	if (revoke_upcall_pending(e))
		return -E_AGAIN;
	/* Each capability is still valid: its page in use and its secret
	 * unchanged (cap_secret: a page's secrets are redrawn when it is
	 * freed, a derived capability's when it dies). */
	for (u32 i = 0; i < w->npages; i++)
		if (w->page[i]->state != PAGE_USED || *w->secret[i] != w->check[i])
			return -E_BADCAP;
	kinfo.now = now;
	kinfo.envid = e->id;
	u64 r = w->fn(w->win);
	if (r >> 32)
		return -E_FAULT;
	return (u32)r != 0;
}

/* Evaluate e's predicate now. */
static int evaluate(struct env *e, const struct wk_pred *w)
{
	return evaluate_at(e, w, mfc0(C0_COUNT, 0));
}

/* Make sleeper e runnable, its wk_sleep returning r. */
static void wake(struct env *e, int r)
{
	preds[env_slot(e)].fn = NULL;
	e->tf.regs[R_V0] = (u32)r;
	e->status = ENV_RUNNABLE;
}

bool wk_poll(struct env *e)
{
	if (e->status != ENV_SLEEPING)
		return e->status == ENV_RUNNABLE;
	int r = evaluate(e, &preds[env_slot(e)]);
	if (r == 0)
		return false;
	wake(e, r > 0 ? 0 : r);
	return true;
}

/* How long the idle loop waits at most before it looks again: a slice, as
 * next_owner looks at a sleeper that holds a position once a slice. */
#define IDLE_TICKS SLICE_TICKS
/* A slice that ended while the kernel idled ends this many ticks after
 * someone wakes (the timer cannot be made pending at once). */
#define IDLE_KICK  16
/* A wait shorter than this is not worth the timer (nor safe to arm: Count
 * could pass Compare before it is written): the loop looks again at once. */
#define IDLE_MIN   64

/* Ticks from now until sleeper e's timed predicate first holds, at most
 * limit, if nothing but the time changes meanwhile (true while the kernel
 * idles: nothing runs, and an interrupt ends the wait). Found by evaluating
 * the predicate at times to come, in a binary search that takes a predicate
 * to keep holding once it holds, up to now + limit, as "now - start >=
 * ticks" does. A predicate true only for a moment inside the limit may be
 * found late or missed, as a loop that looked at it now and then could. */
static u32 ticks_until(struct env *e, u32 now, u32 limit)
{
	const struct wk_pred *w = &preds[env_slot(e)];
	if (evaluate_at(e, w, now + limit) == 0)
		return limit;
	u32 lo = 0, hi = limit;               /* it holds at now + hi */
	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;
		if (evaluate_at(e, w, now + mid) != 0)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* Put the slice's timer back once the idle loop has armed it for itself:
 * the slice ends at end, or at once if it ended while the kernel idled. */
static void slice_timer_back(u32 end, bool ended)
{
	if (!ended && (s32)(end - mfc0(C0_COUNT, 0)) > IDLE_KICK) {
		mtc0(C0_COMPARE, 0, end);
		if ((s32)(end - mfc0(C0_COUNT, 0)) > 0)
			return;
	}
	timer_set(IDLE_KICK);
}

bool wk_idle_trap(struct trapframe *tf)
{
	if (tf->epc <= (u32)(uintptr_t)idle_wait_on || tf->epc > (u32)(uintptr_t)idle_wait_off)
		return false;
	tf->epc = (u32)(uintptr_t)idle_wait_off;
	tf->status &= ~ST_IE;
	return true;
}

struct env *wk_idle(void)
{
	u32 slice_end = mfc0(C0_COMPARE, 0);
	bool ended = mfc0(C0_CAUSE, 0) & CAUSE_IP7, waited = false;
	for (;;) {
		/* The kernel runs with interrupts off: what came meanwhile
		 * (or ended the wait below) is served here, a frame may wake
		 * a receiver, a disk request finish. */
		if (mfc0(C0_CAUSE, 0) & CAUSE_IP2) {
			nic_intr();
			disk_intr();
		}
		nic_poll();
		disk_poll();
		bool io = nic_receiving() || disk_busy(), timed = false;
		u32 ticks = IDLE_TICKS;
		for (int i = 0; i < env_span; i++) {
			if (envs[i].status != ENV_SLEEPING)
				continue;
			if (wk_poll(&envs[i])) {
				if (waited)
					slice_timer_back(slice_end, ended);
				return &envs[i];
			}
			if (preds[i].timed) {
				timed = true;
				u32 t = ticks_until(&envs[i], mfc0(C0_COUNT, 0), ticks);
				ticks = t < ticks ? t : ticks;
			}
		}
		if (!timed && !io)
			return NULL;
		/* Sleep until the first timed predicate holds, an interrupt
		 * comes, or IDLE_TICKS pass (the disk's time-out is checked
		 * then too). The slice's timer is the one there is. A
		 * Compare that Count has already passed (timer_set could not
		 * arm it) would not fire for 26 s: then look again instead;
		 * once ahead, it fires even if Count gets there before the
		 * wait (the interrupt is pending then). */
		if (ticks < IDLE_MIN)
			continue;
		ended |= (s32)(mfc0(C0_COUNT, 0) - slice_end) >= 0;
		timer_set(ticks);
		waited = true;
		if ((s32)(mfc0(C0_COMPARE, 0) - mfc0(C0_COUNT, 0)) <= 0)
			continue;
		kinfo_pub->idle_waits++;
		idle_wait(user_intr_mask);
		ended |= (s32)(mfc0(C0_COUNT, 0) - slice_end) >= 0;
	}
}

bool wk_any_sleeper(void)
{
	for (int i = 0; i < env_span; i++)
		if (envs[i].status == ENV_SLEEPING)
			return true;
	return false;
}

void wk_env_gone(struct env *e)
{
	preds[env_slot(e)].fn = NULL;
	preds[env_slot(e)].compiled = NULL;
}

bool wk_consistent(const struct env *e)
{
	return (e->status == ENV_SLEEPING) == (preds[env_slot(e)].fn != NULL);
}

/* Present the capabilities of the n pages in pg for w and set up its
 * windows: 0 or -E_BADCAP. */
static int take_pages(struct wk_pred *w, const struct wk_page *pg, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		int ppn = cap_page(pg[i].capname, pg[i].capcheck, CAP_R);
		if (ppn < 0)
			return ppn;
		w->page[i] = &pages[ppn];
		w->secret[i] = cap_secret(pg[i].capname);
		w->check[i] = pg[i].capcheck;
		w->win[i] = (struct dc_win){ (u32)(uintptr_t)KADDR((u32)ppn * PAGE_SIZE), PAGE_SIZE };
	}
	for (u32 i = n; i < WK_PUBLIC_WIN; i++)
		w->win[i] = (struct dc_win){ 0, 0 };
	w->win[WK_PUBLIC_WIN] = (struct dc_win){ (u32)(uintptr_t)kinfo_pub, sizeof *kinfo_pub };
	w->win[WK_KINFO_WIN] = (struct dc_win){ (u32)(uintptr_t)&kinfo, sizeof kinfo };
	w->npages = n;
	return 0;
}

/* Is p[0..n-1] the program w compiled last? Compared a word at a time. */
static bool same_program(const struct wk_pred *w, const struct dc_insn *p, unsigned n)
{
	const u32 *a = (const u32 *)w->prog, *b = (const u32 *)p;
	if (w->n != n)
		return false;
	for (unsigned i = 0; i < 2 * n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* Present the npages capabilities pg for w's windows, then evaluate w's
 * compiled predicate for curenv: 0 with curenv asleep if it does not hold,
 * else what wk_sleep returns at once. */
static u32 arm(struct wk_pred *w, const struct wk_page *pg, u32 npages)
{
	int r = take_pages(w, pg, npages);
	if (r < 0)
		return (u32)r;
	w->fn = w->compiled;
	r = evaluate(curenv, w);
	if (r != 0) {
		w->fn = NULL;
		return (u32)(r > 0 ? 0 : r);
	}
	curenv->status = ENV_SLEEPING;   /* after_trap picks someone else */
	return 0;
}

/* wk_sleep(prog, n, pages, npages): sleep until the predicate prog (n dcode
 * instructions, at most WK_MAXINSNS) holds. pages: npages (at most
 * WK_MAXPAGES) struct wk_page capabilities, with read rights, for the pages
 * the predicate reads as windows 0..npages-1; window WK_PUBLIC_WIN is the
 * public page (struct kinfo) and window WK_KINFO_WIN is struct wk_kinfo. The predicate is evaluated at once: if it holds, the call
 * returns 0 without sleeping. Returns (now or on waking) 0 when it held;
 * -E_INVAL: n or npages out of range, or the checker refused the program
 * (a window it may not read, a backward jump, no RET at its end, ...);
 * -E_FAULT: prog or pages not readable user memory, or the predicate read
 * outside its windows; -E_BADCAP: a capability is not valid (now, or no
 * longer when the predicate ran); -E_AGAIN: a revocation upcall is waiting
 * (it is delivered first; call again after it). */
u32 sys_wk_sleep(struct trapframe *tf)
{
	u32 uprog = tf->regs[R_A0], n = tf->regs[R_A1];
	u32 upages = tf->regs[R_A2], npages = tf->regs[R_A3];
	struct dc_insn prog[WK_MAXINSNS];
	struct wk_page pg[WK_MAXPAGES];
	if (n == 0 || n > WK_MAXINSNS || npages > WK_MAXPAGES)
		return (u32)-E_INVAL;
	if (copyin(prog, uprog, n * (u32)sizeof prog[0]) < 0 ||
	    (npages && copyin(pg, upages, npages * (u32)sizeof pg[0]) < 0))
		return (u32)-E_FAULT;
	int slot = env_slot(curenv);
	struct wk_pred *w = &preds[slot];
	/* The windows the program may read depend on npages: a cached program
	 * is reused only with the same number of pages. */
	if (!w->compiled || w->checked_npages != npages || !same_program(w, prog, n)) {
		struct dc_rules rules = { WK_MAXINSNS, DC_MAXWIN, { 0, 0, 0, 0 }, 0 };
		for (u32 i = 0; i < npages; i++)
			rules.win_flags[i] = DC_R;
		rules.win_flags[WK_PUBLIC_WIN] = DC_R;
		rules.win_flags[WK_KINFO_WIN] = DC_R;
		if (dc_check(prog, n, &rules) < 0)
			return (u32)-E_INVAL;
		int words = dc_compile(prog, n, code[slot], WK_CODE_WORDS);
		if (words < 0)
			return (u32)-E_INVAL;      /* cannot happen: WK_CODE_WORDS bounds it */
		w->compiled = dc_install(code[slot], (unsigned)words);
		w->n = n;
		w->checked_npages = npages;
		for (u32 i = 0; i < n; i++)
			w->prog[i] = prog[i];
		w->timed = reads_window(prog, n, WK_KINFO_WIN);
	}
	w->uprog = uprog;
	return arm(w, pg, npages);
}

/* wk_sleep_again(prog, n, pages, npages): wk_sleep, for a caller that
 * promises that the n instructions at prog have not changed since it last
 * gave them to wk_sleep or wk_sleep_again (a program in read-only memory,
 * as a library OS's are): if that was its last such call, with the same
 * prog, n and npages, the program compiled then is used again without
 * being copied in and compared; otherwise exactly wk_sleep. The pages'
 * capabilities are presented and checked as by wk_sleep, every time. Same
 * results and errors as wk_sleep. */
u32 sys_wk_sleep_again(struct trapframe *tf)
{
	u32 uprog = tf->regs[R_A0], n = tf->regs[R_A1];
	u32 upages = tf->regs[R_A2], npages = tf->regs[R_A3];
	struct wk_pred *w = &preds[env_slot(curenv)];
	if (!w->compiled || w->uprog != uprog || w->n != n || w->checked_npages != npages)
		return sys_wk_sleep(tf);
	struct wk_page pg[WK_MAXPAGES];        /* npages <= WK_MAXPAGES: checked with the program */
	if (npages && copyin(pg, upages, npages * (u32)sizeof pg[0]) < 0)
		return (u32)-E_FAULT;
	return arm(w, pg, npages);
}
