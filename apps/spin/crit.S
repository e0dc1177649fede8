/*
 * crit.S: a spin loop that is all critical range, for the prologue test
 * (spin mode 9 names [spin_crit, spin_crit_end) in set_epilogue).
 */
#include "regdef.h"
	.set	noreorder
	.set	mips32r2
	.text

/* void spin_crit(u32 ticks): spin until ticks Count ticks have passed.
 * a0 = ticks; t0 = Count at the start; t1 = Count now, then elapsed. */
	.globl	spin_crit
	.globl	spin_crit_end
spin_crit:
	rdhwr	t0, $2
1:	rdhwr	t1, $2
	subu	t1, t1, t0
	sltu	t1, t1, a0
	bnez	t1, 1b
	nop
	jr	ra
	nop
spin_crit_end:
