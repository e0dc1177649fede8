/*
 * yield_asm.S: for spin mode 3.
 *
 * int yield_check(target a0): yield_to(target), then look at every register
 * a call need not keep (at, v1, a1..a3, t0..t9, hi, lo): 0 if none holds a
 * mark 0xbad0xxxx that utest's yield_marked leaves in its own before it
 * yields here, else the number of the first that does (32 = hi, 33 = lo):
 * another environment's register values must never reach this one.
 * Registers after the call: v0 = result so far, v1 = scratch (checked first).
 */
#include "regdef.h"
#include "syscall_nums.h"
	.set	noreorder
	.set	noat
	.text

	.globl	yield_check
yield_check:
	addiu	sp, sp, -8
	sw	ra, 4(sp)
	jal	2f			/* the call returns to the instruction after it */
	nop
	b	3f
	nop
2:	li	v0, SYS_yield_to
	syscall
3:	srl	v0, v1, 20		/* v1 first: it is the scratch below */
	xori	v0, v0, 0xbad
	beqz	v0, 9f
	li	v0, 3			/* (delay) */
	.irp	r, 1,5,6,7,8,9,10,11,12,13,14,15,24,25
	srl	v1, $\r, 20
	xori	v1, v1, 0xbad
	beqz	v1, 9f
	li	v0, \r			/* (delay) which one */
	.endr
	mfhi	v1
	srl	v1, v1, 20
	xori	v1, v1, 0xbad
	beqz	v1, 9f
	li	v0, 32
	mflo	v1
	srl	v1, v1, 20
	xori	v1, v1, 0xbad
	beqz	v1, 9f
	li	v0, 33
	move	v0, zero
9:	lw	ra, 4(sp)
	jr	ra
	addiu	sp, sp, 8
