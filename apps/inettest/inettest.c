/*
 * inettest: the tests of ExOS's network stack (exos/inet.h) on the board,
 * run as the first environment by `make test` (init=inettest kcheck) with
 * two PCnet NICs on one QEMU hub (tools/qemu.py nics(2)). The suite is
 * 10.0.9.1 on NIC 0; its children (this program with a nonzero argument)
 * are 10.0.9.2 and 10.0.9.3 on NIC 1, each echoing UDP port 7 and listening
 * on TCP port 80, and publishing their stack's counters in a page shared
 * with the suite. Prints KTAP; the kernel's invariant checker runs after
 * every test.
 */
#include "../utest/utest.h"
#include "../utest/kids.h"
#include "inet.h"

int failed_checks;

#define BOX_VA        0x00006000u       /* the shared page in a child */
#define PARENT_BOX_VA 0x30f00000u       /* ... and in the suite */
#define RAW_VA        0x31000000u       /* the suite's page for crafted frames */
#define SUITE_IP      INET_ADDR(10, 0, 9, 1)
#define KID_IP(k)     INET_ADDR(10, 0, 9, 2 + (k))
#define SUITE_PORT    5001
#define ECHO_PORT     7
#define HTTP_PORT     80
#define NKIDS         2
#define SHORT_WAIT    (INET_SECOND / 4) /* for something that should not come */
#define KID_CONNS     4                 /* a child's TCP connections at once */
#define LOSSY         0x10              /* a child's argument: drop frames */

/* What a child publishes (its stack's counters, after each round). */
struct kidbox {
	volatile u32 step;                /* 1 ready, 2 told to stop, 3 stopped */
	volatile u32 err;
	volatile u32 frames, bad, echoed, arp_replies, echo_replies, rsts;
	volatile u32 tcp_bytes, tcp_closed, lost;
};
struct box { struct kidbox kid[NKIDS]; };
static struct box *box = (struct box *)PARENT_BOX_VA;
static u32 box_ppn, box_check;

