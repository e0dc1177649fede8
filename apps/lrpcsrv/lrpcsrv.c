/*
 * lrpcsrv: an LRPC server for the tests. handler(caller, a1, a2, a3):
 *   a3 == 0       returns a1 + a2
 *   a3 == 0xcafe  returns the caller's id as the kernel gave it
 *   a3 == 2       returns a1 * 3 + (a2 ^ 0x5a5a)
 */
#include "exos.h"

static u32 handler(u32 caller, u32 a1, u32 a2, u32 a3)
{
	switch (a3) {
	case 0: return a1 + a2;
	case 0xcafe: return caller;
	case 2: return a1 * 3 + (a2 ^ 0x5a5a);
	default: return 0xffffffffu;
	}
}

int main(void)
{
	lrpc_serve(handler);
}
