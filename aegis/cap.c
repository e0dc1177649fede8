/*
 * cap.c: checking page capabilities. A capability (name, check) names page
 * CAP_PPN(name) with rights CAP_RIGHTS(name); it is valid while check equals
 * the secret the kernel holds for that page and those rights (pmap.c keeps
 * one secret per page for CAP_R and one for CAP_RW, drawn by rand32() and
 * replaced when the page is freed). The check is one load and one compare.
 * Every failed presentation is counted in the presenting environment; past
 * CAPFAIL_FREE of them, each further one also costs it the rest of its
 * slice, so guessing a 32-bit check field takes about 2^31 slices.
 *
 * A name with CAP_TREE set is a derived capability instead (captree.c,
 * syscap.c): an entry of the capability table below one of the page's two
 * roots or below another derived capability; its rights and page are the
 * entry's. It is checked in constant time too (one table entry), and dies
 * with its page, its creator, or any capability above it.
 */
#include "defs.h"

#define CAPFAIL_FREE 1024

static int rights_index(u32 rights)
{
	return rights == CAP_RW ? 1 : rights == CAP_R ? 0 : -1;
}

/* Count a failed presentation against curenv; returns -E_BADCAP. */
__attribute__((noinline)) int cap_failed(void)
{
	if (curenv && ++curenv->capfails > CAPFAIL_FREE)
		yield_requested = true;
	return -E_BADCAP;
}

static u16 pcaps_of[NENV];        /* derived page capabilities each slot made */

/* Check the derived page capability (name, check) for rights need. */
static int cap_tree_page(u32 name, u32 check, u32 need)
{
	const struct tcap *c = ct_lookup(name, check, CT_PAGE);
	if (!c)
		return -E_BADCAP;
	if ((c->rights & need) != need)
		return cap_failed();
	return (int)c->obj;
}

int cap_page_full(u32 name, u32 check, u32 need)
{
	if (name & CAP_TREE)
		return cap_tree_page(name, check, need);
	u32 ppn = CAP_PPN(name), rights = CAP_RIGHTS(name);
	int idx = rights_index(rights);
	if (idx < 0 || ppn >= page_count() || (rights & need) != need ||
	    pages[ppn].state != PAGE_USED || pages[ppn].check[idx] != check)
		return cap_failed();
	return (int)ppn;
}

u32 cap_check_for(u32 ppn, u32 rights)
{
	return pages[ppn].check[rights_index(rights) > 0];
}

int cap_page_root(u32 name, u32 check, u32 need)
{
	return name & CAP_TREE ? -E_PERM : cap_page(name, check, need);
}

const u32 *cap_secret(u32 name)
{
	if (name & CAP_TREE)
		return &ct_caps[name >> 4 & (CT_NCAPS - 1)].check;
	return &pages[CAP_PPN(name)].check[CAP_RIGHTS(name) == CAP_RW];
}

int pcap_new(u32 name, u32 rights)
{
	int slot = env_slot(curenv);
	u32 ppn, parent, prights;
	if (name & CAP_TREE) {
		parent = name >> 4 & (CT_NCAPS - 1);
		ppn = ct_caps[parent].obj;
		prights = ct_caps[parent].rights;
	} else {
		ppn = CAP_PPN(name);
		prights = CAP_RIGHTS(name);
		parent = prights == CAP_RW ? CT_ROOT_RW : CT_ROOT_R;
	}
	if ((prights & rights) != rights)
		return -E_PERM;
	if (pcaps_of[slot] >= PCAP_PER_ENV)
		return -E_QUOTA;
	int i = ct_new(CT_PAGE, ppn, parent, 0, 0, rights, (u32)slot);
	if (i < 0)
		return i;
	pcaps_of[slot]++;
	pages[ppn].ntree++;
	return i;
}

void pcap_env_gone(int slot)
{
	if (pcaps_of[slot])
		ct_env_gone(slot);
}

void pcap_died(const struct tcap *c)
{
	pcaps_of[c->owner]--;
	pages[c->obj].ntree--;
}

void pcap_shootdown(u32 ppn)
{
	tlb_unmap_ppn(ppn);
	stlb_unmap_ppn(ppn);
}

void pcap_revoke_root(u32 ppn, u32 rights)
{
	if (rights == CAP_RW) {
		pages[ppn].check[0] = rand32();    /* the R root is below the RW root */
		pcap_shootdown(ppn);
	}
	if (pages[ppn].ntree)
		ct_kill_below_root(ppn, rights == CAP_R);
}

bool pcap_consistent(char *why, u32 len)
{
	static u16 n[NENV];
	u32 live = 0, counted = 0;
	for (u32 s = 0; s < NENV; s++)
		n[s] = 0;
	for (u32 i = CT_REGION_CAPS; i < CT_NCAPS; i++) {
		const struct tcap *c = &ct_caps[i];
		if (!c->live)
			continue;
		if (c->owner >= NENV || c->obj >= page_count() || pages[c->obj].state != PAGE_USED) {
			lib_snprintf(why, len, "derived page capability %u: owner %u, page %u",
				     i, c->owner, c->obj);
			return false;
		}
		n[c->owner]++;
		live++;
	}
	for (u32 p = 0; p < page_count(); p++) {
		u32 k = pages[p].ntree ? ct_count(CT_PAGE, p) : 0;
		counted += pages[p].ntree;
		if (k != pages[p].ntree) {
			lib_snprintf(why, len, "page %u: %u derived capabilities (counted %u)",
				     p, k, pages[p].ntree);
			return false;
		}
	}
	if (counted != live) {
		lib_snprintf(why, len, "%u derived page capabilities, pages count %u", live, counted);
		return false;
	}
	for (u32 s = 0; s < NENV; s++)
		if (n[s] != pcaps_of[s] || (n[s] && envs[s].status == ENV_FREE)) {
			lib_snprintf(why, len, "slot %u (%s) made %u derived page capabilities (counted %u)",
				     s, envs[s].status == ENV_FREE ? "free" : "live", n[s], pcaps_of[s]);
			return false;
		}
	return true;
}
