/*
 * ashtest: the tests of application-specific safe handlers (ASHs; aegis/ash.c,
 * docs/network.md), run as the first environment by `make test` (init=ashtest
 * kcheck, suite ash-direct) on a board with two PCnet NICs joined by a QEMU
 * hub: a frame sent on NIC 0 arrives on NIC 1 and the other way round.
 * Prints KTAP: subtest "ashtest", one result per test; after every test the
 * kernel's invariant checker must find nothing. Started with a nonzero
 * argument, the same program is one of the children.
 */
#include "../utest/utest.h"
#include "../utest/kids.h"

int failed_checks;

#define BOX_VA        0x00006000u       /* the shared page in a child */
#define PARENT_BOX_VA 0x30f00000u       /* ... and in the suite */
#define TX_VA         0x31000000u       /* frames are sent from here */
#define RX_VA         0x31001000u       /* buffers posted here; the notification word at its end */
#define REG_VA        0x31002000u       /* an ASH's region */
#define SECOND        160000000u        /* CP0 Count ticks */
#define SLOT          512               /* receive buffers: 8 to a page */
#define NOTIFY_OFF    (PAGE_SIZE - 4)
#define RTT_TRIPS     20

struct box {
	volatile u32 step;
	volatile u32 ppn, check;          /* a child's page, for the attacks */
	volatile u32 errors;              /* what a child found wrong */
	volatile u32 got;                 /* how many a child took */
	volatile u32 word[16];
};
static struct box *box = (struct box *)PARENT_BOX_VA;
static u32 box_ppn, box_check;

enum { C_ECHO = 1, C_BAD_STORE, C_HOLDER, C_PORT_OWNER, C_HOG };

static const u8 mac0[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const u8 mac1[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };
#define IP0 0x0a000901u                 /* 10.0.9.1, NIC 0 */
#define IP1 0x0a000902u                 /* 10.0.9.2, NIC 1 */
#define CLIENT_PORT 5000

static int child_spawn(u32 mode)
{
	return kid_spawn("ashtest", mode, BOX_VA, box_ppn, box_check);
}

/* ---- frames ---- */

/* RFC 1071's sum of b[0..len-1] (big-endian pairs, an odd last byte as a
 * high byte) added to start, folded to 16 bits: the C reference. */
static u32 inet_sum(const volatile u8 *b, u32 len, u32 start)
{
	u32 s = start;
	for (u32 k = 0; k < len; k += 2)
		s += (u32)b[k] << 8 | (k + 1 < len ? b[k + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

static void put16(u8 *p, u32 v) { p[0] = (u8)(v >> 8); p[1] = (u8)v; }
static void put32(u8 *p, u32 v) { put16(p, v >> 16); put16(p + 2, v); }
static u8 payload_byte(u32 seq, u32 i) { return (u8)(seq * 29 + i * 13 + 5); }

/* The UDP checksum's sum over frame f (an IPv4 header of 20 bytes): the
 * pseudo-header, the UDP header and its payload; 0xffff when it is right. */
static u32 udp_sum(const volatile u8 *f)
{
	u32 ulen = (u32)f[38] << 8 | f[39];
	return inet_sum(f + 34, ulen, inet_sum(f + 26, 8, 17 + ulen));
}

/* An IPv4 UDP frame at p, from mac0/IP0:CLIENT_PORT to mac1/IP1:port, with
 * plen bytes of payload number seq and both checksums right; its length. */
static u32 udp_frame(u8 *p, u32 port, u32 plen, u32 seq)
{
	for (int i = 0; i < 6; i++) {
		p[i] = mac1[i];
		p[6 + i] = mac0[i];
	}
	put16(p + 12, 0x0800);
	u8 *ip = p + 14, *udp = p + 34;
	ip[0] = 0x45, ip[1] = 0;
	put16(ip + 2, 28 + plen);
	put16(ip + 4, seq), put16(ip + 6, 0);
	ip[8] = 64, ip[9] = 17;
	put16(ip + 10, 0);
	put32(ip + 12, IP0), put32(ip + 16, IP1);
	put16(ip + 10, ~inet_sum(ip, 20, 0) & 0xffff);
	put16(udp, CLIENT_PORT), put16(udp + 2, port), put16(udp + 4, 8 + plen), put16(udp + 6, 0);
	for (u32 i = 0; i < plen; i++)
		udp[8 + i] = payload_byte(seq, i);
	u32 c = ~udp_sum(p) & 0xffff;
	put16(udp + 6, c ? c : 0xffff);
	return 42 + plen;
}

/* Send len bytes at TX_VA on NIC 0 (the suite's page (ppn, check)). */
static int send0(u32 ppn, u32 check, u32 len)
{
	return sys_net_tx(0, CAP_NAME(ppn, CAP_RW), check, NET_OFFLEN(0, len));
}

static struct ash_stat status_of(u32 id)
{
	struct ash_stat st = { 0 };
	sys_ash_status(id, &st);
	return st;
}

/* Yield until ASH id has run `runs` times (bounded): whether it has. */
static bool wait_runs(u32 id, u32 runs)
{
	for (u32 i = 0; i < 1000; i++) {
		if (status_of(id).runs >= runs)
			return true;
		sys_yield();
	}
	return false;
}

/* Sleep until the notification word at the end of the page at va (cap
 * name/check) reaches n (bounded): whether it did. */
static bool wait_notified(u32 va, u32 name, u32 check, u32 n)
{
	volatile u32 *counter = (volatile u32 *)(va + NOTIFY_OFF);
	for (u32 i = 0; i < 40 && *counter < n; i++)
		sleep_until_changed(counter, name, check, *counter, SECOND / 4);
	return *counter >= n;
}

/* Sleep until the box's step reaches s (bounded, some 10 s): whether it did.
 * A child that sleeps on a predicate with a time bound may take a while. */
static bool wait_box_step(u32 s)
{
	for (u32 i = 0; i < 40 && box->step < s; i++)
		sleep_until_changed(&box->step, CAP_NAME(box_ppn, CAP_RW), box_check, box->step,
				    SECOND / 4);
	return box->step >= s;
}

/* A page mapped at va, zeroed; false if none. */
static bool fresh(u32 va, u32 *ppn, u32 *check)
{
	if (!new_page(va, ppn, check))
		return false;
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		((volatile u32 *)va)[i] = 0;
	return true;
}

/* Post nbuf SLOT-byte buffers of the page at RX_VA (ppn, check) on nic and
 * name its last word as the notification word. */
static bool post_rx(u32 nic, u32 ppn, u32 check, u32 nbuf)
{
	for (u32 k = 0; k < nbuf; k++)
		if (sys_net_post(nic, CAP_NAME(ppn, CAP_RW), check, NET_OFFLEN(k * SLOT, SLOT)) != (int)k + 1)
			return false;
	return sys_net_notify(CAP_NAME(ppn, CAP_RW), check, NOTIFY_OFF) == 0;
}

/* ---- children ---- */

/* The echo partner: UDP port 7 on NIC 1 answered by ExOS's echo ASH; then
 * asleep until the suite says done, when it reports its ASH's counters. */
static int echo_child(void)
{
	struct box *b = (struct box *)BOX_VA;
	int filter = -1, id = exos_ash_udp_echo(1, 7, &filter);
	if (id < 0)
		return 90;
	b->word[0] = (u32)id;
	b->step = 1;
	for (u32 i = 0; i < 40 && b->step < 2; i++)     /* the box's capability: word[8], [9] */
		sleep_until_changed(&b->step, CAP_NAME(b->word[8], CAP_RW), b->word[9], 1, SECOND / 2);
	struct ash_stat st = status_of((u32)id);
	b->word[1] = st.runs, b->word[2] = st.replies, b->word[3] = st.consumed;
	b->word[4] = st.aborts;
	return b->step == 2 ? 0 : 92;
}

/* An ASH that stores outside its region: port 11 on NIC 1, region [0, 64)
 * of a page filled with 0xa5, a buffer posted and a notification word in a
 * second page. After one frame: the run was aborted (counted, the word
 * incremented), the frame delivered, the store inside made, nothing outside
 * the 64 bytes touched. */
static int bad_store_child(void)
{
	struct box *b = (struct box *)BOX_VA;
	u32 ppn, check, rppn, rcheck;
	if (!fresh(RX_VA, &ppn, &check) || !new_page(REG_VA, &rppn, &rcheck))
		return 90;
	volatile u8 *reg = (volatile u8 *)REG_VA;
	for (u32 i = 0; i < PAGE_SIZE; i++)
		reg[i] = 0xa5;
	int f = exos_dpf_port(1, 17, 11);
	static const struct dc_insn prog[] = {
		DC_INSN(DC_LDI, 1, 0, 0, 0x11111111u),
		DC_INSN(DC_STWA, 1, 0, ASH_WIN_REGION, 60),     /* the region's last word */
		DC_INSN(DC_STWA, 1, 0, ASH_WIN_REGION, 64),     /* just past it: a fault */
		DC_INSN(DC_RETI, 0, 0, 0, 0),
	};
	int id = f < 0 ? f : exos_ash_install(1, (u32)f, prog, 4, CAP_NAME(rppn, CAP_RW), rcheck,
					      NET_OFFLEN(0, 64));
	if (id < 0 || !post_rx(1, ppn, check, 1))
		return 91;
	b->step = 1;
	u32 errors = 0;
	errors += !wait_notified(RX_VA, CAP_NAME(ppn, CAP_RW), check, 2);   /* the abort, the frame */
	struct ash_stat st = status_of((u32)id);
	errors += st.runs != 1 || st.aborts != 1 || st.last_abort != ASH_ABORT_FAULT || st.consumed;
	errors += *(volatile u32 *)RX_VA != (NET_RX_DONE | 1u << 16 | 60);  /* delivered as without */
	errors += *(volatile u32 *)(REG_VA + 60) != 0x11111111u;
	for (u32 i = 0; i < PAGE_SIZE; i++)
		errors += (i < 60 || i >= 64) && reg[i] != 0xa5;
	b->errors = errors;
	b->got = st.aborts;
	b->step = 2;
	wait_step(&b->step, 3, 100000);
	return 0;
}

/* Hold a page of its own and publish its capability, until told. */
static int holder(void)
{
	struct box *b = (struct box *)BOX_VA;
	return kid_hold_page(TX_VA, &b->step, &b->ppn, &b->check);
}

static const struct dc_insn consume_all[] = { DC_INSN(DC_RETI, 0, 0, 0, 0) };

/* Own UDP port 7 on NIC 1 with an ASH; publish both ids; wait until told. */
static int port_owner(void)
{
	struct box *b = (struct box *)BOX_VA;
	int f = exos_dpf_port(1, 17, 7);
	int id = f < 0 ? f : exos_ash_install(1, (u32)f, consume_all, 1, 0, 0, 0);
	if (id < 0)
		return 90;
	b->word[0] = (u32)f;
	b->word[1] = (u32)id;
	b->step = 1;
	wait_step(&b->step, 2, 100000);
	return 0;
}

/* A filter and an ASH on it, for port 6000 + k on NIC 1; the ASH's id or
 * an error (the filter removed again). */
static int take_ash(u32 k)
{
	int f = exos_dpf_port(1, 17, 6000 + k);
	if (f < 0)
		return f;
	int id = exos_ash_install(1, (u32)f, consume_all, 1, 0, 0, 0);
	if (id < 0)
		sys_net_dpf_del(1, (u32)f);
	return id;
}

/* Download ASHs until refused; the count in got, the error in errors; then
 * exit with them installed. */
static int ash_hog(void)
{
	struct box *b = (struct box *)BOX_VA;
	kid_take_until_refused(take_ash, ASH_MAX, &b->got, &b->errors);
	return 0;
}

/* ---- tests ---- */

/* ExOS's echo ASH in a child that sleeps: datagrams of 0..1472 bytes from
 * the suite on NIC 0 come back at once, every byte as sent but for the
 * swapped addresses and ports, both checksums still right; then 20 round
 * trips one at a time; the child's counters say it answered each and kept
 * each from its buffers. */
static void test_echo(void)
{
	static const u32 plens[] = { 0, 1, 18, 32, 333, 1472 };
	enum { N = sizeof plens / sizeof plens[0] };
	u32 tppn, tcheck, rppn, rcheck;
	CHECK(fresh(TX_VA, &tppn, &tcheck) && fresh(RX_VA, &rppn, &rcheck));
	int mine = exos_dpf_port(0, 17, CLIENT_PORT);
	CHECK(mine >= 0 && post_rx(0, rppn, rcheck, N - 1));   /* and room for 1514 bytes: */
	CHECK(sys_net_post(0, CAP_NAME(rppn, CAP_RW), rcheck, NET_OFFLEN((N - 1) * SLOT, 1520)) == N);
	box->word[8] = box_ppn;
	box->word[9] = box_check;
	int child = child_spawn(C_ECHO);
	CHECK(child > 0 && wait_step(&box->step, 1, 100000));
	u8 *p = (u8 *)TX_VA;
	for (u32 k = 0; k < N; k++) {
		u32 len = udp_frame(p, 7, plens[k], k);
		CHECK(send0(tppn, tcheck, len) == 0);
	}
	CHECK(wait_notified(RX_VA, CAP_NAME(rppn, CAP_RW), rcheck, N));
	u32 bad = 0;
	for (u32 k = 0; k < N; k++) {
		u32 len = udp_frame(p, 7, plens[k], k), wire = len < 60 ? 60 : len;
		for (u32 i = len; i < wire; i++)
			p[i] = 0;                       /* the NIC's padding comes back too */
		const volatile u8 *b = (const volatile u8 *)(RX_VA + k * SLOT);
		const volatile u8 *r = b + NET_RX_HDR;
		if (*(const volatile u32 *)b != (NET_RX_DONE | wire)) {
			printf("    # echo %u: header %08x, want %08x\n", k, *(const volatile u32 *)b,
			       NET_RX_DONE | wire);
			bad++;
			continue;
		}
		u32 wrong = 0;
		for (u32 i = 0; i < wire; i++) {
			u32 j = i;                      /* where byte i of the reply came from */
			if (i < 12)
				j = (i + 6) % 12;       /* Ethernet addresses swapped */
			else if (i >= 26 && i < 34)
				j = i < 30 ? i + 4 : i - 4;   /* IPv4 addresses */
			else if (i >= 34 && i < 38)
				j = i < 36 ? i + 2 : i - 2;   /* UDP ports */
			wrong += r[i] != p[j];
		}
		wrong += inet_sum(r + 14, 20, 0) != 0xffff || udp_sum(r) != 0xffff;
		if (wrong)
			printf("    # echo %u (%u bytes): %u bytes wrong\n", k, wire, wrong);
		bad += wrong != 0;
	}
	CHECK(bad == 0);
	/* Round trips one at a time, as the udp_rtt rows make them (32-byte
	 * datagrams, the buffer posted again each time): each comes back. */
	u32 trips = 0, start = read_count();
	volatile u32 *hdr = (volatile u32 *)RX_VA;
	for (u32 k = 0; k < RTT_TRIPS; k++) {
		*hdr = 0;
		CHECK(sys_net_post(0, CAP_NAME(rppn, CAP_RW), rcheck, NET_OFFLEN(0, SLOT)) == 1);
		u32 len = udp_frame(p, 7, 32, 100 + k), seen = *(volatile u32 *)(RX_VA + NOTIFY_OFF);
		CHECK(send0(tppn, tcheck, len) == 0);
		CHECK(wait_notified(RX_VA, CAP_NAME(rppn, CAP_RW), rcheck, seen + 1));
		trips += *hdr == (NET_RX_DONE | len) && ((volatile u8 *)RX_VA)[NET_RX_HDR + 42] == p[42];
	}
	CHECK(trips == RTT_TRIPS);
	printf("    # echo: %u round trips one at a time, %u CP0 Count ticks each (not checked)\n",
	       trips, (read_count() - start) / RTT_TRIPS);
	box->step = 2;
	CHECK(kid_wait(child) == 0);
	CHECK(box->word[1] == N + RTT_TRIPS && box->word[2] == N + RTT_TRIPS &&
	      box->word[3] == N + RTT_TRIPS && box->word[4] == 0);
	/* Its ASH went with it: the port is free, and the frame goes nowhere. */
	int again = exos_dpf_port(1, 17, 7);
	CHECK(again >= 0 && sys_net_dpf_del(1, (u32)again) == 0);
	CHECK(sys_net_dpf_del(0, (u32)mine) == 0);
	CHECK(sys_net_unpost(0) == 0 && sys_net_notify(0, 0, 0) == 0);
	CHECK(vm_unmap(TX_VA, 2, true) == 0);
}

/* The copy-and-checksum ASH: the UDP checksum checked (the pseudo-header's
 * addresses by loads, the rest with CSUM), the payload copied into the region at 16 with its
 * sum (COPY), both sums folded and stored; a frame whose checksum is right
 * is consumed, one whose checksum is wrong delivered to the posted buffer. */
static const struct dc_insn copy_csum[] = {
	DC_INSN(DC_LDBA, 1, 0, ASH_WIN_FRAME, 14), DC_INSN(DC_ANDI, 1, 0, 0, 15),
	DC_INSN(DC_SHLI, 1, 0, 0, 2), DC_INSN(DC_ADDI, 1, 0, 0, 14),       /* r1 = the UDP header */
	DC_INSN(DC_LDHN, 6, 1, ASH_WIN_FRAME, 4),                           /* r6 = UDP length */
	DC_INSN(DC_LDHNA, 5, 0, ASH_WIN_FRAME, 26), DC_INSN(DC_LDHNA, 2, 0, ASH_WIN_FRAME, 28),
	DC_INSN(DC_ADD, 5, 2, 0, 0), DC_INSN(DC_LDHNA, 2, 0, ASH_WIN_FRAME, 30),
	DC_INSN(DC_ADD, 5, 2, 0, 0), DC_INSN(DC_LDHNA, 2, 0, ASH_WIN_FRAME, 32),
	DC_INSN(DC_ADD, 5, 2, 0, 0),                                        /* r5 = the addresses */
	DC_INSN(DC_ADDI, 5, 0, 0, 17), DC_INSN(DC_ADD, 5, 6, 0, 0),         /* + protocol, length */
	DC_INSN(DC_CSUM, 5, 6, ASH_WIN_FRAME, 1),                           /* + header, payload */
	DC_INSN(DC_SUBI, 6, 0, 0, 8), DC_INSN(DC_ADDI, 1, 0, 0, 8), DC_INSN(DC_LDI, 2, 0, 0, 16),
	DC_INSN(DC_COPY, 0, 6, ASH_WIN_FRAME | ASH_WIN_REGION << 4, 1 | 2 << 4),
#define FOLD(r) DC_INSN(DC_MOV, 4, r, 0, 0), DC_INSN(DC_SHRI, 4, 0, 0, 16), \
	DC_INSN(DC_ANDI, r, 0, 0, 0xffff), DC_INSN(DC_ADD, r, 4, 0, 0)
	FOLD(0), FOLD(0), FOLD(5), FOLD(5),
	DC_INSN(DC_STWA, 0, 0, ASH_WIN_REGION, 0), DC_INSN(DC_STWA, 6, 0, ASH_WIN_REGION, 4),
	DC_INSN(DC_STWA, 5, 0, ASH_WIN_REGION, 8),
	DC_INSN(DC_JEQI, 5, 0, 1, 0xffff),
	DC_INSN(DC_RETI, 0, 0, 0, ASH_DELIVER),
	DC_INSN(DC_RETI, 0, 0, 0, 0),
};

static void test_copy_csum(void)
{
	static const u32 plens[] = { 1, 2, 17, 100, 1001, 1472 };
	u32 tppn, tcheck, rppn, rcheck, gppn, gcheck;
	CHECK(fresh(TX_VA, &tppn, &tcheck) && fresh(RX_VA, &rppn, &rcheck) &&
	      fresh(REG_VA, &gppn, &gcheck));
	int f = exos_dpf_port(1, 17, 9);
	CHECK(f >= 0 && post_rx(1, rppn, rcheck, 1));
	int id = exos_ash_install(1, (u32)f, copy_csum, sizeof copy_csum / sizeof copy_csum[0],
				  CAP_NAME(gppn, CAP_RW), gcheck, NET_OFFLEN(0, 2048));
	CHECK(id >= 0);
	u8 *p = (u8 *)TX_VA;
	const volatile u32 *reg = (const volatile u32 *)REG_VA;
	for (u32 k = 0; k < sizeof plens / sizeof plens[0]; k++) {
		u32 len = udp_frame(p, 9, plens[k], k + 10);
		CHECK(send0(tppn, tcheck, len) == 0);
		CHECK(wait_runs((u32)id, k + 1));
		u32 same = 0;
		for (u32 i = 0; i < plens[k]; i++)
			same += ((const volatile u8 *)REG_VA)[16 + i] == p[42 + i];
		CHECK(same == plens[k]);
		CHECK(reg[0] == inet_sum(p + 42, plens[k], 0) && reg[1] == plens[k]);
		CHECK(reg[2] == 0xffff);
		if (reg[0] != inet_sum(p + 42, plens[k], 0))
			printf("    # %u bytes: sum %x, C says %x\n", plens[k], reg[0], inet_sum(p + 42, plens[k], 0));
	}
	struct ash_stat st = status_of((u32)id);
	CHECK(st.runs == 6 && st.consumed == 6 && st.aborts == 0 && st.replies == 0);
	CHECK(*(volatile u32 *)RX_VA == 0);             /* nothing delivered */
	/* A wrong UDP checksum: the ASH passes the frame on. */
	u32 len = udp_frame(p, 9, 64, 99);
	p[40] ^= 0x40;
	CHECK(send0(tppn, tcheck, len) == 0);
	CHECK(wait_notified(RX_VA, CAP_NAME(rppn, CAP_RW), rcheck, 1));
	CHECK(reg[2] != 0xffff && *(volatile u32 *)RX_VA == (NET_RX_DONE | 1u << 16 | len));
	st = status_of((u32)id);
	CHECK(st.runs == 7 && st.consumed == 6 && st.aborts == 0);
	CHECK(sys_net_dpf_del(1, (u32)f) == 0);         /* takes the ASH with it */
	CHECK(sys_ash_status((u32)id, &st) == -E_INVAL && sys_ash_del((u32)id) == -E_INVAL);
	CHECK(sys_net_notify(0, 0, 0) == 0);
	CHECK(vm_unmap(TX_VA, 3, true) == 0);
}

/* An ASH that stores outside its region is aborted: its owner is told (the
 * count, the notification word), its frame delivered as if there were no
 * ASH, nothing outside the region written; the kernel and the suite's own
 * traffic go on. */
static void test_store_outside(void)
{
	u32 tppn, tcheck, rppn, rcheck;
	CHECK(fresh(TX_VA, &tppn, &tcheck) && fresh(RX_VA, &rppn, &rcheck));
	int child = child_spawn(C_BAD_STORE);
	CHECK(child > 0 && wait_step(&box->step, 1, 100000));
	int mine = exos_dpf_port(1, 17, 13);
	CHECK(mine >= 0 && post_rx(1, rppn, rcheck, 1));
	u32 len = udp_frame((u8 *)TX_VA, 11, 18, 1);
	CHECK(send0(tppn, tcheck, len) == 0);
	len = udp_frame((u8 *)TX_VA, 13, 18, 2);
	CHECK(send0(tppn, tcheck, len) == 0);
	CHECK(wait_notified(RX_VA, CAP_NAME(rppn, CAP_RW), rcheck, 1));
	CHECK(*(volatile u32 *)RX_VA == (NET_RX_DONE | 1u << 16 | 60));
	CHECK(((volatile u8 *)RX_VA)[NET_RX_HDR + 37] == 13);
	CHECK(wait_box_step(2));
	CHECK(box->errors == 0 && box->got == 1);
	CHECK(sys_kcheck(0) == 0);
	box->step = 3;
	CHECK(kid_wait(child) == 0);
	CHECK(sys_net_dpf_del(1, (u32)mine) == 0 && sys_net_notify(0, 0, 0) == 0);
	CHECK(vm_unmap(TX_VA, 2, true) == 0);
}

/* Programs refused at download: a loop (there are no backward jumps: the
 * offset is unsigned, so "jump back by one" is a jump 65535 forward, past
 * the end), jumps past the end, no RET, too long, too many block
 * instructions, stores into the frame or the information, a window that
 * does not exist. */
static void test_refused(void)
{
	int f = exos_dpf_port(1, 17, 21);
	CHECK(f >= 0);
	static struct dc_insn p[ASH_MAXINSNS + 1];
	for (u32 i = 0; i <= ASH_MAXINSNS; i++)
		p[i] = (struct dc_insn)DC_INSN(DC_ADDI, 1, 0, 0, 1);
	p[ASH_MAXINSNS - 1] = p[ASH_MAXINSNS] = (struct dc_insn)DC_INSN(DC_RETI, 0, 0, 0, 0);
	CHECK(exos_ash_install(1, (u32)f, p, ASH_MAXINSNS + 1, 0, 0, 0) == -E_INVAL);  /* too long */
	CHECK(exos_ash_install(1, (u32)f, p, 0, 0, 0, 0) == -E_INVAL);
	CHECK(exos_ash_install(1, (u32)f, p, ASH_MAXINSNS - 1, 0, 0, 0) == -E_INVAL);   /* no RET */
	static const struct dc_insn bad[][3] = {
		{ DC_INSN(DC_ADDI, 1, 0, 0, 1), DC_INSN(DC_JA, 0, 0, 0xffff, 0), DC_INSN(DC_RETI, 0, 0, 0, 0) },
		{ DC_INSN(DC_ADDI, 1, 0, 0, 1), DC_INSN(DC_JEQI, 1, 0, 0xfffe, 1), DC_INSN(DC_RETI, 0, 0, 0, 0) },
		{ DC_INSN(DC_JA, 0, 0, 2, 0), DC_INSN(DC_RETI, 0, 0, 0, 0), DC_INSN(DC_RETI, 0, 0, 0, 0) },
		{ DC_INSN(DC_JNE, 1, 2, 5, 0), DC_INSN(DC_RETI, 0, 0, 0, 0), DC_INSN(DC_RETI, 0, 0, 0, 0) },
		{ DC_INSN(DC_STBA, 1, 0, ASH_WIN_FRAME, 0), DC_INSN(DC_RETI, 0, 0, 0, 0) },
		{ DC_INSN(DC_STWA, 1, 0, ASH_WIN_INFO, 0), DC_INSN(DC_RETI, 0, 0, 0, 0) },
		{ DC_INSN(DC_LDBA, 1, 0, 4, 0), DC_INSN(DC_RETI, 0, 0, 0, 0) },
		{ DC_INSN(DC_COPY, 0, 1, ASH_WIN_REPLY | ASH_WIN_FRAME << 4, 0), DC_INSN(DC_RETI, 0, 0, 0, 0) },
		{ DC_INSN(DC_CSUM, 0, 1, 0, 0), DC_INSN(DC_CSUM, 0, 1, 0, 0), DC_INSN(DC_CSUM, 0, 1, 0, 0) },
	};
	for (u32 k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		u32 n = bad[k][2].op ? 3 : 2;
		struct dc_insn q[4] = { bad[k][0], bad[k][1], bad[k][2], DC_INSN(DC_RETI, 0, 0, 0, 0) };
		int r = exos_ash_install(1, (u32)f, q, k == 8 ? 4 : n, 0, 0, 0);
		if (r != -E_INVAL)
			printf("    # refused case %u: %d\n", k, r);
		CHECK(r == -E_INVAL);
	}
	/* Within the limits: accepted (ASH_MAXINSNS instructions, two blocks). */
	p[0] = (struct dc_insn)DC_INSN(DC_CSUM, 0, 1, 0, 0);
	p[1] = p[0];
	int id = exos_ash_install(1, (u32)f, p, ASH_MAXINSNS, 0, 0, 0);
	CHECK(id >= 0 && sys_ash_del((u32)id) == 0);
	CHECK(sys_net_dpf_del(1, (u32)f) == 0);
}

/* The region must be a range of a page the caller holds, named by a valid
 * read-write capability; the descriptor and the program must be readable. */
static void test_region_checks(void)
{
	u32 gppn, gcheck;
	CHECK(fresh(REG_VA, &gppn, &gcheck));
	int f = exos_dpf_port(1, 17, 23);
	CHECK(f >= 0);
	u32 name = CAP_NAME(gppn, CAP_RW), n = 1;
	const struct dc_insn *p = consume_all;
	CHECK(exos_ash_install(1, (u32)f, p, n, name, gcheck ^ 1, NET_OFFLEN(0, 64)) == -E_BADCAP);
	CHECK(exos_ash_install(1, (u32)f, p, n, CAP_NAME(gppn + 1, CAP_RW), gcheck, NET_OFFLEN(0, 64)) == -E_BADCAP);
	u64 ro = sys_cap_derive(name, gcheck, CAP_R);
	CHECK(exos_ash_install(1, (u32)f, p, n, (u32)ro, (u32)(ro >> 32), NET_OFFLEN(0, 64)) == -E_BADCAP);
	CHECK(exos_ash_install(1, (u32)f, p, n, name, gcheck, NET_OFFLEN(4000, 97)) == -E_INVAL);
	CHECK(exos_ash_install(1, (u32)f, p, n, name, gcheck, NET_OFFLEN(0, 0)) == -E_INVAL);
	CHECK(exos_ash_install(1, (u32)f, p, n, name, gcheck, NET_OFFLEN(0xffff, 0xffff)) == -E_INVAL);
	CHECK(exos_ash_install(1, (u32)f, p, n, 0, 0, NET_OFFLEN(0, 64)) == -E_INVAL);
	box->step = 0;
	int child = child_spawn(C_HOLDER);
	CHECK(child > 0 && wait_step(&box->step, 1, 100000));
	CHECK(exos_ash_install(1, (u32)f, p, n, CAP_NAME(box->ppn, CAP_RW), box->check,
			       NET_OFFLEN(0, 64)) == -E_PERM);            /* another's page */
	box->step = 2;
	CHECK(kid_wait(child) == 0);
	CHECK(sys_ash_add(1, (u32)f, NULL) == -E_FAULT);
	CHECK(sys_ash_add(1, (u32)f, (void *)0x80000000u) == -E_FAULT);
	struct ash_desc d = { (const void *)0x80001000u, 1, 0, 0, 0 };
	CHECK(sys_ash_add(1, (u32)f, &d) == -E_FAULT);
	d.prog = (const void *)(0x80000000u - 8);
	d.n = 2;
	CHECK(sys_ash_add(1, (u32)f, &d) == -E_FAULT);
	int id = exos_ash_install(1, (u32)f, p, n, name, gcheck, NET_OFFLEN(4032, 64));
	CHECK(id >= 0 && sys_ash_del((u32)id) == 0);
	CHECK(sys_net_dpf_del(1, (u32)f) == 0);
	CHECK(vm_unmap(REG_VA, 1, true) == 0);
}

/* Only the filter's owner may give it an ASH, and only one; only an ASH's
 * owner may remove it or read its counters. */
static void test_not_owned(void)
{
	box->step = 0;
	int child = child_spawn(C_PORT_OWNER);
	CHECK(child > 0 && wait_step(&box->step, 1, 100000));
	u32 theirs = box->word[0], their_ash = box->word[1];
	CHECK(exos_ash_install(1, theirs, consume_all, 1, 0, 0, 0) == -E_PERM);
	CHECK(sys_ash_del(their_ash) == -E_INVAL);
	struct ash_stat st;
	CHECK(sys_ash_status(their_ash, &st) == -E_INVAL);
	CHECK(sys_net_dpf_del(1, theirs) == -E_INVAL);
	u32 nnic = (u32)sys_net_info(0, &(struct net_info){ 0 });
	int f = exos_dpf_port(1, 17, 25);
	CHECK(f >= 0);
	CHECK(exos_ash_install(nnic, (u32)f, consume_all, 1, 0, 0, 0) == -E_INVAL);
	CHECK(exos_ash_install(DPF_NONIC, (u32)f, consume_all, 1, 0, 0, 0) == -E_INVAL);
	CHECK(exos_ash_install(0xffffffffu, (u32)f, consume_all, 1, 0, 0, 0) == -E_INVAL);
	CHECK(exos_ash_install(0, (u32)f, consume_all, 1, 0, 0, 0) == -E_INVAL);   /* not on NIC 0 */
	CHECK(exos_ash_install(1, DPF_MAXFILT, consume_all, 1, 0, 0, 0) == -E_INVAL);
	CHECK(exos_ash_install(1, DPF_MAXFILT - 1, consume_all, 1, 0, 0, 0) == -E_INVAL);
	int id = exos_ash_install(1, (u32)f, consume_all, 1, 0, 0, 0);
	CHECK(id >= 0);
	CHECK(exos_ash_install(1, (u32)f, consume_all, 1, 0, 0, 0) == -E_BUSY);
	CHECK(sys_ash_status((u32)id, (void *)0x80000000u) == -E_FAULT);
	CHECK(sys_ash_status((u32)id, NULL) == -E_FAULT);
	CHECK(sys_ash_status((u32)id, &st) == 0 && st.nic == 1 && st.filter == (u32)f);
	CHECK(sys_ash_del(ASH_MAX) == -E_INVAL && sys_ash_del(0xffffffffu) == -E_INVAL);
	CHECK(sys_ash_del((u32)id) == 0 && sys_ash_del((u32)id) == -E_INVAL);
	CHECK(sys_net_dpf_del(1, (u32)f) == 0);
	box->step = 2;
	CHECK(kid_wait(child) == 0);
}

/* The region is re-checked before every run: once the owner has let go of
 * its page (which is then allocated again and filled), the ASH is aborted
 * (ASH_ABORT_REGION), writes nothing, and the frame is delivered. */
static void test_region_gone(void)
{
	u32 tppn, tcheck, rppn, rcheck, gppn, gcheck;
	CHECK(fresh(TX_VA, &tppn, &tcheck) && fresh(RX_VA, &rppn, &rcheck) &&
	      fresh(REG_VA, &gppn, &gcheck));
	int f = exos_dpf_port(1, 17, 15);
	CHECK(f >= 0 && post_rx(1, rppn, rcheck, 1));
	static const struct dc_insn prog[] = {
		DC_INSN(DC_LDI, 1, 0, 0, 0xdeadbeefu), DC_INSN(DC_STWA, 1, 0, ASH_WIN_REGION, 0),
		DC_INSN(DC_RETI, 0, 0, 0, 0),
	};
	int id = exos_ash_install(1, (u32)f, prog, 3, CAP_NAME(gppn, CAP_RW), gcheck, NET_OFFLEN(0, 256));
	CHECK(id >= 0);
	CHECK(vm_unmap(REG_VA, 1, true) == 0);          /* let go of the page: it is free */
	u64 r = sys_page_alloc(gppn);                   /* the very page, again */
	CHECK((u32)r == gppn && vm_map_page(REG_VA, gppn, (u32)(r >> 32), VM_RW) == 0);
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		((volatile u32 *)REG_VA)[i] = 0x5a5a5a5au;
	u32 len = udp_frame((u8 *)TX_VA, 15, 18, 3);
	CHECK(send0(tppn, tcheck, len) == 0);
	CHECK(wait_notified(RX_VA, CAP_NAME(rppn, CAP_RW), rcheck, 2));
	u32 changed = 0;
	for (u32 i = 0; i < PAGE_SIZE / 4; i++)
		changed += ((volatile u32 *)REG_VA)[i] != 0x5a5a5a5au;
	CHECK(changed == 0);
	struct ash_stat st = status_of((u32)id);
	CHECK(st.aborts == 1 && st.last_abort == ASH_ABORT_REGION && st.runs == 0);
	CHECK(*(volatile u32 *)RX_VA == (NET_RX_DONE | 1u << 16 | 60));
	CHECK(sys_net_dpf_del(1, (u32)f) == 0 && sys_net_notify(0, 0, 0) == 0);
	CHECK(vm_unmap(TX_VA, 3, true) == 0);
}

/* The echo ASH with the copy cut to `copy` bytes and the reply set to 60
 * bytes, into p; its length. */
static unsigned echo_variant(struct dc_insn *p, u32 copy)
{
	unsigned n = exos_ash_udp_echo_prog(p);
	p[0] = (struct dc_insn)DC_INSN(DC_LDI, 7, 0, 0, copy);
	p[n - 1] = (struct dc_insn)DC_INSN(DC_RETI, 0, 0, 0, 60);
	return n;
}

/* A reply buffer starts zeroed: an ASH that replies with bytes it did not
 * write sends zeros, not what the previous ASH of that pool entry (another
 * environment's, here the suite's own) left there. */
static void test_reply_zeroed(void)
{
	u32 tppn, tcheck, rppn, rcheck;
	CHECK(fresh(TX_VA, &tppn, &tcheck) && fresh(RX_VA, &rppn, &rcheck));
	int mine = exos_dpf_port(0, 17, CLIENT_PORT), f = exos_dpf_port(1, 17, 19);
	CHECK(mine >= 0 && f >= 0 && post_rx(0, rppn, rcheck, 2));
	struct dc_insn p[EXOS_ASH_ECHO_MAX];
	int ids[2];
	for (u32 k = 0; k < 2; k++) {
		unsigned n = echo_variant(p, k == 0 ? 60 : 42);   /* the whole frame; the headers */
		int id = ids[k] = exos_ash_install(1, (u32)f, p, n, 0, 0, 0);
		CHECK(id >= 0);
		u32 len = udp_frame((u8 *)TX_VA, 19, 18, 40 + k);
		CHECK(send0(tppn, tcheck, len) == 0);
		CHECK(wait_notified(RX_VA, CAP_NAME(rppn, CAP_RW), rcheck, k + 1));
		CHECK(sys_ash_del((u32)id) == 0);
	}
	const volatile u8 *first = (const volatile u8 *)RX_VA + NET_RX_HDR;
	const volatile u8 *second = first + SLOT;
	u32 old = 0, zero = 0;
	for (u32 i = 42; i < 60; i++) {
		old += first[i] == payload_byte(40, i - 42);
		zero += second[i] == 0;
	}
	CHECK(old == 18 && zero == 18 && ids[0] == ids[1]);     /* the same pool entry */
	CHECK(sys_net_dpf_del(0, (u32)mine) == 0 && sys_net_dpf_del(1, (u32)f) == 0);
	CHECK(sys_net_unpost(0) == 0 && sys_net_notify(0, 0, 0) == 0);
	CHECK(vm_unmap(TX_VA, 2, true) == 0);
}

/* A result the kernel cannot follow (an unknown bit, a reply shorter than
 * an Ethernet header or longer than a frame) aborts the run, sends
 * nothing, and the frame is delivered. */
static void test_bad_result(void)
{
	u32 tppn, tcheck, rppn, rcheck;
	CHECK(fresh(TX_VA, &tppn, &tcheck) && fresh(RX_VA, &rppn, &rcheck));
	int f = exos_dpf_port(1, 17, 17);
	CHECK(f >= 0 && post_rx(1, rppn, rcheck, 3));
	static const u32 results[] = { 0x20000, NET_FRAME_MIN - 1, NET_FRAME_MAX + 1 };
	struct net_info before, after;
	sys_net_info(1, &before);
	for (u32 k = 0; k < 3; k++) {
		struct dc_insn p[1] = { DC_INSN(DC_RETI, 0, 0, 0, results[k]) };
		int id = exos_ash_install(1, (u32)f, p, 1, 0, 0, 0);
		CHECK(id >= 0);
		u32 len = udp_frame((u8 *)TX_VA, 17, 18, k);
		CHECK(send0(tppn, tcheck, len) == 0);
		CHECK(wait_notified(RX_VA, CAP_NAME(rppn, CAP_RW), rcheck, 2 * (k + 1)));
		struct ash_stat st = status_of((u32)id);
		CHECK(st.runs == 1 && st.aborts == 1 && st.last_abort == ASH_ABORT_RESULT);
		CHECK(st.replies == 0 && st.reply_drops == 0 && st.consumed == 0);
		CHECK(*(volatile u32 *)(RX_VA + k * SLOT) == (NET_RX_DONE | 1u << 16 | 60));
		CHECK(sys_ash_del((u32)id) == 0);
	}
	sys_net_info(1, &after);
	CHECK(after.tx_frames == before.tx_frames);     /* no reply went out */
	CHECK(sys_net_dpf_del(1, (u32)f) == 0 && sys_net_notify(0, 0, 0) == 0);
	CHECK(vm_unmap(TX_VA, 2, true) == 0);
}

/* Two echo handlers that answer each other (NIC 0's and NIC 1's, both on
 * port 7, and a datagram from port 7 to port 7 between them) would bounce a
 * frame for ever in the kernel's receive path, and the suite would never
 * run again (without the limit this test never ends). After ASH_REPLY_BURST
 * replies with nobody moving on, the next is dropped: the loop ends, the
 * suite goes on. */
static void test_ping_pong(void)
{
	u32 tppn, tcheck;
	CHECK(fresh(TX_VA, &tppn, &tcheck));
	int f0 = -1, f1 = -1, a0 = exos_ash_udp_echo(0, 7, &f0), a1 = exos_ash_udp_echo(1, 7, &f1);
	CHECK(a0 >= 0 && a1 >= 0);
	u8 *p = (u8 *)TX_VA;
	u32 len = udp_frame(p, 7, 18, 50);
	put16(p + 34, 7);                               /* from port 7 too */
	put16(p + 40, 0);                               /* no UDP checksum */
	CHECK(send0(tppn, tcheck, len) == 0);
	struct ash_stat s0, s1;
	for (u32 i = 0; i < 1000; i++) {
		s0 = status_of((u32)a0), s1 = status_of((u32)a1);
		if (s0.reply_drops + s1.reply_drops)
			break;
		sys_yield();
	}
	printf("    # ping-pong: replies %u + %u, dropped %u + %u\n", s0.replies, s1.replies,
	       s0.reply_drops, s1.reply_drops);
	/* At least ASH_REPLY_BURST (more if the suite was found moving on in
	 * between), then one dropped, and nothing after it. */
	CHECK(s0.replies + s1.replies >= ASH_REPLY_BURST && s0.reply_drops + s1.reply_drops == 1);
	CHECK(s0.runs + s1.runs == s0.replies + s1.replies + 1 && s0.aborts + s1.aborts == 0);
	sys_yield();
	CHECK(status_of((u32)a0).runs + status_of((u32)a1).runs == s0.runs + s1.runs);
	CHECK(sys_net_dpf_del(0, (u32)f0) == 0 && sys_net_dpf_del(1, (u32)f1) == 0);
	CHECK(vm_unmap(TX_VA, 1, true) == 0);
}

/* ASHs are budgeted (LIM_ASHS): a child that downloads them until refused
 * stops at ExOS's default for a child (a quarter of the pool), -E_QUOTA;
 * they go when it exits (kcheck), and then the suite, which has no budget,
 * fills the whole pool (ASH_MAX; the next -E_NOMEM); removing the filters
 * removes the ASHs. */
static void test_budget_and_exit(void)
{
	box->got = box->errors = 0;
	int child = child_spawn(C_HOG);
	CHECK(child > 0 && kid_wait(child) == 0);
	CHECK(box->got == ASH_MAX / 4 && box->errors == E_QUOTA);
	CHECK(sys_kcheck(0) == 0);
	static int ids[ASH_MAX];
	u32 took = 0;
	for (u32 k = 0; k < ASH_MAX; k++) {
		ids[k] = take_ash(k);
		took += ids[k] >= 0;
	}
	CHECK(took == ASH_MAX);
	CHECK(take_ash(ASH_MAX) == -E_NOMEM);
	CHECK(sys_kcheck(0) == 0);
	for (u32 k = 0; k < ASH_MAX; k++) {
		struct ash_stat st;
		CHECK(sys_ash_status((u32)ids[k], &st) == 0 && sys_net_dpf_del(1, st.filter) == 0);
		CHECK(sys_ash_status((u32)ids[k], &st) == -E_INVAL);
	}
}

static const struct utest tests[] = {
	{ "echo", test_echo },
	{ "copy_csum", test_copy_csum },
	{ "store_outside", test_store_outside },
	{ "refused", test_refused },
	{ "region_checks", test_region_checks },
	{ "not_owned", test_not_owned },
	{ "region_gone", test_region_gone },
	{ "bad_result", test_bad_result },
	{ "reply_zeroed", test_reply_zeroed },
	{ "ping_pong", test_ping_pong },
	{ "budget_and_exit", test_budget_and_exit },
};

int main(void)
{
	switch (exos_arg & 0xff) {
	case 0: break;
	case C_ECHO: return echo_child();
	case C_BAD_STORE: return bad_store_child();
	case C_HOLDER: return holder();
	case C_PORT_OWNER: return port_owner();
	case C_HOG: return ash_hog();
	default: return 99;
	}
	u64 r = sys_page_alloc(PAGE_ANY);
	box_ppn = (u32)r;
	box_check = (u32)(r >> 32);
	if ((int)box_ppn < 0 || vm_map_page(PARENT_BOX_VA, box_ppn, box_check, VM_RW) < 0) {
		printf("ashtest: no box page\n");
		return 1;
	}
	return utest_run_checked("ashtest", tests, (int)(sizeof tests / sizeof tests[0]),
				 (volatile u32 *)box, sizeof *box / 4);
}
