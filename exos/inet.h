/*
 * inet.h: ExOS's network stack (docs/network.md, "ExOS's stack"): Ethernet,
 * ARP, IPv4, ICMP echo, UDP and TCP over one NIC, in the library OS.
 *
 * An environment opens a network interface (struct netif) on a NIC with an
 * IPv4 address. Frames reach it only through the DPF filters the stack
 * installs (ARP for its address, ICMP to its address, and one per UDP port
 * or TCP listening port), into receive buffers in its own pages posted with
 * net_post; it sleeps on its notification word (net_notify) with a wakeup
 * predicate. Nothing runs on arrival: frames are taken in when the program
 * calls into the stack (netif_poll, or any call that waits).
 *
 * Addresses and ports are in host order in every interface here; frames are
 * in network order. Times are CP0 Count ticks (INET_SECOND a second).
 */
#ifndef EXOS_INET_H
#define EXOS_INET_H
#include "exos.h"

void *memcpy(void *dst, const void *src, size_t n);   /* lib/mem.c */
void *memset(void *dst, int c, size_t n);

#define INET_ADDR(a, b, c, d) ((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (u32)(d))
#define INET_SECOND   160000000u    /* Count ticks (160 MHz) */

#define ETH_HLEN      14
#define ETH_ARP       0x0806
#define ETH_IP        0x0800
#define IP_HLEN       20            /* the headers this stack sends have no options */
#define IP_ICMP       1
#define IP_TCP        6
#define IP_UDP        17
#define UDP_HLEN      8
#define UDP_MAXDATA   (NET_FRAME_MAX - ETH_HLEN - IP_HLEN - UDP_HLEN)   /* 1472 */

#define NETIF_NBUF    NET_MAXPOST   /* receive buffers posted, two to a page */
#define NETIF_BUFSZ   2048
#define NETIF_MAX     4             /* interfaces an environment may open */
#define ARP_CACHE     8
#define ARP_TRIES     4             /* requests sent before giving up */
#define ARP_WAIT      (INET_SECOND / 4)   /* for a reply to each */
#define UDP_QLEN      4             /* datagrams a socket holds until read */
#define NETIF_TICK    (INET_SECOND / 16)  /* the longest sleep while waiting */

struct arp_entry { u32 ip; u8 mac[6]; bool valid; };

struct netif_stats {
	u32 frames;         /* frames taken in */
	u32 bad;            /* dropped: malformed, bad checksum, not for us */
	u32 no_port;        /* UDP or TCP to a port no socket has */
	u32 arp_replies, echo_replies, rsts;
	u32 rsts_in;        /* RSTs received for no connection */
	u32 lost;           /* dropped on purpose (netif.loss) */
	u32 retransmits;    /* TCP time-outs that sent again */
	u32 tx, tx_fail;
};

struct udp_sock;
struct tcp_listener;

struct netif {
	u32 nic;
	int slot;                          /* its pages (eth.c) */
	u8 mac[6];
	u32 ip, mask, gw;                  /* gw 0: none */
	u8 *rx;                            /* NETIF_NBUF buffers of NETIF_BUFSZ bytes */
	u32 rx_name[NETIF_NBUF / 2], rx_check[NETIF_NBUF / 2];
	u32 rx_next;                       /* the buffer the next frame lands in */
	u8 *tx;                            /* one page frames are built in */
	u32 tx_name, tx_check;
	int arp_id, icmp_id;               /* their DPF filters */
	bool polling;                      /* inside netif_poll: no waiting */
	u32 loss, taken;                   /* tests: drop every loss-th frame taken in (0: none) */
	struct arp_entry arp[ARP_CACHE];
	u32 arp_victim;
	u16 ip_id;
	u32 ping_seq;                      /* the echo request icmp_ping waits for */
	bool ping_ok;                      /* its reply came */
	struct inet_port *udp;             /* the open sockets (struct udp_sock) */
	struct inet_port *tcp;             /* the listeners (struct tcp_listener) */
	struct netif_stats st;
};

