/*
 * fastcall.S: system calls served on the fast path. Entered from the general
 * vector with EXL=1, EPC = the caller's ra (already written, hazard cleared),
 * v0 = call number; only k0/k1 may be used; the result goes in v0.
 */
#include "mips.h"

	.set	noreorder
	.set	noat
	.text

/* null(): returns 0. */
	.globl	fast_null
fast_null:
	move	v0, zero
	eret

/* getenvid(): returns the caller's environment id (v0 = cur_envid). */
	.globl	fast_getenvid
fast_getenvid:
	lui	k0, %hi(cur_envid)
	lw	v0, %lo(cur_envid)(k0)
	eret

/* env_pop_tf(tf in a0): enter user mode from a trapframe (first run). */
	.globl	env_pop_tf
env_pop_tf:
	j	trap_return
	move	v0, a0
