/*
 * bench.h: the interface between the benchmark code and a system back end.
 *
 * The benchmarks (appel_li.c, crossings.c, matmul.c) and the driver (main.c) are written
 * once against this header.  Each system supplies one back end that implements every
 * function declared under "back end" below:
 *
 *   backend_posix.c  Linux (and any POSIX system): mmap, mprotect, sigaction.
 *   backend_exos.c   ExOS on Aegis (not part of this directory's baseline work).
 *
 * Toolchain needs of the shared code: 64-bit additions, subtractions and compares (no
 * 64-bit division), and double-precision floating point in matmul.c (hard float on
 * Linux; a back end built with -msoft-float needs libgcc's soft-float routines).
 *
 * Conventions common to every back end:
 *   - A page is BENCH_PAGE bytes (4 KiB, the MIPS TLB page size used by both systems).
 *   - Functions returning int return 0 on success and -1 on failure unless said otherwise.
 *   - Nothing here may print; the driver does all output through bench_write().
 *   - A back end may keep global state: the suite is single-threaded.
 *   - "n/a" answers are strings naming the reason, e.g. "no user-visible dirty bit".
 *     They appear verbatim in the results, inside double quotes: no '"' or newline.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>

#define BENCH_PAGE 4096u

/*
 * Cycle counter.  rdhwr $2 reads CP0 Count (hardware register 2, "CC").  On QEMU malta
 * Count runs at 160 MHz virtual; with -icount shift=0 one tick is 6.25 guest instructions.
 * The kernel must have set HWREna bit 2 (Linux does; Aegis must too), otherwise rdhwr
 * traps with a reserved-instruction exception.  Count is 32 bits and wraps every ~26.8 s
 * of virtual time: the driver only ever subtracts two readings taken within one
 * repetition, with unsigned 32-bit arithmetic.
 */
static inline uint32_t
bench_count(void)
{
	uint32_t c;
	__asm__ __volatile__(".set push\n\t.set mips32r2\n\trdhwr %0, $2\n\t.set pop"
			     : "=r"(c) : : "memory");
	return c;
}

/* Kinds of exception for the exception-dispatch rows (the paper's four columns). */
enum bench_exc {
	BENCH_EXC_UNALIGN,	/* address error: lw from an address that is not 4-aligned */
	BENCH_EXC_OVERFLOW,	/* integer overflow: the trapping `add` instruction */
	BENCH_EXC_COPROC,	/* coprocessor unusable (Cause.ExcCode 11) */
	BENCH_EXC_PROT,		/* store to a page the back end has made inaccessible */
	BENCH_EXC_UNALIGN_LIGHT, /* the unaligned load, to the lightest handler the system has */
	BENCH_EXC_N
};

/* Called on an access to a page protected with bench_protect(); see bench_set_fault_handler. */
typedef void (*bench_fault_fn)(void *addr);

/* ---------------------------------------------------------------- back end ---- */

/*
 * Short name of the system, printed in the header line ("linux", "exos").
 */
const char *bench_system(void);

/*
 * One-time set-up, called by bench_main() before anything else.  Return 0, or -1 if the
 * back end cannot run at all (the driver then prints an error line and stops).
 */
int bench_init(void);

/*
 * Write n bytes to the console (stdout on Linux).  Must not buffer past the call:
 * output has to survive a power-off right after bench_main() returns.  Should return
 * only once the device has sent the bytes (Linux: tcdrain; a polled UART: wait for the
 * transmitter to be empty), so that no console interrupts land in the next timed loop.
 */
void bench_write(const char *s, unsigned n);

/*
 * Allocate a region of npages pages, page-aligned, readable and writable, zero-filled,
 * with every page already present (touched) so that no later access takes a first-touch
 * fault.  Return its address, or 0 on failure.  Regions are never freed.
 */
void *bench_alloc_pages(unsigned npages);

/*
 * Read-protect npages pages starting at addr (page-aligned, inside one region returned by
 * bench_alloc_pages): afterwards any load or store to them must fault and reach the
 * handler installed with bench_set_fault_handler().  "Read-protect" means no access at
 * all, as in Appel and Li.  The physical pages and their contents stay; only the access
 * rights change.  Protecting an already protected page is allowed.
 * This is the operation timed by prot1 (npages = 1) and prot100 (npages = 100), so do
 * exactly the work needed, eagerly (no batching that defers work past the return), and
 * make the change visible to the TLB before returning (flush or update stale entries).
 * Must be callable from inside the fault handler.
 */
int bench_protect(void *addr, unsigned npages);

/*
 * Give npages pages at addr read and write access again (inverse of bench_protect).
 * Timed by unprot100.  Must be callable from inside the fault handler.
 */
int bench_unprotect(void *addr, unsigned npages);

/*
 * Install fn as the handler for accesses to protected pages (replacing any earlier one).
 * On such an access, the back end calls fn(addr) at user level, addr being the faulting
 * data address (not rounded).  When fn returns, the faulting instruction is executed
 * again; fn is expected to have made the page accessible (with bench_unprotect), otherwise
 * it is called again.  fn may call bench_protect/bench_unprotect and bench_count.
 * The back end must do no more than needed between the fault and the call to fn (the trap
 * row times exactly that interval: from just before the faulting store until fn's first
 * statement).  fn = 0 removes the handler.
 */
void bench_set_fault_handler(bench_fault_fn fn);

/*
 * Is the page containing addr dirty (written since it was mapped or since the system last
 * cleaned it)?  Return 1 or 0, or -1 if the system has no way to tell a user program;
 * bench_dirty_na() then returns the reason.  Timed by the dirty row.  On ExOS this reads
 * the libOS's own page table.
 */
int bench_is_dirty(void *addr);
const char *bench_dirty_na(void);	/* 0 when bench_is_dirty works */

/*
 * The cheapest system call the system has, one that does real kernel entry and exit but
 * no work: getppid() on Linux (not cached by glibc).  On Aegis, the cheapest system call
 * of the path that needs no kernel stack (document which one in the back end).
 */
void bench_null_syscall(void);

/*
 * A system call that does nothing but takes the kernel's general path, for the
 * nullsys_slow row (the exokernel paper gives both of Aegis's paths). Aegis: its
 * null_slow call (saves every register, C dispatch on the kernel stack). A system with
 * one path makes the same call as bench_null_syscall (Linux: getppid()).
 */
void bench_null_syscall_slow(void);

/*
 * Exception dispatch.  For each kind:
 *   bench_exc_na(kind)       0 if the kind can be raised and caught at user level on this
 *                            system; otherwise the reason it cannot (the row is n/a).
 *   bench_exc_setup(kind)    prepare: install a user-level handler for that kind and
 *                            whatever the raise needs (e.g. a protected page, turning off
 *                            the kernel's unaligned-access fix-up).  0 or -1.
 *   bench_exc_raise(kind)    execute exactly one instruction that raises that exception.
 *                            The system delivers it to the user-level handler, which
 *                            counts it and resumes execution at the instruction following
 *                            the faulting one (the faulting instruction is not retried
 *                            and the cause is not repaired: for BENCH_EXC_PROT the page
 *                            stays protected).  bench_exc_raise returns after that.
 *                            The faulting instruction must not be in a branch delay slot.
 *   bench_exc_count()        number of exceptions the user-level handlers have caught
 *                            since bench_exc_setup (the driver checks it equals the
 *                            number of raises).
 *   bench_exc_teardown(kind) undo bench_exc_setup.
 * The exception rows time bench_exc_raise as a whole: kernel entry, dispatch to the user
 * handler, the handler itself (which must be minimal: count, advance the PC) and the
 * return to the interrupted code.
 */
const char *bench_exc_na(enum bench_exc kind);
int bench_exc_setup(enum bench_exc kind);
void bench_exc_raise(enum bench_exc kind);
unsigned long bench_exc_count(void);
void bench_exc_teardown(enum bench_exc kind);

