/*
 * captree.c: capabilities that form trees (docs/capabilities.md).
 *
 * One table serves every capability that is derived from another: those of
 * software regions (region.c) and the derived capabilities of physical
 * pages (cap.c). An entry names an object (a region, or a page), a byte
 * range of it, rights and its parent; dominance is the tree: a capability
 * can do everything its descendants can, derive more of them, and take them
 * all back (ct_kill_below). Every live entry's parent is live, because
 * whoever kills an entry kills everything below it in the same call, so no
 * live entry ever points at a reused slot.
 *
 * A tree capability's name is gen << CT_GEN_SHIFT | index << 4 | CAP_TREE |
 * rights, and its check is a random secret redrawn when the entry dies: the
 * generation makes a reused entry answer to no old name, the redrawn secret
 * lets a holder of a pointer to it (a sleeping wakeup predicate) see the
 * death with one compare. A page's two root capabilities are not in the
 * table (pmap.c keeps their secrets in the page record); an entry directly
 * below one of them has parent CT_ROOT_RW or CT_ROOT_R and depth 1. A
 * region's root capability is in the table, with parent CT_NOPARENT and
 * depth 0.
 *
 * The table has a fixed pool per kind: a region's capabilities come from
 * its own slice of the region pool, an environment's page capabilities from
 * a quota in the page pool that has room for every environment's. So no
 * environment can exhaust the capabilities of another, and every call walks
 * at most one pool CT_DEPTH + 1 times. Trees are at most CT_DEPTH deep,
 * counting the root.
 */
#include "defs.h"

struct tcap ct_caps[CT_NCAPS];

static const struct { u32 first, end; } pool[] = {
	[CT_REGION] = { 0, CT_REGION_CAPS },
	[CT_PAGE] = { CT_REGION_CAPS, CT_NCAPS },
};

u32 ct_name(u32 i)
{
	return ct_caps[i].gen << CT_GEN_SHIFT | i << 4 | CAP_TREE | ct_caps[i].rights;
}

struct tcap *ct_lookup(u32 name, u32 check, u32 kind)
{
	u32 i = name >> 4 & (CT_NCAPS - 1);
	struct tcap *c = &ct_caps[i];
	if (!c->live || c->kind != kind || ct_name(i) != name || c->check != check) {
		cap_failed();
		return NULL;
	}
	return c;
}

int ct_new(u32 kind, u32 obj, u32 parent, u32 lo, u32 hi, u32 rights, u32 owner)
{
	u32 depth = parent == CT_NOPARENT ? 0 : parent >= CT_ROOT_R ? 1 : ct_caps[parent].depth + 1u;
	if (depth >= CT_DEPTH)
		return -E_NOMEM;
	for (u32 i = pool[kind].first; i < pool[kind].end; i++) {
		struct tcap *c = &ct_caps[i];
		if (c->live)
			continue;
		*c = (struct tcap){ .gen = c->gen, .check = rand32(), .obj = obj,
				    .parent = (u16)parent, .lo = (u16)lo, .hi = (u16)hi,
				    .kind = (u8)kind, .rights = (u8)rights, .depth = (u8)depth,
				    .owner = (u8)owner, .live = true };
		return (int)i;
	}
	return -E_NOMEM;
}

/* Entry i dies: a new generation and a new secret, and its kind is told. */
static void kill(u32 i)
{
	struct tcap *c = &ct_caps[i];
	c->live = false;
	c->gen = (c->gen + 1) & ((1u << (31 - CT_GEN_SHIFT)) - 1);   /* names stay > 0 as int */
	c->check = rand32();
	if (c->kind == CT_REGION)
		region_cap_died(c);
	else
		pcap_died(c);
}

/* Kill, in kind's pool, every live entry for which match(entry, arg)
 * holds, then everything below them. A pass kills the entries whose parent
 * died; a tree is at most CT_DEPTH deep, so CT_DEPTH passes finish. Every
 * translation of a page whose capability died leaves the TLBs, once per run
 * of killed entries of that page (not once per entry). */
static void kill_where(u32 kind, bool (*match)(const struct tcap *, u32), u32 arg)
{
	u32 n = 0, shot = ~0u;
	for (u32 pass = 0; pass <= CT_DEPTH; pass++) {
		n = 0;
		for (u32 i = pool[kind].first; i < pool[kind].end; i++) {
			const struct tcap *c = &ct_caps[i];
			if (!c->live || !(pass ? c->parent < CT_ROOT_R && !ct_caps[c->parent].live
					       : match(c, arg)))
				continue;
			kill(i);
			n++;
			if (kind == CT_PAGE && c->obj != shot)
				pcap_shootdown(shot = c->obj);
		}
		if (!n)
			break;
	}
}

static bool child_of(const struct tcap *c, u32 i) { return c->parent == i; }
static bool is(const struct tcap *c, u32 i) { return c == &ct_caps[i]; }
static bool of_object(const struct tcap *c, u32 obj) { return c->obj == obj; }
static bool made_by(const struct tcap *c, u32 slot) { return c->owner == slot; }
/* arg: obj << 1 | (1 if below the R root, 0 if below the RW root) */
static bool below_root(const struct tcap *c, u32 arg)
{
	return c->obj == arg >> 1 && c->parent == (arg & 1 ? CT_ROOT_R : CT_ROOT_RW);
}

void ct_kill_below(u32 i)
{
	kill_where(ct_caps[i].kind, child_of, i);
}

void ct_kill_subtree(u32 i)
{
	kill_where(ct_caps[i].kind, is, i);
}

void ct_kill_object(u32 kind, u32 obj)
{
	kill_where(kind, of_object, obj);
}

void ct_kill_below_root(u32 ppn, bool r_root)
{
	kill_where(CT_PAGE, below_root, ppn << 1 | r_root);
}

void ct_env_gone(int slot)
{
	kill_where(CT_PAGE, made_by, (u32)slot);
}

u32 ct_count(u32 kind, u32 obj)
{
	u32 n = 0;
	for (u32 i = pool[kind].first; i < pool[kind].end; i++)
		n += ct_caps[i].live && ct_caps[i].obj == obj;
	return n;
}

bool ct_consistent(char *why, u32 len)
{
	for (u32 kind = 0; kind < ARRAY_SIZE(pool); kind++)
		for (u32 i = pool[kind].first; i < pool[kind].end; i++) {
			const struct tcap *c = &ct_caps[i], *p = &ct_caps[c->parent];
			if (!c->live)
				continue;
			bool top = c->parent >= CT_ROOT_R;
			u32 top_depth = c->parent == CT_NOPARENT ? 0 : 1;
			if (c->kind != kind || c->depth >= CT_DEPTH ||
			    (top ? c->depth != top_depth || (kind == CT_PAGE) == !top_depth :
			     c->parent >= CT_NCAPS || !p->live || p->kind != kind ||
			     p->obj != c->obj || p->depth + 1 != c->depth ||
			     (c->rights & ~(u32)p->rights) || c->lo < p->lo || c->hi > p->hi)) {
				lib_snprintf(why, len, "tree capability %u is malformed", i);
				return false;
			}
		}
	return true;
}
