/*
 * tcp.c: a small TCP (RFC 793) for ExOS: passive open (and an active one,
 * from a port opened with tcp_listen), a few connections per port, data
 * delivered in order (a segment that starts past the next byte expected is
 * dropped and answered with an ACK; one that starts before it is trimmed),
 * retransmission from the first unacknowledged byte on a timer with
 * exponential back-off (go-back-N; no congestion control), FIN both ways,
 * and RST for a segment that belongs to no connection. Why this and not
 * lwIP: docs/network.md.
 *
 * A listening port has one DPF filter; its connections are told apart here
 * by the peer's address and port. Replies go to the station address the
 * peer's SYN came from, so nothing in the input path waits for ARP.
 */
#include "inet.h"

void *memmove(void *dst, const void *src, size_t n);   /* lib/mem.c */

#define TCP_HLEN     20
#define TCP_MSS      (NET_FRAME_MAX - ETH_HLEN - IP_HLEN - TCP_HLEN)   /* 1460 */
#define TCP_MAXCONN  4               /* connections per listening port */
#define TCP_RXBUF    4096            /* bytes received and not yet read */
#define TCP_TXBUF    8192            /* bytes sent and not yet acknowledged */
#define TCP_RTO      (INET_SECOND / 4)   /* first retransmission time-out */
#define TCP_RETRIES  8               /* then the connection is given up */

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };
enum { CLOSED, SYN_SENT, SYN_RCVD, OPEN };

struct tcp_conn {
	struct tcp_listener *l;
	int state;
	bool accepted;                  /* handed out by tcp_accept */
	bool reset;                     /* reset by the peer, or given up */
	u32 ip, port;                   /* the peer */
	u8 mac[6];
	u32 iss, snd_una, snd_nxt, snd_wnd;
	bool fin_queued, fin_sent, fin_acked;
	u32 rcv_nxt;
	bool fin_rcvd;
	u32 rt_start, rto, retries;     /* retransmission timer (on when snd_nxt != snd_una) */
	u32 rx_head, rx_len;
	u32 tx_len;                     /* tx[0] is the byte at snd_una (once OPEN) */
	u8 rx[TCP_RXBUF];
	u8 tx[TCP_TXBUF];
};

struct tcp_listener {
	struct inet_port p;             /* first */
	struct tcp_conn conn[TCP_MAXCONN];
};

/* Sequence number a comes before b (modulo 2^32). */
static bool before(u32 a, u32 b) { return (s32)(a - b) < 0; }

/* Send a segment with nif's transmit page as the buffer: header fields,
 * then len bytes of data, to (ip, port) at station mac. */
static void send_seg(struct netif *nif, const u8 *mac, u32 ip, u32 sport, u32 dport, u32 seq,
		     u32 ack, u32 flags, u32 win, const u8 *data, u32 len)
{
	u8 *t = ip_payload(nif);
	u32 hl = TCP_HLEN + (flags & SYN ? 4 : 0);
	put16(t, sport);
	put16(t + 2, dport);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = (u8)(hl / 4 << 4);
	t[13] = (u8)flags;
	put16(t + 14, win);
	put32(t + 16, 0);                  /* checksum, urgent pointer */
	if (flags & SYN) {                 /* our MSS */
		t[20] = 2;
		t[21] = 4;
		put16(t + 22, TCP_MSS);
	}
	memcpy(t + hl, data, len);
	put16(t + 16, (u16)~inet_fold(inet_sum(t, hl + len,
					       ip_pseudo_sum(nif->ip, ip, IP_TCP, hl + len))));
	ip_send(nif, mac, ip, IP_TCP, hl + len);
}

/* Send a segment of connection c: our port, its peer, rcv_nxt and our window. */
static void send_conn(struct tcp_conn *c, u32 seq, u32 flags, const u8 *data, u32 len)
{
	u32 win = TCP_RXBUF - c->rx_len;
	send_seg(c->l->p.nif, c->mac, c->ip, c->l->p.port, c->port, seq, c->rcv_nxt, flags, win, data, len);
}

/* (Re)start c's retransmission timer from now. */
static void timer_start(struct tcp_conn *c)
{
	c->rt_start = read_count();
}

/* Send what the window allows of the unsent data, then the FIN once all
 * data is out. */
static void output(struct tcp_conn *c)
{
	if (c->state != OPEN)
		return;
	u32 end = c->snd_una + c->tx_len;
	bool idle = c->snd_nxt == c->snd_una;
	u32 wnd = c->snd_wnd ? c->snd_wnd : 1;   /* a closed window: probe with one byte */
	while (before(c->snd_nxt, end) && c->snd_nxt - c->snd_una < wnd) {
		u32 n = end - c->snd_nxt, room = c->snd_una + wnd - c->snd_nxt;
		n = n < room ? n : room;
		n = n < TCP_MSS ? n : TCP_MSS;
		send_conn(c, c->snd_nxt, ACK | PSH, c->tx + (c->snd_nxt - c->snd_una), n);
		c->snd_nxt += n;
	}
	if (c->fin_queued && !c->fin_sent && c->snd_nxt == end) {
		send_conn(c, c->snd_nxt, ACK | FIN, NULL, 0);
		c->snd_nxt++;
		c->fin_sent = true;
	}
	if (idle && c->snd_nxt != c->snd_una)
		timer_start(c);
}

/* Go back to the first unacknowledged byte (or the SYN) and send again. */
static void retransmit(struct tcp_conn *c)
{
	if (c->state == SYN_SENT) {
		send_conn(c, c->iss, SYN, NULL, 0);
	} else if (c->state == SYN_RCVD) {
		send_conn(c, c->iss, SYN | ACK, NULL, 0);
	} else {
		c->snd_nxt = c->snd_una;
		c->fin_sent = false;
		output(c);
	}
	timer_start(c);
}

/* Make c's slot free for a new connection. */
static void conn_free(struct tcp_conn *c)
{
	c->state = CLOSED;
	c->accepted = false;
}

void tcp_timers(struct netif *nif)
{
	for (struct tcp_listener *l = (struct tcp_listener *)nif->tcp; l;
	     l = (struct tcp_listener *)l->p.next)
		for (int i = 0; i < TCP_MAXCONN; i++) {
			struct tcp_conn *c = &l->conn[i];
			if (c->state == CLOSED || c->snd_nxt == c->snd_una ||
			    read_count() - c->rt_start < c->rto)
				continue;
			if (++c->retries > TCP_RETRIES) {
				c->reset = true;
				c->state = CLOSED;
				if (!c->accepted)
					conn_free(c);
				continue;
			}
			c->rto *= 2;
			nif->st.retransmits++;
			retransmit(c);
		}
}

/* A segment for no connection: RST, unless it is one. */
static void send_rst(struct netif *nif, const u8 *frame, u32 ip, const u8 *t, u32 seglen)
{
	if (t[13] & RST) {
		nif->st.rsts_in++;
		return;
	}
	nif->st.rsts++;
	u32 sport = get16(t + 2), dport = get16(t);
	if (t[13] & ACK)
		send_seg(nif, frame + 6, ip, sport, dport, get32(t + 8), 0, RST, 0, NULL, 0);
	else
		send_seg(nif, frame + 6, ip, sport, dport, 0, get32(t + 4) + seglen, RST | ACK, 0, NULL, 0);
}

/* A connection of l's to ip:port (station mac) in state state, our SYN
 * numbered but not sent; NULL if l has no free slot. */
static struct tcp_conn *new_conn(struct tcp_listener *l, u32 ip, u32 port, const u8 *mac, int state)
{
	struct tcp_conn *c = NULL;
	for (int i = 0; i < TCP_MAXCONN && !c; i++)
		if (l->conn[i].state == CLOSED && !l->conn[i].accepted)
			c = &l->conn[i];
	if (!c)
		return NULL;
	memset(c, 0, offsetof(struct tcp_conn, rx));
	c->l = l;
	c->state = state;
	c->ip = ip;
	c->port = port;
	memcpy(c->mac, mac, 6);
	c->iss = read_count() * 2654435761u;
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->rto = TCP_RTO;
	timer_start(c);
	return c;
}

/* A SYN to a listening port: a new connection in SYN_RCVD, or RST if the
 * listener has no free slot. */
static void passive_open(struct tcp_listener *l, const u8 *frame, u32 ip, const u8 *t)
{
	struct tcp_conn *c = new_conn(l, ip, get16(t), frame + 6, SYN_RCVD);
	if (!c) {
		send_rst(l->p.nif, frame, ip, t, 1);
		return;
	}
	c->snd_wnd = get16(t + 14);
	c->rcv_nxt = get32(t + 4) + 1;
	send_conn(c, c->iss, SYN | ACK, NULL, 0);
}

/* Our SYN's answer: SYN-ACK of it opens the connection. */
static void syn_sent_input(struct tcp_conn *c, u32 flags, u32 seq, u32 ack, u32 win)
{
	if ((flags & (SYN | ACK)) != (SYN | ACK) || ack != c->iss + 1)
		return;
	c->rcv_nxt = seq + 1;
	c->snd_una = c->snd_nxt = ack;
	c->snd_wnd = win;
	c->state = OPEN;
	c->retries = 0;
	c->rto = TCP_RTO;
	send_conn(c, c->snd_nxt, ACK, NULL, 0);
}

