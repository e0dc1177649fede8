/*
 * defs.h: every function and object that crosses a file boundary inside
 * Aegis, grouped by the file that defines it.
 */
#ifndef AEGIS_DEFS_H
#define AEGIS_DEFS_H
#include "types.h"
#include "mips.h"
#include "layout.h"
#include "abi.h"
#include "trapframe.h"
#include "../lib/lib.h"
#include "dcode.h"          /* dcode.c, dcode_mips.c, dcode_rand.c: downloaded code */

struct env;

/* console.c */
void console_putc(int c);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/* panic.c */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_tf(const struct trapframe *tf, const char *why) __attribute__((noreturn));
void halt(void) __attribute__((noreturn));
const char *exc_name(u32 code);

/* bootargs.c */
enum boot_path { BOOT_UBOOT, BOOT_DIRECT };
struct bootinfo {
	enum boot_path path;
	u32 memsize;            /* bytes of RAM, capped at MAX_MEMSIZE */
	u32 initrd_pa;          /* physical address of the initrd, 0 if none */
	u32 initrd_size;
	char cmdline[256];      /* the kernel command line, boot-path words removed */
	char init[32];          /* init=NAME: the first program (default "init") */
	bool ktest;             /* ktest: run the kernel self-tests first */
	bool kcheck;            /* kcheck: the kcheck system call is available */
	u32 lowmem;             /* lowmem=N: the low-water mark in pages (0: default) */
};
extern struct bootinfo bootinfo;
/* Normalise the registers either boot path handed to _start into bootinfo.
 * Everything is copied: nothing in the firmware's memory is used later. */
void bootargs_parse(int a0, char **a1, char **a2, u32 a3);

/* vectors.S, trapentry.S, usercopy.S */
extern char vectors_start[], vectors_end[];
extern u32 kernel_running;                  /* start.S */
extern u32 debug_depc, debug_reg, debug_pending;   /* debug.S */
extern char kstack_top[];
extern const void *fast_syscalls[];
extern void *exc_table[EXC_NCODES];
void trap_slow(void);
void fwd_tlb(void);
void fwd_exc(void);
void fwd_cpu(void);
void fwd_ri(void);
void env_pop_tf(struct trapframe *tf) __attribute__((noreturn));
/* Copy n bytes between kernel memory and a user address range that the caller
 * has already checked lies below USER_TOP. Returns 0, or -E_FAULT if an
 * access faulted (unmapped, or a write to a read-only page). */
int user_copy(void *dst, const void *src, size_t n);
extern char user_copy_start[], user_copy_end[], user_copy_fault[];

/* trap.c */
extern struct trapframe *cur_tf;
void vectors_install(void);
struct trapframe *trap(struct trapframe *tf);
void kernel_trap(struct trapframe *tf);

/* usermem.c */
/* Is [va, va+len) a user range (no wrap, entirely below USER_TOP)? */
bool user_range_ok(u32 va, u32 len);
int copyin(void *dst, u32 usrc, u32 len);
int copyout(u32 udst, const void *src, u32 len);

/* tlb.c */
/* STLB_ENTRIES, the STLB's size in pairs, comes from the build: the generated
 * config.h (make STLB_ENTRIES=N; 4096 by default; 1024 and 16384 have been
 * booted too). The refill vector masks the slot with andi, hence at most
 * 65536; below 256 is refused (never tried). */
#include "config.h"
_Static_assert(STLB_ENTRIES >= 256 && STLB_ENTRIES <= 65536 &&
	       (STLB_ENTRIES & (STLB_ENTRIES - 1)) == 0,
	       "STLB_ENTRIES must be a power of two from 256 to 65536");
#define STLB_EMPTY   0xffffffffu
struct stlb_entry { u32 tag, lo0, lo1, pad; };
extern struct stlb_entry stlb[STLB_ENTRIES];
void tlb_init(void);
u32 tlb_get_asid(void);
void tlb_set_asid(u32 asid);
/* Install the pair (entryhi = VPN2|ASID, lo0, lo1) in the TLB without ever
 * creating a duplicate: an existing entry for the same VPN2/ASID is replaced. */
void tlb_write_pair(u32 entryhi, u32 lo0, u32 lo1);
/* Remove any TLB entry for entryhi's VPN2/ASID. */
void tlb_delete_pair(u32 entryhi);
/* Park every TLB entry of asid for virtual pages [vpn, end). */
void tlb_drop_range(u32 asid, u32 vpn, u32 end);
/* Remove every TLB entry tagged with asid. */
void tlb_flush_asid(u32 asid);
/* Read TLB slot i (for tests). */
void tlb_read(int i, u32 *hi, u32 *lo0, u32 *lo1);
/* Look the pair for entryhi up in the TLB; false if absent. */
bool tlb_lookup_pair(u32 entryhi, u32 *lo0, u32 *lo1);
/* Remove every TLB / STLB translation to physical page ppn. */
void tlb_unmap_ppn(u32 ppn);
void stlb_unmap_ppn(u32 ppn);
u32 stlb_index(u32 entryhi);
/* Set an STLB entry (tag STLB_EMPTY: empty it), keeping the per-page counts
 * of STLB references. Every STLB change goes through it. */
void stlb_set(struct stlb_entry *s, u32 tag, u32 lo0, u32 lo1);
void stlb_write_pair(u32 entryhi, u32 lo0, u32 lo1);
void stlb_delete_pair(u32 entryhi);
void stlb_flush_asid(u32 asid);

/* random.c */
void random_init(void);
u32 rand32(void);
u64 siphash_word(u64 k0, u64 k1, u64 m);

