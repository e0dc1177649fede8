/*
 * udp_posix.c: the udp_rtt back end for Linux (bench.h, bench/udp.c).
 *
 * The board has two PCnet NICs on one QEMU hub (tools/qemu.py nics(2); the driver,
 * pcnet32, is a module that /init loads). NIC 0 (MAC 52:54:00:12:34:56) stays in the
 * root network namespace as 10.0.9.1/24; NIC 1 (...:57) is moved into a second network
 * namespace made once with unshare(CLONE_NEWNET) and kept by an open descriptor of it,
 * where it is 10.0.9.2/24. The echo partner is a child process that joins that
 * namespace (setns) and answers every datagram on port 7 with the same bytes. So a
 * round trip goes through both kernels' paths of one Linux: socket, UDP, IP, the
 * PCnet driver, the wire, and the same way back; the loopback device is never used.
 * Both sides have permanent ARP entries for each other and no IPv6, so that no other
 * frame is on the wire while a row is timed.
 *
 * Moving a device into another namespace is an rtnetlink RTM_NEWLINK with
 * IFLA_NET_NS_FD (busybox's ip has no netns support); addresses, flags and ARP
 * entries are the classic ioctls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define ADDR0 "10.0.9.1"	/* NIC 0, root namespace: this program */
#define ADDR1 "10.0.9.2"	/* NIC 1, the partner's namespace */
#define ECHO_PORT 7
#define CLIENT_PORT 5000
#define MAX_COMPETITORS 8

static const char *net_why;	/* why the network is not usable, once tried */
static int net_tried;
static int ns_fd = -1;		/* the partner's network namespace */
static int root_fd = -1;	/* the root network namespace */
static int client = -1;		/* UDP socket, ADDR0:CLIENT_PORT connected to ADDR1:7 */
static pid_t partner = -1;
static pid_t competitor[MAX_COMPETITORS];
static unsigned ncompetitors;
static uint32_t seq;

/* The interface ("eth0", "eth1", ...) whose MAC ends in last, into name; 0 or -1. */
static int
find_nic(int s, unsigned char last, char name[IFNAMSIZ], unsigned char mac[6])
{
	for (unsigned i = 0; i < 8; i++) {
		struct ifreq ifr;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, IFNAMSIZ, "eth%u", i);
		if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
			continue;
		if ((unsigned char)ifr.ifr_hwaddr.sa_data[5] == last) {
			memcpy(name, ifr.ifr_name, IFNAMSIZ);
			memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
			return 0;
		}
	}
	return -1;
}

/* Write v to a /proc/sys file of the current namespace; 0 or -1. */
static int
proc_write(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY);
	int ok = fd >= 0 && write(fd, v, strlen(v)) == (ssize_t)strlen(v);

	if (fd >= 0)
		close(fd);
	return ok ? 0 : -1;
}

/*
 * In the current namespace: give NIC `name` address addr/24, no IPv6, bring it up,
 * and a permanent ARP entry for the peer (peer_addr at peer_mac). 0 or -1.
 */
static int
nic_config(int s, const char *name, const char *addr, const char *peer_addr,
	   const unsigned char peer_mac[6])
{
	struct ifreq ifr;
	struct arpreq arp;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	char path[96];

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	proc_write(path, "1");		/* absent when IPv6 is off: fine */
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
		return -1;
	inet_pton(AF_INET, "255.255.255.0", &sin->sin_addr);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
		return -1;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return -1;
	memset(&arp, 0, sizeof(arp));
	sin = (struct sockaddr_in *)&arp.arp_pa;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, peer_addr, &sin->sin_addr);
	arp.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(arp.arp_ha.sa_data, peer_mac, 6);
	arp.arp_flags = ATF_PERM | ATF_COM;
	strncpy(arp.arp_dev, name, sizeof(arp.arp_dev) - 1);
	return ioctl(s, SIOCSARP, &arp) < 0 ? -1 : 0;
}

/* Move interface `name` into the namespace open as fd (rtnetlink RTM_NEWLINK). */
static int
nic_move(const char *name, int fd)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
		struct rtattr rta;
		uint32_t fd;
	} req;
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;
	int s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), rc = -1;

	if (s < 0)
		return -1;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)if_nametoindex(name);
	req.rta.rta_type = IFLA_NET_NS_FD;
	req.rta.rta_len = RTA_LENGTH(sizeof(uint32_t));
	req.fd = (uint32_t)fd;
	if (req.ifi.ifi_index > 0 && send(s, &req, sizeof(req), 0) == sizeof(req) &&
	    recv(s, &ack, sizeof(ack), 0) >= (ssize_t)sizeof(ack) &&
	    ack.nh.nlmsg_type == NLMSG_ERROR && ack.err.error == 0)
		rc = 0;
	close(s);
	return rc;
}