static const u8 mac0[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8 mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

static struct netif *me;                /* the suite's interface on NIC 0 */
static struct udp_sock *sock;           /* its port SUITE_PORT */
static int kid[NKIDS];

/* ---- the children ---- */

static void publish(struct kidbox *b, const struct netif *nif, u32 echoed)
{
	b->frames = nif->st.frames;
	b->bad = nif->st.bad;
	b->echoed = echoed;
	b->arp_replies = nif->st.arp_replies;
	b->echo_replies = nif->st.echo_replies;
	b->rsts = nif->st.rsts;
	b->lost = nif->st.lost;
}

/* A child's TCP echo: take new connections on l, send back what each
 * brings, close each at its FIN. */
static void tcp_echo_round(struct kidbox *b, struct tcp_listener *l, struct tcp_conn **conns)
{
	static u8 buf[1460];
	struct tcp_conn *c = tcp_accept(l, 0);
	for (int i = 0; c && i < KID_CONNS; i++)
		if (!conns[i]) {
			conns[i] = c;
			c = NULL;
		}
	for (int i = 0; i < KID_CONNS; i++) {
		int n = conns[i] ? tcp_read(conns[i], buf, sizeof buf, 0) : -E_AGAIN;
		if (n > 0 && tcp_write(conns[i], buf, (u32)n, 5 * INET_SECOND) == n)
			b->tcp_bytes += (u32)n;
		else if (n != -E_AGAIN) {
			tcp_close(conns[i], 2 * INET_SECOND);
			conns[i] = NULL;
			b->tcp_closed++;
		}
	}
}

/* Child k: 10.0.9.(2 + k) on NIC 1; echo UDP port 7 and TCP port 80, until
 * told to stop (at most a minute). lossy: drop every third frame. */
static int echo_kid(u32 k, bool lossy)
{
	struct kidbox *b = &((struct box *)BOX_VA)->kid[k];
	int err = 0;
	struct netif *nif = netif_open(1, KID_IP(k), 0xffffff00u, 0, &err);
	struct udp_sock *s = nif ? udp_open(nif, ECHO_PORT, &err) : NULL;
	struct tcp_listener *l = s ? tcp_listen(nif, HTTP_PORT, &err) : NULL;
	struct tcp_conn *conns[KID_CONNS] = { 0 };
	if (!l) {
		b->err = (u32)-err;
		b->step = 3;
		return 1;
	}
	static u8 buf[UDP_MAXDATA];
	u32 echoed = 0;
	nif->loss = lossy ? 3 : 0;
	b->step = 1;
	for (u32 i = 0; i < 3000 && b->step < 2; i++) {
		u32 ip, port;
		int n = udp_recvfrom(s, buf, sizeof buf, &ip, &port, INET_SECOND / 50);
		if (n >= 0 && udp_sendto(s, ip, port, buf, (u32)n) == n)
			echoed++;
		tcp_echo_round(b, l, conns);
		publish(b, nif, echoed);
	}
	netif_close(nif);
	b->step = 3;
	return 0;
}

/* ---- the suite's helpers ---- */

static void stop_kid(u32 k);

/* Start child k with options opt (LOSSY), first stopping one a failed
 * test left running: whether it is up. */
static bool start_kid_opt(u32 k, u32 opt)
{
	struct kidbox *b = &box->kid[k];
	if (kid[k] > 0)
		stop_kid(k);
	b->step = 0;
	kid[k] = kid_spawn("inettest", (1 + k) | opt, BOX_VA, box_ppn, box_check);
	CHECK(kid[k] > 0);
	bool up = kid[k] > 0 && wait_step(&b->step, 1, 100000) && b->step == 1;
	CHECK(up);
	return up;
}

static bool start_kid(u32 k)
{
	return start_kid_opt(k, 0);
}

/* Tell child k to stop; it ends with status 0. */
static void stop_kid(u32 k)
{
	box->kid[k].step = 2;
	CHECK(kid_wait(kid[k]) == 0);
	kid[k] = -1;
}

/* Sleep (bounded) until child k's frame counter reaches n: whether it did. */
static bool kid_frames(u32 k, u32 n)
{
	for (u32 i = 0; i < 100 && box->kid[k].frames < n; i++)
		exos_sleep_ticks(INET_SECOND / 50);
	return box->kid[k].frames >= n;
}

static u8 pattern(u32 seq, u32 i) { return (u8)(seq * 31 + i * 3 + 5); }

/* Send datagram seq (len bytes) to child k's echo port and check its echo. */
static bool echo_ok(u32 k, u32 seq, u32 len)
{
	static u8 out[UDP_MAXDATA], in[UDP_MAXDATA];
	for (u32 i = 0; i < len; i++)
		out[i] = pattern(seq, i);
	if (udp_sendto(sock, KID_IP(k), ECHO_PORT, out, len) != (int)len)
		return false;
	u32 ip = 0, port = 0;
	int n = udp_recvfrom(sock, in, sizeof in, &ip, &port, INET_SECOND);
	return n == (int)len && ip == KID_IP(k) && port == ECHO_PORT && lib_memcmp(in, out, len) == 0;
}

/* Nothing arrives at the suite's socket for a while. */
static bool quiet(void)
{
	u8 in[64];
	return udp_recvfrom(sock, in, sizeof in, NULL, NULL, SHORT_WAIT) == -E_AGAIN;
}

/* A frame from the suite (mac0, SUITE_IP) to child 0 (mac1, KID_IP(0)),
 * built at RAW_VA: IPv4 of protocol proto with payload len bytes of pattern
 * 9 after the transport header: UDP from SUITE_PORT to dport, TCP (flags;
 * seq and ack 1) from SUITE_PORT to dport, or an ICMP echo request. Every
 * checksum right. Its length. */
static u32 craft(u32 proto, u32 dport, u32 flags, u32 len)
{
	u8 *f = (u8 *)RAW_VA, *ip = f + ETH_HLEN, *t = ip + IP_HLEN;
	u32 th = proto == IP_TCP ? 20 : 8, tl = th + len;
	memcpy(f, mac1, 6);
	memcpy(f + 6, mac0, 6);
	put16(f + 12, ETH_IP);
	memset(ip, 0, IP_HLEN + th);
	ip[0] = 0x45;
	put16(ip + 2, IP_HLEN + tl);
	ip[8] = 64;
	ip[9] = (u8)proto;
	put32(ip + 12, SUITE_IP);
	put32(ip + 16, KID_IP(0));
	put16(ip + 10, (u16)~inet_fold(inet_sum(ip, IP_HLEN, 0)));
	for (u32 i = 0; i < len; i++)
		t[th + i] = pattern(9, i);
	u32 sum = ip_pseudo_sum(SUITE_IP, KID_IP(0), proto, tl);
	if (proto == IP_UDP) {
		put16(t, SUITE_PORT);
		put16(t + 2, dport);
		put16(t + 4, tl);
		put16(t + 6, (u16)~inet_fold(inet_sum(t, tl, sum)));
	} else if (proto == IP_TCP) {
		put16(t, SUITE_PORT);
		put16(t + 2, dport);
		put32(t + 4, 1);
		put32(t + 8, 1);
		t[12] = 5 << 4;
		t[13] = (u8)flags;
		put16(t + 14, 1024);
		put16(t + 16, (u16)~inet_fold(inet_sum(t, tl, sum)));
	} else {
		t[0] = 8;                              /* echo request */
		put16(t + 2, (u16)~inet_fold(inet_sum(t, tl, 0)));
	}
	return ETH_HLEN + IP_HLEN + tl;
}

/* Recompute the IP header's checksum after a change. */
static void fix_ip(void)
{
	u8 *ip = (u8 *)RAW_VA + ETH_HLEN;
	put16(ip + 10, 0);
	put16(ip + 10, (u16)~inet_fold(inet_sum(ip, IP_HLEN, 0)));
}

static bool send_raw(u32 len)
{
	u32 name, check;
	return exos_page_cap(RAW_VA, &name, &check) == 0 &&
	       sys_net_tx(0, name, check, NET_OFFLEN(0, len)) == 0;
}

/* ---- the tests ---- */

/* The suite resolves child 0's address (and child 0 answered the request);
 * an address nobody has is given up after ARP_TRIES requests; an address
 * off the subnet with no gateway is refused. */
static void t_arp_resolve(void)
{
	if (!start_kid(0))
		return;
	u8 mac[6] = { 0 };
	CHECK(arp_resolve(me, KID_IP(0), mac) == 0);
	CHECK(lib_memcmp(mac, mac1, 6) == 0);
	for (u32 i = 0; i < 100 && box->kid[0].arp_replies == 0; i++)
		exos_sleep_ticks(INET_SECOND / 50);
	CHECK(box->kid[0].arp_replies >= 1);
	struct net_info tx0, tx1, rx0, rx1;     /* requests sent on NIC 0, unclaimed on NIC 1 */
	CHECK(sys_net_info(0, &tx0) >= 2 && sys_net_info(1, &rx0) >= 2);
	CHECK(arp_resolve(me, INET_ADDR(10, 0, 9, 99), mac) == -E_NOENT);
	CHECK(sys_net_info(0, &tx1) >= 2 && sys_net_info(1, &rx1) >= 2);
	CHECK(tx1.tx_frames == tx0.tx_frames + ARP_TRIES);
	CHECK(rx1.rx_unclaimed == rx0.rx_unclaimed + ARP_TRIES);
	CHECK(arp_resolve(me, INET_ADDR(10, 1, 0, 1), mac) == -E_INVAL);
	stop_kid(0);
}

/* 40 datagrams of 1 to 1472 bytes to child 0 and back, each checked. */
static void t_udp_both_ways(void)
{
	if (!start_kid(0))
		return;
	u32 good = 0;
	for (u32 seq = 0; seq < 40; seq++)
		good += echo_ok(0, seq, seq == 39 ? UDP_MAXDATA : 1 + seq * 37);
	CHECK(good == 40);
	/* The child counts an echo once it has sent it: it may lose the
	 * processor between the two (a slice ends), so wait, bounded. */
	for (u32 i = 0; i < 100 && box->kid[0].echoed < 40; i++)
		exos_sleep_ticks(INET_SECOND / 50);
	CHECK(kid_frames(0, 1) && box->kid[0].echoed == 40);
	stop_kid(0);
}

/* Pings to child 0 are answered by its stack; to an address nobody has,
 * ARP fails first. */
static void t_icmp_echo(void)
{
	if (!start_kid(0))
		return;
	for (u32 seq = 1; seq <= 5; seq++)
		CHECK(icmp_ping(me, KID_IP(0), seq, INET_SECOND) == 0);
	for (u32 i = 0; i < 100 && box->kid[0].echo_replies < 5; i++)
		exos_sleep_ticks(INET_SECOND / 50);
	CHECK(box->kid[0].echo_replies == 5);
	CHECK(icmp_ping(me, INET_ADDR(10, 0, 9, 98), 6, INET_SECOND) == -E_NOENT);
	stop_kid(0);
}

/* Crafted frames with a wrong IP, UDP or ICMP checksum, a total length past
 * the frame, a fragment, a UDP length past the datagram: child 0's stack
 * takes each in and drops it (counted), and answers none; the same frame
 * made right is echoed. */
static void t_bad_checksums(void)
{
	if (!start_kid(0))
		return;
	CHECK(echo_ok(0, 1, 16));                 /* both ARP caches warm */
	CHECK(kid_frames(0, 1));
	u32 frames = box->kid[0].frames, bad = box->kid[0].bad, pings = box->kid[0].echo_replies;
	u8 *ip = (u8 *)RAW_VA + ETH_HLEN;
	u32 n = craft(IP_UDP, ECHO_PORT, 0, 20);
	ip[10] ^= 0x01;                           /* IP header checksum */
	CHECK(send_raw(n));
	n = craft(IP_UDP, ECHO_PORT, 0, 20);
	ip[IP_HLEN + 6] ^= 0x10;                  /* UDP checksum */
	CHECK(send_raw(n));
	n = craft(IP_UDP, ECHO_PORT, 0, 20);
	put16(ip + 2, IP_HLEN + 8 + 21);          /* total length past the frame */
	fix_ip();
	CHECK(send_raw(n));
	n = craft(IP_UDP, ECHO_PORT, 0, 20);
	put16(ip + 6, 0x2000);                    /* more fragments */
	fix_ip();
	CHECK(send_raw(n));
	n = craft(IP_UDP, ECHO_PORT, 0, 20);
	put16(ip + IP_HLEN + 4, 8 + 21);          /* UDP length past the datagram */
	CHECK(send_raw(n));
	n = craft(IP_ICMP, 0, 0, 20);
	ip[IP_HLEN + 2] ^= 0x01;                  /* ICMP checksum */
	CHECK(send_raw(n));
	CHECK(kid_frames(0, frames + 6));
	CHECK(box->kid[0].frames == frames + 6);
	CHECK(box->kid[0].bad == bad + 6);
	CHECK(quiet());
	CHECK(box->kid[0].echo_replies == pings);
	n = craft(IP_UDP, ECHO_PORT, 0, 20);      /* the same, right */
	CHECK(send_raw(n));
	u8 in[64];
	u32 from = 0;
	CHECK(udp_recvfrom(sock, in, sizeof in, &from, NULL, INET_SECOND) == 20 && from == KID_IP(0));
	CHECK(in[0] == pattern(9, 0) && in[19] == pattern(9, 19));
	stop_kid(0);
}

/* A datagram to a port nobody has is claimed by no filter (counted by the
 * kernel as unclaimed), reaches neither child nor suite, and nothing comes
 * back; the echo port still works. */
static void t_closed_port(void)
{
	if (!start_kid(0))
		return;
	CHECK(echo_ok(0, 2, 8));
	CHECK(kid_frames(0, 1));
	struct net_info before, after;
	CHECK(sys_net_info(1, &before) >= 2);
	u32 frames = box->kid[0].frames, ours = me->st.frames;
	CHECK(udp_sendto(sock, KID_IP(0), 9, "discard?", 8) == 8);
	CHECK(quiet());
	CHECK(sys_net_info(1, &after) >= 2);
	CHECK(after.rx_unclaimed == before.rx_unclaimed + 1);
	CHECK(box->kid[0].frames == frames);
	CHECK(me->st.frames == ours);
	CHECK(echo_ok(0, 3, 8));
	stop_kid(0);
}

/* Two environments with different addresses share NIC 1: ARP and the echo
 * port reach the right one; a third with a taken address is refused. */
static void t_two_envs_one_nic(void)
{
	bool up = start_kid(0);
	if (!start_kid(1) || !up)
		return;
	for (u32 k = 0; k < NKIDS; k++) {
		u8 mac[6] = { 0 };
		CHECK(arp_resolve(me, KID_IP(k), mac) == 0 && lib_memcmp(mac, mac1, 6) == 0);
	}
	u32 good = 0;
	for (u32 seq = 0; seq < 20; seq++)
		good += echo_ok(seq % 2, seq, 64 + seq);
	CHECK(good == 20);
	CHECK(kid_frames(0, 1) && kid_frames(1, 1));
	for (u32 i = 0; i < 50 && box->kid[0].echoed + box->kid[1].echoed < 20; i++)
		exos_sleep_ticks(INET_SECOND / 50);
	CHECK(box->kid[0].echoed == 10 && box->kid[1].echoed == 10);
	int err = 0;
	struct netif *dup = netif_open(1, KID_IP(1), 0xffffff00u, 0, &err);
	CHECK(dup == NULL && err == -E_BUSY);
	stop_kid(0);
	stop_kid(1);
}

static bool rst_came(void *before)
{
	return me->st.rsts_in != *(u32 *)before;
}

/* A TCP segment for no connection to child 0's listening port is answered
 * with RST (the suite's listener on its port sees it); a segment to a port
 * with no listener reaches no one. */
static void t_tcp_rst(void)
{
	if (!start_kid(0))
		return;
	int err = 0;
	struct tcp_listener *l = tcp_listen(me, SUITE_PORT, &err);
	CHECK(l != NULL);
	CHECK(echo_ok(0, 4, 8));                  /* both ARP caches warm */
	u32 rsts = me->st.rsts_in;
	u32 n = craft(IP_TCP, HTTP_PORT, 16 /* ACK */, 10);
	CHECK(send_raw(n));
	CHECK(netif_wait_until(me, rst_came, &rsts, INET_SECOND));
	CHECK(me->st.rsts_in == rsts + 1);
	n = craft(IP_TCP, HTTP_PORT + 1, 16, 10);
	CHECK(send_raw(n));
	CHECK(quiet());
	CHECK(me->st.rsts_in == rsts + 1);
	CHECK(box->kid[0].rsts == 1);
	if (l)
		tcp_unlisten(l);
	stop_kid(0);
}

static u8 tcp_pattern(u32 conn, u32 i) { return (u8)(conn * 101 + i * 13 + i / 251); }

/* Write len bytes (pattern of conn, from offset off) on c and read them
 * back: whether all came back right. */
static bool tcp_echo_ok(struct tcp_conn *c, u32 conn, u32 off, u32 len)
{
	static u8 out[2048], in[2048];
	for (u32 i = 0; i < len; i++)
		out[i] = tcp_pattern(conn, off + i);
	if (tcp_write(c, out, len, 10 * INET_SECOND) != (int)len)
		return false;
	u32 got = 0;
	for (u32 i = 0; i < 64 && got < len; i++) {
		int n = tcp_read(c, in + got, len - got, 10 * INET_SECOND);
		if (n <= 0)
			return false;
		got += (u32)n;
	}
	return got == len && lib_memcmp(in, out, len) == 0;
}

/* Wait (bounded) until child k has closed n connections. */
static bool kid_closed(u32 k, u32 n)
{
	for (u32 i = 0; i < 200 && box->kid[k].tcp_closed < n; i++)
		exos_sleep_ticks(INET_SECOND / 50);
	return box->kid[k].tcp_closed == n;
}

/* 16 KB through child 0's TCP echo in 1000-byte pieces, each checked,
 * then FIN both ways (lossy: child 0 drops every third frame it is sent,
 * so the suite must retransmit). */
static void tcp_stream(u32 opt)
{
	if (!start_kid_opt(0, opt))
		return;
	int err = 0;
	struct tcp_listener *l = tcp_listen(me, 6001, &err);
	struct tcp_conn *c = l ? tcp_connect(l, KID_IP(0), HTTP_PORT, 5 * INET_SECOND) : NULL;
	CHECK(c != NULL);
	u32 good = 0, retransmits = me->st.retransmits;
	for (u32 k = 0; c && k < 16; k++)
		good += tcp_echo_ok(c, 1, k * 1000, 1000);
	CHECK(good == 16);
	if (c)
		tcp_close(c, 5 * INET_SECOND);
	CHECK(kid_closed(0, 1));
	CHECK(box->kid[0].tcp_bytes == 16000);
	if (opt & LOSSY)
		CHECK(box->kid[0].lost > 0 && me->st.retransmits > retransmits);
	if (l)
		tcp_unlisten(l);
	stop_kid(0);
}

static void t_tcp_stream(void) { tcp_stream(0); }
static void t_tcp_lossy(void) { tcp_stream(LOSSY); }

/* Four connections to child 0 at once (from four ports of ours), data on
 * each before any is read back; a fifth finds no free slot and is refused
 * (RST). */
static void t_tcp_conns(void)
{
	if (!start_kid(0))
		return;
	int err = 0;
	struct tcp_listener *l[KID_CONNS + 1];
	struct tcp_conn *c[KID_CONNS] = { 0 };
	u32 open = 0, good = 0;
	for (u32 k = 0; k <= KID_CONNS; k++)
		CHECK((l[k] = tcp_listen(me, 6002 + k, &err)) != NULL);
	for (u32 k = 0; k < KID_CONNS; k++)
		open += l[k] && (c[k] = tcp_connect(l[k], KID_IP(0), HTTP_PORT, 5 * INET_SECOND)) != NULL;
	CHECK(open == KID_CONNS);
	u32 rsts = me->st.rsts_in;
	CHECK(l[KID_CONNS] && !tcp_connect(l[KID_CONNS], KID_IP(0), HTTP_PORT, 5 * INET_SECOND));
	CHECK(me->st.rsts_in == rsts);        /* the RST was for that connection */
	for (u32 k = 0; k < KID_CONNS; k++)
		good += c[k] && tcp_echo_ok(c[k], 2 + k, 0, 700);
	CHECK(good == KID_CONNS);
	for (u32 k = 0; k < KID_CONNS; k++)
		if (c[k])
			tcp_close(c[k], 5 * INET_SECOND);
	CHECK(kid_closed(0, KID_CONNS));
	CHECK(box->kid[0].tcp_bytes == KID_CONNS * 700);
	for (u32 k = 0; k <= KID_CONNS; k++)
		if (l[k])
			tcp_unlisten(l[k]);
	stop_kid(0);
}

/* An ARP request from the suite for child 0's address, at RAW_VA. */
static u32 craft_arp(void)
{
	u8 *f = (u8 *)RAW_VA, *a = f + ETH_HLEN;
	memcpy(f, eth_broadcast, 6);
	memcpy(f + 6, mac0, 6);
	put16(f + 12, ETH_ARP);
	put16(a, 1);
	put16(a + 2, ETH_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);
	memcpy(a + 8, mac0, 6);
	put32(a + 14, SUITE_IP);
	memset(a + 18, 0, 6);
	put32(a + 24, KID_IP(0));
	return ETH_HLEN + 28;
}

/* 1500 frames to child 0 made from right ones (UDP to its echo port, TCP
 * SYN and ACK to its port 80, an ICMP echo request, an ARP request) with 1
 * to 3 header bytes changed at random and one in four cut short: the child
 * is still there afterwards, and (once it has heard our address again)
 * echoes datagrams and pings. */
static void t_fuzz_frames(void)
{
	if (!start_kid(0))
		return;
	CHECK(echo_ok(0, 6, 8));
	u32 seed = 20261202, sent = 0, frames = box->kid[0].frames;
	for (u32 i = 0; i < 1500; i++) {
		u32 kind = xorshift32(&seed) % 5, n;
		if (kind == 0)
			n = craft(IP_UDP, ECHO_PORT, 0, xorshift32(&seed) % 64);
		else if (kind == 1 || kind == 2)
			n = craft(IP_TCP, HTTP_PORT, kind == 1 ? 2 /* SYN */ : 16 /* ACK */, 8);
		else if (kind == 3)
			n = craft(IP_ICMP, 0, 0, 16);
		else
			n = craft_arp();
		for (u32 k = 1 + xorshift32(&seed) % 3; k > 0; k--) {
			u32 at = ETH_HLEN + xorshift32(&seed) % (n - ETH_HLEN < 48 ? n - ETH_HLEN : 48);
			((u8 *)RAW_VA)[at] ^= (u8)(1 + xorshift32(&seed) % 255);
		}
		if (xorshift32(&seed) % 4 == 0)
			n = ETH_HLEN + xorshift32(&seed) % (n - ETH_HLEN);
		for (u32 tries = 0; tries < 100 && !send_raw(n); tries++)
			sys_yield();                 /* the transmit ring is full */
		sent++;
		if (i % 8 == 7)                  /* let the child keep up */
			exos_sleep_ticks(INET_SECOND / 500);
	}
	CHECK(sent == 1500);
	CHECK(kid_frames(0, frames + 1));
	CHECK(sys_env_status((u32)kid[0]) > 0);
	CHECK(arp_request(me, KID_IP(0)) == 0);  /* the child relearns our station */
	for (u32 i = 0; i < 100 && !quiet(); i++)
		;                                /* echoes of fuzzed datagrams that were right */
	u32 good = 0;
	for (u32 seq = 0; seq < 10; seq++)
		good += echo_ok(0, 100 + seq, 32);
	CHECK(good == 10);
	CHECK(icmp_ping(me, KID_IP(0), 77, INET_SECOND) == 0);
	stop_kid(0);
}

/* Child 0 is destroyed while it holds its filters and buffers: the kernel
 * takes them back (kcheck), and its address and ports can be had at once. */
static void t_env_gone(void)
{
	if (!start_kid(0))
		return;
	CHECK(echo_ok(0, 5, 8));
	CHECK(sys_env_destroy((u32)kid[0]) == 0);
	kid_wait(kid[0]);
	CHECK(sys_kcheck(0) == 0);
	int err = 0;
	struct netif *nif = netif_open(1, KID_IP(0), 0xffffff00u, 0, &err);
	CHECK(nif != NULL);
	if (!nif)
		return;
	CHECK(udp_open(nif, ECHO_PORT, &err) != NULL);
	CHECK(tcp_listen(nif, HTTP_PORT, &err) != NULL);
	netif_close(nif);
}

static const struct utest tests[] = {
	{ "arp_resolve", t_arp_resolve },
	{ "udp_both_ways", t_udp_both_ways },
	{ "icmp_echo", t_icmp_echo },
	{ "bad_checksums", t_bad_checksums },
	{ "closed_port", t_closed_port },
	{ "two_envs_one_nic", t_two_envs_one_nic },
	{ "tcp_rst", t_tcp_rst },
	{ "tcp_stream", t_tcp_stream },
	{ "tcp_lossy", t_tcp_lossy },
	{ "tcp_conns", t_tcp_conns },
	{ "fuzz_frames", t_fuzz_frames },
	{ "env_gone", t_env_gone },
};

int main(void)
{
	if (exos_arg)
		return (exos_arg & 0xf) - 1 < NKIDS ? echo_kid((exos_arg & 0xf) - 1, exos_arg & LOSSY) : 99;
	u64 r = sys_page_alloc(PAGE_ANY);
	box_ppn = (u32)r;
	box_check = (u32)(r >> 32);
	u32 raw_ppn, raw_check;
	int err = 0;
	if ((int)box_ppn < 0 || vm_map_page(PARENT_BOX_VA, box_ppn, box_check, VM_RW) < 0 ||
	    !new_page(RAW_VA, &raw_ppn, &raw_check) ||
	    !(me = netif_open(0, SUITE_IP, 0xffffff00u, 0, &err)) ||
	    !(sock = udp_open(me, SUITE_PORT, &err))) {
		printf("inettest: set-up failed (%d)\n", err);
		return 1;
	}
	return utest_run_checked("inettest", tests, (int)(sizeof tests / sizeof tests[0]),
				 (volatile u32 *)box, sizeof *box / 4);
}
