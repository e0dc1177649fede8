/*
 * fastcall.S: system calls served on the fast path. Entered from the general
 * vector with EXL=1, EPC = the caller's ra (already written, hazard cleared),
 * v0 = call number; only k0/k1 may be used (fast_tlbwr also uses t0..t8,
 * whose values it keeps in the caller's trapframe and puts back on either way
 * out); the result goes in v0. Every path clears k0/k1 before its eret
 * (CLEAR_K).
 */
#include "mips.h"
#include "asmoffsets.h"
#include "regsave.h"
#include "config.h"         /* STLB_ENTRIES, from the Makefile */
#include "gmap_filter.h"

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
 * pending. Save in the caller's trapframe what a call must keep (it will
 * see 0 from the call: SAVE_CALL_REGS), make the target current and resume
 * it from its trapframe (every register: it may have been preempted).
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
	SAVE_CALL_REGS k1		/* a call keeps only these (t0 used) */
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

/*
 * tlbwr(va|flags a0, capname a1, capcheck a2), fast path: the usual case of
 * a library OS mapping one page, readable or (VA_W) writable, with one of the
 * page's two root capabilities, or installing an invalid half (VA_NOACCESS:
 * no capability), where no guaranteed mapping may lie in the pair (the
 * environment's pair filter says so). It does what sys_tlbwr does then:
 * the STLB half and the per-page STLB counts (if the STLB's slot holds
 * another pair or none, the pair takes the slot, its other half being what
 * the TLB holds for it, or invalid, as vm_set_pair does), then the TLB
 * (tlbp; tlbwi over the pair's entry, else tlbwr). Everything else, every
 * failure included (C counts failed capabilities), and a caller with an
 * upcall due, go to sys_tlbwr through trap_slow with every register as it
 * was.
 * Registers: k1 = the caller's env (its trapframe is at offset 0, where
 * t0..t6, and t7, t8 on the branch that takes a new slot, are kept while
 * this runs and restored on every way out); t0 =
 * scratch, t1 = the page number, then scratch (the pair's EntryLo0 when it
 * takes a new slot); t2 = &pages[ppn]; t3 = EntryHi of the pair (VPN2 |
 * ASID); t4 = &stlb[slot]; t5 = the new half (0: invalid); t6 = scratch
 * (EntryLo1 when taking a new slot); t7, t8 = scratch.
 */
.if PPAGE_SIZE != 24
.error "fast_tlbwr indexes pages[] with a record of 24 bytes"
.endif
.macro SAVE_T
	.irp	r, 8,9,10,11,12,13,14
	sw	$\r, TF_REG(\r)(k1)
	.endr
.endm
.macro LOAD_T
	.irp	r, 8,9,10,11,12,13,14
	lw	$\r, TF_REG(\r)(k1)
	.endr
.endm
/* REF_HALF lo: if EntryLo lo (a register, not t0 or t8) is valid, add d
 * to its page's STLB count. Uses t0, t8, k0. */
.macro REF_HALF lo, d
	andi	t0, \lo, ELO_V
	beqz	t0, .Lref\@
	srl	t8, \lo, ELO_PFN_SHIFT	/* (delay, harmless) t8 = its page */
	PAGE_REC t0, t8
	lhu	t8, PPAGE_STLB_REFS(t0)
	addiu	t8, t8, \d
	sh	t8, PPAGE_STLB_REFS(t0)
.Lref\@:
.endm
/* t = &pages[n] (n and t different registers). */
.macro PAGE_REC t, n
	sll	\t, \n, 1
	addu	\t, \t, \n
	sll	\t, \t, 3		/* n * 24 */
	lui	k0, %hi(pages)
	addiu	k0, k0, %lo(pages)
	addu	\t, \t, k0
.endm
	.globl	fast_tlbwr
