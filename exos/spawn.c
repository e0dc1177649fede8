/*
 * spawn.c: loading a program from the initrd into a new environment, at user
 * level. ExOS reads the initrd through Aegis, finds the ELF file, creates a
 * child environment, allocates pages, fills them through a scratch mapping of
 * its own and gives them to the child as guaranteed mappings, then starts it.
 */
#include "exos.h"

static u8 *initrd;
static u32 initrd_size;

/* Touch every page of [p, p+n) for writing, so that Aegis can copy into it
 * (the kernel does not forward misses taken on the caller's behalf). */
static void touch(u8 *p, u32 n)
{
	for (u32 a = (u32)p & ~(PAGE_SIZE - 1); a < (u32)p + n; a += PAGE_SIZE)
		*(volatile u8 *)(a < (u32)p ? (u32)p : a) = 0;
}

/* Read the whole initrd into the heap once. */
static int load_initrd(void)
{
	if (initrd)
		return 0;
	u32 size = (u32)sys_initrd_read(0, NULL, 0);
	u8 *buf = malloc(size ? size : 1);
	if (!buf)
		return -E_NOMEM;
	for (u32 off = 0; off < size;) {
		u32 n = size - off < PAGE_SIZE ? size - off : PAGE_SIZE;
		touch(buf + off, n);
		int r = sys_initrd_read(off, buf + off, n);
		if (r <= 0) {
			free(buf);
			return r < 0 ? r : -E_INVAL;
		}
		off += (u32)r;
	}
	initrd = buf;
	initrd_size = size;
	return 0;
}

int exos_initrd_file(const char *name, const u8 **data, u32 *size)
{
	struct cpio_file f;
	int r = load_initrd();
	if (r < 0)
		return r;
	if (cpio_find(initrd, initrd_size, name, &f) < 0)
		return -E_NOENT;
	*data = f.data;
	*size = (u32)f.size;
	return 0;
}

/* The child's page for virtual page vpn, allocating it (and granting it to
 * the child as a guaranteed mapping) the first time. Pages already given are
 * remembered in pv[]. Returns the page mapped at SCRATCH_VA, or NULL. */
struct given { u32 vpn, ppn, check; };

static u8 *child_page(u32 child, struct given *pv, int *npv, int max, u32 vpn, bool w)
{
	struct given *g = NULL;
	for (int i = 0; i < *npv; i++)
		if (pv[i].vpn == vpn)
			g = &pv[i];
	if (!g) {
		if (*npv == max)
			return NULL;
		u64 r = sys_page_alloc(PAGE_ANY);
		if ((int)(u32)r < 0)
			return NULL;
		g = &pv[(*npv)++];
		*g = (struct given){ vpn, (u32)r, (u32)(r >> 32) };
	}
	if (sys_gmap_add(child, vpn << PAGE_SHIFT | (w ? VA_W : 0), CAP_NAME(g->ppn, CAP_RW), g->check) < 0)
		return NULL;
	if (vm_map_page(SCRATCH_VA, g->ppn, g->check, VM_RW) < 0)
		return NULL;
	return (u8 *)SCRATCH_VA;
}

/* Write back the data cache and invalidate the instruction cache for a page
 * that will be executed (synci is allowed in user mode). */
static void sync_icache(u8 *p)
{
	for (u32 i = 0; i < PAGE_SIZE; i += 16)
		__asm__ volatile(".set push\n\t.set mips32r2\n\tsynci 0(%0)\n\t.set pop" :: "r"(p + i) : "memory");
}

int exos_spawn(const char *name, u32 arg)
{
	return exos_spawn_opts(name, arg, NULL, 0, NULL);
}

int exos_spawn_with(const char *name, u32 arg, const struct exos_share *shares, int nshares)
{
	return exos_spawn_opts(name, arg, shares, nshares, NULL);
}

