/*
 * start.S: the first instructions of Aegis, reached from either boot path.
 *
 * U-Boot `bootm`: Status.ERL=1, a0=argc, a1=argv, a2=envp (kseg1 pointers,
 *   "name=value" strings), a3=0, sp inside U-Boot, K0 cached.
 * QEMU -kernel:   Status.BEV=1, a0=2, a1=argv, a2=envp (name/value pairs),
 *   a3=RAM size, sp=0x80001fc0, K0 uncached.
 * Both are normalised here: interrupts off, ERL/EXL cleared (BEV kept until the
 * vectors are in place), kseg0 cached, own stack, bss zeroed. The four boot
 * registers are passed unchanged to kmain(a0, a1, a2, a3).
 */
#include "mips.h"
#include "layout.h"

	.set	noreorder
	.section .text.start, "ax"
	.globl	_start
	.ent	_start
_start:
	/* Entered again once the kernel runs: the direct path's boot stub does
	 * that on an EJTAG debug exception (debug.S). Only k0 is touched before
	 * the check (the stub has clobbered it already). */
	lui	k0, %hi(kernel_running)
	lw	k0, %lo(kernel_running)(k0)
	bnez	k0, reentered
	nop

	/* s0..s3 keep the boot path's a0..a3 across the set-up below. */
	move	s0, a0
	move	s1, a1
	move	s2, a2
	move	s3, a3

	/* Status: kernel mode, interrupts off, ERL/EXL clear, BEV on (vectors
	 * are still the firmware's until kmain installs ours), CU0 on. */
	li	t0, ST_BEV | ST_CU0
	mtc0	t0, CP0_STATUS
	ehb

	/* Config.K0 = cacheable. The change is made while running uncached
	 * (kseg1) so that no fetch straddles it. t1 = our kseg1 alias. */
	la	t1, 1f
	li	t2, 0x20000000
	or	t1, t1, t2
	jr	t1
	nop
1:	mfc0	t0, CP0_CONFIG
	li	t2, ~CFG_K0_MASK
	and	t0, t0, t2
	ori	t0, t0, CFG_K0_CACHED
	mtc0	t0, CP0_CONFIG
	la	t1, 2f
	jr.hb	t1			/* back to kseg0, hazards cleared */
	nop

2:	/* Own stack. */
	la	sp, kstack_top

	/* Zero bss: t0 = cursor, t1 = end (both word aligned by linker.ld). */
	la	t0, __bss_start
	la	t1, __bss_end
3:	beq	t0, t1, 4f
	nop
	sw	zero, 0(t0)
	b	3b
	addiu	t0, t0, 4

4:	move	a0, s0
	move	a1, s1
	move	a2, s2
	jal	kmain
	move	a3, s3
	/* kmain never returns; if it does, stop here. */
5:	wait
	b	5b
	nop
	.end	_start

/* _start again, with the kernel running: in debug mode, a debug exception
 * (debug.S takes it from here); otherwise nothing can have brought us here,
 * and going on would wipe the kernel's state: stop. */
	.ent	reentered
reentered:
	mfc0	k0, CP0_DEBUG
	li	k1, DEBUG_DM
	and	k0, k0, k1
	bnez	k0, debug_entry		/* which checks DM again: harmless */
	nop
	la	sp, kstack_top		/* not in debug mode: nothing should */
	la	a0, reentered_msg
	jal	panic
	nop
	.end	reentered

	.section .rodata
reentered_msg:
	.asciz	"_start entered again outside debug mode"

/* Set by kmain once the vectors are installed (in .data: the boot paths
 * load it as 0, bss is not cleared yet when _start reads it). */
	.data
	.align	2
	.globl	kernel_running
kernel_running:
	.word	0

/* The kernel stack: every slow-path entry and kmain start at its top. */
	.bss
	.align	4
kstack:
	.space	KSTACK_SIZE
	.globl	kstack_top
kstack_top:
