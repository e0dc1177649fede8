/*
 * backend_posix.c: the bench.h back end for Linux (any POSIX system with SA_SIGINFO and
 * MIPS ucontext; the exception rows are MIPS-specific).
 *
 *   memory        mmap(MAP_ANONYMOUS|MAP_PRIVATE), touched page by page
 *   protect       mprotect(PROT_NONE) / mprotect(PROT_READ|PROT_WRITE)
 *   page faults   SIGSEGV (and SIGBUS) handler with SA_SIGINFO; si_addr is the address
 *   dirty         n/a: Linux gives a user program no dirty bit on MIPS
 *   null syscall  getppid()
 *   exceptions    unaligned -> SIGBUS (after sysmips(MIPS_FIXADE, 0) turns off the
 *                 kernel's transparent fix-up), overflow -> SIGFPE, coprocessor
 *                 unusable -> SIGILL (coprocessor 2), protection -> SIGSEGV.  The
 *                 handler counts and advances the saved PC by 4; sigreturn resumes.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysmips.h>
#include <termios.h>
#include <ucontext.h>
#include <unistd.h>

#include "bench.h"

/* The kind being raised by the exception rows, or BENCH_EXC_N for none. */
static volatile int exc_kind = BENCH_EXC_N;
static volatile unsigned long exc_caught;
static bench_fault_fn fault_fn;
static char *exc_page;		/* protected page for BENCH_EXC_PROT */

const char *
bench_system(void)
{
	return "linux";
}

/*
 * Write, then wait until the serial line has sent everything (tcdrain), so that no
 * transmit interrupts of the console land inside the next timed loop.
 */
void
bench_write(const char *s, unsigned n)
{
	while (n > 0) {
		ssize_t w = write(1, s, n);
		if (w <= 0)
			break;
		s += w;
		n -= (unsigned)w;
	}
	tcdrain(1);
}

/* Resume after the faulting instruction (never in a delay slot: see bench_exc_raise). */
static void
skip_insn(void *uc)
{
	((ucontext_t *)uc)->uc_mcontext.pc += 4;
}

/* SIGSEGV, SIGBUS: protected-page faults for fault_fn, or the exception rows. */
static void
on_segv_bus(int sig, siginfo_t *si, void *uc)
{
	int k = exc_kind;

	if ((sig == SIGSEGV && k == BENCH_EXC_PROT) || (sig == SIGBUS && k == BENCH_EXC_UNALIGN)) {
		exc_caught++;
		skip_insn(uc);
		return;
	}
	if (fault_fn) {
		fault_fn(si->si_addr);
		return;
	}
	/* Not ours: restore the default action; the access faults again and kills us. */
	signal(sig, SIG_DFL);
}

static void
on_fpe(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	if (exc_kind == BENCH_EXC_OVERFLOW) {
		exc_caught++;
		skip_insn(uc);
		return;
	}
	signal(sig, SIG_DFL);
}

static void
on_ill(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	if (exc_kind == BENCH_EXC_COPROC) {
		exc_caught++;
		skip_insn(uc);
		return;
	}
	signal(sig, SIG_DFL);
}

static int
catch(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, 0);
}

int
bench_init(void)
{
	if (catch(SIGSEGV, on_segv_bus) || catch(SIGBUS, on_segv_bus) ||
	    catch(SIGFPE, on_fpe) || catch(SIGILL, on_ill))
		return -1;
	return 0;
}

/*
 * The region is one mapping of its own between two PROT_NONE guard pages, so that Linux
 * never merges it with a neighbouring anonymous mapping: its first page is at the edge
 * of its mapping and the rows can choose the position (edge or middle) they measure.
 */