int exos_spawn_opts(const char *name, u32 arg, const struct exos_share *shares, int nshares,
		    const u32 *limits)
{
	int r = load_initrd();
	if (r < 0)
		return r;
	struct cpio_file f;
	u32 entry;
	if (cpio_find(initrd, initrd_size, name, &f) < 0)
		return -E_NOENT;
	int nph = elf_check(f.data, f.size, &entry);
	if (nph < 0 || ((u32)f.data & 3))
		return -E_INVAL;
	int child = sys_env_alloc();
	if (child < 0)
		return child;
	/* ExOS's policy when the caller has none: a child may allocate at most
	 * half of the pages free now, install a quarter of a NIC's packet
	 * filters, allocate a quarter of the disk's extents, download a quarter
	 * of the kernel's ASHs and hold a quarter of XN's blocks (the kernel's
	 * defaults cover the rest). */
	u32 dflt[NLIMITS] = { [LIM_PAGES] = (u32)sys_pages_free() / 2, [LIM_SLICES] = 1,
			      [LIM_ENVS] = 16, [LIM_FILTERS] = DPF_MAXFILT / 4,
			      [LIM_EXTENTS] = DISK_MAXEXT / 4, [LIM_ASHS] = ASH_MAX / 4,
			      [LIM_XN] = XN_MAXBLOCKS / 4 };
	if (!limits)
		limits = dflt;
	for (u32 k = 0; k < NLIMITS && r >= 0; k++)
		r = sys_env_limit((u32)child, k, limits[k]);
	enum { MAXPAGES = 480 };           /* under the kernel's 512 guaranteed mappings */
	static struct given pv[MAXPAGES];
	int npv = 0;
	for (int i = 0; i < nph && r >= 0; i++) {
		struct elf_segment seg;
		int k = elf_segment(f.data, f.size, i, USER_TOP, &seg);
		if (k < 0)
			r = -E_INVAL;
		if (k <= 0 || seg.memsz == 0)
			continue;
		for (u32 va = seg.vaddr & ~(PAGE_SIZE - 1); r >= 0 && va < seg.vaddr + seg.memsz; va += PAGE_SIZE) {
			u8 *page = child_page((u32)child, pv, &npv, MAXPAGES, va >> PAGE_SHIFT, seg.write);
			if (!page) {
				r = -E_NOMEM;
				break;
			}
			for (u32 off = 0; off < PAGE_SIZE; off++) {
				u32 a = va + off;
				if (a >= seg.vaddr && a < seg.vaddr + seg.filesz)
					page[off] = ((const u8 *)f.data)[seg.offset + (a - seg.vaddr)];
			}
			sync_icache(page);
		}
	}
	for (u32 i = 1; r >= 0 && i <= USTACK_PAGES; i++)
		if (!child_page((u32)child, pv, &npv, MAXPAGES, (USTACK_TOP >> PAGE_SHIFT) - i, true))
			r = -E_NOMEM;
	/* Shared pages: the same physical page in the child, guaranteed-mapped. */
	for (int i = 0; r >= 0 && i < nshares; i++)
		r = sys_gmap_add((u32)child, shares[i].va | VA_W, CAP_NAME(shares[i].ppn, CAP_RW),
				 shares[i].check);
	vm_unmap(SCRATCH_VA, 1, false);
	/* The child holds its pages now (gmap_add); the parent lets go. */
	for (int i = 0; i < npv; i++)
		sys_page_unref(pv[i].ppn);
	if (r >= 0)
		r = sys_env_start((u32)child, entry, USTACK_TOP - 16, arg);
	if (r < 0) {
		sys_env_destroy((u32)child);
		return r;
	}
	return child;
}

/* Sleep until child's slot of the public page no longer names it (it has
 * ended); if the kernel refuses, yield instead. */
static void sleep_until_gone(u32 child)
{
	if ((child & 0xff) >= KINFO_NENV ||
	    exos_wait_public_word(KINFO_ENV_OFF + (child & 0xff) * KINFO_ENV_SIZE, child, false) < 0)
		sys_yield();
}

int exos_wait(u32 child, int *status)
{
	for (;;) {
		u64 r = sys_env_reap(child);
		int e = (int)(u32)r;
		if (e == -E_BUSY) {
			sleep_until_gone(child);
			continue;
		}
		if (e == 0 && status)
			*status = (int)(u32)(r >> 32);
		return e;
	}
}
