/*
 * exos.h: the ExOS library operating system, as an application sees it.
 * Functions are grouped by the file that defines them.
 */
#ifndef EXOS_H
#define EXOS_H
#include "../aegis/types.h"
#include "../aegis/abi.h"
#include "../aegis/trapframe.h"
#include "../aegis/dcode.h"
#include "../lib/lib.h"
#include "layout.h"
#include "syscalls.h"          /* generated: sys_<name>() stubs */

#define PAGE_SIZE  4096
#define PAGE_SHIFT 12

/* start.c */
extern u32 exos_envid;         /* this environment's id */
extern u32 exos_arg;           /* the argument its parent passed (0 for init) */
int main(void);
void exit(int status) __attribute__((noreturn));
/* The value of the kernel command-line word name=VALUE (decimal or 0x hex),
 * or dflt if there is none. */
u32 exos_param(const char *name, u32 dflt);

/* console.c */
/* Formatted output to the console, buffered per line through sys_cputs. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
void console_flush(void);

/* upcall.S: the entry points registered with Aegis (set_upcalls,
 * set_epilogue, set_prologue), and the bounds of the code that uses the
 * save area. */
void exos_tlb_entry(void);
void exos_exc_entry(void);
void exos_exc_skip_entry(void);
void exos_epilogue_entry(void);
void exos_prologue_entry(void);
extern char exos_upcall_text_start[], exos_upcall_text_end[];
extern volatile u32 exos_epilogues;      /* slice ends handled (start.c) */
void exos_epilogue(struct trapframe *f);

/* slicestart.c: the start-of-slice notification. fn runs at the start of
 * each of this environment's own slices (from Aegis's prologue upcall, with
 * every register of the program saved), then the program resumes where it
 * was. NULL: none. A prologue that arrives while fn is still running (fn
 * outlasted its slice) is skipped. Returns 0 or set_prologue's error. */
int exos_set_slice_start(void (*fn)(void));
extern void (*exos_slice_start_fn)(void);  /* the handler registered, or NULL */
extern volatile u32 exos_prologues;      /* slice starts handled */
void exos_prologue(struct trapframe *f);

/* vm.c: application-level virtual memory. */
enum { VM_NONE, VM_READ, VM_RW };
struct vm_fault {
	u32 va;                  /* the address touched */
	bool write;              /* a store */
	bool present;            /* a page is mapped there (so: a protection fault) */
	struct trapframe *frame; /* the program's registers; may be changed */
};
/* A region's fault handler: return 0 to resume the program at frame->epc
 * (after opening the page, or after changing frame), anything else to end it. */
typedef int (*vm_fault_fn)(struct vm_fault *f);
struct vm_stats { u32 tlb_upcalls, handled_faults; };
extern volatile struct vm_stats vm_stats;   /* changed by the upcall handler */
/* Allocate a page and make it a guaranteed mapping at va (writable). */
int exos_page_guaranteed(u32 va, u32 *ppn_out);
/* Give [va, va + npages pages) fresh zeroed pages with protection prot. The
 * TLB is filled on demand. -E_INVAL, -E_BUSY (already mapped), -E_NOMEM. */
int vm_map(u32 va, u32 npages, int prot);
/* Map physical page ppn (its CAP_RW check field) at va with protection prot. */
int vm_map_page(u32 va, u32 ppn, u32 check, int prot);
/* Remove the mappings; with unref, also give the pages back to Aegis. */
int vm_unmap(u32 va, u32 npages, bool unref);
/* Change the protection of mapped pages (VM_NONE, VM_READ, VM_RW). */
int vm_protect(u32 va, u32 npages, int prot);
/* 1 if the page at va was written since it was mapped, 0 if not, -E_INVAL
 * if nothing is mapped there. Kept by ExOS itself: no system call. */
int vm_dirty(u32 va);
/* Map the page that is at src also at dst, with protection prot. */
int vm_alias(u32 dst, u32 src, int prot);
/* Call fn for faults in [va, va + len) that the page table does not resolve
 * (the smallest region holding the address wins; fn = NULL removes it). */
int vm_set_handler(u32 va, u32 len, vm_fault_fn fn);
void exos_tlb_fault(struct trapframe *f);

/* pt.h: the page table (two-level or inverted; see pt.h). */