fast_tlbwr:
	lui	k1, %hi(curenv)
	lw	k1, %lo(curenv)(k1)	/* k1 = the caller */
	SAVE_T
	lw	t0, ENV_REVOKE_NOTIFY(k1)
	lw	t1, ENV_SLICE_NOTIFY(k1)
	or	t0, t0, t1
	bnez	t0, 9f			/* an upcall is due: the C path delivers it */
	andi	t0, a0, 0xfff		/* (delay) t0 = the flags */
	bltz	a0, 9f			/* va not below USER_TOP */
	xori	t1, t0, VA_NOACCESS_V	/* (delay) */
	beqz	t1, 5f			/* VA_NOACCESS: an invalid half, no capability */
	move	t5, zero		/* (delay) t5 = that half */
	andi	t0, t0, ~VA_W_V & 0xfff
	bnez	t0, 9f			/* flags other than VA_W (or VA_W with VA_NOACCESS) */
	andi	t0, a1, 0xf		/* (delay) t0 = the capability's rights */
	xori	t1, t0, CAP_RW_V
	beqz	t1, 1f			/* CAP_RW: any mapping */
	xori	t1, t0, CAP_R_V		/* (delay) */
	bnez	t1, 9f			/* not a root's rights (a derived one, or none) */
	andi	t1, a0, VA_W_V		/* (delay) */
	bnez	t1, 9f			/* CAP_R for a writable mapping */
1:	srl	t1, a1, 4		/* (delay, harmless) t1 = ppn */
	lui	t2, %hi(page_total)
	lw	t2, %lo(page_total)(t2)
	sltu	t2, t1, t2
	beqz	t2, 9f			/* no such page */
	nop
	PAGE_REC t2, t1			/* t2 = &pages[ppn] */
	lbu	t3, PPAGE_STATE(t2)
	xori	t3, t3, PAGE_USED_V
	bnez	t3, 9f			/* not in use */
	srl	t3, t0, 1		/* (delay) t3 = 0 for CAP_R, 1 for CAP_RW */
	sll	t3, t3, 2
	addu	t3, t3, t2
	lw	t3, PPAGE_CHECK(t3)	/* t3 = the page's secret for those rights */
	bne	t3, a2, 9f		/* not the secret: C counts the failure */
	/* t5 = the new half: the page, cached, valid, dirty (writable) if VA_W. */
	andi	t5, a0, VA_W_V		/* (delay) */
	sll	t5, t5, 2		/* VA_W (1) -> ELO_D (4) */
	ori	t5, t5, ELO_C_CACHED | ELO_V
	sll	t0, t1, ELO_PFN_SHIFT
	or	t5, t5, t0
5:	srl	t3, a0, 13		/* t3 = VPN2 */
	/* The pair filter (vm.c gmap_bit): bit VPN2 mod 32 of word
	 * ((VPN2 >> 5) ^ (VPN2 >> 14)) mod 512 of the caller's filter. */
	srl	t4, t3, 5		/* t4 = VPN2 >> 5 */
	GMAP_WORD_OFFSET t4, t4, t6	/* t4 = the word's offset */
	lw	t6, ENV_GMAP_FILTER_PTR(k1)
	addu	t6, t6, t4
	lw	t6, 0(t6)		/* t6 = the filter word */
	srlv	t6, t6, t3
	andi	t6, t6, 1
	bnez	t6, 9f			/* a guaranteed mapping may be in the pair */
	lw	t4, ENV_ASID(k1)	/* (delay) */
	sll	t3, t3, 13
	or	t3, t3, t4		/* t3 = VPN2 | ASID */
	srl	t4, t3, 13
	xor	t4, t4, t3
	andi	t4, t4, STLB_ENTRIES - 1
	sll	t4, t4, 4
	lui	t0, %hi(stlb)
	addiu	t0, t0, %lo(stlb)
	addu	t4, t4, t0		/* t4 = &stlb[slot], as the refill vector finds it */
	lw	t0, 0(t4)
	bne	t0, t3, 7f		/* the STLB holds another pair, or none */
	srl	t0, a0, 10		/* (delay) */
	andi	t0, t0, 4		/* t0 = 4 for the odd page of the pair, else 0 */
	addu	t0, t0, t4		/* t0 + 4 = &the half: lo0 at +4, lo1 at +8 */
	lw	t6, 4(t0)		/* t6 = the old half */
	andi	t1, t6, ELO_V
	beqz	t1, 2f			/* not valid: counted against no page */
	srl	t1, t6, ELO_PFN_SHIFT	/* (delay) t1 = its page */
	PAGE_REC t6, t1
	lhu	t1, PPAGE_STLB_REFS(t6)
	addiu	t1, t1, -1
	sh	t1, PPAGE_STLB_REFS(t6)	/* the old page: one half fewer */