void *
bench_alloc_pages(unsigned npages)
{
	size_t n = (size_t)npages * BENCH_PAGE;
	char *p = mmap(0, n + 2 * BENCH_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	p += BENCH_PAGE;
	if (mprotect(p, n, PROT_READ | PROT_WRITE))
		return 0;
	memset(p, 0, n);
	return p;
}

int
bench_protect(void *addr, unsigned npages)
{
	return mprotect(addr, (size_t)npages * BENCH_PAGE, PROT_NONE) ? -1 : 0;
}

int
bench_unprotect(void *addr, unsigned npages)
{
	return mprotect(addr, (size_t)npages * BENCH_PAGE, PROT_READ | PROT_WRITE) ? -1 : 0;
}

void
bench_set_fault_handler(bench_fault_fn fn)
{
	fault_fn = fn;
}

int
bench_is_dirty(void *addr)
{
	(void)addr;
	return -1;
}

const char *
bench_dirty_na(void)
{
	return "Linux has no call telling a process whether a page is dirty "
	       "(no soft-dirty on MIPS; mincore reports residency only)";
}

void
bench_null_syscall(void)
{
	(void)getppid();
}

/* Linux has one page-table structure: the ptalt.c rows are n/a. */
const char *
bench_pt_alt_na(void)
{
	return "Linux has one page-table structure; these rows compare ExOS's two";
}

int
bench_pt_alt_run(unsigned base, unsigned iters, uint64_t *ticks, uint64_t *ops,
		 const char **why)
{
	(void)base, (void)iters, (void)ticks, (void)ops;
	*why = "n/a";
	return -1;
}

/* Linux/MIPS has one system-call path: the same call as nullsys. */
void
bench_null_syscall_slow(void)
{
	(void)getppid();
}

const char *
bench_exc_na(enum bench_exc kind)
{
	if (kind == BENCH_EXC_UNALIGN_LIGHT)
		return "a signal handler (exc_unalign) is the lightest user-level handler Linux has";
	return 0;
}

int
bench_exc_setup(enum bench_exc kind)
{
	exc_caught = 0;
	switch (kind) {
	case BENCH_EXC_UNALIGN:
		/* Default: the kernel emulates unaligned accesses silently.  Clear TIF_FIXADE
		 * so that they are delivered as SIGBUS. */
		if (sysmips(MIPS_FIXADE, 0, 0, 0))
			return -1;
		break;
	case BENCH_EXC_PROT:
		if (!exc_page && !(exc_page = bench_alloc_pages(1)))
			return -1;
		if (bench_protect(exc_page, 1))
			return -1;
		break;
	default:
		break;
	}
	exc_kind = kind;
	return 0;
}

/*
 * Each raising instruction sits between two nops under .set noreorder, so it can never be
 * in a branch delay slot and the handler's "pc += 4" lands on the nop after it.
 */
void
bench_exc_raise(enum bench_exc kind)
{
	static uint32_t word[2];
	int out;

	switch (kind) {
	case BENCH_EXC_UNALIGN:
		__asm__ __volatile__(".set push\n\t.set noreorder\n\t"
				     "nop\n\tlw %0, 1(%1)\n\tnop\n\t.set pop"
				     : "=r"(out) : "r"(word) : "memory");
		break;
	case BENCH_EXC_OVERFLOW:
		__asm__ __volatile__(".set push\n\t.set noreorder\n\t"
				     "nop\n\tadd %0, %1, %2\n\tnop\n\t.set pop"
				     : "=r"(out) : "r"(0x7fffffff), "r"(1) : "memory");
		break;
	case BENCH_EXC_COPROC:
		/* The 24Kf has no coprocessor 2: lwc2 raises CpU with CE=2, which Linux
		 * delivers as SIGILL.  (A CpU for coprocessor 1 is consumed by the kernel's
		 * lazy FPU switching and never reaches the process.) */
		__asm__ __volatile__(".set push\n\t.set noreorder\n\t"
				     "nop\n\tlwc2 $0, 0(%0)\n\tnop\n\t.set pop"
				     : : "r"(word) : "memory");
		break;
	case BENCH_EXC_PROT:
		__asm__ __volatile__(".set push\n\t.set noreorder\n\t"
				     "nop\n\tsw $0, 0(%0)\n\tnop\n\t.set pop"
				     : : "r"(exc_page) : "memory");
		break;
	default:
		break;
	}
	(void)out;
}

unsigned long
bench_exc_count(void)
{
	return exc_caught;
}

void
bench_exc_teardown(enum bench_exc kind)
{
	exc_kind = BENCH_EXC_N;
	if (kind == BENCH_EXC_UNALIGN)
		sysmips(MIPS_FIXADE, 1, 0, 0);
	if (kind == BENCH_EXC_PROT && exc_page)
		bench_unprotect(exc_page, 1);
}

int
main(int argc, char **argv)
{
	return bench_main(argc, argv);
}

/* ------------------------------------------------------------ IPC rows ---- */
/*
 * The partner is a child process started with fork() by bench_ipc_setup and killed
 * (SIGKILL, then waitpid) by bench_ipc_teardown.  It answers every word w with w + 1:
 *
 *   PIPE              one pipe each way; a 4-byte word each way.
 *   XFER, YIELD       a MAP_SHARED|MAP_ANONYMOUS page holding the word and a turn flag;
 *                     both sides spin on sched_yield() (the machine has one CPU).  Linux
 *                     has no protected control transfer; with the partner the only
 *                     other runnable process, sched_yield is its cheapest hand-off
 *                     (cheaper than a pipe or a futex wake and wait), so xfer uses it.
 *   SHM               the same page; the turn flag is a futex (FUTEX_WAIT/FUTEX_WAKE,
 *                     not FUTEX_PRIVATE_FLAG: the two processes share the page but not
 *                     the address space).
 *   SHM_POLL          the same page; the waiting side looks at the turn flag and calls
 *                     sched_yield until it changes (no futex).
 *   SHM_LOAD, SHM_POLL_LOAD  SHM and SHM_POLL with BENCH_IPC_COMPETITORS more child
 *                     processes that compute (a loop) until killed with the partner.
 *   RPC, RPC_TRUSTED  socketpair(AF_UNIX, SOCK_STREAM): a 4-byte request, a 4-byte reply.
 *                     Linux has no trusted variant (ExOS's skips saving the callee-saved
 *                     registers): both rows use the same socket RPC.
 */
#include <errno.h>
#include <linux/futex.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sched.h>

struct ipc_shared {
	volatile uint32_t word;	/* the request, then the answer */
	volatile uint32_t turn;	/* 1: the partner's turn, 0: ours (a futex word for SHM) */
};

static pid_t ipc_pid = -1;	/* the partner, or -1 */
static pid_t ipc_load[BENCH_IPC_COMPETITORS];	/* competitors, or 0 */
static int ipc_out = -1;	/* our end for requests (pipe write end, or socket) */
static int ipc_in = -1;		/* our end for answers (pipe read end, or socket) */
static struct ipc_shared *ipc_sh;	/* YIELD and SHM */

/* Move exactly 4 bytes through fd (reading if rd, else writing); 0, or -1 on EOF/error. */
static int
ipc_word(int fd, uint32_t *w, int rd)
{
	char *p = (char *)w;
	unsigned n = 0;

	while (n < 4) {
		ssize_t r = rd ? read(fd, p + n, 4 - n) : write(fd, p + n, 4 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		n += (unsigned)r;
	}
	return 0;
}

/* FUTEX_WAIT while *addr == val (returns at once if it is not); the caller re-checks. */
static void
futex_wait(volatile uint32_t *addr, uint32_t val)
{
	syscall(SYS_futex, addr, FUTEX_WAIT, val, 0, 0, 0);
}

/* Wake one process waiting on addr. */
static void
futex_wake(volatile uint32_t *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE, 1, 0, 0, 0);
}

static uint32_t
load_turn(void)
{
	return __atomic_load_n(&ipc_sh->turn, __ATOMIC_ACQUIRE);
}

static void
store_turn(uint32_t v)
{
	__atomic_store_n(&ipc_sh->turn, v, __ATOMIC_RELEASE);
}

/*
 * The partner's loop: answer every request with w + 1 until killed.  in/out are its
 * ends of the pipes or its socket (unused for YIELD and SHM).  Never returns.
 */
static void
ipc_partner(enum bench_ipc kind, int in, int out)
{
	uint32_t w;

	for (;;) {
		switch (kind) {
		case BENCH_IPC_XFER:
		case BENCH_IPC_YIELD:
			if (load_turn() == 1) {
				ipc_sh->word++;
				store_turn(0);
			}
			sched_yield();
			break;
		case BENCH_IPC_SHM:
			while (load_turn() != 1)
				futex_wait(&ipc_sh->turn, 0);
			ipc_sh->word++;
			store_turn(0);
			futex_wake(&ipc_sh->turn);
			break;
		case BENCH_IPC_SHM_POLL:
			while (load_turn() != 1)
				sched_yield();
			ipc_sh->word++;
			store_turn(0);
			break;
		default:	/* PIPE, RPC, RPC_TRUSTED */
			if (ipc_word(in, &w, 1))
				_exit(0);
			w++;
			if (ipc_word(out, &w, 0))
				_exit(0);
			break;
		}
	}
}

/* Every kind runs on Linux but the asynchronous transfer and the inlined pipe. */
const char *
bench_ipc_na(enum bench_ipc kind)
{
	if (kind == BENCH_IPC_XFER_ASYNC)
		return "no asynchronous control transfer into another process; "
		       "Linux's cheapest hand-off (sched_yield) is the xfer_rt row";
	if (kind == BENCH_IPC_PIPE_INLINE)
		return "Linux's pipes are in the kernel: there is no pipe code to inline "
		       "into the program (its pipe is the ipc_pipe row)";
	return 0;
}

/*
 * Create the channel for kind (pipes, socket pair or shared page), fork the partner, and
 * make one untimed round trip (so that both processes have taken their copy-on-write
 * faults after the fork).  0, or -1 with everything undone.
 */
/* A competitor: compute until the parent is gone (it kills us first). Also the
 * udp_rtt rows' competitor (udp_posix.c). */
void
posix_compete(pid_t parent)
{
	for (volatile unsigned i = 0;; i++)
		if (i % (1u << 20) == 0 && getppid() != parent)
			_exit(0);
}

int
bench_ipc_setup(enum bench_ipc kind)
{
	int a[2] = { -1, -1 }, b[2] = { -1, -1 };	/* a: to the partner, b: back */
	int p_in = -1, p_out = -1;			/* the partner's ends */
	enum bench_ipc base = bench_ipc_base(kind);

	switch (base) {
	case BENCH_IPC_PIPE:
		if (pipe(a) || pipe(b))
			goto fail;
		ipc_out = a[1], p_in = a[0];
		p_out = b[1], ipc_in = b[0];
		break;
	case BENCH_IPC_RPC:
	case BENCH_IPC_RPC_TRUSTED:
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, a))
			goto fail;
		ipc_out = ipc_in = a[0];
		p_in = p_out = a[1];
		break;
	case BENCH_IPC_XFER:
	case BENCH_IPC_YIELD:
	case BENCH_IPC_SHM:
	case BENCH_IPC_SHM_POLL:
		ipc_sh = mmap(0, BENCH_PAGE, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (ipc_sh == MAP_FAILED) {
			ipc_sh = 0;
			goto fail;
		}
		ipc_sh->word = ipc_sh->turn = 0;
		break;
	default:
		return -1;
	}
	ipc_pid = fork();
	if (ipc_pid < 0)
		goto fail;
	if (ipc_pid == 0) {	/* the partner: close our ends, then serve */
		if (ipc_in >= 0)
			close(ipc_in);
		if (ipc_out >= 0 && ipc_out != ipc_in)
			close(ipc_out);
		ipc_partner(base, p_in, p_out);
	}
	/* Our copies of the partner's ends (a socket pair: one fd for both). */
	if (p_in >= 0)
		close(p_in);
	if (p_out >= 0 && p_out != p_in)
		close(p_out);
	for (unsigned i = 0; i < bench_ipc_competitors(kind); i++) {
		pid_t parent = getpid();
		if ((ipc_load[i] = fork()) == 0)
			posix_compete(parent);
		if (ipc_load[i] < 0) {
			ipc_load[i] = 0;
			bench_ipc_teardown(kind);
			return -1;
		}
	}
	if (bench_ipc_call(kind, 41) == 42)
		return 0;
	bench_ipc_teardown(kind);
	return -1;
fail:
	for (unsigned i = 0; i < 2; i++) {
		if (a[i] >= 0)
			close(a[i]);
		if (b[i] >= 0)
			close(b[i]);
	}
	ipc_in = ipc_out = -1;
	if (ipc_sh)
		munmap(ipc_sh, BENCH_PAGE);
	ipc_sh = 0;
	return -1;
}