/* Byte-order helpers over frames. */
static inline u32 get16(const u8 *p) { return (u32)p[0] << 8 | p[1]; }
static inline u32 get32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }
static inline void put16(u8 *p, u32 v) { p[0] = (u8)(v >> 8); p[1] = (u8)v; }
static inline void put32(u8 *p, u32 v) { put16(p, v >> 16); put16(p + 2, v); }

/* eth.c */
/* Open NIC nic as address ip/mask (gateway gw, 0: none): map and post the
 * receive buffers, name the notification word, install the ARP and ICMP
 * filters, announce the address (a gratuitous ARP). Returns the interface
 * or NULL (*err: the error: -E_INVAL, -E_BUSY if another environment has
 * the address on this NIC, -E_NOMEM, ...). */
struct netif *netif_open(u32 nic, u32 ip, u32 mask, u32 gw, int *err);
/* Close every socket and listener, remove the filters, take the buffers back. */
void netif_close(struct netif *nif);
/* A UDP socket or TCP listener starts with this: one port of ours, with
 * its DPF filter. */
struct inet_port {
	struct inet_port *next;            /* nif's list of proto's ports */
	struct netif *nif;
	u32 proto, port;
	int filter;
};
/* Install the filter for proto's port port (1..65535) to our address and
 * allocate a zeroed object of size bytes that starts with its struct
 * inet_port, on nif's list. It, or NULL with *err: -E_INVAL, -E_NOMEM, or
 * the kernel's refusal (-E_BUSY: the port is taken, here or by another
 * environment with this address; -E_QUOTA). */
void *netif_port_open(struct netif *nif, u32 proto, u32 port, u32 size, int *err);
/* Take it off the list, remove its filter, free it. */
void netif_port_close(struct inet_port *p);
/* Take in every frame delivered so far: how many. */
int netif_poll(struct netif *nif);
/* The notification word's value now (read it before polling, then sleep
 * with netif_sleep until it differs: no frame can be missed). */
u32 netif_seen(void);
/* Sleep until a frame has arrived since seen, or ticks have passed. */
void netif_sleep(u32 seen, u32 ticks);
/* Take frames in until done(arg) holds or ticks have passed, sleeping in
 * between (at most NETIF_TICK at a time, so that TCP's retransmission timers
 * run): whether done. */
bool netif_wait_until(struct netif *nif, bool (*done)(void *), void *arg, u32 ticks);
/* Send the frame of len bytes built at nif->tx (Ethernet header from off
 * 0) to dst of EtherType type: fills the Ethernet header; 0 or an error. */
int eth_send(struct netif *nif, const u8 *dst, u32 type, u32 len);
extern const u8 eth_broadcast[6];

/* apps/udpecho's argument for an echo partner whose replies an ASH sends
 * (exos_ash_udp_echo); any other nonzero argument: replies from user space. */
#define UDPECHO_ASH 2

/* arp.c */
void arp_input(struct netif *nif, const u8 *frame, u32 len);
/* The station address of ip (the next hop: ip itself on our subnet, else
 * the gateway) into mac: from the cache, or asking up to ARP_TRIES times.
 * 0, -E_NOENT (no answer), -E_INVAL (off-subnet and no gateway), -E_AGAIN
 * (not cached, and called from inside netif_poll: a request was sent). */
int arp_resolve(struct netif *nif, u32 ip, u8 *mac);
/* Learn or refresh ip -> mac. */
void arp_learn(struct netif *nif, u32 ip, const u8 *mac);
/* Broadcast a request for ip (sender: our address). */
int arp_request(struct netif *nif, u32 ip);

/* ip.c */
/* The Internet checksum of len bytes at p, added to sum (not complemented;
 * the value is meant for inet_fold, which gives the 16-bit sum). */
u32 inet_sum(const void *p, u32 len, u32 sum);
/* Copy len bytes from src to dst and return what inet_sum(dst, len, sum)
 * folds to the same as: the checksum taken on the way, one pass. */
u32 inet_copy_sum(void *dst, const void *src, u32 len, u32 sum);
u16 inet_fold(u32 sum);
/* Check an IPv4 frame and hand it to its protocol. */
void ip_input(struct netif *nif, const u8 *frame, u32 len);
/* Send the IPv4 datagram whose payload (plen bytes) is already at
 * nif->tx + ETH_HLEN + IP_HLEN, to dst (station address mac). */
int ip_send(struct netif *nif, const u8 *mac, u32 dst, u32 proto, u32 plen);
/* Send an ICMP echo request (sequence seq, 32 bytes of data) to ip and
 * wait up to ticks for its reply: 0, -E_AGAIN (none came), or
 * arp_resolve's error. */
int icmp_ping(struct netif *nif, u32 ip, u32 seq, u32 ticks);
/* The pseudo-header's sum for a transport checksum. */
u32 ip_pseudo_sum(u32 src, u32 dst, u32 proto, u32 len);
/* Where a transport payload is built: nif->tx + ETH_HLEN + IP_HLEN. */
static inline u8 *ip_payload(struct netif *nif) { return nif->tx + ETH_HLEN + IP_HLEN; }

/* udp.c: sockets. */
/* Open UDP port port (1..65535) on nif: installs its filter. NULL, with
 * *err: -E_INVAL, -E_BUSY (the port is taken, here or by another
 * environment with this address), -E_NOMEM, -E_QUOTA. */
struct udp_sock *udp_open(struct netif *nif, u32 port, int *err);
/* Send len bytes (<= UDP_MAXDATA) to ip:port: len, or an error. */
int udp_sendto(struct udp_sock *s, u32 ip, u32 port, const void *data, u32 len);
/* Receive one datagram into buf (at most len bytes; the rest is dropped)
 * within ticks: its full length (its sender in *ip, *port if not NULL), or
 * -E_AGAIN if none came in time. */
int udp_recvfrom(struct udp_sock *s, void *buf, u32 len, u32 *ip, u32 *port, u32 ticks);
void udp_close(struct udp_sock *s);
void udp_input(struct netif *nif, const u8 *frame, const u8 *iph, const u8 *udp, u32 ulen);

/* tcp.c: a small TCP (docs/network.md). A listener is also the local port
 * of connections opened from it with tcp_connect. */
struct tcp_conn;
/* Listen on port port: installs its filter. NULL, with *err. */
struct tcp_listener *tcp_listen(struct netif *nif, u32 port, int *err);
/* Open a connection from l's port to ip:port, waiting up to ticks for it
 * to be accepted: it, or NULL (no answer, refused, l's slots all taken). */
struct tcp_conn *tcp_connect(struct tcp_listener *l, u32 ip, u32 port, u32 ticks);
/* Wait up to ticks for a new connection: it, or NULL. */
struct tcp_conn *tcp_accept(struct tcp_listener *l, u32 ticks);
/* Read up to len bytes in order within ticks: how many, 0 at the peer's
 * FIN, -E_AGAIN if nothing came in time, -E_IO if the connection was reset
 * or timed out. */
int tcp_read(struct tcp_conn *c, void *buf, u32 len, u32 ticks);
/* Send len bytes: put them in the send buffer and send what the peer's
 * window allows, waiting (up to ticks) only for room in the buffer, as a
 * socket's write does; what is left goes out as acknowledgments come in
 * (whenever the program calls into the stack) and tcp_close waits for it
 * all to be acknowledged. Returns len, or -E_IO (reset, closed) or
 * -E_AGAIN (no room in time; part may be queued). */
int tcp_write(struct tcp_conn *c, const void *buf, u32 len, u32 ticks);
/* Send our FIN, wait (up to ticks) for it to be acknowledged and for the
 * peer's, then forget the connection. */
void tcp_close(struct tcp_conn *c, u32 ticks);
void tcp_unlisten(struct tcp_listener *l);
void tcp_input(struct netif *nif, const u8 *frame, const u8 *iph, const u8 *tcp, u32 tlen);
/* Retransmit what is due on nif's connections (called by netif_poll). */
void tcp_timers(struct netif *nif);

#endif
