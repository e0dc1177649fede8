/*
 * sched_asm.S: for schedtests.c, a spin loop that holds a known value in
 * every register across slice ends and starts (epilogue and prologue
 * upcalls).
 */
#include "regdef.h"
#include "syscall_nums.h"
	.set	noreorder
	.set	noat
	.text

#define PAT(r) (0x21324300 + (r) * 0x01010101)

/*
 * int slice_regs_kept(volatile u32 *counter, u32 target, u32 start, u32 max):
 * load every register but a0..a3, k0, k1, sp and zero with a known value,
 * spin until *counter >= target (or max Count ticks after start), then check
 * every one. Returns 0, or the number of the first register that changed
 * (32 = hi, 33 = lo, 4/5 = a0/a1 themselves).
 * a0 = counter, a1 = target, a2 = start, a3 = max throughout; at = scratch
 * in the loop and the expected value in the checks; the caller's
 * callee-saved registers, ra, a0 and a1 are kept on the stack.
 */
	.globl	slice_regs_kept
slice_regs_kept:
	addiu	sp, sp, -56
	.irp	r, 16,17,18,19,20,21,22,23,28,30,31
	sw	$\r, ((\r - 16) * 4)(sp)
	.endr
	sw	a0, 48(sp)
	sw	a1, 52(sp)
	li	$1, PAT(32)
	mthi	$1
	li	$1, PAT(33)
	mtlo	$1
	.irp	r, 2,3,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,28,30,31
	li	$\r, PAT(\r)
	.endr
	.set	push
	.set	mips32r2
1:	lw	$1, 0(a0)		/* at = *counter */
	sltu	$1, $1, a1
	beqz	$1, 3f			/* reached the target */
	nop
	rdhwr	$1, $2			/* at = Count */
	subu	$1, $1, a2
	sltu	$1, $1, a3
	bnez	$1, 1b			/* not yet timed out */
	nop
	.set	pop
3:
	.irp	r, 2,3,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,28,30,31
	li	$1, PAT(\r)
	bne	$1, $\r, 2f
	li	$1, \r			/* (delay) which one */
	.endr
	lw	$1, 48(sp)
	bne	$1, a0, 2f
	li	$1, 4
	lw	$1, 52(sp)
	bne	$1, a1, 2f
	li	$1, 5
	mfhi	a0
	li	$1, PAT(32)
	bne	a0, $1, 2f
	li	$1, 32
	mflo	a0
	li	$1, PAT(33)
	bne	a0, $1, 2f
	li	$1, 33
	move	$1, zero
2:	move	v0, $1
	.irp	r, 16,17,18,19,20,21,22,23,28,30,31
	lw	$\r, ((\r - 16) * 4)(sp)
	.endr
	jr	ra
	addiu	sp, sp, 56

/*
 * int yield_marked(target a0): yield_to(target) with every register a call
 * need not keep (at, v1, a1..a3, t0..t9, hi, lo) holding a mark 0xbad0rr00
 * (rr its number), so that the target can check it sees none of them
 * (spin mode 3, apps/spin/yield_asm.S). Returns yield_to's result.
 * The marks are set last; a0 stays the target and v0 the call number.
 */
#define MARK(r) (0xbad00000 + (r) * 0x100)
	.globl	yield_marked
yield_marked:
	li	$1, MARK(32)
	mthi	$1
	li	$1, MARK(33)
	mtlo	$1
	.irp	r, 1,3,5,6,7,8,9,10,11,12,13,14,15,24,25
	li	$\r, MARK(\r)
	.endr
	li	v0, SYS_yield_to
	syscall				/* returns to ra with v0 */
