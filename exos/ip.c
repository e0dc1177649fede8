/*
 * ip.c: IPv4 (RFC 791) without fragmentation or options of our own, and
 * ICMP echo (RFC 792). A datagram is taken in only if its header is whole
 * and its checksum right, it is for our address, and it is not a fragment;
 * every other is dropped and counted (netif_stats.bad).
 */
#include "inet.h"

#define ICMP_ECHO       8
#define ICMP_ECHO_REPLY 0
#define PING_ID         0x4558          /* our echo requests' identifier */
#define PING_DATA       32

typedef u16 __attribute__((may_alias)) u16a;

/* Swap the bytes of a 16-bit value. */
static inline u32 swab16(u32 v) { return (v >> 8 | v << 8) & 0xffff; }

/* The ones' complement sum does not depend on byte order (RFC 1071): when
 * p is 2-byte aligned the halfwords are added as the CPU loads them
 * (little-endian), four at a time, and the folded sum is swapped into
 * network order once. */
u32 inet_sum(const void *p, u32 len, u32 sum)
{
	const u8 *b = p;
	if (!((uintptr_t)b & 1) && len >= 2) {
		const u16a *h = (const u16a *)b;
		u32 s = 0;                         /* len < 2^16: no overflow */
		for (; len >= 8; len -= 8, h += 4)
			s += (u32)h[0] + h[1] + h[2] + h[3];
		for (; len >= 2; len -= 2)
			s += *h++;
		b = (const u8 *)h;
		sum += swab16(inet_fold(s));
	}
	for (; len >= 2; b += 2, len -= 2)
		sum += get16(b);
	if (len)
		sum += (u32)b[0] << 8;
	return sum;
}

u32 inet_copy_sum(void *dst, const void *src, u32 len, u32 sum)
{
	if (((uintptr_t)dst | (uintptr_t)src) & 1) {
		memcpy(dst, src, len);
		return inet_sum(dst, len, sum);
	}
	const u16a *s = src;
	u16a *d = dst;
	u32 t = 0;
	for (; len >= 8; len -= 8, s += 4, d += 4) {
		u32 a = s[0], b = s[1], c = s[2], e = s[3];
		d[0] = (u16)a;
		d[1] = (u16)b;
		d[2] = (u16)c;
		d[3] = (u16)e;
		t += a + b + c + e;
	}
	for (; len >= 2; len -= 2)
		t += *d++ = *s++;
	sum += swab16(inet_fold(t));
	if (len) {
		u8 last = *(const u8 *)s;
		*(u8 *)d = last;
		sum += (u32)last << 8;
	}
	return sum;
}

u16 inet_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)sum;
}

u32 ip_pseudo_sum(u32 src, u32 dst, u32 proto, u32 len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
}

/* An echo request: the same identifier, sequence and data back, to the
 * station the request came from. */
static void icmp_input(struct netif *nif, const u8 *frame, const u8 *iph, const u8 *icmp, u32 len)
{
	if (len < 8 || inet_fold(inet_sum(icmp, len, 0)) != 0xffff) {
		nif->st.bad++;
		return;
	}
	if (icmp[0] == ICMP_ECHO_REPLY && len == 8 + PING_DATA && get16(icmp + 4) == PING_ID &&
	    get16(icmp + 6) == (nif->ping_seq & 0xffff)) {
		bool same = true;
		for (u32 i = 0; i < PING_DATA; i++)
			same &= icmp[8 + i] == (u8)(nif->ping_seq + i);
		nif->ping_ok |= same;
	}
	if (icmp[0] != ICMP_ECHO)
		return;
	u8 *r = ip_payload(nif);
	memcpy(r, icmp, len);
	r[0] = ICMP_ECHO_REPLY;
	put16(r + 2, 0);
	put16(r + 2, (u16)~inet_fold(inet_sum(r, len, 0)));
	if (ip_send(nif, frame + 6, get32(iph + 12), IP_ICMP, len) == 0)
		nif->st.echo_replies++;
}

void ip_input(struct netif *nif, const u8 *frame, u32 len)
{
	const u8 *iph = frame + ETH_HLEN;
	u32 hl = len >= ETH_HLEN + IP_HLEN ? (iph[0] & 0xfu) * 4 : 0;
	u32 tot = hl ? get16(iph + 2) : 0;
	if (hl < IP_HLEN || iph[0] >> 4 != 4 || tot < hl || ETH_HLEN + tot > len ||
	    inet_fold(inet_sum(iph, hl, 0)) != 0xffff || get32(iph + 16) != nif->ip ||
	    (get16(iph + 6) & 0x3fff) != 0) {          /* MF set or a fragment offset */
		nif->st.bad++;
		return;
	}
	const u8 *p = iph + hl;
	u32 plen = tot - hl;
	switch (iph[9]) {
	case IP_ICMP:
		icmp_input(nif, frame, iph, p, plen);
		break;
	case IP_UDP:
		udp_input(nif, frame, iph, p, plen);
		break;
	case IP_TCP:
		tcp_input(nif, frame, iph, p, plen);
		break;
	default:
		nif->st.bad++;
	}
}

int ip_send(struct netif *nif, const u8 *mac, u32 dst, u32 proto, u32 plen)
{
	if (plen > NET_FRAME_MAX - ETH_HLEN - IP_HLEN)
		return -E_INVAL;
	u8 *h = nif->tx + ETH_HLEN;
	h[0] = 0x45;
	h[1] = 0;
	put16(h + 2, IP_HLEN + plen);
	put16(h + 4, nif->ip_id++);
	put16(h + 6, 0x4000);                 /* don't fragment */
	h[8] = 64;
	h[9] = (u8)proto;
	put16(h + 10, 0);
	put32(h + 12, nif->ip);
	put32(h + 16, dst);
	put16(h + 10, (u16)~inet_fold(inet_sum(h, IP_HLEN, 0)));
	return eth_send(nif, mac, ETH_IP, ETH_HLEN + IP_HLEN + plen);
}

static bool pinged(void *nif)
{
	return ((struct netif *)nif)->ping_ok;
}

int icmp_ping(struct netif *nif, u32 ip, u32 seq, u32 ticks)
{
	u8 mac[6];
	int e = arp_resolve(nif, ip, mac);
	if (e < 0)
		return e;
	u8 *m = ip_payload(nif);
	m[0] = ICMP_ECHO;
	m[1] = 0;
	put16(m + 2, 0);
	put16(m + 4, PING_ID);
	put16(m + 6, seq);
	for (u32 i = 0; i < PING_DATA; i++)
		m[8 + i] = (u8)(seq + i);
	put16(m + 2, (u16)~inet_fold(inet_sum(m, 8 + PING_DATA, 0)));
	nif->ping_seq = seq;
	nif->ping_ok = false;
	e = ip_send(nif, mac, ip, IP_ICMP, 8 + PING_DATA);
	if (e < 0)
		return e;
	return netif_wait_until(nif, pinged, nif, ticks) ? 0 : -E_AGAIN;
}
