/*
 * debug.S: getting the processor back from EJTAG debug mode.
 *
 * `sdbbp` is legal in user mode on the 24Kf: it enters debug mode (kernel
 * privilege, interrupts blocked) at the debug vector 0xbfc00480, in the boot
 * flash, which Aegis does not own. Both boot paths bring it here:
 *  - U-Boot: the build patches the firmware image so that its debug vector
 *    jumps to 0x80000300, as Malta's YAMON does (tools/patch_uboot.py); the
 *    vector page has `j debug_entry` there (vectors.S).
 *  - QEMU -kernel: the flash holds QEMU's boot stub, whose code runs from
 *    the debug vector into its loader and enters the kernel at _start again
 *    (clobbering sp, a0-a3, t9, ra, k0, k1); start.S recognises the second
 *    entry and comes here.
 * debug_entry records DEPC and leaves debug mode (deret) into debug_trap in
 * kernel mode with EXL=1, as if an ordinary exception had been taken at DEPC;
 * trap() then destroys the environment that executed sdbbp (its registers
 * cannot be trusted on the direct path) and every other one goes on.
 */
#include "mips.h"

	.set	noreorder
	.set	noat
	.text

	.globl	debug_entry
	.ent	debug_entry
debug_entry:
	/* k0/k1 are ours. Not in debug mode: an ordinary exception (an RI at a
	 * kernel address: a kernel bug, which trap_slow reports). */
	mfc0	k0, CP0_DEBUG
	sll	k0, k0, 1			/* DM (bit 30) to the sign bit */
	bgez	k0, trap_slow
	nop
	la	k1, debug_depc			/* k1 = &debug_depc, then debug_reg */
	mfc0	k0, CP0_DEPC			/* k0 = where the debug exception hit */
	sw	k0, 0(k1)
	mfc0	k0, CP0_DEBUG			/* k0 = Debug (DBD: in a delay slot) */
	sw	k0, 4(k1)
	mfc0	k0, CP0_STATUS
	ori	k0, k0, ST_EXL			/* kernel mode after deret, EPC ours */
	mtc0	k0, CP0_STATUS
	la	k0, debug_trap
	mtc0	k0, CP0_DEPC			/* leave debug mode into debug_trap */
	ehb
	deret
	.end	debug_entry

	.ent	debug_trap
debug_trap:
	/* Kernel mode, EXL=1, interrupts off: an exception at debug_depc. */
	la	k1, debug_depc			/* k1 = &debug_depc (then reg, pending) */
	lw	k0, 0(k1)
	mtc0	k0, CP0_EPC
	li	k0, 1
	sw	k0, 8(k1)			/* debug_pending: trap() reads it first */
	ehb
	j	trap_slow
	nop
	.end	debug_trap

	.data
	.globl	debug_depc, debug_reg, debug_pending
	.align	2
debug_depc:	.word	0
debug_reg:	.word	0
debug_pending:	.word	0