/* exc.c: exceptions. */
/* A handler for one exception code: return 0 to resume at f->epc, anything
 * else to end the program. f holds the program's registers at the fault
 * except s0..s7, fp and gp, which a C handler keeps in the registers
 * themselves (the calling convention): their slots in f are filled only for
 * a fault in a branch delay slot (Cause.BD), and changing them in f has no
 * effect. Every other register in f (at, v0..v1, a0..a3, t0..t9, ra, sp,
 * hi, lo) and f->epc may be changed, and the program resumes with them. */
typedef int (*exc_handler_fn)(struct trapframe *f);
void exos_set_exception_handler(u32 code, exc_handler_fn fn);
/* Skip exceptions of this code (on) or stop (off): the program resumes at
 * the instruction after the faulting one, and the code's count goes up by
 * one, in a few instructions of upcall.S with no frame and no handler (a
 * fault in a branch delay slot still goes to the code's handler). The count
 * starts at 0. -E_INVAL: code >= 32; else set_upcalls' result. */
int exos_set_exception_skip(u32 code, bool on);
/* How many exceptions of code were skipped since skipping was turned on. */
u32 exos_exception_skips(u32 code);
/* The exception entry Aegis should upcall: exos_exc_skip_entry while some
 * code is skipped, else exos_exc_entry. */
u32 exos_exc_entry_point(void);
/* Where the program goes after the instruction at f->epc (emulating the
 * branch when the fault was in a delay slot), and a step over it. */
u32 exos_next_pc(const struct trapframe *f);
void exos_skip_branch(struct trapframe *f);
static inline void exos_skip(struct trapframe *f)
{
	if ((s32)f->cause < 0)          /* Cause.BD: emulate the branch */
		exos_skip_branch(f);
	else
		f->epc += 4;
}
const char *exos_exc_name(u32 code);
void exos_fatal(const struct trapframe *f, const char *why) __attribute__((noreturn));
void exos_exc_init(void);
void exos_exception(struct trapframe *f);
void exos_exc_failed(struct trapframe *f) __attribute__((noreturn));

/* malloc.c */
void *malloc(size_t n);
void free(void *p);

/* spawn.c: programs. */
/* Start the initrd program name in a new child environment (a1 = arg).
 * Returns the child's id or a negative error. Its budgets (abi.h): half of
 * the pages free now, one slice position, 16 environments below it. */
int exos_spawn(const char *name, u32 arg);
/* The same, with pages shared with the child: each physical page (ppn and
 * its CAP_RW check field) appears writable at va in the child before it runs
 * (shared memory). */
struct exos_share { u32 va, ppn, check; };
int exos_spawn_with(const char *name, u32 arg, const struct exos_share *shares, int nshares);
/* The same, with the child's budgets limits[LIM_PAGES], [LIM_SLICES],
 * [LIM_ENVS] (abi.h) set before it runs (NULL: exos_spawn's). */
int exos_spawn_opts(const char *name, u32 arg, const struct exos_share *shares, int nshares,
		    const u32 *limits);
/* The file name of the initrd (read into the heap once): 0 with *data and
 * *size, -E_NOENT if there is none, or the error reading the initrd. */
int exos_initrd_file(const char *name, const u8 **data, u32 *size);
/* fork.c: a copy of this environment, copy-on-write: returns the child's id
 * in the parent and 0 in the child, or a negative error. */
int exos_fork(void);
void exos_fork_child_init(u32 envid);
/* start.c: register this environment's upcalls, epilogue, protected entry,
 * revocation entry and (if it has a handler) prologue with Aegis. */
int exos_register(void);
/* vm.c: a new page holding a copy of the page at src (copied through the
 * scratch address scratch); its number and CAP_RW check field come back, and
 * the caller holds it. 0 or a negative error (nothing is kept then). */
int vm_page_copy(u32 src, u32 scratch, u32 *ppn, u32 *check);
/* vm.c: give the copy-on-write page at va (its entry p) a private copy. */
struct pte;
int vm_cow_copy(u32 va, struct pte *p);
/* Wait for a child to end (asleep on a wakeup predicate over the public
 * page); its exit status goes to *status. */
int exos_wait(u32 child, int *status);

/* pipe.c: pipes in shared memory between two environments. Two pipes fit
 * in one shared page. A blocked side first hands the processor to peer (the
 * other end's environment) with yield_to, and if the pipe is still blocked
 * sleeps on a wakeup predicate until it changes or peer is gone (docs/exos.md).
 * Returns n, or (reader) fewer if the writer is gone, or -E_NOENT (writer)
 * if the reader is gone. */
#define PIPE_SIZE 2024               /* two pipes and four words fit in a page */
struct exos_pipe {
	volatile u32 head, tail;       /* bytes written / read, ever */
	u32 cap_name, cap_check;       /* the page's capability (pipe_init), for sleeping */
	volatile u8 buf[PIPE_SIZE];
};
/* Empty p; note its page's capability (from ExOS's page table) in it, so that
 * both ends can sleep on it; a page not in the table leaves 0 there, and a
 * blocked end then yields instead of sleeping. */
void pipe_init(struct exos_pipe *p);
int pipe_write(struct exos_pipe *p, const void *data, u32 n, u32 peer);
int pipe_read(struct exos_pipe *p, void *data, u32 n, u32 peer);
/* Sleep until head - tail of p differs from blocked, or peer's slot of the
 * public page no longer names it: 0, or a negative error (no capability
 * noted in p, a bad one, peer not a possible id). */
int pipe_sleep(struct exos_pipe *p, u32 peer, u32 blocked);

/* The kernel's public page (docs/kinfo.md), mapped read-only by the kernel. */
static inline const volatile struct kinfo *exos_kinfo(void)
{
	return (const volatile struct kinfo *)KINFO_VA;
}

/* wait.c: sleeping on wakeup predicates (docs/wakeup.md). Each returns 0
 * once the condition holds, or wk_sleep's error (-E_INVAL, -E_FAULT,
 * -E_BADCAP); -E_AGAIN (a revocation upcall ran first) is retried inside. */
/* Sleep until predicate prog (n dcode instructions) over the pages named by
 * pages[0..npages-1] (windows 0..npages-1) and struct wk_kinfo (window
 * WK_KINFO_WIN) returns nonzero. */
int exos_wait_pred(const struct dc_insn *prog, unsigned n, const struct wk_page *pages,
		   unsigned npages);
/* Sleep until the word at addr (4-byte aligned) equals val (eq) or differs
 * from it (!eq). exos_wait_word: addr's page is in ExOS's page table;
 * exos_wait_word_cap: the page's capability is (capname, capcheck). */
int exos_wait_word(volatile u32 *addr, u32 val, bool eq);
int exos_wait_word_cap(volatile u32 *addr, u32 capname, u32 capcheck, u32 val, bool eq);
/* The CAP_RW capability of the page at va, from ExOS's page table: 0, or
 * -E_FAULT if the page is not there. */
int exos_page_cap(u32 va, u32 *capname, u32 *capcheck);
/* The same for the word at off of the kernel's public page (struct kinfo). */
int exos_wait_public_word(u32 off, u32 val, bool eq);
/* Sleep until ticks CP0 Count ticks have passed (160 MHz on the board). */
int exos_sleep_ticks(u32 ticks);
/* Sleep until the word at addr, in the page named by (capname, capcheck),
 * differs from val, or ticks Count ticks have passed (the caller looks at
 * the word to tell which). */
int exos_wait_changed_cap(volatile u32 *addr, u32 capname, u32 capcheck, u32 val, u32 ticks);

/* disk.c: the disk (docs/storage.md). Queue request r, whose completion
 * word is at word (the address of r->woff in the page r->wname names), and
 * sleep until it is over or ticks Count ticks have passed (a full queue is
 * retried until then): the request's status (0 or -E_IO), disk_rw's error,
 * or -E_AGAIN if it did not finish in time. */
int exos_disk_rw_wait(const struct disk_req *r, volatile u32 *word, u32 ticks);
/* The same for an XN request (xn_io): its status, or -E_AGAIN. */
int exos_xn_io_wait(const struct xn_io *r, volatile u32 *word, u32 ticks);

/* srpipe.c: a pipe in a software region between environments that do not
 * trust each other (docs/regions.md). An end is two capabilities: data (the
 * head and the ring) and idx (the tail); each end may write only its own
 * index. Reads and writes do not wait: they move what fits (0 if nothing)
 * and return the count, or a negative error (-E_INVAL if the other end's
 * index is impossible). */
#define SRPIPE_DATA 1000                /* bytes in the ring */
struct srpipe_end { u32 data_name, data_check, idx_name, idx_check; };
/* A new pipe: the reader's and the writer's ends, and the region's root
 * capability (sr_free with it ends the pipe). 0 or a negative error. */
int srpipe_create(struct srpipe_end *reader, struct srpipe_end *writer, u32 *root_name,
		  u32 *root_check);
int srpipe_write(const struct srpipe_end *w, const void *data, u32 n);
int srpipe_read(const struct srpipe_end *r, void *data, u32 n);

/* revoke.c: visible revocation. */
/* give_back(n): the application's choice of n pages to return (with
 * vm_unmap(..., true)); lost(va): called for each page-table entry cleared
 * because its page was repossessed. Either may be NULL. */
void exos_set_revoke_policy(void (*give_back)(u32 npages), void (*lost)(u32 va));
/* The same for slice positions: give_back(n) returns n positions
 * (slice_free); taken(n): n positions were taken by force. */
void exos_set_slice_revoke_policy(void (*give_back)(u32 n), void (*taken)(u32 n));
void exos_revoke_entry(void);
void exos_revoke(struct trapframe *f);
extern volatile u32 exos_pages_repossessed;
/* The physical page mapped at va (0 if none). */
u32 vm_ppn(u32 va);

/* lrpc.S, lrpc.c: lightweight RPC over protected control transfer. */
typedef u32 (*lrpc_handler_fn)(u32 caller, u32 a1, u32 a2, u32 a3);
/* Call server's handler with (caller, a1, a2, a3); returns its result, or a
 * negative error from scall (-E_BUSY: the server is serving someone else). */
int lrpc_call(u32 server, u32 a1, u32 a2, u32 a3);
/* The same, trusting the server to preserve the callee-saved registers (they
 * are not saved and restored here). */
int lrpc_call_trusted(u32 server, u32 a1, u32 a2, u32 a3);
/* Become a server: every call runs fn; never returns. */
void lrpc_serve(lrpc_handler_fn fn) __attribute__((noreturn));
void lrpc_client_entry(void);
void lrpc_server_entry(void);
void lrpc_idle(void) __attribute__((noreturn));

/* net.c: packet filters in the DPF form (abi.h, docs/network.md). The
 * exos_dpf_* calls install one with net_dpf_add and return its id or the
 * kernel's error (-E_BUSY: another filter already takes such frames). */
/* Frames to station address mac (6 bytes) of EtherType type. */
void exos_dpf_ether_filter(struct dpf_filter *f, const u8 *mac, u32 type);
int exos_dpf_ether(u32 nic, const u8 *mac, u32 type);
/* IPv4 frames of protocol proto (17 UDP, 6 TCP) to port port, whatever the
 * IP header's length (the port is found through its IHL). */
void exos_dpf_port_filter(struct dpf_filter *f, u32 proto, u32 port);
int exos_dpf_port(u32 nic, u32 proto, u32 port);
/* ARP frames for IPv4 address ip (host order), requests and replies. */
void exos_dpf_arp_filter(struct dpf_filter *f, u32 ip);
/* IPv4 frames of protocol proto to address ip; port nonzero: to that port. */
void exos_dpf_ip_filter(struct dpf_filter *f, u32 ip, u32 proto, u32 port);

/* ash.c: application-specific safe handlers (abi.h, docs/network.md). */
/* Download prog[0..n-1] as the ASH of the caller's DPF filter `filter` on
 * NIC nic, with the region [off, off + len) (off_len = off << 16 | len) of
 * the page named by (capname, capcheck), or none if both are 0. Its id, or
 * the kernel's error (sys_ash_add). */
int exos_ash_install(u32 nic, u32 filter, const struct dc_insn *prog, u32 n, u32 capname,
		     u32 capcheck, u32 off_len);
/* The UDP echo ASH's program into p (room for EXOS_ASH_ECHO_MAX); its length. */
#define EXOS_ASH_ECHO_MAX 24
unsigned exos_ash_udp_echo_prog(struct dc_insn *p);
/* Answer every UDP datagram to port on NIC nic from inside the kernel, as it
 * arrives: a DPF filter for the port (exos_dpf_port) with the echo ASH,
 * which sends the frame back with the Ethernet and IPv4 addresses and the
 * UDP ports swapped (both checksums stay right) and keeps it from the
 * caller's posted buffers. Returns the ASH's id (for sys_ash_status) and
 * the filter's id in *filter (if not NULL); removing the filter
 * (sys_net_dpf_del(nic, *filter)) removes the ASH too. Errors: the
 * kernel's, from either call (-E_BUSY: someone has the port; -E_QUOTA). */
int exos_ash_udp_echo(unsigned nic, unsigned port, int *filter);

/* Read the CP0 Count register from user mode (rdhwr $2, enabled by Aegis). */
static inline u32 read_count(void)
{
	u32 c;
	__asm__ volatile(".set push\n\t.set mips32r2\n\trdhwr %0, $2\n\t.set pop" : "=r"(c));
	return c;
}

#endif