/*
 * Communication with a partner (ipc.c rows). The back end starts a partner (a second
 * process on Linux, a second environment on ExOS) that answers every message w with
 * w + 1, by the mechanism named:
 *   BENCH_IPC_XFER      the cheapest transfer of control to the partner and back:
 *                       ExOS: protected control transfer (scall there, scall back);
 *                       Linux: its cheapest hand-off, sched_yield with the word in
 *                       shared memory (the same code as BENCH_IPC_YIELD there).
 *   BENCH_IPC_XFER_ASYNC  an asynchronous transfer and the way back: ExOS: acall
 *                       to the partner's entry, which stores the answer and waits
 *                       at its entry again (pct_idle), the scheduler giving the
 *                       processor back to the caller. Linux: n/a (no asynchronous
 *                       control transfer; its hand-off is the xfer rows').
 *   BENCH_IPC_YIELD     give the processor to the partner and get it back: ExOS:
 *                       yield_to each way; Linux: sched_yield in both processes.
 *                       The word travels through memory shared by the two.
 *   BENCH_IPC_PIPE      a pipe each way (ExOS: its library pipes).
 *   BENCH_IPC_PIPE_INLINE  the same pipes with their code inlined into the program
 *                       (the paper's pipe'): ExOS: pipe_inline.h's functions in both
 *                       partners; Linux: n/a (its pipes are in the kernel).
 *   BENCH_IPC_SHM       shared memory plus a blocking wait and wake-up: Linux: a
 *                       shared mapping and futex wait/wake. ExOS: each side sleeps
 *                       on a wakeup predicate over the shared page (wk_sleep) until
 *                       the other has written its turn; no explicit wake-up exists
 *                       or is needed (the scheduler runs the predicate).
 *   BENCH_IPC_SHM_POLL  the same shared-memory round trip as BENCH_IPC_SHM, but the
 *                       waiting side polls the turn flag and gives the processor
 *                       away between looks, to no one in particular: ExOS: yield
 *                       (not yield_to); Linux: sched_yield. No sleep, no wake-up.
 *   BENCH_IPC_SHM_LOAD, BENCH_IPC_SHM_POLL_LOAD  BENCH_IPC_SHM and BENCH_IPC_SHM_POLL
 *                       with BENCH_IPC_COMPETITORS compute-bound competitors running
 *                       beside the two sides (ExOS: environments with a slice position
 *                       each, like any new one; Linux: processes), started in
 *                       setup and stopped in teardown, outside the timed region.
 *                       bench_ipc_base() and bench_ipc_competitors() say which round
 *                       trip a kind makes and beside how many competitors.
 *   BENCH_IPC_RPC       a remote procedure call: ExOS: LRPC; Linux: a request and
 *                       a reply over a Unix-domain stream socket.
 *   BENCH_IPC_RPC_TRUSTED  ExOS: trusted LRPC (callee-saved registers not saved);
 *                       Linux: the same socket RPC as above.
 *   bench_ipc_na(kind)        0 if available, else why not (no '"' or newline).
 *   bench_ipc_setup(kind)     start the partner; 0 or -1.
 *   bench_ipc_call(kind, w)   one round trip: send w, return the partner's answer.
 *   bench_ipc_teardown(kind)  stop the partner and free what setup took.
 */
enum bench_ipc {
	BENCH_IPC_XFER,
	BENCH_IPC_YIELD,
	BENCH_IPC_PIPE,
	BENCH_IPC_SHM,
	BENCH_IPC_RPC,
	BENCH_IPC_RPC_TRUSTED,
	BENCH_IPC_XFER_ASYNC,
	BENCH_IPC_PIPE_INLINE,
	BENCH_IPC_SHM_POLL,
	BENCH_IPC_SHM_LOAD,
	BENCH_IPC_SHM_POLL_LOAD,
	BENCH_IPC_N
};
#define BENCH_IPC_COMPETITORS 2
static inline enum bench_ipc
bench_ipc_base(enum bench_ipc kind)
{
	return kind == BENCH_IPC_SHM_LOAD ? BENCH_IPC_SHM :
	       kind == BENCH_IPC_SHM_POLL_LOAD ? BENCH_IPC_SHM_POLL : kind;
}
static inline unsigned
bench_ipc_competitors(enum bench_ipc kind)
{
	return bench_ipc_base(kind) != kind ? BENCH_IPC_COMPETITORS : 0;
}
const char *bench_ipc_na(enum bench_ipc kind);
int bench_ipc_setup(enum bench_ipc kind);
uint32_t bench_ipc_call(enum bench_ipc kind, uint32_t w);
void bench_ipc_teardown(enum bench_ipc kind);

/*
 * The Appel-Li rows with an alternative page-table structure (ptalt.c, rows `<base>_inv`).
 *   bench_pt_alt_na()   0 if the system's library OS offers another page-table structure,
 *                       else why not (Linux: it has one).
 *   bench_pt_alt_run(base, iters, ticks, ops, why)
 *                       run base row number `base` of ptalt.c's list with iters
 *                       operations in a program using the other structure, which calls
 *                       bench_pt_alt_serve (below) and hands back its figures; the
 *                       program is started and ended outside the figures. 0, or -1 and
 *                       *why.
 */
