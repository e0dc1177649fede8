/*
 * backend_exos.c: the benchmark suite's back end for ExOS on Aegis (the
 * contract is in bench.h). Everything is ExOS's ordinary interface: the VM
 * calls of exos/vm.c, the exception handlers of exos/exc.c, the fast null
 * system call of Aegis. The program's arguments come from the kernel command
 * line, `bench.args=ARG,ARG,...`, as on the Linux side.
 */
#include "exos.h"
#include "bench.h"
#include "backend_exos.h"
#include "syscall_nums.h"
#include "pipe_inline.h"

#define REGION_BASE 0x40000000u      /* bench_alloc_pages hands out pages from here */
#define REGION_END  0x60000000u

static u32 next_va = REGION_BASE;
static bench_fault_fn fault_fn;
static volatile unsigned long exc_count;   /* changed by the handlers */
static u32 prot_page;                       /* BENCH_EXC_PROT's protected page */

const char *bench_system(void) { return "exos"; }

int bench_init(void) { return 0; }

void bench_write(const char *s, unsigned n)
{
	while (n > 0) {
		unsigned k = n > 4096 ? 4096 : n;
		sys_cputs(s, k);
		s += k;
		n -= k;
	}
}

void *bench_alloc_pages(unsigned npages)
{
	u32 va = next_va;
	if (npages == 0 || npages > (REGION_END - va) / PAGE_SIZE || vm_map(va, npages, VM_RW) < 0)
		return 0;
	for (unsigned i = 0; i < npages; i++)          /* present and dirty: no first touch later */
		*(volatile u32 *)(va + i * PAGE_SIZE) = 0;
	next_va += npages * PAGE_SIZE;
	return (void *)va;
}

int bench_protect(void *addr, unsigned npages)
{
	return vm_protect((u32)addr, npages, VM_NONE) < 0 ? -1 : 0;
}

int bench_unprotect(void *addr, unsigned npages)
{
	return vm_protect((u32)addr, npages, VM_RW) < 0 ? -1 : 0;
}

/* ExOS region handler: hand the address to the benchmark's handler; on
 * return ExOS installs whatever the page table now allows and the access is
 * retried. */
static int call_fault_fn(struct vm_fault *f)
{
	if (!fault_fn)
		return -1;
	fault_fn((void *)f->va);
	return 0;
}

void bench_set_fault_handler(bench_fault_fn fn)
{
	fault_fn = fn;
	vm_set_handler(REGION_BASE, REGION_END - REGION_BASE, fn ? call_fault_fn : NULL);
}

int bench_is_dirty(void *addr) { return vm_dirty((u32)addr); }
const char *bench_dirty_na(void) { return 0; }

/* Aegis's null call on the path that needs no kernel stack (fast call 0). */
void bench_null_syscall(void) { sys_null(); }

/* Aegis's general path: null_slow, a call that does nothing in C. */
void bench_null_syscall_slow(void) { sys_null_slow(); }

const char *bench_env_na(void) { return 0; }

int bench_env_cycle(void)
{
	int child = exos_fork();
	if (child == 0)
		exit(0);
	int status = -1;
	return child > 0 && exos_wait((u32)child, &status) == 0 && status == 0 ? 0 : -1;
}

const char *bench_exc_na(enum bench_exc kind)
{
	(void)kind;
	return 0;
}

/* Count and step over the faulting instruction (exos_skip also handles a
 * delay slot, though bench_exc_raise keeps its instructions out of them). */
static int count_and_step(struct trapframe *f)
{
	exc_count++;
	exos_skip(f);
	return 0;
}

static int count_and_step_prot(struct vm_fault *f)
{
	exc_count++;
	exos_skip(f->frame);
	return 0;
}

static const u32 exc_code[BENCH_EXC_N] = { 4 /* AdEL */, 12 /* Ov */, 11 /* CpU */, 0, 4 };
static bool exc_skipping;        /* BENCH_EXC_UNALIGN_LIGHT: ExOS counts in exos_exception_skips */