/* pmap.c */
#define MAX_PAGES (MAX_MEMSIZE / PAGE_SIZE)
enum page_state { PAGE_FREE, PAGE_KERNEL, PAGE_USED };
#define PAYER_NONE 0xff
struct ppage {
	u64 holders;            /* bit i: environment slot i holds a reference */
	u32 check[2];           /* capability secrets: [0] CAP_R, [1] CAP_RW */
	u8 state;               /* enum page_state */
	u8 payer;               /* slot of the environment charged for it (limit.c) */
	u16 stlb_refs;          /* valid STLB halves naming this page */
	u16 ntree;              /* live derived capabilities of it (captree.c) */
};
extern struct ppage pages[MAX_PAGES];
void page_init(void);
extern u32 page_total;
/* The number of physical pages (the highest page number + 1). */
static inline u32 page_count(void) { return page_total; }
/* Allocate page ppn (or any free page if ppn == PAGE_ANY) for environment
 * slot: it becomes the only holder and the payer, and the page is zeroed.
 * Returns the page number, -E_BUSY if taken, -E_INVAL if no such page,
 * -E_NOMEM if none free, -E_QUOTA if over the slot's page budget. Whatever
 * the result, if free pages are below mem_low_water afterwards, the
 * memory-pressure policy runs (mem_pressure). */
int page_alloc(u32 ppn, int slot);
/* How many pages slot holds (is among the holders of). */
u32 page_held(int slot);
/* Is ppn inside the range page_release_all(slot) walks? (kcheck) */
bool page_held_range_has(u32 ppn, int slot);
bool page_holds(u32 ppn, int slot);
/* Add slot as a holder of the (used) page ppn. */
void page_hold(u32 ppn, int slot);
/* Slot lets go of ppn; the last holder's unref frees the page, which
 * revokes every capability for it and removes every mapping of it.
 * -E_PERM if slot does not hold ppn. */
int page_unref(u32 ppn, int slot);
void page_release_all(int slot);
u32 page_free_count(void);
bool page_is_free(u32 ppn);
/* Write back the data cache and invalidate the instruction cache for
 * [kva, kva+len), after writing code that will be executed. */
void cache_sync(void *kva, u32 len);

/* cap.c */
struct tcap;
/* Check capability (name, check) for rights need (CAP_R or CAP_RW). Returns
 * the page number, or -E_BADCAP (and counts a failure for curenv). */
int cap_page_full(u32 name, u32 check, u32 need);
/* The same, inline: a valid root capability (the common case: one load and
 * one compare of its secret) is accepted here; everything else, derived
 * capabilities and every failure, goes to cap_page_full. */
static inline int cap_page(u32 name, u32 check, u32 need)
{
	u32 ppn = CAP_PPN(name), rights = CAP_RIGHTS(name);
	if ((rights == CAP_RW || (rights == CAP_R && need == CAP_R)) && ppn < page_count() &&
	    pages[ppn].state == PAGE_USED && pages[ppn].check[rights == CAP_RW] == check)
		return (int)ppn;
	return cap_page_full(name, check, need);
}
/* The check field of page ppn's capability with rights (CAP_R or CAP_RW). */
u32 cap_check_for(u32 ppn, u32 rights);
/* Count a failed capability presentation against curenv (past
 * CAPFAIL_FREE of them, each costs it the rest of its slice); -E_BADCAP. */
int cap_failed(void);
/* Like cap_page, but only a page's two root capabilities are accepted: a
 * derived one gets -E_PERM (page_grant and gmap_add make arrangements that
 * revoking a derived capability would not undo). */
int cap_page_root(u32 name, u32 check, u32 need);
/* The secret a valid capability (name) is checked against, where it is
 * kept: it changes when the capability dies (wakeup.c watches it). */
const u32 *cap_secret(u32 name);
/* Entry c, a derived page capability, has died (captree.c): its creator
 * gets the quota back. captree.c then calls pcap_shootdown for its page. */
void pcap_died(const struct tcap *c);
void pcap_shootdown(u32 ppn);   /* every translation of ppn leaves every TLB and STLB */
/* The environment in slot is going away: its derived page capabilities
 * die (ct_env_gone), if it has any. */
void pcap_env_gone(int slot);
/* A derived capability of the page that valid capability name names, below
 * it, with rights (CAP_R or CAP_RW), made by curenv: its index, or -E_PERM
 * (more rights than name's), -E_QUOTA (curenv made PCAP_PER_ENV already),
 * -E_NOMEM (the tree would be too deep). */
int pcap_new(u32 name, u32 rights);
/* Revoke everything below root capability (ppn, rights): below the CAP_R
 * root, its derived capabilities; below the CAP_RW root, every derived
 * capability of the page and the CAP_R root itself (a new secret), and the
 * page's translations go. */
void pcap_revoke_root(u32 ppn, u32 rights);
/* kcheck: do the pages' and environments' counts of derived capabilities
 * match the table, and does every one name a page in use? */
bool pcap_consistent(char *why, u32 len);

/* vm.c */
/* Set the translation of e's page holding va to lo (0 = none), keeping the
 * other half of the pair, in STLB and TLB. Guaranteed mappings stay valid.
 * With keep, a pair left with no valid half stays in STLB and TLB as an
 * invalid entry, so the next access is forwarded on the fast path. */
void vm_set_half(struct env *e, u32 va, u32 lo, bool keep);
/* The same for a whole pair (even = the even page number): the halves whose
 * bit is set in given (1: lo0, 2: lo1) are set, the others kept. Without
 * hw only the STLB is written: the caller must drop the pair from the TLB. */
void vm_set_pair(struct env *e, u32 even, u32 lo0, u32 lo1, u32 given, bool keep, bool hw);
/* Remove (or, with noaccess, make invalid) e's translations of the pages
 * [va, va + npages pages), in one pass. -E_BUSY if a guaranteed mapping is
 * inside the range. */
int vm_range(struct env *e, u32 va, u32 npages, bool noaccess);
const struct gmap *gmap_lookup(const struct env *e, u32 vpn);
/* Whether e has a guaranteed mapping of any virtual page in [lo_vpn, hi_vpn]
 * (one binary search, for a batch of pages). */
bool gmap_any(const struct env *e, u32 lo_vpn, u32 hi_vpn);
/* Install e's guaranteed mapping for va's page. Returns false if va's page
 * has none (or it is read-only and write is set). */
bool gmap_fill(struct env *e, u32 va, bool write);
/* Add (or replace) a guaranteed mapping vpn -> ppn; e becomes a holder of
 * ppn. -E_NOMEM if e has NGMAP already. */
int gmap_insert(struct env *e, u32 vpn, u32 ppn, bool writable);
int gmap_remove(struct env *e, u32 vpn);
void gmap_remove_ppn(struct env *e, u32 ppn);
/* gmap_find_ppn through e's page filter (kcheck: a mapping it would miss
 * means the filter is wrong). */
const struct gmap *gmap_find_ppn_filtered(const struct env *e, u32 ppn);
/* e has no guaranteed mapping (a new or destroyed environment). */
void gmap_clear(struct env *e);
/* A guaranteed mapping of e to page ppn, or NULL. */
const struct gmap *gmap_find_ppn(const struct env *e, u32 ppn);
/* Remove e's TLB and STLB translations to page ppn (other environments'
 * stay). */
void vm_unmap_ppn(struct env *e, u32 ppn);
void *gmap_new_page(struct env *e, u32 vpn, bool writable);

/* env.c */
#define NENV   63              /* ASIDs 1..63; ASID 0 is never used by an env */
#define NGMAP  512             /* guaranteed mappings per environment (sorted by vpn) */
#define NVITAL 8               /* vital pages per environment */
#define GMAP_PPN_FILTER_BITS 1024  /* and one over the pages its guaranteed mappings name */
/* Per ASID (an environment's ASID is its slot + 1), a 16384-bit filter over
 * the pairs that may hold one of its guaranteed mappings: bit gmap_bit(vpn)
 * clear means none does. Indexed by ASID so that the refill vector's miss
 * path (upcall.S refill_miss) reaches it from EntryHi alone; fastcall.S
 * reads it too. */
#include "gmap_filter.h"     /* GMAP_FILTER_LOG2, gmap_filter_bit */
#define GMAP_FILTER_WORDS (1 << GMAP_FILTER_LOG2 >> 5)
extern u32 gmap_filters[NENV + 1][GMAP_FILTER_WORDS];
#define NREPO  64              /* repossession vector entries */
#define FPU_WORDS 33           /* $f0..$f31 and FCSR */
/* ENV_SLEEPING: in wk_sleep until its wakeup predicate holds (wakeup.c).
 * The values of the others are read by fastcall.S: append new ones. */
enum env_status { ENV_FREE, ENV_NEW, ENV_RUNNABLE, ENV_WAITING, ENV_SLEEPING };
struct gmap { u32 vpn; u32 ppn; bool writable; };
struct env {
	struct trapframe tf;   /* first: cur_tf points at it */
	u32 id;                /* generation << 8 | slot */
	u32 asid;
	enum env_status status;
	char name[32];
	struct env *parent;    /* the environment that created it, or NULL */
	u32 capfails;          /* failed capability presentations */
	u32 up_exc, up_tlb;    /* upcall entry points, 0 = none */
	u32 up_save_va;        /* the save area, user address ... */
	u32 up_save_kva;       /* ... and its kseg0 alias, 0 = no upcalls */
	int ngmap;
	struct gmap gmap[NGMAP];
	u32 gmap_ppn_filter[GMAP_PPN_FILTER_BITS >> 5]; /* vm.c: pages that may be mapped by one */
	u32 *gmap_filter;       /* gmap_filters[asid], for fastcall.S (set once, env_init) */
	struct { u32 id; int status; } exited[8];   /* children that ended, for env_reap */
	u32 nexited;
	u32 epilogue;          /* slice-end entry point, 0 = none */
	u32 crit_start, crit_end;  /* no epilogue or prologue while the PC is in here */
	u32 prologue;          /* slice-start entry point, 0 = none */
	bool in_grace;         /* sent to its epilogue, not done yet */
	int overruns;          /* grace periods overrun in a row */
	int penalty;           /* slices to skip */
	u32 pct_entry;         /* protected entry point, 0 = none */
	struct env *waiting_on;  /* in scall: the callee its slices go to */
	u32 revoke_entry;      /* revocation upcall entry, 0 = none */
	u32 revoke_want;       /* pages still to give back */
	u32 revoke_slices;     /* slice ends left before the abort protocol */
	u32 revoke_notify;     /* upcall to deliver: REVOKE_REQUEST/REPOSSESSED, 0 = none */
	u32 revoke_slice_want; /* slice positions still to give back */
	u32 revoke_slice_ends; /* its slice ends left before they are taken */
	u32 slice_notify;      /* REVOKE_SLICES_REQ/TAKEN upcall to deliver, 0 = none */
	u32 slices_taken;
	u32 vital[NVITAL];     /* pages never repossessed */
	int nvital;
	u32 repo[NREPO];       /* the repossession vector */
	u32 nrepo;             /* pages repossessed since it was last read */
	u32 limit[NLIMITS];    /* limit.c: budgets its parent set ... */
	u32 used[NLIMITS];     /* ... and what it and its descendants hold */
	bool fpu_on;           /* fpu.c: it enabled the FPU (FPUmod) */
	u32 fpu[FPU_WORDS];    /* its FPU registers while another owns the FPU */
};
/* What the forwarding stubs (upcall.S) read: the running environment's save
 * area (0 while in the kernel) and entry points. */
