/* lrpccli: an LRPC client for the tests: 300 calls to the server named by
 * the argument, while other clients call it too. Retries while the server is
 * busy with another client. Exits with the number of wrong answers. */
#include "exos.h"

int main(void)
{
	u32 server = exos_arg, rng = exos_envid * 2654435761u | 1, wrong = 0;
	for (int i = 0; i < 300; i++) {
		u32 x = xorshift32(&rng) & 0xffff, y = xorshift32(&rng);
		int r;
		while ((r = lrpc_call(server, x, y, 2)) == -E_BUSY)
			sys_yield();
		wrong += (u32)r != x * 3 + (y ^ 0x5a5a);
	}
	return (int)wrong;
}
