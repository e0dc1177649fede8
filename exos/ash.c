/*
 * ash.c: ExOS's side of application-specific safe handlers (ASHs; abi.h,
 * docs/network.md): downloading one, and the UDP echo handler, which
 * answers a datagram from inside the kernel as the frame arrives.
 */
#include "exos.h"

int exos_ash_install(u32 nic, u32 filter, const struct dc_insn *prog, u32 n, u32 capname,
		     u32 capcheck, u32 off_len)
{
	struct ash_desc d = { prog, n, capname, capcheck, off_len };
	return sys_ash_add(nic, filter, &d);
}

#define F ASH_WIN_FRAME
#define R ASH_WIN_REPLY
/* Copy a field of size (2 or 4) bytes from the frame at `from` to the
 * reply at `to`, through r3. */
#define MOVE(size, from, to) \
	DC_INSN(size == 4 ? DC_LDWA : DC_LDHA, 3, 0, F, from), \
	DC_INSN(size == 4 ? DC_STWA : DC_STHA, 3, 0, R, to)

/* The echo: the whole frame into the reply buffer (one block copy of
 * ash_info.len bytes), then the Ethernet addresses (0..5, 6..11), the IPv4
 * addresses (26..29, 30..33) and the UDP ports (at 14 + 4 * IHL) swapped,
 * and the reply sent, the frame consumed. Swapping leaves both the IPv4
 * header checksum and the UDP checksum (whose pseudo-header holds both
 * addresses) right, since a ones' complement sum does not depend on the
 * order of its terms. A frame too short for a field makes the ASH fault:
 * the kernel then delivers it as if there were no ASH. Registers: r7 the
 * frame's length, r1 = r2 = 0 the copy's offsets, r4 the UDP header's
 * offset, r3 a field. */
static const struct dc_insn echo[] = {
	DC_INSN(DC_LDWA, 7, 0, ASH_WIN_INFO, ASH_INFO_LEN),
	DC_INSN(DC_COPY, 0, 7, F | R << 4, 1 | 2 << 4),
	MOVE(4, 6, 0), MOVE(2, 10, 4), MOVE(4, 0, 6), MOVE(2, 4, 10),
	MOVE(4, 26, 30), MOVE(4, 30, 26),
	DC_INSN(DC_LDBA, 4, 0, F, 14), DC_INSN(DC_ANDI, 4, 0, 0, 15), DC_INSN(DC_SHLI, 4, 0, 0, 2),
	DC_INSN(DC_ADDI, 4, 0, 0, 14),
	DC_INSN(DC_LDH, 3, 4, F, 0), DC_INSN(DC_STH, 3, 4, R, 2),
	DC_INSN(DC_LDH, 3, 4, F, 2), DC_INSN(DC_STH, 3, 4, R, 0),
	DC_INSN(DC_RET, 0, 7, 0, 0),
};

unsigned exos_ash_udp_echo_prog(struct dc_insn *p)
{
	for (u32 i = 0; i < sizeof echo / sizeof echo[0]; i++)
		p[i] = echo[i];
	return sizeof echo / sizeof echo[0];
}

int exos_ash_udp_echo(unsigned nic, unsigned port, int *filter)
{
	int f = exos_dpf_port(nic, 17, port);
	if (f < 0)
		return f;
	int id = exos_ash_install(nic, (u32)f, echo, sizeof echo / sizeof echo[0], 0, 0, 0);
	if (id < 0) {
		sys_net_dpf_del(nic, (u32)f);
		return id;
	}
	if (filter)
		*filter = f;
	return id;
}