struct upcall_regs { u32 save_kva, exc, tlb, save_kva_user; };
extern struct upcall_regs cur_upcall;
extern struct env envs[NENV];
extern struct env *curenv;
extern int env_span;            /* slots 0..env_span-1 have ever been used */
extern u32 cur_envid;          /* read by the fast getenvid */
void env_init(void);
int env_slot(const struct env *e);
/* The live environment with this id, or NULL. */
struct env *env_lookup(u32 id);
/* The caller's child with this id; else NULL with *err = -E_NOENT (no such
 * environment) or -E_PERM (not the caller's child). */
struct env *env_child(u32 id, int *err);
/* The caller itself (id 0 or its own id) or env_child(id, err). */
struct env *env_self_or_child(u32 id, int *err);
/* A new environment (status ENV_NEW: not runnable yet), charged to its
 * parent's environment budget; or NULL with *err = -E_NOMEM (no free slot)
 * or -E_QUOTA. */
struct env *env_alloc(const char *name, struct env *parent, int *err);
/* Create an environment running the ELF executable img (copied into pages
 * the environment holds, mapped through its guaranteed mappings), with a
 * stack of USTACK_PAGES below USTACK_TOP. Returns the env or NULL with *err. */
struct env *env_create_elf(const char *name, const void *img, size_t len, int *err);
/* Destroy e: release its pages, its TLB and STLB entries and its slot; its
 * children are destroyed too. */
void env_destroy(struct env *e);
/* Record that e ended with status (in its parent, for env_reap). Exit
 * statuses are the program's; a kill by an exception is -1000 - ExcCode. */
void env_record_exit(struct env *e, int status);
/* Report an exception in e that it cannot handle, then destroy it. */
void env_fault(struct env *e, const struct trapframe *tf, const char *why);
/* Make e current: its trapframe, its ASID, its upcalls; deliver a pending
 * revocation upcall. Returns true if it delivered one (tf now enters it). */
bool env_switch(struct env *e);
/* The rest of a slice that curenv gave up (it slept, yielded or ended):
 * make current the first environment after it, in slot order, whose wakeup
 * predicate has come true (woken: it goes first, so a wake-up is not
 * delayed by environments that merely compute), else the first runnable
 * one; idle until a predicate holds if none; halt if nothing can ever run.
 * The timer is not touched: the slice ends when it would have. */
struct trapframe *sched(void);
/* Register e's upcalls; the save area must be in a writable guaranteed
 * mapping. */
int upcall_set(struct env *e, u32 exc, u32 tlb, u32 save_va);
void upcall_clear(struct env *e);
/* e's guaranteed mappings changed: point the save area at the page its
 * mapping names now, or, if the mapping is gone or read-only, unregister the
 * upcalls. The kernel never writes through a stale save-area address. */
void upcall_refresh(struct env *e);
/* Deliver the exception in tf to e's handler (tlb: the TLB entry point).
 * Returns false if e has no handlers. */
bool upcall_deliver(struct env *e, struct trapframe *tf, bool tlb);
/* The same, into entry point entry (e.g. the epilogue). */
bool upcall_deliver_to(struct env *e, struct trapframe *tf, u32 entry);

/* limit.c */
/* Charge n units of resource r (LIM_*) to e and its ancestors; -E_QUOTA
 * (nothing charged) if any of them would go past its limit. */
int limit_charge(struct env *e, int r, u32 n);
void limit_uncharge(struct env *e, int r, u32 n);
void limit_init(struct env *e);

/* fpu.c, fpu.S */
/* The environment whose registers the FPU holds, or NULL. Only it may have
 * Status.CU1 set in its saved Status: every other finds the FPU unusable and
 * traps (CpU), and the kernel switches the registers then (lazily). */
extern struct env *fpu_owner;
/* Give the FPU to e (which is running): save the owner's registers, load
 * e's, and let e use it (CU1 in tf). */
void fpu_take(struct env *e, struct trapframe *tf);
/* e is going away: its registers in the FPU are no one's now. */
void fpu_env_gone(struct env *e);
void fpu_save(u32 *ctx);
void fpu_load(const u32 *ctx);
extern char fpu_load_fcsr[];

/* captree.c: capabilities that form trees (docs/capabilities.md): the
 * capabilities of software regions, and the derived ones of pages. */
#define CT_REGION      0
#define CT_PAGE        1
#define NREGIONS       64
#define SR_CAPS        32            /* capabilities per region */
#define PCAP_PER_ENV   32            /* derived page capabilities per environment */
#define CT_REGION_CAPS (NREGIONS * SR_CAPS)
#define CT_INDEX_BITS  12
#define CT_NCAPS       (1 << CT_INDEX_BITS)
#define CT_GEN_SHIFT   (CT_INDEX_BITS + 4)
#define CT_DEPTH       8             /* levels of a tree, its root included */
#define CT_NOPARENT    0xffffu       /* a region's root */
#define CT_ROOT_RW     0xfffeu       /* just below a page's CAP_RW root */
#define CT_ROOT_R      0xfffdu       /* just below a page's CAP_R root */
_Static_assert(CT_REGION_CAPS + NENV * PCAP_PER_ENV <= CT_NCAPS, "room for every quota");
struct tcap {
	u32 gen;                /* bumped when the entry dies */
	u32 check;              /* the secret; redrawn when the entry dies */
	u32 obj;                /* the region's index, or the page's number */
	u16 parent;             /* its index, or CT_NOPARENT / CT_ROOT_RW / CT_ROOT_R */
	u16 lo, hi;             /* regions: the byte range [lo, hi) */
	u8 kind;                /* CT_REGION or CT_PAGE */
	u8 rights;              /* SR_R|SR_W, or CAP_R / CAP_RW */
	u8 depth;               /* 0 for a region's root, 1 just below a page's roots */
	u8 owner;               /* pages: the slot of the environment that derived it */
	bool live;
};
extern struct tcap ct_caps[CT_NCAPS];
/* The name of entry i (gen, index, CAP_TREE, rights). */
u32 ct_name(u32 i);
/* The live entry of that kind named (name, check), or NULL after counting
 * a failed presentation (cap_failed). */
struct tcap *ct_lookup(u32 name, u32 check, u32 kind);
/* A new entry of kind for obj below parent (an index or a sentinel above),
 * with a fresh secret; returns its index, or -E_NOMEM if the tree would be
 * deeper than CT_DEPTH or the kind's pool is full. The caller checks
 * ranges, rights and quotas. */
int ct_new(u32 kind, u32 obj, u32 parent, u32 lo, u32 hi, u32 rights, u32 owner);
/* Kill every entry below entry i, not i. */
void ct_kill_below(u32 i);
/* Kill entry i and every entry below it. */
void ct_kill_subtree(u32 i);
/* Kill every entry of kind for obj. */
void ct_kill_object(u32 kind, u32 obj);
/* Kill every entry below page ppn's CAP_R root (r_root) or CAP_RW root
 * (which dominates the R root and so everything of the page). */
void ct_kill_below_root(u32 ppn, bool r_root);
/* The environment in slot is going away: kill the page capabilities it
 * derived, and everything below them. */
void ct_env_gone(int slot);
/* The live entries of kind for obj (kcheck). */
u32 ct_count(u32 kind, u32 obj);
/* kcheck: is every live entry well formed (kind, depth, a live parent of the
 * same object with at least its rights and range)? If not, false and why. */
bool ct_consistent(char *why, u32 len);

/* region.c: software regions (sr_* calls), whose capabilities are trees. */
/* Entry c, a capability of a region, has died (captree.c). */
void region_cap_died(const struct tcap *c);
/* How many regions e created (each is charged to it as a page). */
u32 region_count(const struct env *e);
/* e is going away: free the regions it created (and their capabilities). */
void region_env_gone(struct env *e);
/* kcheck: are the region and capability tables consistent? If not, false
 * with a description in why[0..len-1]. */
bool region_consistent(char *why, u32 len);

/* pci.c: PCI configuration space (GT-64120), PCI/ISA I/O space, interrupt
 * routing (PIIX4) and the i8259s. */
u32 pci_cfg_read(u32 dev, u32 fn, u32 reg);
void pci_cfg_write(u32 dev, u32 fn, u32 reg, u32 v);
u8 io_in8(u32 port);
u16 io_in16(u32 port);
u32 io_in32(u32 port);
void io_out8(u32 port, u8 v);
void io_out16(u32 port, u16 v);
/* The lowest I/O address above every I/O BAR assigned on bus 0. */
u32 pci_io_top(void);
/* Route PIRQA..D to ISA interrupt irq (level) and unmask it (pic_enable). */
void pci_irq_route(u32 irq);
/* Unmask ISA interrupt irq (and the cascade), level- or edge-triggered; the
 * i8259s are set up (everything masked, auto-EOI) the first time. */
void pic_enable(u32 irq, bool level);
/* Acknowledge the i8259s' pending interrupt: its number, or -1. */
int pic_ack(void);

/* devmem.c: device drivers and environments' pages. The data cache's
 * geometry (dline 0: no data cache), read by dcache_init; Hit operations
 * over [kva, kva + len); dcache_user_sync: make memory the only copy of
 * [pa, pa + len) of an environment's page, at every index it can be cached. */
extern u32 dline, dway, dways;
void dcache_init(void);
void dcache_wbinv(const void *kva, u32 len);
void dcache_inv(const void *kva, u32 len);
void dcache_wb(const void *kva, u32 len);
void dcache_user_sync(u32 pa, u32 len);
/* A page named by (capname, capcheck) with rights need, held by the caller,
 * and off_len = off << 16 | len inside it, min <= len <= max, off a multiple
 * of align: the page number, or -E_INVAL, -E_BADCAP, -E_PERM. */
int page_range(u32 capname, u32 capcheck, u32 need, u32 off_len, u32 min, u32 max, u32 align);
/* For a device that will touch page ppn later for slot: an identity of this
 * allocation of the page (it changes whenever the page is freed), and
 * whether slot still holds that same allocation. Capabilities derived from
 * the page's roots do not matter here: holding it does. */
u32 page_identity(u32 ppn);
bool page_still_held(u32 ppn, int slot, u32 identity);

/* nic.c: the network interfaces (docs/network.md). */
#define NIC_IRQ 11
/* Interrupt mask bits of a new environment's Status (IM7, and IM2 once a
 * NIC is driven). */
extern u32 user_intr_mask;
/* Find, set up and start every PCnet on PCI bus 0. */
void nic_init(void);
/* IP2: acknowledge the i8259s and service every NIC. */
void nic_intr(void);
/* IP2, the i8259s (trap.c): tell the ASHs where the interrupted environment
 * was (ash_interrupted), then serve the NICs (which acknowledge the i8259s)
 * and the disk. From trap() and from net_tx for an interrupt already pending. */
void io_intr(u32 epc);
/* Service every NIC (receive, demultiplex, reclaim sent descriptors). */
void nic_poll(void);
/* Is some filter installed (could a frame still wake a sleeper)? */
bool nic_receiving(void);
/* e is going away: its filters, posted buffers and notification word go. */
void nic_env_gone(struct env *e);
/* kcheck: are the filter lists and posted buffers consistent? */
bool nic_consistent(char *why, u32 len);
/* How many packet filters slot has installed, in every table (kcheck's
 * count for LIM_FILTERS). */
u32 nic_filters_of(int slot);
/* How many NICs the kernel drives. */
u32 nic_count(void);
/* The slot of the environment that installed filter id of DPF table t, or
 * -1 if none is installed there. */
int nic_filter_owner(u32 t, u32 id);
/* Queue frame[0..len-1] (kernel memory, NET_FRAME_MIN..NET_FRAME_MAX bytes)
 * for sending on NIC ni: 0, or -E_AGAIN if its transmit ring is full. */
int nic_send(u32 ni, const u8 *frame, u32 len);
/* Increment slot's notification word (net_notify), if it still has one. */
void nic_notify(int slot);

/* ash.c: application-specific safe handlers (docs/network.md). */
/* Frame[0..len-1] arrived on NIC ni and DPF filter `filter` of its table
 * accepted it: run that filter's ASH if it has one. True if the frame is
 * then to be delivered to the owner's posted buffers as usual. */
bool ash_arrive(u32 ni, u32 filter, const u8 *frame, u32 len);
/* An environment made progress (it sent a frame): ASHs may reply again. */
void ash_progress(void);
/* A NIC interrupt found the environment in slot at pc epc (ASHs' replies
 * stop after a while if it is always the same: a loop of replies). */
void ash_interrupted(int slot, u32 epc);
/* Filter `filter` of DPF table `table` is being removed: so is its ASH. */
void ash_filter_gone(u32 table, u32 filter);
/* How many ASHs slot has (kcheck's count for LIM_ASHS). */
u32 ash_count_of(int slot);
/* kcheck: does every ASH have a live owner that owns its filter, and do the
 * filters' links name exactly the ASHs? */
bool ash_consistent(char *why, u32 len);

/* disk.c: the IDE disk and extent capabilities (docs/storage.md). */
/* Find the primary master, identify it, enable its interrupt. */
void disk_init(void);
/* IP2 / the idle loop: one step of the request on the drive, if ready. */
void disk_intr(void);
void disk_poll(void);
/* Are requests queued (could a completion still wake a sleeper)? */
bool disk_busy(void);
/* e is going away: nothing of its queued requests reaches its pages. */
void disk_env_gone(struct env *e);
/* kcheck: are the queue and the extent table consistent? */
bool disk_consistent(char *why, u32 len);
/* How many live extents are charged to slot (kcheck's count for LIM_EXTENTS). */
u32 disk_extents_of(int slot);
/* For XN: queue a one-block request that XN checked (xn: its entry, seq:
 * handed back to xn_io_done), to or from bytes [off, off + DISK_BLOCK) of
 * page ppn held by curenv, or a write from src (DISK_BLOCK bytes, copied
 * now) if src is not NULL; completion word at woff of page wppn. 0,
 * -E_AGAIN (queue full), -E_NOENT (no disk). */
int disk_queue_xn(u32 op, u32 block, u32 xn, u32 seq, u32 ppn, u32 off, u32 wppn, u32 woff,
		  const void *src);
/* Check a request's data page (bytes [off, off + len) of the page pname,
 * pcheck names, read-write for a DISK_READ; none if len is 0) and its
 * completion word (at woff of page wname, wcheck, read-write), both held by
 * curenv: 0 with *ppn and *wppn set, or -E_INVAL, -E_BADCAP, -E_PERM. */
int disk_req_pages(u32 op, u32 pname, u32 pcheck, u32 off, u32 len, u32 wname, u32 wcheck,
		   u32 woff, u32 *ppn, u32 *wppn);
/* For XN's own area (xn_area.c): queue a write of one block from src
 * (copied now) for nobody (no page, no completion word), a request of XN
 * entry xn unless xn is XNA_NOENTRY (xn_io_done hears of it). 0, -E_AGAIN,
 * -E_NOENT. */
#define XNA_NOENTRY 0xffffffffu
int disk_queue_area(u32 block, const void *src, u32 xn);
/* At boot, with nothing queued: read block lba into buf, polling the
 * drive (bounded). 0 or -E_IO. */
int disk_read_sync(u32 lba, u8 *buf);
/* How many requests for XN entry xn are queued? Is block in a live extent? */
u32 disk_xn_requests(u32 xn);
bool disk_in_extent(u32 block);
/* Blocks on the disk (0: no disk). */
u32 disk_nblocks(void);
/* Blocks [block, block + count) may hold a former owner's bytes: until
 * each is next written, a read returns zeros for it (disk.c). */
void disk_taint(u32 block, u32 count);

/* disk_dma.c: the PIIX4's bus-master IDE engine, primary channel
 * (docs/storage.md "Bus-master DMA"); disk.c's only user. */
/* Set up BAR4 and bus mastering of 00:0a.1 unless the command line has the
 * word disk.pio: whether DMA can be used. */
bool bmide_init(void);
/* Its register base (0: no DMA). */
u32 bmide_base(void);
/* Before an ATA DMA command: describe kernel buffer [buf, buf + len) (page
 * aligned, len at most a page, whole cache lines) to the engine, direction
 * to_memory (a read) or from it, with the cache made safe for the
 * transfer; then bmide_go. */
void bmide_start(void *buf, u32 len, bool to_memory);
void bmide_go(bool to_memory);
/* Has the transfer raised its interrupt: 1, -1 (the engine failed), 0 not yet. */
int bmide_done(void);
/* Stop the engine and clear its status; after a read, invalidate the
 * buffer's lines so that the CPU sees what the drive wrote. */
