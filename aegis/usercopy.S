/*
 * usercopy.S: user_copy(dst a0, src a1, n a2) -> v0.
 * Copies bytes; one of dst/src is a user address the caller has checked to be
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
	beqz	a2, 2f
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
