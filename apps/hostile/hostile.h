/*
 * hostile.h: the hostile test suite. Each test attacks one protection
 * property of Aegis the way a hostile library OS would, through the real
 * system-call ABI, often with a child environment doing the attacking
 * (hostile.c: the runner and the children; attacks.c: the tests).
 */
#ifndef HOSTILE_H
#define HOSTILE_H
#include "../utest/utest.h"

/* A page shared between the suite and a child: the suite maps it at
 * PARENT_BOX_VA, the child at BOX_VA (a guaranteed mapping). */
#define BOX_VA        0x00006000u
#define PARENT_BOX_VA 0x30f00000u
struct box {
	volatile u32 step;          /* handshakes: who may go on */
	volatile u32 word[64];      /* arguments and results */
	volatile u32 fpu[33];       /* a child's FPU registers as it read them */
};

/* Child modes (the low byte of the spawn argument). */
enum { M_SAVE_REPLACE = 1, M_SAVE_READONLY, M_SDBBP, M_SDBBP_DELAY, M_FPU_A, M_FPU_B,
       M_GRANT, M_IDLE, M_SLICE_HOG, M_ENV_HOG, M_PAGE_HOG, M_PRO_SAVE, M_PRO_SPIN,
       M_PRO_UNMAPPED, M_WK_VICTIM, M_XN_TYPES };

/* hostile.c */
extern struct box *box;                 /* the suite's view of the box */
/* Spawn this program as a child in mode m with the box shared (and limits,
 * if not NULL). Returns its id (> 0) or a negative error. */
int child_spawn(u32 mode, const u32 *limits);
/* Wait for a child to end; its exit status. */
int child_wait(int child);
/* Yield until box->step reaches at least s, at most n times; true if it did. */
bool wait_step(volatile u32 *step, u32 s, u32 n);
int child_main(u32 mode);

/* attacks.c */
extern const struct utest hostile_tests[];
extern const int n_hostile_tests;

/* calls.c: hostile arguments to the newest system calls */
extern const struct utest call_tests[];
extern const int n_call_tests;
/* The children of calls.c's tests (modes M_WK_VICTIM ...). */
int call_child(u32 mode);

/* hostile_asm.S */
/* $fN = seed + N for every N, then FCSR = fcsr. */
void fpu_fill(u32 seed, u32 fcsr);
/* out[N] = $fN, out[32] = FCSR. */
void fpu_dump(volatile u32 *out);
/* The save-area attacker's exception handler: exit(77). */
void atk_handler(void);
/* break with a0..a2 = 0xdead0000 | 0, 1, 2. */
void atk_break(void);
void do_sdbbp(void);
void do_sdbbp_delay(void);
/* Make system call n (no arguments) with k0 = k1 = 0x5a5a5a5a before it;
 * out[0] = k0, out[1] = k1 afterwards. */
void kregs_syscall(u32 n, u32 *out);
/* Load from va (a TLB refill if it is in the STLB but not the TLB); out as
 * above. */
void kregs_load(u32 va, u32 *out);
/* Execute privileged instruction number i (0..N_PRIV-1). */
#define N_PRIV 12
void priv_op(u32 i);

#endif