void bmide_stop(void *buf, u32 len, bool to_memory);

/* xn.c: XN, library file systems' blocks (docs/storage.md). */
/* A request of entry xn queued by disk_queue_xn is over (status 0 or -E_*),
 * or dropped (its requester gone); buf: the DISK_BLOCK bytes it moved (a
 * read: what the disk holds, which may refill XN's copy of a metadata block). */
void xn_io_done(u32 xn, u32 op, int status, u32 seq, const u8 *buf);
/* Does XN hold a block of [start, start + count)? Is entry xn in use? */
bool xn_range_used(u32 start, u32 count);
bool xn_entry_live(u32 xn);
/* e is going away: its templates, roots and their blocks go (at once, or
 * when the requests on them are over). */
void xn_env_gone(struct env *e);
/* kcheck: XN's invariants (runs owns on every metadata block). */
bool xn_consistent(char *why, u32 len);
/* How many XN entries (templates, blocks) are charged to slot (LIM_XN). */
u32 xn_entries_of(int slot);

/* At boot, after disk_init: load XN's area if the disk carries one and
 * rebuild the kept file systems from their roots (owns), or refuse the
 * disk (a message; then XN and extents leave it alone). */
void xn_boot(void);

/* xn_area.c: XN's own area on the disk (xn_disk.h), kept in memory. */
struct xn_droot;
struct xn_dtype;
bool xna_present(void);
/* Blocks [0, xna_area()) are XN's own (0: no area). */
u32 xna_area(void);
/* Read the area at boot: 0, -E_NOENT (none), -E_INVAL (refuse the disk). */
int xna_load(u32 disk_blocks);
/* Block b's bits in the free map and the taint map (memory image). */
bool xna_allocated(u32 b);
bool xna_tainted(u32 b);
void xna_mark(u32 b, bool alloc, bool taint);
/* Root record r, template record i: read, replace (queued by xna_flush). */
void xna_root(u32 r, struct xn_droot *out);
void xna_set_root(u32 r, const struct xn_droot *d);
const u8 *xna_type(u32 i);
void xna_set_type(u32 i, const struct xn_dtype *h, const void *progs, u32 len);
/* Queue the changed area blocks (maps, templates, roots, in that order):
 * 0, or -E_AGAIN (some could not be queued yet). */
int xna_flush(void);
/* Queue the roots block now as a request of XN entry xn: 0, -E_AGAIN. */
int xna_flush_roots(u32 xn);
u32 xna_dirty_blocks(void);

/* xn_udf.c: templates and their UDFs (dcode programs, interpreted). */
/* The slot that registered live type id, or -1 (XN_DATA, stale, none). */
int xn_type_payer(u32 id);
/* owns of metadata m (XN_META bytes) of type: the pairs (block, type) in
 * out, their number; -E_INVAL if it faults, reports too many or the type
 * is not live. */
int xn_owns(u32 type, const u8 *m, u32 out[XN_MAXOWNS][2]);
/* Does type's acl allow change c of m by cred? */
bool xn_acl(u32 type, const u8 *m, const struct xn_change *c, const struct xn_cred *cred);
/* size of m: 1..XN_META, or -E_INVAL. */
int xn_size(u32 type, const u8 *m);
void xn_types_env_gone(struct env *e);
u32 xn_types_of(int slot);
/* Kept templates (docs/storage.md "XN on disk"): the kept root a type
 * belongs to (-1: none); bind it to root r (its record written): 0, or
 * -E_BUSY (another root's), -E_INVAL (not live); the types of root r lose
 * their payer (detach) or get e as payer (attach: how many, charged by the
 * caller), or go back to unbound (unbind: records cleared); restore record
 * rec as template i at boot (0, -E_INVAL: refused by dc_check or malformed);
 * forget every template (a refused disk). */
int xn_type_root(u32 id);
int xn_type_bind(u32 id, int r);
void xn_types_detach(int r);
u32 xn_types_attach(int r, struct env *e);
u32 xn_types_count(int r);
void xn_types_unbind(int r);
/* At boot: the templates of root record r, which is not live (the board
 * stopped between their records' writes and the root's), go. */
void xn_types_forget(int r);
/* The kept root template i is bound to, -1: none (or not live). */
int xn_type_bound(u32 i);
int xn_type_restore(u32 i, const u8 *rec);
void xn_types_reset(void);
bool xn_types_consistent(char *why, u32 len);

/* kinfo.c: the public page (struct kinfo, abi.h), mapped read-only at
 * KINFO_VA in every environment. */
extern struct kinfo *const kinfo_pub;
/* Its physical page number. */
u32 kinfo_ppn(void);
/* Fill in what is known at boot (after pmap_init). */
void kinfo_init(void);
/* Publish e's slot: its id and parent (zeros once it is free) and usage. */
void kinfo_env(const struct env *e);
/* A user TLB miss at va: if it is a load from KINFO_VA, map the public page
 * read-only for e and return true; else false. */
bool kinfo_fill(struct env *e, u32 va, bool write);

/* wakeup.c: wakeup predicates (wk_sleep). */
/* May e run? For a sleeper, evaluate its predicate and wake it if the
 * predicate holds (or failed: its wk_sleep returns the error). True if e is
 * runnable afterwards. */
bool wk_poll(struct env *e);
/* Nothing is runnable: evaluate the sleepers' predicates until one wakes,
 * while some predicate reads the time or a device may yet deliver something
 * (a NIC with filters, a disk with requests); between looks the processor
 * waits (idle_wait) for an interrupt or the time the first timed predicate
 * will hold, and the slice's timer is put back after. Returns the woken one,
 * or NULL if none can ever wake. */
