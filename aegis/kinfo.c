/*
 * kinfo.c: exposed kernel information. Xok lets library OSes read kernel
 * tables directly instead of asking through system calls; Aegis keeps a
 * public page (struct kinfo, abi.h) that mirrors the tables worth reading:
 * which environment is in each slot and who its parent is, what each one
 * and its descendants hold, the slice vector and the free-page count. The
 * kernel writes the page at every change (the functions below are called
 * where the tables change); environments read it at KINFO_VA, where the
 * kernel maps it read-only by itself, and wakeup predicates read it as a
 * window. It lives in the kernel image (PAGE_KERNEL), so no capability names
 * it and nobody but the kernel can map it writable, hold it or free it.
 */
#include "defs.h"

_Static_assert(sizeof(struct kinfo) <= PAGE_SIZE, "the public page is one page");
_Static_assert(__builtin_offsetof(struct kinfo, env) == KINFO_ENV_OFF, "KINFO_ENV_OFF");
_Static_assert(sizeof(struct kinfo_env) == KINFO_ENV_SIZE, "KINFO_ENV_SIZE");
_Static_assert(KINFO_NENV >= NENV && NSLICES == 64, "the public page's tables fit");

static union {
	struct kinfo k;
	u8 page[PAGE_SIZE];
} public_page __attribute__((aligned(PAGE_SIZE)));

struct kinfo *const kinfo_pub = &public_page.k;

u32 kinfo_ppn(void)
{
	return PADDR(&public_page) >> PAGE_SHIFT;
}

void kinfo_init(void)
{
	kinfo_pub->version = KINFO_VERSION;
	kinfo_pub->pages_total = page_count();
	kinfo_pub->pages_free = page_free_count();
}

void kinfo_env(const struct env *e)
{
	struct kinfo_env *k = &kinfo_pub->env[env_slot(e)];
	bool live = e->status != ENV_FREE;
	k->id = live ? e->id : 0;
	k->parent = live && e->parent ? e->parent->id : 0;
	k->pages = live ? e->used[LIM_PAGES] : 0;
	k->slices = live ? e->used[LIM_SLICES] : 0;
}

bool kinfo_fill(struct env *e, u32 va, bool write)
{
	if (write || va >> PAGE_SHIFT != KINFO_VA >> PAGE_SHIFT)
		return false;
	vm_set_half(e, va, kinfo_ppn() << ELO_PFN_SHIFT | ELO_C_CACHED | ELO_V, false);
	return true;
}
