/* panic.c: stopping the machine, loudly. */
#include "defs.h"

static const char *const exc_names[EXC_NCODES] = {
	[EXC_INT] = "Int", [EXC_MOD] = "Mod", [EXC_TLBL] = "TLBL", [EXC_TLBS] = "TLBS",
	[EXC_ADEL] = "AdEL", [EXC_ADES] = "AdES", [EXC_IBE] = "IBE", [EXC_DBE] = "DBE",
	[EXC_SYS] = "Sys", [EXC_BP] = "Bp", [EXC_RI] = "RI", [EXC_CPU] = "CpU",
	[EXC_OV] = "Ov", [EXC_TR] = "Tr", [EXC_FPE] = "FPE",
};

/* The short name of ExcCode code ("TLBL", "Ov", ...), or "?". */
const char *exc_name(u32 code)
{
	return code < EXC_NCODES && exc_names[code] ? exc_names[code] : "?";
}

/* Reset the board. QEMU is always started with -no-reboot, so it exits. */
void halt(void)
{
	kprintf("[aegis] halt\n");
	*(volatile u32 *)MALTA_SOFTRES = MALTA_GORESET;
	for (;;)
		__asm__ volatile("wait");
}

void panic(const char *fmt, ...)
{
	va_list ap;
	kprintf("[aegis] PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	halt();
}

/* Print why, the exception in tf (cause, EPC, BadVAddr) and every register,
 * then halt. */
void panic_tf(const struct trapframe *tf, const char *why)
{
	static const char *const rn[32] = {
		"zero", "at", "v0", "v1", "a0", "a1", "a2", "a3", "t0", "t1", "t2", "t3",
		"t4", "t5", "t6", "t7", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7",
		"t8", "t9", "k0", "k1", "gp", "sp", "s8", "ra" };
	u32 code = (tf->cause & CAUSE_EXC_MASK) >> CAUSE_EXC_SHIFT;
	kprintf("[aegis] PANIC: %s\n", why);
	kprintf("[aegis]   cause %08x (%s%s) epc %08x badvaddr %08x status %08x\n",
		tf->cause, exc_name(code), (tf->cause & CAUSE_BD) ? ", in delay slot" : "",
		tf->epc, tf->badvaddr, tf->status);
	for (int i = 0; i < 32; i += 4)
		kprintf("[aegis]   %-4s %08x  %-4s %08x  %-4s %08x  %-4s %08x\n",
			rn[i], tf->regs[i], rn[i + 1], tf->regs[i + 1],
			rn[i + 2], tf->regs[i + 2], rn[i + 3], tf->regs[i + 3]);
	kprintf("[aegis]   hi %08x lo %08x\n", tf->hi, tf->lo);
	halt();
}
