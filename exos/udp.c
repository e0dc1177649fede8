/*
 * udp.c: UDP (RFC 768) sockets. A socket is one port of one interface,
 * with its own DPF filter (so the kernel, not the stack, refuses a port
 * another environment with our address already has) and a queue of
 * UDP_QLEN datagrams; a datagram that finds the queue full is dropped.
 */
#include "inet.h"

struct dgram { u32 ip, port, len; u8 data[UDP_MAXDATA]; };

struct udp_sock {
	struct inet_port p;              /* first */
	u32 head, count;                 /* the queue: dgram[head], ... */
	u32 dropped;
	struct dgram q[UDP_QLEN];
};

struct udp_sock *udp_open(struct netif *nif, u32 port, int *err)
{
	return netif_port_open(nif, IP_UDP, port, sizeof(struct udp_sock), err);
}

void udp_close(struct udp_sock *s)
{
	netif_port_close(&s->p);
}

/* Checked here: the length, and the checksum if the sender computed one. */
void udp_input(struct netif *nif, const u8 *frame, const u8 *iph, const u8 *udp, u32 ulen)
{
	(void)frame;
	u32 len = ulen >= UDP_HLEN ? get16(udp + 4) : 0;
	u32 src = get32(iph + 12);
	if (len < UDP_HLEN || len > ulen) {
		nif->st.bad++;
		return;
	}
	struct udp_sock *s = (struct udp_sock *)nif->udp;
	while (s && s->p.port != get16(udp + 2))
		s = (struct udp_sock *)s->p.next;
	/* The common case, a socket with room: the payload is copied into
	 * the queue's next slot and summed on the way, and the slot is taken
	 * only if the checksum is right. */
	struct dgram *d = s && s->count < UDP_QLEN ? &s->q[(s->head + s->count) % UDP_QLEN] : NULL;
	u32 sum = inet_sum(udp, UDP_HLEN, ip_pseudo_sum(src, nif->ip, IP_UDP, len));
	if (d)
		sum = inet_copy_sum(d->data, udp + UDP_HLEN, len - UDP_HLEN, sum);
	else
		sum = inet_sum(udp + UDP_HLEN, len - UDP_HLEN, sum);
	if (get16(udp + 6) != 0 && inet_fold(sum) != 0xffff) {
		nif->st.bad++;
		return;
	}
	if (!s) {
		nif->st.no_port++;
		return;
	}
	if (!d) {
		s->dropped++;
		return;
	}
	s->count++;
	d->ip = src;
	d->port = get16(udp);
	d->len = len - UDP_HLEN;
}

int udp_sendto(struct udp_sock *s, u32 ip, u32 port, const void *data, u32 len)
{
	struct netif *nif = s->p.nif;
	u8 mac[6];
	if (len > UDP_MAXDATA || port == 0 || port > 0xffff)
		return -E_INVAL;
	int e = arp_resolve(nif, ip, mac);          /* may take frames in: before building */
	if (e < 0)
		return e;
	u8 *u = ip_payload(nif);
	put16(u, s->p.port);
	put16(u + 2, port);
	put16(u + 4, UDP_HLEN + len);
	put16(u + 6, 0);
	u32 part = inet_copy_sum(u + UDP_HLEN, data, len,       /* the data summed as copied */
				 ip_pseudo_sum(nif->ip, ip, IP_UDP, UDP_HLEN + len));
	u16 sum = (u16)~inet_fold(inet_sum(u, UDP_HLEN, part));
	put16(u + 6, sum ? sum : 0xffff);
	e = ip_send(nif, mac, ip, IP_UDP, UDP_HLEN + len);
	return e < 0 ? e : (int)len;
}

/* netif_wait_until's condition: socket s holds a datagram. */
static bool queued(void *s)
{
	return ((struct udp_sock *)s)->count != 0;
}

int udp_recvfrom(struct udp_sock *s, void *buf, u32 len, u32 *ip, u32 *port, u32 ticks)
{
	if (!netif_wait_until(s->p.nif, queued, s, ticks))
		return -E_AGAIN;
	struct dgram *d = &s->q[s->head];
	memcpy(buf, d->data, d->len < len ? d->len : len);
	if (ip)
		*ip = d->ip;
	if (port)
		*port = d->port;
	s->head = (s->head + 1) % UDP_QLEN;
	s->count--;
	return (int)d->len;
}
