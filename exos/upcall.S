/*
 * upcall.S: where Aegis enters ExOS when it forwards an exception.
 *
 * On entry (see aegis/abi.h): a0 = faulting PC, a1 = BadVAddr, a2 = Cause;
 * the program's a0..a2 and PC are in the save area at UPCALL_SAVE_VA; every
 * other register is the program's. The upcall page and the exception stack
 * are guaranteed mappings, so nothing here can fault before the frame holds
 * everything.
 *
 * Steps: pick the stack (the exception stack's top, or below the current sp
 * if this upcall interrupted an upcall handler: nested faults keep their
 * frames), build a struct trapframe there with every register, call the C
 * handler with a0 = the frame, then restore every register from the frame
 * (the handler may have changed them and the resume PC) and jump to the
 * resume PC through $at, whose own value is reloaded in the jump's delay
 * slot. The kernel is not entered on the way back.
 */
#include "regdef.h"
#include "trapframe.h"
#include "layout.h"

	.set	noreorder
	.set	noat
	.text

#define F(x) (16 + (x))		/* frame offsets above the o32 argument area */
#define FRAME (TF_SIZE + 16)

.macro UPCALL_ENTRY name, handler
	.globl	\name
	.ent	\name
\name:
	sw	a2, XS_CAUSE($0)	/* free a2: Cause to scratch */
	li	a2, XSTACK_BASE
	subu	a2, sp, a2
	sltiu	a2, a2, XSTACK_SIZE	/* a2 = already on the exception stack? */
	bnez	a2, 1f
	move	a2, sp			/* (delay) a2 = the interrupted sp */
	li	sp, XSTACK_TOP
1:	addiu	sp, sp, -FRAME
	sw	a2, F(TF_REG(29))(sp)
	sw	$1, F(TF_REG(1))(sp)
	sw	$2, F(TF_REG(2))(sp)
	sw	$3, F(TF_REG(3))(sp)
	sw	$7, F(TF_REG(7))(sp)
	sw	$8, F(TF_REG(8))(sp)
	sw	$9, F(TF_REG(9))(sp)
	sw	$10, F(TF_REG(10))(sp)
	sw	$11, F(TF_REG(11))(sp)
	sw	$12, F(TF_REG(12))(sp)
	sw	$13, F(TF_REG(13))(sp)
	sw	$14, F(TF_REG(14))(sp)
	sw	$15, F(TF_REG(15))(sp)
	sw	$16, F(TF_REG(16))(sp)
	sw	$17, F(TF_REG(17))(sp)
	sw	$18, F(TF_REG(18))(sp)
	sw	$19, F(TF_REG(19))(sp)
	sw	$20, F(TF_REG(20))(sp)
	sw	$21, F(TF_REG(21))(sp)
	sw	$22, F(TF_REG(22))(sp)
	sw	$23, F(TF_REG(23))(sp)
	sw	$24, F(TF_REG(24))(sp)
	sw	$25, F(TF_REG(25))(sp)
	sw	$28, F(TF_REG(28))(sp)
	sw	$30, F(TF_REG(30))(sp)
	sw	$31, F(TF_REG(31))(sp)
	mfhi	t0
	sw	t0, F(TF_HI)(sp)
	mflo	t0
	sw	t0, F(TF_LO)(sp)
	/* The program's a0..a2 and PC from the save area, then the fault. */
	lw	t0, UPCALL_SAVE_VA+0($0)
	sw	t0, F(TF_EPC)(sp)
	lw	t0, UPCALL_SAVE_VA+4($0)
	sw	t0, F(TF_REG(4))(sp)
	lw	t0, UPCALL_SAVE_VA+8($0)
	sw	t0, F(TF_REG(5))(sp)
	lw	t0, UPCALL_SAVE_VA+12($0)
	sw	t0, F(TF_REG(6))(sp)
	sw	a1, F(TF_BADVADDR)(sp)
	lw	t0, XS_CAUSE($0)
	sw	t0, F(TF_CAUSE)(sp)
	jal	\handler		/* handler(struct trapframe *f) */
	addiu	a0, sp, 16		/* (delay) a0 = the frame */
	/* Resume: $at and the PC go through scratch words (nothing below can
	 * fault or be forwarded: frame, scratch and code are guaranteed). */
	lw	t0, F(TF_REG(1))(sp)
	sw	t0, XS_AT($0)
	lw	t0, F(TF_EPC)(sp)
	sw	t0, XS_PC($0)
	lw	t0, F(TF_HI)(sp)
	mthi	t0
	lw	t0, F(TF_LO)(sp)
	mtlo	t0
	lw	$2, F(TF_REG(2))(sp)
	lw	$3, F(TF_REG(3))(sp)
	lw	$4, F(TF_REG(4))(sp)
	lw	$5, F(TF_REG(5))(sp)
	lw	$6, F(TF_REG(6))(sp)
	lw	$7, F(TF_REG(7))(sp)
	lw	$8, F(TF_REG(8))(sp)
	lw	$9, F(TF_REG(9))(sp)
	lw	$10, F(TF_REG(10))(sp)
	lw	$11, F(TF_REG(11))(sp)
	lw	$12, F(TF_REG(12))(sp)
	lw	$13, F(TF_REG(13))(sp)
	lw	$14, F(TF_REG(14))(sp)
	lw	$15, F(TF_REG(15))(sp)
	lw	$16, F(TF_REG(16))(sp)
	lw	$17, F(TF_REG(17))(sp)
	lw	$18, F(TF_REG(18))(sp)
	lw	$19, F(TF_REG(19))(sp)
	lw	$20, F(TF_REG(20))(sp)
	lw	$21, F(TF_REG(21))(sp)
	lw	$22, F(TF_REG(22))(sp)
	lw	$23, F(TF_REG(23))(sp)
	lw	$24, F(TF_REG(24))(sp)
	lw	$25, F(TF_REG(25))(sp)
	lw	$28, F(TF_REG(28))(sp)
	lw	$30, F(TF_REG(30))(sp)
	lw	$31, F(TF_REG(31))(sp)
	lw	$1, XS_PC($0)		/* at = where to resume */
	lw	sp, F(TF_REG(29))(sp)
	jr	$1
	lw	$1, XS_AT($0)		/* (delay) the program's at */
	.end	\name
.endm

/* The code that uses the save area and scratch words: Aegis is told not to
 * send the slice epilogue while the PC is in here (set_epilogue). */
	.globl	exos_upcall_text_start
exos_upcall_text_start:
UPCALL_ENTRY exos_tlb_entry, exos_tlb_fault
UPCALL_ENTRY exos_exc_entry, exos_exception
UPCALL_ENTRY exos_epilogue_entry, exos_epilogue
UPCALL_ENTRY exos_revoke_entry, exos_revoke
	.globl	exos_upcall_text_end
exos_upcall_text_end:
