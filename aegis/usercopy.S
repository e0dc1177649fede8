/*
 * usercopy.S: user_copy(dst a0, src a1, n a2) -> v0.
 * Copies words when dst, src and n are all multiples of 4, else bytes; one
 * of dst/src is a user address the caller has checked to be
 * below USER_TOP. A TLB or address fault on any instruction between
 * user_copy_start and user_copy_end makes kernel_trap resume at
 * user_copy_fault, which returns -E_FAULT.
 */
#include "abi.h"
#include "regdef.h"

	.set	noreorder
	.text
	.globl	user_copy
	.globl	user_copy_start
	.globl	user_copy_end
	.globl	user_copy_fault
	.ent	user_copy
user_copy:
user_copy_start:
	or	t0, a0, a1		/* all of dst, src and n word-aligned: words */
	or	t0, t0, a2
	andi	t0, t0, 3
	bnez	t0, 0f
	nop
	beqz	a2, 2f
	nop
3:	lw	t0, 0(a1)		/* t0 = word in transit */
	sw	t0, 0(a0)
	addiu	a1, a1, 4
	addiu	a2, a2, -4
	bnez	a2, 3b
	addiu	a0, a0, 4
	jr	ra
	move	v0, zero
0:	beqz	a2, 2f
	nop
1:	lbu	t0, 0(a1)		/* t0 = byte in transit */
	sb	t0, 0(a0)
	addiu	a1, a1, 1
	addiu	a2, a2, -1
	bnez	a2, 1b
	addiu	a0, a0, 1
user_copy_end:
2:	jr	ra
	move	v0, zero
user_copy_fault:
	jr	ra
	li	v0, -E_FAULT
	.end	user_copy
