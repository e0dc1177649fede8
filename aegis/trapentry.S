/*
 * trapentry.S: the slow path into and out of the kernel's C code.
 *
 * trap_slow is reached from a vector with EXL=1 and only k0/k1 used.
 *  - From user mode (Status.KSU = user): every register is saved into the
 *    current environment's trapframe (cur_tf), the kernel stack is loaded,
 *    EXL/KSU/IE are cleared (kernel mode, interrupts off, and a nested
 *    exception now records its own EPC), and trap(tf) runs. trap() returns the
 *    trapframe to resume (possibly another environment's), which
 *    trap_return restores.
 *  - From kernel mode (a fault inside the kernel, e.g. a guarded user copy):
 *    registers are saved in a frame on the kernel stack and kernel_trap(tf)
 *    runs; it either fixes the frame up (new EPC) or panics.
 */
#include "mips.h"
#include "trapframe.h"

	.set	noreorder
	.set	noat

#include "regsave.h"

	.text
	.globl	trap_slow
	.ent	trap_slow
trap_slow:
	mfc0	k0, CP0_STATUS
	andi	k0, k0, ST_KSU_USER
	beqz	k0, from_kernel
	nop
	/* From user: k1 = current environment's trapframe. */
	lui	k1, %hi(cur_tf)
	lw	k1, %lo(cur_tf)(k1)
	sw	sp, TF_REG(29)(k1)
	SAVE_REGS k1
	la	sp, kstack_top
	/* No upcalls while the kernel runs: an exception in kernel mode must
	 * take the slow path (upcall.S). */
	lui	t0, %hi(cur_upcall)
	sw	zero, %lo(cur_upcall)(t0)
	KERNEL_MODE
	jal	trap			/* v0 = trapframe to resume */
	move	a0, k1
	/* fall through */

	.globl	trap_return
/* trap_return(tf in v0): resume user code from a trapframe. Never returns. */
trap_return:
	move	k1, v0
	/* The environment's save area becomes visible to upcall.S again. */
	lui	t0, %hi(cur_upcall)
	lw	t1, %lo(cur_upcall+12)(t0)
	sw	t1, %lo(cur_upcall)(t0)
	RESUME	k1			/* to user mode (KSU=user in the frame) */
	.end	trap_slow

	.ent	from_kernel
from_kernel:
	/* k1 = frame below the interrupted kernel sp. */
	addiu	k1, sp, -TF_SIZE - 16
	sw	sp, TF_REG(29)(k1)
	SAVE_REGS k1
	addiu	sp, k1, -16		/* a C frame below the saved registers */
	KERNEL_MODE
	jal	kernel_trap		/* returns only if the frame was fixed up */
	move	a0, k1
	addiu	k1, sp, 16
	RESUME	k1			/* back into the kernel */
	.end	from_kernel
