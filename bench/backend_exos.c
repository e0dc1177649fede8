/*
 * backend_exos.c: the benchmark suite's back end for ExOS on Aegis (the
 * contract is in bench.h). Everything is ExOS's ordinary interface: the VM
 * calls of exos/vm.c, the exception handlers of exos/exc.c, the fast null
 * system call of Aegis. The program's arguments come from the kernel command
 * line, `bench.args=ARG,ARG,...`, as on the Linux side.
 */
#include "exos.h"
#include "bench.h"

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

static const u32 exc_code[BENCH_EXC_N] = { 4 /* AdEL */, 12 /* Ov */, 11 /* CpU */, 0 };

int bench_exc_setup(enum bench_exc kind)
{
	exc_count = 0;
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

unsigned long bench_exc_count(void) { return exc_count; }

void bench_exc_teardown(enum bench_exc kind)
{
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

/* The ExOS program: bench.args=A,B,C from the kernel command line become
 * argv[1..]. */
int main(void)
{
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
