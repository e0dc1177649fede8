/*
 * eth.c: ExOS's network interfaces (inet.h): the receive buffers posted to
 * Aegis, the notification word, taking frames in, and sending them.
 *
 * Aegis fills an environment's posted buffers of one NIC strictly in the
 * order they were posted, so the stack posts its NETIF_NBUF buffers once, in
 * order, as a ring (net_post_ring), and clears each one's word as soon as
 * its frame has been taken in, which gives it back: the next frame is
 * always in buffer rx_next.
 */
#include "inet.h"

const u8 eth_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static volatile u32 *notify_word;     /* counts frames delivered to this environment */
static u32 notify_name, notify_check;
/* Each interface has a slot of NET_VA: its pages, mapped when the slot is
 * first used and kept for the next interface that uses it. */
static bool slot_used[NETIF_MAX], slot_mapped[NETIF_MAX];

/* Map the notification page and name its first word to Aegis, once. */
static int notify_init(void)
{
	if (notify_word)
		return 0;
	int e = vm_map(NET_VA, 1, VM_RW);
	if (e == 0)
		e = exos_page_cap(NET_VA, &notify_name, &notify_check);
	if (e == 0)
		e = sys_net_notify(notify_name, notify_check, 0);
	if (e == 0)
		notify_word = (volatile u32 *)NET_VA;
	return e;
}

u32 netif_seen(void)
{
	return notify_word ? *notify_word : 0;
}

/* The notification page: word 0 is the counter Aegis increments; the
 * words after it hold what netif_sleep's predicate compares it with, so
 * that the predicate's program is the same on every sleep and the kernel
 * checks and compiles it once (wk_sleep keeps the last program compiled),
 * not on every round trip; it is constant (read-only), so wk_sleep_again
 * need not even copy it in and compare it again. */
#define NOTIFY_SEEN  4                /* the counter's value the sleeper saw */
#define NOTIFY_START 8                /* Count when it went to sleep */
#define NOTIFY_TICKS 12               /* how long it sleeps at most */

void netif_sleep(u32 seen, u32 ticks)
{
	if (!notify_word) {
		exos_sleep_ticks(ticks);
		return;
	}
	/* Hold if the counter differs from seen, or once now - start >= ticks. */
	static const struct dc_insn prog[] = {
		DC_INSN(DC_LDWA, 1, 0, 0, 0),
		DC_INSN(DC_LDWA, 2, 0, 0, NOTIFY_SEEN),
		DC_INSN(DC_JNE, 1, 2, 6, 0),
		DC_INSN(DC_LDWA, 3, 0, WK_KINFO_WIN, WK_KINFO_NOW),
		DC_INSN(DC_LDWA, 4, 0, 0, NOTIFY_START),
		DC_INSN(DC_SUB, 3, 4, 0, 0),
		DC_INSN(DC_LDWA, 5, 0, 0, NOTIFY_TICKS),
		DC_INSN(DC_JGE, 3, 5, 1, 0),
		DC_INSN(DC_RETI, 0, 0, 0, 0),
		DC_INSN(DC_RETI, 0, 0, 0, 1),
	};
	volatile u32 *w = notify_word;
	w[NOTIFY_SEEN / 4] = seen;
	w[NOTIFY_START / 4] = read_count();
	w[NOTIFY_TICKS / 4] = ticks;
	const struct wk_page page = { notify_name, notify_check };
	while (sys_wk_sleep_again(prog, ARRAY_SIZE(prog), &page, 1) == -E_AGAIN)
		;                             /* a revocation upcall ran first: sleep again */
}

/* Post buffer k of nif, once: it stays posted (net_post_ring), and is used
 * again once netif_poll has cleared its word. */
static int post(struct netif *nif, u32 k)
{
	*(volatile u32 *)(nif->rx + k * NETIF_BUFSZ) = 0;
	int r = sys_net_post_ring(nif->nic, nif->rx_name[k / 2], nif->rx_check[k / 2],
				  NET_OFFLEN(k % 2 * NETIF_BUFSZ, NETIF_BUFSZ));
	return r < 0 ? r : 0;
}

/* The pages of a free slot: NETIF_NBUF / 2 receive pages and one transmit
 * page. */
static int map_buffers(struct netif *nif)
{
	u32 nrx = NETIF_NBUF / 2, slot = 0;
	while (slot < NETIF_MAX && slot_used[slot])
		slot++;
	if (slot == NETIF_MAX)
		return -E_NOMEM;
	u32 va = NET_VA + (slot + 1) * 0x10000;
	int e = slot_mapped[slot] ? 0 : vm_map(va, nrx + 1, VM_RW);
	slot_mapped[slot] = e == 0;
	slot_used[slot] = e == 0;
	nif->slot = e == 0 ? (int)slot : -1;
	for (u32 i = 0; e == 0 && i < nrx; i++)
		e = exos_page_cap(va + i * PAGE_SIZE, &nif->rx_name[i], &nif->rx_check[i]);
	if (e == 0)
		e = exos_page_cap(va + nrx * PAGE_SIZE, &nif->tx_name, &nif->tx_check);
	nif->rx = (u8 *)va;
	nif->tx = (u8 *)(va + nrx * PAGE_SIZE);
	return e;
}

/* Install f on nif's NIC: its id, or the kernel's error. */
static int add_filter(struct netif *nif, const struct dpf_filter *f)
{
	return sys_net_dpf_add(nif->nic, f);
}

/* The list of proto's ports (UDP sockets or TCP listeners). */
static struct inet_port **port_list(struct netif *nif, u32 proto)
{
	return proto == IP_TCP ? &nif->tcp : &nif->udp;
}

void *netif_port_open(struct netif *nif, u32 proto, u32 port, u32 size, int *err)
{
	struct dpf_filter f;
	struct inet_port *p = NULL;
	int e = port == 0 || port > 0xffff ? -E_INVAL : 0;
	if (e == 0 && !(p = malloc(size)))
		e = -E_NOMEM;
	if (e == 0) {
		exos_dpf_ip_filter(&f, nif->ip, proto, port);
		e = add_filter(nif, &f);
	}
	if (e < 0) {
		free(p);
		*err = e;
		return NULL;
	}
	memset(p, 0, size);
	p->nif = nif;
	p->proto = proto;
	p->port = port;
	p->filter = e;
	p->next = *port_list(nif, proto);
	*port_list(nif, proto) = p;
	return p;
}

void netif_port_close(struct inet_port *p)
{
	struct inet_port **pp = port_list(p->nif, p->proto);
	while (*pp && *pp != p)
		pp = &(*pp)->next;
	if (*pp)
		*pp = p->next;
	sys_net_dpf_del(p->nif->nic, (u32)p->filter);
	free(p);
}

struct netif *netif_open(u32 nic, u32 ip, u32 mask, u32 gw, int *err)
{
	struct net_info info;
	int e = sys_net_info(nic, &info);
	struct netif *nif = NULL;
	if (e >= 0 && ip == 0)
		e = -E_INVAL;
	if (e >= 0)
		e = notify_init();
	if (e >= 0 && !(nif = malloc(sizeof *nif)))
		e = -E_NOMEM;
	if (e < 0) {
		*err = e;
		return NULL;
	}
	memset(nif, 0, sizeof *nif);
	nif->nic = nic;
	memcpy(nif->mac, info.mac, 6);
	nif->ip = ip;
	nif->mask = mask;
	nif->gw = gw;
	nif->arp_id = nif->icmp_id = nif->slot = -1;
	e = map_buffers(nif);
	struct dpf_filter f;
	if (e == 0) {
		exos_dpf_arp_filter(&f, ip);
		e = nif->arp_id = add_filter(nif, &f);
	}
	if (e >= 0) {
		exos_dpf_ip_filter(&f, ip, IP_ICMP, 0);
		e = nif->icmp_id = add_filter(nif, &f);
	}
	for (u32 k = 0; e >= 0 && k < NETIF_NBUF; k++)
		e = post(nif, k);
	if (e < 0) {
		netif_close(nif);
		*err = e;
		return NULL;
	}
	arp_request(nif, ip);         /* gratuitous: whoever keeps a table learns us */
	return nif;
}

void netif_close(struct netif *nif)
{
	while (nif->udp)
		udp_close((struct udp_sock *)nif->udp);
	while (nif->tcp)
		tcp_unlisten((struct tcp_listener *)nif->tcp);
	if (nif->arp_id >= 0)
		sys_net_dpf_del(nif->nic, (u32)nif->arp_id);
	if (nif->icmp_id >= 0)
		sys_net_dpf_del(nif->nic, (u32)nif->icmp_id);
	sys_net_unpost(nif->nic);
	if (nif->slot >= 0)
		slot_used[nif->slot] = false;
	free(nif);
}

/* One frame: by EtherType to ARP or IPv4; anything else is dropped. */
static void eth_input(struct netif *nif, const u8 *frame, u32 len)
{
	nif->st.frames++;
	u32 type = len >= ETH_HLEN ? get16(frame + 12) : 0;
	if (type == ETH_ARP)
		arp_input(nif, frame, len);
	else if (type == ETH_IP)
		ip_input(nif, frame, len);
	else
		nif->st.bad++;
}

int netif_poll(struct netif *nif)
{
	int n = 0;
	bool outer = !nif->polling;
	nif->polling = true;
	for (u32 i = 0; i < NETIF_NBUF; i++) {       /* at most one round of the ring */
		u32 k = nif->rx_next;
		volatile u32 *w = (volatile u32 *)(nif->rx + k * NETIF_BUFSZ);
		u32 hdr = *w;
		if (!(hdr & NET_RX_DONE))
			break;
		u32 len = NET_RX_LEN(hdr);
		if (len > NETIF_BUFSZ - NET_RX_HDR)           /* truncated: drop */
			nif->st.bad++;
		else if (nif->loss && ++nif->taken % nif->loss == 0)
			nif->st.lost++;
		else
			eth_input(nif, (const u8 *)w + NET_RX_HDR, len);
		nif->rx_next = (k + 1) % NETIF_NBUF;
		*w = 0;                        /* taken in: the kernel may use it again */
		n++;
	}
	if (outer) {
		tcp_timers(nif);
		nif->polling = false;
	}
	return n;
}

bool netif_wait_until(struct netif *nif, bool (*done)(void *), void *arg, u32 ticks)
{
	u32 start = read_count();
	for (;;) {
		u32 seen = netif_seen();
		netif_poll(nif);
		if (done(arg))
			return true;
		u32 spent = read_count() - start;
		if (spent >= ticks)
			return false;
		u32 left = ticks - spent;
		netif_sleep(seen, left < NETIF_TICK ? left : NETIF_TICK);
	}
}

int eth_send(struct netif *nif, const u8 *dst, u32 type, u32 len)
{
	memcpy(nif->tx, dst, 6);
	memcpy(nif->tx + 6, nif->mac, 6);
	put16(nif->tx + 12, type);
	int e = -E_AGAIN;
	for (u32 i = 0; i < 1000 && e == -E_AGAIN; i++) {     /* the transmit ring is full */
		e = sys_net_tx(nif->nic, nif->tx_name, nif->tx_check, NET_OFFLEN((u32)nif->tx & (PAGE_SIZE - 1), len));
		if (e == -E_AGAIN)
			sys_yield();
	}
	if (e < 0)
		nif->st.tx_fail++;
	else
		nif->st.tx++;
	return e < 0 ? e : 0;
}
