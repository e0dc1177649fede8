/*
 * crit.S: a wait that is all critical range, for revokee mode 9 (the
 * program names [revokee_crit, revokee_crit_end) in set_epilogue, so no
 * revocation upcall reaches it while it waits here).
 */
#include "regdef.h"
	.set	noreorder
	.set	mips32r2
	.text

/* void revokee_crit(volatile u32 *flag, u32 ticks): spin until *flag is
 * nonzero or ticks Count ticks have passed. t0 = Count at the start. */
	.globl	revokee_crit
	.globl	revokee_crit_end
revokee_crit:
	rdhwr	t0, $2
1:	lw	t1, 0(a0)
	bnez	t1, 2f
	nop
	rdhwr	t1, $2
	subu	t1, t1, t0
	sltu	t1, t1, a1
	bnez	t1, 1b
	nop
2:	jr	ra
	nop
revokee_crit_end:
