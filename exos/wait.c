/*
 * wait.c: sleeping on wakeup predicates (wk_sleep; docs/wakeup.md). The
 * kernel runs the predicate whenever it considers this environment and gives
 * it the processor only once the predicate holds, so a waiting library OS
 * costs nothing while it waits and no one has to wake it.
 */
#include "exos.h"
#include "pt.h"

int exos_wait_pred(const struct dc_insn *prog, unsigned n, const struct wk_page *pages,
		   unsigned npages)
{
	int r;
	do
		r = sys_wk_sleep(prog, n, pages, npages);
	while (r == -E_AGAIN);         /* a revocation upcall ran first: sleep again */
	return r;
}

/* Sleep until the word at off of window win equals val (eq) or differs
 * from it (!eq); pages: the capabilities of windows 0..npages-1. */
static int wait_word_in(unsigned win, u32 off, u32 val, bool eq, const struct wk_page *pages,
			unsigned npages)
{
	/* r0 = the word; hold (return 1) if r0 == val, or if it differs (!eq). */
	const struct dc_insn prog[] = {
		DC_INSN(DC_LDWA, 0, 0, win, off),
		DC_INSN(DC_JEQI, 0, 0, 1, val),
		DC_INSN(DC_RETI, 0, 0, 0, !eq),
		DC_INSN(DC_RETI, 0, 0, 0, eq),
	};
	return exos_wait_pred(prog, ARRAY_SIZE(prog), pages, npages);
}

int exos_wait_word_cap(volatile u32 *addr, u32 capname, u32 capcheck, u32 val, bool eq)
{
	u32 va = (u32)(uintptr_t)addr;
	if (va & 3)
		return -E_INVAL;
	const struct wk_page page = { capname, capcheck };
	return wait_word_in(0, va & (PAGE_SIZE - 1), val, eq, &page, 1);
}

int exos_wait_public_word(u32 off, u32 val, bool eq)
{
	if ((off & 3) || off >= sizeof(struct kinfo))
		return -E_INVAL;
	return wait_word_in(WK_PUBLIC_WIN, off, val, eq, NULL, 0);
}

int exos_page_cap(u32 va, u32 *capname, u32 *capcheck)
{
	const struct pte *p = pt_walk(va, false);
	if (!p || !(p->word & PTE_P))
		return -E_FAULT;
	*capname = CAP_NAME(PTE_PPN(p->word), CAP_RW);
	*capcheck = p->check;
	return 0;
}

int exos_wait_word(volatile u32 *addr, u32 val, bool eq)
{
	u32 name, check;
	int r = exos_page_cap((u32)(uintptr_t)addr, &name, &check);
	return r < 0 ? r : exos_wait_word_cap(addr, name, check, val, eq);
}

int exos_wait_changed_cap(volatile u32 *addr, u32 capname, u32 capcheck, u32 val, u32 ticks)
{
	u32 va = (u32)(uintptr_t)addr;
	if (va & 3)
		return -E_INVAL;
	/* Hold if the word differs from val, or once now - start >= ticks. */
	const struct dc_insn prog[] = {
		DC_INSN(DC_LDWA, 1, 0, 0, va & (PAGE_SIZE - 1)),
		DC_INSN(DC_JNEI, 1, 0, 4, val),
		DC_INSN(DC_LDWA, 2, 0, WK_KINFO_WIN, WK_KINFO_NOW),
		DC_INSN(DC_SUBI, 2, 0, 0, read_count()),
		DC_INSN(DC_JGEI, 2, 0, 1, ticks),
		DC_INSN(DC_RETI, 0, 0, 0, 0),
		DC_INSN(DC_RETI, 0, 0, 0, 1),
	};
	const struct wk_page page = { capname, capcheck };
	return exos_wait_pred(prog, ARRAY_SIZE(prog), &page, 1);
}

int exos_sleep_ticks(u32 ticks)
{
	/* r0 = now - start (mod 2^32); hold once it is >= ticks. */
	const struct dc_insn prog[] = {
		DC_INSN(DC_LDWA, 0, 0, WK_KINFO_WIN, WK_KINFO_NOW),
		DC_INSN(DC_SUBI, 0, 0, 0, read_count()),
		DC_INSN(DC_JGEI, 0, 0, 1, ticks),
		DC_INSN(DC_RETI, 0, 0, 0, 0),
		DC_INSN(DC_RETI, 0, 0, 0, 1),
	};
	return exos_wait_pred(prog, ARRAY_SIZE(prog), NULL, 0);
}
