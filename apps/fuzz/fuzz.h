/* fuzz.h: what the fuzzing driver (apps/fuzzd) and its children (apps/fuzz)
 * share: a board page, at FUZZ_BOARD_VA in each child, through which the
 * children learn each other's ids and capabilities and report progress.
 * With a ballast (fuzzd under lowmem=N), each child first takes that many
 * pages and holds them, so that the round runs with free memory about the
 * kernel's low-water mark and the kernel asks the children for pages
 * (aegis/mempress.c) while they make their calls. */
#ifndef FUZZ_H
#define FUZZ_H
#include "exos.h"

#define FUZZ_BOARD_VA   0x00005000u
#define FUZZ_WITH_BOARD 0x80000000u   /* in the spawn argument: a board is mapped */
#define FUZZ_MAXKIDS    8
struct fuzz_board {
	volatile u32 calls;                  /* system calls each child makes */
	volatile u32 ids[FUZZ_MAXKIDS];      /* the children of this round */
	volatile u32 caps[FUZZ_MAXKIDS][2];  /* a capability of each (name, check) */
	volatile u32 made[FUZZ_MAXKIDS];     /* calls made so far, per child */
	volatile u32 ballast;                /* pages each child holds before its calls */
	volatile u32 ready[FUZZ_MAXKIDS];    /* 1 once a child holds its ballast */
	volatile u32 go;                     /* set by the driver once all are ready */
};

/* fuzz_xn.c: fill a[] for XN call n (false: not an XN call), with cname,
 * ccheck a capability for a page of its own; and learn what call n gave. */
bool fuzz_xn_args(u32 n, u32 *a, u32 cname, u32 ccheck, u32 (*next)(void));
void fuzz_xn_learn(u32 n, u32 v0);

#endif
