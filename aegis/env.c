/*
 * env.c: environments. An environment is an address space (an ASID), a saved
 * register context, upcall entry points and the resources charged to it.
 * Slot i has ASID i+1.
 */
#include "defs.h"

struct env envs[NENV];
struct env *curenv;
u32 cur_envid;
struct trapframe *cur_tf;
/* 16-byte aligned: upcall.S reaches every field with one %hi(cur_upcall). */
struct upcall_regs cur_upcall __attribute__((aligned(16)));

void env_init(void)
{
	for (int i = 0; i < NENV; i++) {
		envs[i].status = ENV_FREE;
		envs[i].asid = (u32)i + 1;
		envs[i].gmap_filter = gmap_filters[i + 1];
		envs[i].id = (u32)i;   /* generation 0; bumped on each allocation */
	}
}

int env_slot(const struct env *e) { return (int)(e - envs); }

struct env *env_lookup(u32 id)
{
	u32 slot = id & 0xff;
	if (slot >= NENV || envs[slot].status == ENV_FREE || envs[slot].id != id)
		return NULL;
	return &envs[slot];
}

struct env *env_child(u32 id, int *err)
{
	struct env *e = env_lookup(id);
	if (!e)
		*err = -E_NOENT;
	else if (e->parent != curenv)
		*err = -E_PERM;
	else
		return e;
	return NULL;
}

struct env *env_self_or_child(u32 id, int *err)
{
	if (id == 0 || id == curenv->id)
		return curenv;
	return env_child(id, err);
}

struct env *env_alloc(const char *name, struct env *parent, int *err)
{
	struct env *e = NULL;
	for (int i = 0; i < NENV && !e; i++)
		if (envs[i].status == ENV_FREE)
			e = &envs[i];
	if (!e) {
		*err = -E_NOMEM;
		return NULL;
	}
	if (parent && (*err = limit_charge(parent, LIM_ENVS, 1)) < 0)
		return NULL;
	if (env_slot(e) >= env_span)
		env_span = env_slot(e) + 1;
	u32 gen = ((e->id >> 8) + 1) & 0xffffff;
	struct trapframe zero = { 0 };
	e->tf = zero;
	e->id = (gen ? gen : 1) << 8 | (u32)env_slot(e);
	gmap_clear(e);
	e->parent = parent;
	e->capfails = 0;
	e->nexited = 0;
	e->epilogue = e->crit_start = e->crit_end = e->prologue = 0;
	e->in_grace = false;
	e->overruns = e->penalty = 0;
	e->pct_entry = 0;
	e->waiting_on = NULL;
	e->revoke_entry = e->revoke_want = e->revoke_slices = e->revoke_notify = 0;
	e->revoke_slice_want = e->revoke_slice_ends = e->slice_notify = e->slices_taken = 0;
	e->nvital = 0;
	e->nrepo = 0;
	e->up_exc = e->up_tlb = e->up_save_va = e->up_save_kva = 0;
	e->fpu_on = false;
	for (int k = 0; k < FPU_WORDS; k++)
		e->fpu[k] = 0;          /* a new environment's FPU is all zeros */
	limit_init(e);
	e->status = ENV_NEW;
	kinfo_env(e);
	lib_snprintf(e->name, sizeof(e->name), "%s", name);
	/* A slice position if one is free and its budget allows; without one
	 * it runs when others yield or donate their time. */
	slice_alloc(e, -1);
	/* User mode, EXL set so that eret drops into it; the timer interrupt
	 * enabled, and the NICs' (IP2) if there are any (nic.c). */
	e->tf.status = ST_EXL | ST_KSU_USER | user_intr_mask | ST_IE;
	return e;
}

struct env *env_create_elf(const char *name, const void *img, size_t len, int *err)
{
	u32 entry;
	int nph = elf_check(img, len, &entry);
	if (nph < 0 || entry >= USER_TOP) {
		*err = -E_INVAL;
		return NULL;
	}
	struct env *e = env_alloc(name, NULL, err);
	if (!e)
		return NULL;
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
	e->status = ENV_RUNNABLE;
	return e;
fail:
	env_destroy(e);
	return NULL;
}

void env_destroy(struct env *e)
{
	for (int i = 0; i < NENV; i++)
		if (envs[i].status != ENV_FREE && envs[i].parent == e)
			env_destroy(&envs[i]);
	upcall_clear(e);
	slice_release_all(e);
	pct_env_gone(e);
	fpu_env_gone(e);
	wk_env_gone(e);
	region_env_gone(e);
	pcap_env_gone(env_slot(e));
	nic_env_gone(e);
	disk_env_gone(e);
	xn_env_gone(e);
	gmap_clear(e);
	tlb_flush_asid(e->asid);
	stlb_flush_asid(e->asid);
	page_release_all(env_slot(e));
	if (e->parent)
		limit_uncharge(e->parent, LIM_ENVS, 1);
	e->status = ENV_FREE;
	kinfo_env(e);
	if (curenv == e) {
		curenv = NULL;
		cur_envid = 0;
	}
}

