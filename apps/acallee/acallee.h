/* acallee.h: the page an acall target (apps/acallee) shares with its
 * parent, at ACALLEE_BOX in the target, and what the tests ask of it. */
#ifndef ACALLEE_H
#define ACALLEE_H
#include "../../aegis/types.h"

#define ACALLEE_BOX 0x6000u

/* a3 of an acall: what the target does before it waits again. */
#define ACALLEE_RECORD 1     /* record the call and wait again at once */
#define ACALLEE_SPIN   2     /* record it, then run until its slice ends */

struct acallee_box {
	u32 calls;          /* acalls fully handled (written last) */
	u32 caller;         /* v0 at entry: the caller's id, from the kernel */
	u32 self;           /* a0 at entry: the target's own id (the call's first argument) */
	u32 a1, a2, a3;     /* the other arguments, as the caller's registers held them */
	u32 caller_status;  /* env_status(caller) while the target runs */
	u32 t_entry;        /* Count at entry */
	u32 ran;            /* ACALLEE_SPIN: Count ticks run before the slice ended */
};
#endif
