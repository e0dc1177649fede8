/*
 * exc_asm.S: instructions that raise each exception, for exctests.c. Each
 * function is a leaf; the comment says what raises what.
 */
#include "regdef.h"
	.set	noreorder
	.set	noat
	.text

/* u32 exc_lw(addr): lw from addr (unaligned -> AdEL). */
	.globl	exc_lw
exc_lw:	lw	v0, 0(a0)
	jr	ra
	nop

/* void exc_sw(addr, v): sw to addr (unaligned -> AdES). */
	.globl	exc_sw
exc_sw:	sw	a1, 0(a0)
	jr	ra
	nop

/* int exc_add(a, b): signed add (overflow -> Ov). */
	.globl	exc_add
exc_add: add	v0, a0, a1
	jr	ra
	nop

/* int exc_break(void): break -> Bp; returns 7 once stepped over. */
	.globl	exc_break
exc_break:
	break	3
	jr	ra
	li	v0, 7

/* int exc_trap(void): teq $0,$0 -> Tr; returns 8 once stepped over. */
	.globl	exc_trap
exc_trap:
	teq	zero, zero
	jr	ra
	li	v0, 8

/* int exc_ri(void): sd (MIPS64 only) -> RI on MIPS32; returns 9. */
	.globl	exc_ri
exc_ri:	.word	0xfc000000
	jr	ra
	li	v0, 9

/* u32 exc_fpu(x): x through an FPU register (CU1 off -> CpU first time). */
	.globl	exc_fpu
exc_fpu:
	.set	push
	.set	hardfloat
	mtc1	a0, $f4
	mfc1	v0, $f4
	.set	pop
	jr	ra
	nop

/* u32 exc_delay_load(addr): a load in a branch delay slot (a forwarded TLB
 * miss there resumes at the branch, which runs again). */
	.globl	exc_delay_load
exc_delay_load:
	li	v0, 0
	beq	zero, zero, 1f
	lw	v0, 0(a0)
	li	v0, -1			/* never reached */
1:	jr	ra
	nop

/* int exc_delay_add(a, b): an overflowing add in a branch delay slot; the
 * handler steps over it (emulating the branch) and sets v0. */
	.globl	exc_delay_add
exc_delay_add:
	li	v0, 5
	bne	a0, zero, 1f
	add	v0, a0, a1
	li	v0, -1			/* reached only if the branch is wrongly emulated */
1:	jr	ra
	nop

/*
 * int exc_regs_kept(addr): load every register with a known value, touch
 * addr (a forwarded fault), then check every register. Returns 0, or the
 * number of the first register that changed (32 = hi, 33 = lo).
 * Register use after the fault: a0 = scratch for comparisons (its own value
 * is checked first).
 */
#define PAT(r) (0x10203000 + (r) * 0x01010101)
	.globl	exc_regs_kept
exc_regs_kept:
	addiu	sp, sp, -48
	sw	s0, 0(sp)
	sw	s1, 4(sp)
	sw	s2, 8(sp)
	sw	s3, 12(sp)
	sw	s4, 16(sp)
	sw	s5, 20(sp)
	sw	s6, 24(sp)
	sw	s7, 28(sp)
	sw	gp, 32(sp)
	sw	fp, 36(sp)
	sw	ra, 40(sp)
	sw	a0, 44(sp)
	li	$1, PAT(32)
	mthi	$1
	li	$1, PAT(33)
	mtlo	$1
	.irp r, 1,2,3,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,28,30,31
	li	$\r, PAT(\r)
	.endr
	lw	zero, 0(a0)		/* the fault */
	li	a0, 0x5eed
	lw	a0, 44(sp)		/* a0 must still be addr: compare via the stack */
	.irp r, 1,2,3,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,28,30,31
	li	a0, PAT(\r)
	bne	a0, $\r, 2f
	li	a0, \r			/* (delay) which one */
	.endr
	mfhi	a0
	li	$1, PAT(32)
	bne	a0, $1, 2f
	li	a0, 32
	mflo	a0
	li	$1, PAT(33)
	bne	a0, $1, 2f
	li	a0, 33
	move	a0, zero
2:	move	v0, a0
	lw	s0, 0(sp)
	lw	s1, 4(sp)
	lw	s2, 8(sp)
	lw	s3, 12(sp)
	lw	s4, 16(sp)
	lw	s5, 20(sp)
	lw	s6, 24(sp)
	lw	s7, 28(sp)
	lw	gp, 32(sp)
	lw	fp, 36(sp)
	lw	ra, 40(sp)
	jr	ra
	addiu	sp, sp, 48