struct env *wk_idle(void);
/* An interrupt taken in kernel mode: if it ended (or came just before)
 * idle_wait's wait, send tf past the wait with interrupts off, the
 * interrupt left pending, and return true; else false. */
bool wk_idle_trap(struct trapframe *tf);
/* idle.S: wait for an interrupt among the Status IM bits im; entered and
 * left with interrupts off. idle_wait_on..idle_wait_off: where
 * wk_idle_trap catches the interrupt. */
void idle_wait(u32 im);
extern char idle_wait_on[], idle_wait_off[];
/* Is some environment asleep on a predicate? */
bool wk_any_sleeper(void);
/* e is going away: forget its predicate. */
void wk_env_gone(struct env *e);
/* Does e have a predicate exactly when it sleeps? (kcheck) */
bool wk_consistent(const struct env *e);

/* revoke.c */
#define REVOKE_SLICES 3          /* slice ends an environment has to comply */
/* Ask e to give back npages pages. -E_INVAL if npages is 0 or absurd;
 * -E_BUSY if e has not yet been told of pages taken from it by force (it
 * has a revocation entry, and the notice waits for it to run). */
int revoke_request(struct env *e, u32 npages);
/* Ask e to give back n slice positions. -E_INVAL if n is 0 or more than it
 * owns. */
int revoke_slices_request(struct env *e, u32 n);
/* e gave a slice position back (slice_free): count it against a request. */
void revoke_slice_free_hook(struct env *e);
/* e gave a page back (page_unref): count it against a request. */
void revoke_unref_hook(struct env *e);
/* Would revoke_deliver_pending deliver an upcall to e (one pending, and an
 * entry to deliver it to)? */
static inline bool revoke_upcall_pending(const struct env *e)
{
	return (e->revoke_notify || e->slice_notify) && e->revoke_entry;
}
/* Deliver a pending revocation or repossession upcall into e's trapframe;
 * true if one was delivered. */
bool revoke_deliver_pending(struct env *e);
/* The slice of a position owned by slot owner_slot (-1: none) is over:
 * count it towards the deadlines of that owner and of every environment
 * that owns no position (whose time is anyone's slices), whether or not they
 * ran in it: yielding, sleeping or waiting does not stop a deadline. */
void revoke_slice_passed(int owner_slot);
/* A position of e's was skipped (e asleep, waiting or penalised): one of its
 * slices passes for its deadlines. */
void revoke_position_passed(struct env *e);
/* One of e's slices ended: past the deadline, run the abort protocol. */
void revoke_slice_end(struct env *e);
bool page_is_vital(const struct env *e, u32 ppn);

/* mempress.c: revocation started by the kernel when memory runs low. */
/* Free pages below this start it: page_total / 16 unless the boot command
 * line says lowmem=N (pages; at most page_total / 2). */
extern u32 mem_low_water;
void mem_init(void);
/* Free pages are below the mark after a page_alloc by slot: ask the largest
 * holders other than slot for pages back (revoke_request). */
void mem_pressure(int slot);

/* pct.c */
/* Protected control transfer from curenv (registers in tf) to environment
 * id, synchronous (scall) or not (acall). Returns 0 or an error for the
 * caller; on success the callee runs next. */
int pct_transfer(struct trapframe *tf, u32 id, bool sync);
/* e is going away: environments blocked in an scall to it get -E_NOENT. */
void pct_env_gone(struct env *e);

/* slice.c */
#define NSLICES       64
#define SLICE_TICKS   100000     /* 625,000 instructions at 6.25 per tick */
#define GRACE_TICKS   12500
#define OVERRUN_LIMIT 3
void slice_init(void);
/* Own slice position pos (-1: any free one). Returns it; -E_BUSY if taken,
 * -E_INVAL if out of range, -E_NOMEM if none is free, -E_QUOTA if over e's
 * slice budget. */
int slice_alloc(struct env *e, int pos);
/* Give position pos back; -E_PERM if e does not own it. */
int slice_free(struct env *e, int pos);
void slice_release_all(struct env *e);
/* Take e's highest-numbered slice position by force; returns it or -1. */
int slice_take_one(struct env *e);
int slice_count(const struct env *e);
/* The slot of the environment owning position pos, or -1. */
int slice_owner(int pos);
void timer_set(u32 ticks);
/* The timer fired: epilogue, overrun accounting, or the next slice. Returns
 * the trapframe to resume. */
struct trapframe *slice_end(struct trapframe *tf);
/* Start the next position's slice (with the owner's prologue, if it
 * registered one); returns the trapframe to resume. */
struct trapframe *slice_next(void);
/* Register e's prologue entry (0: none). -E_INVAL: not a word-aligned user
 * address. */
int slice_set_prologue(struct env *e, u32 entry);
/* e says its epilogue is done. */
void slice_done(struct env *e);

/* syscall.c */
u32 syscall_dispatch(struct trapframe *tf);
extern bool yield_requested;   /* give the rest of the slice to the next environment */
extern struct env *yield_to;   /* ... or to this one */
extern bool slice_over;        /* the caller is done with its slice */
struct trapframe *after_trap(void);

/* kcheck.c */
/* Walk the page, capability, STLB, TLB, guaranteed-mapping, slice, budget
 * and FPU tables and check that they agree; print each inconsistency.
 * Returns how many were found. */
int kcheck(void);

/* ktest.c */
void ktest_run(void);
void ktest_env_exit(struct env *e, int status);
/* In ktest mode, report the end of e as subtest 2. */
void ktest_watch(struct env *e);

#endif