/*
 * One round trip: send w to the partner by kind's mechanism, wait for its answer and
 * return it (w + 1 when all is well; w itself if the channel failed, which ipc.c reports).
 */
uint32_t
bench_ipc_call(enum bench_ipc kind, uint32_t w)
{
	switch (bench_ipc_base(kind)) {
	case BENCH_IPC_XFER:
	case BENCH_IPC_YIELD:
	case BENCH_IPC_SHM_POLL:
		ipc_sh->word = w;
		store_turn(1);
		while (load_turn() != 0)
			sched_yield();
		return ipc_sh->word;
	case BENCH_IPC_SHM:
		ipc_sh->word = w;
		store_turn(1);
		futex_wake(&ipc_sh->turn);
		while (load_turn() != 0)
			futex_wait(&ipc_sh->turn, 1);
		return ipc_sh->word;
	default: {	/* PIPE, RPC, RPC_TRUSTED */
		uint32_t v = w;
		if (ipc_word(ipc_out, &v, 0) || ipc_word(ipc_in, &v, 1))
			return w;
		return v;
	}
	}
}

/* Kill and reap the competitors and the partner; close the pipes or socket, unmap the
 * shared page. */
void
bench_ipc_teardown(enum bench_ipc kind)
{
	for (unsigned i = 0; i < bench_ipc_competitors(kind); i++)
		if (ipc_load[i] > 0) {
			kill(ipc_load[i], SIGKILL);
			waitpid(ipc_load[i], 0, 0);
			ipc_load[i] = 0;
		}
	if (ipc_pid > 0) {
		kill(ipc_pid, SIGKILL);
		waitpid(ipc_pid, 0, 0);
	}
	ipc_pid = -1;
	if (ipc_out >= 0 && ipc_out != ipc_in)
		close(ipc_out);
	if (ipc_in >= 0)
		close(ipc_in);
	ipc_in = ipc_out = -1;
	if (ipc_sh)
		munmap(ipc_sh, BENCH_PAGE);
	ipc_sh = 0;
}

const char *
bench_env_na(void)
{
	return 0;
}

int
bench_env_cycle(void)
{
	int status;
	pid_t child = fork();

	if (child == 0)
		_exit(0);
	if (child < 0 || waitpid(child, &status, 0) != child)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}
