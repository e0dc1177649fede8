/*
 * udp_exos.c: the ExOS side of the udp_rtt rows (bench.h). This program is
 * 10.0.9.1 on NIC 0, UDP port 5000; the echo partner is apps/udpecho started
 * as a child with a nonzero argument (10.0.9.2 on NIC 1, port 7), which
 * receives and replies through ExOS's stack in user space (BENCH_UDP_PLAIN),
 * or started with UDPECHO_ASH, whose ASH replies inside the kernel as each
 * datagram arrives (BENCH_UDP_ASH). The two NICs are joined by a QEMU hub, so a datagram crosses the wire
 * twice a round trip.
 */
#include "exos.h"
#include "inet.h"
#include "bench.h"
#include "backend_exos.h"

#define CLIENT_IP   INET_ADDR(10, 0, 9, 1)
#define PARTNER_IP  INET_ADDR(10, 0, 9, 2)
#define CLIENT_PORT 5000
#define ECHO_PORT   7
#define MAX_COMPETITORS 8
#define REPLY_WAIT  (INET_SECOND / 2)   /* for one echo */

static struct netif *nif;
static struct udp_sock *sock;
static int partner = -1;
static int competitor[MAX_COMPETITORS];
static unsigned ncompetitors;
static u32 seq;

const char *bench_udp_na(enum bench_udp_mode mode)
{
	struct net_info info;
	(void)mode;
	if (sys_net_info(1, &info) < 2)
		return "needs two NICs on one wire (tools/qemu.py nics(2))";
	return 0;
}

/* One exchange: a datagram of BENCH_UDP_BYTES bytes carrying seq, and its
 * echo (older echoes are skipped; at most 8). 0 or -1. */
static int exchange(u32 ticks)
{
	u8 out[BENCH_UDP_BYTES], in[BENCH_UDP_BYTES];
	seq++;
	for (u32 i = 0; i < BENCH_UDP_BYTES; i++)
		out[i] = (u8)(seq * 7 + i);
	put32(out, seq);
	if (udp_sendto(sock, PARTNER_IP, ECHO_PORT, out, BENCH_UDP_BYTES) != BENCH_UDP_BYTES)
		return -1;
	for (int k = 0; k < 8; k++) {
		u32 ip, port;
		int n = udp_recvfrom(sock, in, sizeof in, &ip, &port, ticks);
		if (n < 0)
			return -1;
		if (n == BENCH_UDP_BYTES && ip == PARTNER_IP && port == ECHO_PORT &&
		    get32(in) == seq)
			return lib_memcmp(in, out, BENCH_UDP_BYTES) == 0 ? 0 : -1;
	}
	return -1;
}

int bench_udp_setup(enum bench_udp_mode mode, unsigned competitors)
{
	int err;
	if (bench_udp_na(mode) || competitors > MAX_COMPETITORS)
		return -1;
	if (!(nif = netif_open(0, CLIENT_IP, 0xffffff00u, 0, &err)) ||
	    !(sock = udp_open(nif, CLIENT_PORT, &err)) ||
	    (partner = exos_spawn("udpecho", mode == BENCH_UDP_ASH ? UDPECHO_ASH : 1)) < 0) {
		bench_udp_teardown();
		return -1;
	}
	for (ncompetitors = 0; ncompetitors < competitors; ncompetitors++)
		if ((competitor[ncompetitors] = bench_exos_competitor()) < 0) {
			bench_udp_teardown();
			return -1;
		}
	for (unsigned i = 0; i < ncompetitors; i++)   /* each has started computing */
		sys_yield_to((u32)competitor[i]);
	/* The partner is ready once it answers (and both ARP caches are warm). */
	for (int i = 0; i < 40; i++)
		if (exchange(INET_SECOND / 4) == 0)
			return 0;
	bench_udp_teardown();
	return -1;
}

int bench_udp_rtt(void)
{
	return exchange(REPLY_WAIT);
}

void bench_udp_teardown(void)
{
	while (ncompetitors)
		bench_exos_end(&competitor[--ncompetitors]);
	bench_exos_end(&partner);
	if (nif)
		netif_close(nif);     /* closes sock too */
	nif = NULL;
	sock = NULL;
}
