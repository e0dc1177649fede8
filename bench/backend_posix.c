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

void *
bench_alloc_pages(unsigned npages)
{
	size_t n = (size_t)npages * BENCH_PAGE;
	char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
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

const char *
bench_exc_na(enum bench_exc kind)
{
	(void)kind;
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
/* Not written for Linux yet: every IPC row reports n/a with this reason. */

const char *
bench_ipc_na(enum bench_ipc kind)
{
	(void)kind;
	return "the Linux side of this row is not written yet";
}

int
bench_ipc_setup(enum bench_ipc kind)
{
	(void)kind;
	return -1;
}

uint32_t
bench_ipc_call(enum bench_ipc kind, uint32_t w)
{
	(void)kind;
	return w;
}

void
bench_ipc_teardown(enum bench_ipc kind)
{
	(void)kind;
}
