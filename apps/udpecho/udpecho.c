/*
 * udpecho: a UDP echo server (RFC 862) on ExOS's stack (exos/inet.h): every
 * datagram to port 7 goes back to its sender unchanged.
 *
 * Started as the first environment (make test's net-host suite): NIC 0 as
 * 10.0.2.15/24 behind QEMU's user networking (gateway 10.0.2.2). Started
 * by another program with a nonzero argument (the udp_rtt benchmark's echo
 * partner, apps/inettest): NIC 1 as 10.0.9.2/24 on the two-NIC hub. It ends
 * when a datagram "quit" comes (answered "bye"), or after `idle=` seconds
 * (kernel command line; default 120) with nothing received.
 *
 * With the argument UDPECHO_ASH (the udp_rtt_ash rows), the echo is not
 * done here: ExOS's echo ASH (exos/ash.c) answers each datagram to port 7
 * inside the kernel as it arrives, and this environment only answers ARP
 * and ICMP for 10.0.9.2 until it is destroyed (or `idle=` seconds pass in
 * which its ASH ran no more).
 */
#include "inet.h"

#define ECHO_PORT 7

static bool never(void *arg) { (void)arg; return false; }

/* The ASH partner: 0 once idle, 1 if it could not set up. */
static int ash_partner(u32 idle)
{
	int err = 0, filter = -1;
	struct netif *nif = netif_open(1, INET_ADDR(10, 0, 9, 2), 0xffffff00u, 0, &err);
	int id = nif ? exos_ash_udp_echo(1, ECHO_PORT, &filter) : err;
	if (id < 0) {
		printf("udpecho: cannot install the echo ASH on NIC 1: error %d\n", id);
		if (nif)
			netif_close(nif);
		return 1;
	}
	u32 runs = 0;
	for (u32 idle_s = 0; idle_s < idle; idle_s++) {
		netif_wait_until(nif, never, NULL, INET_SECOND);     /* ARP, ICMP */
		struct ash_stat st = { 0 };
		if (sys_ash_status((u32)id, &st) == 0 && st.runs != runs) {
			runs = st.runs;
			idle_s = 0;
		}
	}
	sys_ash_del((u32)id);
	netif_close(nif);
	return 0;
}

int main(void)
{
	bool partner = exos_arg != 0;
	if (exos_arg == UDPECHO_ASH)
		return ash_partner(exos_param("idle", 120));
	u32 nic = partner ? 1 : 0;
	u32 ip = partner ? INET_ADDR(10, 0, 9, 2) : INET_ADDR(10, 0, 2, 15);
	u32 gw = partner ? 0 : INET_ADDR(10, 0, 2, 2);
	u32 idle = exos_param("idle", 120);
	int err = 0;
	struct netif *nif = netif_open(nic, ip, 0xffffff00u, gw, &err);
	struct udp_sock *s = nif ? udp_open(nif, ECHO_PORT, &err) : NULL;
	if (!s) {
		printf("udpecho: cannot open NIC %u port %u: error %d\n", nic, ECHO_PORT, err);
		return 1;
	}
	if (!partner)                 /* a benchmark's partner prints nothing */
		printf("udpecho: ready on NIC %u, %u.%u.%u.%u port %u\n", nic, ip >> 24,
		       ip >> 16 & 0xff, ip >> 8 & 0xff, ip & 0xff, ECHO_PORT);
	static u8 buf[UDP_MAXDATA];
	u32 echoed = 0, idle_s = 0;
	while (idle_s < idle) {
		u32 from, port;
		int n = udp_recvfrom(s, buf, sizeof buf, &from, &port, INET_SECOND);
		if (n == -E_AGAIN) {
			idle_s++;
			continue;
		}
		idle_s = 0;
		if (n == 4 && lib_memcmp(buf, "quit", 4) == 0) {
			udp_sendto(s, from, port, "bye", 3);
			break;
		}
		if (n >= 0 && udp_sendto(s, from, port, buf, (u32)n) == n)
			echoed++;
	}
	if (!partner)
		printf("udpecho: echoed %u datagrams; frames %u, dropped %u, ARP replies %u, "
		       "echo replies %u\n", echoed, nif->st.frames, nif->st.bad, nif->st.arp_replies,
		       nif->st.echo_replies);
	netif_close(nif);
	return 0;
}
