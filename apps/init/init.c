/*
 * init: the first program Aegis starts (init=init, the default). A short
 * tour of what ExOS does at user level on Aegis: it touches a region far
 * larger than the TLB (every miss is forwarded to ExOS, which installs the
 * page with a capability), protects a page and catches its own write fault,
 * keeps dirty bits, and loads a second program into a new environment.
 */
#include "exos.h"

#define REGION     0x20000000u
#define NPAGES     2048u                     /* 8 MiB: 64 times the TLB's reach */

static volatile int caught;                  /* changed by the fault handler */

static int on_write_fault(struct vm_fault *f)
{
	caught++;
	printf("init: caught a %s fault at %08x; unprotecting the page\n",
	       f->write ? "write" : "read", f->va);
	return vm_protect(f->va & ~(PAGE_SIZE - 1), 1, VM_RW);
}

int main(void)
{
	printf("Hello from ExOS: environment %x running in user mode on Aegis.\n", exos_envid);

	u32 t0 = read_count(), up0 = vm_stats.tlb_upcalls;
	if (vm_map(REGION, NPAGES, VM_RW) < 0) {
		printf("init: cannot map the region\n");
		return 1;
	}
	for (u32 i = 0; i < NPAGES; i++)
		*(volatile u32 *)(REGION + i * PAGE_SIZE) = i;
	u32 sum = 0;
	for (u32 i = 0; i < NPAGES; i++)
		sum += *(volatile u32 *)(REGION + i * PAGE_SIZE);
	printf("init: touched %u pages (%u KiB): %u TLB misses reached ExOS, checksum %s, "
	       "%u Count ticks\n", NPAGES, NPAGES * 4, vm_stats.tlb_upcalls - up0,
	       sum == NPAGES * (NPAGES - 1) / 2 ? "ok" : "WRONG", read_count() - t0);

	vm_set_handler(REGION, NPAGES * PAGE_SIZE, on_write_fault);
	vm_protect(REGION + 5 * PAGE_SIZE, 1, VM_READ);
	*(volatile u32 *)(REGION + 5 * PAGE_SIZE) = 42;
	printf("init: the store went through after the handler ran (%d fault%s caught), value %u\n",
	       caught, caught == 1 ? "" : "s", *(volatile u32 *)(REGION + 5 * PAGE_SIZE));
	printf("init: ExOS's dirty bit for page 5: %d\n", vm_dirty(REGION + 5 * PAGE_SIZE));

	int child = exos_spawn("isolate", 0), status = -1;
	if (child > 0 && exos_wait((u32)child, &status) == 0)
		printf("init: ExOS loaded 'isolate' into environment %x; it exited with status %d\n",
		       (u32)child, status);
	vm_unmap(REGION, NPAGES, true);
	printf("init: done\n");
	return 0;
}