/* An acknowledgment of what we sent. */
static void ack_input(struct tcp_conn *c, u32 ack, u32 win)
{
	if (!before(c->snd_una, ack) || before(c->snd_nxt, ack)) {
		if (ack == c->snd_una)
			c->snd_wnd = win;
		return;                         /* old, or of nothing sent */
	}
	if (c->state == SYN_RCVD) {
		c->state = OPEN;
		c->snd_una++;
	}
	u32 n = ack - c->snd_una;
	u32 data = n < c->tx_len ? n : c->tx_len;
	memmove(c->tx, c->tx + data, c->tx_len - data);
	c->tx_len -= data;
	c->snd_una = ack;
	c->snd_wnd = win;
	if (c->fin_sent && ack == c->snd_nxt)
		c->fin_acked = true;
	c->retries = 0;
	c->rto = TCP_RTO;
	timer_start(c);
}

/* Data and FIN in order (what was received already is cut off the front);
 * anything else is dropped (and acknowledged). */
static void data_input(struct tcp_conn *c, u32 seq, const u8 *data, u32 len, bool fin)
{
	bool ack_it = len > 0 || fin;
	if (before(seq, c->rcv_nxt) && c->rcv_nxt - seq <= len) {
		u32 old = c->rcv_nxt - seq;
		data += old;
		len -= old;
		seq = c->rcv_nxt;
	}
	if (seq == c->rcv_nxt && !c->fin_rcvd) {
		u32 room = TCP_RXBUF - c->rx_len, n = len < room ? len : room;
		for (u32 i = 0; i < n; i++)
			c->rx[(c->rx_head + c->rx_len + i) % TCP_RXBUF] = data[i];
		c->rx_len += n;
		c->rcv_nxt += n;
		if (fin && n == len) {
			c->rcv_nxt++;
			c->fin_rcvd = true;
		}
	}
	if (ack_it)
		send_conn(c, c->snd_nxt, ACK, NULL, 0);
}

void tcp_input(struct netif *nif, const u8 *frame, const u8 *iph, const u8 *t, u32 tlen)
{
	u32 src = get32(iph + 12);
	u32 hl = tlen >= TCP_HLEN ? (u32)(t[12] >> 4) * 4 : 0;
	if (hl < TCP_HLEN || hl > tlen ||
	    inet_fold(inet_sum(t, tlen, ip_pseudo_sum(src, nif->ip, IP_TCP, tlen))) != 0xffff) {
		nif->st.bad++;
		return;
	}
	u32 flags = t[13], seq = get32(t + 4), len = tlen - hl;
	struct tcp_listener *l = (struct tcp_listener *)nif->tcp;
	while (l && l->p.port != get16(t + 2))
		l = (struct tcp_listener *)l->p.next;
	struct tcp_conn *c = NULL;
	for (int i = 0; l && i < TCP_MAXCONN && !c; i++)
		if (l->conn[i].state != CLOSED && l->conn[i].ip == src &&
		    l->conn[i].port == get16(t))
			c = &l->conn[i];
	if (!c) {
		if (l && (flags & (SYN | ACK | RST)) == SYN)
			passive_open(l, frame, src, t);
		else
			send_rst(nif, frame, src, t, len + !!(flags & SYN) + !!(flags & FIN));
		return;
	}
	if (c->state == SYN_SENT && !(flags & RST)) {
		syn_sent_input(c, flags, seq, get32(t + 8), get16(t + 14));
		return;
	}
	if (flags & RST) {
		if (seq == c->rcv_nxt || c->state == SYN_RCVD ||
		    (c->state == SYN_SENT && (flags & ACK) && get32(t + 8) == c->iss + 1)) {
			c->reset = true;
			c->state = CLOSED;
			if (!c->accepted)
				conn_free(c);
		}
		return;
	}
	if (flags & SYN) {                 /* our SYN-ACK was lost: send it again */
		if (c->state == SYN_RCVD && seq + 1 == c->rcv_nxt)
			send_conn(c, c->iss, SYN | ACK, NULL, 0);
		return;
	}
	if (flags & ACK)
		ack_input(c, get32(t + 8), get16(t + 14));
	if (c->state == OPEN) {
		data_input(c, seq, t + hl, len, flags & FIN);
		output(c);
	}
}

