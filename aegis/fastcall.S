/*
 * fastcall.S: system calls served on the fast path. Entered from the general
 * vector with EXL=1, EPC = the caller's ra (already written, hazard cleared),
 * v0 = call number; only k0/k1 may be used; the result goes in v0. Every
 * path clears k0/k1 before its eret (CLEAR_K).
 */
#include "mips.h"
#include "asmoffsets.h"
#include "regsave.h"

	.set	noreorder
	.set	noat
	.text

/* null(): returns 0 (v0 is the call number, 0, already). */
	.globl	fast_null
fast_null:
	CLEAR_K
	eret

/* getenvid(): returns the caller's environment id (v0 = cur_envid). */
	.globl	fast_getenvid
fast_getenvid:
	lui	k0, %hi(cur_envid)
	lw	v0, %lo(cur_envid)(k0)
	CLEAR_K
	eret

/*
 * ENV_OF_ID: k0 = &envs[a0 & 0xff] if that slot exists and holds the
 * environment with id a0 and it has no upcall pending; otherwise go to the C
 * path (trap_slow, which runs sys_<name> with EPC = ra already set). Leaves
 * k1 = the environment's status. Each delay slot loads the next value: the
 * load is harmless when the branch goes to trap_slow. Uses k0, k1.
 */
.if ENV_SIZE > 32767
.error "struct env too large for addiu"
.endif
.macro ENV_OF_ID
	andi	k0, a0, 0xff		/* k0 = slot */
	sltiu	k1, k0, NENV_V
	beqz	k1, trap_slow
	addiu	k1, zero, ENV_SIZE	/* (delay) */
	mul	k0, k0, k1
	lui	k1, %hi(envs)
	addiu	k1, k1, %lo(envs)
	addu	k0, k0, k1		/* k0 = &envs[slot] */
	lw	k1, ENV_ID(k0)
	bne	k1, a0, trap_slow	/* no such environment (now) */
	lw	k1, ENV_REVOKE_NOTIFY(k0)	/* (delay) */
	bnez	k1, trap_slow		/* an upcall to deliver: the C path does it */
	lw	k1, ENV_SLICE_NOTIFY(k0)	/* (delay) */
	bnez	k1, trap_slow
	lw	k1, ENV_STATUS(k0)	/* (delay) k1 = status */
.endm

/*
 * SWITCH_TO env: make env (a register other than t0/t1) the current
 * environment: curenv, cur_tf (the trapframe is at offset 0), cur_envid,
 * the upcall registers (the save area itself is published by trap_return,
 * or by the caller of this macro), and the ASID. Uses t0, t1.
 */
.macro SWITCH_TO env
	lui	t0, %hi(curenv)
	sw	\env, %lo(curenv)(t0)
	lui	t0, %hi(cur_tf)
	sw	\env, %lo(cur_tf)(t0)
	lw	t1, ENV_ID(\env)
	lui	t0, %hi(cur_envid)
	sw	t1, %lo(cur_envid)(t0)
	la	t0, cur_upcall
	lw	t1, ENV_UP_EXC(\env)
	sw	t1, UPCALL_EXC(t0)
	lw	t1, ENV_UP_TLB(\env)
	sw	t1, UPCALL_TLB(t0)
	lw	t1, ENV_UP_SAVE_KVA(\env)
	sw	t1, UPCALL_SAVE_USER(t0)
	lw	t1, ENV_ASID(\env)
	mtc0	t1, CP0_ENTRYHI
	ehb
.endm

/*
 * yield_to(envid a0), fast path: the target is runnable and has no upcall
 * pending. Save the caller's registers in its trapframe (it will see 0 from
 * the call), make the target current and resume it from its trapframe.
 * Anything unusual goes to sys_yield_to in C.
 */
	.globl	fast_yield_to
fast_yield_to:
	ENV_OF_ID			/* k0 = target, k1 = its status */
	xori	k1, k1, ENV_RUNNABLE_V
	bnez	k1, trap_slow		/* not runnable */
	lui	k1, %hi(cur_tf)		/* (delay) */
	lw	k1, %lo(cur_tf)(k1)	/* k1 = the caller's trapframe */
	sw	sp, TF_REG(29)(k1)
	SAVE_REGS k1
	sw	zero, TF_REG(2)(k1)	/* the caller's v0: 0 */
	move	s0, k0			/* every register is free now: s0 = target */
	SWITCH_TO s0
	j	trap_return		/* restores the target's registers */
	move	v0, s0

/*
 * scall(envid a0, ...), fast path: the callee is waiting at its entry point
 * and has no upcall pending. The registers are the arguments: after saving
 * the caller's frame (used only if the callee ends before replying), the
 * callee starts at its entry with the registers as they are, v0 = the
 * caller's id. The caller waits, its slices donated to the callee.
 * Anything unusual goes to sys_scall in C.
 */
	.globl	fast_scall
fast_scall:
	ENV_OF_ID			/* k0 = callee, k1 = its status */
	xori	k1, k1, ENV_WAITING_V
	bnez	k1, trap_slow		/* not waiting (this includes the caller) */
	lw	k1, ENV_PCT_ENTRY(k0)	/* (delay) */
	beqz	k1, trap_slow		/* no entry point */
	lui	k1, %hi(cur_tf)		/* (delay) */
	lw	k1, %lo(cur_tf)(k1)	/* k1 = the caller (its trapframe is at offset 0) */
	sw	sp, TF_REG(29)(k1)
	SAVE_REGS k1			/* t0 is used as a temporary from here */
	sw	zero, TF_REG(2)(k1)
	li	t0, ENV_WAITING_V
	sw	t0, ENV_STATUS(k1)
	sw	k0, ENV_WAITING_ON(k1)
	li	t0, ENV_RUNNABLE_V
	sw	t0, ENV_STATUS(k0)
	sw	zero, ENV_WAITING_ON(k0)
	SWITCH_TO k0			/* t0, t1 used */
	lw	t0, ENV_UP_SAVE_KVA(k0)	/* the callee's save area goes live now */
	lui	t1, %hi(cur_upcall)
	sw	t0, %lo(cur_upcall)(t1)
	lw	t0, ENV_PCT_ENTRY(k0)
	mtc0	t0, CP0_EPC
	lw	t0, TF_STATUS(k0)	/* the callee's Status (EXL=1, user mode) */
	mtc0	t0, CP0_STATUS
	lw	v0, ENV_ID(k1)		/* v0 = the caller's id */
	lw	t0, TF_REG(8)(k1)	/* the caller's t0 and t1, as they were */
	lw	t1, TF_REG(9)(k1)
	CLEAR_K
	ehb
	eret

/* env_pop_tf(tf in a0): enter user mode from a trapframe (first run). */
	.globl	env_pop_tf
env_pop_tf:
	j	trap_return
	move	v0, a0
