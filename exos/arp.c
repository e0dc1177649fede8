/*
 * arp.c: ARP for IPv4 over Ethernet (RFC 826): answering requests for our
 * address, and a small cache of the stations we talk to, filled by asking
 * (a bounded number of times) and by the requests and replies we see.
 */
#include "inet.h"

#define ARP_LEN   (ETH_HLEN + 28)
#define ARP_REQ   1
#define ARP_REPLY 2

/* ip's cache entry, or NULL. */
static struct arp_entry *lookup(struct netif *nif, u32 ip)
{
	for (u32 i = 0; i < ARP_CACHE; i++)
		if (nif->arp[i].valid && nif->arp[i].ip == ip)
			return &nif->arp[i];
	return NULL;
}

void arp_learn(struct netif *nif, u32 ip, const u8 *mac)
{
	struct arp_entry *e = lookup(nif, ip);
	if (!e) {
		for (u32 i = 0; i < ARP_CACHE && !e; i++)
			if (!nif->arp[i].valid)
				e = &nif->arp[i];
		if (!e) {                       /* full: replace entries in turn */
			e = &nif->arp[nif->arp_victim];
			nif->arp_victim = (nif->arp_victim + 1) % ARP_CACHE;
		}
	}
	e->ip = ip;
	memcpy(e->mac, mac, 6);
	e->valid = true;
}

/* Build and send an ARP packet: op, to station dst (target tha, tip). */
static int arp_send(struct netif *nif, u32 op, const u8 *dst, const u8 *tha, u32 tip)
{
	u8 *a = nif->tx + ETH_HLEN;
	put16(a, 1);                  /* Ethernet */
	put16(a + 2, ETH_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, nif->mac, 6);
	put32(a + 14, nif->ip);
	memcpy(a + 18, tha, 6);
	put32(a + 24, tip);
	return eth_send(nif, dst, ETH_ARP, ARP_LEN);
}

int arp_request(struct netif *nif, u32 ip)
{
	static const u8 zero[6];
	return arp_send(nif, ARP_REQ, eth_broadcast, zero, ip);
}

/* The filter passes only ARP for our address; check the rest. A request
 * gets a reply; the sender of either is remembered (but a sender claiming
 * our own address, e.g. another station's gratuitous ARP, is not). */
void arp_input(struct netif *nif, const u8 *frame, u32 len)
{
	const u8 *a = frame + ETH_HLEN;
	if (len < ARP_LEN || get16(a) != 1 || get16(a + 2) != ETH_IP || a[4] != 6 || a[5] != 4 ||
	    get32(a + 24) != nif->ip) {
		nif->st.bad++;
		return;
	}
	u32 op = get16(a + 6), sip = get32(a + 14);
	u8 sha[6];
	memcpy(sha, a + 8, 6);
	if (sip != nif->ip && sip != 0)
		arp_learn(nif, sip, sha);
	if (op == ARP_REQ && sip != nif->ip) {
		arp_send(nif, ARP_REPLY, sha, sha, sip);
		nif->st.arp_replies++;
	}
}

struct wanted { struct netif *nif; u32 ip; };

static bool cached(void *arg)
{
	struct wanted *w = arg;
	return lookup(w->nif, w->ip) != NULL;
}

int arp_resolve(struct netif *nif, u32 ip, u8 *mac)
{
	if (ip == 0xffffffffu) {
		memcpy(mac, eth_broadcast, 6);
		return 0;
	}
	struct wanted w = { nif, (ip & nif->mask) == (nif->ip & nif->mask) ? ip : nif->gw };
	if (w.ip == 0)
		return -E_INVAL;
	if (!nif->polling)
		netif_poll(nif);
	for (u32 try = 0; !cached(&w) && try < ARP_TRIES; try++) {
		arp_request(nif, w.ip);
		if (nif->polling)
			return -E_AGAIN;
		netif_wait_until(nif, cached, &w, ARP_WAIT);   /* other frames may come first */
	}
	if (!cached(&w))
		return -E_NOENT;
	memcpy(mac, lookup(nif, w.ip)->mac, 6);
	return 0;
}
