/*
 * tcp.c: TCP (placeholder until the connection code lands).
 */
#include "inet.h"

void tcp_input(struct netif *nif, const u8 *frame, const u8 *iph, const u8 *tcp, u32 tlen)
{
	(void)frame; (void)iph; (void)tcp; (void)tlen;
	nif->st.no_port++;
}

void tcp_timers(struct netif *nif) { (void)nif; }
void tcp_unlisten(struct tcp_listener *l) { (void)l; }
