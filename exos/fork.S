/*
 * fork.S: the register side of exos_fork. fork_save stores the callee-saved
 * registers, gp, sp and ra in fork_ctx (in the program's data, so the child
 * gets a copy) and returns 0; the child starts at fork_child_entry (a0 = its
 * id), which finishes ExOS's set-up for it and returns 1 from that same
 * fork_save call with the registers it saved.
 */
#include "regdef.h"
#include "calleesave.h"
	.set	noreorder

#define C_S0 0
#define C_FP 32
#define C_GP 36
#define C_SP 40
#define C_RA 44

	.bss
	.align	2
	.globl	fork_ctx
fork_ctx:
	.space	48

	.text
	.globl	fork_save
	.ent	fork_save
fork_save:				/* t0 = the context block */
	la	t0, fork_ctx
	SAVE_CALLEE t0, C_S0		/* s0..s7, fp (C_FP = C_S0 + 32) */
	sw	gp, C_GP(t0)
	sw	sp, C_SP(t0)
	sw	ra, C_RA(t0)
	jr	ra
	move	v0, zero
	.end	fork_save

	.globl	fork_child_entry
	.ent	fork_child_entry
fork_child_entry:			/* a0 = the child's id; t0 = the context block */
	la	t0, fork_ctx
	lw	sp, C_SP(t0)
	addiu	sp, sp, -32		/* below fork_save's caller's frame */
	jal	exos_fork_child_init	/* (a0) */
	nop
	la	t0, fork_ctx
	LOAD_CALLEE t0, C_S0
	lw	gp, C_GP(t0)
	lw	sp, C_SP(t0)
	lw	ra, C_RA(t0)
	jr	ra
	li	v0, 1			/* fork_save "returns" 1 in the child */
	.end	fork_child_entry