/* Build the two-namespace network once; net_why says why not when it fails. */
static void
net_init(void)
{
	char n0[IFNAMSIZ], n1[IFNAMSIZ];
	unsigned char m0[6], m1[6];
	struct sockaddr_in a;
	struct timeval tv = { 5, 0 };	/* a lost datagram is an error, not a hang */
	int s;

	net_tried = 1;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || find_nic(s, 0x56, n0, m0) || find_nic(s, 0x57, n1, m1)) {
		net_why = "this boot has not the two PCnet NICs of tools/qemu.py nics(2) "
			  "(or /init did not load pcnet32)";
		goto out;
	}
	net_why = "setting up the second network namespace failed";
	root_fd = open("/proc/self/ns/net", O_RDONLY);
	if (root_fd < 0 || unshare(CLONE_NEWNET) < 0)
		goto out;
	ns_fd = open("/proc/self/ns/net", O_RDONLY);
	if (setns(root_fd, CLONE_NEWNET) < 0 || ns_fd < 0 || nic_move(n1, ns_fd) ||
	    nic_config(s, n0, ADDR0, ADDR1, m1))
		goto out;
	close(s);
	s = -1;
	if (setns(ns_fd, CLONE_NEWNET) < 0)
		goto out;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	int bad = s < 0 || nic_config(s, n1, ADDR1, ADDR0, m0);
	if (setns(root_fd, CLONE_NEWNET) < 0 || bad)
		goto out;
	close(s);
	net_why = "the client socket could not be set up";
	s = -1;
	client = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(CLIENT_PORT);
	inet_pton(AF_INET, ADDR0, &a.sin_addr);
	if (client < 0 || bind(client, (struct sockaddr *)&a, sizeof(a)) ||
	    setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		goto out;
	a.sin_port = htons(ECHO_PORT);
	inet_pton(AF_INET, ADDR1, &a.sin_addr);
	if (connect(client, (struct sockaddr *)&a, sizeof(a)))
		goto out;
	net_why = 0;
out:
	if (s >= 0)
		close(s);
}

/* ASH: n/a. PLAIN: 0 once the two-namespace network is up, else why not. */
const char *
bench_udp_na(enum bench_udp_mode mode)
{
	if (mode == BENCH_UDP_ASH)
		return "Linux has no application-specific handlers: a process always "
		       "sends the reply (udp_rtt)";
	if (!net_tried)
		net_init();
	return net_why;
}

/* The partner, in the second namespace: echo every datagram on port 7; tell the
 * parent through ready once bound. Never returns. */
static void
echo_partner(int ready)
{
	struct sockaddr_in a, from;
	socklen_t fl;
	char buf[256];
	int s;

	if (setns(ns_fd, CLONE_NEWNET) < 0)
		_exit(1);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(ECHO_PORT);
	inet_pton(AF_INET, ADDR1, &a.sin_addr);
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)))
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(1);
	close(ready);
	for (;;) {
		fl = sizeof(from);
		ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n > 0)
			sendto(s, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
	}
}

/* backend_posix.c: a competitor, computing until the parent is gone. */
void posix_compete(pid_t parent);

/* Start the echo partner (and the competitors) and make one untimed round trip;
 * 0, or -1 with everything stopped. The network is built on first use. */
int
bench_udp_setup(enum bench_udp_mode mode, unsigned competitors)
{
	int p[2];
	char c;

	if (bench_udp_na(mode) || competitors > MAX_COMPETITORS || pipe(p))
		return -1;
	partner = fork();
	if (partner == 0) {
		close(p[0]);
		echo_partner(p[1]);
	}
	close(p[1]);
	int ok = partner > 0 && read(p[0], &c, 1) == 1;
	close(p[0]);
	for (ncompetitors = 0; ok && ncompetitors < competitors; ncompetitors++) {
		pid_t parent = getpid();
		if ((competitor[ncompetitors] = fork()) == 0)
			posix_compete(parent);
		ok = competitor[ncompetitors] > 0;
	}
	/* One untimed round trip: the partner has taken its copy-on-write faults. */
	if (ok && bench_udp_rtt() == 0)
		return 0;
	bench_udp_teardown();
	return -1;
}

/* One round trip of BENCH_UDP_BYTES bytes numbered by seq; 0 if the echo is the
 * datagram sent, -1 otherwise (or after 5 s without one). */
int
bench_udp_rtt(void)
{
	uint32_t out[BENCH_UDP_BYTES / 4], in[BENCH_UDP_BYTES / 4 + 1];

	seq++;
	for (unsigned i = 0; i < BENCH_UDP_BYTES / 4; i++)
		out[i] = seq + i;
	if (send(client, out, sizeof(out), 0) != sizeof(out))
		return -1;
	/* Anything else (an old echo, say) is an error: nothing else is in flight. */
	if (recv(client, in, sizeof(in), 0) != sizeof(out))
		return -1;
	return memcmp(in, out, sizeof(out)) ? -1 : 0;
}

/* Kill and reap the competitors and the partner; the namespaces and NICs stay. */
void
bench_udp_teardown(void)
{
	for (unsigned i = 0; i < ncompetitors; i++)
		if (competitor[i] > 0) {
			kill(competitor[i], SIGKILL);
			waitpid(competitor[i], 0, 0);
		}
	ncompetitors = 0;
	if (partner > 0) {
		kill(partner, SIGKILL);
		waitpid(partner, 0, 0);
	}
	partner = -1;
}
