/* kids.h: what the device test programs (apps/nettest, apps/disktest) share
 * for running children of their own program and taking pages. */
#ifndef KIDS_H
#define KIDS_H
#include "exos.h"

/* Start program prog with argument mode, the page (ppn, check) mapped at
 * child_va in it. */
static inline int kid_spawn(const char *prog, u32 mode, u32 child_va, u32 ppn, u32 check)
{
	struct exos_share share = { child_va, ppn, check };
	return exos_spawn_with(prog, mode, &share, 1);
}

/* Wait for child to end: its exit status, or 0x7fffffff. */
static inline int kid_wait(int child)
{
	int status = 0x7fffffff;
	if (child <= 0 || exos_wait((u32)child, &status) < 0)
		return 0x7fffffff;
	return status;
}

/* Call take(0), take(1), ... until it refuses or max calls succeeded: how
 * many succeeded in *count, the refusal's error code (positive; 0 if none)
 * in *err. For children that try to fill a kernel table. */
static inline void kid_take_until_refused(int (*take)(u32 k), u32 max, volatile u32 *count,
					  volatile u32 *err)
{
	int r = 0;
	u32 n = 0;
	while (n < max && (r = take(n)) >= 0)
		n++;
	*count = n;
	*err = r < 0 ? (u32)-r : 0;
}

/* Yield (at most n times) until *step reaches s: whether it did. */
static inline bool wait_step(volatile u32 *step, u32 s, u32 n)
{
	for (u32 i = 0; i < n && *step < s; i++)
		sys_yield();
	return *step >= s;
}

/* A fresh page mapped read-write at va: its number and CAP_RW check. */
static inline bool new_page(u32 va, u32 *ppn, u32 *check)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	*ppn = (u32)r;
	*check = (u32)(r >> 32);
	return (int)*ppn >= 0 && vm_map_page(va, *ppn, *check, VM_RW) == 0;
}

/* A child's part, once it has set things up in its page at va: leave (set
 * *step to 1 and return 0, to exit) or, if unref, let go of the page first
 * and stay alive until *step is 2. */
static inline int kid_leave(u32 va, bool unref, volatile u32 *step)
{
	if (unref && vm_unmap(va, 1, true) != 0)
		return 93;
	*step = 1;
	if (unref)
		wait_step(step, 2, 100000);
	return 0;
}

/* The parent's side of kid_leave: child has set things up and left (set
 * *step to 1 and, if exited, ended with status 0). */
static inline bool kid_left(int child, volatile u32 *step, bool exited)
{
	return child > 0 && wait_step(step, 1, 100000) && (!exited || kid_wait(child) == 0);
}

/* A child's part: hold a page of its own at va, publish its capability in
 * *ppn and *check, set *step to 1 and wait until it is 2. */
static inline int kid_hold_page(u32 va, volatile u32 *step, volatile u32 *ppn, volatile u32 *check)
{
	u32 p, c;
	if (!new_page(va, &p, &c))
		return 90;
	*ppn = p;
	*check = c;
	*step = 1;
	wait_step(step, 2, 100000);
	return 0;
}
/* Sleep until the word at w (in the page named by capname/capcheck) differs
 * from val or `ticks` have passed: a predicate over the page and the time. */
static inline void sleep_until_changed(volatile u32 *w, u32 capname, u32 capcheck, u32 val, u32 ticks)
{
	u32 start = read_count();
	const struct dc_insn prog[] = {
		DC_INSN(DC_LDWA, 1, 0, 0, (u32)w & (PAGE_SIZE - 1)),
		DC_INSN(DC_JNEI, 1, 0, 4, val),
		DC_INSN(DC_LDWA, 2, 0, WK_KINFO_WIN, WK_KINFO_NOW),
		DC_INSN(DC_SUBI, 2, 0, 0, start),
		DC_INSN(DC_JGTI, 2, 0, 1, ticks),
		DC_INSN(DC_RETI, 0, 0, 0, 0),
		DC_INSN(DC_RETI, 0, 0, 0, 1),
	};
	struct wk_page pg = { capname, capcheck };
	exos_wait_pred(prog, sizeof prog / sizeof prog[0], &pg, 1);
}

#endif
