/*
 * upcall.S: exceptions forwarded straight to the environment's handlers.
 * Reached from the general vector through exc_table with EXL=1 and only
 * k0/k1 used. cur_upcall holds the running environment's save area (a kseg0
 * address, or 0 while the kernel runs or when it registered no handlers) and
 * its two entry points; with no save area the exception takes the slow path.
 *
 * The general vector jumps here with k0 = %hi(cur_upcall) (set in its jump's
 * delay slot). With the vector's 10 instructions, an exception reaches its
 * user handler in 24 instructions (tools/pathlen.py counts them). k1, which
 * held the save area's kernel address, is cleared; k0 holds the user entry
 * point.
 */
#include "mips.h"
#include "abi.h"
#include "asmoffsets.h"

	.set	noreorder
	.set	noat
	.text

/* FORWARD off: off = offset in cur_upcall of the entry point to use;
 * k0 = %hi(cur_upcall) on entry. */
.macro FORWARD off
	lw	k1, %lo(cur_upcall)(k0)		/* k1 = save area, kseg0 */
	beqz	k1, trap_slow			/* none: kernel mode or no handlers */
	lw	k0, %lo(cur_upcall+\off)(k0)	/* (delay) k0 = user entry point */
	sw	a0, UPCALL_SAVE_A0(k1)
	mfc0	a0, CP0_EPC			/* a0 = faulting PC */
	sw	a1, UPCALL_SAVE_A1(k1)
	sw	a2, UPCALL_SAVE_A2(k1)
	sw	a0, UPCALL_SAVE_EPC(k1)
	mtc0	k0, CP0_EPC			/* return into the handler */
	mfc0	a1, CP0_BADVADDR		/* a1 = faulting address */
	mfc0	a2, CP0_CAUSE			/* a2 = cause */
	move	k1, zero			/* no kernel address goes back */
	ehb
	eret
.endm

/* RI: forwarded like the rest, unless its EPC is a kernel address, which
 * no user instruction can have: that is QEMU's -kernel boot stub at the
 * EJTAG debug vector (0xbfc00500 holds a MIPS64 load), run after a user
 * sdbbp, in debug mode still; debug.S takes the processor back. */
	.globl	fwd_ri
fwd_ri:
	mfc0	k0, CP0_EPC
	bgez	k0, fwd_exc			/* a user address: an ordinary RI */
	lui	k0, %hi(cur_upcall)		/* (delay) as FORWARD expects */
	j	debug_entry
	nop

/* CpU: forwarded like the rest unless the running environment enabled the
 * FPU, in which case it is the kernel's to hand the FPU over (fpu.c). */
	.globl	fwd_cpu
fwd_cpu:
	lui	k0, %hi(curenv)
	lw	k0, %lo(curenv)(k0)		/* k0 = running environment */
	lbu	k0, ENV_FPU_ON(k0)		/* k0 = it enabled the FPU */
	bnez	k0, trap_slow
	lui	k0, %hi(cur_upcall)		/* (delay) as FORWARD expects */
	/* fall through */

	.globl	fwd_exc
fwd_exc:
	FORWARD 4
	.globl	fwd_tlb
fwd_tlb:
	FORWARD 8