int bench_exc_setup(enum bench_exc kind)
{
	exc_count = 0;
	exc_skipping = kind == BENCH_EXC_UNALIGN_LIGHT;
	if (exc_skipping)                 /* the application-specific handler: skip and count */
		return exos_set_exception_skip(exc_code[kind], true) < 0 ? -1 : 0;
	if (kind == BENCH_EXC_PROT) {
		prot_page = (u32)bench_alloc_pages(1);
		if (!prot_page || vm_protect(prot_page, 1, VM_NONE) < 0)
			return -1;
		return vm_set_handler(prot_page, PAGE_SIZE, count_and_step_prot) < 0 ? -1 : 0;
	}
	if (kind == BENCH_EXC_COPROC && sys_fpu(0) < 0)
		return -1;
	exos_set_exception_handler(exc_code[kind], count_and_step);
	return 0;
}

/* Each raising instruction is followed by a nop inside its asm: gcc never
 * puts a two-instruction asm into a branch delay slot (it did put the lone
 * store into `jr ra`'s). */
void bench_exc_raise(enum bench_exc kind)
{
	u32 tmp;
	switch (kind) {
	case BENCH_EXC_UNALIGN:
	case BENCH_EXC_UNALIGN_LIGHT:
		__asm__ volatile("lw %0, 1(%1)\n\tnop" : "=r"(tmp) : "r"(&exc_count) : "memory");
		break;
	case BENCH_EXC_OVERFLOW:
		__asm__ volatile("add %0, %1, %1\n\tnop" : "=r"(tmp) : "r"(0x7fffffff) : "memory");
		break;
	case BENCH_EXC_COPROC:
		__asm__ volatile(".set push\n\t.set hardfloat\n\tmfc1 %0, $f0\n\tnop\n\t.set pop"
				 : "=r"(tmp) :: "memory");
		break;
	case BENCH_EXC_PROT:
		__asm__ volatile("sw $0, 0(%0)\n\tnop" :: "r"(prot_page) : "memory");
		break;
	default:
		break;
	}
}

unsigned long bench_exc_count(void)
{
	return exc_skipping ? exos_exception_skips(exc_code[BENCH_EXC_UNALIGN_LIGHT]) : exc_count;
}

void bench_exc_teardown(enum bench_exc kind)
{
	if (kind == BENCH_EXC_UNALIGN_LIGHT) {
		exos_set_exception_skip(exc_code[kind], false);
		exc_skipping = false;
		return;
	}
	if (kind == BENCH_EXC_PROT) {
		vm_set_handler(prot_page, PAGE_SIZE, NULL);
		vm_protect(prot_page, 1, VM_RW);
		return;
	}
	exos_set_exception_handler(exc_code[kind], NULL);
	if (kind == BENCH_EXC_COPROC) {
		exos_exc_init();          /* ExOS's default: enable the FPU on first use */
		sys_fpu(1);
	}
}

/* ------------------------------------------------------------ IPC rows ---- */
/* The partner is this same program in a second environment (started with
 * arg = kind + 1 | our id << 8), sharing one page: at PARTNER_SHARE in the
 * partner, at IPC_SHARE here. Page layout: two pipes, then for xfer/yield/
 * shm a word and a turn flag. */

#define IPC_SHARE     0x5ff00000u
#define PARTNER_SHARE 0x00005000u
struct ipc_page {
	struct exos_pipe to_partner, to_us;
	volatile u32 word, turn;       /* turn: 1 = the partner's move */
	u32 cap_name, cap_check;       /* this page's capability, for wakeup predicates */
};
_Static_assert(sizeof(struct ipc_page) <= 4096, "one shared page");

static int partner = -1;
static int competitor[BENCH_IPC_COMPETITORS];
static struct ipc_page *ipc;
static u32 ipc_ppn;

/* A competitor (this program, arg COMPETE_ARG | our id << 8) computes for
 * as long as its parent exists. */
#define COMPETE_ARG 0xfeu
static bool parent_alive(u32 parent)
{
	return exos_kinfo()->env[(parent & 0xff) % KINFO_NENV].id == parent;
}

int bench_exos_competitor(void)
{
	return exos_spawn("bench", COMPETE_ARG | exos_envid << 8);
}

void bench_exos_end(int *id)
{
	int st;
	if (*id > 0) {
		sys_env_destroy((u32)*id);
		exos_wait((u32)*id, &st);
	}
	*id = -1;
}

const char *bench_ipc_na(enum bench_ipc kind)
{
	(void)kind;
	return 0;
}

int bench_ipc_setup(enum bench_ipc kind)
{
	u64 r = sys_page_alloc(PAGE_ANY);
	ipc_ppn = (u32)r;
	u32 check = (u32)(r >> 32);
	if ((int)ipc_ppn < 0 || vm_map_page(IPC_SHARE, ipc_ppn, check, VM_RW) < 0)
		return -1;
	ipc = (struct ipc_page *)IPC_SHARE;
	pipe_init(&ipc->to_partner);
	pipe_init(&ipc->to_us);
	ipc->word = ipc->turn = 0;
	ipc->cap_name = CAP_NAME(ipc_ppn, CAP_RW);
	ipc->cap_check = check;
	struct exos_share share = { PARTNER_SHARE, ipc_ppn, check };
	enum bench_ipc base = bench_ipc_base(kind);
	partner = exos_spawn_with("bench", ((u32)base + 1) | exos_envid << 8, &share, 1);
	if (partner < 0)
		return -1;
	for (unsigned i = 0; i < bench_ipc_competitors(kind); i++)
		if ((competitor[i] = bench_exos_competitor()) < 0) {
			bench_ipc_teardown(kind);
			return -1;
		}
	/* Let it start and, for the transfer and RPC rows, wait at its entry. */
	for (int i = 0; i < 1000 && sys_env_status((u32)partner) == 1; i++)
		if (sys_yield_to((u32)partner) < 0)
			break;
	return 0;
}

/* Sleep until the turn flag of page pg is turn (a wakeup predicate over
 * the shared page). 0, or -1 if the kernel refused or woke us with an error. */
static int sleep_until_turn(struct ipc_page *pg, u32 turn)
{
	while (pg->turn != turn)
		if (exos_wait_word_cap(&pg->turn, pg->cap_name, pg->cap_check, turn, true) < 0)
			return -1;
	return 0;
}

/* Wait for the partner's move, giving it the processor. */
static void wait_turn(void)
{
	while (ipc->turn)
		sys_yield_to((u32)partner);
}

uint32_t bench_ipc_call(enum bench_ipc kind, uint32_t w)
{
	u32 v = w;
	switch (bench_ipc_base(kind)) {
	case BENCH_IPC_XFER:
		return (u32)lrpc_call_trusted((u32)partner, w, 0, 0);
	case BENCH_IPC_XFER_ASYNC:
		ipc->turn = 1;
		if (sys_acall((u32)partner, w, 0, 0) < 0)
			return 0;
		while (ipc->turn)        /* a slice ended before the partner was done */
			sys_yield();
		return ipc->word;
	case BENCH_IPC_RPC:
		return (u32)lrpc_call((u32)partner, w, 0, 0);
	case BENCH_IPC_RPC_TRUSTED:
		return (u32)lrpc_call_trusted((u32)partner, w, 0, 0);
	case BENCH_IPC_PIPE:
		pipe_write(&ipc->to_partner, &v, 4, (u32)partner);
		pipe_read(&ipc->to_us, &v, 4, (u32)partner);
		return v;
	case BENCH_IPC_PIPE_INLINE:
		pipe_write_inline(&ipc->to_partner, &v, 4, (u32)partner);
		pipe_read_inline(&ipc->to_us, &v, 4, (u32)partner);
		return v;
	case BENCH_IPC_YIELD:
		ipc->word = w;
		ipc->turn = 1;
		wait_turn();
		return ipc->word;
	case BENCH_IPC_SHM:
		ipc->word = w;
		ipc->turn = 1;
		if (sleep_until_turn(ipc, 0) < 0)
			return 0;
		return ipc->word;
	case BENCH_IPC_SHM_POLL:
		ipc->word = w;
		ipc->turn = 1;
		while (ipc->turn)
			sys_yield();
		return ipc->word;
	default:
		return 0;
	}
}