const char *bench_pt_alt_na(void);
int bench_pt_alt_run(unsigned base, unsigned iters, uint64_t *ticks, uint64_t *ops,
		     const char **why);

/* ------------------------------------------------------ provided by main.c ---- */

/*
 * The driver.  argv[1..argc-1] are options and row names (see bench/README.md).
 * The back end's entry point calls it once and then exits/powers off.  Returns 0 when
 * every requested row ran or was n/a, 1 otherwise.
 */
int bench_main(int argc, char **argv);

/* ---------------------------------------------------------- benchmark rows ---- */

/*
 * A row's run function performs iters operations and returns 0, storing into *ticks the
 * Count ticks attributed to them and into *ops the number of operations they represent
 * (the unit of the per-op figure: calls, exceptions, or pages for appel1/appel2).
 * Returns -1 on an error, with *why set to a short message.
 * A row's na function (may be 0) returns 0 if the row can run, else the reason.
 */
struct bench_row {
	const char *name;
	const char *what;	/* one line: what is timed */
	unsigned iters;		/* per repetition, normal mode */
	unsigned smoke_iters;	/* per repetition, --smoke */
	const char *(*na)(void);
	int (*run)(unsigned iters, uint64_t *ticks, uint64_t *ops, const char **why);
};

/*
 * Environments (envs.c):
 *   bench_env_na()      0 if the system can create child environments, else the reason.
 *   bench_env_cycle()   create a child (a fork of this program) that exits at once with
 *                       status 0, wait for it and reap it; 0, or -1 if any step failed.
 */
const char *bench_env_na(void);
int bench_env_cycle(void);

/*
 * Packet demultiplexing (demux.c): which of n installed packet filters (UDP
 * destination ports 1000..1000+n-1) accepts a frame for the last of them.
 *   bench_demux_na(mode)      0 if the system can time this mode, else the reason.
 *                             BENCH_DEMUX_BASE: the path bench_demux_run times with
 *                             the filters taken out (0 only where bench_demux_unhook
 *                             can do that). BENCH_DEMUX_REJECT: n filters that
 *                             reject every frame at once (0 only where a filter costs
 *                             more than its predicate: Linux, a socket each); run then
 *                             checks that none accepted the frame.
 *   bench_demux_setup(n, mode) install the n filters as mode needs them (untimed; the
 *                             previous set goes) and put them in the path
 *                             bench_demux_run times; 0 or -1.
 *   bench_demux_run(mode, k)  classify the frame k times, all inside the kernel, by the
 *                             compiled filters, an interpreter of the same merged tree,
 *                             or the filters interpreted one by one; 0, or -1 if it was
 *                             not classified to its filter (or, unhooked, was).
 *   bench_demux_unhook()      1 when bench_demux_run times the classification alone
 *                             (ExOS: net_demux on a frame in memory); 0 after taking the
 *                             filters out of the path bench_demux_run times, which then
 *                             times that path without them (Linux: a frame sent through
 *                             the loopback device; the driver subtracts); -1 on error.
 *                             The next bench_demux_setup puts them back.
 */
enum { BENCH_DEMUX_COMPILED, BENCH_DEMUX_TREE, BENCH_DEMUX_LINEAR, BENCH_DEMUX_BASE,
       BENCH_DEMUX_REJECT };
const char *bench_demux_na(unsigned mode);
int bench_demux_setup(unsigned nfilters, unsigned mode);
int bench_demux_run(unsigned mode, unsigned iters);
int bench_demux_unhook(void);

/* udp_rtt rows: the round trip of a BENCH_UDP_BYTES-byte UDP datagram between this program
 * and an echo partner on the same board, reached from the first NIC through the second on
 * one virtual wire (a QEMU hub, tools/qemu.py nics(2)).  BENCH_UDP_PLAIN: the partner
 * receives and replies in user space (ExOS: its UDP stack; Linux: a process in another
 * network namespace, or what the back end says).  BENCH_UDP_ASH: the partner's reply is
 * sent by an ASH in the kernel (Linux: n/a).  competitors: compute-bound
 * environments/processes running beside (0..8). */
enum bench_udp_mode { BENCH_UDP_PLAIN, BENCH_UDP_ASH };
#define BENCH_UDP_BYTES 32
const char *bench_udp_na(enum bench_udp_mode mode);   /* 0 when the mode works */
int bench_udp_setup(enum bench_udp_mode mode, unsigned competitors);
int bench_udp_rtt(void);        /* one round trip: send, wait for the echo, check it; 0 or -1 */
void bench_udp_teardown(void);

