/* lrpc.c: the C side of ExOS's LRPC (the transfer itself is lrpc.S). */
#include "exos.h"

extern lrpc_handler_fn lrpc_handler;

void lrpc_serve(lrpc_handler_fn fn)
{
	lrpc_handler = fn;
	sys_pct_entry((u32)lrpc_server_entry);
	lrpc_idle();
}
