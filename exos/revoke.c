/*
 * revoke.c: ExOS's side of visible revocation. Aegis asks for pages back
 * (REVOKE_REQUEST, a1 = how many): the application's policy, if it set one,
 * chooses which and gives them back with vm_unmap(..., true); without a
 * policy ExOS gives nothing and the kernel's abort protocol decides. When
 * pages were taken by force (REVOKE_REPOSSESSED), ExOS reads the
 * repossession vector and clears every page-table entry that named them, so
 * a later access faults into the region's handler instead of using a page
 * that is gone.
 */
#include "exos.h"
#include "pt.h"

static void (*give_back_fn)(u32 npages);
static void (*slices_back_fn)(u32 n), (*slices_taken_fn)(u32 n);
static void (*lost_fn)(u32 va);
volatile u32 exos_pages_repossessed;

void exos_set_slice_revoke_policy(void (*give_back)(u32 n), void (*taken)(u32 n))
{
	slices_back_fn = give_back;
	slices_taken_fn = taken;
}

void exos_set_revoke_policy(void (*give_back)(u32 npages), void (*lost)(u32 va))
{
	give_back_fn = give_back;
	lost_fn = lost;
}

/* The revocation entry's C half: the upcall carries a1 (how many) in
 * f->badvaddr and a2 (which upcall) in f->cause. */
void exos_revoke(struct trapframe *f)
{
	u32 n = f->badvaddr, kind = f->cause;
	if (kind == REVOKE_REQUEST) {
		if (give_back_fn)
			give_back_fn(n);
		return;
	}
	if (kind == REVOKE_SLICES_REQ || kind == REVOKE_SLICES_TAKEN) {
		void (*fn)(u32) = kind == REVOKE_SLICES_REQ ? slices_back_fn : slices_taken_fn;
		if (fn)
			fn(n);
		return;
	}
	if (kind != REVOKE_REPOSSESSED)
		return;
	u32 taken[64];
	int k = sys_repossessed(taken, 64);
	for (int i = 0; i < k && i < 64; i++) {
		exos_pages_repossessed++;
		pt_forget_ppn(taken[i], lost_fn);
	}
}

u32 vm_ppn(u32 va)
{
	struct pte *p = pt_walk(va, false);
	return p && (p->word & PTE_P) ? PTE_PPN(p->word) : 0;
}
