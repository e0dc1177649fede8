/*
 * regsave.h: assembler macros to save and restore a struct trapframe
 * (offsets in trapframe.h), shared by trapentry.S and fastcall.S.
 */
#ifndef AEGIS_REGSAVE_H
#define AEGIS_REGSAVE_H
#include "trapframe.h"

/* SAVE_REGS base: store every register except zero, k0, k1 and sp. */
.macro SAVE_REGS base
	sw	$1, TF_REG(1)(\base)
	sw	$2, TF_REG(2)(\base)
	sw	$3, TF_REG(3)(\base)
	sw	$4, TF_REG(4)(\base)
	sw	$5, TF_REG(5)(\base)
	sw	$6, TF_REG(6)(\base)
	sw	$7, TF_REG(7)(\base)
	sw	$8, TF_REG(8)(\base)
	sw	$9, TF_REG(9)(\base)
	sw	$10, TF_REG(10)(\base)
	sw	$11, TF_REG(11)(\base)
	sw	$12, TF_REG(12)(\base)
	sw	$13, TF_REG(13)(\base)
	sw	$14, TF_REG(14)(\base)
	sw	$15, TF_REG(15)(\base)
	sw	$16, TF_REG(16)(\base)
	sw	$17, TF_REG(17)(\base)
	sw	$18, TF_REG(18)(\base)
	sw	$19, TF_REG(19)(\base)
	sw	$20, TF_REG(20)(\base)
	sw	$21, TF_REG(21)(\base)
	sw	$22, TF_REG(22)(\base)
	sw	$23, TF_REG(23)(\base)
	sw	$24, TF_REG(24)(\base)
	sw	$25, TF_REG(25)(\base)
	sw	$28, TF_REG(28)(\base)
	sw	$30, TF_REG(30)(\base)
	sw	$31, TF_REG(31)(\base)
	mfhi	$8
	sw	$8, TF_HI(\base)
	mflo	$8
	sw	$8, TF_LO(\base)
	mfc0	$8, CP0_EPC
	sw	$8, TF_EPC(\base)
	mfc0	$8, CP0_STATUS
	sw	$8, TF_STATUS(\base)
	mfc0	$8, CP0_CAUSE
	sw	$8, TF_CAUSE(\base)
	mfc0	$8, CP0_BADVADDR
	sw	$8, TF_BADVADDR(\base)
.endm

/* SAVE_CALL_REGS base: what a system call must keep of its caller when it
 * switches away: the registers the o32 calling convention says survive a
 * call (s0..s7, gp, fp, ra; sp is stored by the caller of this macro), the
 * resume PC and Status. The others (at, v0..v1, a0..a3, t0..t9, hi, lo)
 * need not survive the call, so their slots keep what this environment last
 * had there: restoring them later gives it back its own old values and
 * nobody else's. */
.macro SAVE_CALL_REGS base
	.irp	r, 16,17,18,19,20,21,22,23,28,30,31
	sw	$\r, TF_REG(\r)(\base)
	.endr
	mfc0	$8, CP0_EPC
	sw	$8, TF_EPC(\base)
	mfc0	$8, CP0_STATUS
	sw	$8, TF_STATUS(\base)
.endm

/* RESTORE_REGS base: the inverse, sp included, base (k1) last untouched. */
.macro RESTORE_REGS base
	lw	$8, TF_HI(\base)
	mthi	$8
	lw	$8, TF_LO(\base)
	mtlo	$8
	lw	$1, TF_REG(1)(\base)
	lw	$2, TF_REG(2)(\base)
	lw	$3, TF_REG(3)(\base)
	lw	$4, TF_REG(4)(\base)
	lw	$5, TF_REG(5)(\base)
	lw	$6, TF_REG(6)(\base)
	lw	$7, TF_REG(7)(\base)
	lw	$8, TF_REG(8)(\base)
	lw	$9, TF_REG(9)(\base)
	lw	$10, TF_REG(10)(\base)
	lw	$11, TF_REG(11)(\base)
	lw	$12, TF_REG(12)(\base)
	lw	$13, TF_REG(13)(\base)
	lw	$14, TF_REG(14)(\base)
	lw	$15, TF_REG(15)(\base)
	lw	$16, TF_REG(16)(\base)
	lw	$17, TF_REG(17)(\base)
	lw	$18, TF_REG(18)(\base)
	lw	$19, TF_REG(19)(\base)
	lw	$20, TF_REG(20)(\base)
	lw	$21, TF_REG(21)(\base)
	lw	$22, TF_REG(22)(\base)
	lw	$23, TF_REG(23)(\base)
	lw	$24, TF_REG(24)(\base)
	lw	$25, TF_REG(25)(\base)
	lw	$28, TF_REG(28)(\base)
	lw	$29, TF_REG(29)(\base)
	lw	$30, TF_REG(30)(\base)
	lw	$31, TF_REG(31)(\base)
.endm

/* CLEAR_K: k0 = k1 = 0 before an eret to user mode, so that no kernel
 * address (a trapframe, an environment, a handler) is left in them. */
.macro CLEAR_K
	move	k0, zero
	move	k1, zero
.endm

/* RESUME base: return from the frame at base (k1). Status first: it has
 * EXL=1, so nothing below can be interrupted and EPC stays ours; then EPC,
 * every register, k0/k1 cleared, and eret to the mode Status names. */
.macro RESUME base
	lw	k0, TF_STATUS(\base)
	mtc0	k0, CP0_STATUS
	ehb
	lw	k0, TF_EPC(\base)
	mtc0	k0, CP0_EPC
	RESTORE_REGS \base
	CLEAR_K
	ehb
	eret
.endm


/* KERNEL_MODE: Status to kernel mode, EXL=0, IE=0 (uses t0, t1), so that an
 * exception in the kernel's C code records its own EPC. */
.macro KERNEL_MODE
	mfc0	t0, CP0_STATUS
	li	t1, ~(ST_KSU_MASK | ST_EXL | ST_IE)
	and	t0, t0, t1
	mtc0	t0, CP0_STATUS
	ehb
.endm

#endif
