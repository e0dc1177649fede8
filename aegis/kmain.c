/* kmain.c: bringing the machine up and starting the first environment. */
#include "defs.h"

/* Start the first environment: the program named by init= (default "init")
 * in the initrd. Every later program is loaded by ExOS, not by the kernel. */
static void start_init(void)
{
	struct cpio_file f;
	if (!bootinfo.initrd_size)
		panic("no initrd: boot with an initrd holding the program '%s'", bootinfo.init);
	const void *rd = KADDR(bootinfo.initrd_pa);
	if (cpio_find(rd, bootinfo.initrd_size, bootinfo.init, &f) < 0)
		panic("initrd has no program '%s'", bootinfo.init);
	int err = 0;
	struct env *e = env_create_elf(bootinfo.init, f.data, f.size, &err);
	if (!e)
		panic("cannot start '%s': error %d", bootinfo.init, err);
	kprintf("[aegis] starting env %x (%s), asid %u\n", e->id, e->name, e->asid);
	ktest_watch(e);
	env_pop_tf(slice_next());
}

void kmain(int a0, char **a1, char **a2, u32 a3)
{
	bootargs_parse(a0, a1, a2, a3);
	kprintf("\n[aegis] Aegis exokernel, MIPS32r2 on QEMU malta\n");
	kprintf("[aegis] boot path: %s, memory %u MiB, initrd %u bytes at %08x\n",
		bootinfo.path == BOOT_UBOOT ? "U-Boot bootm" : "direct (-kernel)",
		bootinfo.memsize >> 20, bootinfo.initrd_size, bootinfo.initrd_pa);
	kprintf("[aegis] command line: %s\n", bootinfo.cmdline);
	vectors_install();
	kernel_running = 1;     /* _start entered again from now on: start.S */
	random_init();
	tlb_init();
	page_init();
	kinfo_init();
	mem_init();
	env_init();
	slice_init();
	nic_init();
	disk_init();
	xn_boot();
	kprintf("[aegis] %u free pages (low water %u); vectors at %08x; STLB %u entries\n",
		page_free_count(), mem_low_water, EBASE, STLB_ENTRIES);
	if (bootinfo.ktest)
		ktest_run();
	start_init();
}