void env_record_exit(struct env *e, int status)
{
	struct env *p = e->parent;
	if (!p || p->status == ENV_FREE)
		return;
	u32 i = p->nexited++ % ARRAY_SIZE(p->exited);
	p->exited[i].id = e->id;
	p->exited[i].status = status;
}

void env_fault(struct env *e, const struct trapframe *tf, const char *why)
{
	u32 code = (tf->cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT;
	env_record_exit(e, EXIT_EXCEPTION((int)code));
	kprintf("[aegis] env %x (%s): %s: %s at epc %08x badvaddr %08x%s; destroyed\n",
		e->id, e->name, why, exc_name(code), tf->epc, tf->badvaddr,
		(tf->cause & CAUSE_BD) ? " (delay slot)" : "");
	ktest_env_exit(e, -1);
	env_destroy(e);
}

bool env_switch(struct env *e)
{
	curenv = e;
	cur_tf = &e->tf;
	cur_envid = e->id;
	cur_upcall.exc = e->up_exc;
	cur_upcall.tlb = e->up_tlb;
	cur_upcall.save_kva_user = e->up_save_kva;
	tlb_set_asid(e->asid);
	return revoke_deliver_pending(e);
}

/* Slots 0..env_span-1 are all that were ever used (env_alloc takes the
 * lowest free slot), so sched looks no further. */
int env_span;

struct trapframe *sched(void)
{
	int n = env_span, start = curenv ? env_slot(curenv) + 1 : 0;
	struct env *runnable = NULL;
	for (int i = 0; i < n; i++) {
		int slot = start + i;
		struct env *e = &envs[slot < n ? slot : slot - n];
		if (e->status == ENV_SLEEPING && wk_poll(e)) {    /* woken: it goes first */
			env_switch(e);
			return &e->tf;
		}
		if (!runnable && e->status == ENV_RUNNABLE)
			runnable = e;
	}
	if (runnable) {
		env_switch(runnable);
		return &runnable->tf;
	}
	struct env *e = wk_idle();
	if (e) {
		env_switch(e);
		return &e->tf;
	}
	kprintf("[aegis] no runnable environments%s\n",
		wk_any_sleeper() ? " (the rest sleep on predicates that only they could make true)" : "");
	halt();
}

/* Publish e's upcall registers to the forwarding stubs if e is running. */
static void upcall_publish(struct env *e)
{
	if (e != curenv)
		return;
	cur_upcall.exc = e->up_exc;
	cur_upcall.tlb = e->up_tlb;
	cur_upcall.save_kva_user = e->up_save_kva;
}

int upcall_set(struct env *e, u32 exc, u32 tlb, u32 save_va)
{
	if (!exc && !tlb && !save_va) {
		upcall_clear(e);
		return 0;
	}
	if (!exc || !tlb || exc >= USER_TOP || tlb >= USER_TOP || (exc | tlb) & 3)
		return -E_INVAL;
	if ((save_va & 3) || save_va >= USER_TOP ||
	    (save_va & (PAGE_SIZE - 1)) > PAGE_SIZE - sizeof(struct upcall_save))
		return -E_INVAL;
	const struct gmap *g = gmap_lookup(e, save_va >> PAGE_SHIFT);
	if (!g || !g->writable)
		return -E_PERM;
	e->up_exc = exc;
	e->up_tlb = tlb;
	e->up_save_va = save_va;
	e->up_save_kva = (u32)(uintptr_t)KADDR(g->ppn * PAGE_SIZE + (save_va & (PAGE_SIZE - 1)));
	upcall_publish(e);
	return 0;
}

void upcall_clear(struct env *e)
{
	e->up_exc = e->up_tlb = e->up_save_va = e->up_save_kva = 0;
	upcall_publish(e);
}

void upcall_refresh(struct env *e)
{
	if (!e->up_save_kva)
		return;
	const struct gmap *g = gmap_lookup(e, e->up_save_va >> PAGE_SHIFT);
	if (!g || !g->writable) {
		upcall_clear(e);
		return;
	}
	e->up_save_kva = (u32)(uintptr_t)KADDR(g->ppn * PAGE_SIZE +
					       (e->up_save_va & (PAGE_SIZE - 1)));
	upcall_publish(e);
}

bool upcall_deliver(struct env *e, struct trapframe *tf, bool tlb)
{
	return upcall_deliver_to(e, tf, tlb ? e->up_tlb : e->up_exc);
}

bool upcall_deliver_to(struct env *e, struct trapframe *tf, u32 entry)
{
	if (!e->up_save_kva || !entry)
		return false;
	struct upcall_save *s = (struct upcall_save *)(uintptr_t)e->up_save_kva;
	s->epc = tf->epc;
	s->a0 = tf->regs[R_A0];
	s->a1 = tf->regs[R_A1];
	s->a2 = tf->regs[R_A2];
	tf->regs[R_A0] = tf->epc;
	tf->regs[R_A1] = tf->badvaddr;
	tf->regs[R_A2] = tf->cause;
	tf->epc = entry;
	return true;
}
