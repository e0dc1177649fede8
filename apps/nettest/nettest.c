/*
 * nettest: the network tests, run as the first environment by `make test`
 * (init=nettest kcheck) on a board with two PCnet NICs joined by a QEMU hub
 * (tools/qemu.py nics()): a frame sent on NIC 0 arrives on NIC 1. Prints
 * KTAP: subtest "nettest", one result per test; after every test the
 * kernel's invariant checker must find nothing inconsistent. Started with a
 * nonzero argument, the same program is one of the children (a receiver, or
 * an environment that leaves with buffers posted).
 */
#include "../utest/utest.h"
#include "../utest/kids.h"
#include "dpf.h"          /* dpf_random_filter, dpf_random_frame (dpf_rand.c) */

int failed_checks;

#define BOX_VA        0x00006000u       /* the shared page in a child */
#define PARENT_BOX_VA 0x30f00000u       /* ... and in the suite */
#define BUF_VA        0x31000000u       /* pages frames are sent from or land in */
#define ETYPE_TEST    0x88b5            /* IEEE local experimental EtherType */
#define ETYPE_OTHER   0x88b6
#define NFRAMES       8
#define SLOT          512               /* receive buffers: 8 to a page */
#define SECOND        160000000u        /* CP0 Count ticks (160 MHz) */

struct box {
	volatile u32 step;
	volatile u32 ppn, check;          /* a child's page, for the attacks */
	volatile u32 errors;              /* what a child found wrong */
	volatile u32 got;                 /* frames a child received */
	volatile u32 word[16];
};
static struct box *box = (struct box *)PARENT_BOX_VA;
static u32 box_ppn, box_check;

enum { C_RECEIVER = 1, C_LEAVER, C_UNREF, C_HOLDER, C_SLOW, C_PORT_OWNER, C_DPF_LEAVER, C_DPF_HOG,
       C_NOTIFY_UNREF };
#define PORT_VICTIM 7                   /* the UDP port C_PORT_OWNER claims */