2:	beqz	t5, 6f			/* an invalid half names no page */
	nop
	lhu	t1, PPAGE_STLB_REFS(t2)
	addiu	t1, t1, 1
	sh	t1, PPAGE_STLB_REFS(t2)	/* ours: one more */
6:	sw	t5, 4(t0)		/* the STLB half */
	/* The TLB: replace the pair's entry if there is one, else a random one. */
	mtc0	t3, CP0_ENTRYHI
	ehb
	tlbp
	ehb
	mfc0	t0, CP0_INDEX
	/* t0 = the pair's TLB index (< 0: none), in Index too; EntryHi = t3. */
8:	lw	t1, 4(t4)
	mtc0	t1, CP0_ENTRYLO0
	lw	t1, 8(t4)
	mtc0	t1, CP0_ENTRYLO1
	ehb
	bltz	t0, 3f
	nop
	tlbwi
	b	4f
	nop
3:	tlbwr
4:	lw	t0, ENV_ASID(k1)
	mtc0	t0, CP0_ENTRYHI		/* the ASID alone, as tlb_write_pair leaves it */
	move	v0, zero
	LOAD_T
	CLEAR_K
	ehb
	eret
	/* The slot holds another pair (tag t0) or none: the pair takes it.
	 * Its other half is what the TLB has for it (tlbp, tlbr), or invalid;
	 * the old occupant's pages lose a count per valid half, the pair's
	 * gain one. t1, t6 = the pair's EntryLo0, EntryLo1. */
7:	sw	t7, TF_REG(15)(k1)	/* t7, t8 too, on this branch only */
	sw	t8, TF_REG(24)(k1)
	mtc0	t3, CP0_ENTRYHI
	ehb
	tlbp
	ehb
	mfc0	t7, CP0_INDEX		/* t7 < 0: the TLB has no entry for the pair */
	move	t1, zero
	bltz	t7, 1f
	move	t6, zero		/* (delay) */
	tlbr
	ehb
	mfc0	t1, CP0_ENTRYLO0
	mfc0	t6, CP0_ENTRYLO1
1:	srl	t8, a0, 12
	andi	t8, t8, 1		/* t8 = 1 for the odd page of the pair */
	movn	t6, t5, t8		/* our half replaces the TLB's */
	movz	t1, t5, t8
	addiu	t8, zero, -1		/* STLB_EMPTY */
	beq	t0, t8, 2f		/* an empty slot counts against no page */
	lw	t7, 4(t4)		/* (delay) t7 = the old EntryLo0 */
	REF_HALF t7, -1
	lw	t7, 8(t4)
	REF_HALF t7, -1
2:	REF_HALF t1, 1
	REF_HALF t6, 1
	sw	t1, 4(t4)
	sw	t6, 8(t4)
	sw	t3, 0(t4)		/* the tag, last */
	mfc0	t0, CP0_INDEX		/* the pair's TLB index, from the tlbp above (tlbr keeps it) */
	lw	t7, TF_REG(15)(k1)
	b	8b			/* the TLB, from the slot: no second tlbp */
	lw	t8, TF_REG(24)(k1)	/* (delay) */
9:	LOAD_T
	j	trap_slow		/* v0 still holds the call's number */
	nop

/* env_pop_tf(tf in a0): enter user mode from a trapframe (first run). */
	.globl	env_pop_tf
env_pop_tf:
	j	trap_return
	move	v0, a0
