/*
 * hostile_asm.S: the instructions the hostile suite needs exactly (FPU
 * register files, k0/k1 around a kernel entry, sdbbp, privileged
 * instructions). Each function is a leaf; a0 is its first argument.
 */
#include "regdef.h"
#include "syscall_nums.h"
	.set	noreorder
	.set	noat
	.set	hardfloat
#undef fp				/* regdef.h's $30; here the assembler option */
	.set	fp=32			/* FR=0: all 32 single registers (the kernel never sets FR) */
	.text

/* fpu_fill(seed a0, fcsr a1): $fN = seed + N, then FCSR (t0 = the value). */
	.globl	fpu_fill
fpu_fill:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	addiu	t0, a0, \n
	mtc1	t0, $f\n
	.endr
	ctc1	a1, $31			/* may raise FPE (cause & enable): stepped over */
	jr	ra
	nop

/* fpu_dump(out a0): out[N] = $fN, out[32] = FCSR. */
	.globl	fpu_dump
fpu_dump:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	mfc1	t0, $f\n
	sw	t0, (\n * 4)(a0)
	.endr
	cfc1	t0, $31
	sw	t0, 128(a0)
	jr	ra
	nop

/* atk_handler: entered by Aegis's upcall (a0 = EPC ...): exit(77). */
	.globl	atk_handler
atk_handler:
	li	a0, 77
	li	v0, SYS_exit
	jal	1f			/* syscall returns to ra: never, exit */
	nop
1:	syscall

/* atk_break: a0..a2 chosen by the attacker, then break. */
	.globl	atk_break
atk_break:
	lui	a0, 0xdead
	ori	a1, a0, 1
	ori	a2, a0, 2
	break	7
	jr	ra
	nop

/* do_sdbbp: enter EJTAG debug mode from user mode. */
	.globl	do_sdbbp
do_sdbbp:
	sdbbp	1
	jr	ra
	nop

/* do_sdbbp_delay: the same in a branch delay slot. */
	.globl	do_sdbbp_delay
do_sdbbp_delay:
	b	1f
	sdbbp	2
1:	jr	ra
	nop

/* kregs_syscall(n a0, out a1): k0 = k1 = 0x5a5a5a5a, syscall n (returns
 * to ra, so jal into it), then store k0 and k1. ra is kept in t9. */
	.globl	kregs_syscall
kregs_syscall:
	move	t9, ra
	move	v0, a0
	li	k0, 0x5a5a5a5a
	move	k1, k0
	jal	1f
	nop
	sw	k0, 0(a1)
	sw	k1, 4(a1)
	jr	t9
	nop
1:	syscall

/* kregs_load(va a0, out a1): the same around a load from va. */
	.globl	kregs_load
kregs_load:
	li	k0, 0x5a5a5a5a
	move	k1, k0
	lw	t0, 0(a0)
	sw	k0, 0(a1)
	sw	k1, 4(a1)
	jr	ra
	nop

/* priv_op(i a0): privileged instruction i; each must trap (CpU or RI) and
 * be stepped over by the suite's handler. 12 bytes per case: the
 * instruction (never in a delay slot), then a branch to the end. */
	.globl	priv_op
priv_op:
	sll	t0, a0, 3
	sll	t1, a0, 2
	addu	t0, t0, t1		/* t0 = 12 * i */
	la	t1, 2f
	addu	t0, t0, t1
	jr	t0
	nop
	.macro	PRIV insn:vararg
	\insn
	b	3f
	nop
	.endm
2:	PRIV	mtc0 zero, $12		/* Status */
	PRIV	mfc0 t0, $12
	PRIV	eret
	PRIV	deret
	PRIV	tlbwi
	PRIV	tlbwr
	PRIV	tlbp
	PRIV	wait
	PRIV	cache 0, 0(zero)
	PRIV	di
	PRIV	ei
	PRIV	.word 0x7c02e83b	/* rdhwr v0, $29 (UserLocal, not enabled) */
3:	jr	ra
	nop