static const u8 mac0[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8 mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

static int child_spawn(u32 mode)
{
	return kid_spawn("nettest", mode, BOX_VA, box_ppn, box_check);
}

/* Filter: destination mac, EtherType type. */
static unsigned filter_for(struct dc_insn *p, const u8 *mac, u32 type)
{
	const struct dc_insn prog[] = {
		DC_INSN(DC_LDWNA, 1, 0, 0, 0),
		DC_INSN(DC_JNEI, 1, 0, 5, (u32)mac[0] << 24 | mac[1] << 16 | mac[2] << 8 | mac[3]),
		DC_INSN(DC_LDHNA, 1, 0, 0, 4),
		DC_INSN(DC_JNEI, 1, 0, 3, (u32)mac[4] << 8 | mac[5]),
		DC_INSN(DC_LDHNA, 1, 0, 0, 12),
		DC_INSN(DC_JNEI, 1, 0, 1, type),
		DC_INSN(DC_RETI, 0, 0, 0, 1),
		DC_INSN(DC_RETI, 0, 0, 0, 0),
	};
	for (unsigned i = 0; i < sizeof prog / sizeof prog[0]; i++)
		p[i] = prog[i];
	return sizeof prog / sizeof prog[0];
}

static const struct dc_insn accept_all[] = { DC_INSN(DC_RETI, 0, 0, 0, 1) };

/* The byte at i of test frame seq. */
static u8 pattern(u32 seq, u32 i) { return (u8)(seq * 37 + i * 7 + 1); }
static u32 frame_len(u32 seq) { return 60 + 57 * seq; }

/* Write frame seq (to dst, EtherType type, len bytes) at p; len. */
static u32 make_frame_len(u8 *p, const u8 *dst, u32 type, u32 seq, u32 len)
{
	for (int i = 0; i < 6; i++) {
		p[i] = dst[i];
		p[6 + i] = mac0[i];
	}
	p[12] = (u8)(type >> 8);
	p[13] = (u8)type;
	for (u32 i = 14; i < len; i++)
		p[i] = pattern(seq, i);
	return len;
}

static u32 make_frame(u8 *p, const u8 *dst, u32 type, u32 seq)
{
	return make_frame_len(p, dst, type, seq, frame_len(seq));
}

/* ---- children ---- */

/* Receive NFRAMES frames of ours on NIC 1 into 8 buffers of one page, and
 * one full-size frame into a second page; check every byte. */
static int receiver(void)
{
	struct box *b = (struct box *)BOX_VA;
	u32 ppn, check, ppn2, check2;
	if (!new_page(BUF_VA, &ppn, &check) || !new_page(BUF_VA + PAGE_SIZE, &ppn2, &check2))
		return 90;
	if (exos_dpf_ether(1, mac1, ETYPE_TEST) < 0)
		return 91;
	for (u32 k = 0; k < NFRAMES; k++)
		if (sys_net_post(1, CAP_NAME(ppn, CAP_RW), check, NET_OFFLEN(k * SLOT, SLOT)) != (int)k + 1)
			return 92;
	if (sys_net_post(1, CAP_NAME(ppn2, CAP_RW), check2, NET_OFFLEN(0, PAGE_SIZE)) != NFRAMES + 1)
		return 93;
	/* The notification word: the last word of the second page. */
	volatile u32 *counter = (volatile u32 *)(BUF_VA + 2 * PAGE_SIZE - 4);
	if (sys_net_notify(CAP_NAME(ppn2, CAP_RW), check2, PAGE_SIZE - 4) != 0)
		return 94;
	b->step = 1;
	for (u32 i = 0; i < 40 && *counter < NFRAMES + 1; i++)
		sleep_until_changed(counter, CAP_NAME(ppn2, CAP_RW), check2, *counter, SECOND / 4);
	b->got = *counter;
	u32 errors = 0;
	for (u32 k = 0; k <= NFRAMES; k++) {
		const volatile u8 *buf = k < NFRAMES ? (const volatile u8 *)(BUF_VA + k * SLOT)
						     : (const volatile u8 *)(BUF_VA + PAGE_SIZE);
		u32 hdr = *(const volatile u32 *)buf;
		u32 want = k < NFRAMES ? frame_len(k) : NET_FRAME_MAX;
		u32 seq = k < NFRAMES ? k : 99;
		if (hdr != (NET_RX_DONE | 1u << 16 | want)) {
			printf("    # receiver: buffer %u: header %08x, want %08x\n", k, hdr,
			       NET_RX_DONE | 1u << 16 | want);
			errors++;
			continue;
		}
		const volatile u8 *fr = buf + NET_RX_HDR;
		u32 bad = 0;
		for (int i = 0; i < 6; i++)
			bad += (fr[i] != mac1[i]) + (fr[6 + i] != mac0[i]);
		bad += fr[12] != (ETYPE_TEST >> 8) || fr[13] != (ETYPE_TEST & 0xff);
		for (u32 i = 14; i < want; i++)
			bad += fr[i] != pattern(seq, i);
		if (bad) {
			printf("    # receiver: frame %u: %u bytes wrong\n", k, bad);
			errors++;
		}
	}
	b->errors = errors;
	b->step = 2;
	return 0;
}

/* Install a filter that takes everything on NIC 1 and post 16 buffers in
 * one page; then leave (C_LEAVER: exit; C_UNREF: let go of the page and
 * wait, still alive, with its filter, until the suite says done). */
static int poster(u32 mode)
{
	struct box *b = (struct box *)BOX_VA;
	u32 ppn, check;
	if (!new_page(BUF_VA, &ppn, &check))
		return 90;
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		((volatile u32 *)BUF_VA)[i] = 0;
	if (sys_net_filter(1, accept_all, 1) != 0)
		return 91;
	for (u32 k = 0; k < NET_MAXPOST; k++)
		if (sys_net_post(1, CAP_NAME(ppn, CAP_RW), check, NET_OFFLEN(k * 256, 256)) != (int)k + 1)
			return 92;
	b->ppn = ppn;
	b->check = check;
	return kid_leave(BUF_VA, mode == C_UNREF, &b->step);
}

/* Claim frames of EtherType ETYPE_OTHER on NIC 1, post two buffers and
 * never read them, until told. */
static int slow_reader(void)
{
	struct box *b = (struct box *)BOX_VA;
	u32 ppn, check;
	if (!new_page(BUF_VA, &ppn, &check))
		return 90;
	if (exos_dpf_ether(1, mac1, ETYPE_OTHER) < 0)
		return 91;
	for (u32 k = 0; k < 2; k++)
		if (sys_net_post(1, CAP_NAME(ppn, CAP_RW), check, NET_OFFLEN(k * 2048, 2048)) != (int)k + 1)
			return 92;
	b->step = 1;
	wait_step(&b->step, 2, 100000);
	const volatile u32 *w = (const volatile u32 *)BUF_VA;
	return w[0] == (NET_RX_DONE | 1u << 16 | frame_len(0)) &&
	       w[2048 / 4] == (NET_RX_DONE | 1u << 16 | frame_len(1)) ? 0 : 95;
}

/* Write an IPv4 UDP frame to mac1, port port, IP header ihl words long, at
 * p; its length (80). */
static u32 udp_frame(u8 *p, u32 port, u32 ihl)
{
	u32 len = make_frame_len(p, mac1, 0x0800, 7, 80);
	p[14] = (u8)(0x40 | ihl);
	p[23] = 17;
	p[14 + 4 * ihl + 2] = (u8)(port >> 8);
	p[14 + 4 * ihl + 3] = (u8)port;
	return len;
}

/* Claim UDP port PORT_VICTIM on NIC 1 (ExOS's DPF filter), post one buffer,
 * publish the filter's id; when told, check that the frame came. */
static int port_owner(void)
{
	struct box *b = (struct box *)BOX_VA;
	u32 ppn, check;
	if (!new_page(BUF_VA, &ppn, &check))
		return 90;
	int id = exos_dpf_port(1, 17, PORT_VICTIM);
	if (id < 0)
		return 91;
	if (sys_net_post(1, CAP_NAME(ppn, CAP_RW), check, NET_OFFLEN(0, 2048)) != 1)
		return 92;
	b->word[0] = (u32)id;
	b->step = 1;
	wait_step(&b->step, 2, 100000);
	const volatile u8 *fr = (const volatile u8 *)BUF_VA + NET_RX_HDR;
	return *(const volatile u32 *)BUF_VA == (NET_RX_DONE | 1u << 16 | 80) &&
	       fr[14] == 0x45 && fr[37] == PORT_VICTIM ? 0 : 95;
}

/* Install 100 filters on the table of no NIC and one on NIC 1, and exit. */
static int dpf_leaver(void)
{
	for (u32 p = 0; p < 100; p++)
		if (exos_dpf_port(DPF_NONIC, 17, 2000 + p) != (int)p)
			return 91;
	return exos_dpf_port(1, 17, 9) >= 0 ? 0 : 92;
}

static int port_filter(u32 k) { return exos_dpf_port(DPF_NONIC, 17, 3000 + k); }

/* Install UDP port filters until refused; the count in got, the error in
 * errors (as a positive code). */
static int dpf_hog(void)
{
	struct box *b = (struct box *)BOX_VA;
	kid_take_until_refused(port_filter, DPF_MAXFILT, &b->got, &b->errors);
	return 0;
}

/* Hold a page of its own and publish its capability, until told. */
static int holder(void)
{
	struct box *b = (struct box *)BOX_VA;
	return kid_hold_page(BUF_VA, &b->step, &b->ppn, &b->check);
}

/* Take everything on NIC 1 into ring buffers: two in a page P2 (at BUF_VA
 * + PAGE_SIZE) that also holds its notification word, then four in a page
 * P1 (at BUF_VA); let go of P2 (in the box) and wait, alive, until the
 * suite says done; then report how many of P1's buffers hold a frame. */
static int notify_unref(void)
{
	struct box *b = (struct box *)BOX_VA;
	u32 p1, c1, p2, c2;
	if (!new_page(BUF_VA, &p1, &c1) || !new_page(BUF_VA + PAGE_SIZE, &p2, &c2))
		return 90;
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		((volatile u32 *)BUF_VA)[i] = 0;
	if (sys_net_filter(1, accept_all, 1) != 0)
		return 91;
	for (u32 k = 0; k < 6; k++) {
		bool in2 = k < 2;
		if (sys_net_post_ring(1, CAP_NAME(in2 ? p2 : p1, CAP_RW), in2 ? c2 : c1,
				      NET_OFFLEN(512 + (in2 ? k : k - 2) * SLOT, SLOT)) != (int)k + 1)
			return 92;
	}
	if (sys_net_notify(CAP_NAME(p2, CAP_RW), c2, 0) != 0)
		return 93;
	b->ppn = p2;
	if (kid_leave(BUF_VA + PAGE_SIZE, true, &b->step) != 0)
		return 94;
	u32 got = 0;
	for (u32 k = 0; k < 4; k++)
		got += (*(volatile u32 *)(BUF_VA + 512 + k * SLOT) & NET_RX_DONE) != 0;
	b->got = got;
	return 0;
}

/* ---- tests ---- */

static struct net_info info_of(u32 nic)
{
	struct net_info in;
	for (u32 i = 0; i < sizeof in; i++)
		((u8 *)&in)[i] = 0;
	sys_net_info(nic, &in);
	return in;
}

static void test_info(void)
{
	struct net_info in0 = info_of(0), in1 = info_of(1);
	CHECK(sys_net_info(0, &in0) >= 2);
	CHECK(in0.nnic >= 2 && in1.nnic == in0.nnic);
	bool m0 = true, m1 = true;
	for (int i = 0; i < 6; i++) {
		m0 &= in0.mac[i] == mac0[i];
		m1 &= in1.mac[i] == mac1[i];
	}
	CHECK(m0 && m1);
	struct net_info tmp;
	CHECK(sys_net_info(in0.nnic, &tmp) == -E_INVAL);
	CHECK(sys_net_info(99, &tmp) == -E_INVAL);
	CHECK(sys_net_info(0xffffffffu, &tmp) == -E_INVAL);
	CHECK(sys_net_info(0, (void *)0x80001000u) == -E_FAULT);
	CHECK(sys_net_info(0, (void *)0x7ffffff0u) == -E_FAULT);
	CHECK(sys_net_info(0, NULL) == -E_FAULT);
}

/* A sends frames on NIC 0, B receives them on NIC 1 into its own pages. */
static void test_a_to_b(void)
{
	u32 ppn, check;
	CHECK(new_page(BUF_VA, &ppn, &check));
	struct net_info before = info_of(1);
	int child = child_spawn(C_RECEIVER);
	CHECK(child > 0);
	CHECK(wait_step(&box->step, 1, 100000));
	u8 *p = (u8 *)BUF_VA;
	for (u32 k = 0; k < NFRAMES; k++) {
		u32 len = make_frame(p, mac1, ETYPE_TEST, k);
		CHECK(sys_net_tx(0, CAP_NAME(ppn, CAP_RW), check, NET_OFFLEN(0, len)) == 0);
	}
	/* A frame nobody claims (another EtherType), then a full-size one,
	 * sent from an odd offset with a read-only capability. */
	u32 len = make_frame(p, mac1, ETYPE_OTHER, 3);
	CHECK(sys_net_tx(0, CAP_NAME(ppn, CAP_RW), check, NET_OFFLEN(0, len)) == 0);
	u64 rc = sys_cap_derive(CAP_NAME(ppn, CAP_RW), check, CAP_R);
	make_frame_len(p + 1001, mac1, ETYPE_TEST, 99, NET_FRAME_MAX);
	CHECK(sys_net_tx(0, (u32)rc, (u32)(rc >> 32), NET_OFFLEN(1001, NET_FRAME_MAX)) == 0);
	CHECK(kid_wait(child) == 0);
	CHECK(box->step == 2);
	CHECK(box->got == NFRAMES + 1);
	CHECK(box->errors == 0);
	struct net_info after = info_of(1);
	CHECK(after.rx_frames - before.rx_frames == NFRAMES + 1);
	CHECK(after.rx_unclaimed - before.rx_unclaimed == 1);
	CHECK(after.rx_errors == before.rx_errors);
	/* Frames arrived by interrupt (IP2 through the PIIX4 and the i8259s). */
	CHECK(after.interrupts - before.interrupts >= NFRAMES);
	struct net_info sent = info_of(0);
	CHECK(sent.tx_frames >= NFRAMES + 2 && sent.tx_errors == 0);
	/* The sender itself got nothing (it has no filter) and its page is
	 * still its own. */
	CHECK(p[0] == mac1[0] && p[1001 + 14] == pattern(99, 14));
	CHECK(vm_unmap(BUF_VA, 1, true) == 0);
}

static void test_post_checks(void)
{
	u32 ppn, check;
	CHECK(new_page(BUF_VA, &ppn, &check));
	u32 name = CAP_NAME(ppn, CAP_RW);
	u32 nnic = (u32)sys_net_info(0, &(struct net_info){ 0 });
	/* Unknown NICs. */
	CHECK(sys_net_post(nnic, name, check, NET_OFFLEN(0, 512)) == -E_INVAL);
	CHECK(sys_net_post(NET_MAXNIC, name, check, NET_OFFLEN(0, 512)) == -E_INVAL);
	CHECK(sys_net_post(0xffffffffu, name, check, NET_OFFLEN(0, 512)) == -E_INVAL);
	/* Forged and read-only capabilities. */
	CHECK(sys_net_post(1, name, check ^ 1, NET_OFFLEN(0, 512)) == -E_BADCAP);
	CHECK(sys_net_post(1, CAP_NAME(ppn + 1, CAP_RW), check, NET_OFFLEN(0, 512)) == -E_BADCAP);
	u64 rc = sys_cap_derive(name, check, CAP_R);
	CHECK(sys_net_post(1, (u32)rc, (u32)(rc >> 32), NET_OFFLEN(0, 512)) == -E_BADCAP);
	CHECK(sys_net_post(1, CAP_NAME(0, CAP_RW), 0, NET_OFFLEN(0, 512)) == -E_BADCAP);
	/* Ranges outside the page, too small, misaligned. */
	CHECK(sys_net_post(1, name, check, NET_OFFLEN(4032, 128)) == -E_INVAL);
	CHECK(sys_net_post(1, name, check, NET_OFFLEN(0, 4097)) == -E_INVAL);
	CHECK(sys_net_post(1, name, check, NET_OFFLEN(0xffff, 0xffff)) == -E_INVAL);
	CHECK(sys_net_post(1, name, check, NET_OFFLEN(0, NET_RX_MIN - 1)) == -E_INVAL);
	CHECK(sys_net_post(1, name, check, NET_OFFLEN(0, 0)) == -E_INVAL);
	CHECK(sys_net_post(1, name, check, NET_OFFLEN(2, 512)) == -E_INVAL);
	CHECK(sys_net_post(1, name, check, NET_OFFLEN(4096, 64)) == -E_INVAL);
	/* A page held by someone else, with its valid capability. */
	box->step = 0;
	int child = child_spawn(C_HOLDER);
	CHECK(child > 0 && wait_step(&box->step, 1, 100000));
	u32 oname = CAP_NAME(box->ppn, CAP_RW), ocheck = box->check;
	CHECK(sys_net_post(1, oname, ocheck, NET_OFFLEN(0, 512)) == -E_PERM);
	CHECK(sys_net_tx(0, oname, ocheck, NET_OFFLEN(0, 60)) == -E_PERM);
	CHECK(sys_net_notify(oname, ocheck, 0) == -E_PERM);
	box->step = 2;
	CHECK(kid_wait(child) == 0);
	/* Transmit: unknown NIC, lengths, ranges, forged capability. */
	CHECK(sys_net_tx(nnic, name, check, NET_OFFLEN(0, 60)) == -E_INVAL);
	CHECK(sys_net_tx(0, name, check, NET_OFFLEN(0, NET_FRAME_MIN - 1)) == -E_INVAL);
	CHECK(sys_net_tx(0, name, check, NET_OFFLEN(0, NET_FRAME_MAX + 1)) == -E_INVAL);
	CHECK(sys_net_tx(0, name, check, NET_OFFLEN(3000, 1100)) == -E_INVAL);
	CHECK(sys_net_tx(0, name, check, NET_OFFLEN(0xffff, 100)) == -E_INVAL);
	CHECK(sys_net_tx(0, name, check + 1, NET_OFFLEN(0, 60)) == -E_BADCAP);
	CHECK(sys_net_tx(0, CAP_NAME(ppn, 2), check, NET_OFFLEN(0, 60)) == -E_BADCAP);
	/* A frame posing as another host (NIC 1's address, the broadcast
	 * address, one bit off) is refused, counted, and not sent. */
	struct net_info t0 = info_of(0);
	u8 *fr = (u8 *)BUF_VA;
	u32 flen = make_frame(fr, mac1, ETYPE_TEST, 5);
	static const u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const u8 *fake[3] = { mac1, bcast, mac0 };
	for (u32 k = 0; k < 3; k++) {
		for (u32 i = 0; i < 6; i++)
			fr[6 + i] = fake[k][i] ^ (k == 2 && i == 5);
		CHECK(sys_net_tx(0, name, check, NET_OFFLEN(0, flen)) == -E_PERM);
	}
	struct net_info t1 = info_of(0);
	CHECK(t1.tx_refused == t0.tx_refused + 3 && t1.tx_frames == t0.tx_frames);
	/* Filters: unknown NIC, too long, refused by the checker, unreadable. */
	struct dc_insn f[NET_FILTER_MAXINSNS + 1];
	for (u32 i = 0; i <= NET_FILTER_MAXINSNS; i++)
		f[i] = (struct dc_insn)DC_INSN(DC_RETI, 0, 0, 0, 0);
	CHECK(sys_net_filter(nnic, f, 1) == -E_INVAL);
	CHECK(sys_net_filter(0, f, NET_FILTER_MAXINSNS + 1) == -E_INVAL);
	const struct dc_insn store[] = { DC_INSN(DC_STBA, 1, 0, 0, 0), DC_INSN(DC_RETI, 0, 0, 0, 1) };
	CHECK(sys_net_filter(0, store, 2) == -E_INVAL);          /* the frame is read-only */
	const struct dc_insn win1[] = { DC_INSN(DC_LDBA, 1, 0, 1, 0), DC_INSN(DC_RET, 0, 1, 0, 0) };
	CHECK(sys_net_filter(0, win1, 2) == -E_INVAL);           /* only window 0 */
	const struct dc_insn noret[] = { DC_INSN(DC_LDI, 1, 0, 0, 1) };
	CHECK(sys_net_filter(0, noret, 1) == -E_INVAL);
	CHECK(sys_net_filter(0, (void *)0x80000000u, 1) == -E_FAULT);
	CHECK(sys_net_filter(0, (void *)0x7ffffffcu, 1) == -E_FAULT);
	CHECK(sys_net_filter(0, f, 0) == 0);                      /* removing none: fine */
	/* Notification word: range and rights. */
	CHECK(sys_net_notify(name, check, PAGE_SIZE) == -E_INVAL);
	CHECK(sys_net_notify(name, check, 2) == -E_INVAL);
	CHECK(sys_net_notify(name, check, 0xfffffffcu) == -E_INVAL);
	CHECK(sys_net_notify((u32)rc, (u32)(rc >> 32), 0) == -E_BADCAP);
	CHECK(sys_net_notify(name, check, 8) == 0);
	CHECK(sys_net_notify(0, 0, 0) == 0);
	/* At most NET_MAXPOST buffers; unpost takes them all back. */
	for (u32 k = 0; k < NET_MAXPOST; k++)
		CHECK(sys_net_post(0, name, check, NET_OFFLEN(k * 256, 256)) == (int)k + 1);
	CHECK(sys_net_post(0, name, check, NET_OFFLEN(0, 256)) == -E_NOMEM);
	CHECK(sys_net_unpost(0) == NET_MAXPOST);
	CHECK(sys_net_unpost(0) == 0);
	CHECK(sys_net_unpost(nnic) == -E_INVAL);
	CHECK(vm_unmap(BUF_VA, 1, true) == 0);
}

/* Send frames on NIC 0 that anyone on NIC 1 would take; return NIC 1's
 * counters before and after. */
static void blast(u32 ppn, u32 check, struct net_info *before, struct net_info *after)
{
	*before = info_of(1);
	u8 *p = (u8 *)(BUF_VA + PAGE_SIZE);
	for (u32 k = 0; k < 4; k++) {
		u32 len = make_frame(p, mac1, ETYPE_TEST, k);
		CHECK(sys_net_tx(0, CAP_NAME(ppn, CAP_RW), check, NET_OFFLEN(0, len)) == 0);
	}
	sys_yield();
	*after = info_of(1);
}

/* An environment posts buffers and ends (or lets go of the page while
 * posted); the page is freed, taken by the suite and filled; frames that
 * its filter would have claimed must not reach the page. */
static void exit_or_unref(u32 mode)
{
	u32 sppn, scheck;
	CHECK(new_page(BUF_VA + PAGE_SIZE, &sppn, &scheck));
	box->step = 0;
	int child = child_spawn(mode);
	CHECK(kid_left(child, &box->step, mode == C_LEAVER));
	u32 gone = box->ppn;
	CHECK(sys_kcheck(0) == 0);
	/* Take the very page back (it is free now) and fill it. */
	u64 r = sys_page_alloc(gone);
	CHECK((u32)r == gone);
	u32 check = (u32)(r >> 32);
	CHECK(vm_map_page(BUF_VA, gone, check, VM_RW) == 0);
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		((volatile u32 *)BUF_VA)[i] = 0x5a5a5a5au;
	struct net_info before, after;
	blast(sppn, scheck, &before, &after);
	u32 changed = 0;
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		changed += ((volatile u32 *)BUF_VA)[i] != 0x5a5a5a5au;
	CHECK(changed == 0);
	CHECK(after.rx_frames == before.rx_frames);
	if (mode == C_LEAVER) {
		CHECK(after.rx_unclaimed - before.rx_unclaimed == 4);   /* its filter went too */
	} else {
		CHECK(after.rx_nobuf - before.rx_nobuf == 4);           /* claimed, no valid buffer */
		box->step = 2;
		CHECK(kid_wait(child) == 0);
	}
	CHECK(vm_unmap(BUF_VA, 1, true) == 0);
	CHECK(vm_unmap(BUF_VA + PAGE_SIZE, 1, true) == 0);
}

/* A child's notification word and two of its ring buffers are in a page
 * it lets go of, which the suite then takes back and fills; its four other
 * ring buffers stay valid. Frames its filter claims must land in those
 * four, and neither a frame nor a notification may touch the page it let
 * go of (the kernel re-checks, at each delivery, that the page is still
 * the same allocation held by the poster). */
static void test_notify_page_reused(void)
{
	u32 sppn, scheck;
	CHECK(new_page(BUF_VA + PAGE_SIZE, &sppn, &scheck));
	box->step = 0;
	int child = child_spawn(C_NOTIFY_UNREF);
	CHECK(kid_left(child, &box->step, false));
	u32 gone = box->ppn;
	u64 r = sys_page_alloc(gone);
	CHECK((u32)r == gone);
	CHECK(vm_map_page(BUF_VA, gone, (u32)(r >> 32), VM_RW) == 0);
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		((volatile u32 *)BUF_VA)[i] = 0x5a5a5a5au;
	struct net_info before, after;
	blast(sppn, scheck, &before, &after);
	u32 changed = 0;
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		changed += ((volatile u32 *)BUF_VA)[i] != 0x5a5a5a5au;
	if (changed)
		printf("    # %u words of the page the child let go of changed\n", changed);
	CHECK(changed == 0);
	CHECK(after.rx_frames - before.rx_frames == 4);
	box->step = 2;
	CHECK(kid_wait(child) == 0);
	CHECK(box->got == 4);                           /* each in one of its ring buffers */
	CHECK(vm_unmap(BUF_VA, 2, true) == 0);
}

static void test_exit_with_posted(void) { exit_or_unref(C_LEAVER); }
static void test_unref_while_posted(void) { exit_or_unref(C_UNREF); }

/* The suite as a receiver on NIC 1: a page at BUF_VA, its filter
 * (destination NIC 1, ETYPE_TEST) in f, installed (returns its length in
 * instructions), and a page to send from at BUF_VA + PAGE_SIZE. */
static unsigned rx_setup(u32 *ppn, u32 *check, u32 *sppn, u32 *scheck, struct dc_insn *f)
{
	CHECK(new_page(BUF_VA, ppn, check));
	CHECK(new_page(BUF_VA + PAGE_SIZE, sppn, scheck));
	unsigned n = filter_for(f, mac1, ETYPE_TEST);
	CHECK(sys_net_filter(1, f, n) == 0);
	return n;
}

/* rx_setup, and nbuf buffers of size bytes posted from the page at BUF_VA. */
static unsigned suite_rx(u32 *ppn, u32 *check, u32 *sppn, u32 *scheck, u32 nbuf, u32 size,
			 struct dc_insn *f)
{
	unsigned n = rx_setup(ppn, check, sppn, scheck, f);
	for (u32 k = 0; k < nbuf; k++)
		CHECK(sys_net_post(1, CAP_NAME(*ppn, CAP_RW), *check, NET_OFFLEN(k * size, size)) == (int)k + 1);
	return n;
}

/* A buffer posted with a capability derived from the page's root (cap_new)
 * serves as well as one posted with the root: what keeps a posted buffer
 * valid is that the poster still holds that same allocation of the page. */
static void test_post_derived(void)
{
	u32 ppn, check, sppn, scheck;
	struct dc_insn f[16];
	rx_setup(&ppn, &check, &sppn, &scheck, f);
	u64 d = sys_cap_new(CAP_NAME(ppn, CAP_RW), check, CAP_RW);
	CHECK(((u32)d & CAP_TREE) != 0);
	CHECK(sys_net_post(1, (u32)d, (u32)(d >> 32), NET_OFFLEN(0, 2048)) == 1);
	u32 len = make_frame((u8 *)(BUF_VA + PAGE_SIZE), mac1, ETYPE_TEST, 3);
	CHECK(sys_net_tx(0, CAP_NAME(sppn, CAP_RW), scheck, NET_OFFLEN(0, len)) == 0);
	sys_yield();
	CHECK(*(volatile u32 *)BUF_VA == (NET_RX_DONE | 1u << 16 | len));
	CHECK(sys_net_filter(1, f, 0) == 0);
	CHECK(sys_net_unpost(1) == 0);                  /* the one buffer was used */
	CHECK(vm_unmap(BUF_VA, 2, true) == 0);
}

/* Does the buffer at b hold frame seq (of EtherType ETYPE_TEST, from NIC 1),
 * word and every byte? */
static bool holds_frame(const volatile u8 *b, u32 seq)
{
	u32 len = frame_len(seq);
	if (*(const volatile u32 *)b != (NET_RX_DONE | 1u << 16 | len))
		return false;
	for (u32 i = 14; i < len; i++)
		if (b[NET_RX_HDR + i] != pattern(seq, i))
			return false;
	return true;
}

/* net_post_ring: a ring buffer stays posted and goes to the end of the
 * caller's buffers when a frame lands in it; a frame that reaches it before
 * its owner has cleared NET_RX_DONE in its word is dropped (rx_nobuf) and
 * leaves it untouched; once cleared it is used again. Buffers posted with
 * net_post beside it are used once, in order. Its arguments are checked as
 * net_post's are. */
static void test_post_ring(void)
{
	u32 ppn, check, sppn, scheck;
	struct dc_insn f[16];
	rx_setup(&ppn, &check, &sppn, &scheck, f);
	u32 rw = CAP_NAME(ppn, CAP_RW);
	CHECK(sys_net_post_ring(1, rw, check ^ 1, NET_OFFLEN(0, 2048)) == -E_BADCAP);
	CHECK(sys_net_post_ring(2, rw, check, NET_OFFLEN(0, 2048)) == -E_INVAL);
	CHECK(sys_net_post_ring(1, rw, check, NET_OFFLEN(2, 2048)) == -E_INVAL);
	CHECK(sys_net_post_ring(1, rw, check, NET_OFFLEN(4000, 200)) == -E_INVAL);
	CHECK(sys_net_post_ring(1, CAP_NAME(sppn, CAP_RW), scheck ^ 2,
				NET_OFFLEN(0, 64)) == -E_BADCAP);
	CHECK(sys_net_post_ring(1, rw, check, NET_OFFLEN(0, 2048)) == 1);      /* A */
	CHECK(sys_net_post(1, rw, check, NET_OFFLEN(2048, 2048)) == 2);        /* B, once */
	const volatile u8 *a = (const volatile u8 *)BUF_VA, *b = a + 2048;
	u8 *p = (u8 *)(BUF_VA + PAGE_SIZE);
	struct net_info before = info_of(1);
	for (u32 seq = 0; seq < 3; seq++) {
		u32 len = make_frame(p, mac1, ETYPE_TEST, seq);
		CHECK(sys_net_tx(0, CAP_NAME(sppn, CAP_RW), scheck, NET_OFFLEN(0, len)) == 0);
		sys_yield();
	}
	struct net_info mid = info_of(1);
	CHECK(holds_frame(a, 0));              /* frame 2 found A not taken in */
	CHECK(holds_frame(b, 1));
	CHECK(mid.rx_frames - before.rx_frames == 2);
	CHECK(mid.rx_nobuf - before.rx_nobuf == 1);
	*(volatile u32 *)BUF_VA = 0;           /* A taken in: it is used again */
	u32 len = make_frame(p, mac1, ETYPE_TEST, 3);
	CHECK(sys_net_tx(0, CAP_NAME(sppn, CAP_RW), scheck, NET_OFFLEN(0, len)) == 0);
	sys_yield();
	CHECK(holds_frame(a, 3));
	CHECK(holds_frame(b, 1));
	CHECK(info_of(1).rx_frames - mid.rx_frames == 1);
	CHECK(sys_net_filter(1, f, 0) == 0);
	CHECK(sys_net_unpost(1) == 1);          /* A was still posted, B used */
	CHECK(vm_unmap(BUF_VA, 2, true) == 0);
}

/* wk_sleep_again (ExOS's netif_sleep sleeps with it): the program last
 * given from the same address is used again without being read, while the
 * pages' capabilities are checked on every call; another length, or
 * wk_sleep, reads the program again. */
static void test_sleep_again(void)
{
	u32 ppn, check;
	CHECK(new_page(BUF_VA, &ppn, &check));
	volatile u32 *word = (volatile u32 *)BUF_VA;
	struct dc_insn *prog = (struct dc_insn *)(BUF_VA + 64);
	const struct dc_insn holds[] = {            /* hold while word 0 is nonzero */
		DC_INSN(DC_LDWA, 0, 0, 0, 0),
		DC_INSN(DC_RET, 0, 0, 0, 0),
	};
	prog[0] = holds[0];
	prog[1] = holds[1];
	*word = 1;
	struct wk_page pg = { CAP_NAME(ppn, CAP_RW), check }, forged = { pg.capname, check ^ 4 };
	CHECK(sys_wk_sleep_again(prog, 2, &pg, 1) == 0);      /* read, checked, compiled: holds */
	prog[0] = (struct dc_insn){ 0xff, 0, 0, 0 };          /* no such op */
	CHECK(sys_wk_sleep_again(prog, 2, &pg, 1) == 0);      /* not read again */
	CHECK(sys_wk_sleep_again(prog, 2, &forged, 1) == -E_BADCAP);
	CHECK(sys_wk_sleep_again(prog, 2, (const void *)0x80000000, 1) == -E_FAULT);
	CHECK(sys_wk_sleep_again(prog, 1, &pg, 1) == -E_INVAL);   /* another length: read */
	CHECK(sys_wk_sleep(prog, 2, &pg, 1) == -E_INVAL);         /* wk_sleep reads it */
	CHECK(sys_wk_sleep_again(prog + 1, 2, &pg, 1) == -E_INVAL);  /* another address: read */
	CHECK(vm_unmap(BUF_VA, 1, true) == 0);
}

/* Two environments' filters both accept a frame: the one installed first
 * wins; after it removes its filter, the other gets the next frame. */
static void test_first_filter_wins(void)
{
	u32 ppn, check, sppn, scheck;
	struct dc_insn f[16];
	suite_rx(&ppn, &check, &sppn, &scheck, 2, 2048, f);
	/* A catch-all child installs after us: it must lose. */
	box->step = 0;
	int child = child_spawn(C_UNREF);      /* posts in a page it then lets go of */
	CHECK(child > 0 && wait_step(&box->step, 1, 100000));
	struct net_info before = info_of(1);
	u8 *p = (u8 *)(BUF_VA + PAGE_SIZE);
	u32 len = make_frame(p, mac1, ETYPE_TEST, 5);
	CHECK(sys_net_tx(0, CAP_NAME(sppn, CAP_RW), scheck, NET_OFFLEN(0, len)) == 0);
	sys_yield();
	volatile u32 *hdr = (volatile u32 *)BUF_VA;
	CHECK(hdr[0] == (NET_RX_DONE | 1u << 16 | len));
	/* Without our filter, the child's catches it (and has no buffer). */
	CHECK(sys_net_filter(1, f, 0) == 0);
	CHECK(sys_net_tx(0, CAP_NAME(sppn, CAP_RW), scheck, NET_OFFLEN(0, len)) == 0);
	sys_yield();
	struct net_info after = info_of(1);
	CHECK(hdr[2048 / 4] == 0);
	CHECK(after.rx_frames - before.rx_frames == 1);
	CHECK(after.rx_nobuf - before.rx_nobuf == 1);
	box->step = 2;
	CHECK(kid_wait(child) == 0);
	CHECK(sys_net_unpost(1) == 1);
	CHECK(vm_unmap(BUF_VA, 2, true) == 0);
}

/* An environment that never reads what it receives loses only its own
 * frames: another's keep arriving. */
static void test_slow_reader_alone(void)
{
	u32 ppn, check, sppn, scheck;
	struct dc_insn f[16];
	suite_rx(&ppn, &check, &sppn, &scheck, NFRAMES, SLOT, f);
	box->step = 0;
	int child = child_spawn(C_SLOW);
	CHECK(child > 0 && wait_step(&box->step, 1, 100000));
	struct net_info before = info_of(1);
	u8 *p = (u8 *)(BUF_VA + PAGE_SIZE);
	for (u32 k = 0; k < NFRAMES; k++) {
		u32 len = make_frame(p, mac1, ETYPE_OTHER, k);
		CHECK(sys_net_tx(0, CAP_NAME(sppn, CAP_RW), scheck, NET_OFFLEN(0, len)) == 0);
		len = make_frame(p, mac1, ETYPE_TEST, k);
		CHECK(sys_net_tx(0, CAP_NAME(sppn, CAP_RW), scheck, NET_OFFLEN(0, len)) == 0);
	}
	sys_yield();
	struct net_info after = info_of(1);
	u32 mine = 0;
	for (u32 k = 0; k < NFRAMES; k++) {
		const volatile u8 *b = (const volatile u8 *)(BUF_VA + k * SLOT);
		mine += *(const volatile u32 *)b == (NET_RX_DONE | 1u << 16 | frame_len(k)) &&
			b[NET_RX_HDR + 13] == (ETYPE_TEST & 0xff) &&
			b[NET_RX_HDR + 14] == pattern(k, 14);
	}
	CHECK(mine == NFRAMES);
	CHECK(after.rx_frames - before.rx_frames == NFRAMES + 2);
	CHECK(after.rx_nobuf - before.rx_nobuf == NFRAMES - 2);
	box->step = 2;
	CHECK(kid_wait(child) == 0);
	CHECK(sys_net_filter(1, f, 0) == 0);
	CHECK(vm_unmap(BUF_VA, 2, true) == 0);
}

/* ---- packet filters ---- */

/* A filter that lies: another environment (port_owner) has UDP port
 * PORT_VICTIM on NIC 1; the suite's attempts to take its frames with the
 * same filter, more general ones and more specific ones are refused; a
 * disjoint filter is accepted, and each gets its own frames. */
static void test_dpf_steal(void)
{
	u32 ppn, check, sppn, scheck;
	CHECK(new_page(BUF_VA, &ppn, &check));
	CHECK(new_page(BUF_VA + PAGE_SIZE, &sppn, &scheck));
	box->step = 0;
	int child = child_spawn(C_PORT_OWNER);
	CHECK(child > 0 && wait_step(&box->step, 1, 100000));
	struct dpf_filter f, g;
	exos_dpf_port_filter(&f, 17, PORT_VICTIM);
	CHECK(sys_net_dpf_add(1, &f) == -E_BUSY);              /* the same */
	g = f;
	g.natoms = 1;                                           /* all of IPv4 */
	g.ind_off = g.ind_mask = g.ind_shift = 0;
	CHECK(sys_net_dpf_add(1, &g) == -E_BUSY);
	g = f;
	g.natoms = 2;                                           /* all of UDP */
	g.ind_off = g.ind_mask = g.ind_shift = 0;
	CHECK(sys_net_dpf_add(1, &g) == -E_BUSY);
	g = f;
	g.atoms[1] = g.atoms[2];                                /* the port, any protocol */
	g.natoms = 2;
	CHECK(sys_net_dpf_add(1, &g) == -E_BUSY);
	g = f;                                                  /* the port, to one IP address */
	g.atoms[3] = (struct dpf_atom){ 30, 4, 0, 0xffffffffu, 0x0a000002u };
	g.natoms = 4;
	CHECK(sys_net_dpf_add(1, &g) == -E_BUSY);
	g = f;                                                  /* the port's low byte */
	g.atoms[2].mask = 0xff;
	CHECK(sys_net_dpf_add(1, &g) == -E_BUSY);
	exos_dpf_ether_filter(&g, mac1, 0x0800);                /* IPv4 to this station */
	CHECK(sys_net_dpf_add(1, &g) == -E_BUSY);
	/* Nor can it remove the owner's filter. */
	CHECK(sys_net_dpf_del(1, box->word[0]) == -E_INVAL);
	/* Disjoint: the next port; and the same port on the other NIC. */
	int mine = exos_dpf_port(1, 17, PORT_VICTIM + 1);
	CHECK(mine >= 0);
	int other = exos_dpf_port(0, 17, PORT_VICTIM);
	CHECK(other >= 0);
	CHECK(sys_net_dpf_del(0, (u32)other) == 0);
	CHECK(sys_net_post(1, CAP_NAME(ppn, CAP_RW), check, NET_OFFLEN(0, 2048)) == 1);
	/* Each frame reaches its port's owner; ours has IP options (IHL 6). */
	struct net_info before = info_of(1);
	u8 *p = (u8 *)(BUF_VA + PAGE_SIZE);
	u32 len = udp_frame(p, PORT_VICTIM, 5);
	CHECK(sys_net_tx(0, CAP_NAME(sppn, CAP_RW), scheck, NET_OFFLEN(0, len)) == 0);
	len = udp_frame(p, PORT_VICTIM + 1, 6);
	CHECK(sys_net_tx(0, CAP_NAME(sppn, CAP_RW), scheck, NET_OFFLEN(0, len)) == 0);
	len = udp_frame(p, PORT_VICTIM + 2, 5);                 /* nobody's */
	CHECK(sys_net_tx(0, CAP_NAME(sppn, CAP_RW), scheck, NET_OFFLEN(0, len)) == 0);
	sys_yield();
	struct net_info after = info_of(1);
	const volatile u8 *fr = (const volatile u8 *)BUF_VA + NET_RX_HDR;
	CHECK(*(volatile u32 *)BUF_VA == (NET_RX_DONE | 1u << 16 | 80) && fr[14] == 0x46 &&
	      fr[41] == PORT_VICTIM + 1);
	CHECK(after.rx_frames - before.rx_frames == 2);
	CHECK(after.rx_unclaimed - before.rx_unclaimed == 1);
	box->step = 2;
	CHECK(kid_wait(child) == 0);
	/* The owner gone, its port is free. */
	int again = exos_dpf_port(1, 17, PORT_VICTIM);
	CHECK(again >= 0);
	CHECK(sys_net_dpf_del(1, (u32)again) == 0);
	CHECK(sys_net_dpf_del(1, (u32)mine) == 0);
	CHECK(sys_net_dpf_del(1, (u32)mine) == -E_INVAL);
	CHECK(sys_net_unpost(1) == 0);
	CHECK(vm_unmap(BUF_VA, 2, true) == 0);
}

/* Every argument of net_dpf_add, net_dpf_del and net_demux is checked. */
static void test_dpf_args(void)
{
	u32 ppn, check;
	CHECK(new_page(BUF_VA, &ppn, &check));
	u32 nnic = (u32)sys_net_info(0, &(struct net_info){ 0 });
	struct dpf_filter f, g;
	exos_dpf_port_filter(&f, 17, 4000);
	CHECK(sys_net_dpf_add(nnic, &f) == -E_INVAL);
	CHECK(sys_net_dpf_add(DPF_NONIC + 1, &f) == -E_INVAL);
	CHECK(sys_net_dpf_add(0xffffffffu, &f) == -E_INVAL);
	CHECK(sys_net_dpf_add(0, NULL) == -E_FAULT);
	CHECK(sys_net_dpf_add(0, (void *)0x80001000u) == -E_FAULT);
	CHECK(sys_net_dpf_add(0, (void *)(0x80000000u - 8)) == -E_FAULT);
	g = f; g.atoms[0].width = 3;
	CHECK(sys_net_dpf_add(0, &g) == -E_INVAL);
	g = f; g.atoms[1].val = 0x100;                          /* outside its mask */
	CHECK(sys_net_dpf_add(0, &g) == -E_INVAL);
	g = f; g.natoms = 0;
	CHECK(sys_net_dpf_add(0, &g) == -E_INVAL);
	g = f; g.natoms = DPF_MAXATOMS + 1;
	CHECK(sys_net_dpf_add(0, &g) == -E_INVAL);
	g = f; g.ind_mask = 0;
	CHECK(sys_net_dpf_add(0, &g) == -E_INVAL);
	g = f; g.atoms[2].off = NET_FRAME_MAX;
	CHECK(sys_net_dpf_add(0, &g) == -E_INVAL);
	int id = sys_net_dpf_add(DPF_NONIC, &f);
	CHECK(id >= 0);
	CHECK(sys_net_dpf_del(nnic, (u32)id) == -E_INVAL);
	CHECK(sys_net_dpf_del(DPF_NONIC, DPF_MAXFILT) == -E_INVAL);
	CHECK(sys_net_dpf_del(DPF_NONIC, 0xffffffffu) == -E_INVAL);
	CHECK(sys_net_dpf_del(DPF_NONIC, (u32)id + 1) == -E_INVAL);
	/* net_demux: the frame is port 4000's. */
	u8 *p = (u8 *)BUF_VA;
	u32 len = udp_frame(p, 4000, 5), name = CAP_NAME(ppn, CAP_RW);
	for (u32 mode = 0; mode < 3; mode++)
		CHECK(sys_net_demux(DPF_NONIC | mode << 8 | 1u << 16, name, check, NET_OFFLEN(0, len)) == id + 1);
	CHECK(sys_net_demux(DPF_NONIC | 1u << 16, name, check, NET_OFFLEN(0, 37)) == 0);  /* cut */
	CHECK(sys_net_demux(DPF_NONIC | 3u << 8 | 1u << 16, name, check, NET_OFFLEN(0, len)) == -E_INVAL);
	CHECK(sys_net_demux(DPF_NONIC, name, check, NET_OFFLEN(0, len)) == -E_INVAL);     /* 0 reps */
	CHECK(sys_net_demux(DPF_NONIC | (DPF_DEMUX_MAXREPS + 1) << 16, name, check,
			    NET_OFFLEN(0, len)) == -E_INVAL);
	CHECK(sys_net_demux(DPF_NONIC | DPF_DEMUX_MAXREPS << 16, name, check,
			    NET_OFFLEN(0, len)) == id + 1);
	CHECK(sys_net_demux(DPF_NONIC | DPF_DEMUX_TREE << 8 | (DPF_DEMUX_MAXINTERP + 1) << 16,
			    name, check, NET_OFFLEN(0, len)) == -E_INVAL);          /* interpreted */
	CHECK(sys_net_demux(DPF_NONIC | DPF_DEMUX_TREE << 8 | DPF_DEMUX_MAXINTERP << 16,
			    name, check, NET_OFFLEN(0, len)) == id + 1);
	CHECK(sys_net_demux(DPF_NONIC | DPF_DEMUX_LINEAR << 8 | (DPF_DEMUX_MAXLINEAR / 2) << 16,
			    name, check, NET_OFFLEN(0, len)) == -E_INVAL);          /* 2 * 8192 */
	CHECK(sys_net_demux(DPF_NONIC | DPF_DEMUX_LINEAR << 8 | (DPF_DEMUX_MAXLINEAR / 2 - 1) << 16,
			    name, check, NET_OFFLEN(0, len)) == -E_INVAL);          /* > MAXREPS */
	CHECK(sys_net_demux(DPF_NONIC | DPF_DEMUX_LINEAR << 8 | DPF_DEMUX_MAXREPS << 16,
			    name, check, NET_OFFLEN(0, len)) == id + 1);
	CHECK(sys_net_demux(nnic | 1u << 16, name, check, NET_OFFLEN(0, len)) == -E_INVAL);
	CHECK(sys_net_demux(DPF_NONIC | 1u << 16, name, check, NET_OFFLEN(0, 0)) == -E_INVAL);
	CHECK(sys_net_demux(DPF_NONIC | 1u << 16, name, check, NET_OFFLEN(4000, 200)) == -E_INVAL);
	CHECK(sys_net_demux(DPF_NONIC | 1u << 16, name, check, NET_OFFLEN(0, NET_FRAME_MAX + 1)) == -E_INVAL);
	CHECK(sys_net_demux(DPF_NONIC | 1u << 16, name, check ^ 4, NET_OFFLEN(0, len)) == -E_BADCAP);
	CHECK(sys_net_demux(DPF_NONIC | 1u << 16, CAP_NAME(ppn + 1, CAP_RW), check, NET_OFFLEN(0, len)) == -E_BADCAP);
	CHECK(sys_net_dpf_del(DPF_NONIC, (u32)id) == 0);
	CHECK(sys_net_demux(DPF_NONIC | 1u << 16, name, check, NET_OFFLEN(0, len)) == 0);
	/* A full table; a merged tree too long to keep. */
	u32 n = 0;
	for (u32 k = 0; k < DPF_MAXFILT; k++)
		n += exos_dpf_port(DPF_NONIC, 17, 5000 + k) == (int)k;
	CHECK(n == DPF_MAXFILT);
	exos_dpf_port_filter(&g, 6, 1);
	CHECK(sys_net_dpf_add(DPF_NONIC, &g) == -E_NOMEM);
	for (u32 k = 0; k < DPF_MAXFILT; k++)
		CHECK(sys_net_dpf_del(DPF_NONIC, k) == 0);
	int nomem = 0;
	u32 added = 0;
	for (u32 k = 0; k < DPF_MAXFILT && !nomem; k++) {
		/* little to share: each tests its own byte after a common one */
		struct dpf_filter h = { 2, 0, 0, 0, { 0, 0, 0 }, {
			{ 0, 2, 0, 0xffff, k }, { (u16)(2 + k % 200), 1, 0, 0xff, 1 } } };
		int r = sys_net_dpf_add(DPF_NONIC, &h);
		if (r == -E_NOMEM)
			nomem = 1;
		else
			added += r == (int)k;
	}
	CHECK(nomem && added > 100);
	p[0] = 0, p[1] = 3, p[2 + 3] = 1;                       /* filter 3's frame */
	CHECK(sys_net_demux(DPF_NONIC | 1u << 16, name, check, NET_OFFLEN(0, 64)) == 4);
	for (u32 k = 0; k < added; k++)
		CHECK(sys_net_dpf_del(DPF_NONIC, k) == 0);
	CHECK(vm_unmap(BUF_VA, 1, true) == 0);
}

/* Random filter sets and thousands of random frames (truncated, long,
 * mutated, made to match): the compiled tree, the same tree interpreted and
 * the filters one by one name the same filter. */
static void test_dpf_compiled_vs_interp(void)
{
	u32 ppn, check, seed = 4242, frames = 0, hits = 0, installed = 0;
	CHECK(new_page(BUF_VA, &ppn, &check));
	u8 *p = (u8 *)BUF_VA;
	static u16 ids[64];
	static struct dpf_filter fs[64];
	for (u32 round = 0; round < 40 && !failed_checks; round++) {
		u32 n = 0, want = 1 + seed % 64;
		for (u32 k = 0; k < want; k++) {
			dpf_random_filter(&fs[n], &seed);
			int id = sys_net_dpf_add(DPF_NONIC, &fs[n]);
			CHECK(id >= 0 || id == -E_BUSY || id == -E_INVAL);
			if (id >= 0)
				ids[n++] = (u16)id;
		}
		installed += n;
		for (u32 k = 0; k < 100; k++) {
			u32 len = dpf_random_frame(p, NET_FRAME_MAX, n && k % 4 ? &fs[seed % n] : NULL, &seed);
			u32 arg = NET_OFFLEN(0, len);
			int a = sys_net_demux(DPF_NONIC | DPF_DEMUX_COMPILED << 8 | 1u << 16, CAP_NAME(ppn, CAP_RW), check, arg);
			int b = sys_net_demux(DPF_NONIC | DPF_DEMUX_TREE << 8 | 1u << 16, CAP_NAME(ppn, CAP_RW), check, arg);
			int c = sys_net_demux(DPF_NONIC | DPF_DEMUX_LINEAR << 8 | 1u << 16, CAP_NAME(ppn, CAP_RW), check, arg);
			if (a != b || b != c) {
				printf("    # round %u frame %u (%u bytes): compiled %d, tree %d, linear %d\n",
				       round, k, len, a, b, c);
				failed_checks++;
				break;
			}
			frames++;
			hits += a > 0;
		}
		for (u32 k = 0; k < n; k++)
			CHECK(sys_net_dpf_del(DPF_NONIC, ids[k]) == 0);
	}
	printf("    # dpf: %u frames compared, %u accepted, %u filters installed\n", frames, hits, installed);
	CHECK(frames == 4000 && hits > 1000);
	CHECK(vm_unmap(BUF_VA, 1, true) == 0);
}

/* Filters are a budgeted resource (LIM_FILTERS): a child that tries to
 * fill a table stops at its budget (ExOS's default for a child, a quarter
 * of a table), -E_QUOTA, and the table still takes the others' filters; its
 * filters and its usage go when it ends. */
static void test_dpf_budget(void)
{
	box->got = box->errors = 0;
	int child = child_spawn(C_DPF_HOG);
	CHECK(child > 0 && kid_wait(child) == 0);
	CHECK(box->got == DPF_MAXFILT / 4 && box->errors == E_QUOTA);
	CHECK(sys_kcheck(0) == 0);                         /* its usage went with it */
	int id = exos_dpf_port(DPF_NONIC, 17, 3000);     /* its port is free again */
	CHECK(id >= 0 && sys_net_dpf_del(DPF_NONIC, (u32)id) == 0);
}

/* An environment that leaves takes its filters with it. */
static void test_dpf_env_gone(void)
{
	int child = child_spawn(C_DPF_LEAVER);
	CHECK(child > 0 && kid_wait(child) == 0);
	CHECK(sys_kcheck(0) == 0);
	for (u32 p = 0; p < 100; p += 33) {
		int id = exos_dpf_port(DPF_NONIC, 17, 2000 + p);
		CHECK(id >= 0 && sys_net_dpf_del(DPF_NONIC, (u32)id) == 0);
	}
	int id = exos_dpf_port(1, 17, 9);
	CHECK(id >= 0 && sys_net_dpf_del(1, (u32)id) == 0);
}

static const struct utest tests[] = {
	{ "info", test_info },
	{ "a_to_b", test_a_to_b },
	{ "post_checks", test_post_checks },
	{ "exit_with_posted", test_exit_with_posted },
	{ "unref_while_posted", test_unref_while_posted },
	{ "notify_page_reused", test_notify_page_reused },
	{ "first_filter_wins", test_first_filter_wins },
	{ "post_derived", test_post_derived },
	{ "post_ring", test_post_ring },
	{ "sleep_again", test_sleep_again },
	{ "slow_reader_alone", test_slow_reader_alone },
	{ "dpf_steal", test_dpf_steal },
	{ "dpf_args", test_dpf_args },
	{ "dpf_compiled_vs_interp", test_dpf_compiled_vs_interp },
	{ "dpf_env_gone", test_dpf_env_gone },
	{ "dpf_budget", test_dpf_budget },
};

int main(void)
{
	switch (exos_arg & 0xff) {
	case 0: break;
	case C_RECEIVER: return receiver();
	case C_LEAVER: case C_UNREF: return poster(exos_arg & 0xff);
	case C_HOLDER: return holder();
	case C_SLOW: return slow_reader();
	case C_PORT_OWNER: return port_owner();
	case C_DPF_LEAVER: return dpf_leaver();
	case C_DPF_HOG: return dpf_hog();
	case C_NOTIFY_UNREF: return notify_unref();
	default: return 99;
	}
	u64 r = sys_page_alloc(PAGE_ANY);
	box_ppn = (u32)r;
	box_check = (u32)(r >> 32);
	if ((int)box_ppn < 0 || vm_map_page(PARENT_BOX_VA, box_ppn, box_check, VM_RW) < 0) {
		printf("nettest: no box page\n");
		return 1;
	}
	return utest_run_checked("nettest", tests, (int)(sizeof tests / sizeof tests[0]),
				 (volatile u32 *)box, sizeof *box / 4);
}
