/*
 * crt0.S: where every ExOS program starts. Aegis enters here in user mode
 * with a0 = this environment's id and sp = the top of its initial stack.
 */
#include "regdef.h"
	.set	noreorder
	.section .text.start, "ax"
	.globl	_start
	.ent	_start
_start:
	addiu	sp, sp, -16		/* o32: room for the callee's a0..a3 */
	jal	exos_start		/* exos_start(a0 = envid, a1 = arg): never returns */
	nop
1:	b	1b
	nop
	.end	_start
