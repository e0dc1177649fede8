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
#include "gmap_filter.h"

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

/*
 * refill_miss: the refill vector found another pair (or none) in the
 * STLB's slot; k0 = EntryHi = VPN2 << 13 | ASID (EntryHi is unchanged).
 * The kernel itself serves a miss on a guaranteed mapping or on the kinfo
 * page (trap(): gmap_fill, kinfo_fill), and a miss in kernel mode or by an
 * environment without handlers: those go to trap_slow. Every other miss is
 * forwarded to the environment's TLB entry point, as fwd_tlb forwards a TLB
 * exception. A guaranteed mapping is ruled out by the environment's pair
 * filter (gmap_filters[ASID], vm.c gmap_bit): bit v mod 32 of word
 * ((v >> 5) ^ (v >> 14)) mod 512, v = VPN2; a set bit (maybe one) goes to
 * trap_slow. Uses k0 and k1 only, and not HI/LO.
 */
.if NENV_V + 1 != 64
.error "refill_miss masks the ASID to index gmap_filters[64]"
.endif
.if GMAP_FILTER_LOG2 - 3 != 11
.error "refill_miss shifts the ASID by 11: a filter of 2^11 bytes"
.endif
	.globl	refill_miss
refill_miss:
	lui	k1, %hi(cur_upcall)
	lw	k1, %lo(cur_upcall)(k1)		/* k1 = save area, or 0 */
	beqz	k1, trap_slow			/* kernel mode, or no handlers */
	srl	k0, k0, 13			/* (delay) k0 = VPN2 */
	li	k1, KINFO_VA >> 13
	beq	k0, k1, trap_slow		/* the kinfo page's pair */
	srl	k0, k0, 5			/* (delay) k0 = v >> 5 */
	GMAP_WORD_OFFSET k0, k0, k1		/* k0 = the filter word's offset */
	mfc0	k1, CP0_ENTRYHI
	andi	k1, k1, 63			/* k1 = ASID */
	sll	k1, k1, 11			/* k1 = its filter's offset (512 words) */
	addu	k1, k1, k0
	lui	k0, %hi(gmap_filters)
	addu	k1, k1, k0
	lw	k1, %lo(gmap_filters)(k1)	/* k1 = the filter word */
	mfc0	k0, CP0_ENTRYHI
	srl	k0, k0, 13			/* k0 = VPN2: srlv shifts by v mod 32 */
	srlv	k1, k1, k0
	andi	k1, k1, 1
	bnez	k1, trap_slow			/* a guaranteed mapping may be in the pair */
	lui	k0, %hi(cur_upcall)		/* (delay) as FORWARD expects */
	.globl	refill_miss_fwd
refill_miss_fwd:
	FORWARD 8