void bench_ipc_teardown(enum bench_ipc kind)
{
	for (unsigned i = 0; i < bench_ipc_competitors(kind); i++)
		bench_exos_end(&competitor[i]);
	bench_exos_end(&partner);
	vm_unmap(IPC_SHARE, 1, true);
}

/* The partner's sides. */
static u32 rpc_add_one(u32 caller, u32 a1, u32 a2, u32 a3)
{
	(void)caller, (void)a2, (void)a3;
	return a1 + 1;
}

/* Protected entry for the transfer row: reply at once, without a stack:
 * a1 = the word, v0 = the caller; scall(caller, word + 1). */
#define STR_(x) #x
#define STR(x) STR_(x)
void xfer_entry(void);
__asm__(".text\n.globl xfer_entry\nxfer_entry:\n"
	".set push\n.set noreorder\n"
	"\taddiu $5, $5, 1\n\tmove $4, $2\n\tli $2, " STR(SYS_scall) "\n\tsyscall\n"
	".set pop\n");

/* Protected entry for the asynchronous row: a1 = the word; store word + 1
 * and turn = 0 through async_word (the partner's &pg->word), then wait at
 * the entry again (lrpc_idle: pct_idle), which hands the processor back. */
static volatile u32 *async_word __attribute__((used));
_Static_assert(__builtin_offsetof(struct ipc_page, turn) ==
	       __builtin_offsetof(struct ipc_page, word) + 4, "turn follows word");
void xfer_async_entry(void);
__asm__(".text\n.globl xfer_async_entry\nxfer_async_entry:\n"
	".set push\n.set noreorder\n"
	"\tla $8, async_word\n\tlw $8, 0($8)\n\taddiu $5, $5, 1\n"
	"\tsw $5, 0($8)\n\tj lrpc_idle\n\tsw $0, 4($8)\n"
	".set pop\n");

/* The partner of the pipe rows: answer every word from the first pipe with
 * word + 1 on the second, through the library's pipe calls or (inlined)
 * the same code compiled in here; returns 0 when the parent is gone. */
static int pipe_echo(struct ipc_page *pg, u32 parent, bool inlined)
{
	for (;;) {
		u32 v;
		int r = inlined ? pipe_read_inline(&pg->to_partner, &v, 4, parent) :
				  pipe_read(&pg->to_partner, &v, 4, parent);
		if (r < 4)
			return 0;
		v++;
		if (inlined)
			pipe_write_inline(&pg->to_us, &v, 4, parent);
		else
			pipe_write(&pg->to_us, &v, 4, parent);
	}
}

static int partner_main(u32 kind, u32 parent)
{
	struct ipc_page *pg = (struct ipc_page *)PARTNER_SHARE;
	switch (kind) {
	case BENCH_IPC_XFER:
		sys_pct_entry((u32)xfer_entry);
		lrpc_idle();
	case BENCH_IPC_XFER_ASYNC:
		async_word = &pg->word;
		sys_pct_entry((u32)xfer_async_entry);
		lrpc_idle();
	case BENCH_IPC_RPC:
	case BENCH_IPC_RPC_TRUSTED:
		lrpc_serve(rpc_add_one);
	case BENCH_IPC_PIPE:
	case BENCH_IPC_PIPE_INLINE:
		return pipe_echo(pg, parent, kind == BENCH_IPC_PIPE_INLINE);
	case BENCH_IPC_SHM:
		for (;;) {
			if (sleep_until_turn(pg, 1) < 0)
				return 0;
			pg->word++;
			pg->turn = 0;
		}
	case BENCH_IPC_SHM_POLL:
		for (;;) {
			while (pg->turn != 1) {
				if (!parent_alive(parent))
					return 0;
				sys_yield();
			}
			pg->word++;
			pg->turn = 0;
		}
	default:                               /* yield */
		for (;;) {
			if (pg->turn) {
				pg->word++;
				pg->turn = 0;
			}
			if (sys_yield_to(parent) < 0)
				return 0;
		}
	}
}

