/*
 * calleesave.h: assembler macros to store and load s0..s7 and fp in a block
 * (base register + offset of s0; fp follows s7), shared by lrpc.S and
 * fork.S.
 */
#ifndef EXOS_CALLEESAVE_H
#define EXOS_CALLEESAVE_H

.macro SAVE_CALLEE base, off
	sw	s0, \off+0(\base)
	sw	s1, \off+4(\base)
	sw	s2, \off+8(\base)
	sw	s3, \off+12(\base)
	sw	s4, \off+16(\base)
	sw	s5, \off+20(\base)
	sw	s6, \off+24(\base)
	sw	s7, \off+28(\base)
	sw	fp, \off+32(\base)
.endm

.macro LOAD_CALLEE base, off
	lw	s0, \off+0(\base)
	lw	s1, \off+4(\base)
	lw	s2, \off+8(\base)
	lw	s3, \off+12(\base)
	lw	s4, \off+16(\base)
	lw	s5, \off+20(\base)
	lw	s6, \off+24(\base)
	lw	s7, \off+28(\base)
	lw	fp, \off+32(\base)
.endm

#endif
