/*
 * fpu.S: moving an environment's FPU registers between the FPU and memory
 * (fpu.c decides when). Status.FR is 0 for every environment, so the FPU
 * state is the 32 single-precision registers $f0..$f31 and FCSR: 33 words,
 * ctx[0..31] = $fN, ctx[32] = FCSR. The kernel itself is soft-float: CU1 is
 * turned on here only for the copy, then Status is put back.
 */
#include "mips.h"

	.set	noreorder
	.set	noat
	.set	hardfloat
	.text

/* FPU_ON: t0 = Status as it was, CU1 set in Status from here on. */
.macro FPU_ON
	mfc0	t0, CP0_STATUS
	li	t1, ST_CU1
	or	t1, t1, t0
	mtc0	t1, CP0_STATUS
	ehb
.endm

/* fpu_save(ctx in a0): store $f0..$f31 and FCSR. */
	.globl	fpu_save
	.ent	fpu_save
fpu_save:
	FPU_ON
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	swc1	$f\n, (\n * 4)(a0)
	.endr
	cfc1	t1, $31
	sw	t1, 128(a0)
	mtc0	t0, CP0_STATUS		/* CU1 as it was */
	jr.hb	ra
	nop
	.end	fpu_save

/* fpu_load(ctx in a0): load $f0..$f31 and FCSR. Writing an FCSR whose Cause
 * and Enable fields share a bit raises an FP exception after the write;
 * kernel_trap() steps over it at fpu_load_fcsr (the value is in place, as
 * the environment left it). */
	.globl	fpu_load
	.ent	fpu_load
fpu_load:
	FPU_ON
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	lwc1	$f\n, (\n * 4)(a0)
	.endr
	lw	t1, 128(a0)
	.globl	fpu_load_fcsr
fpu_load_fcsr:
	ctc1	t1, $31
	mtc0	t0, CP0_STATUS
	jr.hb	ra
	nop
	.end	fpu_load