/* ------------------------------------------- the other page table ---- */
/* The `_inv` rows (ptalt.c) run in bench_inv, this program linked with
 * ExOS's inverted page table (bench/pt_inv.c), started for each run with
 * arg PT_ALT_ARG and a request page shared at PARTNER_SHARE. */
#define PT_ALT_ARG 0xffu
struct pt_alt_req {
	u32 base, iters;              /* the request */
	volatile u32 done;            /* 1 once the answer is in */
	int rc;
	u32 ticks, ops;               /* the answer (a repetition's figures fit 32 bits) */
	char why[64];
};

const char *bench_pt_alt_na(void) { return 0; }

/* Copy the string src into dst of n bytes, cut and NUL-terminated. */
static void copy_str(char *dst, const char *src, u32 n)
{
	u32 i = 0;
	for (; i + 1 < n && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

int bench_pt_alt_run(unsigned base, unsigned iters, uint64_t *ticks, uint64_t *ops,
		     const char **why)
{
	static char why_copy[64];
	u64 r = sys_page_alloc(PAGE_ANY);
	u32 ppn = (u32)r, check = (u32)(r >> 32);
	*why = "cannot start bench_inv";
	if ((int)ppn < 0 || vm_map_page(IPC_SHARE, ppn, check, VM_RW) < 0)
		return -1;
	struct pt_alt_req *q = (struct pt_alt_req *)IPC_SHARE;
	q->base = base;
	q->iters = iters;
	q->done = 0;
	struct exos_share share = { PARTNER_SHARE, ppn, check };
	int child = exos_spawn_with("bench_inv", PT_ALT_ARG, &share, 1), st = -1, rc = -1;
	/* Asleep until the answer is in, so that the child runs alone. */
	if (child > 0 && exos_wait_word_cap(&q->done, CAP_NAME(ppn, CAP_RW), check, 1, true) >= 0 &&
	    exos_wait((u32)child, &st) == 0 && q->done) {
		rc = q->rc;
		*ticks = q->ticks;
		*ops = q->ops;
		copy_str(why_copy, q->why, sizeof why_copy);
		*why = why_copy;
	} else if (child > 0) {
		sys_env_destroy((u32)child);
		exos_wait((u32)child, &st);
		*why = "bench_inv ended without an answer";
	}
	vm_unmap(IPC_SHARE, 1, true);
	return rc;
}

/* bench_inv's side: run the requested base row and answer. */
static int pt_alt_child(void)
{
	struct pt_alt_req *q = (struct pt_alt_req *)PARTNER_SHARE;
	uint64_t t = 0, o = 0;
	const char *why = "";
	q->rc = bench_pt_alt_serve(q->base, q->iters, &t, &o, &why);
	q->ticks = (u32)t;
	q->ops = (u32)o;
	copy_str(q->why, why, sizeof q->why);
	q->done = 1;
	return 0;
}

/* The ExOS program: bench.args=A,B,C from the kernel command line become
 * argv[1..]. */
int main(void)
{
	if (exos_arg == PT_ALT_ARG)  /* bench_inv, started by bench_pt_alt_run */
		return pt_alt_child();
	if ((exos_arg & 0xff) == COMPETE_ARG) {   /* a competitor (bench_ipc_setup) */
		while (parent_alive(exos_arg >> 8))
			;
		return 0;
	}
	if (exos_arg)               /* started by bench_ipc_setup: a partner */
		return partner_main((exos_arg & 0xff) - 1, exos_arg >> 8);
	static char line[256];
	static char *argv[32];
	int argc = 0;
	argv[argc++] = "bench";
	sys_cmdline(line, sizeof line);
	u32 n = (u32)lib_strlen(line);
	for (u32 i = 0; i < n; i++)                /* words become strings */
		if (line[i] == ' ')
			line[i] = '\0';
	for (u32 i = 0; i < n; i += (u32)lib_strlen(line + i) + 1) {
		char *a = line + i;
		if (lib_strncmp(a, "bench.args=", 11))
			continue;
		for (a += 11; *a && argc < 31;) {
			argv[argc++] = a;
			while (*a && *a != ',')
				a++;
			if (*a == ',')
				*a++ = '\0';
		}
	}
	argv[argc] = 0;
	return bench_main(argc, argv);
}

/* ---------------------------------------------------------- demux ---- */

/* The filters go on Aegis's filter table that has no NIC (DPF_NONIC: the
 * benchmark's boots have no NIC, and this times the classification, not
 * the wire); the frame is in a page of ours, and net_demux classifies it up
 * to DPF_DEMUX_MAXREPS times per call (interpreted: DPF_DEMUX_MAXINTERP;
 * one by one: DPF_DEMUX_MAXLINEAR filter matches per call). This program installs nothing else there, so
 * its filters are ids 0..n-1 and the last one's answer is n. */
static u32 demux_n, demux_ppn, demux_check;
static u8 *demux_frame;
#define DEMUX_LEN 60

const char *bench_demux_na(unsigned mode)
{
	if (mode == BENCH_DEMUX_REJECT)
		return "a DPF filter is its predicate alone: nothing to take out";
	return mode == BENCH_DEMUX_BASE ? "net_demux classifies a frame in memory: "
	       "no other path is timed, nothing is subtracted" : 0;
}

/* ExOS's net_demux times the classification alone: nothing to take out. */
int bench_demux_unhook(void) { return 1; }

/* The filters are the same for every mode (net_demux chooses how to run them). */
int bench_demux_setup(unsigned n, unsigned mode)
{
	(void)mode;
	if (!demux_frame) {
		u64 r = sys_page_alloc(PAGE_ANY);
		demux_ppn = (u32)r;
		demux_check = (u32)(r >> 32);
		if ((int)demux_ppn < 0 || next_va >= REGION_END ||
		    vm_map_page(next_va, demux_ppn, demux_check, VM_RW) < 0)
			return -1;
		demux_frame = (u8 *)next_va;
		next_va += PAGE_SIZE;
		for (u32 i = 0; i < DEMUX_LEN; i++)
			demux_frame[i] = 0;
		demux_frame[12] = 0x08;                  /* IPv4 */
		demux_frame[14] = 0x45;                  /* a 20-byte header */
		demux_frame[23] = 17;                    /* UDP */
	}
	if (n == demux_n)
		return 0;
	for (u32 k = 0; k < demux_n; k++)
		sys_net_dpf_del(DPF_NONIC, k);
	demux_n = 0;
	if (n == 0 || n > DPF_MAXFILT)
		return -1;
	for (u32 k = 0; k < n; k++)
		if (exos_dpf_port(DPF_NONIC, 17, 1000 + k) != (int)k)
			return -1;
	demux_n = n;
	demux_frame[36] = (u8)((1000 + n - 1) >> 8);   /* the destination port: the last */
	demux_frame[37] = (u8)(1000 + n - 1);
	return 0;
}

int bench_demux_run(unsigned mode, unsigned iters)
{
	u32 most = mode == DPF_DEMUX_LINEAR ? DPF_DEMUX_MAXLINEAR / (demux_n + 1) :
		   mode == DPF_DEMUX_TREE ? DPF_DEMUX_MAXINTERP : DPF_DEMUX_MAXREPS;
	if (most > DPF_DEMUX_MAXREPS)
		most = DPF_DEMUX_MAXREPS;
	while (iters > 0) {
		u32 k = iters > most ? most : iters;
		int r = sys_net_demux(DPF_NONIC | mode << 8 | k << 16, CAP_NAME(demux_ppn, CAP_RW),
				      demux_check, NET_OFFLEN(0, DEMUX_LEN));
		if (r != (int)demux_n)
			return -1;
		iters -= k;
	}
	return 0;
}