struct tcp_listener *tcp_listen(struct netif *nif, u32 port, int *err)
{
	struct tcp_listener *l = netif_port_open(nif, IP_TCP, port, sizeof *l, err);
	for (int i = 0; l && i < TCP_MAXCONN; i++)
		conn_free(&l->conn[i]);
	return l;
}

void tcp_unlisten(struct tcp_listener *l)
{
	for (int i = 0; i < TCP_MAXCONN; i++) {
		struct tcp_conn *c = &l->conn[i];
		if (c->state != CLOSED)
			send_conn(c, c->snd_nxt, RST, NULL, 0);
	}
	netif_port_close(&l->p);
}

/* A connection of l that is open and not yet handed out, or NULL. */
static struct tcp_conn *ready(struct tcp_listener *l)
{
	for (int i = 0; i < TCP_MAXCONN; i++)
		if (l->conn[i].state == OPEN && !l->conn[i].accepted)
			return &l->conn[i];
	return NULL;
}

/* netif_wait_until's conditions for the calls below. */
static bool accept_done(void *l) { return ready(l) != NULL; }

struct tcp_conn *tcp_accept(struct tcp_listener *l, u32 ticks)
{
	if (!netif_wait_until(l->p.nif, accept_done, l, ticks))
		return NULL;
	struct tcp_conn *c = ready(l);
	c->accepted = true;
	return c;
}

static bool connected(void *arg)
{
	return ((struct tcp_conn *)arg)->state != SYN_SENT;
}

struct tcp_conn *tcp_connect(struct tcp_listener *l, u32 ip, u32 port, u32 ticks)
{
	u8 mac[6];
	struct tcp_conn *c;
	if (port == 0 || port > 0xffff || arp_resolve(l->p.nif, ip, mac) < 0 ||
	    !(c = new_conn(l, ip, port, mac, SYN_SENT)))
		return NULL;
	c->accepted = true;
	send_conn(c, c->iss, SYN, NULL, 0);
	if (netif_wait_until(l->p.nif, connected, c, ticks) && c->state == OPEN)
		return c;
	if (c->state == SYN_SENT)
		send_conn(c, c->iss + 1, RST, NULL, 0);
	conn_free(c);
	return NULL;
}

static bool read_done(void *arg)
{
	struct tcp_conn *c = arg;
	return c->rx_len || c->fin_rcvd || c->reset;
}

int tcp_read(struct tcp_conn *c, void *buf, u32 len, u32 ticks)
{
	if (!netif_wait_until(c->l->p.nif, read_done, c, ticks))
		return -E_AGAIN;
	if (!c->rx_len)
		return c->reset ? -E_IO : 0;
	bool was_small = TCP_RXBUF - c->rx_len < TCP_MSS;
	u32 n = len < c->rx_len ? len : c->rx_len;
	for (u32 i = 0; i < n; i++)
		((u8 *)buf)[i] = c->rx[(c->rx_head + i) % TCP_RXBUF];
	c->rx_head = (c->rx_head + n) % TCP_RXBUF;
	c->rx_len -= n;
	if (was_small && c->state == OPEN)        /* the window opened: say so */
		send_conn(c, c->snd_nxt, ACK, NULL, 0);
	return (int)n;
}

static bool write_room(void *arg)
{
	struct tcp_conn *c = arg;
	return c->tx_len < TCP_TXBUF || c->reset || c->state != OPEN;
}

int tcp_write(struct tcp_conn *c, const void *buf, u32 len, u32 ticks)
{
	u32 start = read_count(), done = 0;
	while (done < len) {
		u32 spent = read_count() - start;
		if (spent >= ticks || !netif_wait_until(c->l->p.nif, write_room, c, ticks - spent))
			return -E_AGAIN;
		if (c->reset || c->state != OPEN || c->fin_queued)
			return -E_IO;
		u32 n = TCP_TXBUF - c->tx_len;
		n = n < len - done ? n : len - done;
		memcpy(c->tx + c->tx_len, (const u8 *)buf + done, n);
		c->tx_len += n;
		done += n;
		output(c);
	}
	return (int)len;
}

static bool closed(void *arg)
{
	struct tcp_conn *c = arg;
	return (c->fin_acked && c->fin_rcvd) || c->reset || c->state != OPEN;
}

void tcp_close(struct tcp_conn *c, u32 ticks)
{
	if (c->state == OPEN) {
		c->fin_queued = true;
		output(c);
		if (!netif_wait_until(c->l->p.nif, closed, c, ticks) && c->state == OPEN)
			send_conn(c, c->snd_nxt, RST, NULL, 0);    /* given up */
	}
	conn_free(c);
}
