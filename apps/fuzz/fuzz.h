/* fuzz.h: what the fuzzing driver (apps/fuzzd) and its children (apps/fuzz)
 * share: a board page, at FUZZ_BOARD_VA in each child, through which the
 * children learn each other's ids and capabilities and report progress. */
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
};

#endif
