/*
 * demux_posix.c: the demux rows' back end for Linux (bench.h, bench/demux.c).
 *
 * Linux's counterpart of n packet filters is n sockets with a classic BPF filter each
 * (SO_ATTACH_FILTER). Packet sockets (AF_PACKET) bound to the IPv4 EtherType are the
 * ones whose filters the kernel runs on every IPv4 frame received, one socket after
 * the other (a socket filter on a UDP socket runs only after the kernel's own port
 * lookup has found that socket, so it classifies nothing). Each filter is ExOS's:
 * EtherType IPv4, protocol UDP, destination port 1000 + k found through the IP header
 * length (tcpdump's `ldxb 4*([14]&0xf)`). The frame, for the last port, is sent n times
 * through the loopback device by one more packet socket: sendto() takes it through the
 * transmit path, the loopback device and the receive path, where the n filters run,
 * within the call. Its destination MAC is not the device's, so IPv4 drops it at once
 * (PACKET_OTHERHOST) and nothing answers it.
 *
 * The filters cannot be timed alone (no call classifies a frame in memory), so the rows
 * time the path twice, with the n sockets open and bound to the loopback device, then
 * with them closed (a packet socket cannot be unbound, and binding one elsewhere would
 * leave it on the lists the receive path walks), and demux.c reports the difference:
 * the cost of the n filters and of calling each socket's receive function. The path
 * alone is the demux_base row. Each repetition opens the sockets and attaches their
 * filters again, untimed.
 *
 * The accepting socket's receive buffer is the smallest Linux allows and is never read:
 * after the first two frames the accepted frame is counted and dropped there
 * (PACKET_STATISTICS checks it), as ExOS's net_demux classifies and delivers nothing.
 *
 * JIT: the kernel (Debian's 4kc-malta, CONFIG_BPF_JIT=y, MIPS32 eBPF JIT; default off)
 * turns a classic filter into eBPF when it is attached and compiles it if
 * net.core.bpf_jit_enable is 1 then. demux_N: JIT on; demux_N_linear: JIT off (the
 * interpreter, one filter after the other as ExOS's one-by-one row); demux_N_interp:
 * n/a (Linux has no merged tree). demux_100_reject: 100 sockets whose filter is one
 * instruction rejecting every frame (JIT on): demux_100 less this is what the
 * predicates themselves cost.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench.h"

#define MAXF 500
#define FRAME_LEN 60
#define JIT_SYSCTL "/proc/sys/net/core/bpf_jit_enable"

static int fds[MAXF];
static unsigned nf;		/* sockets open, with their filters, in the path */
static int inj = -1;		/* the sending packet socket */
static struct sockaddr_ll lo_ll;	/* the loopback device, for sendto */
static unsigned char frame[FRAME_LEN];

/* TREE: n/a; COMPILED: n/a without a JIT; the others run. */
const char *
bench_demux_na(unsigned mode)
{
	if (mode == BENCH_DEMUX_TREE)
		return "Linux has no merged tree: its socket filters run one after the other "
		       "(demux_N: JIT on; demux_N_linear: JIT off, the interpreter)";
	if (mode == BENCH_DEMUX_COMPILED && access(JIT_SYSCTL, W_OK))
		return "this kernel has no BPF JIT (" JIT_SYSCTL ")";
	return 0;
}

/* Set net.core.bpf_jit_enable to on (0 or 1); 0 or -1. */
static int
set_jit(int on)
{
	int fd = open(JIT_SYSCTL, O_WRONLY), ok;

	if (fd < 0)
		return on ? -1 : 0;	/* no JIT: off is all there is */
	ok = write(fd, on ? "1" : "0", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

/* Bring the loopback device up, open the sending socket, build the frame; once. */
static int
inject_init(void)
{
	struct ifreq ifr;
	int s;

	if (inj >= 0)
		return 0;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	int bad = ioctl(s, SIOCSIFFLAGS, &ifr) < 0;
	close(s);
	inj = socket(AF_PACKET, SOCK_RAW, 0);	/* protocol 0: receives nothing */
	if (bad || inj < 0)
		return -1;
	memset(&lo_ll, 0, sizeof(lo_ll));
	lo_ll.sll_family = AF_PACKET;
	lo_ll.sll_ifindex = (int)if_nametoindex("lo");
	lo_ll.sll_halen = 6;
	memset(frame, 0, sizeof(frame));
	frame[0] = 0x02;			/* not the device's address (00:..:00) */
	frame[5] = 0x01;
	frame[12] = 0x08;			/* IPv4 */
	frame[14] = 0x45;			/* a 20-byte header */
	frame[23] = 17;				/* UDP */
	return lo_ll.sll_ifindex > 0 ? 0 : -1;
}

/* Socket fd's filter: accept a UDP datagram for port, else nothing; with reject, a
 * filter of one instruction that accepts nothing. */
static int
attach(int fd, unsigned port, int reject)
{
	struct sock_filter none[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),			/* EtherType */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 6),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),			/* IP protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 17, 0, 4),
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),		/* X = IP header length */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14 + 2),		/* destination port */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };

	if (reject)
		prog = (struct sock_fprog){ 1, none };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

/* Close the filter sockets: their filters leave the receive path. */
static void
close_all(void)
{
	while (nf > 0)
		close(fds[--nf]);
}

/* Open n packet sockets with their filters (JIT as mode says), bound to IPv4 on the
 * loopback device. */
int
bench_demux_setup(unsigned n, unsigned mode)
{
	struct sockaddr_ll a;
	int zero = 0;

	close_all();
	if (n == 0 || n > MAXF || inject_init() || set_jit(mode != BENCH_DEMUX_LINEAR))
		return -1;
	a = lo_ll;
	a.sll_protocol = htons(ETH_P_IP);
	for (; nf < n; nf++) {
		fds[nf] = socket(AF_PACKET, SOCK_RAW, 0);
		if (fds[nf] < 0 || attach(fds[nf], 1000 + nf, mode == BENCH_DEMUX_REJECT) ||
		    setsockopt(fds[nf], SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero)) ||
		    bind(fds[nf], (struct sockaddr *)&a, sizeof(a))) {
			nf++;
			close_all();
			return -1;
		}
	}
	frame[36] = (unsigned char)((1000 + n - 1) >> 8);	/* the last port */
	frame[37] = (unsigned char)(1000 + n - 1);
	return 0;
}

/* Frames the socket's filter accepted since the last call (the call resets them). */
static unsigned
accepted(int fd)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);

	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		return ~0u;
	return st.tp_packets;	/* queued and dropped alike */
}

/* Send the frame iters times; with the sockets open, check that the last one, and not
 * the first, took each one (none, with filters that reject everything). */
int
bench_demux_run(unsigned mode, unsigned iters)
{
	unsigned want = mode == BENCH_DEMUX_REJECT ? 0 : iters;	/* the last one's */

	for (unsigned i = 0; i < iters; i++)
		if (sendto(inj, frame, sizeof(frame), 0, (struct sockaddr *)&lo_ll,
			   sizeof(lo_ll)) != sizeof(frame))
			return -1;
	if (nf > 0 && accepted(fds[nf - 1]) != want)
		return -1;
	return nf > 1 && accepted(fds[0]) != 0 ? -1 : 0;
}

/* Take the filters out of the path: close their sockets. */
int
bench_demux_unhook(void)
{
	close_all();
	return 0;
}
