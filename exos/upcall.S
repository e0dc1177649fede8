/*
 * upcall.S: where Aegis enters ExOS when it forwards an exception.
 *
 * On entry (see aegis/abi.h): a0 = faulting PC, a1 = BadVAddr, a2 = Cause;
 * the program's a0..a2 and PC are in the save area at UPCALL_SAVE_VA; every
 * other register is the program's. The upcall page and the exception stack
 * are guaranteed mappings, so nothing here can fault before the frame holds
 * what it must.
 *
 * Every entry picks the stack (the exception stack's top, or below the
 * current sp if this upcall interrupted an upcall handler: nested faults keep
 * their frames) and builds a struct trapframe there; to resume, it reloads
 * the registers from the frame (the handler may have changed them, and the
 * resume PC) and jumps to the resume PC through $at, whose own value is
 * reloaded in the jump's delay slot. The kernel is not entered on the way
 * back.
 *
 * The exception and TLB entries (FAST_ENTRY) call C handlers, which keep
 * s0..s7, fp, gp and sp themselves (the o32 calling convention), so they save
 * and restore only the rest: at, v0..v1, a0..a3, t0..t9, ra, sp, hi and lo.
 * The callee-saved registers go into the frame only for a fault in a branch
 * delay slot (exos_next_pc emulates the branch from them). The epilogue,
 * prologue and revocation entries (FULL_ENTRY) may switch away to another
 * environment, so they save and restore every register.
 */
#include "regdef.h"
#include "trapframe.h"
#include "layout.h"

	.set	noreorder
	.set	noat
	.text

#define F(x) (16 + (x))		/* frame offsets above the o32 argument area */
#define FRAME (TF_SIZE + 16)

/*
 * ENTRY_FRAME name: the entry point name. Picks the stack and stores in the
 * frame the registers a C function may change, sp, hi, lo, the program's PC
 * and a0..a2 from the save area, and BadVAddr. Leaves sp = the frame, a2 =
 * Cause (not yet stored), t0 = scratch. Registers until the frame exists:
 * a0 = scratch (the faulting PC is in the save area too), a1 = BadVAddr.
 * The nested case (already on the exception stack: the frame goes below sp)
 * is a stub just before the entry point, off the straight-line path.
 */
.macro ENTRY_FRAME name
9:	b	8f
	addiu	sp, sp, -FRAME		/* (delay) below the interrupted frame */
	.globl	\name
	.ent	\name
\name:
	lui	a0, %hi(XSTACK_BASE)
	subu	a0, sp, a0
	sltiu	a0, a0, XSTACK_SIZE	/* a0 = already on the exception stack? */
	bnez	a0, 9b			/* yes: nested */
	move	a0, sp			/* (delay) a0 = the interrupted sp */
	lui	sp, %hi(XSTACK_TOP - FRAME)
	addiu	sp, sp, %lo(XSTACK_TOP - FRAME)	/* sp = the frame, at the top */
8:	sw	a0, F(TF_REG(29))(sp)
	.irp	r, 1,2,3,7,8,9,10,11,12,13,14,15,24,25,31
	sw	$\r, F(TF_REG(\r))(sp)
	.endr
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
.endm

/* The callee-saved registers (and $zero, which a branch may compare with). */
.macro SAVE_CALLEE
	.irp	r, 0,16,17,18,19,20,21,22,23,28,30
	sw	$\r, F(TF_REG(\r))(sp)
	.endr
.endm

.macro LOAD_CALLEE
	.irp	r, 16,17,18,19,20,21,22,23,28,30
	lw	$\r, F(TF_REG(\r))(sp)
	.endr
.endm

/* RESUME: reload what ENTRY_FRAME saved (the handler may have changed it)
 * and jump to the frame's PC. $at goes through a scratch word (nothing here
 * can fault or be forwarded: frame, scratch and code are guaranteed). */
.macro RESUME
	lw	t0, F(TF_HI)(sp)
	mthi	t0
	lw	t0, F(TF_LO)(sp)
	mtlo	t0
	lw	t0, F(TF_REG(1))(sp)
	sw	t0, XS_AT($0)
	.irp	r, 2,3,4,5,6,7,8,9,10,11,12,13,14,15,24,25,31
	lw	$\r, F(TF_REG(\r))(sp)
	.endr
	lw	$1, F(TF_EPC)(sp)	/* at = where to resume */
	lw	sp, F(TF_REG(29))(sp)
	jr	$1
	lw	$1, XS_AT($0)		/* (delay) the program's at */
.endm

/* FULL_ENTRY name, handler: every register, for handler(frame). */
.macro FULL_ENTRY name, handler
	ENTRY_FRAME \name
	SAVE_CALLEE
	sw	a1, F(TF_BADVADDR)(sp)
	sw	a2, F(TF_CAUSE)(sp)
	jal	\handler		/* handler(struct trapframe *f) */
	addiu	a0, sp, 16		/* (delay) a0 = the frame */
	LOAD_CALLEE
	RESUME
	.end	\name