/* envs.c: first in the program (it forks the program while it is still small) */
extern const struct bench_row bench_rows_envs[];
/* appel_li.c */
extern const struct bench_row bench_rows_appel_li[];
int bench_appel1_cycle(char *base, unsigned n, unsigned iters, uint64_t *ticks,
		       uint64_t *ops, const char **why);
/* crossings.c */
extern const struct bench_row bench_rows_crossings[];
/* matmul.c */
extern const struct bench_row bench_rows_matmul[];
/* ipc.c */
extern const struct bench_row bench_rows_ipc[];
/* scale.c */
extern const struct bench_row bench_rows_scale[];
/* demux.c */
extern const struct bench_row bench_rows_demux[];
/* udp.c: the network rows, which need the boot's two NICs (tools/qemu.py nics(2)); the
 * driver's --no-net leaves them out of a run of every row, --net-only runs only them */
extern const struct bench_row bench_rows_udp[];
/* ptalt.c: the `_inv` rows, and the call that runs a base row in the other program
 * (one untimed warm-up, then the measured run; 0, or -1 and *why). */
extern const struct bench_row bench_rows_ptalt[];
int bench_pt_alt_serve(unsigned base, unsigned iters, uint64_t *ticks, uint64_t *ops,
		       const char **why);

/* ------------------------------------------------------------- storage rows ---- */
/*
 * The storage rows (fs.c) run on a file system on the boot's disk (tools/bench_storage.py
 * boots each set with a fresh image on the IDE primary master, the same options on both
 * systems).  Two sets of rows: BENCH_FS_MAIN (the `fs_` rows: Linux ext2; ExOS its
 * library file system) and BENCH_FS_JOURNAL (the `fsj_` rows: a journaling file system,
 * Linux ext4).  Names are paths relative to the file system's root, '/' separated.
 *   bench_fs_na(set)          0 if this boot's disk carries set's file system, ready for
 *                             the calls below; else the reason the set's rows are n/a.
 *   bench_fs_create(name)     create the regular file name (it must not exist), open for
 *                             writing: a handle >= 0, or -1.
 *   bench_fs_open(name)       open the existing file name for reading: a handle, or -1.
 *   bench_fs_write(h, buf, n) append n bytes at the file's position: 0 when all were
 *                             written, else -1.
 *   bench_fs_read(h, buf, n)  read up to n bytes from the file's position: the number
 *                             read (0 at the end of the file), or -1.
 *   bench_fs_close(h)         close a handle (0 or -1).
 *   bench_fs_unlink(name), bench_fs_mkdir(name), bench_fs_rmdir(name)  0 or -1.
 *   bench_fs_sync()           return only when everything written to the file system so
 *                             far, data and metadata, is on the disk (Linux: sync()).
 *   bench_fs_drop_caches()    sync, then forget every cached block of the file system,
 *                             so that the next reads go to the disk (untimed).
 *   bench_fs_disk(d)          the disk's request counters since boot into *d; 0 or -1.
 */
enum bench_fs_set { BENCH_FS_MAIN, BENCH_FS_JOURNAL };
struct bench_disk {
	uint64_t rd_reqs, rd_bytes;	/* read requests completed, bytes they moved */
	uint64_t wr_reqs, wr_bytes;	/* write requests completed, bytes they moved */
	uint64_t flushes;		/* cache-flush requests (0 where there are none) */
};
const char *bench_fs_na(enum bench_fs_set set);
int bench_fs_create(const char *name);
int bench_fs_open(const char *name);
int bench_fs_write(int h, const void *buf, unsigned n);
long bench_fs_read(int h, void *buf, unsigned n);
int bench_fs_close(int h);
int bench_fs_unlink(const char *name);
int bench_fs_mkdir(const char *name);
int bench_fs_rmdir(const char *name);
int bench_fs_sync(void);
int bench_fs_drop_caches(void);
int bench_fs_disk(struct bench_disk *d);

/* fs.c: the storage rows (run only when named: main.c's named_tables) */
extern const struct bench_row bench_rows_fs[];

/* main.c: add `key=v` to the BENCH line of the repetition being run (fs.c's disk
 * counters); key must be a string constant without spaces.  At most 8 per line. */
void bench_note(const char *key, uint64_t v);

#endif /* BENCH_H */
