/*
 * env.c: environments. An environment is an address space (an ASID), a saved
 * register context and the resources charged to it. Slot i has ASID i+1.
 */
#include "defs.h"

struct env envs[NENV];
struct env *curenv;
u32 cur_envid;
struct trapframe *cur_tf;

void env_init(void)
{
	for (int i = 0; i < NENV; i++) {
		envs[i].status = ENV_FREE;
		envs[i].asid = (u32)i + 1;
		envs[i].id = (u32)i;   /* generation 0; bumped on each allocation */
	}
}

static struct env *env_alloc(const char *name)
{
	for (int i = 0; i < NENV; i++) {
		struct env *e = &envs[i];
		if (e->status != ENV_FREE)
			continue;
		u32 gen = (e->id >> 8) + 1;
		struct trapframe zero = { 0 };
		e->tf = zero;
		e->id = gen << 8 | (u32)i;
		e->ngmap = 0;
		e->status = ENV_RUNNABLE;
		lib_snprintf(e->name, sizeof(e->name), "%s", name);
		/* User mode, EXL set so that eret drops into it. */
		e->tf.status = ST_EXL | ST_KSU_USER;
		return e;
	}
	return NULL;
}

static int env_slot(const struct env *e) { return (int)(e - envs); }

/* Give e a fresh zeroed page at virtual page vpn, kept mapped by Aegis.
 * Returns its kseg0 address or NULL (out of pages or gmap slots). */
static void *gmap_new_page(struct env *e, u32 vpn, bool writable)
{
	const struct gmap *old = gmap_lookup(e, vpn);
	if (old) {
		struct gmap *g = (struct gmap *)old;
		g->writable |= writable;
		return KADDR(g->ppn * PAGE_SIZE);
	}
	if (e->ngmap >= NGMAP)
		return NULL;
	int ppn = page_alloc_any(env_slot(e));
	if (ppn < 0)
		return NULL;
	e->gmap[e->ngmap++] = (struct gmap){ vpn, (u32)ppn, writable };
	return KADDR((u32)ppn * PAGE_SIZE);
}

const struct gmap *gmap_lookup(const struct env *e, u32 vpn)
{
	for (int i = 0; i < e->ngmap; i++)
		if (e->gmap[i].vpn == vpn)
			return &e->gmap[i];
	return NULL;
}

static u32 gmap_entrylo(const struct gmap *g)
{
	if (!g)
		return 0;
	return g->ppn << ELO_PFN_SHIFT | ELO_C_CACHED | ELO_V | (g->writable ? ELO_D : 0);
}

bool gmap_fill(struct env *e, u32 va, bool write)
{
	u32 vpn = va >> PAGE_SHIFT;
	const struct gmap *g = gmap_lookup(e, vpn);
	if (!g || (write && !g->writable))
		return false;
	u32 even = vpn & ~1u;
	u32 hi = (even << PAGE_SHIFT) | e->asid;
	u32 lo0 = gmap_entrylo(gmap_lookup(e, even));
	u32 lo1 = gmap_entrylo(gmap_lookup(e, even + 1));
	stlb_write_pair(hi, lo0, lo1);
	tlb_write_pair(hi, lo0, lo1);
	return true;
}

struct env *env_create_elf(const char *name, const void *img, size_t len, int *err)
{
	u32 entry;
	int nph = elf_check(img, len, &entry);
	if (nph < 0 || entry >= USER_TOP) {
		*err = -E_INVAL;
		return NULL;
	}
	struct env *e = env_alloc(name);
	if (!e) {
		*err = -E_NOMEM;
		return NULL;
	}
	for (int i = 0; i < nph; i++) {
		struct elf_segment seg;
		int r = elf_segment(img, len, i, USER_TOP, &seg);
		if (r < 0) {
			*err = -E_INVAL;
			goto fail;
		}
		if (r == 0 || seg.memsz == 0)
			continue;
		/* Copy the segment page by page; the rest of each page is zero. */
		for (u32 va = seg.vaddr & ~(PAGE_SIZE - 1); va < seg.vaddr + seg.memsz;
		     va += PAGE_SIZE) {
			u8 *kva = gmap_new_page(e, va >> PAGE_SHIFT, seg.write);
			if (!kva) {
				*err = -E_NOMEM;
				goto fail;
			}
			for (u32 off = 0; off < PAGE_SIZE; off++) {
				u32 a = va + off;
				if (a >= seg.vaddr && a < seg.vaddr + seg.filesz)
					kva[off] = ((const u8 *)img)[seg.offset + (a - seg.vaddr)];
			}
			cache_sync(kva, PAGE_SIZE);
		}
	}
	for (u32 i = 1; i <= USTACK_PAGES; i++)
		if (!gmap_new_page(e, (USTACK_TOP >> PAGE_SHIFT) - i, true)) {
			*err = -E_NOMEM;
			goto fail;
		}
	e->tf.epc = entry;
	e->tf.regs[R_SP] = USTACK_TOP - 16;
	e->tf.regs[R_A0] = e->id;
	return e;
fail:
	env_destroy(e);
	return NULL;
}

void env_destroy(struct env *e)
{
	tlb_flush_asid(e->asid);
	stlb_flush_asid(e->asid);
	page_free_owner(env_slot(e));
	e->ngmap = 0;
	e->status = ENV_FREE;
	if (curenv == e) {
		curenv = NULL;
		cur_envid = 0;
	}
}

void env_fault(struct env *e, const struct trapframe *tf, const char *why)
{
	u32 code = (tf->cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT;
	kprintf("[aegis] env %x (%s): %s: %s at epc %08x badvaddr %08x%s; destroyed\n",
		e->id, e->name, why, exc_name(code), tf->epc, tf->badvaddr,
		(tf->cause & CAUSE_BD) ? " (delay slot)" : "");
	ktest_env_exit(e, -1);
	env_destroy(e);
}

void env_switch(struct env *e)
{
	curenv = e;
	cur_tf = &e->tf;
	cur_envid = e->id;
	tlb_set_asid(e->asid);
}

struct trapframe *sched(void)
{
	int start = curenv ? (int)(curenv - envs) + 1 : 0;
	for (int i = 0; i < NENV; i++) {
		struct env *e = &envs[(start + i) % NENV];
		if (e->status == ENV_RUNNABLE) {
			env_switch(e);
			return &e->tf;
		}
	}
	kprintf("[aegis] no runnable environments\n");
	halt();
}