.endm

/*
 * FAST_ENTRY name, dispatch: the caller-saved registers only (the callee-
 * saved ones too for a fault in a delay slot, Cause.BD). With dispatch = 0
 * it calls exos_tlb_fault; with dispatch = 1 the handler that
 * exos_set_exception_handler put at XS_HANDLERS[ExcCode], or, if there is
 * none, the plain C dispatcher exos_exception (exc.c), which ends the
 * program; a handler that returns nonzero ends it through exos_exc_failed.
 */
.macro FAST_ENTRY name, dispatch
	ENTRY_FRAME \name
	bltz	a2, 7f			/* Cause.BD: save the callee-saved too */
	sw	a1, F(TF_BADVADDR)(sp)	/* (delay) */
6:
.if \dispatch
	andi	t0, a2, 0x7c		/* t0 = ExcCode * 4 */
	lw	t9, XS_HANDLERS(t0)	/* t9 = the registered handler */
	beqz	t9, 5f			/* none: the C fallback */
	sw	a2, F(TF_CAUSE)(sp)	/* (delay) */
	jalr	t9			/* v0 = handler(frame) */
	addiu	a0, sp, 16		/* (delay) a0 = the frame */
	.globl	\name\()_resume		/* (for tools/pathlen.py) */
\name\()_resume:
	bnez	v0, 3f			/* nonzero: end the program */
	addiu	a0, sp, 16		/* (delay) a0 = the frame */
.else
	sw	a2, F(TF_CAUSE)(sp)
	jal	exos_tlb_fault		/* exos_tlb_fault(frame) */
	addiu	a0, sp, 16		/* (delay) a0 = the frame */
	.globl	\name\()_resume		/* (for tools/pathlen.py) */
\name\()_resume:
.endif
	RESUME
7:	SAVE_CALLEE
	b	6b
	nop
.if \dispatch
5:	jal	exos_exception		/* the plain C dispatcher: ends the program */
	addiu	a0, sp, 16		/* (delay) a0 = the frame */
3:	jal	exos_exc_failed		/* the handler refused: ends the program */
	nop
.endif
	.end	\name
.endm

/* The code that uses the save area and scratch words: Aegis is told not to
 * send the slice epilogue or prologue, or a revocation upcall, while the PC
 * is in here (set_epilogue's critical range). */
	.globl	exos_upcall_text_start
exos_upcall_text_start:
FAST_ENTRY exos_tlb_entry, 0
FAST_ENTRY exos_exc_entry, 1

/*
 * exos_exc_skip_entry: the exception entry while some exception code is to
 * be skipped (exos_set_exception_skip): an application-specific handler
 * lighter than any C handler, with no frame and no stack. On entry, as for
 * exos_exc_entry: a0 = faulting PC (also in the save area), a1 = BadVAddr,
 * a2 = Cause. For a skipped code, outside a delay slot: add one to
 * XS_SKIPS[code] and resume at PC + 4 with the program's a0..a2 (from the
 * save area) and at (through XS_AT). Anything else goes to exos_exc_entry
 * with a0..a2 as it expects them. at is the only scratch register.
 */
	.globl	exos_exc_skip_entry
	.ent	exos_exc_skip_entry
exos_exc_skip_entry:
	sw	$1, XS_AT($0)		/* at ($1) is ours from here */
	bltz	a2, 1f			/* Cause.BD: the general entry */
	andi	$1, a2, 0x7c		/* (delay) $1 = ExcCode * 4 */
	lw	a0, XS_SKIP_ON($1)	/* a0 = skip this code? */
	beqz	a0, 1f			/* no: the general entry */
	lw	a0, XS_SKIPS($1)	/* (delay) a0 = the count */
	addiu	a0, a0, 1
	sw	a0, XS_SKIPS($1)
	lw	$1, UPCALL_SAVE_VA+0($0)
	addiu	$1, $1, 4		/* $1 = the instruction after the fault */
	lw	a0, UPCALL_SAVE_VA+4($0)
	lw	a1, UPCALL_SAVE_VA+8($0)
	lw	a2, UPCALL_SAVE_VA+12($0)
	jr	$1
	lw	$1, XS_AT($0)		/* (delay) the program's $1 */
1:	lw	$1, XS_AT($0)		/* the program's $1 again */
	b	exos_exc_entry
	lw	a0, UPCALL_SAVE_VA+0($0)	/* (delay) a0 = the faulting PC */
	.end	exos_exc_skip_entry

FULL_ENTRY exos_epilogue_entry, exos_epilogue
FULL_ENTRY exos_prologue_entry, exos_prologue
FULL_ENTRY exos_revoke_entry, exos_revoke
	.globl	exos_upcall_text_end
exos_upcall_text_end:
