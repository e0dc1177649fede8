/*
 * trapframe.h: the registers saved on a slow-path kernel entry. Offsets are
 * shared with the assembly in trapentry.S; trap.c checks them at compile time.
 */
#ifndef AEGIS_TRAPFRAME_H
#define AEGIS_TRAPFRAME_H

#define TF_REG(n)    ((n) * 4)     /* general register n; slot 0 unused */
#define TF_HI        128
#define TF_LO        132
#define TF_EPC       136
#define TF_STATUS    140
#define TF_CAUSE     144
#define TF_BADVADDR  148
#define TF_SIZE      152

#ifndef __ASSEMBLER__
#include "types.h"
struct trapframe {
	u32 regs[32];
	u32 hi, lo;
	u32 epc, status, cause, badvaddr;
};

/* Register numbers, for tf->regs[]. */
enum { R_ZERO, R_AT, R_V0, R_V1, R_A0, R_A1, R_A2, R_A3,
       R_T0, R_T1, R_T2, R_T3, R_T4, R_T5, R_T6, R_T7,
       R_S0, R_S1, R_S2, R_S3, R_S4, R_S5, R_S6, R_S7,
       R_T8, R_T9, R_K0, R_K1, R_GP, R_SP, R_FP, R_RA };
#endif
#endif
