/*
 * net.c: ExOS's packet filters, in the kernel's DPF form (abi.h,
 * docs/network.md): a conjunction of atoms (offset, width, mask, value),
 * with one indirection for the IPv4 header's length.
 */
#include "exos.h"

static void atom(struct dpf_filter *f, u32 off, u32 width, u32 flags, u32 mask, u32 val)
{
	struct dpf_atom *a = &f->atoms[f->natoms++];
	a->off = (u16)off;
	a->width = (u8)width;
	a->flags = (u8)flags;
	a->mask = mask;
	a->val = val;
}

static void clear(struct dpf_filter *f)
{
	u8 *p = (u8 *)f;
	for (u32 i = 0; i < sizeof *f; i++)
		p[i] = 0;
}

void exos_dpf_ether_filter(struct dpf_filter *f, const u8 *mac, u32 type)
{
	clear(f);
	atom(f, 0, 4, 0, 0xffffffffu, (u32)mac[0] << 24 | mac[1] << 16 | mac[2] << 8 | mac[3]);
	atom(f, 4, 2, 0, 0xffff, (u32)mac[4] << 8 | mac[5]);
	atom(f, 12, 2, 0, 0xffff, type);
}

int exos_dpf_ether(u32 nic, const u8 *mac, u32 type)
{
	struct dpf_filter f;
	exos_dpf_ether_filter(&f, mac, type);
	return sys_net_dpf_add(nic, &f);
}

/* EtherType IPv4 at 12, protocol at 14 + 9; the destination port is 2
 * bytes into the transport header, which starts 14 + 4 * IHL bytes in. */
void exos_dpf_port_filter(struct dpf_filter *f, u32 proto, u32 port)
{
	clear(f);
	f->ind_off = 14;
	f->ind_mask = 0x0f;
	f->ind_shift = 2;
	atom(f, 12, 2, 0, 0xffff, 0x0800);
	atom(f, 23, 1, 0, 0xff, proto);
	atom(f, 14 + 2, 2, DPF_IND, 0xffff, port);
}

int exos_dpf_port(u32 nic, u32 proto, u32 port)
{
	struct dpf_filter f;
	exos_dpf_port_filter(&f, proto, port);
	return sys_net_dpf_add(nic, &f);
}

/* ARP frames (requests and replies) whose target protocol address (at 14 +
 * 24) is ip: so that environments with different addresses share a NIC. */
void exos_dpf_arp_filter(struct dpf_filter *f, u32 ip)
{
	clear(f);
	atom(f, 12, 2, 0, 0xffff, 0x0806);
	atom(f, 38, 4, 0, 0xffffffffu, ip);
}

/* IPv4 frames of protocol proto to address ip (at 14 + 16); with port
 * nonzero, to that UDP or TCP port only (through the IHL, as above). */
void exos_dpf_ip_filter(struct dpf_filter *f, u32 ip, u32 proto, u32 port)
{
	if (port) {
		exos_dpf_port_filter(f, proto, port);
	} else {
		clear(f);
		atom(f, 12, 2, 0, 0xffff, 0x0800);
		atom(f, 23, 1, 0, 0xff, proto);
	}
	atom(f, 30, 4, 0, 0xffffffffu, ip);
}
