/*
 * syscap.c: system calls on capability trees (docs/capabilities.md).
 *
 * A page's two root capabilities (CAP_RW and, below it, CAP_R) are where a
 * tree starts: cap_new derives a capability below any valid page
 * capability, with the same or fewer rights; cap_revoke kills everything
 * below a capability; cap_drop kills a derived capability and everything
 * below it. Killing a derived page capability removes the page's
 * translations from every TLB and STLB, so a mapping made with it does not
 * outlive it (whoever still has a valid capability maps the page again at
 * its next miss). cap_revoke and cap_drop also take the capabilities of
 * software regions, whose trees live in the same table (region.c).
 */
#include "defs.h"

/* The tree capability (name, check) of any kind, or NULL after counting a
 * failed presentation. */
static struct tcap *tree_lookup(u32 name, u32 check)
{
	return ct_lookup(name, check, ct_caps[name >> 4 & (CT_NCAPS - 1)].kind);
}

/* cap_new(capname, capcheck, rights): a new capability for the page that
 * (capname, capcheck) names, below it, with rights CAP_R or CAP_RW (no
 * more than the presented one's). Returns the name (CAP_TREE set), its check
 * in v1. It dies when the page is freed, when the caller ends, or when a
 * capability above it is revoked or dropped. -E_BADCAP; -E_INVAL: unknown
 * rights, or a region's capability; -E_PERM: more rights than presented;
 * -E_QUOTA: the caller has made PCAP_PER_ENV that are alive; -E_NOMEM: the
 * tree would be deeper than CT_DEPTH. */
u32 sys_cap_new(struct trapframe *tf)
{
	u32 name = tf->regs[R_A0], check = tf->regs[R_A1], rights = tf->regs[R_A2];
	if (name & CAP_TREE) {
		const struct tcap *c = tree_lookup(name, check);
		if (!c)
			return (u32)-E_BADCAP;
		if (c->kind != CT_PAGE)
			return (u32)-E_INVAL;
	} else if (cap_page(name, check, CAP_R) < 0) {
		return (u32)-E_BADCAP;
	}
	if (rights != CAP_R && rights != CAP_RW)
		return (u32)-E_INVAL;
	int i = pcap_new(name, rights);
	if (i < 0)
		return (u32)i;
	tf->regs[R_V1] = ct_caps[i].check;
	return ct_name((u32)i);
}

/* cap_revoke(capname, capcheck): kill every capability below this one, at
 * any depth and whoever holds it; this one stays valid. For a page's CAP_RW
 * root that is every derived capability of the page and the CAP_R root (it
 * gets a new secret: cap_derive gives the new one). Returns 0; -E_BADCAP. */
u32 sys_cap_revoke(struct trapframe *tf)
{
	u32 name = tf->regs[R_A0], check = tf->regs[R_A1];
	if (name & CAP_TREE) {
		struct tcap *c = tree_lookup(name, check);
		if (!c)
			return (u32)-E_BADCAP;
		ct_kill_below((u32)(c - ct_caps));
		return 0;
	}
	int ppn = cap_page(name, check, CAP_R);
	if (ppn < 0)
		return (u32)ppn;
	pcap_revoke_root((u32)ppn, CAP_RIGHTS(name));
	return 0;
}

/* cap_drop(capname, capcheck): kill this derived capability (of a page, or
 * a region's other than its root) and everything below it. Returns 0;
 * -E_BADCAP; -E_PERM: a page's root (page_unref lets go of a page) or a
 * region's root (sr_free). */
u32 sys_cap_drop(struct trapframe *tf)
{
	u32 name = tf->regs[R_A0], check = tf->regs[R_A1];
	if (!(name & CAP_TREE)) {
		int ppn = cap_page(name, check, CAP_R);
		return (u32)(ppn < 0 ? ppn : -E_PERM);
	}
	struct tcap *c = tree_lookup(name, check);
	if (!c)
		return (u32)-E_BADCAP;
	if (c->parent == CT_NOPARENT)
		return (u32)-E_PERM;
	ct_kill_subtree((u32)(c - ct_caps));
	return 0;
}
