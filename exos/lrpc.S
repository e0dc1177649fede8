/*
 * lrpc.S: lightweight RPC over Aegis's synchronous protected control
 * transfer (scall). A transfer passes every register and enters the callee
 * at its protected entry point, so each side keeps what it must find again
 * in memory:
 *   client: lrpc_call saves sp, ra and the callee-saved registers (s0..s7,
 *     fp); lrpc_call_trusted saves only sp and ra, trusting the server to
 *     hand the callee-saved registers back unchanged (the paper's trusted
 *     LRPC). The reply enters lrpc_client_entry, which restores them and
 *     returns the server's result (a1) from lrpc_call.
 *   server: lrpc_server_entry runs the handler on the server's own stack and
 *     replies with scall(caller, result), which also leaves the server
 *     waiting for its next call.
 * Register use is stated at each step. Single-threaded: one call at a time
 * per environment.
 */
#include "regdef.h"
#include "syscall_nums.h"
#include "calleesave.h"

	.set	noreorder
	.set	noat

/* Client save block: sp, ra, s0..s7, fp, saved-all flag, server id. */
#define L_SP 0
#define L_RA 4
#define L_S0 8
#define L_FP 40
#define L_FULL 44
#define L_SRV 48
	.bss
	.align	3
lrpc_save:
	.space	52
	.align	3
	.space	16384
lrpc_stack_top:
	.globl	lrpc_handler
lrpc_handler:
	.space	4

	.text
/* int lrpc_call(server a0, a1, a2, a3): t0 = the save block. */
	.globl	lrpc_call
	.ent	lrpc_call
lrpc_call:
	la	t0, lrpc_save
	SAVE_CALLEE t0, L_S0		/* s0..s7, fp (L_FP = L_S0 + 32) */
	b	1f
	li	t1, 1			/* (delay) t1 = all registers saved */
	.end	lrpc_call

/* int lrpc_call_trusted(server a0, a1, a2, a3): only sp and ra are saved. */
	.globl	lrpc_call_trusted
	.ent	lrpc_call_trusted
lrpc_call_trusted:
	la	t0, lrpc_save
	move	t1, zero
1:	sw	t1, L_FULL(t0)
	sw	sp, L_SP(t0)
	sw	ra, L_RA(t0)
	sw	a0, L_SRV(t0)
	li	v0, SYS_scall
	syscall				/* success: the reply comes to lrpc_client_entry;
					 * failure: back to our caller's ra, v0 = error */
	.end	lrpc_call_trusted

/* The client's protected entry: v0 = who entered, a1 = the result. A
 * transfer from anyone but the server called is not a reply: wait again. */
	.globl	lrpc_client_entry
	.ent	lrpc_client_entry
lrpc_client_entry:
	la	t0, lrpc_save
	lw	t1, L_SRV(t0)
	bne	v0, t1, 3f		/* not our server */
	lw	sp, L_SP(t0)
	lw	ra, L_RA(t0)
	lw	t1, L_FULL(t0)
	beqz	t1, 2f
	nop
	LOAD_CALLEE t0, L_S0
2:	jr	ra
	move	v0, a1			/* (delay) the result */
3:	la	ra, 3b			/* wait for the real reply */
	li	v0, SYS_pct_idle
	syscall
	.end	lrpc_client_entry

/* The server's protected entry: v0 = the caller's id, a1..a3 = arguments.
 * Calls lrpc_handler(caller, a1, a2, a3) on the server's stack, then replies
 * scall(caller, result); the handler preserves s0..s7 and fp (C calling
 * convention), so the client gets them back unchanged. */
	.globl	lrpc_server_entry
	.ent	lrpc_server_entry
lrpc_server_entry:
	la	sp, lrpc_stack_top
	addiu	sp, sp, -24
	sw	v0, 16(sp)		/* the caller's id */
	la	t9, lrpc_handler
	lw	t9, 0(t9)
	jalr	t9
	move	a0, v0			/* (delay) a0 = caller */
	lw	a0, 16(sp)		/* reply to the caller ... */
	move	a1, v0			/* ... with the result */
	la	ra, lrpc_idle		/* if the reply fails (caller gone): wait */
	li	v0, SYS_scall
	syscall
	.globl	lrpc_idle
lrpc_idle:
	la	ra, lrpc_idle
	li	v0, SYS_pct_idle
	syscall
	.end	lrpc_server_entry
