/*
 * vectors.S: the exception vectors. Assembled into the kernel image between
 * vectors_start and vectors_end and copied to EBase = 0x80000000 by
 * vectors_install(); every jump out of here is absolute (j / jr), so the copy
 * runs unchanged. Only k0 and k1 may be used before state is saved.
 */
#include "mips.h"
#include "syscall_nums.h"   /* NFAST, generated from syscalls.tbl */
#include "config.h"         /* STLB_ENTRIES, from the Makefile */

	.set	noreorder
	.set	noat
	.section .text.vectors, "ax"
	.globl	vectors_start
	.globl	vectors_end
	.align	12
vectors_start:

/*
 * +0x000 TLB refill (user-mode or kernel access to kuseg, EXL=0).
 * Looks the faulting (VPN2, ASID) up in the direct-mapped STLB and, on a hit,
 * writes the pair into a random TLB slot and returns: 17 instructions. A
 * miss goes to refill_miss (upcall.S) with k0 = EntryHi.
 * The STLB index is ((EntryHi >> 13) ^ EntryHi) & (STLB_ENTRIES-1), the same
 * as stlb_index() (tlb.c); up to 8192 entries that is (VPN2 ^ ASID) mod
 * STLB_ENTRIES. STLB_ENTRIES is a build option (4096 by default), at most
 * 65536 so that the mask fits andi's immediate. Entries are 16 bytes:
 * { tag = EntryHi (VPN2|ASID), EntryLo0, EntryLo1, unused }. An empty entry's
 * tag is STLB_EMPTY, which no refill's EntryHi can equal (bits 12:8 set).
 */
	.globl	refill
refill:
	mfc0	k0, CP0_ENTRYHI		/* k0 = VPN2<<13 | ASID */
	srl	k1, k0, 13		/* k1 = VPN2 */
	xor	k1, k1, k0		/* low 13 bits: VPN2 ^ ASID */
	andi	k1, k1, STLB_ENTRIES - 1	/* k1 = STLB index */
	sll	k1, k1, 4		/* k1 = byte offset of the entry */
	lui	k0, %hi(stlb)
	addu	k1, k1, k0		/* k1 = &stlb[index] - %lo(stlb) */
	lw	k0, %lo(stlb)+4(k1)	/* k0 = EntryLo0 */
	mtc0	k0, CP0_ENTRYLO0
	lw	k0, %lo(stlb)+8(k1)	/* k0 = EntryLo1 */
	mtc0	k0, CP0_ENTRYLO1
	lw	k1, %lo(stlb)+0(k1)	/* k1 = tag */
	mfc0	k0, CP0_ENTRYHI		/* k0 = VPN2|ASID again */
	bne	k0, k1, 1f		/* STLB miss: take the slow path */
	ehb				/* EntryLo writes visible to tlbwr */
	tlbwr
	eret
	.globl	refill_slow
refill_slow:
1:	j	refill_miss		/* upcall.S: to ExOS, or trap_slow */
	nop

/*
 * +0x180 general exception. System calls whose number is below NFAST are
 * served by a fast handler (k0/k1 only, no kernel stack); every other
 * exception is dispatched on ExcCode through exc_table.
 * A null fast system call costs 16 instructions from here to its eret.
 */
	.org	0x180
	.globl	general
general:
	mfc0	k0, CP0_CAUSE
	andi	k0, k0, CAUSE_EXC_MASK	/* k0 = ExcCode * 4 */
	xori	k1, k0, EXC_SYS << 2
	bnez	k1, 2f			/* not a system call */
	sltiu	k1, v0, NFAST		/* (delay) k1 = is a fast call */
	beqz	k1, 3f
	mtc0	ra, CP0_EPC		/* (delay) every system call returns to ra */
	sll	k1, v0, 2
	lui	k0, %hi(fast_syscalls)
	addu	k1, k1, k0
	lw	k1, %lo(fast_syscalls)(k1)	/* k1 = fast handler */
	jr	k1
	ehb				/* (delay) EPC write visible to eret */
	.globl	general_exc
general_exc:
2:	lui	k1, %hi(exc_table)
	addu	k1, k1, k0
	lw	k1, %lo(exc_table)(k1)	/* k1 = handler for this ExcCode */
	jr	k1
	lui	k0, %hi(cur_upcall)	/* (delay) k0 = what upcall.S FORWARD expects */
3:	j	trap_slow		/* slow system call */
	nop
	/* Never executed: the %lo that pairs with the %hi(cur_upcall) above,
	 * for the linker (upcall.S adds the low half). */
	addiu	zero, zero, %lo(cur_upcall)

/* +0x200 interrupt (Cause.IV = 1). */
	.org	0x200
interrupt:
	j	trap_slow
	nop

/* +0x300: where the firmware's EJTAG debug vector forwards (0x80000300, as
 * on YAMON; the build patches U-Boot to do it). In debug mode. */
	.org	0x300
	.globl	debug_vector
debug_vector:
	j	debug_entry
	nop

	.align	4
vectors_end:
