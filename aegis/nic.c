/*
 * nic.c: the network interfaces, the exokernel way. Aegis knows no protocol:
 * it owns the NICs' descriptor rings and decides whose a received frame is;
 * environments own the memory frames land in and come from. See
 * docs/network.md.
 *
 * Hardware: AMD PCnet-PCI (Am79C970A) functions on PCI bus 0 (malta's
 * on-board one at 00:0b.0, and any added with -device pcnet), driven in
 * 32-bit software style (BCR20 = 2): a 28-byte init block, 16-byte receive
 * and transmit descriptors. Registers are reached in word I/O mode through
 * the I/O BAR (RDP +0x10, RAP +0x12, RESET +0x14, BDP +0x16; the station
 * address in the APROM at +0..5). Interrupts: INTA of every function is
 * routed by the PIIX4 to ISA IRQ 11 (level) and through the i8259s to the
 * CPU's IP2 (pci.c); the line is shared and every NIC is serviced on it.
 *
 * Memory: the rings and the buffers the NIC reads and writes are the
 * kernel's (struct nic_dma, in the kernel image). A PCnet has one receive
 * ring, and whose a frame is can only be decided once it is in memory, so a
 * frame cannot be DMAed into its owner's page: it lands in a kernel buffer,
 * the owner is found (the filters), and the frame is copied into a buffer
 * its owner posted (a byte range of a page it holds, named by a read-write
 * capability). No environment's page is ever given to the NIC, so nothing
 * the NIC does can reach a page after its owner lets go of it, and nothing
 * one environment posts can receive another's frame. Transmit copies the
 * frame from the caller's page (capability checked, page held) into a
 * transmit buffer. Descriptors and the init block are written and read
 * uncached (kseg1); buffers are cached (kseg0) and the data cache is written
 * back before the NIC reads one and invalidated before the NIC writes one
 * and before the CPU reads what it wrote (QEMU models no caches; a board
 * does).
 *
 * Demultiplexing: dynamic packet filters (dpf.c), conjunctions of atoms
 * over the frame that may not overlap; all of a NIC's are merged into one
 * decision tree, a dcode program compiled to MIPS (dc_compile) whenever one
 * is added or removed. A frame no DPF filter accepts goes to the interim
 * filters of the first step: one dcode program per environment per NIC,
 * interpreted, tried in installation order, the first that returns nonzero
 * owns the frame. Frames no filter claims are dropped and counted. A frame a
 * DPF filter accepts goes first to that filter's ASH, if it has one (ash.c),
 * which may keep it from the posted buffers and send a reply at once.
 *
 * Notification: an environment may name a word in one of its pages
 * (net_notify); the kernel adds one to it for every frame it delivers to
 * that environment, so a wakeup predicate can sleep until it changes.
 */
#include "defs.h"
#include "dpf.h"

#define RX_LOG2   4
#define TX_LOG2   3
#define NRX       (1u << RX_LOG2)
#define NTX       (1u << TX_LOG2)
#define BUF_SIZE  1536                 /* a whole frame, FCS included; cache-line multiple */

/* I/O registers (word I/O mode). */
#define R_APROM   0x00
#define R_RDP     0x10
#define R_RAP     0x12
#define R_RESET   0x14
#define R_BDP     0x16
#define R_RESET32 0x18                 /* the reset register in 32-bit I/O mode */

/* CSR0. */
#define CSR0_INIT 0x0001
#define CSR0_STRT 0x0002
#define CSR0_STOP 0x0004
#define CSR0_TDMD 0x0008
#define CSR0_IENA 0x0040
#define CSR0_INTR 0x0080
#define CSR0_IDON 0x0100
#define CSR0_TINT 0x0200
#define CSR0_RINT 0x0400
#define CSR0_MERR 0x0800
#define CSR0_MISS 0x1000
#define CSR0_CERR 0x2000
#define CSR0_BABL 0x4000
#define CSR0_ACK  (CSR0_IDON | CSR0_TINT | CSR0_RINT | CSR0_MERR | CSR0_MISS | CSR0_CERR | CSR0_BABL)
#define CSR3_IDONM 0x0100             /* no interrupt for init done: polled */
#define BCR20_SWSTYLE32 2

/* Descriptor word 1 (RMD1/TMD1) and word 2. */
#define D_OWN     0x80000000u
#define D_ERR     0x40000000u
#define D_STP     0x02000000u
#define D_ENP     0x01000000u
#define D_ONES    0x0000f000u
#define D_BCNT(n) ((0u - (u32)(n)) & 0xfffu)
#define RMD2_MCNT(w) ((w) & 0xfffu)

struct desc { u32 addr, ctl, misc, user; };
struct initblk {
	u16 mode;
	u8 rlen, tlen;                 /* log2 of the ring sizes, in bits 7:4 */
	u16 padr[3];
	u16 res;
	u16 ladrf[4];
	u32 rdra, tdra;
};

/* What one NIC reads and writes by DMA. */
struct nic_dma {
	struct desc rx[NRX];
	struct desc tx[NTX];
	struct initblk ib;
	u8 rxbuf[NRX][BUF_SIZE] __attribute__((aligned(32)));
	u8 txbuf[NTX][BUF_SIZE] __attribute__((aligned(32)));
};
static struct nic_dma dma[NET_MAXNIC] __attribute__((aligned(32)));

struct nic {
	u32 io;                        /* I/O port base (BAR0) */
	u32 dev;                       /* PCI device number on bus 0 */
	u8 mac[6];
	volatile struct desc *rxd, *txd;   /* the rings, through kseg1 */
	u32 rx_next;                   /* next receive descriptor to look at */
	u32 tx_next, tx_done;          /* transmit: next to fill, oldest not reclaimed */
	u8 order[NENV];                /* slots with a filter, in installation order */
	u32 nfilt;
	struct net_info st;            /* counters (mac and nnic filled by net_info) */
};
static struct nic nics[NET_MAXNIC];
static u32 nnic;

/* A posted receive buffer: [off, off + len) of page ppn, whose CAP_RW
 * secret was check when it was posted. */
struct post {
	u32 ppn, check;                /* check: page_identity when posted */
	u16 off, len;
	bool ring;                     /* net_post_ring: reused once its word is cleared */
};
struct netenv {
	struct dc_insn prog[NET_MAXNIC][NET_FILTER_MAXINSNS];
	u8 nprog[NET_MAXNIC];          /* 0: no filter */
	struct post post[NET_MAXNIC][NET_MAXPOST];
	u8 head[NET_MAXNIC], npost[NET_MAXNIC];  /* a ring of posted buffers */
	bool notify;                   /* the counter word: */
	u32 nppn, ncheck, noff;
};
static struct netenv netenv[NENV];

/* The packet filters: a table per NIC and one attached to no NIC
 * (DPF_NONIC, for net_demux), the owner (env slot + 1) of each filter, and
 * each table's merged tree compiled (NULL: it accepts nothing). */
#define DPF_NTAB (NET_MAXNIC + 1)
#define DPF_CODE_WORDS DC_CODE_WORDS(DPF_MAXPROG)
static struct dpf_table dpft[DPF_NTAB];
static u8 dpf_owner[DPF_NTAB][DPF_MAXFILT];
static u32 dpf_code[DPF_NTAB][DPF_CODE_WORDS] __attribute__((aligned(32)));
static dc_fn dpf_fn[DPF_NTAB];

u32 user_intr_mask = ST_IM_TIMER;

/* ---- registers ---- */

static u16 csr_read(const struct nic *n, u32 r)
{
	io_out16(n->io + R_RAP, (u16)r);
	return io_in16(n->io + R_RDP);
}

static void csr_write(const struct nic *n, u32 r, u16 v)
{
	io_out16(n->io + R_RAP, (u16)r);
	io_out16(n->io + R_RDP, v);
}

static void bcr_write(const struct nic *n, u32 r, u16 v)
{
	io_out16(n->io + R_RAP, (u16)r);
	io_out16(n->io + R_BDP, v);
}

static void *uncached(void *kva) { return (void *)(uintptr_t)(PADDR(kva) | KSEG1); }

/* ---- set-up ---- */

static bool nic_start(struct nic *n, struct nic_dma *m)
{
	(void)io_in32(n->io + R_RESET32);             /* a read resets the chip: in */
	(void)io_in16(n->io + R_RESET);               /* 32-bit I/O mode, or in 16-bit */
	for (int i = 0; i < 6; i++)
		n->mac[i] = io_in8(n->io + R_APROM + (u32)i);
	bcr_write(n, 20, BCR20_SWSTYLE32);
	dcache_wbinv(m, sizeof *m);                    /* nothing of it left in the cache */
	n->rxd = uncached(m->rx);
	n->txd = uncached(m->tx);
	for (u32 k = 0; k < NRX; k++) {
		n->rxd[k].addr = PADDR(m->rxbuf[k]);
		n->rxd[k].misc = 0;
		n->rxd[k].user = 0;
		n->rxd[k].ctl = D_OWN | D_ONES | D_BCNT(BUF_SIZE);
	}
	for (u32 k = 0; k < NTX; k++) {
		n->txd[k].addr = PADDR(m->txbuf[k]);
		n->txd[k].misc = n->txd[k].user = 0;
		n->txd[k].ctl = 0;
	}
	volatile struct initblk *ib = uncached(&m->ib);
	ib->mode = 0;                                  /* own address and broadcast */
	ib->rlen = RX_LOG2 << 4;
	ib->tlen = TX_LOG2 << 4;
	for (int i = 0; i < 3; i++)
		ib->padr[i] = (u16)(n->mac[2 * i] | n->mac[2 * i + 1] << 8);
	ib->res = 0;
	for (int i = 0; i < 4; i++)
		ib->ladrf[i] = 0;                      /* no multicast */
	ib->rdra = PADDR(m->rx);
	ib->tdra = PADDR(m->tx);
	__asm__ volatile("sync" ::: "memory");
	u32 iba = PADDR(&m->ib);
	csr_write(n, 1, (u16)iba);
	csr_write(n, 2, (u16)(iba >> 16));
	csr_write(n, 3, CSR3_IDONM);
	csr_write(n, 0, CSR0_INIT);
	for (int i = 0; i < 100000; i++)               /* bounded: QEMU is done at once */
		if (csr_read(n, 0) & CSR0_IDON) {
			csr_write(n, 0, CSR0_IDON | CSR0_STRT | CSR0_IENA);
			n->rx_next = n->tx_next = n->tx_done = 0;
			return true;
		}
	csr_write(n, 0, CSR0_STOP);
	return false;
}

/* Compile table t's merged tree (checked again first: dc_compile is given
 * only programs dc_check accepts). Returns 0, or a negative error with the
 * table then accepting nothing until it compiles again. */
static int dpf_recompile(u32 t)
{
	struct dpf_table *tab = &dpft[t];
	dpf_fn[t] = NULL;
	if (tab->nprog == 0 || dc_check(tab->prog, tab->nprog, &dpf_rules) < 0)
		return -E_INVAL;
	int words = dc_compile(tab->prog, tab->nprog, dpf_code[t], DPF_CODE_WORDS);
	if (words < 0)
		return words;
	dpf_fn[t] = dc_install(dpf_code[t], (u32)words);
	return 0;
}

/* The id + 1 of the filter of table t that accepts frame[0..len-1], or 0:
 * the compiled tree, or (mode) the tree interpreted or the filters one by
 * one. */
static u32 dpf_run(u32 t, u32 mode, const u8 *frame, u32 len)
{
	if (mode == DPF_DEMUX_TREE)
		return dpf_tree_interp(&dpft[t], frame, len);
	if (mode == DPF_DEMUX_LINEAR)
		return dpf_linear(&dpft[t], frame, len);
	if (!dpf_fn[t])
		return 0;
	u32 lenword = len;
	struct dc_win w[2] = { { (uintptr_t)frame, len }, { (uintptr_t)&lenword, 4 } };
	return (u32)dpf_fn[t](w);
}

void nic_init(void)
{
	dcache_init();
	for (u32 t = 0; t < DPF_NTAB; t++) {
		dpf_init(&dpft[t]);
		dpf_recompile(t);
	}
	u32 io = 0;
	for (u32 dev = 0; dev < 32 && nnic < NET_MAXNIC; dev++) {
		if (pci_cfg_read(dev, 0, 0) != 0x20001022u)    /* AMD PCnet-PCI */
			continue;
		struct nic *n = &nics[nnic];
		if (!nnic)                      /* before any NIC can interrupt */
			pci_irq_route(NIC_IRQ);
		u32 bar = pci_cfg_read(dev, 0, 0x10);
		if (!(bar & ~3u)) {                            /* unassigned: give it one */
			if (!io)
				io = pci_io_top();
			pci_cfg_write(dev, 0, 0x10, io | 1);
			bar = io | 1;
			io += 0x100;
		}
		n->io = bar & 0xfffcu;
		n->dev = dev;
		u32 cmd = pci_cfg_read(dev, 0, 0x04) & 0xffff;
		pci_cfg_write(dev, 0, 0x04, (cmd | 0x0005) & ~0x0400u);  /* I/O, bus master, INTx on */
		u32 line = pci_cfg_read(dev, 0, 0x3c);           /* where INTx goes, for the record */
		pci_cfg_write(dev, 0, 0x3c, (line & ~0xffu) | NIC_IRQ);
		if (!nic_start(n, &dma[nnic])) {
			kprintf("[aegis] net: PCnet at 00:%02x.0 did not initialise\n", dev);
			continue;
		}
		kprintf("[aegis] net: nic %u: PCnet at 00:%02x.0, I/O %04x, "
			"%02x:%02x:%02x:%02x:%02x:%02x\n", nnic, dev, n->io,
			n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
		nnic++;
	}
	if (nnic) {
		user_intr_mask |= ST_IM_IP2;
		kprintf("[aegis] net: data cache %u KiB, %u-way, %u-byte lines%s\n",
			dway * dways / 1024, dways, dline,
			dway > PAGE_SIZE ? " (a way exceeds a page: user lines synced by index)" : "");
	}
}

/* ---- receive ---- */

/* Is the posted buffer p still a page slot holds, with the secret it was
 * posted with (not freed and reused since)? */
static bool post_valid(const struct post *p, int slot)
{
	return page_still_held(p->ppn, slot, p->check);
}

void nic_notify(int slot)
{
	struct netenv *ne = &netenv[slot];
	if (!ne->notify)
		return;
	if (!page_still_held(ne->nppn, slot, ne->ncheck)) {
		ne->notify = false;                      /* the page went away */
		return;
	}
	u32 pa = ne->nppn * PAGE_SIZE + ne->noff;
	volatile u32 *w = KADDR(pa);
	dcache_user_sync(pa, 4);                 /* the owner's last write of it reaches memory */
	*w += 1;
	dcache_user_sync(pa, 4);                 /* and the owner reads the new value */
}

/* Copy the frame into slot's oldest valid posted buffer on nic ni. A ring
 * buffer (net_post_ring) whose owner has not yet cleared NET_RX_DONE in its
 * word still holds a frame: the new one is dropped, as for want of a
 * buffer, and the ring stays as it is (the owner takes frames in in the
 * ring's order). */
static void deliver(struct nic *n, u32 ni, int slot, const u8 *frame, u32 len)
{
	struct netenv *ne = &netenv[slot];
	while (ne->npost[ni]) {
		struct post p = ne->post[ni][ne->head[ni]];
		if (!post_valid(&p, slot)) {               /* let go of since: forget it */
			ne->head[ni] = (u8)((ne->head[ni] + 1) % NET_MAXPOST);
			ne->npost[ni]--;
			continue;
		}
		u32 pa = p.ppn * PAGE_SIZE + p.off;
		u8 *b = KADDR(pa);
		u32 room = p.len - NET_RX_HDR, copy = len < room ? len : room;
		/* No dirty line of the owner's may later land on the frame, and
		 * the owner must read what the kernel wrote (and the kernel
		 * what the owner wrote in the word). */
		dcache_user_sync(pa, NET_RX_HDR + copy);
		if (p.ring && (*(volatile u32 *)b & NET_RX_DONE))
			break;                              /* not taken in yet */
		ne->head[ni] = (u8)((ne->head[ni] + 1) % NET_MAXPOST);
		if (p.ring)                                 /* to the end of the ring */
			ne->post[ni][(ne->head[ni] + ne->npost[ni] - 1) % NET_MAXPOST] = p;
		else
			ne->npost[ni]--;
		__builtin_memcpy(b + NET_RX_HDR, frame, copy);
		*(volatile u32 *)b = NET_RX_DONE | ni << 16 | len;   /* the frame first, then its word */
		dcache_user_sync(pa, NET_RX_HDR + copy);     /* both in memory before the owner runs */
		n->st.rx_frames++;
		nic_notify(slot);
		return;
	}
	n->st.rx_nobuf++;
}

static void demux(struct nic *n, u32 ni, const u8 *frame, u32 len)
{
	u32 id = dpf_run(ni, DPF_DEMUX_COMPILED, frame, len);
	if (id && id <= DPF_MAXFILT && dpf_owner[ni][id - 1]) {
		if (ash_arrive(ni, id - 1, frame, len))         /* its ASH first, if any */
			deliver(n, ni, dpf_owner[ni][id - 1] - 1, frame, len);
		return;
	}
	struct dc_win w[1] = { { (uintptr_t)frame, len } };
	for (u32 i = 0; i < n->nfilt; i++) {
		int slot = n->order[i];
		u64 r = dc_interp(netenv[slot].prog[ni], netenv[slot].nprog[ni], w);
		if (!(r >> 32) && (u32)r) {
			deliver(n, ni, slot, frame, len);
			return;
		}
	}
	n->st.rx_unclaimed++;
}

static void rx_poll(struct nic *n, u32 ni)
{
	struct nic_dma *m = &dma[ni];
	for (u32 k = 0; k < NRX; k++) {
		u32 i = n->rx_next;
		volatile struct desc *d = &n->rxd[i];
		u32 ctl = d->ctl;
		if (ctl & D_OWN)
			break;
		u32 mcnt = RMD2_MCNT(d->misc);         /* the frame and its FCS */
		if ((ctl & (D_ERR | D_STP | D_ENP)) != (D_STP | D_ENP) ||
		    mcnt < 4 + NET_FRAME_MIN || mcnt - 4 > NET_FRAME_MAX) {
			n->st.rx_errors++;
		} else {
			/* The CPU never writes a receive buffer, so its lines
			 * are never dirty: a line left from an earlier frame is
			 * clean and cannot land on what the NIC writes, and
			 * invalidating the lines about to be read (here, not the
			 * whole buffer after every frame) is all it needs. */
			dcache_inv(m->rxbuf[i], mcnt);
			demux(n, ni, m->rxbuf[i], mcnt - 4);
		}
		d->misc = 0;
		__asm__ volatile("sync" ::: "memory");
		d->ctl = D_OWN | D_ONES | D_BCNT(BUF_SIZE);
		n->rx_next = (i + 1) % NRX;
	}
}

static void tx_reclaim(struct nic *n)
{
	while (n->tx_done != n->tx_next) {
		u32 ctl = n->txd[n->tx_done % NTX].ctl;
		if (ctl & D_OWN)
			break;
		if (ctl & D_ERR)
			n->st.tx_errors++;
		n->tx_done++;
	}
}

/* Service every NIC: acknowledge its interrupt causes, take in what it
 * received, reclaim what it sent. Bounded: a few rounds per NIC. */
static void service(bool intr)
{
	for (u32 ni = 0; ni < nnic; ni++) {
		struct nic *n = &nics[ni];
		for (int round = 0; round < 4; round++) {
			u16 c = csr_read(n, 0);
			if (c & CSR0_ACK)
				csr_write(n, 0, (u16)((c & CSR0_ACK) | CSR0_IENA));
			if (c & CSR0_MISS)
				n->st.rx_missed++;
			if (intr && round == 0 && (c & CSR0_INTR))
				n->st.interrupts++;
			/* After the first round, only a new cause (a frame
			 * received or sent since the acknowledgment) leaves
			 * anything to do. */
			if (round > 0 && !(c & CSR0_INTR))
				break;
			rx_poll(n, ni);
			tx_reclaim(n);
			if (!(c & CSR0_INTR))
				break;
		}
	}
}

void nic_poll(void)
{
	service(false);
}

void nic_intr(void)
{
	pic_ack();
	service(true);
}

bool nic_receiving(void)
{
	for (u32 ni = 0; ni < nnic; ni++)
		if (nics[ni].nfilt || dpft[ni].n)
			return true;
	return false;
}

/* ---- environments ---- */

static void filter_remove(u32 ni, int slot)
{
	struct nic *n = &nics[ni];
	if (!netenv[slot].nprog[ni])
		return;
	netenv[slot].nprog[ni] = 0;
	u32 j = 0;
	for (u32 i = 0; i < n->nfilt; i++)
		if (n->order[i] != slot)
			n->order[j++] = n->order[i];
	n->nfilt = j;
}

/* Remove every filter slot owns from table t; recompile once. */
static void dpf_remove_owned(u32 t, int slot)
{
	u32 gone = 0;
	for (u32 id = 0; id < DPF_MAXFILT; id++)
		if (dpf_owner[t][id] == slot + 1) {
			ash_filter_gone(t, id);
			dpf_owner[t][id] = 0;
			dpf_del_nobuild(&dpft[t], id);
			gone++;
		}
	if (gone) {
		dpf_rebuild(&dpft[t]);
		dpf_recompile(t);
		limit_uncharge(&envs[slot], LIM_FILTERS, gone);
	}
}

u32 nic_count(void)
{
	return nnic;
}

int nic_filter_owner(u32 t, u32 id)
{
	return t < DPF_NTAB && id < DPF_MAXFILT ? dpf_owner[t][id] - 1 : -1;
}

u32 nic_filters_of(int slot)
{
	u32 n = 0;
	for (u32 t = 0; t < DPF_NTAB; t++)
		for (u32 id = 0; id < DPF_MAXFILT; id++)
			n += dpf_owner[t][id] == slot + 1;
	return n;
}

void nic_env_gone(struct env *e)
{
	int slot = env_slot(e);
	for (u32 t = 0; t < DPF_NTAB; t++)
		dpf_remove_owned(t, slot);
	for (u32 ni = 0; ni < NET_MAXNIC; ni++) {
		if (ni < nnic)
			filter_remove(ni, slot);
		netenv[slot].npost[ni] = netenv[slot].head[ni] = 0;
	}
	netenv[slot].notify = false;
}

bool nic_consistent(char *why, u32 len)
{
	for (u32 ni = 0; ni < nnic; ni++) {
		const struct nic *n = &nics[ni];
		if (n->nfilt > NENV) {
			lib_snprintf(why, len, "nic %u: %u filters", ni, n->nfilt);
			return false;
		}
		for (u32 i = 0; i < n->nfilt; i++) {
			int s = n->order[i];
			if (s >= NENV || envs[s].status == ENV_FREE || !netenv[s].nprog[ni]) {
				lib_snprintf(why, len, "nic %u: filter of slot %d, which has none or is dead", ni, s);
				return false;
			}
		}
	}
	for (u32 t = 0; t < DPF_NTAB; t++) {
		u32 n = 0;
		for (u32 id = 0; id < DPF_MAXFILT; id++) {
			u32 o = dpf_owner[t][id];
			if (!o != !dpft[t].used[id] || (o && (o > NENV || envs[o - 1].status == ENV_FREE))) {
				lib_snprintf(why, len, "dpf table %u: filter %u owned by %u", t, id, o);
				return false;
			}
			n += o != 0;
		}
		if (n != dpft[t].n || (n && !dpf_fn[t])) {
			lib_snprintf(why, len, "dpf table %u: %u filters, %u listed, %s", t, n,
				     dpft[t].n, dpf_fn[t] ? "compiled" : "not compiled");
			return false;
		}
	}
	for (int s = 0; s < NENV; s++) {
		for (u32 ni = 0; ni < NET_MAXNIC; ni++) {
			u32 np = netenv[s].npost[ni];
			if (np > NET_MAXPOST || (np && (ni >= nnic || envs[s].status == ENV_FREE))) {
				lib_snprintf(why, len, "slot %d: %u buffers posted on nic %u", s, np, ni);
				return false;
			}
			if (netenv[s].nprog[ni]) {
				bool found = false;
				for (u32 i = 0; ni < nnic && i < nics[ni].nfilt; i++)
					found |= nics[ni].order[i] == s;
				if (!found) {
					lib_snprintf(why, len, "slot %d: filter on nic %u not in its list", s, ni);
					return false;
				}
			}
		}
		if (netenv[s].notify && envs[s].status == ENV_FREE) {
			lib_snprintf(why, len, "slot %d: dead but has a notification word", s);
			return false;
		}
	}
	return true;
}

/* ---- system calls ---- */

static struct nic *nic_arg(u32 ni)
{
	return ni < nnic ? &nics[ni] : NULL;
}

/* net_info(nic, buf): copy NIC nic's station address and counters (struct
 * net_info, abi.h) to buf. Returns the number of NICs. -E_INVAL: no such
 * NIC; -E_FAULT: buf not writable user memory. */
u32 sys_net_info(struct trapframe *tf)
{
	struct nic *n = nic_arg(tf->regs[R_A0]);
	if (!n)
		return (u32)-E_INVAL;
	struct net_info info = n->st;
	for (int i = 0; i < 6; i++)
		info.mac[i] = n->mac[i];
	info.nnic = (u16)nnic;
	u32 buf = tf->regs[R_A1];
	if (!user_range_ok(buf, sizeof info) || copyout(buf, &info, sizeof info) < 0)
		return (u32)-E_FAULT;
	return nnic;
}

/* net_filter(nic, prog, n): install the caller's filter for NIC nic: a
 * dcode program of n instructions (1..NET_FILTER_MAXINSNS) over window 0,
 * the frame (read-only). It replaces the caller's previous filter there and
 * goes to the end of the order. n = 0 removes the caller's filter. -E_INVAL:
 * no such NIC, n out of range, or the checker refused the program; -E_FAULT:
 * prog not readable. */
u32 sys_net_filter(struct trapframe *tf)
{
	u32 ni = tf->regs[R_A0], uprog = tf->regs[R_A1], cnt = tf->regs[R_A2];
	struct nic *n = nic_arg(ni);
	int slot = env_slot(curenv);
	if (!n || cnt > NET_FILTER_MAXINSNS)
		return (u32)-E_INVAL;
	if (cnt == 0) {
		filter_remove(ni, slot);
		return 0;
	}
	struct dc_insn prog[NET_FILTER_MAXINSNS];
	if (!user_range_ok(uprog, cnt * (u32)sizeof prog[0]) ||
	    copyin(prog, uprog, cnt * (u32)sizeof prog[0]) < 0)
		return (u32)-E_FAULT;
	struct dc_rules rules = { NET_FILTER_MAXINSNS, 1, { DC_R }, 0 };
	if (dc_check(prog, cnt, &rules) < 0)
		return (u32)-E_INVAL;
	filter_remove(ni, slot);
	for (u32 i = 0; i < cnt; i++)
		netenv[slot].prog[ni][i] = prog[i];
	netenv[slot].nprog[ni] = (u8)cnt;
	n->order[n->nfilt++] = (u8)slot;
	return 0;
}

/* A DPF table argument: a NIC, or DPF_NONIC; -1 if neither. */
static int dpf_table_arg(u32 t)
{
	return t < nnic || t == DPF_NONIC ? (int)t : -1;
}

/* net_dpf_add(nic, filter): install a packet filter (struct dpf_filter,
 * abi.h) for the caller on NIC nic (or the table DPF_NONIC). Returns its id
 * (0..DPF_MAXFILT-1). -E_INVAL: no such NIC, or a malformed filter
 * (dpf_check); -E_FAULT: filter not readable; -E_BUSY: it may accept a
 * frame an installed filter (anyone's) accepts; -E_QUOTA: over the
 * caller's LIM_FILTERS budget (the filter is charged to it and its
 * ancestors until removed, or it ends); -E_NOMEM: the table is full, or the
 * merged tree would be too long. */
u32 sys_net_dpf_add(struct trapframe *tf)
{
	int t = dpf_table_arg(tf->regs[R_A0]);
	u32 uf = tf->regs[R_A1];
	struct dpf_filter f;
	if (t < 0)
		return (u32)-E_INVAL;
	if (!user_range_ok(uf, sizeof f) || copyin(&f, uf, sizeof f) < 0)
		return (u32)-E_FAULT;
	int q = limit_charge(curenv, LIM_FILTERS, 1);   /* its budget first */
	if (q < 0)
		return (u32)q;
	int id = dpf_add(&dpft[t], &f);
	if (id >= 0 && dpf_recompile((u32)t) < 0) {  /* too long for dc_compile */
		dpf_del(&dpft[t], (u32)id);
		dpf_recompile((u32)t);
		id = -E_NOMEM;
	}
	if (id < 0) {
		limit_uncharge(curenv, LIM_FILTERS, 1);
		return (u32)id;
	}
	dpf_owner[t][id] = (u8)(env_slot(curenv) + 1);
	return (u32)id;
}

/* net_dpf_del(nic, id): remove the caller's filter id from NIC nic's table.
 * -E_INVAL: no such NIC or id, or the filter is not the caller's. */
u32 sys_net_dpf_del(struct trapframe *tf)
{
	int t = dpf_table_arg(tf->regs[R_A0]);
	u32 id = tf->regs[R_A1];
	if (t < 0 || id >= DPF_MAXFILT || dpf_owner[t][id] != env_slot(curenv) + 1)
		return (u32)-E_INVAL;
	ash_filter_gone((u32)t, id);
	dpf_owner[t][id] = 0;
	dpf_del(&dpft[t], id);
	dpf_recompile((u32)t);
	limit_uncharge(curenv, LIM_FILTERS, 1);
	return 0;
}

/* net_demux(nic | mode << 8 | reps << 16, capname, capcheck, off_len):
 * classify the frame at [off, off + len) of a page the caller holds (any
 * valid capability), 1 <= len <= NET_FRAME_MAX, with NIC nic's filters (or
 * table DPF_NONIC's), reps times (1..DPF_DEMUX_MAXREPS; in mode
 * DPF_DEMUX_TREE at most DPF_DEMUX_MAXINTERP, and in mode DPF_DEMUX_LINEAR
 * reps times the filters installed at most DPF_DEMUX_MAXLINEAR, so that one
 * call is short whatever filters are installed: the kernel is not
 * preempted, and an interpreted tree's path can be DPF_MAXPROG dcode
 * instructions), without the NIC: mode
 * DPF_DEMUX_COMPILED runs the compiled tree, DPF_DEMUX_TREE its dcode
 * program interpreted, DPF_DEMUX_LINEAR the filters one by one. Returns the
 * id + 1 of the filter that accepts it, or 0. For tests and the benchmark.
 * -E_INVAL: a bad nic, mode, reps or range; -E_BADCAP; -E_PERM. */
_Static_assert(DPF_DEMUX_MAXINTERP * DPF_MAXPROG <= 1 << 18,
	       "an interpreted net_demux runs at most 2^18 dcode instructions");
u32 sys_net_demux(struct trapframe *tf)
{
	u32 a0 = tf->regs[R_A0], mode = (a0 >> 8) & 0xff, reps = a0 >> 16;
	int t = dpf_table_arg(a0 & 0xff);
	u32 off_len = tf->regs[R_A3];
	if (t < 0 || mode > DPF_DEMUX_LINEAR || reps == 0 || reps > DPF_DEMUX_MAXREPS ||
	    (mode == DPF_DEMUX_TREE && reps > DPF_DEMUX_MAXINTERP) ||
	    (mode == DPF_DEMUX_LINEAR && reps * (dpft[t].n + 1) > DPF_DEMUX_MAXLINEAR))
		return (u32)-E_INVAL;
	int ppn = page_range(tf->regs[R_A1], tf->regs[R_A2], CAP_R, off_len, 1, NET_FRAME_MAX, 1);
	if (ppn < 0)
		return (u32)ppn;
	u32 pa = (u32)ppn * PAGE_SIZE + (off_len >> 16), len = off_len & 0xffff, r = 0;
	dcache_user_sync(pa, len);
	for (u32 i = 0; i < reps; i++)
		r = dpf_run((u32)t, mode, (const u8 *)KADDR(pa), len);
	return r;
}

/* Post a receive buffer (net_post, or net_post_ring if ring): below. */
static u32 post_buffer(struct trapframe *tf, bool ring)
{
	u32 ni = tf->regs[R_A0];
	if (!nic_arg(ni))
		return (u32)-E_INVAL;
	int ppn = page_range(tf->regs[R_A1], tf->regs[R_A2], CAP_RW, tf->regs[R_A3],
			     NET_RX_MIN, PAGE_SIZE, 4);
	if (ppn < 0)
		return (u32)ppn;
	struct netenv *ne = &netenv[env_slot(curenv)];
	if (ne->npost[ni] >= NET_MAXPOST)
		return (u32)-E_NOMEM;
	u32 off_len = tf->regs[R_A3];
	struct post *p = &ne->post[ni][(ne->head[ni] + ne->npost[ni]) % NET_MAXPOST];
	p->ppn = (u32)ppn;
	p->check = page_identity((u32)ppn);    /* a derived capability serves as well */
	p->off = (u16)(off_len >> 16);
	p->len = (u16)(off_len & 0xffff);
	p->ring = ring;
	return ++ne->npost[ni];
}

/* net_post(nic, capname, capcheck, off_len): post a receive buffer for NIC
 * nic: bytes [off, off + len) of a page the caller holds, named by a
 * read-write capability (off a multiple of 4, NET_RX_MIN <= len). The next
 * frame the caller's filter claims is copied there (as much of it as fits,
 * at off + NET_RX_HDR) and the word at off is then set to NET_RX_DONE | nic
 * << 16 | the frame's length; buffers are used in the order posted, once.
 * Returns how many buffers are posted now. -E_INVAL: no such NIC, or off/len
 * out of range; -E_BADCAP: not a valid read-write capability; -E_PERM: the
 * caller does not hold the page; -E_NOMEM: NET_MAXPOST already posted. */
u32 sys_net_post(struct trapframe *tf)
{
	return post_buffer(tf, false);
}

/* net_post_ring(nic, capname, capcheck, off_len): as net_post, but the
 * buffer stays posted: once a frame has been delivered into it, it goes to
 * the end of the caller's buffers for nic, and the next frame that reaches
 * it there is delivered into it only if the caller has cleared NET_RX_DONE
 * in its word (the frame taken in); otherwise that frame is dropped
 * (counted in rx_nobuf) and the buffer waits. A library OS that reads its
 * frames in order need not post each buffer again. Validity is re-checked at
 * each delivery as for net_post (the same allocation of the page, still
 * held); net_unpost takes it back. Same results and errors as net_post. */
u32 sys_net_post_ring(struct trapframe *tf)
{
	return post_buffer(tf, true);
}

/* net_unpost(nic): take back every receive buffer the caller posted for NIC
 * nic. Returns how many there were. -E_INVAL: no such NIC. */
u32 sys_net_unpost(struct trapframe *tf)
{
	u32 ni = tf->regs[R_A0];
	if (!nic_arg(ni))
		return (u32)-E_INVAL;
	struct netenv *ne = &netenv[env_slot(curenv)];
	u32 had = ne->npost[ni];
	ne->npost[ni] = ne->head[ni] = 0;
	return had;
}

int nic_send(u32 ni, const u8 *frame, u32 len)
{
	struct nic *n = &nics[ni];
	tx_reclaim(n);
	if (n->tx_next - n->tx_done >= NTX)
		return -E_AGAIN;
	u32 i = n->tx_next % NTX, slen = len < 60 ? 60 : len;
	u8 *b = dma[ni].txbuf[i];
	__builtin_memcpy(b, frame, len);
	/* The source address is checked on the kernel's copy, which the
	 * sender can no longer change: every frame leaves with this NIC's own
	 * station address, so no environment can pose as another host on the
	 * wire. Above the link layer the kernel knows no protocol. */
	for (u32 k = 0; k < 6; k++)
		if (b[6 + k] != n->mac[k]) {
			n->st.tx_refused++;
			return -E_PERM;
		}
	for (u32 k = len; k < slen; k++)
		b[k] = 0;
	dcache_wb(b, slen);
	volatile struct desc *d = &n->txd[i];
	d->misc = 0;
	__asm__ volatile("sync" ::: "memory");
	d->ctl = D_OWN | D_STP | D_ENP | D_ONES | D_BCNT(slen);
	__asm__ volatile("sync" ::: "memory");
	n->tx_next++;
	n->st.tx_frames++;
	csr_write(n, 0, CSR0_TDMD | CSR0_IENA);
	return 0;
}

/* net_tx(nic, capname, capcheck, off_len): send the frame at [off, off +
 * len) of a page the caller holds (any valid capability for it), as it is
 * (destination, source, type and payload; the NIC adds the FCS; frames
 * shorter than 60 bytes are padded with zeros). NET_FRAME_MIN <= len <=
 * NET_FRAME_MAX. -E_INVAL: no such NIC, or off/len out of range;
 * -E_BADCAP; -E_PERM: the caller does not hold the page, or the frame's
 * source address (bytes 6..11) is not the NIC's own; -E_AGAIN: the
 * transmit ring is full (try again). */
u32 sys_net_tx(struct trapframe *tf)
{
	u32 ni = tf->regs[R_A0];
	if (!nic_arg(ni))
		return (u32)-E_INVAL;
	u32 off_len = tf->regs[R_A3];
	int ppn = page_range(tf->regs[R_A1], tf->regs[R_A2], CAP_R, off_len,
			     NET_FRAME_MIN, NET_FRAME_MAX, 1);
	if (ppn < 0)
		return (u32)ppn;
	u32 pa = (u32)ppn * PAGE_SIZE + (off_len >> 16), len = off_len & 0xffff;
	dcache_user_sync(pa, len);                /* what the caller wrote, from memory */
	ash_progress();                           /* an environment's own frame */
	int r = nic_send(ni, (const u8 *)KADDR(pa), len);
	/* An interrupt already pending (a frame this one caused on a wire
	 * between two of this board's NICs, which QEMU delivers during the
	 * send) is served now, as trap() would serve it on the kernel entry
	 * that would follow at once on the way out, without that entry. */
	if (mfc0(C0_CAUSE, 0) & CAUSE_IP2)
		io_intr(tf->epc);
	return (u32)r;
}

/* net_notify(capname, capcheck, off): the word at off (a multiple of 4) of
 * a page the caller holds, named by a read-write capability, is incremented
 * for every frame delivered to the caller (on any NIC). capname = capcheck
 * = 0: none. -E_INVAL: off out of range; -E_BADCAP; -E_PERM: not held. */
u32 sys_net_notify(struct trapframe *tf)
{
	u32 name = tf->regs[R_A0], check = tf->regs[R_A1], off = tf->regs[R_A2];
	struct netenv *ne = &netenv[env_slot(curenv)];
	if (name == 0 && check == 0) {
		ne->notify = false;
		return 0;
	}
	if (off >= PAGE_SIZE)
		return (u32)-E_INVAL;
	int ppn = page_range(name, check, CAP_RW, off << 16 | 4, 4, 4, 4);
	if (ppn < 0)
		return (u32)ppn;
	ne->nppn = (u32)ppn;
	ne->ncheck = page_identity((u32)ppn);
	ne->noff = off;
	ne->notify = true;
	return 0;
}
